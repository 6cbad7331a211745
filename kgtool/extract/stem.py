"""Light stemming for matching words across inflections (no dictionaries, no models).

Russian and Uzbek add endings to nouns and adjectives (``Академии``, ``akademiyasida``);
stripping the common endings lets a label match its inflected forms in running text.
"""

from __future__ import annotations

from kgtool.extract.text import fold

_RU_ENDINGS = sorted(
    [
        "иями",
        "ями",
        "ами",
        "иях",
        "ией",
        "ого",
        "его",
        "ому",
        "ему",
        "ыми",
        "ими",
        "ым",
        "им",
        "ой",
        "ей",
        "ий",
        "ый",
        "ая",
        "яя",
        "ое",
        "ее",
        "ую",
        "юю",
        "ых",
        "их",
        "ом",
        "ем",
        "ам",
        "ям",
        "ах",
        "ях",
        "ов",
        "ев",
        "ия",
        "ие",
        "ии",
        "ию",
        "ья",
        "ье",
        "ьи",
        "ью",
        "ою",
        "ею",
        "а",
        "я",
        "о",
        "е",
        "ы",
        "и",
        "у",
        "ю",
        "ь",
        "й",
    ],
    key=len,
    reverse=True,
)
_UZ_ENDINGS = sorted(
    [
        "larining",
        "larini",
        "larida",
        "laridan",
        "lariga",
        "larning",
        "larni",
        "larga",
        "larda",
        "lardan",
        "lari",
        "lar",
        "sining",
        "sini",
        "sida",
        "sidan",
        "siga",
        "sidagi",
        "si",
        "ining",
        "ini",
        "ida",
        "idan",
        "iga",
        "idagi",
        "i",
        "ning",
        "ni",
        "nga",
        "ga",
        "ka",
        "qa",
        "da",
        "dan",
        "dagi",
        "ta",
        "ga",
    ],
    key=len,
    reverse=True,
)
_EN_ENDINGS = ("ies", "'s", "s")

_CYRILLIC_TO_LATIN = {
    "а": "a", "б": "b", "в": "v", "г": "g", "д": "d", "е": "e", "ё": "yo", "ж": "j", "з": "z",
    "и": "i", "й": "y", "к": "k", "л": "l", "м": "m", "н": "n", "о": "o", "п": "p", "р": "r",
    "с": "s", "т": "t", "у": "u", "ф": "f", "х": "x", "ц": "ts", "ч": "ch", "ш": "sh", "щ": "sh",
    "ъ": "'", "ь": "", "ы": "i", "э": "e", "ю": "yu", "я": "ya", "ў": "o'", "қ": "q", "ғ": "g'",
    "ҳ": "h",
}  # fmt: skip


def uz_cyrillic_to_latin(word: str) -> str:
    """Return a folded Uzbek Cyrillic word in (folded) Uzbek Latin."""
    return "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in fold(word))


def is_cyrillic(word: str) -> bool:
    return any("\u0400" <= ch <= "\u04ff" for ch in word)


def stem(word: str, language: str) -> str:
    """Return a matching key for one word of ``language`` (``ru``, ``uz``, ``en``)."""
    low = fold(word)
    if language == "uz" and is_cyrillic(low):
        low = uz_cyrillic_to_latin(low)
    if language == "ru" or (language != "uz" and is_cyrillic(low)):
        for ending in _RU_ENDINGS:
            if low.endswith(ending) and len(low) - len(ending) >= 3:
                return low[: -len(ending)]
        return low
    if language == "uz":
        for _ in range(2):
            for ending in _UZ_ENDINGS:
                if low.endswith(ending) and len(low) - len(ending) >= 4:
                    low = low[: -len(ending)]
                    break
            else:
                break
        # Uzbek voices a final k/q before a vowel suffix: materialshunoslik → materialshunosligi.
        if low.endswith("g'"):
            low = low[:-2] + "q"
        elif low.endswith("g") and len(low) > 5:
            low = low[:-1] + "k"
        return low
    for ending in _EN_ENDINGS:
        if low.endswith(ending) and len(low) - len(ending) >= 3:
            return low[: -len(ending)] + ("y" if ending == "ies" else "")
    return low


def stem_any(word: str) -> str:
    """Return a key for a word of unknown language, from its script."""
    if is_cyrillic(word):
        return stem(word, "uz" if any(c in "ўқғҳ" for c in fold(word)) else "ru")
    low = fold(word)
    if "'" in low or low.endswith(("lari", "lar", "ning", "si", "ni", "ga")):
        return stem(word, "uz")
    return stem(word, "en")
