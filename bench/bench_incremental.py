"""Benchmark incremental rebuilds: one document changed, added or removed among N.

1. generate N + 1 documents with ``bench/generate_corpus.py`` (one is held back to be added);
2. a full build of N into WORKDIR/out (``archivekg build``, the real command line, validation included);
3. rebuilds: nothing changed, one document changed, one added, one removed (and ``--full`` with --with-full);
4. print each wall time, the CPU time of the build's processes (user + system: steadier than the wall time
   on a machine others use too), its ratio to the full build of step 2 (same run), what build.json says
   was converted and replaced, and its phases.

Usage: python bench/bench_incremental.py --documents 1000 --workdir /tmp/akg-inc
"""

from __future__ import annotations

import argparse
import json
import resource
import shutil
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "bench"))
from generate_corpus import generate_corpus  # noqa: E402

BASE = "https://bench.example.org/"


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def build(corpus: Path, out: Path, *extra: str, jobs: int | None) -> tuple[float, float, dict]:
    cmd = [sys.executable, "-m", "converter.cli", "build", str(corpus), "--out", str(out), "--base-uri", BASE,
           "--authority", str(ROOT / "seeds" / "authority"), "--no-progress", *extra]
    if jobs:
        cmd += ["--jobs", str(jobs)]
    t0, cpu0 = time.monotonic(), _children_cpu()
    res = subprocess.run(cmd, cwd=ROOT, capture_output=True, text=True)
    seconds, cpu = time.monotonic() - t0, _children_cpu() - cpu0
    if res.returncode != 0:
        sys.exit(f"bench_incremental: the build failed ({' '.join(cmd)}):\n{res.stderr[-3000:]}")
    info = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    return seconds, cpu, info


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--documents", "-n", type=int, default=1000, help="documents in the corpus (default: 1000)")
    ap.add_argument("--workdir", type=Path, default=Path("/tmp/akg-bench-incremental"),
                    help="where the corpus and the output go (emptied first)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    ap.add_argument("--jobs", type=int, default=None, help="--jobs of the builds (default: all cores)")
    ap.add_argument("--keep", action="store_true", help="keep WORKDIR afterwards")
    ap.add_argument("--with-full", action="store_true", help="end with a rebuild with --full (as long as the first)")
    args = ap.parse_args(argv)
    if args.documents < 2:
        ap.error("--documents must be at least 2")

    work = args.workdir
    shutil.rmtree(work, ignore_errors=True)
    pool, corpus, out = work / "pool", work / "corpus", work / "out"
    print(f"generating {args.documents + 1} documents in {pool}", file=sys.stderr)
    generate_corpus(pool, documents=args.documents + 1, seed=args.seed)
    files = sorted(pool.glob("*.txt"))
    held_back = files[-1]
    corpus.mkdir(parents=True)
    for f in files[:-1]:
        shutil.copyfile(f, corpus / f.name)

    rows = []

    def step(label: str, *extra: str) -> None:
        print(f"{label} ...", file=sys.stderr)
        seconds, cpu, info = build(corpus, out, *extra, jobs=args.jobs)
        rows.append((label, seconds, cpu, info))

    step("full build (nothing published)")
    step("rebuild, nothing changed")
    changed = corpus / files[len(files) // 2].name
    text = changed.read_text(encoding="utf-8")
    head, sep, tail = text.rpartition(" the ")  # in the body, far from the heading the document's id comes from
    changed.write_text(head + " the very " + tail if sep else text + "\nA later note.\n", encoding="utf-8")
    step("rebuild, one document changed")
    shutil.copyfile(held_back, corpus / held_back.name)
    step("rebuild, one document added")
    (corpus / files[0].name).unlink()
    step("rebuild, one document removed")
    if args.with_full:
        step("rebuild with --full", "--full")

    full = rows[0][1]
    info0 = rows[0][3]
    print(f"\nincremental rebuilds, {info0['documents']:,} documents, {info0['triples']:,} triples "
          f"(python bench/bench_incremental.py --documents {args.documents})\n")
    print("| build | wall time | CPU time | x full build | converted | graphs replaced | phases (s) |")
    print("|---|---:|---:|---:|---:|---|---|")
    for label, seconds, cpu, info in rows:
        rb = info.get("rebuild", {})
        replaced = (f"{len(rb.get('loaded', []))} loaded, {len(rb.get('removed', []))} removed"
                    if rb.get("mode") == "incremental" else f"all ({rb.get('reason')})")
        phases = ", ".join(f"{k} {v:g}" for k, v in sorted(info.get("seconds", {}).items()))
        print(f"| {label} | {seconds:.1f} s | {cpu:.1f} s | {seconds / full:.3f} | {rb.get('converted')} | {replaced} "
              f"| {phases} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
