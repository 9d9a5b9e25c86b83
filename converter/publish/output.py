"""The output directory: its releases, the atomic swap and the lock, build.json, and the file trees
of a release (hard links, background removal)."""

from __future__ import annotations

import errno
import fcntl
import json
import os
import shutil
import subprocess
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

from ..errors import ConversionError


KEEP_RELEASES = 2


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
            removal = remove_trees_later(gone)
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
        os.replace(tmp_link, self.current)  # atomic on POSIX (the releases it retires went when the build began)
        return final

    def prune_validation_cache(self, keep: set[str]) -> None:
        """Drop the cached reports the last published build did not use, and those half-written by a killed worker."""
        from ..cache import prune_dir

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

    def _retired(self, keep: int) -> list[Path]:
        """The releases to retire so that ``keep`` remain: the published one (``current``'s) and the newest others."""
        published = self.current.resolve().name if self.current.is_symlink() else None
        releases = sorted(p for p in self.releases.iterdir() if p.is_dir() and not p.name.startswith("."))
        others = [p for p in releases if p.name != published]
        return others[: -(keep - 1) or None] if keep > 1 else others


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


def link_tree(src: Path, dst: Path) -> None:
    """``dst`` as a copy of the tree ``src`` made of hard links (``cp -al``: one process, not a call a file);
    files copied where the file system has no hard links."""
    if shutil.which("cp") is not None:
        res = subprocess.run(["cp", "-al", "--", str(src), str(dst)], capture_output=True)
        if res.returncode == 0:
            return
        shutil.rmtree(dst, ignore_errors=True)
    shutil.copytree(src, dst, copy_function=lambda s, d: link_or_copy(Path(s), Path(d)))


def remove_trees_later(paths: list[Path]) -> Callable[[], None]:
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


def remove_file(root: Path, relpath: str) -> None:
    """Remove ``root/relpath`` and the directories it leaves empty below ``root``."""
    path = root / relpath
    path.unlink(missing_ok=True)
    parent = path.parent
    while parent != root and parent.is_dir() and not any(parent.iterdir()):
        parent.rmdir()
        parent = parent.parent


def link_or_copy(src: Path, dst: Path) -> None:
    """A hard link where the file system allows one (the files are never written in place), else a copy."""
    try:
        os.link(src, dst)
    except OSError as err:
        if err.errno not in (errno.EXDEV, errno.EPERM, errno.EMLINK, errno.ENOTSUP):
            raise
        shutil.copyfile(src, dst)
