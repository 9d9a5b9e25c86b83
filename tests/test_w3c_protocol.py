"""The W3C SPARQL 1.1 Protocol test manifest, run against the real server over HTTP.

The manifest's data graphs are loaded as named graphs of a published store, and
every request of every test is sent as written (``/sparql/`` mapped to ``/sparql``).
The endpoint is read-only by design, so the update tests must be refused with 403
rather than succeed; every other test must pass as the manifest says.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .conftest import BACKENDS, ROOT, rdf_release, served

W3C = ROOT / "tests" / "w3c"  # a copy of the W3C suite's files, with their SOURCE and licence note
MF = Namespace("http://www.w3.org/2001/sw/DataAccess/tests/test-manifest#")
HT = Namespace("http://www.w3.org/2011/http#")
CNT = Namespace("http://www.w3.org/2011/content#")
UT = Namespace("http://www.w3.org/2009/sparql/tests/test-update#")
HTS = Namespace("http://www.w3.org/2011/http-statusCodes#")

def _manifest() -> tuple[Graph, list]:
    g = Graph().parse(W3C / "protocol-manifest.ttl", format="turtle", publicID="http://example/manifest.ttl")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    return g, list(Collection(g, g.value(manifest, MF.entries)))


GRAPH, TESTS = _manifest()


@pytest.fixture(scope="module", params=BACKENDS)
def endpoint(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory):
    """The suite's data served on the embedded store, and in front of each remote engine (issue 14)."""
    out = rdf_release(tmp_path_factory.mktemp("w3c"), {
        f"http://kasei.us/2009/09/sparql/data/data{n}.rdf": W3C / f"protocol-data{n}.nt" for n in (1, 2, 3)})
    with served(out, backend=request.param) as url:
        yield url


def _send(url: str, req_node) -> tuple[int, str, bytes]:  # type: ignore[no-untyped-def]
    g = GRAPH
    method = str(g.value(req_node, HT.methodName))
    path = str(g.value(req_node, HT.absolutePath)).replace("/sparql/", "/sparql", 1)
    headers = {}
    headers_list = g.value(req_node, HT.headers)
    if headers_list is not None:
        for h in Collection(g, headers_list):
            headers[str(g.value(h, HT.fieldName))] = str(g.value(h, HT.fieldValue))
    body_node = g.value(req_node, HT.body)
    data = None
    if body_node is not None:
        chars = str(g.value(body_node, CNT.chars))
        encoding = str(g.value(body_node, CNT.characterEncoding) or "UTF-8")
        data = chars.encode("utf-16" if encoding.upper() == "UTF-16" else "utf-8")
    # http.client sends exactly these headers: urllib would add a form content type of its own.
    host = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    try:
        conn.request(method, path, body=data, headers=headers)
        resp = conn.getresponse()
        return resp.status, resp.getheader("Content-Type", ""), resp.read()
    finally:
        conn.close()


def _status_class(code: int) -> str:
    return f"StatusCode{code // 100}xx"


@pytest.mark.parametrize("test", TESTS, ids=[str(t).rsplit("#", 1)[-1] for t in TESTS])
def test_protocol(endpoint: str, test) -> None:  # type: ignore[no-untyped-def]
    g = GRAPH
    name = str(test).rsplit("#", 1)[-1]
    action = g.value(test, MF.action)
    requests = list(Collection(g, g.value(action, HT.requests)))
    for req in requests:
        status, ctype, body = _send(endpoint, req)
        resp = g.value(req, HT.resp)
        expected = {str(s).rsplit("#", 1)[-1] for s in g.objects(resp, MF.expectedStatus)}
        if name.startswith("update_"):
            # A read-only service: every update is refused, clearly.
            assert status == 403, (name, status, body[:200])
            return
        assert _status_class(status) in expected, (name, status, body[:300])
        fmt = g.value(resp, MF.expectedFormat)
        if fmt is not None and str(fmt) == "boolean":
            answer = json.loads(body)["boolean"]
            expected_answer = g.value(resp, MF.expectedBoolean)
            assert isinstance(answer, bool)
            if expected_answer is not None:
                assert answer is bool(expected_answer.toPython())
        elif fmt is not None and str(fmt) == "tabular":
            assert "sparql-results" in ctype or ctype.startswith(("text/csv", "text/tab-separated-values"))
        elif fmt is not None and str(fmt) == "RDF":
            assert ctype.split(";")[0] in ("text/turtle", "application/n-triples", "application/rdf+xml",
                                            "application/ld+json", "application/trig", "application/n-quads")


# The Service Description tests: the manifest names them; each is checked as its name says.
SD = Namespace("http://www.w3.org/ns/sparql-service-description#")
SD_FORMATS = {"text/turtle": ox.RdfFormat.TURTLE, "application/rdf+xml": ox.RdfFormat.RDF_XML,
              "application/ld+json": ox.RdfFormat.JSON_LD, "application/n-triples": ox.RdfFormat.N_TRIPLES,
              None: ox.RdfFormat.TURTLE}


def _sd_tests() -> list[str]:
    g = Graph().parse(W3C / "service-description-manifest.ttl", format="turtle")
    manifest = next(g.subjects(RDF.type, MF.Manifest))
    return [str(t).rsplit("#", 1)[-1] for t in Collection(g, g.value(manifest, MF.entries))]


def _description(url: str, accept: str | None) -> tuple[int, str, Graph]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    conn.request("GET", "/sparql", headers={"Accept": accept} if accept else {})
    try:
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    ctype = resp.getheader("Content-Type", "").split(";")[0]
    graph = Graph()
    if resp.status == 200:  # parsed by pyoxigraph in the format the response names, then handed to rdflib
        triples = ox.parse(body, format=SD_FORMATS.get(ctype, ox.RdfFormat.TURTLE), base_iri=url + "/sparql")
        graph.parse(data=ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES).decode(), format="nt")
    return resp.status, ctype, graph


def _returns_rdf(url: str) -> None:
    for accept in SD_FORMATS:
        status, ctype, graph = _description(url, accept)
        assert status == 200 and (ctype == accept or accept is None and ctype == "text/turtle"), (accept, ctype)
        assert len(graph) > 5 and (None, RDF.type, SD.Service) in graph, accept


def _has_endpoint_triple(url: str) -> None:
    """The endpoint as the world reaches it: PUBLIC_URL, by default the build's base URI, which for the
    manifest's data is the host the manifest's requests name (ht:connectionAuthority "www.example")."""
    from rdflib import URIRef

    _, _, graph = _description(url, "text/turtle")
    assert (None, SD.endpoint, URIRef("http://www.example/sparql")) in graph


def _conforms_to_schema(url: str) -> None:
    import pyshacl

    _, _, graph = _description(url, "text/turtle")
    shapes = Graph().parse(W3C / "sd-schema-shapes.ttl", format="turtle")
    conforms, _, text = pyshacl.validate(graph, shacl_graph=shapes)
    assert conforms, text
    assert (None, SD.supportedLanguage, SD.SPARQL11Query) in graph


SD_CHECKS = {"returns-rdf": _returns_rdf, "has-endpoint-triple": _has_endpoint_triple,
             "conforms-to-schema": _conforms_to_schema}


@pytest.mark.parametrize("name", _sd_tests())
def test_service_description(endpoint: str, name: str) -> None:
    SD_CHECKS[name](endpoint)  # a test the manifest adds and this file does not know fails here


def test_the_schema_shapes_catch_a_wrong_description() -> None:
    import pyshacl

    wrong = Graph().parse(data="""@prefix sd: <http://www.w3.org/ns/sparql-service-description#> .
        <#s> a sd:Service ; sd:supportedLanguage sd:SPARQL12Query ; sd:defaultDataset [ sd:defaultGraph "g" ] .""",
                          format="turtle", publicID="http://example/")
    shapes = Graph().parse(W3C / "sd-schema-shapes.ttl", format="turtle")
    conforms, report, _ = pyshacl.validate(wrong, shacl_graph=shapes)
    assert not conforms
    assert len(list(report.subjects(RDF.type, Namespace("http://www.w3.org/ns/shacl#").ValidationResult))) >= 3


# The query's own dataset (SPARQL 1.1 Query 13.2) on the manifest's data, by GET and by POST; the
# protocol's default-graph-uri and named-graph-uri, when given, replace it (Protocol 2.1.4).
KASEI = "BASE <http://kasei.us/2009/09/sparql/data/> "
DATA1 = "http://kasei.us/2009/09/sparql/data/data1.rdf"


@pytest.mark.parametrize(("query", "params", "expected"), [
    ("ASK { <data1.rdf> a ?t . <data2.rdf> a ?t . <data3.rdf> a ?t }", {}, True),  # no dataset: the union
    ("ASK FROM <data3.rdf> { <data3.rdf> a ?t }", {}, True),
    ("ASK FROM <data1.rdf> { <data3.rdf> a ?t }", {}, False),
    ("ASK FROM <data1.rdf> FROM <data2.rdf> { <data1.rdf> a ?t . <data2.rdf> a ?t }", {}, True),
    ("ASK FROM <data0.rdf> { ?s ?p ?o }", {}, False),  # a graph the store does not have is empty
    ("ASK FROM NAMED <data1.rdf> { GRAPH ?g { <data1.rdf> a ?t } }", {}, True),
    ("ASK FROM NAMED <data1.rdf> { GRAPH ?g { <data2.rdf> a ?t } }", {}, False),
    ("ASK FROM <data3.rdf> FROM NAMED <data1.rdf> { <data3.rdf> a ?t GRAPH <data1.rdf> { <data1.rdf> a ?t } }", {}, True),
    ("ASK FROM <data3.rdf> { GRAPH ?g { ?s a ?t } }", {}, False),  # FROM alone: no named graphs
    ("ASK FROM NAMED <data1.rdf> { ?s a ?t }", {}, False),  # FROM NAMED alone: an empty default graph
    ("ASK FROM <data3.rdf> { <data1.rdf> a ?t }", {"default-graph-uri": DATA1}, True),  # the protocol's wins
    ("ASK FROM NAMED <data3.rdf> { GRAPH ?g { <data1.rdf> a ?t } }", {"named-graph-uri": DATA1}, True),
])
@pytest.mark.parametrize("method", ["GET", "POST"])
def test_from_and_from_named(endpoint: str, method: str, query: str, params: dict, expected: bool) -> None:
    host = urllib.parse.urlsplit(endpoint)
    conn = http.client.HTTPConnection(host.hostname, host.port, timeout=30)
    try:
        if method == "GET":
            conn.request("GET", "/sparql?" + urllib.parse.urlencode({"query": KASEI + query, **params}))
        else:
            conn.request("POST", "/sparql?" + urllib.parse.urlencode(params), body=(KASEI + query).encode(),
                         headers={"Content-Type": "application/sparql-query"})
        resp = conn.getresponse()
        body = resp.read()
    finally:
        conn.close()
    assert resp.status == 200, body
    assert json.loads(body)["boolean"] is expected, query
