"""What a query must not do on a read-only, network-safe endpoint, found before it runs.

pyoxigraph evaluates ``SERVICE`` by itself, over the network, so every SERVICE clause
must name an endpoint of the allow-list, written as a full IRI. The scan is of the
raw text, strings and comments included, and errs on the side of refusing: a context-free
lexer of SPARQL cannot tell ``<`` the operator from ``<`` the IRI the way the parser
does, and a lexer that guessed wrong would let a SERVICE through hidden in what it took
for a string. So whatever reads as ``SERVICE`` followed by a variable, an IRI or a
prefixed name (whitespace and comments between them allowed, any case) is checked:
  - an IRI must be one of the allow-list, exactly as written there;
  - a variable or a prefixed name is refused (its endpoint is not known before it runs).
The only queries this refuses wrongly hold such a phrase inside a string ("service ?x"),
and the refusal names its line and column.

Every function here is pure: text in, spans or a ``QueryRefused`` out.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["GAP", "QueryRefused", "Service", "check_query", "position", "route_services", "services", "strip_prologue"]


class QueryRefused(Exception):
    """A query the endpoint will not run; ``status`` is the HTTP status that says why."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status
        self.message = message


@dataclass(frozen=True)
class Service:
    """One SERVICE clause: where the keyword starts, and the target as written with its span."""
    start: int
    target: str
    target_start: int
    target_end: int


# Whitespace and comments. A comment is taken whole, to the end of its line, as the parser takes it (an atomic
# group): were it allowed to end anywhere, a run of '#' after SERVICE or PREFIX could be split in 2^n ways, each
# tried before the scan gives up (22 of them: 0.7 s of the server's time; 40: days).
GAP = r"(?:\s|(?>#[^\n\r]*))*"  # also server/lookups.py's: both read a comment as the parser does
# The keyword and its target. The parser takes "1SERVICE" or "trueSERVICE" as a value and the keyword,
# so nothing but a variable or a prefixed name around it (see _inside_name) keeps it from counting.
# A prefixed name's prefix is looked for in the next 256 characters only, and a longer run without a colon
# counts as a target too (the query is refused): searching the whole run for a colon from every SERVICE of
# "SERVICESERVICE..." took time in the square of its length (100 KB: 4 s of the server's time).
_NAME_CHAR = r"[^\s<>{}()\[\]\"'#,;:]"
_SERVICE = re.compile(
    rf"SERVICE{GAP}(?:SILENT(?![\w:]){GAP})?"
    r"(?P<target><[^>]*>?|[?$][\w\u00b7\u0300-\u036f\u203f-\u2040]+"
    rf"|{_NAME_CHAR}{{0,256}}:[^\s<>{{}}()\[\]\"'#,;]*|{_NAME_CHAR}{{257}})",
    re.I,
)
_PROLOGUE = re.compile(rf"^(?:{GAP}(?:BASE{GAP}<[^>]*>|PREFIX{GAP}[^\s:]*:{GAP}<[^>]*>))*{GAP}", re.I)
_UPDATE = re.compile(r"^(?:INSERT|DELETE|LOAD|CLEAR|CREATE|DROP|COPY|MOVE|ADD|WITH)(?![\w:])", re.I)


def position(text: str, offset: int) -> tuple[int, int]:
    """1-based line and column of an offset, as the SPARQL parser reports them."""
    line = text.count("\n", 0, offset) + 1
    return line, offset - (text.rfind("\n", 0, offset) + 1) + 1


_VARNAME = re.compile(r"[\w\u00b7\u0300-\u036f\u203f-\u2040]")
_PN_CHAR = re.compile(r"[\w\u00b7\u0300-\u036f\u203f-\u2040.\-:%\\]")


def _inside_name(query: str, start: int) -> bool:
    """Whether the word at ``start`` goes on a variable (?aSERVICE) or a prefixed name (ex:a.SERVICE).

    The parser reads both greedily, so the word cannot be the keyword there. A name is looked for in the
    ``_NAME_REACH`` characters before the word only: a longer run counts as no name, so the SERVICE counts
    (walking back the whole run from every SERVICE of "SERVICESERVICE..." took time in the square of its length).
    """
    floor = max(0, start - _NAME_REACH)
    i = start
    while i > floor and _VARNAME.match(query[i - 1]):
        i -= 1
    if i > 0 and query[i - 1] in "?$":
        return True
    i = start
    while i > floor and _PN_CHAR.match(query[i - 1]):
        i -= 1
    if i == floor and floor > 0:
        return False  # a run too long to be a name the guard reads: the SERVICE counts
    return ":" in query[i:start]


_NAME_REACH = 1024


def services(query: str) -> list[Service]:
    """Every SERVICE clause of the text (see the module's note on why strings count too)."""
    out = []
    for m in _SERVICE.finditer(query):
        target = m.group("target")
        if not target or _inside_name(query, m.start()):
            continue
        out.append(Service(m.start(), target, m.start("target"), m.end("target")))
    return out


def strip_prologue(query: str) -> str:
    """The query after its BASE and PREFIX declarations (and comments)."""
    return query[_PROLOGUE.match(query).end():]  # type: ignore[union-attr]


def check_query(query: str, allow: tuple[str, ...], max_bytes: int) -> list[Service]:
    """Refuse (QueryRefused) what must not run; the SERVICE clauses of a query that may."""
    if len(query.encode("utf-8")) > max_bytes:
        raise QueryRefused(413, f"the query is larger than the limit of {max_bytes} bytes")
    if _UPDATE.match(strip_prologue(query)):
        raise QueryRefused(403, "this endpoint is read-only: SPARQL updates (INSERT, DELETE, LOAD, ...) are refused")
    found = services(query)
    allowed = {f"<{iri}>" for iri in allow}
    for s in found:
        if s.target not in allowed:
            line, col = position(query, s.start)
            why = "" if s.target.startswith("<") else "write the endpoint as a full IRI; "
            raise QueryRefused(
                403,
                f"SERVICE {s.target} at line {line}, column {col} is refused: {why}"
                "federated queries may only reach " + ", ".join(allow),
            )
    return found


def route_services(query: str, found: list[Service], routes: dict[str, str]) -> str:
    """The query with each allowed SERVICE target replaced by where it is routed (a mirror, a local copy)."""
    out, last = [], 0
    for s in found:
        to = routes.get(s.target[1:-1])
        if to is None or to == s.target[1:-1]:
            continue
        out.append(query[last:s.target_start])
        out.append(f"<{to}>")
        last = s.target_end
    out.append(query[last:])
    return "".join(out)
