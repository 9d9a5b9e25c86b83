"""Generated hostile requests against the real server: the SPARQL endpoint, /reconcile, pages, search and
dumps answer 2xx, 3xx, 4xx or 503 -- never a 500, never a dead server.

Each test draws its requests with hypothesis (``max_examples`` below: 1,050 examples, 2,251 requests in all,
as README "Security" says) and sends them over HTTP to `archivekg serve` on loopback.
"""

from __future__ import annotations

import http.client
import json
import urllib.parse

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from .conftest import serving

SPARQL_PIECES = [
    "SELECT", "ASK", "CONSTRUCT", "DESCRIBE", "WHERE", "{", "}", "(", ")", "?s", "?p", "?o", "*", ".", ";", ",",
    "FILTER", "REGEX(", "STR(", "COUNT(", "GROUP BY", "ORDER BY", "LIMIT", "OFFSET 99999999999999999999", "UNION",
    "OPTIONAL", "GRAPH", "SERVICE", "<http://127.0.0.1:9/sparql>", "FROM", "FROM NAMED", "<https://example.org/id/graph/x>",
    "BIND(", "AS", "VALUES", "PREFIX x: <http://x/>", "BASE <javascript:alert(1)>", "x:y", "\"", "'", "\"\"\"",
    "<", ">", "#", "\n", "\\u0000", "1e999", "-0", "INSERT DATA", "LOAD", "CLEAR ALL", "\ufffd", "…",
]
FORMATS = ["json", "xml", "csv", "tsv", "html", "turtle", "jsonld", "", "nope", "text/html", "application/x-evil"]
ACCEPTS = ["", "*/*", "text/html", "application/sparql-results+json", "text/turtle;q=0.1, */*;q=0", "x/y", ";;;", "q=2"]
OK = {200, 201, 204, 206, 301, 302, 303, 304, 307, 308, 400, 403, 404, 405, 406, 411, 413, 414, 415, 416, 422, 429,
      431, 503}


@pytest.fixture(scope="module")
def url(seed_build):
    with serving(seed_build, {"ARCHIVEKG_QUERY_TIMEOUT": "2", "ARCHIVEKG_QUERY_RESERVED_TIMEOUT": "1"}) as u:
        yield u


def send(url: str, method: str, path: str, body: bytes | None = None, headers: dict | None = None) -> int:
    parts = urllib.parse.urlsplit(url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, path, skip_accept_encoding=True)
        for k, v in (headers or {}).items():
            conn.putheader(k, v)
        if body is not None:
            conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        resp = conn.getresponse()
        resp.read()
        return resp.status
    finally:
        conn.close()


def _check(status: int, what: str) -> None:
    assert status in OK, f"{status} for {what!r}"


sparql_text = st.lists(st.sampled_from(SPARQL_PIECES) | st.text(max_size=8), max_size=40).map(" ".join)
header_text = st.text(alphabet=st.characters(min_codepoint=32, max_codepoint=126), max_size=40)


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(query=sparql_text, fmt=st.sampled_from(FORMATS), accept=st.sampled_from(ACCEPTS) | header_text)
def test_sparql_by_get(url: str, query: str, fmt: str, accept: str) -> None:
    path = "/sparql?" + urllib.parse.urlencode({"query": query, **({"format": fmt} if fmt else {})})
    _check(send(url, "GET", path, headers={"Accept": accept} if accept else {}), path)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=200), ctype=st.sampled_from([
    "application/sparql-query", "application/x-www-form-urlencoded", "application/sparql-query; charset=latin-1",
    "application/sparql-query; charset=utf-16", "application/sparql-update", "text/plain", "", "multipart/form-data"]),
    prefix=st.sampled_from([b"", b"query=", b"update=", b"query=SELECT%20*%20{?s?p?o}&query="]))
def test_sparql_by_post_with_any_bytes(url: str, raw: bytes, ctype: str, prefix: bytes) -> None:
    headers = {"Content-Type": ctype} if ctype else {}
    _check(send(url, "POST", "/sparql", prefix + raw, headers), (ctype, prefix + raw))


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(raw=st.binary(max_size=60))
def test_query_strings_of_any_bytes(url: str, raw: bytes) -> None:
    quoted = urllib.parse.quote_from_bytes(raw)
    for path in (f"/sparql?query={quoted}", f"/search?q={quoted}", f"/search?q=mao&page={quoted}",
                 f"/reconcile?queries={quoted}", f"/id/person/mao-zedong.html?page={quoted}"):
        _check(send(url, "GET", path), path)


json_values = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | st.text(max_size=20),
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(st.sampled_from(
        ["query", "type", "limit", "properties", "pid", "v", "type_strict", "q0", "q1"]) | st.text(max_size=5),
        inner, max_size=5),
    max_leaves=30,
)


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(queries=json_values, depth=st.integers(0, 3), raw=st.booleans())
def test_reconcile_with_generated_batches(url: str, queries, depth: int, raw: bool) -> None:  # type: ignore[no-untyped-def]
    text = json.dumps(queries)
    text = "[" * (depth * 40) + text + "]" * (depth * 40) if depth else text
    if raw:
        text = text[: len(text) // 2]  # cut: not JSON
    body = urllib.parse.urlencode({"queries": text}).encode()
    _check(send(url, "POST", "/reconcile", body, {"Content-Type": "application/x-www-form-urlencoded"}), text[:200])


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow,
                                                                  HealthCheck.function_scoped_fixture])
@given(segment=st.text(max_size=30), kind=st.sampled_from(["person", "document", "claim", "place", "x", ""]),
       rng=st.sampled_from(["", "bytes=0-10", "bytes=-5", "bytes=99999999-", "items=0-5", "bytes=5-1",
                            "bytes=0-1,2-3,4-5", "bytes="]),
       method=st.sampled_from(["GET", "HEAD", "OPTIONS", "DELETE", "PUT", "TRACE"]))
def test_paths_methods_and_ranges(url: str, segment: str, kind: str, rng: str, method: str) -> None:
    quoted = urllib.parse.quote(segment, safe="/")
    headers = {"Range": rng} if rng else {}
    for path in (f"/id/{kind}/{quoted}", f"/dumps/{quoted}", f"/source/{quoted}", f"/{quoted}"):
        _check(send(url, method, path or "/", headers=headers), (method, path, rng))


def test_the_server_is_alive_after_the_fuzz(url: str) -> None:
    assert send(url, "GET", "/health") == 200
