"""The SHACL shapes in shapes/: they parse, name only declared ontology terms and explain
themselves; every graph a real build makes conforms to them; every class the graphs use is
targeted; and each small invalid graph in tests/invalid/ is rejected with the expected message.

Validation follows the build's model: each document graph is validated alone, and so are the
entities graph and the VoID description (void.ttl). pyshacl runs with ``advanced=True`` (for
sh:sparql) and ``inference="none"``.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import pyshacl
import pytest
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import OWL, SH
from rdflib.plugins.sparql.processor import SPARQLProcessor

from converter.authority import Authority
from converter.pipeline import Built, build_document
from converter.uris import Minter
from converter.validate import parse_each_sparql_query_once

from .conftest import BASE, FIXTURES, LAYOUTS, ROOT, SEED, layout, run_cli, source_info

SHAPES_DIR = ROOT / "shapes"
INVALID_DIR = ROOT / "tests" / "invalid"
ONTOLOGY = ROOT / "ontology" / "archivekg.ttl"

SHAPE_FILES = sorted(SHAPES_DIR.glob("*.ttl"))
BASE_GRAPHS = sorted(INVALID_DIR.glob("_*.ttl"))
INVALID_GRAPHS = sorted(p for p in INVALID_DIR.glob("*.ttl") if not p.name.startswith("_"))

AKG = Namespace("https://w3id.org/archivekg/ontology#")
AKGSH = Namespace("https://w3id.org/archivekg/shapes#")
MAX_INVALID_TRIPLES = 120  # the invalid graphs are small excerpts, not documents


@dataclass(frozen=True)
class Result:
    severity: str  # "Violation", "Warning" or "Info"
    message: str
    focus: str
    path: str | None
    shape_file: str  # the shapes/*.ttl file whose shape reported it


# --------------------------------------------------------------------------- helpers

_RDFLIB_QUERY = SPARQLProcessor.query


@contextmanager
def _uncached() -> Iterator[None]:
    patched = SPARQLProcessor.query
    SPARQLProcessor.query = _RDFLIB_QUERY  # type: ignore[method-assign]
    try:
        yield
    finally:
        SPARQLProcessor.query = patched  # type: ignore[method-assign]


@pytest.fixture(scope="module", autouse=True)
def _sparql_parse_cache() -> Iterator[None]:
    with parse_each_sparql_query_once():
        yield


@pytest.fixture(scope="session")
def shapes() -> Graph:
    g = Graph()
    for path in SHAPE_FILES:
        g.parse(path, format="turtle")
    return g


@pytest.fixture(scope="session")
def shape_file_of(shapes: Graph) -> dict[URIRef, str]:
    """Named node shape -> the file that defines it."""
    owner: dict[URIRef, str] = {}
    for path in SHAPE_FILES:
        g = Graph().parse(path, format="turtle")
        for s in g.subjects(RDF.type, SH.NodeShape):
            assert isinstance(s, URIRef), f"{path.name}: node shapes must be named (akgsh:...)"
            assert s not in owner, f"{s} is defined in {owner.get(s)} and {path.name}"
            owner[s] = path.name
    return owner


def _owning_node_shape(shapes: Graph, node: object, owner: dict[URIRef, str]) -> str:
    """Walk up from a (blank) property shape to the named node shape that holds it."""
    seen = set()
    todo = [node]
    while todo:
        n = todo.pop()
        if isinstance(n, URIRef) and n in owner:
            return owner[n]
        if n in seen:
            continue
        seen.add(n)
        todo.extend(shapes.subjects(None, n))
    raise AssertionError(f"no named node shape holds {node}")


def validate(data: Graph, shapes: Graph, owner: dict[URIRef, str]) -> list[Result]:
    _conforms, report, _text = pyshacl.validate(
        data, shacl_graph=shapes, advanced=True, inference="none", allow_warnings=True
    )
    out = []
    for r in report.subjects(RDF.type, SH.ValidationResult):
        severity = str(report.value(r, SH.resultSeverity)).rsplit("#", 1)[-1]
        path = report.value(r, SH.resultPath)
        out.append(Result(
            severity,
            " ".join(str(m) for m in report.objects(r, SH.resultMessage)),
            str(report.value(r, SH.focusNode)),
            str(path) if isinstance(path, URIRef) else None,
            _owning_node_shape(shapes, report.value(r, SH.sourceShape), owner),
        ))
    return sorted(out, key=lambda x: (x.severity, x.shape_file, x.focus, x.message))


def _show(results: list[Result]) -> str:
    return "\n".join(f"  {r.severity} [{r.shape_file}] {r.focus}: {r.message}" for r in results[:20])


def _violations(results: list[Result]) -> list[Result]:
    return [r for r in results if r.severity == "Violation"]


def _header(path: Path) -> dict[str, str]:
    """The '# key: value' lines at the top of an invalid graph."""
    head: dict[str, str] = {}
    for line in path.read_text(encoding="utf-8").splitlines():
        m = re.match(r"^# (\w+): (.+)$", line)
        if not m:
            break
        head[m.group(1)] = m.group(2).strip()
    return head


# --------------------------------------------------------------------------- graphs of a real build


@pytest.fixture(scope="session")
def fixture_builds(authority: Authority) -> dict[str, Built]:
    """Every layout fixture converted as the build does, with its real text length."""
    out = {}
    for name in LAYOUTS:
        text, _ = layout(name)
        out[name] = build_document(
            text, source_info(f"{name}.txt", text), authority=authority, minter=Minter(BASE)
        )
    return out


@pytest.fixture(scope="session")
def full_build(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A real `archivekg build` of the seed and every fixture (the published release directory)."""
    out = tmp_path_factory.mktemp("shapes-build") / "out"
    res = run_cli("build", str(ROOT / "seeds"), str(FIXTURES / "documents"), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    return out / "current"


def _release_graphs(release: Path) -> dict[str, Graph]:
    graphs = {}
    for path in [*sorted((release / "dumps" / "documents").glob("*.ttl")), release / "dumps" / "entities.ttl",
                 release / "void.ttl"]:
        graphs[path.relative_to(release).as_posix()] = Graph().parse(path, format="turtle")
    return graphs


@pytest.fixture(scope="session")
def release_graphs(full_build: Path) -> dict[str, Graph]:
    return _release_graphs(full_build)


# --------------------------------------------------------------------------- 1. the shapes themselves


@pytest.mark.parametrize("path", SHAPE_FILES, ids=lambda p: p.name)
def test_shape_file_parses_and_names_its_shapes(path: Path) -> None:
    g = Graph().parse(path, format="turtle")
    node_shapes = set(g.subjects(RDF.type, SH.NodeShape))
    assert node_shapes, f"{path.name} defines no sh:NodeShape"
    for s in node_shapes:
        assert isinstance(s, URIRef) and str(s).startswith(str(AKGSH)), f"{path.name}: {s} is not an akgsh: IRI"
    assert "@prefix akgsh:    <https://w3id.org/archivekg/shapes#> ." in path.read_text(encoding="utf-8")


def test_the_expected_shape_files_exist() -> None:
    expected = {
        "document", "original-document", "conversation", "utterance", "paragraph", "footnote", "header-field",
        "page-marker", "listed-participant", "text-marker", "span", "mention", "claim", "quantity",
        "referred-event", "provenance", "person", "place", "organization", "language", "dataset",
        "attribution", "editorial-note",
    }
    assert {p.stem for p in SHAPE_FILES} == expected


def _declared_akg_terms() -> set[URIRef]:
    onto = Graph().parse(ONTOLOGY, format="turtle")
    kinds = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty, OWL.NamedIndividual)
    return {s for k in kinds for s in onto.subjects(RDF.type, k) if isinstance(s, URIRef) and s.startswith(AKG)}


def test_every_akg_term_the_shapes_name_is_declared(shapes: Graph) -> None:
    """Paths, classes, targets, sh:in values and the terms inside SPARQL constraints."""
    named: set[URIRef] = set()
    for triple in shapes:
        named.update(t for t in triple if isinstance(t, URIRef) and t.startswith(AKG))
    for select in shapes.objects(None, SH.select):
        named.update(AKG[local] for local in re.findall(r"\bakg:([A-Za-z_][\w-]*)", str(select)))
    assert named, "the shapes name no akg: term"
    undeclared = sorted(str(t) for t in named - _declared_akg_terms())
    assert not undeclared, f"akg: terms used by the shapes but not declared in the ontology: {undeclared}"


def test_every_node_shape_has_a_name_and_description(shapes: Graph) -> None:
    missing = []
    for s in set(shapes.subjects(RDF.type, SH.NodeShape)):
        for prop in (SH.name, SH.description):
            values = list(shapes.objects(s, prop))
            if len(values) != 1 or not isinstance(values[0], Literal) or len(str(values[0])) < 3:
                missing.append(f"{s} {prop.n3(shapes.namespace_manager)}")
    assert not missing, missing


def _messages(shapes: Graph, node: object) -> list[Literal]:
    return [m for m in shapes.objects(node, SH.message) if isinstance(m, Literal)]


def test_every_property_shape_and_sparql_constraint_has_a_message(shapes: Graph) -> None:
    lacking = []
    for prop_shape in set(shapes.subjects(SH.path, None)):
        if not _messages(shapes, prop_shape):
            lacking.append(f"property shape on {shapes.value(prop_shape, SH.path)}")
    for constraint in set(shapes.objects(None, SH.sparql)):
        if not _messages(shapes, constraint):
            lacking.append(f"sh:sparql {str(shapes.value(constraint, SH.select))[:60]!r}")
    # A node shape's own constraints (closed, IRI pattern, or/xone) report the node shape's message.
    node_level = (SH.closed, SH.pattern, SH.nodeKind, SH["or"], SH.xone, SH["not"], SH["and"])
    for s in set(shapes.subjects(RDF.type, SH.NodeShape)):
        if any(shapes.value(s, p) is not None for p in node_level) and not _messages(shapes, s):
            lacking.append(f"node-level constraint of {s}")
    assert not lacking, "no sh:message: " + "; ".join(lacking)
    for m in shapes.objects(None, SH.message):
        assert isinstance(m, Literal) and m.language == "en" and str(m).endswith("."), f"message {m!r}"


def test_sparql_constraints_are_checked_once_per_graph_or_per_event(shapes: Graph) -> None:
    """pyshacl parses a SPARQL constraint anew for every focus node: SPARQL sits only on shapes
    whose targets occur about once per document graph (or per dated event, or once in void.ttl)."""
    cheap_targets = {AKG.Document, AKG.SourceFile, AKG.Conversation, URIRef("http://www.w3.org/ns/dcat#Dataset")}
    for s in set(shapes.subjects(SH.sparql, None)):
        targets = set(shapes.objects(s, SH.targetClass))
        subjects_of = set(shapes.objects(s, SH.targetSubjectsOf))
        assert targets <= cheap_targets and (targets or subjects_of), f"{s} runs SPARQL on {targets or subjects_of}"


# --------------------------------------------------------------------------- 2. real graphs conform


def _expected_warnings(g: Graph) -> int:
    """An undated document gets the one 'undated' warning; nothing else warns in the fixtures."""
    q = """PREFIX akg: <https://w3id.org/archivekg/ontology#> PREFIX dcterms: <http://purl.org/dc/terms/>
           SELECT ?d WHERE { ?d a akg:Document FILTER NOT EXISTS { ?d dcterms:date|akg:earliestDate ?x } }"""
    return len(list(g.query(q)))


def _assert_conforms(name: str, g: Graph, shapes: Graph, owner: dict[URIRef, str]) -> None:
    results = validate(g, shapes, owner)
    violations = _violations(results)
    assert not violations, f"{name}: {len(violations)} violation(s)\n{_show(violations)}"
    warnings = [r for r in results if r.severity != "Violation"]
    assert len(warnings) == _expected_warnings(g), f"{name}: unexpected warnings\n{_show(warnings)}"
    assert all("undated" in r.message for r in warnings), _show(warnings)


def test_the_seed_document_graph_conforms(seed_built: Built, shapes: Graph, shape_file_of: dict) -> None:
    g = seed_built.graph
    assert len(g) > 1000  # a whole document (1,718 triples in the lean model), not an excerpt
    _assert_conforms(SEED.name, g, shapes, shape_file_of)


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_fixture_document_graph_conforms(
    name: str, fixture_builds: dict[str, Built], shapes: Graph, shape_file_of: dict
) -> None:
    _assert_conforms(f"{name}.txt", fixture_builds[name].graph, shapes, shape_file_of)


def test_the_graphs_of_a_real_build_conform(
    release_graphs: dict[str, Graph], shapes: Graph, shape_file_of: dict
) -> None:
    """Each published document graph alone (with its real checksum), the entities graph, void.ttl."""
    assert "dumps/entities.ttl" in release_graphs and "void.ttl" in release_graphs
    assert len(release_graphs) == len(LAYOUTS) + 1 + 2
    for name, g in release_graphs.items():
        _assert_conforms(name, g, shapes, shape_file_of)


def test_the_undated_fixture_gets_the_date_warning(
    fixture_builds: dict[str, Built], shapes: Graph, shape_file_of: dict
) -> None:
    results = validate(fixture_builds["undated"].graph, shapes, shape_file_of)
    assert [(r.severity, r.shape_file) for r in results] == [("Warning", "document.ttl")]
    assert "neither dcterms:date nor akg:earliestDate" in results[0].message


# --------------------------------------------------------------------------- 3. every class is targeted


def test_every_class_used_in_the_graphs_is_targeted(
    seed_built: Built, fixture_builds: dict[str, Built], release_graphs: dict[str, Graph], shapes: Graph
) -> None:
    graphs = [seed_built.graph, *(b.graph for b in fixture_builds.values()), *release_graphs.values()]
    used = {o for g in graphs for o in g.objects(None, RDF.type)}
    targeted = set(shapes.objects(None, SH.targetClass))
    assert len(used) > 30
    missing = sorted(str(c) for c in used - targeted)
    assert not missing, f"classes without a shape targeting them: {missing}"


# --------------------------------------------------------------------------- 4. invalid graphs are rejected


@pytest.fixture(scope="session")
def invalid_results(shapes: Graph, shape_file_of: dict) -> dict[str, list[Result]]:
    return {p.name: validate(Graph().parse(p, format="turtle"), shapes, shape_file_of) for p in INVALID_GRAPHS}


@pytest.mark.parametrize("path", BASE_GRAPHS, ids=lambda p: p.name)
def test_the_base_graphs_conform(path: Path, shapes: Graph, shape_file_of: dict) -> None:
    results = validate(Graph().parse(path, format="turtle"), shapes, shape_file_of)
    assert not results, f"{path.name} should be valid:\n{_show(results)}"


@pytest.mark.parametrize("path", INVALID_GRAPHS, ids=lambda p: p.stem)
def test_the_invalid_graph_is_rejected_with_the_expected_message(
    path: Path, invalid_results: dict[str, list[Result]]
) -> None:
    head = _header(path)
    assert "expect" in head, f"{path.name} must start with '# expect: <fragment of the message>'"
    assert path.read_text(encoding="utf-8").startswith("# expect: ")
    assert len(Graph().parse(path, format="turtle")) <= MAX_INVALID_TRIPLES, f"{path.name} is not small"
    severity = head.get("severity", "Violation")
    results = invalid_results[path.name]
    assert any(r.severity == severity for r in results), f"{path.name}: no {severity}\n{_show(results)}"
    matching = [r for r in results if r.severity == severity and head["expect"] in r.message]
    assert matching, f"{path.name}: no {severity} message contains {head['expect']!r}; got\n{_show(results)}"


def test_every_shape_file_is_broken_by_some_invalid_graph(invalid_results: dict[str, list[Result]]) -> None:
    broken: dict[str, set[str]] = {}
    for name, results in invalid_results.items():
        expect = _header(INVALID_DIR / name)["expect"]
        for r in results:
            if expect in r.message:
                broken.setdefault(r.shape_file, set()).add(name)
    missing = sorted(p.name for p in SHAPE_FILES if p.name not in broken)
    assert not missing, f"no invalid graph in tests/invalid/ breaks {missing}"


def test_the_required_defects_are_covered() -> None:
    """The defects the shapes were written against each have their invalid graph."""
    required = {
        "missing-title", "two-dates", "date-plain-string", "utterance-without-speaker", "two-speakers",
        "claim-without-span", "claim-bad-polarity", "mention-span-beyond-text", "span-start-not-before-end",
        "wikidata-https", "wikidata-not-a-qid", "utterance-position-gap", "utterance-duplicate-position",
        "untagged-utterance-text", "speaker-not-a-person", "quantity-min-above-max", "checksum-wrong-length",
        "editorial-note-without-text", "credit-without-role", "reported-speaker-not-a-person",
    }
    assert required <= {p.stem for p in INVALID_GRAPHS}


def test_a_blank_node_is_no_document(shapes: Graph, shape_file_of: dict) -> None:
    """Data IRIs are minted, never blank nodes: a blank-node utterance is reported."""
    g = Graph().parse(INVALID_DIR / "_base.ttl", format="turtle")
    old = URIRef(f"{BASE}id/utterance/1-1")
    new = BNode()
    for s, p, o in list(g):
        if old in (s, o):
            g.remove((s, p, o))
            g.add((new if s == old else s, p, new if o == old else o))
    messages = [r.message for r in _violations(validate(g, shapes, shape_file_of))]
    assert any("must be an IRI under /id/utterance/" in m for m in messages), messages


def test_parsing_each_query_once_gives_the_same_results(
    seed_built: Built, shapes: Graph, shape_file_of: dict
) -> None:
    """The tests cache parsed SPARQL; plain pyshacl reports exactly the same results."""
    graphs = [seed_built.graph, Graph().parse(INVALID_DIR / "utterance-duplicate-position.ttl", format="turtle"),
              Graph().parse(INVALID_DIR / "mention-span-beyond-text.ttl", format="turtle")]
    for g in graphs:
        cached = validate(g, shapes, shape_file_of)
        with _uncached():
            plain = validate(g, shapes, shape_file_of)
        assert cached == plain


def test_a_fractional_quantity_conforms(authority: Authority, shapes: Graph, shape_file_of: dict) -> None:
    text = "## October 1, 1968\n\n# Memorandum on Prices\n\nPrices in Bulgaria rose by 1.5 percent last year.\n"
    built = build_document(text, source_info("prices.txt", text), authority=authority, minter=Minter(BASE))
    assert any(str(o) == "1.5" for o in built.graph.objects(None, AKG.minValue))
    assert not _violations(validate(built.graph, shapes, shape_file_of))
