"""SPARQL 1.1 Protocol at /sparql, read-only: query by GET, POST form and POST direct.

Formats: SELECT/ASK as SPARQL JSON (default), XML, CSV, TSV; CONSTRUCT/DESCRIBE as
Turtle (default), N-Triples, JSON-LD, RDF/XML, TriG, N-Quads — chosen by ``Accept``
or a ``format`` parameter. A GET without a query returns the Service Description
(or, for a browser, the query page). Updates are refused (403); SERVICE and LOAD are
refused unless their endpoint is on the allow-list.
"""

from __future__ import annotations

import codecs
import functools
import json
import os
import re
from urllib.parse import unquote_to_bytes

from flask import Blueprint, Response, current_app, request
from werkzeug.datastructures import MultiDict

from converter.wikidata import DEFAULT_ENDPOINT

from .config import service_allow
from .errors import ApiError, bad_request, not_acceptable, refused, unsupported
from .layout import page
from .links import public_url
from .negotiation import negotiate
from .query_guard import QueryRefused, check_query, route_services, strip_prologue
from .executor import (GRAPH_FORMATS, RESULT_FORMATS, Job, QueryTimeout, Result, ServerBusy, StreamBroken, execute,
                       execute_whole, serialize_graph)
from .lookups import lookup_rows
from .store import Dataset, OxigraphStore, StoreUnavailable

__all__ = ["bp", "RESULT_FORMATS", "GRAPH_FORMATS", "sparql_fast_path"]

bp = Blueprint("sparql", __name__)

# What clients put in ?format= (or ?output=, as SPARQLWrapper also sends), by the kind of result.
_RESULTS_PARAM = {
    "json": "application/sparql-results+json", "srj": "application/sparql-results+json",
    "xml": "application/sparql-results+xml", "srx": "application/sparql-results+xml", "csv": "text/csv",
    "tsv": "text/tab-separated-values", "html": "text/html",
}
_GRAPH_PARAM = {
    "turtle": "text/turtle", "ttl": "text/turtle", "n3": "text/turtle", "ntriples": "application/n-triples",
    "n-triples": "application/n-triples", "nt": "application/n-triples", "jsonld": "application/ld+json",
    "json-ld": "application/ld+json", "json": "application/ld+json", "rdfxml": "application/rdf+xml",
    "rdf+xml": "application/rdf+xml", "rdf": "application/rdf+xml", "xml": "application/rdf+xml",
    "trig": "application/trig", "nquads": "application/n-quads", "n-quads": "application/n-quads",
}
# A browser asking for HTML gets the results as a table; SPARQL clients get SPARQL formats.
_RESULT_OFFERS = {**RESULT_FORMATS, "text/html": "html"}


def _one(name: str, values: list[str]) -> str | None:
    if len(values) > 1:
        raise bad_request(f"the '{name}' parameter is given {len(values)} times; give it once")
    return values[0] if values else None


# --- reading the request: its bytes decoded strictly, never with replacement characters ---------------

_FORM_SLACK = 64 * 1024  # a form body holds the query percent-encoded (up to 3 bytes a byte) and other fields


def _charset(declared: str | None) -> str:
    """The codec of a declared charset (UTF-8 when none is declared). One that is unknown, or that does
    not write ASCII as ASCII (UTF-16, UTF-32, UTF-7), cannot carry a SPARQL query: 415."""
    if declared is None:
        return "utf-8"
    name = declared.strip().strip('"').strip()
    try:
        info = codecs.lookup(name)
    except LookupError:
        raise ApiError(415, f"the charset {name!r} of the request body is unknown; send the query in UTF-8") from None
    sample = bytes(range(0x20, 0x7F)) + b"\t\n\r"
    try:
        ascii_compatible = info._is_text_encoding and sample.decode("ascii").encode(info.name) == sample  # type: ignore[attr-defined]
    except (UnicodeError, LookupError):
        ascii_compatible = False
    if not ascii_compatible:
        raise ApiError(415, f"the charset {name!r} is not supported for a SPARQL query (it does not write ASCII as "
                            "ASCII); send the query in UTF-8, or in an ASCII-compatible charset such as ISO-8859-1")
    return info.name


_IN_BODY = "send the query in UTF-8, or declare its charset in Content-Type"
_IN_URL = "a URL carries UTF-8 bytes, percent-encoded"


def _decoded(data: bytes, charset: str, what: str, hint: str = _IN_BODY) -> str:
    try:
        return data.decode(charset)
    except UnicodeDecodeError as err:
        shown = "UTF-8" if charset == "utf-8" else charset
        raise bad_request(f"{what} is not valid {shown}: byte 0x{data[err.start]:02x} at position {err.start} "
                          f"cannot be decoded; {hint}") from None


def _pairs(raw: bytes, charset: str, where: str, hint: str = _IN_BODY) -> MultiDict:
    """``name=value&...`` (a query string or a form body), every name and value decoded strictly."""
    out = MultiDict()
    for part in raw.split(b"&"):
        if not part:
            continue
        name, _, value = part.partition(b"=")
        key = _decoded(unquote_to_bytes(name.replace(b"+", b" ")), charset, f"a parameter name of {where}", hint)
        out.add(key, _decoded(unquote_to_bytes(value.replace(b"+", b" ")), charset, f"the '{key}' parameter of {where}",
                              hint))
    return out


def _body(limit: int) -> bytes:
    """The request body, refused (413) above ``limit`` bytes before it is read whole."""
    if request.content_length is not None and request.content_length > limit:
        raise ApiError(413, f"the request body is larger than the limit of {limit} bytes")
    data = request.get_data(cache=True)
    if len(data) > limit:
        raise ApiError(413, f"the request body is larger than the limit of {limit} bytes")
    return data


def _request_query() -> tuple[str | None, Dataset, tuple[str, ...]]:
    """The query, the protocol's dataset, and the values of ``format`` and ``output`` (those of the URL first,
    then the form's), each read once from the request's own bytes."""
    args = _pairs(request.query_string, "utf-8", "the URL", _IN_URL)  # a URL's query string is UTF-8 (RFC 3986)
    form = None
    max_bytes = int(current_app.config["MAX_QUERY_BYTES"])
    if request.method == "POST":
        ctype = (request.mimetype or "").lower()
        if ctype == "application/x-www-form-urlencoded":
            charset = _charset(request.mimetype_params.get("charset"))
            form = _pairs(_body(3 * max_bytes + _FORM_SLACK), charset, "the form")
            if form.getlist("update"):
                raise refused("this endpoint is read-only: SPARQL updates are refused")
            query = _one("query", form.getlist("query"))
            defaults = form.getlist("default-graph-uri") + args.getlist("default-graph-uri")
            named = form.getlist("named-graph-uri") + args.getlist("named-graph-uri")
        elif ctype == "application/sparql-query":
            charset = _charset(request.mimetype_params.get("charset"))
            query = _decoded(_body(max_bytes), charset, "the request body")
            defaults = args.getlist("default-graph-uri")
            named = args.getlist("named-graph-uri")
        elif ctype == "application/sparql-update":
            raise refused("this endpoint is read-only: SPARQL updates are refused")
        else:
            raise unsupported(ctype or "(none)", ["application/x-www-form-urlencoded", "application/sparql-query"])
        if query is None:
            raise bad_request("no query: send it as the 'query' form field or as an application/sparql-query body")
    else:
        if args.getlist("update"):
            raise refused("this endpoint is read-only: SPARQL updates are refused")
        query = _one("query", args.getlist("query"))
        defaults = args.getlist("default-graph-uri")
        named = args.getlist("named-graph-uri")
    params = tuple(v for name in ("format", "output") for source in (args, form) if source is not None
                   for v in source.getlist(name))
    return query, Dataset(tuple(defaults), tuple(named)), params


def release_key() -> tuple | None:
    """What names the published build for what is kept per build: its build.json (over the build's own store, the
    file the `current` link leads to, in one system call: its device, inode, size and modification time; else the
    release's directory and the file's inode, size and time): a new release or a rewritten file is another build.
    None when the store cannot say."""
    store = current_app.extensions["archivekg.store"]
    try:
        if isinstance(store, OxigraphStore):  # one system call: build.json through the `current` link
            st = os.stat(store.current_build_json)
            return (st.st_dev, st.st_ino, st.st_size, st.st_mtime_ns)  # the file itself: another release, another file
        path = str(store.current_path())
        st = os.stat(os.path.join(path, "build.json"))
    except (AttributeError, OSError, StoreUnavailable):
        return None
    return (path, st.st_ino, st.st_size, st.st_mtime_ns)


def endpoint_url(release: tuple | None = None) -> str:
    """The endpoint's public URL: the Service Description's sd:endpoint, the base of relative IRIs in queries.
    Kept per release (``release``: its release_key) and PUBLIC_URL, as public_url() makes it."""
    configured = str(current_app.config.get("PUBLIC_URL") or "")
    if release is None:
        return public_url() + "sparql"
    kept = current_app.extensions.setdefault("archivekg.endpoint_url", {})
    url = kept.get((release, configured))
    if url is None:
        url = public_url() + "sparql"
        kept.clear()  # one release is served at a time
        kept[(release, configured)] = url
    return url


# Functions whose value changes from one run of the same query to the next: a query that calls one is never kept.
_FRESH_EACH_RUN = re.compile(r"\b(?:NOW|RAND|UUID|STRUUID|BNODE)\s*\(", re.I)
_KEPT_MOST_CHARS = 4096  # longer queries are read each time, not kept (the caches' memory stays small)


@functools.lru_cache(maxsize=1024)
def _guarded(query: str, allow: tuple[str, ...], max_bytes: int, wikidata: str, lookup_most: int = 0) -> tuple:
    """What the endpoint works out from a query's text alone, once per text (and settings): (the query as sent,
    the IRIs of a simple DESCRIBE or None, whether running it again gives the same answer, whether it is a lookup
    of at most ``lookup_most`` rows that the request's thread may answer: server/lookups.py). A refused query
    raises QueryRefused, and is not kept."""
    found = check_query(query, allow, max_bytes)
    sent = route_services(query, found, {DEFAULT_ENDPOINT: wikidata})
    simple = _SIMPLE_DESCRIBE.match(strip_prologue(query).strip())
    iris = tuple(re.findall(r"<([^<>\s]+)>", simple.group(1))) if simple else None  # absolute IRIs only
    lookup = not found and sent == query and lookup_rows(query, lookup_most) is not None
    return sent, iris, not found and not _FRESH_EACH_RUN.search(query), lookup


def guarded(query: str) -> tuple:
    """_guarded for this app's settings: refused (ApiError) if the query must not run, as the user wrote it;
    SERVICE <https://query.wikidata.org/sparql> routed to WIKIDATA_ENDPOINT (a mirror, a local copy)."""
    config = current_app.config
    args = (query, service_allow(config), int(config["MAX_QUERY_BYTES"]), str(config["WIKIDATA_ENDPOINT"]),
            int(config["QUERY_LOOKUP_ROWS"]))
    try:
        return _guarded(*args) if len(query) <= _KEPT_MOST_CHARS else _guarded.__wrapped__(*args)
    except QueryRefused as err:
        raise ApiError(err.status, err.message) from None


# --- the query's own dataset: FROM and FROM NAMED (SPARQL 1.1 Query, 13.2) ---------------------------

# SPARQL's tokens, as far as finding the dataset clauses needs: strings, comments and IRIs are read
# whole, so a FROM inside them never counts; a "word" is a keyword, a prefixed name or a number.
_STRING = "|".join((
    r'"""(?:[^"\\]|\\.|"(?!""))*"""',
    r"'''(?:[^'\\]|\\.|'(?!''))*'''",
    r'"(?:[^"\\\n\r]|\\.)*"',
    r"'(?:[^'\\\n\r]|\\.)*'",
))
_TOKENS = re.compile("|".join((
    r"(?P<space>\s+)", r"(?P<comment>#[^\n\r]*)", f"(?P<string>{_STRING})",
    r'(?P<iri><(?:[^<>"{}|^`\\\x00-\x20]|\\u[0-9A-Fa-f]{4}|\\U[0-9A-Fa-f]{8})*>)', r"(?P<var>[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+)",
    r"""(?P<word>[^\s<>(){}\[\],;"'#?$]+)""", r"(?P<other>.)",
)), re.S)
_OPEN, _CLOSE = "{([", "})]"
# Stands for an empty set of graphs: the store interface takes a list of graphs, and an empty list means
# "as the store has it". A FROM alone gives no named graphs, a FROM NAMED alone an empty default graph.
NO_GRAPH = "urn:x-archivekg:no-graph"


def dataset_clause_spans(query: str) -> tuple[int, list[tuple[bool, str, int, int]]]:
    """Where the query's prologue (its BASE and PREFIX declarations) ends, and its dataset clauses:
    (named, the graph as written: an IRI in brackets or a prefixed name, start, end of the clause) for
    each FROM and FROM NAMED.

    The clauses stand between the query form and WHERE, outside any brackets; a FROM anywhere else
    is a syntax error, which the parser reports when the query runs.
    """
    tokens = [(m.lastgroup, m.group(), m.start(), m.end()) for m in _TOKENS.finditer(query)
              if m.lastgroup not in ("space", "comment")]
    prologue_end, i = 0, 0
    while i < len(tokens) and tokens[i][1].upper() in ("BASE", "PREFIX"):  # declaration by declaration
        step = 2 if tokens[i][1].upper() == "BASE" else 3
        if i + step > len(tokens) or tokens[i + step - 1][0] != "iri":
            break
        i += step
        prologue_end = tokens[i - 1][3]
    found: list[tuple[bool, str, int, int]] = []
    depth = 0
    while i < len(tokens):
        kind, text, start, _ = tokens[i]
        i += 1
        if kind == "other" and text in _OPEN:
            depth += 1
        elif kind == "other" and text in _CLOSE:
            depth = max(0, depth - 1)
        elif depth == 0 and kind == "word" and text.upper() == "FROM":
            named = i < len(tokens) and tokens[i][0] == "word" and tokens[i][1].upper() == "NAMED"
            i += named
            if i < len(tokens) and (tokens[i][0] == "iri" or tokens[i][0] == "word" and ":" in tokens[i][1]):
                found.append((named, tokens[i][1], start, tokens[i][3]))
                i += 1
    return prologue_end, found


def dataset_clauses(query: str) -> tuple[str, list[tuple[bool, str]]]:
    """The query's prologue, as written, and its dataset clauses: (named, the graph as written)."""
    prologue_end, found = dataset_clause_spans(query)
    return query[:prologue_end], [(named, graph) for named, graph, _start, _end in found]


_RESOLVER: list = []


@functools.lru_cache(maxsize=1024)
def _kept_query_dataset(query: str, base_iri: str) -> Dataset | None:
    return query_dataset(query, base_iri)


def own_dataset(query: str, base_iri: str) -> Dataset | None:
    """query_dataset, kept per text and base IRI for queries of at most _KEPT_MOST_CHARS characters."""
    return _kept_query_dataset(query, base_iri) if len(query) <= _KEPT_MOST_CHARS else query_dataset(query, base_iri)


def query_dataset(query: str, base_iri: str) -> Dataset | None:
    """The dataset the query names with FROM and FROM NAMED, its IRIs resolved as the parser resolves them
    (prefixes, BASE, the endpoint's URL); None if it names none, or if its clauses do not parse."""
    import pyoxigraph as ox

    if "from" not in query.lower():
        return None  # most queries: no need to read them token by token
    prologue, clauses = dataset_clauses(query)
    if not clauses:
        return None
    if not _RESOLVER:
        _RESOLVER.append(ox.Store())  # empty: it resolves the clauses' IRIs with pyoxigraph's own parser
    rows = " ".join(f"({n} {term})" for n, (_, term) in enumerate(clauses))
    try:
        solutions = _RESOLVER[0].query(f"{prologue}\nSELECT ?n ?g WHERE {{ VALUES (?n ?g) {{ {rows} }} }}",
                                       base_iri=base_iri)
        graphs = {int(s["n"].value): s["g"].value for s in solutions}
    except (SyntaxError, ValueError):
        return None  # the query's own parse says what is wrong
    defaults = tuple(dict.fromkeys(graphs[n] for n, (named, _) in enumerate(clauses) if not named and n in graphs))
    named = tuple(dict.fromkeys(graphs[n] for n, (is_named, _) in enumerate(clauses) if is_named and n in graphs))
    return Dataset(defaults, named)


def specified(dataset: Dataset) -> Dataset:
    """A dataset as the store runs it: one that names default graphs only has no named graphs, and one
    that names named graphs only has an empty default graph (SPARQL 1.1 Query 13.2, Protocol 2.1.4)."""
    if dataset.default_graphs and not dataset.named_graphs:
        return Dataset(dataset.default_graphs, (NO_GRAPH,))
    if dataset.named_graphs and not dataset.default_graphs:
        return Dataset((NO_GRAPH,), dataset.named_graphs)
    return dataset


def _from_parameter(offers: dict[str, object], params: tuple[str, ...]) -> str | None:
    """The format a ``format`` (or ``output``) parameter names among the offers: a name (``json``, ``rdf+xml``)
    or media types (``application/ld+json,application/x-json+ld``); the first value that names an offer wins.
    ``params``: the values of format, then of output (_request_query)."""
    names = _GRAPH_PARAM if offers is GRAPH_FORMATS else _RESULTS_PARAM
    for value in params:
        for part in value.split(","):
            media = names.get(part.strip().lower(), part.strip().lower())
            if media in offers:
                return media
    return None


def _chosen(offers: dict[str, object], params: tuple[str, ...]) -> str:
    """The negotiated format: by parameter, else by ``Accept`` (a parameter naming no offer leaves it to Accept)."""
    media = _offered(offers, params, request.headers.get("Accept"))
    if media is None:
        raise not_acceptable(list(offers))
    return media


def _offered(offers: dict[str, object], params: tuple[str, ...], accept: str | None) -> str | None:
    return (params and _from_parameter(offers, params)) or negotiate(accept, tuple(offers))


_SIMPLE_DESCRIBE = re.compile(r"^DESCRIBE\s+((?:<[a-z][\w+.-]*:[^<>\s]+>\s*)+)$", re.I)


def _describe_response(query: str, iris: tuple[str, ...], params: tuple[str, ...]) -> Response:
    """DESCRIBE <iri> ...: each resource's triples, its parts and its incoming links."""
    from .resources import as_iri, describe

    bad = next((iri for iri in iris if as_iri(iri) is None), None)
    if bad is not None:
        raise bad_request(f"the query does not parse: <{bad}> is not an IRI")
    as_table = _offered(_RESULT_OFFERS, params, request.headers.get("Accept")) == "text/html"
    media = "application/n-triples" if as_table else _chosen(GRAPH_FORMATS, params)
    store = current_app.extensions["archivekg.store"]
    triples = sorted({t for iri in iris for t in describe(store, iri)},
                     key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
    body = serialize_graph(triples, media)
    if as_table:
        resp = Response(results_table(query, triples_as_results(body), False, len(triples), "graph"), mimetype="text/html")
    else:
        resp = Response(body, mimetype=media)
    resp.headers["Vary"] = "Accept"
    return resp


def _job(query: str, dataset: Dataset, params: tuple[str, ...], accept: str | None, guard: tuple) -> tuple:
    """(the job to run, the result cache's key or None, whether the result becomes a table for people, whether
    the request's thread may run it: a lookup over the whole store, server/lookups.py)."""
    sent, _describe, repeatable, lookup = guard
    release = release_key()
    endpoint = endpoint_url(release)
    if not (dataset.default_graphs or dataset.named_graphs):  # the protocol's parameters override the query's
        dataset = own_dataset(query, endpoint) or dataset
    dataset = specified(dataset)
    config = current_app.config
    limit = int(config["MAX_RESULT_ROWS"])
    results_media = _offered(_RESULT_OFFERS, params, accept)
    as_table = results_media == "text/html"
    graph_media = _offered(GRAPH_FORMATS, params, accept)
    literal_chars = 0
    if as_table:  # a browser: solutions or triples come back in a form the table is made from, bounded
        results_media, graph_media = "application/sparql-results+json", "application/n-triples"
        limit = min(limit, int(config["HTML_MAX_ROWS"]))
        literal_chars = int(config["HTML_MAX_CHARS"])
    job = Job(sent, dataset, results_media, graph_media, limit, endpoint, int(config["HEAD_ROWS"]), literal_chars)
    cached = current_app.extensions.get("archivekg.results") is not None and repeatable and release is not None
    here = lookup and not (dataset.default_graphs or dataset.named_graphs)
    return job, ((release, job) if cached else None), as_table, here


def _result(job: Job, key: tuple | None, here: bool = False) -> Result:
    """The job's result: the result cache's, else run (a query process, or this thread); refusals as ApiError.
    ``here``: a lookup (server/lookups.py), run in this thread over the build's own store when its result comes
    whole in one chunk, as a query process would give it (executor.execute_whole)."""
    cache = current_app.extensions.get("archivekg.results")
    result: Result | None = cache.get(key) if key is not None else None
    if result is None:
        result = _run(job, here)
        if key is not None:
            cache.put(key, result)  # type: ignore[union-attr]  # kept only if it came whole and completed
    outcome = result.outcome
    if outcome.status == "syntax":
        raise bad_request(f"the query does not parse: {outcome.message}")
    if outcome.status in ("unavailable", "timeout"):
        raise ApiError(503, outcome.message + ("; narrow the query or add a LIMIT" if outcome.status == "timeout" else ""))
    if outcome.status == "not-acceptable":
        raise not_acceptable(list(_RESULT_OFFERS if outcome.form == "results" else GRAPH_FORMATS))
    if outcome.status != "ok":
        raise ApiError(500, f"the query failed while it ran: {outcome.message}")
    return result


def _run(job: Job, here: bool) -> Result:
    """Run the job: in this thread when ``here`` and its result comes whole in one chunk (a lookup over the
    build's own store), else on a query process (or, with none, in this thread); time limits as ApiError."""
    store = current_app.extensions["archivekg.store"]
    if here and isinstance(store, OxigraphStore):  # never a remote store: its answer comes over the network
        result = execute_whole(store, job)
        if result is not None:
            return result
    executor = current_app.extensions.get("archivekg.executor")
    try:
        return executor.run(job) if executor is not None else execute(store, job)
    except QueryTimeout as err:
        raise ApiError(503, f"{err}; narrow the query or add a LIMIT") from None
    except ServerBusy as err:
        raise ApiError(503, str(err), retry_after=max(1, int(current_app.config["QUERY_TIMEOUT"]) // 3)) from None


def _result_headers(limit: int, truncated: bool | None) -> list[tuple[str, str]]:
    """What run_query's response says after its Content-Type (and Content-Length): the same for both paths."""
    headers = [("Vary", "Accept"), ("X-Result-Limit", str(limit))]
    if truncated:
        headers += [("X-Result-Truncated", "true"), ("Warning", f'199 archivekg "results cut at the limit of {limit} rows"')]
    return headers


def _media(outcome) -> str:  # type: ignore[no-untyped-def]
    return "application/sparql-results+json" if outcome.media == "application/json" else outcome.media


def run_query(query: str, dataset: Dataset, params: tuple[str, ...] = ()) -> Response:
    guard = guarded(query)
    if guard[1] is not None and not (dataset.default_graphs or dataset.named_graphs):
        return _describe_response(query, guard[1], params)
    job, key, as_table, here = _job(query, dataset, params, request.headers.get("Accept"), guard)
    result = _result(job, key, here)
    outcome, limit = result.outcome, job.max_rows
    truncated = outcome.truncated
    if as_table:
        try:
            body = result.read()
        except StreamBroken as err:
            raise ApiError(503, f"{err}; narrow the query or add a LIMIT") from None
        finally:
            result.close()
        truncated = result.truncated
        table = json.loads(body) if outcome.form == "results" else triples_as_results(body)
        resp = Response(results_table(query, table, truncated, limit, outcome.form), mimetype="text/html")
    else:
        media = _media(outcome)
        whole = result.whole  # a result that came in one piece is sent with its length; a longer one streams
        resp = Response(whole if whole is not None else result, mimetype=media)
        if media.startswith("text/"):
            resp.headers["Content-Type"] = f"{media}; charset=utf-8"
    resp.headers.extend(_result_headers(limit, truncated))
    return resp


# --- the usual request, without Flask's machinery ------------------------------------------------------

_SPARQL_QUERY = "application/sparql-query"


def _usual_query(environ: dict) -> tuple[str, bytes | None] | None:
    """The query of the protocol's usual request, read from the WSGI environ: a POST of an
    application/sparql-query body in UTF-8 with nothing in the URL, or a GET whose URL holds the query
    alone; (the query, the body read, to be put back if Flask takes the request after all). None for any
    other request, or one this cannot read as simply as the protocol's own path would: Flask takes it."""
    method = environ.get("REQUEST_METHOD")
    if method == "POST":
        ctype = environ.get("CONTENT_TYPE", "")
        mimetype, _, rest = ctype.partition(";")
        if mimetype.strip().lower() != _SPARQL_QUERY or environ.get("QUERY_STRING"):
            return None
        if rest.strip() and rest.strip().lower().replace(" ", "") not in ("charset=utf-8", 'charset="utf-8"'):
            return None
        try:
            length = int(environ.get("CONTENT_LENGTH") or "")
        except ValueError:
            return None
        if not 0 < length <= int(current_app.config["MAX_QUERY_BYTES"]):
            return None
        body = environ["wsgi.input"].read(length)
        if len(body) != length:
            return "", body  # the client left: Flask's path reads it as it reads any body
        try:
            return body.decode("utf-8"), body
        except UnicodeDecodeError:
            return "", body  # Flask's path says where the bad byte is
    if method == "GET":
        raw = environ.get("QUERY_STRING", "")
        if not raw.startswith("query=") or "&" in raw or not raw.isascii():
            return None
        try:
            query = unquote_to_bytes(raw[6:].replace("+", " ")).decode("utf-8")
        except UnicodeDecodeError:
            return None
        return (query, None) if query else None
    return None


def sparql_fast_path(app, flask_wsgi):  # type: ignore[no-untyped-def]
    """The WSGI app in front of Flask's: the protocol's usual request (_usual_query) that asks for a SPARQL
    format (not a table for people), for a query the guard lets through that is not a simple DESCRIBE, is
    answered here, with the same steps as run_query and the same response, header for header
    (tests/test_sparql_fast_path.py compares them), without a request context, routing or Response objects:
    at this endpoint's rate those cost as much as the rest of the request. Anything else, and any refusal
    before the query runs, goes to Flask with the request as it came; a refusal after it ran (its status, a
    time limit) is made by Flask's error handlers."""
    import io

    from werkzeug.utils import get_content_type

    def wsgi(environ: dict, start_response):  # type: ignore[no-untyped-def]
        if environ.get("PATH_INFO") != "/sparql":
            return flask_wsgi(environ, start_response)
        with app.app_context():
            usual = _usual_query(environ)
            if usual is not None and usual[1] is not None:  # the body is read: put it back for Flask
                environ["wsgi.input"] = io.BytesIO(usual[1])
            if usual is None or not usual[0]:
                return flask_wsgi(environ, start_response)
            query = usual[0]
            accept = environ.get("HTTP_ACCEPT")
            try:
                guard = guarded(query)
                if guard[1] is not None:
                    return flask_wsgi(environ, start_response)  # a simple DESCRIBE: the resources' own
                job, key, as_table, here = _job(query, Dataset(), (), accept, guard)
            except (ApiError, StoreUnavailable):
                return flask_wsgi(environ, start_response)  # nothing has run: Flask says why
            if as_table:
                return flask_wsgi(environ, start_response)
            try:
                result = _result(job, key, here)
            except ApiError as err:
                return _flask_error(app, environ, start_response, err)
        outcome = result.outcome
        media = _media(outcome)
        headers = [("Content-Type", f"{media}; charset=utf-8" if media.startswith("text/")
                    else get_content_type(media, "utf-8"))]
        whole = result.whole
        if whole is not None:
            headers.append(("Content-Length", str(len(whole))))
        headers += _result_headers(job.max_rows, outcome.truncated)
        headers += app.extensions["archivekg.usual_headers"]
        start_response("200 OK", headers)
        return [whole] if whole is not None else result

    return wsgi


def _flask_error(app, environ: dict, start_response, err: ApiError):  # type: ignore[no-untyped-def]
    """The response Flask's error handlers (and after_request) make of a refusal, for the fast path."""
    with app.request_context(environ):
        response = app.finalize_request(app.handle_user_exception(err))
        return response(environ, start_response)


def _term_html(term: dict, base: str) -> str:
    from html import escape

    from .links import compact, safe_href

    value = term["value"]
    if term["type"] == "uri":
        href = safe_href(value, base)
        if href is None:  # javascript:, data:, ...: shown, never linked
            return f'<span class="iri">{escape(value)}</span>'
        shown = href if href != value else compact(value)  # on this server: its path; else a prefixed name
        return f'<a href="{escape(href, quote=True)}" title="{escape(value, quote=True)}">{escape(shown)}</a>'
    return escape(value)


def triples_as_results(ntriples: bytes) -> dict:
    """CONSTRUCT or DESCRIBE triples (N-Triples) in the shape of SELECT results: subject, predicate, object."""
    import pyoxigraph as ox

    from .executor import json_term

    names = ("subject", "predicate", "object")
    return {"head": {"vars": list(names)}, "results": {"bindings": [
        dict(zip(names, (json_term(t.subject), json_term(t.predicate), json_term(t.object))))
        for t in ox.parse(ntriples, format=ox.RdfFormat.N_TRIPLES)]}}


def results_table(query: str, results: dict, truncated: bool, limit: int, form: str = "results") -> str:
    """Query results as an HTML table for people, links to resources and to Wikidata; triples as three columns."""
    from html import escape
    from urllib.parse import urlencode

    base = ""
    try:
        base = current_app.extensions["archivekg.store"].build_info()["base_uri"]
    except Exception:  # noqa: BLE001 - the table still renders without local links
        base = ""
    if "boolean" in results:
        body = f"<p>Answer: <strong>{'yes' if results['boolean'] else 'no'}</strong></p>"
    else:
        names = results["head"]["vars"]
        head = "".join(f"<th>{escape(n)}</th>" for n in names)
        rows = "".join(
            "<tr>" + "".join(f"<td>{_term_html(b[n], base) if n in b else ''}</td>" for n in names) + "</tr>"
            for b in results["results"]["bindings"]
        )
        note = f"<p>Cut at the limit of {limit} rows.</p>" if truncated else ""
        body = f"<p>{len(results['results']['bindings'])} row(s)</p>{note}<table id=\"results\"><thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
    formats = (("json", "JSON"), ("xml", "XML"), ("csv", "CSV"), ("tsv", "TSV")) if form == "results" else (
        ("turtle", "Turtle"), ("jsonld", "JSON-LD"), ("ntriples", "N-Triples"), ("rdfxml", "RDF/XML"))
    downloads = " · ".join(f'<a href="sparql?{escape(urlencode({"query": query, "format": f}), quote=True)}">{name}</a>'
                           for f, name in formats)
    share = escape("sparql?" + urlencode({"query": query, "format": "html"}), quote=True)
    return page("Results", wide=True, body=f"""<h1>Results</h1>
<p class="formats"><a href="sparql?{escape(urlencode({"query": query, "edit": "1"}), quote=True)}">Edit the query</a> · <a href="{share}">Link to these results</a> · Download: {downloads}</p>
<pre>{escape(query)}</pre>{body}""")


@bp.route("/sparql", methods=["GET", "POST"])
def sparql() -> Response:
    if request.method == "GET" and request.args.get("edit"):
        return query_page()
    query, dataset, params = _request_query()
    if query is None:
        return service_description()
    return run_query(query, dataset, params)


def service_description() -> Response:
    from rdflib import BNode, Graph, Literal, Namespace, URIRef
    from rdflib.namespace import RDF

    sd = Namespace("http://www.w3.org/ns/sparql-service-description#")
    endpoint = URIRef(endpoint_url())  # PUBLIC_URL's, never the Host header's
    g = Graph()
    g.bind("sd", sd)
    service = URIRef(endpoint_url() + "#service")
    g.add((service, RDF.type, sd.Service))
    g.add((service, sd.endpoint, endpoint))
    for lang in ("SPARQL11Query",):
        g.add((service, sd.supportedLanguage, sd[lang]))
    for feature in ("UnionDefaultGraph", "BasicFederatedQuery"):
        g.add((service, sd.feature, sd[feature]))
    for name in _FORMAT_IRI.values():  # the W3C's names for the formats (www.w3.org/ns/formats/)
        g.add((service, sd.resultFormat, URIRef(f"http://www.w3.org/ns/formats/{name}")))
    ds, default = BNode(), BNode()
    g.add((service, sd.defaultDataset, ds))
    g.add((ds, RDF.type, sd.Dataset))
    g.add((ds, sd.defaultGraph, default))
    g.add((default, RDF.type, sd.Graph))
    try:
        info = current_app.extensions["archivekg.store"].build_info()
        void = Namespace("http://rdfs.org/ns/void#")
        g.bind("void", void)
        g.add((default, void.triples, Literal(int(info["triples"]))))
        g.add((ds, URIRef("http://www.w3.org/2000/01/rdf-schema#seeAlso"), URIRef(public_url() + ".well-known/void")))
    except (KeyError, ValueError, StoreUnavailable):
        pass  # the description stands without the counts
    g.add((service, URIRef("http://purl.org/dc/terms/description"),
           Literal("archivekg: read-only SPARQL 1.1 endpoint; the default graph is the union of all graphs")))
    offers = {"text/turtle": "turtle", "application/rdf+xml": "xml", "application/ld+json": "json-ld",
              "application/n-triples": "nt", "text/html": None}
    media = negotiate(request.headers.get("Accept"), list(offers))
    if media is None:
        raise not_acceptable(list(offers))
    if media == "text/html":
        return query_page()
    resp = Response(g.serialize(format=offers[media]), mimetype=media)
    resp.headers["Vary"] = "Accept"
    return resp


_FORMAT_IRI = {
    "application/sparql-results+json": "SPARQL_Results_JSON", "application/sparql-results+xml": "SPARQL_Results_XML",
    "text/csv": "SPARQL_Results_CSV", "text/tab-separated-values": "SPARQL_Results_TSV", "text/turtle": "Turtle",
    "application/n-triples": "N-Triples", "application/ld+json": "JSON-LD", "application/rdf+xml": "RDF_XML",
    "application/trig": "TriG", "application/n-quads": "N-Quads",
}


def query_page() -> Response:
    """The query page. Without JavaScript it is a form (a text box, the examples, a format); with it,
    static/editor.js puts the vendored YASGUI editor in its place (highlighting, completion from
    /sparql/vocabulary, results on the page, downloads, the query kept in the URL)."""
    from html import escape

    from converter.catalogue import load_catalogue

    options = '<option value="">(choose an example)</option>' + "".join(
        f'<option value="{escape(q.sparql, quote=True)}">{escape(q.title)}</option>' for q in load_catalogue()
    )
    initial = request.args.get("query") or "SELECT * WHERE { ?s ?p ?o } LIMIT 10"
    base = ""
    try:
        base = current_app.extensions["archivekg.store"].build_info()["base_uri"]
    except (StoreUnavailable, KeyError, ValueError, OSError):
        pass  # the editor still runs; links stay as the IRIs are
    given = "1" if request.args.get("query") else ""
    html = page("SPARQL", f"""<h1>SPARQL query</h1>
<form method="get" action="sparql" id="query-form">
<p><label>Example queries <select id="examples">{options}</select></label></p>
<p><textarea id="query" name="query" rows="16" cols="100" spellcheck="false">{escape(initial)}</textarea></p>
<p><label>Format <select name="format"><option>html</option><option>json</option><option>xml</option><option>csv</option>
<option>tsv</option><option>turtle</option></select></label> <button id="run" type="submit">Run</button></p>
</form>
<div id="editor" hidden data-endpoint="sparql" data-vocabulary="sparql/vocabulary" data-base="{escape(base, quote=True)}"
 data-run="{given}"></div>
<p id="downloads" class="formats" hidden></p>""", wide=True,
                scripts=("query.js", "vendor/yasgui/yasgui.min.js", "editor.js"),
                styles=("vendor/yasgui/yasgui.min.css", "editor.css"))  # no inline script: static/query.js, static/editor.js
    resp = Response(html, mimetype="text/html")
    resp.headers["Vary"] = "Accept"
    return resp
