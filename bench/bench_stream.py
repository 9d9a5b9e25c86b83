#!/usr/bin/env python3
"""Streaming: time to first byte, total time and the server's peak memory for a large result.

    python bench/bench_stream.py [--documents 200] [--workdir DIR]

Builds (or reuses) a generated corpus, serves it with a result bound above its size,
and fetches ``CONSTRUCT WHERE { ?s ?p ?o }`` (every triple) and ``SELECT * WHERE
{ ?s ?p ?o }`` over HTTP. While each response streams, the resident memory (VmRSS)
of the server and its query workers is sampled from /proc. A server that built the
whole body in memory would grow by about the size of the body; a streaming one
stays flat.
"""

from __future__ import annotations

import argparse
import sys
import tempfile
import threading
import time
import urllib.parse
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))

from bench_server import generated_build, served  # noqa: E402


def _rss_kib(pid: int) -> int:
    """Resident memory of a process and all its descendants, in KiB (Linux /proc)."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            todo.extend(int(c) for c in Path(f"/proc/{p}/task/{p}/children").read_text().split())
        except (OSError, StopIteration):
            continue
    return total


def _fetch(url: str, query: str, accept: str, pid: int) -> dict:
    peak, stop = [_rss_kib(pid)], threading.Event()
    baseline = peak[0]

    def sample() -> None:
        while not stop.is_set():
            peak.append(_rss_kib(pid))
            time.sleep(0.02)

    threading.Thread(target=sample, daemon=True).start()
    started = time.perf_counter()
    req = urllib.request.Request(url + "?" + urllib.parse.urlencode({"query": query}), headers={"Accept": accept})
    size, first = 0, None
    with urllib.request.urlopen(req, timeout=600) as resp:
        while chunk := resp.read(65536):
            first = first or time.perf_counter() - started
            size += len(chunk)
    total = time.perf_counter() - started
    stop.set()
    return {"bytes": size, "first_byte_s": round(first or total, 3), "total_s": round(total, 3),
            "rss_before_mib": round(baseline / 1024, 1), "rss_peak_mib": round(max(peak) / 1024, 1)}


def main(argv: list[str] | None = None) -> None:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--documents", type=int, default=200)
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args(argv)
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-stream-bench-"))
    out = generated_build(work, args.documents)
    with served(out, {"ARCHIVEKG_MAX_RESULT_ROWS": "100000000", "ARCHIVEKG_QUERY_TIMEOUT": "600"}) as (url, proc):
        time.sleep(2)  # the worker processes finish starting
        for name, query, accept in (("CONSTRUCT, Turtle", "CONSTRUCT WHERE { ?s ?p ?o }", "text/turtle"),
                                    ("SELECT, JSON", "SELECT * WHERE { ?s ?p ?o }", "application/sparql-results+json"),
                                    ("SELECT, CSV", "SELECT * WHERE { ?s ?p ?o }", "text/csv")):
            r = _fetch(url, query, accept, proc.pid)
            print(f"{name:<18} {r['bytes'] / 1e6:8.1f} MB  first byte {r['first_byte_s']:6.3f} s  "
                  f"total {r['total_s']:7.2f} s  server RSS {r['rss_before_mib']} -> peak {r['rss_peak_mib']} MiB")

if __name__ == "__main__":
    main()
