"""Links between pages: an IRI under the base URI links to this server, whatever host serves it."""

from __future__ import annotations

from html import escape

from converter.namespaces import PREFIXES

__all__ = ["compact", "link", "local_href"]


def local_href(iri: str, base: str) -> str:
    """A link that stays on this server for IRIs under the base, whatever host serves it."""
    return iri[len(base) - 1 :] if base and iri.startswith(base) else iri


def link(iri: str, text: str, base: str) -> str:
    """An HTML link to the IRI, its text escaped."""
    return f'<a href="{escape(local_href(iri, base), quote=True)}">{escape(text)}</a>'


def compact(iri: str) -> str:
    """A prefixed name (``schema:text``) for an IRI in a known namespace; the IRI otherwise."""
    for prefix, ns in PREFIXES.items():
        if iri.startswith(ns) and len(iri) > len(ns):
            return f"{prefix}:{iri[len(ns):]}"
    return iri
