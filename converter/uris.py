"""The only module that builds data IRIs: ``{base}id/{kind}/{slug}``.

Every IRI is a pure function of the base URI and stable facts of the input (the
archive's document id, a person's authority id or normalised name, a position in
the document), so the same input always gives the same IRIs. Parts of a resource
(its markers, participants, credits) are fragment IRIs of that resource
(``…/utterance/111239-22#mark-1``) rather than blank nodes: stable, dereferenceable, and safe to
merge. A span is an RFC 5147 fragment IRI of the source file (``…/source/x.txt#char=16,44``).
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from urllib.parse import quote, urlsplit

from .names import slugify

__all__ = ["Minter", "BaseURIError", "KINDS", "check_base_uri"]

KINDS = (
    "document", "event", "utterance", "paragraph", "person", "organization", "place",
    "graph", "activity", "software", "dataset", "dump", "claim", "mention",
)


class BaseURIError(ValueError):
    pass


def check_base_uri(base: str) -> str:
    """Return ``base`` ending in '/', or raise if it is not an absolute http(s) URI."""
    parts = urlsplit(base)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        raise BaseURIError(f"--base-uri {base!r} must be an absolute http(s) URI such as https://example.org/")
    if parts.query or parts.fragment:
        raise BaseURIError(f"--base-uri {base!r} must not have a query or fragment")
    return base if base.endswith("/") else base + "/"


_SAFE_SLUG = re.compile(r"^[\w.-]+$", re.UNICODE)


@dataclass(frozen=True)
class Minter:
    base: str

    def __post_init__(self) -> None:
        object.__setattr__(self, "base", check_base_uri(self.base))

    def iri(self, kind: str, slug: str) -> str:
        if kind not in KINDS:
            raise ValueError(f"unknown kind {kind!r}")
        if not _SAFE_SLUG.match(slug):
            raise ValueError(f"unsafe slug {slug!r}")
        return f"{self.base}id/{kind}/{slug}"

    # Kinds with their conventions.
    def document(self, doc_id: str) -> str:
        return self.iri("document", doc_id)

    def conversation(self, doc_id: str) -> str:
        return self.iri("event", f"{doc_id}-conversation")

    def utterance(self, doc_id: str, position: int) -> str:
        return self.iri("utterance", f"{doc_id}-{position}")

    def paragraph(self, doc_id: str, position: int) -> str:
        return self.iri("paragraph", f"{doc_id}-{position}")

    def claim(self, doc_id: str, block_kind: str, position: int, number: int) -> str:
        """``{doc}-{turn}-{k}``; ``p`` marks a paragraph's claims, ``f`` a footnote's."""
        prefix = {"turn": "", "paragraph": "p", "footnote": "f"}[block_kind]
        return self.iri("claim", f"{doc_id}-{prefix}{position}-{number}")

    def person(self, slug: str) -> str:
        return self.iri("person", slug)

    def organization(self, name: str) -> str:
        return self.iri("organization", slugify(name))

    def graph(self, name: str) -> str:
        return self.iri("graph", name)

    def activity(self, doc_id: str) -> str:
        return self.iri("activity", f"convert-{doc_id}")

    def software(self, version: str) -> str:
        return self.iri("software", slugify(f"archivekg-{version}"))

    def dataset(self) -> str:
        return self.iri("dataset", "archivekg")

    def dump(self, name: str) -> str:
        return self.iri("dump", slugify(name.replace(".", "-")))

    def source(self, relpath: str) -> str:
        """The published copy of a source file, served as text at this IRI."""
        return f"{self.base}source/{quote(relpath, safe='/')}"

    @staticmethod
    def chars(source_iri: str, start: int, end: int) -> str:
        """Characters ``start`` (inclusive) to ``end`` (exclusive) of a source file, as an RFC 5147
        fragment IRI: ``…/source/file.txt#char=5995,6209``. Offsets count Unicode code points of the
        text the converter read (a BOM dropped, line ends as one character)."""
        return f"{source_iri}#char={start},{end}"

    @staticmethod
    def parse_chars(iri: str) -> tuple[str, int, int] | None:
        """``(source IRI, start, end)`` of a ``#char=start,end`` IRI; None for any other IRI."""
        source, sep, frag = iri.partition("#char=")
        start, comma, end = frag.partition(",")
        if not sep or not comma or not start.isdigit() or not end.isdigit():
            return None
        return source, int(start), int(end)

    @staticmethod
    def part(iri: str, fragment: str) -> str:
        """A part of a resource: ``iri#fragment``, or ``iri#own-fragment`` for a part's part."""
        return f"{iri}-{fragment}" if "#" in iri else f"{iri}#{fragment}"

    def prefixes(self) -> dict[str, str]:
        """Data prefixes for this base, for readable Turtle."""
        return {
            "doc": f"{self.base}id/document/",
            "evt": f"{self.base}id/event/",
            "utt": f"{self.base}id/utterance/",
            "par": f"{self.base}id/paragraph/",
            "per": f"{self.base}id/person/",
            "org": f"{self.base}id/organization/",
            "graph": f"{self.base}id/graph/",
            "src": f"{self.base}source/",
        }
