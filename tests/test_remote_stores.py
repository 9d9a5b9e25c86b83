"""Issue 14: a build published into real remote stores (`oxigraph serve`, Virtuoso 7) and read back.

Each engine is a real server started on 127.0.0.1 by the test (tests/engines.py). `archivekg publish` runs
as a user runs it, in a subprocess; the comparisons read through the store interface the server uses.
The server's own protocol, page and client checks run in front of each engine through the parametrised
``server`` and ``endpoint`` fixtures (tests/conftest.py, tests/test_w3c_protocol.py).
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import pytest
import requests

from converter.catalogue import load_catalogue
from converter.publish_remote import remote_counts
from server.remote_store import RemoteStore
from server.store import OxigraphStore

from .conftest import BASE, FIXTURES, ROOT, SEED, run_cli
from .engines import Engine, missing, started

ENGINES = ("oxigraph", "virtuoso")
GRAPH = f"{BASE}id/graph/"


def _engine(name: str, directory: Path) -> Iterator[Engine]:
    reason = missing(name)
    if reason:
        pytest.skip(reason)
    with started(name, directory) as engine:
        yield engine


@pytest.fixture(scope="module", params=ENGINES)
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, seed_build: Path):
    """The seed's build, published into a fresh engine."""
    work = tmp_path_factory.mktemp(f"remote-{request.param}")
    out = work / "out"
    shutil.copytree(seed_build, out, symlinks=True)
    for engine in _engine(request.param, work / "engine"):
        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())
        assert res.returncode == 0, res.stderr
        assert "2 graph(s) sent, 0 unchanged, 0 deleted; every graph verified" in res.stdout
        yield engine, out


def _void_counts(out: Path) -> dict[str, int]:
    counts = {}
    for q in ox.parse(path=str(out / "current" / "void.ttl"), format=ox.RdfFormat.TURTLE):
        if q.predicate.value == "http://rdfs.org/ns/void#triples" and q.subject.value.startswith(GRAPH):
            counts[q.subject.value] = int(q.object.value)
    return counts


def _rows(result) -> list:  # type: ignore[no-untyped-def]
    if isinstance(result, ox.QueryBoolean):
        return [bool(result)]
    if isinstance(result, ox.QuerySolutions):
        names = [v.value for v in result.variables]
        return sorted(tuple(str(sol[n]) if sol[n] is not None else "" for n in names) for sol in result)
    return sorted(str(t) for t in result)


CATALOGUE = {q.name: q.sparql for q in load_catalogue() if not q.federated}


@pytest.mark.parametrize("name", sorted(CATALOGUE))
def test_the_catalogue_answers_the_same_on_every_store(loaded, name: str) -> None:
    """Each catalogue query, answer by answer, as the embedded store gives it. (The federated ones reach
    Wikidata, which a test cannot: tests/test_server.py runs them over HTTP with a local copy.)"""
    engine, out = loaded
    embedded = _rows(OxigraphStore(out).query(CATALOGUE[name]))
    remote = _rows(RemoteStore(out, engine.query_url).query(CATALOGUE[name]))
    assert embedded, name  # the query finds something in the seed, so the comparison says something
    assert remote == embedded, name


def test_the_union_is_the_build_and_constructs_come_back_whole(loaded) -> None:
    """Without a dataset, the default graph is the union of the build's graphs (Virtuoso's system graphs stay
    out); a CONSTRUCT gives every triple back as the embedded store holds it."""
    engine, out = loaded
    store = RemoteStore(out, engine.query_url)
    count = next(iter(store.query("SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }")))["n"].value
    assert int(count) == json.loads((out / "current" / "build.json").read_text())["triples"]
    query = f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ GRAPH <{GRAPH}111239> {{ ?s ?p ?o }} }}"
    assert _rows(store.query(query)) == _rows(OxigraphStore(out).query(query))
    assert bool(store.query("ASK { ?s a <https://w3id.org/archivekg/ontology#Claim> }")) is True


def test_a_long_query_goes_by_form_post_and_is_answered_whole(loaded) -> None:
    """A query too long for a URL goes as a form POST (never a direct application/sparql-query POST, on
    which Virtuoso hangs); the answer is the embedded store's."""
    engine, out = loaded
    values = " ".join(f'"{n:05d}"' for n in range(800))  # about 6,400 characters
    query = f"SELECT ?u WHERE {{ VALUES ?pad {{ {values} }} ?u a <https://w3id.org/archivekg/ontology#Utterance> FILTER(?pad = \"00007\") }}"
    assert len(query) > 5000
    remote = _rows(RemoteStore(out, engine.query_url).query(query))
    assert remote == _rows(OxigraphStore(out).query(query)) and len(remote) == 28


def test_a_bad_query_is_named_as_the_embedded_store_names_it(loaded) -> None:
    from server.store import QuerySyntaxError

    engine, out = loaded
    messages = []
    for store in (OxigraphStore(out), RemoteStore(out, engine.query_url)):
        with pytest.raises(QuerySyntaxError) as err:
            store.query("SELECT * WHERE { ?s ?p }")
        messages.append(str(err.value))
    assert messages[0] == messages[1] and "1:25" in messages[0]


def test_a_cut_answer_is_never_taken_for_a_whole_one(tmp_path: Path, seed_build: Path) -> None:
    """Virtuoso answers a query past its time limit with what it has ("anytime" results, X-SQL-State S1TAT):
    the store refuses it (StoreTimeout, a 503 for the client) instead of passing part of the answer on."""
    from server.store import StoreTimeout

    out = tmp_path / "out"
    shutil.copytree(seed_build, out, symlinks=True)  # publish writes its record next to the build
    for engine in _engine("virtuoso", tmp_path / "engine"):
        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())
        assert res.returncode == 0, res.stderr
        store = RemoteStore(out, engine.query_url, timeout=1)
        with pytest.raises(StoreTimeout, match="time limit"):
            list(store.query("SELECT * WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i } ORDER BY ?c ?f ?i LIMIT 5"))


def _build(work: Path, documents: list[Path]) -> Path:
    src = work / "src"
    shutil.rmtree(src, ignore_errors=True)
    (src / "documents").mkdir(parents=True)
    for doc in documents:
        shutil.copy(doc, src / "documents" / doc.name)
    shutil.copytree(ROOT / "seeds" / "authority", src / "authority")
    out = work / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    return out


@pytest.mark.parametrize("name", ENGINES)
def test_republish_sends_what_changed_and_deletes_removed_documents(tmp_path: Path, name: str) -> None:
    telegram = FIXTURES / "documents" / "telegram.txt"
    for engine in _engine(name, tmp_path / "engine"):
        out = _build(tmp_path, [SEED, telegram])
        graphs = sorted(_void_counts(out))
        assert len(graphs) == 3  # two documents and the entities
        res = run_cli("publish", str(out), *engine.publish_args(), "--progress", env=engine.publish_env())
        assert res.returncode == 0 and "3 graph(s) sent" in res.stdout, res.stderr
        assert "publishing: 100%" in res.stderr and "3/3" in res.stderr  # the progress bar, asked for
        session = requests.Session()
        assert remote_counts(session, engine.query_url, graphs) == _void_counts(out)

        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())
        assert res.returncode == 0 and "0 graph(s) sent, 3 unchanged, 0 deleted" in res.stdout, res.stdout

        out = _build(tmp_path, [SEED])  # the telegram is gone from the build: its graph goes from the store
        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())
        assert res.returncode == 0, res.stderr
        gone = sorted(set(graphs) - set(_void_counts(out)))
        assert len(gone) == 1 and "1 deleted" in res.stdout
        assert remote_counts(session, engine.query_url, gone) == {gone[0]: 0}
        assert remote_counts(session, engine.query_url, sorted(_void_counts(out))) == _void_counts(out)


def test_a_count_that_does_not_match_is_an_error_naming_the_graph(tmp_path: Path, seed_build: Path) -> None:
    out = tmp_path / "out"
    shutil.copytree(seed_build, out, symlinks=True)
    void = out / "current" / "void.ttl"
    void.unlink()  # a copy of its own, edited: the release shares nothing with the session's build
    text = (seed_build / "current" / "void.ttl").read_text(encoding="utf-8")
    counts = _void_counts(seed_build)
    graph = f"{GRAPH}111239"
    void.write_text(text.replace(f"void:triples {counts[graph]} ;", f"void:triples {counts[graph] + 1} ;"),
                    encoding="utf-8")
    assert _void_counts(out)[graph] == counts[graph] + 1
    for engine in _engine("oxigraph", tmp_path / "engine"):
        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())
        assert res.returncode == 1
        assert f"<{graph}> has {counts[graph]} triples in the store, the build has {counts[graph] + 1}" in res.stderr
        assert "Traceback" not in res.stderr


def test_credentials_come_from_the_environment_and_are_checked(tmp_path: Path, seed_build: Path) -> None:
    for engine in _engine("virtuoso", tmp_path / "engine"):
        res = run_cli("publish", str(seed_build), "--to", engine.store_url, "--user", "dba",
                      env={"ARCHIVEKG_STORE_PASSWORD": "not-the-password"})
        assert res.returncode == 1 and "refused the credentials" in res.stderr and "Traceback" not in res.stderr
        import os

        env = {k: v for k, v in os.environ.items() if k != "ARCHIVEKG_STORE_PASSWORD"}
        import subprocess
        import sys

        res2 = subprocess.run([sys.executable, "-m", "converter.cli", "publish", str(seed_build), "--to",
                               engine.store_url, "--user", "dba"], capture_output=True, text=True, env=env, cwd=ROOT)
        assert res2.returncode == 2 and "ARCHIVEKG_STORE_PASSWORD" in res2.stderr
        res3 = run_cli("publish", str(seed_build), "--to", engine.store_url, env={"ARCHIVEKG_STORE_PASSWORD": ""})
        assert res3.returncode == 1 and "--user" in res3.stderr  # no account: Virtuoso's digest endpoint says 401


def test_publish_retries_until_the_store_is_back(tmp_path: Path, seed_build: Path) -> None:
    """A store that is down when publish starts (restarting, say) and up a few seconds later: the requests are
    retried with backoff (0.5, 1, 2, 4 s ...) and the build arrives whole."""
    import os
    import subprocess
    import sys
    import time

    from .conftest import _free_port
    from .engines import oxigraph_server

    if missing("oxigraph"):
        pytest.skip(missing("oxigraph"))
    out = tmp_path / "out"
    shutil.copytree(seed_build, out, symlinks=True)
    port = _free_port()
    proc = subprocess.Popen([sys.executable, "-m", "converter.cli", "publish", str(out), "--to",
                             f"http://127.0.0.1:{port}/store", "--retries", "8"], cwd=ROOT, env=dict(os.environ),
                            stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        time.sleep(2)
        assert proc.poll() is None  # still retrying
        with oxigraph_server(tmp_path / "engine", port=port):
            stdout, stderr = proc.communicate(timeout=120)
    finally:
        if proc.poll() is None:
            proc.kill()
    assert proc.returncode == 0, stderr
    assert "2 graph(s) sent" in stdout and "every graph verified" in stdout


def test_an_unreachable_store_is_a_clear_error(seed_build: Path) -> None:
    from .conftest import _free_port

    res = run_cli("publish", str(seed_build), "--to", f"http://127.0.0.1:{_free_port()}/store", "--retries", "1")
    assert res.returncode == 1 and "cannot be reached" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("publish", str(seed_build), "--to", "ftp://example.org/store")
    assert res.returncode == 2 and "not an http(s) URL" in res.stderr


def test_virtuoso_bulk_loader_loads_the_nquads_dump(tmp_path: Path, seed_build: Path) -> None:
    """The path of docs/deploy.md for very large loads: ld_dir over the build's N-Quads, rdf_loader_run, and
    the graphs read back with the counts of the VoID; then `serve --endpoint` reads it like a published store."""
    for engine in _engine("virtuoso", tmp_path / "engine"):
        load = engine.directory / "load"  # type: ignore[operator]
        load.mkdir()
        shutil.copy(seed_build / "current" / "dumps" / "archivekg.nq.gz", load / "archivekg.nq.gz")
        engine.isql(f"ld_dir('{load}', '*.nq.gz', 'urn:archivekg:unnamed');")
        engine.isql("rdf_loader_run();")
        engine.isql("checkpoint;")
        errors = engine.isql("SELECT ll_file, ll_error FROM DB.DBA.LOAD_LIST WHERE ll_error IS NOT NULL;")
        assert "archivekg.nq.gz" not in errors, errors
        expected = _void_counts(seed_build)
        assert remote_counts(requests.Session(), engine.query_url, sorted(expected)) == expected
        with gzip.open(seed_build / "current" / "dumps" / "archivekg.nq.gz") as dump:
            assert sum(1 for _ in dump) == sum(expected.values())
        store = RemoteStore(seed_build, engine.query_url)
        query = CATALOGUE["cq03-utterances-of-a-speaker"]
        assert _rows(store.query(query)) == _rows(OxigraphStore(seed_build).query(query))


def test_serve_refuses_an_endpoint_that_is_down_or_does_not_hold_the_build(tmp_path: Path, seed_build: Path) -> None:
    from .conftest import _free_port

    res = run_cli("serve", str(seed_build), "--port", str(_free_port()),
                  "--endpoint", f"http://127.0.0.1:{_free_port()}/query")
    assert res.returncode == 1 and "cannot be reached" in res.stderr and "Traceback" not in res.stderr
    res = run_cli("serve", str(seed_build), "--port", str(_free_port()), "--endpoint", "127.0.0.1:7878/query")
    assert res.returncode == 2 and "not an http(s) URL" in res.stderr
    for engine in _engine("oxigraph", tmp_path / "engine"):  # running, but nothing published to it
        res = run_cli("serve", str(seed_build), "--port", str(_free_port()), "--endpoint", engine.query_url)
        assert res.returncode == 1 and "does not hold this build" in res.stderr and "archivekg publish" in res.stderr
