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
"""

from __future__ import annotations

import gzip
import hashlib
import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

__all__ = [
    "CACHE_FORMAT", "DocCache", "Plan", "directory_digest", "document_key", "fingerprint", "full_build_reason",
    "gzip_member", "part", "plan", "read_passages", "result_from_json", "result_to_json", "software_digest",
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


def part(stem: str | Path, suffix: str) -> Path:
    """One file of a cache entry: ``part(stem, ".nq.gz")``."""
    stem = Path(stem)
    return stem.parent / (stem.name + suffix)


def read_passages(stem: str | Path) -> list[tuple]:
    """A cached document's rows of the full-text index."""
    return [tuple(p) for p in json.loads(part(stem, ".passages.json").read_text(encoding="utf-8"))]


def gzip_member(data: bytes) -> bytes:
    """``data`` as one deterministic gzip member (no name, no time); members concatenate into a valid gzip file."""
    return gzip.compress(data, compresslevel=6, mtime=0)


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
        """Drop the entries the last published build did not use, and half-written files."""
        if not self.path.is_dir():
            return
        for entry in self.path.glob("*/*"):
            key = entry.name.split(".", 1)[0]
            if key not in keep or entry.name.endswith(".tmp"):
                entry.unlink(missing_ok=True)
