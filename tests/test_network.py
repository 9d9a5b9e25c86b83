"""/network: who met whom, its GraphML and CSV for Gephi, and what a person sees in headless Chromium."""

from __future__ import annotations

import csv
import io
import urllib.error
import urllib.request
import xml.etree.ElementTree as ET
from email.message import Message

import pytest

from tests.test_browser import CHROMEDRIVER, CHROMIUM, browser, follow  # noqa: F401 - the shared browser fixture

needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them with apt-get)",
)
MAO, BALLUKU = "https://example.org/id/person/mao-zedong", "https://example.org/id/person/beqir-balluku"
GRAPHML = "{http://graphml.graphdrawing.org/xmlns}"


def get(url: str) -> tuple[int, Message, str]:
    try:
        with urllib.request.urlopen(url, timeout=30) as resp:
            return resp.status, resp.headers, resp.read().decode()  # field names are case-insensitive
    except urllib.error.HTTPError as err:
        with err:
            return err.code, err.headers, err.read().decode()


def test_network_joins_mao_and_balluku_with_the_weight_of_their_documents(server) -> None:
    url, _ = server
    status, _, html = get(url + "/network")
    assert status == 200
    assert f'data-a="{BALLUKU}" data-b="{MAO}" data-documents="1"' in html  # one line, weight 1 document
    assert 'href="/id/person/mao-zedong"' in html and 'href="/id/person/beqir-balluku"' in html  # nodes link their pages
    assert '<table id="network-table">' in html and "2 people, 1 pair(s) who met." in html
    assert "schema:attendee ?a , ?b" in html  # the query that feeds it


def test_network_downloads_as_graphml_and_csv_for_gephi(server) -> None:
    url, _ = server
    status, headers, text = get(url + "/network.graphml")
    assert status == 200 and headers["Content-Type"].startswith("application/graphml+xml")
    assert "attachment" in headers["Content-Disposition"]
    graph = ET.fromstring(text).find(f"{GRAPHML}graph")
    assert graph.get("edgedefault") == "undirected"
    keys = {k.get("id"): k.get("attr.name") for k in ET.fromstring(text).findall(f"{GRAPHML}key")}
    nodes = {n.get("id"): {keys[d.get("key")]: d.text for d in n} for n in graph.findall(f"{GRAPHML}node")}
    assert nodes[MAO]["label"] == "Mao Zedong" and nodes[BALLUKU]["documents"] == "1"
    (edge,) = graph.findall(f"{GRAPHML}edge")
    assert {edge.get("source"), edge.get("target")} == {MAO, BALLUKU}
    assert {keys[d.get("key")]: d.text for d in edge} == {"weight": "1"}
    status, headers, text = get(url + "/network.csv")
    assert status == 200 and headers["Content-Type"].startswith("text/csv")
    assert list(csv.DictReader(io.StringIO(text))) == [{
        "Source": BALLUKU, "Target": MAO, "Type": "Undirected", "Weight": "1",
        "Source label": "Beqir Balluku", "Target label": "Mao Zedong"}]
    _, _, people = get(url + "/network-nodes.csv")
    assert [r["Label"] for r in csv.DictReader(io.StringIO(people))] == ["Beqir Balluku", "Mao Zedong"]


def test_network_is_the_same_on_every_request_and_narrows_by_scope(server) -> None:
    url, _ = server
    assert get(url + "/network")[2] == get(url + "/network")[2]
    assert get(url + "/network.graphml")[2] == get(url + "/network.graphml")[2]
    _, _, none = get(url + "/network.csv?archive=no-such-archive")
    assert none.strip() == "Source,Target,Type,Weight,Source label,Target label"
    _, _, mao = get(url + "/network.csv?person=mao-zedong")
    assert "Beqir Balluku" in mao


@pytest.mark.parametrize(("path", "says"), [
    ("/network?person=%20x%20y", "'person' must be the slug"), ("/network.graphml?place=a/b", "'place' must be the slug"),
    ("/network.csv?archive=%00", "'archive' must be the slug"), ("/network?page=x", "'page' must be a whole number"),
    ("/network?person=a&person=b", "given 2 times"),
])
def test_network_refuses_bad_parameters_with_a_400(server, path: str, says: str) -> None:
    url, _ = server
    status, _, text = get(url + path)
    assert status == 400 and says in text


@needs_browser
def test_network_in_a_browser_shows_mao_and_balluku_joined(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url, _ = server
    browser.get(url + "/network")
    nodes = {c.get_attribute("data-label"): c for c in browser.find_elements(By.CSS_SELECTOR, "#network-svg circle.node")}
    assert set(nodes) == {"Mao Zedong", "Beqir Balluku"}
    labels = [t.text for t in browser.find_elements(By.CSS_SELECTOR, "#network-svg text.node-label")]
    assert sorted(labels) == ["Beqir Balluku", "Mao Zedong"]  # their names are written by their nodes
    (line,) = browser.find_elements(By.CSS_SELECTOR, "#network-svg line.edge")
    ends = {(round(float(line.get_attribute("x1"))), round(float(line.get_attribute("y1")))),
            (round(float(line.get_attribute("x2"))), round(float(line.get_attribute("y2"))))}
    centres = {(round(float(c.get_attribute("cx"))), round(float(c.get_attribute("cy")))) for c in nodes.values()}
    assert ends == centres  # the line joins the two circles
    assert line.rect["width"] > 50 or line.rect["height"] > 50  # and is drawn where a person sees it
    follow(browser, nodes["Mao Zedong"])  # one click to the person's page
    assert browser.find_element(By.TAG_NAME, "h1").text == "Mao Zedong"
