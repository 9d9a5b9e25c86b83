"""Who is who in a document: turn labels, participants and title names -> persons.

A label resolves to one person in the document ("Balluku" in the turns is "Beqir
Balluku" of the title; "North (KIM)" is Kim Il Sung; "Vito" is the "Vito Kapo" a
previous label introduced) and to one identifier across all documents: the
authority file's id when the person is curated, else the slug of the normalised
name. Pure function of the document and the authority data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from .authority import Authority
from .model import Document
from .names import (
    ROLE_WORDS,
    fold,
    name_tokens,
    normalise_name,
    slugify,
    split_title,
    strip_honorifics,
    strip_invisible,
)
from .people import named_people

__all__ = ["PersonRef", "Cast", "resolve"]


@dataclass(frozen=True)
class PersonRef:
    slug: str
    name: str  # the fullest name this document gives (normalised)
    curated: bool  # from the authority file
    written: tuple[str, ...] = ()  # every way this document writes the name

    def __post_init__(self) -> None:
        # Bidirectional controls and other invisible characters are never part of a name (a right-to-left
        # override would make the label read as another name); the reader warns where they stand.
        clean = strip_invisible(self.name)
        if clean != self.name:
            object.__setattr__(self, "name", clean)
        if any(strip_invisible(w) != w for w in self.written):
            object.__setattr__(self, "written", tuple(sorted({c for w in self.written if (c := strip_invisible(w))})))


@dataclass
class Cast:
    """The persons of one document and how its labels map to them."""

    by_label: dict[str, PersonRef] = field(default_factory=dict)
    participants: list[PersonRef] = field(default_factory=list)  # listed as present
    named_in_title: list[PersonRef] = field(default_factory=list)
    mentioned: list[PersonRef] = field(default_factory=list)  # named in the body, the credits or a signature
    contributors: list[tuple[PersonRef, str]] = field(default_factory=list)  # (person, "translator"...) of the credits
    warnings: list[str] = field(default_factory=list)

    @property
    def persons(self) -> list[PersonRef]:
        """Every person of the document, once, merging the ways it is written."""
        merged: dict[str, PersonRef] = {}
        for ref in [*self.named_in_title, *self.participants, *self.by_label.values(), *self.mentioned,
                    *(c[0] for c in self.contributors)]:
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


_ORG_OR_PLACE = frozenset(
    """party committee ministry embassy government army union republic people national central state council
    bureau office agency university institute archive archives foundation congress conference province city""".split())


def _longer_run(name: str, text: str) -> str | None:
    """The one longer name the document writes starting with ``name``: "Mengistu" -> "Mengistu Haile Mariam"."""
    runs = set()
    pattern = re.compile(rf"\b{re.escape(name)}((?:[ \t]+[A-Z][a-z][\w’'-]*){{1,2}})\b")
    at = text.find(name)
    while at != -1:  # only where the name is written: a scan of the whole text per name is quadratic
        m = pattern.match(text, at)
        at = text.find(name, at + 1)
        if m is None:
            continue
        words = m.group(1).split()
        if not any(fold(w) in _ORG_OR_PLACE or fold(w) in ROLE_WORDS for w in words):
            runs.add(" ".join(words))
    caps = {" ".join(w[:1] + w[1:].lower() for w in r.split()) for r in runs}
    return f"{name} {caps.pop()}" if len(caps) == 1 else None


def _bare(name: str) -> str:
    """The name without its title: "Premier Kim Il Sung" -> "Kim Il Sung"; a title alone stays."""
    title, rest = split_title(strip_honorifics(name))
    return rest or name


def resolve(doc: Document, authority: Authority, text: str | None = None) -> Cast:
    """Who is who in ``doc``; ``text`` (the decoded source) lets the body, credits and signature name people too."""
    cast = Cast()
    title_names = [normalise_name(_bare(n)) for n in doc.title_names]
    participant_names = [normalise_name(_bare(p.name)) for p in doc.participants]
    full_labels = [normalise_name(_bare(t.name)) for t in doc.turns if len(name_tokens(_bare(t.name))) >= 2]
    aliases = {" ".join(name_tokens(t.alias)): normalise_name(_bare(t.name)) for t in doc.turns if t.alias}
    named = named_people(doc, text) if text is not None else []
    # Candidates, title names first: they name the main parties.
    candidates: list[str] = []
    for n in [*title_names, *participant_names, *full_labels,
              *(normalise_name(p.name) for p in named if len(name_tokens(p.name)) >= 2)]:
        if n not in candidates:
            candidates.append(n)
    titled: dict[str, set[str]] = {}  # "ambassador" -> the full names written with that title
    for p in named:
        if p.title:
            titled.setdefault(fold(p.title).rstrip("."), set()).add(normalise_name(p.name))
    for p in doc.participants:
        for key in filter(None, (p.function, (p.role or "").split(",")[0].strip())):
            titled.setdefault(fold(key), set()).add(normalise_name(_bare(p.name)))

    def full_name(name: str) -> tuple[str | None, list[str]]:
        """The one fuller name of this document that ``name`` is a short form of, and all candidates."""
        toks = name_tokens(name)
        matches = [c for c in candidates if toks and set(toks) <= set(name_tokens(c)) and c != name]
        in_title = [c for c in matches if c in title_names]
        pick = in_title if in_title else matches
        distinct = sorted({" ".join(name_tokens(c)) for c in pick})
        return (pick[0] if len(distinct) == 1 else None), sorted(set(pick))

    longer: dict[str, str | None] = {}

    def ref_for(name: str, written: list[str]) -> PersonRef:
        if authority.lookup("person", name) is None and len(name_tokens(name)) == 1:
            full, _ = full_name(name)
            if full is None:
                if name not in longer:
                    longer[name] = _longer_run(name, text or "")
                full = longer[name]
            if full is not None:
                return _ref(full, [*written, full], authority, doc.identifier)
            if authority.lookup("person", name) is None:
                # A surname alone that nothing else in the document completes: this document's person.
                norm = normalise_name(name)
                return PersonRef(f"{doc.identifier}-{slugify(norm)}", norm, False, tuple(sorted(set(written))))
        return _ref(name, written, authority, doc.identifier)

    for name in title_names:
        cast.named_in_title.append(ref_for(name, [name]))
    for p in doc.participants:
        bare = _bare(p.name)
        cast.participants.append(ref_for(bare, [p.name, bare] + ([p.alias] if p.alias else [])))
    for p in named:
        ref = ref_for(normalise_name(p.name), [p.name, p.written])
        if p.where == "credits" and p.role:
            cast.contributors.append((ref, p.role))
        else:
            cast.mentioned.append(ref)

    for turn in doc.turns:
        if turn.label in cast.by_label:
            continue
        written = [turn.label, turn.name] + ([turn.alias] if turn.alias else [])
        bare = _bare(turn.name)
        toks = name_tokens(bare)
        full = aliases.get(" ".join(name_tokens(turn.name))) or aliases.get(" ".join(toks))
        role_only = bool(toks) and all(t in ROLE_WORDS for t in toks)
        if full is None and role_only:
            # "Ambassador:", "Interpreter:": the one person the document gives that title or function.
            holders = sorted(titled.get(fold(bare).rstrip("."), set()) | titled.get(toks[-1], set()))
            # "Ambassador Huang" and "Ambassador Huang Zhen" are one holder: keep the fullest form.
            holders = [h for h in holders if not any(h != o and set(name_tokens(h)) < set(name_tokens(o))
                                                     for o in holders)]
            if len(holders) == 1:
                full = holders[0]
                if len(name_tokens(full)) == 1:
                    cast.by_label[turn.label] = ref_for(full, [*written, full])
                    continue
            elif len(holders) > 1:
                cast.warnings.append(
                    f"{doc.source}:{turn.line}: speaker label '{turn.label}' could be any of {', '.join(holders)}; "
                    f"it is kept as this document's own '{bare}' -- add the label as an alias in "
                    f"seeds/authority/persons.csv to decide")
        if full is None and not role_only and authority.lookup("person", bare) is not None:
            full = bare
        if full is None and not role_only:
            full, pick = full_name(bare)
            if full is None and len(pick) > 1:
                cast.warnings.append(
                    f"{doc.source}:{turn.line}: speaker label '{turn.label}' could be any of "
                    f"{', '.join(pick)}; it is kept as this document's own person -- add the label "
                    f"as an alias in seeds/authority/persons.csv to decide"
                )
                norm = normalise_name(bare)
                cast.by_label[turn.label] = PersonRef(f"{doc.identifier}-{slugify(norm)}", norm, False,
                                                      tuple(sorted(set(written))))
                continue
        ref = _ref(full or bare, written + ([full] if full else []), authority, doc.identifier)
        cast.by_label[turn.label] = ref
    return cast
