"""Linked Data: every {base}id/... IRI the build mints dereferences here, whatever host serves it.

``Accept`` (or a file suffix: .ttl, .nt, .jsonld, .rdf) decides between an HTML page
and RDF; responses carry ``Vary: Accept``; an unknown resource is a 404. The
description is the resource's outgoing triples, those of its parts (fragment IRIs
such as ``#mark-1``), and its incoming links. A mention also gets the Web Annotation
it stands for (server/annotation.py).
"""

from __future__ import annotations

import json
import threading
from collections.abc import Iterator
from contextlib import contextmanager
from html import escape
from urllib.parse import quote

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

from converter.namespaces import PREFIXES

from .annotation import WA_CONTEXT, derived_triples, source_text, wants_web_annotation, web_annotation
from .errors import ApiError, not_acceptable
from .executor import serialize_graph
from .layout import page
from .links import compact, local_href, safe_href
from .negotiation import negotiate
from .pages import SECTIONS, page_number

__all__ = ["as_iri", "bp", "describe"]

bp = Blueprint("resources", __name__)

_SUFFIXES = {".html": "text/html", ".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
             ".rdf": "application/rdf+xml"}
_OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_MAX_INCOMING = 500
_URI_SAFE = ":/?#[]@!$&'()*+,;=%~"


def as_iri(text: str) -> ox.NamedNode | None:
    """The IRI, if the text is one (no spaces, quotes, angle brackets, bad escapes); None otherwise."""
    try:
        return ox.NamedNode(text)
    except ValueError:
        return None


def _triples(store, query: str) -> set[ox.Triple]:  # type: ignore[no-untyped-def]
    return set(store.query(query))


def describe(store, iri: str) -> list[ox.Triple]:  # type: ignore[no-untyped-def]
    """Outgoing triples of the IRI and of its fragment parts, and incoming links (bounded).

    Parts (``#mark-1``, ``#participant-1``, ...) are found by following the links
    from the resource to them, level by level, so that no query scans the store. Every
    part the build mints is linked from its resource (tests/test_pages.py checks it).
    An IRI that is not one describes nothing.
    """
    node = as_iri(iri)
    if node is None:
        return []
    found = _triples(store, f"CONSTRUCT {{ {node} ?p ?o }} WHERE {{ {node} ?p ?o }}")
    seen = {iri}
    frontier = found
    while True:
        parts = sorted({t.object.value for t in frontier if isinstance(t.object, ox.NamedNode)
                        and t.object.value.startswith(iri + "#")} - seen)
        if not parts:
            break
        seen.update(parts)
        values = " ".join(str(ox.NamedNode(p)) for p in parts)
        frontier = _triples(store, f"CONSTRUCT {{ ?s ?p ?o }} WHERE {{ VALUES ?s {{ {values} }} ?s ?p ?o }}")
        found |= frontier
    found |= _triples(store, f"CONSTRUCT {{ ?s ?p {node} }} WHERE {{ ?s ?p {node} }} LIMIT {_MAX_INCOMING}")
    return sorted(found, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _labels(store, triples: list[ox.Triple]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    iris = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    iris |= {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris) if ">" not in i)
    q = f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{_LABEL}> ?l }}"
    return {row["x"].value: row["l"].value for row in store.query(q)}


def _cell(term: object, labels: dict[str, str], base: str) -> str:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        shown = labels.get(iri) or compact(iri)
        href = safe_href(iri, base)
        if href is None:  # javascript:, data:, ...: shown, never linked
            return f'<span class="iri">{escape(shown)}</span>'
        return f'<a href="{escape(href, quote=True)}">{escape(shown)}</a>'
    if isinstance(term, ox.Literal):
        lang = f' <small>@{escape(term.language)}</small>' if term.language else ""
        return f"{escape(term.value)}{lang}"
    return escape(str(term))


_TITLES = ("http://purl.org/dc/terms/title", "http://schema.org/text")


def _title(iri: str, triples: list[ox.Triple], labels: dict[str, str]) -> str:
    """The label; else the title or the words (a claim's), shortened; else the IRI."""
    if iri in labels:
        return labels[iri]
    for prop in _TITLES:
        for t in triples:
            if t.subject.value == iri and t.predicate.value == prop:
                text = " ".join(t.object.value.split())
                return text if len(text) <= 90 else text[:89].rstrip() + "…"
    return iri


def _page(iri: str, triples: list[ox.Triple], labels: dict[str, str], base: str, extra: str = "") -> str:
    title = _title(iri, triples, labels)
    own = [t for t in triples if t.subject.value == iri]
    parts = [t for t in triples if t.subject.value.startswith(iri + "#")]
    incoming = [t for t in triples if isinstance(t.object, ox.NamedNode) and t.object.value == iri]
    def rows(ts: list[ox.Triple], subject: bool = False) -> str:
        return "".join(
            "<tr>" + (f"<td>{_cell(t.subject, labels, base)}</td>" if subject else "")
            + f"<td>{_cell(t.predicate, labels, base)}</td><td>{_cell(t.object, labels, base)}</td></tr>"
            for t in ts
        )
    here = local_href(iri, base)
    formats = (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML"))
    links = " · ".join(f'<a href="{escape(here, quote=True)}.{fmt}">{name}</a>' for fmt, name in formats)
    alternates = tuple((_SUFFIXES["." + fmt], f"{here}.{fmt}") for fmt, _ in formats)
    return page(title, alternates=alternates, body=f"""<h1>{escape(title)}</h1><p class="iri"><code>{escape(iri)}</code></p>
<p class="formats">This resource as {links}</p>
{extra}<h2>Description</h2><table>{rows(own)}</table>
{"<h2>Parts</h2><table>" + rows(parts, subject=True) + "</table>" if parts else ""}
{"<h2>Links here</h2><table>" + rows(incoming, subject=True) + "</table>" if incoming else ""}""")


def _known(store, iri: str) -> bool:  # type: ignore[no-untyped-def]
    node = as_iri(iri)
    return node is not None and bool(store.query(f"ASK {{ {node} ?p ?o }}"))


_SLOTS: dict[int, threading.BoundedSemaphore] = {}
_SLOTS_LOCK = threading.Lock()


@contextmanager
def page_slot() -> Iterator[None]:
    """One of PAGE_CONCURRENCY places to make a resource's page in. Pages are made in the server's own
    threads, so many requests for heavy pages at once would hold every thread and lock out queries and
    everything else; past the bound, a page request waits PAGE_WAIT seconds at most, then gets a 503 with
    Retry-After."""
    limit = int(current_app.config["PAGE_CONCURRENCY"])
    if limit <= 0:
        yield
        return
    with _SLOTS_LOCK:
        slots = _SLOTS.setdefault(limit, threading.BoundedSemaphore(limit))
    if not slots.acquire(timeout=float(current_app.config["PAGE_WAIT"])):
        raise ApiError(503, f"every one of the {limit} places for making pages is busy (PAGE_CONCURRENCY); "
                            "try again shortly", retry_after=2)
    try:
        yield
    finally:
        slots.release()


@bp.route("/id/<kind>/<path:slug>", methods=["GET"])
def resource(kind: str, slug: str) -> Response:
    """The IRI of a thing (a person, a claim, a document of the archive) answers 303 See Other with the
    document about it in the negotiated format (``….html``, ``….ttl``, ...), as the W3C's Cool URIs note
    has it for slash IRIs; the documents, and ``?format=``, answer 200."""
    media = None
    for suffix, m in _SUFFIXES.items():
        if slug.endswith(suffix):
            slug, media = slug[: -len(suffix)], m
            break
    redirect = media is None
    fmt = request.args.get("format")
    if fmt:
        media, redirect = _SUFFIXES.get("." + fmt.lower().lstrip(".")), False
        if media is None:
            raise not_acceptable([s.lstrip(".") for s in _SUFFIXES])
    if media is None:
        media = negotiate(request.headers.get("Accept"), _OFFERS)
        if media is None:
            raise not_acceptable(_OFFERS)
    store = current_app.extensions["archivekg.store"]
    base = current_app.config.get("BASE_URI") or store.build_info()["base_uri"]
    iri = f"{base}id/{kind}/{slug}"
    if redirect:
        if not _known(store, iri):
            raise NotFound(f"nothing is known about {iri}")
        suffix = next(s for s, m in _SUFFIXES.items() if m == media)
        query = request.query_string.decode("latin-1")
        target = quote(request.path + suffix) + (f"?{query}" if query else "")
        resp = Response(f"See {target}\n", status=303, mimetype="text/plain")
        resp.headers["Location"] = target
        resp.headers["Vary"] = "Accept"
        return resp
    page = page_number(request.args.get("page")) if media == "text/html" else 1
    with page_slot():
        triples = describe(store, iri)
        if not any(t.subject.value == iri or t.subject.value.startswith(iri + "#") for t in triples):
            raise NotFound(f"nothing is known about {iri}")
        if kind == "mention":  # lean in the store, a whole Web Annotation here (server/annotation.py)
            target = next((t.object.value for t in triples if t.subject.value == iri
                           and t.predicate.value == "http://www.w3.org/ns/oa#hasTarget"), "")
            text = source_text(store.current_path(), base, target.partition("#")[0])
            if media == "application/ld+json" and wants_web_annotation(request.headers.get("Accept"),
                                                                         request.args.get("profile")):
                resp = Response(json.dumps(web_annotation(iri, triples, text), ensure_ascii=False, indent=1),
                                mimetype="application/ld+json")
                resp.headers["Content-Type"] = f'application/ld+json; profile="{WA_CONTEXT}"'
                resp.headers["Vary"] = "Accept"
                return resp
            triples = sorted({*triples, *derived_triples(iri, triples, text)},
                             key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))
        if media == "text/html":
            sections = SECTIONS.get(kind)
            extra = sections(store, iri, base, page) if sections else ""
            if kind == "mention":
                wa = escape(local_href(iri, base) + ".jsonld?profile=anno", quote=True)
                extra += f'<p class="formats">This mention as a <a href="{wa}">W3C Web Annotation</a> (JSON-LD)</p>'

            resp = Response(_page(iri, triples, _labels(store, triples), base, extra), mimetype="text/html")
        else:
            resp = Response(serialize_graph(triples, media, PREFIXES), mimetype=media)
    resp.headers["Vary"] = "Accept"
    resp.headers["Link"] = f'<{quote(iri, safe=_URI_SAFE)}>; rel="describes"'  # RFC 6892: what this document is about
    return resp
