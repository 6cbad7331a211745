"""One document: find the sentences that announce signed agreements and fill each record."""

from __future__ import annotations

import datetime as dt
import hashlib
import itertools
import re
from pathlib import Path

from kgtool.extract import kinds as kinds_mod
from kgtool.extract.catalogue import Catalogue
from kgtool.extract.concepts import Lexicon
from kgtool.extract.dates import DateMention, find_dateline, find_dates
from kgtool.extract.language import detect_language
from kgtool.extract.model import Agreement, DocumentResult, Evidence, Party
from kgtool.extract.names_guess import (
    guess_country,
    guess_kind,
    name_tag,
    nominative,
)
from kgtool.extract.parties import NameSpan, PartyMention, find_parties
from kgtool.extract.terms import find_entry_on_signing, find_extension, find_term
from kgtool.extract.text import Sentence, fold, sentences, tokens
from kgtool.extract.whereabouts import country_from_context, kind_from_context
from kgtool.names import is_legal_form, strip_legal_forms

#: Lines where the article ends and the page's furniture begins.
_FOOTER_RE = re.compile(
    r"^\s*(?:related|read\s+also|see\s+also|more\s+news|latest\s+news|share|views?\b|tags?\b"
    r"|comments?\b|©|copyright|читайте\s+также|похожие|последние\s+новости|другие\s+новости"
    r"|поделиться|просмотр|теги|комментари|o['ʻʼ‘’`]xshash|so['ʻʼ‘’`]nggi\s+yangilik"
    r"|boshqa\s+yangilik|ulashish|ko['ʻʼ‘’`]rishlar|teglar|izohlar|сўнгги\s+янгилик)",
    re.IGNORECASE | re.MULTILINE,
)
_EVENT_RE = re.compile(
    r"ceremony|meeting|visit|forum|церемони|встреч|визит|форум|marosim|uchrashuv|tashrif|forum"
    r"|маросим|учрашув|ташриф",
    re.IGNORECASE,
)
_DOC_CUE_RE = re.compile(
    r"memorand|agreement|contract|mou|document|меморандум|соглашени|договор|документ|срок"
    r"|memorandum|bitim|shartnoma|hujjat|kelishuv|muddat|битим|шартнома|ҳужжат|муддат|term|valid"
    r"|period|concluded|заключ|рассчитан|tuzil|тузил|amal",
    re.IGNORECASE,
)
_RECALL_RE = re.compile(
    r"\s*(?:напомним|ранее|recall|earlier|previously|in\s+(?:19|20)\d\d\b|в\s+(?:19|20)\d\d\s+году"
    r"|eslatib\s+o['ʻʼ‘’`]tamiz|avvalroq|ilgari|эслатиб\s+ўтамиз|аввалроқ|илгари)",
    re.IGNORECASE,
)
_SAME_DAY_RE = re.compile(
    r"\b(?:the\s+same\s+day|on\s+that\s+day|в\s+тот\s+же\s+день|в\s+этот\s+же\s+день"
    r"|o['ʻʼ‘’`]sha\s+kuni|shu\s+kuni(?:ning\s+o['ʻʼ‘’`]zida)?|ўша\s+куни|шу\s+куни)\b",
    re.IGNORECASE,
)
_ANY_CITY_RE = re.compile(  # "shahrida", «в городе», "in the city of": whatever city follows
    r"\b(?P<uz>[A-ZЎҚҒҲА-Я][\w'ʻʼ‘’`-]+?)\s+(?:shahrida|шаҳрида)\b"
    r"|\bв\s+городе\s+(?P<ru>[А-ЯЁ][а-яё-]+)|\bin\s+the\s+city\s+of\s+(?P<en>[A-Z][a-z]+)"
    r"|\bsigned\b[^.;]*?\bin\s+(?P<en2>[A-Z][a-z]{3,})(?=\s*[.;,]|\s*$)"
)
_BASED_IN = re.compile(r"(?:based|headquartered|located)\s+in\s+$", re.IGNORECASE)
_MONTHS_EN = frozenset(
    [
        "january",
        "february",
        "march",
        "april",
        "may",
        "june",
        "july",
        "august",
        "september",
        "october",
        "november",
        "december",
    ]
)
_PLACE_RE = re.compile(
    r"\bin\s+(?P<en>[A-Z][a-z]+(?:[\s-][A-Z][a-z]+)?)\b"
    r"|\bв\s+(?:городе\s+|г\.\s*)?(?P<ru>[А-ЯЁ][а-яё]+(?:е|и))\b"
    r"|\b(?P<uz>[A-ZЎҚҒҲ][\w'ʻʼ‘’`]+?)\s+(?:shahrida|шаҳрида)\b"
    r"|\b(?P<uzloc>[A-ZЎҚҒҲ][a-zʻʼ‘’'`]+?)(?:da|дa|да)\b"
)


def _city_table(names: str) -> dict[str, str]:
    """Return folded stem → place label; "|" in a name marks the ending inflection changes."""
    return {fold(name.split("|")[0]): name.replace("|", "") for name in names.split()}


#: Cities, to tell a place of signing from other words («в Бухаре» → "Бухара").
_CITIES: dict[str, str] = _city_table(
    "Toshkent Tashkent Ташкент Тошкент Samarqand Samarkand Самарканд Самарқанд Buxoro Bukhara"
    " Бухар|а Бухоро Namangan Наманган Andijon Andijan Андижан Андижон Fargʻona Fergana Ферган|а"
    " Nukus Нукус Qarshi Karshi Карши Termiz Termez Термез Urganch Urgench Ургенч Navoiy Navoi"
    " Навои Jizzax Джизак Guliston Гулистан Seoul Сеул Seul Daejeon Moscow Москв|а Moskva"
    " Beijing Пекин Pekin Berlin Берлин Tokyo Токио Astana Астан|а Almaty Алмат|ы Bishkek"
    " Бишкек Dushanbe Душанбе Ankara Анкар|а Istanbul Стамбул London Лондон Paris Париж Minsk"
    " Минск Kazan Казан|ь"
)


def sha256_of(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def extract_text(
    text: str,
    name: str,
    catalogue: Catalogue,
    lexicon: Lexicon,
    *,
    published: dt.date | None = None,
    path: str = "",
    sha256: str = "",
) -> DocumentResult:
    """Return the agreements ``text`` announces as signed (the document is called ``name``)."""
    lang = detect_language(text)
    reference = published
    if reference is None:
        dateline = find_dateline(text)
        if dateline is not None and dateline.value:
            reference = dt.date.fromisoformat(dateline.value)
    body_end = _body_end(text)
    sents = _clauses(text, [s for s in sentences(text) if s.start < body_end])
    result = DocumentResult(
        document=name,
        path=path,
        sha256=sha256 or hashlib.sha256(text.encode("utf-8")).hexdigest(),
        language=lang.language,
        script=lang.script,
        tag=lang.tag,
        published=reference.isoformat() if reference else None,
    )
    announcements: list[tuple[int, Agreement]] = []
    for index, sentence in enumerate(sents):
        found = _announcements(text, sentence, lang.language, lang.tag, catalogue, name)
        if not found:
            found = _anaphoric(text, sents, index, lang.language, lang.tag, catalogue, name)
        for agreement in found:
            same = next((a for _, a in announcements if a.same_parties(agreement)), None)
            if same is not None:
                _absorb(same, agreement)
                continue
            announcements.append((index, agreement))
    taken = {index for index, _ in announcements}
    for position, (index, agreement) in enumerate(announcements):
        _date_for(text, sents, index, agreement, reference, name, taken)
        same_day = _SAME_DAY_RE.search(sents[index].text)
        if agreement.signed_on is None and position and same_day:
            agreement.signed_on = announcements[position - 1][1].signed_on
    for position, (index, agreement) in enumerate(announcements):
        first = sents[index].start
        if len({i for i, _ in announcements}) == 1:  # one announcing sentence: its title too
            for earlier in reversed(sents[max(0, index - 2) : index]):
                if earlier.text.rstrip().endswith((".", "!", "?", "…")):
                    break  # a sentence of the story (the talks before), not a title
                first = earlier.start
        # agreements announced by one sentence ("memoranda with A and B") share what follows
        nxt = next((i for i, _ in announcements[position + 1 :] if i > index), None)
        seg_end = sents[nxt].start if nxt is not None else body_end
        segment = [s for s in sents if first <= s.start < seg_end]
        recalled = next((k for k, s in enumerate(segment) if _RECALL_RE.match(s.text)), None)
        if recalled:  # "Напомним, в 2021 году ...": an earlier agreement's terms are not these
            segment = segment[:recalled]
        _fill(text, segment, agreement, lang.language, lexicon, name)
        agreement.confidence = _confidence(agreement)
        result.agreements.append(agreement)
    if announcements:
        result.unplaced = _unplaced(text, sents, lang.language, lexicon, announcements[0][0])
    return result


def _clauses(text: str, sents: list[Sentence]) -> list[Sentence]:
    """Return the sentences with each one that announces two signings cut between them ("X
    signed … with Y, Z esa W bilan … imzoladi"): each clause then has its own parties."""
    out: list[Sentence] = []
    for sentence in sents:
        verbs = kinds_mod.signing_verbs(text, sentence.start, sentence.end)
        kinds = kinds_mod.find_kinds(text, sentence.start, sentence.end)
        cuts: list[int] = []
        for before, after in itertools.pairwise(verbs):
            gap = list(re.finditer(r"[,;]\s+", text[before[1] : after[0]]))
            if not gap:
                continue
            cut = before[1] + gap[-1].end()
            start = cuts[-1] if cuts else sentence.start
            if any(start <= k.start < cut for k in kinds) and any(
                cut <= k.start < after[1] + 80 for k in kinds
            ):
                cuts.append(cut)
        bounds = [sentence.start, *cuts, sentence.end]
        for s, e in itertools.pairwise(bounds):
            piece = text[s:e].rstrip(" ,;")
            out.append(Sentence(s, s + len(piece), piece))
    return out


def _body_end(text: str) -> int:
    """Return where the page furniture after the article starts (or the text's end)."""
    third = len(text) // 3
    m = _FOOTER_RE.search(text, third)
    return m.start() if m else len(text)


_ANAPHOR_RE = re.compile(
    r"\bthe\s+two\s+(?:universities|institutions|organisations|organizations|institutes|sides"
    r"|rectors|heads|leaders|presidents|directors)\b|\bboth\s+rectors\b"
    r"|\bректор(?:ы|ами)\s+(?:двух|обоих)\b|\brektorlari\s+tomonidan\b"
    r"|\bboth\s+(?:universities|institutions|sides)\b|\bдвумя\s+(?:вузами|университетами"
    r"|организациями|учреждениями|институтами)|\bдвух\s+(?:вузов|университетов|организаций)"
    r"|\bikki\s+(?:oliygoh|universitet|tashkilot|muassasa|institut|tomon)\w*"
    # "the parties" right before or after the verb: «tomonlar oʻrtasida … imzolandi»,
    # «стороны подписали», "between the parties"
    r"|\btomonlar\s+(?:o['ʻʼ‘’`]rtasida|imzola)\w*|\bтомонлар\s+(?:ўртасида|имзола)\w*"
    r"|\bмежду\s+сторонами\b|\bстороны\s+подписали\b|\bbetween\s+the\s+(?:parties|sides)\b"
    r"|\bthe\s+(?:parties|sides)\s+(?:have\s+)?signed\b"
    r"|\bикки\s+(?:олийгоҳ|университет|ташкилот|муассаса|институт|томон)\w*",
    re.IGNORECASE,
)


def _anaphoric(
    text: str,
    sents: list[Sentence],
    index: int,
    language: str,
    tag: str,
    catalogue: Catalogue,
    doc: str,
) -> list[Agreement]:
    """Return the agreement of "the two universities signed ...": parties named just before."""
    from kgtool.extract.parties import PartyMention, names_in

    sentence = sents[index]
    s, e = sentence.start, sentence.end
    mentions = kinds_mod.find_kinds(text, s, e)
    verbs = kinds_mod.signing_verbs(text, s, e)
    if not mentions or not verbs or not _ANAPHOR_RE.search(text, s, e):
        return []
    if kinds_mod.is_planned(text, max(s, verbs[0][0] - 80), min(e, verbs[0][1] + 40)):
        return []
    for previous in reversed(sents[max(0, index - 2) : index]):
        names = names_in(text, previous.start, previous.end, language, catalogue)
        if len(names) != 2:
            continue
        kind = kinds_mod.best_kind(mentions)
        assert kind is not None
        evidence = [Evidence("kind", kind.start, kind.end, text[kind.start : kind.end], doc)]
        parties = []
        for span in names:
            parties.append(_party(PartyMention(span), catalogue, tag, text))
            evidence.append(Evidence("party", span.start, span.end, span.written, doc))
        evidence.append(Evidence("announcement", s, e, text[s:e], doc))
        return [Agreement(kind=kind.kind, parties=parties, documents=[doc], evidence=evidence)]
    return []


def _announcements(
    text: str, sentence: Sentence, language: str, tag: str, catalogue: Catalogue, doc: str
) -> list[Agreement]:
    """Return the agreements a sentence announces as signed (one per partner for plurals)."""
    single = _announcement(text, sentence, language, tag, catalogue, doc)
    if single is not None:
        return [single]
    s, e = sentence.start, sentence.end
    plural = kinds_mod.find_plural_kinds(text, s, e)
    if not plural or kinds_mod.find_kinds(text, s, e):
        return []
    merged = _announcement(text, sentence, language, tag, catalogue, doc, mentions=plural)
    if merged is None or len(merged.parties) < 3:
        return []
    subject, *partners = merged.parties
    out = []
    for partner in partners:
        evidence = [
            ev
            for ev in merged.evidence
            if ev.field != "party" or ev.text in {subject.written, partner.written}
        ]
        pair = Agreement(kind=merged.kind, parties=[subject, partner], evidence=evidence)
        pair.venue, pair.place, pair.documents = merged.venue, merged.place, [doc]
        out.append(pair)
    return out


#: A sentence opening that says who reports the news: "According to X,", «По информации X,»,
#: "X xabariga koʻra,", «Как сообщает X,».
_ATTRIBUTION_RE = re.compile(
    r"(?:according\s+to|as\s+reported\s+by|по\s+(?:информации|данным|сообщению)|как\s+сообща\w+"
    r"|[^,.;]{2,80}?\s+(?:xabariga|maʼlumotiga|ma'lumotiga|maʻlumotiga|хабарига|маълумотига)"
    r"\s+(?:ko['ʻʼ‘’`]ra|кўра))[^,.;]{0,80}?,\s*",
    re.IGNORECASE,
)


def _announcement(
    text: str,
    sentence: Sentence,
    language: str,
    tag: str,
    catalogue: Catalogue,
    doc: str,
    mentions: list[kinds_mod.KindMention] | None = None,
) -> Agreement | None:
    s, e = sentence.start, sentence.end
    mentions = mentions if mentions is not None else kinds_mod.find_kinds(text, s, e)
    verbs = kinds_mod.signing_verbs(text, s, e)
    if not mentions or not verbs:
        return None
    verb = verbs[0]
    if kinds_mod.is_planned(text, max(s, verb[0] - 80), min(e, verb[1] + 40)):
        return None
    kind = kinds_mod.best_kind(mentions)
    assert kind is not None
    first_kind = min(m.start for m in mentions)
    attribution = _ATTRIBUTION_RE.match(text, s, e)
    if attribution and attribution.end() < first_kind:
        s = attribution.end()  # who reports the news is no party
    found, venue = find_parties(text, s, e, language, catalogue, first_kind)
    if len(found) == 1 and venue is None:
        host = _host(text, s, e, language, catalogue)
        other = found[0].name
        if (
            host is not None
            and not (host.iri and host.iri == other.iri)
            and (host.written != other.written)
        ):
            found = [PartyMention(host), *found]  # «В X состоялось подписание … с Y»
    if len(found) < 2:
        return None
    evidence = [Evidence("kind", kind.start, kind.end, text[kind.start : kind.end], doc)]
    parties = []
    for mention in found:
        party = _party(mention, catalogue, tag, text)
        parties.append(party)
        evidence.append(
            Evidence("party", mention.name.start, mention.name.end, mention.name.written, doc)
        )
        if mention.parent is not None:
            p = mention.parent
            evidence.append(Evidence("parent", p.start, p.end, p.written, doc))
    agreement = Agreement(kind=kind.kind, parties=parties, documents=[doc], evidence=evidence)
    if venue is None:
        venue = _venue(text, s, e, catalogue, language)
    if venue is not None and venue.iri and venue.iri not in {p.iri for p in parties}:
        agreement.venue = venue.iri
        evidence.append(Evidence("venue", venue.start, venue.end, venue.written, doc))
    place = _place(text, s, e, [(ev.start, ev.end) for ev in evidence if ev.field == "party"])
    if place is not None:
        agreement.place = place[2]
        evidence.append(Evidence("place", place[0], place[1], text[place[0] : place[1]], doc))
    evidence.append(Evidence("announcement", s, e, text[s:e], doc))
    return agreement


_HOST_RE = re.compile(
    r"\s*(?:\S+\s+){0,6}?(?:в|во|at|in)\s+(?P<name>(?:the\s+)?[A-ZА-ЯЁ][^,.;:]{3,120}?)\s+"
    r"(?:состоял\w*|прош\w+|прошло|подписан\w*|was|were|took|hosted|held)\b",
    re.IGNORECASE,
)


def _host(text: str, s: int, e: int, language: str, catalogue: Catalogue) -> NameSpan | None:
    """Return the host named as the venue of the signing when the text names no other party."""
    from kgtool.extract.parties import _looks_like_name

    m = _HOST_RE.match(text, s, e)
    if m is None:
        return None
    start, end = m.start("name"), m.end("name")
    written = text[start:end]
    if not _looks_like_name(written, strict=True):
        return None
    return NameSpan(start, end, written, catalogue.resolve(written, language))


def _party(mention: PartyMention, catalogue: Catalogue, tag: str, text: str) -> Party:
    name = mention.name
    parent: str | None = None
    if mention.parent is not None:
        parent = mention.parent.iri or _display(mention.parent, tag)
    if name.iri is not None and name.iri in catalogue.institutions:
        info = catalogue.institutions[name.iri]
        return Party(
            name=info.name(tag),
            iri=name.iri,
            country=info.country,
            kind=info.kind,
            parent=info.parent or parent,
            acronym=info.acronyms[0] if info.acronyms else name.acronym,
            language=tag if info.labels.get(tag) else "en",
            written=name.written,
        )
    display = _display(name, tag)
    written = _with_legal_form(text, name)
    country = guess_country(written, tag)
    if country is None and mention.parent is not None:
        if mention.parent.iri and mention.parent.iri in catalogue.institutions:
            country = catalogue.institutions[mention.parent.iri].country
        else:
            country = guess_country(mention.parent.written, tag)
    if country is None:  # "the Kazakh company X", "X, a South Korean maker", "X (Turkey)"
        country = _country_from_mentions(text, name, tag)
    return Party(
        name=display,
        iri=None,
        country=country,
        kind=guess_kind(written) or kind_from_context(text, name.start, name.end),
        parent=parent,
        acronym=name.acronym,
        language=name_tag(display, tag),
        written=name.written,
    )


def _country_from_mentions(text: str, name: NameSpan, tag: str) -> str | None:
    """Return the country the words around this mention of a name, or around another mention
    of it in the text, give it ("Turkiyaning Ege universiteti delegatsiyasi …" before "… va Ege
    universiteti oʻrtasida … imzolandi")."""
    country = country_from_context(text, name.start, name.end, tag)
    if country is not None or len(name.written) < 4:
        return country
    for m in itertools.islice(re.finditer(re.escape(name.written), text), 20):
        if m.start() != name.start:
            country = country_from_context(text, m.start(), m.end(), tag)
            if country is not None:
                return country
    return None


def _with_legal_form(text: str, span: NameSpan) -> str:
    """Return the name as written with a legal form just before or after it («МЧЖ «X»», "X
    AJ"): the name leaves it out, but it tells the kind (and for МЧЖ, AJ the country)."""
    before = text[max(0, span.start - 12) : span.start]
    after = text[span.end : span.end + 12]
    opening = re.search(r"(\S+)\s*[«“\"]?\s*$", before)
    closing = re.match(r"\s*[»”\"]?\s*(\S+)", after)
    extra = [m.group(1) for m in (opening, closing) if m and is_legal_form(m.group(1))]
    return " ".join([span.written, *extra])


def _balanced_quotes(name: str) -> str:
    """Return ``name`` without a quote that the span cut from its pair («X» AJ → "X»")."""
    for left, right in ("«»", "“”"):
        if name.endswith(right) and left not in name:
            name = name[:-1].rstrip()
        if name.startswith(left) and right not in name:
            name = name[1:].lstrip()
    return name


def _display(span: NameSpan, tag: str) -> str:
    """Return a name in its base form: without the acronym in parentheses, nominative in Russian."""
    written = re.sub(r"\s*\([^)]*\)\s*$", "", span.written).strip()
    written = re.sub(r"\s+", " ", written)
    if tag.startswith("uz"):
        # "Seul milliy universitetiga" (to the university): the name ends in the izofa form
        written = re.sub(
            r"(\w(?:i|si|и|си))(?:ga|da|dan|ni|ning|dagi|га|да|дан|ни|нинг|даги)$", r"\1", written
        )
        # "Germaniyaning Drezden texnika universiteti": the country is a cue, not the name
        m = re.match(r"^(?:[A-ZА-ЯЎҚҒҲ]\w*\s+)?[A-ZА-ЯЎҚҒҲ]\w*(?:ning|нинг)\s+(?=\S)", written)
        if m and guess_country(m.group(), tag):
            written = written[m.end() :]
    brand = re.fullmatch(
        r"[«“\"](.+)[»”\"]\s+(?:kompaniyasi|korxonasi|firmasi|kompaniya|компанияси|корхонаси"
        r"|фирмаси|company|corporation)",
        written,
    )
    if brand:  # "«Netafim» kompaniyasi" (the Netafim company)
        written = brand.group(1)
    written = _balanced_quotes(strip_legal_forms(written))  # legal forms as kgtool.names has them
    generic = _DESCRIPTOR_BEFORE.fullmatch(written)
    described_by = generic.group(1).strip() if generic else ""
    if generic and (described_by.islower() or guess_country(described_by, tag) or not described_by):
        # «китайская корпорация CNPC», "the South Korean firm X": the descriptor is no name
        written = generic.group(2)
    # «компания «Nobel Pharmsiya»»: the generic noun before a quoted name is not the name
    quoted = re.fullmatch(r"[a-zа-яёўқғҳ'ʻʼ-]+\s+[«“\"](.+)[»”\"]", written)
    if quoted:
        written = quoted.group(1)
    written = _balanced_quotes(strip_legal_forms(written))  # «… компания ТОО «X»»
    whole = re.fullmatch(r"[«“\"]([^«»“”\"]+)[»”\"]", written)
    return nominative(whole.group(1) if whole else written, tag)


#: A descriptor before a name: (its words, the name). "the South Korean firm X", «китайская
#: корпорация X», "koreys kompaniyasi X".
_DESCRIPTOR_BEFORE = re.compile(
    r"(?:the\s+)?((?:[\w'’ʻʼ-]+\s+){0,2}?)(?:company|corporation|firm|group|holding|maker"
    r"|manufacturer|компани\w*|корпораци\w*|фирм\w*|холдинг\w*|групп\w*|kompaniyasi|korxonasi"
    r"|firmasi|guruhi|компанияси|корхонаси|фирмаси|гуруҳи)\s+([«“\"]?[A-ZА-ЯЁЎҚҒҲ0-9].*)"
)


def _venue(text: str, s: int, e: int, catalogue: Catalogue, language: str) -> NameSpan | None:
    """Return a known institution the sentence names as the place of the signing."""
    for m in re.finditer(r"\b(?:в|во|at|in)\s+(?:the\s+)?", text[s:e], re.IGNORECASE):
        start = s + m.end()
        words = tokens(text, start, min(e, start + 120))
        for j in range(min(len(words), 9), 1, -1):
            written = text[words[0].start : words[j - 1].end]
            iri = catalogue.resolve(written, language)
            if iri is not None:
                return NameSpan(words[0].start, words[j - 1].end, written, iri)
    return None


def _place(
    text: str, s: int, e: int, names: list[tuple[int, int]] | None = None
) -> tuple[int, int, str] | None:
    """Return the city where the signing took place, when the sentence names a known one."""
    names = names or []
    for m in _ANY_CITY_RE.finditer(text, s, e):
        group = next(g for g in ("uz", "ru", "en", "en2") if m.group(g))
        word = m.group(group)
        inside = any(ns < m.end(group) and m.start(group) < ne for ns, ne in names)
        if _BASED_IN.search(text, max(0, m.start(group) - 30), m.start(group)):
            continue  # "a company based in Daejeon" says where a party is, not the signing
        if not inside and word.lower() not in _MONTHS_EN:
            return m.start(group), m.end(group), word
    for m in _PLACE_RE.finditer(text, s, e):
        group = next(g for g in ("en", "ru", "uz", "uzloc") if m.group(g))
        word = m.group(group)
        folded = word.lower().replace("ʻ", "'").replace("ʼ", "'").replace("‘", "'")
        city = next(
            (c for c in sorted(_CITIES, key=len, reverse=True) if folded.startswith(c)), None
        )
        if city is not None:
            if any(ns < m.end(group) and m.start(group) < ne for ns, ne in names):
                continue  # "Westminster International University in Tashkent" is a name
            if _BASED_IN.search(text, max(0, m.start(group) - 30), m.start(group)):
                continue
            # Russian names a city in the locative («в Бухаре»): give the label's form
            name = _CITIES[city] if group == "ru" else word
            return m.start(group), m.end(group), name
    return None


def _absorb(target: Agreement, other: Agreement) -> None:
    """Fold a second mention of the same agreement into the first (same document)."""
    from kgtool.extract.kinds import SPECIFICITY

    if other.kind and (
        target.kind is None or SPECIFICITY[other.kind] > SPECIFICITY.get(target.kind, 0)
    ):
        target.kind = other.kind
    target.evidence.extend(ev for ev in other.evidence if ev.field not in {"announcement"})
    # "НУУз и KAIST подписали" in a title, full names in the text: keep the fuller mention
    for index, party in enumerate(target.parties):
        fuller = next((q for q in other.parties if q.matches(party)), None)
        if fuller is not None and (not party.iri) and len(fuller.name) > len(party.name):
            fuller.acronym = fuller.acronym or party.acronym
            target.parties[index] = fuller
    target.venue = target.venue or other.venue
    target.place = target.place or other.place


def _date_for(
    text: str,
    sents: list[Sentence],
    index: int,
    agreement: Agreement,
    reference: dt.date | None,
    doc: str,
    taken: set[int],
) -> None:
    sentence = sents[index]
    candidates = _dates_in(text, sentence, reference)
    neighbours = []
    if index > 0 and index - 1 not in taken:
        neighbours.append(sents[index - 1])
    if index + 1 < len(sents) and index + 1 not in taken:
        neighbours.append(sents[index + 1])  # "The ceremony took place on 5 December ..."
    for other in neighbours:
        if candidates:
            break
        start, end = min(other.start, sentence.start), max(other.end, sentence.end)
        same_paragraph = "\n\n" not in text[start:end]
        verb = kinds_mod.signing_verbs(text, other.start, other.end)
        if verb or (same_paragraph and _EVENT_RE.search(other.text)):
            candidates = _dates_in(text, other, reference)
            names = [(ev.start, ev.end) for ev in agreement.evidence if ev.field == "party"]
            place = _place(text, other.start, other.end, names)
            if candidates and place is not None and agreement.place is None:
                agreement.place = place[2]
                agreement.evidence.append(
                    Evidence("place", place[0], place[1], text[place[0] : place[1]], doc)
                )
    if not candidates:
        return
    best = candidates[0]
    agreement.signed_on = best.value
    agreement.evidence.append(
        Evidence("signed_on", best.start, best.end, text[best.start : best.end], doc)
    )


def _dates_in(text: str, sentence: Sentence, reference: dt.date | None) -> list[DateMention]:
    found = [
        d
        for d in find_dates(text, sentence.start, sentence.end, reference)
        if d.value is not None or d.month_day is not None or d.relative
    ]
    order = {"day": 0, "month": 1, "year": 2}
    # a date written out beats a relative one beside it («Вчера, 5 марта 2025 г., …»)
    return sorted(
        found, key=lambda d: (d.value is None, order[d.precision], bool(d.relative), d.start)
    )


def _fill(
    text: str,
    segment: list[Sentence],
    agreement: Agreement,
    language: str,
    lexicon: Lexicon,
    doc: str,
) -> None:
    """Fill term, entry into force, extension and concepts from the agreement's sentences."""
    if not segment:
        return
    start, end = segment[0].start, segment[-1].end
    for sentence in segment:
        if agreement.term_years is None and _DOC_CUE_RE.search(sentence.text):
            term = find_term(text, sentence.start, sentence.end)
            if term is not None:
                agreement.term_years = int(str(term.value))
                agreement.evidence.append(
                    Evidence("term_years", term.start, term.end, text[term.start : term.end], doc)
                )
    entry = find_entry_on_signing(text, start, end)
    if entry is not None:
        agreement.entry_into_force = str(entry.value)
        agreement.evidence.append(
            Evidence("entry_into_force", entry.start, entry.end, text[entry.start : entry.end], doc)
        )
    extendable, clause = find_extension(text, start, end)
    if extendable is not None:
        agreement.extendable = True
        agreement.evidence.append(
            Evidence(
                "extendable",
                extendable.start,
                extendable.end,
                text[extendable.start : extendable.end],
                doc,
            )
        )
    if clause is not None:
        agreement.extension_clause = str(clause.value)
        agreement.evidence.append(
            Evidence(
                "extension_clause", clause.start, clause.end, text[clause.start : clause.end], doc
            )
        )
    names = [(e.start, e.end) for e in agreement.evidence if e.field in _NAME_FIELDS]
    for sentence in segment:
        if len(re.findall(r"[|›»/]", sentence.text)) >= 2:
            continue  # a menu or breadcrumb line: "Наука | Образование | Общество"
        presence = _PRESENCE_RE.search(text, sentence.start, sentence.end)
        if presence:  # "in the presence of the minister of higher education"
            names.append((presence.start(), sentence.end))
        for match in lexicon.find(text, sentence.start, sentence.end, language):
            if any(s < match.end and match.start < e for s, e in names):
                continue  # "механизации сельского хозяйства" inside an institution's name
            target = getattr(agreement, match.family)
            if match.iri not in target:
                target.append(match.iri)
            agreement.evidence.append(
                Evidence(match.family, match.start, match.end, text[match.start : match.end], doc)
            )


def _confidence(agreement: Agreement) -> float:
    score = 0.4
    known = sum(1 for p in agreement.parties if p.iri)
    score += 0.25 * known / max(1, len(agreement.parties))
    if agreement.kind and kinds_mod.SPECIFICITY.get(agreement.kind, 0) >= 2:
        score += 0.1
    if agreement.signed_on:
        score += 0.1
    if agreement.term_years:
        score += 0.05
    if agreement.directions or agreement.fields:
        score += 0.05
    return min(score, 0.95)


_NAME_FIELDS = frozenset({"party", "parent", "venue"})
_PRESENCE_RE = re.compile(
    r"\b(?:in\s+the\s+presence\s+of|with\s+the\s+participation\s+of|при\s+участии|в\s+присутствии"
    r"|ishtirokida|иштирокида)\b",
    re.IGNORECASE,
)
_ITEM_START_RE = re.compile(r"^\s*(?:[•·▪●◦\-–—*]|\d+[.)])\s*")


def _unplaced(
    text: str, sents: list[Sentence], language: str, lexicon: Lexicon, first: int
) -> list[str]:
    """Return list items of the agreement's scope that no concept label matched."""
    out: list[str] = []
    in_list = False
    for sentence in sents[first:]:
        body = sentence.text.rstrip()
        bullet = bool(_ITEM_START_RE.match(sentence.text))
        if body.endswith(":"):
            in_list = True
            continue
        item = bullet or (in_list and len(body) < 250)
        if not item:
            in_list = False
            continue
        if body.endswith(".") and not bullet:
            in_list = False
        if lexicon.find(text, sentence.start, sentence.end, language):
            continue
        phrase = _ITEM_START_RE.sub("", sentence.text).strip().rstrip(";.,")
        phrase = re.sub(r"\s+", " ", phrase)
        if phrase and phrase not in out:
            out.append(phrase)
    return out
