"""What an incremental build reuses: the per-document conversion cache and the full-or-incremental decision.

A document's conversion depends only on its bytes, its path under the source root and
the build's *fingerprint*: the software version, the authority data, the SHACL shapes,
the base URI and the time written into the graph (``SOURCE_DATE_EPOCH``). Each
converted document is kept in ``OUT/.cache/documents/`` under a hash of those, as the
files the release is made of:

    <key>.nq.gz       its sorted N-Quads as one gzip member (concatenated into dumps/archivekg.nq.gz,
                      and loaded into the store from there)
    <key>.ttl         its per-document Turtle dump, prefixes included (dumps/documents/<id>.ttl)
    <key>.ttl.gz      its Turtle statements as one gzip member (concatenated into dumps/archivekg.ttl.gz)
    <key>.passages.json   its rows of the full-text index
    <key>.json        the plain-data DocResult, written last: an entry without it does not exist

``plan`` and ``full_build_reason`` are pure; ``DocCache`` holds the file I/O.

Each release also holds its *build state* (``state.pickle``, ``BuildState``): what the next build needs
to update it without reading every document again. The (size, mtime, ctime, inode) and sha256 of each
source file, so that a file whose stat is unchanged is neither read nor hashed; the plain-data result of
each published document, so that no cache entry is read for an unchanged one; where each graph's gzip
member lies in the whole-archive dumps, so that they are copied by range; and the Turtle and N-Quads of
each subject of the entities graph and of the VoID description, with a digest of what made them, so that
only the subjects that changed are made again; and the checks of persons across documents by label and by
person (``validate.PersonChecks``), so that only those of the persons a rebuild touched are made again.
Each result is pickled on its own, and one taken unchanged is written back as the bytes it was read from.
"""

from __future__ import annotations

import dataclasses
import gc
import hashlib
import json
import os
import pickle
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import NamedTuple

from zlib_ng import gzip_ng

__all__ = [
    "CACHE_FORMAT", "DocCache", "Plan", "directory_digest", "document_key", "fingerprint", "full_build_reason",
    "gzip_member", "part", "plan", "read_passages", "result_from_json", "result_to_json", "software_digest",
    "BuildState", "SubjectBlock", "NO_STATE", "REASONS", "STATE_FILE", "load_state", "prune_dir", "save_state", "stat_key",
    "RACY_NS",
]

CACHE_FORMAT = "1"  # raise when what the cache or the release layout holds changes

# What forces a full rebuild, in the order they are checked, and how the build says so.
REASONS = {
    "format": "the previous build was made by a build without incremental support",
    "software": "the archivekg software changed (its version or its code)",
    "authority": "the authority data changed",
    "shapes": "the SHACL shapes changed",
    "base_uri": "the base URI changed",
    "graph_time": "the build time written into the graph (SOURCE_DATE_EPOCH) changed",
}


NO_STATE = f"the published build's state ({'state.pickle'}) is missing, damaged or of another format"


def directory_digest(directory: Path | None, pattern: str) -> str:
    """sha256 of the names and bytes of the files matching ``pattern`` in ``directory`` ("" for none)."""
    if directory is None or not directory.is_dir():
        return ""
    h = hashlib.sha256()
    for f in sorted(directory.glob(pattern)):
        if f.is_file():
            h.update(f.name.encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def software_digest(version: str, package: Path | None = None) -> str:
    """The version and a hash of the converter's own code: a change of code without a new version
    (a checkout, a local fix) must not reuse documents converted by other code."""
    package = package or Path(__file__).resolve().parent
    h = hashlib.sha256(version.encode() + b"\0")
    for f in sorted(package.rglob("*.py")):
        h.update(f.relative_to(package).as_posix().encode() + b"\0" + f.read_bytes() + b"\0")
    return h.hexdigest()


def fingerprint(*, software: str, authority: str, shapes: str, base_uri: str, graph_time: str | None) -> dict[str, str]:
    """Everything besides a document's own bytes that its conversion depends on."""
    return {"format": CACHE_FORMAT, "software": software, "authority": authority, "shapes": shapes,
            "base_uri": base_uri, "graph_time": graph_time or ""}


def full_build_reason(previous: dict | None, current: dict[str, str], *, forced: bool) -> str | None:
    """Why this build must be a full one, or None when the previous release can be updated in place.

    ``previous`` is the published build.json (None when nothing is published).
    """
    if forced:
        return "--full was given"
    if previous is None:
        return "nothing is published yet"
    before = previous.get("fingerprint")
    if not isinstance(before, dict):
        return REASONS["format"]
    for key in REASONS:
        if before.get(key) != current.get(key):
            return REASONS[key]
    return None


def document_key(fp: dict[str, str], relpath: str, sha256: str) -> str:
    """The cache key of one source file under one fingerprint."""
    h = hashlib.sha256(json.dumps(fp, sort_keys=True).encode())
    h.update(b"\0" + relpath.encode() + b"\0" + sha256.encode())
    return h.hexdigest()


@dataclass(frozen=True)
class Plan:
    """The graphs an incremental build changes in the previous release: document ids, sorted."""

    load: tuple[str, ...]  # new or changed documents: their graph is replaced
    remove: tuple[str, ...]  # documents no longer built: their graph, rows and dump go
    kept: tuple[str, ...]  # unchanged

    @property
    def touched(self) -> set[str]:
        return {*self.load, *self.remove}


def plan(previous_index: list[dict], current: list[tuple[str, str, str]]) -> Plan:
    """Compare the previous release's documents_index with (id, source, sha256) of this build's documents."""
    before = {d["id"]: (d["source"], d["sha256"]) for d in previous_index}
    now = {ident: (src, sha) for ident, src, sha in current}
    load = sorted(i for i, v in now.items() if before.get(i) != v)
    return Plan(tuple(load), tuple(sorted(set(before) - set(now))), tuple(sorted(set(now) - set(load))))


# The files of a DocCache entry, its meta first: an entry whose removal stops half-way no longer exists.
ENTRY_SUFFIXES = (".json", ".nq.gz", ".ttl", ".ttl.gz", ".passages.json")


def part(stem: str | Path, suffix: str) -> Path:
    """One file of a cache entry: ``part(stem, ".nq.gz")``."""
    stem = Path(stem)
    return stem.parent / (stem.name + suffix)


def read_passages(stem: str | Path) -> list[tuple]:
    """A cached document's rows of the full-text index."""
    return [tuple(p) for p in json.loads(part(stem, ".passages.json").read_text(encoding="utf-8"))]


def gzip_member(data: bytes) -> bytes:
    """``data`` as one deterministic gzip member (no name, no time); members concatenate into a valid gzip file.

    Written by zlib-ng: at the same level, 40% less time than the standard library's zlib, and smaller
    (docs/decisions.md)."""
    return gzip_ng.compress(data, compresslevel=6, mtime=0)


_TUPLE_FIELDS = ("agents", "references", "languages", "passages")


def result_to_json(result: object) -> dict:
    d = asdict(result)  # type: ignore[call-overload]
    d.pop("fault", None)
    return d


def result_from_json(d: dict):  # type: ignore[no-untyped-def]
    """A DocResult from its JSON form, tuples where the worker makes tuples."""
    from .pipeline import DocResult

    d = dict(d)
    for name in _TUPLE_FIELDS:
        d[name] = [tuple(x) for x in d.get(name, [])]
    d["persons"] = [(s, n, c, tuple(w)) for s, n, c, w in d.get("persons", [])]
    if d.get("archive") is not None:
        slug, label, aliases, qid = d["archive"]
        d["archive"] = (slug, label, tuple(aliases), qid)
    return DocResult(**d)


@dataclass(frozen=True)
class DocCache:
    """Converted documents under ``OUT/.cache/documents``, by ``document_key``."""

    path: Path

    def stem(self, key: str) -> Path:
        return self.path / key[:2] / key

    def get(self, key: str) -> dict | None:
        meta = self.stem(key).with_suffix(".json")
        try:
            return json.loads(meta.read_text(encoding="utf-8"))
        except (OSError, ValueError):
            return None  # absent or damaged: converted again

    def put(self, key: str, meta: dict, files: dict[str, bytes]) -> Path:
        """Write an entry's files (``files`` by suffix, e.g. ".nq.gz"), then its meta: a killed write leaves no entry."""
        stem = self.stem(key)
        stem.parent.mkdir(parents=True, exist_ok=True)
        for suffix, data in [*files.items(), (".json", json.dumps(meta, ensure_ascii=False).encode("utf-8"))]:
            target = stem.parent / (key + suffix)
            tmp = stem.parent / f"{key}{suffix}.{os.getpid()}.tmp"
            tmp.write_bytes(data)
            os.replace(tmp, target)
        return stem

    def prune(self, keep: set[str]) -> None:
        """Drop the entries the last published build did not use, and half-written files (``os.scandir``:
        80,000 files at archive scale, listed in a tenth of the time ``Path.glob`` takes)."""
        prune_dir(self.path, lambda name: name.split(".", 1)[0] not in keep or name.endswith(".tmp"))

    def forget(self, keys: Iterable[str]) -> None:
        """Drop these entries only (what an incremental build replaced: no listing of the whole cache)."""
        for key in keys:
            for suffix in ENTRY_SUFFIXES:
                part(self.stem(key), suffix).unlink(missing_ok=True)


STATE_FILE = "state.pickle"
STATE_FORMAT = 3  # raise when BuildState changes: a release with another format is rebuilt in full
RACY_NS = 2_000_000_000  # a file changed this close to the scan is hashed again next time (its stat may not show an edit)


class SubjectBlock(NamedTuple):
    """The N-Quads and Turtle statements of one subject, a digest of the records that made them, and the
    properties and classes it uses. A tuple: 60,000 of them are read back in milliseconds."""

    key: str
    nq: bytes
    ttl: bytes
    terms: tuple[str, ...] = ()

    @property
    def triples(self) -> int:
        return self.nq.count(b"\n")


@dataclass
class BuildState:
    """What a release keeps for the next build to update it (see the module's docstring)."""

    fingerprint: dict[str, str]
    files: dict[str, tuple[tuple[int, ...] | None, str]] = field(default_factory=dict)  # relpath: (stat key, sha256)
    results: dict[str, object] = field(default_factory=dict)  # relpath: DocResult (no passages) of a published document
    members: dict[str, dict[str, tuple[int, int]]] = field(default_factory=dict)  # dump: graph name: (offset, length)
    entities: dict[str, SubjectBlock] = field(default_factory=dict)  # subject IRI: its block of the entities graph
    entity_members: dict[str, tuple[bytes, bytes]] = field(default_factory=dict)  # chunk digest: (nq, ttl) gzip members
    entity_report: list = field(default_factory=list)  # the entities graph's validation results (conforming)
    void: dict[str, tuple[str, list[tuple[str, bytes, bytes]]]] = field(default_factory=dict)  # graph: (key, blocks)
    labels: dict[str, str] = field(default_factory=dict)  # person slug: label, as in the search index
    aggregates: object = None  # publish.Aggregates: what the documents add to the entities graph, summed
    person_labels: dict[str, str] = field(default_factory=dict)  # IRI: label of each foaf:Person described
    person_checks: object = None  # validate.PersonChecks: the checks of persons across documents, by label and person
    triples: int = 0
    format: int = STATE_FORMAT


def stat_key(st: os.stat_result, scanned_ns: int) -> tuple[int, ...] | None:
    """What tells a file unchanged without reading it: size, mtime, ctime, inode, device. None for a file
    changed within RACY_NS of the scan: an edit in the same clock tick would leave its times as they were."""
    if max(st.st_mtime_ns, st.st_ctime_ns) >= scanned_ns - RACY_NS:
        return None
    return (st.st_size, st.st_mtime_ns, st.st_ctime_ns, st.st_ino, st.st_dev)


# The documents' results are kept as one pickled tuple of field values each: a result the previous state
# held, unchanged, is written back as the bytes it was read from (pickling 16,000 results takes half a
# second; copying their bytes, milliseconds).
_READ_FROM: dict[int, tuple[object, bytes]] = {}  # id(result): (result, its bytes), for the state read last


def _result_fields() -> tuple[str, ...]:
    from .pipeline import DocResult

    return tuple(f.name for f in dataclasses.fields(DocResult))


def save_state(path: Path, state: BuildState) -> None:
    """Write the state; the entities graph's blocks as plain tuples (a named tuple pickles and loads through
    Python code: 60,000 of them cost a second), each document's result as its own pickled field values."""
    blocks, results = state.entities, state.results
    fields = _result_fields()
    packed: dict[str, bytes] = {}
    for relpath, r in results.items():
        read = _READ_FROM.get(id(r))
        packed[relpath] = read[1] if read is not None and read[0] is r else \
            pickle.dumps(tuple(getattr(r, f) for f in fields), protocol=pickle.HIGHEST_PROTOCOL)
    state.entities = {s: tuple(b) for s, b in blocks.items()}  # type: ignore[misc]
    state.results = {"": fields, **packed}  # type: ignore[dict-item]
    try:
        with path.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
    finally:
        state.entities, state.results = blocks, results


def load_state(path: Path) -> BuildState | None:
    """The build state a release holds, or None (none, damaged, or of another format)."""
    # Millions of small objects: the cyclic garbage collector would go over all of them again and again while
    # they are read (two thirds of the time at archive scale) and then at every full collection of the build.
    # They are read with it paused and then moved out of its sight (gc.freeze): the state holds no cycles.
    paused = gc.isenabled()
    gc.disable()
    try:
        state = _read_state(path)
    finally:
        if paused:
            gc.enable()
    gc.freeze()
    return state


def _read_state(path: Path) -> BuildState | None:
    from .pipeline import DocResult

    try:
        with path.open("rb") as f:
            state = pickle.load(f)
        if not isinstance(state, BuildState) or getattr(state, "format", None) != STATE_FORMAT:
            return None
        packed = state.results
        fields = packed.pop("", None)
        if fields != _result_fields():
            return None  # results of another shape
        _READ_FROM.clear()
        new, loads = object.__new__, pickle.loads
        results: dict[str, object] = {}
        for relpath, blob in packed.items():
            r = results[relpath] = new(DocResult)
            r.__dict__.update(zip(fields, loads(blob)))  # type: ignore[arg-type]
            _READ_FROM[id(r)] = (r, blob)  # type: ignore[assignment]
    except (OSError, EOFError, pickle.UnpicklingError, AttributeError, ImportError, TypeError, ValueError):
        return None
    state.results = results
    make = tuple.__new__
    for subject, block in state.entities.items():
        state.entities[subject] = make(SubjectBlock, block)
    return state


def prune_dir(root: Path, drop) -> None:  # type: ignore[no-untyped-def]
    """Remove the files ``drop(name)`` chooses in the subdirectories of ``root``."""
    try:
        subdirs = [e.path for e in os.scandir(root) if e.is_dir(follow_symlinks=False)]
    except FileNotFoundError:
        return
    for sub in subdirs:
        with os.scandir(sub) as entries:
            for entry in entries:
                if drop(entry.name):
                    try:
                        os.unlink(entry.path)
                    except FileNotFoundError:
                        pass
