"""Shared fixtures: the seed document, the authority data, built graphs and builds."""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

from converter.authority import Authority, load_authority
from converter.pipeline import Built, build_document
from converter.to_rdf import SourceInfo
from converter.uris import Minter

ROOT = Path(__file__).resolve().parents[1]
SEED = ROOT / "seeds" / "documents" / "000_a7f71ba93af0ba45.txt"
FIXTURES = ROOT / "tests" / "fixtures"
LAYOUTS = sorted(p.stem for p in (FIXTURES / "documents").glob("*.txt"))
BASE = "https://example.org/"


def source_info(name: str, text: str) -> SourceInfo:
    return SourceInfo(name, "0" * 64, len(text.encode("utf-8")), len(text))


@pytest.fixture(scope="session")
def authority() -> Authority:
    return load_authority(ROOT / "seeds" / "authority")


@pytest.fixture(scope="session")
def seed_text() -> str:
    return SEED.read_text(encoding="utf-8")


@pytest.fixture(scope="session")
def seed_built(seed_text: str, authority: Authority) -> Built:
    return build_document(seed_text, source_info(SEED.name, seed_text), authority=authority, minter=Minter(BASE))


def layout(name: str) -> tuple[str, dict]:
    text = (FIXTURES / "documents" / f"{name}.txt").read_text(encoding="utf-8")
    expected = json.loads((FIXTURES / "documents" / f"{name}.json").read_text(encoding="utf-8"))
    return text, expected


def run_cli(*args: str, cwd: Path | None = None, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    """Run the real command line in a subprocess, as a user would."""
    full_env = {**os.environ, **(env or {})}
    return subprocess.run(
        [sys.executable, "-m", "converter.cli", *args], cwd=cwd or ROOT, capture_output=True, text=True,
        env=full_env, timeout=300,
    )


@pytest.fixture(scope="session")
def seed_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real build of seeds/ (the seed document) into a temporary output directory."""
    out = tmp_path_factory.mktemp("seed-build") / "out"
    res = run_cli("build", str(ROOT / "seeds"), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    return out


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextmanager
def serving(data_dir: Path, env: dict[str, str] | None = None) -> Iterator[str]:
    """`archivekg serve DATA_DIR` on a free loopback port, as users run it; yields its URL."""
    port = _free_port()
    log_path = data_dir.parent / f"serve-{port}.log"
    with log_path.open("wb") as log:
        proc = subprocess.Popen(
            [sys.executable, "-m", "converter.cli", "serve", str(data_dir), "--port", str(port)],
            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=log, env={**os.environ, **(env or {})},
        )
        url = f"http://127.0.0.1:{port}"
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                urllib.request.urlopen(url + "/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        else:
            proc.kill()
            proc.wait()
            raise RuntimeError(log_path.read_text())
        try:
            yield url
        finally:
            proc.terminate()
            proc.wait(timeout=10)


@pytest.fixture(scope="session")
def wikidata_endpoint(tmp_path_factory: pytest.TempPathFactory):
    """A real SPARQL endpoint on loopback (this project's server) over the Wikidata-shaped fixture."""
    out = rdf_release(tmp_path_factory.mktemp("wikidata"), {None: FIXTURES / "wikidata" / "wikidata.ttl"})
    with serving(out) as url:
        yield url + "/sparql"


# The stores the server is tested over: its embedded store, and the remote engines of issue 14, each a real
# server started on loopback (tests/engines.py), loaded with `archivekg publish` and read with `serve --endpoint`.
BACKENDS = ("embedded", "oxigraph", "virtuoso")


@contextmanager
def served(out: Path, env: dict[str, str] | None = None, backend: str = "embedded",
           workdir: Path | None = None) -> Iterator[str]:
    """`archivekg serve` over the build in ``out``: on its embedded store, or published into a fresh engine."""
    if backend == "embedded":
        with serving(out, env) as url:
            yield url
        return
    from .engines import missing, started

    reason = missing(backend)
    if reason:
        pytest.skip(reason)
    with started(backend, workdir or out.parent / f"engine-{backend}") as engine:
        _PUBLISHED_TO[out] = engine
        try:
            republish(out)
            with serving(out, {**(env or {}), "ARCHIVEKG_ENDPOINT": engine.query_url}) as url:
                yield url
        finally:
            _PUBLISHED_TO.pop(out, None)


_PUBLISHED_TO: dict[Path, object] = {}


def republish(out: Path) -> None:
    """After a new build into ``out``: `archivekg publish` it to the engine it is served from, if it is (as an
    operator of a remote store does); on the embedded store the server picks the build up by itself."""
    engine = _PUBLISHED_TO.get(out)
    if engine is not None:
        res = run_cli("publish", str(out), *engine.publish_args(), env=engine.publish_env())  # type: ignore[attr-defined]
        assert res.returncode == 0, res.stderr


@pytest.fixture(scope="session", params=BACKENDS)
def server(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory, wikidata_endpoint: str):
    """The seed's build, served, with a short time limit and a small result bound for the tests, on each store.

    SERVICE <https://query.wikidata.org/sparql> goes to the local Wikidata-shaped endpoint.
    """
    out = tmp_path_factory.mktemp("served") / "out"
    assert run_cli("build", str(ROOT / "seeds"), "--out", str(out), "--base-uri", BASE).returncode == 0
    env = {"ARCHIVEKG_QUERY_TIMEOUT": "3", "ARCHIVEKG_MAX_RESULT_ROWS": "1000",
           "ARCHIVEKG_WIKIDATA_ENDPOINT": wikidata_endpoint}
    with served(out, env, request.param) as url:
        yield url, out


def rdf_release(out: Path, graphs: dict[str | None, Path], base_uri: str = "http://www.example/") -> Path:
    """A published release of plain RDF files (graph name -> file; None for the default graph), as `serve` reads it."""
    import pyoxigraph as ox

    release = out / "releases" / "fixture"
    release.mkdir(parents=True)
    store = ox.Store(str(release / "store"))
    for graph, path in graphs.items():
        fmt = ox.RdfFormat.from_extension(path.suffix.lstrip("."))
        store.load(path=str(path), format=fmt, to_graph=ox.NamedNode(graph) if graph else ox.DefaultGraph())
    store.flush()
    del store
    (release / "build.json").write_text(json.dumps({
        "archivekg": "test", "build_time": "2026-01-01T00:00:00Z", "base_uri": base_uri,
        "documents": 0, "triples": 0, "persons": 0, "utterances": 0, "dumps": {}}))
    os.symlink("releases/fixture", out / "current")
    return out


class Listener:
    """A TCP listener on loopback that records every connection made to it: a host no query may reach."""

    def __init__(self) -> None:
        import threading

        self.sock = socket.socket()
        self.sock.bind(("127.0.0.1", 0))
        self.sock.listen(16)
        self.sock.settimeout(0.2)
        self.url = f"http://127.0.0.1:{self.sock.getsockname()[1]}/sparql"
        self.connections: list[bytes] = []
        self._stop = False
        self._thread = threading.Thread(target=self._accept, daemon=True)
        self._thread.start()

    def _accept(self) -> None:
        while not self._stop:
            try:
                conn, _ = self.sock.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1)
                try:
                    self.connections.append(conn.recv(200))
                except OSError:
                    self.connections.append(b"")

    def close(self) -> None:
        self._stop = True
        self._thread.join(2)
        self.sock.close()


@pytest.fixture
def listener() -> Iterator[Listener]:
    lst = Listener()
    try:
        yield lst
    finally:
        lst.close()
