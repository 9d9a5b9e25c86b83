"""The entities graph (persons, organisations, languages and software, merged across documents),
kept as one block a subject, and the sums of what each document adds to it."""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import dataclass, field

import pyoxigraph as ox

from .. import __version__
from ..namespaces import LEXVO
from ..cache import SubjectBlock, gzip_member
from ..pipeline import DocResult
from ..rdf_io import nquads, sorted_quads, turtle_body
from ..authority import Entity
from ..to_rdf import PUBLISHER, PersonRecord, entities_graph
from ..uris import Minter

from .output import OutputError


ENTITIES = "entities"


_RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"


_TERMS: dict[str, str] = {}  # one string per term, so that the build state pickles each once


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


def subject_order(subject: str) -> str:
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


def entity_members(
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
