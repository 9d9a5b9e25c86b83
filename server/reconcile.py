"""The W3C Entity Reconciliation Service API (versions 0.1 and 0.2) at /reconcile.

OpenRefine and other clients match a column of names against the published graph's
persons, places, organisations and events (the shared entities graph).

- ``GET /reconcile``: the service manifest (JSONP with ``callback``).
- ``GET`` or ``POST /reconcile`` with ``queries`` (a JSON object of queries by key) or a
  single ``query``: scored candidates, ``match`` set only when one candidate is certain.
- ``GET /reconcile/preview?id=person/mao-zedong``: a small HTML card.
- ``GET /reconcile/suggest/{entity,type,property}?prefix=``: auto-complete.

Identifiers are the path after ``{base}id/`` (``person/mao-zedong``). Scoring is a pure
function (``reconcile``) over ``Candidate`` records, which are read from the store once
per published build and cached on the application.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from html import escape

from flask import Blueprint, Response, current_app, jsonify, request

from converter.names import name_tokens

from .errors import ApiError, bad_request
from .links import public_url

__all__ = ["bp", "Candidate", "Query", "Scored", "KINDS", "PROPERTIES", "normalise", "similarity", "name_score",
           "reconcile", "suggest_entities"]

bp = Blueprint("reconcile", __name__)

ONTOLOGY = "https://w3id.org/archivekg/ontology#"
WIKIDATA = "http://www.wikidata.org/entity/"

# Limits and scores, named once.
DEFAULT_LIMIT = 3          # candidates per query when the query gives no limit
MAX_LIMIT = 25             # most candidates per query
# Most queries in a batch, property values in a query and JSON nesting: settings (server/config.py).
BATCH_SIZE = 10            # the batch size the manifest asks clients for
MAX_QUERY_CHARS = 500      # longest query text
SUGGEST_LIMIT = 10         # most suggestions per prefix
EXACT_LABEL = 100.0        # the query is the entity's label (after normalising)
EXACT_ALIAS = 95.0         # the query is one of its other names
FUZZY_CEILING = 89.0       # a near name scores at most this, so never a match on its own
MATCH_SCORE = 95.0         # a candidate at or above this, alone there, is a match
MIN_SCORE = 50.0           # candidates below are left out
QID_CONTRADICTED = 50.0    # penalty: the entity is linked to another Wikidata item
UNCONFIRMED = 10.0         # penalty: the entity cannot confirm a property value given
ALIAS_CONFIRMED = 5.0      # bonus: the entity bears the other name given
PREVIEW_WIDTH, PREVIEW_HEIGHT = 400, 180
PREVIEW_NAMES = 12         # other names shown on a preview card
CACHED_BUILDS = 2          # builds whose candidates are kept (the current and the previous)

_FOAF, _SCHEMA = "http://xmlns.com/foaf/0.1/", "http://schema.org/"
_RDFS, _SKOS = "http://www.w3.org/2000/01/rdf-schema#", "http://www.w3.org/2004/02/skos/core#"


@dataclass(frozen=True)
class Kind:
    name: str
    classes: tuple[str, ...]


KINDS: dict[str, Kind] = {
    "person": Kind("Person", (_FOAF + "Person", _SCHEMA + "Person")),
    "place": Kind("Place", (ONTOLOGY + "Place", _SCHEMA + "Place")),
    "organization": Kind("Organisation", (_FOAF + "Organization", _SCHEMA + "Organization")),
    "event": Kind("Event", (_SCHEMA + "Event",)),
}
_KIND_OF_CLASS = {cls: kind for kind, k in KINDS.items() for cls in k.classes}

PROPERTIES: dict[str, tuple[str, str]] = {
    "wikidata": ("Wikidata item", "A Wikidata QID (Q5816) or entity IRI: the entity linked to it by skos:exactMatch "
                                  "scores 100; one linked to another item is penalised"),
    "alias": ("Other name", "Another name or spelling of the entity: an entity that bears it gains, one that "
                            "does not loses a little"),
}
_PROPS = {_RDFS + "label": "label", _SKOS + "altLabel": "altLabel", _RDFS + "comment": "comment",
          ONTOLOGY + "entityType": "entityType", _SKOS + "exactMatch": "exactMatch"}
_CALLBACK = re.compile(r"^[A-Za-z_$][\w$.]{0,127}$")
_JSON_NESTING = re.compile(r'"(?:[^"\\]|\\.)*"?|[\[\]{}]')  # strings skipped whole: a bracket in one does not nest
_QID = re.compile(r"(?:^|[/:])(Q[1-9]\d*)$")


# --- pure parts: names, candidates, scores -------------------------------------------------

def normalise(text: str) -> str:
    """Casefolded, diacritics stripped (NFKD), punctuation and whitespace collapsed to single spaces.

    The same key the authority data and the mention gazetteer match names by (``converter.names``).
    """
    return " ".join(name_tokens(text))


@dataclass(frozen=True)
class Candidate:
    """An entity names are matched against; ``names`` are its normalised label, then its aliases."""

    id: str
    kind: str
    label: str
    aliases: tuple[str, ...] = ()
    description: str = ""
    qids: frozenset[str] = frozenset()
    names: tuple[str, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "names", tuple(dict.fromkeys(normalise(n) for n in (self.label, *self.aliases))))


@dataclass(frozen=True)
class Query:
    text: str = ""
    types: tuple[str, ...] = ()
    limit: int = DEFAULT_LIMIT
    properties: tuple[tuple[str, tuple[str, ...]], ...] = ()


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: float
    match: bool


def similarity(a: str, b: str, floor: float = 0.0) -> float:
    """0..1 for two normalised names: character similarity (in either word order) and shared words.

    Below ``floor`` the exact value is not needed: 0 is returned as soon as a cheap bound shows it.
    """
    if not a or not b:
        return 0.0
    ta, tb = a.split(), b.split()
    sa, sb = set(ta), set(tb)
    overlap = len(sa & sb) / len(sa | sb)
    m = SequenceMatcher(None, a, b, autojunk=False)
    if 0.7 * m.real_quick_ratio() + 0.3 * overlap < floor or 0.7 * m.quick_ratio() + 0.3 * overlap < floor:
        return 0.0  # the bounds hold for the sorted-words ratio too: same characters, same length
    ratio = m.ratio()
    if len(ta) > 1 or len(tb) > 1:
        ratio = max(ratio, SequenceMatcher(None, " ".join(sorted(ta)), " ".join(sorted(tb)), autojunk=False).ratio())
    return 0.7 * ratio + 0.3 * overlap


def name_score(query: str, c: Candidate, floor: float = 0.0) -> float:
    """100 for the label, 95 for another name, else similarity scaled to at most FUZZY_CEILING.

    A near name that would score below ``floor`` may be given 0 without being computed.
    """
    q = normalise(query)
    if not q:
        return 0.0
    names = c.names
    if q == names[0]:
        return EXACT_LABEL
    if q in names[1:]:
        return EXACT_ALIAS
    return round(FUZZY_CEILING * max(similarity(q, n, floor / FUZZY_CEILING) for n in names), 1)


def qid_of(value: str) -> str | None:
    """Q5816 from "Q5816", "wd:Q5816" or "http://www.wikidata.org/entity/Q5816"; else None."""
    m = _QID.search(value.strip())
    return m.group(1) if m else None


def _adjust(score: float, c: Candidate, properties: Iterable[tuple[str, tuple[str, ...]]]) -> float:
    """Apply the property constraints; unknown pids are ignored. A confirmed QID makes it 100."""
    confirmed = False
    for pid, values in properties:
        if pid == "alias":
            wanted = {n for n in (normalise(v) for v in values) if n}
            if wanted:
                score = min(EXACT_LABEL, score + ALIAS_CONFIRMED) if wanted & set(c.names) else score - UNCONFIRMED
        elif pid == "wikidata":
            wanted = {q for q in (qid_of(v) for v in values) if q}
            if not wanted:
                continue
            if wanted & c.qids:
                confirmed = True
            else:
                score -= QID_CONTRADICTED if c.qids else UNCONFIRMED
    return EXACT_LABEL if confirmed else max(0.0, round(score, 1))


def reconcile(query: Query, candidates: Sequence[Candidate]) -> list[Scored]:
    """The best candidates of the query's types, best first; ``match`` only for a sole one at MATCH_SCORE or above."""
    pool = [c for c in candidates if not query.types or c.kind in query.types]
    floor = MIN_SCORE - (ALIAS_CONFIRMED if any(pid == "alias" for pid, _ in query.properties) else 0.0)
    scored = []
    for c in pool:
        score = _adjust(name_score(query.text, c, floor), c, query.properties)
        if score >= MIN_SCORE:
            scored.append((score, c))
    scored.sort(key=lambda sc: (-sc[0], sc[1].label, sc[1].id))
    certain = [c for s, c in scored if s >= MATCH_SCORE]
    sole = certain[0] if len(certain) == 1 else None
    return [Scored(c, s, c is sole) for s, c in scored[: query.limit]]


def suggest_entities(prefix: str, candidates: Sequence[Candidate], kinds: tuple[str, ...] = (),
                     limit: int = SUGGEST_LIMIT) -> list[Candidate]:
    """Entities whose label, or another name, starts with the prefix, or has a word that does."""
    p = normalise(prefix)
    if not p:
        return []
    ranked = []
    for c in candidates:
        if kinds and c.kind not in kinds:
            continue
        names = c.names
        if names[0].startswith(p):
            rank = 0
        elif any(n.startswith(p) for n in names[1:]):
            rank = 1
        elif (" " + names[0]).find(" " + p) >= 0:
            rank = 2
        elif any((" " + n).find(" " + p) >= 0 for n in names[1:]):
            rank = 3
        else:
            continue
        ranked.append((rank, c.label.casefold(), c.id, c))
    ranked.sort(key=lambda r: r[:3])
    return [r[3] for r in ranked[:limit]]


# --- reading the store -----------------------------------------------------------------------

def _load(store, base: str) -> tuple[Candidate, ...]:  # type: ignore[no-untyped-def]
    """Every person, place, organisation and event of the entities graph, with names, notes and QIDs."""
    classes = " ".join(f"<{cls}>" for cls in _KIND_OF_CLASS)
    q = f"""SELECT ?s ?t ?p ?o WHERE {{ GRAPH <{base}id/graph/entities> {{
      VALUES ?t {{ {classes} }}
      VALUES ?p {{ {" ".join(f"<{p}>" for p in _PROPS)} }}
      ?s a ?t ; ?p ?o . }} }}"""
    found: dict[str, dict] = {}
    prefix = base + "id/"
    for row in store.query(q):
        s = row["s"].value
        if not s.startswith(prefix):
            continue
        e = found.setdefault(s, {"kinds": set(), "label": set(), "altLabel": set(), "comment": {}, "entityType": set(),
                                 "exactMatch": set()})
        e["kinds"].add(_KIND_OF_CLASS[row["t"].value])
        prop, o = _PROPS[row["p"].value], row["o"]
        if prop == "comment":
            e["comment"][getattr(o, "language", None) or ""] = o.value
        else:
            e[prop].add(o.value)
    out = []
    for s, e in found.items():
        if not e["label"]:
            continue
        kind = next(k for k in KINDS if k in e["kinds"])
        label, *more = sorted(e["label"])
        aliases = tuple(sorted((set(more) | e["altLabel"]) - {label}))
        comment = e["comment"].get("en") or next(iter(sorted(e["comment"].values())), "")
        description = comment or ", ".join(sorted(e["entityType"])) or KINDS[kind].name
        qids = frozenset(m[len(WIKIDATA):] for m in e["exactMatch"] if m.startswith(WIKIDATA))
        out.append(Candidate(s[len(prefix):], kind, label, aliases, description, qids))
    return tuple(sorted(out, key=lambda c: c.id))


_LOCK = threading.Lock()


def _candidates() -> tuple[Candidate, ...]:
    """The current build's candidates, read once per build (the store follows the `current` link)."""
    store = current_app.extensions["archivekg.store"]
    key = str(store.current_path())
    cache: dict = current_app.extensions.setdefault("archivekg.reconcile", {})
    with _LOCK:
        hit = cache.get(key)
    if hit is None:
        hit = _load(store, _base())
        with _LOCK:
            cache[key] = hit
            while len(cache) > CACHED_BUILDS:
                cache.pop(next(iter(cache)))
    return hit


def _base() -> str:
    return current_app.extensions["archivekg.store"].build_info()["base_uri"]


def _root() -> str:
    """The server's public URL without its last slash (PUBLIC_URL, else the base URI; never the Host header)."""
    return public_url().rstrip("/")


# --- reading requests ------------------------------------------------------------------------

def _values(v: object, where: str) -> tuple[str, ...]:
    """A property value as strings: a string, a number, {"id"/"name": ...}, or a list of these."""
    items = v if isinstance(v, list) else [v]
    out = []
    for item in items:
        if isinstance(item, dict):
            item = item.get("id") or item.get("name") or ""
        if isinstance(item, bool) or not isinstance(item, (str, int, float)):
            raise bad_request(f"{where}: a property value 'v' must be a string, a number or an object with an 'id'")
        out.append(str(item))
    return tuple(out)


def _types(raw: object, where: str) -> tuple[str, ...]:
    items = raw if isinstance(raw, list) else [] if raw is None else [raw]
    kinds = []
    for item in items:
        tid = item.get("id") if isinstance(item, dict) else item
        kind = tid if tid in KINDS else _KIND_OF_CLASS.get(tid) if isinstance(tid, str) else None
        if kind is None:
            raise bad_request(f"{where}: unknown type {tid!r}; the types are {', '.join(KINDS)}")
        kinds.append(kind)
    return tuple(dict.fromkeys(kinds))


def _limit(raw: object, where: str) -> int:
    if raw is None:
        return DEFAULT_LIMIT
    if isinstance(raw, bool) or not isinstance(raw, (int, str)) or not str(raw).strip().lstrip("-").isdigit():
        raise bad_request(f"{where}: 'limit' must be a whole number")
    n = int(raw)
    return DEFAULT_LIMIT if n <= 0 else min(n, MAX_LIMIT)


def parse_query(obj: object, where: str) -> Query:
    """One query object, checked; every mistake is a 400 naming the query and the field."""
    if isinstance(obj, str):
        obj = {"query": obj}
    if not isinstance(obj, dict):
        raise bad_request(f"{where} must be an object such as {{\"query\": \"Mao Zedong\", \"type\": \"person\"}}")
    text = obj.get("query", "")
    if not isinstance(text, str):
        raise bad_request(f"{where}: 'query' must be a string, not {type(text).__name__}")
    if len(text) > MAX_QUERY_CHARS:
        raise bad_request(f"{where}: 'query' is longer than the limit of {MAX_QUERY_CHARS} characters")
    props = obj.get("properties") or []
    if not isinstance(props, list):
        raise bad_request(f"{where}: 'properties' must be a list of {{\"pid\": ..., \"v\": ...}}")
    most = int(current_app.config["RECONCILE_MAX_PROPERTIES"])
    properties = []
    given = 0
    for p in props:
        pid = p.get("pid", p.get("p")) if isinstance(p, dict) else None
        if not isinstance(pid, str) or "v" not in p:
            raise bad_request(f"{where}: each property must be an object with a 'pid' and a 'v'")
        values = _values(p["v"], where)
        given += max(1, len(values))
        if given > most:  # each value is matched against every candidate: the work grows with them
            raise bad_request(f"{where} gives more than {most} property values, the limit (RECONCILE_MAX_PROPERTIES)")
        properties.append((pid, values))
    return Query(text.strip(), _types(obj.get("type"), where), _limit(obj.get("limit"), where), tuple(properties))


def _depth_checked(raw: str, name: str) -> str:
    """The JSON text, refused (400) if its arrays and objects nest deeper than RECONCILE_MAX_JSON_DEPTH:
    counted before it is parsed, so that no nesting reaches the parser's recursion."""
    limit = int(current_app.config["RECONCILE_MAX_JSON_DEPTH"])
    depth = 0
    for m in _JSON_NESTING.finditer(raw):
        token = m.group()
        if token in "[{":
            depth += 1
            if depth > limit:
                raise bad_request(f"'{name}' nests arrays and objects deeper than the limit of {limit} "
                                  "(RECONCILE_MAX_JSON_DEPTH)")
        elif token in "]}":
            depth -= 1
    return raw


def _json_param(name: str) -> object:
    raw = _depth_checked(request.values[name], name)
    try:
        return json.loads(raw)
    except json.JSONDecodeError as err:
        raise bad_request(f"'{name}' is not valid JSON: {err.msg} at line {err.lineno}, column {err.colno}") from None
    except RecursionError:  # not reached under the depth limit; kept so that no input is ever a 500
        raise bad_request(f"'{name}' nests too deeply (RECONCILE_MAX_JSON_DEPTH)") from None


def parse_batch() -> dict[str, Query]:
    data = _json_param("queries")
    if not isinstance(data, dict):
        raise bad_request("'queries' must be a JSON object of queries by key, such as "
                          "{\"q0\": {\"query\": \"Mao Zedong\"}}")
    most = int(current_app.config["RECONCILE_MAX_QUERIES"])
    if len(data) > most:
        raise bad_request(f"'queries' holds {len(data)} queries; send at most {most} at a time (RECONCILE_MAX_QUERIES)")
    return {key: parse_query(value, f"query {key!r}") for key, value in data.items()}


def parse_single() -> Query:
    raw = request.values["query"]
    return parse_query(_json_param("query") if raw.lstrip().startswith("{") else raw, "the query")


# --- responses -------------------------------------------------------------------------------

def _reply(data: dict) -> Response:
    """JSON, or JSONP when a GET names a ``callback``."""
    callback = request.args.get("callback") if request.method == "GET" else None
    if callback is None:
        return jsonify(data)
    if not _CALLBACK.match(callback):
        raise bad_request("'callback' must be a JavaScript name (letters, digits, _, $ and .)")
    return Response(f"/**/{callback}({json.dumps(data)});", mimetype="application/javascript")


def _result(s: Scored) -> dict:
    c = s.candidate
    return {"id": c.id, "name": c.label, "type": [{"id": c.kind, "name": KINDS[c.kind].name}],
            "score": s.score, "match": s.match, "description": c.description}


def manifest() -> dict:
    root = _root()
    suggest = {name: {"service_url": root, "service_path": f"/reconcile/suggest/{name}"}
               for name in ("entity", "type", "property")}
    return {
        "versions": ["0.1", "0.2"],
        "name": "archivekg",
        "identifierSpace": f"{_base()}id/",
        "schemaSpace": ONTOLOGY,
        "defaultTypes": [{"id": kind, "name": k.name} for kind, k in KINDS.items()],
        "view": {"url": f"{root}/id/{{{{id}}}}"},
        "preview": {"url": f"{root}/reconcile/preview?id={{{{id}}}}", "width": PREVIEW_WIDTH,
                    "height": PREVIEW_HEIGHT},
        "suggest": suggest,
        "batchSize": BATCH_SIZE,
    }


@bp.route("/reconcile", methods=["GET", "POST"])
def reconcile_view() -> Response:
    if "queries" in request.values:
        batch = parse_batch()
        pool = _candidates()
        return _reply({key: {"result": [_result(s) for s in reconcile(q, pool)]} for key, q in batch.items()})
    if "query" in request.values:
        q = parse_single()
        return _reply({"result": [_result(s) for s in reconcile(q, _candidates())]})
    return _reply(manifest())


def _find(entity_id: str) -> Candidate:
    for c in _candidates():
        if c.id == entity_id:
            return c
    raise ApiError(404, f"no person, place, organisation or event has the id {entity_id!r}")


def preview_html(c: Candidate, page: str) -> str:
    """A small card: label, kind, description, other names, Wikidata link, link to the page. All escaped."""
    shown = c.aliases[:PREVIEW_NAMES]
    more = f" and {len(c.aliases) - len(shown)} more" if len(c.aliases) > len(shown) else ""
    names = f"<p><small>Other names: {escape(', '.join(shown))}{more}</small></p>" if shown else ""
    qids = sorted(c.qids)
    wikidata = ", ".join(f'<a href="https://www.wikidata.org/wiki/{escape(q, quote=True)}" target="_blank" '
                         f'rel="noopener">{escape(q)}</a>' for q in qids) or "not linked yet"
    return f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>{escape(c.label)} · archivekg</title>
<link rel="stylesheet" href="/static/preview.css"></head><body>
<p><strong><a href="{escape(page, quote=True)}" target="_blank">{escape(c.label)}</a></strong>
<small>{escape(KINDS[c.kind].name)} · {escape(c.id)}</small></p>
<p>{escape(c.description)}</p>{names}
<p><small>Wikidata: {wikidata}</small></p></body></html>"""


@bp.route("/reconcile/preview")
def preview_view() -> Response:
    entity_id = request.args.get("id", "").strip()
    if not entity_id:
        raise bad_request("give the entity's 'id', such as person/mao-zedong")
    c = _find(entity_id)
    return Response(preview_html(c, f"{_root()}/id/{c.id}"), mimetype="text/html")


def _prefix() -> str:
    if "prefix" not in request.args:
        raise bad_request("give the beginning of a name in 'prefix'")
    return request.args["prefix"]


def _matches_prefix(prefix: str, *texts: str) -> bool:
    p = normalise(prefix)
    return any((" " + normalise(t)).find(" " + p) >= 0 for t in texts) if p else True


@bp.route("/reconcile/suggest/entity")
def suggest_entity_view() -> Response:
    prefix = _prefix()
    kinds = _types(request.args.getlist("type") or None, "the suggestion")
    found = suggest_entities(prefix, _candidates(), kinds)
    return _reply({"result": [{"id": c.id, "name": c.label, "description": c.description,
                               "notable": [{"id": c.kind, "name": KINDS[c.kind].name}]} for c in found]})


@bp.route("/reconcile/suggest/type")
def suggest_type_view() -> Response:
    prefix = _prefix()
    return _reply({"result": [{"id": kind, "name": k.name} for kind, k in KINDS.items()
                              if _matches_prefix(prefix, kind, k.name)][:SUGGEST_LIMIT]})


@bp.route("/reconcile/suggest/property")
def suggest_property_view() -> Response:
    prefix = _prefix()
    return _reply({"result": [{"id": pid, "name": name, "description": description}
                              for pid, (name, description) in PROPERTIES.items()
                              if _matches_prefix(prefix, pid, name)][:SUGGEST_LIMIT]})
