"""/map and the coordinates behind it: P625 read from a Wikidata endpoint (a local one here) into the
authority data by `archivekg link coordinates`, checked by the build, drawn on an offline world outline."""

from __future__ import annotations

import csv
import shutil
import urllib.error
import urllib.request
from pathlib import Path

import pytest

from converter.authority import AuthorityError, load_authority
from converter.coordinates import coordinate_query, parse_coordinates, parse_point
from tests.conftest import BASE, ROOT, run_cli, serving
from tests.test_browser import CHROMEDRIVER, CHROMIUM, browser, follow  # noqa: F401 - the shared browser fixture

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them with apt-get)",
)
HEADER = "kind,id,qid,latitude,longitude,source,note\n"


def get(url: str) -> tuple[int, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.read().decode()
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.read().decode()


@pytest.mark.parametrize(("wkt", "lat", "lon"), [
    ("Point(23.3 42.7)", "42.7", "23.3"), ("point(-77.0366 38.895)", "38.895", "-77.0366"),
    ("Point(180 -90)", "-90", "180"), (" Point( 1.50  2.0 ) ", "2", "1.5"),
])
def test_a_p625_point_is_longitude_then_latitude(wkt: str, lat: str, lon: str) -> None:
    point = parse_point(wkt)
    assert (point.latitude, point.longitude) == (lat, lon)


@pytest.mark.parametrize("wkt", ["<http://www.wikidata.org/entity/Q405> Point(10 20)", "Point(200 10)",
                                 "Point(10 95)", "Point(10)", "POLYGON((0 0,1 1,1 0,0 0))", ""])
def test_what_is_not_a_point_on_earth_is_none(wkt: str) -> None:
    assert parse_point(wkt) is None


def test_the_coordinate_query_names_the_items_and_its_answer_is_read_per_item() -> None:
    query = coordinate_query(["Q15180", "Q121932", "Q15180"])
    assert "VALUES ?item { wd:Q121932 wd:Q15180 }" in query and "wdt:P625" in query
    got = parse_coordinates({"results": {"bindings": [
        {"item": {"value": "http://www.wikidata.org/entity/Q1"}, "coordinates": {"value": "Point(2 1)"}},
        {"item": {"value": "http://www.wikidata.org/entity/Q1"}, "coordinates": {"value": "Point(3 1)"}},
        {"item": {"value": "https://example.org/not-an-item"}, "coordinates": {"value": "Point(2 1)"}}]}})
    assert got == {"Q1": ["Point(2 1)", "Point(3 1)"]}


@pytest.fixture
def authority_copy(tmp_path: Path) -> Path:
    auth = tmp_path / "authority"
    shutil.copytree(ROOT / "seeds" / "authority", auth)
    return auth


@pytest.mark.parametrize(("row", "says"), [
    ("place,bulgaria,Q121932,42.7,23.3,,\n", "need their source"),
    ("place,bulgaria,Q219,42.7,23.3,somewhere,\n", "the coordinates are of Q219"),
    ("place,atlantis,Q1,1,1,somewhere,\n", "there is no place 'atlantis'"),
    ("person,mao-zedong,Q5816,1,1,somewhere,\n", "there is no place 'mao-zedong'"),
    ("place,bulgaria,Q121932,91,23.3,somewhere,\n", "latitude must be a decimal from -90 to 90"),
    ("place,bulgaria,Q121932,42.7,east,somewhere,\n", "longitude one from -180 to 180"),
    ("place,bulgaria,Q121932,42.7,23.3,a,\nplace,bulgaria,Q121932,42.7,23.3,b,\n", "a second row for place bulgaria"),
])
def test_the_build_checks_every_row_of_the_coordinates(authority_copy: Path, row: str, says: str) -> None:
    (authority_copy / "coordinates.csv").write_text(HEADER + row, encoding="utf-8")
    with pytest.raises(AuthorityError) as err:
        load_authority(authority_copy)
    line = 3 if "second row" in says else 2
    assert says in str(err.value) and f"coordinates.csv:{line}" in str(err.value)


def test_link_coordinates_fills_the_authority_from_p625_with_evidence(authority_copy: Path, wikidata_endpoint: str,
                                                                      tmp_path: Path) -> None:
    (authority_copy / "coordinates.csv").write_text(HEADER, encoding="utf-8")
    res = run_cli("link", "coordinates", "--authority", str(authority_copy), "--endpoint", wikidata_endpoint,
                  "--interval", "0", "--cache", str(tmp_path / "cache"))
    assert res.returncode == 0, res.stderr
    assert "place bulgaria (Q121932): 42.7, 23.3" in res.stdout and "2 place(s) given coordinates" in res.stdout
    assert "no coordinates: place africa (Q15) has no P625" in res.stderr
    text = (authority_copy / "coordinates.csv").read_text(encoding="utf-8")
    rows = {r["id"]: r for r in csv.DictReader(text.splitlines())}
    assert sorted(rows) == ["bulgaria", "soviet-union"]
    assert rows["bulgaria"]["qid"] == "Q121932" and (rows["bulgaria"]["latitude"], rows["bulgaria"]["longitude"]) == ("42.7", "23.3")
    assert rows["bulgaria"]["source"] == f"{wikidata_endpoint} wd:Q121932 wdt:P625 Point(23.3 42.7)"  # the evidence
    assert load_authority(authority_copy).get("place", "bulgaria").coordinates == ("42.7", "23.3")
    rows["bulgaria"]["latitude"] = "42.75"  # a curator's correction is kept on the next run
    with (authority_copy / "coordinates.csv").open("w", encoding="utf-8", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows["bulgaria"]), lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows.values())
    again = run_cli("link", "coordinates", "--authority", str(authority_copy), "--endpoint", wikidata_endpoint,
                    "--offline", "--cache", str(tmp_path / "cache"))
    assert again.returncode == 0, again.stderr
    assert "0 place(s) given coordinates, 2 kept" in again.stdout
    assert load_authority(authority_copy).get("place", "bulgaria").coordinates == ("42.75", "23.3")


def test_link_coordinates_offline_without_a_cached_answer_says_so(authority_copy: Path, tmp_path: Path) -> None:
    res = run_cli("link", "coordinates", "--authority", str(authority_copy), "--offline", "--cache", str(tmp_path / "c"))
    assert res.returncode == 1 and "offline, and no cached answer" in res.stderr and "Traceback" not in res.stderr


@pytest.fixture(scope="module")
def map_server(tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str):
    """The seed built with coordinates the linker read from the local Wikidata-shaped endpoint, served."""
    work = tmp_path_factory.mktemp("map")
    auth = work / "authority"
    shutil.copytree(ROOT / "seeds" / "authority", auth)
    (auth / "coordinates.csv").write_text(HEADER, encoding="utf-8")
    res = run_cli("link", "coordinates", "--authority", str(auth), "--endpoint", wikidata_endpoint, "--interval", "0",
                  "--cache", str(work / "cache"))
    assert res.returncode == 0, res.stderr
    out = work / "out"
    res = run_cli("build", str(ROOT / "seeds" / "documents"), "--authority", str(auth), "--out", str(out),
                  "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    with serving(out) as url:
        yield url


def test_the_build_gives_places_their_coordinates(map_server: str) -> None:
    query = ("SELECT ?lat ?long WHERE { <https://example.org/id/place/bulgaria> <http://schema.org/latitude> ?lat ; "
             "<http://schema.org/longitude> ?long }")
    status, text = get(map_server + "/sparql?" + urllib.parse.urlencode({"query": query, "format": "csv"}))
    assert status == 200 and text.splitlines() == ["lat,long", "42.7,23.3"]


def test_map_draws_the_places_with_coordinates_sized_by_documents(map_server: str) -> None:
    status, html = get(map_server + "/map")
    assert status == 200
    assert ('data-iri="https://example.org/id/place/bulgaria" data-label="People\'s Republic of Bulgaria" '
            'data-documents="1" data-latitude="42.7" data-longitude="23.3"') in html
    assert 'href="/id/place/bulgaria"' in html  # the circle leads to the place's page
    assert html.count('class="country"') >= 170 and 'data-name="Bulgaria"' in html  # the offline outline
    assert "<td>42.7</td><td>23.3</td><td>1</td>" in html  # the table alternative
    assert "schema:latitude ?lat" in html  # the query that feeds it
    assert "https://" not in html.split("<figure", 1)[1].split("</figure>")[0].replace("https://example.org/", "")
    assert get(map_server + "/map")[1] == html  # the same on every request


def test_map_narrows_by_scope_and_refuses_a_bad_one(map_server: str) -> None:
    _, none = get(map_server + "/map?archive=no-such-archive")
    assert "0 place(s) with coordinates." in none and 'class="place"' not in none
    status, text = get(map_server + "/map?person=%3Cx%3E")
    assert status == 400 and "'person' must be the slug" in text


def test_map_without_coordinates_is_an_empty_map(server) -> None:
    url, _ = server  # the seed's own authority data has no coordinates yet
    status, html = get(url + "/map")
    assert status == 200 and 'class="country"' in html


@needs_browser
def test_map_in_a_browser_shows_bulgaria(map_server: str, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    browser.set_window_size(1280, 1000)
    browser.get(map_server + "/map")
    circle = browser.find_element(By.CSS_SELECTOR, 'circle.place[data-iri$="/place/bulgaria"]')
    assert circle.is_displayed() and circle.rect["width"] > 5
    label = circle.find_element(By.XPATH, "following-sibling::*[local-name()='text']")
    assert label.text == "People's Republic of Bulgaria"
    under = browser.execute_script(
        "var r = arguments[0].getBoundingClientRect(); var x = r.left + r.width / 2, y = r.top + r.height / 2;"
        "return document.elementsFromPoint(x, y).map(function (e) { return e.getAttribute('data-name'); });", circle)
    assert "Bulgaria" in under  # the circle sits on Bulgaria's outline
    follow(browser, circle)
    assert browser.find_element(By.TAG_NAME, "h1").text == "People's Republic of Bulgaria"
