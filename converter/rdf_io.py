"""RDF serialisation through pyoxigraph: rdflib graphs in, sorted, deterministic bytes out."""

from __future__ import annotations

from collections.abc import Iterable
from functools import lru_cache

import pyoxigraph as ox
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.term import Node

__all__ = ["to_ox", "sorted_quads", "nquads", "turtle_body", "turtle_header", "PREFIX_LINE"]

PREFIX_LINE = b"@prefix "


@lru_cache(maxsize=4096)
def _named(iri: str) -> ox.NamedNode:
    return ox.NamedNode(iri)


def to_ox(term: Node) -> ox.NamedNode | ox.Literal | ox.BlankNode:
    if isinstance(term, URIRef):
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


def sorted_quads(triples: Graph | Iterable[tuple[Node, Node, Node]], graph_iri: str) -> list[ox.Quad]:
    """The triples as quads in ``graph_iri``, in a canonical order (by their N-Triples forms)."""
    g = ox.NamedNode(graph_iri)
    ordered = sorted(triples, key=lambda t: (t[0].n3(), t[1].n3(), t[2].n3()))
    return [ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in ordered]  # type: ignore[arg-type]


def nquads(quads: Iterable[ox.Quad]) -> bytes:
    return ox.serialize(quads, format=ox.RdfFormat.N_QUADS)


def turtle_header(prefixes: dict[str, str]) -> bytes:
    """The ``@prefix`` block every Turtle file of one build starts with."""
    probe = ox.Triple(ox.NamedNode("urn:x:s"), ox.NamedNode("urn:x:p"), ox.NamedNode("urn:x:o"))
    out = ox.serialize([probe], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    return b"".join(line for line in out.splitlines(keepends=True) if line.startswith(PREFIX_LINE))


def turtle_body(quads: Iterable[ox.Quad], prefixes: dict[str, str]) -> bytes:
    """Turtle statements of the quads' triples, without the prefix block."""
    out = ox.serialize([q.triple for q in quads], format=ox.RdfFormat.TURTLE, prefixes=prefixes)
    lines = out.splitlines(keepends=True)
    i = 0
    while i < len(lines) and lines[i].startswith(PREFIX_LINE):
        i += 1
    return b"".join(lines[i:])
