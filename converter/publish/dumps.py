"""The whole-archive dumps: gzip members copied by range from the previous dumps or taken from the
conversion cache, hashed as they are written."""

from __future__ import annotations

import gzip
import hashlib
import shutil
from pathlib import Path
from typing import BinaryIO

from .output import OutputError


TURTLE_DUMP = "archivekg.ttl.gz"


NQUADS_DUMP = "archivekg.nq.gz"


def write_dump(path: Path, pieces: list) -> tuple[int, str, dict[str, tuple[int, int]]]:
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


def append_file(out: BinaryIO, source: Path, *, decompress: bool = False) -> None:
    """Copy a file to ``out``; with ``decompress``, gunzip it (every member)."""
    with (gzip.open(source, "rb") if decompress else source.open("rb")) as f:
        shutil.copyfileobj(f, out, 1 << 20)


def _sha256(path: Path) -> str:
    h = hashlib.sha256()
    with path.open("rb") as f:
        for chunk in iter(lambda: f.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()
