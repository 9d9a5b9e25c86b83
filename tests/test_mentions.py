"""Mentions: the gazetteer over the authority data and the document's persons, and the rules."""

from __future__ import annotations

import pytest

from converter.authority import Authority, Entity
from converter.mentions import find_mentions
from converter.readers import read
from converter.speakers import resolve

from .conftest import LAYOUTS, layout


def _doc(body: str) -> tuple[str, object]:
    text = f"## October 1, 1968\n\n# Conversation between Ann Lee and Bob Ray\n\n**Ann Lee:** {body}\n"
    return text, read(text, "t.txt")


@pytest.fixture(scope="module")
def auth() -> Authority:
    a = Authority()
    a.add(Entity("place", "bulgaria", "Bulgaria", demonyms=("Bulgarian", "Bulgarians")))
    a.add(Entity("place", "soviet-union", "Soviet Union", ("USSR",), demonyms=("Soviet", "Soviets")))
    a.add(Entity("place", "turkey", "Turkey", not_when=r"(?i)\b(roast(ed)?|dinner|stuffed)\b"))
    a.add(Entity("person", "alexander-dubcek", "Alexander Dubček", ("Dubček", "Dub...ek")))
    a.add(Entity("person", "kim-il-sung", "Kim Il Sung"))
    return a


@pytest.mark.parametrize(
    ("body", "expected"),
    [
        ("Bulgaria's army is small.", [("Bulgaria", "bulgaria", "authority")]),
        ("The Soviet Union and the Soviets.", [("Soviet Union", "soviet-union", "authority"), ("Soviets", "soviet-union", "demonym")]),
        ("Soviet troops are on Bulgarian territory.", [("Soviet", "soviet-union", "demonym"), ("Bulgarian", "bulgaria", "demonym")]),
        ("A Dub...ek-style revisionist; Dubcek himself.", [("Dub...ek", "alexander-dubcek", "authority"), ("Dubcek", "alexander-dubcek", "authority")]),
        ("Kim Il-sung agreed.", [("Kim Il-sung", "kim-il-sung", "authority")]),
        ("We ate a roast turkey at dinner. Turkey stuffed with chestnuts.", []),
        ("Turkey has joined the pact.", [("Turkey", "turkey", "authority")]),
        ("the ussr and soviet troops", []),  # a name starts with a capital letter
        ("Ann Lee said so to Bob.", [("Ann Lee", "ann-lee", "document")]),
    ],
)
def test_gazetteer(auth: Authority, body: str, expected: list[tuple[str, str, str]]) -> None:
    text, doc = _doc(body)
    cast = resolve(doc, auth)
    got = [(m.text, m.entity[1] if m.entity else None, m.via) for m in find_mentions(doc, text, cast, auth) if m.entity]
    assert got == expected


def test_rules_find_titled_persons_and_candidates(auth: Authority) -> None:
    text, doc = _doc("Ambassador Ryu met Comrade Wang at the Beijing Textile Plant.")
    got = [(m.text, m.kind, m.entity, m.via) for m in find_mentions(doc, text, resolve(doc, auth), auth)]
    assert ("Ryu", "person", None, "rule") in got
    assert ("Wang", "person", None, "rule") in got
    assert ("Beijing Textile Plant", "unknown", None, "candidate") in got


@pytest.mark.parametrize("name", LAYOUTS)
def test_every_layout_gives_exact_spans(name: str, authority) -> None:
    from converter.extract import extract

    text, _ = layout(name)
    doc = read(text, f"{name}.txt")
    cast = resolve(doc, authority)
    ext = extract(doc, text, cast, authority)
    for m in ext.mentions:
        assert text[m.span.start : m.span.end] == m.text
    for c in ext.claims:
        assert text[c.span.start : c.span.end] == c.text
        assert not c.text.rstrip().endswith("?")
        for q in c.quantities:
            assert text[q.span.start : q.span.end] == q.text
