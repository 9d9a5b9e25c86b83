"""Content negotiation: one pure function over an Accept header and the offered media types."""

from __future__ import annotations

import functools
from collections.abc import Sequence

__all__ = ["negotiate", "parse_accept"]


def parse_accept(header: str | None) -> list[tuple[str, float, int]]:
    """(media range, q, position) of each part of an Accept header; malformed parts are skipped."""
    out: list[tuple[str, float, int]] = []
    for pos, part in enumerate((header or "*/*").split(",")):
        fields = [f.strip() for f in part.split(";")]
        media = fields[0].lower()
        if "/" not in media:
            continue
        q = 1.0
        for f in fields[1:]:
            if f.lower().startswith("q="):
                try:
                    q = max(0.0, min(1.0, float(f[2:])))
                except ValueError:
                    q = 0.0
        out.append((media, q, pos))
    return out


def _specificity(media_range: str, offer: str) -> int | None:
    if media_range == offer:
        return 3
    kind, _, sub = media_range.partition("/")
    okind = offer.partition("/")[0]
    if sub == "*" and kind == okind:
        return 2
    if media_range == "*/*":
        return 1
    return None


_KEPT_ACCEPT_CHARS = 1024  # Accept headers up to this long are negotiated once per header and offers, then kept


def negotiate(accept: str | None, offers: Sequence[str]) -> str | None:
    """The offer the client prefers (by q, then by the server's order), or None if none is acceptable.

    The most specific matching range decides an offer's q (RFC 9110, 12.5.1); an offer
    with q=0 is refused. Ties go to the earlier offer, so the server's default comes first.
    A client sends the same Accept with every request: the answer is kept (for headers of at
    most _KEPT_ACCEPT_CHARS characters), since it depends on nothing else.
    """
    offers = tuple(offers)
    if accept is None or len(accept) <= _KEPT_ACCEPT_CHARS:
        return _kept(accept, offers)
    return _negotiate(accept, offers)


def _negotiate(accept: str | None, offers: tuple[str, ...]) -> str | None:
    ranges = parse_accept(accept)
    best: tuple[float, int, str] | None = None
    for rank, offer in enumerate(offers):
        match = None
        for media, q, _pos in ranges:
            spec = _specificity(media, offer)
            if spec is not None and (match is None or spec > match[0]):
                match = (spec, q)
        if match is None or match[1] <= 0:
            continue
        key = (match[1], -rank, offer)
        if best is None or key[:2] > best[:2]:
            best = key
    return best[2] if best else None


_kept = functools.lru_cache(maxsize=512)(_negotiate)
