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


def test_re_i_lower_folds_exactly_the_letters_a_case_blind_pattern_matches_with_ascii_ones():
    """Every code point that re.I matches with an ASCII letter is folded to that letter, and only those."""
    import re
    import sys

    from converter.names import re_i_lower

    every = "".join(chr(c) for c in range(128, sys.maxunicode + 1) if not 0xD800 <= c <= 0xDFFF)
    twins = set(re.findall("[a-z]", every, re.I))
    assert twins, "re.I matches some letters outside ASCII with ASCII ones (the long s, the Kelvin sign)"
    for c in twins:
        assert re.fullmatch(re_i_lower(c), c, re.I) and re_i_lower(c).isascii(), c
    assert re_i_lower("Aprıl") == "april" and re_i_lower("Москва") == "москва" and re_i_lower("MILLION") == "million"
