"""Language names as archives write them -> ISO 639-3 (Lexvo IRIs) and BCP 47 tags."""

from __future__ import annotations

from .names import fold

__all__ = ["LANGUAGES", "lookup", "split_languages"]

# name -> (ISO 639-3 code, BCP 47 tag)
LANGUAGES: dict[str, tuple[str, str]] = {
    "albanian": ("sqi", "sq"), "amharic": ("amh", "am"), "arabic": ("ara", "ar"), "armenian": ("hye", "hy"),
    "belarusian": ("bel", "be"), "bengali": ("ben", "bn"), "bulgarian": ("bul", "bg"), "burmese": ("mya", "my"),
    "chinese": ("zho", "zh"), "croatian": ("hrv", "hr"), "czech": ("ces", "cs"), "danish": ("dan", "da"),
    "dutch": ("nld", "nl"), "english": ("eng", "en"), "estonian": ("est", "et"), "finnish": ("fin", "fi"),
    "french": ("fra", "fr"), "georgian": ("kat", "ka"), "german": ("deu", "de"), "greek": ("ell", "el"),
    "hebrew": ("heb", "he"), "hindi": ("hin", "hi"), "hungarian": ("hun", "hu"), "indonesian": ("ind", "id"),
    "italian": ("ita", "it"), "japanese": ("jpn", "ja"), "khmer": ("khm", "km"), "korean": ("kor", "ko"),
    "lao": ("lao", "lo"), "latvian": ("lav", "lv"), "lithuanian": ("lit", "lt"), "macedonian": ("mkd", "mk"),
    "mongolian": ("mon", "mn"), "norwegian": ("nor", "no"), "persian": ("fas", "fa"), "farsi": ("fas", "fa"),
    "polish": ("pol", "pl"), "portuguese": ("por", "pt"), "romanian": ("ron", "ro"), "russian": ("rus", "ru"),
    "serbian": ("srp", "sr"), "serbo-croatian": ("hbs", "sh"), "slovak": ("slk", "sk"), "slovenian": ("slv", "sl"),
    "spanish": ("spa", "es"), "swahili": ("swa", "sw"), "swedish": ("swe", "sv"), "tamil": ("tam", "ta"),
    "thai": ("tha", "th"), "turkish": ("tur", "tr"), "ukrainian": ("ukr", "uk"), "urdu": ("urd", "ur"),
    "vietnamese": ("vie", "vi"), "yiddish": ("yid", "yi"), "latin": ("lat", "la"), "icelandic": ("isl", "is"),
}


def split_languages(text: str) -> list[str]:
    """ "Russian, German" / "Russian and German" / "Russian; German" -> ["Russian", "German"]."""
    parts = [p.strip(" .") for p in text.replace(";", ",").replace(" and ", ",").replace("/", ",").split(",")]
    return [p for p in parts if p]


def lookup(name: str) -> tuple[str, str] | None:
    """(ISO 639-3, BCP 47) for a language name, or None when unknown."""
    return LANGUAGES.get(fold(name).strip())
