"""Time expressions in running text, resolved against the document's date.

Absolute: "in February 1967" (gYearMonth), "in 1964" (gYear), "on 17 August 1961",
"August 17, 1961" (date), "September 1" (date, year from the document).
Relative: "this year", "last year", "next year", "May this year", "last month",
"twenty months ago", "three years ago", "yesterday", "today". A relative
expression keeps the precision it states: "twenty months ago" in a document of
1 October 1968 is 1967-02 (gYearMonth), never an invented day.
"""

from __future__ import annotations

import calendar
import re
from datetime import date, timedelta

from .dates import MONTHS
from .model import DateValue, Precision, Span, TimeExpression
from .names import re_i_lower

__all__ = ["find_times", "shift_months"]

_MONTH_NAMES = "|".join(sorted((m for m in MONTHS if m.isascii() and len(m) > 2), key=len, reverse=True))
_NUM_WORDS = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen twenty".split()
    )
}
_NUM_WORDS.update({"thirty": 30, "forty": 40, "fifty": 50, "a": 1, "an": 1, "a couple of": 2, "several": 0})
_NUM = r"(?P<n>\d{1,3}|" + "|".join(sorted(_NUM_WORDS, key=len, reverse=True)) + r")"

_PATTERNS: list[tuple[str, re.Pattern[str]]] = [
    ("ago", re.compile(rf"\b{_NUM}\s+(?P<unit>year|month|week|day)s?\s+ago\b", re.I)),
    ("month-rel", re.compile(rf"\b(?:in\s+)?(?P<m>{_MONTH_NAMES})\.?\s+(?P<rel>this|last|next)\s+year\b", re.I)),
    ("rel", re.compile(r"\b(?P<rel>this|last|next)\s+(?P<unit>year|month)\b", re.I)),
    ("day-rel", re.compile(r"\b(?P<w>yesterday|today|tomorrow)\b", re.I)),
    ("dmy", re.compile(rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<m>{_MONTH_NAMES})\.?,?\s+(?P<y>1[89]\d\d|20\d\d)\b", re.I)),
    ("mdy", re.compile(rf"\b(?P<m>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?,?\s+(?P<y>1[89]\d\d|20\d\d)\b", re.I)),
    ("my", re.compile(rf"\b(?P<m>{_MONTH_NAMES})\.?,?\s+(?P<y>1[89]\d\d|20\d\d)\b", re.I)),
    ("md", re.compile(rf"\b(?P<m>{_MONTH_NAMES})\.?\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\b(?!\s*[,-]?\s*\d)", re.I)),
    ("y", re.compile(r"\b(?:in|since|until|till|by|of|from|before|after|during)\s+(?:the\s+(?:year\s+)?)?(?P<y>1[89]\d\d|20\d\d)\b(?![-–]\d)", re.I)),
]


def shift_months(year: int, month: int, delta: int) -> tuple[int, int]:
    idx = year * 12 + (month - 1) + delta
    return idx // 12, idx % 12 + 1


def _month(name: str) -> int:
    return MONTHS[re_i_lower(name).rstrip(".")]


def _valid_day(y: int, m: int, d: int) -> bool:
    return 1 <= d <= calendar.monthrange(y, m)[1]


def _resolve(kind: str, g: dict[str, str], ref: DateValue | None) -> DateValue | None:
    ry = int(ref.iso[:4]) if ref else None
    rm = int(ref.iso[5:7]) if ref and ref.precision is not Precision.YEAR else None
    rd = int(ref.iso[8:10]) if ref and ref.precision is Precision.DAY else None
    if kind in ("dmy", "mdy"):
        y, m, d = int(g["y"]), _month(g["m"]), int(g["d"])
        return DateValue(f"{y:04d}-{m:02d}-{d:02d}", Precision.DAY) if _valid_day(y, m, d) else None
    if kind == "my":
        return DateValue(f"{int(g['y']):04d}-{_month(g['m']):02d}", Precision.MONTH)
    if kind == "y":
        return DateValue(f"{int(g['y']):04d}", Precision.YEAR)
    if ry is None:
        return None
    if kind == "md":
        m, d = _month(g["m"]), int(g["d"])
        return DateValue(f"{ry:04d}-{m:02d}-{d:02d}", Precision.DAY) if _valid_day(ry, m, d) else None
    if kind == "month-rel":
        y = ry + {"this": 0, "last": -1, "next": 1}[re_i_lower(g["rel"])]
        return DateValue(f"{y:04d}-{_month(g['m']):02d}", Precision.MONTH)
    if kind == "rel":
        delta = {"this": 0, "last": -1, "next": 1}[re_i_lower(g["rel"])]
        if re_i_lower(g["unit"]) == "year":
            return DateValue(f"{ry + delta:04d}", Precision.YEAR)
        if rm is None:
            return None
        y, m = shift_months(ry, rm, delta)
        return DateValue(f"{y:04d}-{m:02d}", Precision.MONTH)
    if kind == "ago":
        raw = re_i_lower(g["n"])
        n = int(raw) if raw.isdigit() else _NUM_WORDS.get(raw, 0)
        unit = re_i_lower(g["unit"])
        if n <= 0:
            return None
        if unit == "year":
            return DateValue(f"{ry - n:04d}", Precision.YEAR)
        if unit == "month":
            if rm is None:
                return None
            y, m = shift_months(ry, rm, -n)
            return DateValue(f"{y:04d}-{m:02d}", Precision.MONTH)
        if rd is None or rm is None:
            return None
        day = date(ry, rm, rd) - timedelta(days=n * (7 if unit == "week" else 1))
        return DateValue(day.isoformat(), Precision.DAY)
    if kind == "day-rel":
        if rd is None or rm is None:
            return None
        delta = {"yesterday": -1, "today": 0, "tomorrow": 1}[re_i_lower(g["w"])]
        return DateValue((date(ry, rm, rd) + timedelta(days=delta)).isoformat(), Precision.DAY)
    return None


_MONTH_WORDS = frozenset(m.capitalize() for m in MONTHS if m.isascii())
_CUE = re.compile(r"\d|\b(?:ago|year|month|yesterday|today|tomorrow)\b", re.I)


_CAPITALISED = re.compile(r"[A-Z][a-z]+")


# For ASCII text, words or digits each pattern cannot match without: a pattern is tried only if its words
# are in the lowercased text. (For other text re.I also folds a few non-ASCII letters, such as "ſ" and the
# Kelvin sign, into ASCII ones: every pattern is tried.)
_YEAR = re.compile(r"1[89]\d\d|20\d\d")
_DIGIT = re.compile(r"\d")
_NEEDS: dict[str, tuple[str, ...]] = {
    "ago": ("ago",), "month-rel": ("year",), "rel": ("year", "month"), "day-rel": ("yesterday", "today", "tomorrow"),
}


def find_times(text: str, offset: int, ref: DateValue | None) -> list[TimeExpression]:
    """Time expressions of ``text`` (which starts at source offset ``offset``), in order."""
    if not _CUE.search(text) and not _MONTH_WORDS.intersection(_CAPITALISED.findall(text)):
        return []
    if text.isascii():
        low = text.lower()
        year = _YEAR.search(text) is not None
        digit = year or _DIGIT.search(text) is not None
        patterns = [(kind, rx) for kind, rx in _PATTERNS if (
            any(w in low for w in _NEEDS[kind]) if kind in _NEEDS else (digit if kind == "md" else year))]
    else:
        patterns = _PATTERNS
    taken: list[tuple[int, int]] = []
    out: list[TimeExpression] = []
    for kind, rx in patterns:
        for m in rx.finditer(text):
            a, b = m.span()
            if any(a < e and s < b for s, e in taken):
                continue
            if "m" in m.groupdict() and m.group("m") and not m.group("m")[0].isupper():
                continue  # month names are capitalised; "may" is a verb
            taken.append((a, b))
            out.append(TimeExpression(m.group(0), Span(offset + a, offset + b), _resolve(kind, m.groupdict(), ref)))
    return sorted(out, key=lambda t: t.span.start)
