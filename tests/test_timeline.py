"""/timeline: the time a date stands for, the picture over HTTP, and what a person sees in headless Chromium."""

from __future__ import annotations

import re
import urllib.error
import urllib.request
from datetime import date

import pytest

from server.intervals import interval, span
from tests.test_browser import CHROMEDRIVER, CHROMIUM, browser, follow  # noqa: F401 - the shared browser fixture

XSD = "http://www.w3.org/2001/XMLSchema#"
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them with apt-get)",
)


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode()


@pytest.mark.parametrize(("lexical", "datatype", "start", "end", "precision"), [
    ("1968-10-01", "date", date(1968, 10, 1), date(1968, 10, 2), "day"),
    ("1967-02", "gYearMonth", date(1967, 2, 1), date(1967, 3, 1), "month"),
    ("1968-12", "gYearMonth", date(1968, 12, 1), date(1969, 1, 1), "month"),
    ("1968", "gYear", date(1968, 1, 1), date(1969, 1, 1), "year"),
])
def test_a_date_stands_for_the_time_it_gives_and_no_day_it_does_not(lexical, datatype, start, end, precision) -> None:
    got = interval(lexical, XSD + datatype)
    assert (got.start, got.end, got.precision, got.written) == (start, end, precision, lexical)


def test_a_range_runs_from_its_start_to_the_end_of_its_end() -> None:
    got = span(interval("1961", XSD + "gYear"), interval("1962-11", XSD + "gYearMonth"))
    assert (got.start, got.end, got.precision, got.written) == (date(1961, 1, 1), date(1962, 12, 1), "span", "1961 – 1962-11")
    backwards = span(interval("1962", XSD + "gYear"), interval("1961", XSD + "gYear"))
    assert backwards.precision == "year" and backwards.written == "1962"


@pytest.mark.parametrize("bad", [("1968-02-30", "date"), ("1968-13", "gYearMonth"), ("68", "gYear"),
                                 ("1968", "string"), ("0000", "gYear")])
def test_what_is_not_a_date_is_none(bad) -> None:
    assert interval(bad[0], XSD + bad[1]) is None


def _marks(html: str) -> list[dict[str, str]]:
    return [dict(re.findall(r'(data-[a-z]+|class)="([^"]*)"', m)) for m in re.findall(r"<rect [^>]*data-iri[^>]*>", html)]


def test_timeline_draws_the_seed_at_the_precision_of_its_dates(server) -> None:
    url, _ = server
    status, html = get(url + "/timeline?zoom=year&at=1968")
    assert status == 200
    marks = {(m["data-iri"].rsplit("/", 1)[-1], m["data-date"]): m for m in _marks(html)}
    assert marks[("111239-conversation", "1968-10-01")]["data-precision"] == "day"
    assert marks[("111239-e4", "1968-05")]["data-precision"] == "month"
    assert marks[("111239", "1968-10-01")]["class"] == "mark document day"
    assert ("111239-e1", "1967-02") not in marks  # February 1967 is not in 1968
    assert 'href="/id/event/111239-conversation"' in html  # each mark links to its page on this server
    _, earlier = get(url + "/timeline?zoom=year&at=1967")
    assert ("111239-e1", "1967-02") in {(m["data-iri"].rsplit("/", 1)[-1], m["data-date"]) for m in _marks(earlier)}
    assert '<table id="timeline-table">' in html and "<td>1968-05</td><td>month</td>" in html  # the table alternative
    assert "The SPARQL query behind this picture" in html and "akg:refersToEvent" in html


def test_timeline_is_the_same_on_every_request(server) -> None:
    url, _ = server
    assert get(url + "/timeline")[1] == get(url + "/timeline")[1]


def test_timeline_narrows_to_a_person_and_an_archive(server) -> None:
    url, _ = server
    _, mao = get(url + "/timeline?person=mao-zedong")
    assert any(m["data-iri"].endswith("/111239-conversation") for m in _marks(mao))
    assert '<option value="mao-zedong" selected>' in mao
    _, nobody = get(url + "/timeline?person=josip-broz-tito")  # mentioned, never at the conversation
    assert _marks(nobody) == [] and "0 item(s)" in nobody
    _, held = get(url + "/timeline?archive=chinese-communist-party-central-archives")
    assert any(m["data-iri"].endswith("/document/111239") for m in _marks(held))


@pytest.mark.parametrize(("query", "says"), [
    ("zoom=day", "'zoom' must be one of"), ("zoom=year&at=19x8", "'at' for zoom=year"),
    ("zoom=month&at=1968-13", "'at' for zoom=month"), ("zoom=decade&at=1968", "a year ending in 0"),
    ("zoom=all&at=1968", "'at' for zoom=all"), ("person=a%20b", "'person' must be the slug"),
    ("place=%3Cscript%3E", "'place' must be the slug"), ("page=0", "'page' must be a whole number"),
    ("zoom=year&zoom=month", "given 2 times"), ("archive=x&archive=y", "given 2 times"),
])
def test_timeline_refuses_bad_parameters_with_a_400_that_says_why(server, query: str, says: str) -> None:
    url, _ = server
    status, text = get(url + "/timeline?" + query)
    assert status == 400 and says in text


def _box(browser, css: str) -> dict:  # noqa: F811
    return browser.execute_script("var r = document.querySelector(arguments[0]).getBoundingClientRect();"
                                  "return {x: r.left, w: r.width};", css)


def _column(browser, label: str) -> tuple[float, float]:  # noqa: F811
    """Where a month's column starts and ends on the axis, as drawn."""
    ticks = browser.execute_script(
        "return Array.from(document.querySelectorAll('#timeline-svg .axis line.tick')).map(function (l) {"
        " return l.getBoundingClientRect().left; });")
    labels = browser.execute_script(
        "return Array.from(document.querySelectorAll('#timeline-svg .axis .tick-label')).map(function (t) {"
        " return t.textContent; });")
    n = labels.index(label)
    right = ticks[n + 1] if n + 1 < len(ticks) else _box(browser, "#timeline-svg .lane-bg")["x"] + \
        _box(browser, "#timeline-svg .lane-bg")["w"] - 10 * _box(browser, "#timeline-svg .lane-bg")["w"] / 1000
    return ticks[n], right


@needs_browser
def test_timeline_in_a_browser_shows_the_conversation_and_its_events_at_their_precision(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.set_window_size(1280, 1000)
    browser.get(url + "/timeline")
    follow(browser, browser.find_element(By.XPATH, "//*[local-name()='text' and text()='1968']/.."))  # zoom to 1968
    assert browser.find_element(By.TAG_NAME, "h1").text == "Timeline: 1968"
    conv = _box(browser, 'rect.conversation[data-date="1968-10-01"]')
    may = _box(browser, 'rect.event[data-date="1968-05"]')
    oct0, oct1 = _column(browser, "Oct")
    may0, may1 = _column(browser, "May")
    assert may["x"] == pytest.approx(may0, abs=1.5) and may["x"] + may["w"] == pytest.approx(may1, abs=1.5)  # a month
    assert oct0 - 0.5 <= conv["x"] and conv["x"] + conv["w"] <= oct0 + (oct1 - oct0) / 10  # one day, the first of October
    follow(browser, browser.find_element(By.LINK_TEXT, "earlier"))
    assert browser.find_element(By.TAG_NAME, "h1").text == "Timeline: 1967"
    feb = _box(browser, 'rect.event[data-date="1967-02"]')
    feb0, feb1 = _column(browser, "Feb")
    assert feb["x"] == pytest.approx(feb0, abs=1.5) and feb["x"] + feb["w"] == pytest.approx(feb1, abs=1.5)
    follow(browser, browser.find_element(By.CSS_SELECTOR, 'rect.event[data-date="1967-02"]'))  # a mark leads to its page
    assert browser.current_url == url + "/id/event/111239-e1.html"  # the event's page (its IRI answers 303)
    browser.get(url + "/timeline?zoom=year&at=1968")
    rows = [tr.text for tr in browser.find_elements(By.CSS_SELECTOR, "#timeline-table tbody tr")]
    assert "1968-05 month Referred events big rebellion movement" in rows


def test_a_crowded_lane_counts_each_mark_in_every_column_it_spans() -> None:
    from hypothesis import given, settings, strategies as st

    from server.timeline import Item, _counts, window

    days = st.integers(date(1955, 1, 1).toordinal(), date(1975, 12, 31).toordinal())

    @settings(max_examples=200, deadline=None)
    @given(st.lists(st.tuples(days, st.integers(1, 4000)), max_size=30), st.sampled_from(["all", "decade", "year"]))
    def check(spans, zoom) -> None:
        from server.intervals import Interval

        marks = [Item(f"i{n}", "event", "", Interval(date.fromordinal(a), date.fromordinal(a + d), "span", ""))
                 for n, (a, d) in enumerate(spans)]
        w = window(zoom, {"all": "", "decade": "1960", "year": "1968"}[zoom], marks)
        assert _counts(marks, w) == [sum(1 for i in marks if i.when.start < c1 and i.when.end > c0)
                                     for c0, c1, _ in w.columns]

    check()
