"""Where a document names people outside its speaker labels: pure text rules over its own structure.

``named_people(doc)`` gives every person name the document writes in a form that
only a person takes, with where it stands:

- the credits of the citation ("Translated by Neil Silver", "Obtained for CWIHP by
  Ana Lalaj and translated for CWIHP by Enkel Daljani"), with their role;
- a title or form of address before a name ("Comrade Lee Won-seon", "Cde. Konev",
  "Ambassador Yao", "[Foreign Minister] Pak Heon-yeong", "[Cuban leader Fidel] Castro");
- initials before a surname ("L. I. Brezhnev", "A.P. Ratanov", "Yu. V. Andropov");
- romanised Korean names ("Hong Myeong-hui");
- the subject of a speech verb at the start of a sentence ("Mengistu requested",
  "Stalin asks");
- a signature on the last line ("(A. Gromyko)", "24.III.50 Shtykov").

No statistical model: the rules read the document's own structure, so each name
they give is a person by the way it is written. Names parsed by ``names.split_title``
(nameparser) lose their titles.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

from .model import Document
from .names import ROLE_WORDS, fold, is_name_like, split_title

__all__ = ["NamedPerson", "named_people"]

_CAP = r"[A-ZÀ-ÖØ-ÞĀ-Ž](?:[\w-]|[’'](?![sS]\b))*"
_TITLE_WORDS = (
    r"Comrades?|Cdes?\.|Cde|Mr\.?|Mrs\.?|Dr\.?|Ambassador|President|Premier|Chairman|Minister|Secretary|Marshal|"
    r"General|Academician|Professor|Prof\.|Vice[- ]Admiral|Admiral|Director|Chancellor|Senator|Governor|Colonel|"
    r"Captain|Consul|Counsell?or|Envoy|King|Queen|Prince|Prime Minister|Foreign Minister|Vice[- ]Premier"
)
_TITLED = re.compile(rf"\b(?P<title>{_TITLE_WORDS})\s+(?P<name>(?:[A-Z][a-z]?\.[ \t]?){{0,3}}{_CAP}(?:[ \t]+(?:[A-Z]\.|{_CAP})){{0,3}})")
#: Words of a headline after a name: "Ambassador Huang Meets with Comrade Khrushchev".
_HEADLINE_TAIL = re.compile(r"(?:\s+(?:Meets?|Visits?|Receives?|Talks|Says|With|And|On|In|At|To|For|Of|About|"
                            r"Regarding|Concerning|Reception|Statement|Speech|Letter|Conversation))+$")
_INITIALS = re.compile(rf"(?<![\w.])(?P<name>(?:[A-Z][a-z]?\.[ \t]?){{1,3}}(?:[A-Z][a-zà-ÿ’'-]{{2,}}|[A-Z][A-Z’'-]{{2,}}\b)(?:-[A-Z][a-z]+)?)")
_BRACKET_ROLE = re.compile(rf"\[(?P<role>[^\[\]]{{3,80}})\]\s+(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,2}})")
_KOREAN = re.compile(r"\b(?P<name>[A-Z][a-z]{1,5} [A-Z][a-z]{1,7}-[a-z]{1,7})\b")
_SPEECH = re.compile(
    rf"(?:^|(?<=[.!?]\s)|(?<=\n))(?P<name>{_CAP}(?:[ \t]+{_CAP}){{0,3}})\s+(?:also\s+)?(?:said|says|asks|asked|answers|answered|"
    r"replies|replied|stated|states|requested|requests|remarked|remarks|noted|notes|thanks|thanked|suggests|suggested|"
    r"informed|informs|underscored|stressed|emphasized|emphasised|declared|declares|explained|explains|added|adds|"
    r"agreed|agrees|proposed|proposes|responded|objected|pointed out|turns to)\b"
)
#: "Comrades Bograti, Kasemi, and Frutan", "Comrades Ruszakov and Kudryashov": a plural title before a list.
_PLURAL_TITLED = re.compile(rf"\b(?:Comrades|Cdes\.)\s+(?P<list>{_CAP}(?:(?:,\s*|,?\s+and\s+){_CAP}(?![\w-])){{1,8}})")
#: "Legesse Asfaw, member of the Permanent Committee": a name and the office after it.
_APPOSITIVE = re.compile(
    rf"(?:^|[(\[,;]\s*|\n)(?P<name>{_CAP}[ \t]+{_CAP}(?:[ \t]+{_CAP})?),\s+(?:a\s+|the\s+)?(?:member|head|chairman|"
    r"secretary|minister|director|deputy|leader|ambassador|president|chief|representative|commander|official|"
    r"adviser|advisor|counsellor|counselor|envoy|spokesman|editor)\b")
#: "[D. K.] Skobel'styn": initials the editor supplies.
_BRACKET_INITIALS = re.compile(rf"\[(?P<ini>(?:[A-Z][a-z]?\.\s?){{1,3}})\]\s*(?P<name>{_CAP})")
_CREDIT = re.compile(
    r"(?P<verb>[Tt]ranslated|[Cc]ontributed|[Oo]btained|[Ee]dited|[Tt]ranscribed|[Aa]nnotated|[Pp]rovided)"
    r"(?:\s+(?:for|by)\s+(?!by\b)[\w.&-]+(?:\s+[\w.&-]+){0,2}?)?\s+by\s+"
    rf"(?P<name>{_CAP}(?:[ \t]+(?:[A-Z]\.|{_CAP})){{1,3}})"
)
_CREDIT_ROLES = {"translated": "translator", "contributed": "contributor", "obtained": "contributor",
                 "edited": "editor", "transcribed": "transcriber", "annotated": "editor", "provided": "contributor"}
_NOT_NAMES = frozenset(
    """soviet chinese korean american british french german polish hungarian albanian bulgarian vietnamese
    central committee party government ministry embassy delegation army council union republic state states
    people peoples national foreign affairs department office bureau agency congress conference assembly
    politburo presidium secretariat commission front league association institute archive archives center
    centre foundation university press radio news the of and""".split()
)
_ROLE_HINTS = re.compile(r"\b(?:minister|leader|chairman|premier|president|secretary|ambassador|head|general|"
                         r"marshal|member|chief|director|commander|deputy|envoy|official)\b", re.I)


@dataclass(frozen=True)
class NamedPerson:
    name: str  # as written, without title: "Lee Won-seon"
    written: str  # the whole form: "Comrade Lee Won-seon"
    title: str | None  # "Ambassador", "Comrade"
    role: str | None  # "translator" for credits
    where: str  # "credits", "body", "signature"
    start: int  # offset in the source


def _ok(name: str) -> bool:
    words = [fold(w.strip(".,’'")) for w in name.split()]
    if not words or not is_name_like(name) or any(w in _NOT_NAMES for w in words):
        return False
    return not all(w in ROLE_WORDS for w in words) and len(words[-1]) > 1


_FOOTNOTE_MARK = re.compile(r"\d+$|\[\d+\]$")


def _trim(name: str) -> str:
    name = _FOOTNOTE_MARK.sub("", name).rstrip(" .,;:’'")  # "Zamyatin1", glued footnote numbers
    words = name.split()
    while len(words) > 1 and fold(words[-1]) in ROLE_WORDS:
        words.pop()  # "PAK Seong-cheol Deputy [Co-chairman]"
    name = " ".join(words)
    if name.endswith(("’s", "'s")):
        name = name[:-2]
    return name


def named_people(doc: Document, text: str) -> list[NamedPerson]:
    out: list[NamedPerson] = []

    def add(raw: str, written: str, title: str | None, role: str | None, where: str, start: int) -> None:
        name, written = _trim(raw), _trim(written)
        t, rest = split_title(name)
        if t and rest:
            name, title = rest, title or t
        if _ok(name):
            out.append(NamedPerson(name, written, title, role, where, start))

    for field, off in ((doc.citation, doc.citation_span.start if doc.citation_span else 0), (doc.credits, 0)):
        for m in _CREDIT.finditer(field or ""):
            add(m.group("name"), m.group("name"), None, _CREDIT_ROLES[m.group("verb").lower()], "credits", off + m.start("name"))
    body = doc.body_span
    if body is None:
        return out
    if doc.summary and doc.summary_span is not None:  # the archive's summary names people too
        for m in _SPEECH.finditer(doc.summary):
            add(m.group("name"), m.group("name"), None, None, "summary", doc.summary_span.start + m.start("name"))
    chunk = text[body.start : body.end]
    for m in _PLURAL_TITLED.finditer(chunk):
        for n in re.finditer(_CAP, m.group("list")):
            if n.group(0) != "and":
                add(n.group(0), n.group(0), "Comrade", None, "body", body.start + m.start("list") + n.start())
    for m in _APPOSITIVE.finditer(chunk):
        add(m.group("name"), m.group("name"), None, None, "body", body.start + m.start("name"))
    for m in _BRACKET_INITIALS.finditer(chunk):
        name = f"{m.group('ini').strip()} {m.group('name')}"
        add(name, m.group(0), None, None, "body", body.start + m.start())
    for m in _TITLED.finditer(chunk):
        name = _HEADLINE_TAIL.sub("", m.group("name"))
        given = re.match(r"^\s*\[(?P<g>[A-Z][a-z]+)\]", chunk[m.end("name") :]) if name == m.group("name") else None
        if given:  # "Ambassador Huang [Zhen]": the editor completes the name
            name = f"{name} {given.group('g')}"
        add(name, m.group(0), m.group("title"), None, "body", body.start + m.start("name"))
    for m in _INITIALS.finditer(chunk):
        before = chunk[max(0, m.start() - 2) : m.start()]
        if not re.match(r"^(?:U\.\s?S\.|U\.\s?N\.|P\.\s?S\.|No\.|St\.)", m.group("name")) and not re.match(r"^\w ", before):
            add(m.group("name"), m.group("name"), None, None, "body", body.start + m.start("name"))
    for m in _BRACKET_ROLE.finditer(chunk):
        if _ROLE_HINTS.search(m.group("role")):
            add(m.group("name"), m.group("name"), None, None, "body", body.start + m.start("name"))
    for m in _KOREAN.finditer(chunk):
        add(m.group("name"), m.group("name"), None, None, "body", body.start + m.start("name"))
    for m in _SPEECH.finditer(chunk):
        add(m.group("name"), m.group("name"), None, None, "body", body.start + m.start("name"))
    # A signature: the last line of the body, a name alone or after a date.
    last = chunk.rstrip().rsplit("\n", 1)[-1].strip()
    sig = re.match(rf"^(?:\(?\s*)?(?:[\dIVXivx.]+\s+)?(?P<name>(?:[A-Z][a-z]?\.[ \t]?){{0,3}}{_CAP}(?:[ \t]+{_CAP}){{0,2}})\s*\)?$", last)
    if sig and len(last.split()) <= 5:
        add(sig.group("name"), sig.group("name"), None, "signatory", "signature", body.end - len(last) + sig.start("name"))
    return out
