"""What the graph says about a conversation record beyond its turns (issue 11, points 2 and 5).

Small documents in the archive's export layout go through ``build_document`` and the
triples are asserted with rdflib: the conversation's place (an authority place, or one
minted for the document) and its time as written, the function of a listed participant
(interpreter...), the credits of the edition (dcterms:contributor with a qualified
prov:Attribution), the translator's and editor's notes, and reported speech (a
paragraph's reported speaker and each claim's speech mode). Reported passages and
reported claims are built by hand, so these tests do not wait for the extraction.
"""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, FOAF, PROV, RDF, RDFS

from converter.authority import Authority
from converter.model import Claim, Extraction, ReportedPassage, Span, Where
from converter.namespaces import AKG, SCHEMA
from converter.pipeline import Built, build_document
from converter.rdf_io import to_rdflib_graph
from converter.to_rdf import document_triples
from converter.uris import Minter
from converter.validate import load_shapes, validate_graph

from .conftest import BASE, ROOT, run_cli, source_info

DOC_ID = "990001"
DOC = f"""
## August 20, 1965

# Record of Conversation between Kim Il Sung and Zhou Enlai

### Citation:

"Record of Conversation between Kim Il Sung and Zhou Enlai," August 20, 1965, History and Public Policy Program Digital Archive, Chinese Foreign Ministry Archive, 106-01479-05. Translated by Jane Doe.  
<http://digitalarchive.wilsoncenter.org/document/{DOC_ID}>

### Summary:

Kim Il Sung and Zhou Enlai discuss the situation in Vietnam.

### Original Language:

Chinese

### Contents:

- English Translation

Time: 4:30 p.m., 20 August 1965

Location: Great Hall of the People, Peking

Interpreter: Chen Lishui

[Translator's note: This translation includes pages 80-102 of the original file.]

Kim Il Sung: Welcome. The situation in Vietnam is serious.

Zhou Enlai: Thank you. The Americans have sent more troops.

[1] Translator's Note: Zhou Enlai was Premier at the time.
"""

REPORTED = """
## September 11, 1949

# Conversation between Stalin and Kim Il Sung on Economic Aid

### Citation:

"Conversation between Stalin and Kim Il Sung on Economic Aid," September 11, 1949, History and Public Policy Program Digital Archive, Archive of the Foreign Policy of the Russian Federation, Fond 059a.  
<http://digitalarchive.wilsoncenter.org/document/990002>

### Contents:

- English Translation

[Minutes of the talk between Stalin and the DPRK government delegation headed by Kim Il Sung.]

Stalin asks whether the delegation has settled in.

Kim Il Sung answers that everything is in order.

Pak Heon-yeong says that the sum comes to 150 million rubles over three years.
"""

DOCUMENT = URIRef(f"{BASE}id/document/{DOC_ID}")
CONVERSATION = URIRef(f"{BASE}id/event/{DOC_ID}-conversation")


def person(slug: str) -> URIRef:
    return URIRef(f"{BASE}id/person/{slug}")


def place(slug: str) -> URIRef:
    return URIRef(f"{BASE}id/place/{slug}")


def build(text: str, authority: Authority, name: str = "doc.txt") -> Built:
    return build_document(text, source_info(name, text), authority=authority, minter=Minter(BASE))


def variant(authority: Authority, old: str, new: str) -> Graph:
    assert old in DOC, old
    return build(DOC.replace(old, new), authority).graph


@pytest.fixture(scope="module")
def built(authority: Authority) -> Built:
    return build(DOC, authority)


@pytest.fixture(scope="module")
def graph(built: Built) -> Graph:
    return built.graph


# --------------------------------------------------------------------------- 1. place


def test_a_location_whose_last_part_is_an_authority_place_is_that_place(graph: Graph) -> None:
    """"Great Hall of the People, Peking": the whole value is no authority place; "Peking" is Beijing's alias."""
    assert set(graph.objects(CONVERSATION, SCHEMA.location)) == {place("beijing")}
    assert set(graph.objects(CONVERSATION, AKG.locationText)) == {Literal("Great Hall of the People, Peking")}
    # The authority place is described in the entities graph, not in the document's.
    assert not set(graph.subjects(RDF.type, SCHEMA.Place))


def test_a_location_naming_an_authority_place_whole_is_that_place(authority: Authority) -> None:
    g = variant(authority, "Location: Great Hall of the People, Peking", "Location: Pyongyang")
    assert set(g.objects(CONVERSATION, SCHEMA.location)) == {place("pyongyang")}


@pytest.mark.parametrize("value,slug", [("Okryu Guest House, Pyongyang", "okryu-guest-house"),
                                        ("Pyongyang, Ministry of Foreign Affairs", "pyongyang")])
def test_the_first_comma_part_the_authority_knows_is_the_place(authority: Authority, value: str, slug: str) -> None:
    """Written most specific first ("building, city"): the most specific place the authority file knows."""
    g = variant(authority, "Location: Great Hall of the People, Peking", f"Location: {value}")
    assert set(g.objects(CONVERSATION, SCHEMA.location)) == {place(slug)}
    assert set(g.objects(CONVERSATION, AKG.locationText)) == {Literal(value)}


def test_an_upper_case_place_header_is_a_location(authority: Authority) -> None:
    g = variant(authority, "Location:", "PLACE:")
    assert set(g.objects(CONVERSATION, SCHEMA.location)) == {place("beijing")}
    assert set(g.objects(CONVERSATION, AKG.locationText)) == {Literal("Great Hall of the People, Peking")}


def test_a_location_unknown_to_the_authority_is_a_place_of_the_document(authority: Authority) -> None:
    g = variant(authority, "Location: Great Hall of the People, Peking", "Venue: Pyongyang Government Building")
    minted = place(f"{DOC_ID}-pyongyang-government-building")
    assert set(g.objects(CONVERSATION, SCHEMA.location)) == {minted}
    assert {AKG.Place, SCHEMA.Place} <= set(g.objects(minted, RDF.type))
    assert set(g.objects(minted, RDFS.label)) == {Literal("Pyongyang Government Building")}
    assert set(g.objects(CONVERSATION, AKG.locationText)) == {Literal("Pyongyang Government Building")}


def test_a_document_without_a_location_header_has_no_place(authority: Authority) -> None:
    g = variant(authority, "Location: Great Hall of the People, Peking\n", "")
    assert not set(g.objects(CONVERSATION, SCHEMA.location))
    assert not set(g.objects(CONVERSATION, AKG.locationText))


# --------------------------------------------------------------------------- 2. time


@pytest.mark.parametrize("header", ["Time:", "Date and Time:", "DATE & TIME:"])
def test_the_time_header_is_the_conversation_time_as_written(authority: Authority, header: str) -> None:
    g = variant(authority, "Time:", header)
    assert set(g.objects(CONVERSATION, AKG.timeText)) == {Literal("4:30 p.m., 20 August 1965")}
    # The typed date still comes from the document's date heading.
    assert [str(d) for d in g.objects(CONVERSATION, SCHEMA.startDate)] == ["1965-08-20"]


def test_a_subject_header_is_no_time(authority: Authority) -> None:
    g = variant(authority, "Time:", "Subject:")
    assert not set(g.objects(CONVERSATION, AKG.timeText))


# --------------------------------------------------------------------------- 3. roles in the conversation


def test_an_interpreter_header_gives_the_listed_participant_its_role(graph: Graph) -> None:
    entries = list(graph.objects(CONVERSATION, AKG.listedParticipant))
    assert len(entries) == 1
    entry = entries[0]
    assert graph.value(entry, AKG.participant) == person("chen-lishui")
    assert set(graph.objects(entry, PROV.hadRole)) == {AKG.Interpreter}
    assert person("chen-lishui") in set(graph.objects(CONVERSATION, SCHEMA.attendee))


@pytest.mark.parametrize("header,role", [("Notetakers:", AKG.Notetaker), ("Translator:", AKG.Translator)])
def test_other_functions_are_roles_too(authority: Authority, header: str, role: URIRef) -> None:
    g = variant(authority, "Interpreter:", header)
    entry = next(iter(g.objects(CONVERSATION, AKG.listedParticipant)))
    assert set(g.objects(entry, PROV.hadRole)) == {role}


def test_a_function_that_is_no_conversation_role_is_left_as_written(built: Built) -> None:
    """Only interpreter, translator, note-taker and recorder are roles in a conversation."""
    from dataclasses import replace

    doc = replace(built.doc, participants=tuple(replace(p, function="editor") for p in built.doc.participants))
    g = to_rdflib_graph(document_triples(doc, built.cast, Minter(BASE), source_info("doc.txt", DOC), software_version="0"))
    entry = next(iter(g.objects(CONVERSATION, AKG.listedParticipant)))
    assert not set(g.objects(entry, PROV.hadRole))
    assert set(g.objects(entry, AKG.roleAsWritten)) == {Literal("interpreter")}


# --------------------------------------------------------------------------- 4. credits


def _credits(g: Graph) -> list[tuple[URIRef, URIRef]]:
    out = []
    for a in g.objects(DOCUMENT, PROV.qualifiedAttribution):
        assert (a, RDF.type, PROV.Attribution) in g
        out.append((g.value(a, PROV.agent), g.value(a, PROV.hadRole)))
    return sorted(out)


def test_the_translator_of_the_credits_is_a_contributor_with_a_role(built: Built, graph: Graph) -> None:
    assert set(graph.objects(DOCUMENT, DCTERMS.contributor)) == {person("jane-doe")}
    assert _credits(graph) == [(person("jane-doe"), AKG.Translator)]
    # A person of the document: the build describes it in the entities graph.
    assert "jane-doe" in {p.slug for p in built.cast.persons}


def test_a_document_without_credits_has_no_contributor(authority: Authority) -> None:
    g = variant(authority, " Translated by Jane Doe.", "")
    assert not set(g.objects(DOCUMENT, DCTERMS.contributor))
    assert not _credits(g)


def test_a_credit_role_archivekg_does_not_know_is_a_contributor_and_repeats_collapse(built: Built) -> None:
    from copy import copy

    cast = copy(built.cast)
    jane = next(ref for ref, _ in built.cast.contributors)
    cast.contributors = [(jane, "translator"), (jane, "translator"), (jane, "compiler")]
    g = to_rdflib_graph(document_triples(built.doc, cast, Minter(BASE), source_info("doc.txt", DOC), software_version="0"))
    assert _credits(g) == sorted([(person("jane-doe"), AKG.Translator), (person("jane-doe"), AKG.Contributor)])
    assert set(g.objects(DOCUMENT, DCTERMS.contributor)) == {person("jane-doe")}


# --------------------------------------------------------------------------- 5. editorial notes


def _notes(g: Graph) -> dict[str, tuple[URIRef, URIRef | None, int, int]]:
    """Note text -> (what it is printed as, author role, start, end)."""
    out = {}
    for n in g.objects(DOCUMENT, AKG.hasEditorialNote):
        assert (n, RDF.type, AKG.EditorialNote) in g
        _source, start, end = Minter.parse_chars(str(g.value(n, AKG.span)))
        out[str(g.value(n, SCHEMA.text))] = (g.value(n, AKG.inText), g.value(n, AKG.authorRole), start, end)
    return out


def test_a_translators_note_paragraph_and_footnote_are_editorial_notes(graph: Graph) -> None:
    notes = _notes(graph)
    paragraph = "[Translator's note: This translation includes pages 80-102 of the original file.]"
    footnote = "Translator's Note: Zhou Enlai was Premier at the time."
    assert set(notes) == {paragraph, footnote}
    where, role, start, end = notes[paragraph]
    assert where == URIRef(f"{BASE}id/paragraph/{DOC_ID}-1") and role == AKG.Translator
    assert DOC[start:end] == paragraph
    where, role, start, end = notes[footnote]
    assert where == URIRef(f"{DOCUMENT}#footnote-1") and role == AKG.Translator
    assert footnote in DOC[start:end]


@pytest.mark.parametrize("text,role", [("[Editor's Note: the file is damaged.]", AKG.Editor),
                                       ("[Note: the file is damaged.]", None),
                                       ("[Notes of the conversation. Present were Kim Il Sung and Zhou Enlai.]", None)])
def test_other_bracketed_notes(authority: Authority, text: str, role: URIRef | None) -> None:
    g = variant(authority, "[Translator's note: This translation includes pages 80-102 of the original file.]", text)
    notes = _notes(g)
    assert text in notes
    assert notes[text][1] == role


def test_bracketed_paragraphs_and_footnotes_that_are_no_notes(authority: Authority) -> None:
    g = variant(authority, "[Translator's note: This translation includes pages 80-102 of the original file.]",
                "[Minutes of the talk between Kim Il Sung and Zhou Enlai.]")
    g2 = build(DOC.replace("Translator's Note: Zhou", "Zhou"), authority).graph
    assert set(_notes(g)) == {"Translator's Note: Zhou Enlai was Premier at the time."}
    assert set(_notes(g2)) == {"[Translator's note: This translation includes pages 80-102 of the original file.]"}


# --------------------------------------------------------------------------- 6. reported speech


@pytest.fixture(scope="module")
def reported(authority: Authority) -> tuple[Built, Graph]:
    """The minutes of a conversation, with a reported passage and claims made by hand."""
    b = build(REPORTED, authority, "reported.txt")
    asks = next(p for p in b.doc.paragraphs if p.text.startswith("Stalin asks"))
    answers = next(p for p in b.doc.paragraphs if p.text.startswith("Kim Il Sung answers"))
    pak = next(p for p in b.doc.paragraphs if p.text.startswith("Pak Heon-yeong"))
    stalin = next(r.slug for r in b.cast.persons if "stalin" in r.slug)
    claim = Claim(Where("paragraph", asks.position), 1, asks.text, asks.span, stalin, (), None, "asserted", None,
                  (), (), reported=True)
    plain = Claim(Where("paragraph", answers.position), 1, answers.text, answers.span, None, (), None, "asserted",
                  None, (), ())
    ext = Extraction(claims=(claim, plain), reported=(
        ReportedPassage(Where("paragraph", asks.position), stalin, asks.span),
        ReportedPassage(Where("paragraph", pak.position), "pak-heon-yeong", pak.span),
    ))
    triples = document_triples(b.doc, b.cast, Minter(BASE), source_info("reported.txt", REPORTED),
                               software_version="0", extraction=ext)
    return b, to_rdflib_graph(triples)


def test_a_reported_passage_names_its_speaker(reported: tuple[Built, Graph]) -> None:
    b, g = reported
    paragraph = {p.text[:6]: URIRef(f"{BASE}id/paragraph/990002-{p.position}") for p in b.doc.paragraphs}
    speakers = set(g.objects(paragraph["Stalin"], AKG.reportedSpeaker))
    assert len(speakers) == 1 and "stalin" in str(next(iter(speakers)))
    assert set(g.objects(paragraph["Pak He"], AKG.reportedSpeaker)) == {person("pak-heon-yeong")}
    assert set(g.subjects(AKG.reportedSpeaker, None)) == {paragraph["Stalin"], paragraph["Pak He"]}
    # A reported speaker attended the conversation the minutes record, though no list or turn names him.
    conversation = URIRef(f"{BASE}id/event/990002-conversation")
    without = document_triples(b.doc, b.cast, Minter(BASE), source_info("reported.txt", REPORTED),
                               software_version="0", extraction=Extraction())
    assert (conversation, SCHEMA.attendee, person("pak-heon-yeong")) not in to_rdflib_graph(without)
    assert speakers | {person("pak-heon-yeong")} <= set(g.objects(conversation, SCHEMA.attendee))


def test_claims_are_marked_reported_or_not(reported: tuple[Built, Graph]) -> None:
    _b, g = reported
    modes = {str(g.value(c, SCHEMA.text))[:12]: g.value(c, AKG.speechMode) for c in g.subjects(RDF.type, AKG.Claim)}
    assert modes == {"Stalin asks ": AKG.ReportedSpeech, "Kim Il Sung ": None}


def test_claims_in_turns_are_direct_speech(built: Built, graph: Graph) -> None:
    turn_claims = [c for c in built.extraction.claims if c.where.kind == "turn" and not c.reported]
    assert turn_claims, "the extraction found no claim in the turns"
    claims = set(graph.subjects(RDF.type, AKG.Claim))
    in_turns = {c for c in claims if "/utterance/" in str(graph.value(c, SCHEMA.appearance))}
    assert len(in_turns) == len(turn_claims)
    assert {graph.value(c, AKG.speechMode) for c in in_turns} == {AKG.DirectSpeech}
    assert all(graph.value(c, AKG.speechMode) is None for c in claims - in_turns)


# --------------------------------------------------------------------------- 7. valid, and published


def test_the_graphs_conform_to_the_shapes(graph: Graph, reported: tuple[Built, Graph], authority: Authority) -> None:
    shapes = load_shapes(ROOT / "shapes")
    minted = variant(authority, "Location: Great Hall of the People, Peking", "Venue: Pyongyang Government Building")
    for g in (graph, reported[1], minted):
        violations = [r for r in validate_graph(g, shapes).results if r.severity == "Violation"]
        assert not violations, "\n".join(r.message for r in violations)


def test_a_build_publishes_the_contributor_as_a_person(tmp_path: Path) -> None:
    """Through the real build: validated, no dangling reference, the translator in the entities graph."""
    sources = tmp_path / "sources"
    sources.mkdir()
    (sources / "record.txt").write_text(DOC, encoding="utf-8")
    out = tmp_path / "out"
    res = run_cli("build", str(sources), "--out", str(out), "--base-uri", BASE,
                  "--authority", str(ROOT / "seeds" / "authority"), "-j", "1")
    assert res.returncode == 0, res.stderr
    entities = Graph().parse(out / "current" / "dumps" / "entities.ttl", format="turtle")
    assert (person("jane-doe"), RDF.type, FOAF.Person) in entities
    assert (person("jane-doe"), RDFS.label, Literal("Jane Doe")) in entities
    document = Graph().parse(out / "current" / "dumps" / "documents" / f"{DOC_ID}.ttl", format="turtle")
    assert (DOCUMENT, DCTERMS.contributor, person("jane-doe")) in document
    assert (CONVERSATION, SCHEMA.location, place("beijing")) in document
