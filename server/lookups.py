"""Lookups: queries whose cost is bounded by their form, which the server answers in its own thread.

A lookup is one triple pattern, read as the union of the named graphs:

    [BASE <iri>] [PREFIX p: <iri>]...
    ASK [WHERE] { S P O [.] } [LIMIT n]
    SELECT (* | ?v ...) [WHERE] { S P O [.] } LIMIT n        n <= the most rows allowed

S, P, O: IRIs in brackets or prefixed names, variables (each at most once), ``a`` as P, and, as O, a string
literal without escapes (with a language or a datatype). Nothing else: no FILTER, OPTIONAL, UNION, GRAPH,
SERVICE, VALUES, BIND, subquery, property path, blank node, expression, DISTINCT, ORDER BY, GROUP BY, OFFSET
or FROM; terms separated by white space; at most 2,000 characters.

Why its cost is bounded: Oxigraph answers one pattern from one range of one of its indexes (SPOG, POSG or OSPG
over the named graphs), the range whose prefix is the pattern's constants. With the variables all distinct,
every entry of that range is an answer (nothing is filtered out, nothing joined), so reading n answers reads n
entries: ASK reads one, SELECT ... LIMIT n at most n. That holds whatever the data holds, which is what a time
limit would otherwise have to guard against. The text is matched whole, against a grammar of a few tokens
(comments read whole, so the match takes time linear in the text); anything it does not match, or matches in
a way the parser reads otherwise (it then fails to parse, and says so), goes to a query process as before.
"""

from __future__ import annotations

import re

from .query_guard import GAP

__all__ = ["MOST_CHARS", "lookup_rows"]

MOST_CHARS = 2000

# White space and comments, each comment taken whole (query_guard.GAP), and the gap itself never given back
# (possessive): no token of the grammar starts with either, so the match is the same, found without backtracking.
_G = GAP + "+"
_S = r"\s" + _G  # at least one white space character between terms
_IRI = r'<[^<>"{}|^`\\\x00-\x20]*>'
_PNAME = r"(?:[A-Za-z][A-Za-z0-9_-]*)?:(?:[A-Za-z0-9_][A-Za-z0-9_-]*)?"
_VAR = r"[?$](?P<{}>[A-Za-z0-9_]+)"
_CONST = f"(?:{_IRI}|{_PNAME})"
_LITERAL = rf'"[^"\\\n\r]*"(?:@[A-Za-z]+(?:-[A-Za-z0-9]+)*|\^\^{_CONST})?'
_PROLOGUE = rf"(?:{_G}(?:(?i:BASE){_G}{_IRI}|(?i:PREFIX){_G}(?:[A-Za-z][A-Za-z0-9_-]*)?:{_G}{_IRI}))*"
_PATTERN = (rf"\{{{_G}(?:{_CONST}|{_VAR.format('s')}){_S}(?:{_CONST}|a|{_VAR.format('p')}){_S}"
            rf"(?:{_CONST}|{_LITERAL}|{_VAR.format('o')}){_G}(?:\.{_G})?\}}")
_LOOKUP = re.compile(
    rf"{_PROLOGUE}{_G}(?:(?P<ask>(?i:ASK))|(?i:SELECT){_G}(?:\*|(?P<vars>[?$][A-Za-z0-9_]+(?:{_S}[?$][A-Za-z0-9_]+)*)))"
    rf"{_G}(?:(?i:WHERE){_G})?{_PATTERN}{_G}(?:(?i:LIMIT){_S}(?P<limit>[0-9]{{1,9}}){_G})?",
)


def lookup_rows(query: str, most: int) -> int | None:
    """The most index entries the query can read when it is a lookup (see the module) whose SELECT has a LIMIT
    of at most ``most`` rows: 1 for ASK, its LIMIT for SELECT. None for any other query, or when ``most`` is 0."""
    if most <= 0 or len(query) > MOST_CHARS:
        return None
    m = _LOOKUP.fullmatch(query)
    if m is None:
        return None
    names = [m.group(k) for k in ("s", "p", "o") if m.group(k) is not None]
    if len(set(names)) != len(names):
        return None  # a variable twice (?x ?p ?x): its range holds entries that are not answers
    limit = m.group("limit")
    if m.group("ask"):
        return 1
    if limit is None or int(limit) > most:
        return None
    return int(limit)
