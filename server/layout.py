"""Every HTML page's frame: the head, the site's header with its navigation, the stylesheet.

Pages pass their title (plain text, escaped here) and their body (HTML they have escaped).
The stylesheet and the one script (the query page's) are this project's own files, served
from /static/; no page loads anything from another host, and no page has inline script or
style. Every response says so to the browser: ``secure`` sets the Content-Security-Policy
and the other security headers.
"""

from __future__ import annotations

from html import escape
from pathlib import Path

from flask import Blueprint, Response, send_file

__all__ = ["CSP", "FRAMEABLE", "bp", "page", "secure"]

bp = Blueprint("layout", __name__)
STATIC = Path(__file__).parent / "static"
_NAV = (("/", "archivekg", "home"), ("/search", "Search", ""), ("/sparql", "SPARQL", ""),
        ("/timeline", "Timeline", ""), ("/network", "Network", ""), ("/map", "Map", ""), ("/#download", "Downloads", ""))


_WIDE = ' class="wide"'
_STATIC_TYPES = {".css": "text/css", ".js": "text/javascript"}

# What a page may load: its own stylesheet and scripts, from this server; no inline script or style,
# no plugin, no <base>, forms only to this server, never inside another site's frame.
CSP = ("default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self'; object-src 'none'; "
       "frame-ancestors 'none'; base-uri 'none'; form-action 'self'")
# The views a client shows inside a frame of its own page: the reconciliation preview card (OpenRefine).
FRAMEABLE = frozenset({"reconcile.preview_view"})


def secure(resp: Response, framed: bool = False) -> Response:
    """The security headers every response carries; ``framed`` for a view other sites may frame."""
    if framed:
        resp.headers["Content-Security-Policy"] = CSP.replace("frame-ancestors 'none'", "frame-ancestors *")
        resp.headers.pop("X-Frame-Options", None)
    else:
        resp.headers["Content-Security-Policy"] = CSP
        resp.headers["X-Frame-Options"] = "DENY"
    resp.headers["X-Content-Type-Options"] = "nosniff"
    resp.headers["Referrer-Policy"] = "no-referrer"
    return resp


def page(title: str, body: str, wide: bool = False, alternates: tuple[tuple[str, str], ...] = (),
         scripts: tuple[str, ...] = (), styles: tuple[str, ...] = ()) -> str:
    """A whole HTML document around a page's body; ``wide`` for tables that need the window's width;
    ``alternates``, (media type, href) of the same content in RDF, announced for crawlers; ``scripts``,
    names of files in /static/ the page runs (deferred, never inline); ``styles``, more stylesheets there."""
    nav = "".join(f'<a href="{href}"{f" class={cls!r}" if cls else ""}>{text}</a>' for href, text, cls in _NAV)
    links = "".join(f'<link rel="alternate" type="{escape(media, quote=True)}" href="{escape(href, quote=True)}">'
                    for media, href in alternates)
    links += "".join(f'<script src="/static/{escape(name, quote=True)}" defer></script>' for name in scripts)
    sheets = "".join(f'<link rel="stylesheet" href="/static/{escape(name, quote=True)}">' for name in styles)
    return (f'<!doctype html><html lang="en"><head><meta charset="utf-8">'
            f'<meta name="viewport" content="width=device-width, initial-scale=1">'
            f'<title>{escape(title)} · archivekg</title>{sheets}<link rel="stylesheet" href="/static/archivekg.css">{links}</head>'
            f'<body><header class="site"><nav>{nav}</nav></header><main{_WIDE if wide else ""}>{body}</main></body></html>')


@bp.route("/static/<name>")
def static_file(name: str) -> Response:
    path = STATIC / name
    if path.suffix not in _STATIC_TYPES or not path.is_file() or path.parent != STATIC:
        from werkzeug.exceptions import NotFound

        raise NotFound(f"no file {name}")
    return _send_static(path)


@bp.route("/static/vendor/<package>/<name>")
def vendor_file(package: str, name: str) -> Response:
    """A vendored front-end asset (scripts/vendor-assets.sh writes them): static/vendor/PACKAGE/NAME."""
    path = STATIC / "vendor" / package / name
    if path.suffix not in _STATIC_TYPES or not path.is_file() or path.parent.parent != STATIC / "vendor":
        from werkzeug.exceptions import NotFound

        raise NotFound(f"no file vendor/{package}/{name}")
    return _send_static(path)


def _send_static(path: Path) -> Response:
    media = _STATIC_TYPES[path.suffix]
    resp = send_file(path, mimetype=media, conditional=True, etag=True, max_age=3600)
    resp.headers["Content-Type"] = f"{media}; charset=utf-8"
    return resp
