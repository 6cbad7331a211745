"""Tell Uzbek (Latin or Cyrillic script), Russian and English press releases apart."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgtool.extract.text import fold

#: Letters only Uzbek Cyrillic uses (Russian has none of them).
UZBEK_CYRILLIC_LETTERS = frozenset("ўқғҳЎҚҒҲ")

_UZ_LATIN_WORDS = frozenset(
    [
        "va",
        "bilan",
        "hamda",
        "uchun",
        "bo'yicha",
        "o'rtasida",
        "yil",
        "kuni",
        "tomonidan",
        "sohasida",
        "hamkorlik",
        "memorandum",
        "imzolandi",
        "imzoladi",
        "ushbu",
        "bu",
        "ham",
        "esa",
        "qilish",
        "etish",
        "oshirish",
        "yo'nalishlari",
        "muddatga",
        "o'zbekiston",
        "respublikasi",
        "fanlar",
        "akademiyasi",
        "instituti",
        "universiteti",
        "shartnoma",
        "kelishuv",
        "doirasida",
        "bilan",
        "ilmiy",
        "tadqiqot",
        "ta'lim",
    ]
)
_EN_WORDS = frozenset(
    [
        "the",
        "and",
        "of",
        "to",
        "in",
        "for",
        "with",
        "on",
        "a",
        "an",
        "is",
        "was",
        "were",
        "by",
        "between",
        "signed",
        "agreement",
        "memorandum",
        "university",
        "institute",
        "cooperation",
        "this",
        "that",
        "will",
        "have",
        "has",
        "from",
        "at",
        "as",
        "which",
    ]
)
_RU_WORDS = frozenset(
    [
        "и",
        "в",
        "на",
        "с",
        "по",
        "для",
        "между",
        "о",
        "об",
        "что",
        "от",
        "как",
        "это",
        "был",
        "была",
        "были",
        "года",
        "подписали",
        "подписание",
        "меморандум",
        "соглашение",
        "сотрудничества",
        "сотрудничестве",
        "институт",
        "университет",
        "академии",
    ]
)
_UZ_CYRILLIC_WORDS = frozenset(
    [
        "ва",
        "билан",
        "ҳамда",
        "учун",
        "бўйича",
        "ўртасида",
        "йил",
        "куни",
        "томонидан",
        "соҳасида",
        "ҳамкорлик",
        "имзоланди",
        "имзолади",
        "ушбу",
        "бу",
        "ҳам",
        "эса",
        "қилиш",
        "этиш",
        "ошириш",
        "йўналишлари",
        "муддатга",
        "ўзбекистон",
        "республикаси",
        "фанлар",
        "академияси",
        "институти",
        "университети",
        "шартнома",
        "келишув",
    ]
)


@dataclass(frozen=True)
class Language:
    """A text's language (ISO 639-1) and script (ISO 15924)."""

    language: str
    script: str

    @property
    def tag(self) -> str:
        """Return the BCP 47 tag the project uses: ``uz-Latn``, ``uz-Cyrl``, ``ru`` or ``en``."""
        return f"uz-{self.script}" if self.language == "uz" else self.language


def detect_language(text: str) -> Language:
    """Return the language and script of ``text`` from its letters and commonest words."""
    cyrillic = sum(1 for ch in text if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in text if ch.isascii() and ch.isalpha())
    words = re.findall(r"\w+(?:'\w+)*", fold(text))
    if cyrillic >= latin:
        special = sum(1 for ch in text if ch in UZBEK_CYRILLIC_LETTERS)
        uz = sum(1 for w in words if w in _UZ_CYRILLIC_WORDS)
        ru = sum(1 for w in words if w in _RU_WORDS)
        # Uzbek Cyrillic may go a sentence without ў қ ғ ҳ: its commonest words then decide
        if special * 200 >= cyrillic or (uz > ru and (special or uz >= 2)):
            return Language("uz", "Cyrl")
        return Language("ru", "Cyrl")
    uz = sum(1 for w in words if w in _UZ_LATIN_WORDS)
    uz += 3 * len(re.findall(r"[og]['ʻʼ‘’`]", text, re.IGNORECASE))
    en = sum(1 for w in words if w in _EN_WORDS)
    return Language("uz", "Latn") if uz > en else Language("en", "Latn")
