"""The OWL ontology (ontology/archivekg.ttl).

It must parse with both RDF libraries the project uses, describe and align every
term it declares, declare each term with one kind only, and declare every ``akg:``
term the converter writes — both those in the seed document's graph and those any
code path of the converter (or server) names as ``AKG.<name>``.
"""

from __future__ import annotations

import re
from functools import cache
from pathlib import Path

import pyoxigraph
import pytest
from rdflib import BNode, Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import DCTERMS, OWL, PROV, RDF, RDFS, XSD

from converter.namespaces import AKG, DCMITYPE, OA, RICO, SCHEMA, SEM

ROOT = Path(__file__).resolve().parents[1]
ONTOLOGY = ROOT / "ontology" / "archivekg.ttl"
ONTOLOGY_IRI = URIRef("https://w3id.org/archivekg/ontology")
SEED = ROOT / "seeds" / "documents" / "000_a7f71ba93af0ba45.txt"
CODE_DIRS = (ROOT / "converter", ROOT / "server")

# The kinds a term can be declared as; a term must have exactly one of them.
KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual, RDFS.Datatype)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty)
# Ranges a datatype property may have.
DATATYPE_NAMESPACES = (str(XSD),)
DATATYPE_EXTRA = {RDFS.Literal, RDF.langString, RDF.PlainLiteral}
# Value spaces that include others (for checking literals against a declared range).
DATATYPE_INCLUDES = {
    XSD.decimal: {XSD.decimal, XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.long, XSD.int},
    XSD.integer: {XSD.integer, XSD.nonNegativeInteger, XSD.positiveInteger, XSD.long, XSD.int},
    XSD.double: {XSD.double},
}

# ---------------------------------------------------------------- helpers


@cache
def ontology() -> Graph:
    return Graph().parse(ONTOLOGY, format="turtle")


def _ontology_or_empty() -> Graph:
    """For building parameter lists at collection time: a parse error is reported by the parse tests."""
    try:
        return ontology()
    except Exception:  # noqa: BLE001 - reported by test_parses
        return Graph()


def _akg(node: object) -> bool:
    return isinstance(node, URIRef) and str(node).startswith(str(AKG))


def _local(iri: URIRef) -> str:
    return str(iri)[len(str(AKG)) :]


def declared(g: Graph, kind: URIRef | None = None) -> list[URIRef]:
    kinds = (kind,) if kind is not None else KINDS
    return sorted({s for k in kinds for s in g.subjects(RDF.type, k) if _akg(s)})  # type: ignore[misc]


def members(g: Graph, cls: object) -> set[object]:
    """The named classes a class expression stands for: itself, or the members of its owl:unionOf."""
    if isinstance(cls, BNode):
        union = g.value(cls, OWL.unionOf)
        if union is None:
            return {cls}
        out: set[object] = set()
        for m in Collection(g, union):
            out |= members(g, m)
        return out
    return {cls}


def superclasses(g: Graph, cls: object) -> set[object]:
    """``cls`` and every named class it is (transitively) a subclass or equivalent of."""
    seen: set[object] = set()
    todo = [cls]
    while todo:
        c = todo.pop()
        if c in seen:
            continue
        seen.add(c)
        for p in (RDFS.subClassOf, OWL.equivalentClass):
            todo.extend(o for o in g.objects(c, p) if isinstance(o, URIRef))  # type: ignore[arg-type]
        todo.extend(s for s in g.subjects(OWL.equivalentClass, c) if isinstance(s, URIRef))  # type: ignore[arg-type]
    return seen


def akg_iris_anywhere(g: Graph) -> set[URIRef]:
    return {n for t in g for n in t if _akg(n)}  # type: ignore[misc]


@cache
def seed_graph() -> Graph:
    from converter.authority import load_authority
    from converter.pipeline import build_document
    from converter.to_rdf import SourceInfo
    from converter.uris import Minter

    text = SEED.read_text(encoding="utf-8")
    built = build_document(
        text,
        SourceInfo(SEED.name, "0" * 64, len(text.encode()), len(text)),
        authority=load_authority(ROOT / "seeds" / "authority"),
        minter=Minter("https://example.org/"),
    )
    return built.graph


def seed_terms() -> set[URIRef]:
    g = seed_graph()
    used = {p for p in g.predicates() if _akg(p)}
    used |= {o for o in g.objects(None, RDF.type) if _akg(o)}
    return used  # type: ignore[return-value]


_CODE_TERM = re.compile(r"\bAKG\.([A-Za-z_]\w*)|\bAKG\[\s*['\"]([^'\"]+)['\"]\s*\]")


def code_terms() -> dict[str, list[str]]:
    """``AKG.<name>`` (and ``AKG["name"]``) in the Python source: name -> files using it."""
    found: dict[str, list[str]] = {}
    for d in CODE_DIRS:
        if not d.is_dir():
            continue
        for path in sorted(d.rglob("*.py")):
            for m in _CODE_TERM.finditer(path.read_text(encoding="utf-8")):
                name = m.group(1) or m.group(2)
                found.setdefault(name, []).append(str(path.relative_to(ROOT)))
    return found


_G = _ontology_or_empty()
CLASSES = declared(_G, OWL.Class)
OBJECT_PROPERTIES = declared(_G, OWL.ObjectProperty)
DATATYPE_PROPERTIES = declared(_G, OWL.DatatypeProperty)
PROPERTIES = sorted({*OBJECT_PROPERTIES, *DATATYPE_PROPERTIES})
INDIVIDUALS = declared(_G, OWL.NamedIndividual)
TERMS = declared(_G)


def _ids(values: list[URIRef]) -> list[str]:
    return [_local(v) for v in values]


# ---------------------------------------------------------------- 1. it parses


def test_parses_with_rdflib() -> None:
    g = Graph().parse(ONTOLOGY, format="turtle")
    assert len(g) > 0


def test_parses_with_pyoxigraph() -> None:
    quads = list(pyoxigraph.parse(path=str(ONTOLOGY), format=pyoxigraph.RdfFormat.TURTLE))
    assert quads


def test_both_parsers_read_the_same_triples() -> None:
    """Same count and the same ground (blank-node-free) triples from both libraries."""
    ox = list(pyoxigraph.parse(path=str(ONTOLOGY), format=pyoxigraph.RdfFormat.TURTLE))
    g = ontology()
    assert len(ox) == len(g)

    def ground_ox(t: object) -> str | None:
        parts = (t.subject, t.predicate, t.object)  # type: ignore[attr-defined]
        if any(isinstance(x, pyoxigraph.BlankNode) for x in parts):
            return None
        return " ".join(str(x) for x in parts)

    def ground_rdflib(t: tuple) -> str | None:
        if any(isinstance(x, BNode) for x in t):
            return None
        return " ".join(x.n3() for x in t)

    assert {k for k in map(ground_ox, ox) if k} == {k for k in map(ground_rdflib, g) if k}


def test_ontology_header() -> None:
    g = ontology()
    assert (ONTOLOGY_IRI, RDF.type, OWL.Ontology) in g
    assert g.value(ONTOLOGY_IRI, DCTERMS.title) is not None
    assert g.value(ONTOLOGY_IRI, DCTERMS.description) is not None
    assert str(g.value(ONTOLOGY_IRI, OWL.versionInfo)) == "0.1.0"
    assert g.value(ONTOLOGY_IRI, DCTERMS.license) == URIRef("https://creativecommons.org/licenses/by/4.0/")
    assert str(g.value(ONTOLOGY_IRI, DCTERMS.creator)) == "archivekg"


# ---------------------------------------------------------------- 2. every term described and aligned


def _one_english(g: Graph, term: URIRef, prop: URIRef) -> Literal:
    values = list(g.objects(term, prop))
    english = [v for v in values if isinstance(v, Literal) and v.language == "en"]
    assert len(english) == 1, f"{_local(term)}: want one {prop.n3(g.namespace_manager)}@en, got {values}"
    return english[0]


@pytest.mark.parametrize("term", TERMS, ids=_ids(TERMS))
def test_term_has_label_and_comment(term: URIRef) -> None:
    g = ontology()
    label = str(_one_english(g, term, RDFS.label))
    comment = str(_one_english(g, term, RDFS.comment))
    assert label.strip() and label == label.strip()
    # A real sentence, not a restatement of the label.
    assert comment.rstrip().endswith("."), f"{_local(term)}: comment is not a sentence: {comment!r}"
    assert len(comment.split()) >= 6, f"{_local(term)}: comment too short: {comment!r}"
    assert comment.casefold().strip(" .") != label.casefold()
    assert g.value(term, RDFS.isDefinedBy) == ONTOLOGY_IRI


@pytest.mark.parametrize("prop", PROPERTIES, ids=_ids(PROPERTIES))
def test_property_has_domain_and_range(prop: URIRef) -> None:
    g = ontology()
    domains = list(g.objects(prop, RDFS.domain))
    ranges = list(g.objects(prop, RDFS.range))
    assert len(domains) == 1, f"{_local(prop)}: want one rdfs:domain, got {domains}"
    assert len(ranges) == 1, f"{_local(prop)}: want one rdfs:range, got {ranges}"
    for cls in members(g, domains[0]):
        assert isinstance(cls, URIRef), f"{_local(prop)}: domain has an anonymous member"


def _is_datatype(node: object) -> bool:
    return isinstance(node, URIRef) and (str(node).startswith(DATATYPE_NAMESPACES) or node in DATATYPE_EXTRA)


@pytest.mark.parametrize("prop", DATATYPE_PROPERTIES, ids=_ids(DATATYPE_PROPERTIES))
def test_datatype_property_range_is_a_datatype(prop: URIRef) -> None:
    rng = ontology().value(prop, RDFS.range)
    assert _is_datatype(rng), f"{_local(prop)}: range {rng} is not an XSD/RDF datatype"


@pytest.mark.parametrize("prop", OBJECT_PROPERTIES, ids=_ids(OBJECT_PROPERTIES))
def test_object_property_range_is_a_class(prop: URIRef) -> None:
    g = ontology()
    for cls in members(g, g.value(prop, RDFS.range)):
        assert not _is_datatype(cls), f"{_local(prop)}: object property with datatype range {cls}"


@pytest.mark.parametrize("cls", CLASSES, ids=_ids(CLASSES))
def test_class_is_aligned_to_an_external_vocabulary(cls: URIRef) -> None:
    """Directly, or through an akg superclass that is (rdfs:subClassOf / owl:equivalentClass)."""
    external = {c for c in superclasses(ontology(), cls) if not _akg(c) and c != OWL.Thing}
    assert external, f"{_local(cls)} is not aligned to any external class, even transitively"


def test_every_akg_iri_mentioned_is_declared() -> None:
    """Catches typos in union lists, domains, ranges and alignments."""
    g = ontology()
    undeclared = sorted(_local(t) for t in akg_iris_anywhere(g) - set(declared(g)))
    assert not undeclared, f"akg terms used in the ontology but not declared: {undeclared}"


@pytest.mark.parametrize("individual", INDIVIDUALS, ids=_ids(INDIVIDUALS))
def test_individual_belongs_to_an_akg_class(individual: URIRef) -> None:
    g = ontology()
    assert any(_akg(t) and (t, RDF.type, OWL.Class) in g for t in g.objects(individual, RDF.type))


# The alignments the design names, checked one by one.
REQUIRED_AXIOMS = [
    (AKG.Conversation, RDFS.subClassOf, SEM.Event),
    (AKG.Conversation, RDFS.subClassOf, SCHEMA.Event),
    (AKG.Conversation, RDFS.subClassOf, PROV.Activity),
    (AKG.Utterance, RDFS.subClassOf, SCHEMA.Message),
    (AKG.Document, RDFS.subClassOf, DCMITYPE.Text),
    (AKG.Document, RDFS.subClassOf, RICO.Record),
    (AKG.Claim, RDFS.subClassOf, SCHEMA.Claim),
    (AKG.Claim, RDFS.subClassOf, PROV.Entity),
    (AKG.Mention, RDFS.subClassOf, OA.Annotation),
    (AKG.SourceFile, RDFS.subClassOf, PROV.Entity),
    (AKG.StageDirection, RDFS.subClassOf, AKG.TextMarker),
    (AKG.EditorialInsertion, RDFS.subClassOf, AKG.TextMarker),
    (AKG.DamagedText, RDFS.subClassOf, AKG.TextMarker),
    (AKG.IllegibleText, RDFS.subClassOf, AKG.TextMarker),
    (AKG.recordedIn, OWL.inverseOf, AKG.records),
    (AKG.span, RDFS.range, RDFS.Resource),  # an RFC 5147 fragment IRI (…#char=START,END), no class
    (AKG.hasMarker, RDFS.range, AKG.TextMarker),
    (AKG.earliestDate, RDFS.range, RDFS.Literal),
    (AKG.latestDate, RDFS.range, RDFS.Literal),
    (AKG.Asserted, RDF.type, AKG.Polarity),
    (AKG.Denied, RDF.type, AKG.Polarity),
    # Issue 11: roles, credits, editorial notes, reported speech.
    (AKG.Role, RDFS.subClassOf, PROV.Role),
    (AKG.Interpreter, RDF.type, PROV.Role),
    (AKG.Translator, RDF.type, PROV.Role),
    (AKG.Notetaker, RDF.type, PROV.Role),
    (AKG.Recorder, RDF.type, PROV.Role),
    (AKG.Translator, RDF.type, AKG.Role),
    (AKG.EditorialNote, RDFS.subClassOf, PROV.Entity),
    (AKG.hasEditorialNote, RDFS.range, AKG.EditorialNote),
    (AKG.hasEditorialNote, RDFS.subPropertyOf, DCTERMS.hasPart),
    (AKG.DirectSpeech, RDF.type, AKG.SpeechMode),
    (AKG.ReportedSpeech, RDF.type, AKG.SpeechMode),
    (AKG.speechMode, RDFS.range, AKG.SpeechMode),
    (AKG.reportedSpeaker, RDFS.domain, AKG.Paragraph),
    (AKG.timeText, RDFS.domain, AKG.Conversation),
]


@pytest.mark.parametrize(
    "triple", REQUIRED_AXIOMS, ids=[f"{_local(s)}-{p.split('#')[-1]}-{o.split('/')[-1]}" for s, p, o in REQUIRED_AXIOMS]
)
def test_required_axiom(triple: tuple[URIRef, URIRef, URIRef]) -> None:
    assert triple in ontology()


# Domains of the external properties akg properties specialise (from PROV-O and RiC-O):
# a subproperty is only sound if its domain fits inside the superproperty's.
EXTERNAL_DOMAINS = {
    PROV.wasAttributedTo: {PROV.Entity},
    PROV.qualifiedAssociation: {PROV.Activity},
    PROV.agent: {PROV.AgentInfluence, PROV.Association},
    RICO.documents: {RICO.RecordResource, RICO.Record, RICO.Instantiation},
    RICO.documentedBy: {RICO.Activity},
}
_SUBPROPS = sorted((p, q) for p in PROPERTIES for q in _G.objects(p, RDFS.subPropertyOf) if q in EXTERNAL_DOMAINS)


@pytest.mark.parametrize("prop,parent", _SUBPROPS, ids=[f"{_local(p)}<{q.split('#')[-1]}" for p, q in _SUBPROPS])
def test_subproperty_domain_fits_the_parent(prop: URIRef, parent: URIRef) -> None:
    g = ontology()
    for cls in members(g, g.value(prop, RDFS.domain)):
        assert superclasses(g, cls) & EXTERNAL_DOMAINS[parent], (
            f"{_local(prop)} ⊑ {parent}: its domain {cls} is not a subclass of {EXTERNAL_DOMAINS[parent]}"
        )


# ---------------------------------------------------------------- 3. every term the converter uses is declared

# Terms of the next issue (claims and mentions), declared ahead of the code that uses them.
PLANNED = [
    ("Claim", OWL.Class),
    ("Mention", OWL.Class),
    ("Quantity", OWL.Class),
    ("Polarity", OWL.Class),
    ("ReferredEvent", OWL.Class),
    ("Place", OWL.Class),
    ("Organization", OWL.Class),
    ("TextMarker", OWL.Class),
    ("Asserted", OWL.NamedIndividual),
    ("Denied", OWL.NamedIndividual),
    ("reportedSource", OWL.ObjectProperty),
    ("polarity", OWL.ObjectProperty),
    ("statesQuantity", OWL.ObjectProperty),
    ("mentions", OWL.ObjectProperty),
    ("modality", OWL.DatatypeProperty),
    ("minValue", OWL.DatatypeProperty),
    ("maxValue", OWL.DatatypeProperty),
    ("unitLabel", OWL.DatatypeProperty),
    ("linkedBy", OWL.DatatypeProperty),
    ("confidence", OWL.DatatypeProperty),
]


@pytest.mark.parametrize("name,kind", PLANNED, ids=[n for n, _ in PLANNED])
def test_planned_term_is_declared(name: str, kind: URIRef) -> None:
    assert (AKG[name], RDF.type, kind) in ontology()


def test_seed_graph_terms_are_declared() -> None:
    used = seed_terms()
    assert AKG.Utterance in used and AKG.spokenBy in used  # the build really ran
    missing = sorted(_local(t) for t in used - set(declared(ontology())))
    assert not missing, f"akg terms in the seed's graph but not in the ontology: {missing}"


def test_seed_graph_terms_have_the_right_kind() -> None:
    """rdf:type objects are classes; predicates with literal objects are datatype properties, else object properties."""
    g, onto = seed_graph(), ontology()
    wrong = []
    for cls in {o for o in g.objects(None, RDF.type) if _akg(o)}:
        if (cls, RDF.type, OWL.Class) not in onto:
            wrong.append(f"{_local(cls)} is used as a class")
    for p in {p for p in g.predicates() if _akg(p)}:
        literal = {isinstance(o, Literal) for o in g.objects(None, p)}
        want = OWL.DatatypeProperty if literal == {True} else OWL.ObjectProperty
        if literal == {True, False} or (p, RDF.type, want) not in onto:
            wrong.append(f"{_local(p)} should be a {want.split('#')[-1]}")
    assert not wrong, wrong


def test_code_terms_are_declared() -> None:
    found = code_terms()
    assert "Utterance" in found and "spokenBy" in found, "the AKG.<name> scan found nothing: is the regex broken?"
    onto = ontology()
    missing = sorted(f"{name} ({', '.join(sorted(set(files)))})" for name, files in found.items()
                     if not any((AKG[name], RDF.type, k) in onto for k in KINDS))
    assert not missing, f"akg terms named in the code but not declared: {missing}"


def _seed_predicates() -> list[URIRef]:
    """The akg properties in the seed's graph that the ontology declares (undeclared ones fail above)."""
    try:
        used = seed_terms()
    except Exception:  # noqa: BLE001 - reported by test_seed_graph_terms_are_declared
        return []
    return sorted(p for p in used if any((p, RDF.type, k) in _G for k in PROPERTY_KINDS))


SEED_PREDICATES = _seed_predicates()


@pytest.mark.parametrize("prop", SEED_PREDICATES, ids=_ids(SEED_PREDICATES))
def test_seed_graph_fits_domain_and_range(prop: URIRef) -> None:
    """Each use of an akg property in the seed's graph has a subject of its domain and a value of its range.

    Objects without an rdf:type in the document graph (persons, languages: they are
    described in the entities graph) are not range-checked.
    """
    g, onto = seed_graph(), ontology()
    domain = members(onto, onto.value(prop, RDFS.domain))
    rng = onto.value(prop, RDFS.range)
    for s, o in g.subject_objects(prop):
        types = set(g.objects(s, RDF.type))
        assert any(superclasses(onto, t) & domain for t in types), f"{s} {_local(prop)}: subject types {types} not in domain"
        if isinstance(o, Literal):
            if rng == RDFS.Literal:
                continue
            if rng == RDF.langString:
                assert o.language, f"{s} {_local(prop)} {o!r}: want a language-tagged string"
            elif rng == XSD.string:
                assert o.language is None and o.datatype in (None, XSD.string), f"{s} {_local(prop)} {o!r}: want xsd:string"
            else:
                assert o.datatype in DATATYPE_INCLUDES.get(rng, {rng}), f"{s} {_local(prop)} {o!r}: want {rng}"
        else:
            otypes = set(g.objects(o, RDF.type))
            if otypes and rng != OWL.Thing:
                want = members(onto, rng)
                assert any(superclasses(onto, t) & want for t in otypes), f"{o}: types {otypes} not in range {want}"


# ---------------------------------------------------------------- 4. one declaration per term


@pytest.mark.parametrize("term", TERMS, ids=_ids(TERMS))
def test_term_has_one_kind(term: URIRef) -> None:
    kinds = [k for k in KINDS if (term, RDF.type, k) in ontology()]
    assert len(kinds) == 1, f"{_local(term)} is declared as {kinds}"


def test_no_property_is_both_object_and_datatype() -> None:
    both = set(OBJECT_PROPERTIES) & set(DATATYPE_PROPERTIES)
    assert not both, sorted(_local(t) for t in both)


def test_no_subject_block_is_written_twice() -> None:
    """A term declared twice in the file would be merged by the parser; catch it in the text."""
    text = ONTOLOGY.read_text(encoding="utf-8")
    heads = re.findall(r"^akg:(\w+)\s*$", text, flags=re.MULTILINE)
    dupes = sorted({h for h in heads if heads.count(h) > 1})
    assert heads and not dupes, f"terms declared in more than one block: {dupes}"
