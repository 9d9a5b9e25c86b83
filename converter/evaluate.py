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

__all__ = ["Score", "DocumentScore", "score_document", "load_gold"]


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
