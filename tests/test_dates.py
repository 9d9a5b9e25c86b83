"""Dates of every precision get the right value and datatype, never an invented day."""

from __future__ import annotations

import pytest
from rdflib.namespace import DCTERMS, XSD

from converter.dates import DateError, parse_date
from converter.pipeline import build_document
from converter.uris import Minter

from .conftest import BASE, source_info


@pytest.mark.parametrize(
    ("text", "start", "xsd", "end", "approximate"),
    [
        ("October 01, 1968", "1968-10-01", "date", None, False),
        ("October 9, 1964", "1964-10-09", "date", None, False),
        ("9 October 1964", "1964-10-09", "date", None, False),
        ("Oct. 9, 1964", "1964-10-09", "date", None, False),
        ("1968-10-01", "1968-10-01", "date", None, False),
        ("1 октября 1968 г.", "1968-10-01", "date", None, False),
        ("August 1961", "1961-08", "gYearMonth", None, False),
        ("Sept. 1961", "1961-09", "gYearMonth", None, False),
        ("1961-08", "1961-08", "gYearMonth", None, False),
        ("1950", "1950", "gYear", None, False),
        ("circa 1950", "1950", "gYear", None, True),
        ("[1950?]", "1950", "gYear", None, True),
        ("December 19-24, 1966", "1966-12-19", "date", "1966-12-24", False),
        ("December 19, 1966 - December 24, 1966", "1966-12-19", "date", "1966-12-24", False),
        ("1961-1962", "1961", "gYear", "1962", False),
        ("1961-62", "1961", "gYear", "1962", False),
        ("March 1953 – April 1953", "1953-03", "gYearMonth", "1953-04", False),
    ],
)
def test_precision(text: str, start: str, xsd: str, end: str | None, approximate: bool) -> None:
    d = parse_date(text)
    assert d.start is not None
    assert (d.start.iso, d.start.xsd_type) == (start, xsd)
    assert (d.end.iso if d.end else None) == end
    assert d.approximate is approximate


def test_a_month_name_with_a_letter_re_i_folds_into_ascii_is_that_month() -> None:
    """"Aprıl 1972" (a dotless i): the date pattern, case-blind, matches it; it was then "not a month name"."""
    d = parse_date("Aprıl 1972")
    assert d.start is not None and (d.start.iso, d.start.xsd_type) == ("1972-04", "gYearMonth")
    assert parse_date("Auguſt 17, 1961").start.iso == "1961-08-17"


@pytest.mark.parametrize("heading", ["\u200bSeptember 28, 1961", "September\u200e 28, 1961", "Ｓeptember ２8, 1961",
                                     "September 28,\u00a01961", "\ufeffSeptember 28, 1961"])
def test_invisible_and_fullwidth_characters_in_a_date_heading_say_the_same_date(heading: str) -> None:
    """A zero-width space, a direction mark or a BOM from a web export, fullwidth letters and digits: it was
    "not a date", and the document was refused."""
    d = parse_date(heading)
    assert d.start is not None and d.start.iso == "1961-09-28" and d.text == "September 28, 1961"


@pytest.mark.parametrize("text", ["", "n.d.", "Undated", "no date"])
def test_undated(text: str) -> None:
    assert parse_date(text).start is None


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("February 30, 1968", "does not exist"),
        ("Octember 4, 1968", "not a month name"),
        ("sometime in spring", "is not a date"),
        ("1962-1961", "ends before it starts"),
        ("1968-00", "does not exist"),
    ],
)
def test_bad_dates_say_what_is_wrong(text: str, fragment: str) -> None:
    with pytest.raises(DateError, match=fragment):
        parse_date(text)


@pytest.mark.parametrize(
    ("heading", "datatype", "value"),
    [("October 01, 1968", XSD.date, "1968-10-01"), ("August 1961", XSD.gYearMonth, "1961-08"), ("1950", XSD.gYear, "1950")],
)
def test_document_date_is_typed_to_its_precision(heading: str, datatype, value: str, authority) -> None:
    text = f"## {heading}\n\n# A Talk between Ann Lee and Bob Ray\n\n**Ann Lee:** Hello.\n"
    built = build_document(text, source_info("d.txt", text), authority=authority, minter=Minter(BASE))
    dates = list(built.graph.objects(None, DCTERMS.date))
    assert len(dates) == 1
    assert (str(dates[0]), dates[0].datatype) == (value, datatype)
