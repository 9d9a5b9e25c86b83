"""Extraction: mentions, claims and referred-to events of one document (plain data).

``extract(doc, source_text, cast, authority)`` composes the pieces:

- mentions (``mentions.py``) in every turn and paragraph;
- sentences (``sentences.py``) of every block; a sentence is a **claim** when it is
  declarative (not a question, greeting or bare agreement) and names at least one
  entity, states a quantity (``quantities.py``) or a date (``timex.py``). A claim
  has its claimant (the speaker; in reported speech, the person the paragraph
  opens with), the entities it is about, a reported source when the speaker cites
  someone else ("The Italian ambassador to Bulgaria revealed to us that ..."),
  its polarity (denied when its content is negated), modality when hedged, and its
  quantities and dates;
- **referred events**: a named event of the authority file, or a sentence that
  dates something happening (met, visited, invasion, rebellion, congress, ...),
  with the date resolved against the document's date, the persons and places of
  the sentence as participants and places ("there" takes the place named just
  before).
"""

from __future__ import annotations

import re

from .authority import Authority
from .model import (
    Block,
    Claim,
    Document,
    Extraction,
    MarkerKind,
    Mention,
    Quantity,
    ReferredEvent,
    ReportedPassage,
    ReportedSource,
    Span,
    Where,
)
from .mentions import Gazetteer, blocks, find_mentions
from .names import ROLE_WORDS, fold, slugify
from .quantities import find_quantities
from .sentences import Sentence, split_sentences
from .speakers import Cast
from .timex import find_times

__all__ = ["extract", "agent_for_source"]

_GREETING = re.compile(
    r"^(?:hello|hi|good (?:morning|afternoon|evening|day)|welcome|thank(?:s| you)|goodbye|farewell|"
    r"(?:i am )?(?:very )?(?:glad|pleased|happy) to (?:see|meet) you|congratulations|cheers)\b",
    re.I,
)
_AGREEMENT = re.compile(
    r"^(?:yes|no|right|correct|exactly|indeed|of course|certainly|sure|agreed|true|ok|okay|fine|good|very well|"
    r"quite so|not at all)"
    r"(?:[,.!]?\s*(?:yes|no|comrade\s+\w+|indeed|of course|that is right|it is)?)*[.!]*$",
    re.I,
)
_NEGATION = re.compile(r"\b(?:no|not|never|none|nobody|nothing|neither|nor|cannot)\b|n[’']t\b", re.I)
_HEDGE = re.compile(
    r"\b(?:may|might|could|probably|possibly|perhaps|likely|unlikely|apparently|seems?|seemed|reportedly|"
    r"allegedly|presumably|supposedly|it is said)\b",
    re.I,
)
_SPEECH_VERBS = (
    r"revealed|told|informed|said|says|reported|reports|stated|states|claimed|claims|announced|declared|"
    r"indicated|confirmed|noted|wrote|disclosed|learned|learnt|heard|assured|explained|mentioned|asserted|"
    r"maintained|insisted|warned|admitted|acknowledged"
)
_REPORTED = re.compile(
    rf"^(?P<src>[^.?!]*?\S)\s*,?(?:\s+[^,]{{0,80}},)?\s+(?:has\s+|have\s+|had\s+)?(?P<verb>{_SPEECH_VERBS})"
    rf"(?:\s+(?:to\s+)?(?:us|me|him|her|them|you|the\s+\w+))?\s+that\s+(?P<content>.+)$",
    re.I | re.S,
)
_ACCORDING = re.compile(r"^according\s+to\s+(?P<src>[^,]+),\s*(?P<content>.+)$", re.I | re.S)
_PRONOUN_SOURCE = re.compile(r"^(?:i|we|you|he|she|they|it|this|that|these|those|one)$", re.I)
_REPORTING_VERBS = (
    r"asks|asked|answers|answered|replies|replied|says|said|notes|noted|states|stated|declares|declared|thanks|"
    r"thanked|suggests|suggested|informs|informed|emphasizes|emphasized|emphasises|emphasised|remarks|remarked|adds|"
    r"added|agrees|agreed|proposes|proposed|explains|explained|points out|pointed out|responds|responded|objects|"
    r"objected|stresses|stressed|reports|reported|requests|requested|underscores|underscored|expresses|expressed|"
    r"told|tells|warns|warned|assures|assured|announces|announced|mentions|mentioned|recalls|recalled|observes|"
    r"observed|insists|insisted|raises|raised|used the meeting|spoke|speaks|turns to|turned to|replied"
)
_REPORTED_SPEECH = re.compile(rf"^\s*,?\s*(?:also\s+|then\s+|further\s+)?(?:{_REPORTING_VERBS})\b", re.I)
#: "Our struggle, Mengistu underscored, has ...": an attribution set inside the sentence.
_INSERTED = re.compile(rf",\s*(?P<who>[^,]{{2,40}}?)\s+(?:{_REPORTING_VERBS})\s*,", re.I)
_PRONOUN_REPORT = re.compile(rf"^(?:[^.]{{0,80}},\s*)?(?:he|she)\s+(?:also\s+)?(?:{_REPORTING_VERBS})\b", re.I)
_EVENT_WORDS = re.compile(
    r"\b(?:met|meet|meeting|meetings|visit|visited|visits|invasion|invaded|occupation|occupied|congress|"
    r"conference|rebellion|revolution|uprising|movement|war|talks|negotiations|election|elections|coup|treaty|"
    r"agreement|attack|attacked|strike|demonstration|demonstrations|crisis|plenum|session|summit|"
    r"conversation|trip|journey|arrived|signed)\b",
    re.I,
)
_ORG_WORDS = re.compile(
    r"\b(?:agency|embassy|ministry|government|newspaper|radio|press|party|committee|office|bureau|"
    r"service|command|council|delegation|mission|consulate|army|station|department)\b",
    re.I,
)
_PERSON_WORDS = {w for w in ROLE_WORDS if w not in {"party", "state", "delegation", "side", "foreign", "defense", "defence"}}


def agent_for_source(text: str) -> tuple[str, str] | None:
    """A minted agent for a source phrase: ("person"|"organization", slug), or None.

    "The Italian ambassador to Bulgaria" -> ("person", "italian-ambassador-to-bulgaria");
    "The Bulgarian news agency" -> ("organization", "bulgarian-news-agency");
    "our embassy" (relative to the speaker) -> None.
    """
    words = text.split()
    if not words or fold(words[0]) in {"our", "my", "your", "his", "her", "their", "its"}:
        return None
    core = re.sub(r"^(?:the|a|an)\s+", "", text.strip(), flags=re.I)
    if _ORG_WORDS.search(core):
        return "organization", slugify(core)
    if any(fold(w).strip(".,") in _PERSON_WORDS for w in core.split()):
        return "person", slugify(core)
    return None


_IMPERATIVE = re.compile(r"^(?:please|let\s+us|let[’']s|kindly)\b", re.I)
_SALUTATION = re.compile(r"^(?:dear|devotedly|sincerely|respectfully|yours|with (?:comradely|best|warm)|long live)\b", re.I)
_FINITE = re.compile(
    r"^(?:is|are|was|were|am|be|been|has|have|had|do|does|did|will|would|shall|should|can|could|may|might|must|"
    r"isn|aren|wasn|weren|don|doesn|didn|won|can’t|can't|cannot|\w+ed|\w+s)$", re.I)
_FUNCTION_WORDS = frozenset("the a an of to and in on for by at from with as or".split())


_END_MARK = re.compile(r"[.!…]$")


_WORD_RUN = re.compile(r"[^\W_]+(?:[’'][^\W_]+)?")


_DONE_BY = re.compile(r"^[A-Z]\w+ed\s+by\b")


_VERB_ENDING = re.compile(r"(?:s|ed|ly)$")


_LATIN = re.compile(r"[A-Za-z]")


def _is_claim_shaped(sentence: str) -> bool:
    """Declarative: not a question (direct or reported), greeting, bare agreement, request or heading."""
    s = sentence.strip().strip("\"“”'’)]")
    if not s or s.endswith("?"):
        return False
    if _GREETING.match(s) or _AGREEMENT.match(s) or _IMPERATIVE.match(s) or _SALUTATION.match(s):
        return False
    if s.endswith((":", ",", ";")) or not _END_MARK.search(s) and s.isupper():
        return False  # a heading, a label, a salutation ("Dear Comrades,")
    words = _WORD_RUN.findall(s)
    content = [w for w in words if w.islower() and w not in _FUNCTION_WORDS]
    if not content or len(words) < 2 or len(words) == 2 and fold(words[0]) not in _SUBJECTS:
        return False  # "Very well.", "No doubt." -- but "We agree." is a claim
    if not _END_MARK.search(s) and len(words) <= 5:
        return False  # a heading or a routing line: "To be seen by"
    if _DONE_BY.match(s):
        return False  # "Checked by [signature]"
    if ":" in s and _NAMES_AFTER_COLON.search(s):
        return False  # "On the Korean side: Kim Il Sung, Pak Heon-yeong."
    if len(words) > 1 and (words[1] in _OBJECTS or words[1] in _DETERMINERS) and fold(words[0]) not in _SUBJECTS \
            and fold(words[0]) not in _NOT_IMPERATIVE and not _VERB_ENDING.search(words[0]) \
            and words[0][:1].isupper():
        return False  # an imperative: "Downsize it by ninety percent.", "Cure the disease ..."
    if not _LATIN.search(s):
        return True  # another script: no English grammar to check
    return _has_finite_verb(words) or (len(words) >= 5 and fold(words[0]) not in _NUMBER_WORDS and s.endswith("."))


_AUX = frozenset(
    """is are was were am be been has have had do does did will would shall should can could may might must
    isn't aren't wasn't weren't don't doesn't didn't won't can't cannot couldn't wouldn't shouldn't hasn't haven't
    hadn't""".replace("'", "’").split()) | frozenset(
    """isn't aren't wasn't weren't don't doesn't didn't won't can't couldn't wouldn't shouldn't hasn't haven't
    hadn't""".split())
_SUBJECTS = frozenset("i we you they he she it who which that this these those there one".split())
_OBJECTS = frozenset("it them us me him her".split())
_DETERMINERS = frozenset("the a an your our their this that these those all".split())
_NOT_IMPERATIVE = frozenset(
    """such through despite among in on at for with from by after before during since until only even all both each
    every many most some the a an this that these those our your their his her my its according under over between
    without within against unlike like as if when while because although though once now then thus so but and or
    yet also here there today yesterday of to into upon about above below behind beyond near toward towards
    following regarding concerning including given last next first second third what where whom whose how why
    not no never perhaps maybe certainly surely indeed however therefore nevertheless meanwhile besides""".split())
_IRREGULAR_PAST = frozenset(
    """said told shot made went came took gave got saw knew thought began became left met sent held brought kept found
    felt led lost paid put ran set sat stood spoke wrote won fell fought grew heard hit let meant rose sold understood
    built bought caught chose drew drove ate forgot hid laid lay lent overcame rode rang sang sank shook shut slept
    spent spread struck swam taught threw woke wore broke""".split())
_NUMBER_WORDS = frozenset("one two three four five six seven eight nine ten eleven twelve many several".split())
_NAMES_AFTER_COLON = re.compile(r"^[^:]{1,60}:\s*(?:[A-Z][\w’'.-]*\s*(?:\[[^\]]*\]\s*)?[,;]?\s*(?:and\s+)?)+[.]?$")


def _is_list_claim(sentence: str) -> bool:
    """A numbered list item states something even without a verb: "To abolish Imperialist domination."."""
    s = sentence.strip()
    return len(s.split()) >= 3 and s.endswith(".") and not s.endswith(":") and not s.endswith("?")


_CONTRACTION = re.compile(r"[’'](?:s|re|m|ve|ll|d)$")

_PERSONAL_SUBJECTS = _SUBJECTS - {"that", "which", "this", "these", "those", "one", "there"}


def _has_finite_verb(words: list[str]) -> bool:
    """A finite verb, by shape: an auxiliary, a past form, a contraction, a verb after a subject pronoun,
    or a verb in -s after a name ("Stalin asks", "Somalia continues")."""
    folded = [w.casefold() for w in words]
    for k, w in enumerate(folded):
        if w in _AUX or w in _IRREGULAR_PAST or (len(w) > 4 and w.endswith("ed")) or _CONTRACTION.search(w):
            return True
        if w in _PERSONAL_SUBJECTS and k + 1 < len(words):
            return True
        if k > 0 and len(w) >= 4 and w.endswith("s") and not w.endswith("ss") and words[k - 1][:1].isupper() \
                and folded[k - 1] not in _NUMBER_WORDS and words[k].islower():
            return True
    return False


def _source(sentence: str, start: int, mentions: list[Mention]) -> tuple[ReportedSource | None, int]:
    """The reported source of a sentence and the offset where its content begins."""
    for rx in (_ACCORDING, _REPORTED):
        if rx is _REPORTED and "that" not in sentence.lower():
            continue  # it needs "that" (only ASCII capitals lowercase to these letters): no backtracking over the sentence
        m = rx.match(sentence)
        if not m:
            continue
        src = m.group("src").split(",")[0].strip()  # "The agency, in negating rumours," -> "The agency"
        if _PRONOUN_SOURCE.match(src) or len(src.split()) > 12:
            return None, start
        s_start = start + m.start("src")
        s_span = Span(s_start, s_start + len(src))
        inside = [x for x in mentions if s_span.start <= x.span.start and x.span.end <= s_span.end and x.entity]
        whole = [x for x in inside if x.span.end - x.span.start >= len(src) - 4 and x.kind in ("person", "organization")]
        entity = whole[0].entity if whole else agent_for_source(src)
        return ReportedSource(src, s_span, entity), start + m.start("content")
    return None, start


_THERE = re.compile(r"\bthere\b", re.I)


_WE = re.compile(r"\b(?:I|we|our)\b")


_YOU = re.compile(r"\byou\b", re.I)


_YES_OR_NO = re.compile(r"^\s*(?:no|yes)\s*[,.!]", re.I)


def extract(doc: Document, source_text: str, cast: Cast, authority: Authority) -> Extraction:
    gaz = Gazetteer.build(authority, cast)
    mentions = find_mentions(doc, source_text, cast, authority, gaz)
    ref = doc.date.start
    claims: list[Claim] = []
    events: list[ReferredEvent] = []
    by_block: dict[Where, list[Mention]] = {}
    for m in mentions:
        by_block.setdefault(m.where, []).append(m)
    speakers = [p.slug for p in cast.speakers]
    event_keys: set[tuple[str, str]] = set()

    reported: list[ReportedPassage] = []
    last_reported: str | None = None
    last_person: str | None = None
    for where, block in blocks(doc):
        block_mentions = by_block.get(where, [])
        claimant = cast.by_label[block.label].slug if where.kind == "turn" else None  # type: ignore[attr-defined]
        if where.kind == "footnote":
            claimant = None  # an editor's note, not the speaker's words
        is_reported = False
        if where.kind == "paragraph":
            who = _reported_speaker(block, block_mentions, source_text, last_reported or last_person)
            if who is not None:
                claimant, is_reported, last_reported = who, True, who
                reported.append(ReportedPassage(where, who, block.span))
        persons_here = [m.entity[1] for m in block_mentions if m.kind == "person" and m.entity]
        if persons_here:
            last_person = persons_here[-1]
        addressee = [s for s in speakers if s != claimant] if len(speakers) == 2 and claimant else []
        last_place: tuple[str, str] | None = None
        n_claims = 0
        stage = [m.span for m in block.markers if m.kind is MarkerKind.STAGE_DIRECTION]
        listed: set[int] = set()
        for sent in _sentences(block, stage, listed):
            s_mentions = [m for m in block_mentions if sent.start <= m.span.start and m.span.end <= sent.end]
            sentence_claimant = claimant
            sentence_reported = is_reported
            if where.kind == "paragraph":
                who = _sentence_speaker(sent.start, s_mentions, source_text, sent.end)
                if who is not None:
                    sentence_claimant, sentence_reported = who, True
            places = [m.entity for m in s_mentions if m.kind == "place" and m.entity]
            times = find_times(sent.text, sent.start, ref)
            # Referred events: named ones, and dated happenings.
            for m in s_mentions:
                if m.kind == "event" and m.entity and m.entity not in event_keys:
                    event_keys.add(m.entity)
                    events.append(ReferredEvent(where, len(events) + 1, m.text, sent.text, Span(sent.start, sent.end),
                                                m.entity, None, (), ()))
            trigger = _EVENT_WORDS.search(sent.text) if times else None  # a dated happening needs a time
            near = [t for t in times if trigger and _distance(t.span, sent.start + trigger.start(), sent.start + trigger.end()) <= 40]
            if trigger and near and not sent.text.rstrip().endswith("?"):
                ev_places = tuple(dict.fromkeys(places)) or ((last_place,) if last_place and _THERE.search(sent.text) else ())
                people = [m.entity[1] for m in s_mentions if m.kind == "person" and m.entity]
                if claimant and _WE.search(sent.text):
                    people.append(claimant)
                if _YOU.search(sent.text):
                    people.extend(addressee)
                label = _event_label(sent.text, trigger)
                events.append(ReferredEvent(where, len(events) + 1, label, sent.text, Span(sent.start, sent.end),
                                            None, near[0], tuple(dict.fromkeys(people)), ev_places))
            if places:
                last_place = places[-1]
            # Claims.
            if not (_is_claim_shaped(sent.text) or sent.start in listed and _is_list_claim(sent.text)):
                continue
            quantities = tuple(
                Quantity(q.min, q.max, q.unit, q.lower_exclusive, q.upper_exclusive, q.approximate, q.text,
                         Span(q.start, q.end))
                for q in find_quantities(sent.text, sent.start)
            )
            linked = [m for m in s_mentions if m.entity]
            source, content_start = _source(sent.text, sent.start, s_mentions)
            # What the claim says, without stage directions and dates ("May this year" is no hedge).
            content = _blank(source_text, content_start, sent.end,
                             stage + [t.span for t in times])
            about_mentions = [m for m in linked if m.span.start >= content_start and not _inside(m.span, stage)] or \
                [m for m in linked if not _inside(m.span, stage)]
            about = tuple(dict.fromkeys(m.entity for m in about_mentions if m.entity))
            negated = _NEGATION.search(_YES_OR_NO.sub("", content))
            n_claims += 1
            claims.append(Claim(
                where=where, number=n_claims, text=sent.text, span=Span(sent.start, sent.end),
                claimant=sentence_claimant, about=about, reported_source=source,
                polarity="denied" if negated else "asserted",
                modality="hedged" if _HEDGE.search(content) else None,
                quantities=quantities, times=tuple(times), reported=sentence_reported,
            ))
    return Extraction(tuple(mentions), tuple(claims), tuple(events), tuple(reported))


def _sentence_speaker(start: int, mentions: list[Mention], text: str, end: int) -> str | None:
    """The person a sentence reports: "Stalin asks ...", "Kim Il Sung thanks ... and says ...",
    "Our struggle, Mengistu underscored, has ...". ``mentions`` are the sentence's, in order."""
    persons = [m for m in mentions if m.kind == "person" and m.entity]
    for m in persons:
        lead = text[start : m.span.start]
        if len(lead) <= 60 and (not lead.strip() or lead.rstrip().endswith(",") or _TITLE_LEAD.match(lead)
                                or _OPENING.match(lead)):
            if _REPORTED_SPEECH.match(text[m.span.end : end]):
                return m.entity[1]  # type: ignore[index]
    for m in persons:
        ins = _INSERTED.search(text, start, end)
        if ins and ins.start("who") <= m.span.start and m.span.end <= ins.end("who"):
            return m.entity[1]  # type: ignore[index]
    return None


#: A short opening phrase before the reported speaker: "After mutual greetings Cde. N. S. Khrushchev informed".
_OPENING = re.compile(r"^(?:After|Before|At|In|On|During|Then|Later|Next|Finally|Subsequently|Thereupon)\b[^,;:]{0,40}$")
_TITLE_LEAD = re.compile(r"^(?:(?:the\s+)?(?:comrade|cde\.|mr\.|president|premier|chairman|ambassador|minister|"
                         r"secretary|general|prime minister|[A-Z][\w-]*\s+leader)\s+)+$", re.I)


_FIRST_PERSON = re.compile(r"^(?:I|We|My|Our)\b")


def _reported_speaker(block: Block, mentions: list[Mention], text: str, previous: str | None) -> str | None:
    """The person whose words a paragraph reports, judged by its first sentence; "He said ..." takes the
    person reported, or named, just before."""
    first = split_sentences(block.text, block.span.start)
    if not first:
        return None
    sent = first[0]
    lead = block.text.lstrip("([")
    if _FIRST_PERSON.match(lead) and not _INSERTED.search(sent.text):
        return None  # the writer's own account
    s_mentions = [m for m in mentions if sent.start <= m.span.start and m.span.end <= sent.end]
    who = _sentence_speaker(sent.start, s_mentions, text, sent.end)
    if who is None and previous is not None and _PRONOUN_REPORT.match(sent.text):
        return previous
    return who


#: What opens a sentence but is not part of what it says: an enumerator ("1. ", "2- ", "a) "), or an
#: opening bracket that is never closed in the sentence.
_LEAD = re.compile(r"^(?:\(?\d{1,3}(?:[.)]|\s?[-–])\s+|\(?[a-z]\)\s+|[(\[](?![^()\[\]]*[)\]]))")


def _sentences(block: Block, stage: list[Span], listed: set[int]) -> list[Sentence]:
    """Sentences of a block, without a stage direction that opens one; inside an all-bracketed paragraph."""
    text, base = block.text, block.span.start
    if text.startswith("[") and text.endswith("]") and text.count("[") == 1:
        text, base = text[1:-1], base + 1
    out = []
    for sent in split_sentences(text, base):
        lead = _LEAD.match(sent.text)
        if lead and lead.end() < len(sent.text):
            sent = Sentence(sent.text[lead.end():], sent.start + lead.end(), sent.end)
            if lead.group(0)[:1] not in "([" or lead.group(0)[1:2].isdigit():
                listed.add(sent.start)
        for sp in stage:
            if sp.start == sent.start and sp.end < sent.end:
                rest = sent.text[sp.end - sent.start :]
                lead = len(rest) - len(rest.lstrip())
                sent = Sentence(rest.lstrip(), sp.end + lead, sent.end)
        out.append(sent)
    return out


def _distance(span: Span, start: int, end: int) -> int:
    return max(0, start - span.end, span.start - end)


def _inside(span: Span, spans: list[Span]) -> bool:
    return any(s.start <= span.start and span.end <= s.end for s in spans)


def _blank(text: str, start: int, end: int, spans: list[Span]) -> str:
    """text[start:end] with the given spans replaced by spaces (offsets kept)."""
    chars = list(text[start:end])
    for sp in spans:
        for i in range(max(sp.start, start), min(sp.end, end)):
            chars[i - start] = " "
    return "".join(chars)


def _event_label(sentence: str, trigger: re.Match[str]) -> str:
    word = trigger.group(0).lower()
    verbs = {"met": "meeting", "meet": "meeting", "visited": "visit", "visits": "visit", "invaded": "invasion",
             "occupied": "occupation", "attacked": "attack", "arrived": "arrival", "signed": "signing"}
    if word in verbs:
        return verbs[word]
    before = sentence[: trigger.start()].split()[-2:]
    adjectives = [w for w in before if w.isalpha() and w.islower() and w not in {"a", "an", "the", "this", "that", "of", "in"}]
    after = _EVENT_WORDS.match(sentence, trigger.end() + 1)  # "rebellion movement"
    return " ".join([*adjectives, word, *([after.group(0).lower()] if after else [])])
