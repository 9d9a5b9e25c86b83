"""Dates as archives write them, parsed to the precision they state — never more.

``parse_date("October 01, 1968")`` gives a day-precision value (xsd:date),
``"August 1961"`` a month (xsd:gYearMonth), ``"1950"`` a year (xsd:gYear);
ranges ("December 19-24, 1966", "1961-1962") give a start and an end; "circa 1950"
is marked approximate; "n.d." or an empty heading is undated. Anything else raises
:class:`DateError` saying which forms are understood.
"""

from __future__ import annotations

import calendar
import re
import unicodedata

from .model import DateValue, DocumentDate, Precision
from .names import re_i_lower, strip_invisible

__all__ = ["DateError", "parse_date", "MONTHS"]


class DateError(ValueError):
    """The text is not a date in any form this module understands."""


MONTHS: dict[str, int] = {}
for _i, _name in enumerate(calendar.month_name):
    if _i:
        MONTHS[_name.lower()] = _i
        MONTHS[_name[:3].lower()] = _i
MONTHS.update({"sept": 9, "june": 6, "july": 7})
# Russian month names, nominative and genitive (Cyrillic exports).
for _i, _names in enumerate(
    [
        ("январь", "января"), ("февраль", "февраля"), ("март", "марта"), ("апрель", "апреля"),
        ("май", "мая"), ("июнь", "июня"), ("июль", "июля"), ("август", "августа"),
        ("сентябрь", "сентября"), ("октябрь", "октября"), ("ноябрь", "ноября"), ("декабрь", "декабря"),
    ],
    start=1,
):
    for _n in _names:
        MONTHS[_n] = _i

_UNDATED = {"", "n.d.", "n. d.", "nd", "undated", "no date", "date unknown", "unknown", "unknown date", "s.d."}
_MONTH = r"(?P<{g}>[^\W\d_]{{3,}})\.?"
_DAY = r"(?P<{g}>\d{{1,2}})(?:st|nd|rd|th)?"
_YEAR = r"(?P<{g}>\d{{4}})"


def _rx(pattern: str) -> re.Pattern[str]:
    return re.compile(r"^" + pattern + r"$", re.IGNORECASE)


def _m(g: str) -> str:
    return _MONTH.format(g=g)


def _d(g: str) -> str:
    return _DAY.format(g=g)


def _y(g: str) -> str:
    return _YEAR.format(g=g)


_SEP = r"\s*(?:-|–|—|to|until|/)\s*"
# Single dates, most precise first.
_SINGLE = [
    (_rx(rf"{_y('y')}-(?P<m>\d{{1,2}})-(?P<d>\d{{1,2}})"), Precision.DAY),
    (_rx(rf"{_m('mn')}\s+{_d('d')},?\s+{_y('y')}"), Precision.DAY),
    (_rx(rf"{_d('d')}\.?\s+{_m('mn')},?\s+{_y('y')}(?:\s*(?:г\.?|года))?"), Precision.DAY),
    (_rx(rf"(?P<d>\d{{1,2}})\.\s?(?P<m>\d{{1,2}})\.\s?{_y('y')}"), Precision.DAY),
    (_rx(rf"{_y('y')}-(?P<m>\d{{1,2}})"), Precision.MONTH),
    (_rx(rf"{_m('mn')},?\s+{_y('y')}(?:\s*(?:г\.?|года))?"), Precision.MONTH),
    (_rx(rf"{_y('y')}(?:\s*(?:г\.?|год))?"), Precision.YEAR),
]
# Ranges written compactly, sharing parts.
_COMPACT = [
    # December 19-24, 1966
    (_rx(rf"{_m('mn')}\s+{_d('d1')}{_SEP}{_d('d2')},?\s+{_y('y')}"), "md-d-y"),
    # 19-24 December 1966
    (_rx(rf"{_d('d1')}{_SEP}{_d('d2')}\s+{_m('mn')},?\s+{_y('y')}"), "d-d-m-y"),
    # 1961-1962, 1961-62
    (_rx(rf"{_y('y1')}{_SEP}(?P<y2>\d{{2}}|\d{{4}})"), "y-y"),
]
_APPROX = re.compile(r"^(?:circa|ca\.|c\.|approx(?:imately|\.)?|about|around)\s*", re.IGNORECASE)


def _value(y: int, m: int | None, d: int | None, precision: Precision, text: str) -> DateValue:
    if not 1000 <= y <= 2999:
        raise DateError(f"year {y} in {text!r} is out of range")
    if m is not None and not 1 <= m <= 12:
        raise DateError(f"month {m} in {text!r} does not exist")
    if d is not None:
        assert m is not None
        last = calendar.monthrange(y, m)[1]
        if not 1 <= d <= last:
            raise DateError(f"day {d} in {text!r} does not exist ({calendar.month_name[m]} {y} has {last} days)")
    if precision is Precision.DAY:
        return DateValue(f"{y:04d}-{m:02d}-{d:02d}", precision)
    if precision is Precision.MONTH:
        return DateValue(f"{y:04d}-{m:02d}", precision)
    return DateValue(f"{y:04d}", precision)


def _month(name: str, text: str) -> int:
    key = re_i_lower(name).rstrip(".")  # "Aprıl": the pattern, case-blind, matched it as "April"
    if key not in MONTHS:
        raise DateError(f"{name!r} in {text!r} is not a month name")
    return MONTHS[key]


def _single(text: str) -> DateValue:
    for rx, precision in _SINGLE:
        m = rx.match(text)
        if not m:
            continue
        g = m.groupdict()
        month = int(g["m"]) if g.get("m") else (_month(g["mn"], text) if g.get("mn") else None)
        day = int(g["d"]) if g.get("d") else None
        return _value(int(g["y"]), month, day, precision, text)
    raise DateError(f"{text!r} is not a date")


def parse_date(raw: str) -> DocumentDate:
    """Parse a date heading; see the module docstring for the forms understood.

    Invisible format characters (a zero-width space a web export left) are dropped and compatibility forms
    (fullwidth digits and letters) read as their plain ones (NFKC): the heading says the same date.
    """
    text = " ".join(strip_invisible(unicodedata.normalize("NFKC", raw)).split()).strip()
    approximate = False
    core = text.strip("[]").strip()
    if core.endswith("?"):
        approximate = True
        core = core[:-1].strip()
    m = _APPROX.match(core)
    if m:
        approximate = True
        core = core[m.end() :].strip()
    if core.lower() in _UNDATED:
        return DocumentDate(text=text, start=None)
    try:
        return DocumentDate(text=text, start=_single(core), approximate=approximate)
    except DateError as err:
        single_error = err
    for rx, kind in _COMPACT:
        m = rx.match(core)
        if not m:
            continue
        g = m.groupdict()
        if kind == "y-y":
            y1, y2s = int(g["y1"]), g["y2"]
            if len(y2s) == 2 and int(y2s) <= 12:
                continue  # "1968-06" is a month, not a range
            y2 = int(y2s) if len(y2s) == 4 else (y1 // 100) * 100 + int(y2s)
            start = _value(y1, None, None, Precision.YEAR, text)
            end = _value(y2, None, None, Precision.YEAR, text)
        else:
            month, year = _month(g["mn"], text), int(g["y"])
            start = _value(year, month, int(g["d1"]), Precision.DAY, text)
            end = _value(year, month, int(g["d2"]), Precision.DAY, text)
        return _checked_range(text, start, end, approximate)
    parts = re.split(r"\s+(?:-|–|—|to|until)\s+|\s*[–—]\s*", core, maxsplit=1)
    if len(parts) == 2:
        start, end = _single(parts[0].strip()), _single(parts[1].strip())
        return _checked_range(text, start, end, approximate)
    if "is not a date" not in str(single_error):
        raise single_error
    raise DateError(
        f"{text!r} is not a date; write it as 'October 1, 1968', '1 October 1968', "
        "'1968-10-01', 'October 1968', '1968', a range such as 'December 19-24, 1966', or 'n.d.'"
    )


def _checked_range(text: str, start: DateValue, end: DateValue, approximate: bool) -> DocumentDate:
    if end.iso < start.iso:
        raise DateError(f"the range {text!r} ends before it starts")
    return DocumentDate(text=text, start=start, end=end, approximate=approximate)
