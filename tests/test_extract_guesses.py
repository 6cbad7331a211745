"""What extraction reads in ordinary press releases: for an institution the graph does not know,
its name without legal forms, its kind and its country (from the name and the words around it);
concepts named loosely; plans that are not signings, dates, terms, units, people and clauses."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kgtool.extract import extract_documents
from kgtool.extract.catalogue import Catalogue
from kgtool.extract.concepts import Lexicon
from kgtool.extract.document import extract_text
from kgtool.extract.language import detect_language
from kgtool.extract.model import Agreement, Party
from kgtool.extract.names_guess import guess_country, guess_kind
from kgtool.graph import LoadedGraph, load, union_graph
from kgtool.names import NameIndex, is_legal_form, normalise, strip_legal_forms
from kgtool.project import Project

ORG = "https://w3id.org/kgtool/id/org/"


@pytest.fixture(scope="module")
def loaded(project: Project) -> LoadedGraph:
    return load(project=project)


def agreements(tmp_path: Path, loaded: LoadedGraph, text: str) -> list[Agreement]:
    path = tmp_path / "release.txt"
    path.write_text(text, encoding="utf-8")
    return extract_documents([path], loaded=loaded).agreements


def new_parties(tmp_path: Path, loaded: LoadedGraph, text: str) -> list[Party]:
    found = agreements(tmp_path, loaded, text)
    assert len(found) == 1, text
    return [p for p in found[0].parties if p.iri is None]


def concepts_in(loaded: LoadedGraph, text: str, language: str) -> set[str]:
    from kgtool.extract import knowledge

    _, lexicon = knowledge(loaded)
    return {m.iri.split("/id/", 1)[1] for m in lexicon.find(text, 0, len(text), language)}


@pytest.mark.parametrize(
    ("written", "name"),
    [
        ("МЧЖ «Agro Bukhara Invest»", "Agro Bukhara Invest"),
        ("Agro Bukhara Invest MChJ", "Agro Bukhara Invest"),
        ("«Navoiy kon» AJ", "Navoiy kon"),
        ("АЖ «Олмалиқ КМК»", "Олмалиқ КМК"),
        ("ООО «Ромашка»", "Ромашка"),
        ("ОАО Узметкомбинат", "Узметкомбинат"),
        ("ТОО «Каспий Инжиниринг»", "Каспий Инжиниринг"),
        ("Hanyang Precision Co., Ltd.", "Hanyang Precision"),
        ("«Oʻzbekiston temir yoʻllari» aksiyadorlik jamiyati", "Oʻzbekiston temir yoʻllari"),
        # kept: a form inside a name, a name that is only a form, a hyphenated word
        ("Agro AJ Invest", "Agro AJ Invest"),
        ("JSC", "JSC"),
        ("Co-operative University", "Co-operative University"),
    ],
)
def test_strip_legal_forms(written: str, name: str) -> None:
    assert strip_legal_forms(written) == name


@pytest.mark.parametrize(
    ("text", "name"),
    [
        (
            "Бухарский государственный университет подписал меморандум о взаимопонимании"
            " с МЧЖ «Green Line Export».",
            "Green Line Export",
        ),
        (
            "Samarqand davlat universiteti «Agro Samarqand Servis» MChJ bilan hamkorlik"
            " memorandumini imzoladi.",
            "Agro Samarqand Servis",
        ),
        (
            "Самарқанд давлат университети «Агро Самарқанд Сервис» МЧЖ билан ҳамкорлик"
            " меморандумини имзолади.",
            "Агро Самарқанд Сервис",
        ),
        (
            "Samarqand davlat universiteti Agro Samarqand Servis MChJ bilan hamkorlik"
            " memorandumini imzoladi.",
            "Agro Samarqand Servis",
        ),
    ],
)
def test_uzbek_legal_forms_leave_the_name_but_say_company_in_uzbekistan(
    tmp_path: Path, loaded: LoadedGraph, text: str, name: str
) -> None:
    university, party = new_parties(tmp_path, loaded, text)
    assert university.kind == "university"
    assert (party.name, party.kind, party.country) == (name, "company", "UZ")


def test_other_legal_forms_leave_the_name_and_guess_no_country(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    text = (
        "Ташкентский государственный технический университет и ОАО «Северная сода»"
        " заключили соглашение."
    )
    _university, company = new_parties(tmp_path, loaded, text)
    assert (company.name, company.kind) == ("Северная сода", "company")
    text = "Tashkent State Technical University and Hanbit Optics Co., Ltd. signed an MoU."
    _university, company = new_parties(tmp_path, loaded, text)
    assert (company.name, company.kind, company.country) == ("Hanbit Optics", "company", None)


@pytest.mark.parametrize(
    ("text", "name", "country"),
    [
        # a descriptor before the name, in each language
        (
            "Tashkent State Technical University signed an agreement with the South Korean"
            " firm Hanbit Optics.",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Ташкентский государственный технический университет и казахстанская компания"
            " ТОО «Степной Свет» заключили соглашение.",
            "Степной Свет",
            "KZ",
        ),
        (
            "Samarqand davlat universiteti koreys kompaniyasi Hanbit Optics bilan hamkorlik"
            " memorandumini imzoladi.",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Samarqand davlat universiteti Koreyaning «Hanbit Optics» kompaniyasi bilan"
            " hamkorlik memorandumini imzoladi.",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Самарқанд давлат университети корейс компанияси «Ханбит Оптикс» билан ҳамкорлик"
            " меморандумини имзолади.",
            "Ханбит Оптикс",
            "KR",
        ),
        # what follows the name: an apposition, a bracket, "from", "based in", "-based"
        (
            "Tashkent State Technical University and Hanbit Optics Co., Ltd., a South Korean"
            " maker of lenses, signed a memorandum of understanding.",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Tashkent State Technical University signed an agreement with Hanbit Optics"
            " (South Korea).",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Tashkent State Technical University signed an agreement with Ozark Lens from Turkey.",
            "Ozark Lens",
            "TR",
        ),
        (
            "Tashkent State Technical University signed an agreement with Hanbit Optics, a"
            " company based in Daejeon.",
            "Hanbit Optics",
            "KR",
        ),
        (
            "Tashkent State Technical University signed an agreement with Daejeon-based Hanbit"
            " Optics.",
            "Hanbit Optics",
            "KR",
        ),
    ],
)
def test_country_of_a_new_partner_from_the_words_around_its_name(
    tmp_path: Path, loaded: LoadedGraph, text: str, name: str, country: str
) -> None:
    parties = new_parties(tmp_path, loaded, text)
    partner = next(p for p in parties if p.name == name)
    assert partner.country == country
    university = next(p for p in parties if p is not partner)
    assert university.country == "UZ"  # «Ташкентский», "Samarqand": from its own name


def test_a_city_before_the_names_is_where_they_signed_not_a_country(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    text = "In Seoul Tashkent State Technical University and Hanbit Optics signed an agreement."
    _university, partner = new_parties(tmp_path, loaded, text)
    assert (partner.name, partner.country) == ("Hanbit Optics", None)
    path = tmp_path / "based.txt"
    path.write_text(
        "Tashkent State Technical University signed an agreement with Hanbit Optics, a company"
        " based in Daejeon.",
        encoding="utf-8",
    )
    (agreement,) = extract_documents([path], loaded=loaded).agreements
    assert agreement.place is None  # where the partner is based, not where they signed


def test_uzbek_cyrillic_without_its_four_letters_is_still_uzbek() -> None:
    language = detect_language(
        "Тошкент давлат техника университети Хитойнинг Шэньчжэнь Оптикс компанияси билан"
        " шартнома имзолади."
    )
    assert language.tag == "uz-Cyrl"
    assert detect_language("Университет подписал соглашение с компанией.").tag == "ru"


def test_seed_partners_unknown_to_the_graph_get_their_country(
    seeds_dir: Path, loaded: LoadedGraph
) -> None:
    """The seed releases read with a graph that lacks the partners: each is proposed as a new
    institution with the country its words give (Korean institutes, Uzbek companies)."""
    unknown = {URIRef(ORG + x) for x in ("kitech", "koram", "uztmk", "uzas-ims")}
    graph = Graph()
    for triple in union_graph(loaded):
        if triple[0] not in unknown and triple[2] not in unknown:
            graph.add(triple)
    catalogue, lexicon = Catalogue(graph), Lexicon(graph)
    found: dict[str, list[Party]] = {}
    for path in sorted(seeds_dir.glob("*.txt")):
        text = path.read_text(encoding="utf-8")
        result = extract_text(text, path.name, catalogue, lexicon, path=str(path), sha256="")
        found[path.name[:3]] = [p for a in result.agreements for p in a.parties if p.iri is None]
    assert found["004"] == []  # the department page announces no agreement
    for seed in ("000", "001"):  # the metals combine
        assert [(p.country, p.kind) for p in found[seed]] == [("UZ", "company")], seed
    for seed in ("002", "003"):  # the rare-metals institute, named through its Korean parent
        countries = {p.country for p in found[seed]}
        assert countries == {"UZ", "KR"}, seed
        korean = next(p for p in found[seed] if p.country == "KR")
        assert korean.kind == "institute" and korean.parent is not None
        assert korean.name[:1] in "KК"  # Koreya …, Корейский …: in the base form


def test_country_from_another_mention_of_the_name(tmp_path: Path, loaded: LoadedGraph) -> None:
    text = (
        "Samarqand davlat universitetida Turkiyaning Anadolu Optik universiteti vakillari bilan"
        " uchrashuv boʻlib oʻtdi.\n\nUchrashuv yakunida Samarqand davlat universiteti va Anadolu"
        " Optik universiteti oʻrtasida hamkorlik memorandumi imzolandi."
    )
    parties = new_parties(tmp_path, loaded, text)
    assert [(p.name, p.country) for p in parties] == [
        ("Samarqand davlat universiteti", "UZ"),
        ("Anadolu Optik universiteti", "TR"),  # Turkey, the nearest cue, not Samarqand
    ]


@pytest.mark.parametrize(
    ("text", "language", "concept"),
    [
        # a label with one inner word left out or replaced
        ("Стороны займутся подготовкой кадров.", "ru", "direction/personnel-training"),
        (
            "Предусмотрено совместное использование исследовательской инфраструктуры.",
            "ru",
            "direction/shared-infrastructure",
        ),
        # the second half of a coordinated label, or its long first word alone
        (
            "The partners will organise professional development.",
            "en",
            "direction/internships-and-training",
        ),
        ("Joint work in irrigation is planned.", "en", "field/irrigation-and-water-management"),
        ("Tomonlar malaka oshirish boʻyicha ishlaydi.", "uz", "direction/internships-and-training"),
    ],
)
def test_concepts_named_loosely(
    loaded: LoadedGraph, text: str, language: str, concept: str
) -> None:
    assert concept in concepts_in(loaded, text, language)


@pytest.mark.parametrize(
    ("text", "language", "concept"),
    [
        # a full label wins over a loose reading of a longer one
        ("Работы в области сельского хозяйства.", "ru", "field/agricultural-mechanisation"),
        # short or common first words never stand for their label ("fan", "taʼlim", "degree")
        ("Fan va taʼlim sohasida hamkorlik.", "uz", "direction/science-industry-integration"),
        ("Oliy taʼlim muassasalari bilan.", "uz", "direction/education-programmes"),
        ("They offer master's degree programmes.", "en", "direction/joint-degree-programmes"),
    ],
)
def test_concepts_not_named_loosely(
    loaded: LoadedGraph, text: str, language: str, concept: str
) -> None:
    assert concept not in concepts_in(loaded, text, language)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "The rector of Andijan State University, Prof. Akmal Karimov, and the president of"
            " Yeungnam University signed a memorandum of understanding.",
            ["Andijan State University", "Yeungnam University"],
        ),
        (
            "Representatives of Inha University in Tashkent and Pusan National University"
            " signed an agreement on academic exchange.",
            ["Inha University in Tashkent", "Pusan National University"],
        ),
        (
            "Ректор ТашГТУ и президент Университета Аджу подписали меморандум о взаимопонимании.",
            ["ТашГТУ", "Университет Аджу"],
        ),
        (
            "Состоялось подписание соглашения о сотрудничестве между Самаркандским"
            " государственным медицинским университетом и Первым Московским государственным"
            " медицинским университетом имени И.М. Сеченова.",
            [
                "Самаркандский государственный медицинский университет",
                "Первый Московский государственный медицинский университет имени И.М. Сеченова",
            ],
        ),
        (
            "An agreement was signed between the Ministry of Higher Education, Science and"
            " Innovation of Uzbekistan and the German Academic Exchange Service (DAAD).",
            [
                "Ministry of Higher Education, Science and Innovation of Uzbekistan",
                "German Academic Exchange Service",
            ],
        ),
    ],
)
def test_people_initials_and_commas_do_not_cut_or_make_parties(
    tmp_path: Path, loaded: LoadedGraph, text: str, names: list[str]
) -> None:
    assert [p.name for p in new_parties(tmp_path, loaded, text)] == names


@pytest.mark.parametrize(
    ("text", "country"),
    [
        (
            "Urganch davlat universitetida Latviya universiteti bilan oʻzaro anglashuv"
            " memorandumi imzolandi.",
            "LV",  # not Urganch, the host named before it
        ),
        (
            "Наманган давлат университети ва Қозон федерал университети ўртасида ҳамкорлик"
            " тўғрисида меморандум имзоланди.",
            "RU",
        ),
    ],
)
def test_uzbek_country_names(tmp_path: Path, loaded: LoadedGraph, text: str, country: str) -> None:
    host, partner = new_parties(tmp_path, loaded, text)
    assert (host.country, partner.country) == ("UZ", country)


# --- signing rules ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "text",
    [
        "Kelgusi oyda Andijon davlat universiteti Seul milliy universiteti bilan memorandum"
        " imzolashi kutilmoqda.",
        "Рассматривается возможность подписания соглашения между Бухарским государственным"
        " университетом и Университетом Гази.",
        "Андижон давлат университети Сеул миллий университети билан меморандум имзолаши мумкин.",
        "Namangan State University and Kazan Federal University may sign a memorandum of"
        " understanding in the autumn.",
        "The parties discussed the possibility of signing an agreement between Urgench State"
        " University and the University of Latvia.",
    ],
)
def test_expected_or_possible_signings_are_no_agreements(
    tmp_path: Path, loaded: LoadedGraph, text: str
) -> None:
    assert agreements(tmp_path, loaded, text) == []


def test_a_written_date_beats_the_relative_word_beside_it(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    (agreement,) = agreements(
        tmp_path,
        loaded,
        "Вчера, 5 марта 2025 г., в Ташкенте Национальный университет Узбекистана и Белорусский"
        " государственный университет подписали договор о сотрудничестве на 3 года.",
    )
    assert (agreement.signed_on, agreement.term_years, agreement.place) == (
        "2025-03-05", 3, "Ташкент",
    )  # fmt: skip


def test_term_before_a_qualified_kind_noun(tmp_path: Path, loaded: LoadedGraph) -> None:
    (agreement,) = agreements(
        tmp_path,
        loaded,
        "On 21.11.2024 Samarkand State University signed a three-year cooperation agreement"
        " with Lanzhou University.",
    )
    assert (agreement.signed_on, agreement.term_years) == ("2024-11-21", 3)


def test_a_date_is_not_a_count_before_the_kind(tmp_path: Path, loaded: LoadedGraph) -> None:
    (agreement,) = agreements(
        tmp_path,
        loaded,
        "Тошкент кимё-технология институти ҳамда Хитойнинг Далянь технология университети"
        " ўртасида 2025 йил 10 апрелда ўзаро англашув меморандуми имзоланди.",
    )
    assert agreement.kind is not None and agreement.kind.endswith("memorandum-of-understanding")
    assert agreement.signed_on == "2025-04-10"
    assert [p.country for p in agreement.parties] == ["UZ", "CN"]


def test_partners_listed_after_a_colon(tmp_path: Path, loaded: LoadedGraph) -> None:
    found = agreements(
        tmp_path,
        loaded,
        "Today the Academy of Sciences of Uzbekistan signed memoranda with three foreign"
        " partners: the Chinese Academy of Sciences, the Russian Academy of Sciences and the"
        " Korea Institute of Science and Technology.",
    )
    assert [[p.name for p in a.parties][1] for a in found] == [
        "Chinese Academy of Sciences",
        "Russian Academy of Sciences",
        "Korea Institute of Science and Technology",
    ]
    assert {a.parties[0].iri for a in found} == {"https://w3id.org/kgtool/id/org/uzas"}


def test_partner_zone_ends_at_the_kind_noun_and_gardens_are_institutions(
    tmp_path: Path, loaded: LoadedGraph
) -> None:
    (contract,) = agreements(
        tmp_path,
        loaded,
        "Ташкентский химико-технологический институт заключил с китайской компанией «Sinopec"
        " Engineering» договор на поставку лабораторного оборудования.",
    )
    assert [(p.name, p.country) for p in contract.parties][1] == ("Sinopec Engineering", "CN")
    (memorandum,) = agreements(
        tmp_path,
        loaded,
        "Институт ботаники Академии наук Республики Узбекистан и Ботанический сад Пекина"
        " подписали меморандум о сотрудничестве в области биотехнологии.",
    )
    unit, garden = memorandum.parties
    assert unit.parent == "https://w3id.org/kgtool/id/org/uzas"
    assert (garden.name, garden.country) == ("Ботанический сад Пекина", "CN")


@pytest.mark.parametrize(
    ("text", "unit", "parent", "country"),
    [
        (
            "Кафедра химии Национального университета Узбекистана и Университет Кёнхи подписали"
            " соглашение.",
            "Кафедра химии",
            "Национальный университет Узбекистана",
            "UZ",
        ),
        (
            "The Institute of Physics of the Chinese Academy of Sciences and Kyung Hee"
            " University signed an agreement.",
            "Institute of Physics",
            "Chinese Academy of Sciences",
            "CN",
        ),
    ],
)
def test_a_unit_named_through_a_parent_the_graph_does_not_know(
    tmp_path: Path, loaded: LoadedGraph, text: str, unit: str, parent: str, country: str
) -> None:
    (agreement,) = agreements(tmp_path, loaded, text)
    first = agreement.parties[0]
    assert (first.name, first.parent, first.country) == (unit, parent, country)


@pytest.mark.parametrize(
    ("text", "names"),
    [
        (
            "Toshkent davlat texnika universiteti rektori Koreyaning Inha universiteti"
            " prezidenti bilan uchrashdi. Uchrashuv yakunida tomonlar oʻrtasida hamkorlik"
            " memorandumi imzolandi.",
            ["Toshkent davlat texnika universiteti", "Inha universiteti"],
        ),
        (
            "Ректор Ташкентского университета информационных технологий встретился с"
            " делегацией Университета Аджу. По итогам встречи стороны подписали меморандум о"
            " взаимопонимании.",
            ["Ташкентский университет информационных технологий", "Университет Аджу"],
        ),
    ],
)
def test_the_parties_named_in_the_sentence_before(
    tmp_path: Path, loaded: LoadedGraph, text: str, names: list[str]
) -> None:
    (agreement,) = agreements(tmp_path, loaded, text)
    assert [p.name for p in agreement.parties] == names


@pytest.mark.parametrize(
    "text",
    [
        "Xalqaro hamkorlik boʻlimi xabariga koʻra, 15-may kuni Navoiy davlat konchilik va"
        " texnologiyalar universiteti Germaniyaning Freiberg texnika universiteti bilan"
        " memorandum imzoladi.",
        "По информации Отдела международного сотрудничества, Навоийский государственный"
        " горно-технологический университет и Фрайбергская горная академия подписали"
        " меморандум.",
    ],
)
def test_who_reports_the_news_is_no_party(tmp_path: Path, loaded: LoadedGraph, text: str) -> None:
    (agreement,) = agreements(tmp_path, loaded, text)
    assert len(agreement.parties) == 2
    assert all(p.iri is None for p in agreement.parties)  # not TIIAME's department
    assert agreement.parties[0].name.startswith(("Navoiy", "Навоийский"))
    assert agreement.signed_on is None  # no year and no publication date


@pytest.mark.parametrize(
    "text",
    [
        "Shuningdek, tashrif doirasida Samarqand davlat universiteti Tojikiston milliy"
        " universiteti bilan 5 yillik hamkorlik shartnomasini imzoladi, Buxoro davlat"
        " universiteti esa Tojikiston texnika universiteti bilan memorandum imzoladi.",
        "Самаркандский государственный университет подписал договор с Таджикским национальным"
        " университетом на 5 лет, а Бухарский государственный университет заключил меморандум с"
        " Таджикским техническим университетом.",
    ],
)
def test_two_signings_in_one_sentence(tmp_path: Path, loaded: LoadedGraph, text: str) -> None:
    first, second = agreements(tmp_path, loaded, text)
    assert [p.country for p in first.parties] == [p.country for p in second.parties]
    assert first.parties[0].name.startswith(("Samarqand", "Самаркандский"))
    assert second.parties[0].name.startswith(("Buxoro", "Бухарский"))
    assert (first.term_years, second.term_years) == (5, None)
    assert first.kind is not None and first.kind.endswith("contract")
    assert second.kind is not None and second.kind.endswith("memorandum")


@pytest.mark.parametrize(
    "text",
    [
        "Samarqand davlat universiteti «Agro Samarqand Servis» MChJ bilan hamkorlik"
        " memorandumini imzoladi.",
        "Самарқанд давлат университети «Агро Самарқанд Сервис» МЧЖ билан ҳамкорлик"
        " меморандумини имзолади.",
        "Ташкентский государственный технический университет и ОАО «Северная сода»"
        " заключили соглашение.",
        "Tashkent State Technical University and Hanbit Optics Co., Ltd. signed an MoU.",
    ],
)
def test_the_extractor_and_the_linker_take_the_same_legal_forms_off(
    tmp_path: Path, loaded: LoadedGraph, text: str
) -> None:
    """The name the extractor proposes and the name as the text wrote it, legal form and all,
    have one matching key: the linker finds the one under the other, and two mentions agree."""
    _university, company = new_parties(tmp_path, loaded, text)
    assert is_legal_form(company.written.replace(company.name, "").strip(" «»"))
    assert normalise(company.written) == normalise(company.name)
    index = NameIndex()
    index.add("urn:company", company.name)
    best = index.resolve(company.written)[0]
    assert (best.iri, best.rule) == ("urn:company", "exact-normalised")
    as_written = Party(company.written, None, None, None, None)
    assert company.matches(as_written)


@pytest.mark.parametrize(
    ("name", "kind", "country"),
    [
        ("«Baraka Savdo» АЖ", "company", "UZ"),
        ("Baraka Savdo XK", "company", "UZ"),  # xususiy korxona, a private enterprise
        ("«Барака Савдо» ДУК", "company", "UZ"),
        ("ТОО «Каспий»", "company", None),  # Kazakh
        ("Ак Барака", None, None),  # "ак" (white) is no legal form
        ("хк барака", None, None),  # nor is ХК unless in capitals
        ("Incheon National University", "university", "KR"),  # "inc…" is no legal form
    ],
)
def test_legal_forms_tell_a_company_and_uzbek_ones_its_country(
    name: str, kind: str | None, country: str | None
) -> None:
    assert (guess_kind(name), guess_country(name, "uz-Cyrl")) == (kind, country)
