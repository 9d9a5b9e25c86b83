"""RDF terms as plain Python values, for the converter's hot path.

An IRI is a ``str`` (the :class:`IRI` subclass), a literal a small named tuple. Making them costs
next to nothing, where rdflib checks and converts on every ``URIRef`` and ``Literal`` made: about a
quarter of a document's conversion went there. They become pyoxigraph terms once, when the
document's N-Quads are written (``converter.rdf_io``), and rdflib terms only where rdflib is the
better tool (small graphs, tests: ``rdf_io.to_rdflib``). Lexical forms are those rdflib gives.
"""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import NamedTuple

__all__ = ["IRI", "Lit", "Vocabulary", "lit", "XSD_NS"]

XSD_NS = "http://www.w3.org/2001/XMLSchema#"
_XSD_STRING = XSD_NS + "string"


class IRI(str):
    """An IRI: a string that says it is one."""

    __slots__ = ()


class Lit(NamedTuple):
    """A literal: its lexical form, and its datatype IRI or its language tag (a plain literal has neither)."""

    lexical: str
    datatype: str | None = None
    lang: str | None = None


def lit(value: object, *, datatype: str | None = None, lang: str | None = None) -> Lit:
    """A literal as rdflib would make it: ``lit(3)`` is ``"3"^^xsd:integer``, ``lit("x", lang="en")``."""
    if lang:
        return Lit(str(value), None, lang.lower())
    if isinstance(value, str):
        return Lit(value, None if datatype in (None, _XSD_STRING) else str(datatype))
    if isinstance(value, bool):
        return Lit("true" if value else "false", XSD_NS + "boolean")
    if isinstance(value, int) and datatype is None:
        return Lit(str(value), XSD_NS + "integer")
    if isinstance(value, (float, Decimal, date, datetime)) or datatype is not None:
        from rdflib import Literal  # the rare kinds: rdflib's own lexical form, so that nothing changes

        made = Literal(value, datatype=datatype)
        return Lit(str(made), str(made.datatype) if made.datatype else None)
    raise TypeError(f"no literal for {value!r}")


class Vocabulary:
    """A namespace whose terms are IRIs made once: ``Vocabulary(AKG).span``, ``Vocabulary(WD)["Q1"]``."""

    def __init__(self, base: str) -> None:
        self._base = str(base)

    def __getattr__(self, name: str) -> IRI:
        if name.startswith("__"):
            raise AttributeError(name)
        term = IRI(self._base + name)
        setattr(self, name, term)
        return term

    def __getitem__(self, name: str) -> IRI:
        return IRI(self._base + name)

    def __str__(self) -> str:
        return self._base
