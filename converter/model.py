"""The document model: plain, frozen dataclasses that know nothing of RDF.

Every piece of text the reader keeps carries a :class:`Span` — character offsets
(Python ``str`` indices, start inclusive, end exclusive) into the decoded source
file — so that ``source_text[span.start:span.end] == piece.text`` always holds and
a reader of the graph can go back from any triple to the exact text.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum

__all__ = [
    "Block",
    "DateValue",
    "Document",
    "DocumentDate",
    "Footnote",
    "HeaderField",
    "Marker",
    "MarkerKind",
    "PageMarker",
    "Paragraph",
    "Participant",
    "Precision",
    "ReportedPassage",
    "Span",
    "Turn",
]


@dataclass(frozen=True, order=True)
class Span:
    """Character offsets into the decoded source text: ``text[start:end]``."""

    start: int
    end: int

    def __post_init__(self) -> None:
        if not 0 <= self.start <= self.end:
            raise ValueError(f"bad span {self.start}..{self.end}")

    def slice(self, text: str) -> str:
        return text[self.start : self.end]


class Precision(str, Enum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True)
class DateValue:
    """A calendar date known to a given precision; ``iso`` never invents a day.

    ``iso`` is ``YYYY-MM-DD``, ``YYYY-MM`` or ``YYYY`` (the lexical forms of
    xsd:date, xsd:gYearMonth and xsd:gYear).
    """

    iso: str
    precision: Precision

    @property
    def xsd_type(self) -> str:
        return {"day": "date", "month": "gYearMonth", "year": "gYear"}[self.precision.value]


@dataclass(frozen=True)
class DocumentDate:
    """The document's date as written, and what it resolves to.

    ``start`` is ``None`` for an undated document; ``end`` is set only for a range.
    ``approximate`` is true for "circa 1950", "c. 1950", "[1950?]".
    """

    text: str
    start: DateValue | None
    end: DateValue | None = None
    approximate: bool = False
    span: Span | None = None


class MarkerKind(str, Enum):
    STAGE_DIRECTION = "stage-direction"  # "(Mao pointed to the interpreter)"
    EDITORIAL = "editorial"  # "[socialism or capitalism]"
    DAMAGED = "damaged"  # "Dub...ek", "\ufffd"
    ILLEGIBLE = "illegible"  # "[illegible]", "[…]"


@dataclass(frozen=True)
class Marker:
    """A marked stretch inside a turn or paragraph: kept in the text, and marked."""

    kind: MarkerKind
    text: str
    span: Span


@dataclass(frozen=True)
class Block:
    """Common shape of turns and paragraphs: text with its span and marks."""

    position: int  # 1-based, in document order among blocks of the same kind
    text: str
    span: Span
    line: int  # 1-based line of the first character of ``text``
    markers: tuple[Marker, ...] = ()


@dataclass(frozen=True)
class Turn(Block):
    """One speaker turn: the label as written and the text after it.

    ``label`` is the label as written ("Balluku", "North (KIM)", "N. S. KHRUSHCHEV");
    ``label_span`` its offsets; ``name`` the person name the label gives
    ("KIM" for "North (KIM)", "Mao Zedong" for "Chairman [Mao Zedong]");
    ``alias`` a short form the label introduces ("Vito" for
    "Vito Kapo (hereafter shorten to Vito)"); ``side`` a side qualifier ("North").
    """

    label: str = ""
    label_span: Span = Span(0, 0)
    name: str = ""
    alias: str | None = None
    side: str | None = None


@dataclass(frozen=True)
class Paragraph(Block):
    """A body paragraph outside any turn (memoranda, telegrams, letters, reports)."""


@dataclass(frozen=True)
class HeaderField:
    """A ``Name: value`` line that is a header, not a turn ("Location:", "Subject:")."""

    name: str
    value: str
    span: Span
    line: int


@dataclass(frozen=True)
class Participant:
    """A person listed as present ("Participants:", "Present were ..."), not a speaker."""

    name: str
    role: str | None
    group: str | None  # "From Seoul", "On the Korean side"
    span: Span
    line: int
    alias: str | None = None  # another spelling given in brackets: "Chou En-lai [Zhou Enlai]"
    function: str | None = None  # "interpreter", "translator", "notetaker", "recorder" when a header says so


@dataclass(frozen=True)
class PageMarker:
    label: str  # "1" for "(p. 1)", "157" for "– 157 –"
    span: Span
    line: int


@dataclass(frozen=True)
class Footnote:
    label: str  # "1" for "[1] ..."
    text: str
    span: Span
    line: int


@dataclass(frozen=True)
class Document:
    """One archive document as read from its export, before any extraction."""

    source: str  # file name as given to the reader (used in errors and IRIs)
    identifier: str  # archive id ("111239"), URL slug, or "c-<hash>" from the content
    identifier_origin: str  # "archive-id", "url-slug" or "content-hash"
    title: str
    title_span: Span | None
    date: DocumentDate
    url: str | None = None
    citation: str | None = None
    citation_span: Span | None = None
    archive: str | None = None  # holding archive as cited: "Chinese Communist Party Central Archives (CCA)"
    summary: str | None = None
    summary_span: Span | None = None
    credits: str | None = None
    original_language: str | None = None  # as written: "Chinese"
    original_language_line: int | None = None  # 1-based line where it is written
    contents: tuple[str, ...] = ()  # "English Translation", "Russian Transcription"
    text_language: str | None = None  # as inferred: "English"
    is_translation: bool | None = None
    turns: tuple[Turn, ...] = ()
    paragraphs: tuple[Paragraph, ...] = ()
    header_fields: tuple[HeaderField, ...] = ()
    participants: tuple[Participant, ...] = ()
    page_markers: tuple[PageMarker, ...] = ()
    footnotes: tuple[Footnote, ...] = ()
    body_span: Span | None = None
    title_names: tuple[str, ...] = ()  # person names the title gives: "Conversation between Mao Zedong and ..."
    warnings: tuple[str, ...] = field(default=())

    @property
    def is_dialogue(self) -> bool:
        return bool(self.turns)


# --------------------------------------------------------------------------- extraction


@dataclass(frozen=True)
class Where:
    """The block a piece of extraction sits in: a turn or a paragraph, by position."""

    kind: str  # "turn" or "paragraph"
    position: int


@dataclass(frozen=True)
class Mention:
    """A reference to a person, place, organisation or event, anchored to its span.

    ``entity`` is ``(kind, id)`` of the authority entity or document person it was
    linked to, or ``None`` for an unlinked candidate (``label`` then says what was
    seen). ``via`` says how it was linked: "authority", "demonym", "document"
    (a person of this document), or "rule" (a title such as "Ambassador X").
    """

    kind: str
    text: str
    span: Span
    where: Where
    entity: tuple[str, str] | None
    via: str
    confidence: float
    label: str | None = None


@dataclass(frozen=True)
class Quantity:
    min: float | None
    max: float | None
    unit: str | None
    lower_exclusive: bool
    upper_exclusive: bool
    approximate: bool
    text: str
    span: Span


@dataclass(frozen=True)
class ReportedSource:
    """Whom the speaker attributes a claim to: "The Italian ambassador to Bulgaria revealed to us that"."""

    text: str
    span: Span
    entity: tuple[str, str] | None  # linked (kind, id) or a minted role agent


@dataclass(frozen=True)
class TimeExpression:
    """A date in the text, resolved against the document's date where it is relative."""

    text: str
    span: Span
    value: DateValue | None  # None when it cannot be resolved (no document date)


@dataclass(frozen=True)
class Claim:
    where: Where
    number: int  # 1-based among the claims of its block
    text: str
    span: Span
    claimant: str | None  # person slug
    about: tuple[tuple[str, str], ...]
    reported_source: ReportedSource | None
    polarity: str  # "asserted" or "denied"
    modality: str | None  # "hedged" or None
    quantities: tuple[Quantity, ...]
    times: tuple[TimeExpression, ...]
    reported: bool = False  # the record reports the claimant's words in the third person


@dataclass(frozen=True)
class ReportedPassage:
    """A paragraph that reports someone's words in the third person ("Stalin asks ...", "He stated that ...")."""

    where: Where
    speaker: str  # person slug
    span: Span  # the paragraph


@dataclass(frozen=True)
class ReferredEvent:
    """An event the text refers to: a named one from the authority file, or one found by rule."""

    where: Where
    number: int  # 1-based in the document
    label: str
    text: str  # the sentence it was found in
    span: Span
    entity: tuple[str, str] | None  # authority event, when it is one
    time: TimeExpression | None
    participants: tuple[str, ...]  # person slugs
    places: tuple[tuple[str, str], ...]


@dataclass(frozen=True)
class Extraction:
    mentions: tuple[Mention, ...] = ()
    claims: tuple[Claim, ...] = ()
    events: tuple[ReferredEvent, ...] = ()
    reported: tuple[ReportedPassage, ...] = ()


@dataclass(frozen=True)
class SourceInfo:
    """Facts about the source file the caller read (the converter reads no files)."""

    relpath: str  # path under the sources root, used in the source IRI
    sha256: str
    size_bytes: int
    characters: int
