#!/usr/bin/env python3
"""A bounded load test of `archivekg serve` on loopback with locust: latency, throughput and memory.

    python bench/load/run.py [--seconds 60] [--users 16] [--documents 0] [--build DIR] [--workdir DIR]

Builds seeds/ (and N generated documents with --documents N) or takes the build in --build, serves it
with `archivekg serve` on a free 127.0.0.1 port, warms it up (every request kind once), and runs locust
headless for --seconds with --users concurrent users (bench/load/locustfile.py: catalogue queries,
resource pages, search, dump downloads, reconciliation). It prints p50 and p99 latency, throughput, the
failures, and the resident memory of the server's process tree (Granian, its worker and its query processes,
VmRSS summed from /proc) at the start, at its peak and at the end, and the ratio end/start.

Exit status 1 when a request failed or the memory at the end is over the bound start x 1.5 + 50 MB.
Nothing is sent anywhere but 127.0.0.1, and SERVICE clauses are routed to loopback's discard port.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import subprocess
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loadkit import ROOT, process_tree_rss, serve  # noqa: E402

LOCUSTFILE = HERE / "locustfile.py"
MB = 1_000_000


def memory_bound(start: int) -> int:
    """The most the server's process tree may hold at the end of a run: start x 1.5 + 50 MB."""
    return int(start * 1.5 + 50 * MB)


def prepare_build(work: Path, documents: int) -> Path:
    """seeds/ built into WORK/out (with DOCUMENTS generated documents beside the seed's); reused if there."""
    out = work / "out"
    if (out / "current").exists():
        return out
    sources = [str(ROOT / "seeds" / "documents")]
    if documents:
        sys.path.insert(0, str(ROOT / "bench"))
        from generate_corpus import generate_corpus

        generate_corpus(work / "corpus", documents=documents, seed=1)
        sources.append(str(work / "corpus"))
    work.mkdir(parents=True, exist_ok=True)
    with (work / "build.log").open("wb") as log:
        res = subprocess.run([sys.executable, "-m", "converter.cli", "build", *sources, "--out", str(out),
                              "--authority", str(ROOT / "seeds" / "authority"), "--no-progress"],
                             cwd=ROOT, stdout=log, stderr=subprocess.STDOUT)
    if res.returncode != 0:
        raise RuntimeError(f"the build failed (status {res.returncode}): see {work / 'build.log'}")
    return out


def dumps_of(out: Path, documents: int = 3) -> list[tuple[str, int]]:
    """(path, bytes) of the build's dumps: the whole-graph dumps of build.json, the entities, and the
    first DOCUMENTS per-document files."""
    release = (out / "current").resolve()
    info = json.loads((release / "build.json").read_text())
    paths = [d["path"] for d in info["dumps"].values()] + ["dumps/entities.ttl"]
    paths += [f"dumps/documents/{d['id']}.ttl" for d in info["documents_index"][:documents]]
    return [(p, (release / p).stat().st_size) for p in paths if (release / p).is_file()]


def warm_up(url: str, env: dict[str, str]) -> None:
    """Every request kind once, so that the memory at the start is that of a server that has served."""
    for p in sorted((ROOT / "server" / "queries").glob("*.rq")):
        q = p.read_text(encoding="utf-8")
        if "SERVICE" not in q.upper():
            req = urllib.request.Request(url + "/sparql", data=q.encode(), headers={
                "Content-Type": "application/sparql-query", "Accept": "application/sparql-results+json"})
            urllib.request.urlopen(req, timeout=120).read()
    for path in env["AKG_PAGES"].split():
        urllib.request.urlopen(urllib.request.Request(url + path, headers={"Accept": "text/html"}), timeout=60).read()
    for d in env["AKG_DUMPS"].split():
        urllib.request.urlopen(url + "/" + d.split("=")[0], timeout=60).read()
    urllib.request.urlopen(url + "/search?q=Albania", timeout=60).read()
    batch = urllib.parse.urlencode({"queries": json.dumps({"q0": {"query": "Mao Zedong", "type": "person"}})})
    urllib.request.urlopen(url + "/reconcile", data=batch.encode(), timeout=60).read()


def _stats(prefix: Path) -> tuple[dict, list[dict]]:
    with open(f"{prefix}_stats.csv", newline="") as f:
        rows = list(csv.DictReader(f))
    total = next(r for r in rows if r["Name"] == "Aggregated")
    return total, [r for r in rows if r["Name"] != "Aggregated"]


def _failures(prefix: Path) -> list[dict]:
    path = Path(f"{prefix}_failures.csv")
    if not path.exists():
        return []
    with path.open(newline="") as f:
        return list(csv.DictReader(f))


def run_load(url: str, pid: int, workdir: Path, env: dict[str, str], seconds: int = 60, users: int = 16) -> dict:
    """Run locust against URL for SECONDS with USERS users, the server being process PID; the figures."""
    workdir.mkdir(parents=True, exist_ok=True)
    prefix = workdir / "locust"
    rss = {"start": process_tree_rss(pid)}
    samples = [rss["start"]]
    stop = threading.Event()

    def sample() -> None:
        while not stop.wait(0.5):
            samples.append(process_tree_rss(pid))

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    cmd = [sys.executable, "-m", "locust", "-f", str(LOCUSTFILE), "--headless", "--host", url,
           "-u", str(users), "-r", str(users), "-t", f"{seconds}s", "--stop-timeout", "10",
           "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    started = time.monotonic()
    with (workdir / "locust.log").open("wb") as log:
        proc = subprocess.run(cmd, cwd=ROOT, stdout=log, stderr=subprocess.STDOUT, timeout=seconds + 120,
                              env={**os.environ, **env})
    wall = time.monotonic() - started
    stop.set()
    sampler.join()
    rss["end"] = process_tree_rss(pid)
    rss["peak"] = max(samples + [rss["end"]])
    total, per_name = _stats(prefix)
    return {
        "seconds": seconds, "users": users, "wall_s": round(wall, 1), "locust_exit": proc.returncode,
        "requests": int(total["Request Count"]), "failures": int(total["Failure Count"]),
        "p50_ms": float(total["50%"]), "p99_ms": float(total["99%"]), "max_ms": float(total["Max Response Time"]),
        "throughput_rps": float(total["Requests/s"]),
        "rss_start_mb": round(rss["start"] / MB, 1), "rss_peak_mb": round(rss["peak"] / MB, 1),
        "rss_end_mb": round(rss["end"] / MB, 1), "rss_ratio": round(rss["end"] / rss["start"], 3),
        "rss_bound_mb": round(memory_bound(rss["start"]) / MB, 1), "rss_end_bytes": rss["end"],
        "rss_start_bytes": rss["start"],
        "by_name": [{"name": r["Name"], "method": r["Type"], "requests": int(r["Request Count"]),
                     "failures": int(r["Failure Count"]), "p50_ms": float(r["50%"]), "p99_ms": float(r["99%"])}
                    for r in per_name],
        "failed": _failures(prefix),
        "log": str(workdir / "locust.log"),
    }


def load_env(out: Path) -> dict[str, str]:
    """What the locustfile reads: the build's dumps with their sizes, and the pages to fetch."""
    return {"AKG_DUMPS": " ".join(f"{p}={n}" for p, n in dumps_of(out)),
            "AKG_PAGES": "/id/document/111239 /id/person/mao-zedong"}


def report(r: dict) -> str:
    lines = [f"{r['users']} users for {r['seconds']} s: {r['requests']} requests, {r['failures']} failures",
             f"latency p50 {r['p50_ms']:.0f} ms, p99 {r['p99_ms']:.0f} ms, max {r['max_ms']:.0f} ms",
             f"throughput {r['throughput_rps']:.1f} requests/s",
             f"server memory (RSS, serve and its children): start {r['rss_start_mb']} MB, "
             f"peak {r['rss_peak_mb']} MB, end {r['rss_end_mb']} MB, end/start {r['rss_ratio']} "
             f"(bound: start x 1.5 + 50 MB = {r['rss_bound_mb']} MB)", "",
             f"{'request':36} {'count':>7} {'fail':>5} {'p50 ms':>7} {'p99 ms':>7}"]
    for n in r["by_name"]:
        lines.append(f"{n['name'][:36]:36} {n['requests']:7} {n['failures']:5} {n['p50_ms']:7.0f} {n['p99_ms']:7.0f}")
    for f in r["failed"][:20]:
        lines.append(f"failed: {f.get('Method')} {f.get('Name')}: {f.get('Error')} ({f.get('Occurrences')}x)")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--seconds", type=int, default=60, help="how long locust runs (default 60)")
    ap.add_argument("--users", type=int, default=16, help="concurrent users (default 16)")
    ap.add_argument("--documents", type=int, default=0, help="generated documents built beside the seed's")
    ap.add_argument("--build", type=Path, default=None, help="serve this build (an --out directory) instead")
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--json", action="store_true", help="print the figures as JSON")
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-load-"))
    work.mkdir(parents=True, exist_ok=True)
    out = args.build or prepare_build(work, args.documents)
    env = load_env(out)
    with serve(out, log=work / "serve.log") as (url, proc):
        time.sleep(1)  # the query worker processes finish starting
        warm_up(url, env)
        result = run_load(url, proc.pid, work / "locust", env, args.seconds, args.users)
    print(json.dumps(result, indent=2) if args.json else report(result))
    ok = result["failures"] == 0 and result["rss_end_bytes"] <= memory_bound(result["rss_start_bytes"])
    return 0 if ok else 1


if __name__ == "__main__":
    sys.exit(main())
