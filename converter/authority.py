"""Curated authority data from ``seeds/authority/*.csv``: names, aliases, Wikidata ids.

Each file holds one kind of entity (``persons.csv``, ``organizations.csv``, ...)
with the columns ``id,label,aliases,wikidata,note``; ``aliases`` are separated by
``|``. Curators extend these files without touching code. Loading checks them and
reports every problem with its file and line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError
from .names import name_tokens

__all__ = ["Authority", "AuthorityError", "Entity", "load_authority", "parse_authority"]

_KIND_FILES = {"persons": "person", "organizations": "organization", "places": "place", "events": "event"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_QID = re.compile(r"^Q[1-9]\d*$")
COLUMNS = ("id", "label", "aliases", "wikidata", "note")


class AuthorityError(DocumentError):
    """A problem in an authority file."""


@dataclass(frozen=True)
class Entity:
    kind: str
    id: str
    label: str
    aliases: tuple[str, ...] = ()
    wikidata: str | None = None
    note: str | None = None


def _key(name: str) -> str:
    return " ".join(name_tokens(name))


@dataclass
class Authority:
    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    _index: dict[tuple[str, str], set[str]] = field(default_factory=dict)

    def add(self, entity: Entity) -> None:
        self.entities[(entity.kind, entity.id)] = entity
        for name in (entity.label, *entity.aliases):
            self._index.setdefault((entity.kind, _key(name)), set()).add(entity.id)

    def get(self, kind: str, id_: str) -> Entity | None:
        return self.entities.get((kind, id_))

    def lookup(self, kind: str, name: str) -> Entity | None:
        """The one entity of ``kind`` with this label or alias (case and diacritics folded)."""
        ids = self._index.get((kind, _key(name)), set())
        if len(ids) != 1:
            return None
        return self.entities[(kind, next(iter(ids)))]

    def ambiguous(self, kind: str, name: str) -> list[str]:
        return sorted(self._index.get((kind, _key(name)), set()))

    def of_kind(self, kind: str) -> list[Entity]:
        return sorted((e for (k, _), e in self.entities.items() if k == kind), key=lambda e: e.id)


def parse_authority(text: str, *, kind: str, source: str, into: Authority | None = None) -> Authority:
    """Parse one CSV file's text; raise an AuthorityError listing every bad row."""
    auth = into if into is not None else Authority()
    problems: list[str] = []
    reader = csv.DictReader(text.splitlines())
    missing = [c for c in ("id", "label") if c not in (reader.fieldnames or [])]
    if missing:
        raise AuthorityError(
            f"missing column(s) {', '.join(missing)}", source=source, line=1, column=1,
            hint=f"the first line must name the columns {','.join(COLUMNS)}",
        )
    seen: dict[str, int] = {}
    for row in reader:
        line = reader.line_num
        rid = (row.get("id") or "").strip()
        label = (row.get("label") or "").strip()
        qid = (row.get("wikidata") or "").strip() or None
        if not _ID.match(rid):
            problems.append(f"{source}:{line}: id {rid!r} must be lowercase letters, digits and hyphens")
            continue
        if rid in seen:
            problems.append(f"{source}:{line}: id {rid!r} is already used on line {seen[rid]}")
            continue
        seen[rid] = line
        if not label:
            problems.append(f"{source}:{line}: {rid} has no label")
            continue
        if qid is not None and not _QID.match(qid):
            problems.append(f"{source}:{line}: wikidata {qid!r} of {rid} is not a Wikidata item id like Q1234")
            continue
        aliases = tuple(a.strip() for a in (row.get("aliases") or "").split("|") if a.strip())
        auth.add(Entity(kind, rid, label, aliases, qid, (row.get("note") or "").strip() or None))
    if problems:
        raise AuthorityError(
            "; ".join(problems) if len(problems) == 1 else f"{len(problems)} problems:\n  " + "\n  ".join(problems),
            source=source, hint="correct the authority file and build again",
        )
    return auth


def load_authority(directory: Path | None) -> Authority:
    """Load every known ``*.csv`` of ``directory``; an absent directory gives an empty authority."""
    auth = Authority()
    if directory is None or not directory.is_dir():
        return auth
    for path in sorted(directory.glob("*.csv")):
        kind = _KIND_FILES.get(path.stem)
        if kind is None:
            continue
        parse_authority(path.read_text(encoding="utf-8"), kind=kind, source=str(path), into=auth)
    return auth
