"""Guesses for an institution the graph does not know yet: kind, country, base form, slug.

Only for draft records a person reviews. The Russian base form is made by rules for the head
noun and the adjectives before it (the rest of a Russian name is in the genitive and stays);
``kgtool.names`` offers no nominative form, and pymorphy3 may be imported there only.
"""

from __future__ import annotations

import re
import unicodedata

from kgtool.extract.text import fold
from kgtool.names import LEGAL_FORM_RE, UZBEK_LEGAL_FORM_RE, fold_apostrophes, is_legal_form

#: Head words (folded prefixes) → the kind name the output uses.
_KIND_HEADS: tuple[tuple[str, str], ...] = (
    ("universit", "university"), ("университет", "university"), ("college", "university"),
    ("колледж", "university"), ("kollej", "university"),
    ("akadem", "academy"), ("академи", "academy"), ("academy", "academy"),
    ("institut", "institute"), ("институт", "institute"), ("laborator", "institute"),
    ("лаборатори", "institute"), ("centre", "institute"), ("center", "institute"),
    ("центр", "institute"), ("markaz", "institute"), ("марказ", "institute"),
    ("ministr", "government body"), ("министерств", "government body"),
    ("vazirlig", "government body"), ("вазирлиг", "government body"),
    ("agency", "government body"), ("агентств", "government body"),
    ("agentlig", "government body"), ("агентлиг", "government body"),
    ("committee", "government body"), ("комитет", "government body"),
    ("qo'mita", "government body"), ("қўмита", "government body"),
    ("hokimlig", "government body"), ("хокимият", "government body"),
    ("mahkama", "government body"), ("маҳкама", "government body"),
    ("cabinet", "government body"), ("кабинет", "government body"),
    ("government", "government body"), ("правительств", "government body"),
    ("department", "unit"), ("faculty", "unit"), ("факультет", "unit"), ("кафедр", "unit"),
    ("fakultet", "unit"), ("бўлим", "unit"), ("факультети", "unit"),
    ("kafedra", "unit"), ("bo'lim", "unit"), ("отдел", "unit"),
    ("company", "company"), ("компани", "company"), ("kompaniya", "company"),
    ("jamiyat", "company"), ("обществ", "company"), ("kombinat", "company"),
    ("комбинат", "company"), ("corporation", "company"), ("корпораци", "company"),
    ("korxona", "company"), ("предприяти", "company"), ("завод", "company"), ("zavod", "company"),
    ("holding", "company"), ("холдинг", "company"), ("bank", "company"), ("банк", "company"),
    ("firm", "company"), ("фирм", "company"),
    ("maker", "company"), ("manufacturer", "company"), ("producer", "company"),
    ("производител", "company"), ("conglomerate", "company"), ("startup", "company"),
    ("start-up", "company"), ("guruh", "company"), ("гуруҳ", "company"), ("групп", "company"),
    ("group", "company"),
)  # fmt: skip

#: Words that suggest a company only when no head word names the kind ("Kanzan Mining").
_WEAK_COMPANY = (
    "mining", "motors", "steel", "chemical", "pharma", "electronics", "industries", "telecom",
    "airlines", "zinc", "chem", "energy", "oil", "gas", "technologies",
)  # fmt: skip

#: Cues (folded word prefixes) → ISO 3166-1 alpha-2 country code.
_COUNTRY_CUES: tuple[tuple[str, str], ...] = (
    ("korea", "KR"), ("koreya", "KR"), ("корей", "KR"), ("корея", "KR"), ("seoul", "KR"),
    ("сеул", "KR"), ("seul", "KR"), ("daejeon", "KR"), ("busan", "KR"), ("pusan", "KR"),
    ("uzbek", "UZ"), ("узбек", "UZ"), ("o'zbek", "UZ"), ("ўзбек", "UZ"), ("tashkent", "UZ"),
    ("ташкент", "UZ"), ("toshkent", "UZ"), ("тошкент", "UZ"), ("samarkand", "UZ"),
    ("samarqand", "UZ"), ("самарканд", "UZ"), ("bukhara", "UZ"), ("buxoro", "UZ"),
    ("бухар", "UZ"), ("namangan", "UZ"), ("andijon", "UZ"), ("andijan", "UZ"),
    ("farg'ona", "UZ"), ("fergana", "UZ"), ("nukus", "UZ"), ("qoraqalpog", "UZ"),
    ("karakalpak", "UZ"), ("каракалпак", "UZ"), ("қорақалпоқ", "UZ"), ("андижан", "UZ"),
    ("наманган", "UZ"), ("ферган", "UZ"), ("нукус", "UZ"), ("карши", "UZ"), ("термез", "UZ"),
    ("ургенч", "UZ"), ("навои", "UZ"), ("джизак", "UZ"), ("гулистан", "UZ"), ("хорезм", "UZ"),
    ("khorezm", "UZ"), ("karshi", "UZ"), ("termez", "UZ"), ("urgench", "UZ"), ("navoi", "UZ"),
    ("daegu", "KR"), ("incheon", "KR"), ("gwangju", "KR"), ("ulsan", "KR"), ("suwon", "KR"),
    ("russia", "RU"), ("росси", "RU"), ("rossiya", "RU"), ("moscow", "RU"), ("москов", "RU"),
    ("moskva", "RU"), ("petersburg", "RU"), ("петербург", "RU"), ("kazan", "RU"),
    ("china", "CN"), ("chinese", "CN"), ("китай", "CN"), ("xitoy", "CN"), ("beijing", "CN"),
    ("пекин", "CN"), ("shanghai", "CN"), ("tsinghua", "CN"),
    ("japan", "JP"), ("япон", "JP"), ("yaponiya", "JP"), ("tokyo", "JP"), ("токио", "JP"),
    ("german", "DE"), ("герман", "DE"), ("немец", "DE"), ("germaniya", "DE"), ("berlin", "DE"),
    ("dresden", "DE"), ("munich", "DE"), ("münchen", "DE"), ("technische", "DE"),
    ("america", "US"), ("american", "US"), ("америк", "US"), ("amerika", "US"), ("usa", "US"),
    ("сша", "US"), ("aqsh", "US"), ("united states", "US"),
    ("british", "GB"), ("britain", "GB"), ("великобрит", "GB"), ("london", "GB"),
    ("oxford", "GB"), ("cambridge", "GB"), ("edinburgh", "GB"),
    ("france", "FR"), ("french", "FR"), ("франц", "FR"), ("fransiya", "FR"), ("paris", "FR"),
    ("kazakh", "KZ"), ("казах", "KZ"), ("qozog'", "KZ"), ("astana", "KZ"), ("almaty", "KZ"),
    ("kyrgyz", "KG"), ("кыргыз", "KG"), ("киргиз", "KG"), ("qirg'iz", "KG"), ("bishkek", "KG"),
    ("tajik", "TJ"), ("таджик", "TJ"), ("tojik", "TJ"), ("dushanbe", "TJ"),
    ("turkey", "TR"), ("turkish", "TR"), ("турц", "TR"), ("турецк", "TR"), ("turkiya", "TR"),
    ("ankara", "TR"), ("анкар", "TR"), ("istanbul", "TR"), ("стамбул", "TR"),
    ("india", "IN"), ("индий", "IN"), ("индия", "IN"), ("hindiston", "IN"),
    ("italy", "IT"), ("italian", "IT"), ("итал", "IT"), ("italiya", "IT"), ("bologna", "IT"),
    ("болон", "IT"), ("milan", "IT"), ("torino", "IT"), ("turin", "IT"), ("padova", "IT"),
    ("pisa", "IT"), ("napoli", "IT"), ("florence", "IT"), ("wageningen", "NL"),
    ("вагенинген", "NL"), ("delft", "NL"), ("utrecht", "NL"), ("göttingen", "DE"),
    ("gottingen", "DE"), ("gyottingen", "DE"), ("гёттинген", "DE"), ("munchen", "DE"),
    ("belarus", "BY"), ("белорус", "BY"), ("беларус", "BY"), ("minsk", "BY"),
    ("azerbaijan", "AZ"), ("азербайдж", "AZ"), ("ozarbayjon", "AZ"),
    ("malaysia", "MY"), ("малайз", "MY"), ("singapore", "SG"), ("сингапур", "SG"),
    ("pakistan", "PK"), ("пакистан", "PK"), ("iran", "IR"), ("иран", "IR"),
    ("finland", "FI"), ("финлянд", "FI"), ("latvia", "LV"), ("латви", "LV"),
    ("poland", "PL"), ("polish", "PL"), ("польш", "PL"), ("hungar", "HU"), ("венгр", "HU"),
    ("czech", "CZ"), ("чеш", "CZ"), ("austria", "AT"), ("австри", "AT"),
    ("spain", "ES"), ("spanish", "ES"), ("испан", "ES"), ("egypt", "EG"), ("егип", "EG"),
    ("emirates", "AE"), ("эмират", "AE"), ("saudi", "SA"), ("саудовск", "SA"),
    # Uzbek Cyrillic country names (genitive "Туркиянинг", "Германиянинг" start with them)
    ("туркия", "TR"), ("германия", "DE"), ("хитой", "CN"), ("япония", "JP"),
    ("қозоғистон", "KZ"), ("қирғизистон", "KG"), ("тожикистон", "TJ"), ("франция", "FR"),
    ("италия", "IT"), ("ҳиндистон", "IN"), ("буюк британия", "GB"), ("беларус", "BY"),
    ("озарбайжон", "AZ"), ("покистон", "PK"), ("эрон", "IR"), ("малайзия", "MY"),
    ("netherlands", "NL"), ("dutch", "NL"), ("нидерланд", "NL"), ("голланд", "NL"),
    ("niderland", "NL"), ("amsterdam", "NL"), ("helsinki", "FI"), ("хельсинк", "FI"),
    ("finlyandiya", "FI"), ("vienna", "AT"), ("вена", "AT"), ("prague", "CZ"), ("warsaw", "PL"),
    ("budapest", "HU"), ("rome", "IT"), ("madrid", "ES"), ("stockholm", "SE"), ("sweden", "SE"),
    ("швец", "SE"), ("shvetsiya", "SE"), ("norway", "NO"), ("норвег", "NO"), ("denmark", "DK"),
    ("дани", "DK"), ("switzerland", "CH"), ("swiss", "CH"), ("швейцар", "CH"),
    ("shveytsariya", "CH"), ("zurich", "CH"), ("geneva", "CH"), ("belgium", "BE"),
    ("бельги", "BE"), ("brussels", "BE"), ("georgia", "GE"), ("грузи", "GE"), ("tbilisi", "GE"),
    ("armenia", "AM"), ("армени", "AM"), ("yerevan", "AM"), ("ukrain", "UA"), ("украин", "UA"),
    ("kyiv", "UA"), ("baku", "AZ"), ("баку", "AZ"), ("delhi", "IN"), ("tehran", "IR"),
    ("canada", "CA"), ("канад", "CA"), ("kanada", "CA"), ("australia", "AU"), ("австрали", "AU"),
    ("israel", "IL"), ("израил", "IL"), ("isroil", "IL"), ("исроил", "IL"), ("qozon", "RU"),
    ("tsinghua", "CN"), ("цинхуа", "CN"), ("mongolia", "MN"), ("монгол", "MN"),
    ("turkmen", "TM"), ("туркмен", "TM"), ("afghan", "AF"), ("афган", "AF"), ("afg'on", "AF"),
    ("vietnam", "VN"), ("вьетнам", "VN"), ("indonesia", "ID"), ("индонез", "ID"),
    ("thailand", "TH"), ("таиланд", "TH"), ("qatar", "QA"), ("катар", "QA"),
    ("britaniya", "GB"), ("британ", "GB"), ("hamburg", "DE"), ("гамбург", "DE"),
    ("frankfurt", "DE"), ("stuttgart", "DE"), ("heidelberg", "DE"), ("freiberg", "DE"),
    ("фрайберг", "DE"), ("aachen", "DE"), ("cologne", "DE"), ("köln", "DE"), ("bonn", "DE"),
    ("казанск", "RU"), ("fraunhofer", "DE"), ("max planck", "DE"), ("helmholtz", "DE"),
    ("(uk)", "GB"), ("u.k.", "GB"), ("united kingdom", "GB"), ("england", "GB"),
    ("scotland", "GB"), ("coventry", "GB"), ("manchester", "GB"),
    ("самарқанд", "UZ"), ("бухоро", "UZ"), ("наманган", "UZ"), ("андижон", "UZ"),
    ("фарғона", "UZ"), ("нукус", "UZ"), ("қарши", "UZ"), ("термиз", "UZ"), ("урганч", "UZ"),
    ("навоий", "UZ"), ("жиззах", "UZ"), ("гулистон", "UZ"), ("xorazm", "UZ"), ("хоразм", "UZ"),
    ("navoiy", "UZ"), ("qarshi", "UZ"), ("termiz", "UZ"), ("urganch", "UZ"), ("jizzax", "UZ"),
    ("janubiy koreya", "KR"), ("buyuk britaniya", "GB"), ("pokiston", "PK"), ("eron", "IR"),
    ("malayziya", "MY"), ("belarus", "BY"), ("angliya", "GB"), ("fransiya", "FR"),
    # Uzbek adjectives of nationality ("koreys kompaniyasi", «немис университети»)
    ("koreys", "KR"), ("nemis", "DE"), ("немис", "DE"), ("yapon", "JP"), ("fransuz", "FR"),
    ("ingliz", "GB"), ("инглиз", "GB"), ("qozoq", "KZ"), ("қозоқ", "KZ"),
    ("қозон", "RU"), ("москва", "RU"),
    # more countries, in English, Russian and Uzbek (Latin) spelling
    ("latviya", "LV"), ("lithuania", "LT"), ("литв", "LT"), ("litva", "LT"), ("estonia", "EE"),
    ("эстони", "EE"), ("estoniya", "EE"), ("polsha", "PL"), ("chexiya", "CZ"),
    ("vengriya", "HU"), ("romania", "RO"), ("румыни", "RO"), ("ruminiya", "RO"),
    ("bulgaria", "BG"), ("болгари", "BG"), ("bolgariya", "BG"), ("serbia", "RS"),
    ("серби", "RS"), ("serbiya", "RS"), ("greece", "GR"), ("greek", "GR"), ("греци", "GR"),
    ("gretsiya", "GR"), ("portugal", "PT"), ("португал", "PT"), ("ireland", "IE"),
    ("ирланди", "IE"), ("slovakia", "SK"), ("словаки", "SK"), ("slovenia", "SI"),
    ("словени", "SI"), ("croatia", "HR"), ("хорвати", "HR"), ("cyprus", "CY"), ("кипр", "CY"),
    ("ispaniya", "ES"), ("avstriya", "AT"), ("belgiya", "BE"), ("daniya", "DK"),
    ("norvegiya", "NO"), ("kuwait", "KW"), ("кувейт", "KW"), ("quvayt", "KW"),
    ("jordan", "JO"), ("иордани", "JO"), ("bangladesh", "BD"), ("бангладеш", "BD"),
    ("sri lanka", "LK"), ("шри-ланк", "LK"), ("nepal", "NP"), ("непал", "NP"),
    ("philippin", "PH"), ("филиппин", "PH"), ("filippin", "PH"), ("mexico", "MX"),
    ("mexican", "MX"), ("мексик", "MX"), ("meksika", "MX"), ("brazil", "BR"),
    ("бразили", "BR"), ("argentin", "AR"), ("аргентин", "AR"),
    ("south africa", "ZA"), ("юар", "ZA"), ("nigeria", "NG"), ("нигери", "NG"),
    ("kenya", "KE"), ("кени", "KE"), ("morocc", "MA"), ("марокк", "MA"), ("tunisia", "TN"),
    ("тунис", "TN"), ("algeria", "DZ"), ("алжир", "DZ"), ("moldova", "MD"), ("молдов", "MD"),
    ("armaniston", "AM"), ("gruziya", "GE"), ("turkmaniston", "TM"), ("mongoliya", "MN"),
    ("vyetnam", "VN"), ("indoneziya", "ID"), ("tailand", "TH"), ("avstraliya", "AU"),
    ("new zealand", "NZ"), ("новая зеланди", "NZ"), ("misr", "EG"), ("lebanon", "LB"),
    ("ливан", "LB"), ("iraq", "IQ"), ("ирак", "IQ"), ("oman", "OM"), ("оман", "OM"),
    ("bahrain", "BH"), ("бахрейн", "BH"), ("luxembourg", "LU"), ("люксембург", "LU"),
)  # fmt: skip

#: The cues compiled once, in order: the first that matches gives the country.
_COUNTRY_CUE_RES = tuple(
    (re.compile(r"(?<!\w)" + re.escape(cue)), code) for cue, code in _COUNTRY_CUES
)


def guess_kind(name: str) -> str | None:
    """Return the kind of institution ``name`` suggests (university, institute, ...), if any.

    The head word is the last one in Uzbek (head-final) and the first one in Russian and
    English ("Institute of Physics of the Academy ..." is an institute).
    """
    as_written = fold_apostrophes(name)  # fold keeps every offset: the same words, case kept
    words: list[str] = []
    hits: list[str] = []
    for m in re.finditer(r"\w+(?:'\w+)*", fold(name)):
        words.append(m.group())
        if is_legal_form(as_written[m.start() : m.end()]):
            hits.append("company")  # a whole word: "Ltd", "MChJ", АЖ; not "Incheon", not "ак"
        else:
            hits.extend(kind for prefix, kind in _KIND_HEADS if m.group().startswith(prefix))
    if not hits:
        legal_form = LEGAL_FORM_RE.search(as_written) is not None  # "aksiyadorlik jamiyati"
        weak = legal_form or any(w.startswith(_WEAK_COMPANY) for w in words)
        return "company" if weak else None
    uzbek = any(
        w.endswith(("i", "si")) and any(w.startswith(p) for p, _ in _KIND_HEADS) for w in words
    ) and not any("\u0400" <= c <= "\u04ff" for c in name if c not in "ўқғҳ")
    return hits[-1] if uzbek else hits[0]


def country_cue_codes() -> frozenset[str]:
    """Return every country code a guess can give (tests check them against ISO 3166-1)."""
    return frozenset(code for _, code in _COUNTRY_CUES) | {"UZ"}


def guess_country(name: str, tag: str) -> str | None:
    """Return the ISO 3166-1 alpha-2 code a name's words point to, if any."""
    low = fold(name)
    for cue, code in _COUNTRY_CUE_RES:
        if cue.search(low):
            return code
    if UZBEK_LEGAL_FORM_RE.search(fold_apostrophes(name)):  # MChJ, АЖ: registered in Uzbekistan
        return "UZ"
    return None


# Russian head nouns in oblique cases → nominative and gender (m, f, n).
_RU_NOUNS: tuple[tuple[str, str, str], ...] = (
    ("институт", "институт", "m"), ("университет", "университет", "m"),
    ("академи", "академия", "f"), ("обществ", "общество", "n"), ("комбинат", "комбинат", "m"),
    ("центр", "центр", "m"), ("министерств", "министерство", "n"),
    ("агентств", "агентство", "n"), ("комитет", "комитет", "m"), ("компани", "компания", "f"),
    ("корпораци", "корпорация", "f"), ("предприяти", "предприятие", "n"),
    ("фонд", "фонд", "m"), ("ассоциаци", "ассоциация", "f"), ("колледж", "колледж", "m"),
    ("лаборатори", "лаборатория", "f"), ("завод", "завод", "m"), ("банк", "банк", "m"),
    ("кафедр", "кафедра", "f"), ("факультет", "факультет", "m"), ("отдел", "отдел", "m"),
    ("союз", "союз", "m"), ("палат", "палата", "f"), ("консорциум", "консорциум", "m"),
    ("холдинг", "холдинг", "m"), ("школ", "школа", "f"), ("служб", "служба", "f"),
)  # fmt: skip
_RU_ADJ_ENDINGS = sorted(
    [
        "ым",
        "ого",
        "ому",
        "ом",
        "ой",
        "ую",
        "ая",
        "ою",
        "ей",
        "ему",
        "его",
        "им",
        "ий",
        "ый",
        "ое",
        "ее",
        "ые",
        "ых",
        "ыми",
        "ими",
        "их",
    ],
    key=len,
    reverse=True,
)


def nominative(name: str, tag: str) -> str:
    """Return ``name`` in its base form: Russian head noun and its adjectives in the nominative."""
    if tag != "ru":
        return name
    words = name.split(" ")
    for index, word in enumerate(words):
        low = word.lower().strip('«»"')
        noun = next((n for n in _RU_NOUNS if low.startswith(n[0])), None)
        if noun is None:
            continue
        if len(low) - len(noun[0]) > 3:
            return name  # not an inflection of the head noun (e.g. «институциональный»)
        gender = noun[2]
        head = noun[1]
        words[index] = head[:1].upper() + head[1:] if word[:1].isupper() else head
        for a in range(index):
            words[a] = _adjective_nominative(words[a], gender)
        return " ".join(words)
    return name


def _adjective_nominative(word: str, gender: str) -> str:
    low = word.lower()
    for ending in _RU_ADJ_ENDINGS:
        if low.endswith(ending) and len(low) > len(ending) + 2:
            stem = word[: -len(ending)]
            last = stem[-1:].lower()
            if gender == "m":
                new = (
                    "ий"
                    if last in "кгхжшчщ" or ending in {"ий", "им", "его", "ему", "ей"}
                    else "ый"
                )
                if ending in {"ой"} and last not in "кгхжшчщн":
                    new = "ой"
            elif gender == "f":
                new = "яя" if ending in {"ей", "юю", "яя"} and last == "н" else "ая"
            else:
                new = "ее" if last in "жшчщ" else "ое"
            return stem + new
    return word


def name_tag(name: str, document_tag: str) -> str:
    """Return the language tag of a name: the document's, unless the name is in another script.

    «Nobel Pharmsiya» in a Russian release is not Russian; a Latin name in a Cyrillic text is
    tagged ``en`` (``uz-Latn`` in an Uzbek one), a Cyrillic name in a Latin text ``ru``
    (``uz-Cyrl``).
    """
    cyrillic = sum(1 for ch in name if "\u0400" <= ch <= "\u04ff")
    latin = sum(1 for ch in name if ch.isascii() and ch.isalpha())
    uzbek = document_tag.startswith("uz")
    if document_tag in {"ru", "uz-Cyrl"} and latin > cyrillic:
        return "uz-Latn" if uzbek else "en"
    if document_tag in {"en", "uz-Latn"} and cyrillic > latin:
        return "uz-Cyrl" if uzbek else "ru"
    return document_tag


def slug(text: str) -> str:
    """Return a lower-case ASCII slug of ``text`` for an IRI (Cyrillic transliterated)."""
    from kgtool.extract.stem import _CYRILLIC_TO_LATIN

    low = re.sub("[ʼʻ‘’'`]", "", text.lower())
    if any(ch in "ўқғҳ" for ch in low):
        from kgtool.names import cyrillic_to_latin

        low = cyrillic_to_latin(low).lower()
    low = "".join(_CYRILLIC_TO_LATIN.get(ch, ch) for ch in low)
    low = unicodedata.normalize("NFKD", low).encode("ascii", "ignore").decode()
    low = re.sub(r"[^a-z0-9]+", "-", low).strip("-")
    return low[:60].rstrip("-") or "x"
