"""The store interface over a remote SPARQL endpoint (Oxigraph server, Virtuoso), for `archivekg serve --endpoint`.

``RemoteStore`` answers ``query`` as ``OxigraphStore`` does, with pyoxigraph terms and results, so every handler,
the query processes, their limits and the SERVICE guard work unchanged. The build directory still gives what is
not in the store: build.json, the search index, the dumps and the VoID.

How a query is sent, whatever the engine:
  - it is parsed here first, by the same parser as the embedded store's (an empty in-memory pyoxigraph store:
    nothing is evaluated), so a bad query gets the same 400 and the same position on every engine, and its
    form (solutions, boolean, triples) is known before it is sent;
  - by GET, or by form POST when the URL would be long (Virtuoso hangs on a direct application/sparql-query
    POST), always with ``Accept`` naming the one format wanted: SPARQL JSON for solutions and booleans,
    N-Triples for triples (Oxigraph would answer N-Quads to a CONSTRUCT without it);
  - the dataset: the protocol's default-graph-uri / named-graph-uri; with none, the union of the build's
    graphs (``union-default-graph`` for Oxigraph; for Virtuoso, whose union holds its own system graphs
    too, the build's graphs from its VoID, named as the dataset, by form POST when they are many);
  - relative IRIs resolve against the front end's endpoint URL (a BASE is put before the query).
The answer is read as it streams: pyoxigraph's parsers take Virtuoso's JSON term types ("typed-literal").
Virtuoso's "anytime" answer, cut when its own time limit ran out (X-SQL-State S1TAT), is never taken for a
whole result: it is a ``StoreTimeout`` (503).
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path

import pyoxigraph as ox
import requests

from .store import Dataset, QuerySyntaxError, StoreTimeout, StoreUnavailable, read_build_info, release_dir

__all__ = ["RemoteStore", "check_holds_build"]

_VOID_SUBSET = "http://rdfs.org/ns/void#subset"
_MAX_GET_URL = 2000
_MAX_GRAPH_LIST = 500  # most graphs named as the dataset of a Virtuoso request  # longer queries go by form POST (proxies and Virtuoso cap URL lengths)
_PARTIAL_STATES = {"S1TAT"}  # Virtuoso: "Returning incomplete results, query interrupted by result timeout"


_BASE = re.compile(r"(?<![\w:])BASE(\s|#[^\n\r]*)*<([^>]*)>", re.I)


def without_dataset_clauses(query: str) -> str:
    """The query without its FROM and FROM NAMED clauses (Virtuoso adds the protocol's dataset to the query's
    instead of letting it win; the front end has already made the query's own clauses the dataset it sends)."""
    from .sparql import dataset_clause_spans

    cuts = [(start, end) for _named, _graph, start, end in dataset_clause_spans(query)[1]]
    for start, end in reversed(cuts):
        query = query[:start] + " " + query[end:]
    return query


def _has_service(sparql: str) -> bool:
    from .query_guard import services

    return bool(services(sparql))


def _with_base(sparql: str, base_iri: str) -> str:
    """The query with relative IRIs resolving against ``base_iri``: a BASE before it, or its own first BASE
    resolved against it (Virtuoso refuses two BASE declarations)."""
    from urllib.parse import urljoin

    from .query_guard import strip_prologue

    prologue = sparql[: len(sparql) - len(strip_prologue(sparql))]
    own = _BASE.search(prologue)
    if own is None:
        return f"BASE <{base_iri}>\n{sparql}"
    return sparql[: own.start(2)] + urljoin(base_iri, own.group(2)) + sparql[own.end(2):]


# Virtuoso writes a boolean as it stores it, "1" or "0", in its JSON (its N-Triples says "true"/"false").
# Inside a JSON string every quote is escaped, so this pattern can only match a term's own fields.
_VIRTUOSO_BOOLEAN = re.compile(rb'("datatype"\s*:\s*"http://www\.w3\.org/2001/XMLSchema#boolean"\s*,\s*"value"\s*:\s*)"([01])"')
_CARRY = 256  # bytes held back between reads, so that a match cut by a read boundary is still found


class _VirtuosoJson:
    """A file-like view of Virtuoso's JSON results with its booleans written as RDF writes them."""

    def __init__(self, raw) -> None:  # type: ignore[no-untyped-def]
        self._raw = raw
        self._pending = b""  # read, not yet fixed
        self._ready = b""  # fixed, not yet returned
        self._eof = False

    @staticmethod
    def _fix(data: bytes) -> bytes:
        return _VIRTUOSO_BOOLEAN.sub(lambda m: m.group(1) + (b'"true"' if m.group(2) == b"1" else b'"false"'), data)

    def read(self, size: int = -1) -> bytes:
        while not self._eof and (size < 0 or len(self._ready) < size):
            chunk = self._raw.read(65536)
            if not chunk:
                self._eof = True
                self._ready += self._fix(self._pending)
                self._pending = b""
                break
            self._pending += chunk
            cut = len(self._pending) - _CARRY
            if cut <= 0:
                continue
            # a match is shorter than _CARRY: one that starts well before the cut ends before it
            start = self._pending.rfind(b'"datatype"', max(0, cut - _CARRY), cut + 10)
            cut = start if start != -1 else cut
            self._ready += self._fix(self._pending[:cut])
            self._pending = self._pending[cut:]
        if size < 0:
            out, self._ready = self._ready, b""
        else:
            out, self._ready = self._ready[:size], self._ready[size:]
        return out

    def readable(self) -> bool:
        return True


class _Triples:
    """Triples of a CONSTRUCT or DESCRIBE, read from the response as they come (pyoxigraph ``Triple``s)."""

    def __init__(self, response: requests.Response) -> None:
        self._response = response

    def __iter__(self) -> Iterator[ox.Triple]:
        try:
            for quad in ox.parse(self._response.raw, format=ox.RdfFormat.N_TRIPLES):
                yield ox.Triple(quad.subject, quad.predicate, quad.object)
        finally:
            self._response.close()


def _engine_of(server_header: str) -> str:
    server = server_header.lower()
    if "virtuoso" in server:
        return "virtuoso"
    if "oxigraph" in server:
        return "oxigraph"
    return "sparql"


class RemoteStore:
    """A SPARQL 1.1 endpoint as the server's store; ``data_dir`` is the build's --out directory."""

    def __init__(self, data_dir: Path, endpoint: str, timeout: float = 30.0) -> None:
        self.data_dir = Path(data_dir)
        self.endpoint = endpoint
        self.timeout = float(timeout)
        self._local = threading.local()
        self._parser = threading.local()
        self._engine: str | None = None

    # --- the build directory: what the store does not hold ----------------------------------------------

    def current_path(self) -> Path:
        return release_dir(self.data_dir)

    def build_info(self) -> dict:
        return read_build_info(self.current_path())

    def _graphs(self) -> tuple[str, ...]:
        """The build's named graphs (its VoID subsets), read once per published release; () without VoID."""
        path = self.current_path()
        cached = getattr(self, "_graph_cache", None)
        if cached is None or cached[0] != path:
            void = path / "void.ttl"
            graphs: tuple[str, ...] = ()
            if void.exists():
                graphs = tuple(sorted(q.object.value for q in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE)
                                      if q.predicate.value == _VOID_SUBSET and isinstance(q.object, ox.NamedNode)))
            self._graph_cache = cached = (path, graphs)
        return cached[1]

    # --- the endpoint ----------------------------------------------------------------------------------

    def _session(self) -> requests.Session:
        session = getattr(self._local, "session", None)
        if session is None:
            session = self._local.session = requests.Session()
            session.headers["User-Agent"] = "archivekg (serve --endpoint)"
        return session

    def engine(self) -> str:
        """``virtuoso``, ``oxigraph`` or ``sparql`` (another engine: the standard protocol only), from its Server header."""
        if self._engine is None:
            resp = self._send("ASK {}", "application/sparql-results+json", Dataset(), probe=True)
            resp.close()
            self._engine = _engine_of(resp.headers.get("Server", ""))
        return self._engine

    def _form(self, sparql: str, base_iri: str | None):  # type: ignore[no-untyped-def]
        """The query's form, from the embedded engine's own parser (QuerySyntaxError if it does not parse)."""
        from .query_guard import services, strip_prologue

        if services(sparql) and strip_prologue(sparql)[:3].upper() == "ASK":
            return ox.QueryBoolean  # an ASK is evaluated as it is parsed, and its SERVICE must not be called here
        store = getattr(self._parser, "store", None)
        if store is None:
            store = self._parser.store = ox.Store()
        try:
            result = store.query(sparql, base_iri=base_iri) if base_iri else store.query(sparql)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None
        return type(result)

    def _send(self, sparql: str, accept: str, dataset: Dataset, probe: bool = False) -> requests.Response:
        params: list[tuple[str, str]] = [("query", sparql)]
        params += [("default-graph-uri", g) for g in dataset.default_graphs]
        params += [("named-graph-uri", g) for g in dataset.named_graphs]
        if not probe:
            engine = self.engine()
            if engine == "oxigraph" and not (dataset.default_graphs or dataset.named_graphs):
                params.append(("union-default-graph", ""))
            if engine == "virtuoso" and (dataset.default_graphs or dataset.named_graphs):
                params[0] = ("query", without_dataset_clauses(sparql))  # the dataset sent is the one that counts
            if engine == "virtuoso" and not (dataset.default_graphs or dataset.named_graphs) and not _has_service(sparql):
                graphs = self._graphs()  # the build's graphs only: Virtuoso's own system graphs stay out of the union
                if len(graphs) > _MAX_GRAPH_LIST:
                    graphs = ()  # too many to name in every request: the union is Virtuoso's (docs/deploy.md)
                params += [("default-graph-uri", g) for g in graphs] + [("named-graph-uri", g) for g in graphs]
            if engine == "virtuoso":
                params.append(("timeout", str(int(self.timeout * 1000))))
        headers = {"Accept": accept}
        session = self._session()
        request = requests.Request("GET", self.endpoint, params=params, headers=headers).prepare()
        try:
            if len(request.url or "") > _MAX_GET_URL:
                return session.post(self.endpoint, data=params, headers=headers, stream=True,
                                    timeout=(10, self.timeout + 5))
            return session.send(request, stream=True, timeout=(10, self.timeout + 5))
        except requests.Timeout:
            raise StoreTimeout(f"the SPARQL store at {self.endpoint} did not answer within {self.timeout:g} s") from None
        except requests.RequestException as err:
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} cannot be reached: {err}") from None

    def query(self, sparql: str, dataset: Dataset | None = None, base_iri: str | None = None):  # type: ignore[no-untyped-def]
        form = self._form(sparql, base_iri)
        graph = form is ox.QueryTriples
        if base_iri:
            sparql = _with_base(sparql, base_iri)
        accept = "application/n-triples" if graph else "application/sparql-results+json"
        resp = self._send(sparql, accept, dataset or Dataset())
        self._check(resp, sparql)
        resp.raw.decode_content = True  # a gzip answer is read as its content
        if graph:
            return _Triples(resp)
        body = _VirtuosoJson(resp.raw) if self._engine == "virtuoso" else resp.raw
        try:
            return ox.parse_query_results(body, ox.QueryResultsFormat.JSON)
        except SyntaxError as err:
            resp.close()
            raise StoreUnavailable(f"the SPARQL store at {self.endpoint} answered with results that do not parse: {err}") from None

    def _check(self, resp: requests.Response, sparql: str) -> None:
        state = resp.headers.get("X-SQL-State", "")
        if resp.status_code == 200 and state not in _PARTIAL_STATES:
            return
        text = resp.text[:2000].strip()
        resp.close()
        if state in _PARTIAL_STATES or "S1TAT" in text or re.search(r"timeout|time limit|estimated execution time", text, re.I):
            # The same words as the embedded store's, whichever of the two time limits ran out first.
            raise StoreTimeout(f"the query ran longer than the time limit of {self.timeout:g} s and was stopped by "
                               f"the SPARQL store at {self.endpoint} ({resp.headers.get('X-SQL-Message', text)[:300]})")
        if resp.status_code == 400:
            raise QuerySyntaxError(f"the SPARQL store refused the query: {text[:500]}")
        raise StoreUnavailable(f"the SPARQL store at {self.endpoint} answered {resp.status_code}: {text[:500]}")


def check_holds_build(store: RemoteStore, info: dict) -> None:
    """StoreUnavailable unless the endpoint answers and holds the build's graphs (one of them, asked for)."""
    store.engine()  # reachable, and which engine it is
    subsets = store._graphs()
    if subsets and not bool(store.query(f"ASK {{ GRAPH <{subsets[0]}> {{ ?s ?p ?o }} }}")):
        raise StoreUnavailable(f"the SPARQL store at {store.endpoint} does not hold this build (no graph <{subsets[0]}>); "
                               f"load it with 'archivekg publish {store.data_dir} --to STORE_URL'")
