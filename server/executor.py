"""Queries run in worker processes, so that a time limit can really stop them, and stream.

pyoxigraph has no query timeout and a thread cannot be stopped, so each query runs
in one of a small pool of processes that open the published store read-only. A
query over the time limit has its process killed and replaced; the request gets a
503 and every other request goes on being served.

Results are streamed, never built whole in memory: the worker serialises solutions
or triples as it reads them and sends the bytes through its pipe in chunks, which
the HTTP response passes on as they come. Before the first byte the worker reads
up to ``head_rows`` rows ahead (the HEAD_ROWS setting), so that an error, or a result cut at the bound
within those rows, still gets its own status and headers. Results are bounded: at
most ``max_rows`` solutions or triples are sent. A stream that runs over the time
limit after it started is broken off (the connection closes without the final
chunk), so a client never takes a cut result for a whole one.
"""

from __future__ import annotations

import itertools
import json
import logging
import math
import multiprocessing as mp
import os
import pickle
import queue
import select
import threading
import time
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pyoxigraph as ox

from .store import Dataset, OxigraphStore, QuerySyntaxError, StoreTimeout, StoreUnavailable, open_store

__all__ = ["Executor", "GRAPH_FORMATS", "Job", "Outcome", "QueryTimeout", "RESULT_FORMATS", "Result", "ResultCache",
           "ServerBusy", "StreamBroken", "die_with_parent", "execute", "execute_whole", "json_term", "quiet_broken_streams",
           "serialize_graph"]

CHUNK_BYTES = 64 * 1024


class QueryTimeout(RuntimeError):
    """The query ran past the time limit, or its process ended (past the memory limit); it was stopped."""


class ServerBusy(RuntimeError):
    """No query process came free within the time limit: the query was not started."""


class StreamBroken(RuntimeError):
    """A result stream that cannot be finished: over the time limit, or failed while it was read."""


@dataclass(frozen=True)
class Job:
    query: str
    dataset: Dataset
    results_media: str | None  # the negotiated format if the query gives solutions or a boolean
    graph_media: str | None  # the negotiated format if it gives triples
    max_rows: int
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint
    head_rows: int = 1000  # rows read ahead before the response starts
    literal_chars: int = 0  # for a table people read: longer literals are cut to this many characters (0: never)


@dataclass(frozen=True)
class Outcome:
    """What is known before the first byte: enough for the status line and the headers."""
    status: str  # ok, syntax, unavailable, not-acceptable, error
    media: str = ""
    truncated: bool | None = False  # None: the result is longer than HEAD_ROWS; a cut is not known yet
    message: str = ""
    form: str = ""  # results or graph


class Result:
    """An outcome and its body: an iterable of byte chunks with ``close()``, for a WSGI response."""

    def __init__(self, outcome: Outcome, chunks: Iterable[bytes] | bytes = ()) -> None:
        self.outcome = outcome
        self._chunks = chunks

    def __iter__(self) -> Iterator[bytes]:
        if isinstance(self._chunks, bytes):
            return iter((self._chunks,) if self._chunks else ())
        return iter(self._chunks)

    def read(self) -> bytes:
        return b"".join(self)

    @property
    def whole(self) -> bytes | None:
        """The body, when it came whole (a result within its first chunk): sent with a Content-Length."""
        return self._chunks if isinstance(self._chunks, bytes) else None

    @property
    def truncated(self) -> bool | None:
        """Whether the bound cut the result: known from the head, or once the body has been read."""
        if self.outcome.truncated is not None:
            return self.outcome.truncated
        return getattr(self._chunks, "truncated", None)

    def close(self) -> None:
        close = getattr(self._chunks, "close", None)
        if close is not None:
            close()


RESULT_FORMATS: dict[str, str] = {
    "application/sparql-results+json": "json", "application/json": "json",
    "application/sparql-results+xml": "xml", "text/csv": "csv", "text/tab-separated-values": "tsv",
}
GRAPH_FORMATS: dict[str, ox.RdfFormat] = {
    "text/turtle": ox.RdfFormat.TURTLE, "application/n-triples": ox.RdfFormat.N_TRIPLES,
    "text/plain": ox.RdfFormat.N_TRIPLES, "application/ld+json": ox.RdfFormat.JSON_LD,
    "application/rdf+xml": ox.RdfFormat.RDF_XML, "application/trig": ox.RdfFormat.TRIG,
    "application/n-quads": ox.RdfFormat.N_QUADS,
}


def serialize_graph(triples: Iterable[ox.Triple], media: str, prefixes: dict[str, str] | None = None,
                    output=None) -> bytes | None:  # type: ignore[no-untyped-def]
    """Triples in one of GRAPH_FORMATS; dataset formats (TriG, N-Quads) put them in the default graph.

    Returns the bytes, or writes them as they come to ``output`` (a file-like sink) when one is given.
    """
    fmt = GRAPH_FORMATS[media]
    items = (ox.Quad(t.subject, t.predicate, t.object) for t in triples) if fmt.supports_datasets else triples
    return ox.serialize(items, output, format=fmt, prefixes=prefixes)


def json_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict:
    if isinstance(t, ox.NamedNode):
        return {"type": "uri", "value": t.value}
    if isinstance(t, ox.BlankNode):
        return {"type": "bnode", "value": t.value}
    out: dict = {"type": "literal", "value": t.value}
    if t.language:
        out["xml:lang"] = t.language
    elif t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        out["datatype"] = t.datatype.value
    return out


def _xml_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> str:
    if isinstance(t, ox.NamedNode):
        return f"<uri>{escape(t.value)}</uri>"
    if isinstance(t, ox.BlankNode):
        return f"<bnode>{escape(t.value)}</bnode>"
    if t.language:
        return f'<literal xml:lang="{escape(t.language)}">{escape(t.value)}</literal>'
    if t.datatype.value != "http://www.w3.org/2001/XMLSchema#string":
        return f'<literal datatype="{escape(t.datatype.value)}">{escape(t.value)}</literal>'
    return f"<literal>{escape(t.value)}</literal>"


def _csv_cell(t: object) -> str:
    if t is None:
        return ""
    value = t.value  # type: ignore[attr-defined]
    if isinstance(t, ox.BlankNode):
        value = "_:" + value
    if any(c in value for c in ',"\n\r'):
        return '"' + value.replace('"', '""') + '"'
    return value


class _ChunkWriter:
    """A file-like sink that passes its bytes on in chunks of about CHUNK_BYTES."""

    def __init__(self, emit) -> None:  # type: ignore[no-untyped-def]
        self._emit = emit
        self._buf = bytearray()

    def write(self, data: bytes) -> int:
        self._buf += data
        if len(self._buf) >= CHUNK_BYTES:
            self.flush()
        return len(data)

    def flush(self) -> None:
        if self._buf:
            self._emit(bytes(self._buf))
            self._buf.clear()


class _Bounded:
    """At most ``limit`` items; ``truncated`` tells, once read, whether there were more."""

    def __init__(self, items: Iterable, limit: int) -> None:
        self._items = iter(items)
        self.limit = limit
        self.truncated = False

    def __iter__(self) -> Iterator:
        for count, item in enumerate(self._items):
            if count == self.limit:
                self.truncated = True
                return
            yield item


def write_solutions(rows: Iterable, names: list[str], fmt: str, out) -> None:  # type: ignore[no-untyped-def]
    """Solutions in a SPARQL results format, written row by row."""
    if fmt == "json":
        out.write(json.dumps({"head": {"vars": names}})[:-1].encode() + b', "results": {"bindings": [')
        sep = b""
        for row in rows:
            out.write(sep + json.dumps({n: json_term(t) for n, t in zip(names, row) if t is not None}).encode())
            sep = b","
        out.write(b"]}}")
    elif fmt == "xml":
        out.write(('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>'
                   + "".join(f'<variable name="{escape(n)}"/>' for n in names) + "</head><results>").encode())
        for row in rows:
            out.write(("<result>" + "".join(f'<binding name="{escape(n)}">{_xml_term(t)}</binding>'
                                            for n, t in zip(names, row) if t is not None) + "</result>").encode())
        out.write(b"</results></sparql>\n")
    elif fmt == "csv":
        out.write((",".join(names) + "\r\n").encode())
        for row in rows:
            out.write((",".join(_csv_cell(t) for t in row) + "\r\n").encode())
    else:
        out.write(("\t".join("?" + n for n in names) + "\n").encode())
        for row in rows:
            out.write(("\t".join(str(t) if t is not None else "" for t in row) + "\n").encode())


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return ("true\n" if value else "false\n").encode()


def _nothing(out) -> bool:  # type: ignore[no-untyped-def]
    return False


class _Written:
    """The body of a result known whole before it is written (ASK's): writes it, and says it was not cut."""

    def __init__(self, body: bytes) -> None:
        self.body = body

    def __call__(self, out) -> bool:  # type: ignore[no-untyped-def]
        out.write(self.body)
        return False


_BOOLEANS = {(value, fmt): _boolean(value, fmt) for value in (False, True) for fmt in set(RESULT_FORMATS.values())}


def _clipped(term, chars: int):  # type: ignore[no-untyped-def]
    """A literal longer than ``chars`` cut to that length, saying how long it was (for a table, never a download)."""
    if isinstance(term, ox.Literal) and len(term.value) > chars:
        return ox.Literal(f"{term.value[:chars]} … [cut: {len(term.value):,} characters; download the result "
                          "for the whole value]")
    return term


def evaluate(store: OxigraphStore, job: Job):  # type: ignore[no-untyped-def]
    """Start the query and read up to ``job.head_rows`` rows ahead.

    Returns the outcome (status and headers) and a function that writes the body to a
    file-like sink and returns whether the result was cut at the bound.
    """
    try:
        result = store.query(job.query, job.dataset, base_iri=job.base_iri)
    except QuerySyntaxError as err:
        return Outcome("syntax", message=str(err)), _nothing
    except StoreUnavailable as err:
        return Outcome("unavailable", message=str(err)), _nothing
    except StoreTimeout as err:
        return Outcome("timeout", message=str(err)), _nothing
    graph = not isinstance(result, (ox.QuerySolutions, ox.QueryBoolean))  # a remote store's triples are a plain iterable
    form = "graph" if graph else "results"
    media = job.graph_media if graph else job.results_media
    if media is None:
        return Outcome("not-acceptable", form=form), _nothing
    if isinstance(result, ox.QueryBoolean):
        return Outcome("ok", media, form=form), _Written(_BOOLEANS[bool(result), RESULT_FORMATS[media]])
    names = [] if graph else [v.value for v in result.variables]
    items = iter(result)
    window = min(job.head_rows, job.max_rows)
    head = list(itertools.islice(items, window + 1))  # evaluation errors surface here, before any byte
    known: bool | None = None
    if len(head) <= window:
        known, items = False, iter(())
    elif job.max_rows <= window:
        known, head, items = True, head[: job.max_rows], iter(())
    rows = _Bounded(itertools.chain(head, items), job.max_rows)

    clip = (lambda t: _clipped(t, job.literal_chars)) if job.literal_chars > 0 else (lambda t: t)

    def write(out) -> bool:  # type: ignore[no-untyped-def]
        if graph:
            serialize_graph((ox.Triple(t.subject, t.predicate, clip(t.object)) for t in rows), media, output=out)
        else:
            write_solutions(([clip(sol[n]) for n in names] for sol in rows), names, RESULT_FORMATS[media], out)
        return rows.truncated if known is None else known

    return Outcome("ok", media, known, form=form), write


def execute(store: OxigraphStore, job: Job) -> Result:
    """Run a job in this thread (no time limit); the body is collected, not streamed."""
    try:
        outcome, write = evaluate(store, job)
        if outcome.status != "ok":
            return Result(outcome)
        chunks: list[bytes] = []
        out = _ChunkWriter(chunks.append)
        truncated = write(out)
        out.flush()
    except Exception as err:  # noqa: BLE001 - a failure while evaluating is the query's, reported as such
        return Result(Outcome("error", message=f"{type(err).__name__}: {err}"))
    if outcome.truncated is None:
        outcome = Outcome(outcome.status, outcome.media, truncated, outcome.message, outcome.form)
    return Result(outcome, chunks)


class _Longer(Exception):
    """A result that goes on past its first chunk."""


def execute_whole(store: OxigraphStore, job: Job) -> Result | None:
    """Run a job in this thread when its result fits in its first chunk, and give what a query process would give
    for it (_serve_jobs: the same steps, outcome and bytes, so the same response); None once the result goes on
    past that chunk (a query process then runs it and streams it). For lookups (server/lookups.py), whose cost
    is bounded by their form: the only ones that may run without a query process's limits."""
    try:
        outcome, write = evaluate(store, job)
    except Exception as err:  # noqa: BLE001 - as a query process reports it
        return Result(Outcome("error", message=f"{type(err).__name__}: {err}"))
    if outcome.status != "ok":
        return Result(outcome)
    if isinstance(write, _Written) and len(write.body) < CHUNK_BYTES:  # ASK: as the steps below would give it
        return Result(Outcome(outcome.status, outcome.media, False, outcome.message, outcome.form), write.body)
    held: list[bytes] = []

    def emit(data: bytes) -> None:
        if held:
            raise _Longer
        held.append(data)

    out = _ChunkWriter(emit)
    try:
        truncated = write(out)
        out.flush()
    except _Longer:
        return None
    except Exception as err:  # noqa: BLE001 - as a query process reports it
        return Result(Outcome("error", message=f"{type(err).__name__}: {err}"))
    known = Outcome(outcome.status, outcome.media, truncated, outcome.message, outcome.form)
    return Result(known, held[0] if held else b"")


def _limit_memory(megabytes: int) -> None:
    """Cap this process's address space at what it holds now plus ``megabytes``: a query that needs more
    fails its allocation and ends the process, instead of taking the machine's memory from everything else."""
    if megabytes <= 0:
        return
    import resource

    with open("/proc/self/status", encoding="ascii") as status:
        now = next(int(line.split()[1]) * 1024 for line in status if line.startswith("VmSize:"))
    limit = now + megabytes * 2**20
    resource.setrlimit(resource.RLIMIT_AS, (limit, limit))


def die_with_parent() -> None:
    """Ask Linux to kill this process when the server that started it dies (PR_SET_PDEATHSIG), so that a query
    process busy with a heavy query never outlives a killed server."""
    try:
        import ctypes
        import signal

        ctypes.CDLL("libc.so.6", use_errno=True).prctl(1, int(signal.SIGKILL), 0, 0, 0)  # 1: PR_SET_PDEATHSIG
    except (OSError, AttributeError):
        pass  # not Linux: the daemon flag still ends the processes when the server exits normally


_STATM: list[int] = []  # this process's /proc/self/statm, kept open: asked after every job, one read each time


def _rss_mb() -> float:
    """This process's resident memory, in MiB."""
    if not _STATM or _STATM[0] != os.getpid():
        _STATM[:] = [os.getpid(), os.open("/proc/self/statm", os.O_RDONLY), os.sysconf("SC_PAGE_SIZE")]
    return int(os.pread(_STATM[1], 128, 0).split()[1]) * (_STATM[2] / 2**20)


def _send(conn, message: object) -> None:  # type: ignore[no-untyped-def]
    """One message through a pipe, pickled as it is (Connection.send goes through ForkingPickler, made anew for
    each message, for objects that carry file descriptors; these never do). Connection.recv reads it."""
    conn.send_bytes(pickle.dumps(message, pickle.HIGHEST_PROTOCOL))


def _serve_jobs(conn, data_dir: str, memory_mb: int = 0, recycle_mb: int = 0, endpoint: str = "",  # type: ignore[no-untyped-def]
                timeout: float = 30.0) -> None:
    """A worker: for each job, ("whole", outcome, body, recycle) when the body fits in one chunk; else ("head",
    outcome) and, if ok, ("data", bytes)* and ("end", truncated, error, recycle).

    ``recycle`` says that the process holds more than ``recycle_mb`` after the job (a large result grew its
    heap): the executor then replaces it, so that memory goes back to the machine instead of staying grown."""
    die_with_parent()
    store = open_store(Path(data_dir), endpoint, timeout)  # the build's own store, or the remote one it was published to
    try:
        store.query("ASK {}")  # open the store before the cap, so that the cap is all the query's
    except (StoreUnavailable, StoreTimeout):
        pass  # nothing published yet: each job will say so
    _limit_memory(memory_mb)
    try:
        _send(conn, ("ready",))  # the store is open: a job's time starts when it is sent, not while the process starts
    except OSError:
        return  # the server closed before this process was ready
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            outcome, write = evaluate(store, job)
        except Exception as err:  # noqa: BLE001 - a failure while evaluating: reported, the worker lives on
            _send(conn, ("head", Outcome("error", message=f"{type(err).__name__}: {err}")))
            continue
        if outcome.status != "ok":
            _send(conn, ("head", outcome))
            continue
        # The body is written into a first chunk before anything is sent: a result that ends within it (most
        # answers: a page's lookup, ASK, a short SELECT) goes in one message with its head, ("whole", outcome,
        # body, recycle), instead of three; a longer one streams as ("head", outcome), ("data", bytes)*, ("end", ...).
        held: list[bytes] = []  # the first chunk, until a second one shows that the result streams
        streaming = False

        def emit(data: bytes) -> None:
            nonlocal streaming
            if not streaming and not held:
                held.append(data)
                return
            if not streaming:
                streaming = True
                _send(conn, ("head", outcome))
                _send(conn, ("data", held.pop()))
            _send(conn, ("data", data))

        out = _ChunkWriter(emit)
        try:
            truncated = write(out)
            out.flush()
        except Exception as err:  # noqa: BLE001 - reported to the server: its own status, or the stream broken off
            message = f"{type(err).__name__}: {err}"
            _send(conn, ("end", None, message, True) if streaming else ("head", Outcome("error", message=message)))
            continue
        recycle = bool(recycle_mb) and _rss_mb() > recycle_mb
        if streaming:
            _send(conn, ("end", truncated, "", recycle))
        else:
            known = Outcome(outcome.status, outcome.media, truncated, outcome.message, outcome.form)
            _send(conn, ("whole", known, held[0] if held else b"", recycle))


class _Stream:
    """The body chunks of one job as the worker sends them, within the job's deadline."""

    def __init__(self, executor: "Executor", proc, conn, deadline: float) -> None:  # type: ignore[no-untyped-def]
        self._executor, self._proc, self._conn, self._deadline = executor, proc, conn, deadline
        self._done = False
        self.truncated: bool | None = None

    def __iter__(self) -> Iterator[bytes]:
        while not self._done:
            remaining = self._deadline - time.monotonic()
            try:
                msg = self._conn.recv() if remaining > 0 and self._executor._wait(self._conn, remaining) else None
            except (EOFError, OSError):
                msg = ("end", None, "the query process ended while it sent results")
            if msg is None:
                self.close()
                raise StreamBroken(f"the query ran longer than the time limit of {self._executor.timeout:g} s while "
                                   "its results were being sent; the response was broken off")
            if msg[0] == "data":
                yield msg[1]
                continue
            self._done = True
            if len(msg) > 3 and msg[3]:
                self._executor._replace(self._proc, self._conn)  # grown by this result: start afresh
            else:
                self._executor._release(self._proc, self._conn)
            if msg[2]:
                raise StreamBroken(f"the query failed while its results were being sent: {msg[2]}")
            self.truncated = msg[1]

    def close(self) -> None:
        """Called by the WSGI server when the response ends; a stream left unread (the client went away)
        still occupies its worker, which is replaced."""
        if not self._done:
            self._done = True
            self._executor._replace(self._proc, self._conn)


class ResultCache:
    """Answers to repeated queries, kept for the published build: what production endpoints do (Virtuoso, QLever).

    A result is kept only when it completed (status ok) within the limits, came whole from its query process (at
    most CHUNK_BYTES, sent with its length) and its query is ``repeatable`` (server/sparql.py: no SERVICE, no
    NOW(), RAND(), UUID(), STRUUID() or BNODE()). The key holds the release (its path and its build.json, so a
    new build is a new key) and the whole Job: the query as sent, the dataset, the negotiated formats, the result
    bound, the base IRI and the rows read ahead. The response is then made from the same outcome and bytes, so
    it is the same, header for header. At most ``max_bytes`` are kept (bodies and query texts), the least
    recently used dropped first; a new release's first request drops every older one's."""

    def __init__(self, max_bytes: int, max_entry: int = CHUNK_BYTES) -> None:
        from collections import OrderedDict

        self.max_bytes, self.max_entry = max_bytes, max_entry
        self._entries: OrderedDict = OrderedDict()
        self._bytes = 0
        self._release: object = None
        self._lock = threading.Lock()

    @staticmethod
    def _size(key: tuple, body: bytes) -> int:
        return len(body) + len(key[1].query) + 256

    def get(self, key: tuple) -> Result | None:
        """The kept result for (release, job), or None."""
        with self._lock:
            hit = self._entries.get(key)
            if hit is None:
                return None
            self._entries.move_to_end(key)
        return Result(hit[0], hit[1])

    def put(self, key: tuple, result: Result) -> None:
        """Keep a result that came whole and completed; anything else is not kept."""
        body = result.whole
        outcome = result.outcome
        if body is None or outcome.status != "ok" or outcome.truncated is None or len(body) > self.max_entry:
            return
        size = self._size(key, body)
        if size > self.max_bytes:
            return
        with self._lock:
            if key[0] != self._release:  # a new build: the old one's answers can never be asked for again
                self._entries.clear()
                self._bytes, self._release = 0, key[0]
            old = self._entries.pop(key, None)
            if old is not None:
                self._bytes -= old[2]
            self._entries[key] = (outcome, body, size)
            self._bytes += size
            while self._bytes > self.max_bytes:
                _, dropped = self._entries.popitem(last=False)
                self._bytes -= dropped[2]

    def __len__(self) -> int:
        return len(self._entries)


def quiet_broken_streams(record: logging.LogRecord) -> bool:
    """A logging filter: a stream broken off on purpose is logged in one line, without a traceback. The HTTP
    server logs a failure inside a response either with the exception attached or as the traceback's text
    (Granian); either way the line kept is the error's own message."""
    if record.exc_info and isinstance(record.exc_info[1], StreamBroken):
        record.msg, record.args = "%s: %s", (record.getMessage(), record.exc_info[1])
        record.exc_info, record.exc_text = None, None
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    elif not record.exc_info and isinstance(record.msg, str) and "StreamBroken: " in record.msg:
        last = record.msg.rstrip().rsplit("\n", 1)[-1]
        record.msg, record.args = "a response was broken off: %s", (last.split("StreamBroken: ", 1)[1],)
        record.levelno, record.levelname = logging.WARNING, "WARNING"
    return True


class _Lane:
    """Free query processes of one lane: taken and given back without a lock while any is free (a deque's
    append and pop are atomic), most recently used first (its memory and caches are warm); a thread that finds
    none waits on a condition, woken by the next one given back. The interface of queue.Queue that the
    executor uses."""

    def __init__(self) -> None:
        from collections import deque

        self.queue: deque = deque()
        self._free = threading.Condition(threading.Lock())
        self._waiting = 0

    def put(self, item: object) -> None:
        self.queue.append(item)
        if self._waiting:
            with self._free:
                self._free.notify()

    def get_nowait(self) -> object:
        try:
            return self.queue.pop()
        except IndexError:
            raise queue.Empty from None

    def get(self, timeout: float) -> object:
        deadline = time.monotonic() + timeout
        with self._free:
            self._waiting += 1
            try:
                while True:
                    try:
                        return self.queue.pop()
                    except IndexError:
                        pass
                    remaining = deadline - time.monotonic()
                    if remaining <= 0:
                        raise queue.Empty
                    self._free.wait(remaining)
            finally:
                self._waiting -= 1

    def empty(self) -> bool:
        return not self.queue


class Executor:
    """A pool of query processes over one data directory, and a reserved lane for short queries.

    A query takes a process of the pool when one is free. When every one is busy (heavy
    queries), it takes a process of the reserved lane instead, where it may run for
    ``reserved_timeout`` seconds only: a cheap query ("ASK {}", a page's lookup) is answered at
    once, and a heavy one is stopped quickly and gets a 503, so heavy work can never hold the
    reserved lane for long. Only when the lane is busy too does a query wait for the pool.
    """

    def __init__(self, data_dir: Path, workers: int = 2, timeout: float = 30.0, memory_mb: int = 0,
                 reserved: int = 1, reserved_timeout: float = 2.0, recycle_mb: int = 0, endpoint: str = "") -> None:
        self.data_dir = str(data_dir)
        self.endpoint = endpoint
        self.recycle_mb = recycle_mb
        self.timeout = timeout
        self.memory_mb = memory_mb
        self.reserved_timeout = min(reserved_timeout, timeout)
        self._ctx = mp.get_context("spawn")
        self._idle = _Lane()
        self._reserved = _Lane()
        self._lane: dict[int, _Lane] = {}  # id(connection) -> the lane its process returns to
        self._ready: set[int] = set()  # id(connection) of the processes that said their store is open
        self._procs: dict[int, object] = {}  # id(connection) -> its process, busy or idle
        self._pollers: dict[int, object] = {}  # id(connection) -> a poll object watching it
        self._spawns: queue.Queue = queue.Queue()
        self._spawner_thread = threading.Thread(target=self._spawn_loop, name="archivekg-query-processes", daemon=True)
        self._spawner_thread.start()
        for _ in range(max(1, workers)):
            self._idle.put(self._start(self._idle))
        for _ in range(max(0, reserved)):
            self._reserved.put(self._start(self._reserved))

    def _start(self, lane: _Lane):  # type: ignore[no-untyped-def]
        """A new query process for the lane, started by the executor's own thread: Linux sends a process its
        parent-death signal (die_with_parent) when the *thread* that started it ends, and the HTTP server's
        request threads come and go (Granian ends an idle one), while this one lasts as long as the server."""
        if threading.current_thread() is self._spawner_thread:
            return self._start_here(lane)
        done: queue.Queue = queue.Queue(1)
        self._spawns.put((lane, done))
        ok, value = done.get()
        if not ok:
            raise value
        return value

    def _spawn_loop(self) -> None:
        while True:
            lane, done = self._spawns.get()
            try:
                done.put((True, self._start_here(lane)))
            except BaseException as err:  # noqa: BLE001 - handed to the thread that asked
                done.put((False, err))

    def _start_here(self, lane: _Lane):  # type: ignore[no-untyped-def]
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve_jobs, args=(child, self.data_dir, self.memory_mb, self.recycle_mb,
                                                                  self.endpoint, self.timeout),
                                 daemon=True)
        proc.start()
        child.close()
        self._lane[id(parent)] = lane
        self._procs[id(parent)] = proc
        return proc, parent

    def _wait(self, conn, seconds: float) -> bool:  # type: ignore[no-untyped-def]
        """Whether the process sent something within ``seconds`` (Connection.poll, without making a selector
        for every call: one poll object per pipe, kept while the pipe lives)."""
        poller = self._pollers.get(id(conn))
        if poller is None:
            poller = self._pollers[id(conn)] = select.poll()
            poller.register(conn.fileno(), select.POLLIN)
        return bool(poller.poll(max(0, math.ceil(seconds * 1000))))

    def _release(self, proc, conn) -> None:  # type: ignore[no-untyped-def]
        self._lane[id(conn)].put((proc, conn))

    def _replace(self, proc, conn) -> None:  # type: ignore[no-untyped-def]
        proc.kill()
        proc.join(5)
        conn.close()
        lane = self._lane.pop(id(conn))
        self._ready.discard(id(conn))
        self._pollers.pop(id(conn), None)
        self._procs.pop(id(conn), None)
        lane.put(self._start(lane))

    def _take(self) -> tuple[object, object, float]:
        """A free process and the time the job may run there: the pool's, the reserved lane's, or the pool's
        after waiting for one (at most the time limit)."""
        for lane, limit in ((self._idle, self.timeout), (self._reserved, self.reserved_timeout)):
            try:
                proc, conn = lane.get_nowait()
                return proc, conn, limit
            except queue.Empty:
                continue
        try:
            proc, conn = self._idle.get(timeout=self.timeout)
        except queue.Empty:
            raise ServerBusy(f"every query process has been busy for {self.timeout:g} s; try again shortly") from None
        return proc, conn, self.timeout

    def _await_ready(self, conn) -> None:  # type: ignore[no-untyped-def]
        """Wait for a new process to say its store is open (once), so that start-up is not counted as query time."""
        if id(conn) in self._ready:
            return
        if self._wait(conn, max(self.timeout, 30.0)):
            conn.recv()
        self._ready.add(id(conn))

    def run(self, job: Job) -> Result:
        """The job's outcome once its head is read (within the time limit), and its body as a stream."""
        proc, conn, limit = self._take()
        ended = False
        try:
            self._await_ready(conn)
        except (EOFError, OSError):
            pass  # reported below, when the job is sent
        deadline = time.monotonic() + limit
        try:
            _send(conn, job)
            if self._wait(conn, limit):
                msg = conn.recv()
                if msg[0] == "whole":  # head and body in one: the process is free again
                    _, outcome, body, recycle = msg
                    (self._replace if recycle else self._release)(proc, conn)
                    return Result(outcome, body)
                outcome = msg[1]
                if outcome.status != "ok":
                    self._release(proc, conn)
                    return Result(outcome)
                return Result(outcome, _Stream(self, proc, conn, deadline))
        except (EOFError, OSError):
            ended = True  # the process ended under the query: past its memory limit, or it crashed
        reserved = self._lane.get(id(conn)) is self._reserved
        self._replace(proc, conn)
        if ended:
            memory = f"the memory limit of {self.memory_mb} MiB" if self.memory_mb > 0 else "the memory it could have"
            raise QueryTimeout(f"the query process ended while it ran the query: the query needed more than {memory}, "
                               "or nests deeper than the query engine can follow, and was stopped")
        if reserved:
            raise ServerBusy(f"every query process is busy with longer queries; a query that comes meanwhile may run "
                             f"{limit:g} s, and this one needed more: try again shortly")
        raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")

    def close(self) -> None:
        for lane in (self._idle, self._reserved):
            self._close_lane(lane)
        for proc in list(self._procs.values()):  # processes still busy with a query
            if proc.is_alive():  # type: ignore[attr-defined]
                proc.kill()  # type: ignore[attr-defined]
                proc.join(2)  # type: ignore[attr-defined]
        self._procs.clear()

    def _close_lane(self, lane: _Lane) -> None:
        while not lane.empty():
            proc, conn = lane.get_nowait()
            try:
                conn.send(None)
            except OSError:
                pass
            proc.join(2)
            if proc.is_alive():
                proc.kill()
