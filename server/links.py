"""Links between pages: an IRI under the base URI links to this server, whatever host serves it."""

from __future__ import annotations

from html import escape

__all__ = ["link", "local_href"]


def local_href(iri: str, base: str) -> str:
    """A link that stays on this server for IRIs under the base, whatever host serves it."""
    return iri[len(base) - 1 :] if base and iri.startswith(base) else iri


def link(iri: str, text: str, base: str) -> str:
    """An HTML link to the IRI, its text escaped."""
    return f'<a href="{escape(local_href(iri, base), quote=True)}">{escape(text)}</a>'
