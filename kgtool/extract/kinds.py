"""Agreement kinds, signing verbs and plans: which sentences announce a signed agreement."""

from __future__ import annotations

import re
from dataclasses import dataclass

from kgtool.project import ID

KIND = ID + "kind/"
MOU = KIND + "memorandum-of-understanding"
MOC = KIND + "memorandum-of-cooperation"
MEMORANDUM = KIND + "memorandum"
AGREEMENT = KIND + "agreement"
CONTRACT = KIND + "contract"

#: How specific each kind is: a specific mention wins over a generic one for the same document.
SPECIFICITY = {MOU: 3, MOC: 3, CONTRACT: 2, AGREEMENT: 1, MEMORANDUM: 1}

_A = "['ʼʻ‘’`]"  # any apostrophe an Uzbek writer uses

# Singular kind nouns only: plurals ("agreements", «соглашений», "memorandumlar") count stock.
_KIND_PATTERNS: tuple[tuple[str, str], ...] = (
    (MOU, r"\bmemorandum\s+of\s+understanding\b|\bMoU\b|\bM\.O\.U\.?"),
    (MOU, r"\bмеморандум(?:а|у|ом|е)?\s+о\s+(?:взаимопонимании|взаимном\s+понимании)"),
    (MOU, r"\b(?:o" + _A + r"zaro\s+)?anglashuv\s+memorandum(?!lar)\w*"),
    (MOU, r"\b(?:ўзаро\s+)?англашув\s+меморандум(?!лар)\w*"),
    (MOC, r"\bmemorandum\s+of\s+(?:mutual\s+)?cooperation\b"),
    (MOC, r"\bcooperation\s+memorandum\b"),
    (
        MOC,
        r"\bмеморандум(?:а|у|ом|е)?\s+о\s+(?:взаимном\s+|стратегическом\s+|научном\s+)?"
        r"сотрудничестве",
    ),
    (MOC, r"\bmemorandum\w{0,3}\s+(?:on|about)\s+(?:mutual\s+)?cooperation\b"),
    (MOC, r"\bhamkorlik\s+(?:to" + _A + r"g" + _A + r"risida(?:gi)?\s+)?memorandum(?!lar)\w*"),
    (MOC, r"\bҳамкорлик\s+(?:тўғрисида(?:ги)?\s+)?меморандум(?!лар)\w*"),
    (
        CONTRACT,
        r"\bcontract\b(?!s)|\bдоговор(?:а|у|ом|е)?\b|\bshartnoma(?!lar)\w*|\bшартнома(?!лар)\w*",
    ),
    (
        AGREEMENT,
        r"\bagreement\b(?!s)|\bсоглашени(?:е|я|ю|ем|и)\b|\bbitim(?!lar)\w*|\bбитим(?!лар)\w*"
        r"|\bkelishuv(?!lar)(?!\s+asosida)(?!ga\s+ko)\w*|\bкелишув(?!лар)(?!\s+асосида)\w*",
    ),
    (
        MEMORANDUM,
        r"\bmemorandum\b(?!s)|\bмеморандум(?:а|у|ом|е)?\b|\bmemorandum(?!lar)\w*"
        r"|\bмеморандум(?!лар|ы\b|ов\b)\w*",
    ),
)
_KIND_RES = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _KIND_PATTERNS)

_SIGNED_RE = re.compile(
    r"\bsign(?:ed|ing|s)\b|\binked\b|\binks\b|\bconcluded\b|\bentered\s+into\b"
    r"|\bподпис(?:ал\w*|ан\w*|ани\w*|ыва\w*)|\bзаключ(?:ил\w*|[её]н\w*|ени\w*)"
    r"|\bimzola(?:ndi|di|shdi|gan|sh|nishi|ngan|shgan|ngani|ndi)\w*|\btuzildi\b|\btuzishdi\b"
    r"|\btuzdi\b|\bимзола\w*|\bтузилди\b|\bтузишди\b|\bтузди\b",
    re.IGNORECASE,
)

_PLANNED_RE = re.compile(
    r"\bplan(?:s|ned)?\s+to\b|\bwill\s+(?:be\s+)?sign|\bto\s+be\s+signed\b|\bexpected\s+to\s+(?:be\s+)?sign"
    r"|\bintend(?:s|ed)?\s+to\b|\bis\s+scheduled\b|\bare\s+scheduled\b|\bupcoming\b"
    r"|\bwould\s+sign\b|\bis\s+to\s+sign\b|\bare\s+to\s+sign\b|\bpreparing\s+to\b|\bdraft\b"
    r"|\bпланиру\w+|\bбудет\s+подписан\w*|\bбудут\s+подписаны\b|\bподпишут\b|\bнамерены\b"
    r"|\bпредполагается\s+подпис|\bожидается\s+подписани\w*|\bпредстоящ\w+|\bпроект\w*\s+(?:меморандум|соглашени)"
    r"|\brejalashtiril\w*|\bimzolanadi\b|\bimzolaydi\b|\bimzolashadi\b|\bimzolanishi\s+kutil\w*"
    r"|\bko" + _A + r"zda\s+tutil\w*\s+imzol|\bимзоланади\b|\bимзолайди\b|\bрежалаштирил\w*"
    r"|\bимзоланиши\s+кутил\w*"
    # expected, possible, intended, prepared: «imzolashi kutilmoqda», «возможность подписания»
    r"|\bimzolash(?:i|ga)?\s+(?:kutil|mumkin|niyat|tayyorlan|masala)\w*"
    r"|\bимзолаш(?:и|га)?\s+(?:кутил|мумкин|ният|тайёрлан|масала)\w*"
    r"|\bвозможност\w+\s+подписани\w*|\bрассматрива\w+\s+(?:возможност|вопрос)\w*"
    r"|\bготов\w*\s+(?:к\s+)?подпис\w*|\bсобираются\s+подпис\w*"
    r"|\b(?:may|might|could)\s+sign\b|\bpossibility\s+of\s+signing\b|\bready\s+to\s+sign\b"
    r"|\bagreed\s+to\s+sign\b|\bprospects?\s+(?:of|for)\s+signing\b"
    # not signed (yet): "has not yet been signed", «пока не подписано», "hali imzolanmagan"
    r"|\bnot\s+(?:yet\s+)?(?:been\s+)?signed\b|\bне\s+(?:был\w*\s+)?подписан\w*"
    r"|\bimzolanma(?:gan|di)\b|\bимзоланма(?:ган|ди)\b",
    re.IGNORECASE,
)

#: A count before the kind noun ("87 ta", «более 30») means a statistic, not a signing.
_COUNT_BEFORE_RE = re.compile(
    r"(?<!\S)(?:\d+\s*(?:ta|та)?|(?:more\s+than|over|более|свыше|около)\s+\d+)\s+(?:[^\W\d]+\s+)?$",
    re.IGNORECASE,
)
#: Words after a number that make it a term or a date, not a count («10 апрелда», "3 yil").
_DURATION_WORDS = re.compile(
    r"yil|йил|year|год|лет|muddat|муддат|срок|januar|february|march|april|may|june|july|august"
    r"|september|october|november|december|yanvar|fevral|mart|aprel|iyun|iyul|avgust|sentabr"
    r"|oktabr|noyabr|dekabr|январ|феврал|март|апрел|ма[йяю]|июн|июл|август|сентябр|октябр"
    r"|ноябр|декабр",
    re.IGNORECASE,
)


# Plural kind nouns: "signed memoranda with A, B and C" announces one agreement per partner.
_PLURAL_PATTERNS: tuple[tuple[str, str], ...] = (
    (MOU, r"\bmemorand(?:a|ums)\s+of\s+understanding\b|\bMoUs\b"
     r"|\bмеморандум(?:ы|ов)\s+о\s+взаимопонимании|\banglashuv\s+memorandumlar\w*"
     r"|\bанглашув\s+меморандумлар\w*"),
    (MOC, r"\bmemorand(?:a|ums)\s+of\s+cooperation\b|\bмеморандум(?:ы|ов)\s+о\s+сотрудничестве"
     r"|\bhamkorlik\s+memorandumlar\w*|\bҳамкорлик\s+меморандумлар\w*"),
    (CONTRACT, r"\bcontracts\b|\bдоговор(?:ы|ов)\b|\bshartnomalar\w*|\bшартномалар\w*"),
    (AGREEMENT, r"\bagreements\b|\bсоглашений\b|\bbitimlar\w*|\bkelishuvlar\w*"
     r"|\bбитимлар\w*|\bкелишувлар\w*"),
    (MEMORANDUM, r"\bmemorand(?:a|ums)\b|\bмеморандум(?:ы|ов)\b|\bmemorandumlar\w*"
     r"|\bмеморандумлар\w*"),
)  # fmt: skip
_PLURAL_RES = tuple((kind, re.compile(rx, re.IGNORECASE)) for kind, rx in _PLURAL_PATTERNS)


def find_plural_kinds(text: str, start: int, end: int) -> list[KindMention]:
    """Return plural agreement nouns that are not counted ("signed memoranda with ...")."""
    found: list[KindMention] = []
    for kind, pattern in _PLURAL_RES:
        for m in pattern.finditer(text, start, end):
            if any(k.start < m.end() and m.start() < k.end for k in found):
                continue
            before = text[max(0, m.start() - 25) : m.start()]
            if re.search(r"\d|more\s+than|over|более|свыше|около|ortiq|dan\s+ortiq", before):
                continue
            found.append(KindMention(m.start(), m.end(), kind))
    return sorted(found, key=lambda k: k.start)


@dataclass(frozen=True)
class KindMention:
    """A kind noun in the text."""

    start: int
    end: int
    kind: str


def find_kinds(text: str, start: int = 0, end: int | None = None) -> list[KindMention]:
    """Return the singular agreement nouns in ``text[start:end]``, the most specific per span."""
    stop = len(text) if end is None else end
    found: list[KindMention] = []
    for kind, pattern in _KIND_RES:
        for m in pattern.finditer(text, start, stop):
            if any(k.start < m.end() and m.start() < k.end for k in found):
                continue
            count = _COUNT_BEFORE_RE.search(text[max(0, m.start() - 25) : m.start()])
            if count and not _DURATION_WORDS.search(count.group()):
                continue
            found.append(KindMention(m.start(), m.end(), kind))
    return sorted(found, key=lambda k: k.start)


def signing_verbs(text: str, start: int, end: int) -> list[tuple[int, int]]:
    """Return the spans of signing verbs in ``text[start:end]``."""
    return [(m.start(), m.end()) for m in _SIGNED_RE.finditer(text, start, end)]


def is_planned(text: str, start: int, end: int) -> bool:
    """Return whether ``text[start:end]`` speaks of a signing still to come."""
    return _PLANNED_RE.search(text, start, end) is not None


def best_kind(mentions: list[KindMention]) -> KindMention | None:
    """Return the most specific mention, the earliest among equals."""
    if not mentions:
        return None
    return max(mentions, key=lambda k: (SPECIFICITY[k.kind], -k.start))
