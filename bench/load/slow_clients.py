#!/usr/bin/env python3
"""What slow clients do to `archivekg serve` alone, and through nginx (deploy/nginx.conf).

    python bench/load/slow_clients.py [--workdir DIR] [--release] [--proxy-counts 200 1000 3000]

A slow client here sends half a request (the request line and part of its headers) and holds still.
For each count of such connections a new client asks for /health (timeout 1 s) and says whether it was
answered and how fast:
1. `archivekg serve` alone (Granian, the defaults of `archivekg serve`): counts around its limit;
2. with --release: how long a new client waits when 100 silent half-sent connections are held (until
   the server's --channel-timeout closes them; bounded at 240 s);
3. nginx (deploy/nginx.conf) in front: the --proxy-counts, /health and ASK {}, and how long nginx takes to
   close the held connections (client_header_timeout); then 100 connections that send one more header
   byte every second, and when nginx closes them (the timeout counts from the start of the headers).
Every connection goes to 127.0.0.1; the counts and waits are bounded, and everything closes at the end.
"""

from __future__ import annotations

import argparse
import socket
import sys
import tempfile
import time
import urllib.parse
from pathlib import Path

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))

from loadkit import half_sent, nginx, nginx_binary, serve, timed_get  # noqa: E402
from run import prepare_build  # noqa: E402

ASK = "/sparql?" + urllib.parse.urlencode({"query": "ASK {}"})


def probe(url: str, path: str = "/health", timeout: float = 1.0) -> str:
    took, status, _ = timed_get(url + path, timeout, headers={"Accept": "application/sparql-results+json"})
    return f"waits (no answer within {timeout:g} s)" if took is None else f"{status} in {took * 1000:.1f} ms"


def alone(url: str, counts: list[int]) -> None:
    print("archivekg serve alone (Granian):")
    for n in counts:
        with half_sent(url, n):
            time.sleep(0.3)
            print(f"  {n:5} half-sent connections held: new client {probe(url)}", flush=True)
        time.sleep(0.5)  # the server reads the closes


def release(url: str, held: int = 100, bound: float = 240) -> None:
    with half_sent(url, held):
        time.sleep(0.3)
        started = time.monotonic()
        took, status, _ = timed_get(url + "/health", bound)
        waited = time.monotonic() - started
    what = f"answered ({status}) after {waited:.0f} s" if took is not None else f"not answered within {bound:g} s"
    print(f"  {held} silent half-sent connections held: a new client is {what}", flush=True)


def closed_after(socks: list[socket.socket], bound: float) -> float | None:
    """Seconds until every socket has been closed by the server; None if some are still open after BOUND."""
    started, open_ = time.monotonic(), list(socks)
    while open_ and time.monotonic() - started < bound:
        still = []
        for s in open_:
            s.settimeout(0.005)
            try:
                if s.recv(4096):
                    still.append(s)
            except (TimeoutError, BlockingIOError):
                still.append(s)
            except OSError:
                pass
        open_ = still
        time.sleep(0.1)
    return None if open_ else time.monotonic() - started


def proxied(url: str, counts: list[int]) -> None:
    print("through nginx (deploy/nginx.conf):")
    for n in counts:
        with half_sent(url, n) as socks:
            time.sleep(0.5)
            print(f"  {n:5} half-sent connections held: /health {probe(url)}; ASK {{}} {probe(url, ASK)}", flush=True)
            after = closed_after(socks, 20)
            print(f"        nginx closed all {n} after {after:.1f} s" if after is not None
                  else f"        some of the {n} still open after 20 s", flush=True)


def trickled(url: str, count: int = 100, every: float = 1.0, bound: float = 30) -> None:
    """COUNT connections that send one more header byte every EVERY seconds: when does nginx close them?"""
    with half_sent(url, count) as socks:
        started, open_ = time.monotonic(), list(socks)
        while open_ and time.monotonic() - started < bound:
            time.sleep(every)
            still = []
            for s in open_:
                try:
                    s.sendall(b"x")
                    s.settimeout(0.005)
                    if s.recv(4096):
                        still.append(s)
                except (TimeoutError, BlockingIOError):
                    still.append(s)
                except OSError:
                    pass
            open_ = still
        after = time.monotonic() - started
    print(f"  {count} connections sending a header byte every {every:g} s: "
          + (f"nginx closed all after {after:.1f} s" if not open_ else f"{len(open_)} still open after {bound:g} s"),
          flush=True)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--workdir", type=Path, default=None)
    ap.add_argument("--counts", type=int, nargs="+", default=[0, 50, 90, 96, 97, 98, 99, 100, 150, 200])
    ap.add_argument("--proxy-counts", type=int, nargs="+", default=[200, 1000, 3000])
    ap.add_argument("--release", action="store_true", help="also measure how long a new client waits (<= 240 s)")
    args = ap.parse_args(argv)
    if max(args.counts + args.proxy_counts) > 5000:
        ap.error("at most 5000 connections")
    work = args.workdir or Path(tempfile.mkdtemp(prefix="akg-slow-"))
    work.mkdir(parents=True, exist_ok=True)
    out = prepare_build(work, 0)
    with serve(out, log=work / "serve.log") as (url, _proc):
        alone(url, args.counts)
        if args.release:
            release(url)
        if nginx_binary() is None:
            print("nginx is not installed (apt-get install nginx-light): the proxy half is skipped")
            return 0
        with nginx(work / "nginx", int(url.rsplit(":", 1)[1])) as (purl, _nginx):
            proxied(purl, args.proxy_counts)
            trickled(purl)
    return 0


if __name__ == "__main__":
    sys.exit(main())
