"""What the server would otherwise scan the store for, found once by the build and published with the release.

``vocabulary.json`` holds the classes and properties the graph uses, which the query editor completes
(``/sparql/vocabulary``). Asking the store for them takes two ``DISTINCT`` scans of every triple: 83 s at
16,000 documents (60 million triples), on every server start and every publication. Here they are found in
milliseconds instead: every IRI the ontology and the SHACL shapes name (every document graph is validated
against shapes that are closed for 21 of its 23 node kinds, so they name each property a document may
have), and every term of the entities graph and of a sample of document graphs, is a candidate; one index
lookup each keeps those the store holds as a property (``?s <p> ?o``) or as a class (``?s a <c>``). What
is kept is exactly what the store holds among the candidates; ``tests/test_serving_index.py`` checks that
on the seed's build it is what the two ``DISTINCT`` queries answer.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox

__all__ = ["VOCABULARY", "candidate_terms", "read_vocabulary", "vocabulary", "write_serving_index"]

VOCABULARY = "vocabulary.json"
ROOT = Path(__file__).resolve().parent.parent
SOURCES = (ROOT / "ontology", ROOT / "shapes")  # where the terms a graph may use are named
SAMPLE_GRAPHS = 16  # document graphs whose every term is a candidate too, spread over the store
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")


def candidate_terms(sources: Iterable[Path] = SOURCES) -> set[str]:
    """Every IRI named in the Turtle files under SOURCES (the ontology and the shapes), in any position."""
    found: set[str] = set()
    for source in sources:
        for path in sorted(Path(source).glob("*.ttl")) if Path(source).is_dir() else [Path(source)]:
            for q in ox.parse(path=str(path), format=ox.RdfFormat.TURTLE):
                found.update(t.value for t in (q.subject, q.predicate, q.object) if isinstance(t, ox.NamedNode))
    return found


def _sample(store: ox.Store, most: int, graphs: Iterable[str] | None = None) -> list[ox.NamedNode]:
    """The entities graph and up to MOST other graphs, evenly spread over the graphs' names (GRAPHS, the
    store's named graphs when the caller knows them; else asked of the store)."""
    if graphs is not None:
        names = [ox.NamedNode(g) for g in sorted(graphs)]
    else:
        names = sorted((g for g in store.named_graphs() if isinstance(g, ox.NamedNode)), key=lambda g: g.value)
    entities = [g for g in names if g.value.endswith("/entities")]
    step = max(1, len(names) // most) if names else 1
    return entities + [g for g in names[::step][:most] if g not in entities]


def vocabulary(store: ox.Store, candidates: Iterable[str], sample: int = SAMPLE_GRAPHS,
               known: dict[str, set[str]] | None = None, graphs: Iterable[str] | None = None) -> dict[str, list[str]]:
    """The classes and properties (IRIs, sorted) of STORE among CANDIDATES and the terms of a sample of its
    graphs: one index lookup per term and role. ``known`` gives the terms (properties and classes) of some
    graphs by name, which are then not scanned (the build knows the entities graph's); ``graphs`` the names of
    the store's named graphs, if the caller knows them."""
    terms = set(candidates)
    for graph in _sample(store, sample, graphs):
        if known is not None and graph.value in known:
            terms |= known[graph.value]
            continue
        for query, var in ((f"SELECT DISTINCT ?t WHERE {{ GRAPH {graph} {{ ?s ?t ?o }} }}", "t"),
                           (f"SELECT DISTINCT ?t WHERE {{ GRAPH {graph} {{ ?s a ?t }} }}", "t")):
            terms.update(row[var].value for row in store.query(query) if isinstance(row[var], ox.NamedNode))

    def used(pattern: tuple) -> bool:
        return next(iter(store.quads_for_pattern(*pattern)), None) is not None

    nodes = [ox.NamedNode(t) for t in sorted(terms)]
    return {"classes": [n.value for n in nodes if used((None, _RDF_TYPE, n))],
            "properties": [n.value for n in nodes if used((None, n, None))]}


def write_serving_index(release: Path, sources: Iterable[Path] = SOURCES) -> None:
    """Write RELEASE/vocabulary.json from RELEASE/store (opened read-only): the build calls this once its store
    is loaded."""
    store = ox.Store.read_only(str(Path(release) / "store"))
    try:
        found = vocabulary(store, candidate_terms(sources))
    finally:
        del store
    (Path(release) / VOCABULARY).write_text(json.dumps(found, indent=0) + "\n", encoding="utf-8")


def read_vocabulary(release: Path) -> dict[str, list[str]] | None:
    """RELEASE's vocabulary.json, or None for a release made before it was written."""
    try:
        found = json.loads((Path(release) / VOCABULARY).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    return {"classes": list(found["classes"]), "properties": list(found["properties"])}
