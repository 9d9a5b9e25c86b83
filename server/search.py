"""Full-text search over utterances, paragraphs and claims: /search as a page and as JSON.

Parameters: ``q`` (words; ``word*`` for a prefix), ``speaker`` (label or id),
``document`` (archive id), ``from`` / ``to`` (ISO dates or their prefixes, e.g. 1968 or
1968-10), ``kind`` (utterance, paragraph, claim; repeatable), ``page``. JSON when asked
for by ``Accept: application/json`` or ``format=json``.
"""

from __future__ import annotations

import re
from html import escape

from flask import Blueprint, Response, current_app, jsonify, request

from converter.search_index import search

from .errors import bad_request
from .negotiation import negotiate
from .links import local_href

__all__ = ["bp"]

bp = Blueprint("search", __name__)
PAGE_SIZE = 20
_DATE = re.compile(r"^\d{4}(-\d{2}(-\d{2})?)?$")


def _params() -> dict:
    args = request.args
    for key in ("from", "to"):
        if args.get(key) and not _DATE.match(args[key]):
            raise bad_request(f"'{key}' must be a date such as 1968, 1968-10 or 1968-10-01")
    kinds = tuple(args.getlist("kind"))
    if any(k not in ("utterance", "paragraph", "claim") for k in kinds):
        raise bad_request("'kind' is one of utterance, paragraph, claim")
    try:
        page = max(1, int(args.get("page", "1")))
    except ValueError:
        raise bad_request("'page' must be a whole number") from None
    return {"q": args.get("q", "").strip(), "speaker": args.get("speaker") or None,
            "document": args.get("document") or None, "date_from": args.get("from") or None,
            "date_to": args.get("to") or None, "kinds": kinds, "page": page}


@bp.route("/search")
def search_view() -> Response:
    p = _params()
    store = current_app.extensions["archivekg.store"]
    index = store.current_path() / "search.sqlite"
    base = store.build_info()["base_uri"]
    total, hits = (0, [])
    if p["q"]:
        total, hits = search(index, p["q"], speaker=p["speaker"], document=p["document"], date_from=p["date_from"],
                             date_to=p["date_to"], kinds=p["kinds"], limit=PAGE_SIZE, offset=(p["page"] - 1) * PAGE_SIZE)
    wants_json = request.args.get("format") == "json" or negotiate(
        request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"
    if wants_json:
        return jsonify({
            "query": p["q"], "total": total, "page": p["page"], "page_size": PAGE_SIZE,
            "results": [{"kind": h.kind, "iri": h.iri, "document": h.doc_id, "title": h.doc_title, "date": h.date,
                         "speaker": h.speaker, "speaker_label": h.speaker_label, "score": round(h.score, 4),
                         "snippet": h.snippet.replace("\x02", "").replace("\x03", ""),
                         "highlight": h.snippet.replace("\x02", "<mark>").replace("\x03", "</mark>")}
                        for h in hits],
        })
    items = "".join(
        f'<li><p>{escape(h.snippet).replace(chr(2), "<mark>").replace(chr(3), "</mark>")}</p>'
        f'<p><small>{escape(h.kind)} · {escape(h.speaker_label or "")} · '
        f'<a href="{escape(local_href(h.iri, base))}">{escape(h.doc_title)}</a> · {escape(h.date or "undated")}</small></p></li>'
        for h in hits
    )
    value = escape(p["q"], quote=True)
    html = f"""<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Search · archivekg</title></head><body>
<h1>Search the texts</h1>
<form method="get" action="search"><input name="q" value="{value}" size="50">
<input name="speaker" placeholder="speaker" value="{escape(p['speaker'] or '', quote=True)}">
<input name="from" placeholder="from (1968)" size="10" value="{escape(p['date_from'] or '', quote=True)}">
<input name="to" placeholder="to" size="10" value="{escape(p['date_to'] or '', quote=True)}">
<button type="submit">Search</button></form>
<p>{total} result(s)</p><ol>{items}</ol></body></html>"""
    return Response(html, mimetype="text/html")
