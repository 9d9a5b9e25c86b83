"""A document of thousands of turns: its page is paged, so that one request never holds a server thread
for seconds or builds megabytes, and every link to a turn lands on the page that shows it."""

from __future__ import annotations

import re
import urllib.request
from pathlib import Path

import pytest

from server.transcript import TRANSCRIPT_PAGE

from .conftest import BASE, run_cli, serving

TURNS = TRANSCRIPT_PAGE + 37


@pytest.fixture(scope="module")
def long_served(tmp_path_factory: pytest.TempPathFactory):
    src = tmp_path_factory.mktemp("long") / "src"
    src.mkdir()
    lines = ["## March 3, 1961", "", "# Conversation between Andrei Gromyko and Dean Rusk", "", "### Citation:", "",
             "\"Conversation between Andrei Gromyko and Dean Rusk,\" March 3, 1961, History and Public Policy "
             "Program Digital Archive.", "<http://digitalarchive.wilsoncenter.org/document/990300>", "",
             "### Contents:", "", "- English Translation", ""]
    for n in range(1, TURNS + 1):
        speaker = "Gromyko" if n % 2 else "Rusk"
        lines += [f"{speaker}: In Berlin the situation has changed {n} times since the conference.", ""]
    (src / "long.txt").write_text("\n".join(lines), encoding="utf-8")
    out = src.parent / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--no-progress")
    assert res.returncode == 0, res.stderr
    with serving(out) as url:
        yield url


def _get(url: str) -> str:
    with urllib.request.urlopen(url, timeout=60) as resp:
        return resp.read().decode("utf-8")


def test_the_transcript_is_paged(long_served: str) -> None:
    first = _get(long_served + "/id/document/990300.html")
    assert first.count('class="turn"') == TRANSCRIPT_PAGE
    assert 'rel="next" href="?page=2"' in first and 'rel="prev"' not in first
    last = _get(long_served + "/id/document/990300.html?page=2")
    assert last.count('class="turn"') == TURNS - TRANSCRIPT_PAGE
    assert 'rel="prev" href="?page=1"' in last and 'rel="next"' not in last
    assert f'id="990300-{TURNS}"' in last


def test_a_link_to_a_turn_lands_on_its_page(long_served: str) -> None:
    n = TRANSCRIPT_PAGE + 5  # a turn on page 2
    claim = _get(long_served + f"/id/claim/990300-{n}-1.html")
    href = re.search(r'href="([^"]+)">Read it in the transcript', claim).group(1)
    assert href.endswith(f"?page=2#990300-{n}")
    page = _get(long_served + href.split("#")[0])
    assert f'id="990300-{n}"' in page


def test_pages_made_at_once_are_bounded(seed_build) -> None:
    """Past PAGE_CONCURRENCY pages in the making, a page request waits PAGE_WAIT, then gets 503 + Retry-After."""
    from server.app import create_app
    from server.errors import ApiError
    from server.resources import page_slot

    app = create_app({"DATA_DIR": str(seed_build.parent), "QUERY_WORKERS": 0, "PAGE_CONCURRENCY": 1, "PAGE_WAIT": 0})
    with app.test_request_context("/id/person/mao-zedong.html"):
        with page_slot():
            with pytest.raises(ApiError) as refused, page_slot():
                pass
        assert refused.value.status == 503 and refused.value.retry_after
        with page_slot():  # free again
            pass


def test_many_requests_for_a_long_page_leave_queries_answered(long_served: str) -> None:
    """Sixteen clients asking for a long document's pages at once do not lock a query out."""
    import json
    import threading
    import time
    import urllib.error
    import urllib.parse

    def fetch(n: int) -> None:
        try:
            _get(long_served + f"/id/document/990300.html?page={1 + n % 2}")
        except urllib.error.HTTPError:
            pass  # a 503 past PAGE_CONCURRENCY is the bound working

    threads = [threading.Thread(target=fetch, args=(n,), daemon=True) for n in range(16)]
    for t in threads:
        t.start()
    time.sleep(0.2)
    started = time.monotonic()
    body = _get(long_served + "/sparql?" + urllib.parse.urlencode({"query": "ASK {}", "format": "json"}))
    waited = time.monotonic() - started
    assert json.loads(body)["boolean"] is True
    assert waited < 10, waited  # before the bound: every server thread held by a page
    for t in threads:
        t.join(120)
