"""Linked Data: every {base}id/... IRI the build mints dereferences here, whatever host serves it.

``Accept`` (or a file suffix: .ttl, .nt, .jsonld, .rdf) decides between an HTML page
and RDF; responses carry ``Vary: Accept``; an unknown resource is a 404. The
description is the resource's outgoing triples, those of its parts (fragment IRIs
such as ``#span``), and its incoming links.
"""

from __future__ import annotations

from html import escape

import pyoxigraph as ox
from flask import Blueprint, Response, current_app, request
from werkzeug.exceptions import NotFound

from converter.namespaces import PREFIXES

from .errors import not_acceptable
from .executor import serialize_graph
from .negotiation import negotiate

__all__ = ["bp", "describe", "local_href"]

bp = Blueprint("resources", __name__)

_SUFFIXES = {".ttl": "text/turtle", ".nt": "application/n-triples", ".jsonld": "application/ld+json",
             ".rdf": "application/rdf+xml"}
_OFFERS = ["text/html", "text/turtle", "application/ld+json", "application/n-triples", "application/rdf+xml"]
_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"
_MAX_INCOMING = 500


def describe(store, iri: str) -> list[ox.Triple]:  # type: ignore[no-untyped-def]
    """Outgoing triples of the IRI and of its fragment parts, and incoming links (bounded)."""
    q = f"""CONSTRUCT {{ ?s ?p ?o }} WHERE {{
      {{ BIND(<{iri}> AS ?s) ?s ?p ?o }}
      UNION {{ ?s ?p ?o FILTER(STRSTARTS(STR(?s), "{iri}#")) }}
    }}"""
    incoming = f"CONSTRUCT {{ ?s ?p <{iri}> }} WHERE {{ ?s ?p <{iri}> }} LIMIT {_MAX_INCOMING}"
    out = list(store.query(q))
    return sorted({*out, *store.query(incoming)}, key=lambda t: (str(t.subject), str(t.predicate), str(t.object)))


def _labels(store, triples: list[ox.Triple]) -> dict[str, str]:  # type: ignore[no-untyped-def]
    iris = {t.object.value for t in triples if isinstance(t.object, ox.NamedNode)}
    iris |= {t.subject.value for t in triples if isinstance(t.subject, ox.NamedNode)}
    if not iris:
        return {}
    values = " ".join(f"<{i}>" for i in sorted(iris) if ">" not in i)
    q = f"SELECT ?x ?l WHERE {{ VALUES ?x {{ {values} }} ?x <{_LABEL}> ?l }}"
    return {row["x"].value: row["l"].value for row in store.query(q)}


def local_href(iri: str, base: str) -> str:
    """A link that stays on this server for IRIs under the base, whatever host serves it."""
    return iri[len(base) - 1 :] if base and iri.startswith(base) else iri


def _compact(iri: str) -> str:
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def _cell(term: object, labels: dict[str, str], base: str) -> str:
    if isinstance(term, ox.NamedNode):
        iri = term.value
        shown = labels.get(iri) or _compact(iri)
        href = local_href(iri, base)
        return f'<a href="{escape(href, quote=True)}">{escape(shown)}</a>'
    if isinstance(term, ox.Literal):
        lang = f' <small>@{escape(term.language)}</small>' if term.language else ""
        return f"{escape(term.value)}{lang}"
    return escape(str(term))


def _transcript(store, doc_iri: str, base: str) -> str:  # type: ignore[no-untyped-def]
    """A document's turns (or paragraphs), in order, each speaker named, mentions linked, claims marked."""
    akg, oa = "https://w3id.org/archivekg/ontology#", "http://www.w3.org/ns/oa#"
    q = f"""SELECT ?b ?pos ?text ?speaker ?kind ?start WHERE {{
      ?b <http://purl.org/dc/terms/isPartOf> <{doc_iri}> ; <http://schema.org/position> ?pos ; <http://schema.org/text> ?text ;
         <{akg}span>/<{oa}hasSelector>/<{oa}start> ?start .
      OPTIONAL {{ ?b <{akg}spokenBy>/<{_LABEL}> ?speaker }}
      BIND(IF(BOUND(?speaker), "turn", "paragraph") AS ?kind)
    }} ORDER BY ?kind ?pos"""
    blocks = [(r["b"].value, r["kind"].value, r["speaker"].value if r["speaker"] else "", r["text"].value,
               int(r["start"].value)) for r in store.query(q)]
    if not blocks:
        return ""
    spans = f"""SELECT ?block ?what ?target ?start ?end WHERE {{
      {{ ?x a <{akg}Mention> ; <{akg}inText> ?block ; <{oa}hasBody> ?target . BIND("mention" AS ?what) }}
      UNION {{ ?x a <{akg}Claim> ; <http://schema.org/appearance> ?block . BIND(?x AS ?target) BIND("claim" AS ?what) }}
      ?block <http://purl.org/dc/terms/isPartOf> <{doc_iri}> .
      ?x <{akg}span>/<{oa}hasSelector> ?sel . ?sel <{oa}start> ?start ; <{oa}end> ?end .
    }}"""
    marks: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for r in store.query(spans):
        marks.setdefault(r["block"].value, {"mention": [], "claim": []})[r["what"].value].append(
            (int(r["start"].value), int(r["end"].value), r["target"].value))
    items = "".join(
        f'<p class="{kind}">' + (f"<strong>{escape(speaker)}:</strong> " if speaker else "")
        + _marked(text, start, marks.get(b, {}), base) + "</p>"
        for b, kind, speaker, text, start in blocks
    )
    return f'<h2>Text</h2><section id="transcript">{items}</section>'


def _marked(text: str, offset: int, marks: dict[str, list[tuple[int, int, str]]], base: str) -> str:
    """The text, escaped, with claims in <mark> and mentions as links inside them."""
    def linked(a: int, b: int) -> str:
        out, pos = [], a
        for s, e, target in sorted(m for m in marks.get("mention", []) if a <= m[0] - offset and m[1] - offset <= b):
            s, e = s - offset, e - offset
            if s < pos:
                continue  # overlapping mentions: the first wins
            out.append(escape(text[pos:s]))
            out.append(f'<a class="mention" href="{escape(local_href(target, base), quote=True)}">{escape(text[s:e])}</a>')
            pos = e
        out.append(escape(text[pos:b]))
        return "".join(out)

    out, pos = [], 0
    for s, e, claim in sorted(marks.get("claim", [])):
        s, e = s - offset, e - offset
        if s < pos or s < 0 or e > len(text):
            continue
        out.append(linked(pos, s))
        out.append(f'<mark class="claim" title="claim" data-claim="{escape(local_href(claim, base), quote=True)}">{linked(s, e)}</mark>')
        pos = e
    out.append(linked(pos, len(text)))
    return "".join(out)


PAGE_SIZE = 50


def _person_sections(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """A person's documents, utterances and claims (paged), and where they are mentioned."""
    akg, dct, schema = "https://w3id.org/archivekg/ontology#", "http://purl.org/dc/terms/", "http://schema.org/"

    def rows(q: str) -> list:
        return list(store.query(q))

    def link(term_iri: str, text: str) -> str:
        return f'<a href="{escape(local_href(term_iri, base), quote=True)}">{escape(text)}</a>'

    docs = rows(f"""SELECT DISTINCT ?d ?t ?date WHERE {{ ?c <{schema}attendee> <{iri}> ; <{akg}recordedIn> ?d .
        ?d <{dct}title> ?t OPTIONAL {{ ?d <{dct}date> ?date }} }} ORDER BY ?date ?t""")
    offset = (page - 1) * PAGE_SIZE
    utts = rows(f"""SELECT ?u ?text ?d ?t WHERE {{ ?u <{akg}spokenBy> <{iri}> ; <{schema}text> ?text ;
        <{dct}isPartOf> ?d ; <{schema}position> ?pos . ?d <{dct}title> ?t }}
        ORDER BY ?d ?pos LIMIT {PAGE_SIZE + 1} OFFSET {offset}""")
    claims = rows(f"""SELECT ?c ?text WHERE {{ ?c <http://www.w3.org/ns/prov#wasAttributedTo> <{iri}> ;
        <{schema}text> ?text }} ORDER BY ?c LIMIT {PAGE_SIZE + 1} OFFSET {offset}""")
    mentioned = rows(f"""SELECT DISTINCT ?d ?t WHERE {{ ?d a <{akg}Document> ; <{akg}mentions> <{iri}> ;
        <{dct}title> ?t }} ORDER BY ?t""")
    out = []
    if docs:
        out.append("<h2>Took part in</h2><ul>" + "".join(
            f"<li>{link(r['d'].value, r['t'].value)} {escape(r['date'].value) if r['date'] else ''}</li>" for r in docs)
            + "</ul>")
    if utts:
        out.append('<h2>Said</h2><ol id="utterances">' + "".join(
            f"<li>{escape(r['text'].value)} <small>({link(r['u'].value, 'turn')} in {link(r['d'].value, r['t'].value)})</small></li>"
            for r in utts[:PAGE_SIZE]) + "</ol>")
    if claims:
        out.append('<h2>Claims</h2><ul id="claims">' + "".join(
            f"<li>{link(r['c'].value, r['text'].value)}</li>" for r in claims[:PAGE_SIZE]) + "</ul>")
    if len(utts) > PAGE_SIZE or len(claims) > PAGE_SIZE or page > 1:
        nav = []
        if page > 1:
            nav.append(f'<a href="?page={page - 1}">previous</a>')
        if len(utts) > PAGE_SIZE or len(claims) > PAGE_SIZE:
            nav.append(f'<a href="?page={page + 1}">next</a>')
        out.append(f"<p>Page {page}. {' · '.join(nav)}</p>")
    if mentioned:
        out.append("<h2>Mentioned in</h2><ul>" + "".join(
            f"<li>{link(r['d'].value, r['t'].value)}</li>" for r in mentioned) + "</ul>")
    return "".join(out)


def _page(iri: str, triples: list[ox.Triple], labels: dict[str, str], base: str, extra: str = "") -> str:
    title = labels.get(iri, iri)
    own = [t for t in triples if t.subject.value == iri]
    parts = [t for t in triples if t.subject.value.startswith(iri + "#")]
    incoming = [t for t in triples if isinstance(t.object, ox.NamedNode) and t.object.value == iri]
    def rows(ts: list[ox.Triple], subject: bool = False) -> str:
        return "".join(
            "<tr>" + (f"<td>{_cell(t.subject, labels, base)}</td>" if subject else "")
            + f"<td>{_cell(t.predicate, labels, base)}</td><td>{_cell(t.object, labels, base)}</td></tr>"
            for t in ts
        )
    links = " · ".join(f'<a href="?format={fmt}">{name}</a>' for fmt, name in
                       (("ttl", "Turtle"), ("jsonld", "JSON-LD"), ("nt", "N-Triples"), ("rdf", "RDF/XML")))
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(title)} · archivekg</title></head>
<body><header><a href="/sparql">SPARQL</a></header>
<h1>{escape(title)}</h1><p><code>{escape(iri)}</code></p><p>This resource as {links}</p>
{extra}<h2>Description</h2><table>{rows(own)}</table>
{"<h2>Parts</h2><table>" + rows(parts, subject=True) + "</table>" if parts else ""}
{"<h2>Links here</h2><table>" + rows(incoming, subject=True) + "</table>" if incoming else ""}
</body></html>"""


@bp.route("/id/<kind>/<path:slug>", methods=["GET"])
def resource(kind: str, slug: str) -> Response:
    media = None
    for suffix, m in _SUFFIXES.items():
        if slug.endswith(suffix):
            slug, media = slug[: -len(suffix)], m
            break
    fmt = request.args.get("format")
    if fmt:
        media = _SUFFIXES.get("." + fmt.lower().lstrip("."))
    if media is None:
        media = negotiate(request.headers.get("Accept"), _OFFERS)
        if media is None:
            raise not_acceptable(_OFFERS)
    base = current_app.config.get("BASE_URI") or current_app.extensions["archivekg.store"].build_info()["base_uri"]
    iri = f"{base}id/{kind}/{slug}"
    store = current_app.extensions["archivekg.store"]
    triples = describe(store, iri)
    if not any(t.subject.value == iri or t.subject.value.startswith(iri + "#") for t in triples):
        raise NotFound(f"nothing is known about {iri}")
    if media == "text/html":
        try:
            page = max(1, int(request.args.get("page", "1")))
        except ValueError:
            page = 1
        extra = _transcript(store, iri, base) if kind == "document" else (
            _person_sections(store, iri, base, page) if kind == "person" else "")
        resp = Response(_page(iri, triples, _labels(store, triples), base, extra), mimetype="text/html")
    else:
        resp = Response(serialize_graph(triples, media, PREFIXES), mimetype=media)
    resp.headers["Vary"] = "Accept"
    return resp
