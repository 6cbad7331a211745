"""Where a new institution is from, read from the words the release writes around its name.

A name seldom says its country ("Hanyang Precision", «Каспий Инжиниринг»); the text often does:
a descriptor just before it («казахстанская компания», "the South Korean firm", "Xitoyning",
"a Suwon-based company"), an apposition or a bracket just after it (", a Korean maker of …",
"(Kazakhstan)", «(Республика Корея)»), "from Turkey" / «из Казахстана», or "based in Daejeon".
Only words next to the name count: a country named elsewhere in the sentence may be another
party's, and a city before the name without a descriptor is usually where the signing was.
"""

from __future__ import annotations

import re

from kgtool.extract.names_guess import guess_country, guess_kind
from kgtool.extract.text import Token, fold, tokens
from kgtool.names import is_legal_form

#: Nouns (folded prefixes) that describe an organisation without naming it: "the Korean
#: company X", «китайская корпорация X», "turk kompaniyasi X".
_DESCRIPTORS = (
    "company", "companies", "firm", "group", "corporation", "conglomerate", "maker",
    "manufacturer", "producer", "developer", "provider", "operator", "holding", "university",
    "institut", "academy", "college", "agency", "ministry", "centre", "center", "partner",
    "side", "startup", "start-up", "bank", "based",
    "компани", "корпораци", "фирм", "групп", "холдинг",
    "производител", "разработчик", "оператор", "университет", "вуз", "институт", "академи",
    "агентств", "министерств", "центр", "партн", "сторон", "банк", "kompaniya", "korxona",
    "guruh", "xolding", "universitet", "oliygoh", "akademiya", "agentlig", "vazirlig", "markaz",
    "hamkor", "tomon", "корхона", "гуруҳ", "олийгоҳ", "агентлиг", "вазирлиг", "марказ", "ҳамкор",
    "томон",
)  # fmt: skip

#: What ends the words that may describe the name before it: punctuation and the words that
#: join parties ("and", «с», "bilan") or introduce the signing.
_BREAK_RE = re.compile(
    r"[,;:.!?()\n—–]|(?<!\w)(?:and|with|between|by|or|signed|и|с|со|между|или|подписали|va|ва"
    r"|bilan|билан|hamda|ҳамда|yoki|ёки)(?!\w)",
    re.IGNORECASE,
)
_GENITIVE_RE = re.compile(r"(?:ning|нинг)$")
_BRACKET_RE = re.compile(r"\s*[»”\"]?\s*\(([^()]{2,40})\)")
_APPOSITION_RE = re.compile(r"\s*[»”\"]?\s*,\s*((?:[\w'’ʻʼ-]+\s+){0,5}?[\w'’ʻʼ-]+)\s*(?=[,.;]|$)")
_FROM_RE = re.compile(
    r"\s*[»”\"]?\s*(?:from|из|based\s+in|headquartered\s+in|с\s+штаб-квартирой\s+в)\s+"
    r"((?:the\s+)?[\w'’ʻʼ-]+(?:\s+[A-ZА-ЯЁ][\w'’ʻʼ-]+)?)",
    re.IGNORECASE,
)


def _describes(words: list[Token]) -> bool:
    """Whether the words end in a descriptor noun ("… company", "… kompaniyasi", "…-based")."""
    return bool(words) and words[-1].folded.startswith(_DESCRIPTORS)


def country_from_context(text: str, start: int, end: int, tag: str) -> str | None:
    """Return the country the words beside the name ``text[start:end]`` give it, if any."""
    before = _words_before(text, start)
    if before and (_describes(before[-1:]) or _GENITIVE_RE.search(before[-1].folded)):
        country = _nearest_country([w.text for w in before], tag)
        if country:
            return country
    after = text[end : end + 100]
    bracket = _BRACKET_RE.match(after)
    if bracket and (country := guess_country(bracket.group(1), tag)):
        return country
    apposition = _APPOSITION_RE.match(after)
    if apposition:  # ", a South Korean maker of …", ", a company based in Daejeon"
        words = [w.folded for w in tokens(apposition.group(1))]
        head = next((i for i, w in enumerate(words) if w.startswith(_DESCRIPTORS)), None)
        if head is not None and (country := guess_country(" ".join(words[: head + 1]), tag)):
            return country
        based = _FROM_RE.search(apposition.group(1))
        if head is not None and based and (country := guess_country(based.group(1), tag)):
            return country
    origin = _FROM_RE.match(after)
    if origin:
        return guess_country(origin.group(1), tag)
    return None


def _nearest_country(words: list[str], tag: str) -> str | None:
    """Return the country of the word nearest the name that names one ("Buxoro … Turkiyaning
    X": Turkey), then of two words together ("United States")."""
    for size in (1, 2):
        for index in range(len(words) - size, -1, -1):
            country = guess_country(" ".join(words[index : index + size]), tag)
            if country:
                return country
    return None


def _words_before(text: str, start: int) -> list[Token]:
    """Return up to four words before ``start``, after the last break ("and", a comma, ...)."""
    window_start = max(0, start - 60)
    window = text[window_start:start]
    cut = 0
    for m in _BREAK_RE.finditer(window):
        cut = m.end()
    words = tokens(text, window_start + cut, start)[-5:]
    while words and is_legal_form(words[-1].text):
        words.pop()  # «казахстанская компания ТОО «X»»: the legal form sits between
    return words[-4:]


def kind_from_context(text: str, start: int, end: int) -> str | None:
    """Return the kind the descriptor beside the name gives ("the Korean firm X" a company,
    "X, a university in Seoul" a university), if any."""
    before = _words_before(text, start)
    if _describes(before):
        kind = guess_kind(" ".join(w.text for w in before))
        if kind:
            return kind
    apposition = _APPOSITION_RE.match(text[end : end + 100])
    if apposition:
        words = [w.text for w in tokens(apposition.group(1))]
        head = next((i for i, w in enumerate(words) if fold(w).startswith(_DESCRIPTORS)), None)
        if head is not None:
            return guess_kind(" ".join(words[: head + 1]))
    return None
