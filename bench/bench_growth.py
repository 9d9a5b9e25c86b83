#!/usr/bin/env python3
"""How the cost of the archive grows with its size, as figures and a picture (issue 13, point 7).

    python bench/bench_growth.py --sizes 1000,4000,16000 --workdir /tmp/akg-growth

For each size N (documents), with the functions of ``bench_build.py``:

1. generate the corpus ``bench/generate_corpus.py --documents N --seed 1`` into
   ``WORKDIR/nN/corpus`` (reused when it matches);
2. build it from nothing, through the command line (``archivekg build``, validation included),
   and take its wall time, CPU time, peak memory, phases (``build.json``), triples and the
   size of the store and the dumps on disk; with ``--floor``, also the floor of that size
   (pyoxigraph ``bulk_load`` of the build's own N-Quads, as ``bench_build.py`` measures it);
3. serve the build with the real server (``archivekg serve``, as ``bench_server.py`` starts it)
   and, once the server is idle (it prepares the whole archive's pictures as it starts;
   ``bench_serving.settle``), send each query of the catalogue (``server/queries/*.rq``, the
   federated ones left out: no network in benchmarks) over HTTP, POST ``application/sparql-query``
   asking for JSON results, with the seed's document and speakers in its VALUES replaced by the
   build's document of the most turns and its busiest speaker (``bench_serving.bound_to``: a
   generated corpus has not the seed's): one untimed run, then ``--repeat`` timed ones. The
   latency of a query is its median; the figure of a size is the median of those medians, with
   the slowest query's median beside it.

Then it writes ``WORKDIR/growth.json`` (every figure, per size) and ``WORKDIR/growth.png``: build
time, store size and catalogue-query latency against the number of documents, on log-log axes,
each with a dashed line of linear growth from the smallest size, so that growing faster than the
corpus shows as a steeper slope. ``--merge`` adds the sizes measured to those already in
``growth.json`` (the largest size can be run on its own, later); ``--plot-only`` redraws the
picture from ``growth.json``.

The build output of each size is removed once measured unless ``--keep`` (a store of 16,000
documents takes several GB); the corpora are kept for the next run.
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import statistics
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

BENCH_DIR = Path(__file__).resolve().parent
REPO_ROOT = BENCH_DIR.parent
sys.path.insert(0, str(BENCH_DIR))
sys.path.insert(0, str(REPO_ROOT))

from bench_build import (  # noqa: E402  (bench/ sibling modules)
    BASE_URI,
    BenchError,
    ensure_corpus,
    log,
    make_report,
    nproc,
    read_build_json,
    run_build,
    run_floor,
)
from bench_server import served  # noqa: E402
from bench_serving import bound_to, settle  # noqa: E402

from converter.catalogue import load_catalogue  # noqa: E402

# --------------------------------------------------------------------------
# catalogue latency over HTTP
# --------------------------------------------------------------------------

def _post(url: str, query: str, timeout: float) -> int:
    req = urllib.request.Request(url, data=query.encode("utf-8"), method="POST",
                                 headers={"Content-Type": "application/sparql-query",
                                          "Accept": "application/sparql-results+json"})
    with urllib.request.urlopen(req, timeout=timeout) as resp:
        return len(resp.read())


def catalogue_latency(out: Path, *, repeat: int, settle_limit: float, timeout: float) -> dict:
    """Median latency of each non-federated catalogue query over HTTP against ``archivekg serve OUT``."""
    queries = [q for q in load_catalogue() if not q.federated]
    if not queries:
        raise BenchError("no catalogue queries found in server/queries")
    chosen, rebind = bound_to((out / "current").resolve())  # the seed's names replaced by this build's
    with served(out, {"ARCHIVEKG_MAX_RESULT_ROWS": "100000"}) as (url, proc):
        settled = settle(proc.pid, settle_limit)
        log(f"server idle after {settled:.1f} s; {len(queries)} catalogue queries x (1 + {repeat})")
        per_query: dict[str, dict] = {}
        failed: dict[str, str] = {}
        every = []
        for q in queries:
            times = []
            size = 0
            t = time.perf_counter()
            try:
                text = rebind(q.sparql)
                _post(url, text, timeout)  # untimed: the first run of a query warms the store's pages
                for i in range(repeat):
                    t = time.perf_counter()  # each run a new text (a comment counts): run, never the result cache's
                    size = _post(url, f"{text}\n# run {i + 1}", timeout)
                    times.append(time.perf_counter() - t)
            except OSError as err:  # refused or timed out by the server: said, not hidden in the median
                failed[q.name] = f"{err} after {time.perf_counter() - t:.1f} s"
                log(f"warning: catalogue query {q.name} failed over HTTP: {failed[q.name]}")
                continue
            every += times
            per_query[q.name] = {"median_ms": round(statistics.median(times) * 1000, 2),
                                 "max_ms": round(max(times) * 1000, 2), "response_bytes": size}
    if not per_query:
        raise BenchError("every catalogue query failed over HTTP: " + "; ".join(f"{k}: {v}" for k, v in failed.items()))
    medians = [v["median_ms"] for v in per_query.values()]
    every.sort()
    return {
        "how": "HTTP to archivekg serve (POST application/sparql-query, JSON results), federated queries left out, "
               "each timed run a new text (a comment appended: none is answered from the result cache), "
               "the seed's document and speakers in VALUES replaced by the build's (bench_serving.bound_to)",
        "bound_to": chosen,
        "queries": len(per_query),
        "failed": failed,
        "repeat": repeat,
        "settle_seconds": round(settled, 1),
        "median_ms": round(statistics.median(medians), 2),
        "slowest_median_ms": max(medians),
        "slowest_query": max(per_query, key=lambda k: per_query[k]["median_ms"]),
        "p95_ms": round(every[int(0.95 * (len(every) - 1))] * 1000, 2),
        "per_query": per_query,
    }


# --------------------------------------------------------------------------
# one size
# --------------------------------------------------------------------------

def measure_size(args: argparse.Namespace, documents: int) -> dict:
    workdir = args.workdir / f"n{documents}"
    workdir.mkdir(parents=True, exist_ok=True)
    out = workdir / "out"
    corpus = ensure_corpus(workdir, documents, args.seed, False)
    if out.exists():
        shutil.rmtree(out)
    try:
        build = run_build(args, Path(corpus["path"]), out, workdir)
        bj = read_build_json(out, build["stderr_log"])
        log(f"{documents} documents built in {build['wall_seconds']:.1f} s")
        floor = run_floor(out, workdir) if args.floor else None
        report = make_report(corpus, build, bj, floor, out)
        if args.no_queries:
            latency = None
        else:
            latency = catalogue_latency(out, repeat=args.repeat, settle_limit=args.settle, timeout=args.query_timeout)
            log(f"{documents} documents: catalogue median {latency['median_ms']} ms, "
                f"slowest {latency['slowest_query']} {latency['slowest_median_ms']} ms")
    finally:
        if not args.keep:
            shutil.rmtree(out, ignore_errors=True)
    return {
        "documents": report["documents"],
        "triples": report["triples"],
        "triples_per_document": report["triples_per_document"],
        "build_seconds": report["wall_seconds"],
        "build_cpu_seconds": report["cpu_seconds"],
        "build_peak_rss_mb": report["peak_rss_mb"],
        "phases_seconds": report["phases_seconds"],
        "store_mb": report["store_mb"],
        "dumps_mb": report["dumps_mb"],
        "floor": report["floor"],
        "x_floor": report["x_floor"],
        "catalogue": latency,
        "command": report["command"],
        "measured_at": time.strftime("%Y-%m-%dT%H:%M:%S%z"),
        "commit": _commit(),
    }


def _commit() -> str | None:
    try:
        res = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=REPO_ROOT, capture_output=True, text=True,
                             timeout=10)
    except OSError:
        return None
    return res.stdout.strip() or None


# --------------------------------------------------------------------------
# the picture
# --------------------------------------------------------------------------

def growth_exponent(points: list[tuple[float, float]]) -> float | None:
    """k of cost ~ documents^k, fitted by least squares on log-log (1: linear growth)."""
    import math

    pts = [(math.log(x), math.log(y)) for x, y in points if x > 0 and y and y > 0]
    if len(pts) < 2:
        return None
    mx = sum(x for x, _ in pts) / len(pts)
    my = sum(y for _, y in pts) / len(pts)
    var = sum((x - mx) ** 2 for x, _ in pts)
    return sum((x - mx) * (y - my) for x, y in pts) / var if var else None


def plot(figures: list[dict], path: Path, title: str) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    from matplotlib.ticker import FuncFormatter, LogLocator, NullFormatter

    rows = sorted(figures, key=lambda r: r["documents"])
    docs = [r["documents"] for r in rows]

    def series(key, sub=None):  # type: ignore[no-untyped-def]
        out = []
        for d, r in zip(docs, rows):
            v = r.get(key)
            if sub is not None:
                v = v.get(sub) if isinstance(v, dict) else None
            if v is not None:
                out.append((d, v))
        return out

    panels = [
        ("build time (s)", "first build from nothing, validation included",
         [("build", series("build_seconds"), "o-", "tab:blue"),
          ("floor: bulk_load of the same N-Quads", series("floor", "wall_seconds"), "v:", "tab:green")]),
        ("size on disk (MB)", "after the build",
         [("store (pyoxigraph)", series("store_mb"), "o-", "tab:blue"),
          ("dumps (gzip)", series("dumps_mb"), "^:", "tab:purple")]),
        ("catalogue query latency (ms)", "over HTTP, each query's median",
         [("median of the queries", series("catalogue", "median_ms"), "o-", "tab:blue"),
          ("slowest query", series("catalogue", "slowest_median_ms"), "s:", "tab:red")]),
    ]
    fig, axes = plt.subplots(1, 3, figsize=(15, 5))
    for ax, (label, note, lines) in zip(axes, panels):
        first = None
        for name, points, style, color in lines:
            if not points:
                continue
            xs, ys = zip(*points)
            k = growth_exponent(points)
            ax.plot(xs, ys, style, color=color, label=f"{name}" + (f" (~N^{k:.2f})" if k is not None else ""))
            for x, y in points:
                ax.annotate(f"{y:,.0f}" if y >= 10 else f"{y:.2g}", (x, y), textcoords="offset points",
                            xytext=(0, 7), ha="center", fontsize=8, color=color)
            first = first or points
        if first and len(first) > 1:
            x0, y0 = first[0]
            ax.plot(docs, [y0 * x / x0 for x in docs], "--", color="grey", linewidth=0.8,
                    label="linear growth (N^1)")
        ax.set_xscale("log")
        ax.set_yscale("log")
        ax.set_xticks(docs)
        ax.set_xticklabels([f"{d:,}" for d in docs])
        ax.xaxis.set_minor_formatter(NullFormatter())
        ax.yaxis.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
        ax.yaxis.set_major_formatter(FuncFormatter(lambda v, _pos: f"{v:,.0f}" if v >= 1 else f"{v:g}"))
        ax.yaxis.set_minor_formatter(NullFormatter())
        ax.set_xlabel("documents (N)")
        ax.set_title(f"{label}\n{note}", fontsize=10)
        ax.grid(True, which="major", alpha=0.3)
        ax.margins(y=0.15)
        ax.legend(fontsize=8, loc="best")
    fig.suptitle(title, fontsize=11)
    fig.tight_layout()
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=110)
    plt.close(fig)


def print_table(figures: list[dict]) -> None:
    print("documents  triples      build s  x floor  peak MB  store MB  dumps MB  catalogue median ms (slowest)")
    for r in sorted(figures, key=lambda r: r["documents"]):
        cat = r.get("catalogue")
        lat = f"{cat['median_ms']:>9} ({cat['slowest_query']} {cat['slowest_median_ms']})" if cat else "n/a"
        xf = f"{r['x_floor']}x" if r.get("x_floor") else "n/a"
        print(f"{r['documents']:>9,}  {r['triples']:>11,}  {r['build_seconds']:>7.1f}  {xf:>7}  "
              f"{r['build_peak_rss_mb']:>7,.0f}  {r['store_mb']:>8,.0f}  {r['dumps_mb']:>8,.0f}  {lat}")


# --------------------------------------------------------------------------

def _sizes(text: str) -> list[int]:
    try:
        sizes = sorted({int(s) for s in text.split(",") if s.strip()})
    except ValueError:
        raise argparse.ArgumentTypeError(f"--sizes takes numbers separated by commas, not {text!r}") from None
    if not sizes or sizes[0] <= 0:
        raise argparse.ArgumentTypeError("--sizes needs at least one positive number of documents")
    return sizes


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0].strip(),
                                 epilog="Figures: WORKDIR/growth.json; picture: WORKDIR/growth.png (or --picture).")
    ap.add_argument("--sizes", type=_sizes, default=_sizes("1000,4000,16000"),
                    help="corpus sizes in documents, separated by commas (default: 1000,4000,16000)")
    ap.add_argument("--workdir", type=Path, required=True,
                    help="directory for the corpora (kept and reused), the builds, growth.json and growth.png")
    ap.add_argument("--seed", type=int, default=1, help="corpus seed (default: 1)")
    ap.add_argument("--repeat", type=int, default=5, help="timed runs of each catalogue query (default: 5)")
    ap.add_argument("--settle", type=float, default=600.0,
                    help="wait at most this many seconds for the server to be idle before timing queries "
                         "(it prepares the pictures as it starts; default: 600)")
    ap.add_argument("--query-timeout", type=float, default=300.0,
                    help="give up on a query after this many seconds (default: 300)")
    ap.add_argument("--floor", action="store_true",
                    help="also measure each size's floor (pyoxigraph bulk_load of the build's N-Quads)")
    ap.add_argument("--no-queries", action="store_true", help="do not serve the builds nor time the catalogue")
    ap.add_argument("--merge", action="store_true",
                    help="keep the sizes already in WORKDIR/growth.json that this run does not measure")
    ap.add_argument("--plot-only", action="store_true", help="redraw growth.png from growth.json, measure nothing")
    ap.add_argument("--picture", type=Path, default=None,
                    help="where to write the PNG (default: WORKDIR/growth.png), e.g. docs/growth.png for the README")
    ap.add_argument("--keep", action="store_true", help="keep each size's build output (WORKDIR/nN/out)")
    ap.add_argument("--timeout", type=float, default=None, help="kill a build after this many seconds")
    ap.add_argument("--cli", metavar="CMD", help="command prefix to run instead of this checkout's archivekg")
    ap.add_argument("--build-arg", action="append", default=[], metavar="ARG",
                    help="extra argument for every build command (repeatable)")
    args = ap.parse_args(argv)
    args.base_uri, args.module = BASE_URI, True  # what bench_build.run_build reads
    args.workdir = args.workdir.resolve()
    args.workdir.mkdir(parents=True, exist_ok=True)
    results_path, picture = args.workdir / "growth.json", (args.picture or args.workdir / "growth.png").resolve()

    previous: dict = {}
    if (args.merge or args.plot_only) and results_path.is_file():
        previous = json.loads(results_path.read_text(encoding="utf-8"))
    figures = {r["documents"]: r for r in previous.get("sizes", [])}
    try:
        if not args.plot_only:
            for n in args.sizes:
                log(f"size {n:,}: generating, building, serving")
                figures[n] = measure_size(args, n)
                _write(results_path, figures)  # what is measured is kept, even if a larger size fails
    except BenchError as e:
        print(f"bench_growth: error: {e}", file=sys.stderr)
        return e.code
    if not figures:
        print(f"bench_growth: error: no figures to plot in {results_path}", file=sys.stderr)
        return 1
    rows = list(figures.values())
    commits = sorted({r.get("commit") or "?" for r in rows})
    if len(commits) > 1:
        log(f"warning: the sizes were measured on different commits ({', '.join(commits)})")
    title = (f"archivekg: cost against corpus size (bench/generate_corpus.py documents, {nproc()} cores, "
             f"commit {', '.join(commits)}; log-log: the slope is the growth)")
    plot(rows, picture, title)
    print_table(rows)
    print(f"figures: {results_path}\npicture: {picture}")
    return 0


def _write(path: Path, figures: dict[int, dict]) -> None:
    data = {"machine": {"nproc": nproc(), "python": platform.python_version(), "platform": platform.platform()},
            "sizes": [figures[n] for n in sorted(figures)]}
    tmp = path.with_suffix(".json.tmp")
    tmp.write_text(json.dumps(data, indent=1) + "\n", encoding="utf-8")
    os.replace(tmp, path)


if __name__ == "__main__":
    sys.exit(main())
