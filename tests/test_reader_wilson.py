"""The reader on the seed document and on one fixture per layout of the archive."""

from __future__ import annotations

import pytest

from converter.errors import DocumentError
from converter.model import MarkerKind, Precision
from converter.readers import read
from converter.speakers import resolve

from .conftest import LAYOUTS, SEED, layout


@pytest.fixture(scope="module")
def seed(seed_text: str):
    return read(seed_text, SEED.name)


def test_seed_metadata(seed) -> None:
    assert seed.title == "Conversation Between Mao Zedong and Beqir Balluku"
    assert seed.date.start is not None and seed.date.start.iso == "1968-10-01"
    assert seed.date.start.precision is Precision.DAY
    assert seed.identifier == "111239" and seed.identifier_origin == "archive-id"
    assert seed.url == "http://digitalarchive.wilsoncenter.org/document/111239"
    assert seed.archive == "Chinese Communist Party Central Archives (CCA)"
    assert seed.original_language == "Chinese"
    assert seed.text_language == "English" and seed.is_translation is True
    assert seed.contents == ("English Translation",)
    assert seed.summary and seed.summary.startswith("In a conversation between Mao Zedong")


def test_seed_turns_alternate_between_two_speakers(seed, authority) -> None:
    assert len(seed.turns) == 28
    labels = [t.label for t in seed.turns]
    assert labels.count("Mao Zedong") == 14 and labels.count("Balluku") == 14
    assert all(a != b for a, b in zip(labels, labels[1:]))
    assert [t.position for t in seed.turns] == list(range(1, 29))
    cast = resolve(seed, authority)
    assert cast.by_label["Balluku"].name == "Beqir Balluku"
    assert cast.by_label["Balluku"].slug == "beqir-balluku"
    assert cast.by_label["Mao Zedong"].slug == "mao-zedong"


def test_seed_spans_slice_back_to_the_turn_text(seed, seed_text) -> None:
    for turn in seed.turns:
        assert seed_text[turn.span.start : turn.span.end] == turn.text
        assert seed_text[turn.label_span.start : turn.label_span.end] == turn.label
        assert not turn.text.startswith(("*", " ")) and turn.text == turn.text.strip()
    # The utterance of DESIGN.md's example: turn 22 at characters 5995..6209.
    t22 = seed.turns[21]
    assert (t22.span.start, t22.span.end) == (5995, 6209)
    assert t22.text.startswith("We have intelligence reports")


def test_seed_markers(seed) -> None:
    marks = {(m.kind, m.text) for t in seed.turns for m in t.markers}
    assert (MarkerKind.STAGE_DIRECTION, "(Mao pointed to the interpreter)") in marks
    assert (MarkerKind.EDITORIAL, "[socialism or capitalism]") in marks
    assert (MarkerKind.DAMAGED, "Dub...ek") in marks
    for t in seed.turns:
        for m in t.markers:
            assert t.span.start <= m.span.start < m.span.end <= t.span.end


@pytest.mark.parametrize("name", LAYOUTS)
def test_layout(name: str, authority) -> None:
    text, exp = layout(name)
    doc = read(text, f"{name}.txt")
    assert doc.title == exp["title"]
    assert doc.identifier_origin == exp["identifier_origin"]
    if exp["identifier"] is not None:
        assert doc.identifier == exp["identifier"]
    assert doc.url == exp["url"]
    assert doc.archive == exp["archive"]
    assert (doc.date.start.iso if doc.date.start else None) == exp["date"]["start"]
    assert (doc.date.end.iso if doc.date.end else None) == exp["date"]["end"]
    assert doc.original_language == exp["original_language"]
    assert list(doc.contents) == exp["contents"]
    if exp["summary_starts"]:
        assert doc.summary and doc.summary.startswith(exp["summary_starts"])
    else:
        assert doc.summary is None
    got_turns = [(t.label, t.name, t.side, t.alias) for t in doc.turns]
    want_turns = [(t["label"], t["name"], t["side"], t["alias"]) for t in exp["turns"]]
    assert got_turns == want_turns
    for turn, want in zip(doc.turns, exp["turns"]):
        assert turn.text.startswith(want["starts"]), (turn.text[:40], want["starts"])
        assert turn.text.endswith(want["ends"]), (turn.text[-40:], want["ends"])
        assert text[turn.span.start : turn.span.end] == turn.text
    assert [p.text[: len(w)] for p, w in zip(doc.paragraphs, exp["paragraphs"])] == exp["paragraphs"]
    assert len(doc.paragraphs) == len(exp["paragraphs"])
    for p in doc.paragraphs:
        assert text[p.span.start : p.span.end] == p.text
    assert [[h.name, h.value] for h in doc.header_fields] == exp["header_fields"]
    assert [p.name for p in doc.participants] == exp["participants"]
    assert [p.label for p in doc.page_markers] == exp["page_markers"]
    assert [f.label for f in doc.footnotes] == exp["footnotes"]
    marks = [[m.kind.value, m.text] for b in (*doc.turns, *doc.paragraphs) for m in b.markers]
    assert sorted(marks) == sorted(exp["markers"])
    cast = resolve(doc, authority)
    got_names = {label: ref.name for label, ref in cast.by_label.items()}
    assert got_names == exp["speakers"]


def test_same_person_same_iri_across_layouts(authority) -> None:
    """Mao in the seed, in 'Chairman [Mao Zedong]:' and in Cyrillic is one person."""
    text, _ = layout("colon_labels")
    cast = resolve(read(text, "colon_labels.txt"), authority)
    assert cast.by_label["Chairman [Mao Zedong]"].slug == "mao-zedong"
    assert cast.by_label["Vito"].slug == cast.by_label["Vito Kapo (hereafter shorten to Vito)"].slug


@pytest.mark.parametrize(
    ("text", "line", "fragment"),
    [
        ("", 1, "empty"),
        ("\n\n## Octember 4, 1968\n\n# Title\n\nBody text.\n", 3, "date heading does not parse"),
        ("\n## February 30, 1968\n# Title\n\nBody.\n", 2, "day 30"),
        ("\n## October 1, 1968\n\nJust a body without any title line.\n", 3, "no title"),
        ("## 1968\n# A title\n### Summary:\n\nOnly a summary.\n", 5, "no body text"),
        ("## 1968\n# A title\n\nText\x00more\n", 4, "NUL"),
    ],
)
def test_malformed_documents_name_the_line(text: str, line: int, fragment: str) -> None:
    with pytest.raises(DocumentError) as info:
        read(text, "bad.txt")
    err = info.value
    assert err.source == "bad.txt"
    assert err.line == line, str(err)
    assert fragment in str(err)
    assert str(err).startswith(f"bad.txt:{line}")
    assert "hint:" in str(err)


def test_several_errors_in_one_document_are_all_reported() -> None:
    from converter.readers import DocumentErrors

    with pytest.raises(DocumentErrors) as info:
        read("## Octember 1, 1968\n\nNo title and a bad date.\n", "two.txt")
    assert len(info.value.errors) == 2
    text = str(info.value)
    assert "two.txt:1" in text and "no title" in text


def test_crlf_and_bom_keep_exact_spans() -> None:
    text = "\ufeff\r\n## October 1, 1968\r\n\r\n# A Talk between Ann Lee and Bob Ray\r\n\r\n**Ann Lee:** Hello there.\r\n\r\n**Bob Ray:** Good day.\r\n"
    doc = read(text, "crlf.txt")
    assert [t.text for t in doc.turns] == ["Hello there.", "Good day."]
    for t in doc.turns:
        assert text[t.span.start : t.span.end] == t.text


def test_a_turn_label_needs_text_or_a_name() -> None:
    """A colon in running prose or a heading is not a speaker label."""
    text = (
        "## 1950\n# A report\n\nPart one: goals of the party.\n"
        "The following questions were discussed with the ambassador:\n1. Trade.\nIn Moscow: nothing new.\n"
    )
    doc = read(text, "r.txt")
    assert doc.turns == ()
    assert len(doc.paragraphs) == 4
