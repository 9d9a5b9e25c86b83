"""Links between pages: an IRI under the base URI links to this server, whatever host serves it.

Every absolute URL the server writes (the Service Description's endpoint, the reconciliation
manifest) starts with ``public_url()``: the PUBLIC_URL setting, else the build's base URI, never
the request's Host header. Redirects are relative (``relative_location``).

An IRI from the data or from a query becomes a link only if it is safe to follow: a path on this
server, or an http, https or mailto IRI. Any other (javascript:, data:, vbscript:, file:, ...) is
shown as text, so that no value in the graph and no query can put script into a page.
"""

from __future__ import annotations

import re
from html import escape
from urllib.parse import urlsplit, urlunsplit

from flask import Response, current_app, request

from converter.namespaces import PREFIXES

__all__ = ["SAFE_SCHEMES", "compact", "link", "local_href", "public_url", "relative_location", "safe_href"]

SAFE_SCHEMES = frozenset({"http", "https", "mailto"})
_SCHEME = re.compile(r"([A-Za-z][A-Za-z0-9+.\-]*):")
_LOCAL = re.compile(r"/(?![/\\])")  # a path on this server: one slash, never //host or /\host


def local_href(iri: str, base: str) -> str:
    """A link that stays on this server for IRIs under the base, whatever host serves it."""
    return iri[len(base) - 1 :] if base and iri.startswith(base) else iri


def safe_href(iri: str, base: str) -> str | None:
    """Where a link to the IRI may point: its path on this server, or the IRI itself if its scheme is
    http, https or mailto; None for any other IRI (javascript:, data:, ...), which must stay text."""
    if base and iri.startswith(base) and _LOCAL.match(local := local_href(iri, base)):
        return local
    scheme = _SCHEME.match(iri)
    return iri if scheme and scheme.group(1).lower() in SAFE_SCHEMES else None


def link(iri: str, text: str, base: str) -> str:
    """An HTML link to the IRI, its text escaped; only the escaped text if the IRI is not safe to link."""
    href = safe_href(iri, base)
    if href is None:
        return escape(text)
    return f'<a href="{escape(href, quote=True)}">{escape(text)}</a>'


def compact(iri: str) -> str:
    """A prefixed name (``schema:text``) for an IRI in a known namespace; the IRI otherwise."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri


def public_url() -> str:
    """Where the world reaches this server, ending in a slash: PUBLIC_URL, else the build's base URI."""
    configured = str(current_app.config.get("PUBLIC_URL") or "").strip()
    if not configured:
        configured = current_app.extensions["archivekg.store"].build_info()["base_uri"]
    return configured.rstrip("/") + "/"


def relative_location(resp: Response) -> Response:
    """A redirect that werkzeug made absolute from the Host header (the 308 that merges slashes in
    ``/id//document/...``) points to a path on this server instead, with a plain-text body."""
    location = resp.headers.get("Location")
    if not location or not 300 <= resp.status_code < 400:
        return resp
    parts = urlsplit(location)
    if parts.netloc and parts.netloc.lower() == request.host.lower():
        path = "/" + (parts.path or "/").lstrip("/")  # never //host: a path on this server
        location = urlunsplit(("", "", path, parts.query, parts.fragment))
        resp.headers["Location"] = location
        if resp.mimetype == "text/html":  # werkzeug's redirect page, which names the absolute URL
            resp.set_data(f"See {location}\n")
            resp.mimetype = "text/plain"
    return resp
