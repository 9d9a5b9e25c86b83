"""Serving at archive scale (issue 13, point 6): what the server keeps per release instead of reading it on
every request, the vocabulary the build writes for the query editor, and a search that does not rank more
matches than it can afford to. The figures are bench/bench_serving.py's; nothing here is timed."""

from __future__ import annotations

import json
import os
import shutil
import sqlite3
import urllib.request
from pathlib import Path

import pyoxigraph as ox
import pytest

from converter import search_index
from converter.search_index import Passage, search, write_index
from converter.serving_index import VOCABULARY, read_vocabulary
from server import store as server_store
from server.store import read_build_info

from .conftest import serving


def _get(url: str) -> dict:
    with urllib.request.urlopen(url, timeout=30) as resp:
        return json.loads(resp.read())


def _replace_json(path: Path, data: dict) -> None:
    """Write PATH anew (another file renamed over it), as a build writes its files."""
    tmp = path.with_name(path.name + ".tmp")
    tmp.write_text(json.dumps(data), encoding="utf-8")
    os.replace(tmp, path)


def _copy_build(seed_build: Path, to: Path) -> Path:
    shutil.copytree(seed_build, to, symlinks=True)
    return to


def _distinct(store_dir: Path) -> dict[str, list[str]]:
    """The classes and properties as the two DISTINCT scans the vocabulary was found by before find them."""
    store = ox.Store.read_only(str(store_dir))
    classes = {r["c"].value for r in store.query("SELECT DISTINCT ?c WHERE { ?s a ?c }", use_default_graph_as_union=True)
               if isinstance(r["c"], ox.NamedNode)}
    properties = {r["p"].value for r in store.query("SELECT DISTINCT ?p WHERE { ?s ?p ?o }",
                                                     use_default_graph_as_union=True)}
    return {"classes": sorted(classes), "properties": sorted(properties)}


# ------------------------------------------------------------------------------------------------ build.json

def test_build_info_is_parsed_once_and_again_when_the_file_changes(tmp_path: Path, monkeypatch) -> None:
    parses = []
    real = server_store.json.loads
    monkeypatch.setattr(server_store.json, "loads", lambda text: parses.append(1) or real(text))
    path = tmp_path / "build.json"
    _replace_json(path, {"base_uri": "https://example.org/", "documents": 1, "documents_index": [{"id": "1"}]})
    info = read_build_info(tmp_path)
    assert info == {"base_uri": "https://example.org/", "documents": 1}  # the per-document index is not kept
    info["documents"] = 99  # a caller's copy: the kept one is not changed
    assert read_build_info(tmp_path)["documents"] == 1 and len(parses) == 1
    _replace_json(path, {"base_uri": "https://example.org/", "documents": 2})
    assert read_build_info(tmp_path)["documents"] == 2 and len(parses) == 2
    path.unlink()
    with pytest.raises(OSError):
        read_build_info(tmp_path)


def test_the_server_reads_a_changed_build_json_and_a_new_build(seed_build: Path, tmp_path: Path) -> None:
    out = _copy_build(seed_build, tmp_path / "out")
    with serving(out) as url:
        assert _get(url + "/health")["documents"] == 1
        info = json.loads((out / "current" / "build.json").read_text())
        _replace_json(out / "current" / "build.json", {**info, "documents": 7})
        assert _get(url + "/health")["documents"] == 7
        # A new release published in its place (the current link swapped), with its own build.json.
        release = (out / "current").resolve()
        shutil.copytree(release, release.with_name("second"))
        _replace_json(release.with_name("second") / "build.json", {**info, "documents": 8, "build_time": "later"})
        os.symlink("releases/second", out / "current.new")
        os.replace(out / "current.new", out / "current")
        assert _get(url + "/health")["documents"] == 8


# ------------------------------------------------------------------------------------------------ vocabulary

def test_the_build_writes_the_classes_and_properties_the_store_holds(seed_build: Path) -> None:
    release = seed_build / "current"
    found = read_vocabulary(release)
    assert found == _distinct(release / "store")
    assert "https://w3id.org/archivekg/ontology#Claim" in found["classes"]  # type: ignore[index]


def test_the_editor_s_vocabulary_is_read_from_the_release(seed_build: Path, tmp_path: Path) -> None:
    """Taken from vocabulary.json, read again for a new release; a release without the file is scanned."""
    out = _copy_build(seed_build, tmp_path / "out")
    release = (out / "current").resolve()
    (release / VOCABULARY).unlink()  # as a release made before the build wrote it
    with serving(out) as url:
        got = _get(url + "/sparql/vocabulary")
        assert {k: got[k] for k in ("classes", "properties")} == _distinct(release / "store")
        second = release.with_name("second")
        shutil.copytree(release, second)
        info = json.loads((second / "build.json").read_text())
        _replace_json(second / "build.json", {**info, "build_time": "later"})
        _replace_json(second / VOCABULARY, {"classes": ["urn:x-test:Marker"], "properties": ["urn:x-test:marks"]})
        os.symlink("releases/second", out / "current.new")
        os.replace(out / "current.new", out / "current")
        got = _get(url + "/sparql/vocabulary")
        assert got["classes"] == ["urn:x-test:Marker"] and got["properties"] == ["urn:x-test:marks"]
        assert got["prefixes"]["person"] == info["base_uri"] + "id/person/"


# ------------------------------------------------------------------------------------------------ search

PASSAGES = [
    Passage("utterance", f"https://example.org/id/utterance/{i}", "111", "A document", "1968-10-01",
            "mao-zedong" if i % 2 else "zhou-enlai", text)
    for i, text in enumerate([
        "The troops crossed the border at dawn.",
        "Troops, troops and more troops: the border is closed.",
        "We spoke of the harvest and of the weather.",
        "The border troops of Dubček's country were not ready.",
        "Nothing about soldiers here.",
    ])
]


@pytest.fixture
def index(tmp_path: Path) -> Path:
    path = tmp_path / "search.sqlite"
    write_index(path, PASSAGES, {"mao-zedong": "Mao Zedong", "zhou-enlai": "Zhou Enlai"})
    return path


def _fts5(index: Path, q: str) -> list[tuple[str, str]]:
    """(IRI, snippet) best first, as FTS5 gives them asked of the whole index at once."""
    con = sqlite3.connect(index)
    try:
        return con.execute("SELECT p.iri, snippet(passages_fts, 0, '\x02', '\x03', '…', 24) FROM passages_fts "
                           "JOIN passages p ON p.id = passages_fts.rowid WHERE passages_fts MATCH ? "
                           "ORDER BY bm25(passages_fts), p.id", [q]).fetchall()
    finally:
        con.close()


def test_search_ranks_by_bm25_with_the_index_s_own_snippets(index: Path) -> None:
    total, hits = search(index, "troops")
    assert total == 3 and search_index.ranked(total)
    assert [(h.iri, h.snippet) for h in hits] == _fts5(index, '"troops"')
    assert hits[0].iri.endswith("/1") and all(h.score is not None for h in hits)  # the most troops first
    assert "\x02Troops\x03" in hits[0].snippet
    total, hits = search(index, "dubcek")  # diacritics folded, as the index was made
    assert total == 1 and "\x02Dubček\x03's" in hits[0].snippet


def test_search_matching_more_than_it_ranks_lists_by_document(index: Path, monkeypatch) -> None:
    monkeypatch.setattr(search_index, "RANK_MOST", 2)
    total, hits = search(index, "troops")
    assert total == 3 and not search_index.ranked(total)
    assert [h.iri.rsplit("/", 1)[1] for h in hits] == ["0", "1", "3"]  # as indexed, not by relevance
    assert all(h.score is None for h in hits) and "\x02troops\x03" in hits[0].snippet
    total, page2 = search(index, "troops", limit=2, offset=2)
    assert total == 3 and [h.iri.rsplit("/", 1)[1] for h in page2] == ["3"]
    total, hits = search(index, "troops", speaker="Mao Zedong")  # filtered: 2 matches, ranked again
    assert total == 2 and search_index.ranked(total) and [h.iri[-1] for h in hits] == ["1", "3"]
    assert search(index, "nowhere") == (0, [])


def test_search_json_says_whether_it_is_ranked(seed_build: Path, tmp_path: Path) -> None:
    out = _copy_build(seed_build, tmp_path / "out")
    with serving(out, {"ARCHIVEKG_QUERY_WORKERS": "0"}) as url:
        got = _get(url + "/search?q=airborne&format=json")
        assert got["ranked"] is True and got["total"] > 0 and all(r["score"] is not None for r in got["results"])
