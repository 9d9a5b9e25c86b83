"""Reader for exports of the Wilson Center Digital Archive.

``read(text, source)`` turns one exported document into a :class:`~converter.model.Document`.
The export layout, as real exports write it::

    ## October 01, 1968                  date heading (optional)
    # Conversation Between ...           title (optional when the citation quotes it)
    ### Citation:                        each section optional, in any order
    "Title," October 01, 1968, History and Public Policy Program Digital Archive, <archive>
    <http://digitalarchive.wilsoncenter.org/document/111239>
    ### Summary: / ### Credits: / ### Original Language: / ### Contents: (- English Translation)
    <body>

The body holds speaker turns in any of the label styles the archive uses
(``**Name:**``, ``Name:``, ``NAME:``, ``North (KIM):``, ``HO CHI MINH.``,
``N. S. KHRUSHCHEV`` with no separator, ``Comrade Name:``,
``Vito Kapo (hereafter shorten to Vito):``, ``Chairman [Mao Zedong]:``), or plain
paragraphs (memoranda, telegrams, letters, reports), with header fields
(``Location:``, ``Participants:``), page markers, footnotes, stage directions,
editorial insertions and damaged characters. Every piece keeps its exact span.

The reader knows nothing of RDF and reads no files: the caller decodes the file.
"""

from __future__ import annotations

import bisect
import hashlib
import re
import unicodedata
from collections import Counter
from dataclasses import dataclass, field

from ..dates import DateError, parse_date
from ..errors import DocumentError
from ..model import (
    Document,
    DocumentDate,
    Footnote,
    HeaderField,
    Marker,
    MarkerKind,
    PageMarker,
    Paragraph,
    Participant,
    Span,
    Turn,
)
from ..names import (
    BIDI_CONTROLS,
    ROLE_WORDS,
    fold,
    has_bidi_controls,
    is_name_like,
    name_tokens,
    split_title,
    strip_honorifics,
    strip_invisible,
)

__all__ = ["read", "DocumentErrors"]


class DocumentErrors(DocumentError):
    """Several errors found in one document; ``errors`` lists them all."""

    def __init__(self, errors: list[DocumentError]) -> None:
        self.errors = errors
        first = errors[0]
        super().__init__(
            first.message, source=first.source, line=first.line, column=first.column,
            hint=first.hint, excerpt=first.excerpt,
        )

    def render(self) -> str:
        return "\n".join(e.render() for e in getattr(self, "errors", [])) or super().render()


# --------------------------------------------------------------------------- lines


@dataclass(frozen=True)
class _Line:
    no: int  # 1-based line number
    start: int  # offset of the first non-space character
    end: int  # offset after the last non-space character
    text: str  # text[start:end]

    @property
    def blank(self) -> bool:
        return not self.text


_SPACE = " \t\r\ufeff\u00a0\u200b"


def _lines(text: str) -> list[_Line]:
    out: list[_Line] = []
    pos = 0
    for no, raw in enumerate(text.split("\n"), start=1):
        lead = len(raw) - len(raw.lstrip(_SPACE))
        trail = len(raw.rstrip(_SPACE))
        if trail <= lead:
            out.append(_Line(no, pos + lead, pos + lead, ""))
        else:
            out.append(_Line(no, pos + lead, pos + trail, raw[lead:trail]))
        pos += len(raw) + 1
    return out


# --------------------------------------------------------------------------- front matter

_H2 = re.compile(r"^##\s+(?P<v>.*?)\s*#*$")
_H1 = re.compile(r"^#\s+(?P<v>.*?)\s*#*$")
_SECTION = re.compile(r"^#{3,6}\s*(?P<name>[^:#]+?)\s*:?\s*#*$")
KNOWN_SECTIONS = {
    "citation", "summary", "credits", "original language", "contents", "associated people & organizations",
    "associated places", "associated topics", "subjects discussed", "keywords", "document information",
    "source", "rights", "original archive", "record id", "languages", "authors", "date", "translation",
}
_URL = re.compile(r"<?(?P<url>https?://[^\s<>]+)>?")
_URL_CONT = re.compile(r"^[\w./%#?=&~+-]+>?$")
_DOC_ID = re.compile(r"/document/(?P<num>\d+)(?:[/?#]|$)|/document/(?P<slug>[\w-]+)|/node/(?P<node>\d+)")
_CITE_TITLE = re.compile(r"^[\"“”„«]\s*(?P<t>.+?)\s*,?\s*[\"“”»]\s*,?")
_ARCHIVE_SPLIT = re.compile(r"Digital Archive\s*,\s*", re.IGNORECASE)


@dataclass
class _Front:
    date_line: _Line | None = None
    title_line: _Line | None = None
    sections: dict[str, list[_Line]] = field(default_factory=dict)
    section_heads: dict[str, _Line] = field(default_factory=dict)
    body_start: int = 0  # index into lines
    warnings: list[str] = field(default_factory=list)


def _front(lines: list[_Line], source: str) -> _Front:
    fr = _Front()
    i, n = 0, len(lines)
    while i < n and lines[i].blank:
        i += 1
    # Date heading and title, in either order, each at most once, before any section.
    for _ in range(2):
        if i < n and fr.date_line is None and _H2.match(lines[i].text) and not lines[i].text.startswith("###"):
            fr.date_line = lines[i]
        elif i < n and fr.title_line is None and _H1.match(lines[i].text) and not lines[i].text.startswith("##"):
            fr.title_line = lines[i]
        else:
            break
        i += 1
        while i < n and lines[i].blank:
            i += 1
    fr.body_start = i
    current: str | None = None
    j = i
    while j < n:
        ln = lines[j]
        m = _SECTION.match(ln.text) if ln.text.startswith("###") else None
        if m:
            name = " ".join(m.group("name").split()).casefold()
            if name not in KNOWN_SECTIONS:
                fr.warnings.append(f"{source}:{ln.no}: unknown section '{m.group('name')}' kept as metadata")
            if name in fr.sections:
                fr.warnings.append(f"{source}:{ln.no}: section '{m.group('name')}' appears twice; the first is used")
                name = f"{name} ({ln.no})"
            fr.sections[name] = []
            fr.section_heads[name] = ln
            current = name
            j += 1
            continue
        if current is None:
            break
        fr.sections[current].append(ln)
        j += 1
    if current is None:
        return fr
    # Everything from the last section's heading on was swallowed; give back the body.
    last = fr.sections[current]
    k = 0
    while k < len(last) and last[k].blank:
        k += 1
    if current == "contents":
        while k < len(last) and re.match(r"^[-*•]\s+\S", last[k].text):
            k += 1
    else:
        while k < len(last) and not last[k].blank:
            k += 1
    fr.sections[current] = last[:k]
    head = fr.section_heads[current]
    fr.body_start = lines.index(head) + 1 + k
    return fr


def _block_text(text: str, block: list[_Line]) -> tuple[str, Span] | None:
    content = [ln for ln in block if not ln.blank]
    if not content:
        return None
    span = Span(content[0].start, content[-1].end)
    return span.slice(text), span


#: A link of any other scheme, in angle brackets ("<javascript:alert(1)>") or bare with the punctuation of a URL
#: after its colon ("javascript:alert(1)", "data:text/html,..."): never the document's URL, never a name.
_OTHER_LINK = re.compile(
    r"<[A-Za-z][A-Za-z0-9+.-]*:[^<>\n]*>|(?<![\w.+-])[A-Za-z][A-Za-z0-9+.-]*:(?://|[^\s,;]*[/()%?=&#@])[^\s<>]*"
)
#: Characters an IRI may hold as they are (RFC 3987: unreserved, sub-delims, ':', '@', '/', '?', '#', '%').
_IRI_ASCII = frozenset("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~!$&'()*+,;=:@/?#%")
_IRI_NOT = ("Cc", "Cf", "Cs", "Co", "Cn", "Zs", "Zl", "Zp")  # controls, format (bidi), private use, spaces
_HOST_LABEL = r"[^\W_](?:[\w-]*[^\W_])?"
_IRI_AUTHORITY = re.compile(rf"^{_HOST_LABEL}(?:\.{_HOST_LABEL})*\.?(?::\d{{1,5}})?$")


def _iri_problem(url: str) -> str | None:
    """Why ``url`` is not a valid absolute http(s) IRI (RFC 3987), or None when it is one.

    Stricter than the standard where the archive never needs more: no user name, no IP-literal host.
    """
    bad = sorted({c for c in url if c not in _IRI_ASCII and (ord(c) < 0x80 or unicodedata.category(c) in _IRI_NOT)})
    if bad:
        return "it holds " + ", ".join(repr(c) for c in bad[:5])
    if re.search(r"%(?![0-9A-Fa-f]{2})", url):
        return "a '%' in it starts no escape"
    m = re.match(r"^https?://(?P<authority>[^/?#]*)(?P<rest>.*)$", url, re.IGNORECASE)
    if m is None:
        return "it is not an absolute http(s) URL"
    if not _IRI_AUTHORITY.match(m.group("authority")):
        return f"{m.group('authority')!r} is not a host name"
    if "#" in m.group("rest").partition("#")[2]:
        return "it holds a second '#'"
    return None


def _find_url(block: list[_Line]) -> tuple[str, int] | None:
    """The first http(s) URL of a block and its line number."""
    for idx, ln in enumerate(block):
        m = _URL.search(ln.text)
        if not m:
            continue
        url = m.group("url").rstrip(">.,;)")
        # A URL hard-wrapped over two lines: the next line continues it.
        if m.end() >= len(ln.text.rstrip(">")) and idx + 1 < len(block):
            nxt = block[idx + 1].text
            if nxt and _URL_CONT.match(nxt) and not _URL.match(nxt) and (
                url.endswith(("/", ".", "-", "_")) or "/" in nxt or nxt.rstrip(">").isdigit()
            ):
                url += nxt.rstrip(">").rstrip(".,;")
        return url, ln.no
    return None


def _other_links(block: list[_Line]) -> list[tuple[str, int]]:
    """Links of a block that are not http(s) URLs ("javascript:...", "data:..."), with their line numbers."""
    out = []
    for ln in block:
        for m in _OTHER_LINK.finditer(_URL.sub(" ", ln.text)):
            link = m.group(0).strip("<>")
            if not re.match(r"^https?:", link, re.IGNORECASE):
                out.append((link, ln.no))
    return out


def _shown(text: str, limit: int = 60) -> str:
    """``text`` quoted for a message: control characters escaped, cut to ``limit`` characters."""
    return repr(text if len(text) <= limit else text[: limit - 3] + "...")


def _identifier_from_url(url: str) -> tuple[str, str] | None:
    m = _DOC_ID.search(url)
    if not m:
        return None
    if m.group("num"):
        return m.group("num"), "archive-id"
    if m.group("node"):
        return f"node-{m.group('node')}", "url-slug"
    return m.group("slug").lower(), "url-slug"


# --------------------------------------------------------------------------- body

_HEADER = re.compile(
    r"^(?P<name>Date and Time|Date & Time|Date and Place|Date|Time|Place|Location|Venue|Participants|Participating|"
    r"Present|Present were|Attendees|Also present|Also taking part|Also participating|In attendance|Accompanied by|"
    r"Subject|Signed|From|To|Remarks?|Note|Copy|Copies|Classification|Ref|Re|"
    r"Distribution|Drafted by|Approved by|Recorded by|Prepared by|Memorandum for|"
    r"Interpreters?|Translators?|Note[- ]?takers?|Record(?:ed)? keepers?|Minutes taken by|Stenographers?)"
    r"\s*:\s*(?P<value>.*)$",
    re.IGNORECASE,
)
#: Headers in capitals that real exports write without a colon: "DATE & TIME Tuesday, ...", "PLACE Great Hall".
_CAPS_HEADER = re.compile(r"^(?P<name>DATE (?:&|AND) TIME|DATE AND PLACE|PLACE|TIME|LOCATION|PARTICIPANTS|SUBJECT)"
                          r"\s*:?\s+(?P<value>\S.*)$")
#: Headers of one side's participants: "Chinese participants:", "[North] Korean Side: ...",
#: "Albanian delegation represented by: ...", "Accompanied on the Chinese side by ...".
_GROUP_HEADER = re.compile(
    r"^(?P<name>(?:\[[^\]\n]{1,30}\]\s*)?(?:[A-Z][\w’'-]*\s+){0,3}?(?:[Ss]ide|[Pp]articipants|[Dd]elegation"
    r"(?:\s+(?:represented|headed|led)\s+by|\s+members)?|[Pp]resent)\s*:|"
    r"(?:Accompanied|Present|Participating)\s+(?:on|from)\s+the\s+[\w\[\]’' -]{1,40}?\s+side(?:\s+by)?\s*:?)"
    r"\s*(?P<value>.*)$"
)
#: Header names whose value names the people who took part, and those naming one role.
_PARTICIPANT_HEADERS = {"participants", "present", "present were", "participating", "attendees", "also present",
                        "also taking part", "also participating", "in attendance", "accompanied by"}
_ROLE_HEADERS = {
    "interpreter": "interpreter", "interpreters": "interpreter", "translator": "translator",
    "translators": "translator", "notetaker": "notetaker", "notetakers": "notetaker", "note-taker": "notetaker",
    "note-takers": "notetaker", "note taker": "notetaker", "note takers": "notetaker", "recorded by": "recorder",
    "record keeper": "recorder", "record keepers": "recorder", "recordkeeper": "recorder", "minutes taken by": "recorder",
    "stenographer": "recorder", "stenographers": "recorder",
}


def _is_name_list(value: str) -> bool:
    """Could ``value`` be a list of names (with roles), rather than a sentence someone speaks?"""
    value = value.strip()
    if not value:
        return True
    if value.endswith(("?", "!")) or len(value) > 400:
        return False
    if re.search(r"\b(?:[Ww]e|[Yy]ou|[Hh]e|[Ss]he|[Tt]hey|[Oo]ur|[Mm]y|[Yy]our|us|me|them|is|are|was|were|will)\b|\bI\s+[a-z]", value):
        return False
    pieces = [p for p in re.split(r"[,;]|\s+and\s+", value) if p.strip()]
    return all(len(p.split()) <= 10 and (p.strip()[:1].isupper() or p.strip()[:1] in "[(") or
               p.strip().split()[0].islower() and len(p.split()) <= 6 for p in pieces)


def _is_participant_line(t: str) -> bool:
    if _header(t) is not None or len(t.split()) > 16 or t.endswith(("?", "!", ":")) or not _is_name_list(t):
        return False
    if t.endswith(".") and not re.search(r"\b[A-Z]\.$", t):
        return False
    first = re.split(r"[,;]", t)[0]
    return bool(_name_and_role(first)[0])


@dataclass(frozen=True)
class _HeaderLine:
    name: str
    value: str
    value_start: int  # offset in the line's text
    kind: str  # "participants", "role", "other"
    role: str | None = None


def _header(t: str) -> _HeaderLine | None:
    """The header a body line is, if it is one: a named field, a capitals field, or a side's participants."""
    for rx in (_HEADER, _CAPS_HEADER):
        m = rx.match(t)
        if m:
            name = " ".join(m.group("name").split())
            key = name.casefold()
            value = m.group("value").strip()
            vstart = m.start("value") + (len(m.group("value")) - len(m.group("value").lstrip()))
            if key in _ROLE_HEADERS:
                if not value or not _is_name_list(value):
                    return None  # "Interpreter: I would add ..." is the interpreter speaking
                return _HeaderLine(name, value, vstart, "role", _ROLE_HEADERS[key])
            if key in _PARTICIPANT_HEADERS:
                return _HeaderLine(name, value, vstart, "participants")
            return _HeaderLine(name, value, vstart, "other")
    m = _GROUP_HEADER.match(t)
    if m and _is_name_list(m.group("value")):
        name = m.group("name").rstrip(": ").strip()
        value = m.group("value").strip()
        vstart = m.start("value") + (len(m.group("value")) - len(m.group("value").lstrip()))
        return _HeaderLine(name, value, vstart, "participants")
    return None


_PAGE = re.compile(
    r"^(?:\(\s*(?:p\.?|pp\.?|page)\s*(?P<a>\d{1,4})\s*\)|\[\s*(?:p\.?|page)\s*(?P<b>\d{1,4})\s*\]|"
    r"[-–—]\s*(?P<c>\d{1,4})\s*[-–—]|page\s+(?P<d>\d{1,4})|\[(?P<e>\d{1,4})\]\s*$(?!.))$",
    re.IGNORECASE,
)
_FOOTNOTE = re.compile(
    r"^\[(?P<n>\d{1,3}|\*)\]\s+(?P<t>\S.*)$|^(?P<n2>\d{1,3})\)\s+(?P<t2>\S.*)$|"
    r"^(?P<n3>\d{1,3})\s+(?P<t3>(?:Translator|Editor|Author)[’']?s?\s+[Nn]ote\b.*|(?:See|Cf\.|Ibid)\b.*)$"
)
_BOLD_LABEL = re.compile(r"^\*\*(?P<label>[^*\n]{1,100}?)\s*(?P<sep>[:：.])?\s*\*\*\s*(?(sep)|[:：]\s*)(?P<rest>.*)$")
_BRACKET_LABEL = re.compile(r"^\[(?P<label>[^\[\]:\n]{2,80}?)\s*:\s*\]\s*(?:(?P<rest>\S.*))?$")
_COLON_LABEL = re.compile(r"^(?P<label>[^:：\n]{1,100}?)\s*[:：](?:\s+(?P<rest>\S.*)|\s*$)")
_CAPS_PERIOD = re.compile(
    r"^(?P<label>(?:[A-ZА-ЯЁ]\.\s?)*[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]+(?:\s+(?:[A-ZА-ЯЁ]\.\s?)*[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]*){0,4})\.\s+(?P<rest>\S.*)$"
)
_CAPS_BARE = re.compile(
    r"^(?P<label>(?:[A-ZА-ЯЁ]\.\s?)*[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]+(?:\s+(?:[A-ZА-ЯЁ]\.\s?)*[A-ZА-ЯЁ][A-ZА-ЯЁ'’-]*){0,4})\s+(?P<rest>[A-ZА-ЯЁ][a-zа-яё].*)$"
)
_GROUP_LINE = re.compile(
    r"^(?:from\s+\S.*|on\s+the\s+.+\s+side:?|(?:the\s+)?[\w’'-]+(?:\s+[\w’'-]+)?\s+(?:side|delegation|participants):?|"
    r"(?:for|representing)\s+the\s+.+:?)$",
    re.IGNORECASE,
)
_LIST_ITEM = re.compile(r"^(?:[-*•–]|\d{1,3}[.)-])\s+")
_STAGE_WORDS = re.compile(
    r"\b(?:point(?:s|ed|ing)?|laugh(?:s|ed|ing|ter)?|applau\w*|smil\w*|nod\w*|gestur\w*|interrupt\w*|"
    r"pause\w*|turn(?:s|ed|ing)\s+to|show(?:s|ed|ing)|hand(?:s|ed|ing)\s|read(?:s|ing)\b|stand(?:s|ing)|"
    r"stood|silence|inaudible|address(?:es|ed|ing)|to\s+the\s+interpreter|writ(?:es|ing)|look(?:s|ed|ing)\s+at|"
    r"shak\w+\s+hands|ris(?:es|ing)|rose|left\s+the\s+room|enter\w*|exit\w*|sigh\w*|(?:on|off)\s+the\s+record)\b",
    re.IGNORECASE,
)
_PAREN = re.compile(r"\((?P<c>[^()\n]{3,300})\)")
_BRACKET = re.compile(r"\[(?P<c>[^\[\]\n]{1,400})\]")
_ILLEGIBLE = re.compile(r"^(?:illegible|unclear|indecipherable|…|\.\.\.|sic|unknown[^\]]*|text missing|missing|gap)$", re.IGNORECASE)
# Starts only where a word starts: from inside a long run of letters the search would be quadratic.
_DAMAGED = re.compile(r"(?<![^\W\d_])(?:[^\W\d_]+(?:\.\.\.|…|\ufffd|\?)[^\W\d_]+|[^\W\d_]*\ufffd[^\W\d_]*)")
_ALIAS = re.compile(
    r"^(?:hereafter|henceforth|hereinafter)\s+(?:shorten(?:ed)?\s+to|abbreviated\s+(?:to|as)|referred\s+to\s+as|called|as)?\s*[\"“']?(?P<a>[^\"”')]+?)[\"”']?$",
    re.IGNORECASE,
)
_TITLE_PEOPLE = re.compile(
    r"\b(?:between|with|of|from|to|and|by)\s+(?P<rest>.+)$",
    re.IGNORECASE,
)


@dataclass
class _Candidate:
    line_index: int
    style: str  # bold, colon, colon-only, caps-period, caps-bare
    label: str
    label_span: Span
    rest_start: int | None  # offset where the turn's text begins on the label line
    name: str
    alias: str | None
    side: str | None


#: What a name never holds: markup, entities, URLs.
_MARKUP = re.compile(r"[<>{}\\|`^=\"]|&#?\w+;|://")


def _parse_label(label: str) -> tuple[str, str | None, str | None] | None:
    """(name, alias, side) a label gives, or None when it cannot name a speaker."""
    label = " ".join(strip_invisible(label).split())
    alias = side = None
    # A footnote marker glued to the label: "Zamyatin1", "Kim Il Sung[1]", "Kroll¹".
    label = re.sub(r"(?<=[^\W\d_])(?:\d{1,2}|\[\d{1,3}\]|[\u00b9\u00b2\u00b3\u2070-\u2079]+)$", "", label)
    name = label
    m = re.match(r"^(?P<outer>[^()\[\]]*?)\s*\((?P<inner>[^()]+)\)\s*$", label)
    if m:
        outer, inner = m.group("outer").strip(), m.group("inner").strip()
        am = _ALIAS.match(inner)
        if am:
            name, alias = outer, am.group("a").strip()
        elif outer and is_name_like(inner) and (inner.isupper() or len(outer.split()) == 1):
            # "North (KIM)": side and speaker.
            name, side = inner, outer
        elif outer:
            name = outer  # "Mao Zedong (Chairman)": a role in parentheses
        else:
            return None
    m = re.match(r"^(?P<outer>[^\[\]]*?)\s*\[(?P<inner>[^\[\]]+)\]\s*(?P<after>[^\[\]]*)$", name)
    if m:
        inner = m.group("inner").strip()
        name = inner if is_name_like(inner) else (m.group("outer") + " " + m.group("after")).strip()
    name = strip_honorifics(name.strip(" .,"))
    if not name or not is_name_like(name):
        return None
    if alias is not None and not is_name_like(alias):
        alias = None
    return name, alias, side


def _candidate(lines: list[_Line], idx: int, text: str) -> _Candidate | None:
    ln = lines[idx]
    t = ln.text
    if _header(t) is not None:
        return None
    m = _BRACKET_LABEL.match(t)
    if m:  # "[Comrade Zhou Enlai:] ...": a label the translator supplied
        label = m.group("label").strip()
        parsed = _parse_label(label)
        if parsed is None:
            return None
        lstart = ln.start + m.start("label")
        rest_start = ln.start + m.start("rest") if m.group("rest") else None
        return _Candidate(idx, "bold", label, Span(lstart, lstart + len(label)), rest_start, *parsed)
    if t.startswith(("[", "(", "-", "*", "•")) and not t.startswith("**"):
        return None
    m = _BOLD_LABEL.match(t)
    if m:
        label = m.group("label").strip().rstrip(":：.").strip()
        parsed = _parse_label(label) if label else None
        if parsed is None:
            if not label or len(label) > 60 or _MARKUP.search(label) or not any(c.isalpha() for c in label):
                return None  # a label must look like a name: markup in the text stays text
            parsed = (strip_honorifics(strip_invisible(label)), None, None)
        lstart = ln.start + t.index(label, 2)
        rest = m.group("rest")
        rest_start = ln.start + (len(t) - len(rest)) if rest else None
        return _Candidate(idx, "bold", label, Span(lstart, lstart + len(label)), rest_start, *parsed)
    m = _COLON_LABEL.match(t)
    if m:
        label = m.group("label").strip()
        if label.startswith("**") or "http" in label:
            return None
        parsed = _parse_label(label)
        if parsed is None:
            return None
        rest = m.group("rest")
        if rest is None and len(label.split()) > 4:
            return None
        rest_start = ln.start + m.start("rest") if rest else None
        style = "colon" if rest else "colon-only"
        return _Candidate(idx, style, label, Span(ln.start, ln.start + len(label)), rest_start, *parsed)
    for rx, style in ((_CAPS_PERIOD, "caps-period"), (_CAPS_BARE, "caps-bare")):
        m = rx.match(t)
        if m:
            label = m.group("label").strip()
            if sum(c.isalpha() for c in label) < 3:
                return None
            parsed = _parse_label(label)
            if parsed is None:
                return None
            return _Candidate(
                idx, style, label, Span(ln.start, ln.start + len(label)), ln.start + m.start("rest"), *parsed
            )
    return None


_ORG_WORDS = frozenset(
    """ministry ministries embassy embassies committee party parties government governments delegation
    delegations department council union republic republics office bureau agency army navy forces
    congress conference assembly politburo presidium secretariat commission consulate mission group
    nations organization organisation front league association institute archive archives resources affairs
    energy economy trade industry security relations development friendship""".split()
)


_COLLECTIVE = frozenset("leaders leadership officials representatives members organizations organisations parties "
                        "others other people peoples comrades friends".split())


def _title_names(title: str) -> list[str]:
    """Person names a title gives: "Conversation between Mao Zedong and Beqir Balluku"."""
    title = strip_invisible(title)
    rest = None
    found = [m for w in ("between", "with", "from", "by", "to") if (m := re.search(rf"\b{w}\s+(?P<rest>.+)$", title, re.I))]
    if found:
        rest = min(found, key=lambda m: m.start()).group("rest")  # the first: "Letter from X to Y"
    else:
        m = re.search(r"\bof\s+(?P<rest>.+)$", title, re.IGNORECASE)
        rest = m.group("rest") if m else None
    if rest is None:
        return []
    rest = re.split(r"[’']s\b", rest)[0]  # "Chairman Mao's Reception of ...": the name ends at the possessive
    rest = re.sub(r"^(?:the\s+)?(?:diary|diaries|notes|papers|memoirs|journal|records?|files?)\s+of\s+", "", rest,
                  flags=re.IGNORECASE)  # "Excerpt from the Diary of Anatoly Chernyaev"
    rest = re.split(
        r"\s+(?:on|in|at|regarding|concerning|about|during|for|re)\s+(?=[^A-Z]|\d|[A-Z][a-z]+\s+\d|the\b)",
        rest, flags=re.IGNORECASE,
    )[0]
    rest = re.split(r"\s+(?:regarding|concerning|about|on the|in the)\s+", rest, flags=re.IGNORECASE)[0]
    names: list[str] = []
    for part in re.split(r"\s*,?\s+(?:and|with|to)\s+|\s*;\s*", rest):
        part = part.split(",")[0].strip(" .'\"“”")
        part = strip_honorifics(part)
        # Keep the leading capitalised run: "Ho Chi Minh, Chairman of ..." -> "Ho Chi Minh".
        keep: list[str] = []
        for w in part.split():
            if w[:1].isupper() or (keep and fold(w) in {"de", "van", "von", "bin"}):
                keep.append(w)
            else:
                break
        cand = " ".join(keep)
        words = [fold(w).strip(".") for w in cand.split()]
        if (
            cand and is_name_like(cand)
            and not all(w in ROLE_WORDS or w.rstrip("s") in ROLE_WORDS or w in _COLLECTIVE for w in words)
            and not any(w.rstrip("s") in _ORG_WORDS for w in words)
            and not any(w in _ORG_WORDS for w in words)
        ):
            names.append(cand)
    return names


def _written_elsewhere(name: str, words: Counter[str]) -> bool:
    """A label in capitals ("ZAMYATIN") whose surname the document also writes in mixed case ("Zamyatin")."""
    last = name.split()[-1].strip(".")
    if not last.isupper() or len(last) < 3:
        return False
    mixed = last[:1] + last[1:].lower()
    return words[mixed] >= 1


def _corroborated(name: str, known: list[tuple[str, ...]], counts: Counter[str], aliases: set[str]) -> bool:
    toks = name_tokens(name)
    if not toks:
        return False
    if counts[toks] >= 2 or " ".join(toks) in aliases:
        return True
    return any(set(toks) <= set(k) for k in known)


def _markers(text: str, base: int, *, in_turn: bool) -> tuple[Marker, ...]:
    """Stage directions, editorial insertions and damaged words inside ``text``."""
    out: list[Marker] = []
    for m in _BRACKET.finditer(text):
        inner = m.group("c").strip()
        if inner.isdigit():
            continue  # a footnote reference "[1]"
        kind = MarkerKind.ILLEGIBLE if _ILLEGIBLE.match(inner) else MarkerKind.EDITORIAL
        out.append(Marker(kind, m.group(0), Span(base + m.start(), base + m.end())))
    for m in _PAREN.finditer(text):
        inner = m.group("c")
        if _STAGE_WORDS.search(inner) and (in_turn or inner[:1].isupper()):
            out.append(Marker(MarkerKind.STAGE_DIRECTION, m.group(0), Span(base + m.start(), base + m.end())))
    marked = "?" in text or "\ufffd" in text or "…" in text or "..." in text  # what a damaged word needs
    for m in (_DAMAGED.finditer(text) if marked else ()):
        word = m.group(0)
        if "?" in word and not re.search(r"\w\?\w", word):
            continue
        if "?" in word and word.count("?") == 1 and word.index("?") in (0, len(word) - 1):
            continue
        out.append(Marker(MarkerKind.DAMAGED, word, Span(base + m.start(), base + m.end())))
    return tuple(sorted(out, key=lambda mk: (mk.span.start, mk.span.end)))


def _split_top(text: str) -> list[tuple[int, str]]:
    """Split a participant line at ';', ', ' and ' and ' outside brackets: (offset, piece)."""
    out: list[tuple[int, str]] = []
    depth = start = i = 0
    while i < len(text):
        ch = text[i]
        if ch in "([":
            depth += 1
        elif ch in ")]":
            depth = max(0, depth - 1)
        elif depth == 0:
            sep = 0
            if ch == ";":
                sep = 1
            elif text.startswith(", ", i) and (text[i + 2 : i + 3].isupper() or text[i + 2 : i + 3] == "["):
                sep = 2
            elif text.startswith(" and ", i) and text[i + 5 : i + 6].isupper():
                sep = 5
            if sep:
                out.append((start, text[start:i]))
                start = i + sep
                i += sep
                continue
        i += 1
    out.append((start, text[start:]))
    return [(o + len(p) - len(p.lstrip()), p.strip()) for o, p in out if p.strip()]


def _name_and_role(piece: str) -> tuple[str, str | None]:
    alias, lead_role = None, None
    piece = strip_invisible(piece)
    piece = re.sub(r"(?:\s*\.){2,}\s*$", "", " ".join(piece.split()))  # "K. V. Rusakov. . . . ."
    m = re.match(r"^\[(?P<role>[^\[\]]{2,120})\]\s*(?P<rest>\S.*)$", piece)
    if m:  # "[ALP CC Member] Mehmet Shehu": an editor's note of the role before the name
        lead_role, piece = m.group("role").strip(), m.group("rest")
    m = re.match(r"^(?P<name>[^\[\]]+?)\s*\[(?P<alt>[^\[\]]{2,60})\]\s*(?P<after>.*)$", piece)
    if m and is_name_like(m.group("alt").strip()):  # "Chou En-lai [Zhou Enlai], Interpreter"
        alias, piece = m.group("alt").strip(), (m.group("name") + " " + m.group("after")).strip()
    title, rest = split_title(strip_honorifics(piece))
    if title and rest:
        piece = rest
        lead_role = lead_role or title
    name, role = _name_and_role_plain(strip_honorifics(piece))
    if name.endswith(".") and len(name.split()[-1]) > 3:
        name = name[:-1]  # "Ramiz Alia." ends its list
    if not name and lead_role:
        # "Vice Governor of Zhejiang Province Wu Xian": the name closes the office.
        words = piece.split()
        cand = " ".join(words[-2:])
        if len(words) > 2 and is_name_like(cand) and not {fold(w.strip(".,")) for w in words[-2:]} & (ROLE_WORDS | _ORG_WORDS):
            name, role = cand, " ".join(words[:-2])
    if name and alias:
        name = f"{name}\x00{alias}"
    return name, role or lead_role


_PLACE_WORDS = frozenset("province region oblast city county district republic state prefecture".split())


def _name_and_role_plain(piece: str) -> tuple[str, str | None]:
    piece = strip_invisible(piece)
    words = strip_honorifics(piece).split()
    while len(words) > 2 and fold(words[0]) in _PLACE_WORDS:
        words = words[1:]  # "[Vice Governor of Zhejiang] Province Wu Xian"
    if any(fold(w.strip(".,;")) in _ORG_WORDS for w in words[:4]) and not any(fold(w.strip(".,;")) in ROLE_WORDS
                                                                            for w in words[:1]):
        stop = next(i for i, w in enumerate(words) if fold(w.strip(".,;")) in _ORG_WORDS)
        if all(w[:1].isupper() for w in words[:stop]):
            return "", " ".join(words) or None  # "Chinese Friendship Delegation": an organisation, not a person
    name_words: list[str] = []
    for i, w in enumerate(words):
        core = w.strip(".,()")
        nxt = words[i + 1] if i + 1 < len(words) else ""
        if not core or any(c.isdigit() for c in core) or fold(core) in ROLE_WORDS or not core[0].isupper():
            break
        # A capitalised word followed by "to"/"of" begins a role: "Asistant to the co-chairman".
        if name_words and nxt in {"to", "of", "for", "at", "in"}:
            break
        if len(name_words) >= 4:
            break
        name_words.append(w.rstrip(","))
    name = " ".join(name_words)
    if not name or not is_name_like(name):
        return "", piece.strip() or None
    at = piece.find(name)
    role = piece[at + len(name) :].strip(" ,;") if at >= 0 else ""
    if role.startswith("(") and role.endswith(")") and role.count("(") == 1:
        role = role[1:-1].strip()
    return name, role or None


def _participant(ln: _Line, group: str | None) -> list[Participant]:
    """Names on a participant line: "CHANG Ki-yeong Assistant to ..." or "A, B and C"."""
    pieces = _split_top(ln.text)
    first = strip_invisible(pieces[0][1])
    first_name, first_role = _name_and_role_plain(split_title(first)[1] or first)
    second = strip_invisible(pieces[1][1]).split() if len(pieces) > 1 else []
    role_next = bool(second) and (any(fold(w.strip(".,")) in ROLE_WORDS | {"staff", "charge", "chargé"} for w in second)
                                  or (len(pieces) > 1 and not _name_and_role(pieces[1][1])[0]))
    if len(pieces) > 1 and (not first_name or first_role or role_next):
        pieces = [(0, ln.text)]  # "Name Role, Organisation": one participant
    out: list[Participant] = []
    for pos, piece in pieces:
        name, role = _name_and_role(piece)
        start = ln.start + pos
        if not name:
            if out and role:  # "Mao Zedong, Chairman of the CCP"
                prev = out[-1]
                out[-1] = Participant(prev.name, role if not prev.role else f"{prev.role}, {role}", prev.group,
                                      Span(prev.span.start, start + len(piece)), prev.line)
            continue
        name, _, alias = name.partition("\x00")
        out.append(Participant(name=name, role=role, group=group, span=Span(start, start + len(piece)), line=ln.no,
                               alias=alias or None))
    return out


# --------------------------------------------------------------------------- read


def _content_id(title: str, date: str, body: str) -> str:
    norm = unicodedata.normalize("NFC", " ".join(f"{title}\n{date}\n{body}".split()))
    return "c-" + hashlib.sha256(norm.encode("utf-8")).hexdigest()[:16]


def _script_language(body: str, original: str | None) -> str:
    letters = [c for c in body if c.isalpha()]
    if not letters:
        return "English"
    cyr = sum("\u0400" <= c <= "\u04ff" for c in letters)
    if cyr > len(letters) / 2:
        if original and original.split(",")[0].strip() in {"Russian", "Bulgarian", "Serbian", "Ukrainian", "Belarusian", "Macedonian", "Mongolian"}:
            return original.split(",")[0].strip()
        return "Russian"
    return "English"


_BIDI_ANY = re.compile(f"[{BIDI_CONTROLS}]")
_BIDI_WARNINGS = 10


def _bidi_warnings(text: str, source: str) -> list[str]:
    """A warning for each line holding bidirectional control characters (the first few lines, then a count)."""
    if not has_bidi_controls(text):
        return []
    by_line: dict[int, set[str]] = {}
    for m in _BIDI_ANY.finditer(text):
        by_line.setdefault(text.count("\n", 0, m.start()) + 1, set()).add(m.group(0))
    out = []
    for no, chars in sorted(by_line.items())[:_BIDI_WARNINGS]:
        codes = ", ".join(f"U+{ord(c):04X}" for c in sorted(chars))
        out.append(f"{source}:{no}: the line holds invisible bidirectional control characters ({codes}); they stay "
                   "in the text as written but are left out of every name and identifier -- remove them if they are "
                   "not meant")
    if len(by_line) > _BIDI_WARNINGS:
        out.append(f"{source}:{sorted(by_line)[_BIDI_WARNINGS]}: ... and {len(by_line) - _BIDI_WARNINGS} more lines "
                   "hold bidirectional control characters")
    return out


_TRAILING_DIGITS, _BODY_WORD = re.compile(r"\d+$"), re.compile(r"[^\W\d_][^\W_]*")


def read(text: str, source: str) -> Document:
    """Read one export into a :class:`Document`; raise :class:`DocumentError` if malformed."""
    errors: list[DocumentError] = []
    if not text.strip():
        raise DocumentError(
            "the document is empty", source=source, line=1, column=1,
            hint="remove the file, or export the document again",
        )
    if "\x00" in text:
        raise DocumentError.at(
            text, text.index("\x00"), "the file holds a NUL character: it is binary, not a text export",
            source=source, hint="export the document as UTF-8 text",
        )
    lines = _lines(text)
    line_starts = [0]
    for ln in text.split("\n")[:-1]:
        line_starts.append(line_starts[-1] + len(ln) + 1)

    def line_of(offset: int) -> int:
        return bisect.bisect_right(line_starts, offset)

    fr = _front(lines, source)
    warnings = list(fr.warnings)
    warnings += _bidi_warnings(text, source)

    # Citation: text, URL, quoted title, date slot, holding archive.
    citation = citation_span = url = archive = None
    if "citation" in fr.sections:
        got = _block_text(text, fr.sections["citation"])
        if got:
            citation, citation_span = got
            found = _find_url(fr.sections["citation"])
            if found is not None:
                url, url_line = found
                problem = _iri_problem(url)
                if problem is not None:
                    warnings.append(f"{source}:{url_line}: the citation URL {_shown(url)} is not a valid IRI ({problem}); "
                                    "it is not used, and the identifier comes from the content -- correct the URL")
                    url = None
            for link, at in _other_links(fr.sections["citation"]):
                warnings.append(f"{source}:{at}: the citation link {_shown(link)} is not an http(s) URL; it is not "
                                "used as the document's URL nor as part of the archive's name")
            # The holding archive: the citation's part after "Digital Archive,", without any link.
            plain = _OTHER_LINK.sub("", _URL.sub("", citation)).strip()
            parts = _ARCHIVE_SPLIT.split(plain, maxsplit=1)
            if len(parts) == 2:
                archive = strip_invisible(parts[1]).split(",")[0].strip().rstrip(".").strip() or None
            citation = " ".join(_URL.sub(lambda m: m.group("url"), citation).split())
    # Title.
    title = title_span = None
    if fr.title_line is not None:
        m = _H1.match(fr.title_line.text)
        assert m
        title = m.group("v")
        off = fr.title_line.start + fr.title_line.text.find(title)
        title_span = Span(off, off + len(title))
    elif citation:
        m = _CITE_TITLE.match(citation)
        if m:
            title = m.group("t").rstrip(",")
            raw = text[citation_span.start : citation_span.end] if citation_span else ""
            pos = raw.find(title)
            if pos >= 0 and citation_span:
                title_span = Span(citation_span.start + pos, citation_span.start + pos + len(title))
    if not title:
        at = fr.date_line.no + 1 if fr.date_line else (lines[fr.body_start].no if fr.body_start < len(lines) else 1)
        errors.append(
            DocumentError(
                "the document has no title", source=source, line=at, column=1,
                hint="add a '# Title' line after the date heading (or a citation that starts with the quoted title)",
            )
        )
    # Date: the heading, else the citation's date slot.
    date = DocumentDate(text="", start=None)
    if fr.date_line is not None:
        m = _H2.match(fr.date_line.text)
        assert m
        raw_date = m.group("v")
        col_off = fr.date_line.start + fr.date_line.text.find(raw_date)
        try:
            date = parse_date(raw_date)
            date = DocumentDate(date.text, date.start, date.end, date.approximate, Span(col_off, col_off + len(raw_date)))
        except DateError as err:
            errors.append(DocumentError.at(text, col_off, f"the date heading does not parse: {err}", source=source,
                                           hint="correct the '## date' line"))
    elif citation:
        m = re.match(r"^[\"“”„«].+?[\"“”»]\s*,?\s*(?P<d>[^,]*(?:,\s*\d{4})?)\s*,", citation)
        if m and m.group("d").strip():
            try:
                date = parse_date(m.group("d"))
            except DateError:
                at = line_of(citation_span.start) if citation_span else 1
                warnings.append(f"{source}:{at}: the citation's date {m.group('d')!r} does not parse; the document is undated")
    if date.start is None:
        at = fr.date_line.no if fr.date_line else (fr.title_line.no if fr.title_line else 1)
        warnings.append(f"{source}:{at}: the document is undated -- add a '## Month DD, YYYY' heading if the date is known")

    summary = summary_span = None
    if "summary" in fr.sections:
        got = _block_text(text, fr.sections["summary"])
        if got:
            summary, summary_span = got
    credits = None
    if "credits" in fr.sections:
        got = _block_text(text, fr.sections["credits"])
        credits = got[0] if got else None
    original_language = None
    if "original language" in fr.sections:
        got = _block_text(text, fr.sections["original language"])
        original_language = " ".join(got[0].split()) if got else None
    contents: tuple[str, ...] = ()
    if "contents" in fr.sections:
        contents = tuple(
            re.sub(r"^[-*•]\s+", "", ln.text) for ln in fr.sections["contents"] if not ln.blank
        )

    # ------------------------------------------------------------- body
    body = lines[fr.body_start :]
    body_lines = [ln for ln in body if not ln.blank]
    if not body_lines:
        filled = [ln for ln in lines if not ln.blank]
        at = filled[-1].no if filled else 1
        errors.append(DocumentError(
            "the document has no body text after its metadata sections", source=source, line=at, column=1,
            hint="check that the export is complete: the transcript or text follows the '### Contents:' list",
        ))
    if errors:
        raise errors[0] if len(errors) == 1 else DocumentErrors(errors)
    assert title is not None
    # Single-newline bodies: every line is a paragraph. Blank-line bodies: blocks are.
    gaps = sum(
        1 for a, b in zip(body, body[1:]) if not a.blank and b.blank
    )
    line_mode = gaps <= max(1, len(body_lines) // 10)

    # Pass 1: label candidates.
    idx0 = fr.body_start
    cands: dict[int, _Candidate] = {}
    for k in range(idx0, len(lines)):
        if lines[k].blank:
            continue
        c = _candidate(lines, k, text)
        if c is not None:
            cands[k] = c
    title_names = tuple(_title_names(" ".join(title.split())))  # the persons it names, given with the Document
    known = [name_tokens(n) for n in title_names]
    # Lines of a participant list are never turns; their names corroborate labels.
    participants_seen: list[tuple[str, ...]] = []
    for k in range(idx0, len(lines)):
        h = _header(lines[k].text)
        if h is not None and h.kind in ("participants", "role") and h.value:
            sub = _Line(lines[k].no, lines[k].start + h.value_start, lines[k].end, h.value)
            participants_seen.extend(name_tokens(p.name) for p in _participant(sub, None))
        if h is not None and h.kind == "participants":
            j = k + 1
            while j < len(lines) and not lines[j].blank:
                c = cands.get(j)
                if c is not None and c.style in ("bold", "colon") or _header(lines[j].text):
                    break
                cands.pop(j, None)
                participants_seen.extend(name_tokens(p.name) for p in _participant(lines[j], None))
                j += 1
    body_words = Counter(_TRAILING_DIGITS.sub("", w) if w[-1].isdecimal() else w for w in _BODY_WORD.findall(text[lines[idx0].start if idx0 < len(lines) else 0 :]))
    for k, c in list(cands.items()):
        # "H. Krollb": a footnote letter glued to a surname the document writes elsewhere without it.
        last = c.name.split()[-1]
        if len(last) > 3 and last[-1] in "abcdefgh" and last[-2].islower() and (body_words[last[:-1]] >= 1 or last[:-1] in title.split()) \
                and last not in title.split():
            cands[k] = _Candidate(c.line_index, c.style, c.label, c.label_span, c.rest_start,
                                  c.name[:-1], c.alias, c.side)
    counts: Counter[tuple[str, ...]] = Counter(name_tokens(c.name) for c in cands.values())
    aliases = {" ".join(name_tokens(c.alias)) for c in cands.values() if c.alias}
    known_all = known + [t for t in participants_seen if t]
    accepted: dict[int, _Candidate] = {}
    for k, c in cands.items():
        one_word = len(c.name.split()) == 1
        if c.style == "bold":
            ok = True
        elif c.style == "colon":
            ok = not one_word or c.name.isupper() or _corroborated(c.name, known_all, counts, aliases) or (
                c.name.casefold() in ROLE_WORDS
            ) or body_words[c.name] >= 2  # "Khrushchev:" after "Comrade Khrushchev" in the text
        elif c.style == "colon-only":
            ok = _corroborated(c.name, known_all, counts, aliases) or len(c.name.split()) in (2, 3)
        else:  # caps-period, caps-bare
            ok = _corroborated(c.name, known_all, counts, aliases) or _written_elsewhere(c.name, body_words)
        if ok:
            accepted[k] = c

    # Pass 2: walk the body.
    turns: list[Turn] = []
    paragraphs: list[Paragraph] = []
    headers: list[HeaderField] = []
    participants: list[Participant] = []
    pages: list[PageMarker] = []
    notes: list[Footnote] = []
    cur_turn: dict | None = None
    cur_para: list[_Line] | None = None
    in_participants = False
    group: str | None = None

    def close_para() -> None:
        nonlocal cur_para
        if cur_para:
            span = Span(cur_para[0].start, cur_para[-1].end)
            paragraphs.append(
                Paragraph(
                    position=len(paragraphs) + 1, text=span.slice(text), span=span, line=cur_para[0].no,
                    markers=_markers(span.slice(text), span.start, in_turn=False),
                )
            )
        cur_para = None

    def close_turn() -> None:
        nonlocal cur_turn
        if cur_turn is not None:
            c: _Candidate = cur_turn["cand"]
            start, end = cur_turn["start"], cur_turn["end"]
            if start is None:
                start = end = c.label_span.end
                warnings.append(f"{source}:{lines[c.line_index].no}: the turn of '{c.label}' has no text")
            span = Span(start, max(start, end))
            turns.append(
                Turn(
                    position=len(turns) + 1, text=span.slice(text), span=span, line=line_of(span.start),
                    markers=_markers(span.slice(text), span.start, in_turn=True), label=c.label,
                    label_span=c.label_span, name=c.name, alias=c.alias, side=c.side,
                )
            )
        cur_turn = None

    consumed: set[int] = set()
    for k in range(idx0, len(lines)):
        ln = lines[k]
        if k in consumed:
            continue
        if ln.blank:
            if in_participants:
                # A list written one person a paragraph goes on while the next paragraph is a name.
                nxt = next((x for x in lines[k + 1 :] if not x.blank), None)
                in_participants = nxt is not None and _is_participant_line(nxt.text)
            if not line_mode:
                close_para()
            continue
        t = ln.text
        pm = _PAGE.match(t)
        if pm:
            label = next(g for g in pm.groups() if g)
            pages.append(PageMarker(label, Span(ln.start, ln.end), ln.no))
            if cur_turn is None:
                close_para()
            continue
        fm = _FOOTNOTE.match(t)
        if fm and (cur_turn is not None or k not in accepted):
            close_turn()
            close_para()
            notes.append(Footnote(fm.group("n") or fm.group("n2") or fm.group("n3"),
                                  fm.group("t") or fm.group("t2") or fm.group("t3"), Span(ln.start, ln.end), ln.no))
            continue
        hm = _header(t)
        if hm and k not in accepted:
            close_turn()
            close_para()
            headers.append(HeaderField(hm.name, hm.value, Span(ln.start, ln.end), ln.no))
            in_participants = hm.kind == "participants"
            group = None if hm.name.casefold() in _PARTICIPANT_HEADERS or hm.kind != "participants" else hm.name
            if hm.value and hm.kind in ("participants", "role"):
                j, vstart = k, ln.start + hm.value_start
                while j + 1 < len(lines) and not lines[j + 1].blank and j + 1 not in accepted and (
                    text[vstart : lines[j].end].count("[") > text[vstart : lines[j].end].count("]")
                    or text[vstart : lines[j].end].rstrip().endswith(",")
                ) and not _header(lines[j + 1].text):
                    j += 1
                consumed.update(range(k + 1, j + 1))
                sub = _Line(ln.no, vstart, lines[j].end, text[vstart : lines[j].end])
                got = _participant(sub, group)
                if hm.role:
                    got = [Participant(p.name, p.role or hm.role, p.group, p.span, p.line, p.alias, hm.role) for p in got]
                participants.extend(got)
            continue
        if in_participants and k not in accepted:
            if _GROUP_LINE.match(t) or (t.endswith(":") and len(t.split()) <= 6):
                group = t.rstrip(":")
            else:
                j = k
                while j + 1 < len(lines) and not lines[j + 1].blank and j + 1 not in accepted and (
                    text[ln.start : lines[j].end].count("[") > text[ln.start : lines[j].end].count("]")
                ) and not _header(lines[j + 1].text):
                    j += 1
                consumed.update(range(k + 1, j + 1))
                participants.extend(_participant(_Line(ln.no, ln.start, lines[j].end, text[ln.start : lines[j].end]), group))
            continue
        if k in accepted:
            close_turn()
            close_para()
            in_participants = False
            c = accepted[k]
            cur_turn = {"cand": c, "start": c.rest_start, "end": ln.end if c.rest_start is not None else None}
            continue
        if cur_turn is not None:
            # An all-bracketed paragraph after a turn is editorial, not the speaker's.
            if t.startswith("[") and t.endswith("]") and (line_mode or k == 0 or lines[k - 1].blank):
                close_turn()
            else:
                if cur_turn["start"] is None:
                    cur_turn["start"] = ln.start
                cur_turn["end"] = ln.end
                continue
        if line_mode:
            close_para()
            cur_para = [ln]
            close_para()
        else:
            if cur_para is None:
                cur_para = []
            cur_para.append(ln)
    close_turn()
    close_para()

    # Identifier: archive id from the URL, else the URL slug, else the content.
    ident = _identifier_from_url(url) if url else None
    body_span = Span(body_lines[0].start, body_lines[-1].end)
    if ident is None:
        ident = (_content_id(title, date.text, body_span.slice(text)), "content-hash")
        if url:
            at = line_of(citation_span.start) if citation_span else 1
            warnings.append(f"{source}:{at}: the citation URL {url} has no document id; the identifier comes from the content")
    text_language = None
    is_translation = None
    for item in contents:
        m = re.match(r"^(?P<lang>[^\W\d_][\w -]*?)\s+(?P<kind>Translation|Transcription|Original)\b", item, re.IGNORECASE)
        if m:
            text_language = m.group("lang").strip().title()
            is_translation = m.group("kind").lower() == "translation"
            break
    if text_language is None:
        text_language = _script_language(body_span.slice(text), original_language)
        if original_language:
            is_translation = fold(original_language) != fold(text_language)
    if not turns and not paragraphs:
        warnings.append(f"{source}:{body_lines[0].no}: the body has neither turns nor paragraphs")
    return Document(
        source=source,
        identifier=ident[0],
        identifier_origin=ident[1],
        title=" ".join(title.split()),
        title_span=title_span,
        title_names=title_names,
        date=date,
        url=url,
        citation=citation,
        citation_span=citation_span,
        archive=archive,
        summary=summary,
        summary_span=summary_span,
        credits=credits,
        original_language=original_language,
        original_language_line=next((ln.no for ln in fr.sections.get("original language", []) if not ln.blank), None),
        contents=contents,
        text_language=text_language,
        is_translation=is_translation,
        turns=tuple(turns),
        paragraphs=tuple(paragraphs),
        header_fields=tuple(headers),
        participants=tuple(participants),
        page_markers=tuple(pages),
        footnotes=tuple(notes),
        body_span=body_span,
        warnings=tuple(warnings),
    )
