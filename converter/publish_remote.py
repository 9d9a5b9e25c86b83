"""Publish a build into a remote SPARQL store through the SPARQL 1.1 Graph Store HTTP Protocol.

One ``PUT`` per named graph (the graph's triples as N-Triples, sent as ``text/turtle``, which every engine
reads), so a republish replaces exactly the graphs that changed; the graph of a document that is no longer in
the build is deleted (``DELETE``). What changed is known from a record kept next to the build
(OUT/published.json: each graph's checksum as last published to each store) and from the store itself: a
graph whose triple count there is not the build's is sent again, whatever the record says.

Every graph is verified afterwards: its triple count, read back from the store's SPARQL endpoint, must be
the count of the build's VoID description (void:triples of each void:subset; a release without VoID is
counted from its own store). A mismatch is an error that names the graph.

Requests are retried with exponential backoff (urllib3's ``Retry``) on connection errors and on 429/500/502/
503/504. Authentication: HTTP digest (Virtuoso's /sparql-graph-crud-auth) or basic (Fuseki), with the user from ``--user`` and the password from ARCHIVEKG_STORE_PASSWORD, never the command line.
"""

from __future__ import annotations

import hashlib
import json
import os
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pyoxigraph as ox
import requests
from requests.adapters import HTTPAdapter
from urllib3.util import Retry

__all__ = ["PublishError", "Published", "publish_to_store", "query_url_for", "remote_counts"]

PASSWORD_ENV = "ARCHIVEKG_STORE_PASSWORD"
_VOID = "http://rdfs.org/ns/void#"
_RECORD = "published.json"


class PublishError(RuntimeError):
    """The store refused or lost part of the build; the message names the graph and what to do."""


@dataclass
class Published:
    sent: list[str] = field(default_factory=list)  # graphs PUT
    kept: list[str] = field(default_factory=list)  # graphs already there, unchanged
    deleted: list[str] = field(default_factory=list)  # graphs of documents no longer in the build
    triples: int = 0


def query_url_for(store_url: str) -> str | None:
    """The SPARQL query endpoint next to a Graph Store endpoint, for the engines whose layout is known."""
    base, _, last = store_url.rstrip("/").rpartition("/")
    if last == "store":  # Oxigraph server: /store and /query
        return f"{base}/query"
    if last in ("sparql-graph-crud-auth", "sparql-graph-crud"):  # Virtuoso
        return f"{base}/sparql"
    return None


def _release(data_dir: Path) -> Path:
    link = data_dir / "current"
    if not link.exists():
        raise PublishError(f"no published build in {data_dir}; run 'archivekg build --out {data_dir}' first")
    return link.resolve()


def _session(user: str | None, password: str | None, retries: int, backoff: float, auth: str = "digest") -> requests.Session:
    session = requests.Session()
    retry = Retry(total=retries, connect=retries, read=retries, status=retries, backoff_factor=backoff,
                  status_forcelist=(429, 500, 502, 503, 504), allowed_methods=None, raise_on_status=False,
                  respect_retry_after_header=True)
    session.mount("http://", HTTPAdapter(max_retries=retry))
    session.mount("https://", HTTPAdapter(max_retries=retry))
    session.headers["User-Agent"] = "archivekg (publish)"
    if user:
        scheme = requests.auth.HTTPDigestAuth if auth == "digest" else requests.auth.HTTPBasicAuth
        session.auth = scheme(user, password or "")
    return session


def expected_counts(release: Path, store: ox.Store) -> dict[str | None, int]:
    """Each graph's triple count as the build states it (VoID), None for the default graph."""
    counts: dict[str | None, int] = {}
    void = release / "void.ttl"
    if void.exists():
        for quad in ox.parse(path=str(void), format=ox.RdfFormat.TURTLE):
            if quad.predicate.value == _VOID + "triples" and isinstance(quad.subject, ox.NamedNode):
                counts[quad.subject.value] = int(quad.object.value)
    graphs = [g.value for g in store.named_graphs()]
    out: dict[str | None, int] = {}
    for g in graphs:
        out[g] = counts[g] if g in counts else sum(1 for _ in store.quads_for_pattern(None, None, None, ox.NamedNode(g)))
    default = sum(1 for _ in store.quads_for_pattern(None, None, None, ox.DefaultGraph()))
    if default:
        out[None] = default
    return out


def _graph_bytes(store: ox.Store, graph: str | None) -> bytes:
    g = ox.DefaultGraph() if graph is None else ox.NamedNode(graph)
    triples = sorted((ox.Triple(q.subject, q.predicate, q.object) for q in store.quads_for_pattern(None, None, None, g)),
                     key=str)
    return ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES) or b""


def remote_counts(session: requests.Session, query_url: str, graphs: list[str]) -> dict[str, int]:
    """The triple count of each of the graphs in the store, read back through its SPARQL endpoint (absent: 0)."""
    out: dict[str, int] = {}
    for start in range(0, len(graphs), 200):
        chunk = graphs[start:start + 200]
        values = " ".join(f"<{g}>" for g in chunk)
        query = f"SELECT ?g (COUNT(*) AS ?n) WHERE {{ VALUES ?g {{ {values} }} GRAPH ?g {{ ?s ?p ?o }} }} GROUP BY ?g"
        resp = _request(session, "POST", query_url, data={"query": query},
                        headers={"Accept": "application/sparql-results+json"}, what="reading the graphs' counts back")
        for row in resp.json()["results"]["bindings"]:
            out[row["g"]["value"]] = int(row["n"]["value"])
    return {g: out.get(g, 0) for g in graphs}


def _remote_graphs(session: requests.Session, query_url: str, prefix: str) -> list[str]:
    """The store's graphs whose name starts with the build's graph prefix ({base}id/graph/)."""
    query = (f"SELECT DISTINCT ?g WHERE {{ GRAPH ?g {{ ?s ?p ?o }} "
             f"FILTER(STRSTARTS(STR(?g), {json.dumps(prefix)})) }}")
    resp = _request(session, "POST", query_url, data={"query": query},
                    headers={"Accept": "application/sparql-results+json"}, what="listing the published graphs")
    return sorted(row["g"]["value"] for row in resp.json()["results"]["bindings"])


def _request(session: requests.Session, method: str, url: str, what: str, ok=(200, 201, 204), **kwargs):  # type: ignore[no-untyped-def]
    try:
        resp = session.request(method, url, timeout=(10, 600), **kwargs)
    except requests.RequestException as err:
        raise PublishError(f"{what}: the store at {url} cannot be reached ({err}); is it running, and is the URL right?") from None
    if resp.status_code in (401, 403):
        raise PublishError(f"{what}: the store at {url} refused the credentials ({resp.status_code}); give --user and "
                           f"the password in {PASSWORD_ENV}, for an account that may write graphs")
    if resp.status_code not in ok:
        raise PublishError(f"{what}: the store at {url} answered {resp.status_code}: {resp.text[:500].strip()}")
    return resp


def _record_key(url: str) -> str:
    return url.rstrip("/")


def publish_to_store(data_dir: Path, store_url: str, *, query_url: str | None = None, user: str | None = None,
                     password: str | None = None, auth: str = "digest", retries: int = 5, backoff: float = 0.5,
                     force: bool = False,
                     progress: Callable[[int, int], None] | None = None) -> Published:
    """Load the build in ``data_dir`` into the Graph Store at ``store_url``; verify; return what was done.

    ``progress(done, total)`` is called after each graph.
    """
    data_dir = Path(data_dir)
    release = _release(data_dir)
    info = json.loads((release / "build.json").read_text(encoding="utf-8"))
    query_url = query_url or query_url_for(store_url)
    if query_url is None:
        raise PublishError(f"cannot tell the SPARQL query endpoint of {store_url}; give it with --query-url")
    session = _session(user, password, retries, backoff, auth)
    try:
        local = ox.Store.read_only(str(release / "store"))
    except OSError as err:
        raise PublishError(f"cannot open the store of {release}: {err}") from None
    expected = expected_counts(release, local)
    named = sorted(g for g in expected if g is not None)
    record_path = data_dir / _RECORD
    record_all = json.loads(record_path.read_text(encoding="utf-8")) if record_path.exists() else {}
    record: dict[str, str] = {} if force else dict(record_all.get(_record_key(store_url), {}))
    prefix = str(info.get("base_uri", "")) + "id/graph/"
    before = remote_counts(session, query_url, named)
    gone = sorted((set(_remote_graphs(session, query_url, prefix)) | {g for g in record if g.startswith(prefix)})
                  - set(named))
    done = Published()
    total = len(expected) + len(gone)
    step = 0
    for graph in ([None] if None in expected else []) + named:
        body = _graph_bytes(local, graph)
        digest = hashlib.sha256(body).hexdigest()
        key = "" if graph is None else graph
        if graph is not None and record.get(key) == digest and before.get(graph) == expected[graph]:
            done.kept.append(graph)
        else:
            params = {"default": ""} if graph is None else {"graph": graph}
            _request(session, "PUT", store_url, params=params, data=body, headers={"Content-Type": "text/turtle"},
                     what=f"sending graph <{key or 'default'}>")
            done.sent.append(key or "(default graph)")
            record[key] = digest
        done.triples += expected[graph]
        step += 1
        if progress:
            progress(step, total)
    for graph in gone:
        _request(session, "DELETE", store_url, params={"graph": graph}, ok=(200, 204, 404),
                 what=f"deleting graph <{graph}> (its document is no longer in the build)")
        record.pop(graph, None)
        done.deleted.append(graph)
        step += 1
        if progress:
            progress(step, total)
    record_all[_record_key(store_url)] = record
    tmp = record_path.with_suffix(".tmp")
    tmp.write_text(json.dumps(record_all, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, record_path)
    _verify(session, query_url, expected, gone)
    return done


def _verify(session: requests.Session, query_url: str, expected: dict[str | None, int], gone: list[str]) -> None:
    named = sorted(g for g in expected if g is not None)
    after = remote_counts(session, query_url, named + gone)
    wrong = [g for g in named if after[g] != expected[g]]
    if wrong:
        shown = "; ".join(f"<{g}> has {after[g]} triples in the store, the build has {expected[g]}" for g in wrong[:10])
        raise PublishError(f"verification failed for {len(wrong)} graph(s): {shown}. Publish again; if it persists, "
                           "the store changes the data it loads (see docs/deploy.md)")
    left = [g for g in gone if after[g]]
    if left:
        raise PublishError(f"graph <{left[0]}> was deleted but still has {after[left[0]]} triples in the store")
