"""converter.rdf_io: the N-Quads the converter writes itself are the lines pyoxigraph writes."""

from __future__ import annotations

import pyoxigraph as ox
from rdflib import BNode, Literal, URIRef

from converter.rdf_io import nquads_term, sorted_nquads, sorted_statements, to_ox
from converter.terms import IRI, Lit

G = "https://example.org/graph/d"
S = IRI("https://example.org/id/s")
P = IRI("https://example.org/p")
XSD = "http://www.w3.org/2001/XMLSchema#"


def _by_pyoxigraph(triples: list[tuple]) -> bytes:
    g = ox.NamedNode(G)
    out = ox.serialize((ox.Quad(to_ox(s), to_ox(p), to_ox(o), g) for s, p, o in triples), format=ox.RdfFormat.N_QUADS)
    return b"".join(sorted(out.splitlines(keepends=True)))


def test_every_character_of_a_literal_is_written_as_pyoxigraph_writes_it():
    chars = [chr(c) for c in range(0x110000) if not 0xD800 <= c <= 0xDFFF]
    triples = [(S, P, Lit(f"a{c}b")) for c in chars]
    assert sorted_nquads(triples, G) == _by_pyoxigraph(triples)


def test_language_tags_datatypes_and_other_terms_are_written_as_pyoxigraph_writes_them():
    triples = [
        (S, P, Lit("Москва", lang="ru")),
        (S, P, Lit("x", lang="en-GB")),
        (S, P, Lit("3", XSD + "integer")),
        (S, P, Lit("plain", XSD + "string")),
        (S, P, Lit('quote " and \\ back\nslash')),
        (S, P, Lit("")),
        (S, P, IRI("https://example.org/id/place/z%C3%BCrich")),
        (URIRef("https://example.org/id/rdflib"), P, Literal("typed", datatype=URIRef(XSD + "date"))),
        (BNode("b0"), P, Literal("tagged", lang="de")),
        (S, URIRef("https://example.org/q"), Literal("simple")),
        (S, P, Lit("3", XSD + "integer")),  # a duplicate stays, as pyoxigraph writes it twice
        (S, P, Lit("abc")), (S, P, Lit("abc", lang="en")), (S, P, Lit("abc", XSD + "token")),  # one starts the others
        (S, P, Lit("abc d")), (S, P, Lit("abc\u00e9")),
    ]
    assert sorted_nquads(triples, G) == _by_pyoxigraph(triples)
    assert nquads_term(Lit("x", lang="en-GB")) == '"x"@en-gb'


def test_lines_are_sorted_as_bytes():
    triples = [(S, P, Lit(t)) for t in ("z", "ä", "A", "日本", "\U0001F600", "~")]
    lines = sorted_nquads(triples, G).splitlines()
    assert lines == sorted(lines) and len(lines) == 6


def test_n_triples_and_n_quads_have_the_same_statements_in_the_same_order():
    triples = [(S, P, Lit(t)) for t in ("abc", "abc d", "ab", "z")] + [(S, P, Lit("abc", lang="en")), (S, P, Lit("abc", XSD + "int")),
                                                                   (S, IRI(str(P) + "x"), IRI("https://example.org/o"))]
    nt, nq = sorted_statements(triples, G)
    g = ox.NamedNode(G)
    assert [q.triple for q in ox.parse(nq, format=ox.RdfFormat.N_QUADS)] == [q.triple for q in ox.parse(nt, format=ox.RdfFormat.N_TRIPLES)]
    assert nq == _by_pyoxigraph(triples) and all(q.graph_name == g for q in ox.parse(nq, format=ox.RdfFormat.N_QUADS))
    assert sorted_statements([], G) == (b"", b"")
