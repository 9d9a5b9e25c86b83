"""Each kind of resource has a page of its own: what a reader needs, by label, escaped, paged."""

from __future__ import annotations

import re

import pyoxigraph as ox
import pytest

from server import pages

from .conftest import BASE
from .test_server import http

AKG, SCHEMA, DCT = "https://w3id.org/archivekg/ontology#", "http://schema.org/", "http://purl.org/dc/terms/"
LABEL, PROV = "http://www.w3.org/2000/01/rdf-schema#label", "http://www.w3.org/ns/prov#"


def _page(server, path: str) -> str:
    url, _ = server
    status, headers, body = http("GET", url + path, headers={"Accept": "text/html"})
    assert status == 200 and headers["Content-Type"].startswith("text/html"), path
    return body.decode()


def _text(html: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", html).split())


def _element(html: str, ident: str) -> str:
    m = re.search(rf'<(\w+)[^>]* id="{ident}"[^>]*>(.*?)</\1>', html, re.S)
    assert m, f"no element #{ident}"
    return m.group(2)


@pytest.mark.parametrize(("path", "ident", "expected"), [
    # A claim: its claimant, stance, reported source, subjects by label, its document.
    ("/id/claim/111239-21-3", "claim", ['href="/id/person/mao-zedong">Mao Zedong', "denied",
                                        'href="/id/organization/bulgarian-telegraph-agency">Bulgarian Telegraph Agency',
                                        "“The Bulgarian news agency”", "People&#x27;s Republic of Bulgaria",
                                        'href="/id/document/111239">Conversation Between']),
    ("/id/claim/111239-9-6", "claim", ["more than 3,000 people", "more than 3000 people"]),
    # An event of the authority file and an event dated within a document.
    ("/id/event/invasion-of-czechoslovakia", "event", ["1968-08-20 to 1968-08-21", 'href="/id/place/czechoslovakia"']),
    ("/id/event/111239-e3", "event", ["1968-09-30", "“Yesterday”", 'href="/id/person/beqir-balluku">Beqir Balluku']),
    # Places and organisations: what they are, and the claims about or from them.
    ("/id/place/bulgaria", "summary", ["The communist Bulgarian state 1946-1990", "PR Bulgaria",
                                       'class="wikidata" href="http://www.wikidata.org/entity/Q121932">Q121932']),
    ("/id/place/bulgaria", "claims-about", ["stationed on Bulgarian territory", "Beqir Balluku"]),
    ("/id/organization/bulgarian-telegraph-agency", "claims-reported", ["in negating so-called"]),
    ("/id/organization/nato", "mentioned-in", ['href="/id/document/111239"', "1968-10-01", "(1 mention)"]),
    ("/id/place/soviet-union", "mentioned-in", ['href="/id/document/111239"', " mentions)"]),
    # A document: its metadata, its citation and the archive's own page.
    ("/id/document/111239", "document", ["October 01, 1968", "Chinese Communist Party Central Archives",
                                         'id="archive-page" href="http://digitalarchive.wilsoncenter.org/document/111239"',
                                         "Beqir Balluku", "Chinese"]),
    ("/id/person/mao-zedong", "summary", ["Mao Tse-tung", 'href="http://www.wikidata.org/entity/Q5816"']),
    ("/id/person/beqir-balluku", "summary", ["not linked yet", "Albanian Minister of Defence"]),
])
def test_each_kind_has_its_page(server, path: str, ident: str, expected: list[str]) -> None:
    section = _element(_page(server, path), ident)
    for fragment in expected:
        assert fragment in section, (path, fragment)


def test_a_claim_page_shows_it_in_context_and_links_to_the_turn(server) -> None:
    page = _page(server, "/id/claim/111239-21-3")
    assert "<h1>The Bulgarian news agency, in negating" in page  # a title, not the bare IRI
    context = _element(page, "context")
    assert '<mark class="claim">The Bulgarian news agency, in negating' in context
    assert "But our embassy has learned" in _text(context)  # the rest of the turn around it
    anchor = re.search(r'href="/id/document/111239#([^"]+)">Read it in the transcript', page).group(1)
    assert f'id="{anchor}"' in _page(server, "/id/document/111239")  # the link lands on the very turn


def test_an_event_page_lists_the_passages_that_refer_to_it(server) -> None:
    referred = _element(_page(server, "/id/event/111239-e3"), "referred-in")
    assert "our delegation visited the Beijing Textile Knitting Plant" in referred
    assert 'href="/id/document/111239#' in referred


def _person_with(n: int) -> ox.Store:
    """A real in-memory store with one person who speaks n times and makes n claims in one document."""
    store = ox.Store()
    person, doc = ox.NamedNode(f"{BASE}id/person/p"), ox.NamedNode(f"{BASE}id/document/d")
    store.add(ox.Quad(doc, ox.NamedNode(DCT + "title"), ox.Literal("A long meeting")))
    store.add(ox.Quad(person, ox.NamedNode(LABEL), ox.Literal("A <b>Speaker</b>")))
    for i in range(n):
        u, c = ox.NamedNode(f"{BASE}id/utterance/d-{i}"), ox.NamedNode(f"{BASE}id/claim/d-{i}-1")
        for s, p, o in ((u, AKG + "spokenBy", person), (u, SCHEMA + "text", ox.Literal(f"turn {i:03d} <i>")),
                        (u, DCT + "isPartOf", doc), (u, SCHEMA + "position", ox.Literal(i)),
                        (c, PROV + "wasAttributedTo", person), (c, SCHEMA + "text", ox.Literal(f"claim {i:03d}")),
                        (c, DCT + "isPartOf", doc)):
            store.add(ox.Quad(s, ox.NamedNode(p), o))
    return store


@pytest.mark.parametrize(("page", "first", "count", "nav"), [
    (1, "turn 000", 50, ['rel="next" href="?page=2"']),
    (2, "turn 050", 50, ['rel="prev" href="?page=1"', 'rel="next" href="?page=3"']),
    (3, "turn 100", 20, ['rel="prev" href="?page=2"']),
])
def test_long_lists_are_paged(page: int, first: str, count: int, nav: list[str]) -> None:
    html = pages.person(_person_with(120), f"{BASE}id/person/p", BASE, page)
    said = _element(html, "utterances")
    assert said.count("<li>") == count and _text(said).startswith(first)
    for link in nav:
        assert link in html
    assert ("rel=\"next\"" in html) == (page < 3)
    assert "<i>" not in said and "&lt;i&gt;" in said  # text is escaped


def _named_in(n: int) -> ox.Store:
    """A real in-memory store with a place that n documents mention (once each, as a build writes it: the
    annotation and the shortcut) and a person who attends n conversations."""
    store = ox.Store()
    place, person = ox.NamedNode(f"{BASE}id/place/x"), ox.NamedNode(f"{BASE}id/person/p")
    for i in range(n):
        doc, conv = ox.NamedNode(f"{BASE}id/document/d{i:03d}"), ox.NamedNode(f"{BASE}id/event/d{i:03d}-conversation")
        block, mention = ox.NamedNode(f"{BASE}id/paragraph/d{i:03d}-1"), ox.NamedNode(f"{BASE}id/mention/d{i:03d}-1")
        for s, p, o in ((doc, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(AKG + "Document")),
                        (doc, AKG + "mentions", place), (doc, DCT + "title", ox.Literal(f"document {i:03d}")),
                        (block, DCT + "isPartOf", doc), (mention, AKG + "inText", block),
                        (mention, "http://www.w3.org/1999/02/22-rdf-syntax-ns#type", ox.NamedNode(AKG + "Mention")),
                        (mention, "http://www.w3.org/ns/oa#hasBody", place),
                        (conv, SCHEMA + "attendee", person), (conv, AKG + "recordedIn", doc)):
            store.add(ox.Quad(s, ox.NamedNode(p), o))
    return store


@pytest.mark.parametrize(("render", "iri", "ident"), [
    (pages.entity, f"{BASE}id/place/x", "mentioned-in"),
    (pages.person, f"{BASE}id/person/p", "took-part"),
])
def test_document_lists_are_paged(render, iri: str, ident: str) -> None:
    """A capital is named in thousands of documents and a leader attends hundreds of meetings: paged too."""
    store = _named_in(70)
    first, second = render(store, iri, BASE, 1), render(store, iri, BASE, 2)
    assert _element(first, ident).count("<li>") == 50 and _element(second, ident).count("<li>") == 20
    assert "document 000" in _element(first, ident) and "document 050" in _element(second, ident)
    assert 'rel="next" href="?page=2"' in first and 'rel="prev" href="?page=1"' in second
    if ident == "mentioned-in":  # each document with how often it names the place
        assert _element(first, ident).count("(1 mention)") == 50


def test_claim_page_text_is_escaped() -> None:
    store = ox.Store()
    claim, doc = ox.NamedNode(f"{BASE}id/claim/x-1-1"), ox.NamedNode(f"{BASE}id/document/x")
    span = ox.NamedNode(f"{BASE}source/x.txt#char=0,5")
    for s, p, o in ((claim, SCHEMA + "text", ox.Literal("<script>alert(1)</script>")), (claim, DCT + "isPartOf", doc),
                    (doc, DCT + "title", ox.Literal("T & <u>")), (claim, AKG + "span", span)):
        store.add(ox.Quad(s, ox.NamedNode(p), o))
    html = pages.claim(store, claim.value, BASE, 1)
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    assert "T &amp; &lt;u&gt;" in html and "the editor" in html  # no claimant: an editor's note
