"""The VoID/DCAT description of the dataset, its graphs and its dumps, kept as one block a subject."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from ..namespaces import AKG, DCAT, PREFIXES, SPDX, VOID
from ..rdf_io import nquads, sorted_quads, turtle_body
from ..to_rdf import PUBLISHER
from ..uris import Minter

from .entities import subject_order
from .output import OutputError

if TYPE_CHECKING:
    from .release import Release

_MEDIA = "https://www.iana.org/assignments/media-types/"


def void_blocks(
    minter: Minter, rel: Release, per_doc: list[dict], dataset_time: str | None, prefixes: dict[str, str],
    before: dict[str, tuple[str, list[tuple[str, bytes, bytes]]]],
) -> tuple[bytes, bytes, dict[str, tuple[str, list[tuple[str, bytes, bytes]]]], bytes | None]:
    """The VoID description (``void_graph``) as N-Quads and Turtle statements, its per-graph blocks for the
    build state, and what of it to validate (None: all of it). A graph's description depends on its name,
    dump, size and checksum only: an unchanged one is taken from ``before``. The dataset and its
    distributions are made every time.

    With ``before`` (a rebuild), what is validated is what was made again: the distributions and the
    descriptions of the graphs that changed, with the dataset's ``void:subset`` links to them. The
    dataset itself, whose link to every graph costs the fast engine seconds at archive scale (3.6 s for
    16,000), is validated by full builds; its counts are the sums of the per-graph figures it links to."""
    head = sorted_quads(void_graph(minter, rel, [], dataset_time), minter.dataset())
    ds, subset, g = ox.NamedNode(minter.dataset()), ox.NamedNode(str(VOID.subset)), ox.NamedNode(minter.dataset())
    head += [ox.Quad(ds, subset, ox.NamedNode(minter.graph(d["name"])), g) for d in per_doc]
    head.sort(key=str)
    by_subject: dict[str, list[ox.Quad]] = {}
    for q in head:
        by_subject.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]
    blocks = {s: (nquads(qs), turtle_body(qs, prefixes)) for s, qs in by_subject.items()}
    kept: dict[str, tuple[str, list[tuple[str, bytes, bytes]]]] = {}
    made: list[bytes] = []  # what to validate in a rebuild
    if before:  # the distributions, and the dataset's links to them (which they must have)
        made += [nq for s, (nq, _ttl) in blocks.items() if s != ds.value]
        made.append(nquads([q for q in by_subject.get(ds.value, []) if q.predicate.value == str(DCAT.distribution)]))
    for d in per_doc:
        key = f"{d['path']}\0{d['triples']}\0{d['bytes']}\0{d['sha256']}"
        prev = before.get(d["name"])
        if prev is None or prev[0] != key:
            quads: dict[str, list[ox.Quad]] = {}
            for q in sorted_quads(_subset_triples(minter, d), minter.dataset()):
                quads.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]
            prev = (key, [(s, nquads(qs), turtle_body(qs, prefixes)) for s, qs in quads.items()])
            if before:
                made.append(nquads([ox.Quad(ds, subset, ox.NamedNode(minter.graph(d["name"])), g)]))
                made += [nq for _s, nq, _ttl in prev[1]]
        kept[d["name"]] = prev
        for s, nq, ttl in prev[1]:
            if s in blocks:
                raise OutputError(f"internal error: {s} is described twice in the VoID description")
            blocks[s] = (nq, ttl)
    order = sorted(blocks, key=subject_order)
    return (b"".join(blocks[s][0] for s in order), b"".join(blocks[s][1] for s in order), kept,
            b"".join(made) if before else None)


def _subset_triples(minter: Minter, d: dict) -> Graph:
    """The description of one named graph of the dataset (without the dataset's ``void:subset`` to it)."""
    g = Graph()
    graph_iri = URIRef(minter.graph(d["name"]))
    g.add((graph_iri, RDF.type, VOID.Dataset))
    g.add((graph_iri, VOID.triples, Literal(d["triples"])))
    g.add((graph_iri, VOID.dataDump, URIRef(f"{minter.base}{d['path']}")))
    g.add((graph_iri, DCAT.byteSize, Literal(d["bytes"], datatype=XSD.nonNegativeInteger)))
    _checksum(g, graph_iri, "dump-sha256", d["sha256"])
    return g


def void_graph(minter: Minter, rel: Release, per_doc: list[dict], dataset_time: str | None) -> Graph:
    g = Graph()
    ds = URIRef(minter.dataset())
    base = minter.base
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("archivekg: documents, speakers, events and claims", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "A knowledge graph of historical archive documents (transcripts of conversations, memoranda, "
        "telegrams, letters): who said what, when, to whom, with every statement anchored to its source text.",
        lang="en")))
    g.add((ds, DCTERMS.publisher, URIRef(minter.iri("organization", PUBLISHER[0]))))
    if dataset_time:
        g.add((ds, DCTERMS.modified, Literal(dataset_time, datatype=XSD.dateTime)))
    g.add((ds, VOID.triples, Literal(rel.triples)))
    g.add((ds, VOID.documents, Literal(rel.documents)))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, AKG.personCount, Literal(rel.persons)))
    g.add((ds, AKG.utteranceCount, Literal(rel.utterances)))
    for vocab in ("akg", "dcterms", "schema", "foaf", "prov", "oa", "skos", "rico"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[vocab])))
    for fname, d in sorted(rel.dumps.items()):
        url = URIRef(f"{base}{d['path']}")
        dist = URIRef(minter.dump(fname))
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        _distribution(g, dist, url, d["media_type"], d["bytes"], d["sha256"], d["triples"])
        g.add((dist, DCTERMS.title, Literal(f"The whole graph: {fname}", lang="en")))
    for d in per_doc:
        graph_iri = URIRef(minter.graph(d["name"]))
        url = URIRef(f"{base}{d['path']}")
        g.add((ds, VOID.subset, graph_iri))
        g.add((graph_iri, RDF.type, VOID.Dataset))
        g.add((graph_iri, VOID.triples, Literal(d["triples"])))
        g.add((graph_iri, VOID.dataDump, url))
        g.add((graph_iri, DCAT.byteSize, Literal(d["bytes"], datatype=XSD.nonNegativeInteger)))
        _checksum(g, graph_iri, "dump-sha256", d["sha256"])
    return g


def _checksum(g: Graph, owner: URIRef, fragment: str, sha: str) -> None:
    """``owner spdx:checksum <owner#fragment>``: its SHA-256, as DCAT 3 describes checksums."""
    checksum = URIRef(Minter.part(str(owner), fragment))
    g.add((owner, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha, datatype=XSD.hexBinary)))


def _distribution(g: Graph, dist: URIRef, url: URIRef, media: str, size: int, sha: str, triples: int) -> None:
    """A gzip-compressed dump as a dcat:Distribution with its size, triples and checksum."""
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, URIRef(_MEDIA + media)))
    g.add((dist, DCAT.compressFormat, URIRef(_MEDIA + "application/gzip")))
    g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    g.add((dist, VOID.triples, Literal(triples)))
    _checksum(g, dist, "sha256", sha)
    g.add((dist, RDFS.label, Literal(url.rsplit("/", 1)[-1])))
