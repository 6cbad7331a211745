"""What extraction guesses for an institution the graph does not know: its name without legal
forms, its kind and its country, from the name and from the words the text writes around it."""

from __future__ import annotations

from pathlib import Path

import pytest
from rdflib import Graph, URIRef

from kgtool.extract import extract_documents
from kgtool.extract.catalogue import Catalogue
from kgtool.extract.concepts import Lexicon
from kgtool.extract.document import extract_text
from kgtool.extract.language import detect_language
from kgtool.extract.model import Party
from kgtool.graph import LoadedGraph, load, union_graph
from kgtool.names import strip_legal_forms
from kgtool.project import Project

ORG = "https://w3id.org/kgtool/id/org/"


@pytest.fixture(scope="module")
def loaded(project: Project) -> LoadedGraph:
    return load(project=project)


def new_parties(tmp_path: Path, loaded: LoadedGraph, text: str) -> list[Party]:
    path = tmp_path / "release.txt"
    path.write_text(text, encoding="utf-8")
    result = extract_documents([path], loaded=loaded)
    assert len(result.agreements) == 1, text
    return [p for p in result.agreements[0].parties if p.iri is None]


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
    from kgtool.extract import knowledge

    _, lexicon = knowledge(loaded)
    found = {m.iri.split("/id/", 1)[1] for m in lexicon.find(text, 0, len(text), language)}
    assert concept in found


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
    from kgtool.extract import knowledge

    _, lexicon = knowledge(loaded)
    found = {m.iri.split("/id/", 1)[1] for m in lexicon.find(text, 0, len(text), language)}
    assert concept not in found


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
