"""Validation: SHACL shapes (pyshacl) per graph, plus cross-document checks (SPARQL).

``validate_graph(graph, shapes)`` is the facade: a :class:`Report` with every
result's severity, focus node, path, message and shape, and ``conforms`` true when
no result is a violation (warnings are reported but do not stop publication).
``locate`` adds the source file and line of each result from the spans in the
graph, so a curator can go to the text that caused it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import asdict, dataclass, field, replace
from functools import lru_cache
from pathlib import Path

from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SH

from .names import ROLE_WORDS, name_tokens
from .namespaces import AKG, OA
from .terms import IRI
from .uris import Minter

__all__ = [
    "PersonChecks", "ROLE_LABEL", "Report", "Result", "ReviewItem", "SAME_NAME", "SHAPES_DIR", "cross_document_checks",
    "load_shapes", "locate", "outward_references", "persons_of", "validate_graph", "validate_path",
]

SHAPES_DIR = Path(__file__).resolve().parent.parent / "shapes"
_SEVERITY = {SH.Violation: "Violation", SH.Warning: "Warning", SH.Info: "Info"}


@dataclass(frozen=True)
class Result:
    severity: str
    focus: str
    path: str | None
    message: str
    shape: str | None = None
    value: str | None = None
    source: str | None = None
    line: int | None = None

    def render(self) -> str:
        where = f"{self.source}:{self.line}: " if self.source and self.line else (f"{self.source}: " if self.source else "")
        path = f" {self.path}" if self.path else ""
        value = f" (value: {self.value})" if self.value is not None and len(self.value) < 120 else ""
        return f"{where}{self.severity}: {self.message} [{self.focus}{path}]{value}"


SAME_NAME = "same-name-persons"
ROLE_LABEL = "role-label"
NAME_SHARED = "name-in-several-documents"
_HOW = {
    NAME_SHARED: (
        "One name, written the same in several documents, with no row in the authority files: the documents "
        "share one person by that name. If they are different people (namesakes), give each its own row in "
        "seeds/authority/persons.csv with a label that tells them apart and the aliases its documents use, or "
        "name the person in a document's labels (\"Kim [Kim Il (1910-1984)]:\"). If they are one, add a row to "
        "make it curated and the item goes. See docs/review.md."
    ),
    SAME_NAME: (
        "They are kept apart, not merged: they may be namesakes. One person: keep one row in "
        "seeds/authority/persons.csv and put the other's names in its aliases. Different people: give each its "
        "own row, with its own id, a label that tells them apart (\"Kim Il (1910-1984)\") and an alias its "
        "documents use. Or say who it is in a document's labels: \"Zhou [Zhou Enlai]:\". See docs/review.md."
    ),
    ROLE_LABEL: (
        "A role, not a name: each document's speaker is its own person ({document id}-{role}), so nothing is "
        "merged and nothing needs doing. If you know who spoke, write the name into that document's labels, "
        "\"Translator [Li Yueran]:\". See docs/review.md."
    ),
}


@dataclass(frozen=True)
class ReviewItem:
    """Something real archives legitimately contain that a curator may want to look at.

    It never stops publication. ``documents`` are (document id, source file, person
    IRI): where each of the persons appears.
    """

    kind: str
    label: str
    persons: tuple[str, ...]
    documents: tuple[tuple[str, str, str], ...] = ()

    @property
    def how(self) -> str:
        return _HOW[self.kind]

    @property
    def sources(self) -> list[str]:
        return sorted({source for _id, source, _person in self.documents})

    def summary(self) -> str:
        if self.kind == NAME_SHARED:
            return f"{len({i for i, _s, _p in self.documents})} documents name an uncurated {self.label!r}"
        if self.kind == ROLE_LABEL:
            return f"{len(self.persons)} documents each have their own person labelled {self.label!r}"
        return f"{len(self.persons)} different persons are labelled {self.label!r}"

    def as_json(self) -> dict:
        return {"kind": self.kind, "label": self.label, "persons": list(self.persons), "how": self.how,
                "documents": [{"id": i, "source": s, "person": p} for i, s, p in self.documents]}


@dataclass
class Report:
    results: list[Result] = field(default_factory=list)
    review: list[ReviewItem] = field(default_factory=list)  # not results: nothing is wrong with them

    @property
    def violations(self) -> list[Result]:
        return [r for r in self.results if r.severity == "Violation"]

    @property
    def warnings(self) -> list[Result]:
        return [r for r in self.results if r.severity != "Violation"]

    @property
    def conforms(self) -> bool:
        return not self.violations

    def extend(self, other: Report) -> None:
        self.results.extend(other.results)
        self.review.extend(other.review)

    def with_source(self, source: str) -> Report:
        """The same results, each naming ``source`` as the file it comes from."""
        return Report([replace(r, source=source) for r in self.results], list(self.review))

    def text(self) -> str:
        head = "conforms" if self.conforms else f"does not conform: {len(self.violations)} violation(s)"
        lines = [f"{head}, {len(self.warnings)} warning(s), {len(self.review)} item(s) to review"]
        lines += [r.render() for r in sorted(self.results, key=_order)]
        lines += [f"to review: {item.summary()}, in {', '.join(item.sources) or 'no document'}" for item in self.review]
        return "\n".join(lines)

    def json(self) -> str:
        return json.dumps(
            {"conforms": self.conforms, "violations": len(self.violations), "warnings": len(self.warnings),
             "results": [asdict(r) for r in sorted(self.results, key=_order)],
             "review": [item.as_json() for item in self.review]},
            indent=1, ensure_ascii=False,
        )

    def turtle(self) -> str:
        """The report as a SHACL validation report graph."""
        g = Graph()
        g.bind("sh", SH)
        report = URIRef("urn:archivekg:validation-report")
        g.add((report, SH.conforms, Literal(self.conforms)))
        for i, r in enumerate(sorted(self.results, key=_order), start=1):
            node = URIRef(f"urn:archivekg:validation-report:{i}")
            g.add((report, SH.result, node))
            g.add((node, SH.resultSeverity, SH[r.severity]))
            g.add((node, SH.focusNode, URIRef(r.focus)))
            g.add((node, SH.resultMessage, Literal(r.message)))
            if r.path:
                g.add((node, SH.resultPath, URIRef(r.path)))
            if r.shape and not r.shape.startswith("_:"):
                g.add((node, SH.sourceShape, URIRef(r.shape)))
        return g.serialize(format="turtle")


def _order(r: Result) -> tuple:
    return (r.severity != "Violation", r.source or "", r.line or 0, r.focus, r.path or "", r.message)


@lru_cache(maxsize=4)
def _shapes_cached(directory: str) -> Graph:
    g = Graph()
    files = sorted(Path(directory).glob("*.ttl"))
    if not files:
        raise FileNotFoundError(f"no SHACL shapes (*.ttl) in {directory}")
    for f in files:
        g.parse(f, format="turtle")
    return g


def shapes_digest(directory: Path | None = None) -> str:
    """A hash of the shape files and the validating software: a cached report is valid only under it."""
    import hashlib
    from importlib.metadata import version

    from . import __version__

    h = hashlib.sha256(f"archivekg {__version__} shacl {version('shacl')} pyshacl {version('pyshacl')}".encode())
    for f in sorted(Path(directory or SHAPES_DIR).glob("*.ttl")):
        h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def load_shapes(directory: Path | None = None) -> Graph:
    return _shapes_cached(str(directory or SHAPES_DIR))


_PARSED: dict[tuple, object] = {}


@contextmanager
def parse_each_sparql_query_once() -> Iterator[None]:
    """Let rdflib parse the text of each SPARQL constraint once, not once per focus node.

    pyshacl hands rdflib the query text for every focus node and rdflib parses it every
    time (10-30 ms a query: most of the time on a small graph). The parsed and
    translated query is what rdflib's own ``prepareQuery`` gives for reuse, so the
    results are the same; ``tests/test_shapes.py`` checks that they are.
    """
    from rdflib.plugins.sparql.parser import parseQuery
    from rdflib.plugins.sparql.processor import SPARQLProcessor, translateQuery

    original = SPARQLProcessor.query

    def query(self, strOrQuery, initBindings=None, initNs=None, base=None, DEBUG=False):  # type: ignore[no-untyped-def]  # noqa: N803
        if isinstance(strOrQuery, str):
            key = (strOrQuery, base, tuple(sorted((initNs or {}).items())))
            if key not in _PARSED:
                _PARSED[key] = translateQuery(parseQuery(strOrQuery), base, initNs)
            strOrQuery = _PARSED[key]
        return original(self, strOrQuery, initBindings, initNs, base, DEBUG)

    SPARQLProcessor.query = query  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = original  # type: ignore[method-assign]


# The validating engine. ``shacl`` (PyPI, Rust) reads N-Triples or N-Quads text and needs no rdflib
# graph: 40-60x faster than pyshacl with the same verdicts on tests/invalid/ (docs/decisions.md).
# pyshacl stays the reference: tests/test_validate_engines.py runs both side by side, and the one
# gap the fast engine is known to have (a malformed xsd:hexBinary under sh:datatype) is sent to it.
ENGINES = ("shacl", "pyshacl")
_COMPILED: dict[int, tuple[Graph, object]] = {}
_HEX_TYPE = '"^^<http://www.w3.org/2001/XMLSchema#hexBinary>'
_HEX = re.compile(r"(?:[0-9A-Fa-f]{2})*")


def _compiled(shapes: Graph):  # type: ignore[no-untyped-def]
    """The fast engine's compiled form of a shapes graph (compiled once per graph)."""
    import shacl

    got = _COMPILED.get(id(shapes))
    if got is None or got[0] is not shapes:
        got = (shapes, shacl.Shapes.from_text(shapes.serialize(format="nt"), format="ntriples"))
        _COMPILED[id(shapes)] = got
    return got[1]


def _term(nt: str | None) -> str | None:
    """An IRI or blank node label from its N-Triples form."""
    if nt is None:
        return None
    return nt[1:-1] if nt.startswith("<") and nt.endswith(">") else nt


def _simple_path(path: str | None) -> str | None:
    """The predicate of a one-predicate path; a compound path (inverse, sequence) is none, as pyshacl gives."""
    if path and path.startswith("<") and path.endswith(">") and path.count("<") == 1:
        return path[1:-1]
    return None


def has_malformed_hex(text: str) -> bool:
    """Whether an N-Triples/N-Quads text holds an xsd:hexBinary literal that is not hexadecimal pairs.

    Found by the datatype IRI, then the lexical form before it (a regular expression over the whole
    text cost 8 ms a document). An escaped quote inside the form makes it malformed here too, which
    only sends the graph to the reference engine.
    """
    at = text.find(_HEX_TYPE)
    while at != -1:
        opening = text.rfind('"', 0, at)  # at is the closing quote
        if opening == -1 or not _HEX.fullmatch(text, opening + 1, at):
            return True
        at = text.find(_HEX_TYPE, at + 1)
    return False


def validate_text(text: str, shapes: Graph | None = None, *, fmt: str = "nquads") -> Report:
    """Validate a graph given as N-Quads (or N-Triples, ``fmt="ntriples"``) text with the fast engine."""
    shapes = shapes if shapes is not None else load_shapes()
    if has_malformed_hex(text):  # the fast engine's known gap: let the reference engine judge this graph
        from .rdf_io import graph_of

        return validate_graph(graph_of(text.encode("utf-8"), fmt), shapes, engine="pyshacl")
    report = _compiled(shapes).validate_text(text, format=fmt, allow_warnings=True)
    out = Report()
    for r in report.results:
        messages = list(r.messages)
        shape = r.source_shape
        out.results.append(Result(
            severity=r.severity, focus=_term(r.focus_node) or "", path=_simple_path(r.path),
            message=sorted(messages)[0] if messages else f"{r.component} not satisfied",
            shape=_term(shape), value=r.value_plain if r.value is not None else None,
        ))
    return out


def validate_graph(data: Graph, shapes: Graph | None = None, *, engine: str = "shacl") -> Report:
    """Validate an rdflib graph: with the fast engine, or with pyshacl (``engine="pyshacl"``)."""
    if engine == "shacl":
        return validate_text(data.serialize(format="nt"), shapes, fmt="ntriples")
    if engine != "pyshacl":
        raise ValueError(f"unknown SHACL engine {engine!r}; use one of {', '.join(ENGINES)}")
    from pyshacl import validate

    shapes = shapes if shapes is not None else load_shapes()
    with parse_each_sparql_query_once():
        _conforms, results_graph, _text = validate(
            data, shacl_graph=shapes, inference="none", advanced=True, allow_warnings=True, abort_on_first=False,
        )
    out = Report()
    for node in results_graph.subjects(SH.resultSeverity, None):
        sev = _SEVERITY.get(results_graph.value(node, SH.resultSeverity), "Violation")
        focus = results_graph.value(node, SH.focusNode)
        path = results_graph.value(node, SH.resultPath)
        messages = sorted(str(m) for m in results_graph.objects(node, SH.resultMessage))
        shape = results_graph.value(node, SH.sourceShape)
        value = results_graph.value(node, SH.value)
        out.results.append(Result(
            severity=sev, focus=str(focus), path=str(path) if isinstance(path, URIRef) else None,
            message=messages[0] if messages else "constraint violated", shape=str(shape) if shape is not None else None,
            value=str(value) if value is not None else None,
        ))
    return out


def _start_of(graph: Graph, node: URIRef) -> int | None:
    """Offset in the source file where ``node`` (a span, or the resource it is the span of, or the
    resource a fragment IRI is part of) begins."""
    for candidate in (node, URIRef(str(node).split("#")[0])):
        spans = [candidate, *(o for p in (AKG.span, AKG.titleSpan, AKG.labelSpan, OA.hasTarget)
                              for o in graph.objects(candidate, p))]
        for span in spans:
            chars = Minter.parse_chars(str(span))
            if chars is not None:
                return chars[1]
    return None


def locate(report: Report, graph: Graph, text: str, source: str) -> Report:
    """The report with each result's source file and line, from the graph's spans: the line of the
    offending span when the result names one as its value, else of its focus node's span."""
    out = Report()
    for r in report.results:
        chars = Minter.parse_chars(r.value) if r.value else None
        start = chars[1] if chars else None
        if start is None:
            start = _start_of(graph, URIRef(r.focus))
        line = text.count("\n", 0, min(start, len(text))) + 1 if start is not None else None
        out.results.append(replace(r, source=source, line=line))
    return out


def outward_references(graph: Iterable[tuple], base: str) -> list[tuple[str, str, str]]:
    """(object, subject, predicate) for each IRI under ``{base}id/`` the graph (or set of triples) refers to
    but does not describe."""
    prefix = base + "id/"
    subjects = {t[0] for t in graph}
    out: dict[str, tuple[str, str, str]] = {}
    for s, p, o in graph:
        if isinstance(o, (URIRef, IRI)) and o.startswith(prefix) and o not in subjects and str(o) not in out:
            out[str(o)] = (str(o), str(s), str(p))
    return sorted(out.values())


@dataclass
class PersonChecks:
    """The checks of persons across documents, kept by what they depend on so that a rebuild makes again
    only those of the labels and persons it touched: ``labels`` has, for each label several persons share,
    its review item and (for namesakes) its warning; ``shared`` the item of each uncurated person named in
    several documents."""

    labels: dict[str, tuple[ReviewItem, Result | None]] = field(default_factory=dict)
    shared: dict[str, ReviewItem] = field(default_factory=dict)

    def report(self, dangling: list[Result]) -> Report:
        out = Report(list(dangling))
        for label in sorted(self.labels):
            item, warning = self.labels[label]
            out.review.append(item)
            if warning is not None:
                out.results.append(warning)
        out.review += [self.shared[iri] for iri in sorted(self.shared)]
        # Namesakes first: they may need a decision; one name in several documents last: usually one person.
        out.review.sort(key=lambda i: ((SAME_NAME, ROLE_LABEL, NAME_SHARED).index(i.kind), i.label))
        return out


def cross_document_checks(
    references: Iterable[tuple[str, str, str]],
    described: set[str],
    persons: Iterable[tuple[str, str]],
    documents_of: Mapping[str, Iterable[tuple[str, str]]] | None = None,
    curated: Iterable[str] | None = None,
    *,
    before: PersonChecks | None = None,
    touched: Mapping[str, str | None] | None = None,
    keep: PersonChecks | None = None,
) -> Report:
    """Checks across graphs: no dangling references (a violation); persons sharing a label (review).

    ``references`` are the outward references of every document graph, ``described``
    the IRIs some graph describes (the entities graph's subjects), ``persons`` the
    (IRI, label) of every person, ``documents_of`` the (document id, source file) of
    the documents each IRI appears in.

    Persons with one label and several IRIs are what real archives hold: namesakes,
    and the same role ("Translator") in many documents. They are never merged and
    never stop publication. Namesakes are a warning and a review item naming their
    documents. A role label (role words only) whose persons are each scoped to their
    document (IRI slug ``{document id}-...``, in that document only) is a review item
    with no warning: each document having its own "Interpreter" is the expected case,
    not a doubt.

    A rebuild passes the previous build's checks as ``before`` and, as ``touched``, the persons whose label
    or documents may have changed, each with its label before (None: none): only the labels they had or
    have, and those persons, are checked again (``documents_of`` is then asked for only what they need: it
    may make its values when asked); the result is the same. ``keep`` receives the checks for the next
    build.
    """
    dangling: list[Result] = []
    seen: set[str] = set()
    for o, s, p in sorted(references):
        if o not in described and o not in seen:
            seen.add(o)
            dangling.append(Result(
                "Violation", s, p, f"The reference to {o} dangles: nothing in the dataset describes it.",
                "urn:archivekg:cross-document:no-dangling-references", o,
            ))
    given = documents_of or {}
    sorted_docs: dict[str, list[tuple[str, str]]] = {}

    def docs_of(iri: str) -> list[tuple[str, str]]:  # sorted when asked for: most persons never are (53,000 at 16,000)
        found = sorted_docs.get(iri)
        if found is None:
            d = given.get(iri, ())
            found = sorted_docs[iri] = list(d) if isinstance(d, (list, tuple)) and len(d) == 1 else sorted(set(d))
        return found

    persons = list(persons)
    labels = dict(persons)
    by_label: dict[str, set[str]] = {}
    for iri, label in persons:
        by_label.setdefault(label, set()).add(iri)
    checks = keep if keep is not None else PersonChecks()
    if before is not None and touched is not None:
        checks.labels, checks.shared = dict(before.labels), dict(before.shared)
        names = {label for iri, label_before in touched.items() for label in (labels.get(iri), label_before)
                 if label is not None}
        for label in names:
            checks.labels.pop(label, None)
        for iri in touched:
            checks.shared.pop(iri, None)
        shared_candidates: Iterable[str] = sorted(touched)
    else:
        checks.labels, checks.shared = {}, {}
        names = set(by_label)
        shared_candidates = sorted(given)
    for label in sorted(names):
        iris = by_label.get(label, set())
        if len(iris) < 2:
            continue
        ordered = tuple(sorted(iris))
        where = tuple(sorted((i, src, iri) for iri in ordered for i, src in docs_of(iri)))
        role = _is_role(label) and all(_document_scoped(iri, docs_of(iri)) for iri in ordered)
        kind = ROLE_LABEL if role else SAME_NAME
        item = ReviewItem(kind, label, ordered, where)
        warning = None
        if kind == SAME_NAME:
            sources: dict[str, list[str]] = {}
            for _i, src, p in where:  # one pass over the documents (a common name has thousands)
                sources.setdefault(p, []).append(src)
            placed = "; ".join(f"{iri} (in {', '.join(sources.get(iri, [])) or 'no document'})" for iri in ordered)
            warning = Result(
                "Warning", ordered[0], "http://www.w3.org/2000/01/rdf-schema#label",
                f"{item.summary()}: {placed}. {item.how}",
                "urn:archivekg:cross-document:same-name-persons", label, ", ".join(item.sources) or None,
            )
        checks.labels[label] = (item, warning)
    if curated is not None:
        # One uncurated name in several documents: one person by that name, which a curator may want to split.
        known = set(curated)
        for iri in shared_candidates:
            if iri not in labels or iri in known or len({i for i, _src in given.get(iri, ())}) < 2:
                continue  # (in one document only: never one to split, and not scoped to a document either)
            checks.shared[iri] = ReviewItem(NAME_SHARED, labels[iri], (iri,),
                                            tuple((i, src, iri) for i, src in docs_of(iri)))
    return checks.report(dangling)


def _is_role(label: str) -> bool:
    """A label made of role words only: "Interpreter", "Deputy Chairman"; not "Chinese Interpreter", not "Kim"."""
    tokens = name_tokens(label)
    return bool(tokens) and all(t in ROLE_WORDS for t in tokens)


def _document_scoped(iri: str, documents: list[tuple[str, str]]) -> bool:
    """A person minted for one document's role: its slug is ``{document id}-...`` and it is in that document only."""
    slug = iri.rsplit("/", 1)[-1]
    return len(documents) == 1 and slug.startswith(f"{documents[0][0]}-")


def persons_of(graph: Graph) -> list[tuple[str, str]]:
    from rdflib.namespace import FOAF, RDF, RDFS

    return sorted((str(p), str(graph.value(p, RDFS.label))) for p in graph.subjects(RDF.type, FOAF.Person))


class ValidationInputError(ValueError):
    """The thing to validate cannot be read (missing file, unknown format, syntax error)."""


_FORMATS = {
    ".ttl": "TURTLE", ".nt": "N_TRIPLES", ".nq": "N_QUADS", ".trig": "TRIG", ".jsonld": "JSON_LD",
    ".json": "JSON_LD", ".rdf": "RDF_XML", ".owl": "RDF_XML", ".xml": "RDF_XML", ".n3": "N3",
}


def _graphs_of_file(path: Path) -> dict[str, Graph]:
    """Every graph of an RDF file (gzip allowed), parsed with pyoxigraph: {graph name: rdflib Graph}."""
    import gzip

    import pyoxigraph as ox

    from .rdf_io import nquads

    suffixes = [s.lower() for s in path.suffixes]
    if suffixes and suffixes[-1] == ".gz":
        suffixes = suffixes[:-1]
    fmt = _FORMATS.get(suffixes[-1] if suffixes else "")
    if fmt is None:
        raise ValidationInputError(f"{path}: unknown RDF format; use .ttl, .nt, .nq, .trig, .jsonld or .rdf (optionally .gz)")
    try:
        data = gzip.decompress(path.read_bytes()) if path.suffix.lower() == ".gz" else path.read_bytes()
        quads = list(ox.parse(data, format=getattr(ox.RdfFormat, fmt)))
    except OSError as err:
        raise ValidationInputError(f"{path}: {err.strerror or err}") from None
    except SyntaxError as err:
        raise ValidationInputError(f"{path}: {err}") from None
    by_graph: dict[str, list] = {}
    for q in quads:
        name = q.graph_name.value if isinstance(q.graph_name, ox.NamedNode) else ""
        by_graph.setdefault(name, []).append(ox.Quad(q.subject, q.predicate, q.object))
    out = {}
    for name, qs in sorted(by_graph.items()):
        g = Graph()
        g.parse(data=nquads(qs).decode("utf-8"), format="nt")
        out[name] = g
    return out


def validate_path(path: Path, shapes: Graph | None = None) -> Report:
    """Validate a build output directory, a dump, or any RDF file, graph by graph."""
    import pyoxigraph as ox

    shapes = shapes if shapes is not None else load_shapes()
    if not path.exists():
        raise ValidationInputError(f"{path}: no such file or directory")
    report = Report()
    if path.is_dir():
        current = path / "current" if (path / "current").exists() else path
        info_path = current / "build.json"
        if not info_path.is_file():
            raise ValidationInputError(f"{path}: not a build output (no build.json); give a build directory or an RDF file")
        info = json.loads(info_path.read_text(encoding="utf-8"))
        sources = {d["id"]: d["source"] for d in info.get("documents_index", [])}
        references: list[tuple[str, str, str]] = []
        documents_of: dict[str, list[tuple[str, str]]] = {}
        for ttl in sorted((current / "dumps" / "documents").glob("*.ttl")):
            g = Graph()
            g.parse(ttl, format="turtle")
            refs = outward_references(g, info["base_uri"])
            references += refs
            rel = sources.get(ttl.stem)
            for o, _s, _p in refs:
                documents_of.setdefault(o, []).append((ttl.stem, rel or ttl.name))
            src = current / "sources" / rel if rel else None
            r = validate_graph(g, shapes)
            if src is not None and src.is_file():
                r = locate(r, g, src.read_text(encoding="utf-8"), rel or ttl.name)
            else:
                r = r.with_source(ttl.name)
            report.extend(r)
        entities = Graph()
        for extra in (current / "dumps" / "entities.ttl", current / "void.ttl"):
            if extra.is_file():
                g = Graph()
                g.parse(extra, format="turtle")
                if extra.name == "entities.ttl":
                    entities = g
                report.extend(validate_graph(g, shapes).with_source(extra.name))
        report.extend(cross_document_checks(references, {str(x) for x in entities.subjects()}, persons_of(entities),
                                            documents_of))
        return report
    for name, g in _graphs_of_file(path).items():
        label = f"{path.name} <{name}>" if name else path.name
        report.extend(validate_graph(g, shapes).with_source(label))
    return report
