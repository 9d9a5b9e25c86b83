"""The result cache of /sparql (server/executor.py ResultCache, server/sparql.py run_query): a repeated query is
answered byte for byte as the first time, headers included, without running again; what must run each time
does (a query whose answer changes from run to run, a failure, a result too long to keep); a new build drops it.

The app is made in this process (Flask's test client) with an executor that counts the jobs it runs and answers
as the query processes do: a result within its first chunk comes whole, a longer one in pieces.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

import pytest

from server.app import create_app
from server.executor import CHUNK_BYTES, Job, Result, ResultCache, execute

JSON = {"Accept": "application/sparql-results+json"}


class CountingExecutor:
    """Runs each job in this thread, counting them; a short result whole, a long one in two pieces."""

    def __init__(self, store) -> None:  # type: ignore[no-untyped-def]
        self.store = store
        self.jobs: list[Job] = []

    def run(self, job: Job) -> Result:
        self.jobs.append(job)
        result = execute(self.store, job)
        body = result.read()
        if result.outcome.status != "ok" or len(body) <= CHUNK_BYTES:
            return Result(result.outcome, body)
        return Result(result.outcome, [body[:CHUNK_BYTES], body[CHUNK_BYTES:]])


@pytest.fixture()
def app(seed_build: Path):
    # Lookups off (QUERY_LOOKUP_ROWS 0): every query that is not kept goes to the executor, which counts it.
    app = create_app({"DATA_DIR": str(seed_build), "QUERY_WORKERS": 0, "MAX_RESULT_ROWS": 100_000,
                      "QUERY_LOOKUP_ROWS": 0})
    app.extensions["archivekg.executor"] = CountingExecutor(app.extensions["archivekg.store"])
    return app


def _ask(client, query: str, headers: dict[str, str] | None = None, **params: str):  # type: ignore[no-untyped-def]
    resp = client.get("/sparql", query_string={"query": query, **params}, headers=headers or JSON)
    return resp.status_code, [(k, v) for k, v in resp.headers.items() if k != "Date"], resp.get_data()


def test_a_repeated_query_is_answered_as_the_first_time_without_running_again(app) -> None:
    runs = app.extensions["archivekg.executor"].jobs
    client = app.test_client()
    query = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 3"
    first = _ask(client, query)
    assert first[0] == 200 and len(json.loads(first[2])["results"]["bindings"]) == 3
    assert _ask(client, query) == first and len(runs) == 1  # the same bytes, the same headers
    # Another format, another dataset, another bound: each is its own answer, and runs.
    assert _ask(client, query, {"Accept": "text/csv"})[0] == 200 and len(runs) == 2
    assert _ask(client, query, **{"default-graph-uri": "urn:x:none"})[0] == 200 and len(runs) == 3
    assert _ask(client, query + " ")[0] == 200 and len(runs) == 4  # another text
    assert _ask(client, query, {"Accept": "text/csv"})[0] == 200 and len(runs) == 4


@pytest.mark.parametrize("query", [
    "SELECT (NOW() AS ?t) WHERE {}", "SELECT (RAND() AS ?r) WHERE {}", "SELECT (uuid() AS ?u) WHERE {}",
    "SELECT (STRUUID() AS ?u) WHERE {}", "SELECT (BNODE() AS ?b) WHERE {}",
])
def test_a_query_whose_answer_changes_from_run_to_run_runs_each_time(app, query) -> None:
    runs = app.extensions["archivekg.executor"].jobs
    client = app.test_client()
    assert _ask(client, query)[0] == 200 and _ask(client, query)[0] == 200
    assert len(runs) == 2


def test_failures_and_long_results_are_not_kept(app) -> None:
    runs = app.extensions["archivekg.executor"].jobs
    client = app.test_client()
    bad = "SELECT ?s WHERE { ?s ?p }"
    assert _ask(client, bad)[0] == 400 and _ask(client, bad)[0] == 400 and len(runs) == 2
    long = "SELECT * WHERE { ?s ?p ?o }"  # the seed's every triple: far more than one chunk
    first = _ask(client, long)
    assert first[0] == 200 and len(first[2]) > CHUNK_BYTES
    assert _ask(client, long)[2] == first[2] and len(runs) == 4  # ran again


def test_a_new_build_is_asked_afresh(app, seed_build: Path) -> None:
    runs = app.extensions["archivekg.executor"].jobs
    client = app.test_client()
    query = "ASK { ?s ?p ?o }"
    assert _ask(client, query)[0] == 200 and _ask(client, query)[0] == 200 and len(runs) == 1
    build_json = seed_build / "current" / "build.json"
    st = build_json.stat()
    os.utime(build_json, ns=(st.st_atime_ns, st.st_mtime_ns + 1_000_000_000))  # build.json rewritten: another build
    try:
        assert _ask(client, query)[0] == 200 and len(runs) == 2
        assert _ask(client, query)[0] == 200 and len(runs) == 2
    finally:
        os.utime(build_json, ns=(st.st_atime_ns, st.st_mtime_ns))


def test_the_cache_can_be_turned_off(seed_build: Path) -> None:
    app = create_app({"DATA_DIR": str(seed_build), "QUERY_WORKERS": 0, "RESULT_CACHE_MB": 0})
    assert "archivekg.results" not in app.extensions
    app.extensions["archivekg.executor"] = executor = CountingExecutor(app.extensions["archivekg.store"])
    client = app.test_client()
    assert _ask(client, "ASK {}")[0] == 200 and _ask(client, "ASK {}")[0] == 200 and len(executor.jobs) == 2


def test_the_cache_is_bounded_and_drops_the_least_recently_used() -> None:
    from server.executor import Outcome
    from server.store import Dataset

    cache = ResultCache(max_bytes=3 * (1000 + 256 + 10))
    ok = Outcome("ok", "application/sparql-results+json", False, form="results")
    keys = [(("release",), Job(f"ASK {{}} #{i}", Dataset(), "application/sparql-results+json", None, 10))
            for i in range(4)]
    for key in keys[:3]:
        cache.put(key, Result(ok, b"x" * 1000))
    assert len(cache) == 3
    assert cache.get(keys[0]) is not None  # now the most recently used
    cache.put(keys[3], Result(ok, b"x" * 1000))
    assert len(cache) == 3 and cache.get(keys[1]) is None and cache.get(keys[0]) is not None
    cache.put((("release",), keys[0][1]), Result(Outcome("error", message="no"), b""))  # not kept: a failure
    cache.put((("next release",), keys[0][1]), Result(ok, b"y"))  # a new build: the old answers go
    assert len(cache) == 1 and cache.get(keys[0]) is None
