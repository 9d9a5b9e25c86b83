"""A mention is lean in the store and a whole W3C Web Annotation at its IRI (server/annotation.py)."""

from __future__ import annotations

import json
import urllib.parse

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import DCTERMS, RDF, XSD

from converter.namespaces import OA
from converter.uris import Minter
from server.annotation import WA_CONTEXT, derived_triples, web_annotation

from .conftest import BASE
from .test_server import http

_MENTIONS = """PREFIX akg: <https://w3id.org/archivekg/ontology#> PREFIX oa: <http://www.w3.org/ns/oa#>
SELECT ?m ?t ?body ?label WHERE { ?m a akg:Mention ; oa:hasTarget ?t
  OPTIONAL { ?m oa:hasBody ?body } OPTIONAL { ?m akg:candidateLabel ?label } } ORDER BY ?m"""


def _mentions(url: str) -> list[dict]:
    status, _h, body = http("GET", f"{url}/sparql?query={urllib.parse.quote(_MENTIONS)}",
                            headers={"Accept": "application/sparql-results+json"})
    assert status == 200, body[:300]
    return json.loads(body)["results"]["bindings"]


def _local(iri: str) -> str:
    return urllib.parse.urlsplit(iri).path


def test_every_mention_is_served_as_a_web_annotation_with_its_exact_characters(server, seed_text: str) -> None:
    url, _out = server
    rows = _mentions(url)
    assert len(rows) > 50
    kinds = set()
    for row in rows:
        m, target = row["m"]["value"], row["t"]["value"]
        status, headers, body = http("GET", f"{url}{_local(m)}.jsonld?profile=anno")
        assert status == 200, body[:300]
        assert headers["Content-Type"] == f'application/ld+json; profile="{WA_CONTEXT}"'
        wa = json.loads(body)
        assert wa["@context"] == WA_CONTEXT and wa["id"] == m and wa["type"] == "Annotation"
        source, start, end = Minter.parse_chars(target)
        assert wa["target"]["id"] == target and wa["target"]["source"] == source == f"{BASE}source/documents/000_a7f71ba93af0ba45.txt"
        selectors = {s["type"]: s for s in wa["target"]["selector"]}
        assert selectors["FragmentSelector"] == {"type": "FragmentSelector", "value": f"char={start},{end}",
                                                 "conformsTo": "http://tools.ietf.org/rfc/rfc5147"}
        assert (selectors["TextPositionSelector"]["start"], selectors["TextPositionSelector"]["end"]) == (start, end)
        quote = selectors["TextQuoteSelector"]
        assert quote["exact"] == seed_text[start:end]
        assert seed_text[:start].endswith(quote.get("prefix", "")) and len(quote.get("prefix", "")) <= 32
        assert seed_text[end:].startswith(quote.get("suffix", "")) and len(quote.get("suffix", "")) <= 32
        if "body" in row:
            assert wa["motivation"] == "identifying" and wa["body"] == row["body"]["value"]
        else:
            assert wa["motivation"] == "tagging"
            assert wa["body"] == {"type": "TextualBody", "value": row["label"]["value"], "purpose": "tagging"}
        kinds.add(wa["motivation"])
    assert kinds == {"identifying", "tagging"}, "the seed has linked and candidate mentions"


def test_the_accept_profile_of_the_web_annotation_protocol_gives_the_same_annotation(server) -> None:
    url, _out = server
    m = _mentions(url)[0]["m"]["value"]
    _s, _h, by_arg = http("GET", f"{url}{_local(m)}.jsonld?profile=anno")
    status, headers, by_accept = http("GET", f"{url}{_local(m)}.jsonld",
                                      headers={"Accept": f'application/ld+json; profile="{WA_CONTEXT}"'})
    assert status == 200 and "profile" in headers["Content-Type"]
    assert json.loads(by_accept) == json.loads(by_arg)
    status, headers, plain = http("GET", f"{url}{_local(m)}.jsonld", headers={"Accept": "application/ld+json"})
    assert status == 200 and "profile" not in headers["Content-Type"]
    assert WA_CONTEXT not in plain.decode(), "plain JSON-LD is the RDF description, not the protocol's form"


def test_a_mention_in_turtle_is_a_whole_annotation(server, seed_text: str) -> None:
    url, _out = server
    row = next(r for r in _mentions(url) if "body" in r)
    m, target = URIRef(row["m"]["value"]), URIRef(row["t"]["value"])
    status, _h, body = http("GET", f"{url}{_local(m)}.ttl")
    assert status == 200
    g = Graph().parse(data=body.decode(), format="turtle")
    assert (m, RDF.type, OA.Annotation) in g and (m, OA.motivatedBy, OA.identifying) in g
    assert (m, OA.hasTarget, target) in g and (target, RDF.type, OA.SpecificResource) in g
    source, start, end = Minter.parse_chars(str(target))
    assert g.value(target, OA.hasSource) == URIRef(source)
    by_type = {g.value(s, RDF.type): s for s in g.objects(target, OA.hasSelector)}
    assert set(by_type) == {OA.FragmentSelector, OA.TextPositionSelector, OA.TextQuoteSelector}
    assert g.value(by_type[OA.FragmentSelector], RDF.value) == Literal(f"char={start},{end}")
    assert g.value(by_type[OA.FragmentSelector], DCTERMS.conformsTo) == URIRef("http://tools.ietf.org/rfc/rfc5147")
    assert int(g.value(by_type[OA.TextPositionSelector], OA.start)) == start
    assert str(g.value(by_type[OA.TextQuoteSelector], OA.exact)) == seed_text[start:end]
    end_literal = g.value(by_type[OA.TextPositionSelector], OA.end)
    assert end_literal == Literal(end) and end_literal.datatype == XSD.integer
    prefix = g.value(by_type[OA.TextQuoteSelector], OA.prefix)
    assert prefix is None or seed_text[:start].endswith(str(prefix))
    status, _h, page = http("GET", f"{url}{_local(m)}.html")
    assert status == 200 and f'{_local(m)}.jsonld?profile=anno' in page.decode()


def _stored(mention: str, target: str, body: str | None) -> list[ox.Triple]:
    m = ox.NamedNode(mention)
    out = [ox.Triple(m, ox.NamedNode(str(OA.hasTarget)), ox.NamedNode(target))]
    if body:
        out.append(ox.Triple(m, ox.NamedNode(str(OA.hasBody)), ox.NamedNode(body)))
    return out


@pytest.mark.parametrize("text", [None, "short"], ids=["source-missing", "source-shorter-than-the-span"])
def test_without_its_source_text_a_mention_keeps_its_offsets_and_gives_no_quote(text: str | None) -> None:
    m, target = f"{BASE}id/mention/1-1", f"{BASE}source/one.txt#char=16,44"
    stored = _stored(m, target, f"{BASE}id/person/x")
    triples = derived_triples(m, stored, text)
    types = {t.object.value for t in triples if t.predicate.value.endswith("#type")}
    assert str(OA.TextPositionSelector) in types and str(OA.TextQuoteSelector) not in types
    wa = web_annotation(m, stored, text)
    assert [s["type"] for s in wa["target"]["selector"]] == ["FragmentSelector", "TextPositionSelector"]


def test_the_quote_context_is_cut_at_the_ends_of_the_text() -> None:
    text = "Mao met Balluku."
    m, target = f"{BASE}id/mention/1-1", f"{BASE}source/one.txt#char=0,3"
    wa = web_annotation(m, _stored(m, target, None), text)
    quote = wa["target"]["selector"][-1]
    assert quote == {"type": "TextQuoteSelector", "exact": "Mao", "suffix": " met Balluku."}
