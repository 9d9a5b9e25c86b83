"""Validation inside `build` and as `archivekg validate`: violations stop publication, warnings do not."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest

from .conftest import BASE, FIXTURES, ROOT, SEED, run_cli

SHAPES = ROOT / "shapes"
EXTRA = """@prefix sh: <http://www.w3.org/ns/shacl#> .
@prefix akg: <https://w3id.org/archivekg/ontology#> .
@prefix dcterms: <http://purl.org/dc/terms/> .
@prefix akgsh: <https://w3id.org/archivekg/shapes#> .
akgsh:CuratorAbstract a sh:NodeShape ;
  sh:name "Curator's rule" ; sh:description "Every document needs a summary." ;
  sh:targetClass akg:Document ;
  sh:property [ sh:path dcterms:abstract ; sh:minCount 1 ; sh:severity sh:{severity} ;
                sh:message "A document needs a summary (dcterms:abstract)." ] .
"""


def _shapes_with_extra(tmp: Path, severity: str) -> Path:
    shapes = tmp / f"shapes-{severity}"
    shutil.copytree(SHAPES, shapes, ignore=shutil.ignore_patterns("*.md"))
    (shapes / "zz-curator.ttl").write_text(EXTRA.format(severity=severity), encoding="utf-8")
    return shapes


def _corpus(tmp: Path) -> Path:
    src = tmp / "corpus"
    src.mkdir()
    shutil.copy(SEED, src / SEED.name)
    shutil.copy(FIXTURES / "documents" / "report.txt", src / "report.txt")  # has no summary
    return src


def test_a_violation_stops_publication_and_names_the_file_and_line(tmp_path: Path) -> None:
    src, out = _corpus(tmp_path), tmp_path / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--shapes", str(_shapes_with_extra(tmp_path, "Violation")))
    assert res.returncode == 1, res.stderr
    assert "report.txt:" in res.stderr and "A document needs a summary (dcterms:abstract)." in res.stderr
    assert "1 of 2 document(s) failed" in res.stderr  # the seed has a summary
    assert "nothing was published" in res.stderr
    assert not (out / "current").exists()


def test_a_warning_is_reported_and_publication_goes_on(tmp_path: Path) -> None:
    src, out = _corpus(tmp_path), tmp_path / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--shapes", str(_shapes_with_extra(tmp_path, "Warning")))
    assert res.returncode == 0, res.stderr
    assert "warning: report.txt:" in res.stderr and "Warning: A document needs a summary" in res.stderr
    assert (out / "current" / "build.json").is_file()


def test_validate_a_build_a_dump_and_a_file(seed_build: Path, tmp_path: Path) -> None:
    res = run_cli("validate", str(seed_build))
    assert res.returncode == 0, res.stdout + res.stderr
    assert res.stdout.startswith("conforms")
    dump = seed_build / "current" / "dumps" / "archivekg.nq.gz"
    res = run_cli("validate", str(dump), "--format", "json")
    assert res.returncode == 0, res.stdout
    assert json.loads(res.stdout)["conforms"] is True


def test_validate_reports_violations_in_each_format(seed_build: Path, tmp_path: Path) -> None:
    broken = tmp_path / "broken.ttl"
    text = (seed_build / "current" / "dumps" / "documents" / "111239.ttl").read_text(encoding="utf-8")
    # Drop the document's title: a violation.
    broken.write_text("\n".join(line for line in text.splitlines() if "dcterms:title" not in line), encoding="utf-8")
    for fmt, check in (("text", "does not conform"), ("json", '"conforms": false'), ("turtle", "sh:conforms false")):
        res = run_cli("validate", str(broken), "--format", fmt)
        assert res.returncode == 1, res.stdout
        assert check in res.stdout


@pytest.mark.parametrize(
    ("name", "content", "fragment"),
    [
        ("missing.ttl", None, "no such file"),
        ("bad.ttl", "<a> <b> .\n", "bad.ttl"),
        ("data.csv", "a,b\n", "unknown RDF format"),
    ],
)
def test_validate_unreadable_input_exits_2(tmp_path: Path, name: str, content: str | None, fragment: str) -> None:
    path = tmp_path / name
    if content is not None:
        path.write_text(content, encoding="utf-8")
    res = run_cli("validate", str(path))
    assert res.returncode == 2
    assert fragment in res.stderr and "Traceback" not in res.stderr


def test_validation_reports_are_cached_per_graph_text_and_shapes(tmp_path: Path) -> None:
    src, out = _corpus(tmp_path), tmp_path / "out"
    assert run_cli("build", str(src), "--out", str(out), "--base-uri", BASE).returncode == 0
    entries = sorted((out / ".cache" / "validation").rglob("*.json"))
    assert len(entries) == 2
    # A damaged entry is recomputed, not trusted.
    entries[0].write_text("{not json", encoding="utf-8")
    assert run_cli("build", str(src), "--out", str(out), "--base-uri", BASE).returncode == 0
    assert sorted((out / ".cache" / "validation").rglob("*.json")) == entries
    # Other shapes, other reports: the cache cannot hide a new violation.
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE,
                  "--shapes", str(_shapes_with_extra(tmp_path, "Violation")))
    assert res.returncode == 1 and "A document needs a summary" in res.stderr
    # A changed document is validated again.
    (src / "report.txt").write_text((src / "report.txt").read_text(encoding="utf-8") + "\nOne more line.\n", encoding="utf-8")
    assert run_cli("build", str(src), "--out", str(out), "--base-uri", BASE).returncode == 0
    # Only the reports the last build used are kept: the seed's, and the changed report's.
    kept = sorted((out / ".cache" / "validation").rglob("*.json"))
    assert len(kept) == 2 and len(set(kept) & set(entries)) == 1


PERSON = f"{BASE}id/person/"
LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def test_a_dangling_reference_is_still_a_violation() -> None:
    from converter.validate import cross_document_checks

    ghost = f"{PERSON}nobody"
    report = cross_document_checks([(ghost, f"{BASE}id/utterance/1-1", "https://w3id.org/archivekg/ontology#spokenBy")],
                                   set(), [], {ghost: [("1", "a.txt")]})
    assert not report.conforms
    assert [(r.severity, r.value) for r in report.results] == [("Violation", ghost)]


def test_namesakes_are_a_warning_and_a_review_item_naming_their_documents() -> None:
    from converter.validate import SAME_NAME, cross_document_checks

    a, b = f"{PERSON}kim-il-1910", f"{PERSON}kim-il"
    report = cross_document_checks([], {a, b}, [(a, "Kim Il"), (b, "Kim Il")],
                                   {a: [("7", "a.txt")], b: [("8", "b.txt"), ("9", "c.txt")]})
    assert report.conforms
    [warning] = report.results
    assert (warning.severity, warning.source, warning.path) == ("Warning", "a.txt, b.txt, c.txt", LABEL)
    assert f"{b} (in b.txt, c.txt); {a} (in a.txt)" in warning.message
    [item] = report.review
    assert (item.kind, item.label, item.persons) == (SAME_NAME, "Kim Il", (b, a))
    assert item.documents == (("7", "a.txt", a), ("8", "b.txt", b), ("9", "c.txt", b))
    assert json.loads(report.json())["review"][0]["documents"][0] == {"id": "7", "source": "a.txt", "person": a}


def test_a_role_in_many_documents_is_a_review_item_without_a_warning() -> None:
    from converter.validate import ROLE_LABEL, SAME_NAME, cross_document_checks

    one, two = f"{PERSON}101-translator", f"{PERSON}102-translator"
    docs = {one: [("101", "a.txt")], two: [("102", "b.txt")]}
    report = cross_document_checks([], {one, two}, [(one, "Translator"), (two, "Translator")], docs)
    assert report.conforms and report.results == []
    assert [(i.kind, i.persons) for i in report.review] == [(ROLE_LABEL, (one, two))]
    # A role person that is not its document's own (no document-id prefix) is a doubt like any namesake.
    shared = f"{PERSON}translator"
    report = cross_document_checks([], {one, shared}, [(one, "Translator"), (shared, "Translator")],
                                   {one: [("101", "a.txt")], shared: [("102", "b.txt")]})
    assert [i.kind for i in report.review] == [SAME_NAME] and len(report.warnings) == 1


def test_a_violation_across_documents_is_blamed_on_the_documents_that_cause_it() -> None:
    from converter.build import _blame
    from converter.validate import Report, Result

    ghost, curated, shared = f"{PERSON}nobody", f"{PERSON}mao-zedong", f"{BASE}id/organization/publisher"
    report = Report([
        Result("Violation", f"{BASE}id/utterance/2-1", "p", "dangles", None, ghost),
        Result("Violation", curated, LABEL, "curated", source="dumps/entities.ttl"),
        Result("Violation", shared, LABEL, "shared", source="dumps/entities.ttl"),
        Result("Warning", shared, LABEL, "a warning", source="dumps/entities.ttl"),
    ])
    appears_in = {ghost: [("2", "b.txt")], curated: [("1", "a.txt")], shared: [("1", "a.txt"), ("2", "b.txt")]}
    report, blamed = _blame(report, lambda: appears_in, {curated: "seeds/authority/persons.csv:12"})
    got = {r.message: r for r in report.results}
    # A dangling reference is the fault of the documents that make it.
    assert blamed[got["dangles"]] == ["b.txt"] and got["dangles"].source == "b.txt"
    # Curated data is the authority file's, not the documents that name it: no document is to blame.
    assert blamed[got["curated"]] == [] and got["curated"].source == "seeds/authority/persons.csv:12"
    assert blamed[got["shared"]] == ["a.txt", "b.txt"] and got["shared"].source == "a.txt, b.txt"
    assert got["a warning"] not in blamed and got["a warning"].source == "dumps/entities.ttl"


def test_one_uncurated_name_in_several_documents_is_a_review_item_without_a_warning() -> None:
    from converter.validate import NAME_SHARED, cross_document_checks

    chen, curated, own = f"{PERSON}chen-fu", f"{PERSON}kim-il-sung", f"{PERSON}101-yao"
    docs = {chen: [("101", "a.txt"), ("102", "b.txt")], curated: [("101", "a.txt"), ("102", "b.txt")],
            own: [("101", "a.txt")]}
    persons = [(chen, "Chen Fu"), (curated, "Kim Il Sung"), (own, "Yao")]
    report = cross_document_checks([], {chen, curated, own}, persons, docs, curated={curated})
    assert report.conforms and report.results == []
    [item] = report.review  # not the curated person, not the document's own
    assert (item.kind, item.label, item.persons) == (NAME_SHARED, "Chen Fu", (chen,))
    assert item.sources == ["a.txt", "b.txt"] and "authority" in item.how
    # Without the authority (validating a dump), nothing can be said of curation: no such item.
    assert cross_document_checks([], {chen}, persons, docs).review == []


@pytest.mark.parametrize("seed", range(8))
def test_person_checks_made_again_only_for_touched_persons_equal_those_made_whole(seed: int) -> None:
    """A rebuild checks again only the labels and persons it touched (``before``, ``touched``): over random
    changes of labels and documents (namesakes, roles, one name in several documents, persons that come and
    go), the report and the checks it keeps are those of checking everything."""
    import random

    from converter.validate import PersonChecks, cross_document_checks

    rng = random.Random(seed)
    labels = ["Kim Il", "Kim", "Translator", "Interpreter", "Zhou Enlai", "Li", "Park"]
    iris = [f"{PERSON}{i}-p{n}" if n % 3 else f"{PERSON}p{n}" for n, i in enumerate(rng.choices("123456", k=30))]
    curated = set(rng.sample(iris, 4))

    def world() -> tuple[dict[str, str], dict[str, set[str]]]:
        persons = {iri: rng.choice(labels) for iri in rng.sample(iris, rng.randint(10, 25))}
        docs = {iri: set(rng.sample("123456", rng.randint(1, 3))) for iri in persons if rng.random() < 0.9}
        return persons, docs

    def check(persons, docs, **incremental):  # type: ignore[no-untyped-def]
        keep = PersonChecks()
        given = {iri: [(i, f"{i}.txt") for i in d] for iri, d in docs.items()}
        report = cross_document_checks([], set(persons), sorted(persons.items()), given, curated, keep=keep,
                                       **incremental)
        return report, keep

    persons, docs = world()
    _, before = check(persons, docs)
    for _step in range(6):
        new_persons, new_docs = dict(persons), {k: set(v) for k, v in docs.items()}
        for iri in rng.sample(iris, 5):  # relabel, add, remove, move between documents
            move = rng.random()
            if move < 0.3:
                new_persons[iri] = rng.choice(labels)
            elif move < 0.5:
                new_persons.pop(iri, None)
                new_docs.pop(iri, None)
            else:
                new_persons.setdefault(iri, rng.choice(labels))
                new_docs[iri] = set(rng.sample("123456", rng.randint(1, 3)))
        touched = {iri: persons.get(iri) for iri in iris
                   if persons.get(iri) != new_persons.get(iri) or docs.get(iri) != new_docs.get(iri)}
        whole, whole_checks = check(new_persons, new_docs)
        part, part_checks = check(new_persons, new_docs, before=before, touched=touched)
        assert part.json() == whole.json()
        assert (part_checks.labels, part_checks.shared) == (whole_checks.labels, whole_checks.shared)
        assert part.review, "the random world should hold something to review"
        persons, docs, before = new_persons, new_docs, part_checks
