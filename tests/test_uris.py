"""IRIs: one module mints them, deterministically, under a configurable base."""

from __future__ import annotations

import pytest

from converter.names import normalise_name, slugify
from converter.uris import BaseURIError, Minter


def test_kinds_and_slugs() -> None:
    m = Minter("https://example.org")
    assert m.base == "https://example.org/"
    assert m.document("111239") == "https://example.org/id/document/111239"
    assert m.utterance("111239", 22) == "https://example.org/id/utterance/111239-22"
    assert m.person("beqir-balluku") == "https://example.org/id/person/beqir-balluku"
    assert m.conversation("111239") == "https://example.org/id/event/111239-conversation"
    assert Minter.part(m.utterance("1", 2), "span") == "https://example.org/id/utterance/1-2#span"
    assert Minter.part(Minter.part(m.document("1"), "mark-1"), "span") == "https://example.org/id/document/1#mark-1-span"


@pytest.mark.parametrize("base", ["example.org", "ftp://example.org/", "https://example.org/?q=1", "/relative/"])
def test_bad_base_uri(base: str) -> None:
    with pytest.raises(BaseURIError):
        Minter(base)


def test_unsafe_slug_is_refused() -> None:
    with pytest.raises(ValueError):
        Minter("https://e.org/").iri("person", "a b")


@pytest.mark.parametrize(
    ("name", "slug"),
    [("Dubček", "dubcek"), ("Kim Il-sung", "kim-il-sung"), ("KIM Il Sung", "kim-il-sung"), ("N. S. KHRUSHCHEV", "n-s-khrushchev"), ("", "x")],
)
def test_slugify(name: str, slug: str) -> None:
    assert slugify(normalise_name(name)) == slug


@pytest.mark.parametrize(
    ("raw", "norm"),
    [("Comrade Mao Zedong", "Mao Zedong"), ("N. S. KHRUSHCHEV", "N. S. Khrushchev"), ("KIM  Il Sung", "Kim Il Sung"), ("HO CHI MINH", "Ho Chi Minh")],
)
def test_normalise_name(raw: str, norm: str) -> None:
    assert normalise_name(raw) == norm
