#!/usr/bin/env python3
"""What each remote engine takes: resident memory empty, and with a build loaded and queried; disk.

    python bench/bench_engine_memory.py [--build DIR] [--engine oxigraph --engine virtuoso]

Builds seeds/ (or takes --build), starts each engine on 127.0.0.1 (tests/engines.py), measures the
resident memory of its process (VmRSS from /proc), loads the build with `archivekg publish`, runs every
non-federated catalogue query once through the store interface the server uses, and measures again,
with the size of the engine's data directory. The embedded store's directory size is printed as the floor.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE / "load"))
sys.path.insert(0, str(ROOT))

from loadkit import process_tree_rss  # noqa: E402

from converter.catalogue import load_catalogue  # noqa: E402
from server.remote_store import RemoteStore  # noqa: E402
from tests.engines import missing, started  # noqa: E402

MIB = 2**20


def disk(path: Path) -> int:
    return sum(f.stat().st_size for f in path.rglob("*") if f.is_file())


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--build", type=Path, default=None, help="an existing build directory (default: build seeds/)")
    ap.add_argument("--engine", action="append", choices=["oxigraph", "virtuoso"], default=None)
    args = ap.parse_args()
    work = Path(tempfile.mkdtemp(prefix="archivekg-engine-memory-"))
    build = args.build
    if build is None:
        build = work / "build"
        subprocess.run([sys.executable, "-m", "converter.cli", "build", str(ROOT / "seeds"), "--out", str(build),
                        "--base-uri", "http://localhost:8080/", "--no-progress"], check=True, cwd=ROOT,
                       stdout=subprocess.DEVNULL)
    info = __import__("json").loads((build / "current" / "build.json").read_text())
    print(f"build: {info['triples']:,} triples; embedded store on disk: {disk(build / 'current' / 'store') / MIB:.0f} MiB")
    print("| engine | memory empty | memory loaded and queried | disk |")
    print("|---|---|---|---|")
    for name in args.engine or ["oxigraph", "virtuoso"]:
        reason = missing(name)
        if reason:
            print(f"{name}: skipped: {reason}", file=sys.stderr)
            continue
        with started(name, work / name) as engine:
            empty = process_tree_rss(engine.pid)  # type: ignore[arg-type]
            subprocess.run([sys.executable, "-m", "converter.cli", "publish", str(build), *engine.publish_args(),
                            "--no-progress"], check=True, cwd=ROOT, env={**os.environ, **engine.publish_env()},
                           stdout=subprocess.DEVNULL)
            store = RemoteStore(build, engine.query_url)
            for q in load_catalogue():
                if not q.federated:
                    list(store.query(q.sparql))
            loaded = process_tree_rss(engine.pid)  # type: ignore[arg-type]
            print(f"| {name} | {empty / MIB:.0f} MiB | {loaded / MIB:.0f} MiB | {disk(engine.directory) / MIB:.0f} MiB |")  # type: ignore[arg-type]
    return 0


if __name__ == "__main__":
    sys.exit(main())
