"""Ranking Wikidata candidates for an entity of the authority data: pure functions, no I/O.

A candidate is found by label or alias (``wikidata.py`` asks the endpoint). It is
scored on four kinds of evidence, and the reasons are kept:

- **name**: the candidate's label is one of the entity's names (0.50), or only one of
  its aliases is (0.35);
- **type**: an instance of the classes that fit the entity's kind and type, through
  ``wdt:P31/wdt:P279*`` (+0.25). A person must be human (Q5): anything else is declined;
- **time**: the entity's documents are dated. A person born after the latest document is
  declined. One alive at the documents' dates gains +0.15. One dead before the
  archive's period loses 0.20. A state or organisation that existed then gains +0.15;
  one founded after the documents, or dissolved before them, loses 0.30;
- **context**: the candidate's citizenship or country (P27, P17) is an item that a
  co-mentioned entity is already linked to (+0.10).

Only a clear winner is proposed. The best must score at least ``MIN_SCORE``, and the
next must trail it by ``MARGIN``. When two candidates are that close (two people of one
name), the entity is reported as ambiguous and nothing is proposed.
"""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Candidate", "Context", "Proposal", "Scored", "MARGIN", "MIN_SCORE", "WANTED_CLASSES", "propose", "score"]

MIN_SCORE = 0.6
MARGIN = 0.1
ARCHIVE_PERIOD = (1900, 2000)  # the archive's documents; a person dead before it is an unlikely referent

HUMAN = "Q5"
# The classes an entity's Wikidata item should be an instance of (through subclasses), by kind and type.
WANTED_CLASSES: dict[str, tuple[str, ...]] = {
    "person": (HUMAN,),
    "place": ("Q6256", "Q3624078", "Q3024240", "Q7275", "Q107390", "Q515", "Q5119", "Q486972", "Q82794",
              "Q5107", "Q2221906"),
    "place/country": ("Q6256", "Q3624078", "Q3024240", "Q7275", "Q107390"),
    "place/city": ("Q515", "Q5119", "Q486972", "Q1549591"),
    "place/region": ("Q82794", "Q2221906", "Q5107"),
    "place/continent": ("Q5107",),
    "organization": ("Q43229",),
    "event": ("Q1190554", "Q1656682", "Q198", "Q180684", "Q124734"),
}
STATE_LIKE = ("place", "organization")


@dataclass(frozen=True)
class Candidate:
    qid: str
    label: str
    description: str = ""
    matched: str = ""  # the name that found it
    via: str = "label"  # label or alias
    typed: bool = False  # an instance of a wanted class
    types: tuple[str, ...] = ()
    born: int | None = None
    died: int | None = None
    founded: int | None = None
    dissolved: int | None = None
    countries: tuple[str, ...] = ()  # P27 citizenship, P17 country


@dataclass(frozen=True)
class Context:
    kind: str
    id: str
    label: str
    type: str | None = None
    years: tuple[int, int] | None = None  # earliest and latest year of the documents it appears in
    co_linked: frozenset[str] = frozenset()  # QIDs of entities mentioned alongside it
    speaker: bool = False  # a speaker must be alive at the time


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    reasons: tuple[str, ...]
    declined: str | None = None  # why it cannot be the entity


@dataclass(frozen=True)
class Proposal:
    context: Context
    status: str  # proposed, ambiguous, weak, none
    ranked: tuple[Scored, ...] = field(default=())

    @property
    def best(self) -> Scored | None:
        return self.ranked[0] if self.status == "proposed" else None


def wanted_classes(kind: str, type_: str | None) -> tuple[str, ...]:
    return WANTED_CLASSES.get(f"{kind}/{type_}", WANTED_CLASSES.get(kind, ()))


def score(ctx: Context, c: Candidate) -> Scored:
    reasons: list[str] = []
    total = 0.5 if c.via == "label" else 0.35
    reasons.append(f"{c.via} {c.matched!r}" + (f" (its label is {c.label!r})" if c.via == "alias" else ""))
    if c.typed:
        total += 0.25
        reasons.append(f"typed as a {ctx.kind} ({', '.join(c.types) or 'by subclass'})")
    elif ctx.kind == "person":
        return Scored(c, 0.0, tuple(reasons), f"not a human (P31 {', '.join(c.types) or 'none'})")
    else:
        reasons.append(f"not typed as a {ctx.kind}{'/' + ctx.type if ctx.type else ''} (P31 {', '.join(c.types) or 'none'})")
    if ctx.years is not None:
        first, last = ctx.years
        if ctx.kind == "person":
            if c.born is not None and c.born > last:
                return Scored(c, 0.0, tuple(reasons), f"born {c.born}, after the documents ({last})")
            if c.died is not None and c.died < first:
                if ctx.speaker:
                    return Scored(c, 0.0, tuple(reasons), f"died {c.died}, before the documents in which they speak")
                if c.died < ARCHIVE_PERIOD[0]:
                    total -= 0.2
                    reasons.append(f"died {c.died}, before the archive's period")
                else:
                    reasons.append(f"died {c.died}, before the documents (a posthumous mention?)")
            elif c.born is not None:
                total += 0.15
                reasons.append(f"alive at the documents' dates ({c.born}–{c.died or ''})")
        elif ctx.kind in STATE_LIKE or ctx.kind == "event":
            if c.founded is not None and c.founded > last:
                total -= 0.3
                reasons.append(f"founded {c.founded}, after the documents ({last})")
            elif c.dissolved is not None and c.dissolved < first:
                total -= 0.3
                reasons.append(f"dissolved {c.dissolved}, before the documents ({first})")
            elif c.founded is not None or c.dissolved is not None:
                total += 0.15
                reasons.append(f"existed at the documents' dates ({c.founded or ''}–{c.dissolved or ''})")
    shared = sorted(set(c.countries) & ctx.co_linked)
    if shared:
        total += 0.1
        reasons.append(f"citizenship or country {', '.join(shared)} is linked to an entity mentioned alongside")
    return Scored(c, round(total, 3), tuple(reasons))


def propose(ctx: Context, candidates: list[Candidate]) -> Proposal:
    """Rank the candidates; propose the best only when it is good and clearly ahead."""
    def strength(c: Candidate) -> tuple:  # by the candidate's label first, then by the entity's own label
        return (c.via == "label", c.matched == ctx.label, len(c.matched))

    merged: dict[str, Candidate] = {}
    for c in candidates:  # one item found by several names: keep its best match
        old = merged.get(c.qid)
        if old is None or strength(c) > strength(old):
            merged[c.qid] = c
    scored = [score(ctx, c) for c in merged.values()]
    ranked = sorted(scored, key=lambda s: (s.declined is not None, -s.score, s.candidate.qid))
    viable = [s for s in ranked if s.declined is None]
    if not viable:
        return Proposal(ctx, "none", tuple(ranked))
    if viable[0].score < MIN_SCORE:
        return Proposal(ctx, "weak", tuple(ranked))
    if len(viable) > 1 and viable[0].score - viable[1].score < MARGIN:
        return Proposal(ctx, "ambiguous", tuple(ranked))
    return Proposal(ctx, "proposed", tuple(ranked))
