"""Person-name handling shared by the reader and speaker resolution (pure text)."""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache

__all__ = [
    "BIDI_CONTROLS",
    "HONORIFICS",
    "ROLE_WORDS",
    "case_stem",
    "fold",
    "has_bidi_controls",
    "latin_key",
    "is_name_like",
    "name_tokens",
    "normalise_name",
    "slugify",
    "split_title",
    "strip_honorifics",
    "strip_invisible",
]

# Forms of address that precede a name and are not part of it.
HONORIFICS = (
    "comrade", "comrades", "cde.", "cde", "cdes.", "cdes", "com.", "mr.", "mr", "mrs.", "mrs", "ms.", "dr.", "dr",
    "tovarishch", "товарищ", "тов.", "mister", "madame", "monsieur", "herr", "genosse", "sir",
)
# Titles and offices: a label made only of these is a role, not a name.
ROLE_WORDS = frozenset(
    """chairman chairwoman co-chairman vice premier president prime minister ambassador secretary
    general first second third deputy director chief head member counselor counsellor interpreter
    translator advisor adviser marshal commander attache attaché consul editor officer representative
    envoy leader professor spokesman assistant minister foreign defense defence state party
    delegation delegate side chancellor king queen prince emperor pope governor mayor senator
    colonel major captain lieutenant admiral premier's participant host guest correspondent
    journalist reporter speaker unknown unidentified voice interpreters translators notetaker notetakers
    stenographer head academician members staff""".split()
)
# Words that may stand inside a name without a capital letter.
_PARTICLES = frozenset("de da di do du des del della der den van von ter la le bin ibn bint al el y e".split())
# Capitalised words that begin sentences or headings, never a speaker's name.
_NOT_NAME_START = frozenset(
    """in on at the this that these those for with from to and but as of by if when while after before
    during since until because although however therefore thus also then there here it its he she
    they we our their his her my your you i a an according note part section chapter article item
    point annex appendix attachment enclosure agenda conclusion conclusions summary result results
    decision proposal proposals reply response resolution today yesterday tomorrow first second
    third finally question questions answer answers example subject topic issue issues problem
    problems task tasks goal goals objective objectives point points remark remarks comment comments
    memorandum report telegram letter draft text translation source conversation record minutes
    meeting notes one two three four five six seven eight nine ten several many both all""".split()
)

#: Characters that change the direction text is shown in: the embeddings, overrides and isolates, and the
#: directional marks (LRM, RLM, ALM). A right-to-left override can make a name read as another one.
BIDI_CONTROLS = "\u061c\u200e\u200f\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069"
_BIDI = re.compile(f"[{BIDI_CONTROLS}]")
#: Invisible characters that are never part of a name or an identifier: the bidirectional controls, the
#: soft hyphen, the zero-width space, the word joiner and the byte order mark (the zero-width joiners,
#: which some scripts need, stay).
_INVISIBLE = re.compile(f"[{BIDI_CONTROLS}\u00ad\u200b\u2060\ufeff]")


def strip_invisible(text: str) -> str:
    """``text`` without bidirectional controls and other invisible format characters."""
    return _INVISIBLE.sub("", text) if _INVISIBLE.search(text) else text


def has_bidi_controls(text: str) -> bool:
    return _BIDI.search(text) is not None


_TOKEN = re.compile(r"[^\W_]+(?:[-'’][^\W_]+)*\.?|[^\W\d_]\.", re.UNICODE)


@lru_cache(maxsize=65536)
def fold(text: str) -> str:
    """Case- and diacritic-insensitive comparison key ("Dubček" -> "dubcek")."""
    decomposed = unicodedata.normalize("NFKD", text)
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    return stripped.casefold()


# The only letters outside ASCII that re.I matches with ASCII ones (found by trying every code point):
# to a re.I pattern "Thiſ", "mıllion" and "Aprıl" are "this", "million" and "April".
_RE_I_ASCII = str.maketrans({"İ": "i", "ı": "i", "ſ": "s", "\u212a": "k"})


def re_i_lower(word: str) -> str:
    """A word a re.I pattern matched, lowercased as the pattern matched it: the ASCII word the pattern names."""
    return word.lower() if word.isascii() else word.translate(_RE_I_ASCII).lower()


_NON_LATIN = re.compile(r"[\u0370-\u03ff\u0400-\u052f]")  # Greek and Cyrillic


@lru_cache(maxsize=65536)
def latin_key(token: str) -> str:
    """The comparison key of one word, in Latin letters: "Хрущев" -> "khrushchev", "Dubček" -> "dubcek".

    Greek and Cyrillic are transliterated with ``anyascii`` (a maintained table of every Unicode
    character), so that a name written in either script matches its Latin form.
    """
    if _NON_LATIN.search(token):
        from anyascii import anyascii

        return fold(anyascii(token))
    return fold(token)


_CASE_ENDING = re.compile(r"(?:ому|ему|ого|его|ым|им|ом|ем|ой|ей|у|ю|а|я|е)$")


@lru_cache(maxsize=65536)
def case_stem(token: str) -> str | None:
    """The key of a Russian word without its case ending ("Сталину" -> "stalin"), or None if it has none."""
    if not _NON_LATIN.search(token):
        return None
    low = token.casefold()
    stem = _CASE_ENDING.sub("", low)
    return latin_key(stem) if stem != low and len(stem) >= 3 else None


_NON_WORD = re.compile(r"[^\w]+")


@lru_cache(maxsize=65536)
def name_tokens(name: str) -> tuple[str, ...]:
    """Folded word tokens of a name, without punctuation and in Latin letters:
    "N. S. KHRUSHCHEV" -> (n, s, khrushchev); "Н. С. Хрущев" -> (n, s, khrushchev)."""
    tokens = [t for t in _NON_WORD.split(strip_invisible(name)) if t]
    return tuple(k for t in tokens for k in _NON_WORD.split(latin_key(t)) if k)


def strip_honorifics(name: str) -> str:
    """Drop leading forms of address: "Comrade Mao Zedong" -> "Mao Zedong"."""
    words = name.split()
    while len(words) > 1 and words[0].casefold() in HONORIFICS:
        words = words[1:]
    return " ".join(words)


def _fix_case(token: str) -> str:
    letters = [c for c in token if c.isalpha()]
    if len(letters) > 1 and all(c.isupper() for c in letters):
        return "-".join(p[:1] + p[1:].lower() for p in token.split("-"))
    return token


def normalise_name(name: str) -> str:
    """Canonical written form of a person's name for labels and slugs.

    Honorifics go, whitespace is folded and ALL-CAPS words are title-cased
    ("N. S. KHRUSHCHEV" -> "N. S. Khrushchev", "KIM Il Sung" -> "Kim Il Sung").
    """
    name = unicodedata.normalize("NFC", " ".join(strip_invisible(name).replace("’", "'").split()))
    name = strip_honorifics(name)
    return " ".join(_fix_case(t) for t in name.split())


_UNDERSCORES = re.compile(r"_+")


def slugify(text: str, *, max_length: int = 80) -> str:
    """ASCII slug: "Dubček" -> "dubcek", "Kim Il-sung" -> "kim-il-sung"; never empty.

    Non-Latin names keep their letters (IRIs allow them) but lose punctuation.
    """
    decomposed = unicodedata.normalize("NFKD", strip_invisible(text))
    stripped = "".join(c for c in decomposed if not unicodedata.combining(c))
    slug = _NON_WORD.sub("-", stripped.casefold()).strip("-_")
    slug = _UNDERSCORES.sub("-", slug)
    if len(slug) > max_length:
        slug = slug[:max_length].rstrip("-")
    return slug or "x"


def is_name_like(text: str, *, max_tokens: int = 6) -> bool:
    """Could ``text`` be a person's name or a speaker's role label?

    Every word is capitalised (or a name particle or an initial), there are no
    digits, at most ``max_tokens`` words, and it does not start with a word that
    begins sentences or headings ("Part", "In", "Note").
    """
    text = text.strip()
    if not text or len(text) > 60 or any(c.isdigit() for c in text):
        return False
    words = text.split()
    if len(words) > max_tokens:
        return False
    first = words[0].casefold().rstrip(",")
    if first in _NOT_NAME_START and first not in HONORIFICS:
        return False
    for w in words:
        core = w.strip(".,'’\"()[]")
        if not core:
            continue
        if core.casefold() in _PARTICLES:
            continue
        if not core[0].isalpha() or not core[0].isupper():
            return False
        if not all(c.isalpha() or c in "-'’." for c in core):
            return False
    return True


def _title_constants():  # type: ignore[no-untyped-def]
    from nameparser.config import Constants

    c = Constants()
    words = {w.strip(".") for w in (*ROLE_WORDS, *HONORIFICS) if w.strip(".").isalpha()}
    words -= {"madame", "mrs", "mister", "sir", "party", "state", "side", "unknown", "voice", "speaker", "member"}
    c.titles.add(*sorted(words | {"vice-admiral", "vice-premier", "vice-chairman", "vice-president", "co-chairman",
                                   "committee", "chief", "commissar", "general-secretary"}))
    # A wife named by her husband's name ("Madame Mao") is another person: the form stays in the name.
    c.titles.remove("madame", "mrs", "madam", "mme")
    return c


_CONSTANTS = None


@lru_cache(maxsize=65536)
def split_title(name: str) -> tuple[str, str]:
    """(title, name) of a written name: "Deputy Chief Minister Suban Delhi" -> ("Deputy Chief Minister", "Suban Delhi").

    Titles and offices are recognised by ``nameparser`` with this project's list of
    offices added; the name keeps its words exactly as written. A title alone
    ("Chairman") gives ("Chairman", "").
    """
    global _CONSTANTS
    from nameparser import HumanName

    if _CONSTANTS is None:
        _CONSTANTS = _title_constants()
    words = " ".join(name.split()).split(" ")
    if not words or not words[0]:
        return "", ""
    parsed = HumanName(" ".join(words), constants=_CONSTANTS)
    title = parsed.title
    if not title:
        return "", " ".join(words)
    n = len(title.split())
    if any(len(w.strip(".")) <= 2 and w.endswith(".") and fold(w) not in {"dr.", "mr.", "ms.", "st."} for w in title.split()):
        return "", " ".join(words)  # "Yu. V. Andropov": an initial, not a title
    if fold(" ".join(words[:n])).replace(",", "") != fold(title).replace(",", ""):
        return "", " ".join(words)
    return " ".join(words[:n]), " ".join(words[n:])
