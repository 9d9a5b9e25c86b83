"""What the query editor completes: the prefixes the graph uses, and its classes and properties.

``/sparql/vocabulary`` answers JSON: ``prefixes`` (name -> namespace: the project's prefix table and
the data prefixes of the build's base URI), ``classes`` and ``properties`` (IRIs, sorted). The build
finds the classes and properties and publishes them with the release (``vocabulary.json``,
converter/serving_index.py); for a release made before that, two DISTINCT queries through the store
interface find them (83 s at 16,000 documents). Either is read once for each published release and kept.
"""

from __future__ import annotations

import threading
from pathlib import Path

from flask import Blueprint, Response, current_app, jsonify

from converter.namespaces import PREFIXES
from converter.serving_index import read_vocabulary

from .store import StoreUnavailable

__all__ = ["bp", "vocabulary"]

bp = Blueprint("vocabulary", __name__)

QUERIES = Path(__file__).parent / "queries" / "editor"
_KINDS = ("person", "place", "organization", "event", "document", "utterance", "paragraph", "claim", "mention")
# Prefixes the catalogue's federated queries use beside the graph's own.
_MORE = {"wdt": "http://www.wikidata.org/prop/direct/", "p": "http://www.wikidata.org/prop/",
         "ps": "http://www.wikidata.org/prop/statement/", "sd": "http://www.w3.org/ns/sparql-service-description#"}
_lock = threading.Lock()
_cache: dict[str, dict] = {}


def _terms(store, name: str, var: str) -> list[str]:  # type: ignore[no-untyped-def]
    import pyoxigraph as ox

    query = (QUERIES / f"{name}.rq").read_text(encoding="utf-8")
    return sorted({row[var].value for row in store.query(query) if isinstance(row[var], ox.NamedNode)})


def vocabulary(store) -> dict:  # type: ignore[no-untyped-def]
    """The prefixes, classes and properties of the published build, computed once per build."""
    from .scope import build_of

    build = build_of(store)
    key = build.key
    with _lock:
        if key in _cache:
            return _cache[key]
    base = build.base
    prefixes = dict(sorted({**PREFIXES, **_MORE}.items()))
    if base:
        prefixes.update({kind: f"{base}id/{kind}/" for kind in _KINDS})
    found = {"prefixes": prefixes, **(read_vocabulary(store.current_path()) or {
        "classes": _terms(store, "classes", "class"), "properties": _terms(store, "properties", "property")})}
    with _lock:
        _cache.clear()  # one build at a time: the previous one's answer is no longer needed
        _cache[key] = found
    return found


@bp.route("/sparql/vocabulary")
def vocabulary_view() -> Response:
    from .errors import ApiError

    try:
        body = vocabulary(current_app.extensions["archivekg.store"])
    except StoreUnavailable as err:
        raise ApiError(503, str(err)) from None
    resp = jsonify(body)
    resp.headers["Cache-Control"] = "max-age=300"
    return resp
