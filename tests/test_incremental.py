"""Incremental rebuilds (issue 13, point 5), through the real command line on real on-disk builds.

A rebuild after documents changed, were added or were removed must publish the same release as a full
build of the same input: the same quads in the store, byte-identical dumps, VoID and sources, the same
rows in the search index, the same build.json (times and the rebuild record aside). A change of shapes,
authority data or base URI forces a full rebuild and says why. A killed or failed incremental build
leaves the published release whole.
"""

from __future__ import annotations

import json
import os
import random
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.cache import Plan, fingerprint, full_build_reason, plan, software_digest

from .conftest import BASE, FIXTURES, ROOT, run_cli
from .test_build_faults import _leftovers, _published

AUTHORITY = ROOT / "seeds" / "authority"
CHANGED = "bold_labels.txt"  # document 121874
ADDED = "telegram.txt"
REMOVED = "letter.txt"


def _corpus(tmp: Path, leave_out: tuple[str, ...] = ()) -> Path:
    src = tmp / "src"
    src.mkdir()
    for f in [*sorted((ROOT / "seeds" / "documents").glob("*.txt")), *sorted((FIXTURES / "documents").glob("*.txt"))]:
        if f.name not in leave_out:
            shutil.copyfile(f, src / f.name)
    return src


def _build(src: Path, out: Path, *extra: str, authority: Path = AUTHORITY) -> subprocess.CompletedProcess[str]:
    return run_cli("build", str(src), "--out", str(out), "--base-uri", BASE, "--authority", str(authority),
                   "--no-progress", *extra)


def _ok(res: subprocess.CompletedProcess[str]) -> None:
    assert res.returncode == 0, res.stderr
    assert "Traceback" not in res.stderr, res.stderr


def _rebuild_info(out: Path) -> dict:
    return json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))["rebuild"]


def _doc_id(out: Path, source: str) -> str:
    info = json.loads((out / "current" / "build.json").read_text(encoding="utf-8"))
    return next(d["id"] for d in info["documents_index"] if d["source"] == source)


def _release(release: Path) -> dict:
    """Everything a release publishes, in a form two releases can be compared by."""
    files = {p.relative_to(release).as_posix(): p.read_bytes()
             for sub in ("dumps", "sources") for p in sorted((release / sub).rglob("*")) if p.is_file()}
    files["void.ttl"] = (release / "void.ttl").read_bytes()
    store = ox.Store.read_only(str(release / "store"))
    quads = sorted(str(q) for q in store)
    graphs = sorted(str(g) for g in store.named_graphs())
    con = sqlite3.connect(f"file:{release / 'search.sqlite'}?mode=ro", uri=True)
    try:
        rows = sorted(con.execute("SELECT kind, iri, doc_id, doc_title, date, speaker, speaker_label, text FROM passages")
                      .fetchall(), key=repr)
        words = sorted({w for (t,) in con.execute("SELECT text FROM passages") for w in t.split() if w.isalpha()})
        rng = random.Random(13)
        found = {w: sorted(iri for (iri,) in con.execute(
            "SELECT p.iri FROM passages_fts JOIN passages p ON p.id = passages_fts.rowid WHERE passages_fts MATCH ?",
            (f'"{w}"',))) for w in rng.sample(words, min(40, len(words)))}
    finally:
        con.close()
    info = json.loads((release / "build.json").read_text(encoding="utf-8"))
    for key in ("build_time", "seconds", "rebuild"):
        info.pop(key)
    return {"files": files, "quads": quads, "graphs": graphs, "rows": rows, "search": found, "build.json": info}


def _fts_intact(release: Path) -> None:
    """The FTS index agrees with its content table (SQLite's own check; raises if not)."""
    copy = release.parent / f".check-{os.getpid()}.sqlite"
    shutil.copyfile(release / "search.sqlite", copy)
    try:
        con = sqlite3.connect(copy)
        con.execute("INSERT INTO passages_fts(passages_fts, rank) VALUES ('integrity-check', 1)")
        con.close()
    finally:
        copy.unlink()


def _assert_same(a: dict, b: dict) -> None:
    assert a["files"].keys() == b["files"].keys()
    for name in a["files"]:
        assert a["files"][name] == b["files"][name], f"{name} differs from the full build's"
    for key in ("quads", "graphs", "rows", "search", "build.json"):
        assert a[key] == b[key], f"{key} differs from the full build's"


def _full_build_of(src: Path, tmp: Path) -> dict:
    out = tmp / f"full-{time.time_ns()}"
    _ok(_build(src, out))
    assert _rebuild_info(out)["mode"] == "full"
    return _release(out / "current")


def test_changing_one_document_replaces_only_its_graph_and_equals_a_full_build(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    first = out / "current"
    old_release = first.resolve()
    old = _release(old_release)
    ident = _doc_id(out, CHANGED)
    text = (src / CHANGED).read_text(encoding="utf-8")
    assert "Mao" in text
    (src / CHANGED).write_text(text.replace("Mao", "Chairman Mao", 1), encoding="utf-8")

    res = _build(src, out)
    _ok(res)
    assert "full rebuild" not in res.stderr, res.stderr
    info = _rebuild_info(out)
    assert info == {"mode": "incremental", "converted": 1, "loaded": [ident], "removed": []}
    new = _release(out / "current")
    assert new["files"][f"dumps/documents/{ident}.ttl"] != old["files"][f"dumps/documents/{ident}.ttl"]
    assert any("Chairman Mao" in row[-1] for row in new["rows"])
    _assert_same(new, _full_build_of(src, tmp_path))
    _fts_intact((out / "current").resolve())
    # The snapshot shares the previous release's files but never changes them.
    assert _release(old_release) == old


def test_added_and_removed_documents(tmp_path: Path) -> None:
    src = _corpus(tmp_path, leave_out=(ADDED,))
    out = tmp_path / "out"
    _ok(_build(src, out))
    removed = _doc_id(out, REMOVED)
    shutil.copyfile(FIXTURES / "documents" / ADDED, src / ADDED)
    (src / REMOVED).unlink()

    _ok(_build(src, out))
    info = _rebuild_info(out)
    added = _doc_id(out, ADDED)
    assert info == {"mode": "incremental", "converted": 1, "loaded": [added], "removed": [removed]}
    new = _release(out / "current")
    assert f"dumps/documents/{added}.ttl" in new["files"] and f"sources/{ADDED}" in new["files"]
    assert f"dumps/documents/{removed}.ttl" not in new["files"] and f"sources/{REMOVED}" not in new["files"]
    assert f"<{BASE}id/graph/{removed}>" not in new["graphs"] and not any(r[2] == removed for r in new["rows"])
    assert any(r[2] == added for r in new["rows"])
    _assert_same(new, _full_build_of(src, tmp_path))
    _fts_intact((out / "current").resolve())


def test_an_unchanged_rebuild_converts_nothing(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    before = _release(out / "current")
    _ok(_build(src, out))
    assert _rebuild_info(out) == {"mode": "incremental", "converted": 0, "loaded": [], "removed": []}
    _assert_same(_release(out / "current"), before)


def _changed_shapes(tmp: Path) -> list[str]:
    shapes = tmp / "shapes"
    shutil.copytree(ROOT / "shapes", shapes)
    with (shapes / "person.ttl").open("a", encoding="utf-8") as f:
        f.write("\n# a curator's note\n")
    return ["--shapes", str(shapes)]


def _changed_authority(tmp: Path) -> list[str]:
    persons = tmp / "authority" / "persons.csv"
    persons.write_text(persons.read_text(encoding="utf-8").replace("First Secretary", "First secretary", 1),
                       encoding="utf-8")
    return []


CHANGES = {
    "shapes": (_changed_shapes, "the SHACL shapes changed"),
    "authority": (_changed_authority, "the authority data changed"),
    "base URI": (lambda _tmp: ["--base-uri", "https://other.example.org/"], "the base URI changed"),
    "--full": (lambda _tmp: ["--full"], "--full was given"),
}


@pytest.mark.parametrize("what", list(CHANGES))
def test_a_change_that_affects_every_document_forces_a_full_rebuild_and_says_why(tmp_path: Path, what: str) -> None:
    src = _corpus(tmp_path)
    authority = tmp_path / "authority"
    shutil.copytree(AUTHORITY, authority)
    out = tmp_path / "out"
    _ok(_build(src, out, authority=authority))
    change, reason = CHANGES[what]
    extra = change(tmp_path)
    res = _build(src, out, *extra, authority=authority)
    _ok(res)
    lines = [line for line in res.stderr.splitlines() if "full rebuild" in line]
    assert lines == [f"archivekg: full rebuild: {reason}"], res.stderr
    info = _rebuild_info(out)
    assert info["mode"] == "full" and info["reason"] == reason
    assert info["converted"] == 16
    # The build after it is incremental again.
    again = _build(src, out, *[a for a in extra if a != "--full"], authority=authority)
    _ok(again)
    assert "full rebuild" not in again.stderr
    assert _rebuild_info(out)["mode"] == "incremental"


def test_a_failed_incremental_build_leaves_the_published_release_whole(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    link = os.readlink(out / "current")
    before = _release(out / "current")
    text = (src / CHANGED).read_text(encoding="utf-8")
    broken = "## Octember 45, 1968\n" + text.split("\n", 1)[1]
    (src / CHANGED).write_text(broken, encoding="utf-8")
    res = _build(src, out)
    assert res.returncode == 1, res.stderr
    assert "Traceback" not in res.stderr and "Octember" in res.stderr and "previous build" in res.stderr, res.stderr
    assert os.readlink(out / "current") == link
    _published(out)
    _assert_same(_release(out / "current"), before)


def test_a_killed_incremental_build_leaves_the_published_release_whole(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    before = _release(out / "current")
    text = (src / CHANGED).read_text(encoding="utf-8")
    (src / CHANGED).write_text(text.replace("Mao", "Chairman Mao", 1), encoding="utf-8")
    (src / REMOVED).unlink()
    expected = _full_build_of(src, tmp_path)
    args = [sys.executable, "-m", "converter.cli", "build", str(src), "--out", str(out), "--base-uri", BASE,
            "--authority", str(AUTHORITY), "--no-progress"]
    rng = random.Random(20261213)
    killed_at = []
    for _ in range(6):
        delay = rng.uniform(0.3, 3.0)  # an incremental build of these takes about 2 s, most of it starting up
        proc = subprocess.Popen(args, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
                                start_new_session=True)
        time.sleep(delay)
        os.killpg(proc.pid, signal.SIGKILL)
        proc.wait(timeout=30)
        killed_at.append(round(delay, 2))
        _published(out)  # whole: store, dumps and build.json agree
        now = _release(out / "current")
        assert now == before or now == expected, f"a half-updated release was published (killed at {killed_at})"
    _ok(_build(src, out))
    _assert_same(_release(out / "current"), expected)
    assert _leftovers(out) == []


# The decision itself, as pure functions.

FP = fingerprint(software="1", authority="a", shapes="s", base_uri=BASE, graph_time=None)


@pytest.mark.parametrize("key, reason", [
    ("software", "the archivekg software changed (its version or its code)"), ("authority", "the authority data changed"),
    ("shapes", "the SHACL shapes changed"), ("base_uri", "the base URI changed"),
    ("graph_time", "the build time written into the graph (SOURCE_DATE_EPOCH) changed"),
])
def test_full_build_reason_names_what_changed(key: str, reason: str) -> None:
    assert full_build_reason({"fingerprint": FP}, FP, forced=False) is None
    assert full_build_reason({"fingerprint": {**FP, key: "other"}}, FP, forced=False) == reason
    assert full_build_reason({"fingerprint": FP}, FP, forced=True) == "--full was given"
    assert full_build_reason(None, FP, forced=False) == "nothing is published yet"
    assert full_build_reason({}, FP, forced=False) == "the previous build was made by a build without incremental support"


def test_plan_compares_documents_by_id_source_and_bytes() -> None:
    before = [{"id": "1", "source": "a.txt", "sha256": "x"}, {"id": "2", "source": "b.txt", "sha256": "y"},
              {"id": "3", "source": "c.txt", "sha256": "z"}, {"id": "4", "source": "d.txt", "sha256": "w"}]
    now = [("1", "a.txt", "x"), ("2", "b.txt", "y2"), ("3", "c2.txt", "z"), ("5", "e.txt", "v")]
    assert plan(before, now) == Plan(load=("2", "3", "5"), remove=("4",), kept=("1",))


def test_the_software_digest_changes_with_the_version_and_with_the_code(tmp_path: Path) -> None:
    package = tmp_path / "converter"
    shutil.copytree(ROOT / "converter", package, ignore=shutil.ignore_patterns("__pycache__"))
    digest = software_digest("1", package)
    assert software_digest("1", ROOT / "converter") == digest
    assert software_digest("2", package) != digest
    with (package / "to_rdf.py").open("a", encoding="utf-8") as f:
        f.write("\n# a local fix\n")
    assert software_digest("1", package) != digest


# What an incremental build reads, and the build state it keeps (state.pickle).

def test_an_unchanged_source_file_is_neither_read_nor_hashed(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    """The build, in this process with one worker: of the source files only the edited one is read."""
    from converter.build import run_build
    from converter.cache import RACY_NS

    src = _corpus(tmp_path)
    time.sleep(RACY_NS / 1e9)  # files changed just before a build are hashed by the next (see the next tests)
    out = tmp_path / "out"
    _ok(_build(src, out))
    text = (src / CHANGED).read_text(encoding="utf-8")
    (src / CHANGED).write_text(text.replace("Mao", "Chairman Mao", 1), encoding="utf-8")
    read: list[str] = []
    real = Path.read_bytes

    def read_bytes(self: Path) -> bytes:
        if self.parent == src:
            read.append(self.name)
        return real(self)

    monkeypatch.setattr(Path, "read_bytes", read_bytes)
    outcome = run_build([src], out, base_uri=BASE, authority_dir=AUTHORITY, jobs=1, progress_bar=False)
    assert outcome.release is not None and outcome.full_reason is None
    assert set(read) == {CHANGED}  # hashed, then converted
    assert _rebuild_info(out)["loaded"] == [_doc_id(out, CHANGED)]


def test_a_touched_file_is_hashed_again_and_found_unchanged(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    before = _release(out / "current")
    later = time.time_ns() + 5_000_000_000
    os.utime(src / CHANGED, ns=(later, later))  # new times, same bytes
    _ok(_build(src, out))
    assert _rebuild_info(out) == {"mode": "incremental", "converted": 0, "loaded": [], "removed": []}
    _assert_same(_release(out / "current"), before)


def test_stat_key_distrusts_a_file_changed_just_before_the_scan() -> None:
    from converter.cache import RACY_NS, stat_key

    st = os.stat(__file__)
    now = max(st.st_mtime_ns, st.st_ctime_ns)
    assert stat_key(st, now + RACY_NS + 1) == (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)
    assert stat_key(st, now + RACY_NS - 1) is None  # an edit in the same clock tick would not show: hash it next time


def test_rebuild_after_rebuild_equals_a_full_build(tmp_path: Path) -> None:
    """Each rebuild copies the previous dumps by range and takes the previous blocks of the entities graph
    and VoID: after several, in which persons come and go and a document is restored, the release is still
    byte for byte a full build's."""
    src = _corpus(tmp_path, leave_out=(ADDED,))
    out = tmp_path / "out"
    _ok(_build(src, out))
    original = (src / CHANGED).read_text(encoding="utf-8")
    steps = [
        lambda: (src / CHANGED).write_text(original.replace("Mao", "Chairman Mao", 1), encoding="utf-8"),
        lambda: shutil.copyfile(FIXTURES / "documents" / ADDED, src / ADDED),
        lambda: (src / REMOVED).unlink(),
        lambda: (src / CHANGED).write_text(original, encoding="utf-8"),
        lambda: shutil.copyfile(ROOT / "seeds" / "documents" / REMOVED if (ROOT / "seeds" / "documents" / REMOVED).is_file()
                                else FIXTURES / "documents" / REMOVED, src / REMOVED),
        # a document without an archive URL: its id is a hash of its text, so the edit changes its id
        lambda: (src / "report.txt").write_text((src / "report.txt").read_text(encoding="utf-8") + "\nA later note.\n",
                                                encoding="utf-8"),
    ]
    ids = []
    for step in steps:
        step()
        res = _build(src, out, "--verbose")
        _ok(res)
        assert _rebuild_info(out)["mode"] == "incremental"
        ids.append(_doc_id(out, "report.txt"))
    assert ids[-1] != ids[0] and _rebuild_info(out)["removed"] == [ids[0]]
    full = _build(src, tmp_path / "full", "--verbose")
    _ok(full)
    _assert_same(_release(out / "current"), _release(tmp_path / "full" / "current"))
    # the same warnings, in the same order: the entities graph's validated only where it changed, the rest kept
    assert [line for line in res.stderr.splitlines() if line.startswith("warning:")] == \
        [line for line in full.stderr.splitlines() if line.startswith("warning:")]
    _published(out)

    # Each rebuild dropped from the caches only what the documents it replaced used (the caches are not
    # listed whole), and they hold what a full build's do; the releases retired are gone.
    def cached(o: Path) -> list[str]:
        return sorted(p.relative_to(o / ".cache").as_posix() for p in (o / ".cache").rglob("*") if p.is_file())

    assert cached(out) == cached(tmp_path / "full")
    assert len(cached(out)) > 10
    releases = list((out / "releases").iterdir())
    assert len(releases) == 2 and not any(p.name.startswith(".") for p in releases)


def test_a_damaged_build_state_forces_a_full_rebuild_and_says_why(tmp_path: Path) -> None:
    src = _corpus(tmp_path)
    out = tmp_path / "out"
    _ok(_build(src, out))
    state = (out / "current").resolve() / "state.pickle"
    os.chmod(state.parent, 0o755)
    state.write_bytes(b"not a pickle")
    res = _build(src, out)
    _ok(res)
    assert [line for line in res.stderr.splitlines() if "full rebuild" in line] == [
        "archivekg: full rebuild: the published build's state (state.pickle) is missing, damaged or of another format"]
    assert _rebuild_info(out)["mode"] == "full"
    _ok(_build(src, out))
    assert _rebuild_info(out)["mode"] == "incremental"
