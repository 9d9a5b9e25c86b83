"""The query editor on /sparql (YASGUI, vendored), in a real headless Chromium, and what it is fed over HTTP."""

from __future__ import annotations

import json
import urllib.parse
import urllib.request
from email.message import Message
from pathlib import Path

import pytest

from tests.test_browser import CHROMEDRIVER, CHROMIUM, browser  # noqa: F401 - the shared browser fixture

ROOT = Path(__file__).resolve().parents[1]
needs_browser = pytest.mark.skipif(
    not (CHROMIUM and CHROMEDRIVER),
    reason="needs Debian's chromium and chromium-driver (.ci/run installs them with apt-get)",
)
AKG = "https://w3id.org/archivekg/ontology#"


def _get(url: str) -> tuple[int, Message, bytes]:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return resp.status, resp.headers, resp.read()  # HTTP field names are case-insensitive: not a dict


def test_vocabulary_lists_the_graphs_prefixes_classes_and_properties(server) -> None:
    url, _ = server
    status, headers, body = _get(url + "/sparql/vocabulary")
    assert status == 200 and headers["Content-Type"].startswith("application/json")
    vocab = json.loads(body)
    assert vocab["prefixes"]["akg"] == AKG
    assert vocab["prefixes"]["person"] == "https://example.org/id/person/"  # the build's own data prefixes
    assert AKG + "Conversation" in vocab["classes"] and "http://xmlns.com/foaf/0.1/Person" in vocab["classes"]
    assert AKG + "spokenBy" in vocab["properties"] and "http://schema.org/attendee" in vocab["properties"]
    assert vocab["classes"] == sorted(vocab["classes"]) and AKG + "spokenBy" not in vocab["classes"]


def test_vendored_editor_is_served_with_its_licences() -> None:
    vendor = ROOT / "server" / "static" / "vendor" / "yasgui"
    assert (vendor / "VERSION").read_text().strip() == "@zazuko/yasgui 4.6.2"  # as scripts/vendor/package.json pins
    licences = (vendor / "LICENSES.txt").read_text()
    for package in ("@zazuko/yasgui 4.6.2 (MIT)", "codemirror", "datatables.net"):
        assert package in licences
    pinned = json.loads((ROOT / "scripts" / "vendor" / "package.json").read_text())["dependencies"]
    lock = json.loads((ROOT / "scripts" / "vendor" / "package-lock.json").read_text())
    assert lock["packages"]["node_modules/@zazuko/yasgui"]["version"] == pinned["@zazuko/yasgui"]
    assert "sourceMappingURL" not in (vendor / "yasgui.min.js").read_text()[-500:]


def test_vendored_assets_are_served_and_nothing_else_is(server) -> None:
    url, _ = server
    status, headers, body = _get(url + "/static/vendor/yasgui/yasgui.min.js")
    assert status == 200 and headers["Content-Type"].startswith("text/javascript") and len(body) > 500_000
    for bad in ("/static/vendor/yasgui/LICENSES.txt", "/static/vendor/..%2Fquery.js/x.js", "/static/vendor/nope/a.js"):
        with pytest.raises(urllib.error.HTTPError) as err:
            urllib.request.urlopen(url + bad, timeout=10)
        assert err.value.code == 404
        err.value.close()


def _editor(browser, url: str, query: str | None = None, run: bool = False):  # noqa: F811
    from selenium.webdriver.support.ui import WebDriverWait

    params = {"edit": "1", "query": query} if query else {}
    browser.get(url + "/sparql" + ("?" + urllib.parse.urlencode(params) if params else ""))
    WebDriverWait(browser, 20).until(lambda b: b.execute_script(
        "var e = document.getElementById('editor'); return e && e.getAttribute('data-ready') === '1'"))
    return browser


def _value(browser) -> str:  # noqa: F811
    return browser.execute_script("return document.querySelector('.CodeMirror').CodeMirror.getValue()")


def _type(browser, text: str) -> None:  # noqa: F811
    """Put the cursor at the end of the query and type, as a person does."""
    from selenium.webdriver.common.by import By

    browser.execute_script("var cm = document.querySelector('.CodeMirror').CodeMirror; cm.focus();"
                           "cm.setCursor(cm.lineCount(), 0);")
    browser.find_element(By.CSS_SELECTOR, ".CodeMirror textarea").send_keys(text)


def _hints(browser) -> list[str]:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    WebDriverWait(browser, 10).until(lambda b: b.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li"))
    return [li.text for li in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-hints li")]


@needs_browser
def test_editor_replaces_the_form_and_highlights_the_query(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url, _ = server
    _editor(browser, url, "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1")
    assert not browser.find_element(By.ID, "query-form").is_displayed()  # the form gave way to the editor
    keywords = [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-code .cm-keyword")]
    assert keywords[:2] == ["SELECT", "WHERE"] and "LIMIT" in keywords
    assert [e.text for e in browser.find_elements(By.CSS_SELECTOR, ".CodeMirror-code .cm-atom")][:2] == ["?s", "?s"]
    assert not browser.find_elements(By.CSS_SELECTOR, ".parseErrorIcon")


@needs_browser
def test_editor_marks_a_syntax_error(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By

    url, _ = server
    _editor(browser, url, "SELECT ?s WHERE { ?s ?p ?o FILTER }")
    markers = browser.find_elements(By.CSS_SELECTOR, ".gutterErrorBar .parseErrorIcon, .CodeMirror-gutter-elt .parseErrorIcon")
    assert markers, "no error marker in the gutter"


@needs_browser
def test_editor_completes_a_prefix_of_the_graph(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.keys import Keys

    url, _ = server
    _editor(browser, url, "SELECT * WHERE { ?s ?p ?o }")
    browser.execute_script("document.querySelector('.CodeMirror').CodeMirror.setValue('')")
    _type(browser, "PREFIX ak")
    _type(browser, Keys.CONTROL + " ")
    hints = _hints(browser)
    assert f"akg: <{AKG}>" in hints
    _type(browser, Keys.ENTER)
    assert _value(browser).startswith(f"PREFIX akg: <{AKG}>")


@needs_browser
def test_editor_completes_a_class_of_the_graph(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.keys import Keys

    url, _ = server
    _editor(browser, url, f"PREFIX akg: <{AKG}>\nSELECT * WHERE {{ ?c a akg:Conv")
    _type(browser, Keys.CONTROL + " ")
    assert "akg:Conversation" in _hints(browser)


@needs_browser
def test_editor_runs_an_example_into_a_table_with_labels_links_and_downloads(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import Select, WebDriverWait

    url, _ = server
    _editor(browser, url)
    Select(browser.find_element(By.ID, "examples")).select_by_visible_text("Who spoke with a person, and where")
    assert "Mao Zedong" in _value(browser)
    browser.find_element(By.CSS_SELECTOR, ".yasqe_queryButton").click()
    WebDriverWait(browser, 20).until(lambda b: "Beqir Balluku" in " ".join(
        a.text for a in b.find_elements(By.CSS_SELECTOR, ".yasr table tbody a.local")))
    link = next(a for a in browser.find_elements(By.CSS_SELECTOR, ".yasr table tbody a.local") if a.text == "Beqir Balluku")
    assert link.get_attribute("href") == url + "/id/person/beqir-balluku"  # the page on this server, by its label
    assert link.get_attribute("title") == "https://example.org/id/person/beqir-balluku"
    shown = urllib.parse.parse_qs(urllib.parse.urlparse(browser.current_url).query)  # the query is in the URL
    assert shown["edit"] == ["1"] and "Mao Zedong" in shown["query"][0]
    formats = {a.get_attribute("data-format"): a.get_attribute("href")
               for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")}
    assert sorted(formats) == ["csv", "json", "tsv", "xml"]
    status, headers, body = _get(formats["csv"])
    assert status == 200 and headers["Content-Type"].startswith("text/csv") and b"Beqir Balluku" in body


@needs_browser
def test_a_link_to_the_editor_reproduces_its_query_and_results(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = server
    query = ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>\n"
             "SELECT ?label WHERE { <https://example.org/id/person/mao-zedong> rdfs:label ?label }")
    _editor(browser, url, query)
    assert _value(browser) == query
    WebDriverWait(browser, 20).until(lambda b: "Mao Zedong" in " ".join(
        td.text for td in b.find_elements(By.CSS_SELECTOR, ".yasr table tbody td")))


@needs_browser
def test_editor_offers_graph_formats_for_a_construct(server, browser) -> None:  # noqa: F811
    from selenium.webdriver.common.by import By
    from selenium.webdriver.support.ui import WebDriverWait

    url, _ = server
    _editor(browser, url, "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 2")
    WebDriverWait(browser, 20).until(lambda b: b.find_elements(By.CSS_SELECTOR, "#downloads a"))
    assert [a.text for a in browser.find_elements(By.CSS_SELECTOR, "#downloads a")] == [
        "Turtle", "N-Triples", "JSON-LD", "RDF/XML", "TriG", "N-Quads"]
