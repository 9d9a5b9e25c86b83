"""Vocabulary namespaces and the prefix table used in every serialisation (leaf module)."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCTERMS, FOAF, OWL, PROV, RDF, RDFS, SKOS, XSD

__all__ = [
    "AKG", "Terms", "DCAT", "DCMITYPE", "DCTERMS", "FOAF", "LEXVO", "OA", "OWL", "PREFIXES", "PROV", "RDF",
    "RDFS", "RICO", "SCHEMA", "SEM", "SKOS", "SPDX", "VOID", "WD", "XSD",
]

AKG = Namespace("https://w3id.org/archivekg/ontology#")
DCMITYPE = Namespace("http://purl.org/dc/dcmitype/")
SCHEMA = Namespace("http://schema.org/")
OA = Namespace("http://www.w3.org/ns/oa#")
RICO = Namespace("https://www.ica.org/standards/RiC/ontology#")
SEM = Namespace("http://semanticweb.cs.vu.nl/2009/11/sem/")
VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
WD = Namespace("http://www.wikidata.org/entity/")
LEXVO = Namespace("http://lexvo.org/id/iso639-3/")

# Vocabulary prefixes, in the order they are written; data prefixes are added per base URI.
PREFIXES: dict[str, str] = {
    "akg": str(AKG),
    "dcterms": str(DCTERMS),
    "dcmitype": str(DCMITYPE),
    "schema": str(SCHEMA),
    "foaf": str(FOAF),
    "prov": str(PROV),
    "oa": str(OA),
    "skos": str(SKOS),
    "rdfs": str(RDFS),
    "rdf": str(RDF),
    "owl": str(OWL),
    "xsd": str(XSD),
    "rico": str(RICO),
    "sem": str(SEM),
    "void": str(VOID),
    "dcat": str(DCAT),
    "spdx": str(SPDX),
    "wd": str(WD),
    "lexvo": str(LEXVO),
}


class Terms:
    """A namespace whose terms are made once: ``Terms(AKG).span`` is a plain attribute after first use.

    rdflib's ``Namespace.__getattr__`` builds a new URIRef on every access, which is a
    large share of the time it takes to convert a document.
    """

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, name: str):  # type: ignore[no-untyped-def]
        if name.startswith("__"):
            raise AttributeError(name)
        term = self._namespace[name]
        setattr(self, name, term)
        return term
