"""Full-text search over utterances, paragraphs and claims: /search as a page and as JSON.

Parameters: ``q`` (words; ``word*`` for a prefix), ``speaker`` (label or id),
``document`` (archive id), ``from`` / ``to`` (ISO dates or their prefixes, e.g. 1968 or
1968-10), ``kind`` (utterance, paragraph, claim; repeatable), ``page``. JSON when asked
for by ``Accept: application/json`` or ``format=json``. Results are ranked by BM25, unless more than
RANK_MOST passages match (converter/search_index.py): then they come by document, and say so.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlencode

from flask import Blueprint, Response, current_app, jsonify, request

from converter.search_index import RANK_MOST, ranked, search

from .errors import bad_request
from .layout import page
from .negotiation import negotiate
from .links import link
from .pages import page_number

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
    page = page_number(args.get("page"))
    return {"q": args.get("q", "").strip(), "speaker": args.get("speaker") or None,
            "document": args.get("document") or None, "date_from": args.get("from") or None,
            "date_to": args.get("to") or None, "kinds": kinds, "page": page}


def _field(name: str, value: str | None, placeholder: str, size: int = 12) -> str:
    return (f'<label>{escape(placeholder)} <input name="{name}" size="{size}" '
            f'value="{escape(value or "", quote=True)}"></label>')


def _form(p: dict) -> str:
    """The search form, holding the request's words and filters."""
    kinds = "".join(f'<label><input type="checkbox" name="kind" value="{k}"{" checked" if k in p["kinds"] else ""}> '
                    f"{k}s</label> " for k in ("utterance", "paragraph", "claim"))
    return (f'<form method="get" action="search"><p><input name="q" value="{escape(p["q"], quote=True)}" size="50" '
            f'aria-label="words"> <button type="submit">Search</button></p><p>'
            + _field("speaker", p["speaker"], "speaker") + " " + _field("document", p["document"], "document id")
            + " " + _field("from", p["date_from"], "from", 10) + " " + _field("to", p["date_to"], "to", 10)
            + f"</p><p>{kinds}</p></form>")


def _pager(p: dict, total: int) -> str:
    """Links to the pages before and after, keeping the words and filters."""
    def href(page: int) -> str:
        params = [(k, v) for k, v in request.args.items(multi=True) if k != "page"] + [("page", str(page))]
        return escape("?" + urlencode(params), quote=True)

    links = []
    if p["page"] > 1:
        links.append(f'<a rel="prev" href="{href(p["page"] - 1)}">previous</a>')
    if p["page"] * PAGE_SIZE < total:
        links.append(f'<a rel="next" href="{href(p["page"] + 1)}">next</a>')
    return f'<p class="pager">Page {p["page"]}. {" · ".join(links)}</p>' if links else ""


def _order_note(total: int) -> str:
    if ranked(total):
        return ""
    return (f'<span id="unranked">: more than {RANK_MOST:,} passages match, too many to rank by relevance, so they '
            f"are listed as the index holds them, by document; add a word or a filter to rank them</span>")


@bp.route("/search")
def search_view() -> Response:
    p = _params()
    store = current_app.extensions["archivekg.store"]
    index = store.current_path() / "search.sqlite"
    base = store.build_info()["base_uri"]  # kept per release (server/store.py), not parsed per request
    total, hits = (0, [])
    if p["q"]:
        total, hits = search(index, p["q"], speaker=p["speaker"], document=p["document"], date_from=p["date_from"],
                             date_to=p["date_to"], kinds=p["kinds"], limit=PAGE_SIZE, offset=(p["page"] - 1) * PAGE_SIZE)
    wants_json = request.args.get("format") == "json" or negotiate(
        request.headers.get("Accept"), ["text/html", "application/json"]) == "application/json"
    if wants_json:
        return jsonify({
            "query": p["q"], "total": total, "page": p["page"], "page_size": PAGE_SIZE, "ranked": ranked(total),
            "results": [{"kind": h.kind, "iri": h.iri, "document": h.doc_id, "title": h.doc_title, "date": h.date,
                         "speaker": h.speaker, "speaker_label": h.speaker_label,
                         "score": None if h.score is None else round(h.score, 4),
                         "snippet": h.snippet.replace("\x02", "").replace("\x03", ""),
                         "highlight": h.snippet.replace("\x02", "<mark>").replace("\x03", "</mark>")}
                        for h in hits],
        })
    items = "".join(
        f'<li><p>{escape(h.snippet).replace(chr(2), "<mark>").replace(chr(3), "</mark>")}</p>'
        f'<p><small>{escape(h.kind)} · {escape(h.speaker_label or "")} · '
        f'{link(h.iri, h.doc_title, base)} · {escape(h.date or "undated")}</small></p></li>'
        for h in hits
    )
    html = page("Search", f"""<h1>Search the texts</h1>
{_form(p)}
<p id="total">{total} result(s){_order_note(total)}</p><ol id="hits" start="{(p["page"] - 1) * PAGE_SIZE + 1}">{items}</ol>{_pager(p, total)}""")
    return Response(html, mimetype="text/html")
