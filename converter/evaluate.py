"""Evaluation of extraction against hand-annotated gold files (``tests/gold/<stem>.json``).

Mentions are scored by exact span, and linking by entity among the span matches.
Claims are scored by sentence span, and their attributes (claimant, about,
polarity, reported source, quantities) among the matched claims. Sentences the gold
file lists under ``not_claims`` (questions, greetings, bare agreements, sentences
naming nothing) count how often the extractor wrongly made a claim of them.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from pathlib import Path

from .model import Extraction

__all__ = ["Score", "DocumentScore", "ReadScore", "score_document", "score_reading", "load_gold"]


@dataclass
class Score:
    tp: int = 0
    fp: int = 0
    fn: int = 0

    @property
    def precision(self) -> float:
        return self.tp / (self.tp + self.fp) if self.tp + self.fp else 1.0

    @property
    def recall(self) -> float:
        return self.tp / (self.tp + self.fn) if self.tp + self.fn else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def __iadd__(self, other: Score) -> Score:
        self.tp += other.tp
        self.fp += other.fp
        self.fn += other.fn
        return self


@dataclass
class DocumentScore:
    mentions: Score = field(default_factory=Score)
    linking: Score = field(default_factory=Score)  # entity right among span matches
    claims: Score = field(default_factory=Score)
    attributes: dict[str, Score] = field(default_factory=dict)
    not_claims_made: list[str] = field(default_factory=list)
    not_claims_total: int = 0

    def add(self, other: DocumentScore) -> None:
        self.mentions += other.mentions
        self.linking += other.linking
        self.claims += other.claims
        for k, v in other.attributes.items():
            self.attributes.setdefault(k, Score())
            self.attributes[k] += v
        self.not_claims_made += other.not_claims_made
        self.not_claims_total += other.not_claims_total


def load_gold(path: Path) -> dict:
    return json.loads(path.read_text(encoding="utf-8"))


def _attr(score: DocumentScore, name: str, ok: bool) -> None:
    s = score.attributes.setdefault(name, Score())
    if ok:
        s.tp += 1
    else:
        s.fp += 1
        s.fn += 1


def score_document(ext: Extraction, gold: dict) -> DocumentScore:
    out = DocumentScore()
    pred_m = {(m.span.start, m.span.end): m for m in ext.mentions}
    gold_m = {(g["start"], g["end"]): g for g in gold.get("mentions", [])}
    out.mentions = Score(len(pred_m.keys() & gold_m.keys()), len(pred_m.keys() - gold_m.keys()),
                         len(gold_m.keys() - pred_m.keys()))
    for key in pred_m.keys() & gold_m.keys():
        g, m = gold_m[key], pred_m[key]
        if g["entity"] is None and m.entity is None:
            continue
        if g["entity"] is not None and m.entity is not None and m.entity[1] == g["entity"]:
            out.linking.tp += 1
        else:
            if m.entity is not None:
                out.linking.fp += 1
            if g["entity"] is not None:
                out.linking.fn += 1
    pred_c = {(c.span.start, c.span.end): c for c in ext.claims}
    gold_c = {(g["start"], g["end"]): g for g in gold.get("claims", [])}
    out.claims = Score(len(pred_c.keys() & gold_c.keys()), len(pred_c.keys() - gold_c.keys()),
                       len(gold_c.keys() - pred_c.keys()))
    for key in pred_c.keys() & gold_c.keys():
        g, c = gold_c[key], pred_c[key]
        _attr(out, "claimant", c.claimant == g["claimant"])
        _attr(out, "about", {a[1] for a in c.about} == set(g["about"]))
        _attr(out, "polarity", c.polarity == g["polarity"])
        _attr(out, "modality", (c.modality is not None) == (g.get("modality") is not None))
        src = c.reported_source.text if c.reported_source else None
        _attr(out, "reported_source", src == g["reported_source"])
        got_q = sorted((q.min, q.max) for q in c.quantities)
        want_q = sorted((q["min"], q["max"]) for q in g["quantities"])
        _attr(out, "quantities", got_q == want_q)
    texts = {c.text for c in ext.claims}
    for sentence in gold.get("not_claims", []):
        out.not_claims_total += 1
        if sentence in texts:
            out.not_claims_made.append(sentence)
    return out


# --------------------------------------------------------------------------- whole-document gold


@dataclass
class ReadScore:
    """How a document was read, against a gold file with turns, people, places, organisations and claims."""

    documents: int = 0
    turn_docs: int = 0  # documents whose turns are counted (conversations, and any with labelled turns)
    turns_exact: int = 0
    speakers: Score = field(default_factory=Score)  # tp: right speaker; fn: wrong or missed turn
    people: Score = field(default_factory=Score)
    places: Score = field(default_factory=Score)
    organizations: Score = field(default_factory=Score)
    claims: Score = field(default_factory=Score)
    reported: Score = field(default_factory=Score)  # paragraphs of reported speech, with the right speaker

    def add(self, other: ReadScore) -> None:
        self.documents += other.documents
        self.turn_docs += other.turn_docs
        self.turns_exact += other.turns_exact
        for name in ("speakers", "people", "places", "organizations", "claims", "reported"):
            getattr(self, name).__iadd__(getattr(other, name))


def _tokens(name: str) -> frozenset[str]:
    from .names import name_tokens

    return frozenset(t.rstrip(".") for t in name_tokens(name))


def _same(gold: frozenset[str], forms: list[frozenset[str]]) -> bool:
    """A gold name and a predicted entity's written forms name the same one: one's words hold the other's."""
    return any(f and gold and (gold <= f or f <= gold) and max(len(t) for t in (gold & f or {""})) > 2
               for f in forms)


def _match(gold_names: list[str], predicted: list[list[str]]) -> Score:
    gold = [_tokens(g) for g in gold_names]
    pred = [[_tokens(f) for f in forms] for forms in predicted]
    tp_pred = sum(1 for forms in pred if any(_same(g, forms) for g in gold))
    found = sum(1 for g in gold if any(_same(g, forms) for forms in pred))
    return Score(tp=found, fp=len(pred) - tp_pred, fn=len(gold) - found)


def score_reading(built, gold: dict, authority) -> ReadScore:  # type: ignore[no-untyped-def]
    """Score one built document (``pipeline.Built``) against a whole-document gold file."""
    doc, cast, ext = built.doc, built.cast, built.extraction
    out = ReadScore(documents=1)
    gold_turns = gold.get("turns", [])
    if gold_turns or gold.get("kind") == "conversation" or doc.turns:
        out.turn_docs = 1
        out.turns_exact = int(len(doc.turns) == len(gold_turns))
    by_line = {t.line: t for t in doc.turns}
    for g in gold_turns:
        t = by_line.get(g["line"]) or by_line.get(g["line"] + 1)  # a label alone on its line
        if t is None:
            out.speakers.fn += 1
            continue
        ref = cast.by_label[t.label]
        forms = [_tokens(ref.name), *(_tokens(w) for w in ref.written)]
        if _same(_tokens(g["speaker"]), forms):
            out.speakers.tp += 1
        else:
            out.speakers.fn += 1
            out.speakers.fp += 1
    persons: dict[str, list[str]] = {}
    for p in cast.persons:
        persons[p.slug] = [p.name, *p.written]
    places: dict[str, list[str]] = {}
    orgs: dict[str, list[str]] = {}
    for m in ext.mentions:
        target = {"person": persons, "place": places, "organization": orgs}.get(m.kind)
        if target is None:
            continue
        if m.entity is not None:
            e = authority.get(*m.entity)
            forms = [e.label, *e.aliases] if e is not None else []
            target.setdefault(m.entity[1], forms)
            target[m.entity[1]].append(m.text)
        elif m.kind != "person":
            target.setdefault(f"candidate:{m.text}", [m.text])
    out.people = _match(gold.get("people", []), list(persons.values()))
    out.places = _match(gold.get("places", []), list(places.values()))
    out.organizations = _match(gold.get("organizations", []), list(orgs.values()))
    lines = {p.position: p.line for p in doc.paragraphs}
    pred_r = {lines[r.where.position]: r.speaker for r in ext.reported if r.where.kind == "paragraph"}
    gold_r = {g["line"]: g["speaker"] for g in gold.get("reported", [])}
    for line, slug in pred_r.items():
        forms = persons.get(slug) or [slug.replace("-", " ")]
        if line in gold_r and _same(_tokens(gold_r[line]), [_tokens(f) for f in forms]):
            out.reported.tp += 1
        else:
            out.reported.fp += 1
    out.reported.fn = len(gold_r) - out.reported.tp
    pred_c = {(c.span.start, c.span.end) for c in ext.claims}
    gold_c = {(c["start"], c["end"]) for c in gold.get("claims", [])}
    out.claims = Score(len(pred_c & gold_c), len(pred_c - gold_c), len(gold_c - pred_c))
    return out

