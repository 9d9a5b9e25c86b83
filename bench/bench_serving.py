#!/usr/bin/env python3
"""Serving at archive scale (issue 13, point 6): catalogue queries, search, throughput and memory.

    python bench/bench_serving.py --build DIR [--repeat 20] [--clients 4] [--seconds 10] [--rounds 3] [--only throughput] [--json]
    python bench/bench_serving.py [--documents 16000] [--workdir DIR] ...

Takes the build in --build (an `archivekg build --out` directory), or generates --documents documents
(bench/generate_corpus.py) and builds them in WORKDIR (bench_server.generated_build, reused by later runs).
Then, in one run, on 127.0.0.1 only:

1. starts `archivekg serve` (Granian, its worker and query processes, the default settings) and waits until it has
   settled: the warm-up it does as it starts (the pictures, the editor's vocabulary) done, its processes idle
   (at most --settle seconds; the time is printed);
2. runs each query of the catalogue (server/queries/*.rq, the federated ones left out: no network here)
   --repeat times over HTTP (POST application/sparql-query, JSON results, read to the end), each time with a
   comment of its own at the end, so that each is run and none is answered from the result cache: median and
   95th percentile, rows and bytes; and again, for those that name the seed's document (111239) or speakers,
   which a generated corpus does not hold, with this build's document of the most turns and its busiest
   speaker in their place (`bound`), so that they find something;
3. asks /search (JSON) for --repeat words and phrases taken from the build's own search index (a content
   word of a passage drawn at random, seeded), plus a few with a filter: median and 95th percentile;
4. measures the throughput of a trivial query from --clients concurrent clients, each on one keep-alive
   connection, against `archivekg serve` and against `oxigraph serve-read-only --location STORE
   --union-default-graph` on the same store, --rounds rounds of --seconds each, alternating, so that both meet
   the same load on the machine; the ratio archivekg / oxigraph. Two trivial queries: the same text every time
   (the first triple, LIMIT 1), which archivekg answers from its result cache after the first time, and a
   different text every time (`ASK { <urn:x:N> ?p ?o }`, N counting up), which it must run each time: the
   figure a cache cannot carry. A Flask app on Granian that answers a constant (no query, no store) is
   measured in the same rounds: the most a Python server of this stack can do here, for reference;
5. samples, all along, the resident memory of every process of `archivekg serve` (the server and each query
   process) and prints the peak of each and of the whole tree.

`--only throughput` skips steps 2 and 3 (the catalogue and the search): the throughput and the memory alone.

The targets of issue 13 are printed beside the figures: catalogue median <= 100 ms and p95 <= 500 ms per
query, search median <= 50 ms, throughput >= 1/3 of oxigraph's, memory <= 1 GB a process. Exit status 1
when one is missed, 0 otherwise.
"""

from __future__ import annotations

import argparse
import http.client
import itertools
import json
import random
import re
import sqlite3
import statistics
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
from collections.abc import Callable
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(HERE))
sys.path.insert(0, str(HERE / "load"))

from bench_scaleout import process_tree_cpu  # noqa: E402
from bench_server import generated_build  # noqa: E402
from loadkit import free_port, serve, wait_ready  # noqa: E402

from converter.catalogue import load_catalogue  # noqa: E402
from tests.engines import missing, oxigraph_read_only  # noqa: E402

TRIVIAL = "SELECT ?s WHERE { ?s ?p ?o } LIMIT 1"
DISTINCT = "ASK {{ <urn:x:{n}> ?p ?o }}"  # a new text each request: no cache can answer it
_NEXT = itertools.count(random.randrange(1 << 40))  # shared by the client threads; next() is atomic in CPython
JSON_RESULTS = "application/sparql-results+json"
TARGETS = {"catalogue_p50_ms": 100, "catalogue_p95_ms": 500, "search_p50_ms": 50, "throughput_ratio": 1 / 3,
           "rss_mb_per_process": 1000}
# The Python web stack alone, for reference: a Flask app on Granian (as `archivekg serve` runs it, one worker
# process) that answers every POST /sparql with a constant empty result; no query, no store. It bounds archivekg's.
BARE_APP = """
import sys
from flask import Flask, request
from granian import Granian
from granian.constants import HTTPModes, Interfaces
app = Flask("bare")
@app.post("/sparql")
def sparql():
    request.get_data()
    return '{"head": {"vars": ["s"]}, "results": {"bindings": []}}', 200, {"Content-Type": "application/sparql-results+json"}
if __name__ == "__main__":
    Granian("bare", address="127.0.0.1", port=int(sys.argv[1]), interface=Interfaces.WSGI, http=HTTPModes.http1,
            websockets=False, log_enabled=False).serve(target_loader=lambda *_: app, wrap_loader=False)
"""
_STOP = set("that this with from have were which their there they them been will would about into than then "
            "what when also such these those other some only very said says must could should".split())


def percentile(values: list[float], q: float) -> float:
    """The q-th quantile (nearest rank) of VALUES."""
    ordered = sorted(values)
    return ordered[min(len(ordered) - 1, max(0, int(round(q * len(ordered) + 0.5)) - 1))]


def _ms(values: list[float]) -> dict[str, float]:
    return {"p50_ms": round(statistics.median(values) * 1000, 1), "p95_ms": round(percentile(values, 0.95) * 1000, 1),
            "max_ms": round(max(values) * 1000, 1)}


class Client:
    """One keep-alive HTTP/1.1 connection to 127.0.0.1 (reopened when the server closes it)."""

    def __init__(self, base: str, timeout: float = 600) -> None:
        parts = urllib.parse.urlsplit(base)
        assert parts.hostname == "127.0.0.1", "the benchmark talks to loopback only"
        self.host, self.port, self.timeout = parts.hostname, parts.port, timeout
        self.conn: http.client.HTTPConnection | None = None

    def request(self, method: str, path: str, body: bytes | None = None,
                headers: dict[str, str] | None = None) -> tuple[int, bytes]:
        for attempt in (1, 2):
            if self.conn is None:
                self.conn = http.client.HTTPConnection(self.host, self.port, timeout=self.timeout)
            try:
                self.conn.request(method, path, body=body, headers=headers or {})
                resp = self.conn.getresponse()
                data = resp.read()
                if resp.will_close:
                    self.close()
                return resp.status, data
            except (ConnectionError, http.client.HTTPException):
                self.close()
                if attempt == 2:
                    raise
        raise AssertionError("unreachable")

    def sparql(self, path: str, query: str) -> tuple[int, bytes]:
        return self.request("POST", path, query.encode(), {"Content-Type": "application/sparql-query",
                                                          "Accept": JSON_RESULTS})

    def close(self) -> None:
        if self.conn is not None:
            self.conn.close()
            self.conn = None


class MemoryWatch:
    """Samples the resident memory (VmRSS) of a process and its descendants from /proc every 0.2 s; keeps
    each process's peak and the peak of their sum."""

    def __init__(self, pid: int) -> None:
        self.pid, self.peak_each, self.peak_total = pid, {}, 0
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)

    def _sample(self) -> None:
        total, todo = 0, [self.pid]
        while todo:
            p = todo.pop()
            try:
                status = Path(f"/proc/{p}/status").read_text()
                rss = 1024 * int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
                for task in Path(f"/proc/{p}/task").iterdir():
                    todo.extend(int(c) for c in (task / "children").read_text().split())
            except (OSError, StopIteration, ValueError):
                continue
            total += rss
            self.peak_each[p] = max(self.peak_each.get(p, 0), rss)
        self.peak_total = max(self.peak_total, total)

    def _run(self) -> None:
        while not self._stop.is_set():
            self._sample()
            self._stop.wait(0.2)

    def __enter__(self) -> "MemoryWatch":
        self._thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self._sample()


def settle(pid: int, most: float, quiet: float = 3.0) -> float:
    """Wait until the process tree of PID has used under 5% of a core for QUIET seconds (its warm-up done), at
    most MOST seconds; the seconds waited."""
    started = time.monotonic()
    last, since = process_tree_cpu(pid), time.monotonic()
    while time.monotonic() - started < most:
        time.sleep(0.5)
        now = process_tree_cpu(pid)
        if now - last > 0.05 * 0.5:
            since = time.monotonic()
        elif time.monotonic() - since >= quiet:
            break
        last = now
    return round(time.monotonic() - started, 1)


SEED_DOCUMENT, SEED_SPEAKERS = '"111239"', ('"Beqir Balluku"', '"Mao Zedong"')  # what the catalogue's VALUES name


def bound_to(release: Path) -> tuple[dict[str, str], Callable[[str], str]]:
    """The catalogue's VALUES bound to this build: the seed's document id and speakers (which a generated
    corpus does not have, so that the queries as written find nothing) replaced by the document with the most
    turns and its busiest speaker. Returns what was chosen and the function that rewrites a query."""
    import pyoxigraph as ox

    index = json.loads((release / "build.json").read_text(encoding="utf-8")).get("documents_index") or []
    doc = max(index, key=lambda d: (d.get("turns") or 0, d["id"]))["id"] if index else "111239"
    store = ox.Store.read_only(str(release / "store"))
    rows = list(store.query(
        f"SELECT ?name (COUNT(?u) AS ?n) WHERE {{ ?d <http://purl.org/dc/terms/identifier> {json.dumps(doc)} . "
        "?u <http://purl.org/dc/terms/isPartOf> ?d ; <https://w3id.org/archivekg/ontology#spokenBy> ?p . "
        "?p <http://www.w3.org/2000/01/rdf-schema#label> ?name } GROUP BY ?name ORDER BY DESC(?n) ?name LIMIT 1",
        use_default_graph_as_union=True))
    del store
    speaker = rows[0]["name"].value if rows else "Beqir Balluku"
    chosen = {"document": doc, "speaker": speaker}

    def rewrite(query: str) -> str:
        query = query.replace(SEED_DOCUMENT, json.dumps(doc))
        for name in SEED_SPEAKERS:
            query = query.replace(name, json.dumps(speaker, ensure_ascii=False))
        return query

    return chosen, rewrite


def search_requests(index: Path, n: int, seed: int = 1) -> list[dict[str, str]]:
    """N /search requests made from the build's own index: a content word (5 letters or more, not a common
    function word) of a passage drawn at random, every fifth a two-word phrase, every seventh filtered by the
    passage's speaker and every eleventh by its year; the same for the same index and seed."""
    rng = random.Random(seed)
    con = sqlite3.connect(f"file:{index}?mode=ro", uri=True)
    try:
        top = con.execute("SELECT max(id) FROM passages").fetchone()[0] or 0
        out: list[dict[str, str]] = []
        tries = 0
        while len(out) < n and tries < 50 * n and top:
            tries += 1
            row = con.execute("SELECT text, speaker, date FROM passages WHERE id = ?", (rng.randint(1, top),)).fetchone()
            if row is None:
                continue
            words = [w for w in re.findall(r"[^\W\d_]{5,}", row[0]) if w.lower() not in _STOP]
            if not words:
                continue
            i = rng.randrange(len(words))
            params = {"q": " ".join(words[i:i + 2]) if len(out) % 5 == 4 and i + 1 < len(words) else words[i],
                      "format": "json"}
            if len(out) % 7 == 6 and row[1]:
                params["speaker"] = row[1]
            elif len(out) % 11 == 10 and row[2]:
                params["from"] = params["to"] = row[2][:4]
            out.append(params)
        return out
    finally:
        con.close()


def throughput(request: Callable[[Client], int], base: str, clients: int, seconds: float) -> dict[str, float]:
    """Requests a second that CLIENTS threads, each with its own keep-alive connection, complete in SECONDS."""
    done, failed, stop = [0] * clients, [0] * clients, threading.Event()

    def run(i: int) -> None:
        client = Client(base, timeout=60)
        try:
            while not stop.is_set():
                if request(client) == 200:
                    done[i] += 1
                else:
                    failed[i] += 1
        finally:
            client.close()

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    for t in threads:
        t.start()
    time.sleep(seconds)
    stop.set()
    for t in threads:
        t.join()
    elapsed = time.perf_counter() - started
    return {"requests": sum(done), "failed": sum(failed), "per_s": round(sum(done) / elapsed, 1)}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--build", type=Path, default=None, help="an existing build directory (the --out of build)")
    ap.add_argument("--documents", type=int, default=16000, help="without --build: documents to generate and build")
    ap.add_argument("--workdir", type=Path, default=None, help="without --build: where to generate and build")
    ap.add_argument("--repeat", type=int, default=20, help="requests per catalogue query, and search requests")
    ap.add_argument("--clients", type=int, default=4, help="concurrent clients for the throughput")
    ap.add_argument("--seconds", type=float, default=10, help="seconds of each throughput round")
    ap.add_argument("--rounds", type=int, default=3, help="throughput rounds per server, alternating")
    ap.add_argument("--settle", type=float, default=600, help="most seconds to wait for the server's warm-up")
    ap.add_argument("--only", choices=("all", "throughput"), default="all",
                    help="throughput: measure the throughput and the memory only (no catalogue, no search)")
    ap.add_argument("--json", action="store_true", help="print the report as JSON")
    args = ap.parse_args(argv)
    if args.repeat < 1 or args.clients < 1 or args.seconds <= 0 or args.rounds < 1:
        ap.error("--repeat, --clients and --rounds take whole numbers of 1 or more, --seconds a positive number")
    if why := missing("oxigraph"):
        print(f"error: {why}", file=sys.stderr)
        return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-serving-bench-"))
    out = args.build or generated_build(work, args.documents)
    release = (out / "current").resolve()
    info = json.loads((release / "build.json").read_text(encoding="utf-8"))
    report: dict = {"build": str(out), "documents": info["documents"], "triples": info["triples"],
                    "repeat": args.repeat, "clients": args.clients, "targets": TARGETS}
    report["bound_to"], rebind = bound_to(release)
    work.mkdir(parents=True, exist_ok=True)
    log = work / "serve.log"
    started = time.monotonic()
    with serve(out, log=log) as (base, proc), MemoryWatch(proc.pid) as memory:
        report["start_s"] = round(time.monotonic() - started, 1)
        report["settle_s"] = settle(proc.pid, args.settle)
        client = Client(base)
        queries = []
        for q in (q for q in load_catalogue() if not q.federated and args.only == "all"):  # no network in benchmarks
            for variant, text in (("as written", q.sparql), ("bound", rebind(q.sparql))):
                if variant == "bound" and text == q.sparql:
                    continue  # nothing to bind: the query asks the whole archive
                times, status, body = [], 0, b""
                for i in range(args.repeat):
                    t = time.perf_counter()  # each request a new text (a comment counts): run, never the cache's
                    status, body = client.sparql("/sparql", f"{text}\n# request {i + 1}")
                    times.append(time.perf_counter() - t)
                rows = len(json.loads(body)["results"]["bindings"]) if status == 200 else None
                queries.append({"query": q.name, "variant": variant, "status": status, "rows": rows,
                                "bytes": len(body), **_ms(times)})
                print(f"  {q.name} ({variant}): {queries[-1]['p50_ms']} ms", file=sys.stderr)
        report["catalogue"] = queries
        if args.only == "all":
            searches, times, statuses = search_requests(release / "search.sqlite", args.repeat), [], set()
            for params in searches:
                t = time.perf_counter()
                status, _ = client.request("GET", "/search?" + urllib.parse.urlencode(params))
                times.append(time.perf_counter() - t)
                statuses.add(status)
            report["search"] = {"requests": len(times), "statuses": sorted(statuses), **_ms(times),
                                "slowest": searches[times.index(max(times))]["q"] if times else None}
        client.close()
        rounds: dict[str, list[dict]] = {"archivekg": [], "oxigraph": [], "flask+granian": [],
                                         "archivekg distinct": [], "oxigraph distinct": []}
        bare_port = free_port()
        bare = subprocess.Popen([sys.executable, "-c", BARE_APP, str(bare_port)], cwd=ROOT)
        try:
            wait_ready(f"http://127.0.0.1:{bare_port}/sparql", 30, bare)
            with oxigraph_read_only(release / "store", work / "oxigraph") as engine, \
                    MemoryWatch(engine.pid) as ox_memory:
                ox_url = engine.query_url.removesuffix("/query")
                targets = {"oxigraph": (ox_url, "/query", False), "archivekg": (base, "/sparql", False),
                           "flask+granian": (f"http://127.0.0.1:{bare_port}", "/sparql", False),
                           "oxigraph distinct": (ox_url, "/query", True), "archivekg distinct": (base, "/sparql", True)}
                for _ in range(args.rounds):
                    for name, (url, path, distinct) in targets.items():
                        def ask(c: Client, path: str = path, distinct: bool = distinct) -> int:
                            return c.sparql(path, DISTINCT.format(n=next(_NEXT)) if distinct else TRIVIAL)[0]
                        rounds[name].append(throughput(ask, url, args.clients, args.seconds))
        finally:
            bare.terminate()
            bare.wait(10)
        per_s = {name: round(statistics.median(r["per_s"] for r in rs), 1) for name, rs in rounds.items()}
        def ratio(a: str, b: str) -> float | None:
            return round(per_s[a] / per_s[b], 3) if per_s[b] else None

        report["throughput"] = {"query": TRIVIAL, "distinct_query": DISTINCT.format(n="N"), "seconds": args.seconds,
                                "rounds": rounds, "median_per_s": per_s, "ratio": ratio("archivekg", "oxigraph"),
                                "distinct_ratio": ratio("archivekg distinct", "oxigraph distinct"),
                                "ceiling_ratio": ratio("flask+granian", "oxigraph"),
                                "failed": sum(r["failed"] for name, rs in rounds.items() for r in rs)}
    report["memory"] = {"archivekg_peak_mb_each": sorted((round(v / 1e6) for v in memory.peak_each.values()),
                                                          reverse=True),
                        "archivekg_peak_mb_total": round(memory.peak_total / 1e6),
                        "oxigraph_peak_mb": round(ox_memory.peak_total / 1e6)}
    met = {} if args.only != "all" else {
        "catalogue": all(q["status"] == 200 and q["p50_ms"] <= TARGETS["catalogue_p50_ms"]
                         and q["p95_ms"] <= TARGETS["catalogue_p95_ms"] for q in queries),
        "search": report["search"]["statuses"] == [200] and report["search"]["p50_ms"] <= TARGETS["search_p50_ms"],
    }
    met |= {
        "throughput": (report["throughput"]["ratio"] or 0) >= TARGETS["throughput_ratio"],
        "throughput, distinct queries": (report["throughput"]["distinct_ratio"] or 0) >= TARGETS["throughput_ratio"],
        "memory": max(report["memory"]["archivekg_peak_mb_each"]) <= TARGETS["rss_mb_per_process"],
    }
    report["met"] = met
    if args.json:
        print(json.dumps(report, indent=1))
        return 0 if all(met.values()) else 1
    print(f"{report['documents']:,} documents, {report['triples']:,} triples ({out}); server up in "
          f"{report['start_s']} s, settled after {report['settle_s']} s")
    if args.only == "all":
        print_catalogue(report, queries, args.repeat)
    t = report["throughput"]
    mps = t["median_per_s"]
    print(f"\ntrivial queries, {args.clients} clients, {args.rounds} rounds of {args.seconds:g} s each, medians "
          f"(target: ratio >= 0.33); failed requests {t['failed']}"
          f"\n  the same text each time, {t['query']} (archivekg answers it from its result cache):"
          f"\n    archivekg serve {mps['archivekg']}/s, oxigraph serve-read-only {mps['oxigraph']}/s, ratio {t['ratio']}"
          f"\n  a new text each time, {t['distinct_query']} (run each time):"
          f"\n    archivekg serve {mps['archivekg distinct']}/s, oxigraph serve-read-only {mps['oxigraph distinct']}/s, "
          f"ratio {t['distinct_ratio']}"
          f"\n  for reference, Flask on Granian answering a constant (no query): "
          f"{mps['flask+granian']}/s, {t['ceiling_ratio']} of oxigraph")
    m = report["memory"]
    print(f"\npeak resident memory (target: <= 1,000 MB a process): archivekg serve's processes "
          f"{m['archivekg_peak_mb_each']} MB, {m['archivekg_peak_mb_total']} MB together; "
          f"oxigraph {m['oxigraph_peak_mb']} MB")
    print("\ntargets met: " + ", ".join(f"{k} {'yes' if v else 'NO'}" for k, v in met.items()))
    return 0 if all(met.values()) else 1


def print_catalogue(report: dict, queries: list[dict], repeat: int) -> None:
    """The catalogue's and the search's figures, as the report prints them."""
    print(f"\ncatalogue over HTTP, {repeat} requests each (target: median <= 100 ms, p95 <= 500 ms); "
          f"'bound': the seed's document and speakers replaced by this build's document "
          f"{report['bound_to']['document']} (the most turns) and its speaker {report['bound_to']['speaker']!r}")
    print("| query | VALUES | rows | median ms | p95 ms | max ms |\n|---|---|---:|---:|---:|---:|")
    for q in queries:
        rows = f"{q['rows']:,}" if q["rows"] is not None else f"HTTP {q['status']}"
        print(f"| {q['query']} | {q['variant']} | {rows} | {q['p50_ms']} | {q['p95_ms']} | {q['max_ms']} |")
    s = report["search"]
    print(f"\nsearch, {s['requests']} requests (target: median <= 50 ms): median {s['p50_ms']} ms, p95 {s['p95_ms']} ms, "
          f"max {s['max_ms']} ms ({s['slowest']!r}); statuses {s['statuses']}")


if __name__ == "__main__":
    sys.exit(main())
