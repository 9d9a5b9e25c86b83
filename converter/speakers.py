"""Who is who in a document: turn labels, participants and title names -> persons.

A label resolves to one person in the document ("Balluku" in the turns is "Beqir
Balluku" of the title; "North (KIM)" is Kim Il Sung; "Vito" is the "Vito Kapo" a
previous label introduced) and to one identifier across all documents: the
authority file's id when the person is curated, else the slug of the normalised
name. Pure function of the document and the authority data.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from .authority import Authority
from .model import Document
from .names import ROLE_WORDS, name_tokens, normalise_name, slugify
from .readers.wilson import _title_names

__all__ = ["PersonRef", "Cast", "resolve"]


@dataclass(frozen=True)
class PersonRef:
    slug: str
    name: str  # the fullest name this document gives (normalised)
    curated: bool  # from the authority file
    written: tuple[str, ...] = ()  # every way this document writes the name


@dataclass
class Cast:
    """The persons of one document and how its labels map to them."""

    by_label: dict[str, PersonRef] = field(default_factory=dict)
    participants: list[PersonRef] = field(default_factory=list)  # listed as present
    named_in_title: list[PersonRef] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def persons(self) -> list[PersonRef]:
        """Every person of the document, once, merging the ways it is written."""
        merged: dict[str, PersonRef] = {}
        for ref in [*self.named_in_title, *self.participants, *self.by_label.values()]:
            prev = merged.get(ref.slug)
            if prev is None:
                merged[ref.slug] = ref
            else:
                name = max((prev.name, ref.name), key=lambda n: (len(name_tokens(n)), n))
                written = tuple(sorted(set(prev.written) | set(ref.written)))
                merged[ref.slug] = PersonRef(ref.slug, name, prev.curated or ref.curated, written)
        return [merged[s] for s in sorted(merged)]

    @property
    def speakers(self) -> list[PersonRef]:
        seen: dict[str, PersonRef] = {}
        for ref in self.by_label.values():
            seen.setdefault(ref.slug, ref)
        return [seen[s] for s in sorted(seen)]


def _ref(name: str, written: list[str], authority: Authority, doc_id: str) -> PersonRef:
    entity = authority.lookup("person", name)
    if entity is None:
        for w in written:
            entity = authority.lookup("person", w)
            if entity is not None:
                break
    names = tuple(sorted({w for w in written if w}))
    if entity is not None:
        return PersonRef(entity.id, entity.label, True, names)
    norm = normalise_name(name)
    toks = name_tokens(norm)
    if toks and all(t in ROLE_WORDS for t in toks):
        # "Interpreter", "Chinese Side": a role of this document, not a known person.
        return PersonRef(f"{doc_id}-{slugify(norm)}", norm, False, names)
    return PersonRef(slugify(norm), norm, False, names)


def resolve(doc: Document, authority: Authority) -> Cast:
    cast = Cast()
    title_names = [normalise_name(n) for n in _title_names(doc.title)]
    participant_names = [normalise_name(p.name) for p in doc.participants]
    full_labels = [normalise_name(t.name) for t in doc.turns if len(name_tokens(t.name)) >= 2]
    aliases = {" ".join(name_tokens(t.alias)): normalise_name(t.name) for t in doc.turns if t.alias}
    # Candidates, title names first: they name the main parties.
    candidates: list[str] = []
    for n in [*title_names, *participant_names, *full_labels]:
        if n not in candidates:
            candidates.append(n)

    for name in title_names:
        cast.named_in_title.append(_ref(name, [name], authority, doc.identifier))
    for p in doc.participants:
        cast.participants.append(_ref(p.name, [p.name], authority, doc.identifier))

    for turn in doc.turns:
        if turn.label in cast.by_label:
            continue
        written = [turn.label, turn.name] + ([turn.alias] if turn.alias else [])
        toks = name_tokens(turn.name)
        full = aliases.get(" ".join(toks))
        if full is None and authority.lookup("person", turn.name) is not None:
            full = turn.name
        if full is None:
            matches = [c for c in candidates if toks and set(toks) <= set(name_tokens(c))]
            in_title = [c for c in matches if c in title_names]
            pick = in_title if in_title else matches
            distinct = sorted({" ".join(name_tokens(c)) for c in pick})
            if len(distinct) == 1:
                full = pick[0]
            elif len(distinct) > 1:
                cast.warnings.append(
                    f"{doc.source}:{turn.line}: speaker label '{turn.label}' could be any of "
                    f"{', '.join(sorted(set(pick)))}; it is kept as its own person — add the label "
                    f"as an alias in seeds/authority/persons.csv to decide"
                )
        ref = _ref(full or turn.name, written + ([full] if full else []), authority, doc.identifier)
        cast.by_label[turn.label] = ref
    return cast
