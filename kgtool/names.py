"""Institution names: normalisation, Uzbek transliteration, inflection, acronyms and resolution.

One answer to "is this the same institution?" for every module: ``NameIndex`` holds the names of
the graph's institutions (or of registry records) under several matching keys, each a dict, so a
lookup costs a few dict probes whatever the size of the index. Display text is never altered:
every key is computed from a copy.
"""

from __future__ import annotations

import math
import re
import sys
import unicodedata
from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import cache, lru_cache
from typing import TYPE_CHECKING, Any, Literal

from rdflib import RDF, RDFS, SKOS, Graph, URIRef
from rdflib import Literal as RdfLiteral

from kgtool.project import COOP

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph

__all__ = [
    "RULE_SCORES",
    "IndexedName",
    "LabelKind",
    "Match",
    "NameIndex",
    "cyrillic_to_latin",
    "derive_acronym",
    "fold_apostrophes",
    "inflect_ru",
    "institutions",
    "is_legal_form",
    "latin_to_cyrillic",
    "lemma_key",
    "match_key",
    "normalise",
    "resolve",
    "script_of",
    "strip_legal_forms",
    "strip_uzbek_suffixes",
]

LabelKind = Literal["pref", "alt", "hidden", "acronym"]

# --------------------------------------------------------------------------------------------
# Normalisation
# --------------------------------------------------------------------------------------------

#: Every character used as an Uzbek apostrophe (oʻ, gʻ and the tutuq belgisi ʼ), as written.
APOSTROPHES = "ʼʻ‘’'`´ʹ′"
_APOSTROPHE_RE = re.compile(f"[{re.escape(APOSTROPHES)}]")
#: The one apostrophe that :func:`normalise` folds every variant to.
FOLDED_APOSTROPHE = "'"

_QUOTES_RE = re.compile(r"[«»“”„‟\"‹›「」『』]")

#: Legal forms of Uzbek law written as phrases: regular expressions over case-folded text whose
#: apostrophes are folded to ``'``.
_UZBEK_LEGAL_PHRASES = (
    r"(?:ochiq\s+|yopiq\s+)?a[k]?t?siyadorlik\s+jamiyat\w*",
    r"mas'?uliyati\s+cheklangan\s+jamiyat\w*",
    r"davlat\s+unitar\s+korxona\w*",
    r"(?:очиқ\s+|ёпиқ\s+)?акциядорлик\s+жамият\w*",
    r"масъулияти\s+чекланган\s+жамият\w*",
)
#: Every legal form written as a phrase; a phrase is a legal form wherever a name holds it.
LEGAL_FORM_PHRASES: tuple[str, ...] = (
    *_UZBEK_LEGAL_PHRASES,
    r"(?:публичн|открыт|закрыт)\w*\s+акционерн\w*\s+обществ\w*",
    r"акционерн\w*\s+обществ\w*",
    r"обществ\w*\s+с\s+ограниченн\w*\s+ответственност\w*",
    r"государственн\w*\s+унитарн\w*\s+предприяти\w*",
    r"joint[\s-]+stock\s+company",
    r"limited\s+liability\s+company",
    r"co\.?,?\s+ltd\.?",
    r"gmbh\s*&\s*co\.?\s+kg",
)

#: Uzbek legal forms written as one word, Latin and Cyrillic: MChJ, AJ, OAJ (the open AJ before
#: 2014), QK (joint venture), DUK (state unitary enterprise). None is an ordinary word.
_UZBEK_LEGAL_WORDS = frozenset({"mchj", "aj", "oaj", "qk", "duk", "мчж", "оаж", "қк", "дук"})
#: One-word legal forms, case-folded, in every script they are written in: a legal form wherever
#: a name holds one, in any case. None of them is a word of en, ru or uz.
LEGAL_FORM_WORDS: frozenset[str] = _UZBEK_LEGAL_WORDS | {
    # Russian, and ООО and ОАО typed with Latin look-alike letters
    "ооо", "оао", "зао", "пао", "ао", "ичп", "гуп", "ooo", "oao",
    # English (LLP also Kazakh in English), German
    "llc", "llp", "jsc", "ojsc", "cjsc", "pjsc", "ltd", "inc", "plc", "corp", "co",
    "gmbh", "ag", "kg",
}  # fmt: skip

#: One-word legal forms that are also words (Kazakh and Kyrgyz "ак" white, as in Ак Алтын; the
#: Russian particle "аж"; Russian ХК, a hockey club; Kyrgyz "тоо" mountain, as in Ала-Тоо;
#: Portuguese "ao" in registry names): a legal form only in capitals, and only at either end.
#: Uzbek АЖ, XK (private enterprise) and AK (joint-stock company) are among them.
LEGAL_FORM_CAPITALS: frozenset[str] = frozenset({"AK", "АК", "XK", "ХК", "АЖ", "ТОО", "AO"})
_UZBEK_LEGAL_CAPITALS = frozenset({"АЖ", "XK", "ХК"})  # not AK: Kazakh and Kyrgyz too

_FORM_END = r"(?![\w-])(?!'\w)"  # a form ends a word: not Co-operative, not an oʻ/taʼ word
_FORM_START = r"(?<![\w-])(?<!\w')"


def _form_pattern(phrases: Iterable[str], words: Iterable[str], capitals: Iterable[str]) -> str:
    """Return a pattern for one form: a phrase or word in any case, or a capitals-only word."""
    longest_first = sorted(words, key=len, reverse=True)
    ignoring_case = "(?i:" + "|".join([*phrases, *longest_first]) + ")"
    return "(?:" + "|".join([ignoring_case, *sorted(capitals, key=len, reverse=True)]) + ")"


_LEGAL_FORM = _form_pattern(LEGAL_FORM_PHRASES, LEGAL_FORM_WORDS, LEGAL_FORM_CAPITALS)
#: A legal form as a whole word anywhere in a text whose apostrophes are folded (it tells a
#: company; only strip_legal_forms and normalise decide where a form may be taken off).
LEGAL_FORM_RE = re.compile(_FORM_START + _LEGAL_FORM + _FORM_END)
#: A legal form of Uzbek law anywhere in a text whose apostrophes are folded (MChJ, АЖ, ...).
UZBEK_LEGAL_FORM_RE = re.compile(
    _FORM_START
    + _form_pattern(_UZBEK_LEGAL_PHRASES, _UZBEK_LEGAL_WORDS, _UZBEK_LEGAL_CAPITALS)
    + _FORM_END
)
#: A legal form opening a name, with the spaces and comma after it (match it).
LEGAL_FORM_OPENING_RE = re.compile(r"\s*" + _LEGAL_FORM + _FORM_END + r"\.?[\s,]*")
#: A legal form closing a name, with the spaces and comma before it (search it).
LEGAL_FORM_CLOSING_RE = re.compile(r"[\s,]*" + _FORM_START + _LEGAL_FORM + r"\.?\s*$")
#: Whether a text may hold a capitals-only form (a cheap test before strip_legal_forms).
_CAPITALS_HINT_RE = re.compile("|".join(sorted(LEGAL_FORM_CAPITALS)))
#: What normalise drops wherever it is (in case-folded text): the forms that are no words.
_LEGAL_ANYWHERE_RE = re.compile(
    _FORM_START + _form_pattern(LEGAL_FORM_PHRASES, LEGAL_FORM_WORDS, ()) + _FORM_END
)


def is_legal_form(word: str) -> bool:
    """Whether ``word`` (or a phrase) is a legal form: MChJ, ООО, "Co.", "Aksiyadorlik jamiyati";
    case and apostrophes folded, except for the forms that are also words (АК, not "ак")."""
    return LEGAL_FORM_RE.fullmatch(fold_apostrophes(word.strip().removesuffix("."))) is not None


_QUOTED_RE = re.compile(r"[«“\"](.+)[»”\"]")
_PUNCT_RE = re.compile(r"[^\w']+")
_STRESS_RE = re.compile("[\u0300\u0301]")
_PARENS_RE = re.compile(r"\(([^()]*)\)")


_LATIN_LOOKALIKES = "aceopxyk"
_CYRILLIC_LOOKALIKES = "асеорхук"
_TO_CYRILLIC = str.maketrans(_LATIN_LOOKALIKES, _CYRILLIC_LOOKALIKES)
_TO_LATIN = str.maketrans(_CYRILLIC_LOOKALIKES, _LATIN_LOOKALIKES)
_HOMOGLYPH_WORD_RE = re.compile(r"\w+")


def _unmix_word(match: re.Match[str]) -> str:
    """Write a word mixing Latin and Cyrillic look-alikes (ТЕХНОЛОГИЧЕCКИЙ) in one script."""
    word = match.group(0)
    cyr = sum(1 for ch in word if "\u0400" <= ch <= "\u04ff")
    lat = sum(1 for ch in word if "a" <= ch <= "z")
    if not cyr or not lat:
        return word
    return word.translate(_TO_CYRILLIC if cyr >= lat else _TO_LATIN)


def fold_apostrophes(text: str) -> str:
    """Return ``text`` with every Uzbek apostrophe variant (ʼ ʻ ‘ ’ ' `) as ASCII ``'``."""
    return _APOSTROPHE_RE.sub(FOLDED_APOSTROPHE, text)


@lru_cache(maxsize=100_000)
def normalise(text: str) -> str:
    """Return the matching form of ``text``: NFC, case-folded, one apostrophe, no quotes or
    legal forms, punctuation and whitespace collapsed to single spaces."""
    text = unicodedata.normalize("NFC", text)
    if _CAPITALS_HINT_RE.search(text):  # АК, not "ак": while the case still tells them apart
        text = strip_legal_forms(text)
    folded = fold_apostrophes(text.casefold())
    folded = _STRESS_RE.sub("", folded)  # Моско́вский: stress marks are not spelling
    if not folded.isascii():
        folded = _HOMOGLYPH_WORD_RE.sub(_unmix_word, folded)
    folded = _QUOTES_RE.sub(" ", folded)
    # An apostrophe is part of a word (oʻ, gʻ, taʼlim) only between letters.
    folded = re.sub(r"(?<!\w)'+|'+(?!\w)", " ", folded)
    # Before punctuation goes, so that a hyphen still tells "Co-operative" from "Co.".
    folded = _LEGAL_ANYWHERE_RE.sub(" ", folded)
    return " ".join(_PUNCT_RE.sub(" ", folded).split())


def strip_legal_forms(name: str) -> str:
    """Return ``name`` as written without the legal forms that open or close it, and without
    the quotes they left: «МЧЖ "Agro Invest"» and "Agro Invest MChJ" -> "Agro Invest", "Hanyang
    Co., Ltd." -> "Hanyang". Legal forms inside a name stay; a name that is only one stays."""
    # Apostrophes folded one for one, so offsets into ``plain`` are offsets into ``name``.
    plain = fold_apostrophes(name)
    start, end = 0, len(name)
    while True:
        opening = LEGAL_FORM_OPENING_RE.match(plain, start, end)
        closing = LEGAL_FORM_CLOSING_RE.search(plain, start, end)
        if opening and opening.end() < end:
            start = opening.end()
        elif closing and closing.start() > start:
            end = closing.start()
        else:
            break
    if (start, end) == (0, len(name)):
        return name
    rest = name[start:end].strip()
    quoted = _QUOTED_RE.fullmatch(rest)
    return quoted.group(1).strip() if quoted else rest


def _script_of_char(code: int) -> str | None:
    if code < 0x250 or 0x1E00 <= code <= 0x1EFF or 0x2B0 <= code <= 0x2FF:
        return "Latn"
    if 0x400 <= code <= 0x52F or 0x1C80 <= code <= 0x1C8F:
        return "Cyrl"
    if 0xAC00 <= code <= 0xD7AF or 0x1100 <= code <= 0x11FF or 0x3130 <= code <= 0x318F:
        return "Hang"
    if 0x4E00 <= code <= 0x9FFF or 0x3400 <= code <= 0x4DBF:
        return "Hani"
    return None


@lru_cache(maxsize=200_000)
def script_of(text: str) -> str:
    """Return the main script of ``text``: ``Latn``, ``Cyrl``, ``Hang``, ``Hani`` or ``Zyyy``."""
    if text.isascii():
        return "Latn" if any(ch.isalpha() for ch in text) else "Zyyy"
    counts: dict[str, int] = defaultdict(int)
    for ch in text:
        if ch.isalpha():
            script = _script_of_char(ord(ch))
            if script is not None:
                counts[script] += 1
    return max(counts, key=lambda k: counts[k]) if counts else "Zyyy"


# --------------------------------------------------------------------------------------------
# Uzbek transliteration (the 1995 Latin alphabet, with its 2019 apostrophes ʻ and ʼ)
# --------------------------------------------------------------------------------------------

OKINA = "ʻ"  # U+02BB, in oʻ and gʻ
TUTUQ = "ʼ"  # U+02BC, the tutuq belgisi (Cyrillic ъ)

_CYR_VOWELS = set("аеёиоуўэюяыАЕЁИОУЎЭЮЯЫ")
_LAT_VOWELS = set("aeiouAEIOU")

_CYR_TO_LAT: dict[str, str] = {
    "а": "a", "б": "b", "в": "v", "г": "g", "ғ": "g" + OKINA, "д": "d", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "қ": "q", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p",
    "р": "r", "с": "s", "т": "t", "у": "u", "ў": "o" + OKINA, "ф": "f", "х": "x", "ҳ": "h",
    "ч": "ch", "ш": "sh", "щ": "sh", "ъ": TUTUQ, "ь": "", "ы": "i", "э": "e", "ё": "yo",
    "ю": "yu", "я": "ya",
}  # fmt: skip

#: Loanwords the letter rules cannot restore (the soft sign, я read as a): latin stem, cyrillic.
_TRANSLIT_EXCEPTIONS: tuple[tuple[str, str], ...] = (
    ("sentabr", "сентябрь"),
    ("oktabr", "октябрь"),
    ("noyabr", "ноябрь"),
    ("dekabr", "декабрь"),
    ("fevral", "февраль"),
    ("yanvar", "январь"),
    ("aprel", "апрель"),
    ("iyun", "июнь"),
    ("iyul", "июль"),
    ("kompyuter", "компьютер"),
)
_WORD_RE = re.compile(r"[^\W\d_]+(?:[" + re.escape(APOSTROPHES) + r"][^\W\d_]+)*", re.UNICODE)


def _case_like(source: str, out: str, word: str) -> str:
    """Give ``out`` the case of the ``source`` letter (all caps in an all-caps word)."""
    if not source.isupper():
        return out
    if len(word) > 1 and word.isupper():
        return out.upper()
    return out[:1].upper() + out[1:]


def _exception_match(word: str, table_index: int) -> tuple[str, str] | None:
    low = word.lower()
    for pair in _TRANSLIT_EXCEPTIONS:
        stem = pair[table_index]
        bare = stem.rstrip("ь")
        if low.startswith(bare):
            return pair
    return None


def _cyr_word_to_latin(word: str) -> str:
    pair = _exception_match(word, 1)
    if pair is not None:
        latin, cyr = pair
        bare = cyr.rstrip("ь")
        rest = word[len(bare) :]
        if rest.lower().startswith("ь"):
            rest = rest[1:]
        head = (
            latin.upper() if word.isupper() else latin.capitalize() if word[0].isupper() else latin
        )
        return head + _cyr_word_to_latin(rest) if rest else head
    out: list[str] = []
    for i, ch in enumerate(word):
        low = ch.lower()
        prev = word[i - 1].lower() if i else ""
        nxt = word[i + 1].lower() if i + 1 < len(word) else ""
        if low == "е":
            # ye at the start of a word, after a vowel and after ъ/ь; e elsewhere.
            lat = "ye" if (not prev or prev in _CYR_VOWELS or prev in "ъь") else "e"
        elif low == "ц":
            lat = "ts" if prev and prev in _CYR_VOWELS else "s"
        elif low == "ъ" and nxt in ("е", "ё", "ю", "я"):
            lat = ""  # объект → obyekt: the separating sign is carried by the y
        elif low == "с" and nxt == "ҳ":
            lat = "s" + TUTUQ  # Исҳоқ → Isʼhoq, so that s+h is not read as sh
        elif low in _CYR_TO_LAT:
            lat = _CYR_TO_LAT[low]
        else:
            out.append(ch)
            continue
        out.append(_case_like(ch, lat, word) if lat else "")
    return "".join(out)


def cyrillic_to_latin(text: str) -> str:
    """Transliterate Uzbek Cyrillic to Uzbek Latin (official rules); other text is kept."""
    return _WORD_RE.sub(
        lambda m: _cyr_word_to_latin(m.group(0)), unicodedata.normalize("NFC", text)
    )


_LAT_TO_CYR_DIGRAPHS = {"sh": "ш", "ch": "ч", "yo": "ё", "yu": "ю", "ya": "я", "ts": "ц"}
_LAT_TO_CYR: dict[str, str] = {
    "a": "а", "b": "б", "d": "д", "f": "ф", "g": "г", "h": "ҳ", "i": "и", "j": "ж", "k": "к",
    "l": "л", "m": "м", "n": "н", "o": "о", "p": "п", "q": "қ", "r": "р", "s": "с", "t": "т",
    "u": "у", "v": "в", "x": "х", "y": "й", "z": "з", "c": "с", "w": "в",
}  # fmt: skip


def _is_apostrophe(ch: str) -> bool:
    return bool(ch) and ch in APOSTROPHES


def _lat_word_to_cyrillic(word: str) -> str:
    pair = _exception_match(word, 0)
    if pair is not None:
        latin, cyr = pair
        rest = word[len(latin) :]
        if rest:  # an inflected form: сентябрда; the soft sign stays only at the word's end
            cyr = cyr.rstrip("ь")
        head = cyr.upper() if word.isupper() else cyr.capitalize() if word[0].isupper() else cyr
        return head + _lat_word_to_cyrillic(rest) if rest else head
    out: list[str] = []
    i, n = 0, len(word)
    while i < n:
        ch = word[i]
        low = ch.lower()
        nxt = word[i + 1].lower() if i + 1 < n else ""
        prev = word[i - 1].lower() if i else ""
        if low in "og" and _is_apostrophe(nxt):
            out.append(_case_like(ch, "ў" if low == "o" else "ғ", word))
            i += 2
            continue
        if _is_apostrophe(ch):
            if prev == "s" and nxt == "h":  # Isʼhoq → Исҳоқ
                i += 1
                continue
            out.append("ъ")
            i += 1
            continue
        pair2 = low + nxt
        if low == "y" and nxt == "e":
            at_start = i == 0 or not prev.isalpha()
            cyr = "е" if at_start or prev in _LAT_VOWELS else "ъе"
            out.append(_case_like(ch, cyr, word))
            i += 2
            continue
        if low == "y" and nxt == "o" and i + 2 < n and _is_apostrophe(word[i + 2]):
            out.append(_case_like(ch, "й", word))  # Yangiyoʻl: y + oʻ, not yo
            i += 1
            continue
        if pair2 in _LAT_TO_CYR_DIGRAPHS:
            out.append(_case_like(ch, _LAT_TO_CYR_DIGRAPHS[pair2], word))
            i += 2
            continue
        if low == "e":
            at_start = i == 0 or not prev.isalpha()
            out.append(_case_like(ch, "э" if at_start or prev in _LAT_VOWELS else "е", word))
            i += 1
            continue
        if low in _LAT_TO_CYR:
            out.append(_case_like(ch, _LAT_TO_CYR[low], word))
        else:
            out.append(ch)
        i += 1
    return "".join(out)


def latin_to_cyrillic(text: str) -> str:
    """Transliterate Uzbek Latin to Uzbek Cyrillic (official rules); other text is kept."""
    return _WORD_RE.sub(
        lambda m: _lat_word_to_cyrillic(m.group(0)), unicodedata.normalize("NFC", text)
    )


# --------------------------------------------------------------------------------------------
# Inflection
# --------------------------------------------------------------------------------------------


@cache
def _morph() -> Any:
    import pymorphy3  # the only module that imports it (architecture.md)

    return pymorphy3.MorphAnalyzer()


@lru_cache(maxsize=200_000)
def _russian_lemma(word: str) -> str | None:
    """Return the dictionary form of a known Russian word, else None."""
    morph = _morph()
    if not morph.word_is_known(word):
        if not _RU_ADJECTIVE_RE.search(word):
            return None
        # Кызылординского: an unknown place adjective; pymorphy3's guess declines it.
        adjectives = [p for p in morph.parse(word) if p.tag.POS == "ADJF"]
        return str(adjectives[0].normal_form) if adjectives else None
    parses = morph.parse(word)
    # Тверская is an adjective before it is a street or a surname.
    adjectives = [p for p in parses if p.tag.POS == "ADJF"]
    common = [p for p in parses if not ({"Surn", "Name", "Patr"} & set(p.tag.grammemes))]
    return str((adjectives or common or parses)[0].normal_form)


_RU_ADJECTIVE_RE = re.compile(
    r"(?:ск|цк|н)(?:ого|ому|ым|ом|ой|ую|ая|ий|ый|ое|ие|ые|их|ых|ими|ыми)$"
)


_RU_CASES = {"nomn", "gent", "datv", "accs", "ablt", "loct"}


def inflect_ru(phrase: str, case: str) -> str:
    """Put the head of a Russian noun ``phrase`` in ``case`` (a pymorphy3 grammeme: gent, datv,
    accs, ablt, loct): the adjectives before the first noun and that noun; the words after it
    (genitive complements) and capitals are kept."""
    if case not in _RU_CASES:
        raise ValueError(f"unknown case {case!r}")
    morph = _morph()
    head_done = False
    phrase = _STRESS_RE.sub("", unicodedata.normalize("NFC", phrase))

    def one(match: re.Match[str]) -> str:
        nonlocal head_done
        word = match.group(0)
        if head_done:
            return word
        parses = [p for p in morph.parse(word.lower()) if "nomn" in p.tag]
        if not parses or not ({"NOUN", "ADJF", "PRTF"} & {str(parses[0].tag.POS)}):
            return word
        head_done = parses[0].tag.POS == "NOUN"
        form = parses[0].inflect({case})
        if form is None:
            return word
        new = str(form.word)
        if word.isupper() and len(word) > 1:
            return new.upper()
        return new[:1].upper() + new[1:] if word[:1].isupper() else new

    # In a hyphenated word (Санкт-Петербургский, научно-исследовательский) only the last part
    # declines.
    return re.sub(r"(?<=[А-Яа-яЁё]-)[А-Яа-яЁё]+|[А-Яа-яЁё]+(?![А-Яа-яЁё]*-[А-Яа-яЁё])", one, phrase)


_UZ_CASE_SUFFIXES = ("gacha", "dagi", "ning", "niki", "dan", "da", "ga", "ni", "kka", "qqa")
_UZ_POSSESSIVE = ("imiz", "ingiz", "lari", "si", "i")
_UZ_PLURAL = ("lar",)


def strip_uzbek_suffixes(word: str) -> str:
    """Return the stem of an Uzbek Latin ``word`` (lower case, folded apostrophes): case
    endings, then possessive (izofa), then plural are taken off (akademiyasining → akademiya)."""
    stem = word
    for suffix in _UZ_CASE_SUFFIXES:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            # -kka/-qqa are -ga after k/q: keep the stem's own k or q.
            stem = stem[: -len(suffix) + 1] if suffix in ("kka", "qqa") else stem[: -len(suffix)]
            break
    for suffix in _UZ_POSSESSIVE:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= (4 if suffix == "i" else 3):
            stem = stem[: -len(suffix)]
            break
    for suffix in _UZ_PLURAL:
        if stem.endswith(suffix) and len(stem) - len(suffix) >= 3:
            stem = stem[: -len(suffix)]
            break
    return stem


def _word_set(*lines: str) -> frozenset[str]:
    return frozenset(word for line in lines for word in line.split())


#: Function words that carry no identity (compared after folding to the Latin key).
_STOPWORDS = _word_set(
    "of the and for in at on a an named after by to",  # English
    "va hamda bilan uchun nomidagi nomli nom huzuridagi qoshidagi",  # Uzbek
    "i imeni im pri v vo dlya po na s so ot iz k pod",  # Russian, transliterated
    "und der die das des fur von zu",  # German
)

#: Abbreviations press releases use inside names, expanded before lemmatising.
_ABBREVIATIONS: dict[str, tuple[str, ...]] = {
    "руз": ("республика", "узбекистан"),
    "ruz": ("republic", "uzbekistan"),
    "ўзр": ("ўзбекистон", "республикаси"),
    "o'zr": ("o'zbekiston", "respublikasi"),
    "uzr": ("o'zbekiston", "respublikasi"),
    "фа": ("фанлар", "академияси"),
    "ан": ("академия", "наука"),
}

_FOLD_RULES = (
    (re.compile(r"'"), ""),
    (re.compile(r"ts"), "s"),
    (re.compile(r"^ye"), "e"),
    (re.compile(r"q"), "k"),
    (re.compile(r"x"), "h"),
    (re.compile(r"w"), "v"),
    (re.compile(r"(.)\1+"), r"\1"),
)


@lru_cache(maxsize=400_000)
def _fold_token(token: str) -> str:
    """Fold a Latin token to its spelling-insensitive key (oʻ → o, ts → s, q → k, doubles)."""
    out = cyrillic_to_latin(token).lower() if script_of(token) == "Cyrl" else token
    out = unicodedata.normalize("NFKD", out)
    out = "".join(ch for ch in out if not unicodedata.combining(ch))
    out = fold_apostrophes(out)
    for pattern, repl in _FOLD_RULES:
        out = pattern.sub(repl, out)
    return out


@lru_cache(maxsize=400_000)
def _lemma_token(token: str) -> str:
    """Return the inflection-free key of one normalised token, in either script."""
    if script_of(token) == "Cyrl":
        lemma = _russian_lemma(token.replace("'", ""))
        if lemma is not None:
            return _fold_token(lemma)
        token = cyrillic_to_latin(token).lower()
    latin = fold_apostrophes(token)
    stem = strip_uzbek_suffixes(latin) if latin.isascii() or "'" in latin else latin
    folded = _fold_token(stem)
    if stem != latin and folded.endswith("g"):
        folded = folded[:-1] + "k"  # xoʻjalik + i → xoʻjaligi: the stem's k voices to g
    return folded


def _content(tokens: Iterable[str]) -> list[str]:
    return [t for t in tokens if t and t not in _STOPWORDS]


def match_key(text: str) -> str:
    """Return the script- and spelling-insensitive key of ``text`` (Cyrillic read as Uzbek
    Latin, apostrophes dropped, function words set aside)."""
    return " ".join(_content(_fold_token(t) for t in normalise(text).split()))


def _expand(tokens: list[str]) -> list[str]:
    out: list[str] = []
    for token in tokens:
        out.extend(_ABBREVIATIONS.get(token, (token,)))
    return out


def lemma_key(text: str) -> str:
    """Return the inflection-insensitive key of ``text``: Russian words in dictionary form,
    Uzbek suffixes taken off, then folded as in :func:`match_key`."""
    tokens = _expand(normalise(text).split())
    return " ".join(_content(_content(_lemma_token(t) for t in _content(tokens))))


# --------------------------------------------------------------------------------------------
# Acronyms
# --------------------------------------------------------------------------------------------

_ACRONYM_RE = re.compile(r"^[^\W\d_][\w'&.-]{1,14}$")


def derive_acronym(name: str) -> str:
    """Return the initials of the content words of ``name``, upper case, in its own script
    (Toshkent irrigatsiya va qishloq xoʻjaligini ... instituti → TIQXMMI)."""
    words = [w for w in normalise(name).split() if _fold_token(w) not in _STOPWORDS]
    return "".join(w[0] for w in words if w[0].isalpha()).upper()


def _acronym_key(token: str) -> str:
    """Fold an acronym: one script (Latin), lower case, no apostrophes, dots or hyphens."""
    low = unicodedata.normalize("NFC", token).casefold()
    if script_of(low) == "Cyrl":
        low = cyrillic_to_latin(low).lower()
    return re.sub(r"[^\w]|_", "", _APOSTROPHE_RE.sub("", low))


def _looks_like_acronym(text: str) -> bool:
    """Whether ``text`` as written is an abbreviation: one word with two capitals or more, or a
    few short words mostly in capitals ("IE RAS", "GIN SB RAS")."""
    words = _QUOTES_RE.sub("", text).split()
    if len(words) == 1:
        return bool(_ACRONYM_RE.match(words[0])) and sum(ch.isupper() for ch in words[0]) >= 2
    if not 1 < len(words) <= 4:
        return False
    for word in words:
        letters = [ch for ch in word if ch.isalpha()]
        if not letters or len(word) > 8 or 2 * sum(ch.isupper() for ch in letters) < len(letters):
            return False
    return True


def _acronym_variants(token: str) -> list[tuple[str, bool]]:
    """Return (key, inflected) readings of a possibly inflected acronym (KORAMning, TIQXMMIda)."""
    low = fold_apostrophes(unicodedata.normalize("NFC", token).casefold())
    variants = [(_acronym_key(low), False)]
    latin = cyrillic_to_latin(low).lower() if script_of(low) == "Cyrl" else low
    for suffix in (*_UZ_CASE_SUFFIXES, "'ning", "'da", "'ga", "'dan", "'ni"):
        if latin.endswith(suffix) and len(latin) > len(suffix) + 1:
            variants.append((_acronym_key(latin[: -len(suffix)]), True))
    if script_of(low) == "Cyrl":  # НУУза, НУУзом: Russian endings after a Cyrillic acronym
        for suffix in ("ом", "ем", "а", "я", "у", "е"):
            if low.endswith(suffix) and len(low) > len(suffix) + 1:
                variants.append((_acronym_key(low[: -len(suffix)]), True))
    return variants


# --------------------------------------------------------------------------------------------
# The index
# --------------------------------------------------------------------------------------------

#: The score of each rule for a preferred or alternative label (hidden labels score 2 % less).
RULE_SCORES: dict[str, float] = {
    "exact-normalised": 1.0,
    "transliterated": 0.95,
    "inflection": 0.9,
    "acronym": 0.9,
    "acronym-inflected": 0.85,
    "acronym-derived": 0.7,
    "token-overlap": 0.85,  # the maximum; scaled by the weighted overlap
}


@dataclass(frozen=True, slots=True)
class IndexedName:
    """One name of one institution as the index holds it."""

    iri: str
    label: str
    lang: str | None
    kind: LabelKind


@dataclass(frozen=True)
class Match:
    """A candidate institution for a name: its IRI, a score in [0, 1] and why it matched."""

    iri: str
    score: float
    rule: str
    label: str
    lang: str | None

    @property
    def reason(self) -> str:
        """Which rule matched which stored label, as one line."""
        tag = f"@{self.lang}" if self.lang else ""
        return f"{self.rule} on {self.label!r}{tag}"


_INSTITUTION_CLASSES = (
    "Institution",
    "AcademyOfSciences",
    "ResearchInstitute",
    "University",
    "Company",
    "GovernmentBody",
    "OrganisationalUnit",
)


def institutions(graph: Graph) -> list[URIRef]:
    """Return the institutions of ``graph``, sorted: anything typed coop:Institution or one of
    its subclasses (kgtool's, and those the graph itself declares)."""
    classes = {COOP[name] for name in _INSTITUTION_CLASSES}
    frontier = list(classes)
    while frontier:
        for sub in graph.subjects(RDFS.subClassOf, frontier.pop()):
            if isinstance(sub, URIRef) and sub not in classes:
                classes.add(sub)
                frontier.append(sub)
    return sorted(
        {s for c in classes for s in graph.subjects(RDF.type, c) if isinstance(s, URIRef)}
    )


_LABEL_PROPERTIES: tuple[tuple[URIRef, LabelKind], ...] = (
    (SKOS.prefLabel, "pref"),
    (SKOS.altLabel, "alt"),
    (SKOS.hiddenLabel, "hidden"),
    (COOP.acronym, "acronym"),
)


class NameIndex:
    """Names of institutions under exact, transliterated, inflection, acronym and token keys.

    Build it with :meth:`add` (or :meth:`from_graph`), then ask :meth:`resolve`. Every key is a
    dict, so a lookup does not compare the query with every stored name.
    """

    def __init__(self) -> None:
        self._names: list[IndexedName] = []
        self._seen: set[int] = set()
        self._exact: dict[str, list[int]] = defaultdict(list)
        self._translit: dict[str, list[int]] = defaultdict(list)
        self._lemma: dict[str, list[int]] = defaultdict(list)
        self._acronym: dict[str, list[int]] = defaultdict(list)
        self._derived: dict[str, list[int]] = defaultdict(list)
        self._postings: dict[str, list[int]] = defaultdict(list)
        self._tokens: list[tuple[str, ...]] = []
        self._iris: dict[str, list[int]] = defaultdict(list)

    # -- building ---------------------------------------------------------------------------

    def add(
        self, iri: str, label: str, *, lang: str | None = None, kind: LabelKind = "alt"
    ) -> None:
        """Index ``label`` as a name of ``iri`` (kind: pref, alt, hidden or acronym)."""
        label = label.strip()
        seen = hash((iri, label, lang, kind))
        if not label or seen in self._seen:
            return
        self._seen.add(seen)
        iri = sys.intern(iri)
        pos = len(self._names)
        self._names.append(IndexedName(iri, label, lang, kind))
        self._iris[iri].append(pos)
        if kind == "acronym":
            self._acronym[_acronym_key(normalise(label).replace(" ", ""))].append(pos)
            self._tokens.append(())
            return
        exact = " ".join(_content(normalise(label).split()))
        if exact:
            self._exact[exact].append(pos)
        translit = match_key(label)
        if translit:
            self._translit[translit].append(pos)
        lemma = lemma_key(label)
        tokens = tuple(sys.intern(t) for t in dict.fromkeys(lemma.split()))
        if lemma:
            self._lemma[lemma].append(pos)
        self._tokens.append(tokens)
        for token in tokens:
            self._postings[token].append(pos)
        derived = derive_acronym(label)
        if len(derived) >= 3:
            self._derived[_acronym_key(derived.lower())].append(pos)

    def add_names(self, iri: str, names: Iterable[tuple[str, str | None, LabelKind]]) -> None:
        """Index several ``(label, lang, kind)`` names of ``iri``."""
        for label, lang, kind in names:
            self.add(iri, label, lang=lang, kind=kind)

    @classmethod
    def from_graph(cls, graph: Graph | LoadedGraph) -> NameIndex:
        """Index the institutions of ``graph`` (anything typed coop:Institution or a subclass):
        skos:prefLabel, altLabel, hiddenLabel and coop:acronym."""
        from kgtool.graph import as_graph  # pyoxigraph only when a graph is indexed

        g = as_graph(graph)
        index = cls()
        for subject in institutions(g):
            for prop, kind in _LABEL_PROPERTIES:
                for value in sorted(g.objects(subject, prop), key=str):
                    if isinstance(value, RdfLiteral):
                        index.add(str(subject), str(value), lang=value.language, kind=kind)
        return index

    # -- reading ----------------------------------------------------------------------------

    def __len__(self) -> int:
        return len(self._iris)

    def __contains__(self, iri: object) -> bool:
        return iri in self._iris

    def iris(self) -> list[str]:
        """Return the indexed IRIs, in the order they were first added."""
        return list(self._iris)

    def names_of(self, iri: str) -> list[IndexedName]:
        """Return the indexed names of ``iri``."""
        return [self._names[i] for i in self._iris.get(iri, [])]

    def _idf(self, token: str) -> float:
        df = len(self._postings.get(token, ()))
        return math.log(1 + len(self._names) / (1 + df))

    def resolve(self, text: str, *, limit: int = 10, min_score: float = 0.3) -> list[Match]:
        """Return the institutions ``text`` may name, best first (one match per IRI).

        A parenthesised part ("Koreya sanoat texnologiyalari instituti (KITECH)") is resolved on
        its own as well; a name and its acronym that agree raise the score.
        """
        inner = _PARENS_RE.findall(text)
        outer = _PARENS_RE.sub(" ", text).strip()
        if not inner or not outer:
            return self._resolve_one(text, limit=limit, min_score=min_score)
        merged: dict[str, Match] = {}
        votes: dict[str, int] = defaultdict(int)
        for part in (outer, *inner):
            for match in self._resolve_one(part, limit=limit, min_score=min_score):
                votes[match.iri] += 1
                if match.iri not in merged or match.score > merged[match.iri].score:
                    merged[match.iri] = match
        for iri, count in votes.items():
            if count > 1:
                m = merged[iri]
                boosted = min(1.0, m.score + 0.1)
                merged[iri] = Match(iri, round(boosted, 4), m.rule + "+acronym", m.label, m.lang)
        ranked = sorted(merged.values(), key=lambda m: (-m.score, m.iri))
        return ranked[:limit]

    def _resolve_one(self, text: str, *, limit: int, min_score: float) -> list[Match]:
        best: dict[str, Match] = {}

        def offer(positions: Iterable[int], rule: str, score: float | None = None) -> None:
            for pos in positions:
                name = self._names[pos]
                value = RULE_SCORES[rule] if score is None else score
                if name.kind == "hidden":
                    value *= 0.98
                current = best.get(name.iri)
                if current is None or value > current.score + 1e-9:
                    best[name.iri] = Match(name.iri, round(value, 4), rule, name.label, name.lang)

        norm = normalise(text)
        if not norm:
            return []
        offer(self._exact.get(" ".join(_content(norm.split())), ()), "exact-normalised")
        offer(self._translit.get(match_key(text), ()), "transliterated")
        lemma = lemma_key(text)
        offer(self._lemma.get(lemma, ()), "inflection")
        if _looks_like_acronym(text) or (" " not in norm and len(norm) <= 10):
            for key, inflected in _acronym_variants(norm.replace(" ", "")):
                rule = "acronym-inflected" if inflected else "acronym"
                offer(self._acronym.get(key, ()), rule)
                offer(
                    self._derived.get(key, ()),
                    "acronym-derived",
                    RULE_SCORES["acronym-derived"] - (0.05 if inflected else 0.0),
                )
        else:  # a full name whose initials are an institution's acronym
            derived = derive_acronym(text)
            if len(derived) >= 3:
                offer(self._acronym.get(_acronym_key(derived.lower()), ()), "acronym-derived")
        self._offer_overlap(lemma.split(), offer)
        ranked = sorted(
            (m for m in best.values() if m.score >= min_score), key=lambda m: (-m.score, m.iri)
        )
        return ranked[:limit]

    def _offer_overlap(self, query_tokens: list[str], offer: Any) -> None:
        """Offer the names that share weighted tokens with the query (weighted Dice)."""
        tokens = list(dict.fromkeys(query_tokens))
        if not tokens:
            return
        weights = {t: self._idf(t) for t in tokens}
        known = [t for t in tokens if t in self._postings]
        if not known:
            return
        # Rare tokens first; very common ones ("university") only when nothing rarer is there.
        known.sort(key=lambda t: len(self._postings[t]))
        cap = max(2000, len(self._postings[known[0]]))
        common: dict[int, float] = defaultdict(float)
        for token in known:
            postings = self._postings[token]
            if len(postings) > cap and common:
                continue
            for pos in postings:
                common[pos] += weights[token]
        query_weight = sum(weights.values())
        top = sorted(common.items(), key=lambda kv: -kv[1])[:200]
        for pos, shared in top:
            name_weight = sum(self._idf(t) for t in self._tokens[pos])
            dice = 2 * shared / (query_weight + name_weight) if name_weight else 0.0
            if dice > 0:
                offer((pos,), "token-overlap", RULE_SCORES["token-overlap"] * dice)


def resolve(
    text: str,
    candidates: NameIndex | Graph | LoadedGraph | Mapping[str, Iterable[str]],
    *,
    limit: int = 10,
) -> list[Match]:
    """Return the institutions ``text`` may name among ``candidates``, best first.

    ``candidates`` is a :class:`NameIndex`, a graph (its institutions are indexed) or a mapping
    of IRI to names.
    """
    if isinstance(candidates, NameIndex):
        index = candidates
    elif isinstance(candidates, Mapping):
        index = NameIndex()
        for iri, labels in candidates.items():
            for label in labels:
                index.add(iri, label)
    else:
        index = NameIndex.from_graph(candidates)
    return index.resolve(text, limit=limit)
