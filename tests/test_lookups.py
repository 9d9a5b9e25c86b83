"""Lookups (server/lookups.py): one triple pattern, answered in the server's own thread, without a query process.

What is a lookup is decided from the text alone, and narrowly: anything with more than one pattern, an operator,
a path, a filter, an ordering or an open-ended SELECT is not one. Over HTTP a lookup gets the response a query
process gives (the same status, headers and bytes); it is answered while every query process is held; and one
whose result is longer than a chunk goes to a query process after all.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse
from pathlib import Path

import pytest
from werkzeug.test import Client

from server.app import create_app
from server.executor import Executor, Job
from server.lookups import MOST_CHARS, lookup_rows
from server.store import Dataset

from .conftest import serving

JSON = "application/sparql-results+json"
RDFS_LABEL = "<http://www.w3.org/2000/01/rdf-schema#label>"

LOOKUPS = {
    "ASK { <urn:x:1> ?p ?o }": 1,
    "ASK{<urn:x:1> ?p ?o}": 1,
    "ask where { <urn:x:1> ?p ?o . }": 1,
    "ASK { ?s ?p ?o }": 1,
    "PREFIX ex: <http://x/>\nSELECT ?o WHERE { ex:a ex:b ?o } LIMIT 10": 10,
    "SELECT * { ?s a <http://x/C> } LIMIT 100": 100,
    'SELECT ?s { ?s <http://www.w3.org/2000/01/rdf-schema#label> "Beijing"@en } LIMIT 5': 5,
    'ASK { ?s ?p "x"^^<http://www.w3.org/2001/XMLSchema#string> }': 1,
    "BASE <http://x/> ASK { <a> ?p ?o } # a comment": 1,
    "SELECT ?p ?o WHERE {\n  <urn:a> ?p ?o\n}\nLIMIT 3": 3,
    "SELECT ?nothing WHERE { <urn:a> ?p ?o } LIMIT 0": 0,
}

NOT_LOOKUPS = [
    "ASK { <urn:x> ?p ?o . ?o ?q ?r }",  # a join
    "ASK { <urn:x> ?p ?o ; ?q ?r }", "ASK { <urn:x> ?p ?o , ?r }",
    "ASK { <urn:x> ?p ?o FILTER(?o) }", "ASK { <urn:x> ?p ?o BIND(1 AS ?z) }", "ASK { ?s ?p ?o } VALUES ?s { <urn:a> }",
    "ASK { OPTIONAL { ?s ?p ?o } }", "ASK { ?s ?p ?o MINUS { ?s ?p ?o } }", "ASK { { ?s ?p ?o } UNION { ?s ?p ?o } }",
    "SELECT * { <urn:x> ?p ?o }",  # no LIMIT
    "SELECT * { <urn:x> ?p ?o } LIMIT 101",  # over the most rows
    "SELECT * { <urn:x> ?p ?o } ORDER BY ?o LIMIT 1", "SELECT * { <urn:x> ?p ?o } LIMIT 1 OFFSET 5",
    "SELECT DISTINCT ?o { <urn:x> ?p ?o } LIMIT 1", "SELECT ?x { ?x ?p ?o . } GROUP BY ?x LIMIT 1",
    "SELECT (COUNT(*) AS ?n) { ?s ?p ?o } LIMIT 1",
    "ASK { ?x ?p ?x }", "SELECT * { <urn:x> ?o ?o } LIMIT 1",  # a variable twice: entries that are not answers
    "ASK { <urn:x> <urn:p>* ?o }", "ASK { <urn:x> <urn:p>+ ?o }", "ASK { <urn:x> <urn:p>/<urn:q> ?o }",
    "ASK { <urn:x> ^<urn:p> ?o }", "ASK { <urn:x> (<urn:p>|<urn:q>) ?o }", "ASK { <urn:x> !<urn:p> ?o }",
    "ASK { _:b ?p ?o }", "ASK { [] ?p ?o }", "ASK { <urn:x> ?p [] }",
    "ASK FROM <urn:g> { <urn:x> ?p ?o }", "ASK { GRAPH ?g { <urn:x> ?p ?o } }",
    "ASK { SERVICE <http://x/> { <urn:x> ?p ?o } }", "ASK { ?s ?p ?o } SERVICE <x>",
    "ASK { { SELECT * { ?a ?b ?c } } }", "ASK {}", 'ASK { ?s ?p "a\\"b" }', "ASK { <urn:x> ?p 5 }",
    "CONSTRUCT { ?s ?p ?o } WHERE { ?s ?p ?o } LIMIT 1", "DESCRIBE <urn:x>",
    "ASK { <urn:x>?p ?o }", "ASK { <urn:x> ?p?o }", "PREFIX ex: <http://x/> ASK { <urn:x> ex:p?o }",  # terms unseparated
    "ASK { <urn:x> ?p ?o } #" + "x" * MOST_CHARS,  # too long to be read here
]


@pytest.mark.parametrize("query", list(LOOKUPS), ids=range(len(LOOKUPS)))
def test_a_lookup_is_recognised_with_the_most_entries_it_reads(query: str) -> None:
    assert lookup_rows(query, 100) == LOOKUPS[query]


@pytest.mark.parametrize("query", NOT_LOOKUPS, ids=range(len(NOT_LOOKUPS)))
def test_anything_else_is_not_a_lookup(query: str) -> None:
    assert lookup_rows(query, 100) is None


def test_lookups_can_be_turned_off() -> None:
    assert lookup_rows("ASK { <urn:x:1> ?p ?o }", 0) is None


def test_each_lookup_is_what_pyoxigraph_reads_with_its_limit(seed_build: Path) -> None:
    """What the bound rests on, on a real store: a lookup's rows are at most its LIMIT, and ASK's answer is
    the first one's existence; the same queries without the LIMIT find more (so the LIMIT is what bounds them)."""
    import pyoxigraph as ox

    store = ox.Store.read_only(str(seed_build / "current" / "store"))
    for query in (f"SELECT ?s ?o WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 7", "SELECT * WHERE { ?s ?p ?o } LIMIT 7"):
        most = lookup_rows(query, 100)
        assert most == 7
        rows = list(store.query(query, use_default_graph_as_union=True))
        everything = list(store.query(query.rsplit("LIMIT", 1)[0], use_default_graph_as_union=True))
        assert len(rows) == most < len(everything)


def _post(url: str, query: str, accept: str = JSON) -> tuple[int, list[tuple[str, str]], bytes]:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=60)
    try:
        conn.request("POST", "/sparql", body=query.encode(), headers={"Content-Type": "application/sparql-query",
                                                                       "Accept": accept})
        resp = conn.getresponse()
        return resp.status, [(k, v) for k, v in resp.getheaders() if k.lower() != "date"], resp.read()
    finally:
        conn.close()


COMPARED = [
    ("ASK { ?s ?p ?o }", JSON), ("ASK { <urn:x:nothing> ?p ?o }", "application/sparql-results+xml"),
    ("ASK { <urn:x:nothing> ?p ?o }", "text/csv"), ("ASK { <urn:x:nothing> ?p ?o }", "text/tab-separated-values"),
    (f"SELECT ?s ?o WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 20", JSON),
    (f"SELECT ?s ?o WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 20", "application/sparql-results+xml"),
    (f"SELECT * WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 20", "text/csv"),
    ("SELECT * WHERE { ?s ?p ?o } LIMIT 100", "text/tab-separated-values"),
    ('SELECT ?s WHERE { ?s ?p "no such literal"@en } LIMIT 5', JSON),
    ("PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> SELECT ?o WHERE { ?s rdfs:label ?o } LIMIT 3", JSON),
    ("SELECT ?o WHERE { ?s undeclared:label ?o } LIMIT 3", JSON),  # a lookup in form that does not parse: 400
    ("ASK { ?s ?p ?o }", "image/png"),  # 406
]


def test_over_http_a_lookup_gets_the_response_a_query_process_gives(seed_build: Path) -> None:
    """The same requests to a server that answers lookups itself and to one that sends every query to a query
    process (QUERY_LOOKUP_ROWS=0): the same status, headers and bytes, refusals included."""
    off = {"ARCHIVEKG_QUERY_LOOKUP_ROWS": "0", "ARCHIVEKG_RESULT_CACHE_MB": "0"}
    with serving(seed_build, {"ARCHIVEKG_RESULT_CACHE_MB": "0"}) as here, serving(seed_build, off) as there:
        statuses = set()
        for query, accept in COMPARED:
            mine, theirs = _post(here, query, accept), _post(there, query, accept)
            assert mine == theirs, (query, accept)
            statuses.add(mine[0])
        assert statuses == {200, 400, 406}
        rows = json.loads(_post(here, f"SELECT ?s ?o WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 20")[2])
        assert len(rows["results"]["bindings"]) == 20


@pytest.fixture()
def held(seed_build: Path):
    """The app as `serve` makes it, its one query process (no reserved one) held by a result nobody reads."""
    app = create_app({"DATA_DIR": str(seed_build), "QUERY_WORKERS": 1, "QUERY_RESERVED": 0, "QUERY_TIMEOUT": 2,
                      "RESULT_CACHE_MB": 0, "MAX_RESULT_ROWS": 100_000})
    executor: Executor = app.extensions["archivekg.executor"]
    stream = executor.run(Job("SELECT * WHERE { ?s ?p ?o }", Dataset(), JSON, None, 10**8, head_rows=10))
    try:
        yield app
    finally:
        stream.close()
        executor.close()


def _ask(app, query: str) -> tuple[str, dict[str, str], bytes]:  # type: ignore[no-untyped-def]
    resp = Client(app.wsgi_app).post("/sparql", data=query.encode(),
                                     headers={"Content-Type": "application/sparql-query", "Accept": JSON})
    return resp.status, dict(resp.headers), resp.get_data()


def test_a_lookup_is_answered_while_every_query_process_is_held(held) -> None:
    """Lookups run in the request's thread: answered though no query process is free, where any other query
    waits for one (QUERY_TIMEOUT) and is refused."""
    status, headers, body = _ask(held, "ASK { ?s ?p ?o }")
    assert status == "200 OK" and json.loads(body)["boolean"] is True and headers["Content-Length"] == str(len(body))
    status, _, body = _ask(held, f"SELECT ?o WHERE {{ ?s {RDFS_LABEL} ?o }} LIMIT 5")
    assert status == "200 OK" and len(json.loads(body)["results"]["bindings"]) == 5
    status, headers, _ = _ask(held, "ASK { ?s ?p ?o . ?o ?q ?r }")  # two patterns: a query process's
    assert status.startswith("503") and "Retry-After" in headers


def test_a_lookup_longer_than_a_chunk_goes_to_a_query_process(held) -> None:
    """A lookup whose result goes past its first chunk (64 KiB) is not kept in the server: it goes to a query
    process, to stream from there (here none is free: refused)."""
    held.config["QUERY_LOOKUP_ROWS"] = 5000
    status, _, body = _ask(held, "SELECT * WHERE { ?s ?p ?o } LIMIT 20")
    assert status == "200 OK" and len(json.loads(body)["results"]["bindings"]) == 20
    status, headers, _ = _ask(held, "SELECT * WHERE { ?s ?p ?o } LIMIT 5000")  # about 1 MB of JSON
    assert status.startswith("503") and "Retry-After" in headers
