"""Extraction: mentions, claims and referred events, for precision as well as recall."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from rdflib import URIRef
from rdflib.namespace import RDF

from converter.evaluate import DocumentScore, score_document
from converter.extract import agent_for_source, extract
from converter.namespaces import AKG, OA
from converter.pipeline import build_document
from converter.readers import read
from converter.speakers import resolve
from converter.uris import Minter

from .conftest import BASE, FIXTURES, ROOT, SEED, source_info

GOLD = ROOT / "tests" / "gold"
GOLD_DOCS = sorted(p.stem for p in GOLD.glob("*.json"))


def _source(stem: str) -> Path:
    return SEED if stem == SEED.stem else FIXTURES / "documents" / f"{stem}.txt"


def _extract(stem: str, authority):
    path = _source(stem)
    text = path.read_text(encoding="utf-8")
    doc = read(text, path.name)
    cast = resolve(doc, authority)
    return text, doc, cast, extract(doc, text, cast, authority)


@pytest.fixture(scope="module")
def precision(authority):
    return _extract("precision", authority)


def _claims_with(ext, fragment: str):
    return [c for c in ext.claims if fragment in c.text]


# ---------------------------------------------------------------- gold files


@pytest.mark.parametrize("stem", GOLD_DOCS)
def test_against_gold(stem: str, authority) -> None:
    _, _, _, ext = _extract(stem, authority)
    score = score_document(ext, json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8")))
    # Quality floors per document; the totals are checked below.
    assert score.mentions.precision >= 0.75 and score.mentions.recall >= 0.7, score.mentions
    assert score.claims.precision >= 0.55 and score.claims.recall >= 0.6, score.claims


def test_totals_against_gold(authority) -> None:
    total = DocumentScore()
    for stem in GOLD_DOCS:
        _, _, _, ext = _extract(stem, authority)
        total.add(score_document(ext, json.loads((GOLD / f"{stem}.json").read_text(encoding="utf-8"))))
    assert total.mentions.f1 >= 0.9 and total.linking.precision >= 0.93
    assert total.claims.f1 >= 0.85
    assert total.attributes["claimant"].tp >= 0.95 * (total.attributes["claimant"].tp + total.attributes["claimant"].fn)
    assert len(total.not_claims_made) <= 0.1 * total.not_claims_total


# ---------------------------------------------------------------- precision traps


def test_turkey_the_bird_is_not_the_country(precision) -> None:
    text, _, _, ext = precision
    turkey = [m for m in ext.mentions if m.entity == ("place", "turkey")]
    assert [text[m.span.start : m.span.end + 12] for m in turkey] == ["Turkey has allowed"]
    assert not any(m.text.lower() == "turkey" and "dinner" in text[m.span.start - 40 : m.span.end + 40] for m in turkey)


def test_questions_greetings_and_bare_agreements_are_not_claims(precision) -> None:
    _, _, _, ext = precision
    texts = {c.text for c in ext.claims}
    # No subject and finite verb, or a question: "Yes." agrees, but asserts nothing by itself.
    for sentence in ("What about Poland?", "Is Gomułka still firm?", "Thank you.", "Yes.",
                     "Good evening, Comrade Shehu.", "Welcome back to Beijing."):
        assert sentence not in texts


@pytest.mark.parametrize(
    ("stem", "fragment"),
    [
        (SEED.stem, "Downsize it by ninety percent"),  # imperatives
        (SEED.stem, "Cure the disease and save the person"),
        ("bold_labels", "Let us begin with Europe"),
        ("colon_labels", "Please take this message back"),
        ("letter", "Dear Nikita Sergeyevich"),  # salutation and closing of a letter
        ("letter", "With communist greetings"),
    ],
)
def test_imperatives_and_salutations_are_not_claims(stem: str, fragment: str, authority) -> None:
    _, _, _, ext = _extract(stem, authority)
    assert not _claims_with(ext, fragment)


@pytest.mark.parametrize(
    ("stem", "sentence", "claimant"),
    [
        ("precision", "We should work harder.", "mehmet-shehu"),
        ("precision", "We agree.", "mehmet-shehu"),
        ("precision", "That is right.", "zhou-enlai"),
        ("precision", "The cook roasted a turkey for the dinner.", "zhou-enlai"),
        (SEED.stem, "We have no other choice.", "mao-zedong"),
        ("bold_labels", "You will receive what we are able to give.", "zhou-enlai"),
        ("colon_labels", "Women hold up half the sky.", "mao-zedong"),
    ],
)
def test_a_sentence_that_names_nobody_is_a_claim(stem: str, sentence: str, claimant: str, authority) -> None:
    """Every complete declarative sentence (a subject and a finite verb) is a claim, naming something or not."""
    _, _, _, ext = _extract(stem, authority)
    (claim,) = [c for c in ext.claims if c.text == sentence]
    assert claim.about == ()
    assert claim.claimant == claimant


def test_reported_questions_are_claims_of_the_speaker(authority) -> None:
    _, _, _, ext = _extract("reported_speech", authority)
    for sentence in ("Stalin asks whether the delegation has settled in and whether the rooms are warm enough.",
                     "Stalin asks what questions the delegation wishes to raise.",
                     "Stalin asks how large a credit the Koreans have in mind."):
        (claim,) = [c for c in ext.claims if c.text == sentence]
        assert claim.claimant == "joseph-stalin"


def test_denied_hedged_and_reported_claims(precision) -> None:
    _, _, _, ext = precision
    (denied,) = _claims_with(ext, "No Soviet troops are stationed in Romania")
    assert denied.polarity == "denied" and {a[1] for a in denied.about} == {"soviet-union", "romania"}
    (hedged,) = _claims_with(ext, "The conference may be postponed")
    assert hedged.modality == "hedged" and hedged.polarity == "asserted"
    assert [t.value.iso for t in hedged.times if t.value] == ["1969"]
    (reported,) = _claims_with(ext, "The French ambassador told us")
    assert reported.reported_source is not None
    assert reported.reported_source.text == "The French ambassador"
    assert reported.reported_source.entity == ("person", "french-ambassador")
    assert {a[1] for a in reported.about} == {"bulgaria", "soviet-union"} or "bulgaria" in {a[1] for a in reported.about}
    assert reported.claimant == "mehmet-shehu"


@pytest.mark.parametrize(
    ("fragment", "bounds", "unit", "lower_exclusive"),
    [
        ("More than 3,000 people", (3000, None), "person", True),
        ("between 200-300 tanks", (200, 300), "tank", False),
        ("five to six divisions", (5, 6), "division", False),
    ],
)
def test_quantities_in_claims(precision, fragment: str, bounds, unit: str, lower_exclusive: bool) -> None:
    _, _, _, ext = precision
    (claim,) = _claims_with(ext, fragment)
    (q,) = [q for q in claim.quantities if fragment.lower() in claim.text.lower()]
    assert (q.min, q.max) == bounds
    assert q.unit in (unit, unit + "s", "people")
    assert q.lower_exclusive is lower_exclusive


def test_mentioned_people_do_not_become_speakers(authority) -> None:
    _, doc, cast, ext = _extract(SEED.stem, authority)
    assert {p.slug for p in cast.speakers} == {"mao-zedong", "beqir-balluku"}
    mentioned = {m.entity[1] for m in ext.mentions if m.entity and m.kind == "person"}
    assert {"josip-broz-tito", "todor-zhivkov", "liu-shaoqi", "deng-xiaoping", "alexander-dubcek"} <= mentioned


def test_seed_airborne_claim(authority) -> None:
    text, _, _, ext = _extract(SEED.stem, authority)
    (claim,) = _claims_with(ext, "nine to ten airborne divisions")
    assert (claim.span.start, claim.span.end) == (6090, 6209)
    assert claim.claimant == "beqir-balluku"
    assert claim.reported_source and claim.reported_source.entity == ("person", "italian-ambassador-to-bulgaria")
    assert set(claim.about) == {("place", "soviet-union"), ("place", "bulgaria")}
    assert [(q.min, q.max, q.unit) for q in claim.quantities] == [(9, 10, "airborne division")]
    (denial,) = _claims_with(ext, "no [Soviet] foreign troops were stationed")
    assert denial.polarity == "denied"
    assert denial.reported_source and denial.reported_source.text == "The Bulgarian news agency"


def test_referred_events_resolve_relative_dates(authority) -> None:
    _, _, _, ext = _extract(SEED.stem, authority)
    by_label = {e.label: e for e in ext.events}
    meeting = by_label["meeting"]
    assert meeting.time and meeting.time.value and meeting.time.value.iso == "1967-02"
    assert set(meeting.participants) == {"beqir-balluku", "mao-zedong"}
    rebellion = next(e for e in ext.events if e.time and e.time.value and e.time.value.iso == "1968-05")
    assert rebellion.places == (("place", "france"),)  # "there" is France, named just before
    assert any(e.entity == ("event", "invasion-of-czechoslovakia") for e in ext.events)


@pytest.mark.parametrize(
    ("phrase", "agent"),
    [
        ("The Italian ambassador to Bulgaria", ("person", "italian-ambassador-to-bulgaria")),
        ("The Bulgarian news agency", ("organization", "bulgarian-news-agency")),
        ("our embassy", None),
        ("the weather", None),
    ],
)
def test_agent_for_source(phrase: str, agent) -> None:
    assert agent_for_source(phrase) == agent


# ---------------------------------------------------------------- RDF


def test_a_mention_is_seven_triples_and_a_span_one(seed_text: str, authority) -> None:
    """The lean graph (docs/decisions.md): a mention is its class, target, body or candidate label, text, kind,
    link and confidence; a span is one IRI, described by nothing in the store."""
    built = build_document(seed_text, source_info(SEED.name, seed_text), authority=authority, minter=Minter(BASE))
    g = built.graph
    for a in g.subjects(RDF.type, AKG.Mention):
        assert len(list(g.predicate_objects(a))) == 7, sorted(g.predicate_objects(a))
    spans = {o for p in (AKG.span, AKG.titleSpan, AKG.labelSpan, OA.hasTarget) for o in g.objects(None, p)}
    assert len(spans) > 150 and all(Minter.parse_chars(str(o)) for o in spans)
    assert not [t for t in g if t[0] in spans]
    assert len(g) < 10 * len(spans), "under 10 triples a span in all; a span alone was 7 to 12 before"


def test_mentions_target_their_exact_characters_as_rfc5147_fragment_iris(seed_text: str, authority) -> None:
    """A mention is a few triples in the store: its target is the source file's IRI with an RFC 5147
    fragment (#char=START,END) whose characters are the mention's text. The whole Web Annotation is
    derived when it is served (tests/test_annotation.py)."""
    built = build_document(seed_text, source_info(SEED.name, seed_text), authority=authority, minter=Minter(BASE))
    g = built.graph
    mentions = list(g.subjects(RDF.type, AKG.Mention))
    assert len(mentions) == len(built.extraction.mentions) > 50
    texts = sorted(m.text for m in built.extraction.mentions)
    got = []
    for a in mentions:
        targets = list(g.objects(a, OA.hasTarget))
        assert len(targets) == 1 and isinstance(targets[0], URIRef)
        source, start, end = Minter.parse_chars(str(targets[0]))
        assert source == f"{BASE}source/{SEED.name}"
        got.append(seed_text[start:end])
        assert not list(g.objects(targets[0], None)), "the target IRI is described only when served"
    assert sorted(got) == texts
