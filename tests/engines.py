"""Real SPARQL engines started on loopback for the tests and benchmarks: `oxigraph serve` and a private Virtuoso.

Each engine runs in a directory of its own, on free ports of 127.0.0.1, and is stopped (by its own process id)
when the context ends. Nothing here is a mock: the binaries are the ones users run, `oxigraph` from the PyPI
package and `virtuoso-t` from Debian's virtuoso-opensource (installed by .ci/run).
"""

from __future__ import annotations

import os
import shutil
import socket
import subprocess
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

__all__ = ["Engine", "ENGINES", "missing", "oxigraph_read_only", "oxigraph_server", "started", "virtuoso"]

VIRTUOSO_PASSWORD = "archivekg-test-dba"  # a private instance's, set by the test; never a real one's
# What docs/deploy.md asks of a Virtuoso behind archivekg: SERVICE (federation with Wikidata) for the anonymous
# SPARQL account, and the bulk loader's directory allowed in DirsAllowed (the ini below).
VIRTUOSO_SETUP = (
    'GRANT SELECT ON DB.DBA.SPARQL_SINV_2 TO "SPARQL";',
    'GRANT EXECUTE ON DB.DBA.SPARQL_SINV_IMP TO "SPARQL";',
    'GRANT SPARQL_LOAD_SERVICE_DATA TO "SPARQL";',
)
_VIRTUOSO_SHARE = Path("/usr/share/virtuoso-opensource-7")
_VIRTUOSO_VSP = Path("/var/lib/virtuoso-opensource-7/vsp")


@dataclass(frozen=True)
class Engine:
    name: str
    query_url: str  # the SPARQL endpoint archivekg serve --endpoint reads
    store_url: str  # the Graph Store Protocol endpoint archivekg publish --to writes
    user: str | None = None
    password: str | None = None
    directory: Path | None = None
    isql_port: int | None = None
    pid: int | None = None  # the engine's process (for measurements)

    def publish_env(self) -> dict[str, str]:
        return {"ARCHIVEKG_STORE_PASSWORD": self.password} if self.password else {}

    def publish_args(self) -> list[str]:
        return ["--to", self.store_url] + (["--user", self.user] if self.user else [])

    def isql(self, sql: str, timeout: float = 120) -> str:
        """Run SQL on a Virtuoso engine through its own client; the output, or RuntimeError naming the failure."""
        assert self.isql_port is not None, "isql is Virtuoso's"
        res = subprocess.run(["isql-vt", str(self.isql_port), "dba", VIRTUOSO_PASSWORD, f"exec={sql}"],
                             capture_output=True, text=True, timeout=timeout)
        if res.returncode != 0 or "*** Error" in res.stdout + res.stderr:
            raise RuntimeError(f"isql {sql!r}: {res.stdout}{res.stderr}")
        return res.stdout


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def missing(name: str) -> str | None:
    """Why the engine cannot run here (for a skip message), or None."""
    if name == "oxigraph" and shutil.which("oxigraph") is None:
        return "the oxigraph server is not installed (pip install oxigraph, as the test extras and .ci/run do)"
    if name == "virtuoso" and (shutil.which("virtuoso-t") is None or shutil.which("isql-vt") is None):
        return "Virtuoso is not installed (apt-get install virtuoso-opensource, as .ci/run does)"
    return None


def _wait_http(url: str, proc: subprocess.Popen, log: Path, seconds: float = 90) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"{proc.args[0]} ended at start ({proc.returncode}): {log.read_text(errors='replace')[-3000:]}")
        try:
            urllib.request.urlopen(url, timeout=2).read()
            return
        except urllib.error.HTTPError:
            return  # it answers
        except OSError:
            time.sleep(0.2)
    raise RuntimeError(f"{proc.args[0]} did not answer at {url} within {seconds:g} s: {log.read_text(errors='replace')[-3000:]}")


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.terminate()
        try:
            proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


@contextmanager
def _oxigraph(args: list[str], directory: Path, port: int | None) -> Iterator[tuple[str, int]]:
    """`oxigraph ARGS --bind 127.0.0.1:PORT`, logging to ``directory``; yields (base URL, process id)."""
    directory.mkdir(parents=True, exist_ok=True)
    port = port or _free_port()
    log = directory / "oxigraph.log"
    with log.open("wb") as out:
        proc = subprocess.Popen(["oxigraph", *args, "--bind", f"127.0.0.1:{port}"], stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{port}"
        _wait_http(base + "/query?query=ASK%7B%7D", proc, log)
        yield base, proc.pid
    finally:
        _stop(proc)


@contextmanager
def oxigraph_server(directory: Path, port: int | None = None) -> Iterator[Engine]:
    """`oxigraph serve` over a fresh store in ``directory``: read-write, as a publisher loads into it."""
    with _oxigraph(["serve", "--location", str(directory / "data")], directory, port) as (base, pid):
        yield Engine("oxigraph", base + "/query", base + "/store", directory=directory, pid=pid)


@contextmanager
def oxigraph_read_only(location: Path, directory: Path, port: int | None = None) -> Iterator[Engine]:
    """`oxigraph serve-read-only --location LOCATION` (an existing store, e.g. a build's, which other processes
    may read at the same time) with the union of all graphs as its default graph, as `archivekg serve` has it;
    its log in ``directory``."""
    args = ["serve-read-only", "--location", str(location), "--union-default-graph"]
    with _oxigraph(args, directory, port) as (base, pid):
        yield Engine("oxigraph", base + "/query", base + "/store", directory=directory, pid=pid)


def _virtuoso_ini(directory: Path, sql_port: int, http_port: int) -> str:
    db = directory / "db"
    db.mkdir(parents=True, exist_ok=True)
    return f"""[Database]
DatabaseFile = {db}/virtuoso.db
ErrorLogFile = {db}/virtuoso.log
LockFile = {db}/virtuoso.lck
TransactionFile = {db}/virtuoso.trx
xa_persistent_file = {db}/virtuoso.pxa
ErrorLogLevel = 7
FileExtend = 200
MaxCheckpointRemap = 2000
Striping = 0
TempStorage = TempDatabase

[TempDatabase]
DatabaseFile = {db}/virtuoso-temp.db
TransactionFile = {db}/virtuoso-temp.trx
MaxCheckpointRemap = 2000
Striping = 0

[Parameters]
ServerPort = 127.0.0.1:{sql_port}
LiteMode = 0
DisableUnixSocket = 1
DisableTcpSocket = 0
MaxClientConnections = 20
CheckpointInterval = 60
O_DIRECT = 0
CaseMode = 2
MaxStaticCursorRows = 5000
CheckpointAuditTrail = 0
AllowOSCalls = 0
SchedulerInterval = 10
DirsAllowed = ., {directory}, {_VIRTUOSO_SHARE}/vad
ThreadCleanupInterval = 0
ThreadThreshold = 10
ResourcesCleanupInterval = 0
FreeTextBatchSize = 100000
SingleCPU = 0
VADInstallDir = {_VIRTUOSO_SHARE}/vad/
PrefixResultNames = 0
RdfFreeTextRulesSize = 100
IndexTreeMaps = 64
MaxQueryMem = 512M
VectorSize = 1000
MaxVectorSize = 1000000
AdjustVectorSize = 0
ThreadsPerQuery = 2
AsyncQueueMaxThreads = 10
NumberOfBuffers = 20000
MaxDirtyBuffers = 15000

[HTTPServer]
ServerPort = 127.0.0.1:{http_port}
ServerRoot = {_VIRTUOSO_VSP}
MaxClientConnections = 20
DavRoot = DAV
EnabledDavVSP = 0
HTTPProxyEnabled = 0
TempASPXDir = 0
ServerThreads = 20
MaxKeepAlives = 10
KeepAliveTimeout = 10
HTTPThreadSize = 280000
HttpPrintWarningsInOutput = 0
Charset = UTF-8
EnabledGzipContent = 0

[Client]
SQL_PREFETCH_ROWS = 100
SQL_PREFETCH_BYTES = 16000
SQL_QUERY_TIMEOUT = 0
SQL_TXN_TIMEOUT = 0

[SPARQL]
ResultSetMaxRows = 100000
MaxQueryCostEstimationTime = 400
MaxQueryExecutionTime = 60
DefaultGraph =
"""


@contextmanager
def virtuoso(directory: Path) -> Iterator[Engine]:
    """A private Virtuoso 7: its own database directory and ports, its DBA password set at start.

    The Graph Store endpoint with digest authentication (/sparql-graph-crud-auth) takes the DBA account;
    the query endpoint (/sparql) is the anonymous, read-only one.
    """
    directory.mkdir(parents=True, exist_ok=True)
    sql_port, http_port = _free_port(), _free_port()
    ini = directory / "virtuoso.ini"
    ini.write_text(_virtuoso_ini(directory, sql_port, http_port))
    log = directory / "virtuoso.out"
    with log.open("wb") as out:
        proc = subprocess.Popen(["virtuoso-t", "+foreground", "+configfile", str(ini)], cwd=directory,
                                stdout=out, stderr=subprocess.STDOUT)
    try:
        base = f"http://127.0.0.1:{http_port}"
        _wait_http(base + "/sparql?query=ASK%7B%7D", proc, log, seconds=180)
        first = subprocess.run(["isql-vt", str(sql_port), "dba", "dba",
                                f"exec=USER_SET_PASSWORD('dba', '{VIRTUOSO_PASSWORD}');"],
                               capture_output=True, text=True, timeout=60)
        if first.returncode != 0:
            raise RuntimeError(f"could not set the private Virtuoso's DBA password: {first.stdout}{first.stderr}")
        engine = Engine("virtuoso", base + "/sparql", base + "/sparql-graph-crud-auth", "dba", VIRTUOSO_PASSWORD,
                        directory, sql_port, proc.pid)
        for grant in VIRTUOSO_SETUP:
            engine.isql(grant)
        yield engine
    finally:
        try:
            subprocess.run(["isql-vt", str(sql_port), "dba", VIRTUOSO_PASSWORD, "exec=shutdown;"],
                           capture_output=True, timeout=30)
            proc.wait(timeout=30)
        except (subprocess.TimeoutExpired, OSError):
            pass
        _stop(proc)


ENGINES = {"oxigraph": oxigraph_server, "virtuoso": virtuoso}


@contextmanager
def started(name: str, directory: Path) -> Iterator[Engine]:
    with ENGINES[name](directory) as engine:
        yield engine


if __name__ == "__main__":  # a manual check: start both, print their URLs, stop on Enter
    import sys
    import tempfile

    with tempfile.TemporaryDirectory() as tmp:
        name = sys.argv[1] if len(sys.argv) > 1 else "oxigraph"
        with started(name, Path(tmp)) as engine:
            print(engine, flush=True)
            if os.isatty(0):
                input("Enter stops it ")
