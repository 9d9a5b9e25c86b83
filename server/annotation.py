"""A mention served as a whole W3C Web Annotation, derived from the few triples the store holds.

The store keeps a mention lean (docs/decisions.md, "A lean graph"): its class, its target, which is
one RFC 5147 fragment IRI of the source file (``…/source/FILE#char=START,END``), its body or
candidate label, the text it is in, its kind, how it was linked and with what confidence. At its IRI
the mention is the full annotation of the Web Annotation Data Model:

- typed ``oa:Annotation``, motivated by ``oa:identifying`` (linked) or ``oa:tagging`` (a candidate);
- its target described as an ``oa:SpecificResource`` on the source file with three selectors: a
  ``FragmentSelector`` that ``dcterms:conformsTo`` RFC 5147, a ``TextPositionSelector`` and a
  ``TextQuoteSelector`` whose exact text, prefix and suffix (32 characters each) are read from the
  published source file when the mention is served.

``derived_triples`` gives these as RDF for every format the resource is served in;
``web_annotation`` gives the JSON-LD of the Web Annotation Protocol (``Accept: application/ld+json;
profile="http://www.w3.org/ns/anno.jsonld"``), with the W3C's context.
"""

from __future__ import annotations

from collections import OrderedDict
from pathlib import Path
from threading import Lock
from urllib.parse import unquote

import pyoxigraph as ox
from werkzeug.security import safe_join

from converter.uris import Minter

__all__ = ["QUOTE_CONTEXT", "WA_CONTEXT", "derived_triples", "source_text", "wants_web_annotation", "web_annotation"]

WA_CONTEXT = "http://www.w3.org/ns/anno.jsonld"
RFC5147 = "http://tools.ietf.org/rfc/rfc5147"
QUOTE_CONTEXT = 32

_OA = "http://www.w3.org/ns/oa#"
_AKG = "https://w3id.org/archivekg/ontology#"
_RDF_TYPE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#type")
_RDF_VALUE = ox.NamedNode("http://www.w3.org/1999/02/22-rdf-syntax-ns#value")
_CONFORMS_TO = ox.NamedNode("http://purl.org/dc/terms/conformsTo")


def _oa(name: str) -> ox.NamedNode:
    return ox.NamedNode(_OA + name)


def wants_web_annotation(accept: str | None, profile_arg: str | None) -> bool:
    """True when a client asks for the Web Annotation JSON-LD: the Accept header's profile (as the Web
    Annotation Protocol has it), or ``?profile=anno`` (for a link a person can follow)."""
    if profile_arg is not None:
        return profile_arg.strip().lower() in ("anno", WA_CONTEXT)
    return WA_CONTEXT in (accept or "")


_TEXTS: OrderedDict[tuple[str, int], str] = OrderedDict()
_TEXTS_LOCK = Lock()
_TEXTS_MAX = 32


def source_text(release: Path, base: str, source_iri: str) -> str | None:
    """The text of a published source file, as the converter read it (the offsets count in it); None
    when the IRI is not one of this build's source files or the file is missing."""
    from converter.source import read_source  # the converter's own reading: the same BOM and line-end rules

    prefix = f"{base}source/"
    if not source_iri.startswith(prefix):
        return None
    relpath = unquote(source_iri[len(prefix):])
    joined = safe_join(str(release / "sources"), relpath)
    if joined is None:
        return None
    path = Path(joined)
    try:
        key = (str(path), path.stat().st_mtime_ns)
    except OSError:
        return None
    with _TEXTS_LOCK:
        if key in _TEXTS:
            _TEXTS.move_to_end(key)
            return _TEXTS[key]
    try:
        text = read_source(path.read_bytes(), relpath)[0]
    except (OSError, ValueError):
        return None
    with _TEXTS_LOCK:
        _TEXTS[key] = text
        while len(_TEXTS) > _TEXTS_MAX:
            _TEXTS.popitem(last=False)
    return text


def _value(triples: list[ox.Triple], subject: str, predicate: str) -> ox.NamedNode | ox.Literal | None:
    for t in triples:
        if t.subject.value == subject and t.predicate.value == predicate:
            return t.object  # type: ignore[return-value]
    return None


def _quote(text: str | None, start: int, end: int) -> tuple[str, str, str] | None:
    if text is None or not 0 <= start < end <= len(text):
        return None
    return text[start:end], text[max(0, start - QUOTE_CONTEXT):start], text[end:end + QUOTE_CONTEXT]


def _selectors(start: int, end: int, text: str | None) -> list[dict]:
    """The target's selectors as the Web Annotation JSON-LD writes them; the quote selector only when the
    source text is at hand and holds the range. ``derived_triples`` turns the same dicts into triples."""
    selectors: list[dict] = [
        {"type": "FragmentSelector", "conformsTo": RFC5147, "value": f"char={start},{end}"},
        {"type": "TextPositionSelector", "start": start, "end": end},
    ]
    quoted = _quote(text, start, end)
    if quoted is not None:
        exact, prefix, suffix = quoted
        q = {"type": "TextQuoteSelector", "exact": exact}
        q.update({k: v for k, v in (("prefix", prefix), ("suffix", suffix)) if v})
        selectors.append(q)
    return selectors


# Each selector's node (a part of the mention's IRI) and each of its keys as a predicate.
_SELECTOR_NODE = {"FragmentSelector": "fragment", "TextPositionSelector": "position", "TextQuoteSelector": "quote"}
_SELECTOR_KEY = {"conformsTo": _CONFORMS_TO, "value": _RDF_VALUE, **{k: _oa(k) for k in ("start", "end", "exact", "prefix", "suffix")}}
_XSD_INTEGER = ox.NamedNode("http://www.w3.org/2001/XMLSchema#integer")


def derived_triples(mention: str, stored: list[ox.Triple], text: str | None) -> list[ox.Triple]:
    """The triples that make the stored mention a whole Web Annotation (see the module's docstring).
    The quote selector is left out when the source text is not at hand or does not hold the range."""
    m = ox.NamedNode(mention)
    out = [ox.Triple(m, _RDF_TYPE, _oa("Annotation"))]
    linked = _value(stored, mention, _OA + "hasBody") is not None
    out.append(ox.Triple(m, _oa("motivatedBy"), _oa("identifying" if linked else "tagging")))
    target = _value(stored, mention, _OA + "hasTarget")
    chars = Minter.parse_chars(target.value) if isinstance(target, ox.NamedNode) else None
    if chars is None:
        return out
    source, start, end = chars
    t = ox.NamedNode(target.value)  # type: ignore[union-attr]
    out += [ox.Triple(t, _RDF_TYPE, _oa("SpecificResource")), ox.Triple(t, _oa("hasSource"), ox.NamedNode(source))]
    for selector in _selectors(start, end, text):
        node = ox.NamedNode(Minter.part(mention, _SELECTOR_NODE[selector["type"]]))
        out += [ox.Triple(t, _oa("hasSelector"), node), ox.Triple(node, _RDF_TYPE, _oa(selector["type"]))]
        for key, value in selector.items():
            if key == "type":
                continue
            obj = ox.NamedNode(value) if key == "conformsTo" else \
                ox.Literal(str(value), datatype=_XSD_INTEGER) if isinstance(value, int) else ox.Literal(value)
            out.append(ox.Triple(node, _SELECTOR_KEY[key], obj))
    return out


def web_annotation(mention: str, stored: list[ox.Triple], text: str | None) -> dict:
    """The mention as Web Annotation JSON-LD (the W3C's ``anno.jsonld`` context, archivekg's own facts
    under their full IRIs)."""
    body = _value(stored, mention, _OA + "hasBody")
    label = _value(stored, mention, _AKG + "candidateLabel")
    out: dict = {"@context": WA_CONTEXT, "id": mention, "type": "Annotation",
                 "motivation": "identifying" if body is not None else "tagging"}
    if body is not None:
        out["body"] = body.value
    elif label is not None:
        out["body"] = {"type": "TextualBody", "value": label.value, "purpose": "tagging"}
    target = _value(stored, mention, _OA + "hasTarget")
    chars = Minter.parse_chars(target.value) if target is not None else None
    if chars is not None:
        source, start, end = chars
        out["target"] = {"id": target.value, "type": "SpecificResource", "source": source,  # type: ignore[union-attr]
                         "selector": _selectors(start, end, text)}
    for name in ("inText", "mentionKind", "linkedBy", "confidence"):
        value = _value(stored, mention, _AKG + name)
        if value is None:
            continue
        if isinstance(value, ox.NamedNode):
            out[_AKG + name] = {"id": value.value}
        elif name == "confidence":
            out[_AKG + name] = float(value.value)
        else:
            out[_AKG + name] = value.value
    return out
