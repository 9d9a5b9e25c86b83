"""Content negotiation: one function, a table of Accept headers."""

from __future__ import annotations

import pytest

from server.negotiation import negotiate

OFFERS = ["application/sparql-results+json", "application/sparql-results+xml", "text/csv", "text/tab-separated-values"]


@pytest.mark.parametrize(
    ("accept", "expected"),
    [
        (None, "application/sparql-results+json"),
        ("*/*", "application/sparql-results+json"),
        ("text/csv", "text/csv"),
        ("text/*", "text/csv"),
        ("application/sparql-results+xml, application/sparql-results+json;q=0.9", "application/sparql-results+xml"),
        ("application/sparql-results+json;q=0.5, text/tab-separated-values", "text/tab-separated-values"),
        ("text/*;q=0.5, text/csv;q=0", "text/tab-separated-values"),
        ("image/png", None),
        ("text/csv;q=0", None),
        ("garbage, text/csv", "text/csv"),
        ("APPLICATION/SPARQL-RESULTS+XML", "application/sparql-results+xml"),
    ],
)
def test_negotiate(accept: str | None, expected: str | None) -> None:
    assert negotiate(accept, OFFERS) == expected
