"""Hostile documents through the real command line: a URL that is no IRI, a javascript: link, markup in
labels, bidirectional control characters. Each builds (or is refused) with a clear message naming the
file and line, never a traceback, and nothing hostile reaches a name, a slug or an IRI.
"""

from __future__ import annotations

import gzip
import json
import re
from pathlib import Path

import pyoxigraph as ox

from .conftest import BASE, run_cli

HEAD = "## October 01, 1968\n\n# Conversation Between Ann Lee and Bob Ray\n\n"
CITATION = ("### Citation:\n\n\"Conversation Between Ann Lee and Bob Ray,\" October 01, 1968, History and Public Policy "
            "Program Digital Archive, Chinese Communist Party Central Archives (CCA)\n{link}\n\n")
BODY = "**Ann Lee:** Hello there, how are you today?\n\n**Bob Ray:** Fine, thank you.\n"
BIDI = "\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069\u200e\u200f"


def _build(tmp_path: Path, text: str, name: str = "doc.txt"):
    src = tmp_path / "src"
    src.mkdir(exist_ok=True)
    (src / name).write_text(text, encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--jobs", "1", "--verbose")
    assert "Traceback" not in res.stderr and "internal error" not in res.stderr, res.stderr
    return res, out


def _store(out: Path) -> ox.Store:
    return ox.Store.read_only(str(out / "current" / "store"))


def _iris(out: Path) -> set[str]:
    """Every IRI in the published dumps."""
    with gzip.open(out / "current" / "dumps" / "archivekg.nq.gz") as f:
        quads = list(ox.parse(f, format=ox.RdfFormat.N_QUADS))
    return {t.value for q in quads for t in (q.subject, q.predicate, q.object, q.graph_name)
            if isinstance(t, ox.NamedNode)}


def _persons(out: Path) -> dict[str, list[str]]:
    """Person IRI -> its labels and alternative labels, from the store."""
    rows = _store(out).query(
        "SELECT ?p ?l WHERE { { ?p a <http://xmlns.com/foaf/0.1/Person> ; <http://www.w3.org/2000/01/rdf-schema#label> ?l }"
        " UNION { ?p a <http://xmlns.com/foaf/0.1/Person> ; <http://www.w3.org/2004/02/skos/core#altLabel> ?l } }",
        use_default_graph_as_union=True)
    got: dict[str, list[str]] = {}
    for r in rows:
        got.setdefault(r["p"].value, []).append(r["l"].value)
    return got


def _document(out: Path) -> dict:
    info = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    assert info["documents"] == 1
    return info["documents_index"][0]


def test_a_citation_url_with_a_quote_is_not_used_and_the_document_builds(tmp_path: Path) -> None:
    text = HEAD + CITATION.format(link='<http://x/"onmouseover="alert(1)>') + BODY
    res, out = _build(tmp_path, text)
    assert res.returncode == 0, res.stderr
    line = text.split("\n").index('<http://x/"onmouseover="alert(1)>') + 1
    assert re.search(rf"warning: doc\.txt:{line}: the citation URL .* is not a valid IRI", res.stderr), res.stderr
    doc = _document(out)
    assert doc["id"].startswith("c-")  # the identifier comes from the content
    assert not any('"' in iri or "onmouseover" in iri for iri in _iris(out))


def test_a_citation_url_that_is_not_http_is_never_the_documents_url_nor_part_of_the_archive_name(tmp_path: Path) -> None:
    text = HEAD + CITATION.format(link="<javascript:alert(document.domain)//90>") + BODY
    res, out = _build(tmp_path, text)
    assert res.returncode == 0, res.stderr
    line = text.split("\n").index("<javascript:alert(document.domain)//90>") + 1
    assert re.search(rf"warning: doc\.txt:{line}: .*javascript:.* is not an http\(s\) URL", res.stderr), res.stderr
    iris = _iris(out)
    assert not any("javascript" in iri for iri in iris), sorted(i for i in iris if "javascript" in i)
    assert f"{BASE}id/organization/chinese-communist-party-central-archives" in iris  # the authority's archive
    rows = list(_store(out).query(
        "SELECT ?s WHERE { ?d <http://purl.org/dc/terms/source> ?s }", use_default_graph_as_union=True))
    assert rows == []


def test_a_javascript_url_glued_to_the_archive_on_one_line_is_left_out_of_its_name(tmp_path: Path) -> None:
    citation = ("### Citation:\n\n\"Conversation Between Ann Lee and Bob Ray,\" October 01, 1968, History and Public "
                "Policy Program Digital Archive, Chinese Communist Party Central Archives (CCA) "
                "javascript:alert(document.domain)//90\n\n")
    res, out = _build(tmp_path, HEAD + citation + BODY)
    assert res.returncode == 0, res.stderr
    labels = [r["l"].value for r in _store(out).query(
        "SELECT ?l WHERE { ?d a <https://w3id.org/archivekg/ontology#Document> ; <http://purl.org/dc/terms/isPartOf> ?o . "
        "?o <http://www.w3.org/2000/01/rdf-schema#label> ?l }", use_default_graph_as_union=True)]
    assert labels == ["Chinese Communist Party Central Archives"]  # the authority's label of that archive


def test_labels_holding_markup_are_not_persons(tmp_path: Path) -> None:
    body = ("**Ann Lee:** Hello there, how are you today?\n\n"
            "<script>alert(1)</script>: Fine, thank you.\n\n"
            "**<img src=x onerror=alert(1)>:** Hi.\n\n"
            "**<script>alert(1)</script>:** Hi again.\n\n"
            "**Bob Ray:** Fine, thank you.\n")
    res, out = _build(tmp_path, HEAD + body)
    assert res.returncode == 0, res.stderr
    persons = _persons(out)
    for iri, labels in persons.items():
        assert not re.search(r"script|img|onerror|alert", iri), iri
        assert not any("<" in label or ">" in label for label in labels), labels
    assert f"{BASE}id/person/ann-lee" in persons and f"{BASE}id/person/bob-ray" in persons
    speakers = {r["l"].value for r in _store(out).query(
        "SELECT ?l WHERE { ?u <https://w3id.org/archivekg/ontology#speakerLabel> ?l }", use_default_graph_as_union=True)}
    assert speakers == {"Ann Lee", "Bob Ray"}
    # The markup stays text: the turns keep it, as written.
    texts = [r["t"].value for r in _store(out).query(
        "SELECT ?t WHERE { ?u a <https://w3id.org/archivekg/ontology#Utterance> ; <http://schema.org/text> ?t }",
        use_default_graph_as_union=True)]
    assert any("<img src=x onerror=alert(1)>" in t for t in texts)


def test_bidirectional_controls_are_never_part_of_a_name_or_slug(tmp_path: Path) -> None:
    text = (HEAD + "Participants: Carl\u202e Ode, Dan\u2066 Fox\u2069\n\n"
            "**Ann \u202eLee:** Hello there, how are you today?\n\n"
            "**Bob\u2066 Ray\u2069:** Fine, thank you.\n\n"
            "**Ann\u200f Lee:** Good.\n")
    res, out = _build(tmp_path, text)
    assert res.returncode == 0, res.stderr
    lines = text.split("\n")
    for fragment in ("**Ann \u202eLee", "**Bob\u2066", "Participants:"):
        no = next(i for i, ln in enumerate(lines, start=1) if ln.startswith(fragment))
        assert re.search(rf"warning: doc\.txt:{no}: .*bidirectional", res.stderr), (fragment, res.stderr)
    assert not any(c in res.stderr for c in BIDI)  # the warning shows them escaped, never raw
    persons = _persons(out)
    for iri, labels in persons.items():
        assert not any(c in iri for c in BIDI), iri
        assert not any(c in label for label in labels for c in BIDI), (iri, labels)
    for name in ("ann-lee", "bob-ray", "carl-ode", "dan-fox"):
        assert f"{BASE}id/person/{name}" in persons, sorted(persons)
    assert not any(c in iri for iri in _iris(out) for c in BIDI)
