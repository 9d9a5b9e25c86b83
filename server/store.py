"""The server's one way to its data: a small store interface over the published build.

``OxigraphStore`` opens ``DATA_DIR/current/store`` read-only and follows the
``current`` link: when a new build is published, the next request opens the new
store, while requests in flight finish on the old one (they hold a reference to it).
Queries see the union of all named graphs as their default graph, unless the
request names its own dataset (``default-graph-uri`` / ``named-graph-uri``).
"""

from __future__ import annotations

import json
import os
import threading
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import pyoxigraph as ox

__all__ = ["Store", "OxigraphStore", "QuerySyntaxError", "StoreUnavailable", "Dataset", "StoreTimeout", "open_store",
           "read_build_info", "release_dir"]


class QuerySyntaxError(ValueError):
    """The query does not parse; the message has the position."""


class StoreUnavailable(RuntimeError):
    """No published build can be opened."""


class StoreTimeout(RuntimeError):
    """A remote store stopped the query at its own time limit, or did not answer within ours (503)."""


@dataclass(frozen=True)
class Dataset:
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()


class Store(Protocol):
    def query(self, sparql: str, dataset: Dataset | None = None, base_iri: str | None = None):  # type: ignore[no-untyped-def]
        """Run a SPARQL query; pyoxigraph results (solutions, triples or a boolean)."""

    def build_info(self) -> dict: ...

    def current_path(self) -> Path: ...


def release_dir(data_dir: Path) -> Path:
    """The published release ``data_dir/current`` points to (StoreUnavailable when there is none)."""
    link = Path(data_dir) / "current"
    try:
        target = os.readlink(link) if link.is_symlink() else str(link.resolve(strict=True))
    except OSError:
        raise StoreUnavailable(f"no published build in {data_dir}; run 'archivekg build --out {data_dir}'") from None
    return Path(target) if os.path.isabs(target) else Path(data_dir) / target


_info_lock = threading.Lock()
_info_cache: dict[str, tuple[tuple[int, int, int], dict]] = {}
_INFO_KEPT = 4  # releases whose build.json is kept parsed (one is current; tests serve several at once)


def read_build_info(release: Path) -> dict:
    """The release's build.json without its per-document index (``documents_index``, which the server never
    reads), parsed once while the file stays the same: it is kept under its path, inode, size and modification
    time, so a build published in its place, or the file rewritten, is read again. At archive scale build.json
    is 26 MB (16,000 documents): parsing it took 0.3 s, and several requests did on every call. The caller gets
    its own copy of the top level."""
    path = Path(release) / "build.json"
    st = path.stat()  # OSError when there is none, as before
    key, where = (st.st_ino, st.st_size, st.st_mtime_ns), str(path)
    with _info_lock:
        hit = _info_cache.get(where)
    if hit is None or hit[0] != key:
        info = json.loads(path.read_text(encoding="utf-8"))
        info.pop("documents_index", None)
        hit = (key, info)
        with _info_lock:
            _info_cache.pop(where, None)
            while len(_info_cache) >= _INFO_KEPT:
                del _info_cache[next(iter(_info_cache))]  # the oldest
            _info_cache[where] = hit
    return dict(hit[1])


def open_store(data_dir: Path, endpoint: str = "", timeout: float = 30.0) -> "Store":
    """The store of a build directory: its own embedded store, or the remote SPARQL endpoint it was published to."""
    if endpoint:
        from .remote_store import RemoteStore

        return RemoteStore(Path(data_dir), endpoint, timeout)
    return OxigraphStore(Path(data_dir))


class OxigraphStore:
    def __init__(self, data_dir: Path) -> None:
        self.data_dir = Path(data_dir)
        self._lock = threading.Lock()
        self._target: str | None = None
        self._store: ox.Store | None = None
        self._path = self.data_dir
        self._link = str(self.data_dir / "current")
        self.current_build_json = os.path.join(self._link, "build.json")  # the published release's, through the link

    def _current(self) -> tuple[ox.Store, Path]:
        try:
            try:
                target = os.readlink(self._link)  # the usual case: one system call a request
            except OSError:
                target = str(Path(self._link).resolve(strict=True))  # not a link (a copied build): its directory
        except OSError:
            raise StoreUnavailable(f"no published build in {self.data_dir}; run 'archivekg build --out {self.data_dir}'") from None
        with self._lock:
            if target != self._target or self._store is None:
                path = (self.data_dir / target) if not os.path.isabs(target) else Path(target)
                try:
                    self._store = ox.Store.read_only(str(path / "store"))
                except OSError as err:
                    raise StoreUnavailable(f"cannot open the store of {path}: {err}") from None
                self._target, self._path = target, self.data_dir / target
            return self._store, self._path

    def query(self, sparql: str, dataset: Dataset | None = None, base_iri: str | None = None):  # type: ignore[no-untyped-def]
        store, _ = self._current()
        kwargs: dict = {"base_iri": base_iri} if base_iri else {}
        if dataset and (dataset.default_graphs or dataset.named_graphs):
            if dataset.default_graphs:
                kwargs["default_graph"] = [ox.NamedNode(g) for g in dataset.default_graphs]
            if dataset.named_graphs:
                kwargs["named_graphs"] = [ox.NamedNode(g) for g in dataset.named_graphs]
        else:
            kwargs["use_default_graph_as_union"] = True
        try:
            return store.query(sparql, **kwargs)
        except SyntaxError as err:
            raise QuerySyntaxError(str(err)) from None

    def current_path(self) -> Path:
        """The directory of the published release the store was opened from."""
        return self._current()[1]

    def build_info(self) -> dict:
        return read_build_info(self.current_path())
