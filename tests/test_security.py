"""Issue 12: what the server must never do, whatever a request or the data holds. The real server on
loopback, spoken to over HTTP.

- An IRI becomes a link only if it is http, https or mailto; any other (javascript:, data:, ...) is text.
- Every response carries the security headers; no page runs inline script.
- Generated URLs come from PUBLIC_URL (or the build's base URI), never from the Host header.
- FROM and FROM NAMED are honoured; a query that is not UTF-8 is refused, a declared charset is read.
- 405 names the methods; an unknown Range unit is ignored.
- Reconciliation requests and page numbers are bounded: 400 naming the limit, never a 500.
"""

from __future__ import annotations

import http.client
import json
import re
import urllib.parse
from pathlib import Path

import pytest

from .conftest import BASE, rdf_release, serving

UNSAFE = ["javascript:alert(document.domain)", "JaVaScRiPt:alert(1)", "data:text/html;base64,PHNjcmlwdD4=",
          "vbscript:msgbox(1)", "file:///etc/passwd"]


def request(url: str, method: str = "GET", target: str = "/", body: bytes | None = None,
            headers: dict | None = None) -> tuple[int, http.client.HTTPMessage, bytes]:
    """One request sent exactly as given (no redirect followed, no header added but Host)."""
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request(method, target, body=body, headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


def get(url: str, target: str, **headers: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    return request(url, "GET", target, headers={k.replace("_", "-"): v for k, v in headers.items()})


def sparql(url: str, query: str, fmt: str | None = None, **params: str) -> tuple[int, http.client.HTTPMessage, bytes]:
    args = {"query": query, **({"format": fmt} if fmt else {}), **params}
    return get(url, "/sparql?" + urllib.parse.urlencode(args))


def count(url: str, query: str, **params: str) -> int:
    status, _, body = sparql(url, query, **params)
    assert status == 200, body
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def _hrefs(page: str) -> list[str]:
    return re.findall(r'\b(?:href|src|action)="([^"]*)"', page)


def _assert_no_unsafe_link(page: str) -> None:
    for href in _hrefs(page):
        scheme = re.match(r"^\s*([A-Za-z][A-Za-z0-9+.-]*):", href)
        assert scheme is None or scheme.group(1).lower() in ("http", "https", "mailto"), href


# --- 1. only http, https and mailto IRIs become links ---------------------------------------------

@pytest.mark.parametrize("iri", UNSAFE)
@pytest.mark.parametrize("form", ["iri", "IRI()", "construct"])
def test_an_unsafe_iri_in_results_is_text_not_a_link(server, iri: str, form: str) -> None:
    url, _ = server
    query = {"iri": f"SELECT ?x {{ BIND(<{iri}> AS ?x) }}",
             "IRI()": f'SELECT ?x {{ BIND(IRI("{iri}") AS ?x) }}',
             "construct": f"CONSTRUCT {{ <{iri}> <{iri}> <{iri}> }} WHERE {{}}"}[form]
    status, headers, body = sparql(url, query, "html")
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html"), page
    _assert_no_unsafe_link(page)
    from html import escape

    assert escape(iri) in page.split("<tbody>", 1)[1]  # shown, as text
    if form == "construct":
        assert page.count("<tr>") == 2  # the header and the one triple


def test_safe_iris_in_results_stay_links(server) -> None:
    url, _ = server
    query = (f"SELECT ?a ?b ?c ?d {{ BIND(<https://www.wikidata.org/entity/Q5816> AS ?a) BIND(<http://example.net/x> AS ?b)"
             f" BIND(<mailto:archivist@example.net> AS ?c) BIND(<{BASE}id/person/mao-zedong> AS ?d) }}")
    _, _, body = sparql(url, query, "html")
    hrefs = _hrefs(body.decode())
    assert {"https://www.wikidata.org/entity/Q5816", "http://example.net/x", "mailto:archivist@example.net",
            "/id/person/mao-zedong"} <= set(hrefs)


HOSTILE_DATA = """
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> . @prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix dct: <http://purl.org/dc/terms/> . @prefix schema: <http://schema.org/> . @prefix oa: <http://www.w3.org/ns/oa#> .
@prefix akg: <https://w3id.org/archivekg/ontology#> .
<http://www.example/id/person/x> a <http://xmlns.com/foaf/0.1/Person> ; rdfs:label "X" ;
    skos:exactMatch <javascript:alert(1)> ; <http://example.net/p> <javascript:alert(2)> ;
    <javascript:alert(3)> "a predicate" ; <http://example.net/q> <data:text/html;base64,PHNjcmlwdD4=> .
<http://www.example/id/document/d> a akg:Document ; dct:title "D" ; dct:source <javascript:alert(4)> ;
    akg:sourceFile <vbscript:msgbox(5)> .
<http://www.example/id/document/d/b1> dct:isPartOf <http://www.example/id/document/d> ; schema:position 1 ;
    schema:text "Hello world" ; akg:span <http://www.example/source/d.txt#char=0,11> .
<http://www.example/id/document/d/m1> a akg:Mention ; akg:inText <http://www.example/id/document/d/b1> ;
    oa:hasBody <javascript:alert(6)> ; oa:hasTarget <http://www.example/source/d.txt#char=0,5> .
"""


@pytest.fixture(scope="module")
def hostile(tmp_path_factory: pytest.TempPathFactory):
    """A published store whose data holds javascript:, data: and vbscript: IRIs, served."""
    work = tmp_path_factory.mktemp("hostile")
    data = work / "hostile.ttl"
    data.write_text(HOSTILE_DATA, encoding="utf-8")
    out = rdf_release(work / "out", {"http://www.example/id/graph/hostile": data})
    with serving(out) as url:
        yield url


@pytest.mark.parametrize("path", ["/id/person/x.html", "/id/document/d.html"])
def test_resource_pages_do_not_link_unsafe_iris(hostile: str, path: str) -> None:
    status, _, body = get(hostile, path)
    page = body.decode()
    assert status == 200, page
    _assert_no_unsafe_link(page)
    assert "javascript:alert(" in page  # the IRIs are shown, as text


def test_describe_table_does_not_link_unsafe_iris(hostile: str) -> None:
    status, _, body = sparql(hostile, "DESCRIBE <http://www.example/id/person/x>", "html")
    assert status == 200
    _assert_no_unsafe_link(body.decode())


def test_the_link_functions_refuse_unsafe_schemes() -> None:
    from server.links import link, safe_href

    assert safe_href(f"{BASE}id/person/x", BASE) == "/id/person/x"
    assert safe_href("https://example.net/a", BASE) == "https://example.net/a"
    assert safe_href("MAILTO:a@example.net", BASE) == "MAILTO:a@example.net"
    for iri in UNSAFE + [" javascript:x", "java\tscript:x", "//evil.example/x", "relative/path", ""]:
        assert safe_href(iri, BASE) is None, iri
    assert safe_href(f"{BASE}/evil.example/x", BASE) == f"{BASE}/evil.example/x"  # never a //host link
    assert link("javascript:alert(1)", "<b>", BASE) == "&lt;b&gt;"


# --- 2. security headers on every response --------------------------------------------------------

def _dump_path(out: Path) -> str:
    info = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    return "/" + next(iter(info["dumps"].values()))["path"]


def _check_headers(headers, what: str) -> None:  # type: ignore[no-untyped-def]
    csp = headers.get("Content-Security-Policy", "")
    directives = {d.split()[0]: d.split()[1:] for d in (p.strip() for p in csp.split(";")) if d}
    assert directives.get("default-src") == ["'self'"], (what, csp)
    assert directives.get("script-src") == ["'self'"], (what, csp)
    assert "'unsafe-inline'" not in csp and "'unsafe-eval'" not in csp, (what, csp)
    assert directives.get("frame-ancestors") == ["'none'"] and directives.get("base-uri") == ["'none'"], (what, csp)
    assert directives.get("object-src") == ["'none'"] and directives.get("form-action") == ["'self'"], (what, csp)
    assert headers.get("X-Content-Type-Options") == "nosniff", what
    assert headers.get("X-Frame-Options") == "DENY", what
    assert headers.get("Referrer-Policy") == "no-referrer", what


def test_every_response_carries_the_security_headers(server) -> None:
    url, out = server
    q = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o } LIMIT 1")
    cases = [
        ("GET", "/", {}, 200), ("GET", "/sparql", {"Accept": "text/turtle"}, 200),
        ("GET", "/sparql", {"Accept": "text/html"}, 200), ("GET", "/sparql?edit=1", {}, 200),
        ("GET", f"/sparql?query={q}", {}, 200), ("GET", f"/sparql?query={q}&format=html", {}, 200),
        ("GET", f"/sparql?query={q}&format=csv", {}, 200), ("GET", "/sparql?query=SELECT", {}, 400),
        ("PUT", "/sparql", {}, 405), ("GET", "/nothing-here", {"Accept": "text/html"}, 404),
        ("GET", "/id/person/beqir-balluku", {"Accept": "text/html"}, 303),
        ("GET", "/id/person/beqir-balluku.html", {}, 200), ("GET", "/id/person/beqir-balluku.ttl", {}, 200),
        ("GET", "/id//person/beqir-balluku.html", {}, 308), ("GET", "/id/person/nobody.html", {}, 404),
        ("GET", _dump_path(out), {}, 200), ("GET", _dump_path(out), {"Range": "bytes=0-9"}, 206),
        ("GET", "/dumps/missing.nq.gz", {}, 404), ("GET", "/.well-known/void", {"Accept": "text/html"}, 303),
        ("GET", "/.well-known/void", {}, 200), ("GET", "/static/archivekg.css", {}, 200),
        ("GET", "/static/query.js", {}, 200), ("GET", "/search?q=Bulgaria", {}, 200),
        ("GET", "/search?q=x&from=yesterday", {}, 400), ("GET", "/reconcile", {}, 200),
        ("GET", "/reconcile?callback=cb", {}, 200), ("GET", "/health", {}, 200),
        ("OPTIONS", "/sparql", {}, 200), ("HEAD", "/", {}, 200),
    ]
    for method, target, headers, status in cases:
        got, resp_headers, body = request(url, method, target, headers=headers)
        assert got == status, (method, target, got, body[:300])
        _check_headers(resp_headers, f"{method} {target}")


def test_the_reconciliation_preview_may_be_framed_by_a_client(server) -> None:
    """OpenRefine shows the preview card in an iframe of its own page: that one response allows framing."""
    url, _ = server
    status, headers, body = get(url, "/reconcile/preview?id=person/mao-zedong")
    csp = headers["Content-Security-Policy"]
    assert status == 200 and "frame-ancestors *" in csp and "script-src 'self'" in csp and "unsafe-inline" not in csp
    assert "X-Frame-Options" not in headers and headers["X-Content-Type-Options"] == "nosniff"
    page = body.decode()
    assert "<style" not in page and 'style="' not in page and '<link rel="stylesheet" href="/static/' in page


@pytest.mark.parametrize("path", ["/sparql", "/sparql?edit=1", "/", "/search?q=Bulgaria", "/id/document/111239.html",
                                  "/sparql?format=html&query=ASK%7B%7D"])
def test_no_page_runs_inline_script(server, path: str) -> None:
    url, _ = server
    status, _, body = get(url, path, Accept="text/html")
    page = body.decode()
    assert status == 200
    assert not re.search(r"<[^>]+\son[a-z]+\s*=", page, re.I), "an inline event handler"
    assert "javascript:" not in page.lower()
    for tag in re.findall(r"<script\b[^>]*>", page, re.I):
        assert re.search(r'\bsrc="/static/(vendor/[\w.-]+/)?[\w.-]+\.js"', tag), tag  # this server's, or vendored
    assert not re.search(r"<script\b[^>]*>\s*[^<\s]", page, re.I), "an inline script"


def test_the_query_page_script_is_served_from_static(server) -> None:
    url, _ = server
    _, _, body = get(url, "/sparql?edit=1")
    src = re.search(r'<script src="(/static/[\w.-]+\.js)"', body.decode())
    assert src, "the query page loads its script from /static"
    status, headers, script = get(url, src.group(1))
    assert status == 200 and headers["Content-Type"].startswith("text/javascript")
    assert b"examples" in script and b"addEventListener" in script
    assert get(url, "/static/archivekg.py")[0] == 404


@pytest.mark.parametrize("target", ["/sparql?query=%3Cscript%3Ealert(1)%3C/script%3E",
                                    "/id/person/%3Cscript%3Ealert(1)%3C%2Fscript%3E.html",
                                    "/search?q=x&from=%3Cscript%3E", "/reconcile/preview?id=%3Cscript%3E"])
def test_an_error_that_reflects_input_is_plain_text(server, target: str) -> None:
    url, _ = server
    status, headers, body = get(url, target, Accept="text/html,application/xhtml+xml,*/*;q=0.8")
    assert 400 <= status < 500
    assert headers["Content-Type"].startswith("text/plain") and headers["X-Content-Type-Options"] == "nosniff"


# --- 3. generated URLs come from PUBLIC_URL, never from Host ----------------------------------------

def _sd_endpoint(body: bytes) -> list[str]:
    import pyoxigraph as ox

    store = ox.Store()
    store.load(body, format=ox.RdfFormat.TURTLE)
    return [r["e"].value for r in store.query(
        "SELECT ?e { ?s <http://www.w3.org/ns/sparql-service-description#endpoint> ?e }")]


def test_the_host_header_is_not_reflected_in_generated_urls(server) -> None:
    url, _ = server
    evil = {"Host": "evil.example"}
    status, headers, body = request(url, "GET", "/id//document/111239.html", headers=evil)
    assert status == 308 and "evil.example" not in headers["Location"] and b"evil.example" not in body
    assert headers["Location"] == "/id/document/111239.html"
    status, _, body = request(url, "GET", "/sparql", headers={**evil, "Accept": "text/turtle"})
    assert status == 200 and b"evil.example" not in body and _sd_endpoint(body) == [f"{BASE}sparql"]
    status, _, body = request(url, "GET", "/reconcile", headers=evil)
    manifest = json.loads(body)
    assert b"evil.example" not in body and manifest["view"]["url"] == f"{BASE}id/{{{{id}}}}"
    status, _, body = request(url, "GET", "/", headers=evil)
    assert status == 200 and b"evil.example" not in body and f"curl {BASE}sparql".encode() in body
    status, _, body = request(url, "GET", "/reconcile/preview?id=person/mao-zedong", headers=evil)
    assert status == 200 and b"evil.example" not in body
    status, headers, _ = request(url, "GET", "/id/person/beqir-balluku", headers={**evil, "Accept": "text/html"})
    assert status == 303 and headers["Location"].startswith("/id/")
    # relative IRIs in a query resolve against the public endpoint, not the Host
    status, _, body = request(url, "GET", "/sparql?" + urllib.parse.urlencode({"query": "SELECT ?x { BIND(<rel> AS ?x) }"}),
                              headers=evil)
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == f"{BASE}rel"


def test_public_url_is_configured(server) -> None:
    _, out = server
    public = "https://data.example.net/kg/"
    with serving(out, {"ARCHIVEKG_PUBLIC_URL": public}) as url:
        status, _, body = request(url, "GET", "/sparql", headers={"Accept": "text/turtle", "Host": "evil.example"})
        assert status == 200 and _sd_endpoint(body) == [f"{public}sparql"] and b"evil.example" not in body
        manifest = json.loads(get(url, "/reconcile")[2])
        assert manifest["view"]["url"] == f"{public}id/{{{{id}}}}"
        assert manifest["preview"]["url"] == f"{public}reconcile/preview?id={{{{id}}}}"
        assert manifest["suggest"]["entity"] == {"service_url": public.rstrip("/"),
                                                 "service_path": "/reconcile/suggest/entity"}
        assert manifest["identifierSpace"] == f"{BASE}id/"  # the data's IRIs stay what the build minted
        status, headers, _ = request(url, "GET", "/id//person/beqir-balluku.html", headers={"Host": "evil.example"})
        assert status == 308 and "evil.example" not in headers["Location"]


def test_a_bad_public_url_is_a_usage_error(server) -> None:
    from server.config import SettingError, from_env

    with pytest.raises(SettingError, match="ARCHIVEKG_PUBLIC_URL"):
        from_env({"ARCHIVEKG_PUBLIC_URL": "javascript:alert(1)"})
    with pytest.raises(SettingError, match="ARCHIVEKG_PUBLIC_URL"):
        from_env({"ARCHIVEKG_PUBLIC_URL": "example.org/kg"})
    assert from_env({"ARCHIVEKG_PUBLIC_URL": "https://example.org/kg"})["PUBLIC_URL"] == "https://example.org/kg/"


# --- 4. FROM and FROM NAMED -----------------------------------------------------------------------

GRAPH = f"{BASE}id/graph/111239"
ENTITIES = f"{BASE}id/graph/entities"


def test_from_restricts_the_default_graph(server) -> None:
    url, _ = server
    own = count(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{GRAPH}> {{ ?s ?p ?o }} }}")
    union = count(url, "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")
    assert 1000 < own < union
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}") == own
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM <{BASE}id/graph/no-such-graph> WHERE {{ ?s ?p ?o }}") == 0
    both = count(url, f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> FROM <{ENTITIES}> WHERE {{ ?s ?p ?o }}")
    assert own < both <= union
    # written as a prefixed name, as a relative IRI against BASE, in lower case, after comments
    assert count(url, f"PREFIX g: <{BASE}id/graph/> select (count(*) as ?n) from g:111239 where {{ ?s ?p ?o }}") == own
    assert count(url, f"BASE <{BASE}id/> SELECT (COUNT(*) AS ?n) # FROM <graph/entities>\n FROM <graph/111239> "
                      "WHERE { ?s ?p ?o }") == own
    # FROM in a string, a comment or a subquery's text does not count
    assert count(url, 'SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o BIND("FROM <urn:x>" AS ?z) } # FROM <urn:y>') == union
    status, _, body = sparql(url, f"ASK FROM <{GRAPH}> {{ ?s a <https://w3id.org/archivekg/ontology#Utterance> }}")
    assert status == 200 and json.loads(body)["boolean"] is True
    status, _, body = sparql(url, f"ASK FROM <{ENTITIES}> {{ ?s a <https://w3id.org/archivekg/ontology#Utterance> }}")
    assert status == 200 and json.loads(body)["boolean"] is False
    status, _, body = sparql(url, f"CONSTRUCT {{ ?s ?p ?o }} FROM <{BASE}id/graph/none> WHERE {{ ?s ?p ?o }}", "ntriples")
    assert status == 200 and body.strip() == b""


def test_from_named_restricts_graph_patterns(server) -> None:
    url, _ = server
    graphs = f"SELECT DISTINCT ?g {{0}} WHERE {{{{ GRAPH ?g {{{{ ?s ?p ?o }}}} }}}}"

    def names(clause: str) -> set[str]:
        status, _, body = sparql(url, graphs.format(clause))
        assert status == 200, body
        return {b["g"]["value"] for b in json.loads(body)["results"]["bindings"]}

    assert {GRAPH, ENTITIES} <= names("")  # (test_server may have published a second document by now)
    assert names(f"FROM NAMED <{GRAPH}>") == {GRAPH}
    assert names(f"FROM NAMED <{GRAPH}> FROM NAMED <{ENTITIES}>") == {GRAPH, ENTITIES}
    assert names(f"FROM <{GRAPH}>") == set()  # a FROM alone gives no named graphs (SPARQL 1.1, 13.2)
    # a FROM NAMED alone gives an empty default graph
    assert count(url, f"SELECT (COUNT(*) AS ?n) FROM NAMED <{GRAPH}> WHERE {{ ?s ?p ?o }}") == 0


def test_the_protocol_dataset_overrides_the_query_s(server) -> None:
    url, _ = server
    entities = count(url, f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{ENTITIES}> {{ ?s ?p ?o }} }}")
    q = f"SELECT (COUNT(*) AS ?n) FROM <{GRAPH}> WHERE {{ ?s ?p ?o }}"
    assert count(url, q, **{"default-graph-uri": ENTITIES}) == entities
    status, _, body = request(url, "POST", "/sparql?" + urllib.parse.urlencode({"default-graph-uri": ENTITIES}),
                              q.encode(), {"Content-Type": "application/sparql-query"})
    assert status == 200 and int(json.loads(body)["results"]["bindings"][0]["n"]["value"]) == entities


# --- 5. encodings ------------------------------------------------------------------------------------

def test_a_query_that_is_not_utf8_is_refused(server) -> None:
    url, _ = server
    status, headers, body = get(url, "/sparql?query=ASK%20%7B%7D%20%23%ff%fe")
    assert status == 400 and b"UTF-8" in body and headers["Content-Type"].startswith("text/plain"), body
    status, _, body = request(url, "POST", "/sparql", b"query=ASK%20%7B%7D%20%23%ff%fe",
                              {"Content-Type": "application/x-www-form-urlencoded"})
    assert status == 400 and b"UTF-8" in body, body
    status, _, body = request(url, "POST", "/sparql", b"ASK {} # \xff\xfe",
                              {"Content-Type": "application/sparql-query"})
    assert status == 400 and b"UTF-8" in body, body
    status, _, body = request(url, "POST", "/sparql", b"ASK {} # \xff\xfe",
                              {"Content-Type": "application/sparql-query; charset=utf-8"})
    assert status == 400 and b"UTF-8" in body, body


def test_a_declared_charset_is_read(server) -> None:
    url, _ = server
    query = 'SELECT ?x { BIND("café" AS ?x) }'
    for charset in ("ISO-8859-1", "latin-1", "windows-1252"):
        status, _, body = request(url, "POST", "/sparql", query.encode("latin-1"),
                                  {"Content-Type": f"application/sparql-query; charset={charset}"})
        assert status == 200, (charset, body)
        assert json.loads(body)["results"]["bindings"][0]["x"]["value"] == "café"
    status, _, body = request(url, "POST", "/sparql", ("query=" + urllib.parse.quote(query, encoding="latin-1")).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded; charset=ISO-8859-1"})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "café", body
    status, _, body = request(url, "POST", "/sparql", query.encode("utf-8"),
                              {"Content-Type": "application/sparql-query;charset=\"UTF-8\""})
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["x"]["value"] == "café", body


@pytest.mark.parametrize(("charset", "encoding"), [("klingon", "utf-8"), ("UTF-16", "utf-16"), ("utf-7", "utf-7")])
def test_an_unknown_or_unsupported_charset_is_415(server, charset: str, encoding: str) -> None:
    url, _ = server
    status, headers, body = request(url, "POST", "/sparql", "ASK {}".encode(encoding),
                                    {"Content-Type": f"application/sparql-query; charset={charset}"})
    assert status == 415 and charset.encode() in body and b"UTF-8" in body, body
    assert headers["Content-Type"].startswith("text/plain")


# --- 6. Allow on 405, Range units -----------------------------------------------------------------------

@pytest.mark.parametrize(("method", "target", "allowed"), [
    ("PUT", "/sparql", {"GET", "POST"}), ("DELETE", "/sparql", {"GET", "POST"}),
    ("POST", "/search", {"GET", "HEAD"}), ("PATCH", "/reconcile", {"GET", "POST"}),
    ("POST", "/id/person/beqir-balluku", {"GET", "HEAD"}),
])
def test_405_names_the_allowed_methods(server, method: str, target: str, allowed: set[str]) -> None:
    url, _ = server
    status, headers, body = request(url, method, target, b"", {"Content-Type": "text/plain"})
    assert status == 405, body
    assert allowed <= {m.strip() for m in headers.get("Allow", "").split(",")}, headers.get("Allow")


def test_an_unknown_range_unit_is_ignored(server) -> None:
    url, out = server
    path = _dump_path(out)
    status, headers, whole = get(url, path)
    assert status == 200 and len(whole) > 100
    for unit in ("items=0-5", "rows=1-2", "none"):
        status, headers, body = get(url, path, Range=unit)
        assert status == 200 and body == whole and "Content-Range" not in headers, unit
    status, headers, body = get(url, path, Range="bytes=0-5")
    assert status == 206 and body == whole[:6]


# --- 7. reconciliation requests are bounded ----------------------------------------------------------------

def _reconcile(url: str, **form: str) -> tuple[int, bytes]:
    status, _, body = request(url, "POST", "/reconcile", urllib.parse.urlencode(form).encode(),
                              {"Content-Type": "application/x-www-form-urlencoded", "Accept": "application/json"})
    return status, body


def test_reconcile_bounds_properties_nesting_and_batches(server) -> None:
    from server.config import SETTINGS

    limits = {s.name: s.default for s in SETTINGS}
    url, _ = server
    props = [{"pid": "alias", "v": f"name {i}"} for i in range(int(limits["RECONCILE_MAX_PROPERTIES"]) + 1)]
    status, body = _reconcile(url, queries=json.dumps({"q0": {"query": "Mao Zedong", "properties": props}}))
    assert status == 400 and b"RECONCILE_MAX_PROPERTIES" in body, body
    many = [f"alias {i}" for i in range(int(limits["RECONCILE_MAX_PROPERTIES"]) + 1)]
    status, body = _reconcile(url, queries=json.dumps({"q0": {"query": "Mao", "properties": [{"pid": "alias", "v": many}]}}))
    assert status == 400 and b"RECONCILE_MAX_PROPERTIES" in body, body
    ok = props[: int(limits["RECONCILE_MAX_PROPERTIES"])]
    status, body = _reconcile(url, queries=json.dumps({"q0": {"query": "Mao Zedong", "properties": ok}}))
    assert status == 200, body
    for deep in ("[" * 100_000, "[" * 60_000 + "]" * 60_000, '{"q0":' * 20_000 + "1" + "}" * 20_000):
        status, body = _reconcile(url, queries=deep)
        assert status == 400 and b"RECONCILE_MAX_JSON_DEPTH" in body, body[:300]
        status, body = _reconcile(url, query="{" + deep)
        assert status == 400 and b"RECONCILE_MAX_JSON_DEPTH" in body, body[:300]
    n = int(limits["RECONCILE_MAX_QUERIES"])
    status, body = _reconcile(url, queries=json.dumps({f"q{i}": {"query": "Mao"} for i in range(n + 1)}))
    assert status == 400 and b"RECONCILE_MAX_QUERIES" in body, body
    status, body = _reconcile(url, queries=json.dumps({"q0": {"query": "Mao", "properties": [{"pid": "x", "v": "[[[[" * 10}]}}))
    assert status == 200, body  # brackets inside strings are not nesting


# --- 8. bounded page numbers -------------------------------------------------------------------------------

@pytest.mark.parametrize("path", ["/search?q=Bulgaria&page={}", "/id/person/mao-zedong.html?page={}",
                                  "/id/place/bulgaria.html?page={}", "/id/document/111239.html?page={}",
                                  "/id/person/mao-zedong?format=html&page={}"])
@pytest.mark.parametrize("page", ["4611686018427387904", "99999999999999999999999", "abc", "0", "-1", "1.5", "1e3"])
def test_a_page_out_of_bounds_is_400_naming_it(server, path: str, page: str) -> None:
    url, _ = server
    status, headers, body = get(url, path.format(page), Accept="application/json")
    assert status == 400 and b"'page'" in body, (status, body[:300])
    status, _, _ = get(url, path.format("2"))
    assert status == 200
