"""What the load and slow-client measurements share: `archivekg serve` and nginx on loopback, half-sent
connections, a timed probe, and the memory of a process tree.

Used by bench/load/run.py, bench/load/slow_clients.py, tests/test_load.py and tests/test_proxy.py.
Every address here is 127.0.0.1: nothing is sent anywhere else.
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
NGINX_CONF = ROOT / "deploy" / "nginx.conf"
LOOPBACK = "127.0.0.1"

# Where SERVICE <https://query.wikidata.org/sparql> goes during a measurement: the discard port of loopback,
# so that no query can reach another host whatever the load sends.
NO_WIKIDATA = {"ARCHIVEKG_WIKIDATA_ENDPOINT": "http://127.0.0.1:9/sparql"}


def free_port() -> int:
    with socket.socket() as s:
        s.bind((LOOPBACK, 0))
        return s.getsockname()[1]


def wait_ready(url: str, seconds: float = 30, proc: subprocess.Popen | None = None) -> None:
    """Wait until URL answers (any HTTP status), at most SECONDS; RuntimeError if it does not, or PROC ends."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc is not None and proc.poll() is not None:
            raise RuntimeError(f"the process ended with status {proc.returncode} before {url} answered")
        try:
            urllib.request.urlopen(url, timeout=1).read()
            return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


@contextmanager
def serve(data_dir: Path, env: dict[str, str] | None = None, port: int | None = None,
          log: Path | None = None) -> Iterator[tuple[str, subprocess.Popen]]:
    """`archivekg serve DATA_DIR --port PORT` on loopback, as users run it (and as tests/conftest.py does);
    yields (base URL, process)."""
    port = port or free_port()
    out = log.open("wb") if log else subprocess.DEVNULL
    proc = subprocess.Popen(
        [sys.executable, "-m", "converter.cli", "serve", str(data_dir), "--host", LOOPBACK, "--port", str(port)],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=out, env={**os.environ, **NO_WIKIDATA, **(env or {})},
    )
    url = f"http://{LOOPBACK}:{port}"
    try:
        try:
            wait_ready(url + "/health", 60, proc)
        except RuntimeError as e:
            raise RuntimeError(f"{e}\n{log.read_text() if log else ''}") from None
        yield url, proc
    finally:
        proc.terminate()
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()
        if log:
            out.close()  # type: ignore[union-attr]


def process_tree_rss(pid: int) -> int:
    """Resident memory (VmRSS) of a process and all its descendants, in bytes, from /proc."""
    total, todo = 0, [pid]
    while todo:
        p = todo.pop()
        try:
            status = Path(f"/proc/{p}/status").read_text()
            total += 1024 * int(next(line.split()[1] for line in status.splitlines() if line.startswith("VmRSS:")))
            for task in Path(f"/proc/{p}/task").iterdir():
                todo.extend(int(c) for c in (task / "children").read_text().split())
        except (OSError, StopIteration, ValueError):
            continue
    return total


# ---------------------------------------------------------------------------------------------------- nginx

def nginx_binary() -> str | None:
    """The nginx executable (Debian puts it in /usr/sbin, which a user's PATH may lack), or None."""
    return shutil.which("nginx") or next((p for p in ("/usr/sbin/nginx", "/usr/local/sbin/nginx")
                                          if os.access(p, os.X_OK)), None)


def render_nginx_conf(text: str, listen_port: int, upstream_port: int) -> str:
    """deploy/nginx.conf for a run on loopback under a temporary prefix: the listen and upstream ports, and
    the pid, log and temp paths relative to the prefix. Each line replaced must be there exactly once, so the
    production file and what is tested cannot drift apart unnoticed."""
    swaps = [
        # The test's own user: the prefix is a private temporary directory that www-data could not enter.
        ("user www-data;\n", "user root;\n" if os.geteuid() == 0 else ""),
        ("pid /run/nginx.pid;", "pid nginx.pid;"),
        ("error_log /var/log/nginx/archivekg-error.log warn;", "error_log logs/error.log info;"),
        ("access_log /var/log/nginx/archivekg-access.log;", "access_log logs/access.log;"),
        ("client_body_temp_path /var/lib/nginx/body;",
         "client_body_temp_path tmp/body; fastcgi_temp_path tmp/fastcgi; uwsgi_temp_path tmp/uwsgi; "
         "scgi_temp_path tmp/scgi;"),
        ("proxy_temp_path /var/lib/nginx/proxy;", "proxy_temp_path tmp/proxy;"),
        ("server 127.0.0.1:8080;", f"server {LOOPBACK}:{upstream_port};"),
        ("listen 80;", f"listen {LOOPBACK}:{listen_port};"),
        ("listen [::]:80;\n", ""),
    ]
    for old, new in swaps:
        count = text.count(old)
        if count != 1:
            raise ValueError(f"deploy/nginx.conf: expected {old.strip()!r} exactly once, found it {count} times")
        text = text.replace(old, new)
    return text


@contextmanager
def nginx(prefix: Path, upstream_port: int, conf: Path = NGINX_CONF) -> Iterator[tuple[str, subprocess.Popen]]:
    """nginx in the foreground (`-p PREFIX -c CONF -g 'daemon off;'`) with deploy/nginx.conf rendered for
    loopback, in front of archivekg on UPSTREAM_PORT; its pid file and logs in PREFIX. Yields (URL, process)."""
    binary = nginx_binary()
    if binary is None:
        raise FileNotFoundError("nginx is not installed (Debian: apt-get install nginx-light)")
    for d in ("logs", "tmp"):
        (prefix / d).mkdir(parents=True, exist_ok=True)
    port = free_port()
    rendered = prefix / "nginx.conf"
    rendered.write_text(render_nginx_conf(conf.read_text(), port, upstream_port))
    with (prefix / "logs" / "stderr.log").open("wb") as stderr:
        proc = subprocess.Popen([binary, "-p", str(prefix), "-c", str(rendered), "-g", "daemon off;"],
                                stdout=subprocess.DEVNULL, stderr=stderr)
    url = f"http://{LOOPBACK}:{port}"
    try:
        try:
            wait_ready(url + "/health", 20, proc)
        except RuntimeError as e:
            errors = "".join((prefix / "logs" / n).read_text() for n in ("stderr.log", "error.log")
                             if (prefix / "logs" / n).exists())
            raise RuntimeError(f"nginx: {e}\n{errors}") from None
        yield url, proc
    finally:
        proc.terminate()  # SIGTERM: nginx's fast shutdown
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


# ----------------------------------------------------------------------------------------- slow clients

HALF_REQUEST = b"GET /health HTTP/1.1\r\nHost: 127.0.0.1\r\nUser-Agent: slow-client\r\nX-Still-Typing: "


@contextmanager
def half_sent(url: str, count: int, connect_timeout: float = 2.0) -> Iterator[list[socket.socket]]:
    """COUNT connections to URL (http://127.0.0.1:PORT), each having sent half a request (a request line and
    part of its headers, never the blank line that ends them) and then holding still. Closed on exit."""
    host, port = url.removeprefix("http://").rsplit(":", 1)
    assert host == LOOPBACK, "half-sent connections go to loopback only"
    socks: list[socket.socket] = []
    try:
        for _ in range(count):
            s = socket.create_connection((host, int(port)), timeout=connect_timeout)
            s.sendall(HALF_REQUEST)
            socks.append(s)
        yield socks
    finally:
        for s in socks:
            s.close()


def timed_get(url: str, timeout: float, data: bytes | None = None,
              headers: dict[str, str] | None = None) -> tuple[float | None, int | None, bytes]:
    """(seconds, status, body) of one request by a new client; (None, None, b'') when no answer came within
    TIMEOUT seconds."""
    req = urllib.request.Request(url, data=data, headers=headers or {})
    started = time.monotonic()
    try:
        with urllib.request.urlopen(req, timeout=timeout) as resp:
            body = resp.read()
            status = resp.status
    except urllib.error.HTTPError as e:
        body, status = e.read(), e.code
    except OSError:
        return None, None, b""
    return time.monotonic() - started, status, body
