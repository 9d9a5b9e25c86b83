#!/usr/bin/env python3
"""Benchmark ``archivekg build`` on a synthetic corpus.

Steps:

1. generate a synthetic corpus with ``generate_corpus.generate_corpus`` into
   ``WORKDIR/corpus`` (reused when ``WORKDIR/corpus.json`` says it was made
   with the same --documents/--seed and generator version);
2. run ``archivekg build WORKDIR/corpus --out WORKDIR/out --base-uri
   https://example.org/`` as a child process (``python -m converter.cli`` of
   this checkout, or ``--cli CMD``), after deleting any previous ``WORKDIR/out``
   so every run is a clean build;
3. measure the child's wall time, CPU time and peak RSS (``os.wait4`` of the
   build: its own and its workers'; ``ru_maxrss`` is the peak of the largest
   single process, not a sum over worker processes);
4. read ``WORKDIR/out/current/build.json`` (needs ``documents`` and
   ``triples``) and print a report (``--json`` for machine-readable output).

Without --workdir a temporary directory is used and removed afterwards
(unless --keep). With --workdir the corpus is always kept for reuse and the
build output is removed afterwards unless --keep.

Exit status: 0 on success, the CLI's exit status (or 1) if the build fails,
3 if build.json is missing or malformed, 2 for usage errors.
Standard library only.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import shlex
import shutil
import subprocess
import sys
import tempfile
import time
from collections import deque
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))

import generate_corpus  # noqa: E402  (bench/ sibling module)

BASE_URI = "https://example.org/"
STDERR_TAIL_LINES = 40


class BenchError(Exception):
    def __init__(self, message: str, code: int = 1):
        super().__init__(message)
        self.code = code


def log(msg: str) -> None:
    print(f"[bench] {msg}", file=sys.stderr, flush=True)


def nproc() -> int:
    try:
        return len(os.sched_getaffinity(0))
    except (AttributeError, OSError):
        return os.cpu_count() or 1


def maxrss_mb(ru: resource.struct_rusage) -> float:
    # Linux reports kilobytes, macOS bytes
    if sys.platform == "darwin":
        return ru.ru_maxrss / (1024 * 1024)
    return ru.ru_maxrss / 1024


def tail(path: Path, n: int = STDERR_TAIL_LINES) -> str:
    try:
        with open(path, encoding="utf-8", errors="replace") as f:
            return "".join(deque(f, maxlen=n))
    except OSError:
        return ""


# --------------------------------------------------------------------------
# corpus
# --------------------------------------------------------------------------

def ensure_corpus(workdir: Path, documents: int, seed: int, regenerate: bool) -> dict:
    corpus = workdir / "corpus"
    marker = workdir / "corpus.json"
    want = {"documents": documents, "seed": seed,
            "generator_version": generate_corpus.GENERATOR_VERSION}
    if not regenerate and marker.is_file() and corpus.is_dir():
        try:
            have = json.loads(marker.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            have = {}
        if all(have.get(k) == v for k, v in want.items()):
            n = sum(1 for _ in corpus.glob("*.txt"))
            if n == documents:
                log(f"reusing corpus {corpus} ({documents} documents, seed {seed})")
                return {**have, "reused": True, "path": str(corpus)}
            log(f"corpus {corpus} has {n} documents, expected {documents}: regenerating")
    log(f"generating {documents} documents (seed {seed}) into {corpus} ...")
    marker.unlink(missing_ok=True)
    s = generate_corpus.generate_corpus(corpus, documents, seed, overwrite=True)
    info = {**want, "bytes": s["bytes"], "generate_seconds": round(s["seconds"], 3)}
    marker.write_text(json.dumps(info, indent=1) + "\n", encoding="utf-8")
    log(f"generated {documents} documents, {s['bytes'] / 1e6:.1f} MB in {s['seconds']:.1f} s")
    return {**info, "reused": False, "path": str(corpus)}


# --------------------------------------------------------------------------
# build
# --------------------------------------------------------------------------

def cli_prefix(args) -> tuple[list[str], dict]:
    """The command that builds: --cli, else this checkout's converter (``python -m converter.cli``).

    An ``archivekg`` on PATH may be an install of another checkout (or a stale editable one): the
    benchmark measures the code it sits in.
    """
    env = dict(os.environ)
    if args.cli:
        return shlex.split(args.cli), env
    env["PYTHONPATH"] = os.pathsep.join(
        [str(REPO_ROOT)] + ([env["PYTHONPATH"]] if env.get("PYTHONPATH") else []))
    return [sys.executable, "-m", "converter.cli"], env


def run_build(args, corpus: Path, out: Path, workdir: Path) -> dict:
    prefix, env = cli_prefix(args)
    cmd = prefix + ["build", str(corpus), "--out", str(out), "--base-uri", args.base_uri]
    cmd += args.build_arg
    stdout_log = workdir / "build.stdout.log"
    stderr_log = workdir / "build.stderr.log"
    log("running: " + shlex.join(cmd))
    t0 = time.perf_counter()
    with open(stdout_log, "wb") as so, open(stderr_log, "wb") as se:
        try:
            proc = subprocess.Popen(cmd, stdout=so, stderr=se, stdin=subprocess.DEVNULL,
                                    cwd=str(REPO_ROOT), env=env)
        except OSError as e:
            raise BenchError(f"cannot start the CLI ({shlex.join(cmd)}): {e}", 1)
        try:
            rc, usage = wait_with_usage(proc, args.timeout)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
            raise BenchError(
                f"build timed out after {args.timeout} s: {shlex.join(cmd)}\n"
                f"--- last lines of stderr ({stderr_log}) ---\n{tail(stderr_log)}", 124)
        except KeyboardInterrupt:
            proc.kill()
            proc.wait()
            raise
    wall = time.perf_counter() - t0
    if rc != 0:
        err = tail(stderr_log) or "(stderr was empty)\n"
        out_tail = tail(stdout_log, 10)
        msg = (f"build failed with exit status {rc} after {wall:.1f} s\n"
               f"command: {shlex.join(cmd)}\n"
               f"--- last {STDERR_TAIL_LINES} lines of stderr ({stderr_log}) ---\n{err}")
        if out_tail:
            msg += f"--- last lines of stdout ({stdout_log}) ---\n{out_tail}"
        raise BenchError(msg.rstrip("\n"), rc if 0 < rc < 256 else 1)
    return {"command": cmd, "wall_seconds": wall, "cpu_seconds": usage.ru_utime + usage.ru_stime,
            "peak_rss_mb": maxrss_mb(usage), "stderr_log": str(stderr_log)}


def wait_with_usage(proc: subprocess.Popen, timeout: float | None) -> tuple[int, resource.struct_rusage]:
    """Wait for ``proc``; its exit status and the resources it and its workers used (``wait4``).

    ``getrusage(RUSAGE_CHILDREN)`` would give the largest of *every* child this process has waited for,
    so a benchmark that runs several builds and floors (bench_growth.py) would report an earlier, larger
    one's peak as this build's.
    """
    deadline = None if timeout is None else time.monotonic() + timeout
    while True:
        pid, status, usage = os.wait4(proc.pid, os.WNOHANG)
        if pid == proc.pid:
            proc.returncode = os.waitstatus_to_exitcode(status)  # reaped here: Popen must not wait again
            return proc.returncode, usage
        if deadline is not None and time.monotonic() > deadline:
            raise subprocess.TimeoutExpired(proc.args, timeout)
        time.sleep(0.2)


def read_build_json(out: Path, stderr_log: str) -> dict:
    path = out / "current" / "build.json"
    hint = f"\n--- last lines of the CLI's stderr ({stderr_log}) ---\n{tail(Path(stderr_log))}"
    if not path.is_file():
        raise BenchError(f"the build exited 0 but {path} does not exist" + hint, 3)
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, ValueError) as e:
        raise BenchError(f"cannot read {path}: {e}" + hint, 3)
    if not isinstance(data, dict):
        raise BenchError(f"{path}: expected a JSON object, got {type(data).__name__}", 3)
    for key in ("documents", "triples"):
        v = data.get(key)
        if isinstance(v, bool) or not isinstance(v, int) or v < 0:
            raise BenchError(f"{path}: '{key}' must be a non-negative integer, got {v!r}", 3)
    return data


# --------------------------------------------------------------------------
# report
# --------------------------------------------------------------------------

FLOOR = """
import gzip, sys, pyoxigraph as ox
store = ox.Store(sys.argv[2])
with gzip.open(sys.argv[1]) as f:
    store.bulk_load(f, format=ox.RdfFormat.N_QUADS)
"""


def run_floor(out: Path, workdir: Path) -> dict:
    """The floor, measured in the same run: pyoxigraph bulk_load of the build's own N-Quads dump."""
    dump = out / "current" / "dumps" / "archivekg.nq.gz"
    target = workdir / "floor-store"
    if target.exists():
        shutil.rmtree(target)
    started = time.monotonic()
    proc = subprocess.Popen([sys.executable, "-c", FLOOR, str(dump), str(target)])
    _, status, usage = os.wait4(proc.pid, 0)
    wall = time.monotonic() - started
    if os.waitstatus_to_exitcode(status) != 0:
        raise BenchError("the floor (bulk_load of the N-Quads dump) failed")
    size = sum(f.stat().st_size for f in target.rglob("*") if f.is_file())
    shutil.rmtree(target, ignore_errors=True)
    return {"wall_seconds": round(wall, 2), "peak_rss_mb": round(maxrss_mb(usage), 1), "store_mb": round(size / 2**20)}


def _size_mb(path: Path) -> float:
    return round(sum(f.stat().st_size for f in path.rglob("*") if f.is_file()) / 2**20, 1) if path.exists() else 0.0


def make_report(corpus_info: dict, build: dict, bj: dict, floor: dict | None = None, out: Path | None = None) -> dict:
    wall = build["wall_seconds"]
    docs, triples = bj["documents"], bj["triples"]
    rate = (lambda n: round(n / wall, 2) if wall > 0 else None)
    return {
        "documents": docs,
        "triples": triples,
        "wall_seconds": round(wall, 3),
        "documents_per_second": rate(docs),
        "triples_per_second": rate(triples),
        "peak_rss_mb": round(build["peak_rss_mb"], 1),
        "cpu_seconds": round(build["cpu_seconds"], 3),
        "corpus": {"documents": corpus_info["documents"], "seed": corpus_info["seed"],
                   "bytes": corpus_info.get("bytes"), "reused": corpus_info["reused"],
                   "path": corpus_info["path"]},
        "machine": {"nproc": nproc(), "python": platform.python_version(),
                    "implementation": platform.python_implementation(),
                    "platform": platform.platform()},
        "command": shlex.join(build["command"]),
        "phases_seconds": bj.get("seconds", {}),
        "triples_per_document": round(triples / docs) if docs else None,
        "store_mb": _size_mb(out / "current" / "store") if out else None,
        "dumps_mb": _size_mb(out / "current" / "dumps") if out else None,
        "floor": floor,
        "x_floor": round(wall / floor["wall_seconds"], 1) if floor and floor["wall_seconds"] else None,
    }


def print_report(rep: dict) -> None:
    c, m = rep["corpus"], rep["machine"]
    size = f", {c['bytes'] / 1e6:.1f} MB" if c.get("bytes") else ""
    wall = rep["wall_seconds"]
    par = f" ({rep['cpu_seconds'] / wall:.2f}x wall)" if wall > 0 else ""
    fmt = (lambda v: "n/a" if v is None else f"{v:,.1f}")
    rows = [
        ("corpus", f"{c['documents']} documents{size}, seed {c['seed']}"
                   f"{' (reused)' if c['reused'] else ''}"),
        ("documents", f"{rep['documents']:,}"),
        ("triples", f"{rep['triples']:,}"),
        ("wall", f"{wall:.2f} s"),
        ("documents/s", fmt(rep["documents_per_second"])),
        ("triples/s", fmt(rep["triples_per_second"])),
        ("peak RSS", f"{rep['peak_rss_mb']:.1f} MB"),
        ("CPU (user+sys)", f"{rep['cpu_seconds']:.2f} s{par}"),
        ("triples/doc", f"{rep['triples_per_document']:,}" if rep.get("triples_per_document") else "n/a"),
        ("store", f"{rep['store_mb']:,} MB" if rep.get("store_mb") is not None else "n/a"),
        ("dumps", f"{rep['dumps_mb']:,} MB" if rep.get("dumps_mb") is not None else "n/a"),
        ("machine", f"{m['nproc']} CPUs, {m['implementation']} {m['python']}, {m['platform']}"),
    ]
    rows += [(f"phase {k}", f"{v:.2f} s") for k, v in sorted(rep.get("phases_seconds", {}).items())
             if isinstance(v, (int, float))]
    if rep.get("floor"):
        f = rep["floor"]
        rows.append(("floor", f"{f['wall_seconds']:.2f} s, {f['peak_rss_mb']:.0f} MB peak, store {f['store_mb']} MB "
                              "(pyoxigraph bulk_load of the same N-Quads)"))
        rows.append(("x floor", f"{rep['x_floor']}x"))
    print("archivekg build benchmark")
    for k, v in rows:
        print(f"  {k:<15} {v}")


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(
        description="Generate a synthetic corpus and time `archivekg build` on it "
                    "(wall time, peak RSS, documents/s, triples/s).")
    ap.add_argument("--documents", "-n", type=int, default=16000,
                    help="corpus size (default: 16000)")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    ap.add_argument("--workdir", type=Path,
                    help="directory for corpus/, out/ and logs; the corpus is reused when "
                         "it matches --documents/--seed (default: a temporary directory)")
    ap.add_argument("--keep", action="store_true",
                    help="keep the build output (and the temporary workdir) afterwards")
    ap.add_argument("--json", action="store_true", help="print the report as JSON on stdout")
    ap.add_argument("--no-floor", action="store_true",
                    help="do not measure the floor (pyoxigraph bulk_load of the build's N-Quads)")
    ap.add_argument("--regenerate", action="store_true",
                    help="regenerate the corpus even if a matching one exists")
    ap.add_argument("--module", action="store_true",
                    help="run `python -m converter.cli` from this checkout (the default; kept for old scripts)")
    ap.add_argument("--cli", metavar="CMD",
                    help="command prefix to run instead of archivekg (shell-quoted), "
                         "e.g. '/other/venv/bin/archivekg'")
    ap.add_argument("--base-uri", default=BASE_URI, help=f"--base-uri for the build "
                                                          f"(default: {BASE_URI})")
    ap.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                    help="extra argument appended to the build command (repeatable)")
    ap.add_argument("--timeout", type=float, default=None,
                    help="kill the build after this many seconds (default: no limit)")
    args = ap.parse_args(argv)
    if args.documents <= 0:
        ap.error("--documents must be positive")

    temporary = args.workdir is None
    workdir = Path(tempfile.mkdtemp(prefix="archivekg-bench-")) if temporary \
        else args.workdir.resolve()
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "out"
    ok = False
    try:
        corpus_info = ensure_corpus(workdir, args.documents, args.seed, args.regenerate)
        if out.exists():
            shutil.rmtree(out)
        build = run_build(args, Path(corpus_info["path"]), out, workdir)
        bj = read_build_json(out, build["stderr_log"])
        floor = None if args.no_floor else run_floor(out, workdir)
        rep = make_report(corpus_info, build, bj, floor, out)
        if bj["documents"] != corpus_info["documents"]:
            log(f"warning: build.json reports {bj['documents']} documents, "
                f"the corpus has {corpus_info['documents']}")
        if args.json:
            print(json.dumps(rep, indent=2))
        else:
            print_report(rep)
        ok = True
        return 0
    except BenchError as e:
        print(f"bench_build: error: {e}", file=sys.stderr)
        return e.code
    finally:
        if args.keep:
            log(f"kept {workdir}")
        elif temporary and ok:
            shutil.rmtree(workdir, ignore_errors=True)
        elif temporary:
            # a failed temporary run keeps only its logs for inspection
            shutil.rmtree(workdir / "corpus", ignore_errors=True)
            shutil.rmtree(out, ignore_errors=True)
            log(f"logs kept in {workdir}")
        else:
            shutil.rmtree(out, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
