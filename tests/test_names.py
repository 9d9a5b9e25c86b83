"""Names: titles split by nameparser, other scripts compared in Latin letters (anyascii)."""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.authority import load_authority
from converter.names import case_stem, latin_key, name_tokens, split_title
from converter.pipeline import build_document, read_source
from converter.uris import Minter

ROOT = Path(__file__).resolve().parent.parent


@pytest.mark.parametrize(("written", "title", "name"), [
    ("Deputy Chief Minister Suban Delhi", "Deputy Chief Minister", "Suban Delhi"),
    ("Delegation Head Wu Xinyu", "Delegation Head", "Wu Xinyu"),
    ("Premier Kim Il Sung", "Premier", "Kim Il Sung"),
    ("Chairman", "Chairman", ""),
    ("Kim Il Sung", "", "Kim Il Sung"),
    ("Madame Mao", "", "Madame Mao"),  # another person, not Mao with a title
    ("Yu. V. Andropov", "", "Yu. V. Andropov"),  # initials, not a title
])
def test_titles_are_split_from_names(written: str, title: str, name: str) -> None:
    assert split_title(written) == (title, name)


def test_cyrillic_names_compare_in_latin_letters() -> None:
    assert latin_key("Хрущев") == "khrushchev" == latin_key("KHRUSHCHEV")
    assert name_tokens("И.В.Сталин") == name_tokens("I. V. Stalin") == ("i", "v", "stalin")
    assert case_stem("Сталину") == "stalin" and case_stem("Stalin") is None


def test_a_name_in_cyrillic_and_in_the_dative_links_to_its_person(tmp_path: Path) -> None:
    text = (
        "## May 10, 1943\n\n# Letter from a Delegation\n\n### Citation:\n\n"
        "\"Letter from a Delegation,\" May 10, 1943, History and Public Policy Program Digital Archive.\n"
        "<http://digitalarchive.wilsoncenter.org/document/990001>\n\n"
        "### Contents:\n\n- Russian Transcription\n\n"
        "ЕГО ПРЕВОСХОДИТЕЛЬСТВУ ИОСУФУ СТАЛИНУ\n\n"
        "Мы посылаем И.В.Сталин наши поздравления. Хрущев прибыл в Москву.\n"
    )
    path = tmp_path / "cyr.txt"
    path.write_text(text, encoding="utf-8")
    source, info = read_source(path.read_bytes(), path.name)
    built = build_document(source, info, authority=load_authority(ROOT / "seeds" / "authority"),
                           minter=Minter("https://example.org/"))
    linked = {(m.text, m.entity[1]) for m in built.extraction.mentions if m.entity and m.kind == "person"}
    assert ("СТАЛИНУ", "joseph-stalin") in linked
    assert ("И.В.Сталин", "joseph-stalin") in linked
    assert ("Хрущев", "nikita-khrushchev") in linked
