"""Reading a source file's bytes: its text and the facts the graph records about the file.

The one place that decides how a source file is read (UTF-8, classic Mac line ends read as line
breaks), so that the converter and the server, which quotes a mention's characters from the published
source (``server/annotation.py``), count the same offsets.
"""

from __future__ import annotations

import hashlib

from .errors import DocumentError
from .model import SourceInfo

__all__ = ["decode_source", "read_source"]


def decode_source(data: bytes, relpath: str) -> str:
    """UTF-8 text of a source file, or a DocumentError naming the line of the bad byte."""
    try:
        return data.decode("utf-8")
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        col = err.start - (data.rfind(b"\n", 0, err.start) + 1) + 1
        raise DocumentError(
            f"not valid UTF-8: byte 0x{data[err.start]:02x} cannot be decoded",
            source=relpath, line=line, column=col,
            hint="save the file as UTF-8 (it may be Latin-1 or Windows-1252)",
        ) from None


def read_source(data: bytes, relpath: str) -> tuple[str, SourceInfo]:
    """The text of a source file's bytes and the facts the graph records about the file."""
    text = decode_source(data, relpath)
    if "\r" in text and "\n" not in text:  # classic Mac line ends: the same offsets, read as line breaks
        text = text.replace("\r", "\n")
    return text, SourceInfo(relpath, hashlib.sha256(data).hexdigest(), len(data), len(text))
