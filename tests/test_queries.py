"""The query catalogue answers every competency question on the seed's graph."""

from __future__ import annotations

from pathlib import Path

import pyoxigraph as ox
import pytest

from converter.catalogue import load_catalogue

from .conftest import BASE, ROOT, SEED

CATALOGUE = {q.name: q for q in load_catalogue()}


def rows(store: ox.Store, name: str, wikidata: str | None = None) -> list[dict[str, str]]:
    from server.query_guard import check_query, route_services
    from converter.wikidata import DEFAULT_ENDPOINT

    query = CATALOGUE[name]
    assert wikidata or not query.federated, "a federated query is tested against the local Wikidata endpoint"
    found = check_query(query.sparql, (DEFAULT_ENDPOINT,), 10**6)
    sent = route_services(query.sparql, found, {DEFAULT_ENDPOINT: wikidata}) if wikidata else query.sparql
    result = store.query(sent, use_default_graph_as_union=True)
    names = [v.value for v in result.variables]
    return [{n: sol[n].value for n in names if sol[n] is not None} for sol in result]


@pytest.fixture(scope="module")
def store(seed_build: Path) -> ox.Store:
    return ox.Store.read_only(str(seed_build / "current" / "store"))


def test_catalogue_covers_the_ten_questions() -> None:
    assert len(CATALOGUE) == 12
    for q in CATALOGUE.values():
        assert q.title and q.description
        ox.Store().query(q.sparql)  # parses


def test_cq01_conversations_of_a_person(store: ox.Store) -> None:
    got = rows(store, "cq01-conversations-of-a-person")
    assert [(r["document"].removeprefix(BASE), r["date"]) for r in got] == [("id/document/111239", "1968-10-01")]


def test_cq02_who_spoke_with_mao(store: ox.Store) -> None:
    assert [r["otherName"] for r in rows(store, "cq02-who-spoke-with-a-person")] == ["Beqir Balluku"]


def test_cq03_utterances_in_order(store: ox.Store, seed_text: str) -> None:
    got = rows(store, "cq03-utterances-of-a-speaker")
    assert [int(r["position"]) for r in got] == list(range(2, 29, 2))
    assert all(r["text"] in seed_text for r in got)
    assert {r["mode"] for r in got} == {"https://w3id.org/archivekg/ontology#DirectSpeech"}


_MINUTES = """
## September 11, 1949

# Conversation between Stalin and Kim Il Sung on Economic Aid

### Citation:

"Conversation between Stalin and Kim Il Sung on Economic Aid," September 11, 1949, History and Public Policy Program Digital Archive, Archive of the Foreign Policy of the Russian Federation.  
<http://digitalarchive.wilsoncenter.org/document/990002>

### Contents:

- English Translation

Kim Il Sung says that the delegation thanks the Soviet Government for its care.

Kim Il Sung asks for a credit to restore the chemical plants in Hamhung.

Stalin asks whether the delegation has settled in.

Stalin: How large a credit do you have in mind?

Kim Il Sung: One hundred and fifty million rubles.

Stalin: We can agree to this.
"""


def test_cq03_reported_speech_and_turns_in_document_order() -> None:
    """Minutes that report Stalin's words, then give his turns: both, in document order (not by position), each with its mode."""
    from rdflib import Literal, URIRef
    from rdflib.namespace import RDFS

    from converter.authority import load_authority
    from converter.model import Extraction, ReportedPassage, Where
    from converter.pipeline import build_document
    from converter.rdf_io import to_ox
    from converter.to_rdf import document_triples
    from converter.uris import Minter

    from .conftest import source_info

    info = source_info("minutes.txt", _MINUTES)
    built = build_document(_MINUTES, info, authority=load_authority(ROOT / "seeds" / "authority"), minter=Minter(BASE))
    stalin = built.cast.by_label["Stalin"].slug
    kim = built.cast.by_label["Kim Il Sung"].slug
    reported = tuple(ReportedPassage(Where("paragraph", p.position), stalin if p.text.startswith("Stalin") else kim,
                                     p.span) for p in built.doc.paragraphs)
    triples = document_triples(built.doc, built.cast, Minter(BASE), info, software_version="0",
                               extraction=Extraction(reported=reported))
    triples.add((URIRef(f"{BASE}id/person/{stalin}"), RDFS.label, Literal("Joseph Stalin")))
    store = ox.Store()
    for s, p, o in triples:
        store.add(ox.Quad(to_ox(s), to_ox(p), to_ox(o)))
    query = CATALOGUE["cq03-utterances-of-a-speaker"].sparql
    query = query.replace('("Beqir Balluku" "111239")', '("Joseph Stalin" "990002")')
    got = [(str(r["mode"].value).rsplit("#", 1)[-1], int(r["position"].value), r["text"].value[:12])
           for r in store.query(query)]
    assert got == [("ReportedSpeech", 3, "Stalin asks "), ("DirectSpeech", 1, "How large a "),
                   ("DirectSpeech", 3, "We can agree")]


def test_cq04_claims_about_bulgaria(store: ox.Store) -> None:
    got = rows(store, "cq04-claims-about-a-place")
    airborne = [r for r in got if "airborne divisions" in r["text"] and r.get("reportedSource")]
    assert len(airborne) == 1
    claim = airborne[0]
    assert claim["claimantName"] == "Beqir Balluku"
    assert claim["reportedSource"] == "The Italian ambassador to Bulgaria"
    assert claim["sourceName"] == "Italian ambassador to Bulgaria"
    assert (float(claim["min"]), float(claim["max"]), claim["unit"]) == (9, 10, "airborne division")
    assert claim["date"] == "1968-10-01"
    # Precision: every claim about Bulgaria names Bulgaria (or a Bulgarian thing).
    assert all("Bulgaria" in r["text"] for r in got)


def test_cq05_quantities_and_denials(store: ox.Store) -> None:
    got = rows(store, "cq05-quantities-and-denials")
    quantities = {(r["quantity"], float(r["min"]), float(r["max"]) if "max" in r else None) for r in got if r["kind"] == "quantity"}
    assert ("nine to ten airborne divisions", 9, 10) in quantities
    assert any(q[1:] == (35000, 40000) for q in quantities)
    assert any(q[1] == 3000 and q[2] is None for q in quantities)  # "more than 3,000 people"
    denied = [r["text"] for r in got if r["kind"] == "denied"]
    assert any("no [Soviet] foreign troops were stationed" in t for t in denied)
    assert not any("airborne divisions in Bulgaria" in t for t in denied)


def test_cq06_mentioned_but_silent(store: ox.Store) -> None:
    names = {r["name"] for r in rows(store, "cq06-mentioned-but-silent")}
    assert {"Josip Broz Tito", "Todor Zhivkov", "Liu Shaoqi", "Deng Xiaoping", "Alexander Dubček"} <= names
    assert not {"Mao Zedong", "Beqir Balluku"} & names


def test_cq07_wikidata_links_are_the_authority_s_checked_qids(store: ox.Store) -> None:
    """Every link comes from a QID of the authority data (each with its evidence); none is invented."""
    from converter.authority import load_authority

    auth = load_authority(ROOT / "seeds" / "authority")
    expected = {f"{BASE}id/{kind}/{id_}": e.wikidata for (kind, id_), e in auth.entities.items() if e.wikidata}
    got = {r["thing"]: r["qid"] for r in rows(store, "cq07-wikidata-links")}
    assert got == expected and len(got) > 100
    assert all(r["wikidata"] == f"http://www.wikidata.org/entity/{r['qid']}" for r in rows(store, "cq07-wikidata-links"))


def test_cq08_events_in_the_document(store: ox.Store) -> None:
    got = rows(store, "cq08-events-in-a-document")
    by_label = {r["label"]: r.get("date") for r in got}
    assert any("invasion of Czechoslovakia" in label for label in by_label)
    assert by_label.get("meeting") == "1967-02"  # "in February 1967, that is, twenty months ago"
    assert by_label.get("visit") == "1968-09-30"  # "Yesterday, our delegation visited ..."
    assert "1968-05" in by_label.values()  # "a big rebellion movement emerged there in May this year"


def test_cq09_exact_span_of_a_claim(store: ox.Store, seed_text: str) -> None:
    got = rows(store, "cq09-source-span-of-claims")
    spans = {(int(r["start"]), int(r["end"])): r["exact"] for r in got}
    assert spans[(6090, 6209)] == (
        "The Italian ambassador to Bulgaria revealed to us that the Soviet Union has nine to ten airborne divisions in Bulgaria."
    )
    for (start, end), exact in spans.items():
        assert seed_text[start:end] == exact
    assert all(r["source"].endswith(SEED.name) for r in got)


def test_cq10_documents_by_language_and_archive(store: ox.Store) -> None:
    got = rows(store, "cq10-documents-by-language-and-archive")
    assert [(r.get("language"), r.get("archive"), int(r["documents"])) for r in got] == [
        ("Chinese", "Chinese Communist Party Central Archives", 1)
    ]


def test_cq11_persons_joined_with_wikidata(store: ox.Store, wikidata_endpoint: str) -> None:
    got = rows(store, "cq11-persons-with-wikidata-facts", wikidata_endpoint)
    mao = [r for r in got if r["name"] == "Mao Zedong"]
    assert mao and mao[0]["born"].startswith("1893-12-26") and mao[0]["died"].startswith("1976")
    assert mao[0]["positionLabel"] == "Chairman of the Chinese Communist Party" and int(mao[0]["turns"]) > 5


def test_cq12_places_with_coordinates(store: ox.Store, wikidata_endpoint: str) -> None:
    got = {r["name"]: r for r in rows(store, "cq12-places-with-coordinates", wikidata_endpoint)}
    assert got["People's Republic of Bulgaria"]["coordinates"] == "Point(23.3 42.7)"
    assert "Union of Soviet Socialist Republics" in got and len(got) == 2  # only the items the fixture places
