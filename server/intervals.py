"""Dates as the graph types them, read as the stretch of time they stand for, never a day they do not give.

``"1968-10-01"^^xsd:date`` is that day; ``"1967-02"^^xsd:gYearMonth`` the whole of February 1967;
``"1968"^^xsd:gYear`` the whole year; a start and an end (a range, an event that lasted) run from the
first day of the start to the last day of the end. Intervals are half open: ``end`` is the day after.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

__all__ = ["Interval", "interval", "span", "add_months"]

XSD = "http://www.w3.org/2001/XMLSchema#"
_FORMS = {
    XSD + "date": ("day", re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})(Z|[+-]\d{2}:\d{2})?")),
    XSD + "dateTime": ("day", re.compile(r"(-?\d{4,})-(\d{2})-(\d{2})T.*")),
    XSD + "gYearMonth": ("month", re.compile(r"(-?\d{4,})-(\d{2})(Z|[+-]\d{2}:\d{2})?")),
    XSD + "gYear": ("year", re.compile(r"(-?\d{4,})(Z|[+-]\d{2}:\d{2})?")),
}


@dataclass(frozen=True, order=True)
class Interval:
    start: date
    end: date  # the day after the last day
    precision: str  # day, month, year; "span" for a range
    written: str  # the value as the graph has it ("1967-02", "1961 – 1962")


def add_months(d: date, months: int) -> date:
    total = d.year * 12 + d.month - 1 + months
    return date(total // 12, total % 12 + 1, 1)


def interval(lexical: str, datatype: str) -> Interval | None:
    """The stretch of time one typed date stands for; None for a value that is not a date of years 1-9999."""
    form = _FORMS.get(datatype)
    if form is None:
        return None
    precision, pattern = form
    m = pattern.fullmatch(lexical.strip())
    if m is None:
        return None
    try:
        year = int(m.group(1))
        if precision == "day":
            start = date(year, int(m.group(2)), int(m.group(3)))
            return Interval(start, date.fromordinal(start.toordinal() + 1), "day", start.isoformat())
        if precision == "month":
            start = date(year, int(m.group(2)), 1)
            return Interval(start, add_months(start, 1), "month", f"{start.year:04d}-{start.month:02d}")
        return Interval(date(year, 1, 1), date(year + 1, 1, 1), "year", f"{year:04d}")
    except (ValueError, OverflowError):
        return None


def span(first: Interval, last: Interval | None) -> Interval:
    """From the start of ``first`` to the end of ``last`` (a range); ``first`` alone without one."""
    if last is None or (last.start, last.end) == (first.start, first.end):
        return first
    if last.end <= first.start:
        return first  # an end before its start: the start alone is what can be drawn
    return Interval(first.start, last.end, "span", f"{first.written} – {last.written}")
