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

A build is written under ``releases/.staging-*`` and becomes visible only when the
``current`` link is replaced in one rename; a failed or interrupted build leaves the
previous release untouched. The previous release is kept (a running server may
still be reading it); older ones are removed. A rebuild under the same fingerprint
(cache.py) starts from a snapshot of the published release and replaces only the
documents that changed (``write_release(previous=...)``).
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
import threading
import time
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

import pyoxigraph as ox
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, RDFS, XSD

from . import __version__
from .errors import ConversionError
from .namespaces import AKG, DCAT, PREFIXES, SPDX, VOID
from .cache import Plan, gzip_member, part, plan, read_passages
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


class OutputError(ConversionError):
    """The output directory cannot be used."""


def collect_sources(paths: Iterable[Path]) -> list[tuple[Path, str]]:
    """(file, relpath) of every ``*.txt`` under the given files and directories, sorted."""
    found: dict[str, Path] = {}
    problems: list[str] = []
    for p in paths:
        if not p.exists():
            problems.append(f"{p}: no such file or directory")
            continue
        if p.is_dir():
            items = [(f, f.relative_to(p).as_posix()) for f in sorted(p.rglob("*.txt")) if f.is_file()]
        else:
            items = [(p, p.name)]
        for f, rel in items:
            if rel in found and found[rel].resolve() != f.resolve():
                problems.append(f"{f}: the name {rel} is already taken by {found[rel]}; rename one of them")
                continue
            found[rel] = f
    if problems:
        raise OutputError("\n".join(problems))
    return sorted(((f, rel) for rel, f in found.items()), key=lambda x: x[1])


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
            # What a killed or failed build left behind: only one build holds the lock at a time.
            for stale in [*self.releases.glob(".staging-*"), *self.releases.glob(".parts-*")]:
                shutil.rmtree(stale, ignore_errors=True)
            for stale in self.path.glob(".current-*"):
                stale.unlink(missing_ok=True)
            stage = self.releases / f".staging-{os.getpid()}-{time.time_ns()}"
            stage.mkdir()
            try:
                yield stage
            finally:
                if stage.exists():
                    shutil.rmtree(stage, ignore_errors=True)

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
        """Drop the cached reports the last published build did not use."""
        for entry in self.validation_cache.glob("*/*.json"):
            if entry.stem not in keep:
                entry.unlink(missing_ok=True)
        for entry in self.validation_cache.glob("*/*.tmp"):  # half-written by a killed worker
            entry.unlink(missing_ok=True)

    def _prune(self, keep: str) -> None:
        releases = sorted(p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith("."))
        old = [p for p in releases if p.name != keep][: -(KEEP_RELEASES - 1) or None]
        for p in old:
            shutil.rmtree(p, ignore_errors=True)


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
    (stage / "build.json").write_text(json.dumps(info, indent=1, ensure_ascii=False, sort_keys=True) + "\n",
                                      encoding="utf-8")


def update_build_info(stage: Path, **keys: object) -> None:
    """Set ``keys`` in the staged build.json: what is known only after the checks across documents."""
    info = json.loads((stage / "build.json").read_text(encoding="utf-8"))
    info.update(keys)
    _write_build_info(stage, info)


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
    # write_release writes all but the store; this writes it (or waits for the loader) and checks it
    complete: Callable[[], None] = field(default=lambda: None, repr=False)


def _merge_persons(results: list[DocResult], authority_persons: dict[str, Entity]) -> list[PersonRecord]:
    names: dict[str, Counter[str]] = {}
    written: dict[str, set[str]] = {}
    for r in results:
        for slug, name, _curated, wr in r.persons:
            names.setdefault(slug, Counter())[name] += 1
            written.setdefault(slug, set()).update(wr)
    for slug in authority_persons:  # every curated person is described, mentioned or not
        names.setdefault(slug, Counter())
        written.setdefault(slug, set())
    out = []
    for slug in sorted(names):
        if slug in authority_persons:
            person = authority_persons[slug]
            label, qid, note = person.label, person.wikidata, person.note
            alts = set(person.aliases) | written[slug]
        else:
            label = sorted(names[slug].items(), key=lambda kv: (-kv[1], -len(kv[0]), kv[0]))[0][0]
            alts, qid, note = written[slug] | set(names[slug]), None, None
        out.append(PersonRecord(slug, label, tuple(sorted(a for a in alts if a and a != label)), qid, note))
    return out


def _language_labels(results: list[DocResult]) -> list[tuple[str, str]]:
    """(code, label) of each language, one label per language: the name the documents write most.

    Archives write one language several ways ("Persian" and "Farsi"); a language gets
    exactly one label, so two spellings in two documents must not become two labels.
    """
    names: dict[str, Counter[str]] = {}
    for r in results:
        for code, name in r.languages:
            names.setdefault(code, Counter())[name] += 1
    return [(code, min(c.items(), key=lambda kv: (-kv[1], kv[0]))[0]) for code, c in sorted(names.items())]


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
    loader: StoreLoader | None = None,
) -> Release:
    """Write dumps, sources, search index, VoID and build.json of ``results`` into ``stage``; the returned
    release's ``complete()`` writes the store and the serving index.

    Each result's parts are read from its conversion-cache entry (``r.parts``). With
    ``previous`` (the published release, built under the same fingerprint) the store
    and the search index start as copies of its own and only the documents that
    changed are replaced; the output is the same as without it. A full build may hand over ``loader``,
    the store it has been loading the documents into while converting them (``StoreLoader``); the
    release's store is then that one, with the same quads as a store loaded from the dump. Its last input
    is given here, so that it finishes loading and compacting while the rest is written and the build
    checks the dataset across documents; ``complete()`` waits for it.
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

    prefixes = {**PREFIXES, **minter.prefixes()}
    header = turtle_header(prefixes)
    dumps = stage / "dumps"
    (dumps / "documents").mkdir(parents=True)
    ordered = sorted(results, key=lambda r: r.identifier or "")
    before = _previous_index(previous)
    changes = plan(before, [(r.identifier or "", r.relpath, r.sha256) for r in ordered]) if previous else None

    # Entities graph: persons merged across documents, organisations, languages, software.
    ents: dict[tuple[str, str], Entity] = {(e.kind, e.id): e for e in authority_entities}
    ents.setdefault(("organization", PUBLISHER[0]), Entity("organization", PUBLISHER[0], PUBLISHER[1]))
    for r in ordered:
        if r.archive:
            slug, label, aliases, qid = r.archive
            ents.setdefault(("organization", slug), Entity("organization", slug, label, aliases, qid))
        for kind, slug, label in r.agents:
            ents.setdefault((kind, slug), Entity(kind, slug, label))
    languages = _language_labels(ordered)
    persons = _merge_persons(ordered, authority_persons)
    person_slugs = {p.slug for p in persons}
    others = [ents[k] for k in sorted(ents) if not (k[0] == "person" and k[1] in person_slugs)]
    eg = entities_graph(persons, others, languages, minter, software_version=__version__)
    eq = sorted_quads(eg, minter.graph(ENTITIES))
    entities_nq = nquads(eq)
    entities_body = turtle_body(eq, prefixes)
    (parts / "entities.nq").write_bytes(entities_nq)

    progress("writing dumps")
    # Each graph is one gzip member, compressed once by the worker that converted it and kept in the
    # conversion cache: a rebuild concatenates the members, and its dumps are byte-identical to a full build's.
    per_doc: list[dict] = []
    with (dumps / TURTLE_DUMP).open("wb") as ttl_gz, (dumps / NQUADS_DUMP).open("wb") as nq_gz:
        ttl_gz.write(gzip_member(header + entities_body))
        nq_gz.write(gzip_member(entities_nq))
        (dumps / "entities.ttl").write_bytes(header + entities_body)
        rel.quads += len(eq)
        per_doc.append({"name": ENTITIES, "path": "dumps/entities.ttl", "triples": len(eq),
                        "bytes": len(header) + len(entities_body),
                        "sha256": hashlib.sha256(header + entities_body).hexdigest()})
        for r in ordered:
            _append(ttl_gz, part(r.parts, ".ttl.gz"))
            _append(nq_gz, part(r.parts, ".nq.gz"))
            target = dumps / "documents" / f"{r.identifier}.ttl"
            _link_or_copy(part(r.parts, ".ttl"), target)
            rel.quads += r.triples
            per_doc.append({"name": r.identifier or "", "path": target.relative_to(stage).as_posix(),
                            "triples": r.triples, "bytes": r.ttl_bytes, "sha256": r.ttl_sha256})
    rel.triples = rel.quads  # every triple belongs to exactly one graph
    for fname, media in ((TURTLE_DUMP, "text/turtle"), (NQUADS_DUMP, "application/n-quads")):
        p = dumps / fname
        rel.dumps[fname] = {"path": f"dumps/{fname}", "bytes": p.stat().st_size, "sha256": _sha256(p),
                            "triples": rel.triples, "media_type": media, "compression": "gzip"}

    lap("dumps")
    # A full build's loader gets its last input now, and finishes loading while the sources and the
    # full-text index are written.
    preloaded = _end_of_input(loader, ordered, minter, entities_nq) if previous is None else False
    progress("copying sources")
    unchanged = {d["source"]: d["sha256"] for d in before}
    for r in ordered:
        dst = stage / "sources" / r.relpath
        dst.parent.mkdir(parents=True, exist_ok=True)
        if previous is not None and unchanged.get(r.relpath) == r.sha256 and (previous / "sources" / r.relpath).is_file():
            _link_or_copy(previous / "sources" / r.relpath, dst)
        else:
            shutil.copyfile(sources[r.relpath], dst)

    lap("sources")
    progress("indexing text")
    from .search_index import Passage, update_index, write_index

    labels = {p.slug: p.label for p in persons}
    if previous is not None and changes is not None:
        shutil.copyfile(previous / "search.sqlite", stage / "search.sqlite")
        loaded = set(changes.load)
        update_index(stage / "search.sqlite", changes.touched,
                     (Passage(*p) for r in ordered if r.identifier in loaded for p in read_passages(r.parts)), labels)
    else:
        write_index(stage / "search.sqlite", (Passage(*p) for r in ordered for p in read_passages(r.parts)), labels)
    lap("search_index")
    rel.documents = len(ordered)
    rel.persons = len({p[0] for r in ordered for p in r.persons})  # persons taking part in documents
    rel.utterances = sum(r.turns for r in ordered)
    rel.paragraphs = sum(r.paragraphs for r in ordered)
    void = void_graph(minter, rel, per_doc, dataset_time)
    (stage / "void.ttl").write_bytes(
        turtle_header(prefixes) + turtle_body(sorted_quads(void, minter.dataset()), prefixes)
    )
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
    _write_build_info(stage, info)

    def complete() -> None:
        """The release's store: the previous one with the changed graphs replaced (incremental), the one the
        loader filled while converting, or one loaded from the N-Quads dump; checked to hold what the dumps
        hold. Then the serving index, which reads it."""
        started = time.monotonic()
        progress("loading the store")
        if previous is not None and changes is not None:
            # A consistent snapshot of the published store (hard links to its immutable files), then only the
            # graphs that changed are replaced: the entities graph, new and changed documents; removed ones go.
            ox.Store.read_only(str(previous / "store")).backup(str(stage / "store"))
            store = ox.Store(str(stage / "store"))
            replaced = [ox.NamedNode(minter.graph(ident)) for ident in (*changes.remove, *changes.load, ENTITIES)]
            # Counting the whole store takes seconds at archive scale: count what leaves and what comes instead.
            stored = json.loads((previous / "build.json").read_text(encoding="utf-8"))["triples"]
            for g in replaced:
                stored -= _count(store, g)
                store.remove_graph(g)
            store.load(path=str(parts / "entities.nq"), format=ox.RdfFormat.N_QUADS)
            stems = {r.identifier: r.parts for r in ordered}
            for ident in changes.load:
                store.load(input=gzip.decompress(part(stems[ident], ".nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
            store.flush()
            stored += sum(_count(store, g) for g in replaced)
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
        del store
        if stored != rel.quads:
            raise OutputError(f"the store holds {stored} quads but the dumps hold {rel.quads}; nothing was published")

        rel.seconds["store"] = round(time.monotonic() - started, 2)
        started = time.monotonic()
        from .serving_index import write_serving_index

        write_serving_index(stage)  # vocabulary.json: what the server would otherwise scan the whole store for
        rel.seconds["serving_index"] = round(time.monotonic() - started, 2)

    rel.complete = complete
    return rel


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


def _previous_index(previous: Path | None) -> list[dict]:
    if previous is None:
        return []
    return json.loads((previous / "build.json").read_text(encoding="utf-8"))["documents_index"]


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
