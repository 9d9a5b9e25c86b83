"""Mentions: every reference to a person, place, organisation or event in the text.

Found in two ways:

1. **Gazetteer** — the names, aliases and demonyms of the authority files and the
   persons of the document itself, matched token by token on case- and
   diacritic-folded text, longest match first ("Soviet Union" before "Soviet"),
   across the punctuation real exports put inside names ("Dub...ek", "Kim Il-sung",
   "N. S. Khrushchev"), ignoring a possessive ("Bulgaria's"). A match must start
   with a capital letter (so "turkey" the bird is no country), and an entity's
   ``not_when`` pattern drops a match whose sentence matches it ("roast Turkey").
2. **Rules** for names not in the authority files: a title followed by capitalised
   words ("Comrade Wang", "Ambassador Ryu", "President Park") is a person; other
   runs of two or more capitalised words become unlinked candidates.

Pure functions of the document, its persons and the authority data.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import NamedTuple

from .authority import Authority
from .model import Block, Document, Mention, Span, Where
from .names import ROLE_WORDS, case_stem, fold, latin_key, name_tokens, strip_honorifics
from .speakers import Cast

__all__ = ["Gazetteer", "find_mentions", "blocks"]

_WORD = re.compile(r"[^\W_]+", re.UNICODE)
_GAP = re.compile(r"^(?:[ \t\-'’.]{1,3}|\.\.\.|…|\s?-\s?)$")
_TITLES = {
    "comrade", "comrades", "cde", "mr", "mrs", "ms", "dr", "ambassador", "president", "premier", "chairman",
    "minister", "secretary", "general", "marshal", "director", "professor", "prime", "vice", "deputy",
    "counselor", "counsellor", "consul", "king", "queen", "prince", "emperor", "pope", "senator", "governor",
    "colonel", "major", "captain", "lieutenant", "admiral", "attache", "envoy", "chancellor",
}
# Capitalised words that start sentences or are common nouns in headings: never a name on their own.
_STOP = frozenset(
    """a an the this that these those there here it its he she they we i you his her our their my your
    yes no not but and or if when while as at in on of to for with from by after before during since until
    now then today yesterday tomorrow also even only so thus however therefore although because
    what who whom which where why how will would shall should can could may might must do does did
    is are was were be been being have has had first second third last next new old great big small
    all many some most more much few other another each every such same
    monday tuesday wednesday thursday friday saturday sunday
    january february march april may june july august september october november december
    comrade comrades chairman premier president minister secretary ambassador mr mrs dr
    party government committee ministry embassy delegation army revolution revolutionary people
    god lord""".split()
)
_CACHE: dict[int, tuple[Authority, Gazetteer]] = {}
_CONF = {"authority": 0.95, "document": 0.9, "demonym": 0.8, "rule": 0.6, "candidate": 0.4}


@dataclass(frozen=True)
class _Entry:
    kind: str
    id: str
    via: str
    not_when: re.Pattern[str] | None


class _Token(NamedTuple):  # a tuple: a document has thousands of tokens, made faster than a frozen dataclass
    text: str
    key: str
    start: int
    end: int
    alt: str | None = None  # the key without a Russian case ending: "Сталину" -> "stalin"


def _tokens(text: str, base: int) -> list[_Token]:
    out = []
    for m in _WORD.finditer(text):
        word = m.group(0)
        a, b = m.span()
        out.append(_Token(word, latin_key(word), base + a, base + b, case_stem(word)))
    return out


class Gazetteer:
    """Names to entities, as a token trie.

    The authority part is built once per process (``for_authority``) and a
    document's own persons are laid over it (``with_cast``): a match takes the
    longest name of either.
    """

    def __init__(self, base: Gazetteer | None = None) -> None:
        self._trie: dict = {}
        self._base = base

    def add(self, name: str, entry: _Entry) -> None:
        toks = name_tokens(strip_honorifics(name))
        if not toks:
            return
        node = self._trie
        for t in toks:
            node = node.setdefault(t, {})
        entries: list[_Entry] = node.setdefault(None, [])
        if all((e.kind, e.id) != (entry.kind, entry.id) or e.via != entry.via for e in entries):
            entries.append(entry)

    @classmethod
    def for_authority(cls, authority: Authority) -> Gazetteer:
        cached = _CACHE.get(id(authority))
        if cached is not None and cached[0] is authority:
            return cached[1]
        g = cls()
        for (kind, _id), e in sorted(authority.entities.items()):
            nw = re.compile(e.not_when) if e.not_when else None
            for n in (e.label, *e.aliases):
                g.add(n, _Entry(kind, e.id, "authority", nw))
            for n in e.demonyms:
                g.add(n, _Entry(kind, e.id, "demonym", nw))
        _CACHE[id(authority)] = (authority, g)
        return g

    @classmethod
    def build(cls, authority: Authority, cast: Cast | None = None) -> Gazetteer:
        g = cls(base=cls.for_authority(authority))
        if cast is not None:
            for p in cast.persons:
                for n in (p.name, *p.written):
                    g.add(n, _Entry("person", p.slug, "document", None))
        return g

    def match(self, toks: list[_Token], i: int, source: str) -> tuple[int, list[_Entry]] | None:
        """Longest match starting at token i, over this trie and its base: (number of tokens, entries)."""
        mine = self._match(toks, i, source)
        base = self._base.match(toks, i, source) if self._base is not None else None
        if mine is None or base is None:
            return mine or base
        if mine[0] != base[0]:
            return max(mine, base, key=lambda m: m[0])
        return mine[0], [*base[1], *mine[1]]

    def _match(self, toks: list[_Token], i: int, source: str) -> tuple[int, list[_Entry]] | None:
        node = self._trie
        best: tuple[int, list[_Entry]] | None = None
        j = i
        while j < len(toks):
            if j > i and not _GAP.match(source[toks[j - 1].end : toks[j].start]):
                break
            nxt = node.get(toks[j].key)
            if nxt is None and toks[j].alt is not None:
                nxt = node.get(toks[j].alt)
            if nxt is None:
                break
            node = nxt
            j += 1
            if None in node:
                best = (j - i, node[None])
        return best


def blocks(doc: Document) -> list[tuple[Where, Block]]:
    """Every stretch of running text: turns, paragraphs and footnotes (their text after "[1] ")."""
    out: list[tuple[Where, Block]] = [(Where("turn", t.position), t) for t in doc.turns]
    out += [(Where("paragraph", p.position), p) for p in doc.paragraphs]
    for n, fn in enumerate(doc.footnotes, start=1):
        start = fn.span.end - len(fn.text)
        out.append((Where("footnote", n), Block(n, fn.text, Span(start, fn.span.end), fn.line)))
    return out


def _sentence_around(text: str, start: int, end: int) -> str:
    a = max(text.rfind(". ", 0, start), text.rfind("\n", 0, start)) + 1
    b_candidates = [x for x in (text.find(". ", end), text.find("\n", end)) if x >= 0]
    b = min(b_candidates) if b_candidates else len(text)
    return text[a : b + 1]


def _choose(entries: list[_Entry], cast_slugs: set[str]) -> _Entry | None:
    """One entry for a name, or None when it stays ambiguous."""
    by_entity: dict[tuple[str, str], _Entry] = {}
    for e in sorted(entries, key=lambda e: ("authority", "document", "demonym").index(e.via)):
        by_entity.setdefault((e.kind, e.id), e)
    if len(by_entity) == 1:
        return next(iter(by_entity.values()))
    in_doc = [e for (k, i), e in by_entity.items() if k == "person" and i in cast_slugs]
    if len(in_doc) == 1:
        return in_doc[0]
    names = [e for e in by_entity.values() if e.via != "demonym"]
    kinds = {e.kind for e in names}
    if len(names) == 1 or (len(kinds) == 1 and len({e.id for e in names}) == 1):
        return names[0]
    return None


def find_mentions(doc: Document, source_text: str, cast: Cast, authority: Authority,
                  gazetteer: Gazetteer | None = None) -> list[Mention]:
    gaz = gazetteer or Gazetteer.build(authority, cast)
    cast_slugs = {p.slug for p in cast.persons}
    out: list[Mention] = []
    for where, block in blocks(doc):
        text = block.text
        base = block.span.start
        toks = _tokens(text, base)
        i = 0
        while i < len(toks):
            tok = toks[i]
            at = _after_titles(toks, i, source_text) if tok.key in _TITLES and tok.text[:1].isupper() else i
            got = gaz.match(toks, i, source_text) if tok.text[:1].isupper() else None
            if got is not None:
                at = i  # "President Park" is itself a name
            elif at > i and toks[at].text[:1].isupper():
                got = gaz.match(toks, at, source_text)
            if got is not None:
                n, entries = got
                entry = _choose(entries, cast_slugs)
                start, end = toks[at].start, toks[at + n - 1].end
                i = at + n
                if entry is not None and entry.not_when is not None:
                    if entry.not_when.search(_sentence_around(text, start - base, end - base)):
                        continue
                if entry is not None:
                    out.append(Mention(entry.kind, source_text[start:end], Span(start, end), where,
                                       (entry.kind, entry.id), entry.via, _CONF[entry.via]))
                else:
                    kinds = sorted({e.kind for e in entries})
                    out.append(Mention(kinds[0] if len(kinds) == 1 else "unknown", source_text[start:end],
                                       Span(start, end), where, None, "candidate", _CONF["candidate"],
                                       label=source_text[start:end]))
                continue
            rule = _rule(toks, i, at, source_text)
            if rule is not None and rule[1] != "person" and any(
                    toks[k].text[:1].isupper() and gaz.match(toks, k, source_text) for k in range(i + 1, rule[0])):
                rule = None  # "ИОСУФУ СТАЛИНУ": a known name inside the run is matched on its own
            if rule is not None:
                end_i, kind = rule
                start, end = toks[at].start, toks[end_i - 1].end
                name = source_text[start:end]
                via = "rule" if kind == "person" else "candidate"
                out.append(Mention(kind, name, Span(start, end), where, None, via, _CONF[via], label=name))
                i = end_i
                continue
            i += 1
    return out


def _capitalised(tok: _Token) -> bool:
    return tok.text[:1].isupper() and tok.key not in _STOP and not tok.text.isdigit()


def _after_titles(toks: list[_Token], i: int, source: str) -> int:
    """Index of the first token after a run of titles ("Cde.", "Prime Minister")."""
    j = i + 1
    while j < len(toks) and toks[j].key in _TITLES and _GAP.match(source[toks[j - 1].end : toks[j].start]):
        j += 1
    return j if j < len(toks) and _GAP.match(source[toks[j - 1].end : toks[j].start]) else i


def _rule(toks: list[_Token], i: int, at: int, source: str) -> tuple[int, str] | None:
    """(index after the name, kind) for a name found by rule; ``at`` skips a title."""
    if at > i:  # "Comrade Wang", "Ambassador Ryu": a person
        k = at
        while k < len(toks) and k - at < 4 and toks[k].text[:1].isupper() and toks[k].key not in _STOP and (
            k == at or _GAP.match(source[toks[k - 1].end : toks[k].start])
        ):
            k += 1
        return (k, "person") if k > at else None
    tok = toks[i]
    if not _capitalised(tok) or tok.key in ROLE_WORDS:
        return None
    k = i + 1
    while k < len(toks) and k - i < 5 and _capitalised(toks[k]) and source[toks[k - 1].end : toks[k].start] == " ":
        k += 1
    return (k, "unknown") if k - i >= 2 else None
