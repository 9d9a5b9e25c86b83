"""Publication: the output directory, dumps, the embedded store, VoID/DCAT; atomic swap.

Layout of ``--out DIR``::

    DIR/current -> releases/<build-id>      the published build (a symlink, swapped atomically)
    DIR/.cache/validation/                  validation reports of document graphs seen before
    DIR/.cache/documents/                   converted documents (cache.DocCache), reused by the next build
    DIR/releases/<build-id>/
        store/                              pyoxigraph on-disk store (named graph per document)
        dumps/archivekg.ttl.gz              the whole graph (union of all graphs) as Turtle
        dumps/archivekg.nq.gz               every quad, named graphs kept, as N-Quads
        dumps/documents/<id>.ttl            one Turtle file per document graph
        dumps/entities.ttl                  persons, organisations, languages, software
        sources/<relpath>                   the source files, as served at {base}source/<relpath>
        search.sqlite                       full-text index (SQLite FTS5) of utterances, paragraphs, claims
        void.ttl                            VoID/DCAT description of the dataset and its dumps
        build.json                          counts, warnings, build time, documents, items to review,
                                            documents left out (--keep-going)
        state.pickle                        what the next build needs to update this release (not
                                            published: cache.BuildState)

A build is written under ``releases/.staging-*`` and becomes visible only when the
``current`` link is replaced in one rename; a failed or interrupted build leaves the
previous release untouched. The previous release is kept (a running server may
still be reading it); older ones are removed. A rebuild under the same fingerprint
(cache.py) starts from a snapshot of the published release and its build state, and
replaces only the documents that changed (``write_release(previous=..., state=...)``).
"""

from __future__ import annotations

import errno
import fcntl
import gzip
import hashlib
import json
import os
import queue
import shutil
import subprocess
import threading
import time
from collections import Counter
from concurrent.futures import Future, ThreadPoolExecutor
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from . import __version__
from .errors import ConversionError
from .namespaces import AKG, DCAT, LEXVO, PREFIXES, SPDX, VOID
from .cache import BuildState, Plan, SubjectBlock, gzip_member, part, plan, read_passages
from .pipeline import DocResult
from .rdf_io import nquads, sorted_quads, turtle_body, turtle_header
from .authority import Entity
from .to_rdf import PUBLISHER, PersonRecord, entities_graph
from .uris import Minter

__all__ = [
    "OutputDir", "OutputError", "Release", "StoreLoader", "collect_sources", "read_build_info", "update_build_info",
    "write_release",
]

KEEP_RELEASES = 2
TURTLE_DUMP = "archivekg.ttl.gz"
NQUADS_DUMP = "archivekg.nq.gz"
ENTITIES = "entities"
_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
_TERMS: dict[str, str] = {}  # one string per term, so that the build state pickles each once


class OutputError(ConversionError):
    """The output directory cannot be used."""


def collect_sources(paths: Iterable[Path], stats: dict[str, os.stat_result] | None = None) -> list[tuple[Path, str]]:
    """(file, relpath) of every ``*.txt`` under the given files and directories, sorted. With ``stats``, each
    file's ``os.stat`` by relpath too (taken while the directories are read: one call a file)."""
    found: dict[str, Path] = {}
    problems: list[str] = []
    for p in paths:
        if not p.exists():
            problems.append(f"{p}: no such file or directory")
            continue
        if p.is_dir():
            items = sorted(_walk(str(p), ""), key=lambda x: x[1])
        else:
            items = [(str(p), p.name, None)]
        for f, rel, entry in items:
            path = Path(f)
            if rel in found and found[rel].resolve() != path.resolve():
                problems.append(f"{f}: the name {rel} is already taken by {found[rel]}; rename one of them")
                continue
            found[rel] = path
            if stats is not None:
                try:
                    stats[rel] = entry.stat() if entry is not None else os.stat(f)
                except OSError:
                    stats.pop(rel, None)  # gone since: the worker reports it
    if problems:
        raise OutputError("\n".join(problems))
    return sorted(((f, rel) for rel, f in found.items()), key=lambda x: x[1])


def _walk(top: str, prefix: str) -> Iterator[tuple[str, str, os.DirEntry]]:
    """(path, relpath, entry) of the ``*.txt`` files under ``top``; symbolic links to directories are not
    followed (as ``Path.rglob``)."""
    with os.scandir(top) as it:
        entries = list(it)
    for e in entries:
        if e.is_dir(follow_symlinks=False):
            yield from _walk(e.path, f"{prefix}{e.name}/")
        elif e.name.endswith(".txt") and e.is_file():
            yield e.path, prefix + e.name, e


@contextmanager
def _lock(out: Path) -> Iterator[None]:
    out.mkdir(parents=True, exist_ok=True)
    fd = os.open(out / ".lock", os.O_CREAT | os.O_RDWR, 0o644)
    try:
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise OutputError(f"{out}: another build is writing to this directory; wait for it to finish") from None
        yield
    finally:
        os.close(fd)


@dataclass
class OutputDir:
    path: Path

    @property
    def current(self) -> Path:
        return self.path / "current"

    @property
    def releases(self) -> Path:
        return self.path / "releases"

    @property
    def document_cache(self) -> Path:
        """Converted documents, by hash of the file and the build's fingerprint (cache.DocCache)."""
        return self.path / ".cache" / "documents"

    @property
    def validation_cache(self) -> Path:
        """Validation reports of document graphs, by hash of graph, text and shapes."""
        return self.path / ".cache" / "validation"

    def check(self) -> None:
        if self.path.exists() and not self.path.is_dir():
            raise OutputError(f"{self.path}: is a file; --out must name a directory")
        if self.path.is_dir():
            entries = {e.name for e in self.path.iterdir()} - {".lock", ".cache"}
            if entries and not ({"current", "releases"} & entries):
                raise OutputError(
                    f"{self.path}: is not empty and is not an archivekg output directory; "
                    "choose a new or empty directory for --out"
                )

    @contextmanager
    def staging(self) -> Iterator[Path]:
        """A fresh staging directory; removed on failure, kept (renamed) on publish."""
        self.check()
        with _lock(self.path):
            self.releases.mkdir(parents=True, exist_ok=True)
            for stale in self.path.glob(".current-*"):
                stale.unlink(missing_ok=True)
            # What a killed or failed build left behind (only one build holds the lock at a time), and the
            # releases this build's publication will retire (all but the published one and the newest others
            # kept): removed in the background while the build works, out of sight first (renamed).
            gone = [*self.releases.glob(".staging-*"), *self.releases.glob(".parts-*"), *self.releases.glob(".old-*")]
            for release in self._retired(keep=KEEP_RELEASES - 1):
                gone.append(release.with_name(f".old-{release.name}"))
                release.rename(gone[-1])
            removal = _remove_trees_later(gone)
            stage = self.releases / f".staging-{os.getpid()}-{time.time_ns()}"
            stage.mkdir()
            try:
                yield stage
            finally:
                if stage.exists():
                    shutil.rmtree(stage, ignore_errors=True)
                removal()

    def publish(self, stage: Path, build_id: str) -> Path:
        final = self.releases / build_id
        stage.rename(final)
        tmp_link = self.path / f".current-{os.getpid()}"
        if tmp_link.is_symlink() or tmp_link.exists():
            tmp_link.unlink()
        os.symlink(Path("releases") / build_id, tmp_link)
        os.replace(tmp_link, self.current)  # atomic on POSIX
        self._prune(keep=build_id)
        return final

    def prune_validation_cache(self, keep: set[str]) -> None:
        """Drop the cached reports the last published build did not use, and those half-written by a killed worker."""
        from .cache import prune_dir

        prune_dir(self.validation_cache, lambda name: name.endswith(".tmp") or (
            name.endswith(".json") and name[: -len(".json")] not in keep))

    def caches_unclean(self) -> bool:
        """Whether the last build that wrote to the caches ended without tidying them (it failed or was killed),
        and mark them so until ``caches_tidied``: the next build then lists them whole."""
        marker = self.path / ".cache" / "untidy"
        found = marker.exists()
        marker.parent.mkdir(parents=True, exist_ok=True)
        marker.touch()
        return found

    def caches_tidied(self) -> None:
        (self.path / ".cache" / "untidy").unlink(missing_ok=True)

    def forget_validations(self, keys: Iterable[str]) -> None:
        """Drop these cached reports only (what an incremental build replaced)."""
        for key in keys:
            (self.validation_cache / key[:2] / f"{key}.json").unlink(missing_ok=True)

    def _prune(self, keep: str) -> None:
        for p in self._retired(keep=KEEP_RELEASES, published=keep):
            _remove_tree(p)

    def _retired(self, keep: int, published: str | None = None) -> list[Path]:
        """The releases beyond the ``keep`` newest, never the published one (``current``'s, or ``published``)."""
        if published is None:
            published = self.current.resolve().name if self.current.is_symlink() else None
        releases = sorted(p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith("."))
        others = [p for p in releases if p.name != published]
        return others[: -(keep - 1) or None] if keep > 1 else others


class _Aborted(Exception):
    """The build stopped: the loading thread gives up what it has not loaded."""


class StoreLoader:
    """A new store that a full build loads documents into while it converts the others.

    Converting is two worker processes and loading one pyoxigraph ``bulk_load``, which works on about one
    core: one after the other, a core idled during each. Here ``bulk_load`` runs for the whole build in a
    thread of its own, reading a FIFO (it releases the GIL and reads the file without Python, in large
    blocks). A feeding thread writes into the FIFO the N-Quads of each document handed to ``add``,
    decompressed from its conversion-cache entry, in the order they are converted: the store does not
    depend on the order. ``end`` adds the last input (the entities graph); the thread then counts the
    store while the build writes the rest of the release, and ``finish`` waits for it. The store is not
    compacted (``Store.optimize``): ``bulk_load`` leaves it in sorted, LZ4-compressed files, and a compaction
    rewrites them into levels RocksDB keeps uncompressed (1.7x the disk at 1,000 documents; at 16,000
    RocksDB's own compactions during the load do the same: docs/decisions.md).

    The pool of workers must be started before a loader: forking a process whose threads hold locks
    is unsafe. ``close`` stops the threads (used when a build fails); a failure of the store (a full
    disk) is raised by ``check``, ``add`` and ``finish`` in the build's thread.
    """

    def __init__(self, path: Path, fifo: Path) -> None:
        self.path = path
        self.loaded: list[str] = []  # document ids handed over, in order
        self.used = False  # end() or close() was called: no more input
        self.quads: int | None = None  # in the store, once loaded
        self.seconds: dict[str, float] = {}
        self._drop: list[str] = []
        self.started = time.monotonic()
        self._queue: queue.SimpleQueue[Path | bytes | None] = queue.SimpleQueue()
        self._stop = threading.Event()
        self._load_error: BaseException | None = None
        self._feed_error: BaseException | None = None
        self._fifo = fifo
        os.mkfifo(fifo, 0o600)
        self.store: ox.Store | None = ox.Store(str(path))
        self._loader = threading.Thread(target=self._load, name="archivekg-store-load", daemon=True)
        self._feeder = threading.Thread(target=self._feed, name="archivekg-store-feed", daemon=True)
        self._loader.start()
        self._feeder.start()

    def __enter__(self) -> StoreLoader:
        return self

    def __exit__(self, *_exc: object) -> None:
        self.close()

    def add(self, identifier: str, nquads_gz: Path) -> None:
        """Load a document's N-Quads (a gzip file) into the store."""
        self.check()
        self.loaded.append(identifier)
        self._queue.put(nquads_gz)

    def check(self) -> None:
        """Raise the error that stopped loading, if one did."""
        if self._load_error is not None and not isinstance(self._load_error, _Aborted):
            raise self._load_error
        if self._feed_error is not None and not isinstance(self._feed_error, _Aborted):
            raise self._feed_error

    def end(self, last: bytes = b"", drop: Iterable[str] = ()) -> None:
        """The end of the input, after ``last`` (N-Quads). The loading goes on in the background; then the
        graphs ``drop`` (IRIs) are removed and the store is counted."""
        self.check()
        if not self.used:
            self.used = True
            self._drop = list(drop)
            if last:
                self._queue.put(last)
            self._queue.put(None)

    def finish(self) -> tuple[ox.Store, int]:
        """Wait for the store to be loaded (``end`` was called); the store and its quads. How long the build
        waited for it is ``seconds["store_wait"]``."""
        self.end()
        started = time.monotonic()
        self._feeder.join()
        self._loader.join()
        self.seconds["store_wait"] = round(time.monotonic() - started, 2)
        self.check()
        assert self.store is not None and self.quads is not None
        return self.store, self.quads

    def close(self) -> None:
        """Stop loading (what is queued is given up) and let go of the store."""
        self.used = True
        if self._feeder.is_alive() or self._loader.is_alive():
            self._stop.set()
            self._queue.put(None)
            self._feeder.join()
            self._loader.join()
        self.store = None
        self._fifo.unlink(missing_ok=True)

    def _load(self) -> None:
        try:
            store = self.store
            assert store is not None
            # lenient: the N-Quads were written by pyoxigraph from terms it checked; 20-25% less time
            store.bulk_load(path=str(self._fifo), format=ox.RdfFormat.N_QUADS, lenient=True)
            if self._stop.is_set() or self._feed_error is not None:
                return
            for graph in self._drop:
                store.remove_graph(ox.NamedNode(graph))
            store.flush()
            self.quads = len(store)
        except BaseException as err:  # noqa: BLE001  (raised in the build's thread by check())
            self._load_error = err

    def _feed(self) -> None:
        fd = None
        try:
            fd = self._open_fifo()
            while True:
                item = self._queue.get()
                if item is None or self._stop.is_set():
                    break
                data = item if isinstance(item, bytes) else gzip.decompress(item.read_bytes())
                view = memoryview(data)
                while view:
                    view = view[os.write(fd, view):]
        except BrokenPipeError:  # the loading thread stopped reading: its own error says why
            self._loader.join()
            if self._load_error is None:
                self._feed_error = OutputError("the store stopped reading the documents it was loading")
        except BaseException as err:  # noqa: BLE001
            self._feed_error = err
        finally:
            if fd is not None:
                os.close(fd)  # the end of the input: bulk_load finishes

    def _open_fifo(self) -> int:
        """The FIFO's writing end, once the loading thread has opened its reading end (or it failed)."""
        while True:
            try:
                fd = os.open(self._fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as err:
                if err.errno != errno.ENXIO:  # ENXIO: no reader yet
                    raise
                if not self._loader.is_alive():
                    raise _Aborted() from None
                time.sleep(0.005)
                continue
            os.set_blocking(fd, True)
            try:  # a 1 MiB pipe: a document's N-Quads in a few writes, not dozens of 64 KiB ones
                fcntl.fcntl(fd, fcntl.F_SETPIPE_SZ, 1 << 20)
            except (AttributeError, OSError):
                pass  # not Linux, or above /proc/sys/fs/pipe-max-size: the default size works too
            return fd


def read_build_info(out: Path) -> dict:
    info_path = out / "current" / "build.json"
    if not info_path.is_file():
        raise OutputError(f"{out}: no published build here (missing {info_path}); run 'archivekg build --out {out}'")
    return json.loads(info_path.read_text(encoding="utf-8"))


def _write_build_info(stage: Path, info: dict) -> None:
    """build.json: one key a line, and one line an item of its lists (the documents, the items to review).
    Written with json's C encoder (with ``indent`` it takes Python's: seconds at archive scale)."""
    enc = json.JSONEncoder(ensure_ascii=False, sort_keys=True).encode  # one encoder: json.dumps with options makes one a call

    lines = []
    for key in sorted(info):
        value = info[key]
        if isinstance(value, list) and value:
            text = "[\n" + ",\n".join(f"  {enc(item)}" for item in value) + "\n ]"
        else:
            text = enc(value)
        lines.append(f" {enc(key)}: {text}")
    (stage / "build.json").write_text("{\n" + ",\n".join(lines) + "\n}\n", encoding="utf-8")


def update_build_info(stage: Path, info: dict | None = None, **keys: object) -> None:
    """Write build.json: ``info`` (or the staged build.json's) with ``keys`` set, what is known only after the
    checks across documents."""
    if info is None:
        info = json.loads((stage / "build.json").read_text(encoding="utf-8"))
    _write_build_info(stage, {**info, **keys})


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


@dataclass
class Release:
    documents: int = 0
    triples: int = 0
    quads: int = 0
    persons: int = 0
    utterances: int = 0
    paragraphs: int = 0
    dumps: dict[str, dict] = field(default_factory=dict)
    seconds: dict[str, float] = field(default_factory=dict)
    changes: Plan | None = None  # what an incremental build changed in the previous release (None: written whole)
    info: dict = field(default_factory=dict)  # build.json, written by the build once the checks are made
    state: BuildState | None = None  # the build state the release keeps for the next build
    entities: dict[str, SubjectBlock] = field(default_factory=dict)  # the entities graph, a block a subject
    entities_before: dict[str, SubjectBlock] | None = None  # the previous release's (an incremental build)
    entity_report: list = field(default_factory=list)  # the previous release's entities validation results
    entities_nq: bytes = b""
    void_nq: bytes = b""  # the VoID description to validate (a rebuild's: what it made again)
    person_labels: list[tuple[str, str]] = field(default_factory=list)  # (IRI, label) of each foaf:Person described
    persons_in: dict[str, set[str]] = field(default_factory=dict)  # person IRI: ids of the documents it is in
    persons_touched: dict[str, str | None] | None = None  # a rebuild's persons whose documents or label may
    # have changed, and the label each had before
    person_checks_before: object = None  # the previous release's validate.PersonChecks (a rebuild)
    # write_release writes all but the store; this writes it (or waits for the loader) and checks it
    complete: Callable[[], None] = field(default=lambda: None, repr=False)
    # and the whole-archive dumps and VoID it finishes in the background: this waits for them (complete does too)
    finish: Callable[[], None] = field(default=lambda: None, repr=False)


@dataclass
class Aggregates:
    """What the documents add to the entities graph, summed over them, so that a rebuild subtracts a replaced
    document's part and adds the new one's instead of going over every document again."""

    names: dict[str, dict[str, int]] = field(default_factory=dict)  # person slug: name written: entries
    written: dict[str, dict[str, int]] = field(default_factory=dict)  # person slug: form written: entries
    entities: dict[tuple[str, str], dict[str, tuple]] = field(default_factory=dict)  # (kind, slug): doc id: (label, aliases, qid)
    languages: dict[str, dict[str, int]] = field(default_factory=dict)  # code: name: documents
    persons_in: dict[str, set[str]] = field(default_factory=dict)  # person IRI: ids of the documents it is in
    # (plain dicts, not Counters, and one string per document id: the state is read back several times faster)

    def add(self, r: DocResult, minter: Minter, sign: int, touched: set[tuple[str, ...]]) -> None:
        """Add (sign 1) or subtract (sign -1) a document's part; ``touched`` gets the records it changes."""
        def count(table: dict[str, dict[str, int]], key: str, value: str) -> None:
            c = table.setdefault(key, {})
            c[value] = c.get(value, 0) + sign
            if c[value] <= 0:
                del c[value]
                if not c:
                    del table[key]

        ident = _TERMS.setdefault(r.identifier or "", r.identifier or "")
        for slug, name, _curated, wr in r.persons:
            count(self.names, slug, name)
            for form in wr:
                count(self.written, slug, form)
            touched.add(("person", slug))
        offered: dict[tuple[str, str], Entity] = {}
        if r.archive:
            slug, label, aliases, qid = r.archive
            offered.setdefault(("organization", slug), Entity("organization", slug, label, aliases, qid))
        for kind, slug, label in r.agents:
            offered.setdefault((kind, slug), Entity(kind, slug, label))
        for key, entity in offered.items():
            by_doc = self.entities.setdefault(key, {})
            if sign > 0:
                by_doc[ident] = (entity.label, entity.aliases, entity.wikidata)  # type: ignore[assignment]
            else:
                by_doc.pop(ident, None)
                if not by_doc:
                    del self.entities[key]
            touched.add(("entity", *key))
        for code, name in r.languages:
            count(self.languages, code, name)
            touched.add(("language", code))
        for iri in self.person_iris(r, minter):
            where = self.persons_in.setdefault(iri, set())
            if sign > 0:
                where.add(ident)
            else:
                where.discard(ident)
                if not where:
                    del self.persons_in[iri]

    @staticmethod
    def person_iris(r: DocResult, minter: Minter) -> set[str]:
        """The persons a document is in: those it refers to, its speakers and named persons, its agents."""
        ns = minter.person("x")[:-1]
        iris = {o for o, _s, _p in r.references if o.startswith(ns)}
        iris |= {minter.person(slug) for slug, *_ in r.persons}
        iris |= {minter.iri(kind, slug) for kind, slug, _label in r.agents if kind == "person"}
        return iris

    def records(
        self, touched: Iterable[tuple[str, ...]], minter: Minter, authority_persons: dict[str, Entity],
        authority_entities: dict[tuple[str, str], Entity],
    ) -> dict[str, list[tuple[str, object]]]:
        """The records (kind, record) of the entities graph's subjects that ``touched`` names, by subject IRI
        (an empty list: the subject is no longer described). The same records as going over every document."""
        out: dict[str, list[tuple[str, object]]] = {}
        for t in touched:
            if t[0] == "person":
                subject = minter.person(t[1])
            elif t[0] == "entity":
                subject = minter.iri(t[1], t[2])
            elif t[0] == "language":
                subject = str(LEXVO[t[1]])
            else:
                subject = minter.software(__version__)
            if subject in out:
                continue
            recs: list[tuple[str, object]] = out.setdefault(subject, [])
            if t[0] == "software":
                recs.append(("s", __version__))
            elif t[0] == "language":
                if t[1] in self.languages:
                    label = min(self.languages[t[1]].items(), key=lambda kv: (-kv[1], kv[0]))[0]
                    recs.append(("l", (t[1], label)))
            else:
                kind, slug = ("person", t[1]) if t[0] == "person" else (t[1], t[2])
                person = self.person(slug, authority_persons) if kind == "person" else None
                if person is not None:
                    recs.append(("p", person))
                entity = self.entity((kind, slug), authority_entities)
                if entity is not None and person is None:  # a person described by the documents is not also an entity
                    recs.append(("e", entity))
        return out

    def person(self, slug: str, authority_persons: dict[str, Entity]) -> PersonRecord | None:
        names = self.names.get(slug, {})
        written = set(self.written.get(slug, ()))
        if slug in authority_persons:  # every curated person is described, mentioned or not
            person = authority_persons[slug]
            label, qid, note = person.label, person.wikidata, person.note
            alts = set(person.aliases) | written
        elif names:
            label = sorted(names.items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
            alts, qid, note = written | set(names), None, None
        else:
            return None
        return PersonRecord(slug, label, tuple(sorted(a for a in alts if a and a != label)), qid, note)

    def entity(self, key: tuple[str, str], authority_entities: dict[tuple[str, str], Entity]) -> Entity | None:
        if key in authority_entities:
            return authority_entities[key]
        if key == ("organization", PUBLISHER[0]):
            return Entity("organization", PUBLISHER[0], PUBLISHER[1])
        by_doc = self.entities.get(key)
        if not by_doc:
            return None
        label, aliases, qid = by_doc[min(by_doc)]  # type: ignore[misc]  # the first document's, in the order of their ids
        return Entity(key[0], key[1], label, aliases, qid)

    def every_record(self, authority_persons: dict[str, Entity],
                     authority_entities: dict[tuple[str, str], Entity]) -> list[tuple[str, ...]]:
        """Everything the entities graph describes, as ``touched`` names it."""
        out: list[tuple[str, ...]] = [("person", s) for s in sorted({*self.names, *authority_persons})]
        keys = {*self.entities, *authority_entities, ("organization", PUBLISHER[0])}
        out += [("entity", *k) for k in sorted(keys)]
        out += [("language", c) for c in sorted(self.languages)]
        out.append(("software",))
        return out


def write_release(
    stage: Path,
    results: list[DocResult],
    parts: Path,
    *,
    minter: Minter,
    authority_persons: dict[str, Entity],
    authority_entities: list[Entity],
    sources: dict[str, Path],
    build_time: str,
    dataset_time: str | None,
    progress: Callable[[str], None] = lambda _msg: None,
    convert_seconds: float | None = None,
    fingerprint: dict[str, str] | None = None,
    previous: Path | None = None,
    state: BuildState | None = None,
    loader: StoreLoader | None = None,
    copies: tuple[Future, Future, Future] | None = None,
) -> Release:
    """Write dumps, sources, search index, VoID and build.json of ``results`` into ``stage``; the returned
    release's ``complete()`` writes the store and the serving index, and ``release.state`` is the build state
    the build saves into the release (``cache.BuildState``).

    Each result's parts are read from its conversion-cache entry (``r.parts``). With ``previous`` (the
    published release, built under the same fingerprint) and its build ``state``, the release is made from
    the previous one: the store and the search index start as copies of its own and only the documents that
    changed are replaced; the whole-archive dumps are copied by range from the previous ones with only the
    changed members replaced; unchanged per-document dumps and sources are hard links; the entities graph
    and VoID are assembled from the previous subjects' blocks with only the changed ones made again. The
    output is the same, byte for byte, as without it. A full build may hand over ``loader``, the store it has
    been loading the documents into while converting them (``StoreLoader``); the release's store is then
    that one. Its last input is given here, so that it finishes loading while the rest is written and the
    build checks the dataset across documents; ``complete()`` waits for it. ``copies`` are those
    ``start_copies`` started (else they are started here).
    """
    rel = Release()
    if convert_seconds is not None:
        rel.seconds["convert"] = convert_seconds
    clock = time.monotonic()

    def lap(phase: str) -> None:
        nonlocal clock
        now = time.monotonic()
        rel.seconds[phase] = round(now - clock, 2)
        clock = now

    if previous is None:
        state = None
    prefixes = {**PREFIXES, **minter.prefixes()}
    header = turtle_header(prefixes)
    dumps = stage / "dumps"
    dumps.mkdir(parents=True, exist_ok=True)
    ordered = sorted(results, key=lambda r: r.identifier or "")
    before = _previous_index(state)
    changes = plan(before, [(r.identifier or "", r.relpath, r.sha256) for r in ordered]) if state else None
    new_state = BuildState(fingerprint=dict(fingerprint or {}))
    index_copy = docs_tree = sources_tree = None
    if state is not None and previous is not None:  # copies of the previous release's, made while the rest is
        docs_tree, sources_tree, index_copy = copies or start_copies(previous, stage)

    # Entities graph: persons merged across documents, organisations, languages, software; one block a subject.
    # A rebuild subtracts what the replaced documents added and adds the new ones', and makes again only the
    # subjects that changed.
    curated = {(e.kind, e.id): e for e in authority_entities}
    if state is not None and changes is not None and state.aggregates is not None:
        agg, state.aggregates = state.aggregates, None  # taken: a build that writes its release again starts over
        touched: set[tuple[str, ...]] = {("software",)}
        persons_touched: set[str] = set()  # whose documents or label may change: their checks are made again
        for old in state.results.values():
            if old.identifier in changes.touched:  # type: ignore[attr-defined]
                agg.add(old, minter, -1, touched)  # type: ignore[arg-type]
                persons_touched |= agg.person_iris(old, minter)  # type: ignore[arg-type]
        loaded_now = set(changes.load)
        for r in ordered:
            if r.identifier in loaded_now:
                agg.add(r, minter, 1, touched)
                persons_touched |= agg.person_iris(r, minter)
        records = agg.records(sorted(touched), minter, authority_persons, curated)
        persons_touched |= set(records)
        rel.persons_touched = {iri: state.person_labels.get(iri) for iri in persons_touched}
        rel.person_checks_before = state.person_checks
        blocks = {s: b for s, b in state.entities.items() if s not in records}
        blocks.update(entity_blocks(records, minter, prefixes, state.entities))
        person_labels = dict(state.person_labels)
        partial = True  # records name only the subjects that changed
    else:
        partial = False
        agg = Aggregates()
        for r in ordered:
            agg.add(r, minter, 1, set())
        records = agg.records(agg.every_record(authority_persons, curated), minter, authority_persons, curated)
        blocks = entity_blocks(records, minter, prefixes, state.entities if state else {})
        person_labels = {}
    for subject, recs in records.items():
        label = next((r.label for kind, r in recs if kind == "p" or (kind == "e" and r.kind == "person")), None)  # type: ignore[attr-defined]
        if label is None:
            person_labels.pop(subject, None)
        else:
            person_labels[subject] = label
    new_state.aggregates = agg
    new_state.person_labels = person_labels
    subjects = sorted(blocks, key=_subject_order)
    entities_nq = b"".join(blocks[s].nq for s in subjects)
    entities_body = b"".join(blocks[s].ttl for s in subjects)
    entity_triples = entities_nq.count(b"\n")
    new_state.entities = blocks
    rel.entities = blocks
    rel.person_labels = sorted(person_labels.items())
    rel.persons_in = agg.persons_in
    rel.entities_nq = entities_nq
    if state is not None:
        rel.entities_before = state.entities
        rel.entity_report = state.entity_report
    (parts / "entities.nq").write_bytes(entities_nq)
    lap("entities")

    progress("writing dumps")
    # Each graph is one gzip member (the entities graph a few, cut at subjects fixed by their IRIs), compressed
    # once and kept: a document's in its conversion-cache entry, the entities graph's in the build state. A
    # rebuild copies the unchanged members from the previous dumps by range, so its dumps are the full build's.
    ttl_members, nq_members = _entity_members(subjects, blocks, state.entity_members if state else {},
                                              new_state.entity_members)
    (dumps / "entities.ttl").write_bytes(header + entities_body)
    rel.quads += entity_triples
    per_doc: list[dict] = [{"name": ENTITIES, "path": "dumps/entities.ttl", "triples": entity_triples,
                            "bytes": len(header) + len(entities_body),
                            "sha256": hashlib.sha256(header + entities_body).hexdigest()}]
    kept = set(changes.kept) if changes is not None else set()
    pieces: dict[str, list] = {TURTLE_DUMP: [gzip_member(header), *ttl_members], NQUADS_DUMP: list(nq_members)}
    for fname, suffix in ((TURTLE_DUMP, ".ttl.gz"), (NQUADS_DUMP, ".nq.gz")):
        before_members = state.members.get(fname, {}) if state else {}
        before_dump = previous / "dumps" / fname if previous is not None else None
        for r in ordered:
            ident = r.identifier or ""
            if ident in kept and ident in before_members:
                pieces[fname].append((ident, before_dump, *before_members[ident]))
            else:
                pieces[fname].append((ident, part(r.parts, suffix)))
    for r in ordered:
        rel.quads += r.triples
        per_doc.append({"name": r.identifier or "", "path": f"dumps/documents/{r.identifier}.ttl",
                        "triples": r.triples, "bytes": r.ttl_bytes, "sha256": r.ttl_sha256})
    rel.triples = rel.quads  # every triple belongs to exactly one graph
    # The two whole-archive dumps at once, in threads (copying and hashing release the GIL), while the rest is
    # written and the build checks the dataset across documents: ``finish`` waits for them.
    dump_pool = ThreadPoolExecutor(2, thread_name_prefix="archivekg-dump")
    written = {fname: dump_pool.submit(_write_dump, dumps / fname, pieces[fname]) for fname in pieces}
    dump_pool.shutdown(wait=False)
    # Per-document Turtle dumps: hard links, to the previous release's (a tree at once) or to the cache.
    if changes is not None and previous is not None and docs_tree is not None:
        docs_tree.result()
        for ident in changes.touched:
            (dumps / "documents" / f"{ident}.ttl").unlink(missing_ok=True)
        for r in ordered:
            if r.identifier in set(changes.load):
                _link_or_copy(part(r.parts, ".ttl"), dumps / "documents" / f"{r.identifier}.ttl")
    else:
        (dumps / "documents").mkdir()
        for r in ordered:
            _link_or_copy(part(r.parts, ".ttl"), dumps / "documents" / f"{r.identifier}.ttl")
    lap("dumps")
    # A full build's loader gets its last input now, and finishes loading while the sources and the
    # full-text index are written.
    preloaded = _end_of_input(loader, ordered, minter, entities_nq) if previous is None else False
    progress("copying sources")
    if changes is not None and previous is not None and state is not None and sources_tree is not None:
        sources_tree.result()
        loaded = set(changes.load)
        for old in state.results.values():
            if old.identifier in changes.touched:  # type: ignore[attr-defined]
                _remove_file(stage / "sources", old.relpath)  # type: ignore[attr-defined]
        for r in ordered:
            if r.identifier in loaded:
                dst = stage / "sources" / r.relpath
                dst.parent.mkdir(parents=True, exist_ok=True)
                dst.unlink(missing_ok=True)
                shutil.copyfile(sources[r.relpath], dst)
    else:
        for r in ordered:
            dst = stage / "sources" / r.relpath
            dst.parent.mkdir(parents=True, exist_ok=True)
            shutil.copyfile(sources[r.relpath], dst)

    lap("sources")
    progress("indexing text")
    from .search_index import Passage, update_index, write_index

    if partial and state is not None:
        labels = dict(state.labels)
        for subject, recs in records.items():
            for kind, r in recs:
                if kind == "p":
                    labels[r.slug] = r.label  # type: ignore[attr-defined]
            if not any(kind == "p" for kind, _r in recs) and subject.startswith(minter.person("x")[:-1]):
                labels.pop(subject[len(minter.person("x")) - 1:], None)
    else:
        labels = {r.slug: r.label for recs in records.values() for kind, r in recs if kind == "p"}  # type: ignore[attr-defined]
    new_state.labels = labels
    if state is not None and changes is not None and previous is not None and index_copy is not None:
        index_copy.result()
        loaded = set(changes.load)
        relabel = {slug: label for slug, label in labels.items() if state.labels.get(slug) != label}
        relabel.update({slug: None for slug in state.labels if slug not in labels})
        update_index(stage / "search.sqlite", changes.touched,
                     (Passage(*p) for r in ordered if r.identifier in loaded for p in read_passages(r.parts)), labels,
                     relabel=relabel)
    else:
        write_index(stage / "search.sqlite", (Passage(*p) for r in ordered for p in read_passages(r.parts)), labels)
    lap("search_index")
    rel.documents = len(ordered)
    rel.persons = len(agg.names)  # persons taking part in documents
    rel.utterances = sum(r.turns for r in ordered)
    rel.paragraphs = sum(r.paragraphs for r in ordered)

    finished: list[bool] = []

    def finish() -> None:
        """Wait for the whole-archive dumps, then describe them in VoID (their sizes and checksums)."""
        if finished:
            return
        finished.append(True)
        started = time.monotonic()
        for fname, media in ((TURTLE_DUMP, "text/turtle"), (NQUADS_DUMP, "application/n-quads")):
            size, sha, members = written[fname].result()
            new_state.members[fname] = members
            rel.dumps[fname] = {"path": f"dumps/{fname}", "bytes": size, "sha256": sha,
                                "triples": rel.triples, "media_type": media, "compression": "gzip"}
        rel.seconds["dumps_wait"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        void_nq, void_body, new_state.void, void_check = void_blocks(minter, rel, per_doc, dataset_time, prefixes,
                                                                     state.void if state else {})
        rel.void_nq = void_nq if void_check is None else void_check
        (stage / "void.ttl").write_bytes(header + void_body)
        rel.seconds["void"] = round(time.monotonic() - started, 2)

    rel.finish = finish
    info = {
        "archivekg": __version__,
        "build_time": build_time,
        "base_uri": minter.base,
        "documents": rel.documents,
        "triples": rel.triples,
        "graphs": len(per_doc),
        "persons": rel.persons,
        "utterances": rel.utterances,
        "paragraphs": rel.paragraphs,
        "warnings": sum(len(r.warnings) for r in ordered),
        "dumps": rel.dumps,
        "seconds": rel.seconds,
        "documents_index": [
            {"id": r.identifier, "source": r.relpath, "title": r.title, "date": r.date, "triples": r.triples,
             "turns": r.turns, "paragraphs": r.paragraphs, "sha256": r.sha256, "warnings": r.warnings}
            for r in ordered
        ],
        "review": [],  # set by the build after the checks across documents
        "left_out": [],
        "fingerprint": fingerprint,  # what the next build compares to decide between incremental and full
    }
    rel.changes = changes
    rel.info = info
    shared: dict[str, str] = {}
    kept_ids = set(changes.kept) if changes is not None else set()
    before_results = state.results if state is not None else {}

    def stateless(r: DocResult) -> DocResult:
        old = before_results.get(r.relpath)
        if old is not None and r.identifier in kept_ids and old.identifier == r.identifier and old.sha256 == r.sha256:  # type: ignore[attr-defined]
            return old  # type: ignore[return-value]
        return _stateless(r, shared)

    new_state.results = {r.relpath: stateless(r) for r in ordered}
    new_state.triples = rel.triples
    rel.state = new_state

    def complete() -> None:
        """The release's store: the previous one with the changed graphs and subjects replaced (incremental),
        the one the loader filled while converting, or one loaded from the N-Quads dump; checked to hold what
        the dumps hold. Then the serving index, which reads it."""
        finish()
        started = time.monotonic()
        progress("loading the store")
        if previous is not None and changes is not None and state is not None:
            store, stored = _update_store(previous, stage, state, blocks, changes, ordered, minter)
        elif preloaded:
            assert loader is not None
            store, stored = loader.finish()  # loaded while converting, counted while the index was written
            loader.store = None  # the release's store from now on
            rel.seconds.update(loader.seconds)
        else:
            shutil.rmtree(stage / "store", ignore_errors=True)
            nq_plain = stage / "all.nq"
            with nq_plain.open("wb") as nq_all:  # every graph's N-Quads, from the dump's members
                _append(nq_all, dumps / NQUADS_DUMP, decompress=True)
            store = ox.Store(str(stage / "store"))
            store.bulk_load(path=str(nq_plain), format=ox.RdfFormat.N_QUADS, lenient=True)
            nq_plain.unlink()
            store.flush()
            stored = len(store)
        if stored != rel.quads:
            raise OutputError(f"the store holds {stored} quads but the dumps hold {rel.quads}; nothing was published")

        rel.seconds["store"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        from .serving_index import VOCABULARY, candidate_terms, vocabulary

        # vocabulary.json: what the server would otherwise scan the whole store for
        entity_terms: set[str] = set()
        for block in blocks.values():
            entity_terms.update(block.terms)
        found = vocabulary(store, candidate_terms(), known={minter.graph(ENTITIES): entity_terms},
                           graphs=[minter.graph(ENTITIES), *(minter.graph(r.identifier or "") for r in ordered)])
        del store
        (stage / VOCABULARY).write_text(json.dumps(found, indent=0) + "\n", encoding="utf-8")
        rel.seconds["serving_index"] = round(time.monotonic() - started, 2)

    rel.complete = complete
    return rel


_POOL: list[ThreadPoolExecutor] = []


def wait_for(futures: Iterable[Future]) -> None:
    """Wait until each is done, whatever its outcome (what went wrong is raised where it is used)."""
    for f in futures:
        f.exception()


def start_copies(previous: Path, stage: Path) -> tuple[Future, Future, Future]:
    """Start the copies a rebuild makes of the previous release (the per-document dumps and the sources as
    trees of hard links, then the search index, in that order of need), in threads: a build starts them as
    soon as it knows it is a rebuild, so that they are made while it scans and converts."""
    pool = _background()
    (stage / "dumps").mkdir(parents=True, exist_ok=True)
    return (pool.submit(_link_tree, previous / "dumps" / "documents", stage / "dumps" / "documents"),
            pool.submit(_link_tree, previous / "sources", stage / "sources"),
            pool.submit(shutil.copyfile, previous / "search.sqlite", stage / "search.sqlite"))


def _background() -> ThreadPoolExecutor:
    """Threads for the file copies a build waits for later (they release the GIL)."""
    if not _POOL:
        _POOL.append(ThreadPoolExecutor(2, thread_name_prefix="archivekg-copy"))
    return _POOL[0]


def _stateless(r: DocResult, shared: dict[str, str]) -> DocResult:
    """A published document's result as the build state keeps it: without its passages (they are in the
    index), and of its outward references only the IRIs referred to, one string each however many documents
    refer to it (the checks across documents read the rest from the conversion cache when one dangles)."""
    refs = [(shared.setdefault(o, o), "", "") for o in sorted({o for o, _s, _p in r.references})]
    return replace(r, passages=[], index=0, references=refs, parts="")


def _subject_order(subject: str) -> str:
    """Blocks in the order of their sorted N-Quads lines (``<subject> <predicate> ...``): no subject's lines can
    fall between another's, since an IRI holds no space."""
    return f"<{subject}> "


def entity_blocks(
    records: dict[str, list[tuple[str, object]]], minter: Minter, prefixes: dict[str, str], before: dict[str, SubjectBlock],
) -> dict[str, SubjectBlock]:
    """The blocks of the entities graph's subjects ``records`` names (those with records). A subject whose
    records are those of ``before``'s block keeps that block; the others are made (``to_rdf.entities_graph``,
    in one call) and cut by subject."""
    keys = {s: hashlib.sha256(repr(sorted(map(repr, rs))).encode("utf-8")).hexdigest()[:32]
            for s, rs in records.items() if rs}
    out = {s: before[s] for s, k in keys.items() if s in before and before[s].key == k}
    missing = [s for s in keys if s not in out]
    if not missing:
        return out
    chosen = [rec for s in missing for rec in records[s]]
    eg = entities_graph([r for kind, r in chosen if kind == "p"], [r for kind, r in chosen if kind == "e"],  # type: ignore[misc]
                        [r for kind, r in chosen if kind == "l"], minter, software_version=__version__)  # type: ignore[misc]
    by_subject: dict[str, list[ox.Quad]] = {}
    for q in sorted_quads(eg, minter.graph(ENTITIES)):
        by_subject.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]
    for s in missing:
        quads = by_subject.pop(s, None)
        if not quads:
            raise OutputError(f"internal error: the entities graph describes nothing of {s}")
        used = {t for q in quads for t in ((q.predicate.value, q.object.value)  # type: ignore[union-attr]
                                           if q.predicate.value == _RDF_TYPE else (q.predicate.value,))}
        out[s] = SubjectBlock(keys[s], nquads(quads), turtle_body(quads, prefixes),
                              tuple(_TERMS.setdefault(t, t) for t in sorted(used)))
    if set(by_subject) - {minter.software(__version__)}:
        raise OutputError(f"internal error: the entities graph describes {sorted(by_subject)[0]}, which no record names")
    return out


def _entity_boundary(subject: str) -> bool:
    """Whether a gzip member of the entities graph ends after ``subject``: for about one subject in 64, fixed by
    its IRI alone, so that a change re-compresses only the member around it, in a full build as in a rebuild."""
    return hashlib.sha1(subject.encode("utf-8")).digest()[0] < 4


def _entity_members(
    subjects: list[str], blocks: dict[str, SubjectBlock], before: dict[str, tuple[bytes, bytes]],
    keep: dict[str, tuple[bytes, bytes]],
) -> tuple[list[bytes], list[bytes]]:
    """The entities graph's gzip members (Turtle, N-Quads): runs of subjects, each compressed once and kept in
    the build state by the digest of its blocks' keys."""
    runs: list[list[str]] = [[]]
    for s in subjects:
        runs[-1].append(s)
        if _entity_boundary(s):
            runs.append([])
    ttl, nq = [], []
    for run in runs:
        if not run:
            continue
        key = hashlib.sha256("\n".join(f"{s} {blocks[s].key}" for s in run).encode("utf-8")).hexdigest()[:32]
        members = before.get(key)
        if members is None:
            members = (gzip_member(b"".join(blocks[s].nq for s in run)), gzip_member(b"".join(blocks[s].ttl for s in run)))
        keep[key] = members
        nq.append(members[0])
        ttl.append(members[1])
    return ttl, nq


def _write_dump(path: Path, pieces: list) -> tuple[int, str, dict[str, tuple[int, int]]]:
    """Write a whole-archive dump of ``pieces`` in order: bytes, (graph, file) or (graph, file, offset, length),
    a range of a previous dump (neighbouring ranges of one file are copied as one). Its size, its sha256 and
    where each graph's member lies."""
    h = hashlib.sha256()
    members: dict[str, tuple[int, int]] = {}
    runs: list[list] = []  # [file, offset, length] ranges and bytes, in order
    for piece in pieces:
        if isinstance(piece, bytes):
            runs.append([piece])
            continue
        name, src, *rng = piece
        if rng:
            offset, length = rng
            last = runs[-1] if runs else None
            if last is not None and len(last) == 3 and last[0] == src and last[1] + last[2] == offset:
                last[2] += length
            else:
                runs.append([src, offset, length])
        else:
            data = src.read_bytes()
            length = len(data)
            runs.append([data])
        members[name] = length  # type: ignore[assignment]
    pos = 0
    offsets: dict[str, tuple[int, int]] = {}
    with path.open("wb") as out:
        # members' offsets in the new file, in the order they were given
        for piece in pieces:
            if isinstance(piece, bytes):
                pos += len(piece)
                continue
            length = members[piece[0]]  # type: ignore[assignment]
            offsets[piece[0]] = (pos, length)  # type: ignore[assignment]
            pos += length  # type: ignore[operator]
        files: dict[Path, BinaryIO] = {}
        try:
            for run in runs:
                if len(run) == 1:
                    h.update(run[0])
                    out.write(run[0])
                    continue
                src, offset, length = run
                f = files.get(src) or files.setdefault(src, src.open("rb"))
                f.seek(offset)
                while length:
                    chunk = f.read(min(length, 8 << 20))
                    if not chunk:
                        raise OutputError(f"{src} is shorter than the build state says; build again with --full")
                    h.update(chunk)
                    out.write(chunk)
                    length -= len(chunk)
        finally:
            for f in files.values():
                f.close()
    return pos, h.hexdigest(), offsets


def _link_tree(src: Path, dst: Path) -> None:
    """``dst`` as a copy of the tree ``src`` made of hard links (``cp -al``: one process, not a call a file);
    files copied where the file system has no hard links."""
    if shutil.which("cp") is not None:
        res = subprocess.run(["cp", "-al", "--", str(src), str(dst)], capture_output=True)
        if res.returncode == 0:
            return
        shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=lambda s, d: _link_or_copy(Path(s), Path(d)))


def _remove_tree(path: Path) -> None:
    """Remove a directory tree: ``rm -rf`` (one process: a release at archive scale is 35,000 files, which
    Python's rmtree removes three times slower), else ``shutil.rmtree``."""
    if shutil.which("rm") is not None:
        if subprocess.run(["rm", "-rf", "--", str(path)], capture_output=True).returncode == 0:
            return
    shutil.rmtree(path, ignore_errors=True)


def _remove_trees_later(paths: list[Path]) -> Callable[[], None]:
    """Start removing ``paths`` (``rm -rf`` in a process of its own, else a thread); returns the wait for it."""
    def remove() -> None:
        for p in paths:
            shutil.rmtree(p, ignore_errors=True)

    if not paths:
        return lambda: None
    if shutil.which("rm") is not None:
        proc = subprocess.Popen(["rm", "-rf", "--", *map(str, paths)], stdout=subprocess.DEVNULL,
                                stderr=subprocess.DEVNULL)

        def wait() -> None:
            if proc.wait() != 0:
                remove()

        return wait

    worker = threading.Thread(target=remove, daemon=True)
    worker.start()
    return worker.join


def _remove_file(root: Path, relpath: str) -> None:
    """Remove ``root/relpath`` and the directories it leaves empty below ``root``."""
    path = root / relpath
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def _update_store(
    previous: Path, stage: Path, state: BuildState, blocks: dict[str, SubjectBlock], changes: Plan,
    ordered: list[DocResult], minter: Minter,
) -> tuple[ox.Store, int]:
    """The previous release's store with only what changed replaced; its quads, counted from the previous
    count and what left and came (counting the whole store takes seconds at archive scale). The graphs and
    subjects that came are counted in the store and must hold what their dumps hold."""
    # A consistent snapshot of the published store (hard links to its immutable files), opened read-only so
    # that the published store is never written.
    ox.Store.read_only(str(previous / "store")).backup(str(stage / "store"))
    store = ox.Store(str(stage / "store"))
    stored = state.triples
    for ident in (*changes.remove, *changes.load):
        g = ox.NamedNode(minter.graph(ident))
        n = _count(store, g)
        if n:
            stored -= n
            store.remove_graph(g)
    # The entities graph: the subjects whose block changed or went are removed, those that changed or came loaded.
    before = state.entities
    gone = [s for s, b in before.items() if s not in blocks or blocks[s].key != b.key]
    came = [s for s, b in blocks.items() if s not in before or before[s].key != b.key]
    for s in gone:
        for q in ox.parse(before[s].nq, format=ox.RdfFormat.N_QUADS):
            store.remove(q)
        stored -= before[s].triples
    if came:
        store.load(input=b"".join(blocks[s].nq for s in came), format=ox.RdfFormat.N_QUADS)
        stored += sum(blocks[s].triples for s in came)
    loaded = set(changes.load)
    for r in ordered:
        if r.identifier in loaded:
            store.load(input=gzip.decompress(part(r.parts, ".nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
            stored += r.triples
    store.flush()
    entities_g = ox.NamedNode(minter.graph(ENTITIES))
    for r in ordered:
        if r.identifier in loaded and _count(store, ox.NamedNode(minter.graph(r.identifier or ""))) != r.triples:
            raise OutputError(f"the store's graph of {r.identifier} does not hold what its dump holds; nothing was published")
    for s in came:
        if sum(1 for _ in store.quads_for_pattern(ox.NamedNode(s), None, None, entities_g)) != blocks[s].triples:
            raise OutputError(f"the store's entities graph does not describe {s} as its dump does; nothing was published")
    return store, stored


def _end_of_input(loader: StoreLoader | None, ordered: list[DocResult], minter: Minter, entities_nq: bytes) -> bool:
    """Give ``loader`` its last input, the entities graph, if the store it is loading is to be the release's:
    it holds each of ``ordered``'s documents once. Documents loaded and then left out (two files of one
    id, a rule broken across documents with --keep-going) have their graphs removed. Else stop it."""
    if loader is None or loader.used:  # used: a build that writes its release again, without some documents
        return False
    counts = Counter(loader.loaded)
    wanted = {r.identifier for r in ordered}
    if any(counts[i] != 1 for i in wanted):  # cannot happen: every published document was loaded once
        loader.close()
        return False
    loader.end(entities_nq, drop=[minter.graph(i) for i in sorted(set(counts) - wanted)])
    return True


def _previous_index(state: BuildState | None) -> list[dict]:
    if state is None:
        return []
    return [{"id": r.identifier, "source": r.relpath, "sha256": r.sha256} for r in state.results.values()]  # type: ignore[attr-defined]


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))


def _append(out: BinaryIO, source: Path, *, decompress: bool = False) -> None:
    """Copy a file to ``out``; with ``decompress``, gunzip it (every member)."""
    with (gzip.open(source, "rb") if decompress else source.open("rb")) as f:
        shutil.copyfileobj(f, out, 1 << 20)


def _link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the file system allows one (the files are never written in place), else a copy."""
    try:
        os.link(src, dst)
    except OSError as err:
        if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(src, dst)


_MEDIA = "https://www.iana.org/assignments/media-types/"


def void_blocks(
    minter: Minter, rel: Release, per_doc: list[dict], dataset_time: str | None, prefixes: dict[str, str],
    before: dict[str, tuple[str, list[tuple[str, bytes, bytes]]]],
) -> tuple[bytes, bytes, dict[str, tuple[str, list[tuple[str, bytes, bytes]]]], bytes | None]:
    """The VoID description (``void_graph``) as N-Quads and Turtle statements, its per-graph blocks for the
    build state, and what of it to validate (None: all of it). A graph's description depends on its name,
    dump, size and checksum only: an unchanged one is taken from ``before``. The dataset and its
    distributions are made every time.

    With ``before`` (a rebuild), what is validated is what was made again: the distributions and the
    descriptions of the graphs that changed, with the dataset's ``void:subset`` links to them. The
    dataset itself, whose link to every graph costs the fast engine seconds at archive scale (3.6 s for
    16,000), is validated by full builds; its counts are the sums of the per-graph figures it links to."""
    head = sorted_quads(void_graph(minter, rel, [], dataset_time), minter.dataset())
    ds, subset, g = ox.NamedNode(minter.dataset()), ox.NamedNode(str(VOID.subset)), ox.NamedNode(minter.dataset())
    head += [ox.Quad(ds, subset, ox.NamedNode(minter.graph(d["name"])), g) for d in per_doc]
    head.sort(key=str)
    by_subject: dict[str, list[ox.Quad]] = {}
    for q in head:
        by_subject.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]
    blocks = {s: (nquads(qs), turtle_body(qs, prefixes)) for s, qs in by_subject.items()}
    kept: dict[str, tuple[str, list[tuple[str, bytes, bytes]]]] = {}
    made: list[bytes] = []  # what to validate in a rebuild
    if before:  # the distributions, and the dataset's links to them (which they must have)
        made += [nq for s, (nq, _ttl) in blocks.items() if s != ds.value]
        made.append(nquads([q for q in by_subject.get(ds.value, []) if q.predicate.value == str(DCAT.distribution)]))
    for d in per_doc:
        key = f"{d['path']}\0{d['triples']}\0{d['bytes']}\0{d['sha256']}"
        prev = before.get(d["name"])
        if prev is None or prev[0] != key:
            quads: dict[str, list[ox.Quad]] = {}
            for q in sorted_quads(_subset_triples(minter, d), minter.dataset()):
                quads.setdefault(q.subject.value, []).append(q)  # type: ignore[union-attr]
            prev = (key, [(s, nquads(qs), turtle_body(qs, prefixes)) for s, qs in quads.items()])
            if before:
                made.append(nquads([ox.Quad(ds, subset, ox.NamedNode(minter.graph(d["name"])), g)]))
                made += [nq for _s, nq, _ttl in prev[1]]
        kept[d["name"]] = prev
        for s, nq, ttl in prev[1]:
            if s in blocks:
                raise OutputError(f"internal error: {s} is described twice in the VoID description")
            blocks[s] = (nq, ttl)
    order = sorted(blocks, key=_subject_order)
    return (b"".join(blocks[s][0] for s in order), b"".join(blocks[s][1] for s in order), kept,
            b"".join(made) if before else None)


def _subset_triples(minter: Minter, d: dict) -> Graph:
    """The description of one named graph of the dataset (without the dataset's ``void:subset`` to it)."""
    g = Graph()
    graph_iri = URIRef(minter.graph(d["name"]))
    g.add((graph_iri, RDF.type, VOID.Dataset))
    g.add((graph_iri, VOID.triples, Literal(d["triples"])))
    g.add((graph_iri, VOID.dataDump, URIRef(f"{minter.base}{d['path']}")))
    g.add((graph_iri, DCAT.byteSize, Literal(d["bytes"], datatype=XSD.nonNegativeInteger)))
    _checksum(g, graph_iri, "dump-sha256", d["sha256"])
    return g


def void_graph(minter: Minter, rel: Release, per_doc: list[dict], dataset_time: str | None) -> Graph:
    g = Graph()
    ds = URIRef(minter.dataset())
    base = minter.base
    g.add((ds, RDF.type, VOID.Dataset))
    g.add((ds, RDF.type, DCAT.Dataset))
    g.add((ds, DCTERMS.title, Literal("archivekg: documents, speakers, events and claims", lang="en")))
    g.add((ds, DCTERMS.description, Literal(
        "A knowledge graph of historical archive documents (transcripts of conversations, memoranda, "
        "telegrams, letters): who said what, when, to whom, with every statement anchored to its source text.",
        lang="en")))
    g.add((ds, DCTERMS.publisher, URIRef(minter.iri("organization", PUBLISHER[0]))))
    if dataset_time:
        g.add((ds, DCTERMS.modified, Literal(dataset_time, datatype=XSD.dateTime)))
    g.add((ds, VOID.triples, Literal(rel.triples)))
    g.add((ds, VOID.documents, Literal(rel.documents)))
    g.add((ds, VOID.uriSpace, Literal(f"{base}id/")))
    g.add((ds, VOID.sparqlEndpoint, URIRef(f"{base}sparql")))
    g.add((ds, AKG.personCount, Literal(rel.persons)))
    g.add((ds, AKG.utteranceCount, Literal(rel.utterances)))
    for vocab in ("akg", "dcterms", "schema", "foaf", "prov", "oa", "skos", "rico"):
        g.add((ds, VOID.vocabulary, URIRef(PREFIXES[vocab])))
    for fname, d in sorted(rel.dumps.items()):
        url = URIRef(f"{base}{d['path']}")
        dist = URIRef(minter.dump(fname))
        g.add((ds, VOID.dataDump, url))
        g.add((ds, DCAT.distribution, dist))
        _distribution(g, dist, url, d["media_type"], d["bytes"], d["sha256"], d["triples"])
        g.add((dist, DCTERMS.title, Literal(f"The whole graph: {fname}", lang="en")))
    for d in per_doc:
        graph_iri = URIRef(minter.graph(d["name"]))
        url = URIRef(f"{base}{d['path']}")
        g.add((ds, VOID.subset, graph_iri))
        g.add((graph_iri, RDF.type, VOID.Dataset))
        g.add((graph_iri, VOID.triples, Literal(d["triples"])))
        g.add((graph_iri, VOID.dataDump, url))
        g.add((graph_iri, DCAT.byteSize, Literal(d["bytes"], datatype=XSD.nonNegativeInteger)))
        _checksum(g, graph_iri, "dump-sha256", d["sha256"])
    return g


def _checksum(g: Graph, owner: URIRef, fragment: str, sha: str) -> None:
    """``owner spdx:checksum <owner#fragment>``: its SHA-256, as DCAT 3 describes checksums."""
    checksum = URIRef(Minter.part(str(owner), fragment))
    g.add((owner, SPDX.checksum, checksum))
    g.add((checksum, RDF.type, SPDX.Checksum))
    g.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
    g.add((checksum, SPDX.checksumValue, Literal(sha, datatype=XSD.hexBinary)))


def _distribution(g: Graph, dist: URIRef, url: URIRef, media: str, size: int, sha: str, triples: int) -> None:
    """A gzip-compressed dump as a dcat:Distribution with its size, triples and checksum."""
    g.add((dist, RDF.type, DCAT.Distribution))
    g.add((dist, DCAT.downloadURL, url))
    g.add((dist, DCAT.mediaType, URIRef(_MEDIA + media)))
    g.add((dist, DCAT.compressFormat, URIRef(_MEDIA + "application/gzip")))
    g.add((dist, DCAT.byteSize, Literal(size, datatype=XSD.nonNegativeInteger)))
    g.add((dist, VOID.triples, Literal(triples)))
    _checksum(g, dist, "sha256", sha)
    g.add((dist, RDFS.label, Literal(url.rsplit("/", 1)[-1])))
