"""Find dates in English, Russian and Uzbek (both scripts) at the precision the text gives."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

#: Month-name stems (folded: lower case, apostrophes as ') → month number.
_MONTH_STEMS: tuple[tuple[str, int], ...] = (
    ("january", 1), ("jan", 1), ("январ", 1), ("yanvar", 1),
    ("february", 2), ("feb", 2), ("феврал", 2), ("fevral", 2),
    ("march", 3), ("mar", 3), ("март", 3), ("mart", 3),
    ("april", 4), ("apr", 4), ("апрел", 4), ("aprel", 4),
    ("may", 5), ("ма", 5), ("май", 5),
    ("june", 6), ("jun", 6), ("июн", 6), ("iyun", 6),
    ("july", 7), ("jul", 7), ("июл", 7), ("iyul", 7),
    ("august", 8), ("aug", 8), ("август", 8), ("avgust", 8),
    ("september", 9), ("sept", 9), ("sep", 9), ("сентябр", 9), ("sentabr", 9), ("sentyabr", 9),
    ("october", 10), ("oct", 10), ("октябр", 10), ("oktabr", 10), ("oktyabr", 10),
    ("november", 11), ("nov", 11), ("ноябр", 11), ("noyabr", 11),
    ("december", 12), ("dec", 12), ("декабр", 12), ("dekabr", 12),
)  # fmt: skip

# Each full month word the patterns accept (stem + the endings each language adds).
_MONTH_WORD = (
    r"(?:january|february|march|april|may|june|july|august|september|october|november|december"
    r"|jan|feb|mar|apr|jun|jul|aug|sept|sep|oct|nov|dec"
    r"|январ[яьеи]|феврал[яьеи]|марта?|марте|апрел[яьеи]|ма[яйе]|июн[яьеи]|июл[яьеи]"
    r"|августа?|августе|сентябр[яьеи]|октябр[яьеи]|ноябр[яьеи]|декабр[яьеи]"
    r"|yanvar|fevral|mart|aprel|may|iyun|iyul|avgust|sent[y]?abr|okt[y]?abr|noyabr|dekabr"
    r"|январ|феврал|апрел|июн|июл|сентябр|октябр|ноябр|декабр)"
    r"(?:\.|(?=[^\w]|$)|(?=[-\s]?(?:da|dagi|ida|oyida|oyi|kuni|ойида|куни|ида|да)\b))"
)
_DAY = r"(?P<day>[0-3]?\d)"
_YEAR = r"(?P<year>(?:19|20)\d\d)"

_PATTERNS: tuple[tuple[str, re.Pattern[str]], ...] = tuple(
    (name, re.compile(rx, re.IGNORECASE))
    for name, rx in (
        ("iso", r"\b" + _YEAR + r"-(?P<mon>[01]\d)-(?P<day>[0-3]\d)\b"),
        ("dmy", r"\b" + _DAY + r"[./](?P<mon>[01]?\d)[./]" + _YEAR + r"\b"),
        (
            "uz",
            _YEAR
            + r"\s*-?\s*(?:yil|йил)(?:ning|нинг)?\s+"
            + _DAY
            + r"\s*-?\s*(?P<month>"
            + _MONTH_WORD
            + r")",
        ),
        (
            "d_month_y",
            r"\b"
            + _DAY
            + r"(?:st|nd|rd|th|-?го|-?e)?\s*-?\s*(?:of\s+)?(?P<month>"
            + _MONTH_WORD
            + r")\s*,?\s*"
            + _YEAR
            + r"\b",
        ),
        (
            "month_d_y",
            r"\b(?P<month>"
            + _MONTH_WORD
            + r")\s+"
            + _DAY
            + r"(?:st|nd|rd|th)?\s*,?\s+"
            + _YEAR
            + r"\b",
        ),
        (
            "month_y",
            r"\b(?P<month>" + _MONTH_WORD + r")\s*(?:oyi\s+|ойи\s+)?,?\s*" + _YEAR + r"\b",
        ),
        (
            "y_month",
            _YEAR + r"\s*-?\s*(?:yil|йил)(?:ning|нинг)?\s+(?P<month>" + _MONTH_WORD + r")",
        ),
        (
            "d_month",
            r"\b" + _DAY + r"(?:st|nd|rd|th)?\s*-?\s*(?:of\s+)?(?P<month>" + _MONTH_WORD + r")",
        ),
        ("month_d", r"\b(?P<month>" + _MONTH_WORD + r")\s+" + _DAY + r"(?:st|nd|rd|th)?\b"),
        ("year", r"(?:\bin\s+|\bв\s+)?" + _YEAR + r"(?:\s*-?\s*(?:yil|йил)\w*|\s+год\w*)"),
    )
)

_RELATIVE: tuple[tuple[re.Pattern[str], int, str], ...] = tuple(
    (re.compile(rx, re.IGNORECASE), days, precision)
    for rx, days, precision in (
        (r"\btoday\b|\bсегодня\b|\bbugun\b|\bбугун\b", 0, "day"),
        (r"\byesterday\b|\bвчера\b|\bkecha\b|\bкеча\b", -1, "day"),
        (r"\bday before yesterday\b|\bпозавчера\b|\bo['ʻʼ‘’`]tgan kuni\b", -2, "day"),
        (
            r"\blast week\b|\bна прошлой неделе\b|\bo['ʻʼ‘’`]tgan hafta\w*|\bўтган ҳафта\w*",
            -7,
            "month",
        ),
    )
)


@dataclass(frozen=True)
class DateMention:
    """A date the text states: the value at its precision, and where it is."""

    start: int
    end: int
    value: str | None  # YYYY-MM-DD, YYYY-MM, YYYY; None when the year is unknown
    precision: str  # day, month, year
    month_day: tuple[int, int] | None = None  # kept for dates written without a year
    relative: bool = False


def _month_number(word: str) -> int | None:
    low = word.lower().rstrip(".")
    for stem, number in sorted(_MONTH_STEMS, key=lambda item: -len(item[0])):
        if low.startswith(stem):
            if stem == "ма" and low not in {"мая", "май", "мае"}:
                continue
            return number
    return None


def _valid(year: int, month: int, day: int) -> bool:
    try:
        dt.date(year, month, day)
    except ValueError:
        return False
    return True


def find_dates(
    text: str, start: int = 0, end: int | None = None, reference: dt.date | None = None
) -> list[DateMention]:
    """Return the dates in ``text[start:end]``, most precise first where they overlap.

    Dates without a year take the year of ``reference`` (the publication date) that puts them
    on or before it; with no reference their value is None.
    """
    stop = len(text) if end is None else end
    found: list[DateMention] = []
    taken: list[tuple[int, int]] = []
    for name, pattern in _PATTERNS:
        for m in pattern.finditer(text, start, stop):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            mention = _mention(name, m, reference)
            if mention is not None:
                found.append(mention)
                taken.append((m.start(), m.end()))
    for pattern, days, precision in _RELATIVE:
        for m in pattern.finditer(text, start, stop):
            if any(s < m.end() and m.start() < e for s, e in taken):
                continue
            value = None
            if reference is not None:
                day = reference + dt.timedelta(days=days)
                value = day.isoformat() if precision == "day" else day.isoformat()[:7]
            found.append(DateMention(m.start(), m.end(), value, precision, relative=True))
    return sorted(found, key=lambda d: d.start)


def _mention(name: str, m: re.Match[str], reference: dt.date | None) -> DateMention | None:
    groups = m.groupdict()
    year = int(groups["year"]) if groups.get("year") else None
    month = None
    if groups.get("mon"):
        month = int(groups["mon"])
    elif groups.get("month"):
        month = _month_number(groups["month"])
    day = int(groups["day"]) if groups.get("day") else None
    if name == "year":
        return DateMention(m.start(), m.end(), f"{year:04d}", "year") if year else None
    if month is None or not 1 <= month <= 12:
        return None
    if day is None:
        return DateMention(m.start(), m.end(), f"{year:04d}-{month:02d}", "month")
    if year is None:
        if not _valid(2000, month, day):
            return None
        value = None
        if reference is not None:
            year = reference.year
            if (month, day) > (reference.month, reference.day) and _valid(year - 1, month, day):
                year -= 1
            value = f"{year:04d}-{month:02d}-{day:02d}" if _valid(year, month, day) else None
        return DateMention(m.start(), m.end(), value, "day", month_day=(month, day))
    if not _valid(year, month, day):
        return None
    return DateMention(m.start(), m.end(), f"{year:04d}-{month:02d}-{day:02d}", "day")


_DATELINE_HINT = re.compile(
    r"(?:published|posted|date|опубликовано|дата|e['ʻʼ‘’`]lon qilingan|sana|—|–|\(|/|\|)",
    re.IGNORECASE,
)


def find_dateline(text: str) -> DateMention | None:
    """Return the date the page was written, when its opening lines state one in full.

    A dateline is a full date (day, month and year) on one of the first lines that is short,
    opens the line ("TASHKENT, May 29, 2025 —") or carries a dateline mark ("Published", "—").
    """
    lines = [ln for ln in re.finditer(r"[^\n]+", text) if ln.group().strip()][:6]
    for line in lines:
        body = line.group()
        for mention in find_dates(text, line.start(), line.end()):
            if mention.precision != "day" or mention.value is None or mention.relative:
                continue
            short = len(body.strip()) <= 60
            opening = mention.start - line.start() <= 30  # "TASHKENT, May 29, 2025 —"
            if short or opening or _DATELINE_HINT.search(body[: mention.start - line.start() + 40]):
                return mention
    return None
