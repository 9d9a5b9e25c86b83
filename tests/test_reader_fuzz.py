"""Random and mangled documents never raise anything but the reader's own clear error."""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from converter.errors import DocumentError
from converter.readers import read

from .conftest import LAYOUTS, SEED, layout

SAMPLES = [SEED.read_text(encoding="utf-8")] + [layout(n)[0] for n in LAYOUTS]
PIECES = [
    "## ", "# ", "### Citation:", "### Summary:", "### Contents:", "- English Translation", "**", ":", "\n", "\n\n",
    "(p. 1)", "[1] ", "Participants:", "North (KIM): ", "HO CHI MINH. ", "Comrade ", "[", "]", "(", ")", "http://",
    "digitalarchive.wilsoncenter.org/document/", "October 1, 1968", "1961-62", "…", "\ufffd", "\r", "\ufeff", "Хрущев: ",
]


def _check(text: str) -> None:
    try:
        doc = read(text, "fuzz.txt")
    except DocumentError as err:
        assert err.source == "fuzz.txt" and str(err)
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
