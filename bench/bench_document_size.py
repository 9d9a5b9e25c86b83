#!/usr/bin/env python3
"""How ``archivekg build`` grows with the size of one document: time and peak memory.

Makes one conversation of each size (``--sizes``, in KB; the default goes up to 1 MB, about
20,000 turns) from ``generate_corpus``'s invented vocabulary, builds each alone in a child process
(``--jobs 1``, validation included) and measures the child's wall time and peak RSS
(``os.wait4``). The floor, measured in the same run, is a child that imports archivekg, reads the
same text and loads the build's own N-Quads into a pyoxigraph store: what any build of the
document must at least do. The report prints, per size, the time per KB, the ratio to the floor
and the memory per byte of text. Linear growth shows as a flat time per KB.

Usage::

    python bench/bench_document_size.py [--sizes 64,128,256,512,1024] [--turn-chars 260] [--json]

Standard library only (and archivekg, which it benchmarks).
"""
from __future__ import annotations

import argparse
import json
import os
import random
import subprocess
import sys
import tempfile
import time
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import generate_corpus as g  # noqa: E402

FLOOR = """
import sys, gzip, pyoxigraph as ox, converter.cli  # noqa
text = open(sys.argv[1], encoding="utf-8").read()
store = ox.Store(sys.argv[3])
with gzip.open(sys.argv[2]) as f:
    store.bulk_load(f, format=ox.RdfFormat.N_QUADS)
"""


def make_document(kb: int, seed: int = 1, turn_chars: int = 260) -> str:
    """A seed-layout conversation of about KB kilobytes: a header, then turns of about TURN_CHARS
    characters until the size is reached."""
    r = random.Random(seed)
    date = g.make_date(r)
    ctx, parts, _ = g.make_context(r, 2, date)
    w = g.Writer(ctx)
    a, b = parts[0], parts[1]
    title = g.conv_title(r, a, b, date, "seed")
    head = g.header(date, title, g.std_sections(w, date, title, a, b, 990000 + kb, "conversation",
                                                credits=0.0, https_rate=0.0))
    labels = [f"**{a.full}:**", f"**{b.full}:**"]
    body: list[str] = []
    size = len(head.encode())
    while size < kb * 1024:
        more = g.turns(w, labels, 40, 40 * turn_chars)
        body += more
        size += sum(len(t.encode()) + 2 for t in more)
    return head + "\n\n".join(body) + "\n"


def _run(argv: list[str]) -> tuple[float, int, int]:
    """Wall seconds, peak RSS in bytes and exit status of a child process."""
    t0 = time.monotonic()
    proc = subprocess.Popen(argv, cwd=REPO_ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - t0
    err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"bench: {' '.join(argv[:4])} failed ({code}):\n{err[-2000:]}")
    return wall, usage.ru_maxrss * 1024, code


def measure(kb: int, work: Path, turn_chars: int) -> dict:
    src = work / f"doc-{kb}"
    src.mkdir()
    text = make_document(kb, turn_chars=turn_chars)
    (src / "doc.txt").write_text(text, encoding="utf-8")
    out = work / f"out-{kb}"
    wall, rss, _ = _run([sys.executable, "-m", "converter.cli", "build", str(src), "--out", str(out),
                         "--jobs", "1", "--no-progress", "--base-uri", "https://example.org/"])
    info = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    floor_wall, floor_rss, _ = _run([sys.executable, "-c", FLOOR, str(src / "doc.txt"),
                                     str(out / "current" / "dumps" / "archivekg.nq.gz"), str(work / f"floor-{kb}")])
    return {"kb": round(len(text.encode()) / 1024), "turns": info["utterances"], "triples": info["triples"],
            "seconds": round(wall, 2), "peak_mb": round(rss / 2**20), "floor_seconds": round(floor_wall, 2),
            "floor_peak_mb": round(floor_rss / 2**20), "phases": info.get("seconds", {})}


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--sizes", default="64,128,256,512,1024", help="document sizes in KB, comma-separated")
    ap.add_argument("--turn-chars", type=int, default=260,
                    help="characters a turn (default 260; 30 makes about 20,000 turns a MB)")
    ap.add_argument("--json", action="store_true", help="print the measurements as JSON")
    args = ap.parse_args(argv)
    try:
        sizes = [int(s) for s in args.sizes.split(",") if s.strip()]
    except ValueError:
        ap.error("--sizes: give whole numbers of KB, e.g. 64,128,1024")
    rows = []
    with tempfile.TemporaryDirectory(prefix="bench-docsize-") as tmp:
        for kb in sizes:
            rows.append(measure(kb, Path(tmp), args.turn_chars))
            print(f"[bench] {kb} KB done: {rows[-1]['seconds']} s, {rows[-1]['peak_mb']} MB", file=sys.stderr)
    if args.json:
        print(json.dumps(rows, indent=2))
        return 0
    print("| document | turns | triples | build s | s per 100 KB | x floor | peak MB | bytes of memory per byte |")
    print("|---:|---:|---:|---:|---:|---:|---:|---:|")
    for r in rows:
        print(f"| {r['kb']} KB | {r['turns']:,} | {r['triples']:,} | {r['seconds']} | "
              f"{r['seconds'] / r['kb'] * 100:.2f} | {r['seconds'] / max(r['floor_seconds'], 0.01):.1f} | "
              f"{r['peak_mb']} (floor {r['floor_peak_mb']}) | {r['peak_mb'] * 2**20 / (r['kb'] * 1024):.0f} |")
    first, last = rows[0], rows[-1]
    growth = (last["seconds"] / last["kb"]) / (first["seconds"] / first["kb"])
    print(f"\ntime per KB at {last['kb']} KB is {growth:.2f}x that at {first['kb']} KB (1.0 is linear)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
