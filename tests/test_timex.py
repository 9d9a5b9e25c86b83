"""Time expressions resolve against the document's date, at the precision the text gives."""

from __future__ import annotations

import pytest

from converter.model import DateValue, Precision
from converter.timex import find_times

OCT_1_1968 = DateValue("1968-10-01", Precision.DAY)
AUG_1961 = DateValue("1961-08", Precision.MONTH)


@pytest.mark.parametrize(
    ("text", "ref", "expected"),
    [
        ("The last time I met with you was in February 1967.", OCT_1_1968, [("February 1967", "1967-02")]),
        ("that is, twenty months ago.", OCT_1_1968, [("twenty months ago", "1967-02")]),
        ("a rebellion emerged there in May this year", OCT_1_1968, [("in May this year", "1968-05")]),
        ("Yesterday, our delegation visited the plant.", OCT_1_1968, [("Yesterday", "1968-09-30")]),
        ("That was in 1964.", OCT_1_1968, [("in 1964", "1964")]),
        ("until the first half of this year", OCT_1_1968, [("this year", "1968")]),
        ("last month the talks resumed", OCT_1_1968, [("last month", "1968-09")]),
        ("three years ago", OCT_1_1968, [("three years ago", "1965")]),
        ("On 17 August 1961 they met.", AUG_1961, [("17 August 1961", "1961-08-17")]),
        ("on September 1 they met", OCT_1_1968, [("September 1", "1968-09-01")]),
        # Month precision of the reference: a day cannot be computed, and is not invented.
        ("Yesterday we met.", AUG_1961, [("Yesterday", None)]),
        ("twenty months ago", None, [("twenty months ago", None)]),
        ("The conference may be postponed.", OCT_1_1968, []),
        ("He said 35,000 soldiers.", OCT_1_1968, []),
    ],
)
def test_find_times(text: str, ref: DateValue | None, expected: list[tuple[str, str | None]]) -> None:
    got = find_times(text, 100, ref)
    assert [(t.text, t.value.iso if t.value else None) for t in got] == expected
    for t in got:
        assert text[t.span.start - 100 : t.span.end - 100] == t.text


def test_precision_is_the_texts() -> None:
    (t,) = find_times("in February 1967", 0, OCT_1_1968)
    assert t.value is not None and t.value.precision is Precision.MONTH and t.value.xsd_type == "gYearMonth"


_EVERY_KIND = [
    "that is, twenty months ago.", "three WEEKS AGO", "in May this year", "next year", "this month", "Yesterday, today, tomorrow",
    "On 17 August 1961 they met.", "August 17, 1961", "in February 1967", "on September 1 they met", "That was in 1964.",
    "since the year 1956", "Sept. 3 and 4", "in 1968-1969", "The conference may be postponed.", "May 5, 12 and 1962",
]


@pytest.mark.parametrize("text", _EVERY_KIND)
def test_ascii_text_finds_what_every_pattern_finds(text):
    """ASCII text tries only the patterns whose words it holds; text with a letter outside ASCII tries every
    pattern. A trailing "é" changes no match, so both ways must find the same."""
    assert find_times(text, 0, OCT_1_1968) == find_times(text + " é", 0, OCT_1_1968)


@pytest.mark.parametrize(("text", "expected"), [
    ("Thiſ year", [("Thiſ year", "1968")]),  # long s: re.I matches it with "s"
    ("thİs month", [("thİs month", "1968-10")]),
    ("yeſterday", [("yeſterday", "1968-09-30")]),
    ("twenty weeKs ago", [("twenty weeKs ago", "1968-05-14")]),  # the Kelvin sign
    ("on 3 Auguſt 1961", [("3 Auguſt 1961", "1961-08-03")]),
])
def test_letters_that_match_ascii_ones_resolve_as_them(text, expected):
    """Damaged or odd text that a pattern matches is resolved, never a crash (it was a KeyError)."""
    found = find_times(text, 0, OCT_1_1968)
    assert [(t.text, t.value.iso if t.value else None) for t in found] == expected
