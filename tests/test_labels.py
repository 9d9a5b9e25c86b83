"""Speaker labels as the real archive writes them: each style read into the turns a historian counts,
each label resolved to the one person it can mean (``converter.readers.wilson``, ``converter.speakers``).

The documents are this project's own, in the layouts of the archive.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from converter.authority import load_authority
from converter.readers import read
from converter.speakers import resolve

ROOT = Path(__file__).resolve().parent.parent
HEAD = ("## March 3, 1961\n\n# {title}\n\n### Citation:\n\n\"{title},\" March 3, 1961, History and Public Policy "
        "Program Digital Archive.\n<http://digitalarchive.wilsoncenter.org/document/{id}>\n\n"
        "### Contents:\n\n- English Translation\n\n")


@pytest.fixture(scope="module")
def authority():
    return load_authority(ROOT / "seeds" / "authority")


def _cast(body: str, authority, title: str = "Record of a Conversation", ident: str = "990100"):
    text = HEAD.format(title=title, id=ident) + body
    doc = read(text, "labels.txt")
    cast = resolve(doc, authority, text)
    return doc, [(t.label, cast.by_label[t.label].name) for t in doc.turns], cast


def test_footnote_markers_glued_to_labels(authority) -> None:
    body = ("Present: Ambassador H. Kroll, L. M. Zamyatin.\n\n"
            "Zamyatin1: The delegation arrived yesterday.\n\n"
            "H. Krollb: We were informed of it.\n\n"
            "Zamyatin1: It stays a week.\n\n"
            "1 Translator's Note: Leonid Zamyatin headed the delegation.\n")
    doc, turns, _ = _cast(body, authority)
    assert [name for _, name in turns] == ["L. M. Zamyatin", "H. Kroll", "L. M. Zamyatin"]
    assert len(doc.footnotes) == 1


def test_a_label_alone_on_its_line(authority) -> None:
    body = ("Gromyko:\n\nThe Soviet side has studied the proposal carefully.\n\n"
            "Rusk:\n\nWe await the answer of your government.\n")
    doc, turns, _ = _cast(body, authority, title="Conversation between Andrei Gromyko and Dean Rusk")
    assert len(doc.turns) == 2
    assert doc.turns[0].text.startswith("The Soviet side")
    assert turns[1][1] == "Dean Rusk"


def test_capitals_with_initials_and_no_separator(authority) -> None:
    body = ("Participants: A. N. Kosygin, Pham Van Dong.\n\n"
            "A.N. KOSYGIN. We have read your letter.\n\n"
            "PHAM VAN DONG We thank the Soviet comrades for it.\n\n"
            "A.N. KOSYGIN. Then let us begin.\n")
    doc, turns, _ = _cast(body, authority)
    assert len(doc.turns) == 3
    assert {name for _, name in turns} == {"Alexei Kosygin", "Pham Van Dong"}  # Kosygin is in the authority file


@pytest.mark.parametrize("form", ["hereafter Kim", "hereinafter referred to as Kim", "henceforth “Kim”"])
def test_hereafter_variants(authority, form: str) -> None:
    body = (f"Premier Kim Il Sung ({form}): Is everyone well?\n\n"
            "Delegation Head Wu Xinyu (hereafter Wu): We are all fine.\n\n"
            "Kim: Thank you.\n\nWu: They send their regards.\n")
    doc, turns, _ = _cast(body, authority)
    assert [name for _, name in turns] == ["Kim Il Sung", "Wu Xinyu", "Kim Il Sung", "Wu Xinyu"]


def test_role_labels_tied_to_a_person_named_earlier(authority) -> None:
    body = ("Ambassador Huang [Zhen] met Comrade Khrushchev on 29 February.\n\n"
            "Ambassador: Premier Zhou will go to New Delhi in April.\n\n"
            "Khrushchev: I welcome the decision.\n\n"
            "Interpreter: Li Yueran\n\n"
            "Ambassador: Nehru should be satisfied.\n")
    doc, turns, cast = _cast(body, authority, title="Memorandum of Conversation")
    assert len(doc.turns) == 3  # "Interpreter: Li Yueran" is a header, not a turn
    assert turns[0][1] == "Huang Zhen" and turns[2][1] == "Huang Zhen"
    assert any(p.function == "interpreter" and p.name == "Li Yueran" for p in doc.participants)


def test_surname_labels_resolve_to_the_one_participant_and_stay_ambiguous_otherwise(authority) -> None:
    body = ("Participants:\nJEONG Hong-jin Assistant to the co-chairman\nKIM Deok-hyun Assistant\n"
            "KIM Joong-lin Secretary\nKIM Yong-sik Director\n\n"
            "JEONG: We have brought the draft.\n\n"
            "KIM: Which KIM speaks is not said.\n")
    doc, turns, cast = _cast(body, authority)
    assert turns[0][1] == "Jeong Hong-jin"
    kim = cast.by_label["KIM"]
    assert kim.slug.startswith("990100-")  # this document's own, never merged with any Kim
    assert any("could be any of" in w and "'KIM'" in w for w in cast.warnings)


def test_a_translator_supplied_label(authority) -> None:
    body = ("[Comrade Zhou Enlai:] Comrade Lin Biao has prepared a brochure.\n\n"
            "Comrade Enver Hoxha: Is it the brochure you had with you?\n\n"
            "Comrade Zhou Enlai: Yes.\n")
    doc, turns, _ = _cast(body, authority)
    assert [name for _, name in turns] == ["Zhou Enlai", "Enver Hoxha", "Zhou Enlai"]
