"""The W3C SPARQL 1.1 Protocol test manifest, run against the real server over HTTP.

The manifest's data graphs are loaded as named graphs of a published store, and
every request of every test is sent as written (``/sparql/`` mapped to ``/sparql``).
The endpoint is read-only by design, so the update tests must be refused with 403
rather than succeed; every other test must pass as the manifest says.
"""

from __future__ import annotations

import http.client
import json
import os
import urllib.parse
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Namespace
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS

from .conftest import ROOT, serving

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


@pytest.fixture(scope="module")
def endpoint(tmp_path_factory: pytest.TempPathFactory):
    out = tmp_path_factory.mktemp("w3c")
    release = out / "releases" / "w3c"
    release.mkdir(parents=True)
    store = ox.Store(str(release / "store"))
    for n in (1, 2, 3):
        store.load(path=str(W3C / f"protocol-data{n}.nt"), format=ox.RdfFormat.N_TRIPLES,
                   to_graph=ox.NamedNode(f"http://kasei.us/2009/09/sparql/data/data{n}.rdf"))
    store.flush()
    del store
    (release / "build.json").write_text(json.dumps({
        "archivekg": "test", "build_time": "2026-01-01T00:00:00Z", "base_uri": "http://www.example/",
        "documents": 0, "triples": 0, "persons": 0, "utterances": 0, "dumps": {}}))
    os.symlink("releases/w3c", out / "current")
    with serving(out) as url:
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
