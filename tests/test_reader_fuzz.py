"""Random and mangled documents never raise anything but the reader's own clear error.

Every layout of tests/fixtures/documents/ and the seed, mangled as real exports are (truncated,
spliced, stray bytes, BOMs, CRLF line ends) and pushed to extremes (a 10 MB line, 100,000 turns,
100,000-deep brackets): zero unhandled exceptions, and every rejection names the file and line.
The counts of a run are in the README (Fuzzing).
"""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from converter.authority import load_authority
from converter.errors import ConversionError, DocumentError
from converter.pipeline import build_document, read_source
from converter.readers import read
from converter.uris import Minter

from .conftest import BASE, LAYOUTS, ROOT, SEED, layout

SAMPLES = [SEED.read_text(encoding="utf-8")] + [layout(n)[0] for n in LAYOUTS]
PIECES = [
    "## ", "# ", "### Citation:", "### Summary:", "### Contents:", "- English Translation", "**", ":", "\n", "\n\n",
    "(p. 1)", "[1] ", "Participants:", "North (KIM): ", "HO CHI MINH. ", "Comrade ", "[", "]", "(", ")", "http://",
    "digitalarchive.wilsoncenter.org/document/", "October 1, 1968", "1961-62", "…", "\ufffd", "\r", "\ufeff", "Хрущев: ",
]


def _names_file_and_line(err: DocumentError) -> None:
    assert err.source == "fuzz.txt" and err.line is not None and err.line >= 1, f"no file and line: {err!r}"
    assert str(err).startswith(f"fuzz.txt:{err.line}")


def _check(text: str) -> None:
    try:
        doc = read(text, "fuzz.txt")
    except DocumentError as err:
        _names_file_and_line(err)
        return
    for block in (*doc.turns, *doc.paragraphs):
        assert text[block.span.start : block.span.end] == block.text
        for m in block.markers:
            assert text[m.span.start : m.span.end] == m.text


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.text(alphabet=st.characters(blacklist_categories=("Cs",)), max_size=400))
def test_random_text(text: str) -> None:
    _check(text)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.lists(st.sampled_from(PIECES) | st.text(max_size=12), max_size=60))
def test_export_shaped_noise(parts: list[str]) -> None:
    _check("".join(parts))


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.data())
def test_mangled_real_layouts(sample: str, data: st.DataObject) -> None:
    """Cut, splice and corrupt real layouts: truncated exports, lost lines, stray bytes."""
    text = sample
    for _ in range(data.draw(st.integers(0, 4))):
        i = data.draw(st.integers(0, len(text)))
        j = data.draw(st.integers(i, min(len(text), i + 200)))
        op = data.draw(st.sampled_from(["cut", "dup", "insert", "truncate"]))
        if op == "cut":
            text = text[:i] + text[j:]
        elif op == "dup":
            text = text[:j] + text[i:j] + text[j:]
        elif op == "insert":
            text = text[:i] + data.draw(st.sampled_from(PIECES)) + text[i:]
        else:
            text = text[:i]
    _check(text)


AUTHORITY = load_authority(ROOT / "seeds" / "authority")
BOM = "\ufeff"


def _mangle_bytes(data: bytes, draw) -> bytes:  # type: ignore[no-untyped-def]
    for _ in range(draw(st.integers(0, 4))):
        i = draw(st.integers(0, len(data)))
        op = draw(st.sampled_from(["bytes", "truncate", "bom", "crlf", "cr", "nul"]))
        if op == "bytes":  # mostly characters (the document still decodes), sometimes raw bytes
            junk = draw(st.binary(min_size=1, max_size=8) | st.text(min_size=1, max_size=8).map(str.encode)
                        | st.text(min_size=1, max_size=8).map(str.encode))
            data = data[:i] + junk + data[i:]
        elif op == "truncate":  # may cut a character of several bytes in two
            data = data[:i]
        elif op == "bom":
            data = data[:i] + BOM.encode() + data[i:]
        elif op == "crlf":
            data = data.replace(b"\n", b"\r\n")
        elif op == "cr":
            data = data.replace(b"\n", b"\r")
        else:
            data = data[:i] + b"\0" + data[i:]
    return data


def _convert(data: bytes) -> str:
    """The whole conversion of one file's bytes, as a build worker does it."""
    try:
        text, source = read_source(data, "fuzz.txt")
        built = build_document(text, source, authority=AUTHORITY, minter=Minter(BASE))
    except DocumentError as err:
        _names_file_and_line(err)
        return "rejected, naming file and line"
    except ConversionError as err:  # any other refusal is the converter's own clear error, naming the file
        assert "fuzz.txt" in str(err), err
        return "rejected"
    assert built.triples
    return "converted"


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.sampled_from(SAMPLES), st.data())
def test_mangled_bytes_of_every_layout_through_the_whole_conversion(sample: str, data: st.DataObject) -> None:
    """Random bytes, truncation inside a character, BOMs, CRLF and CR line ends, NULs: from the file's
    bytes to the document's triples."""
    event(_convert(_mangle_bytes(sample.encode("utf-8"), data.draw)))


@pytest.mark.parametrize("name", ["seed", *LAYOUTS])
def test_bom_and_crlf_read_as_the_plain_file(name: str) -> None:
    """A BOM and Windows line ends change no turn, speaker or paragraph of any layout."""
    text = SEED.read_text(encoding="utf-8") if name == "seed" else layout(name)[0]
    plain = read(text, "fuzz.txt")
    windows = read(BOM + text.replace("\n", "\r\n"), "fuzz.txt")
    assert [(t.label, " ".join(t.text.split())) for t in windows.turns] == \
        [(t.label, " ".join(t.text.split())) for t in plain.turns]
    assert len(windows.paragraphs) == len(plain.paragraphs)
    assert windows.title == plain.title
    assert (windows.date.text, windows.date.start, windows.date.end) == (plain.date.text, plain.date.start, plain.date.end)
    _check(BOM + text.replace("\n", "\r\n"))


HEAD = SEED.read_text(encoding="utf-8")
HEAD = HEAD[: HEAD.index("**", HEAD.index("### Contents"))]


@pytest.mark.parametrize("body", [
    pytest.param("x" * 10_000_000, id="10MB-line-one-word"),
    pytest.param("word " * 2_000_000, id="10MB-line-of-words"),
    pytest.param("word… " * 1_000_000 + "ab\ufffdcd", id="damaged-words"),
    pytest.param("[" * 100_000 + "x" + "]" * 100_000, id="100000-deep-brackets"),
    pytest.param("(" * 100_000 + "laughs" + ")" * 100_000, id="100000-deep-parentheses"),
])
def test_extreme_lines_are_read(body: str) -> None:
    text = HEAD + "**Mao Zedong:** " + body + "\n"
    doc = read(text, "fuzz.txt")
    assert len(doc.turns) == 1 and doc.turns[0].text == body.strip()
    for m in doc.turns[0].markers:
        assert text[m.span.start : m.span.end] == m.text


def test_deep_brackets_convert() -> None:
    assert _convert((HEAD + "**Mao Zedong:** " + "[" * 100_000 + "x" + "]" * 100_000 + " We agree.\n").encode()) \
        == "converted"


def test_100000_turns_are_read() -> None:
    text = HEAD + "".join(f"**{'Mao Zedong' if i % 2 else 'Beqir Balluku'}:** Yes, point {i}.\n\n"
                          for i in range(100_000))
    doc = read(text, "fuzz.txt")
    assert len(doc.turns) == 100_000
    last = doc.turns[-1]
    assert text[last.span.start : last.span.end] == last.text == "Yes, point 99999."


def test_classic_mac_line_ends_convert_as_the_plain_file() -> None:
    text = SEED.read_text(encoding="utf-8")
    plain, _ = read_source(text.encode(), "fuzz.txt")
    mac, info = read_source(text.replace("\n", "\r").encode(), "fuzz.txt")
    assert mac == plain and info.characters == len(text)
    built = build_document(mac, info, authority=AUTHORITY, minter=Minter(BASE))
    assert len(built.doc.turns) == len(read(text, "fuzz.txt").turns) > 20


# Letters that re.I matches with ASCII ones (converter.names.re_i_lower): OCR and odd fonts give all of them.
_TWINS = {"s": "ſ", "i": "ı", "I": "İ", "k": "\u212a", "K": "\u212a"}


@pytest.mark.parametrize("share", [0.3, 1.0])
@pytest.mark.parametrize("name", ["seed", *LAYOUTS])
def test_every_layout_with_letters_that_match_ascii_ones_case_blind_goes_through_the_whole_conversion(
        name: str, share: float) -> None:
    """Its s, i, I, k and K (a share of them, or all) replaced by ſ, ı, İ and the Kelvin sign, with a closing
    paragraph of scale words and time cues: converted or refused with the reader's clear error, never a
    crash (a scale word, a time cue and a date heading each raised one)."""
    import random

    text = SEED.read_text(encoding="utf-8") if name == "seed" else layout(name)[0]
    text += "\n\nSix weeks ago, in April this year, the army had 4 million men and 2 billion dollars; it is said.\n"
    rnd = random.Random(name)
    twisted = "".join(_TWINS[c] if c in _TWINS and rnd.random() < share else c for c in text)
    assert _convert(twisted.encode("utf-8")) in ("converted", "rejected, naming file and line", "rejected")
