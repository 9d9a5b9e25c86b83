"""`archivekg build` and `archivekg info` end to end: real CLI, real on-disk store, real files."""

from __future__ import annotations

import gzip
import hashlib
import json
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from .conftest import BASE, FIXTURES, ROOT, SEED, run_cli

BAD_DATE = "\n## Octember 45, 1968\n\n# A Talk between Ann Lee and Bob Ray\n\n**Ann Lee:** Hello.\n"
NO_TITLE = "\n## October 1, 1968\n\nA body with no title at all.\n"


def _corpus(tmp: Path, *extra: tuple[str, str]) -> Path:
    src = tmp / "corpus"
    src.mkdir()
    shutil.copy(SEED, src / SEED.name)
    for p in sorted((FIXTURES / "documents").glob("*.txt")):
        shutil.copy(p, src / p.name)
    for name, text in extra:
        (src / name).write_text(text, encoding="utf-8")
    return src


def _tree_bytes(root: Path) -> dict[str, bytes]:
    return {p.relative_to(root).as_posix(): p.read_bytes() for p in sorted(root.rglob("*")) if p.is_file()}


def test_seed_build_summary_and_info(seed_build: Path) -> None:
    info = json.loads((seed_build / "current" / "build.json").read_text())
    assert info["documents"] == 1 and info["utterances"] == 28 and info["persons"] == 3  # the speakers and Comrade Kapo
    assert info["base_uri"] == BASE
    res = run_cli("info", str(seed_build))
    assert res.returncode == 0
    assert "documents:   1" in res.stdout and "archivekg.ttl.gz" in res.stdout


def test_dumps_parse_back_to_the_store_count(seed_build: Path) -> None:
    cur = seed_build / "current"
    store = ox.Store.read_only(str(cur / "store"))
    n_store = len(store)
    with gzip.open(cur / "dumps" / "archivekg.nq.gz") as f:
        n_nq = sum(1 for _ in ox.parse(f, format=ox.RdfFormat.N_QUADS))
    with gzip.open(cur / "dumps" / "archivekg.ttl.gz") as f:
        n_ttl = len({(q.subject, q.predicate, q.object) for q in ox.parse(f, format=ox.RdfFormat.TURTLE)})
    per_doc = sum(
        sum(1 for _ in ox.parse(path=str(p), format=ox.RdfFormat.TURTLE))
        for p in (cur / "dumps").rglob("*.ttl")
    )
    assert n_store == n_nq == n_ttl == per_doc > 700


def test_void_describes_each_dump_truthfully(seed_build: Path) -> None:
    cur = seed_build / "current"
    void = ox.Store()
    void.load(path=str(cur / "void.ttl"), format=ox.RdfFormat.TURTLE)
    rows = void.query(
        """PREFIX dcat: <http://www.w3.org/ns/dcat#> PREFIX void: <http://rdfs.org/ns/void#>
        PREFIX spdx: <http://spdx.org/rdf/terms#>
        SELECT ?url ?size ?triples ?sha WHERE { ?d dcat:downloadURL ?url ; dcat:byteSize ?size ; void:triples ?triples ;
          spdx:checksum/spdx:checksumValue ?sha }"""
    )
    seen = 0
    for row in rows:
        path = cur / row["url"].value.removeprefix(BASE)
        assert int(row["size"].value) == path.stat().st_size
        assert row["sha"].value == hashlib.sha256(path.read_bytes()).hexdigest()
        seen += 1
    assert seen == 2
    total = next(iter(void.query("SELECT ?n WHERE { ?d a <http://rdfs.org/ns/void#Dataset> ; <http://rdfs.org/ns/void#documents> ?x ; <http://rdfs.org/ns/void#triples> ?n }")))
    assert int(total["n"].value) == len(ox.Store.read_only(str(cur / "store")))


def test_store_answers_sparql(seed_build: Path) -> None:
    store = ox.Store.read_only(str(seed_build / "current" / "store"))
    q = """PREFIX akg: <https://w3id.org/archivekg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX schema: <http://schema.org/>
    SELECT ?name (COUNT(?u) AS ?n) WHERE { ?u akg:spokenBy ?p . ?p rdfs:label ?name } GROUP BY ?name ORDER BY ?name"""
    rows = [(r["name"].value, int(r["n"].value)) for r in store.query(q, use_default_graph_as_union=True)]
    assert rows == [("Beqir Balluku", 14), ("Mao Zedong", 14)]


def test_two_builds_give_identical_bytes(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    outs = []
    for n, jobs in enumerate(("1", "2")):
        out = tmp_path / f"out{n}"
        res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--jobs", jobs)
        assert res.returncode == 0, res.stderr
        outs.append(out / "current")
    a, b = (_tree_bytes(o) for o in outs)
    # build.json holds the build's time; state.pickle is not published: the next build's record of the
    # source files (their inodes and times) and of what it can reuse
    a = {k: v for k, v in a.items() if not k.startswith("store/") and k not in ("build.json", "state.pickle")}
    b = {k: v for k, v in b.items() if not k.startswith("store/") and k not in ("build.json", "state.pickle")}
    assert a.keys() == b.keys() and len(a) > 15
    assert a == b


def test_bad_documents_are_all_reported_and_nothing_is_published(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    assert run_cli("build", str(src), "--out", str(out), "--base-uri", BASE).returncode == 0
    before = os.readlink(out / "current")
    before_bytes = _tree_bytes(out / "current" / "dumps")
    (src / "zz_bad_date.txt").write_text(BAD_DATE, encoding="utf-8")
    (src / "zz_no_title.txt").write_text(NO_TITLE, encoding="utf-8")
    (src / "zz_latin1.txt").write_bytes("## 1950\n\n# Caf\xe9 talk\n\nText.\n".encode("latin-1"))
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 1
    assert "zz_bad_date.txt:2:4: the date heading does not parse" in res.stderr
    assert "zz_no_title.txt:3" in res.stderr and "no title" in res.stderr
    assert "zz_latin1.txt:3:6: not valid UTF-8" in res.stderr
    assert "nothing was published" in res.stderr
    assert "Traceback" not in res.stderr
    assert os.readlink(out / "current") == before
    assert _tree_bytes(out / "current" / "dumps") == before_bytes


def test_keep_going_publishes_the_rest(tmp_path: Path) -> None:
    src = _corpus(tmp_path, ("zz_bad.txt", BAD_DATE))
    out = tmp_path / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--keep-going")
    assert res.returncode == 3, res.stderr
    assert "left out 1 document(s): zz_bad.txt" in res.stderr
    info = json.loads((out / "current" / "build.json").read_text())
    assert info["documents"] == len(list(src.glob("*.txt"))) - 1
    assert all(d["source"] != "zz_bad.txt" for d in info["documents_index"])


def test_duplicate_documents_are_refused(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    shutil.copy(SEED, src / "copy-of-seed.txt")
    res = run_cli("build", str(src), "--out", str(tmp_path / "out"), "--base-uri", BASE)
    assert res.returncode == 1
    assert "document 111239 comes from more than one file" in res.stderr


def test_keep_going_leaves_both_duplicates_out_of_the_store_loaded_while_converting(tmp_path: Path) -> None:
    """A full build loads each document into the store as soon as it is converted; two files of one id are
    found only afterwards: with --keep-going both are left out, and so is their graph."""
    src = _corpus(tmp_path)
    shutil.copy(SEED, src / "copy-of-seed.txt")
    out = tmp_path / "out"
    res = run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--keep-going", "--jobs", "2")
    assert res.returncode == 3, res.stderr
    assert "document 111239 comes from more than one file" in res.stderr
    info = json.loads((out / "current" / "build.json").read_text())
    assert "111239" not in {d["id"] for d in info["documents_index"]}
    store = ox.Store.read_only(str(out / "current" / "store"))
    assert f"{BASE}id/graph/111239" not in {g.value for g in store.named_graphs()}
    with gzip.open(out / "current" / "dumps" / "archivekg.nq.gz") as f:
        dumped = sorted(str(q) for q in ox.parse(f, format=ox.RdfFormat.N_QUADS))
    assert sorted(str(q) for q in store) == dumped  # the store holds exactly the dump's quads
    assert len(dumped) == info["triples"]


def test_without_fifos_the_store_is_loaded_from_the_dump_and_the_release_is_the_same(
        tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """Where the file system makes no FIFO, the store is loaded once the dumps are written: same release."""
    import errno

    from converter.build import run_build

    src = _corpus(tmp_path)
    outs = []
    for name, fifos in (("with", True), ("without", False)):
        if not fifos:
            def no_fifo(path: object, mode: int = 0o666) -> None:
                raise OSError(errno.EPERM, "Operation not permitted", str(path))

            monkeypatch.setattr(os, "mkfifo", no_fifo)  # as the store's loader calls it
        out = tmp_path / name
        outcome = run_build([src], out, base_uri=BASE, authority_dir=ROOT / "seeds" / "authority", jobs=2)
        assert outcome.published is not None and not outcome.failed
        assert ("store_wait" in outcome.release.seconds) is fifos  # loaded by the loader's thread
        outs.append(out / "current")
    a, b = (_tree_bytes(o) for o in outs)
    assert {k: v for k, v in a.items() if k.startswith("dumps/")} == {k: v for k, v in b.items() if k.startswith("dumps/")}
    stores = [sorted(str(q) for q in ox.Store.read_only(str(o / "store"))) for o in outs]
    assert stores[0] == stores[1] and len(stores[0]) > 1000


@pytest.mark.parametrize(
    ("args", "fragment"),
    [
        (["build", "no/such/dir", "--out", "{tmp}/o"], "no such file or directory"),
        (["build", str(SEED), "--out", "{tmp}/o", "--base-uri", "not-a-uri"], "must be an absolute http(s) URI"),
        (["info", "{tmp}/nothing-here"], "no published build here"),
        (["build", str(SEED), "--out", "{tmp}/occupied"], "is not an archivekg output directory"),
    ],
)
def test_user_mistakes_get_clear_errors(tmp_path: Path, args: list[str], fragment: str) -> None:
    (tmp_path / "occupied").mkdir()
    (tmp_path / "occupied" / "precious.txt").write_text("keep me")
    res = run_cli(*[a.format(tmp=tmp_path) for a in args])
    assert res.returncode in (1, 2)
    assert fragment in res.stderr
    assert "Traceback" not in res.stderr
    assert (tmp_path / "occupied" / "precious.txt").read_text() == "keep me"


@pytest.mark.parametrize("command", [[], ["build"], ["info"], ["serve"], ["validate"], ["evaluate"], ["link"],
                                     ["link", "propose"], ["link", "apply"], ["link", "report"]])
def test_help(command: list[str]) -> None:
    res = run_cli(*command, "--help")
    assert res.returncode == 0 and "Usage:" in res.stdout


def test_an_interrupted_build_leaves_the_previous_one_whole(tmp_path: Path) -> None:
    sys.path.insert(0, str(ROOT / "bench"))
    try:
        from generate_corpus import generate_corpus
    finally:
        sys.path.pop(0)
    src = tmp_path / "big"
    generate_corpus(src, documents=400, seed=3)
    out = tmp_path / "out"
    assert run_cli("build", str(SEED), "--out", str(out), "--base-uri", BASE).returncode == 0
    before = os.readlink(out / "current")
    before_bytes = _tree_bytes(out / "current")
    proc = subprocess.Popen(
        [sys.executable, "-m", "converter.cli", "build", str(src), "--out", str(out), "--base-uri", BASE, "--jobs", "1"],
        cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 60
    while not list((out / "releases").glob(".staging-*")) and time.monotonic() < deadline:
        time.sleep(0.02)
    time.sleep(0.3)
    proc.send_signal(signal.SIGKILL)
    proc.wait()
    assert os.readlink(out / "current") == before
    assert _tree_bytes(out / "current") == before_bytes
    # The next build cleans up what the killed one left and publishes.
    res = run_cli("build", str(SEED), "--out", str(out), "--base-uri", BASE)
    assert res.returncode == 0, res.stderr
    assert not list((out / "releases").glob(".staging-*"))


NAMESAKES = FIXTURES / "namesakes"


def _namesakes_authority(tmp: Path) -> Path:
    """seeds/authority with the two curated Kim Il of the fixture, both labelled 'Kim Il'."""
    auth = tmp / "authority"
    shutil.copytree(ROOT / "seeds" / "authority", auth)
    rows = (NAMESAKES / "persons.csv").read_text(encoding="utf-8").splitlines()[1:]
    with (auth / "persons.csv").open("a", encoding="utf-8") as f:
        f.write("\n".join(rows) + "\n")
    return auth


def _spoken_by(out: Path, label: str) -> set[tuple[str, str]]:
    """(person IRI, document IRI) of every utterance spoken by a person with this label."""
    store = ox.Store.read_only(str(out / "current" / "store"))
    q = """PREFIX akg: <https://w3id.org/archivekg/ontology#> PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#>
    PREFIX dcterms: <http://purl.org/dc/terms/>
    SELECT DISTINCT ?p ?doc WHERE { VALUES ?label { %s } ?u akg:spokenBy ?p ; dcterms:isPartOf ?doc . ?p rdfs:label ?label }"""
    rows = store.query(q % json.dumps(label), use_default_graph_as_union=True)
    return {(r["p"].value, r["doc"].value) for r in rows}


def test_namesakes_and_roles_are_published_kept_apart_and_listed_to_review(tmp_path: Path) -> None:
    out = tmp_path / "out"
    res = run_cli("build", str(NAMESAKES / "corpus"), "--out", str(out), "--base-uri", BASE,
                  "--authority", str(_namesakes_authority(tmp_path)))
    assert res.returncode == 0, res.stderr
    info = json.loads((out / "current" / "build.json").read_text())
    corpus = sorted(p.name for p in (NAMESAKES / "corpus").glob("*.txt"))
    assert info["documents"] == 8 and sorted(d["source"] for d in info["documents_index"]) == corpus
    assert info["left_out"] == []

    person, doc = f"{BASE}id/person/", f"{BASE}id/document/"
    expected = {
        ("same-name-persons", "Kim Il"): {("960107", "kim_il_1953.txt", "kim-il-1910"),
                                          ("960108", "kim_il_1982.txt", "kim-il-student")},
        ("role-label", "Translator"): {("960101", "translator_1971.txt", "960101-translator"),
                                       ("960102", "translator_1972.txt", "960102-translator")},
        ("role-label", "Interpreter"): {("960103", "interpreter_1965.txt", "960103-interpreter"),
                                        ("960104", "interpreter_1966.txt", "960104-interpreter")},
        ("role-label", "Chairman"): {("960105", "chairman_1958.txt", "960105-chairman"),
                                     ("960106", "chairman_1959.txt", "960106-chairman")},
    }
    review = {(item["kind"], item["label"]): item for item in info["review"]}
    assert review.keys() == expected.keys()
    assert info["review"][0]["kind"] == "same-name-persons"  # the items that may need a decision come first
    for key, where in expected.items():
        item = review[key]
        assert {(d["id"], d["source"], d["person"]) for d in item["documents"]} == {
            (i, s, person + slug) for i, s, slug in where}
        assert sorted(item["persons"]) == sorted(person + slug for _i, _s, slug in where)
        assert "docs/review.md" in item["how"]
        # Nothing merged: each person speaks in its own document only, under its own IRI.
        assert _spoken_by(out, key[1]) == {(person + slug, doc + i) for i, _s, slug in where}

    # Namesakes are a warning naming their files; a role in many documents is not.
    warnings = [line for line in res.stderr.splitlines() if line.startswith("warning:")]
    assert any(line.startswith("warning: kim_il_1953.txt, kim_il_1982.txt: Warning: 2 different persons are "
                               "labelled 'Kim Il'") for line in warnings), res.stderr
    assert not [line for line in warnings if "Translator" in line or "Interpreter" in line or "Chairman" in line]
    assert "to review: 4 item(s) (3 role-label, 1 same-name-persons), nothing merged" in res.stderr
    assert "error" not in res.stderr

    # One language written two ways ("Persian", "Farsi") is one language with one label.
    store = ox.Store.read_only(str(out / "current" / "store"))
    labels = [r["l"].value for r in store.query(
        "SELECT ?l WHERE { <http://lexvo.org/id/iso639-3/fas> <http://www.w3.org/2000/01/rdf-schema#label> ?l }",
        use_default_graph_as_union=True)]
    assert labels == ["Farsi"] or labels == ["Persian"], labels

    shown = run_cli("info", str(out))
    assert shown.returncode == 0
    text = shown.stdout
    assert "to review (4)" in text
    assert "same-name-persons: 2 persons labelled 'Kim Il'" in text
    assert f"kim_il_1953.txt (document 960107): {person}kim-il-1910" in text
    assert f"kim_il_1982.txt (document 960108): {person}kim-il-student" in text
    assert f"translator_1972.txt (document 960102): {person}960102-translator" in text
    assert text.index("'Kim Il'") < text.index("'Chairman'")
    as_json = run_cli("info", str(out), "--json")
    assert json.loads(as_json.stdout)["review"] == info["review"]

    checked = run_cli("validate", str(out))
    assert checked.returncode == 0, checked.stdout
    assert checked.stdout.startswith("conforms, 1 warning(s), 4 item(s) to review")


def test_keep_going_leaves_out_only_the_document_that_breaks_a_rule_across_documents(tmp_path: Path) -> None:
    """A curator's rule on the entities graph, broken by one document's uncurated archive: only it is left out."""
    src = tmp_path / "corpus"
    shutil.copytree(NAMESAKES / "corpus", src)
    shutil.copy(NAMESAKES / "uncurated_archive.txt", src / "uncurated_archive.txt")
    shapes = tmp_path / "shapes"
    shutil.copytree(ROOT / "shapes", shapes, ignore=shutil.ignore_patterns("*.md"))
    shutil.copy(NAMESAKES / "curated-organisations.ttl", shapes / "zz-curated-organisations.ttl")
    args = ["build", str(src), "--base-uri", BASE, "--shapes", str(shapes),
            "--authority", str(_namesakes_authority(tmp_path))]
    rule = "Violation: An organisation needs a type (akg:entityType): curate it in organizations.csv."

    refused = run_cli(*args, "--out", str(tmp_path / "refused"))
    assert refused.returncode == 1, refused.stderr
    assert f"error: uncurated_archive.txt: {rule}" in refused.stderr
    assert "cross-document constraint(s), in uncurated_archive.txt; nothing was published" in refused.stderr
    assert not (tmp_path / "refused" / "current").exists()

    out = tmp_path / "out"
    res = run_cli(*args, "--out", str(out), "--keep-going")
    assert res.returncode == 3, res.stderr
    assert f"error: uncurated_archive.txt: {rule}" in res.stderr
    assert "left out 1 document(s): uncurated_archive.txt" in res.stderr
    info = json.loads((out / "current" / "build.json").read_text())
    assert sorted(d["source"] for d in info["documents_index"]) == sorted(p.name for p in (NAMESAKES / "corpus").glob("*.txt"))
    assert [(d["source"], d["id"]) for d in info["left_out"]] == [("uncurated_archive.txt", "960199")]
    assert rule in info["left_out"][0]["errors"][0]
    store = ox.Store.read_only(str(out / "current" / "store"))
    graphs = {g.value.rsplit("/", 1)[-1] for g in store.named_graphs()}
    assert "960199" not in graphs and {"960101", "960105", "960108", "entities"} <= graphs
    assert "archive-of-the-fisheries-ministry-of-atlantis" not in (out / "current" / "dumps" / "entities.ttl").read_text()
    chairman = next(item for item in info["review"] if item["label"] == "Chairman")
    assert sorted(d["source"] for d in chairman["documents"]) == ["chairman_1958.txt", "chairman_1959.txt"]
    shown = run_cli("info", str(out)).stdout
    assert "left out (1)" in shown and f"uncurated_archive.txt: {rule}" in shown
