"""The release's store: loaded while the documents convert (a full build), or a snapshot of the
published one with only the changed graphs and subjects replaced (a rebuild)."""

from __future__ import annotations

import errno
import fcntl
import os
import queue
import threading
import time
from collections import Counter
from collections.abc import Iterable
from pathlib import Path

import pyoxigraph as ox
from zlib_ng import gzip_ng

from ..cache import BuildState, Plan, SubjectBlock, part
from ..pipeline import DocResult
from ..uris import Minter

from .entities import ENTITIES
from .output import OutputError


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
                data = item if isinstance(item, bytes) else gzip_ng.decompress(item.read_bytes())
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


def update_store(
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
            store.load(input=gzip_ng.decompress(part(r.parts, ".nq.gz").read_bytes()), format=ox.RdfFormat.N_QUADS)
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


def end_of_input(loader: StoreLoader | None, ordered: list[DocResult], minter: Minter, entities_nq: bytes) -> bool:
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


def _count(store: ox.Store, graph: ox.NamedNode) -> int:
    return sum(1 for _ in store.quads_for_pattern(None, None, None, graph))
