"""Duration of an agreement, its entry into force and its extension clause."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgtool.project import ID

ON_SIGNING = ID + "entry-into-force/on-signing"
MUTUAL_CONSENT = ID + "extension/mutual-consent"

_A = "['ʼʻ‘’`]"

_NUMBER_WORDS: dict[str, int] = {
    "one": 1, "a": 1, "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7,
    "eight": 8, "nine": 9, "ten": 10,
    "один": 1, "одного": 1, "два": 2, "двух": 2, "три": 3, "трех": 3, "трёх": 3, "четыре": 4,
    "четырех": 4, "пять": 5, "пяти": 5, "шесть": 6, "шести": 6, "семь": 7, "десять": 10,
    "десяти": 10,
    "bir": 1, "ikki": 2, "uch": 3, "to'rt": 4, "besh": 5, "olti": 6, "yetti": 7, "sakkiz": 8,
    "o'n": 10,
    "бир": 1, "икки": 2, "уч": 3, "тўрт": 4, "беш": 5, "олти": 6, "етти": 7, "ўн": 10,
}  # fmt: skip

_NUM = (
    r"(?P<n>\d{1,2}|"
    + "|".join(sorted((re.escape(w).replace("'", _A) for w in _NUMBER_WORDS), key=len)[::-1])
    + r")"
)

_PARENTHESISED = r"\s*(?:\([^)]{1,15}\)\s*)?"  # «на 3 (три) года», "for 5 (five) years"
_EN_YEARS = r"\s+years?\b"
_RU_YEARS = r"\s*(?:год|года|лет)\b"
_UZ_YEARS = r"\s*(?:yil|йил)"

#: (what comes before the number, what comes after it): the phrases that state a term.
_TERM_PHRASES: tuple[tuple[str, str], ...] = (
    # English: "for three years", "for a period of 5 years", "a five-year memorandum"
    (r"\bfor\s+(?:a\s+(?:period|term)\s+of\s+)?", _PARENTHESISED + r"years?\b"),
    (r"\b(?:term|period|duration|validity)\s+(?:of\s+(?:the\s+\w+\s+)?)?(?:is\s+|will\s+be\s+)?",
     _EN_YEARS),
    (r"\bvalid\s+(?:for\s+)?", _EN_YEARS),
    # "a three-year cooperation agreement", "a 5-year research memorandum"
    (r"\b", r"[-\s]year\s+(?:[a-z]+\s+){0,2}?(?:term|period|memorandum|agreement|contract"
     r"|mou|deal)\b"),
    # Russian: «на три года», «сроком на 5 лет», «составляет три года»
    (r"\bна\s+(?:срок\s+)?", _PARENTHESISED + r"(?:год|года|лет)\b"),
    (r"\bсроком\s+(?:на\s+)?", _PARENTHESISED + r"(?:год|года|лет)\b"),
    (r"\bсрок\w*\s+(?:действия\s+)?(?:\w+\s+){0,2}(?:составляет|—|–|-)\s*", _RU_YEARS),
    (r"\bв\s+течение\s+", _RU_YEARS),
    (r"\bдейств\w*\s+(?:в\s+течение\s+)?", _RU_YEARS),
    # Uzbek: «3 yil muddatga», «muddati — uch yil», «besh yillik»
    (r"\b", _UZ_YEARS + r"(?:lik|лик)?\s+(?:muddat|муддат)\w*"),
    (r"(?:muddati|муддати)\s*(?:—|–|-|:)?\s*", _UZ_YEARS),
    (r"\b", _UZ_YEARS + r"\s+(?:davomida|давомида|amal\s+qiladi|амал\s+қилади)"),
    (r"\b", r"\s*(?:yillik|йиллик)\b"),
    (r"\b", _UZ_YEARS + r"(?:ga|га)\b"),
)  # fmt: skip
_TERM_PATTERNS = tuple(
    re.compile(before + _NUM + after, re.IGNORECASE) for before, after in _TERM_PHRASES
)

_ENTRY_RE = re.compile(
    r"\b(?:enter(?:s|ed)?|come(?:s)?|came|take(?:s)?|took)\s+(?:into\s+)?(?:force|effect)\s+"
    r"(?:up)?on\s+(?:its\s+|the\s+)?(?:signing|signature)"
    r"|\b(?:enter(?:s|ed)?|come(?:s)?|came)\s+into\s+force\s+(?:on|from)\s+the\s+(?:date|day|moment)"
    r"\s+of\s+(?:its\s+)?sign\w*"
    r"|\beffective\s+(?:up)?on\s+sign\w*|\beffective\s+from\s+the\s+date\s+of\s+sign\w*"
    r"|\bвступ\w+\s+в\s+силу\s+с\s+(?:момента|даты|дня)\s+(?:его\s+|ее\s+|её\s+)?подписания"
    r"|\bс\s+(?:момента|даты|дня)\s+(?:его\s+)?подписания\s+вступ\w+\s+в\s+силу"
    r"|\bimzolangan\s+(?:kun\w*|paytdan|vaqtdan|sanadan)\s+(?:boshlab\s+)?kuchga\s+kir\w*"
    r"|\bимзоланган\s+(?:кун\w*|пайтдан|вақтдан|санадан)\s+(?:бошлаб\s+)?кучга\s+кир\w*",
    re.IGNORECASE,
)

_EXTEND_RE = re.compile(
    r"\b(?:may|can|could|will|shall)\s+be\s+(?:automatically\s+)?(?:extended|renewed|prolonged)\b"
    r"|\bpossibility\s+of\s+(?:its\s+)?(?:extension|renewal|prolongation)\b"
    r"|\b(?:is|are|be)\s+renewable\b"
    r"|\bвозможност\w+\s+(?:его\s+|ее\s+|её\s+)?(?:продления|пролонгации)\b"
    r"|\bможет\s+быть\s+(?:продл[её]н\w*|пролонгирован\w*)|\bпродлева\w+|\bпролонгир\w+"
    r"|\buzaytirilishi\s+mumkin|\buzaytiril(?:adi|ishi)\b|\buzaytirish\s+mumkin"
    r"|\bузайтирилиши\s+мумкин|\bузайтирил(?:ади|иши)\b",
    re.IGNORECASE,
)

_MUTUAL_RE = re.compile(
    r"\bmutual\s+(?:consent|agreement)\b|\bconsent\s+of\s+(?:both|the)\s+parties\b"
    r"|\bпо\s+взаимному\s+согласию\b|\bпо\s+согласию\s+сторон\b"
    r"|\bo" + _A + r"zaro\s+kelishuv\w*|\btomonlarning\s+(?:o" + _A + r"zaro\s+)?kelishuv\w*"
    r"|\bўзаро\s+келишув\w*|\bтомонларнинг\s+келишув\w*",
    re.IGNORECASE,
)


@dataclass(frozen=True)
class Found:
    """A value found in the text and the span that says it."""

    start: int
    end: int
    value: object


def find_term(text: str, start: int, end: int) -> Found | None:
    """Return the agreement's term in years as stated in ``text[start:end]``."""
    best: Found | None = None
    for pattern in _TERM_PATTERNS:
        for m in pattern.finditer(text, start, end):
            raw = m.group("n").lower()
            raw = re.sub(_A, "'", raw)
            years = int(raw) if raw.isdigit() else _NUMBER_WORDS.get(raw)
            if years is None or not 1 <= years <= 50:
                continue
            if best is None or m.start() < best.start:
                best = Found(m.start(), m.end(), years)
    return best


def find_entry_on_signing(text: str, start: int, end: int) -> Found | None:
    """Return where ``text[start:end]`` says the agreement takes effect on signing."""
    m = _ENTRY_RE.search(text, start, end)
    return Found(m.start(), m.end(), ON_SIGNING) if m else None


def find_extension(text: str, start: int, end: int) -> tuple[Found | None, Found | None]:
    """Return (extendable, by-mutual-consent clause) spans in ``text[start:end]``."""
    m = _EXTEND_RE.search(text, start, end)
    if m is None:
        return None, None
    window_start = max(start, m.start() - 120)
    window_end = min(end, m.end() + 80)
    mutual = _MUTUAL_RE.search(text, window_start, window_end)
    clause = Found(mutual.start(), mutual.end(), MUTUAL_CONSENT) if mutual else None
    return Found(m.start(), m.end(), True), clause
