"""Who signed: the parties named in a signing sentence, matched to the graph or proposed as new.

A sentence names its parties in a few fixed constructions ("between X and Y", «между X и Y»,
"X va Y oʻrtasida", "X and Y signed", "X signed … with Y", "X Y bilan … imzoladi"). The zone those
constructions delimit is cut at its coordinators; each piece is matched against the graph's
institutions by every window of words (longest first), and what stays unmatched is proposed as
a new institution when it looks like one (a head noun such as "university" or «институт», an
acronym, or a quoted name with a legal form).
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass

from kgtool.extract.catalogue import Catalogue
from kgtool.extract.text import APOSTROPHES, Token, fold, tokens
from kgtool.names import is_legal_form

_A = "[" + APOSTROPHES + "]"


@dataclass(frozen=True)
class NameSpan:
    """An institution named in the text: where, as written, and what it resolves to."""

    start: int
    end: int
    written: str
    iri: str | None
    acronym: str | None = None


@dataclass(frozen=True)
class PartyMention:
    """A party of an agreement and, when the text says so, its parent organisation."""

    name: NameSpan
    parent: NameSpan | None = None


# Head nouns of institution names (folded stems), per language: what makes a phrase a name.
_HEADS = {
    "institution": (
        r"institut|universitet|akademiya|jamiyat|kombinat|markaz|vazirlig|agentlig|qo'mita"
        r"|kompaniya|korxona|bank|fond|jamg'arma|assotsiatsiya|uyushma|palata|kollej|litsey"
        r"|maktab|laboratoriya|filial|departament|xizmat|inspeksiya|konsorsium|klaster|park|kengash"
        r"|mahkama|hokimlik|hokimiyat|kabinet|кабинет|правительств|администраци|хокимият|маҳкама"
        r"|fakultet|kafedra|bo'lim|факультет|кафедр|отдел|бўлим|faculty|school|division"
        r"|cabinet|government|administration|parliament|senate"
        r"|институт|университет|академи|обществ|комбинат|центр|министерств|агентств|комитет"
        r"|компани|корпораци|предприяти|банк|фонд|ассоциаци|союз|палат|колледж|лицей|школ"
        r"|лаборатори|филиал|департамент|служб|инспекци|консорциум|кластер|парк|завод|совет"
        r"|марказ|вазирлиг|агентлиг|қўмита|корхона|жамият|жамғарма|уюшма|кенгаш"
        r"|institute|university|academy|college|school|company|corporation|corp|bank|fund"
        r"|foundation|agency|ministry|committee|council|association|centre|center|laborator"
        r"|enterprise|group|holding|plant|consortium|cluster|park|society|service|department"
        r"|office|organization|organisation|inc|ltd|llc|jsc|gmbh|co"
        # research bodies without those nouns: gardens, observatories, museums, clinics
        r"|garden|observatory|museum|library|hospital|clinic|сад|обсерватори|музе|библиотек"
        r"|больниц|клиник|bog'i|observatoriya|muzey|kutubxona|shifoxona|klinika|боғи"
        r"|обсерваторияси|кутубхона|шифохона"
    ),
}
_HEAD_RE = re.compile(r"^(?:" + _HEADS["institution"] + r")", re.IGNORECASE)


def _words(text: str) -> frozenset[str]:
    """Return the set of the space-separated words of ``text`` (a word list kept compact)."""
    return frozenset(text.split())


#: Lower-case words that may sit inside an Uzbek or English institution name.
_NAME_INNER_WORDS = _words(
    "davlat milliy xalqaro oliy ilmiy tadqiqot ilmiy-tadqiqot texnika texnologiya "
    "texnologiyalari texnologik sanoat fanlar fan ta'lim tibbiyot pedagogika iqtisodiyot "
    "muhandislari muhandislik irrigatsiya qishloq xo'jaligi xo'jaligini mexanizatsiyalash "
    "materialshunoslik metallar metalllar kimyo fizika energetika axborot aktsiyadorlik "
    "aksiyadorlik mas'uliyati cheklangan nodir innovatsion innovatsiyalar rivojlantirish "
    "unitar respublika respublikasi viloyati viloyat shahar tuman agrar arxitektura qurilish "
    "transport temir yo'llari kommunikatsiyalari tog'-kon metallurgiya geologiya neft gaz suv "
    "xo'jalik of the for and de la für давлат миллий халқаро олий илмий тадқиқот техника "
    "технологиялари саноат фанлар таълим тиббиёт акциядорлик масъулияти чекланган "
)

_COORDINATORS = re.compile(
    r"\s*,\s*(?:and\s+|и\s+|va\s+|ва\s+)?|\s+(?:and|&|и|а\s+также|va|hamda|bilan|ва|ҳамда|билан)\s+",
    re.IGNORECASE,
)

_PARENT_AFTER = re.compile(  # the parent follows the marker (Russian, English)
    r",?\s*(?:входящ\w+|входивш\w+)\s+в\s+(?:состав|структуру|систему)\s+"
    r"|,?\s*являющ\w+\s+(?:структурным\s+)?(?:подразделением|частью)\s+"
    r"|\s+при\s+(?=[А-ЯЁ])"
    r"|,?\s*(?:a|the)\s+(?:subsidiary|unit|division|department|branch|member|part)\s+of\s+"
    r"|,?\s*(?:part\s+of|under\s+the|under|affiliated\s+(?:with|to))\s+(?=(?:the\s+)?[A-Z])",
    re.IGNORECASE,
)
_PARENT_BEFORE = re.compile(  # the parent precedes the marker (Uzbek)
    r"\s+(?:tarkibidagi|huzuridagi|qoshidagi|tasarrufidagi|таркибидаги|ҳузуридаги|қошидаги)\s+",
    re.IGNORECASE,
)

_ACRONYM_PARENS = re.compile(r"\s*\(\s*([A-ZА-ЯЁЎҚҒҲ][\w&.\- ]{0,14}?)\s*\)")

_BETWEEN = re.compile(r"\bbetween\s+|\bмежду\s+|\bамонг\s+", re.IGNORECASE)
_UZ_BETWEEN = re.compile(r"\s+(?:o" + _A + r"rtasida(?:gi)?|ўртасида(?:ги)?)\b", re.IGNORECASE)
_WITH = re.compile(r"\s(?:with|с|со)\s+", re.IGNORECASE)
_UZ_WITH = re.compile(r"\s+(?:bilan|билан)\s+", re.IGNORECASE)
_BY = re.compile(
    r"\bsigned\s+(?:(?:on|in)\s+[\w ,.]{3,30}?\s+)?by\s+(?:the\s+)?"
    r"|\bподписан\w*\s+(?:\w+\s+)?(?=(?-i:[А-ЯЁ]))",
    re.IGNORECASE,
)

#: Where a zone after "between"/"with"/«между» stops: the subject matter, a clause, the end.
_ZONE_STOP = re.compile(
    r"\s(?:on|to|for|aimed|which|that|was|were|is|has|have|during|regarding|concerning|within"
    r"|in\s+(?:the\s+)?(?:field|area|sphere|presence|framework)s?|at\s+the\s+(?:ceremony|event)"
    r"|about|о|об|в\s+(?:области|сфере|рамках|целях|присутствии)|по\s+вопросам|на\s+(?:тему|срок)"
    r"|с\s+целью|который|которое|которая|направленн\w+|сроком|в\s+ходе|во\s+время|состоял\w*"
    r"|подписали|подписал\w*|заключили|был|была|было|были|будет|будут)\b"
    r"|[.;:!?]\s|[.;:!?]$|\s[–—]\s|,\s+(?=(?:to|in|on|for|aimed|which|with|в|о|по|на|с|who)\b)"
    # a comma then a lower-case word ends the list, unless it continues it or names a parent
    r"|,\s+(?!(?-i:[A-ZА-ЯЁЎҚҒҲ])|[«\"“(]|and\b|the\b|an?\b|part\b|under\b|affiliated\b|и\b"
    r"|а\s+также|входящ|являющ|входивш|va\b|hamda\b|ва\b|ҳамда\b)",
    re.IGNORECASE,
)

_UZ_LOCATIVE = re.compile(r"(?:da|дa|да)$")


def _is_locative(token: Token) -> bool:
    low = token.folded
    return (len(low) > 4 and low.endswith(("sida", "ida", "tida", "сида", "ида", "тида"))) or (
        token.capitalised and len(low) > 5 and low.endswith(("da", "да")) and not token.acronym
    )


#: First words of a person's mention ("Rector John Smith"), never of an organisation's name.
_ROLE_WORDS = _words(
    "prof проф academician академик akademik "
    "rector president minister director professor dean ambassador chairman head mr mrs ms dr "
    "deputy vice-rector ректор президент министр директор профессор декан посол председатель "
    "заместитель проректор rektor prorektor vazir direktor dekan elchi rais ректори вазир "
    "директори элчи раис "
)
_COUNTRY_PHRASE = re.compile(
    r"republic|республик|respublika|республика|south\s+korea|united\s+states|united\s+kingdom"
    r"|saudi\s+arabia|new\s+zealand|united\s+arab|janubiy\s+koreya|южн\w+\s+коре",
    re.IGNORECASE,
)
_INNER_FUNCTION_WORDS = frozenset(
    ["of", "the", "for", "and", "de", "di", "del", "la", "le", "du", "von", "der", "für", "y", "e"]
)


def _looks_like_name(text: str, *, strict: bool = False) -> bool:
    """Whether a phrase that resolved to nothing still names an organisation.

    A head noun ("university", «институт»), an acronym or a quoted name always qualifies; unless
    ``strict``, so does a proper name of two to six capitalised words ("Kanzan Mining",
    "Politecnico di Torino") that is not a country or a person with a title.
    """
    words = tokens(text)
    if not words:
        return False
    if any(_HEAD_RE.match(w.folded) for w in words):
        return any(w.capitalised for w in words) or bool(re.search(r"[«“\"]", text))
    if len(words) <= 2 and any(w.acronym and len(w.text) >= 3 for w in words):
        return True
    if re.search(r"[«“\"].+[»”\"]", text) and len(words) <= 10:
        return True
    if strict or not 2 <= len(words) <= 6 or words[0].folded in _ROLE_WORDS:
        return False
    if _COUNTRY_PHRASE.search(text) or re.search(r"\b[A-ZА-ЯЁ]\.\s*[A-ZА-ЯЁ]", text):
        return False  # "Republic of Korea"; initials belong to people ("M.V. Lomonosov")
    if len(words) >= 3 and words[-2].folded == "of" and _is_place(words[-1].text):
        return False  # "Innovation of Uzbekistan": the tail of a name cut at a comma
    return all(w.capitalised or w.folded in _INNER_FUNCTION_WORDS for w in words)


def find_parties(
    text: str, start: int, end: int, language: str, catalogue: Catalogue, kind_start: int | None
) -> tuple[list[PartyMention], NameSpan | None]:
    """Return the parties named in the sentence ``text[start:end]``, and the signing venue."""
    zones = _zones(text, start, end, language, kind_start)
    by = _BY.search(text, start, end)
    by_zone = next((z for z in zones if by and z and z[0][0] == by.end()), None)
    best: tuple[list[PartyMention], NameSpan | None] = ([], None)
    for zone in zones:
        parties: list[PartyMention] = []
        venue: NameSpan | None = None
        strict = zone is by_zone  # "signed by" often names people: only clear organisations
        for zs, ze, trim_left in zone:
            found, zone_venue = _parties_in_zone(text, zs, ze, language, catalogue, trim_left)
            if strict:
                found = [
                    p for p in found if p.name.iri or _looks_like_name(p.name.written, strict=True)
                ]
            parties.extend(found)
            venue = venue or zone_venue
        parties = _dedupe(parties)
        only = parties[0].name if len(parties) == 1 else None
        same = (
            only is not None
            and venue is not None
            and ((venue.iri is not None and venue.iri == only.iri) or venue.written == only.written)
        )
        if only is not None and venue is not None and not same:
            # "Fargʻona davlat universitetida … Erciyes universiteti bilan … imzolandi": the host
            # is the other party
            parties = [PartyMention(venue), *parties]
        if len(parties) >= 2:
            return parties, venue
        if len(parties) > len(best[0]):
            best = (parties, venue)
    return best


def _dedupe(parties: list[PartyMention]) -> list[PartyMention]:
    out: list[PartyMention] = []
    for party in parties:
        key = party.name.iri or fold(party.name.written)
        if any((p.name.iri or fold(p.name.written)) == key for p in out):
            continue
        out.append(party)
    return out


Zone = list[tuple[int, int, bool]]


def _zones(text: str, start: int, end: int, language: str, kind_start: int | None) -> list[Zone]:
    """Return candidate zones, most reliable construction first."""
    zones: list[Zone] = []
    verb = _first_verb(text, start, end)
    m = _BETWEEN.search(text, start, end)
    if m:
        zones.append([(m.end(), _zone_end(text, m.end(), end, kind_start), False)])
    m = _UZ_BETWEEN.search(text, start, end)
    if m:
        zones.append([(start, m.start(), True)])
    m = _BY.search(text, start, end)
    if m:
        zones.append([(m.end(), _zone_end(text, m.end(), end, kind_start), False)])
    if verb is not None:
        subject_end = verb[0]
        if kind_start is not None and start < kind_start < subject_end:
            subject_end = kind_start
        m = _UZ_WITH.search(text, start, subject_end)
        if m and language == "uz":
            zones.append(_uz_subject_partner(text, start, m.start()))
        with_match = _WITH.search(text, verb[1], end)
        subject = [(start, subject_end, True)]
        if with_match:
            partners = _after_list_intro(text, with_match.end(), end)
            zones.append([*subject, (partners, _zone_end(text, partners, end, kind_start), False)])
        zones.append(subject)
        if language == "ru" or (kind_start is not None and kind_start < verb[0]):
            # «Соглашение подписали X, Y и Z»: the parties follow the verb
            zones.append([(verb[1], _zone_end(text, verb[1], end, None), False)])
    return zones


_BARE_HEAD = re.compile(
    r"(?:the\s+)?(?:university|institute|academy|universitet|institut|akademiya|университет"
    r"|институт|академия|университети|институти|академияси)",
    re.IGNORECASE,
)


def _uz_name_end(text: str, zs: int, ze: int) -> int:
    """Return where the last Uzbek name of a zone ends: at its head noun or closing bracket."""
    words = tokens(text, zs, ze)
    for word in reversed(words):
        if _HEAD_RE.match(word.folded) or word.acronym or word.capitalised:
            end = word.end
            while end < ze and text[end] in ')»”"':
                end += 1
            return end
    return ze


def _uz_parent_then_unit(text: str, name: NameSpan) -> tuple[NameSpan, NameSpan] | None:
    """Split "Oʻzbekiston Milliy universiteti Fizika fakulteti" into (parent, unit).

    Uzbek names a unit after its parent with no marker: a head noun in the izofa form
    ("universiteti") followed by a capitalised word starts the unit's own name.
    """
    words = tokens(text, name.start, name.end)
    for index, word in enumerate(words[:-2]):
        nxt = words[index + 1]
        if not (_HEAD_RE.match(word.folded) and word.folded.endswith(("i", "si", "и", "си"))):
            continue
        if not (nxt.capitalised and any(_HEAD_RE.match(w.folded) for w in words[index + 2 :])):
            continue
        parent = NameSpan(name.start, word.end, text[name.start : word.end], None)
        unit = NameSpan(nxt.start, name.end, text[nxt.start : name.end], None, name.acronym)
        return parent, unit
    return None


#: A unit named through a parent the graph does not know: "Faculty of Physics of Samarkand
#: State University", «Кафедра химии Национального университета Узбекистана».
_UNIT_THEN_PARENT = {
    "en": re.compile(
        r"(?P<unit>(?:Department|Faculty|School|Chair|Laboratory|Centre|Center|Institute|Division"
        r"|Branch)\s+of\s+[A-Z][\w'’-]*(?:\s+(?:and\s+)?[A-Z][\w'’-]*)*?)\s+of\s+(?:the\s+)?"
        r"(?P<parent>[A-Z].*\b(?:University|Academy|Institute|College|Ministry)\b.*)"
    ),
    "ru": re.compile(
        r"(?P<unit>(?:Кафедра|Факультет|Лаборатория|Отдел|Институт|Центр|Филиал|Отделение)"
        r"(?:\s+[а-яё-]+){1,4}?)\s+(?P<parent>[А-ЯЁ]\S*(?:\s+\S+)*?\s+(?:университета"
        r"|академии|института|министерства)(?:\s.*)?)"
    ),
}


def _unit_then_parent(text: str, name: NameSpan, language: str) -> tuple[NameSpan, NameSpan] | None:
    """Split a unit named with its parent into (unit, parent) when the graph knows neither."""
    m = _UNIT_THEN_PARENT[language].fullmatch(name.written)
    if m is None or not _looks_like_name(m.group("parent")):
        return None
    unit_end = name.start + m.end("unit")
    parent_start = name.start + m.start("parent")
    unit = NameSpan(name.start, unit_end, text[name.start : unit_end], None)
    parent = NameSpan(parent_start, name.end, text[parent_start : name.end], None, name.acronym)
    return unit, parent


def _is_person(piece: str) -> bool:
    """Whether a piece names a person by a title ("Prof. Akmal Karimov", «ректор А. Б.»)."""
    words = tokens(piece)
    return bool(words) and words[0].folded in _ROLE_WORDS and not _HEAD_RE.match(words[-1].folded)


def _is_place(piece: str) -> bool:
    """Whether a piece is a lone country or city name ("Italy", "(the Netherlands)")."""
    from kgtool.extract.names_guess import guess_country

    words = tokens(piece)
    return (
        len(words) <= 2
        and guess_country(piece, "en") is not None
        and not any(_HEAD_RE.match(w.folded) for w in words)
    )


def _uz_subject_partner(text: str, start: int, end: int) -> Zone:
    """Cut "X Y bilan" (subject, then partner, no coordinator) after X's head noun."""
    words = tokens(text, start, end)
    cut: tuple[int, int] | None = None
    for index, word in enumerate(words[:-1]):
        following = index + 1
        while following < len(words) - 1 and words[following].folded in _UZ_ROLES | _UZ_TOPIC:
            following += 1  # "instituti olimlari Xitoy …", "universiteti esa Xitoy …"
        nxt = words[following]
        if is_legal_form(nxt.text):
            continue  # "«… kombinati» AJ": the legal form ends the name before it
        if _HEAD_RE.match(word.folded) and (nxt.capitalised or nxt.acronym):
            if not word.folded.endswith(("i", "si", "и", "си")):
                continue  # a head in the izofa form ends the name: "instituti", "universiteti"
            cut = (word.end, nxt.start)  # the last such cut leaves the partner's name alone
            if index >= 2 and _uz_descriptor(words[index - 2], words[index - 1]):
                # "… universiteti koreys kompaniyasi Hanbit …": the descriptor opens the partner
                cut = (words[index - 2].end, words[index - 1].start)
    if cut is None:
        return [(start, end, True)]
    return [(start, cut[0], True), (cut[1], end, True)]


_LIST_INTRO = re.compile(r"(?:[a-zа-яё'-]+\s+){1,4}?(?:partners|institutions|universities"
                         r"|organi[sz]ations|companies|партнерами|партнёрами|вузами"
                         r"|организациями|университетами)\s*:\s*", re.IGNORECASE)  # fmt: skip


def _after_list_intro(text: str, start: int, end: int) -> int:
    """Return where the partners start after "with": past "three foreign partners: " if any."""
    m = _LIST_INTRO.match(text, start, end)
    return m.end() if m else start


#: Uzbek particles after a subject ("X esa Y bilan …": while X, with Y).
_UZ_TOPIC = frozenset(["esa", "эса"])


def _uz_descriptor(head: Token, adjective: Token) -> bool:
    """Whether ``adjective`` after a name's ``head`` opens "koreys kompaniyasi X" (a nation)."""
    from kgtool.extract.names_guess import guess_country

    return (
        bool(_HEAD_RE.match(head.folded))
        and head.folded.endswith(("i", "si", "и", "си"))
        and not adjective.capitalised
        and guess_country(adjective.text, "uz") is not None
    )


def _first_verb(text: str, start: int, end: int) -> tuple[int, int] | None:
    from kgtool.extract.kinds import signing_verbs

    verbs = signing_verbs(text, start, end)
    return verbs[0] if verbs else None


def _zone_end(text: str, zone_start: int, end: int, kind_start: int | None) -> int:
    stop = end
    for m in _ZONE_STOP.finditer(text, zone_start, end):
        if re.search(r"(?<!\w)[A-ZА-ЯЁ]$", text[max(zone_start, m.start() - 2) : m.start()]):
            continue  # «имени И.М. Сеченова»: an initial's full stop ends nothing
        stop = m.start()
        break
    if kind_start is not None and zone_start < kind_start < stop:
        stop = kind_start
    verb = _first_verb(text, zone_start, stop)
    if verb is not None:
        stop = verb[0]
    from kgtool.extract.dates import find_dates

    dates = [d for d in find_dates(text, zone_start, stop) if d.start > zone_start]
    if dates:
        preposition = re.search(r"\s+(?:in|on|of|в|от|на)\s*$", text[zone_start : dates[0].start])
        stop = zone_start + preposition.start() if preposition else dates[0].start
    return stop


def _parties_in_zone(
    text: str, zs: int, ze: int, language: str, catalogue: Catalogue, trim_left: bool
) -> tuple[list[PartyMention], NameSpan | None]:
    """Cut ``text[zs:ze]`` into parties (with parents) and a venue."""
    if trim_left and language != "uz":
        zs = _forward_trim(text, zs, ze)  # a dateline's "TASHKENT, May 29 —" is no party
    if trim_left and language == "uz":
        ze = _uz_name_end(text, zs, ze)  # "… universiteti (MGSU) rahbarlari tomonidan …"
    known = _known_spans(text, zs, ze, catalogue, language)
    pieces = _split(text, zs, ze, known)
    parties: list[PartyMention] = []
    venue: NameSpan | None = None
    previous: tuple[int, int] | None = None
    pending: int | None = None  # start of pieces that named nothing: "Oliy taʼlim, fan va ..."
    for index, (ps, pe) in enumerate(pieces):
        party, piece_venue = _piece_to_party(
            text, ps, pe, known, language, trim_left and index == 0
        )
        if party is None and venue is not None and _BARE_HEAD.fullmatch(text[ps:pe].strip()):
            parties.append(PartyMention(venue))  # "… universitetida universitet va X …": the host
            previous = (ps, pe)
            continue
        if party is None and pending is None and not parties:
            pending = ps
            if trim_left and index == 0:  # trim the sentence opening off the first piece only
                pending, piece_venue = _trim_left(text, ps, pe, known)
                venue = venue or piece_venue
                walk = _backward_walk if language == "uz" else _forward_trim
                pending = walk(text, pending, pe)
            continue
        if party is None and pending is not None:
            joined, _ = _piece_to_party(text, pending, pe, known, language, False)
            if joined is not None:
                parties.append(joined)
                previous, pending = (pending, pe), None
            continue
        if party is None and _is_person(text[ps:pe]):
            continue  # "X, Prof. Akmal Karimov, and …": the signatory, not a party
        # ", Italy" after a name is where it is, not more of its name
        place_after = (
            previous is not None and "," in text[previous[1] : ps] and _is_place(text[ps:pe])
        )
        if party is None and previous is not None and parties and not place_after:
            # "University of World Economy and Diplomacy": the coordinator was inside a name
            joined, _ = _piece_to_party(
                text, previous[0], pe, known, language, trim_left and index == 1
            )
            if joined is not None:
                parties[-1] = joined
                previous = (previous[0], pe)
                continue
        venue = venue or piece_venue
        if party is not None:
            parties.append(party)
            previous = (ps, pe)
    return parties, venue


def _known_spans(
    text: str, zs: int, ze: int, catalogue: Catalogue, language: str
) -> list[NameSpan]:
    """Return the graph's institutions named in ``text[zs:ze]``, longest windows first."""
    words = tokens(text, zs, ze)
    spans: list[NameSpan] = []
    i = 0
    while i < len(words):
        matched = False
        for j in range(min(len(words), i + 14), i, -1):
            window = words[i:j]
            if any(_is_locative(w) for w in window[:-1]) and language == "uz":
                continue
            s, e = window[0].start, window[-1].end
            e = _extend_over_quote_and_parens(text, e, ze)
            s = s - 1 if s > zs and text[s - 1] in "«“\"'" else s
            written = text[s:e]
            if len(window) == 1 and not window[0].acronym and not window[0].capitalised:
                continue
            found = _resolve_window(catalogue, written, window)
            if found is None and e != window[-1].end:
                found = _resolve_window(catalogue, text[window[0].start : window[-1].end], window)
            if found is not None:
                acronym = _ACRONYM_PARENS.match(text, window[-1].end, ze)
                spans.append(
                    NameSpan(s, e, written.strip(), found, acronym.group(1) if acronym else None)
                )
                while i < len(words) and words[i].start < e:
                    i += 1
                matched = True
                break
        if not matched:
            i += 1
    return spans


_COORDINATOR_WORDS = frozenset(["and", "и", "va", "hamda", "bilan", "ва", "ҳамда", "билан"])
_BARRIER_WORDS = _COORDINATOR_WORDS | frozenset(
    [
        "tarkibidagi",
        "huzuridagi",
        "qoshidagi",
        "tasarrufidagi",
        "таркибидаги",
        "ҳузуридаги",
        "қошидаги",
        "входящим",
        "входящего",
        "входящий",
        "входящему",
        "входящее",
        "входящей",
        "subsidiary",
        "o'rtasida",
        "ўртасида",
        "между",
        "between",
        "with",
        "signed",
    ]
)


def _resolve_window(catalogue: Catalogue, written: str, window: list[Token]) -> str | None:
    """Resolve a window of words; across a coordinator only an exact name counts."""
    if window[0].folded in _BARRIER_WORDS or window[-1].folded in _BARRIER_WORDS:
        return None
    first = window[0]
    opens_name = first.capitalised or first.acronym or _HEAD_RE.match(first.folded)
    if not opens_name and written[:1] not in "«“\"'":
        return None  # a name does not open with «при», "of", "the"
    gaps = [written[a.end - window[0].start : b.start - window[0].start]
            for a, b in itertools.pairwise(window)]  # fmt: skip
    if any(ch in gap for gap in gaps for ch in "()[]"):
        return None  # a window never runs through parentheses: "(KITECH) tarkibidagi ..."
    found = catalogue.match(written)
    if found is None:
        return None
    iri, _score, _rule, label = found
    label_words = {t.folded for t in tokens(label)}
    info = catalogue.institutions.get(iri)
    if info is not None:  # the crossed word may sit in another of its names («и» vs "va")
        for names in info.labels.values():
            for name in names:
                label_words |= {t.folded for t in tokens(name)}
    crossed = {w.folded for w in window[1:-1] if w.folded in _BARRIER_WORDS}
    if crossed - label_words:
        return None  # "X и Акционерное общество" is two names, whatever the index says
    comma = any(
        "," in written[a.end - window[0].start : b.start - window[0].start]
        for a, b in itertools.pairwise(window)
    )
    if comma and "," not in label:
        return None
    return iri


def _extend_over_quote_and_parens(text: str, e: int, limit: int) -> int:
    if e < limit and text[e] in "»”\"'":
        e += 1
    m = _ACRONYM_PARENS.match(text, e, limit)
    return m.end() if m else e


def _split(text: str, zs: int, ze: int, known: list[NameSpan]) -> list[tuple[int, int]]:
    """Cut the zone at coordinators outside quotes, parentheses and known names."""
    protected: list[tuple[int, int]] = [(k.start, k.end) for k in known]
    depth = 0
    quote = False
    for i in range(zs, ze):
        ch = text[i]
        if ch in "«“(":
            depth += 1
            open_at = i
        elif ch in "»”)" and depth:
            depth -= 1
            if depth == 0:
                protected.append((open_at, i + 1))
        elif ch == '"':
            if quote:
                protected.append((open_at, i + 1))
            else:
                open_at = i
            quote = not quote
    pieces: list[tuple[int, int]] = []
    cursor = zs
    for m in _COORDINATORS.finditer(text, zs, ze):
        if any(s < m.end() and m.start() < e for s, e in protected):
            continue
        after = text[m.end() : m.end() + 30]
        if re.match(r"(?:ltd|inc|llc|gmbh|jsc|ag|plc|co|s\.a|corp)\b", after, re.IGNORECASE):
            continue  # "Samsung Electronics Co., Ltd." is one name
        not_a_party = _PARENT_AFTER.match(text, m.start(), ze) or (
            re.match(r"[a-zа-яё]", after) and not _starts_known(m.end(), known)
        )
        if not_a_party and not _looks_like_continuation(after):
            continue  # "X, входящим в состав Y" or a lower-case word: not a new party
        pieces.append((cursor, m.start()))
        cursor = m.end()
    pieces.append((cursor, ze))
    return [(s, e) for s, e in pieces if text[s:e].strip()]


def _starts_known(pos: int, known: list[NameSpan]) -> bool:
    return any(abs(k.start - pos) <= 1 for k in known)


def _looks_like_continuation(after: str) -> bool:
    """Whether a lower-case word after a coordinator can start a name ("the", «акционерное»)."""
    from kgtool.extract.names_guess import guess_country

    first = re.match(r"\w+", after)
    if first and _HEAD_RE.match(fold(first.group())) and re.search(r"[«“\"A-ZА-ЯЁ]", after):
        return True  # «и компания «Nobel Pharmsiya»», "and company X"
    if first and guess_country(first.group(), "") and re.search(r"[«“\"A-ZА-ЯЁ]", after):
        return True  # «и казахстанская компания «X»», "and the Korean firm X"
    if _PEOPLE_OF.match(after):
        return True  # «и президент Университета X», "and the rector of X"
    return bool(
        re.match(
            r"(?:the\s|акционерн|открыт|закрыт|публичн|государственн|национальн|федеральн"
            r"|научн|высш|международн|российск|корейск|китайск|японск|немецк|ташкентск"
            r"|самаркандск|узбекск|казахск|республиканск|\"|«|“)",
            after,
            re.IGNORECASE,
        )
    )


def _piece_to_party(
    text: str, ps: int, pe: int, known: list[NameSpan], language: str, trim_left: bool
) -> tuple[PartyMention | None, NameSpan | None]:
    """Turn one coordinated piece into a party (with its parent) and maybe a venue."""
    venue: NameSpan | None = None
    parent: NameSpan | None = None
    child_s, child_e = ps, pe
    m = _PARENT_AFTER.search(text, ps, pe)
    if m:
        parent = _name_in(text, m.end(), pe, known, language, trim_left=False)
        child_e = m.start()
    else:
        m = _PARENT_BEFORE.search(text, ps, pe)
        if m:
            parent = _name_in(text, ps, m.start(), known, language, trim_left=True)
            child_s = m.end()
    if trim_left:
        child_s, venue = _trim_left(text, child_s, child_e, known)
    name = _name_in(text, child_s, child_e, known, language, trim_left=trim_left)
    if name is None:
        return None, venue
    if parent is None and name.iri is None and language == "uz":
        split = _uz_parent_then_unit(text, name)
        if split is not None:
            return PartyMention(split[1], split[0]), venue
    if parent is None and name.iri is None and language in ("en", "ru"):
        unit_parent = _unit_then_parent(text, name, language)
        if unit_parent is not None:
            return PartyMention(*unit_parent), venue
    unit = _unit_of_known_parent(text, child_s, child_e, name, known, language, trim_left)
    if unit is not None and parent is None:
        return PartyMention(unit, name), venue
    return PartyMention(name, parent), venue


def _unit_of_known_parent(
    text: str,
    s: int,
    e: int,
    known_name: NameSpan,
    known: list[NameSpan],
    language: str,
    trim_left: bool,
) -> NameSpan | None:
    """Return the unit when a piece names it through a known parent.

    «Институт химии растительных веществ Академии наук ...» (the parent follows, in the
    genitive) or "Fanlar akademiyasi Fizika-texnika instituti" (the parent comes first).
    """
    if known_name.iri is None:
        return None
    if language == "uz":
        rest_s, rest_e = known_name.end, e
    else:
        rest_s, rest_e = s, known_name.start
    while rest_s < rest_e and text[rest_s] in ' ,;:\n\t—–-«“"':
        rest_s += 1
    while rest_e > rest_s and text[rest_e - 1] in " ,;:\n\t—–-":
        rest_e -= 1
    if rest_e - rest_s < 4:
        return None
    if trim_left and language != "uz":
        rest_s = _forward_trim(text, rest_s, rest_e)
    written = text[rest_s:rest_e].strip()
    words = tokens(written)
    if not words or not _HEAD_RE.match(words[0 if language != "uz" else -1].folded):
        return None  # the head noun must open (ru, en) or close (uz) the unit's name
    if not _looks_like_name(written):
        return None
    return NameSpan(rest_s, rest_s + len(written), written, None)


def _name_in(
    text: str, s: int, e: int, known: list[NameSpan], language: str, *, trim_left: bool
) -> NameSpan | None:
    """Return the institution named in ``text[s:e]``: a known one, or a plausible new one."""
    inside = [k for k in known if s <= k.start and k.end <= e + 1]
    if inside:
        best = max(inside, key=lambda k: (k.end - k.start, -k.start))
        if language == "uz" and trim_left:
            # "Xitoy Fanlar akademiyasi" is not "Fanlar akademiyasi": a proper name right before
            # a known name in Uzbek makes another institution
            before = tokens(text, _backward_walk(text, s, best.end), best.start)
            if (
                before
                and all(w.capitalised for w in before)
                and not any(_HEAD_RE.match(w.folded) or _is_locative(w) for w in before)
                and best.end >= e - 1
            ):
                start = before[0].start
                return NameSpan(start, best.end, text[start : best.end], None, best.acronym)
        return best
    while s < e and text[s] in " ,;:\n\t—–-":
        s += 1
    while e > s and text[e - 1] in " ,;:\n\t—–-.":
        e -= 1
    e = _without_filler(text, s, e)[1]
    while e > s and text[e - 1] in " ,;:\n\t—–-":
        e -= 1
    if trim_left:
        s = _backward_walk(text, s, e) if language == "uz" else _forward_trim(text, s, e)
    s = _without_filler(text, s, e)[0]
    people = _PEOPLE_OF.match(text, s, e)
    if people:  # "the rector of X", «ректор X», "representatives of X": X is the party
        s = people.end()
    s, e = _without_whereabouts(text, s, e)
    if s >= e:
        return None
    written = text[s:e].strip()
    if not _looks_like_name(written):
        return None
    acronym = None
    m = re.search(r"\(\s*([A-ZА-ЯЁ][\w&.\-]{1,14})\s*\)\s*$", written)
    if m:
        acronym = m.group(1)
    return NameSpan(s, s + len(written), written, None, acronym)


#: People who sign or attend for an institution, named before it: the institution is the party.
_PEOPLE_OF = re.compile(
    r"(?:the\s+)?(?:rector|president|director|director-general|head|dean|chairman|chancellor"
    r"|vice-rector|representatives?|delegation|leadership|management|scientists|researchers)"
    r"\s+of\s+(?:the\s+)?(?=[A-Z])"
    r"|(?:ректор|проректор|президент|директор|генеральный\s+директор|руководител[ьи]"
    r"|представител[ьи]|делегация|глава|председатель|декан)\s+(?=[«\"“A-ZА-ЯЁ])",
    re.IGNORECASE,
)


#: What a release writes after a name to say where or what it is, never part of the name:
#: ", a South Korean maker of …", "from Turkey", «из Казахстана», "based in Daejeon", "(Italy)".
_WHEREABOUTS_AFTER = re.compile(
    r",\s*(?:a|an|one\s+of\s+the)\s+(?!(?:subsidiary|unit|division|department|branch|member"
    r"|part)\s+of\b)[^,()]*$"
    r"|\s+(?:from|из)\s+(?P<origin>(?:the\s+)?[A-ZА-ЯЁ][\w'’-]+(?:\s+[A-ZА-ЯЁ][\w'’-]+)?)$"
    r"|,?\s+(?:based|headquartered)\s+in\s+[A-Z][\w'’-]+(?:\s+[A-Z][\w'’-]+)?$"
    r"|\s*\((?P<bracket>[^()]{2,40})\)$",
    re.IGNORECASE,
)
#: "Daejeon-based Hanbit Optics", "South Korean firm Hanbit Optics": where the institution is
#: from opens the phrase, not the name.
_BASED_BEFORE = re.compile(r"[A-ZА-ЯЁ][\w'’-]*-based\s+")
_NATIONAL_BEFORE = re.compile(
    r"(?P<nation>(?:[A-Z][\w'’-]+\s+){1,2})(?:company|firm|group|maker|manufacturer|corporation"
    r"|conglomerate|start-?up|developer|producer)\s+(?=[«“\"]?[A-Z0-9])"
)


def _without_whereabouts(text: str, s: int, e: int) -> tuple[int, int]:
    """Return ``(s, e)`` narrowed past what says where the institution is (kept as a country
    cue in the text around the name, see :mod:`kgtool.extract.whereabouts`)."""
    from kgtool.extract.names_guess import guess_country

    based = _BASED_BEFORE.match(text, s, e)
    if based:
        s = based.end()
    national = _NATIONAL_BEFORE.match(text, s, e)
    if national and guess_country(national.group("nation"), "en"):
        s = national.end()
    while (m := _WHEREABOUTS_AFTER.search(text, s, e)) is not None and m.start() > s:
        place = m.group("origin") or m.group("bracket")
        if place is not None and not (_is_place(place) or guess_country(place, "en")):
            break  # "(KITECH)" is an acronym, "from Industry" no place
        if m.group("bracket") is not None and not _is_place(place or ""):
            break
        e = m.start()
        while e > s and text[e - 1] in " ,;:\n\t—–-":
            e -= 1
    return s, e


#: Words around a name that are not part of it: after it ("… today", «… также») and before
#: it ("the", "also", «сегодня»).
_TRAILING_FILLER = re.compile(
    r"(?:\s+(?:today|yesterday|also|jointly|officially|have|has|had|both|сегодня|вчера|также"
    r"|официально|совместно|bugun|kecha|ham|rasman|бугун|кеча|расман"
    # a Russian verb after its subject: «… технологий встретился», «… посетил», «… провела»
    r"|[а-яё]+(?:лся|лась|лись|тил|тила|тили|вел|вела|вели|нял|няла|няли)))+\s*$",
    re.IGNORECASE,
)
_LEADING_FILLER = re.compile(
    r"(?:(?:the|a|an|today|yesterday|also|both|сегодня|вчера|также|bugun|kecha|shuningdek)\s+)+",
    re.IGNORECASE,
)


def _without_filler(text: str, s: int, e: int) -> tuple[int, int]:
    """Return ``(s, e)`` narrowed past the filler words that open or close ``text[s:e]``."""
    leading = _LEADING_FILLER.match(text, s, e)
    trailing = _TRAILING_FILLER.search(text, s, e)
    return (leading.end() if leading else s), (trailing.start() if trailing else e)


#: Capitalised words that open a sentence but never a name ("В тот же день", "On Monday").
_OPENERS = _words(
    "в во на с со по к у о об от из за при для сегодня вчера также кроме затем после тогда "
    "накануне недавно ранее ходе the on in at today yesterday also after during earlier "
    "recently this last monday "
)


_PLACE_PREPOSITIONS = frozenset(["в", "во", "in", "at", "из", "from"])


def _forward_trim(text: str, s: int, e: int) -> int:
    """Return where a head-initial (Russian, English) name starts in ``text[s:e]``.

    Skips what opens a sentence before its subject: a dateline up to its dash, dates, and
    lower-case or opening words ("В тот же день", "On 3 May").
    """
    for m in re.finditer(r"\s[—–]\s|:\s", text[s:e]):
        s_new = s + m.end()
        if s_new < e:
            s = s_new
    words = tokens(text, s, e)
    from kgtool.extract.dates import find_dates

    dates = [(d.start, d.end) for d in find_dates(text, s, e)]
    for index, word in enumerate(words):
        if any(ds <= word.start < de for ds, de in dates) or word.text.isdigit():
            continue
        if (
            index
            and words[index - 1].folded in _PLACE_PREPOSITIONS
            and not _HEAD_RE.match(word.folded)
        ):
            continue  # "Вчера в Бухаре ...": a place, not the subject
        if word.folded in _OPENERS or not (word.capitalised or word.acronym):
            continue
        if index + 1 < len(words) and text[word.end : words[index + 1].start].strip() == ",":
            continue  # "TASHKENT, ..." a dateline's city
        start = word.start
        if start > s and text[start - 1] in '«“"':
            start -= 1
        return start
    return e


#: Lower-case Uzbek words that end the name before them (dates, adverbs, demonstratives).
_UZ_STOPPERS = _words(
    "kuni yil yili bugun kecha joriy shu ushbu bu o'tgan kelgusi esa ham hamda va bilan oy "
    "oyida marosimi marosim davomida doirasida vaqtida куни йил йили бугун кеча жорий шу ушбу "
    "бу ўтган келгуси эса ҳам ҳамда ва билан ой ойида маросими "
)


def _backward_walk(text: str, s: int, e: int) -> int:
    """Return where the name that ends at ``e`` starts: walk back over name-like words."""
    words = tokens(text, s, e)
    if not words:
        return e
    quoted = _quoted_ranges(text, s, e)
    from kgtool.extract.dates import find_dates

    dates = [(d.start, d.end) for d in find_dates(text, s, e)]
    first = len(words)
    seen_capital = False  # a name opens with a proper noun: "Oliy taʼlim, fan va ... vazirligi"
    for idx in range(len(words) - 1, -1, -1):
        w = words[idx]
        between = text[w.end : words[idx + 1].start] if idx + 1 < len(words) else ""
        in_quotes = any(qs <= w.start < qe for qs, qe in quoted)
        if idx + 1 < len(words) and re.search(r"[;:.!?]", between) and not in_quotes:
            break
        if idx + 1 < len(words) and "," in between and not in_quotes and seen_capital:
            break
        coordinator = w.folded in _COORDINATOR_WORDS and not seen_capital
        name_like = (
            in_quotes
            or coordinator
            or w.capitalised
            or w.acronym
            or w.folded in _NAME_INNER_WORDS
            or bool(_HEAD_RE.match(w.folded))
            or (w.folded not in _UZ_STOPPERS and not w.folded.endswith(("ning", "нинг")))
        )
        if not name_like or (idx < len(words) - 1 and _is_locative(w)):
            break
        seen_capital = seen_capital or w.capitalised or w.acronym
        if w.text.isdigit() or any(ds <= w.start < de for ds, de in dates):
            break
        first = idx
    if first == len(words):
        return e
    start = words[first].start
    if start > s and text[start - 1] in '«“"':
        start -= 1
    return start


def _quoted_ranges(text: str, s: int, e: int) -> list[tuple[int, int]]:
    return [(m.start(), m.end()) for m in re.finditer(r"[«“\"][^«»“”\"]+[»”\"]", text[s:e])] and [
        (s + m.start(), s + m.end()) for m in re.finditer(r"[«“\"][^«»“”\"]+[»”\"]", text[s:e])
    ]


def _trim_left(text: str, s: int, e: int, known: list[NameSpan]) -> tuple[int, NameSpan | None]:
    """Skip a leading date or venue ("…akademiyasida", «в Академии наук») and return the venue."""
    words = tokens(text, s, e)
    venue: NameSpan | None = None
    cut = s
    for idx, w in enumerate(words[:-1]):
        if _is_locative(w) and (w.capitalised or _HEAD_RE.match(w.folded)):
            venue_start = _backward_walk(text, s, w.end)
            written = text[venue_start : w.end]
            iri = next((k.iri for k in known if k.start <= venue_start < k.end), None)
            venue = NameSpan(venue_start, w.end, written, iri)
            cut = words[idx + 1].start
        elif w.folded in {"kuni", "куни", "yil", "йил"}:
            cut = words[idx + 1].start
    return cut, venue


_UZ_ROLES = _words(
    "olimlari mutaxassislari rahbarlari rektorlari олимлари мутахассислари раҳбарлари rektori "
    "prorektori direktori rahbari vaziri raisi delegatsiyasi vakillari xodimlari ректори "
    "проректори директори раҳбари вазири раиси делегацияси вакиллари "
)
_RU_ADJECTIVE = re.compile(r"(?:ый|ий|ой|ая|яя|ое|ее|ые|ие|ого|его|ому|ему|ым|им|ой|ую|ых|их)$")
_RU_STOP = _words(
    "в во на с со по о об для при из к у за от до и а но что как который которая которое был "
    "была было были посетил посетила посетили провел провела "
)


def names_in(
    text: str, start: int, end: int, language: str, catalogue: Catalogue
) -> list[NameSpan]:
    """Return the institutions a sentence names anywhere (known ones, and head-noun phrases).

    For "Tashrif davomida ikki oliygoh oʻrtasida ... imzolandi": the parties are the two
    universities the sentence before named.
    """
    found = list(_known_spans(text, start, end, catalogue, language))
    words = tokens(text, start, end)
    for index, word in enumerate(words):
        if not _HEAD_RE.match(word.folded) or any(k.start <= word.start < k.end for k in found):
            continue
        if language == "uz":
            # the name before ends at its own head noun: "... akademiyasi rektori Seul ..."
            floor = max(
                [start]
                + [w.end for w in words[:index] if _HEAD_RE.match(w.folded)]
                + [w.end for w in words[:index] if w.folded in _UZ_ROLES]
            )
            s = _backward_walk(text, floor, word.end)
            span = (s, word.end)
        elif language == "ru":
            first = index
            while (
                first > 0
                and _RU_ADJECTIVE.search(words[first - 1].folded)
                and words[first - 1].folded not in _RU_STOP
            ):
                first -= 1
            last = index
            while (
                last + 1 < len(words)
                and words[last + 1].folded not in _RU_STOP
                and not re.search(r"[,.;:!?]", text[words[last].end : words[last + 1].start])
                and not re.search(
                    r"(?:л|ли|ла|ло|ет|ют|ит|ат|ят|лся|лась|лись|лось)$", words[last + 1].folded
                )
            ):
                last += 1
            span = (words[first].start, words[last].end)
        else:
            first = index
            while first > 0 and (
                words[first - 1].capitalised
                or words[first - 1].folded in _INNER_FUNCTION_WORDS - {"and"}
            ):
                first -= 1
            while first < index and not words[first].capitalised:
                first += 1
            last = index
            while (
                last + 2 < len(words)
                and words[last + 1].folded in {"of", "for"}
                and (words[last + 2].capitalised)
            ):
                last += 2
                while last + 1 < len(words) and words[last + 1].capitalised:
                    last += 1
            span = (words[first].start, words[last].end)
        written = text[span[0] : span[1]]
        if _looks_like_name(written, strict=True) and not any(
            k.start < span[1] and span[0] < k.end for k in found
        ):
            found.append(NameSpan(span[0], span[1], written, None))
    return sorted(found, key=lambda k: k.start)
