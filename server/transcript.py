"""A document's text on its page: turns or paragraphs in order, mentions linked, claims marked.

The marks come from the same character offsets the annotations carry, so the page
shows exactly what the graph says. Each block has an id (its IRI's last segment),
so a claim or an event page can link to the very turn.
"""

from __future__ import annotations

import re

from html import escape

from converter.uris import Minter

from .links import safe_href

__all__ = ["TRANSCRIPT_PAGE", "block_anchor", "block_page", "transcript"]

_LABEL = "http://www.w3.org/2000/01/rdf-schema#label"


def block_anchor(iri: str) -> str:
    """The id a transcript block has on its document's page: the block IRI's last segment."""
    return iri.rstrip("/").rsplit("/", 1)[-1]


#: Turns (or paragraphs) on one page of a document: a document of 20,000 turns is 40 pages, each as
#: quick to make as a short document's, instead of one page of megabytes that holds a server thread.
TRANSCRIPT_PAGE = 500


def block_page(block_iri: str) -> int:
    """The transcript page a turn or paragraph is on, from the position its IRI ends with ("…/111239-22")."""
    m = re.search(r"-(\d{1,9})$", block_iri)
    return (int(m.group(1)) - 1) // TRANSCRIPT_PAGE + 1 if m else 1


def transcript(store, doc_iri: str, base: str, page: int = 1) -> str:  # type: ignore[no-untyped-def]
    """A document's turns (or paragraphs), in order, each speaker named, mentions linked, claims marked;
    TRANSCRIPT_PAGE of them a page."""
    akg, oa = "https://w3id.org/archivekg/ontology#", "http://www.w3.org/ns/oa#"
    low, high = (page - 1) * TRANSCRIPT_PAGE, page * TRANSCRIPT_PAGE
    q = f"""SELECT ?b ?pos ?text ?speaker ?kind ?span WHERE {{
      ?b <http://purl.org/dc/terms/isPartOf> <{doc_iri}> ; <http://schema.org/position> ?pos .
      FILTER(?pos > {low} && ?pos <= {high + 1})
      ?b <http://schema.org/text> ?text ; <{akg}span> ?span .
      OPTIONAL {{ ?b <{akg}spokenBy>/<{_LABEL}> ?speaker }}
      BIND(IF(BOUND(?speaker), "turn", "paragraph") AS ?kind)
    }} ORDER BY ?kind ?pos"""
    rows = list(store.query(q))
    more = any(int(r["pos"].value) > high for r in rows)
    blocks = [(r["b"].value, r["kind"].value, r["speaker"].value if r["speaker"] else "", r["text"].value,
               _chars(r["span"].value)[0]) for r in rows if int(r["pos"].value) <= high]
    if not blocks:
        return ""
    # One query per kind, each starting from the document's blocks. A UNION of the two, or a BIND
    # before the span pattern, is evaluated over every mention or claim of the store before the join
    # (34 to 38 s a page on 1,000 documents, against milliseconds this way).
    marks: dict[str, dict[str, list[tuple[int, int, str]]]] = {}
    for what, pattern in (("mention", f"?x <{akg}inText> ?block ; a <{akg}Mention> ; <{oa}hasBody> ?target ; <{oa}hasTarget> ?span ."),
                          ("claim", f"?x <http://schema.org/appearance> ?block ; a <{akg}Claim> ; <{akg}span> ?span .")):
        spans = f"""SELECT ?block ?x ?target ?span WHERE {{
          ?block <http://purl.org/dc/terms/isPartOf> <{doc_iri}> ; <http://schema.org/position> ?bp .
          FILTER(?bp > {low} && ?bp <= {high}) {pattern}
        }}"""
        for r in store.query(spans):
            target = r["target"] if what == "mention" else r["x"]
            marks.setdefault(r["block"].value, {"mention": [], "claim": []})[what].append(
                (*_chars(r["span"].value), target.value))
    items = "".join(
        f'<p class="{kind}" id="{escape(block_anchor(b), quote=True)}">' + (f"<strong>{escape(speaker)}:</strong> " if speaker else "")
        + _marked(text, start, marks.get(b, {}), base) + "</p>"
        for b, kind, speaker, text, start in blocks
    )
    nav = ""
    if page > 1 or more:
        links = ([f'<a rel="prev" href="?page={page - 1}">previous</a>'] if page > 1 else []) + (
            [f'<a rel="next" href="?page={page + 1}">next</a>'] if more else [])
        nav = (f'<p class="pager">Turns or paragraphs {low + 1}–{low + len(blocks)}, page {page}. '
               f'{" · ".join(links)}</p>')
    return f'<h2>Text</h2>{nav}<section id="transcript">{items}</section>{nav}'


def _chars(span: str) -> tuple[int, int]:
    """Start and end of a span IRI (``…#char=START,END``); (0, 0) for anything else, which marks nothing."""
    chars = Minter.parse_chars(span)
    return (chars[1], chars[2]) if chars else (0, 0)


def _marked(text: str, offset: int, marks: dict[str, list[tuple[int, int, str]]], base: str) -> str:
    """The text, escaped, with claims in <mark> and mentions as links inside them."""
    def linked(a: int, b: int) -> str:
        out, pos = [], a
        for s, e, target in sorted(m for m in marks.get("mention", []) if a <= m[0] - offset and m[1] - offset <= b):
            s, e = s - offset, e - offset
            if s < pos:
                continue  # overlapping mentions: the first wins
            out.append(escape(text[pos:s]))
            href = safe_href(target, base)
            out.append(escape(text[s:e]) if href is None else
                       f'<a class="mention" href="{escape(href, quote=True)}">{escape(text[s:e])}</a>')
            pos = e
        out.append(escape(text[pos:b]))
        return "".join(out)

    out, pos = [], 0
    for s, e, claim in sorted(marks.get("claim", [])):
        s, e = s - offset, e - offset
        if s < pos or s < 0 or e > len(text):
            continue
        out.append(linked(pos, s))
        out.append(f'<mark class="claim" title="claim" data-claim="{escape(safe_href(claim, base) or "", quote=True)}">{linked(s, e)}</mark>')
        pos = e
    out.append(linked(pos, len(text)))
    return "".join(out)
