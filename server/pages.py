"""The readable part of a resource's page, one function per kind of resource.

Each function takes the store, the resource's IRI, the base URI and the page number,
and returns HTML sections (all text escaped, values shown by label) that go above
the generic description every page has. Long lists are paged, PAGE_SIZE to a page.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from html import escape

from flask import current_app

from converter.uris import Minter

from .links import link as _link, safe_href
from .transcript import block_anchor, block_page, transcript

__all__ = ["PAGE_SIZE", "SECTIONS", "page_number"]

PAGE_SIZE = 50
WIKIDATA = "http://www.wikidata.org/entity/"
PROLOGUE = """PREFIX akg: <https://w3id.org/archivekg/ontology#> PREFIX dct: <http://purl.org/dc/terms/>
PREFIX schema: <http://schema.org/> PREFIX prov: <http://www.w3.org/ns/prov#> PREFIX oa: <http://www.w3.org/ns/oa#>
PREFIX rdfs: <http://www.w3.org/2000/01/rdf-schema#> PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
"""
_POLARITY = {"Asserted": "asserted", "Denied": "denied"}
_WHOLE = re.compile(r"[0-9]{1,12}")


def page_number(raw: str | None) -> int:
    """The ``page`` parameter of a paged list (a resource's page, /search): 1 when absent; a whole number
    from 1 to MAX_PAGE, else a 400 that names it (never an OFFSET too large for the store or the index)."""
    from .errors import bad_request

    if raw is None:
        return 1
    most = int(current_app.config["MAX_PAGE"])
    text = raw.strip()
    if not _WHOLE.fullmatch(text) or not 1 <= int(text) <= most:
        raise bad_request(f"'page' must be a whole number from 1 to {most} (MAX_PAGE), not {raw[:40]!r}")
    return int(text)


def _rows(store, query: str) -> list:  # type: ignore[no-untyped-def]
    return list(store.query(PROLOGUE + query))


def _v(row, name: str) -> str:  # type: ignore[no-untyped-def]
    term = row[name]
    return term.value if term is not None else ""


def _at_block(doc: str, block: str) -> str:
    """The document's page that shows ``block``, and the block's anchor on it."""
    n = block_page(block)
    return doc + (f"?page={n}" if n > 1 else "") + "#" + block_anchor(block)


def _in_document(block: str, doc: str, title: str, base: str) -> str:
    return f'{_link(block, "in context", base)} in {_link(_at_block(doc, block), title, base)}'


class _Pager:
    """LIMIT/OFFSET for each paged list of a page, and the navigation under them."""

    def __init__(self, page: int) -> None:
        self.page = page
        self.more = False

    def clause(self) -> str:
        return f"LIMIT {PAGE_SIZE + 1} OFFSET {(self.page - 1) * PAGE_SIZE}"

    def cut(self, rows: list) -> list:
        self.more = self.more or len(rows) > PAGE_SIZE
        return rows[:PAGE_SIZE]

    def nav(self) -> str:
        if not self.more and self.page == 1:
            return ""
        links = []
        if self.page > 1:
            links.append(f'<a rel="prev" href="?page={self.page - 1}">previous</a>')
        if self.more:
            links.append(f'<a rel="next" href="?page={self.page + 1}">next</a>')
        return f'<p class="pager">Page {self.page}. {" · ".join(links)}</p>'


def _section(title: str, items: list[str], ident: str, ordered: bool = False) -> str:
    if not items:
        return ""
    tag = "ol" if ordered else "ul"
    return f'<h2>{escape(title)}</h2><{tag} id="{ident}">' + "".join(f"<li>{i}</li>" for i in items) + f"</{tag}>"


def _facts(ident: str, rows: list[tuple[str, str]]) -> str:
    """A two-column table of (heading, HTML value) rows."""
    return f'<table id="{ident}">' + "".join(f"<tr><th>{k}</th><td>{v}</td></tr>" for k, v in rows) + "</table>"


def _linked(rows: list, var: str, label: str, base: str) -> str:
    """Each row's resource ``var``, shown by its ``label`` (or its IRI), as links."""
    return " · ".join(_link(_v(r, var), _v(r, label) or _v(r, var), base) for r in rows)


def _as_written(text: str) -> str:
    """The words of the source a value was read from, quoted after it."""
    return f" <small>(“{escape(text)}”)</small>" if text else ""


def _summary(store, iri: str) -> str:  # type: ignore[no-untyped-def]
    """What an entity is: its note, its other names, its Wikidata item (or that it has none yet)."""
    rows = _rows(store, f"""SELECT ?alt ?note ?match ?type WHERE {{
      {{ <{iri}> skos:altLabel ?alt }} UNION {{ <{iri}> rdfs:comment ?note }} UNION {{ <{iri}> skos:exactMatch ?match }}
      UNION {{ <{iri}> akg:entityType ?type }} }}""")
    alts = sorted({_v(r, "alt") for r in rows if r["alt"] is not None})
    notes = sorted({_v(r, "note") for r in rows if r["note"] is not None})
    types = sorted({_v(r, "type") for r in rows if r["type"] is not None})
    matches = sorted({_v(r, "match") for r in rows if r["match"] is not None})
    out = ['<dl id="summary">']
    if types:
        out.append(f"<dt>Kind</dt><dd>{escape(', '.join(types))}</dd>")
    if notes:
        out.append("<dt>Note</dt>" + "".join(f"<dd>{escape(n)}</dd>" for n in notes))
    if alts:
        out.append(f"<dt>Also written</dt><dd>{escape(' · '.join(alts))}</dd>")
    out.append("<dt>Wikidata</dt>")
    if matches:
        out.extend(f'<dd><a class="wikidata" href="{escape(href, quote=True)}">{escape(m.removeprefix(WIKIDATA))}</a></dd>'
                   if (href := safe_href(m, "")) else f"<dd>{escape(m)}</dd>" for m in matches)
    else:
        out.append("<dd>not linked yet</dd>")
    out.append("</dl>")
    return "".join(out)


def _claim_items(rows: list, base: str) -> list[str]:
    return [f'{_link(_v(r, "c"), _v(r, "text"), base)} <small>({escape(_v(r, "who") or "editor")}, '
            f'{_link(_v(r, "d"), _v(r, "t"), base)})</small>' for r in rows]


_CLAIM_COLUMNS = """?c ?text ?who ?d ?t"""
# No property path inside the OPTIONAL: pyoxigraph would evaluate it for every claim of the store.
_CLAIM_JOIN = """?c schema:text ?text ; dct:isPartOf ?d . ?d dct:title ?t .
  OPTIONAL { ?c prov:wasAttributedTo ?claimant . ?claimant rdfs:label ?who }"""


def _claims_about(store, iri: str, base: str, pager: _Pager) -> str:  # type: ignore[no-untyped-def]
    about = pager.cut(_rows(store, f"""SELECT {_CLAIM_COLUMNS} WHERE {{ ?c schema:about <{iri}> . {_CLAIM_JOIN} }}
      ORDER BY ?d ?c {pager.clause()}"""))
    reported = pager.cut(_rows(store, f"""SELECT {_CLAIM_COLUMNS} WHERE {{ ?c akg:reportedSource <{iri}> . {_CLAIM_JOIN} }}
      ORDER BY ?d ?c {pager.clause()}"""))
    return (_section("Claims about it", _claim_items(about, base), "claims-about")
            + _section("Claims reported from it", _claim_items(reported, base), "claims-reported"))


def _mentioned_in(store, iri: str, base: str, pager: _Pager) -> str:  # type: ignore[no-untyped-def]
    """The documents that mention it, with how often, by date (paged: a capital is named in thousands)."""
    # The mentions are counted per document first, then joined to the documents: an OPTIONAL count
    # per document would read every mention of the entity once for each document.
    rows = pager.cut(_rows(store, f"""SELECT ?d ?t ?date ?n WHERE {{
      {{ SELECT ?d (COUNT(DISTINCT ?m) AS ?n) WHERE {{
           ?m oa:hasBody <{iri}> ; a akg:Mention ; akg:inText ?b . ?b dct:isPartOf ?d }} GROUP BY ?d }}
      ?d a akg:Document ; dct:title ?t OPTIONAL {{ ?d dct:date ?date }}
    }} ORDER BY ?date ?t ?d {pager.clause()}"""))
    items = []
    for r in rows:
        n = int(_v(r, "n") or 0)
        count = f' <small>({n} mention{"s" if n != 1 else ""})</small>' if n else ""
        items.append(f'{_link(_v(r, "d"), _v(r, "t"), base)} {escape(_v(r, "date"))}{count}')
    return _section("Mentioned in", items, "mentioned-in")


def entity(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """A place or an organisation: what it is, the claims about it or reported from it, where it is named."""
    pager = _Pager(page)
    return _summary(store, iri) + _claims_about(store, iri, base, pager) + _mentioned_in(store, iri, base, pager) + pager.nav()


def person(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """A person: what is known, the documents they took part in, their words and claims (paged), their mentions."""
    pager = _Pager(page)
    docs = pager.cut(_rows(store, f"""SELECT DISTINCT ?d ?t ?date WHERE {{ ?c schema:attendee <{iri}> ; akg:recordedIn ?d .
        ?d dct:title ?t OPTIONAL {{ ?d dct:date ?date }} }} ORDER BY ?date ?t ?d {pager.clause()}"""))
    utts = pager.cut(_rows(store, f"""SELECT ?u ?text ?d ?t WHERE {{ ?u akg:spokenBy <{iri}> ; schema:text ?text ;
        dct:isPartOf ?d ; schema:position ?pos . ?d dct:title ?t }} ORDER BY ?d ?pos {pager.clause()}"""))
    claims = pager.cut(_rows(store, f"""SELECT ?c ?text ?d ?t WHERE {{ ?c prov:wasAttributedTo <{iri}> ;
        schema:text ?text ; dct:isPartOf ?d . ?d dct:title ?t }} ORDER BY ?d ?c {pager.clause()}"""))
    return "".join([
        _summary(store, iri),
        _section("Took part in", [f'{_link(_v(r, "d"), _v(r, "t"), base)} {escape(_v(r, "date"))}' for r in docs], "took-part"),
        _section("Said", [f'{escape(_v(r, "text"))} <small>({_in_document(_v(r, "u"), _v(r, "d"), _v(r, "t"), base)})</small>'
                          for r in utts], "utterances", ordered=True),
        _section("Claims", [f'{_link(_v(r, "c"), _v(r, "text"), base)} <small>({_link(_v(r, "d"), _v(r, "t"), base)})</small>'
                            for r in claims], "claims"),
        _claims_about(store, iri, base, pager),
        _mentioned_in(store, iri, base, pager),
        pager.nav(),
    ])


def _describe_quantity(r) -> str:  # type: ignore[no-untyped-def]
    low, high = _v(r, "min"), _v(r, "max")
    value = low if low == high else " to ".join(x for x in (low, high) if x)
    if r["lowx"] is not None and _v(r, "lowx") == "true":
        value = f"more than {low}"
    if r["highx"] is not None and _v(r, "highx") == "true":
        value = f"fewer than {high}"
    unit = _v(r, "unit")
    return f'“{escape(_v(r, "qt"))}”' + (f" = {escape(value)} {escape(unit)}" if value else "")


def claim(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """A claim: its words, who made it, what about, on whose report, what it states, and where it stands."""
    head = _rows(store, f"""SELECT ?text ?who ?whoLabel ?polarity ?modality ?block ?btext ?bspan ?span ?d ?t ?date
      ?source ?sourceLabel ?sourceText WHERE {{
      <{iri}> schema:text ?text ; dct:isPartOf ?d ; akg:span ?span .
      ?d dct:title ?t OPTIONAL {{ ?d dct:date ?date }}
      OPTIONAL {{ <{iri}> prov:wasAttributedTo ?who OPTIONAL {{ ?who rdfs:label ?whoLabel }} }}
      OPTIONAL {{ <{iri}> akg:polarity ?polarity }} OPTIONAL {{ <{iri}> akg:modality ?modality }}
      OPTIONAL {{ <{iri}> schema:appearance ?block . ?block schema:text ?btext ; akg:span ?bspan }}
      OPTIONAL {{ <{iri}> akg:reportedSource ?source OPTIONAL {{ ?source rdfs:label ?sourceLabel }} }}
      OPTIONAL {{ <{iri}> akg:reportedSourceText ?sourceText }}
    }} LIMIT 1""")
    if not head:
        return ""
    h = head[0]
    about = _rows(store, f"SELECT ?x ?l WHERE {{ <{iri}> schema:about ?x OPTIONAL {{ ?x rdfs:label ?l }} }} ORDER BY ?l")
    events = _rows(store, f"SELECT ?x ?l WHERE {{ <{iri}> akg:refersToEvent ?x OPTIONAL {{ ?x rdfs:label ?l }} }} ORDER BY ?l")
    quantities = _rows(store, f"""SELECT ?qt ?min ?max ?unit ?lowx ?highx WHERE {{ <{iri}> akg:statesQuantity ?q .
      ?q akg:quantityText ?qt OPTIONAL {{ ?q akg:minValue ?min }} OPTIONAL {{ ?q akg:maxValue ?max }}
      OPTIONAL {{ ?q akg:unitLabel ?unit }} OPTIONAL {{ ?q akg:lowerBoundExclusive ?lowx }}
      OPTIONAL {{ ?q akg:upperBoundExclusive ?highx }} }} ORDER BY ?qt""")
    dates = _rows(store, f"SELECT ?date WHERE {{ <{iri}> akg:statesDate ?date }} ORDER BY ?date")
    polarity = _POLARITY.get(_v(h, "polarity").rsplit("#", 1)[-1], "")
    modality = _v(h, "modality").rsplit("#", 1)[-1].lower()
    rows = [("Claimed by", _linked([h], "who", "whoLabel", base) if h["who"] else "the editor (a note)")]
    rows.append(("Stance", escape(", ".join(x for x in (polarity, modality) if x) or "asserted")))
    if h["source"] is not None or h["sourceText"] is not None:
        shown = _link(_v(h, "source"), _v(h, "sourceLabel") or _v(h, "sourceText"), base) if h["source"] else ""
        rows.append(("On the report of", shown + _as_written(_v(h, "sourceText"))))
    if about:
        rows.append(("About", _linked(about, "x", "l", base)))
    if events:
        rows.append(("Refers to", _linked(events, "x", "l", base)))
    if quantities:
        rows.append(("States", "<br>".join(_describe_quantity(r) for r in quantities)))
    if dates:
        rows.append(("Dates", escape(", ".join(_v(r, "date") for r in dates))))
    doc = _link(_v(h, "d"), _v(h, "t"), base) + (f' <small>{escape(_v(h, "date"))}</small>' if h["date"] else "")
    rows.append(("Document", doc))
    table = _facts("claim", rows)
    context = ""
    here, around = Minter.parse_chars(_v(h, "span")), Minter.parse_chars(_v(h, "bspan"))
    if h["block"] is not None:
        text = _v(h, "btext")
        s, e = (here[1] - around[1], here[2] - around[1]) if here and around else (-1, -1)
        if 0 <= s <= e <= len(text):
            marked = escape(text[:s]) + f'<mark class="claim">{escape(text[s:e])}</mark>' + escape(text[e:])
        else:
            marked = escape(text)
        context = (f'<h2>In context</h2><blockquote id="context">{marked}</blockquote>'
                   f'<p>{_link(_at_block(_v(h, "d"), _v(h, "block")), "Read it in the transcript", base)}</p>')
    return f'<blockquote id="claim-text"><p>{escape(_v(h, "text"))}</p></blockquote>{table}{context}'


def event(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """An event: when and where, who took part, and every passage and claim that refers to it."""
    facts = _rows(store, f"""SELECT ?start ?end ?dateText ?place ?placeLabel ?locText WHERE {{
      OPTIONAL {{ <{iri}> schema:startDate ?start }} OPTIONAL {{ <{iri}> schema:endDate ?end }}
      OPTIONAL {{ <{iri}> akg:dateText ?dateText }} OPTIONAL {{ <{iri}> akg:locationText ?locText }}
      OPTIONAL {{ <{iri}> schema:location ?place OPTIONAL {{ ?place rdfs:label ?placeLabel }} }} }} LIMIT 1""")
    people = _rows(store, f"SELECT ?p ?l WHERE {{ <{iri}> schema:attendee ?p OPTIONAL {{ ?p rdfs:label ?l }} }} ORDER BY ?l")
    pager = _Pager(page)
    passages = pager.cut(_rows(store, f"""SELECT ?b ?text ?d ?t WHERE {{
      {{ <{iri}> akg:referredToIn ?b }} UNION {{ ?m a akg:Mention ; oa:hasBody <{iri}> ; akg:inText ?b }}
      ?b schema:text ?text ; dct:isPartOf ?d . ?d dct:title ?t }} GROUP BY ?b ?text ?d ?t ORDER BY ?d ?b {pager.clause()}"""))
    claims = pager.cut(_rows(store, f"""SELECT {_CLAIM_COLUMNS} WHERE {{ ?c akg:refersToEvent <{iri}> . {_CLAIM_JOIN} }}
      ORDER BY ?d ?c {pager.clause()}"""))
    rows = []
    if facts:
        f = facts[0]
        start, end = _v(f, "start"), _v(f, "end")
        when = f"{start} to {end}" if start and end and end != start else start or end
        if when or f["dateText"] is not None:
            rows.append(("When", escape(when) + _as_written(_v(f, "dateText"))))
        if f["place"] is not None or f["locText"] is not None:
            shown = _linked([f], "place", "placeLabel", base) if f["place"] is not None else ""
            rows.append(("Where", shown + _as_written(_v(f, "locText"))))
    if people:
        rows.append(("Who", _linked(people, "p", "l", base)))
    table = _facts("event", rows) if rows else ""
    return "".join([
        table,
        _summary(store, iri) if store.query(f"{PROLOGUE} ASK {{ <{iri}> akg:entityType ?t }}") else "",
        _section("Referred to in", [f'{escape(_v(r, "text"))} <small>({_in_document(_v(r, "b"), _v(r, "d"), _v(r, "t"), base)})</small>'
                                    for r in passages], "referred-in"),
        _section("Claims", _claim_items(claims, base), "claims"),
        pager.nav(),
    ])


def document(store, iri: str, base: str, page: int) -> str:  # type: ignore[no-untyped-def]
    """A document: date, summary, citation, the archive's page, who took part; then its text, turn by turn."""
    facts = _rows(store, f"""SELECT ?date ?dateText ?abstract ?citation ?archive ?holder ?holderLabel ?lang ?file WHERE {{
      OPTIONAL {{ <{iri}> dct:date ?date }} OPTIONAL {{ <{iri}> akg:dateText ?dateText }}
      OPTIONAL {{ <{iri}> dct:abstract ?abstract }} OPTIONAL {{ <{iri}> dct:bibliographicCitation ?citation }}
      OPTIONAL {{ <{iri}> dct:source ?archive }} OPTIONAL {{ <{iri}> akg:originalLanguageText ?lang }}
      OPTIONAL {{ <{iri}> akg:sourceFile ?file }}
      OPTIONAL {{ <{iri}> dct:isPartOf ?holder OPTIONAL {{ ?holder rdfs:label ?holderLabel }} }} }} LIMIT 1""")
    people = _rows(store, f"""SELECT DISTINCT ?p ?l WHERE {{ ?c akg:recordedIn <{iri}> ; schema:attendee ?p .
      OPTIONAL {{ ?p rdfs:label ?l }} }} ORDER BY ?l""")
    rows = []
    if facts:
        f = facts[0]
        if f["dateText"] is not None or f["date"] is not None:
            rows.append(("Date", escape(_v(f, "dateText") or _v(f, "date"))))
        if f["abstract"] is not None:
            rows.append(("Summary", escape(_v(f, "abstract"))))
        if people:
            rows.append(("Taking part", _linked(people, "p", "l", base)))
        if f["holder"] is not None:
            rows.append(("Held by", _linked([f], "holder", "holderLabel", base)))
        if f["lang"] is not None:
            rows.append(("Original language", escape(_v(f, "lang"))))
        if f["citation"] is not None:
            rows.append(("Cite as", f'<cite id="citation">{escape(_v(f, "citation"))}</cite>'))
        if f["archive"] is not None:
            archive = _v(f, "archive")
            href = safe_href(archive, "")
            rows.append(("At the archive", escape(archive) if href is None else
                         f'<a id="archive-page" href="{escape(href, quote=True)}">{escape(archive)}</a>'))
        if f["file"] is not None:
            rows.append(("Source file", _link(_v(f, "file"), "the text the offsets count in", base)))
    return _facts("document", rows) + transcript(store, iri, base, page)


SECTIONS: dict[str, Callable[..., str]] = {
    "document": document, "person": person, "claim": claim, "event": event,
    "place": entity, "organization": entity,
}
