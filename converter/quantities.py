"""Quantities stated in a sentence: numbers and ranges with their bounds, unit and hedges.

``find_quantities(sentence, offset)`` returns one :class:`Quantity` per amount the sentence
states, with ``text == sentence[start - offset:end - offset]``:

* **numbers** in digits ("3,000", "3 000", "3.5", "150 million") or English words up to
  billions ("nine", "twenty-five", "three hundred", "a hundred", "two thousand");
* **ranges**: "nine to ten", "3,000 to 4,000", "35,000-40,000", "between 3 and 4",
  "from 200 to 300", "two or three" — ``min``/``max`` are the two ends;
* **bounds**: "more than"/"over" (``min``, exclusive), "at least" (``min``, inclusive),
  "less than"/"fewer than" (``max``, exclusive), "up to" (``max``, inclusive), "almost" /
  "nearly" (``max``, exclusive, approximate), "or more" / "or less"; an open side is ``None``;
* **hedges**: "about", "approximately", "around", "roughly", "some", "or so" set
  ``approximate``;
* the **unit**: "percent" for "%", "per cent", "percent"; otherwise the noun phrase that
  follows (at most an adjective and a noun, stopping at prepositions, verbs and
  punctuation), singularised ("airborne divisions" -> "airborne division"). In a compound
  modifier the counted noun is the first one ("a 4-5 member delegation" -> "member",
  "a 10-day visit" -> "day"). When no noun follows, "the number of soldiers" elsewhere in
  the sentence gives it. A bare count keeps ``unit=None`` ("two are bad").

Not quantities: years ("in 1964", "February 1967", "the 1967 plans"), ordinals ("22nd",
"first"), list numbering ("1- To abolish", "1. Meeting"), clock times ("13.30", "10:15",
"8 p.m."), dates ("September 1", "08. 09. 02.", "9 to 13 March"), relative times
("twenty months ago"), references ("p. 5", "No. 3", "f. 52, op. 1"), page markers
("– 157 –"), footnote marks ("[1]"), archive codes ("110-01789-04", "2/202/131"),
model names ("T-34"), and "one" used as a pronoun ("the one headed by", "one of",
"one issued a statement").
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

from .dates import MONTHS
from .names import re_i_lower

__all__ = ["Quantity", "find_quantities"]

Number = int | float


@dataclass(frozen=True)
class Quantity:
    """An amount: the closed or open interval ``min``..``max`` (``None`` = unbounded) and its unit."""

    min: Number | None
    max: Number | None
    unit: str | None
    lower_exclusive: bool
    upper_exclusive: bool
    approximate: bool
    text: str
    start: int
    end: int


# --- Number tokens ------------------------------------------------------------------------

_ONES = {
    w: i for i, w in enumerate(
        "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen "
        "sixteen seventeen eighteen nineteen".split()
    )
}
_TENS = {w: 10 * i for i, w in enumerate("twenty thirty forty fifty sixty seventy eighty ninety".split(), start=2)}
_SCALES = {"hundred": 100, "thousand": 1_000, "million": 1_000_000, "billion": 1_000_000_000}
_NUMBER_WORD = "|".join(sorted([*_ONES, *_TENS, *_SCALES, "dozen"], key=len, reverse=True))
_WORD_RUN = re.compile(
    rf"\b(?:an?\s+(?=(?:hundred|thousand|million|billion|dozen)\b))?(?:{_NUMBER_WORD})"
    rf"(?:(?:\s+and\s+|[\s-]+)(?:{_NUMBER_WORD}))*\b",
    re.IGNORECASE,
)

_GROUPED = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?"  # 3,000  35,000.5
_DOT_GROUPED = r"[1-9]\d{0,2}(?:\.\d{3})+(?!\d)"  # 35.000 (thousands, as European translations write)
_SPACE_GROUPED = r"\d{1,3}(?:[ \u00a0\u202f]\d{3})+(?!\d)"  # 3 000
_PLAIN = r"\d+(?:\.\d+)?"  # 3  3.5  1964
_DECIMAL_COMMA = r"\d+,\d{1,2}(?=\s+(?:thousand|million|billion)\b)"  # 1,5 million
_DIGITS = re.compile(
    r"(?<![\w/.,:])(?<![^\W\d_]-)(?<!\d\.\s)"  # not inside a word, code, decimal, time or dotted date
    rf"(?P<num>{_DECIMAL_COMMA}|{_GROUPED}|{_DOT_GROUPED}|{_SPACE_GROUPED}|{_PLAIN})"
    r"(?!\w|[/]|[.,:]\d|\.\s?\d)"  # not an ordinal ("22nd"), decade ("1960s"), time or dotted date
    r"(?:\s+(?P<scale>hundred|thousand|million|billion)\b)?",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class _Num:
    value: Decimal
    start: int
    end: int
    raw: str  # the digits or words as written, without a scale word after digits
    words: bool  # written in words
    scale: int | None = None  # the scale word it ends with ("4 million", "three hundred")


def _scan_numbers(s: str) -> list[_Num]:
    """Every number token of ``s``, in order; digits win where words and digits overlap."""
    found: list[_Num] = []
    for m in _DIGITS.finditer(s):
        raw = m.group("num")
        if re.fullmatch(r"\d+,\d{1,2}", raw):
            value = Decimal(raw.replace(",", "."))
        elif "," in raw or " " in raw or "\u00a0" in raw or "\u202f" in raw:
            value = Decimal(re.sub(r"[,\s\u00a0\u202f]", "", raw))
        elif re.fullmatch(_DOT_GROUPED, raw):
            value = Decimal(raw.replace(".", ""))
        else:
            value = Decimal(raw)
        scale = _SCALES[re_i_lower(m.group("scale"))] if m.group("scale") else None
        found.append(_Num(value * (scale or 1), m.start(), m.end(), raw, False, scale))
    taken = [(n.start, n.end) for n in found]
    for m in _WORD_RUN.finditer(s):
        found.extend(
            n for n in _parse_word_run(s, m.start(), m.end())
            if not any(a < n.end and n.start < b for a, b in taken)
        )
    found.sort(key=lambda n: n.start)
    return found


def _parse_word_run(s: str, start: int, end: int) -> list[_Num]:
    """Split a run of number words into well-formed numbers ("twenty-five", "three hundred and ten")."""
    words = [(m.group().lower(), m.start(), m.end()) for m in re.finditer(r"[A-Za-z]+", s[start:end])]
    out: list[_Num] = []
    i = 0
    while i < len(words):
        j, value = _parse_words(words, i)
        if j == i:  # not a number on its own ("and", "a", or a stray scale word)
            i += 1
            continue
        a, b = start + words[i][1], start + words[j - 1][2]
        last = words[j - 1][0]
        out.append(_Num(Decimal(value), a, b, s[a:b], True, _SCALES.get(last)))
        i = j
    return out


def _parse_words(words: list[tuple[str, int, int]], i: int) -> tuple[int, int]:
    """Parse the longest well-formed number starting at ``words[i]``; return (end index, value)."""
    total = current = 0
    last = None  # category of the last word taken: "a", "one", "teen", "ten", "hundred", "scale", "and"
    last_scale = 10**12
    end, end_value = i, 0
    j = i
    while j < len(words):
        w = words[j][0]
        if w in ("a", "an") and last is None:
            current, last = 1, "a"
        elif w in _ONES and (_ONES[w] < 10 or w == "ten"):
            if last not in (None, "ten", "hundred", "scale", "and") or (w == "ten" and last == "ten"):
                break
            current += _ONES[w]
            last = "teen" if w == "ten" else "one"
        elif w in _ONES:  # eleven .. nineteen
            if last not in (None, "hundred", "scale", "and"):
                break
            current += _ONES[w]
            last = "teen"
        elif w in _TENS:
            if last not in (None, "hundred", "scale", "and"):
                break
            current += _TENS[w]
            last = "ten"
        elif w == "hundred":
            if last not in ("a", "one", "teen", "ten") or current >= 100:
                break
            current *= 100
            last = "hundred"
        elif w == "dozen":
            if last not in ("a", "one", "teen", "ten"):
                break
            current *= 12
            last = "scale"
        elif w in _SCALES:
            scale = _SCALES[w]
            if last not in ("a", "one", "teen", "ten", "hundred") or scale >= last_scale:
                break
            total += current * scale
            current, last, last_scale = 0, "scale", scale
        elif w == "and":
            if last not in ("hundred", "scale"):
                break
            last = "and"
        else:
            break
        j += 1
        if last not in ("a", "and"):
            end, end_value = j, total + current
    return end, end_value


# --- Context: bounds, hedges, units -------------------------------------------------------

# Bounds and hedges written before a number, and the kind of each.
_GT, _GE, _LT, _LE, _ALMOST, _APPROX = "gt", "ge", "lt", "le", "almost", "approx"
_PREFIXES: list[tuple[str, str]] = [
    (r"more\s+than", _GT), (r"greater\s+than", _GT), (r"larger\s+than", _GT), (r"higher\s+than", _GT),
    (r"in\s+excess\s+of", _GT), (r"upwards\s+of", _GT), (r"over", _GT), (r"above", _GT),
    (r"at\s+least", _GE), (r"no\s+(?:less|fewer)\s+than", _GE), (r"not\s+(?:less|fewer)\s+than", _GE),
    (r"a\s+minimum\s+of", _GE),
    (r"less\s+than", _LT), (r"fewer\s+than", _LT), (r"under", _LT), (r"below", _LT),
    (r"up\s+to", _LE), (r"at\s+most", _LE), (r"no\s+more\s+than", _LE), (r"not\s+more\s+than", _LE),
    (r"as\s+many\s+as", _LE), (r"a\s+maximum\s+of", _LE),
    (r"almost", _ALMOST), (r"nearly", _ALMOST), (r"just\s+under", _ALMOST),
    (r"about", _APPROX), (r"approximately", _APPROX), (r"approx\.", _APPROX), (r"around", _APPROX),
    (r"roughly", _APPROX), (r"some", _APPROX), (r"circa", _APPROX), (r"ca\.", _APPROX),
    (r"an\s+estimated", _APPROX), (r"estimated", _APPROX), (r"close\s+to", _APPROX), (r"an\s+approximate", _APPROX),
]
_PREFIX = re.compile(
    r"(?<![\w-])(?P<mod>" + "|".join(f"(?P<m{i}>{p})" for i, (p, _) in enumerate(_PREFIXES)) + r")\s+(?P<cur>\$\s*)?$",
    re.IGNORECASE,
)
_RANGE_OPENER = re.compile(r"(?<![\w-])(?P<word>between|from)\s+$", re.IGNORECASE)
_CURRENCY = re.compile(r"(?P<cur>\$)\s*$")
_FOR = re.compile(r"(?<![\w-])for\s+$", re.IGNORECASE)
# Between two numbers of a range.
_RANGE_JOIN = re.compile(r"^\s*(?:-|–|—|to|or)\s*$|^\s*and\s*$", re.IGNORECASE)
_SUFFIX = re.compile(
    r"^(?:\s+(?P<more>or\s+more\b)|\s+(?P<less>or\s+(?:less|fewer)\b)|\s+(?P<so>or\s+so\b)|-(?P<odd>odd\b)"
    r"|(?P<plus>-plus\b|\+))",
    re.IGNORECASE,
)
_PERCENT = re.compile(r"^(?:\s*%|\s*per\s?cent\b|\s*pct\b|[\s-]percent\b)", re.IGNORECASE)
# "about" after these verbs is the preposition, not a hedge ("we talked about two problems").
_ABOUT_VERBS = frozenset(
    "talk talked talking speak spoke spoken speaking think thought know knew learn learned said say tell told ask "
    "asked complain complained worried concerned informed inform wrote write heard hear care cared".split()
)
_TIME_UNITS = frozenset("year month week day hour minute decade century period".split())

_WORD = r"[^\W\d_](?:[\w'’-]*[^\W_])?"
_UNIT_WORDS = re.compile(rf"^[ \t]+(?P<w1>{_WORD})(?:[ \t]+(?P<w2>{_WORD}))?")
_HYPHEN_UNIT = re.compile(rf"^-(?P<w1>{_WORD})")
_NUMBER_OF = re.compile(rf"\bnumbers?\s+of\s+(?P<rest>{_WORD}(?:\s+{_WORD})?)", re.IGNORECASE)

#: Words that never start or continue a unit: prepositions, determiners, pronouns,
#: conjunctions, auxiliaries and a few adverbs.
STOP_WORDS = frozenset(
    """
    of in on at to from by with for per about into onto over under between among amongst during after before
    since until till against through across toward towards within without around near behind beyond via than
    as like ago each apiece upon throughout along despite except
    the a an this that these those his her its their our my your all some any which who whom whose what it
    they them we he she i you me him us one ones another other others such both either neither several
    and or but nor so yet if because while when where whereas though although unless whether then
    is are was were be been being am have has had do does did will would shall should can could may might
    must not no more less most least only also too very already still there here now later earlier ever
    never again even just altogether respectively instead perhaps almost nearly about approximately
    roughly or so else
    """.split()
)
#: Adjectives that say nothing about what is counted: skipped before the unit.
_SKIP_WORDS = frozenset("more other additional extra further whole".split())
#: Plural nouns that do not end in -s, and their singular.
_IRREGULAR = {
    "people": "people", "men": "man", "women": "woman", "children": "child", "personnel": "personnel",
    "police": "police", "cattle": "cattle", "feet": "foot", "teeth": "tooth", "mice": "mouse", "geese": "goose",
    "crises": "crisis", "analyses": "analysis", "theses": "thesis", "wives": "wife", "lives": "life",
    "halves": "half", "knives": "knife", "series": "series", "species": "species", "staff": "staff",
}
_NOT_PLURAL_ENDINGS = ("ss", "us", "is", "ous", "ics")
_ADJECTIVE_ENDINGS = (
    "al", "ic", "ive", "ous", "ary", "ern", "ese", "ish", "ian", "ful", "less", "ible", "able", "borne",
)

# --- Context: what makes a number something other than an amount --------------------------

_MONTH_WORD = r"(?:" + "|".join(sorted(MONTHS, key=len, reverse=True)) + r")"
_MONTH_BEFORE = re.compile(rf"(?<!\w)(?P<m>{_MONTH_WORD})\.?,?\s+$", re.IGNORECASE)
_MONTH_AFTER = re.compile(rf"^(?:st|nd|rd|th)?\s+(?:of\s+)?(?P<m>{_MONTH_WORD})\b", re.IGNORECASE)
_YEAR_BEFORE = re.compile(
    r"(?<![\w-])(?:in|of|since|until|till|by|from|to|during|before|after|the|between|and|early|late|mid|"
    r"spring|summer|autumn|fall|winter|year|circa|c\.)\s+$",
    re.IGNORECASE,
)
_REFERENCE_BEFORE = re.compile(
    r"(?<![\w-])(?:p|pp|vol|vols|no|nos|nr|f|op|d|l|ll|ch|art|fig|para|page|pages|section|article|item|point|"
    r"listy|fond|opis|delo|papka|file|folder|box|doboz|tel|phone)\.?\s*$",
    re.IGNORECASE,
)
# Labels, not counts: "Part two", "Article 5", "Point three".
_LABEL_BEFORE = re.compile(
    r"(?<![\w-])(?:part|chapter|section|article|point|annex|appendix|volume|book|item|paragraph|clause)\.?\s+$",
    re.IGNORECASE,
)
_TIME_AFTER = re.compile(
    r"^\s*(?:a\.\s?m\.?|p\.\s?m\.?|am\b|pm\b|o['’]clock|h\b|hrs?\b|hours?\s+(?:local|Moscow))", re.IGNORECASE
)
_CLOCK_PREPOSITION = re.compile(r"(?<![\w-])(?:at|until|till|from|by|since|before|after)\s+$", re.IGNORECASE)
_CLOCK = re.compile(r"(?:[01]?\d|2[0-4])\.[0-5]\d")
_AGO_AFTER = re.compile(
    rf"^\s*(?:{_WORD}\s+)?(?:years?|months?|weeks?|days?|hours?|minutes?|decades?)\s+ago\b", re.IGNORECASE
)
_LIST_START = re.compile(r"[\s(•*–—-]*")
_LIST_AFTER = re.compile(r"^(?:\s*[.)]\s|\s*[.)]$|\s?[-–]\s+(?=\S)|\s?[-–](?=[A-ZА-ЯЁ]))")
_PAGE_MARKER = re.compile(r"[–—-]\s*$")
_CODE_BEFORE = re.compile(r"\d\s?[-–]\s?$")
_OPEN_BRACKET = re.compile(r"[\[(]\s*$")
_PRONOUN_BEFORE = re.compile(
    r"(?<![\w-])(?:the|this|that|which|any|each|every|no|another|such|a|an|only|last|first|right|wrong|same|"
    r"new|old|big|small|other)\s+$",
    re.IGNORECASE,
)


#: How far (in characters) the context rules look to the left and to the right of a number;
#: bounded so that a long block full of numbers stays linear.
_LEFT, _RIGHT = 64, 256


def _left(rx: re.Pattern[str], s: str, pos: int) -> re.Match[str] | None:
    """``rx`` (anchored with ``$``) matched against the text just before ``pos``; positions are absolute."""
    return rx.search(s, max(0, pos - _LEFT), pos)


def _right(s: str, pos: int, limit: int | None = None) -> str:
    """The text just after ``pos`` (and before ``limit``, the next number, when given)."""
    return s[pos : min(pos + _RIGHT, len(s) if limit is None else limit)]


def find_quantities(sentence: str, offset: int = 0) -> list[Quantity]:
    """The quantities stated in ``sentence``; offsets are ``offset`` + the index into it."""
    numbers = _scan_numbers(sentence)
    number_of = _unit_from_number_of(sentence) if numbers else None
    out: list[Quantity] = []
    i = 0
    while i < len(numbers):
        a = numbers[i]
        b = None
        between = _left(_RANGE_OPENER, sentence, a.start)
        if i + 1 < len(numbers):
            join = _RANGE_JOIN.match(sentence[a.end : numbers[i + 1].start])
            after_between = between is not None and between.group("word").lower() == "between"
            if join and (join.group().strip().lower() != "and" or after_between):  # "and" only after "between"
                b = numbers[i + 1]
        group = [a] if b is None else [a, b]
        i += len(group)
        limit = numbers[i].start if i < len(numbers) else len(sentence)
        q = _quantity(sentence, group, between, number_of, limit)
        if q is not None:
            while i < len(numbers) and numbers[i].start < q.end:  # inside this one's unit
                i += 1
            out.append(
                Quantity(q.min, q.max, q.unit, q.lower_exclusive, q.upper_exclusive, q.approximate, q.text,
                         q.start + offset, q.end + offset)
            )
    return out


def _quantity(
    s: str, group: list[_Num], between: re.Match[str] | None, number_of: str | None, limit: int
) -> Quantity | None:
    """Build the quantity for one number or range, or ``None`` when it is not an amount.

    ``number_of`` is the unit "the number of ..." names in the sentence; ``limit`` is where
    the next number starts (suffixes and the unit stop there).
    """
    a, b = group[0], group[-1]
    lo, hi = a.value, b.value
    if len(group) == 2:
        lo = _share_scale(a, b)
        if lo >= hi:  # "3-2", "110-01789": not a range, so not an amount either
            return None
    if _excluded(s, group):
        return None
    start, end = a.start, b.end

    # Bounds and hedges before the number.
    kind = None
    currency = None
    prefix = _left(_PREFIX, s, start)
    if prefix:
        kind = next(k for idx, (_, k) in enumerate(_PREFIXES) if prefix.group(f"m{idx}"))
        before_mod = s[max(0, prefix.start() - _LEFT) : prefix.start()].split()
        if kind == _APPROX and prefix.group("mod").lower() == "about" and before_mod \
                and before_mod[-1].lower().strip(",;:") in _ABOUT_VERBS:
            kind = None  # "we talked about two problems"
        elif len(group) == 2 and kind != _APPROX:
            kind = None  # a bound on a range ("more than 3 to 4") is not understood: keep the range
        else:
            start = prefix.start()
            currency = prefix.group("cur")
    if len(group) == 2 and between:
        start = between.start()
    if currency is None:
        cur = _left(_CURRENCY, s, start)
        if cur:
            currency, start = "$", cur.start()

    # Suffixes after the number: percent, "or more", then the unit.
    unit = None
    pct = _PERCENT.match(_right(s, end, limit))
    if pct:
        unit, end = "percent", end + pct.end()
    suffix = _SUFFIX.match(_right(s, end, limit))
    if suffix:
        end += suffix.end()
    if unit is None and currency:
        unit = "dollar"
    if unit is None:
        unit, unit_end = _unit_after(s, end, hi, limit)
        if unit is not None:
            end = unit_end
            if suffix is None:
                suffix = _SUFFIX.match(_right(s, end, limit))
                if suffix:
                    end += suffix.end()
    # A bare "one" is a pronoun unless a noun after it says what it counts.
    if len(group) == 1 and a.words and a.raw.lower() == "one" and kind is None:
        if unit is None or _left(_PRONOUN_BEFORE, s, a.start):
            return None
    if unit is None:
        unit = number_of
    # "over three years" is a span of time, not a bound.
    if kind == _GT and prefix and prefix.group("mod").lower() == "over" and unit in _TIME_UNITS:
        if not _left(_FOR, s, prefix.start()):
            kind, start = None, a.start

    q_min: Decimal | None = lo
    q_max: Decimal | None = hi
    lower_exclusive = upper_exclusive = approximate = False
    if kind == _GT:
        q_max, lower_exclusive = None, True
    elif kind == _GE:
        q_max = None
    elif kind == _LT:
        q_min, upper_exclusive = None, True
    elif kind == _LE:
        q_min = None
    elif kind == _ALMOST:
        q_min, upper_exclusive, approximate = None, True, True
    elif kind == _APPROX:
        approximate = True
    if suffix and kind is None:
        if suffix.group("more") or suffix.group("plus"):
            q_max = None
        elif suffix.group("less"):
            q_min = None
        else:
            approximate = True
    return Quantity(_plain(q_min), _plain(q_max), unit, lower_exclusive, upper_exclusive, approximate,
                    s[start:end], start, end)


def _share_scale(a: _Num, b: _Num) -> Decimal:
    """The low end of a range, taking the high end's scale word: "3 to 4 million" -> 3,000,000."""
    if a.scale is None and b.scale is not None and a.value * b.scale < b.value:
        return a.value * b.scale
    return a.value


def _plain(value: Decimal | None) -> Number | None:
    """An int when whole, else a float."""
    if value is None:
        return None
    return int(value) if value == value.to_integral_value() else float(value)


# --- Exclusions ---------------------------------------------------------------------------


def _excluded(s: str, group: list[_Num]) -> bool:
    """Whether the number (or range) is a year, date, time, reference, list mark or code."""
    a, b = group[0], group[-1]
    after = _right(s, b.end)

    def before(rx: re.Pattern[str]) -> re.Match[str] | None:
        return _left(rx, s, a.start)

    # Part of a longer code: "110-01789-04", "4/2", "1961-62" after its first part.
    if before(_CODE_BEFORE) or re.match(r"\s?[-–]\s?\d", after) or after.startswith("/"):
        return True
    # Footnote marks and bracketed list marks: "[1]", "(2)".
    if before(_OPEN_BRACKET) and re.match(r"\s*[\])]", after):
        return True
    # Page markers: "– 157 –".
    if before(_PAGE_MARKER) and re.match(r"\s*[–—-]", after) and len(group) == 1:
        return True
    # References: "p. 5", "No. 3", "f. 52, op. 1, d. 512, ll. 4-19"; labels: "Part two".
    if before(_REFERENCE_BEFORE) and not a.words:
        return True
    if len(group) == 1 and before(_LABEL_BEFORE):
        return True
    # List numbering at the start: "1- To abolish", "1. Meeting", "2) the".
    if len(group) == 1 and a.raw.isdigit() and len(a.raw) <= 3 and _LIST_START.fullmatch(s, 0, a.start) \
            and _LIST_AFTER.match(after):
        return True
    # Clock times: "13.30", "at 8 p.m.", "11.20".
    if any(not n.words and _is_clock(s, n) for n in group):
        return True
    if _TIME_AFTER.match(after):
        return True
    # Dates: "September 1", "9 to 13 March", "the 5th of May".
    if all(n.value <= 31 and n.value == int(n.value) and not n.words for n in group):
        if _month_word(before(_MONTH_BEFORE)) or _month_word(_MONTH_AFTER.match(after)):
            return True
    # Years: "in 1964", "February 1967", "the 1967 plans", "1961-1962".
    if all(_year_like(n) for n in group) and _is_year(s, a, b):
        return True
    # Relative times: "twenty months ago" is a date, not an amount.
    if _AGO_AFTER.match(after):
        return True
    return False


def _month_word(m: re.Match[str] | None) -> bool:
    """A month name as a month: capitalised in English ("May", not "may"); any case in Cyrillic."""
    if m is None:
        return False
    word = m.group("m")
    return not word.isascii() or word[0].isupper()


def _is_clock(s: str, n: _Num) -> bool:
    """"13.30" is a time unless an amount-like word follows ("3.25 percent", "2.50 tons")."""
    if not _CLOCK.fullmatch(n.raw) or n.raw != s[n.start : n.end]:
        return False
    if _left(_CLOCK_PREPOSITION, s, n.start):
        return True
    after = _right(s, n.end)
    if _PERCENT.match(after):
        return False
    m = _UNIT_WORDS.match(after)
    return not (m and m.group("w1").islower() and m.group("w1").lower() not in STOP_WORDS
                and m.group("w1").lower() not in ("hours", "hrs", "h"))


def _year_like(n: _Num) -> bool:
    return not n.words and n.raw.isdigit() and len(n.raw) == 4 and 1900 <= int(n.raw) <= 2099


def _is_year(s: str, a: _Num, b: _Num) -> bool:
    """A 4-digit 1900-2099 number is a year unless it plainly counts a plural noun ("2000 soldiers")."""
    if _left(_YEAR_BEFORE, s, a.start) or _left(_MONTH_BEFORE, s, a.start):
        return True
    m = _UNIT_WORDS.match(_right(s, b.end))
    if m is None:
        return True
    words = [w for w in (m.group("w1"), m.group("w2")) if w]
    head = next((w for w in words if w.lower() not in _SKIP_WORDS), None)
    return head is None or head.lower() in STOP_WORDS or not _is_plural(head) or head[0].isupper()


# --- Units --------------------------------------------------------------------------------


def _unit_after(s: str, pos: int, n: Decimal, limit: int | None = None) -> tuple[str | None, int]:
    """The counted noun right after ``s[pos]`` (before ``limit``), singularised, and where it ends."""
    rest = _right(s, pos, limit)
    strong = re.match(r"^-strong\b", rest, re.IGNORECASE)
    if strong:  # "a 3,000-strong force": the force is not what is counted
        return None, pos + strong.end()
    hyphen = _HYPHEN_UNIT.match(rest)
    if hyphen:  # "a 5-year plan", "three-party talks": the attached word is what is counted
        w = hyphen.group("w1")
        if w.lower() in STOP_WORDS:
            return None, pos
        return _singular(w), pos + hyphen.end()
    m = _UNIT_WORDS.match(rest)
    while m and m.group("w1").lower() in _SKIP_WORDS:  # "3,000 more soldiers"
        skip = m.end("w1")
        rest2 = rest[skip:]
        m2 = _UNIT_WORDS.match(rest2)
        if m2 is None:
            return None, pos
        rest, pos = rest2, pos + skip
        m = m2
    if m is None:
        return None, pos
    w1, w2 = m.group("w1"), m.group("w2")
    if _not_unit_word(w1):
        return None, pos
    expect_plural = n != 1
    one_word = (_singular(w1), pos + m.end("w1"))
    if _is_plural(w1):
        # A plural word is the head noun ("3,000 people working"); with a count of one it is a verb.
        return one_word if expect_plural else (None, pos)
    if _is_verb_like(w1):
        # "120 skilled workers" keeps the participle as an adjective; "one issued" does not.
        if w2 and expect_plural and _is_plural(w2) and not _not_unit_word(w2):
            return f"{w1} {_singular(w2)}", pos + m.end("w2")
        return None, pos
    if w2 and not _not_unit_word(w2) and not _is_verb_like(w2):
        if expect_plural and _is_plural(w2):
            return f"{w1} {_singular(w2)}", pos + m.end("w2")  # "airborne divisions"
        if not expect_plural and not _is_plural(w2) and _is_adjective_like(w1):
            return f"{w1} {w2}", pos + m.end("w2")  # "one Soviet division"
    return one_word  # "a 4-5 member delegation", "one delegation", "ten comrade"


def _unit_from_number_of(s: str) -> str | None:
    """The unit named by "the number of soldiers" elsewhere in the sentence."""
    for m in _NUMBER_OF.finditer(s):
        unit, _ = _unit_after(" " + m.group("rest"), 0, Decimal(2))
        if unit:
            return unit
    return None


def _not_unit_word(w: str) -> bool:
    return w.lower() in STOP_WORDS or w.lower() in _SCALES or w.lower() in _ONES or w.lower() in _TENS


def _is_adjective_like(w: str) -> bool:
    """Capitalised ("Soviet") or with an adjective ending ("military", "airborne", "additional")."""
    return w[:1].isupper() or w.lower().endswith(_ADJECTIVE_ENDINGS)


def _is_verb_like(w: str) -> bool:
    low = w.lower()
    return len(low) > 4 and (low.endswith("ed") or low.endswith("ing")) and low not in _IRREGULAR


def _is_plural(w: str) -> bool:
    low = w.lower().rstrip("'’")
    if low in _IRREGULAR:
        return True
    if not low.isascii():
        return False
    return len(low) > 2 and low.endswith("s") and not low.endswith(_NOT_PLURAL_ENDINGS)


def _singular(w: str) -> str:
    """The singular of an English plural noun ("divisions" -> "division", "countries" -> "country")."""
    word = re.sub(r"(?:'s|’s|'|’)$", "", w)
    low = word.lower()
    if low in _IRREGULAR:
        return word[: len(word) - len(low)] + _IRREGULAR[low] if word.islower() else _keep_case(word, _IRREGULAR[low])
    if not _is_plural(word):
        return word
    if low.endswith("ies") and len(low) > 4:
        return word[:-3] + "y"
    if low.endswith(("sses", "xes", "ches", "shes", "zzes")):
        return word[:-2]
    return word[:-1]


def _keep_case(original: str, replacement: str) -> str:
    return replacement.capitalize() if original[:1].isupper() else replacement
