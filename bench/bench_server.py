#!/usr/bin/env python3
"""Query latency and throughput over HTTP against the same queries sent straight to pyoxigraph.

    python bench/bench_server.py [--documents 200] [--repeat 20] [--workdir DIR]

Builds a generated corpus (bench/generate_corpus.py), starts `archivekg serve` on a
loopback port, and runs each query of the catalogue (server/queries) --repeat times
over HTTP (POST application/sparql-query, JSON results) and directly on the
read-only store (pyoxigraph, serialised to JSON the same way). Prints median and
95th-percentile latency per query, the overhead ratio, and the throughput of
concurrent HTTP clients.
"""

from __future__ import annotations

import argparse
import json
import os
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(ROOT / "bench"))

from generate_corpus import generate_corpus  # noqa: E402

from converter.catalogue import load_catalogue  # noqa: E402


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def generated_build(work: Path, documents: int) -> Path:
    """The build of a generated corpus under WORK, made once and reused by later runs."""
    corpus, out = work / "corpus", work / "out"
    if not corpus.exists():
        generate_corpus(corpus, documents=documents, seed=1)
    if not (out / "current").exists():
        subprocess.run([sys.executable, "-m", "converter.cli", "build", str(corpus), "--out", str(out),
                        "--authority", str(ROOT / "seeds" / "authority")], check=True, cwd=ROOT)
    return out


@contextmanager
def served(out: Path, env: dict[str, str]) -> Iterator[tuple[str, subprocess.Popen]]:
    """`archivekg serve OUT` on a free loopback port with these settings; (SPARQL URL, process)."""
    port = _port()
    proc = subprocess.Popen([sys.executable, "-m", "converter.cli", "serve", str(out), "--port", str(port)],
                            cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env={**os.environ, **env})
    try:
        for _ in range(300):
            try:
                urllib.request.urlopen(f"http://127.0.0.1:{port}/health", timeout=1)
                break
            except OSError:
                time.sleep(0.1)
        yield f"http://127.0.0.1:{port}/sparql", proc
    finally:
        proc.terminate()
        proc.wait(10)


def _post(url: str, query: str) -> bytes:
    req = urllib.request.Request(url, data=query.encode(), method="POST",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=120) as resp:
        return resp.read()


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=200)
    ap.add_argument("--repeat", type=int, default=20)
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for the throughput run")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", action="store_true")
    args = ap.parse_args(argv)
    import pyoxigraph as ox

    from server.executor import Job, execute
    from server.store import Dataset, OxigraphStore

    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-serve-bench-"))
    out = generated_build(work, args.documents)
    with served(out, {"ARCHIVEKG_MAX_RESULT_ROWS": "100000"}) as (url, _):
        store = OxigraphStore(out)
        rows = []
        for q in [q for q in load_catalogue() if not q.federated]:  # no network in benchmarks
            direct, http = [], []
            for _ in range(args.repeat):
                t = time.perf_counter()
                execute(store, Job(q.sparql, Dataset(), "application/sparql-results+json", None, 100000)).read()
                direct.append(time.perf_counter() - t)
                t = time.perf_counter()
                _post(url, q.sparql)
                http.append(time.perf_counter() - t)
            rows.append({"query": q.name, "direct_ms_p50": round(statistics.median(direct) * 1000, 2),
                         "http_ms_p50": round(statistics.median(http) * 1000, 2),
                         "http_ms_p95": round(sorted(http)[int(0.95 * (len(http) - 1))] * 1000, 2)})
        total_direct = sum(r["direct_ms_p50"] for r in rows)
        total_http = sum(r["http_ms_p50"] for r in rows)
        queries = [q.sparql for q in load_catalogue() if not q.federated]
        done = []

        def client() -> None:
            for i in range(args.repeat):
                _post(url, queries[i % len(queries)])
                done.append(1)

        started = time.perf_counter()
        threads = [threading.Thread(target=client) for _ in range(args.clients)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
        elapsed = time.perf_counter() - started
        report = {"documents": args.documents, "quads": len(ox.Store.read_only(str(out / "current" / "store"))),
                  "queries": rows, "sum_p50_direct_ms": round(total_direct, 1), "sum_p50_http_ms": round(total_http, 1),
                  "overhead_ratio": round(total_http / total_direct, 2) if total_direct else None,
                  "throughput_queries_per_s": round(len(done) / elapsed, 1), "clients": args.clients}
    if args.json:
        print(json.dumps(report, indent=1))
    else:
        for r in report["queries"]:
            print(f"{r['query']:<44} direct {r['direct_ms_p50']:>8} ms   http {r['http_ms_p50']:>8} ms (p95 {r['http_ms_p95']})")
        for k in ("documents", "quads", "sum_p50_direct_ms", "sum_p50_http_ms", "overhead_ratio", "throughput_queries_per_s", "clients"):
            print(f"{k:<30}{report[k]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
