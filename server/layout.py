"""Every HTML page's frame: the head, the site's header with its navigation, the stylesheet.

Pages pass their title (plain text, escaped here) and their body (HTML they have escaped).
The stylesheet is this project's own file, served from /static/; no page loads anything
from another host.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Blueprint, Response, send_file

__all__ = ["bp", "page"]

bp = Blueprint("layout", __name__)
STATIC = Path(__file__).parent / "static"
_NAV = (("/", "archivekg", "home"), ("/search", "Search", ""), ("/sparql", "SPARQL", ""),
        ("/#download", "Downloads", ""))


_WIDE = ' class="wide"'


def page(title: str, body: str, wide: bool = False, alternates: tuple[tuple[str, str], ...] = ()) -> str:
    """A whole HTML document around a page's body; ``wide`` for tables that need the window's width;
    ``alternates``, (media type, href) of the same content in RDF, announced for crawlers."""
    nav = "".join(f'<a href="{href}"{f" class={cls!r}" if cls else ""}>{text}</a>' for href, text, cls in _NAV)
    links = "".join(f'<link rel="alternate" type="{escape(media, quote=True)}" href="{escape(href, quote=True)}">'
                    for media, href in alternates)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · archivekg</title><link rel="stylesheet" href="/static/archivekg.css">{links}</head>'
            f'<body><header class="site"><nav>{nav}</nav></header><main{_WIDE if wide else ""}>{body}</main></body></html>')


@bp.route("/static/<name>")
def static_file(name: str) -> Response:
    path = STATIC / name
    if path.suffix != ".css" or not path.is_file() or path.parent != STATIC:
        from werkzeug.exceptions import NotFound

        raise NotFound(f"no file {name}")
    resp = send_file(path, mimetype="text/css", conditional=True, etag=True, max_age=3600)
    resp.headers["Content-Type"] = "text/css; charset=utf-8"
    return resp
