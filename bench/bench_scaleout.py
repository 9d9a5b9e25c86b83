#!/usr/bin/env python3
"""Scale-out, measured: 1, 2, 4 stateless `archivekg serve --endpoint` processes behind nginx, over one store.

    python bench/bench_scaleout.py [--engine oxigraph|virtuoso] [--processes 1,2,4] [--seconds 30]
                                   [--users 12] [--build DIR] [--workdir DIR]

Builds seeds/ (or takes the build in --build), starts the engine on 127.0.0.1 (tests/engines.py: a real
`oxigraph serve` or a private Virtuoso), loads the build with `archivekg publish`, then for each number of
processes starts that many `archivekg serve BUILD --endpoint URL` on free loopback ports and nginx with
deploy/nginx.conf in front of them (one `server` line each in its upstream). The load is the project's
locust load (bench/load/locustfile.py, run by bench/load/run.py): --users users (below nginx's limit_conn
of 16 per client address) for --seconds, mixing the catalogue queries, resource pages, search, dump
downloads and reconciliation. It prints throughput, p50/p99 latency and failures per row, and the
throughput ratio to the one-process row measured in the same run (the floor).

Every request stays on 127.0.0.1. Exit status 1 when a request failed.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "load"))
sys.path.insert(0, str(ROOT))

from loadkit import NGINX_CONF, free_port, nginx, nginx_binary, serve  # noqa: E402
from run import load_env, run_load, warm_up  # noqa: E402

from tests.engines import missing, started  # noqa: E402


def process_tree_cpu(pid: int) -> float:
    """CPU seconds (user + system) used so far by a process and its descendants, from /proc."""
    tick = os.sysconf("SC_CLK_TCK")
    total, todo = 0.0, [pid]
    while todo:
        p = todo.pop()
        try:
            fields = Path(f"/proc/{p}/stat").read_text().rsplit(")", 1)[1].split()
            total += (int(fields[11]) + int(fields[12])) / tick  # utime, stime
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, ValueError, IndexError):
            continue
    return total


def nginx_conf_for(ports: list[int], path: Path) -> Path:
    """deploy/nginx.conf with one upstream `server` line per front end (the first is the one loadkit renders)."""
    text = NGINX_CONF.read_text()
    extra = "".join(f"\n        server 127.0.0.1:{p};" for p in ports[1:])
    path.write_text(text.replace("server 127.0.0.1:8080;", "server 127.0.0.1:8080;" + extra, 1))
    return path


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0], formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--engine", choices=["oxigraph", "virtuoso"], default="oxigraph")
    ap.add_argument("--processes", default="1,2,4", help="numbers of front ends, comma-separated (default 1,2,4)")
    ap.add_argument("--seconds", type=int, default=30, help="seconds of load per row (default 30)")
    ap.add_argument("--users", type=int, default=12, help="locust users, at most 16 (nginx's limit_conn)")
    ap.add_argument("--build", type=Path, default=None, help="an existing build directory (default: build seeds/)")
    ap.add_argument("--workdir", type=Path, default=None)
    args = ap.parse_args()
    counts = [int(x) for x in args.processes.split(",") if x.strip()]
    if not counts or any(c < 1 for c in counts) or not 1 <= args.users <= 16 or args.seconds < 1:
        ap.error("--processes takes whole numbers of 1 or more; --users 1 to 16; --seconds 1 or more")
    for need in (missing(args.engine), None if nginx_binary() else "nginx is not installed (apt-get install nginx-light)"):
        if need:
            print(f"error: {need}", file=sys.stderr)
            return 2
    work = args.workdir or Path(tempfile.mkdtemp(prefix="archivekg-scaleout-"))
    build = args.build
    if build is None:
        build = work / "build"
        subprocess.run([sys.executable, "-m", "converter.cli", "build", str(ROOT / "seeds"), "--out", str(build),
                        "--base-uri", "http://localhost:8080/", "--no-progress"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    rows: list[tuple[int, dict]] = []
    with started(args.engine, work / "engine") as engine:
        subprocess.run([sys.executable, "-m", "converter.cli", "publish", str(build), *engine.publish_args(),
                        "--no-progress"], check=True, cwd=ROOT, env={**os.environ, **engine.publish_env()},
                       stdout=subprocess.DEVNULL)
        for n in counts:
            with ExitStack() as stack:
                ports = [free_port() for _ in range(n)]
                fronts = [stack.enter_context(serve(build, {"ARCHIVEKG_ENDPOINT": engine.query_url}, port=port,
                                                    log=work / f"serve-{n}-{i}.log"))[1].pid
                          for i, port in enumerate(ports)]
                prefix = work / f"nginx-{n}"
                shutil.rmtree(prefix, ignore_errors=True)
                prefix.mkdir(parents=True)
                url, proc = stack.enter_context(nginx(prefix, ports[0], nginx_conf_for(ports, prefix / "deploy.conf")))
                env = load_env(build)
                for _ in range(n):
                    warm_up(url, env)  # every kind of request, about once per front end
                parts = {"store": [engine.pid], "front ends": fronts, "nginx": [proc.pid]}
                cpu = {k: sum(process_tree_cpu(p) for p in v if p) for k, v in parts.items()}
                result = run_load(url, proc.pid, work / f"locust-{n}", env, args.seconds, args.users)
                result["cpu"] = {k: sum(process_tree_cpu(p) for p in v if p) - cpu[k] for k, v in parts.items()}
                rows.append((n, result))
                print(f"{n} front end(s): {result['throughput_rps']:.1f} req/s, p50 {result['p50_ms']:.0f} ms, "
                      f"p99 {result['p99_ms']:.0f} ms, {result['failures']} failed of {result['requests']}",
                      file=sys.stderr)
    floor = rows[0][1]["throughput_rps"]
    print(f"\nengine: {args.engine}; locust, {args.users} users, {args.seconds} s per row; "
          f"machine: {os.cpu_count()} cores")
    print("| front ends | requests | failed | req/s | ratio to 1 | p50 ms | p99 ms | CPU s: store / front ends / nginx |")
    print("|---|---|---|---|---|---|---|---|")
    for n, r in rows:
        c = r["cpu"]
        print(f"| {n} | {r['requests']:,} | {r['failures']} | {r['throughput_rps']:.1f} | "
              f"{r['throughput_rps'] / floor:.2f} | {r['p50_ms']:.0f} | {r['p99_ms']:.0f} | "
              f"{c['store']:.0f} / {c['front ends']:.0f} / {c['nginx']:.0f} |")
    failed = [f for _, r in rows for f in r["failed"]]
    for f in failed[:10]:
        print("failed:", f, file=sys.stderr)
    return 1 if failed else 0

if __name__ == "__main__":
    sys.exit(main())
