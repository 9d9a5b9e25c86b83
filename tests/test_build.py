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
    assert info["documents"] == 1 and info["utterances"] == 28 and info["persons"] == 2
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
    a = {k: v for k, v in a.items() if not k.startswith("store/") and k != "build.json"}
    b = {k: v for k, v in b.items() if not k.startswith("store/") and k != "build.json"}
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
