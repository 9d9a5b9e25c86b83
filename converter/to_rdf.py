"""Document model -> RDF. Knows nothing of text parsing; asks the Minter for every IRI.

``document_triples`` gives the triples of one document's named graph: the document,
the conversation it records, its utterances or paragraphs with their spans, header
fields, participants, page markers, footnotes, and the provenance of the
conversion. Descriptions shared by many documents (persons, organisations,
languages, the software) go to the entities graph built by ``entities_graph``, so
that every triple belongs to exactly one named graph and the union is a plain
concatenation.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal

from rdflib import Graph
from rdflib.namespace import DCTERMS as _DCTERMS
from rdflib.namespace import FOAF as _FOAF
from rdflib.namespace import PROV as _PROV
from rdflib.namespace import RDF as _RDF
from rdflib.namespace import RDFS as _RDFS
from rdflib.namespace import SKOS as _SKOS
from rdflib.namespace import XSD as _XSD

from .authority import Authority, Entity
from .languages import lookup as language_lookup
from .languages import split_languages
from .model import Block, DateValue, Document, Extraction, MarkerKind, SourceInfo, Span, Where
from .names import slugify
from .rdf_io import to_rdflib_graph
from .namespaces import AKG as _AKG
from .namespaces import DCMITYPE as _DCMITYPE
from .namespaces import LEXVO as _LEXVO
from .namespaces import RICO as _RICO
from .namespaces import WD as _WD
from .namespaces import OA as _OA
from .namespaces import SCHEMA as _SCHEMA
from .namespaces import SPDX as _SPDX
from .speakers import Cast, PersonRef
from .terms import IRI, Lit, Vocabulary, lit
from .uris import Minter

AKG, OA, SCHEMA, SPDX, DCTERMS, PROV, FOAF, RDF, RDFS, SKOS, XSD, DCMITYPE, LEXVO, RICO, WD = (
    Vocabulary(str(ns)) for ns in (_AKG, _OA, _SCHEMA, _SPDX, _DCTERMS, _PROV, _FOAF, _RDF, _RDFS, _SKOS, _XSD,
                                   _DCMITYPE, _LEXVO, _RICO, _WD))

__all__ = ["SourceInfo", "document_triples", "entities_graph", "location_places", "PUBLISHER", "PersonRecord"]

PUBLISHER = ("wilson-center-digital-archive", "History and Public Policy Program Digital Archive")
_CONVERSATION_TITLE = re.compile(
    r"\b(conversation|conversations|meeting|talks?|discussion|interview|dialogue|audience|reception)\b", re.IGNORECASE
)
_MARKER_CLASS = {
    MarkerKind.STAGE_DIRECTION: AKG.StageDirection,
    MarkerKind.EDITORIAL: AKG.EditorialInsertion,
    MarkerKind.DAMAGED: AKG.DamagedText,
    MarkerKind.ILLEGIBLE: AKG.IllegibleText,
}
# Header fields that say where and when a conversation took place (names folded by _field_key).
_LOCATION_FIELDS = frozenset({"location", "place", "venue"})
_TIME_FIELDS = frozenset({"time", "date and time", "date/time"})
# A participant's function (from its header line) and a credit's role -> akg:Role individual.
_ROLES = {
    "interpreter": AKG.Interpreter,
    "translator": AKG.Translator,
    "notetaker": AKG.Notetaker,
    "note-taker": AKG.Notetaker,
    "recorder": AKG.Recorder,
    "editor": AKG.Editor,
    "transcriber": AKG.Transcriber,
    "contributor": AKG.Contributor,
    "signatory": AKG.Signatory,
}
# The functions a header line gives a listed participant (the shape allows these four roles only).
_PARTICIPANT_ROLES = {k: v for k, v in _ROLES.items() if v in (AKG.Interpreter, AKG.Translator, AKG.Notetaker, AKG.Recorder)}
# "[Translator's note: ...]", "[Editor's Note ...]", "[Note: ...]", "[Notes of the conversation ...]".
_EDITORIAL_NOTE = re.compile(
    r"^\[?\s*(?:(?P<who>translator|editor|editorial|ed\.)(?:s['’]|['’]s)?\s+)?notes?\b", re.IGNORECASE
)
_NOTE_ROLES = {"translator": AKG.Translator, "editor": AKG.Editor, "editorial": AKG.Editor, "ed.": AKG.Editor}


def _date_literal(value: DateValue) -> Lit:
    return lit(value.iso, datatype=XSD[value.xsd_type])


def _number(value: float) -> Lit:
    """xsd:integer for whole numbers, xsd:decimal otherwise (never xsd:double: "1.5 million" is exact)."""
    if float(value).is_integer():
        return lit(int(value))
    return lit(Decimal(repr(float(value))))


def _text(value: str, lang: str | None) -> Lit:
    return lit(value, lang=lang) if lang else lit(value)


def _lang_tag(name: str | None) -> str | None:
    if not name:
        return None
    got = language_lookup(name)
    return got[1] if got else None


def _languages(text: str | None) -> list[tuple[str, IRI]]:
    out = []
    for name in split_languages(text or ""):
        got = language_lookup(name)
        if got:
            out.append((name, LEXVO[got[0]]))
    return out


def _field_key(name: str) -> str:
    """A header field's name folded for matching: "DATE & TIME" -> "date and time"."""
    return " ".join(name.casefold().replace("&", " and ").split())


def _location_values(doc: Document) -> list[str]:
    out: list[str] = []
    for hf in doc.header_fields:
        value = hf.value.strip()
        if _field_key(hf.name) in _LOCATION_FIELDS and value and value not in out:
            out.append(value)
    return out


def location_places(doc: Document, authority: Authority) -> dict[str, tuple[str, str]]:
    """Location header value -> the authority place it names: the whole value, else its first comma part that is one.

    "Great Hall of the People, Peking" -> ("place", "beijing") through the alias "Peking";
    "Okryu Guest House, Pyongyang" -> the guest house, the most specific place the authority
    file knows; "Moscow, Ministry of Foreign Affairs" -> Moscow. A value naming no authority
    place is left out: ``document_triples`` mints a place for it.
    """
    out: dict[str, tuple[str, str]] = {}
    for value in _location_values(doc):
        for candidate in (value, *value.split(",")):
            entity = authority.lookup("place", candidate.strip().rstrip("."))
            if entity is not None:
                out[value] = (entity.kind, entity.id)
                break
    return out


def _editorial_note_role(text: str, *, bracketed: bool) -> tuple[bool, IRI | None]:
    """Whether ``text`` is an editorial note, and the akg:Role of its author when it says.

    A paragraph is a note when it is bracketed and begins "Translator's note", "Editor's
    note" or "Note(s)"; a footnote only when it names its author's role.
    """
    if bracketed and not text.startswith("["):
        return False, None
    m = _EDITORIAL_NOTE.match(text)
    if m is None:
        return False, None
    who = (m.group("who") or "").casefold()
    if not bracketed and not who:
        return False, None
    return True, _NOTE_ROLES.get(who)


def is_conversation(doc: Document) -> bool:
    return doc.is_dialogue or bool(_CONVERSATION_TITLE.search(doc.title))


Triple = tuple[IRI, IRI, "IRI | Lit"]


class _Builder:
    """Collects triples in a set: cheaper than indexing an rdflib Graph as it grows."""

    def __init__(self, minter: Minter, source_iri: IRI) -> None:
        self.triples: set[Triple] = set()
        self.minter = minter
        self.source_iri = source_iri

    def add(self, s: IRI, p: IRI, o: object) -> None:
        self.triples.add((s, p, o))  # type: ignore[arg-type]

    def span(self, owner: IRI, span: Span, prop: IRI = AKG.span) -> None:
        """``owner akg:span <source#char=start,end>``: the characters, as one RFC 5147 fragment IRI of
        the source file. The Web Annotation selectors (position, quote with its context) are derived
        from the IRI and the published source when a mention is served (server/annotation.py)."""
        self.add(owner, prop, IRI(Minter.chars(self.source_iri, span.start, span.end)))

    def block(self, iri: IRI, cls: IRI, block: Block, doc_iri: IRI, lang: str | None) -> None:
        self.add(iri, RDF.type, cls)
        self.add(iri, DCTERMS.isPartOf, doc_iri)
        self.add(iri, SCHEMA.position, lit(block.position))
        self.add(iri, SCHEMA.text, _text(block.text, lang))
        self.span(iri, block.span)
        for n, marker in enumerate(block.markers, start=1):
            m_iri = IRI(Minter.part(iri, f"mark-{n}"))
            self.add(iri, AKG.hasMarker, m_iri)
            self.add(m_iri, RDF.type, _MARKER_CLASS[marker.kind])
            self.add(m_iri, SCHEMA.text, lit(marker.text))
            self.span(m_iri, marker.span)


def document_triples(
    doc: Document,
    cast: Cast,
    minter: Minter,
    source: SourceInfo,
    *,
    software_version: str,
    archive_slug: str | None = None,
    build_time: str | None = None,
    extraction: Extraction | None = None,
    places: Mapping[str, tuple[str, str]] | None = None,
) -> set[Triple]:
    """The triples of one document's named graph (the caller names the graph).

    ``archive_slug`` is the holding archive's organisation id (from the authority
    file, or the slug of its name as cited). ``places`` maps a location header's
    value to the authority place it names (see ``location_places``); a location
    not in it gets a place minted for the document.
    """
    src = IRI(minter.source(source.relpath))
    b = _Builder(minter, src)
    add = b.add
    d = IRI(minter.document(doc.identifier))
    text_lang = _lang_tag(doc.text_language)

    add(d, RDF.type, DCMITYPE.Text)
    add(d, RDF.type, AKG.Document)
    add(d, RDF.type, RICO.Record)
    add(d, DCTERMS.title, lit(doc.title, lang="en"))
    add(d, RDFS.label, lit(doc.title, lang="en"))
    add(d, DCTERMS.identifier, lit(doc.identifier))
    add(d, AKG.identifierOrigin, lit(doc.identifier_origin))
    if doc.date.text:
        add(d, AKG.dateText, lit(doc.date.text))
    if doc.date.start is not None:
        if doc.date.end is None:
            add(d, DCTERMS.date, _date_literal(doc.date.start))
        else:
            add(d, AKG.earliestDate, _date_literal(doc.date.start))
            add(d, AKG.latestDate, _date_literal(doc.date.end))
        if doc.date.approximate:
            add(d, AKG.dateApproximate, lit(True))
    if doc.url:
        add(d, DCTERMS.source, IRI(doc.url))
    if doc.citation:
        add(d, DCTERMS.bibliographicCitation, lit(doc.citation))
    if doc.summary:
        add(d, DCTERMS.abstract, lit(" ".join(doc.summary.split()), lang="en"))
    if doc.credits:
        add(d, AKG.credits, lit(" ".join(doc.credits.split()), lang="en"))
    for item in doc.contents:
        add(d, AKG.contentsNote, lit(item, lang="en"))
    for _, iri in _languages(doc.text_language):
        add(d, DCTERMS.language, iri)
    originals = _languages(doc.original_language)
    for _, iri in originals:
        add(d, AKG.originalLanguage, iri)
    if doc.original_language:
        add(d, AKG.originalLanguageText, lit(doc.original_language))
    if doc.is_translation is not None:
        add(d, AKG.isTranslation, lit(doc.is_translation))
    if doc.is_translation:
        orig = IRI(Minter.part(d, "original"))
        add(d, PROV.wasDerivedFrom, orig)
        add(orig, RDF.type, AKG.OriginalDocument)
        add(orig, RDFS.label, lit(f"Original of: {doc.title}", lang="en"))
        for _, iri in originals:
            add(orig, DCTERMS.language, iri)
    if archive_slug:
        add(d, DCTERMS.isPartOf, IRI(minter.iri("organization", archive_slug)))
    add(d, DCTERMS.publisher, IRI(minter.iri("organization", PUBLISHER[0])))
    add(d, AKG.sourceFile, src)
    credits: list[tuple[str, IRI]] = []
    for ref, role in cast.contributors:
        credit = (ref.slug, _ROLES.get(role.casefold(), AKG.Contributor))
        if credit not in credits:
            credits.append(credit)
    for n, (slug, role_iri) in enumerate(credits, start=1):
        person = IRI(minter.person(slug))
        attribution = IRI(Minter.part(d, f"credit-{n}"))
        add(d, DCTERMS.contributor, person)
        add(d, PROV.qualifiedAttribution, attribution)
        add(attribution, RDF.type, PROV.Attribution)
        add(attribution, PROV.agent, person)
        add(attribution, PROV.hadRole, role_iri)
    if doc.title_span:
        b.span(d, doc.title_span, prop=AKG.titleSpan)

    # Source file and provenance of this graph.
    add(src, RDF.type, AKG.SourceFile)
    add(src, RDF.type, PROV.Entity)
    add(src, RDFS.label, lit(source.relpath))
    add(src, DCTERMS.format, lit("text/markdown"))
    add(src, DCTERMS.extent, lit(source.size_bytes))
    add(src, AKG.characterCount, lit(source.characters))
    checksum = IRI(Minter.part(src, "sha256"))
    add(src, SPDX.checksum, checksum)
    add(checksum, RDF.type, SPDX.Checksum)
    add(checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256)
    add(checksum, SPDX.checksumValue, lit(source.sha256, datatype=XSD.hexBinary))
    g_iri = IRI(minter.graph(doc.identifier))
    act = IRI(minter.activity(doc.identifier))
    add(g_iri, RDF.type, AKG.DocumentGraph)
    add(g_iri, PROV.wasGeneratedBy, act)
    add(g_iri, PROV.wasDerivedFrom, src)
    add(g_iri, FOAF.primaryTopic, d)
    add(act, RDF.type, PROV.Activity)
    add(act, PROV.used, src)
    add(act, PROV.wasAssociatedWith, IRI(minter.software(software_version)))
    if build_time:
        add(act, PROV.endedAtTime, lit(build_time, datatype=XSD.dateTime))

    # Metadata lines of the body.
    for n, hf in enumerate(doc.header_fields, start=1):
        h = IRI(Minter.part(d, f"header-{n}"))
        add(d, AKG.hasHeaderField, h)
        add(h, RDF.type, AKG.HeaderField)
        add(h, AKG.fieldName, lit(hf.name))
        add(h, AKG.fieldValue, lit(hf.value))
        b.span(h, hf.span)
    for n, pm in enumerate(doc.page_markers, start=1):
        p = IRI(Minter.part(d, f"page-{n}"))
        add(d, AKG.hasPageMarker, p)
        add(p, RDF.type, AKG.PageMarker)
        add(p, AKG.pageLabel, lit(pm.label))
        b.span(p, pm.span)
    for n, fn in enumerate(doc.footnotes, start=1):
        f = IRI(Minter.part(d, f"footnote-{n}"))
        add(d, AKG.hasFootnote, f)
        add(f, RDF.type, AKG.Footnote)
        add(f, AKG.footnoteLabel, lit(fn.label))
        add(f, SCHEMA.text, _text(fn.text, text_lang))
        b.span(f, fn.span)
    # Editorial notes: bracketed note paragraphs, then footnotes that say whose note they are.
    notes: list[tuple[IRI, str, Span, IRI | None]] = []
    for para in doc.paragraphs:
        is_note, role = _editorial_note_role(para.text, bracketed=True)
        if is_note:
            notes.append((IRI(minter.paragraph(doc.identifier, para.position)), para.text, para.span, role))
    for n, fn in enumerate(doc.footnotes, start=1):
        is_note, role = _editorial_note_role(fn.text, bracketed=False)
        if is_note:
            notes.append((IRI(Minter.part(d, f"footnote-{n}")), fn.text, fn.span, role))
    for n, (where, text, span, role) in enumerate(notes, start=1):
        note = IRI(Minter.part(d, f"note-{n}"))
        add(d, AKG.hasEditorialNote, note)
        add(note, RDF.type, AKG.EditorialNote)
        add(note, SCHEMA.text, _text(text, text_lang))
        add(note, AKG.inText, where)
        if role is not None:
            add(note, AKG.authorRole, role)
        b.span(note, span)

    # The conversation the document records.
    conv = None
    if is_conversation(doc):
        conv = IRI(minter.conversation(doc.identifier))
        add(conv, RDF.type, AKG.Conversation)
        add(conv, RDF.type, SCHEMA.Event)
        add(conv, RDFS.label, lit(doc.title, lang="en"))
        add(conv, AKG.recordedIn, d)
        add(d, AKG.records, conv)
        if doc.date.start is not None and doc.date.end is None:
            add(conv, SCHEMA.startDate, _date_literal(doc.date.start))
        elif doc.date.start is not None and doc.date.end is not None:
            add(conv, SCHEMA.startDate, _date_literal(doc.date.start))
            add(conv, SCHEMA.endDate, _date_literal(doc.date.end))
        for value in _location_values(doc):
            add(conv, AKG.locationText, lit(value))
            if places and value in places:
                add(conv, SCHEMA.location, entity_iri(minter, *places[value]))
                continue
            place = IRI(minter.iri("place", f"{doc.identifier}-{slugify(value)}"))
            add(conv, SCHEMA.location, place)
            add(place, RDF.type, AKG.Place)
            add(place, RDF.type, SCHEMA.Place)
            add(place, RDFS.label, lit(value))
        for hf in doc.header_fields:
            if _field_key(hf.name) in _TIME_FIELDS and hf.value.strip():
                add(conv, AKG.timeText, lit(hf.value.strip()))
        attendees: list[PersonRef] = [*cast.named_in_title, *cast.participants, *cast.by_label.values()]
        for ref in attendees:
            add(conv, SCHEMA.attendee, IRI(minter.person(ref.slug)))
        for n, (p, ref) in enumerate(zip(doc.participants, cast.participants), start=1):
            lp = IRI(Minter.part(conv, f"participant-{n}"))
            add(conv, AKG.listedParticipant, lp)
            add(lp, RDF.type, AKG.ListedParticipant)
            add(lp, AKG.participant, IRI(minter.person(ref.slug)))
            add(lp, AKG.nameAsWritten, lit(p.name))
            if p.role:
                add(lp, AKG.roleAsWritten, lit(p.role))
            if p.group:
                add(lp, AKG.groupAsWritten, lit(p.group))
            if p.function and p.function.casefold() in _PARTICIPANT_ROLES:
                add(lp, PROV.hadRole, _PARTICIPANT_ROLES[p.function.casefold()])
            b.span(lp, p.span)

    for turn in doc.turns:
        u = IRI(minter.utterance(doc.identifier, turn.position))
        b.block(u, AKG.Utterance, turn, d, text_lang)
        add(u, RDF.type, SCHEMA.Message)
        ref = cast.by_label[turn.label]
        add(u, AKG.spokenBy, IRI(minter.person(ref.slug)))
        add(u, AKG.speakerLabel, lit(turn.label))
        if turn.side:
            add(u, AKG.speakerSide, lit(turn.side))
        if conv is not None:
            add(u, AKG.inConversation, conv)
        b.span(u, turn.label_span, prop=AKG.labelSpan)
    for para in doc.paragraphs:
        p = IRI(minter.paragraph(doc.identifier, para.position))
        b.block(p, AKG.Paragraph, para, d, text_lang)
    if extraction is not None:
        _extraction(b, doc, extraction, d, conv, text_lang)
    return b.triples


def entity_iri(minter: Minter, kind: str, id_: str) -> IRI:
    return IRI(minter.iri(kind, id_))


def _block_iri(minter: Minter, doc: Document, where: Where) -> IRI:
    if where.kind == "turn":
        return IRI(minter.utterance(doc.identifier, where.position))
    if where.kind == "footnote":
        return IRI(Minter.part(minter.document(doc.identifier), f"footnote-{where.position}"))
    return IRI(minter.paragraph(doc.identifier, where.position))


def _extraction(b: _Builder, doc: Document, ext: Extraction, d: IRI, conv: IRI | None,
                text_lang: str | None) -> None:
    add, minter = b.add, b.minter

    for n, m in enumerate(ext.mentions, start=1):
        a = IRI(minter.iri("mention", f"{doc.identifier}-{n}"))
        block = _block_iri(minter, doc, m.where)
        # A few triples in the store; the full Web Annotation (oa:Annotation, its motivation, a
        # SpecificResource with position and quote selectors) is derived when the mention is served.
        add(a, RDF.type, AKG.Mention)
        b.span(a, m.span, prop=OA.hasTarget)
        add(a, AKG.inText, block)
        add(a, AKG.mentionKind, lit(m.kind))
        add(a, AKG.linkedBy, lit(m.via))
        add(a, AKG.confidence, lit(float(m.confidence)))
        if m.entity is not None:
            target = entity_iri(minter, *m.entity)
            add(a, OA.hasBody, target)
            add(block, AKG.mentions, target)
            add(d, AKG.mentions, target)
        else:
            add(a, AKG.candidateLabel, lit(m.label or m.text))
    for c in ext.claims:
        block = _block_iri(minter, doc, c.where)
        ci = IRI(minter.claim(doc.identifier, c.where.kind, c.where.position, c.number))
        add(ci, RDF.type, AKG.Claim)
        add(ci, RDF.type, SCHEMA.Claim)
        add(ci, SCHEMA.appearance, block)
        add(ci, DCTERMS.isPartOf, d)
        add(ci, SCHEMA.text, _text(c.text, text_lang))
        add(ci, AKG.polarity, AKG.Denied if c.polarity == "denied" else AKG.Asserted)
        if c.modality:
            add(ci, AKG.modality, lit(c.modality))
        if c.claimant:
            add(ci, PROV.wasAttributedTo, IRI(minter.person(c.claimant)))
        for kind, id_ in c.about:
            add(ci, SCHEMA.about, entity_iri(minter, kind, id_))
        if c.reported_source is not None:
            rs = c.reported_source
            add(ci, AKG.reportedSourceText, lit(rs.text))
            if rs.entity is not None:
                add(ci, AKG.reportedSource, entity_iri(minter, *rs.entity))
        for k, q in enumerate(c.quantities, start=1):
            qi = IRI(Minter.part(ci, f"quantity-{k}"))
            add(ci, AKG.statesQuantity, qi)
            add(qi, RDF.type, AKG.Quantity)
            add(qi, AKG.quantityText, lit(q.text))
            if q.min is not None:
                add(qi, AKG.minValue, _number(q.min))
            if q.max is not None:
                add(qi, AKG.maxValue, _number(q.max))
            if q.unit:
                add(qi, AKG.unitLabel, lit(q.unit, lang="en"))
            if q.lower_exclusive:
                add(qi, AKG.lowerBoundExclusive, lit(True))
            if q.upper_exclusive:
                add(qi, AKG.upperBoundExclusive, lit(True))
            if q.approximate:
                add(qi, AKG.approximate, lit(True))
        for t in c.times:
            if t.value is not None:
                add(ci, AKG.statesDate, _date_literal(t.value))
        if c.reported:
            add(ci, AKG.speechMode, AKG.ReportedSpeech)
        elif c.where.kind == "turn":
            add(ci, AKG.speechMode, AKG.DirectSpeech)
        b.span(ci, c.span)
    for rp in ext.reported:
        # A reported passage is a paragraph; a turn already has its speaker (akg:spokenBy).
        if rp.where.kind != "paragraph":
            continue
        speaker = IRI(minter.person(rp.speaker))
        add(_block_iri(minter, doc, rp.where), AKG.reportedSpeaker, speaker)
        if conv is not None:
            add(conv, SCHEMA.attendee, speaker)
    for ev in ext.events:
        block = _block_iri(minter, doc, ev.where)
        if ev.entity is not None:
            ei = entity_iri(minter, *ev.entity)
            add(d, AKG.refersToEvent, ei)
            add(block, AKG.refersToEvent, ei)
            continue
        ei = IRI(minter.iri("event", f"{doc.identifier}-e{ev.number}"))
        add(ei, RDF.type, AKG.ReferredEvent)
        add(ei, RDF.type, SCHEMA.Event)
        add(ei, RDFS.label, lit(ev.label, lang="en"))
        add(ei, AKG.referredToIn, block)
        add(d, AKG.refersToEvent, ei)
        add(block, AKG.refersToEvent, ei)
        if ev.time is not None:
            add(ei, AKG.dateText, lit(ev.time.text))
            if ev.time.value is not None:
                add(ei, SCHEMA.startDate, _date_literal(ev.time.value))
        for slug in ev.participants:
            add(ei, SCHEMA.attendee, IRI(minter.person(slug)))
        for kind, id_ in ev.places:
            add(ei, SCHEMA.location, entity_iri(minter, kind, id_))
        b.span(ei, ev.span)


@dataclass(frozen=True)
class PersonRecord:
    """One person across documents, merged in the main process."""

    slug: str
    label: str
    aliases: tuple[str, ...]
    wikidata: str | None = None
    note: str | None = None  # the authority file's note: who the person was


def entities_graph(
    persons: Iterable[PersonRecord],
    entities: Iterable[Entity],
    languages: Iterable[tuple[str, str]],
    minter: Minter,
    *,
    software_version: str,
) -> Graph:
    """Shared descriptions: persons, places, organisations, named events, languages, the software."""
    g = _Collect()
    for p in persons:
        iri = IRI(minter.person(p.slug))
        g.add((iri, RDF.type, FOAF.Person))
        g.add((iri, RDF.type, SCHEMA.Person))
        g.add((iri, RDFS.label, lit(p.label)))
        g.add((iri, FOAF.name, lit(p.label)))
        for a in p.aliases:
            if a != p.label:
                g.add((iri, SKOS.altLabel, lit(a)))
        if p.note:
            g.add((iri, RDFS.comment, lit(p.note, lang="en")))
        if p.wikidata:
            g.add((iri, SKOS.exactMatch, WD[p.wikidata]))
    for e in entities:
        iri = entity_iri(minter, e.kind, e.id)
        for cls in _ENTITY_CLASSES[e.kind]:
            g.add((iri, RDF.type, cls))
        g.add((iri, RDFS.label, lit(e.label)))
        for a in e.aliases:
            if a != e.label:
                g.add((iri, SKOS.altLabel, lit(a)))
        for a in e.demonyms:
            g.add((iri, AKG.demonym, lit(a)))
        if e.type:
            g.add((iri, AKG.entityType, lit(e.type)))
        if e.note:
            g.add((iri, RDFS.comment, lit(e.note, lang="en")))
        if e.date:
            start, _, end = e.date.partition("/")
            g.add((iri, SCHEMA.startDate, _iso_literal(start)))
            if end:
                g.add((iri, SCHEMA.endDate, _iso_literal(end)))
        if e.place:
            g.add((iri, SCHEMA.location, entity_iri(minter, "place", e.place)))
        if e.wikidata:
            g.add((iri, SKOS.exactMatch, WD[e.wikidata]))
        if e.coordinates:  # WGS 84 decimal degrees, from Wikidata's P625 (seeds/authority/coordinates.csv)
            g.add((iri, SCHEMA.latitude, lit(e.coordinates[0], datatype=XSD.decimal)))
            g.add((iri, SCHEMA.longitude, lit(e.coordinates[1], datatype=XSD.decimal)))
    for code, name in languages:
        g.add((LEXVO[code], RDFS.label, lit(name, lang="en")))
        g.add((LEXVO[code], RDF.type, DCTERMS.LinguisticSystem))
    sw = IRI(minter.software(software_version))
    g.add((sw, RDF.type, PROV.SoftwareAgent))
    g.add((sw, RDFS.label, lit(f"archivekg {software_version}")))
    g.add((sw, SCHEMA.softwareVersion, lit(software_version)))
    return to_rdflib_graph(g.triples)


class _Collect:
    def __init__(self) -> None:
        self.triples: set[Triple] = set()

    def add(self, triple: Triple) -> None:
        self.triples.add(triple)


_ENTITY_CLASSES = {
    "person": (FOAF.Person, SCHEMA.Person),
    "organization": (FOAF.Organization, SCHEMA.Organization),
    "place": (AKG.Place, SCHEMA.Place),
    "event": (AKG.ReferredEvent, SCHEMA.Event),
}


def _iso_literal(iso: str) -> Lit:
    kind = {4: XSD.gYear, 7: XSD.gYearMonth, 10: XSD.date}[len(iso)]
    return lit(iso, datatype=kind)
