"""Faults during a build: killed at random points, a full disk, a read-only output, a permission error.

The published output must always be whole (the previous one when the new build failed), the message
must say what happened without a traceback, and the next build must recover without manual clean-up.
Each test runs the real command line on the real on-disk store.
"""

from __future__ import annotations

import ctypes
import gzip
import hashlib
import json
import os
import random
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import BASE, ROOT, run_cli

SOURCES = [str(ROOT / "seeds"), str(ROOT / "tests" / "fixtures" / "documents")]
TRIALS = 8


def _build(out: Path, *extra: str, env: dict | None = None) -> subprocess.CompletedProcess[str]:
    return run_cli("build", *SOURCES, "--out", str(out), "--base-uri", BASE, "--no-progress", *extra, env=env)


def _published(out: Path) -> dict:
    """Check that OUT/current is a whole build (store, dumps, index, VoID agree) and say what it holds."""
    current = out / "current"
    assert current.is_symlink() and current.resolve().is_dir(), f"{current} is not a published release"
    info = json.loads((current / "build.json").read_text(encoding="utf-8"))
    store = ox.Store.read_only(str(current / "store"))
    assert len(store) == info["triples"], "the store does not hold what build.json says"
    for name, dump in info["dumps"].items():
        data = (current / dump["path"]).read_bytes()
        assert hashlib.sha256(data).hexdigest() == dump["sha256"], f"{name} is not the dump build.json describes"
    with gzip.open(current / "dumps" / "archivekg.nq.gz") as f:
        quads = sum(1 for _ in ox.parse(f, format=ox.RdfFormat.N_QUADS))
    assert quads == len(store), "the N-Quads dump and the store disagree"
    for doc in info["documents_index"]:
        assert (current / "dumps" / "documents" / f"{doc['id']}.ttl").is_file(), doc["id"]
        assert (current / "sources" / doc["source"]).is_file(), doc["source"]
    assert (current / "void.ttl").stat().st_size > 0 and (current / "search.sqlite").stat().st_size > 0
    return {"release": current.resolve().name, "quads": quads, "documents": info["documents"]}


def _leftovers(out: Path) -> list[str]:
    """Temporary files and directories a build left: staging, parts, link swaps, half-written cache entries."""
    left = [p for p in (out / "releases").iterdir() if p.name.startswith(".")]
    left += [p for p in out.iterdir() if p.name.startswith(".current-")]
    left += list((out / ".cache").rglob("*.tmp"))
    return sorted(p.name for p in left)


def _clean(res: subprocess.CompletedProcess[str]) -> None:
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr


def test_sigkill_at_random_points_leaves_the_published_build_whole(tmp_path: Path) -> None:
    out = tmp_path / "out"
    t0 = time.monotonic()
    first = _build(out)
    duration = time.monotonic() - t0
    assert first.returncode == 0, first.stderr
    before = _published(out)
    rng = random.Random(20261204)
    killed_at = []
    for _ in range(TRIALS):
        delay = rng.uniform(0.05, duration)
        proc = subprocess.Popen(
            [sys.executable, "-m", "converter.cli", "build", *SOURCES, "--out", str(out), "--base-uri", BASE,
             "--no-progress"], cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)  # the build and its workers, at once
        proc.wait(timeout=30)
        killed_at.append(round(delay, 2))
        now = _published(out)  # whole after every kill: the old release, or a complete new one
        assert now["quads"] == before["quads"] and now["documents"] == before["documents"], killed_at
    last = _build(out)
    assert last.returncode == 0, f"the build after {killed_at} did not recover: {last.stderr}"
    assert _published(out)["quads"] == before["quads"]
    assert _leftovers(out) == [], "a build after a killed one must clear what the killed one left"
    assert len([p for p in (out / "releases").iterdir()]) <= 2


@contextmanager
def _tmpfs(path: Path, size: str) -> Iterator[Path]:
    path.mkdir(parents=True, exist_ok=True)
    if os.geteuid() != 0:
        pytest.skip("making a size-limited file system needs root (mount -t tmpfs); CI runs as root")
    res = subprocess.run(["mount", "-t", "tmpfs", "-o", f"size={size},mode=0755", "tmpfs", str(path)],
                         capture_output=True, text=True)
    if res.returncode != 0:
        pytest.skip(f"cannot mount a tmpfs here ({res.stderr.strip()}); the machine forbids mounts")
    try:
        yield path
    finally:
        subprocess.run(["umount", "-l", str(path)], check=False)


def test_full_disk_fails_cleanly_and_the_next_build_recovers(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "disk", "24m") as disk:
        out = disk / "out"
        first = _build(out)
        assert first.returncode == 0, first.stderr
        before = _published(out)
        filler = disk / "filler"
        with open(filler, "wb") as f:  # fill the disk up to its last 64 KB
            free = shutil.disk_usage(disk).free
            f.write(b"\0" * max(0, free - 64 * 1024))
        res = _build(out)
        _clean(res)
        assert res.returncode == 1, res.stderr
        assert "No space left" in res.stderr or "disk is full" in res.stderr, res.stderr
        assert "previous build" in res.stderr, res.stderr
        assert _published(out) == before
        filler.unlink()
        again = _build(out)
        assert again.returncode == 0, again.stderr
        assert _published(out)["quads"] == before["quads"]
        assert _leftovers(out) == []


def test_read_only_output_fails_cleanly_and_the_next_build_recovers(tmp_path: Path) -> None:
    with _tmpfs(tmp_path / "disk", "24m") as disk:
        out = disk / "out"
        assert _build(out).returncode == 0
        before = _published(out)
        subprocess.run(["mount", "-o", "remount,ro", str(disk)], check=True)
        try:
            res = _build(out)
        finally:
            subprocess.run(["mount", "-o", "remount,rw", str(disk)], check=True)
        _clean(res)
        assert res.returncode == 1, res.stderr
        assert "Read-only" in res.stderr or "read-only" in res.stderr, res.stderr
        assert str(out) in res.stderr, res.stderr
        assert _published(out) == before
        again = _build(out)
        assert again.returncode == 0, again.stderr
        assert _leftovers(out) == []


def _without_dac_override() -> None:
    """In the child: drop root's power to ignore file permissions, so that they apply as to anyone."""
    libc = ctypes.CDLL(None, use_errno=True)
    for cap in (1, 2):  # CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH
        if libc.prctl(24, cap, 0, 0, 0) != 0:  # PR_CAPBSET_DROP
            raise OSError(ctypes.get_errno(), "prctl(PR_CAPBSET_DROP)")


def test_permission_denied_fails_cleanly_and_the_next_build_recovers(tmp_path: Path) -> None:
    out = tmp_path / "out"
    assert _build(out).returncode == 0
    before = _published(out)
    releases = out / "releases"
    releases.chmod(0o555)
    try:
        res = subprocess.run(
            [sys.executable, "-m", "converter.cli", "build", *SOURCES, "--out", str(out), "--base-uri", BASE,
             "--no-progress"], cwd=ROOT, capture_output=True, text=True, timeout=300,
            preexec_fn=_without_dac_override if os.geteuid() == 0 else None)
    finally:
        releases.chmod(0o755)
    _clean(res)
    assert res.returncode == 1, res.stderr
    assert "Permission denied" in res.stderr or "permission denied" in res.stderr, res.stderr
    assert "writable" in res.stderr, res.stderr
    assert _published(out) == before
    again = _build(out)
    assert again.returncode == 0, again.stderr
    assert _leftovers(out) == []
