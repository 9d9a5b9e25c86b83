"""The protocol's usual request is answered in front of Flask (server/sparql.py sparql_fast_path): every request
here gets the same status, the same headers in the same order and the same bytes from it as from Flask's own
app, which the server keeps beside it (`archivekg.flask_wsgi`). The refusals included: those found before a
query runs go to Flask whole, those found after are made by Flask's error handlers."""

from __future__ import annotations

from pathlib import Path

import pytest
from werkzeug.test import Client

from server.app import create_app
from server.executor import QueryTimeout, ServerBusy

from .test_result_cache import CountingExecutor

SELECT = "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 7"
SPARQL_QUERY = "application/sparql-query"
JSON = "application/sparql-results+json"


@pytest.fixture(params=["cache off", "cache on"])
def app(seed_build: Path, request: pytest.FixtureRequest):
    cache_mb = 0 if request.param == "cache off" else 16
    app = create_app({"DATA_DIR": str(seed_build), "QUERY_WORKERS": 0, "MAX_RESULT_ROWS": 100_000,
                      "RESULT_CACHE_MB": cache_mb})
    app.extensions["archivekg.executor"] = CountingExecutor(app.extensions["archivekg.store"])
    return app


def _both(app, method: str, query_string: str = "", data: bytes | None = None,  # type: ignore[no-untyped-def]
          headers: dict[str, str] | None = None) -> tuple:
    """The response of the fast path, then Flask's, each (status, headers without Date, body)."""
    out = []
    for wsgi in (app.wsgi_app, app.extensions["archivekg.flask_wsgi"]):
        resp = Client(wsgi).open("/sparql", method=method, query_string=query_string, data=data,
                                 headers=headers or {})
        out.append((resp.status, [(k, v) for k, v in resp.headers.items() if k != "Date"], resp.get_data()))
    return tuple(out)


CASES = [
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": JSON}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY + "; charset=UTF-8", "Accept": "text/csv"}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": "text/tab-separated-values"}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": "application/sparql-results+xml"}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": "application/json;q=0.5, text/csv;q=0.4"}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY}),  # no Accept
    ("POST", "", b"ASK { ?s ?p ?o }", {"Content-Type": SPARQL_QUERY, "Accept": JSON}),
    ("POST", "", b"CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", {"Content-Type": SPARQL_QUERY, "Accept": "text/turtle"}),
    ("POST", "", b"CONSTRUCT WHERE { ?s ?p ?o } LIMIT 5", {"Content-Type": SPARQL_QUERY, "Accept": "application/rdf+xml"}),
    ("POST", "", b"SELECT * WHERE { ?s ?p ?o }", {"Content-Type": SPARQL_QUERY, "Accept": JSON}),  # streamed
    ("POST", "", b"SELECT ?s FROM <urn:x:none> WHERE { ?s ?p ?o }", {"Content-Type": SPARQL_QUERY, "Accept": JSON}),
    ("GET", "query=" + SELECT.replace(" ", "+"), None, {"Accept": JSON}),
    ("GET", "query=SELECT%20%3Fs%20WHERE%20%7B%20%3Fs%20%3Fp%20%3Fo%20%7D%20LIMIT%202", None, {"Accept": "text/csv"}),
    # refused before the query runs: Flask's path, whole
    ("POST", "", b"INSERT DATA { <urn:a> <urn:b> <urn:c> }", {"Content-Type": SPARQL_QUERY}),
    ("POST", "", b"SELECT * WHERE { SERVICE <http://evil.example/sparql> { ?s ?p ?o } }", {"Content-Type": SPARQL_QUERY}),
    ("POST", "", b"ASK {} #" + b"x" * 200_000, {"Content-Type": SPARQL_QUERY}),
    ("POST", "", b"ASK { \xff }", {"Content-Type": SPARQL_QUERY, "Accept": JSON}),
    ("POST", "", b"ASK {}", {"Content-Type": SPARQL_QUERY + "; charset=utf-16"}),
    ("POST", "", b"", {"Content-Type": SPARQL_QUERY}),
    ("POST", "format=csv", SELECT.encode(), {"Content-Type": SPARQL_QUERY}),
    ("GET", "query=" + SELECT.replace(" ", "+") + "&format=tsv", None, {}),
    ("GET", "query=", None, {}),
    ("GET", "", None, {"Accept": "text/turtle"}),  # the Service Description
    ("GET", "query=DESCRIBE+%3Chttps%3A%2F%2Fexample.org%2Fid%2Fperson%2Fmao-zedong%3E", None, {"Accept": "text/turtle"}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": "text/html"}),  # a table for people
    # refused after it ran: Flask's error handlers
    ("POST", "", b"SELECT ?s WHERE { ?s ?p }", {"Content-Type": SPARQL_QUERY, "Accept": JSON}),
    ("POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": "image/png"}),
    ("HEAD", "query=ASK+%7B%7D", None, {}),
]


@pytest.mark.parametrize("case", CASES, ids=[f"{m} {q[:30]} {(d or b'')[:30]!r} {h}" for m, q, d, h in CASES])
def test_the_fast_path_answers_as_flask_does(app, case) -> None:
    fast, flask = _both(app, *case)
    assert fast == flask


def test_a_result_cut_at_the_bound_says_so_on_both_paths(seed_build: Path) -> None:
    app = create_app({"DATA_DIR": str(seed_build), "QUERY_WORKERS": 0, "MAX_RESULT_ROWS": 5})
    app.extensions["archivekg.executor"] = CountingExecutor(app.extensions["archivekg.store"])
    fast, flask = _both(app, "POST", "", SELECT.encode(), {"Content-Type": SPARQL_QUERY, "Accept": JSON})
    assert fast == flask and ("X-Result-Truncated", "true") in fast[1]


@pytest.mark.parametrize("error", [QueryTimeout("the query ran longer than the time limit of 3 s and was stopped"),
                                   ServerBusy("every query process is busy")])
def test_a_query_stopped_or_refused_for_lack_of_a_process_is_the_same_503(app, error) -> None:
    class Refusing:
        def run(self, job):  # type: ignore[no-untyped-def]
            raise error

    app.extensions["archivekg.executor"] = Refusing()
    query = b"ASK { <urn:x:1> ?p ?o . ?o ?q ?r }"  # two patterns: not a lookup, so it goes to the executor
    fast, flask = _both(app, "POST", "", query, {"Content-Type": SPARQL_QUERY, "Accept": JSON})
    assert fast == flask and fast[0].startswith("503")


def test_the_usual_request_does_not_reach_flask_and_the_others_do(app) -> None:
    from server.sparql import sparql_fast_path

    reached: list[str] = []
    flask_wsgi = app.extensions["archivekg.flask_wsgi"]

    def counting(environ, start_response):  # type: ignore[no-untyped-def]
        reached.append(environ["REQUEST_METHOD"])
        return flask_wsgi(environ, start_response)

    client = Client(sparql_fast_path(app, counting))
    for method, query_string, data, headers in CASES[:13]:  # the usual requests
        assert client.open("/sparql", method=method, query_string=query_string, data=data, headers=headers).status_code == 200
    assert reached == []
    for method, query_string, data, headers in CASES[13:]:
        client.open("/sparql", method=method, query_string=query_string, data=data, headers=headers)
    assert len(reached) == len(CASES) - 13 - 2  # all but the two refused after they ran (syntax, no format)
