"""Benchmark incremental rebuilds: one document changed, added or removed among N.

1. generate N + 1 documents with ``bench/generate_corpus.py`` (one is held back to be added);
2. a full build of N into WORKDIR/out (``archivekg build``, the real command line, validation included);
3. rebuilds: nothing changed, one document changed, one added, one removed (and ``--full`` with --with-full);
4. print each wall time, the CPU time of the build's processes (user + system: steadier than the wall time
   on a machine others use too), its ratio to the full build of step 2 (same run), what build.json says
   was converted and replaced, and its phases.

Usage: python bench/bench_incremental.py --documents 1000 --workdir /tmp/akg-inc

At archive scale the full build of step 2 takes 12 minutes and is good for one version of the code (its
fingerprint holds a hash of the code). ``--keep`` leaves WORKDIR; ``--reuse`` then runs steps 3-4 on it
again, with the software digest pinned to the published build's (``bench/pinned_cli.py``), after
restoring the generated corpus (unmeasured rebuilds). The release must have been made with the same
build state format.
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


def build(corpus: Path, out: Path, *extra: str, jobs: int | None, pinned: str | None = None) -> tuple[float, float, dict]:
    cli = [sys.executable, "-m", "converter.cli"] if pinned is None else [sys.executable, str(ROOT / "bench" / "pinned_cli.py"), pinned]
    cmd = [*cli, "build", str(corpus), "--out", str(out), "--base-uri", BASE,
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
    ap.add_argument("--reuse", action="store_true",
                    help="reuse WORKDIR's corpus and published build, left by a run with --keep: generate nothing and "
                         "make no full build (12 minutes at 16,000 documents); the rebuilds run with the software digest "
                         "the published build recorded (bench/pinned_cli.py), so that code changed since is measured "
                         "as a rebuild, not as a full build")
    args = ap.parse_args(argv)
    if args.documents < 2:
        ap.error("--documents must be at least 2")

    work = args.workdir
    pool, corpus, out = work / "pool", work / "corpus", work / "out"
    pinned = None
    if args.reuse:
        try:
            pinned = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))["fingerprint"]["software"]
        except (OSError, ValueError, KeyError):
            sys.exit(f"bench_incremental: --reuse needs a published build in {out} (run once with --keep)")
        files = sorted(pool.glob("*.txt"))
        if len(files) != args.documents + 1:
            sys.exit(f"bench_incremental: {pool} holds {len(files)} documents, not --documents {args.documents} + 1")
    else:
        shutil.rmtree(work, ignore_errors=True)
        print(f"generating {args.documents + 1} documents in {pool}", file=sys.stderr)
        generate_corpus(pool, documents=args.documents + 1, seed=args.seed)
        files = sorted(pool.glob("*.txt"))
        corpus.mkdir(parents=True)
    held_back = files[-1]
    for f in files[:-1]:  # (after a run: the removed one back, the changed one as generated)
        if not (corpus / f.name).is_file() or (corpus / f.name).read_bytes() != f.read_bytes():
            shutil.copyfile(f, corpus / f.name)
    (corpus / held_back.name).unlink(missing_ok=True)

    rows = []

    def step(label: str, *extra: str) -> None:
        print(f"{label} ...", file=sys.stderr)
        seconds, cpu, info = build(corpus, out, *extra, jobs=args.jobs, pinned=pinned)
        rows.append((label, seconds, cpu, info))

    if args.reuse:
        step("rebuild to the generated corpus (not measured)")
        rows.clear()
        time.sleep(2.5)  # past the racy window: the files just copied are then taken on their stat
        step("rebuild, nothing changed (stat of every file recorded)")
        rows.clear()
    else:
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

    full = None if args.reuse else rows[0][1]
    info0 = rows[0][3]
    print(f"\nincremental rebuilds, {info0['documents']:,} documents, {info0['triples']:,} triples "
          f"(python bench/bench_incremental.py --documents {args.documents}{' --reuse' if args.reuse else ''})\n")
    print("| build | wall time | CPU time | x full build | converted | graphs replaced | phases (s) |")
    print("|---|---:|---:|---:|---:|---|---|")
    for label, seconds, cpu, info in rows:
        rb = info.get("rebuild", {})
        replaced = (f"{len(rb.get('loaded', []))} loaded, {len(rb.get('removed', []))} removed"
                    if rb.get("mode") == "incremental" else f"all ({rb.get('reason')})")
        phases = ", ".join(f"{k} {v:g}" for k, v in sorted(info.get("seconds", {}).items()))
        ratio = f"{seconds / full:.3f}" if full else "-"
        print(f"| {label} | {seconds:.1f} s | {cpu:.1f} s | {ratio} | {rb.get('converted')} | {replaced} "
              f"| {phases} |")
    if not args.keep:
        shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
