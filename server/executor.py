"""Queries run in worker processes, so that a time limit can really stop them.

pyoxigraph has no query timeout and a thread cannot be stopped, so each query runs
in one of a small pool of processes that open the published store read-only. A
query over the time limit has its process killed and replaced; the request gets a
503 and every other request goes on being served. Results are bounded: at most
``max_rows`` solutions or triples are serialised, and the response says when the
bound cut them.
"""

from __future__ import annotations

import io
import json
import multiprocessing as mp
import queue
import threading
from dataclasses import dataclass
from pathlib import Path
from xml.sax.saxutils import escape

import pyoxigraph as ox

from .store import Dataset, OxigraphStore, QuerySyntaxError, StoreUnavailable

__all__ = ["Executor", "GRAPH_FORMATS", "Job", "Outcome", "QueryTimeout", "RESULT_FORMATS", "execute", "serialize_graph"]


class QueryTimeout(RuntimeError):
    pass


@dataclass(frozen=True)
class Job:
    query: str
    dataset: Dataset
    results_media: str | None  # the negotiated format if the query gives solutions or a boolean
    graph_media: str | None  # the negotiated format if it gives triples
    max_rows: int
    base_iri: str | None = None  # relative IRIs in the query resolve against the endpoint

@dataclass(frozen=True)
class Outcome:
    status: str  # ok, syntax, unavailable, not-acceptable, error
    body: bytes = b""
    media: str = ""
    truncated: bool = False
    message: str = ""
    form: str = ""  # results or graph


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


def serialize_graph(triples: list[ox.Triple], media: str, prefixes: dict[str, str] | None = None) -> bytes:
    """Triples in one of GRAPH_FORMATS; dataset formats (TriG, N-Quads) put them in the default graph."""
    fmt = GRAPH_FORMATS[media]
    items = [ox.Quad(t.subject, t.predicate, t.object) for t in triples] if fmt.supports_datasets else triples
    return ox.serialize(items, format=fmt, prefixes=prefixes)


def _json_term(t: ox.NamedNode | ox.BlankNode | ox.Literal) -> dict:
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


def serialise_solutions(result: ox.QuerySolutions, fmt: str, max_rows: int) -> tuple[bytes, bool]:
    """At most ``max_rows`` solutions in a SPARQL results format; (bytes, truncated)."""
    names = [v.value for v in result.variables]
    rows = []
    truncated = False
    for sol in result:
        if len(rows) == max_rows:
            truncated = True
            break
        rows.append([sol[n] for n in names])
    if fmt == "json":
        bindings = [{n: _json_term(t) for n, t in zip(names, row) if t is not None} for row in rows]
        return json.dumps({"head": {"vars": names}, "results": {"bindings": bindings}}).encode(), truncated
    if fmt == "xml":
        out = io.StringIO()
        out.write('<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head>')
        out.write("".join(f'<variable name="{escape(n)}"/>' for n in names))
        out.write("</head><results>")
        for row in rows:
            out.write("<result>")
            out.write("".join(f'<binding name="{escape(n)}">{_xml_term(t)}</binding>' for n, t in zip(names, row) if t is not None))
            out.write("</result>")
        out.write("</results></sparql>\n")
        return out.getvalue().encode(), truncated
    if fmt == "csv":
        lines = [",".join(names)] + [",".join(_csv_cell(t) for t in row) for row in rows]
        return ("\r\n".join(lines) + "\r\n").encode(), truncated
    lines = ["\t".join("?" + n for n in names)] + ["\t".join(str(t) if t is not None else "" for t in row) for row in rows]
    return ("\n".join(lines) + "\n").encode(), truncated


def _boolean(value: bool, fmt: str) -> bytes:
    if fmt == "json":
        return json.dumps({"head": {}, "boolean": value}).encode()
    if fmt == "xml":
        return (f'<?xml version="1.0"?>\n<sparql xmlns="http://www.w3.org/2005/sparql-results#"><head/>'
                f"<boolean>{'true' if value else 'false'}</boolean></sparql>\n").encode()
    return ("true\n" if value else "false\n").encode()


def execute(store: OxigraphStore, job: Job) -> Outcome:
    try:
        result = store.query(job.query, job.dataset, base_iri=job.base_iri)
    except QuerySyntaxError as err:
        return Outcome("syntax", message=str(err))
    except StoreUnavailable as err:
        return Outcome("unavailable", message=str(err))
    if isinstance(result, ox.QueryTriples):
        if job.graph_media is None:
            return Outcome("not-acceptable", form="graph")
        triples = []
        truncated = False
        for t in result:
            if len(triples) == job.max_rows:
                truncated = True
                break
            triples.append(t)
        return Outcome("ok", serialize_graph(triples, job.graph_media), job.graph_media, truncated, form="graph")
    if job.results_media is None:
        return Outcome("not-acceptable", form="results")
    fmt = RESULT_FORMATS[job.results_media]
    if isinstance(result, ox.QueryBoolean):
        return Outcome("ok", _boolean(bool(result), fmt), job.results_media, form="results")
    body, truncated = serialise_solutions(result, fmt, job.max_rows)
    return Outcome("ok", body, job.results_media, truncated, form="results")


def _serve_jobs(conn, data_dir: str) -> None:  # type: ignore[no-untyped-def]
    store = OxigraphStore(Path(data_dir))
    while True:
        try:
            job = conn.recv()
        except EOFError:
            return
        if job is None:
            return
        try:
            conn.send(execute(store, job))
        except Exception as err:  # a failure while evaluating: reported, the worker lives on
            conn.send(Outcome("error", message=f"{type(err).__name__}: {err}"))


class Executor:
    """A pool of query processes over one data directory."""

    def __init__(self, data_dir: Path, workers: int = 2, timeout: float = 30.0) -> None:
        self.data_dir = str(data_dir)
        self.timeout = timeout
        self._ctx = mp.get_context("spawn")
        self._idle: queue.Queue = queue.Queue()
        self._lock = threading.Lock()
        for _ in range(max(1, workers)):
            self._idle.put(self._start())

    def _start(self):  # type: ignore[no-untyped-def]
        parent, child = self._ctx.Pipe()
        proc = self._ctx.Process(target=_serve_jobs, args=(child, self.data_dir), daemon=True)
        proc.start()
        child.close()
        return proc, parent

    def run(self, job: Job) -> Outcome:
        proc, conn = self._idle.get()
        try:
            conn.send(job)
            if conn.poll(self.timeout):
                outcome = conn.recv()
                self._idle.put((proc, conn))
                return outcome
        except (EOFError, OSError, BrokenPipeError):
            pass
        # Over the time limit (or the worker died): kill it, replace it, report.
        proc.kill()
        proc.join(5)
        conn.close()
        self._idle.put(self._start())
        raise QueryTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped")

    def close(self) -> None:
        while not self._idle.empty():
            proc, conn = self._idle.get_nowait()
            try:
                conn.send(None)
            except OSError:
                pass
            proc.join(2)
            if proc.is_alive():
                proc.kill()
