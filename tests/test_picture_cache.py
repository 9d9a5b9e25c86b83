"""A picture's data is gathered off the request's thread: a reader never waits more than PICTURE_WAIT for it."""

from __future__ import annotations

import threading
import time
import urllib.parse
from pathlib import Path

import pytest

from server.picture_cache import NotReady, PictureCache

from .conftest import serving
from .test_server import http


def test_a_slow_computation_is_not_ready_then_ready_and_runs_once() -> None:
    cache: PictureCache[int] = PictureCache()
    calls = []
    release = threading.Event()

    def compute() -> int:
        calls.append(1)
        release.wait(5)
        return 42

    with pytest.raises(NotReady):
        cache.get("k", compute, wait=0.05)
    with pytest.raises(NotReady):
        cache.get("k", compute, wait=0.05)  # still running: waited for, not started again
    release.set()
    assert cache.get("k", compute, wait=5) == 42
    assert cache.get("k", compute, wait=0) == 42  # kept
    assert len(calls) == 1


def test_a_failed_computation_raises_to_its_reader_and_is_tried_again() -> None:
    cache: PictureCache[str] = PictureCache()
    outcomes = iter([ValueError("store gone"), "drawn"])

    def compute() -> str:
        got = next(outcomes)
        if isinstance(got, Exception):
            raise got
        return got

    with pytest.raises(ValueError, match="store gone"):
        cache.get("k", compute)
    assert cache.get("k", compute) == "drawn"


def test_only_the_last_results_are_kept() -> None:
    cache: PictureCache[int] = PictureCache(size=2)
    for n in range(3):
        assert cache.get(n, lambda n=n: n) == n
    calls = []
    assert cache.get(0, lambda: calls.append(1) or 0) == 0
    assert calls == [1], "the oldest was dropped and is computed again"


def test_a_picture_not_ready_in_time_is_a_page_that_says_so_and_reloads(seed_build: Path) -> None:
    """With PICTURE_WAIT 0 a picture whose data is not gathered yet answers at once: a 503 page with Retry-After
    and a refresh; the data is gathered meanwhile, and the same request then draws the picture."""
    with serving(seed_build, {"ARCHIVEKG_PICTURE_WAIT": "0"}) as url:
        prepared = []
        for path, person in (("timeline", "mao-zedong"), ("network", "beqir-balluku"), ("map", "mao-zedong"),
                             ("timeline", "beqir-balluku"), ("network", "mao-zedong")):
            target = f"{url}/{path}?{urllib.parse.urlencode({'person': person})}"
            status, headers, body = http("GET", target)
            if status == 503:
                page = body.decode()
                assert headers["Retry-After"] == "2" and '<meta http-equiv="refresh" content="2">' in page
                assert f"The {path} is being prepared" in page and "Traceback" not in page
                prepared.append(path)
                deadline = time.monotonic() + 20
                while status == 503 and time.monotonic() < deadline:
                    time.sleep(0.2)
                    status, headers, body = http("GET", target)
            assert status == 200, body[:300]
            assert b"<svg" in body
        assert prepared, "with no time to wait, at least one picture was still being prepared when asked for"


def test_a_picture_wait_that_is_not_a_number_is_refused_at_start() -> None:
    from server.config import SettingError, from_env

    with pytest.raises(SettingError, match="ARCHIVEKG_PICTURE_WAIT='soon' is not a number"):
        from_env({"ARCHIVEKG_PICTURE_WAIT": "soon"})
    assert from_env({"ARCHIVEKG_PICTURE_WAIT": "0.25"})["PICTURE_WAIT"] == 0.25
