"""Sentence splitting for transcript text, with exact source offsets.

``split_sentences(turn.text, turn.span.start)`` cuts one block of text (a turn, a
paragraph) into :class:`Sentence` pieces whose ``start``/``end`` are offsets into the
source file, so that ``source[s.start:s.end] == s.text`` always holds. Leading and
trailing whitespace is never part of a sentence, and no sentence is empty.

The splitter is a set of readable rules, not a model:

* **Hard breaks** always end a sentence: a blank line, a newline before a list item
  (``- item``, ``1. item``, ``1- item``, ``a) item``), and a newline after a colon.
* **Soft breaks** are a terminator (``.`` ``?`` ``!`` ``...`` ``…``) followed by optional
  closing quotes or brackets, whitespace, and the start of a new sentence (an optional
  opening quote, bracket or dash, then a capital letter — Latin or Cyrillic — or a digit).
* A soft break is refused when it falls **inside a bracket or quotation** that opens and
  closes within the same paragraph (``(He laughed.)`` stays whole, and so does
  ``"Yes. We agree."``; quotations longer than :data:`QUOTE_LIMIT` are not protected), after
  an **abbreviation** (``Mr.``, ``Cde.``, ``p.``, ``e.g.``, month names, ``No. 5``), after an
  **initial** (``N. S. Khrushchev``, ``A.Ia. Vyshinsky``) or a dotted acronym (``U.S.S.R.``)
  unless the next word is a common sentence opener (``The``, ``We``, ``But`` ...), inside a
  **number or date** (``79. 03. 14.``), after an **enumerator** (``questions: 1. Conference``)
  and after an ellipsis that marks an omission (`` ... `` or ``[...]``).
* ``etc.``, ``a.m.`` and ``p.m.`` end a sentence when a capitalised word follows.

Decimals (``3.5``), times (``13.30``) and elided words (``Dub...ek``) never split because
no whitespace follows the dot.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Sentence", "split_sentences", "QUOTE_LIMIT"]


@dataclass(frozen=True)
class Sentence:
    """One sentence: its text and its offsets in the source (``offset`` + index in the block)."""

    text: str
    start: int
    end: int


#: Quotations longer than this (in characters) do not protect the sentence ends inside them:
#: a long quoted passage, or a stray quote mark, should not glue many sentences together.
QUOTE_LIMIT = 400

# --- Hard breaks ------------------------------------------------------------------------

_BULLET = r"[-–—•*▪·]\s"
_NUMBERED_ITEM = r"\(?\d{1,3}(?:[.)]|\s?[-–])\s*(?=[^\W\d_])"  # "1. Meeting", "1- To", "2) the"
_LETTERED_ITEM = r"\(?[a-zа-я]\)\s"  # "a) the first"
_ROMAN_ITEM = r"[IVX]{1,4}\.\s"  # "II. Economic questions"
_LIST_ITEM = rf"(?:{_BULLET}|{_NUMBERED_ITEM}|{_LETTERED_ITEM}|{_ROMAN_ITEM})"
_HARD_BREAK = re.compile(
    rf"\n[ \t\r]*\n"  # blank line
    rf"|\n(?=[ \t]*{_LIST_ITEM})"  # newline before a list item
    rf"|(?<=:)[ \t\r]*\n"  # newline after a colon ("Remark:\nIn our opinion ...")
)

# --- Soft breaks ------------------------------------------------------------------------

_TERMINATOR = r"(?P<term>[.!?…]+)"
_CLOSERS = r"(?P<close>[\"'”’»)\]]*)"
_CANDIDATE = re.compile(rf"{_TERMINATOR}{_CLOSERS}(?=\s|$)")
_OPENERS = "\"'“‘«(["
#: How far back (in characters) the abbreviation rules look before a period.
_LOOK_BACK = 64
_NEXT_START = re.compile(r"\s+(?P<open>(?:[\"'“‘«(\[]|[—–-]\s*)*)(?P<word>\S+)")
# The dotted word just before a period: "Mr", "U.S.S.R", "A.Ia", "13.30", "p.m".
_LAST_TOKEN = re.compile(r"(?:[^\W_]+\.)*[^\W_]+$")
# Text before a number that makes the number an enumerator: "questions: 1. Conference".
_ENUMERATOR_CONTEXT = re.compile(r"(?:^|[:;]|(?<!\d)[.!?])\s*$")

#: Abbreviations after which a period never ends a sentence (compared in lower case).
NEVER_FINAL = frozenset(
    """
    mr mrs ms messrs dr prof cde com comr gen col lt maj capt adm sgt gov sen amb st mt rev
    hon pres p pp vol vols ch para fig op cit ibid e.g i.e cf vs viz ca approx incl esp resp
    jan feb mar apr jun jul aug sep sept oct nov dec ll ff nr
    тов тт т.е см им ул стр гг
    """.split()
)
#: Abbreviations that often end a sentence: a period after them ends one when a capital follows.
MAY_BE_FINAL = frozenset("etc a.m p.m inc ltd jr sr co т.д т.п".split())
#: Two-letter transliterated initials ("Yu. V. Andropov", "A.Ia. Vyshinsky").
_INITIAL_DIGRAPHS = frozenset("Yu Ia Ya Iu Zh Ch Sh Kh Th Ts".split())
#: Words that commonly open a sentence: after an initial or a dotted acronym ("the U.S.S.R.")
#: a period ends the sentence only when one of these follows.
SENTENCE_OPENERS = frozenset(
    """
    The This That These Those There Then Thus They Their Them We Our Us He His Him She Her It
    Its I You Your In On At As If When While After Before Since During But And Or So Yet Also
    However Therefore Nevertheless Moreover Furthermore A An What Why How Who Where Which
    Whether Yes No Not All Some Many Most Both Each Every One Two Such Only Even Now Today
    Yesterday Tomorrow Later First Second Finally For From To With Without Although Though
    Because Unless Until
    Он Она Оно Они Мы Я Вы Ты Это Эти Этот Эта В На Но И А Как Что Когда Если После Так
    Тогда Да Нет По
    """.split()
)


def split_sentences(text: str, offset: int = 0) -> list[Sentence]:
    """Split ``text`` into sentences; offsets are ``offset`` + the index into ``text``."""
    sentences: list[Sentence] = []
    for seg_start, seg_end in _segments(text):
        cut = seg_start
        for boundary in _soft_boundaries(text, seg_start, seg_end):
            _append(sentences, text, cut, boundary, offset)
            cut = boundary
        _append(sentences, text, cut, seg_end, offset)
    return sentences


def _append(out: list[Sentence], text: str, start: int, end: int, offset: int) -> None:
    """Add ``text[start:end]`` without its surrounding whitespace, unless nothing is left."""
    while start < end and text[start].isspace():
        start += 1
    while end > start and text[end - 1].isspace():
        end -= 1
    if start < end:
        out.append(Sentence(text[start:end], offset + start, offset + end))


def _segments(text: str) -> list[tuple[int, int]]:
    """The stretches of ``text`` between hard breaks."""
    segments, start = [], 0
    for m in _HARD_BREAK.finditer(text):
        segments.append((start, m.start()))
        start = m.end()
    segments.append((start, len(text)))
    return segments


def _soft_boundaries(text: str, start: int, end: int) -> list[int]:
    """Offsets (in ``text``) where a sentence ends inside the segment ``text[start:end]``."""
    inside = _inside_mask(text, start, end)
    boundaries = []
    for m in _CANDIDATE.finditer(text, start, end):
        boundary = m.end()
        nxt = _NEXT_START.match(text, boundary, end)
        if nxt is None:  # only whitespace is left in the segment
            continue
        word = nxt.group("word")
        if not (word[0].isupper() or word[0].isdigit()):
            continue
        if inside[boundary - start]:
            continue
        before = text[max(start, m.start() - _LOOK_BACK) : m.start()]
        if _ends_sentence(before, m.group("term"), word):
            boundaries.append(boundary)
    return boundaries


def _inside_mask(text: str, start: int, end: int) -> bytearray:
    """``mask[p - start]`` is 1 when a cut at ``p`` would fall inside a protected pair."""
    mask = bytearray(end - start + 1)
    for o, c in _protected_pairs(text, start, end):
        mask[o + 1 - start : c + 1 - start] = b"\x01" * (c - o)  # a cut at o + 1 .. c is inside (o, c)
    return mask


_MARKS = re.compile('[()\\[\\]“”«»"]')
_CLOSING = {")": "(", "]": "[", "”": "“", "»": "«"}


def _protected_pairs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """(open, close) index pairs of brackets and quotations matched inside the segment.

    Each kind is matched on its own stack, so a stray mark of one kind cannot unbalance
    another. Straight double quotes pair up in order, and only when the segment holds an
    even number of them.
    """
    pairs: list[tuple[int, int]] = []
    stacks: dict[str, list[int]] = {"(": [], "[": [], "“": [], "«": [], '"': []}
    straight_ok = text.count('"', start, end) % 2 == 0
    for m in _MARKS.finditer(text, start, end):  # the marks only, not every character
        i = m.start()
        ch = text[i]
        if ch in "([“«":
            stacks[ch].append(i)
        elif ch in _CLOSING:
            if stacks[_CLOSING[ch]]:
                o = stacks[_CLOSING[ch]].pop()
                if ch in ")]" or i - o <= QUOTE_LIMIT:
                    pairs.append((o, i))
        elif straight_ok:  # '"'
            if stacks['"']:
                o = stacks['"'].pop()
                if i - o <= QUOTE_LIMIT:
                    pairs.append((o, i))
            else:
                stacks['"'].append(i)
    return pairs


def _ends_sentence(before: str, term: str, next_word: str) -> bool:
    """Whether the terminator ``term``, after ``before`` and before ``next_word``, ends a sentence."""
    if "?" in term or "!" in term:
        return True
    if len(term) > 1 or "…" in term:  # an ellipsis: a pause ends it, an omission does not
        return bool(before) and not before[-1].isspace() and before[-1] not in _OPENERS
    m = _LAST_TOKEN.search(before)
    if m is None:  # "(Mao pointed to the interpreter)." or similar
        return True
    return not _is_abbreviation(m.group(), before[: m.start()], next_word)


def _is_abbreviation(token: str, before: str, next_word: str) -> bool:
    """Whether the period after ``token`` belongs to it rather than ending the sentence."""
    low = token.lower()
    bare_next = next_word.lstrip(_OPENERS + "—–-").rstrip(".,;:!?\"'”’»)]")
    opens_sentence = bare_next in SENTENCE_OPENERS and not next_word.endswith(".")
    next_is_digit = next_word[:1].isdigit()
    if token.isdigit():  # "79. 03. 14." (a date) or "questions: 1. Conference" (an enumerator)
        return _is_dotted_date(token, next_word) or (len(token) <= 3 and _is_enumerator_context(before))
    if low in ("no", "nos"):  # "No. 5", but "No. We cannot."
        return next_is_digit
    if low in NEVER_FINAL:
        return True
    if low in MAY_BE_FINAL:
        return False
    if "." in token:
        if token.islower():  # unknown lower-case dotted abbreviation
            return True
        return not opens_sentence  # initials "A.Ia." / "T.F.", acronyms "U.S.S.R."
    if len(token) == 1:
        return token.islower() or not opens_sentence  # "p. 5", "f. 52"; initials "N. S."
    if token in _INITIAL_DIGRAPHS:
        return not opens_sentence
    return False


def _is_dotted_date(token: str, next_word: str) -> bool:
    """Whether ``token.`` and ``next_word`` are parts of a dotted date ("79. 03. 14.", "14. 09. 1962")."""
    return re.match(r"\d{1,2}\.", next_word) is not None or (
        len(token) <= 2 and re.fullmatch(r"\d{2,4}\.?", next_word) is not None
    )


def _is_enumerator_context(before: str) -> bool:
    """Whether a number after ``before`` opens a list item: at the start, or after ":", ";" or a sentence end."""
    m = _ENUMERATOR_CONTEXT.search(before)
    if m is None:
        return False
    stop = before[m.start() : m.start() + 1]
    if stop and stop in ".!?":
        token = _LAST_TOKEN.search(before[: m.start()])
        if token and (token.group().lower() in NEVER_FINAL or len(token.group()) == 1):
            return False  # "vol. 2." is a reference, not an enumerator
    return True
