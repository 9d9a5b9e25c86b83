"""Curated authority data from ``seeds/authority/*.csv``: names, aliases, Wikidata ids.

Each file holds one kind of entity (``persons.csv``, ``places.csv``,
``organizations.csv``, ``events.csv``) with the columns:

- ``id``: lowercase slug, the entity's IRI is ``{base}id/{kind}/{id}``;
- ``label``: preferred name; ``aliases``: other names and spellings, ``|``-separated;
- ``demonyms`` (optional): adjectival or group forms that refer to it ("Bulgarian",
  "the Soviets"), ``|``-separated; matched with a lower confidence than names;
- ``not_when`` (optional): a regular expression; a match of a name is dropped when the
  sentence around it matches (``roast|stuffed|dinner`` keeps the bird out of Turkey);
- ``type`` (optional): finer type (country, city, state, party, ...);
- ``date`` (optional, events): ISO date of the event, ``start/end`` for a span;
- ``place`` (optional, events): id of a place in ``places.csv``;
- ``wikidata``: a Wikidata item id (``Q…``) or empty; ``note``: free text.

No QID is taken on trust: each one must have a row in ``wikidata-evidence.csv``
(columns ``kind,id,qid,source,source_label,source_description,note``) naming the
Wikidata-derived public source it was checked against and the label and description
that source gives. A QID without evidence, or evidence for another QID, is an error.

A place's coordinates are in ``coordinates.csv`` (``converter.coordinates``): one row per place, with the
QID they were read from (the place's own) and their source; ``archivekg link coordinates`` fills it from
Wikidata's P625.

Curators extend these files without touching code. Loading checks them and reports
every problem with its file and line.
"""

from __future__ import annotations

import csv
import re
from dataclasses import dataclass, field
from pathlib import Path

from .errors import DocumentError
from .names import name_tokens

__all__ = ["Authority", "AuthorityError", "EVIDENCE_FILE", "Entity", "Evidence", "load_authority", "parse_authority"]

_KIND_FILES = {"persons": "person", "organizations": "organization", "places": "place", "events": "event"}
_ID = re.compile(r"^[a-z0-9][a-z0-9-]*$")
_QID = re.compile(r"^Q[1-9]\d*$")
_ISO = r"\d{4}(?:-\d{2}(?:-\d{2})?)?"
_DATE = re.compile(rf"^{_ISO}(?:/{_ISO})?$")
COLUMNS = ("id", "label", "aliases", "demonyms", "not_when", "type", "date", "place", "wikidata", "note")
EVIDENCE_FILE = "wikidata-evidence.csv"
EVIDENCE_COLUMNS = ("kind", "id", "qid", "source", "source_label", "source_description", "note")


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
    demonyms: tuple[str, ...] = ()
    not_when: str | None = None
    type: str | None = None
    date: str | None = None
    place: str | None = None
    where: str = field(default="", compare=False)  # file:line of its row
    coordinates: tuple[str, str] | None = None  # (latitude, longitude), decimal degrees, from coordinates.csv


@dataclass(frozen=True)
class Evidence:
    """What a QID was checked against: a Wikidata-derived public source, its label and description."""
    kind: str
    id: str
    qid: str
    source: str
    label: str
    description: str = ""
    note: str = ""


def _key(name: str) -> str:
    return " ".join(name_tokens(name))


@dataclass
class Authority:
    entities: dict[tuple[str, str], Entity] = field(default_factory=dict)
    evidence: dict[tuple[str, str], Evidence] = field(default_factory=dict)
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
        demonyms = tuple(a.strip() for a in (row.get("demonyms") or "").split("|") if a.strip())
        not_when = (row.get("not_when") or "").strip() or None
        if not_when is not None:
            try:
                re.compile(not_when)
            except re.error as err:
                problems.append(f"{source}:{line}: not_when of {rid} is not a valid regular expression: {err}")
                continue
        date = (row.get("date") or "").strip() or None
        if date is not None and not _DATE.match(date):
            problems.append(f"{source}:{line}: date {date!r} of {rid} must be YYYY, YYYY-MM, YYYY-MM-DD or start/end")
            continue

        def opt(col: str) -> str | None:
            return (row.get(col) or "").strip() or None

        auth.add(Entity(kind, rid, label, aliases, qid, opt("note"), demonyms, not_when, opt("type"), date, opt("place"),
                        where=f"{source}:{line}"))
    _raise_problems(problems, source, "correct the authority file and build again")
    return auth


def _raise_problems(problems: list[str], source: str, hint: str) -> None:
    """Every problem found, in one error."""
    if problems:
        raise AuthorityError(
            "; ".join(problems) if len(problems) == 1 else f"{len(problems)} problems:\n  " + "\n  ".join(problems),
            source=source, hint=hint,
        )


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
    evidence = directory / EVIDENCE_FILE
    check_evidence(auth, evidence.read_text(encoding="utf-8") if evidence.is_file() else "", str(evidence))
    coordinates = directory / "coordinates.csv"
    if coordinates.is_file():
        attach_coordinates(auth, coordinates.read_text(encoding="utf-8"), str(coordinates))
    return auth


def attach_coordinates(auth: Authority, text: str, source: str) -> None:
    """Give each place of ``coordinates.csv`` its latitude and longitude; every row must name a place of the
    authority files, the QID that place has, coordinates in range and a source."""
    from dataclasses import replace

    from .coordinates import COORDINATE_COLUMNS, decimal_in

    problems: list[str] = []
    reader = csv.DictReader(text.splitlines())
    if text.strip():
        missing = [c for c in COORDINATE_COLUMNS[:6] if c not in (reader.fieldnames or [])]
        if missing:
            raise AuthorityError(f"missing column(s) {', '.join(missing)}", source=source, line=1, column=1,
                                 hint=f"the first line must name the columns {','.join(COORDINATE_COLUMNS)}")
    seen: set[tuple[str, str]] = set()
    for row in reader:
        where = f"{source}:{reader.line_num}"
        kind, id_, qid = ((row.get(c) or "").strip() for c in ("kind", "id", "qid"))
        entity = auth.get(kind, id_)
        lat = decimal_in(row.get("latitude") or "", -90, 90)
        lon = decimal_in(row.get("longitude") or "", -180, 180)
        if kind != "place" or entity is None:
            problems.append(f"{where}: there is no place {id_!r} in places.csv")
        elif (kind, id_) in seen:
            problems.append(f"{where}: a second row for place {id_}")
        elif entity.wikidata != qid:
            problems.append(f"{where}: the coordinates are of {qid or '(no QID)'}, but {entity.where} gives "
                            f"place {id_} {entity.wikidata or 'no QID'}")
        elif lat is None or lon is None:
            problems.append(f"{where}: latitude must be a decimal from -90 to 90 and longitude one from -180 to 180, "
                            f"not {row.get('latitude')!r}, {row.get('longitude')!r}")
        elif not (row.get("source") or "").strip():
            problems.append(f"{where}: the coordinates of {id_} need their source")
        else:
            seen.add((kind, id_))
            auth.entities[(kind, id_)] = replace(entity, coordinates=(lat, lon))
    _raise_problems(problems, source, "every row of coordinates.csv names a place, the QID places.csv gives it, its "
                                      "latitude and longitude in decimal degrees and their source; "
                                      "'archivekg link coordinates' writes them")


def check_evidence(auth: Authority, text: str, source: str) -> None:
    """Attach the evidence rows to the authority; every QID needs one, and every row its entity and QID."""
    problems: list[str] = []
    reader = csv.DictReader(text.splitlines())
    if text.strip():
        missing = [c for c in EVIDENCE_COLUMNS[:5] if c not in (reader.fieldnames or [])]
        if missing:
            raise AuthorityError(f"missing column(s) {', '.join(missing)}", source=source, line=1, column=1,
                                 hint=f"the first line must name the columns {','.join(EVIDENCE_COLUMNS)}")
        for row in reader:
            where = f"{source}:{reader.line_num}"
            ev = Evidence(*((row.get(c) or "").strip() for c in EVIDENCE_COLUMNS))
            entity = auth.get(ev.kind, ev.id)
            if entity is None:
                problems.append(f"{where}: there is no {ev.kind or '(no kind)'} {ev.id!r} in the authority files")
            elif entity.wikidata != ev.qid:
                problems.append(f"{where}: the evidence is for {ev.qid or '(no QID)'}, but {entity.where} gives "
                                f"{ev.kind} {ev.id} {entity.wikidata or 'no QID'}")
            elif not ev.source or not ev.label:
                problems.append(f"{where}: evidence for {ev.qid} needs its source and the label the source gives")
            elif (ev.kind, ev.id) in auth.evidence:
                problems.append(f"{where}: a second evidence row for {ev.kind} {ev.id}")
            else:
                auth.evidence[(ev.kind, ev.id)] = ev
    for (kind, id_), entity in sorted(auth.entities.items()):
        if entity.wikidata and (kind, id_) not in auth.evidence:
            problems.append(f"{entity.where}: {kind} {id_} has {entity.wikidata} but {EVIDENCE_FILE} has no evidence for it")
    _raise_problems(problems, source, "every QID needs a row in wikidata-evidence.csv: the Wikidata-derived source it "
                                      "was checked against, with the label and description found there; a QID that "
                                      "cannot be checked stays out")
