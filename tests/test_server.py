"""The real server on a loopback port, spoken to over HTTP as clients do."""

from __future__ import annotations

import json
import re
import os
import shutil
import threading
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.catalogue import load_catalogue

from .conftest import BASE, FIXTURES, ROOT, SEED, republish, run_cli
from .test_query_guard import EVIL, HOSTILE

COUNT = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
CATALOGUE = {q.name: q.sparql for q in load_catalogue()}


def http(method: str, url: str, *, data: bytes | None = None, headers: dict | None = None):
    req = urllib.request.Request(url, data=data, method=method, headers=headers or {})
    try:
        with urllib.request.urlopen(req, timeout=30) as resp:
            return resp.status, resp.headers, resp.read()
    except urllib.error.HTTPError as err:
        return err.code, err.headers, err.read()


def http_once(method: str, url: str, headers: dict | None = None):
    """One request, redirects not followed: (status, headers, body)."""
    import http.client

    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.request(method, parts.path + (f"?{parts.query}" if parts.query else ""), headers=headers or {})
        resp = conn.getresponse()
        return resp.status, resp.headers, resp.read()
    finally:
        conn.close()


@pytest.mark.parametrize(("accept", "suffix", "media"), [
    ("text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8", ".html", "text/html"),  # a browser
    ("text/turtle", ".ttl", "text/turtle"),
    ("application/ld+json", ".jsonld", "application/ld+json"),
    ("application/n-triples", ".nt", "application/n-triples"),
    ("application/rdf+xml", ".rdf", "application/rdf+xml"),
    ("application/rdf+xml;q=0.5, text/turtle", ".ttl", "text/turtle"),
    (None, ".html", "text/html"),
])
def test_a_thing_s_iri_answers_303_see_other_with_its_document(server, accept, suffix: str, media: str) -> None:
    """Cool URIs for the Semantic Web: the IRI of a person is not a document; it points to one, by Accept."""
    url, _ = server
    for method in ("GET", "HEAD"):
        status, headers, body = http_once(method, f"{url}/id/person/beqir-balluku?page=2",
                                          {"Accept": accept} if accept else {})
        assert status == 303 and headers["Location"] == f"/id/person/beqir-balluku{suffix}?page=2"
        assert headers["Vary"] == "Accept" and headers["Access-Control-Allow-Origin"] == "*"
    status, headers, body = http_once("GET", f"{url}/id/person/beqir-balluku{suffix}")
    assert status == 200 and headers["Content-Type"].startswith(media)
    if media == "text/html":  # the page announces its RDF for crawlers, and each announced document is there
        announced = re.findall(r'<link rel="alternate" type="([^"]+)" href="([^"]+)">', body.decode())
        assert {m for m, _ in announced} == {"text/turtle", "application/ld+json", "application/n-triples",
                                             "application/rdf+xml"}
        for alt_media, href in announced:
            s, h, _ = http_once("GET", url + href)
            assert s == 200 and h["Content-Type"].startswith(alt_media)
    assert headers["Link"] == f'<{BASE}id/person/beqir-balluku>; rel="describes"'
    status, _, _ = http_once("GET", f"{url}/id/person/nobody-at-all", {"Accept": accept} if accept else {})
    assert status == 404  # an unknown thing is not redirected to a document that does not exist


def _count(body: bytes) -> int:
    return int(json.loads(body)["results"]["bindings"][0]["n"]["value"])


def test_query_by_get_post_form_and_post_direct_agree(server) -> None:
    url, out = server
    q = urllib.parse.quote(COUNT)
    n_store = len(ox.Store.read_only(str(out / "current" / "store")))
    s1, h1, b1 = http("GET", f"{url}/sparql?query={q}")
    s2, _, b2 = http("POST", f"{url}/sparql", data=f"query={q}".encode(),
                     headers={"Content-Type": "application/x-www-form-urlencoded"})
    s3, _, b3 = http("POST", f"{url}/sparql", data=COUNT.encode(), headers={"Content-Type": "application/sparql-query"})
    assert (s1, s2, s3) == (200, 200, 200)
    assert h1["Content-Type"].startswith("application/sparql-results+json")
    assert h1["Access-Control-Allow-Origin"] == "*" and "Accept" in h1["Vary"]
    assert _count(b1) == _count(b2) == _count(b3) == n_store  # the default graph is the union


@pytest.mark.parametrize(
    ("accept", "fmt", "media", "parse"),
    [
        ("application/sparql-results+xml", None, "application/sparql-results+xml", ox.QueryResultsFormat.XML),
        ("text/csv", None, "text/csv", ox.QueryResultsFormat.CSV),
        ("text/tab-separated-values", None, "text/tab-separated-values", ox.QueryResultsFormat.TSV),
        ("text/csv;q=0.2, application/sparql-results+json", None, "application/sparql-results+json", ox.QueryResultsFormat.JSON),
        (None, "xml", "application/sparql-results+xml", ox.QueryResultsFormat.XML),
    ],
)
def test_select_result_formats(server, accept, fmt, media, parse) -> None:
    url, _ = server
    q = urllib.parse.quote("SELECT ?u ?pos WHERE { ?u <http://schema.org/position> ?pos } ORDER BY ?pos LIMIT 3")
    extra = f"&format={fmt}" if fmt else ""
    status, headers, body = http("GET", f"{url}/sparql?query={q}{extra}", headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"].startswith(media)
    if parse is ox.QueryResultsFormat.CSV:  # CSV is lossy: pyoxigraph does not read it back
        assert body.decode().splitlines()[0] == "u,pos" and len(body.decode().splitlines()) == 4
    else:
        assert len(list(ox.parse_query_results(body, format=parse))) == 3


@pytest.mark.parametrize(
    ("media", "fmt"),
    [("text/turtle", ox.RdfFormat.TURTLE), ("application/n-triples", ox.RdfFormat.N_TRIPLES),
     ("application/ld+json", ox.RdfFormat.JSON_LD), ("application/rdf+xml", ox.RdfFormat.RDF_XML),
     ("application/n-quads", ox.RdfFormat.N_QUADS), ("application/trig", ox.RdfFormat.TRIG)],
)
def test_construct_formats(server, media: str, fmt) -> None:
    url, _ = server
    q = urllib.parse.quote("CONSTRUCT { ?u <http://schema.org/position> ?p } WHERE { ?u <http://schema.org/position> ?p }")
    status, headers, body = http("GET", f"{url}/sparql?query={q}", headers={"Accept": media})
    assert status == 200 and headers["Content-Type"].startswith(media)
    assert len(list(ox.parse(body, format=fmt))) == 28


def test_ask(server) -> None:
    url, _ = server
    q = urllib.parse.quote("ASK { ?s a <https://w3id.org/archivekg/ontology#Utterance> }")
    status, _, body = http("GET", f"{url}/sparql?query={q}")
    assert status == 200 and json.loads(body)["boolean"] is True


def test_dataset_parameters(server) -> None:
    url, _ = server
    graph = f"{BASE}id/graph/entities"
    q = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?s a <https://w3id.org/archivekg/ontology#Utterance> }")
    _, _, union = http("GET", f"{url}/sparql?query={q}")
    _, _, only_entities = http("GET", f"{url}/sparql?query={q}&default-graph-uri={urllib.parse.quote(graph)}")
    assert _count(union) == 28 and _count(only_entities) == 0


@pytest.mark.parametrize(
    ("method", "target", "data", "headers", "status", "fragment"),
    [
        ("GET", "/sparql?query=SELECT%20*%20WHERE%20%7B%3Fs%20%3Fp%20%7D", None, {}, 400, "1:24"),
        ("POST", "/sparql", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": "application/sparql-query"}, 403, "read-only"),
        ("POST", "/sparql", b"update=CLEAR+ALL", {"Content-Type": "application/x-www-form-urlencoded"}, 403, "read-only"),
        ("POST", "/sparql", b"CLEAR ALL", {"Content-Type": "application/sparql-update"}, 403, "read-only"),
        ("GET", "/sparql?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE <http://127.0.0.1:9/sparql> { ?s ?p ?o } }"), None, {}, 403, "federated"),
        ("GET", "/sparql?query=" + urllib.parse.quote("SELECT * WHERE { SERVICE ?x { ?s ?p ?o } }"), None, {}, 403, "federated"),
        ("GET", "/sparql?query=" + urllib.parse.quote(COUNT), None, {"Accept": "image/png"}, 406, "application/sparql-results+json"),
        ("POST", "/sparql", b"SELECT * {}", {"Content-Type": "text/plain"}, 415, "application/sparql-query"),
        ("POST", "/sparql", b"", {"Content-Type": "application/x-www-form-urlencoded"}, 400, "no query"),
        ("GET", "/sparql?query=ASK%7B%7D&query=ASK%7B%7D", None, {}, 400, "given 2 times"),
        ("POST", "/sparql", b"ASK {}" + b" " * 200_000, {"Content-Type": "application/sparql-query"}, 413, "limit"),
        ("POST", "/sparql", b'DESCRIBE <http://x/a"b>', {"Content-Type": "application/sparql-query"}, 400, "not an IRI"),
    ],
    ids=["syntax", "update-direct", "update-form", "update-media", "service-other-host", "service-variable",
         "not-acceptable", "unsupported-body", "no-query", "two-queries", "too-large",
         "describe-no-iri"],
)
def test_refusals(server, method, target, data, headers, status, fragment) -> None:
    url, _ = server
    got, _, body = http(method, url + target, data=data, headers=headers)
    assert got == status, body
    assert fragment in body.decode()
    assert b"Traceback" not in body


def test_service_description_and_query_page(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/sparql", headers={"Accept": "text/turtle"})
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")
    g = ox.Store()
    g.load(body, format=ox.RdfFormat.TURTLE)
    endpoint = g.query("SELECT ?e WHERE { ?s a <http://www.w3.org/ns/sparql-service-description#Service> ; "
                       "<http://www.w3.org/ns/sparql-service-description#endpoint> ?e }")
    assert [row["e"].value for row in endpoint] == [f"{BASE}sparql"]  # PUBLIC_URL, by default the build's base URI
    formats = {row["f"].value.removeprefix("http://www.w3.org/ns/formats/") for row in g.query(
        "SELECT ?f WHERE { ?s <http://www.w3.org/ns/sparql-service-description#resultFormat> ?f }")}
    assert formats == {"SPARQL_Results_JSON", "SPARQL_Results_XML", "SPARQL_Results_CSV", "SPARQL_Results_TSV",
                       "Turtle", "N-Triples", "JSON-LD", "RDF_XML", "TriG", "N-Quads"}  # each a W3C format IRI
    status, headers, body = http("GET", f"{url}/sparql", headers={"Accept": "text/html,application/xhtml+xml"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"Conversations a person took part in" in body  # the catalogue's example queries


def test_sparqlwrapper_client(server) -> None:
    from SPARQLWrapper import JSON, TURTLE, SPARQLWrapper

    url, _ = server
    client = SPARQLWrapper(f"{url}/sparql")
    client.setQuery("SELECT ?name WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; "
                    "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name LIMIT 500")
    client.setReturnFormat(JSON)
    names = [b["name"]["value"] for b in client.query().convert()["results"]["bindings"]]
    assert "Beqir Balluku" in names and "Mao Zedong" in names
    client.setQuery("CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/archivekg/ontology#Utterance> ; ?p ?o } LIMIT 50")
    client.setReturnFormat(TURTLE)
    data = client.query().convert()
    assert len(list(ox.parse(data, format=ox.RdfFormat.TURTLE))) == 50


_NAMES = ("SELECT ?name WHERE { ?p a <http://xmlns.com/foaf/0.1/Person> ; "
          "<http://www.w3.org/2000/01/rdf-schema#label> ?name } ORDER BY ?name LIMIT 500")


def _names_json(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [b["name"]["value"] for b in result["results"]["bindings"]]


def _names_xml(result) -> list[str]:  # type: ignore[no-untyped-def]
    return [lit.firstChild.data for lit in result.getElementsByTagName("literal")]


def _names_table(sep: str):  # type: ignore[no-untyped-def]
    def names(result: bytes) -> list[str]:
        return [line.strip('"') for line in result.decode().splitlines()[1:]]
    return names


@pytest.mark.parametrize("method", ["GET", "POST"])
@pytest.mark.parametrize(("fmt", "names"), [("json", _names_json), ("xml", _names_xml), ("csv", _names_table(",")),
                                            ("tsv", _names_table("\t"))])
def test_sparqlwrapper_select_in_each_format(server, method: str, fmt: str, names) -> None:
    """SPARQLWrapper, as researchers' scripts use it: each result format, by GET and by POST."""
    import SPARQLWrapper as sw

    url, _ = server
    client = sw.SPARQLWrapper(f"{url}/sparql")
    client.setMethod(getattr(sw, method))
    client.setQuery(_NAMES)
    client.setReturnFormat(getattr(sw, fmt.upper()))
    got = names(client.query().convert())
    assert "Beqir Balluku" in got and "Mao Zedong" in got and got == sorted(got)


@pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning")  # SPARQLWrapper's own parse
@pytest.mark.parametrize("fmt", ["TURTLE", "N3", "RDFXML", "JSONLD", "XML"])
def test_sparqlwrapper_construct_in_each_format(server, fmt: str) -> None:
    import SPARQLWrapper as sw

    url, _ = server
    client = sw.SPARQLWrapper(f"{url}/sparql")
    client.setQuery("CONSTRUCT { ?u ?p ?o } WHERE { ?u a <https://w3id.org/archivekg/ontology#Utterance> ; ?p ?o } LIMIT 50")
    client.setReturnFormat(getattr(sw, fmt))
    result = client.query().convert()
    if isinstance(result, bytes):  # Turtle, N3: the text, which a client parses itself
        result = list(ox.parse(result, format=ox.RdfFormat.TURTLE))
    assert len(result) == 50  # an rdflib Graph (RDF/XML, JSON-LD) or the parsed triples


def test_a_new_build_is_picked_up_without_restart(server) -> None:
    url, out = server
    _, _, before = http("GET", f"{url}/health")
    src = out.parent / "more"
    (src / "documents").mkdir(parents=True)
    shutil.copy(SEED, src / "documents" / SEED.name)
    shutil.copy(FIXTURES / "documents" / "telegram.txt", src / "documents" / "telegram.txt")
    shutil.copytree(ROOT / "seeds" / "authority", src / "authority")
    assert run_cli("build", str(src), "--out", str(out), "--base-uri", BASE).returncode == 0
    republish(out)  # a remote store is loaded by `archivekg publish`; the front end then needs no restart either
    _, _, after = http("GET", f"{url}/health")
    assert json.loads(before)["documents"] == 1 and json.loads(after)["documents"] == 2


def test_a_long_query_is_stopped_and_others_are_served_meanwhile(server) -> None:
    url, _ = server
    slow = urllib.parse.quote("SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }")
    got: dict = {}

    def run_slow() -> None:
        got["slow"] = http("GET", f"{url}/sparql?query={slow}")

    t = threading.Thread(target=run_slow)
    started = time.monotonic()
    t.start()
    time.sleep(0.5)
    status, _, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(COUNT)}")
    assert status == 200 and _count(body) > 0  # served while the slow one runs
    t.join(60)
    status, _, body = got["slow"]
    assert status == 503 and b"time limit of 3 s" in body
    assert time.monotonic() - started < 30
    status, _, _ = http("GET", f"{url}/sparql?query={urllib.parse.quote(COUNT)}")
    assert status == 200  # and still serving afterwards


def test_a_query_past_the_memory_limit_is_stopped_and_the_server_goes_on(server) -> None:
    """A query that would take the machine's memory (a sorted cross product) ends its own process only."""
    from .conftest import serving

    _, out = server
    hungry = "SELECT * WHERE { ?a ?b ?c . ?d ?e ?f } ORDER BY ?c ?f LIMIT 1"
    with serving(out, {"ARCHIVEKG_QUERY_MEMORY_MB": "150", "ARCHIVEKG_QUERY_TIMEOUT": "120"}) as url:
        started = time.monotonic()
        status, _, body = http("POST", f"{url}/sparql", data=hungry.encode(),
                               headers={"Content-Type": "application/sparql-query"})
        assert status == 503 and b"memory limit of 150 MiB" in body and b"Traceback" not in body
        assert time.monotonic() - started < 120  # stopped by memory, not by the time limit
        deep = "SELECT * WHERE " + "{" * 20_000 + "}" * 20_000  # overflows the engine's stack: its process only
        status, _, body = http("POST", f"{url}/sparql", data=deep.encode(), headers={"Content-Type": "application/sparql-query"})
        assert status == 503 and b"nests deeper than the query engine can follow" in body
        for _ in range(3):  # both workers, the replaced one included, go on serving
            status, _, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(COUNT)}")
            assert status == 200 and _count(body) > 0


def test_results_are_bounded_and_the_bound_is_stated(server) -> None:
    url, _ = server
    q = urllib.parse.quote("SELECT * WHERE { ?s ?p ?o }")
    status, headers, body = http("GET", f"{url}/sparql?query={q}")
    assert status == 200 and headers["X-Result-Limit"] == "1000" and headers["X-Result-Truncated"] == "true"
    assert len(json.loads(body)["results"]["bindings"]) == 1000
    q = urllib.parse.quote("CONSTRUCT WHERE { ?s ?p ?o }")
    status, headers, body = http("GET", f"{url}/sparql?query={q}", headers={"Accept": "application/n-triples"})
    assert headers["X-Result-Truncated"] == "true" and len(body.decode().splitlines()) == 1000
    q = urllib.parse.quote("SELECT ?u WHERE { ?u a <https://w3id.org/archivekg/ontology#Utterance> }")
    status, headers, body = http("GET", f"{url}/sparql?query={q}")
    assert "X-Result-Truncated" not in headers and len(json.loads(body)["results"]["bindings"]) == 28


def test_every_minted_iri_dereferences(server) -> None:
    url, out = server
    store = ox.Store.read_only(str(out / "current" / "store"))
    iris = sorted({row["s"].value for row in store.query(
        f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{BASE}id/") && !CONTAINS(STR(?s), "#")) }}')})
    parts: dict[str, set[str]] = {}
    for row in store.query(f'SELECT DISTINCT ?s WHERE {{ GRAPH ?g {{ ?s ?p ?o }} FILTER(STRSTARTS(STR(?s), "{BASE}id/") '
                           '&& CONTAINS(STR(?s), "#")) }'):
        parts.setdefault(row["s"].value.split("#")[0], set()).add(row["s"].value)
    assert len(iris) > 100 and sum(map(len, parts.values())) >= 10  # marks, participants, credits, quantities
    for iri in iris:
        status, headers, body = http("GET", url + "/" + iri[len(BASE):], headers={"Accept": "application/n-triples"})
        assert status == 200, iri
        assert headers["Vary"] == "Accept"
        described = {t.subject.value for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES)}
        assert iri in described and parts.get(iri, set()) <= described, iri  # the resource and every part of it


@pytest.mark.parametrize("path", ["/id/person/x%3E%20%3Fp%20%3Fo%20%7D%20%23", '/id/person/a%22b', "/id/person/a%20b",
                                  "/id/person/%7Bx%7D", "/id/claim/%25zz"])
def test_a_path_that_is_no_iri_is_not_found(server, path: str) -> None:
    """Whatever the path holds, it never reaches a query as text: a malformed IRI is simply unknown."""
    url, _ = server
    for accept in ("text/html", "text/turtle"):
        status, _, body = http("GET", url + path, headers={"Accept": accept})
        assert status == 404 and b"nothing is known" in body and b"Traceback" not in body


@pytest.mark.parametrize(
    ("path", "accept", "media", "fmt"),
    [
        ("/id/person/beqir-balluku", "text/turtle", "text/turtle", ox.RdfFormat.TURTLE),
        ("/id/person/beqir-balluku.ttl", None, "text/turtle", ox.RdfFormat.TURTLE),
        ("/id/person/beqir-balluku?format=jsonld", None, "application/ld+json", ox.RdfFormat.JSON_LD),
        ("/id/person/beqir-balluku.rdf", None, "application/rdf+xml", ox.RdfFormat.RDF_XML),
        ("/id/person/beqir-balluku", "application/ld+json;q=0.9, text/turtle;q=0.5", "application/ld+json", ox.RdfFormat.JSON_LD),
    ],
)
def test_resource_formats(server, path, accept, media, fmt) -> None:
    url, _ = server
    status, headers, body = http("GET", url + path, headers={"Accept": accept} if accept else {})
    assert status == 200 and headers["Content-Type"].startswith(media)
    triples = list(ox.parse(body, format=fmt))
    person = ox.NamedNode(f"{BASE}id/person/beqir-balluku")
    assert any(t.subject == person for t in triples)  # outgoing
    assert any(t.object == person for t in triples)  # and incoming links (DESCRIBE-like)


def test_resource_page_for_browsers_and_head_and_404(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/id/utterance/111239-22", headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "Conversation Between Mao Zedong and Beqir Balluku" in page  # a label, not a bare IRI
    assert "The Italian ambassador to Bulgaria revealed to us" in page
    assert 'href="/id/document/111239"' in page and "schema:position" in page
    status, headers, body = http_once("HEAD", f"{url}/id/utterance/111239-22.ttl")
    assert status == 200 and body == b"" and headers["Content-Type"].startswith("text/turtle")
    status, _, body = http("GET", f"{url}/id/person/nobody-at-all", headers={"Accept": "text/turtle"})
    assert status == 404 and b"nothing is known" in body


def test_page_text_is_escaped() -> None:
    from server.resources import _page

    iri = f"{BASE}id/paragraph/x-1"
    hostile = ox.Literal('<script>alert("x")</script> & more')
    triples = [ox.Triple(ox.NamedNode(iri), ox.NamedNode("http://schema.org/text"), hostile)]
    page = _page(iri, triples, {iri: "A <b>label</b>"}, BASE)
    assert "<script>" not in page and "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; more" in page
    assert "A &lt;b&gt;label&lt;/b&gt;" in page


def test_dumps_with_etag_ranges_and_checksums(server) -> None:
    import hashlib

    url, out = server
    info = json.loads((out / "current" / "build.json").read_text())
    for name, d in info["dumps"].items():
        status, headers, body = http("GET", f"{url}/{d['path']}")
        assert status == 200 and headers["Content-Type"] == "application/gzip"
        assert int(headers["Content-Length"]) == d["bytes"] == len(body)
        assert hashlib.sha256(body).hexdigest() == d["sha256"]
        assert "Content-Encoding" not in headers and headers["ETag"] and headers["Last-Modified"]
        status, _, _ = http("GET", f"{url}/{d['path']}", headers={"If-None-Match": headers["ETag"]})
        assert status == 304
        status, part_headers, part = http("GET", f"{url}/{d['path']}", headers={"Range": "bytes=0-9"})
        assert status == 206 and part == body[:10] and part_headers["Content-Range"].startswith("bytes 0-9/")
    status, _, _ = http("GET", f"{url}/dumps/../build.json")
    assert status == 404


def test_void_source_and_landing(server) -> None:
    import html as html_lib

    url, _ = server
    status, headers, body = http("GET", f"{url}/.well-known/void", headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Vary"] == "Accept"
    status, headers, _ = http_once("GET", f"{url}/.well-known/void", {"Accept": "text/html,*/*;q=0.8"})
    assert status == 303 and headers["Location"] == "/#download"  # a browser is sent to the readable list
    status, headers, _ = http_once("GET", f"{url}/.well-known/void?format=jsonld", {"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("application/ld+json")  # ... which links each format
    assert any(t.predicate.value == "http://rdfs.org/ns/void#dataDump" for t in ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    status, headers, body = http("GET", f"{url}/source/documents/{SEED.name}")
    assert status == 200 and headers["Content-Type"].startswith("text/plain")
    text = body.decode("utf-8")
    assert text[5995:6209].startswith("We have intelligence reports")  # the selectors count in this file
    status, headers, body = http("GET", f"{url}/")
    assert status == 200 and b"/sparql" in body and b"archivekg.nq.gz" in body
    examples = re.findall(r'<li><a href="(/sparql\?[^"]+)">', re.search(r'<ul id="examples">(.*?)</ul>', body.decode()).group(1))
    assert len(examples) == len(CATALOGUE)  # every example query, each a link that runs it as a table
    status, _, table = http("GET", url + html_lib.unescape(examples[0]), headers={"Accept": "text/html"})
    assert status == 200 and b'<table id="results">' in table
    example = html_lib.unescape(re.search(r'<pre id="curl">(.*?)</pre>', body.decode(), re.S).group(1))
    assert example.startswith(f"curl {BASE}sparql ")  # the server's public URL (PUBLIC_URL, by default the base URI)
    query = re.search(r"--data-urlencode 'query=(.*)'$", example).group(1)
    status, _, rows = http("POST", f"{url}/sparql", data=urllib.parse.urlencode({"query": query}).encode(),
                           headers={"Content-Type": "application/x-www-form-urlencoded", "Accept": "text/csv"})
    lines = rows.decode().splitlines()
    assert status == 200 and lines[0] == "doc,title" and 2 <= len(lines) <= 11  # at least one document, LIMIT 10
    assert any(line.startswith(f"{BASE}id/document/") for line in lines[1:])


_ANSWERS: dict[str, dict[str, list]] = {}
_WKT = "http://www.opengis.net/ont/geosparql#wktLiteral"


def _comparable(term: dict) -> str:
    """A result term's value; a WKT literal's geometry keyword in capitals: Virtuoso stores geometries by value
    and writes "Point(23.3 42.7)" back as "POINT(23.3 42.7)", the same geometry (WKT keywords are
    case-insensitive; docs/deploy.md)."""
    if term.get("datatype") == _WKT:
        keyword, paren, rest = term["value"].partition("(")
        return keyword.upper() + paren + rest
    return term["value"]


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_every_example_query_over_http(server, name: str, request: pytest.FixtureRequest) -> None:
    """Every catalogue query answers, federated ones included (they reach the local Wikidata endpoint); in front
    of Oxigraph server and Virtuoso, each gives the answer it gives on the embedded store (which runs first)."""
    url, _ = server
    query = CATALOGUE[name]
    status, headers, body = http("POST", f"{url}/sparql", data=query.encode(),
                                 headers={"Content-Type": "application/sparql-query"})
    assert status == 200, body
    bindings = json.loads(body)["results"]["bindings"]
    assert bindings, name
    backend = request.node.callspec.params.get("server", "embedded")
    rows = sorted(tuple(sorted((k, _comparable(v)) for k, v in b.items())) for b in bindings)
    answers = _ANSWERS.setdefault(name, {})
    answers[backend] = rows
    if backend != "embedded" and "embedded" in answers:
        assert rows == answers["embedded"], f"{name} on {backend}"


@pytest.mark.parametrize("query", HOSTILE)
def test_hostile_service_never_leaves_the_server(server, listener, query: str) -> None:
    """Each way of writing a SERVICE to another host is refused, and no connection is made to it."""
    url, _ = server
    status, _, body = http("POST", f"{url}/sparql", data=query.replace(EVIL, listener.url).encode(),
                           headers={"Content-Type": "application/sparql-query"})
    assert status == 403 and b"may only reach https://query.wikidata.org/sparql" in body
    time.sleep(0.05)
    assert listener.connections == []


def test_the_allow_list_is_configured(server, listener) -> None:
    """ARCHIVEKG_SERVICE_ALLOW names the endpoints SERVICE may reach: the one added is reached, others not."""
    from .conftest import serving

    _, out = server
    allowed = f"https://query.wikidata.org/sparql {listener.url}"
    with serving(out, {"ARCHIVEKG_SERVICE_ALLOW": allowed}) as url:
        other = f"SELECT * WHERE {{ SERVICE <{listener.url}x> {{ ?s ?p ?o }} }}"
        status, _, body = http("POST", f"{url}/sparql", data=other.encode(), headers={"Content-Type": "application/sparql-query"})
        assert status == 403 and listener.url.encode() in body and listener.connections == []
        query = f"SELECT * WHERE {{ SERVICE <{listener.url}> {{ ?s ?p ?o }} }}"
        status, _, _ = http("POST", f"{url}/sparql", data=query.encode(), headers={"Content-Type": "application/sparql-query"})
        assert status != 403  # let through (the listener answers nothing a SPARQL client can read)
        assert len(listener.connections) == 1 and listener.connections[0].startswith(b"POST /sparql")


def test_federation_reaches_wikidata_only(server, wikidata_endpoint: str) -> None:
    """SERVICE to the Query Service is let through (here routed to the local copy); any other host is refused."""
    url, _ = server
    q = ("SELECT ?born WHERE { SERVICE <https://query.wikidata.org/sparql> { "
         "<http://www.wikidata.org/entity/Q5816> <http://www.wikidata.org/prop/direct/P569> ?born } }")
    status, _, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(q)}")
    assert status == 200 and json.loads(body)["results"]["bindings"][0]["born"]["value"].startswith("1893")
    direct = q.replace("https://query.wikidata.org/sparql", wikidata_endpoint)  # the same host, named directly
    status, _, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(direct)}")
    assert status == 403 and b"may only reach https://query.wikidata.org/sparql" in body


def test_rdflib_sparqlstore_client(server) -> None:
    from rdflib import Graph
    from rdflib.plugins.stores.sparqlstore import SPARQLStore

    url, _ = server
    g = Graph(store=SPARQLStore(f"{url}/sparql", returnFormat="json"))
    rows = list(g.query("SELECT ?pos WHERE { ?u a <https://w3id.org/archivekg/ontology#Utterance> ; "
                        "<http://schema.org/position> ?pos } ORDER BY ?pos LIMIT 3"))
    assert [int(r[0]) for r in rows] == [1, 2, 3]
    ask = g.query("ASK { ?s a <https://w3id.org/archivekg/ontology#Claim> }")
    assert bool(ask.askAnswer) is True


@pytest.mark.parametrize(
    ("params", "check"),
    [
        ({"q": "airborne divisions"}, lambda r: r["results"][0]["iri"].endswith("/claim/111239-22-2")),
        ({"q": "airborne", "kind": "utterance"}, lambda r: all(x["kind"] == "utterance" for x in r["results"]) and r["total"] == 2),
        ({"q": "Tito", "speaker": "Mao Zedong"}, lambda r: r["total"] >= 1 and all(x["speaker_label"] == "Mao Zedong" for x in r["results"])),
        ({"q": "Tito", "speaker": "Beqir Balluku"}, lambda r: r["total"] == 0),
        ({"q": "Bulgaria", "from": "1969"}, lambda r: r["total"] == 0),
        ({"q": "Bulgaria", "from": "1968", "to": "1968-10"}, lambda r: r["total"] > 0),
        ({"q": "revisionis*"}, lambda r: r["total"] > 0),
        ({"q": "\"unbalanced ( quote"}, lambda r: r["total"] == 0),
    ],
)
def test_search_json(server, params: dict, check) -> None:
    url, _ = server
    query = urllib.parse.urlencode({**params, "format": "json"})
    status, _, body = http("GET", f"{url}/search?{query}")
    assert status == 200, body
    assert check(json.loads(body))


def test_search_page_and_bad_parameters(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/search?q=airborne", headers={"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert b"<mark>airborne</mark>" in body and b"Beqir Balluku" in body
    status, _, body = http("GET", f"{url}/search?q=x&from=last+year")
    assert status == 400 and b"must be a date" in body


def test_search_page_keeps_its_filters_and_pages(server) -> None:
    """The form shows the filters asked for; the pager links keep them; page 2 goes on where page 1 stopped."""
    import html as html_lib

    url, _ = server
    _, _, body = http("GET", f"{url}/search?q=the&document=111239&kind=utterance", headers={"Accept": "text/html"})
    page1 = body.decode()
    assert 'name="document" size="12" value="111239"' in page1
    assert 'value="utterance" checked' in page1 and 'value="claim" checked' not in page1
    total = int(re.search(r'id="total">(\d+) result', page1).group(1))
    assert total > 20  # more than one page
    nxt = html_lib.unescape(re.search(r'rel="next" href="([^"]+)"', page1).group(1))
    assert "document=111239" in nxt and "kind=utterance" in nxt and "page=2" in nxt
    _, _, body = http("GET", f"{url}/search{nxt}", headers={"Accept": "text/html"})
    page2 = body.decode()
    assert '<ol id="hits" start="21">' in page2 and 'rel="prev"' in page2
    hits = lambda page: re.findall(r'<li><p>(.*?)</p>', page)  # noqa: E731
    assert hits(page2) and not set(hits(page1)) & set(hits(page2))


def test_person_page_is_paged(server) -> None:
    url, _ = server
    status, _, body = http("GET", f"{url}/id/person/beqir-balluku", headers={"Accept": "text/html"})
    page1 = body.decode()
    assert status == 200 and page1.count("<li>") >= 14 and "Page 1" not in page1  # 14 turns fit on one page
    status, _, body = http("GET", f"{url}/id/person/beqir-balluku?page=2", headers={"Accept": "text/html"})
    page2 = body.decode()
    assert status == 200 and "Page 2." in page2 and 'href="?page=1">previous' in page2
    assert 'id="utterances"' not in page2  # nothing left to show on page 2


def test_describe_includes_incoming_links(server) -> None:
    url, _ = server
    person = f"{BASE}id/person/beqir-balluku"
    q = urllib.parse.quote(f"DESCRIBE <{person}>")
    status, headers, body = http("GET", f"{url}/sparql?query={q}", headers={"Accept": "application/n-triples"})
    assert status == 200 and headers["Content-Type"].startswith("application/n-triples")
    triples = list(ox.parse(body, format=ox.RdfFormat.N_TRIPLES))
    node = ox.NamedNode(person)
    assert any(t.subject == node for t in triples)  # outgoing
    assert any(t.object == node and t.predicate.value.endswith("spokenBy") for t in triples)  # incoming


@pytest.mark.parametrize("path", ["/", "/sparql", "/sparql?edit=1", "/search?q=Bulgaria", "/id/person/beqir-balluku",
                                  "/id/document/111239", "/sparql?format=html&query=" + urllib.parse.quote(COUNT)])
def test_every_page_has_the_site_s_frame_and_loads_nothing_from_elsewhere(server, path: str) -> None:
    url, _ = server
    status, headers, body = http("GET", url + path, headers={"Accept": "text/html"})
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert '<link rel="stylesheet" href="/static/archivekg.css">' in page and '<nav><a href="/" class=' in page
    assets = re.findall(r'<(?:script|link|img|iframe)\b[^>]*\b(?:src|href)="([^"]+)"', page)
    assert assets and all(a.startswith("/") and not a.startswith("//") for a in assets), assets


def test_the_stylesheet_is_served_and_nothing_else_from_static(server) -> None:
    url, _ = server
    status, headers, body = http("GET", f"{url}/static/archivekg.css")
    assert status == 200 and headers["Content-Type"] == "text/css; charset=utf-8" and b"mark.claim" in body
    assert headers["ETag"]
    for other in ("/static/layout.py", "/static/..%2flayout.py", "/static/missing.css"):
        assert http("GET", url + other)[0] == 404


_POSITIONS = "{ ?u <http://schema.org/position> ?p }"


@pytest.mark.parametrize(("query", "rows", "contains"), [
    (f"CONSTRUCT {_POSITIONS} WHERE {_POSITIONS}", f"SELECT (COUNT(*) AS ?n) WHERE {_POSITIONS}", ">schema:position</a>"),
    (f"DESCRIBE <{BASE}id/person/beqir-balluku>", None, ">akg:spokenBy</a>"),  # with its incoming links
])
def test_a_browser_gets_triples_as_a_table(server, query: str, rows: str | None, contains: str) -> None:
    """CONSTRUCT and DESCRIBE in a browser: subject, predicate, object, linked, with the RDF downloads."""
    url, _ = server
    status, headers, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(query)}",
                                 headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    page = body.decode()
    assert status == 200 and headers["Content-Type"].startswith("text/html")
    assert "<th>subject</th><th>predicate</th><th>object</th>" in page and contains in page
    if rows is not None:
        n = _count(http("GET", f"{url}/sparql?query={urllib.parse.quote(rows)}")[2])
        assert n > 20 and page.count("<tr>") - 1 == n and f"{n} row(s)" in page
    assert ">Turtle</a>" in page and ">JSON-LD</a>" in page and ">CSV</a>" not in page
    status, headers, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(query)}&format=turtle")
    assert status == 200 and headers["Content-Type"].startswith("text/turtle")  # the Turtle download


def test_serve_on_a_port_in_use_says_so_without_a_traceback(server) -> None:
    url, out = server
    port = urllib.parse.urlsplit(url).port
    res = run_cli("serve", str(out), "--port", str(port))
    assert res.returncode == 1 and "Traceback" not in res.stderr
    assert f"cannot listen on 127.0.0.1:{port}" in res.stderr and "choose another --port" in res.stderr


def test_a_bad_setting_is_a_usage_error_naming_its_variable(server) -> None:
    _, out = server
    res = run_cli("serve", str(out), "--port", "0", env={"ARCHIVEKG_QUERY_TIMEOUT": "soon", "ARCHIVEKG_MAX_RESULT_ROWS": "-1"})
    assert res.returncode == 2 and "Traceback" not in res.stderr
    assert "ARCHIVEKG_QUERY_TIMEOUT='soon' is not a whole number" in res.stderr
    assert "ARCHIVEKG_MAX_RESULT_ROWS='-1'" in res.stderr  # every bad value at once


def test_rdflib_follows_a_thing_s_iri_to_its_rdf(server) -> None:
    """A Linked Data client (rdflib) dereferences the IRI as it is: it follows the 303 to the RDF."""
    import rdflib

    url, _ = server
    g = rdflib.Graph()
    g.parse(f"{url}/id/person/beqir-balluku")
    person = rdflib.URIRef(f"{BASE}id/person/beqir-balluku")
    assert (person, rdflib.RDFS.label, rdflib.Literal("Beqir Balluku")) in g
    assert any(g.subjects(rdflib.URIRef("https://w3id.org/archivekg/ontology#spokenBy"), person))  # incoming too
