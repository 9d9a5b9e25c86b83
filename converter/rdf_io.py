"""RDF serialisation through pyoxigraph: rdflib graphs in, sorted, deterministic bytes out."""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

from .terms import IRI, Lit

__all__ = ["from_ox", "graph_of", "to_ox", "to_rdflib", "to_rdflib_graph", "sorted_quads", "sorted_nquads", "sorted_statements", "nquads", "nquads_term", "turtle_body", "turtle_body_of_ntriples", "turtle_header",
           "PREFIX_LINE"]

PREFIX_LINE = b"@prefix "
_XSD_STRING = "http://www.w3.org/2001/XMLSchema#string"


@lru_cache(maxsize=4096)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: Node | IRI | Lit) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, Lit):
        if term.lang:
            return ox.Literal(term.lexical, language=term.lang)
        return ox.Literal(term.lexical, datatype=_named(term.datatype) if term.datatype else None)
    if isinstance(term, (IRI, URIRef)):
        return _named(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        if term.datatype is not None:
            return ox.Literal(str(term), datatype=_named(str(term.datatype)))
        return ox.Literal(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    raise TypeError(f"cannot convert {term!r}")


def to_rdflib(term: Node | IRI | Lit) -> Node:
    """The rdflib term of a converter term (``converter.terms``); an rdflib term stays as it is."""
    if isinstance(term, Lit):
        if term.lang:
            return Literal(term.lexical, lang=term.lang)
        return Literal(term.lexical, datatype=URIRef(term.datatype) if term.datatype else None)
    if isinstance(term, IRI):
        return URIRef(term)
    return term


def to_rdflib_graph(triples: Iterable[tuple]) -> Graph:
    """An rdflib graph of converter triples (for validation reports, tests and small graphs)."""
    graph = Graph()
    for s, p, o in triples:
        graph.add((to_rdflib(s), to_rdflib(p), to_rdflib(o)))
    return graph


def from_ox(triple: ox.Triple) -> tuple[Node, Node, Node]:
    """An rdflib triple of a pyoxigraph one."""
    def term(t: ox.NamedNode | ox.Literal | ox.BlankNode) -> Node:
        if isinstance(t, ox.NamedNode):
            return URIRef(t.value)
        if isinstance(t, ox.BlankNode):
            return BNode(t.value)
        if t.language:
            return Literal(t.value, lang=t.language)
        if t.datatype.value == _XSD_STRING:  # a simple literal, as rdflib makes it (sh:in compares them)
            return Literal(t.value)
        return Literal(t.value, datatype=URIRef(t.datatype.value))
    return term(triple.subject), term(triple.predicate), term(triple.object)  # type: ignore[arg-type]


def graph_of(data: bytes, fmt: str = "nquads") -> Graph:
    """An rdflib graph of the triples an N-Quads (or N-Triples) text holds, whatever their graph."""
    graph = Graph()
    form = ox.RdfFormat.N_QUADS if fmt == "nquads" else ox.RdfFormat.N_TRIPLES
    for q in ox.parse(data, format=form):
        graph.add(from_ox(q.triple if isinstance(q, ox.Quad) else q))
    return graph


def sorted_quads(triples: Graph | Iterable[tuple[Node, Node, Node]], graph_iri: str) -> list[ox.Quad]:
    """The triples as quads in ``graph_iri``, in a canonical order (by their N-Quads lines)."""
    g = ox.NamedNode(graph_iri)
    quads = [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples]  # type: ignore[arg-type]
    quads.sort(key=str)  # the N-Quads form, made by pyoxigraph: 5x faster than rdflib's n3() per term
    return quads


def sorted_nquads(triples: Iterable[tuple[Node, Node, Node]], graph_iri: str) -> bytes:
    """The triples as N-Quads in ``graph_iri``, one line each, sorted as bytes: the lines pyoxigraph writes."""
    return sorted_statements(triples, graph_iri)[1]


def sorted_statements(triples: Iterable[tuple[Node, Node, Node]], graph_iri: str) -> tuple[bytes, bytes]:
    """The triples as N-Triples and as N-Quads in ``graph_iri``, line for line, sorted as bytes.

    The converter's own terms (``IRI``, ``Lit``: nearly all of a document's) are written here, as
    pyoxigraph's serialiser writes them (``nquads_term``, checked against it for every character in
    ``tests/test_rdf_io.py``): half the time of making a pyoxigraph term of each. Other terms are
    written by pyoxigraph. Both texts have one order: the lines differ by the same graph term before
    the final " .", and a statement that is the start of another is followed there by "^^" or "@".
    """
    lines = [f"{nquads_term(s)} {nquads_term(p)} {nquads_term(o)}" for s, p, o in triples]
    lines.sort()  # code point order: the order of the UTF-8 bytes
    if not lines:
        return b"", b""
    tail = f" <{graph_iri}> .\n"
    return (" .\n".join(lines) + " .\n").encode("utf-8"), (tail.join(lines) + tail).encode("utf-8")


# What pyoxigraph escapes in a literal: controls, DEL, U+FFFE and U+FFFF as \uXXXX, some as in C
_ESCAPES = {c: f"\\u{c:04X}" for c in (*range(0x20), 0x7F, 0xFFFE, 0xFFFF)}
_ESCAPES.update({0x08: "\\b", 0x09: "\\t", 0x0A: "\\n", 0x0C: "\\f", 0x0D: "\\r", 0x22: '\\"', 0x5C: "\\\\"})
_TO_ESCAPE = re.compile("[\x00-\x1f\x7f\"\\\\\ufffe\uffff]")


def nquads_term(t: Node | IRI | Lit) -> str:
    """A term as pyoxigraph writes it in N-Triples and N-Quads."""
    if type(t) is IRI:
        return f"<{t}>"
    if type(t) is Lit:
        lex = t.lexical
        if _TO_ESCAPE.search(lex):
            lex = lex.translate(_ESCAPES)
        if t.lang:
            return f'"{lex}"@{t.lang.lower()}'
        if t.datatype and t.datatype != _XSD_STRING:
            return f'"{lex}"^^<{t.datatype}>'
        return f'"{lex}"'
    return str(to_ox(t))


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def turtle_header(prefixes: dict[str, str]) -> bytes:
    """The ``@prefix`` block every Turtle file of one build starts with."""
    probe = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    out = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return b"".join(line for line in out.splitlines(keepends=True) if line.startswith(PREFIX_LINE))


def turtle_body_of_ntriples(data: bytes, prefixes: dict[str, str]) -> bytes:
    """``turtle_body`` of an N-Triples text: the parser's triples go to the serialiser as they are."""
    return _without_prefixes(ox.serialize(ox.parse(data, format=ox.RdfFormat.N_TRIPLES), format=ox.RdfFormat.TURTLE,
                                          prefixes=prefixes))


def turtle_body(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """Turtle statements of the quads' triples, without the prefix block."""
    return _without_prefixes(ox.serialize((q.triple for q in quads), format=ox.RdfFormat.TURTLE, prefixes=prefixes))


def _without_prefixes(out: bytes) -> bytes:
    lines = out.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith(PREFIX_LINE):
        i += 1
    return b"".join(lines[i:])
