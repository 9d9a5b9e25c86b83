"""A short, bounded load test with a real load tool: locust, 16 users, 12 s, on loopback.

The same locustfile and runner as `python bench/load/run.py` (60 s there; the figures are in the README,
Benchmarks, Load). The users mix catalogue queries, resource pages, search, dump downloads and
reconciliation batches against `archivekg serve` over the seed's build. Held to:
- no failed request (any status of 400 or more, a wrong body, a dump of the wrong size is a failure);
- memory flat over the run: the resident memory of the server's process tree (waitress and its query
  worker processes) at the end is at most start x 1.5 + 50 MB, the start taken after a warm-up.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest

from .conftest import ROOT

LOAD = ROOT / "bench" / "load"
SECONDS, USERS = 12, 16

pytestmark = pytest.mark.skipif(importlib.util.find_spec("locust") is None,
                                reason="locust is not installed: pip install -e '.[test]' installs it")


def _runner():
    sys.path.insert(0, str(LOAD))
    spec = importlib.util.spec_from_file_location("akg_load_run", LOAD / "run.py")
    module = importlib.util.module_from_spec(spec)  # type: ignore[arg-type]
    spec.loader.exec_module(module)  # type: ignore[union-attr]
    return module


def test_sixteen_users_for_twelve_seconds_without_a_failure_and_flat_memory(seed_build: Path, tmp_path: Path):
    run = _runner()
    env = run.load_env(seed_build)
    with run.serve(seed_build, log=tmp_path / "serve.log") as (url, proc):
        run.warm_up(url, env)
        r = run.run_load(url, proc.pid, tmp_path / "locust", env, seconds=SECONDS, users=USERS)
    summary = run.report(r)
    assert r["failures"] == 0, summary
    assert r["locust_exit"] == 0, summary + "\n" + Path(r["log"]).read_text()[-3000:]
    assert r["requests"] >= 10 * SECONDS, summary  # it did run: a few hundred requests on any machine
    kinds = {n["name"].split()[0] for n in r["by_name"]}
    assert kinds == {"sparql", "page", "search", "dump", "reconcile"}, summary
    assert r["rss_end_bytes"] <= run.memory_bound(r["rss_start_bytes"]), summary
