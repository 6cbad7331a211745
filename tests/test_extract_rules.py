"""Signing rules met in ordinary press releases: plans that are not signings, dates written
beside a relative word, terms before the kind noun."""

from __future__ import annotations

from pathlib import Path

import pytest

from kgtool.extract import extract_documents
from kgtool.extract.model import Agreement
from kgtool.graph import LoadedGraph, load
from kgtool.project import Project


@pytest.fixture(scope="module")
def loaded(project: Project) -> LoadedGraph:
    return load(project=project)


def agreements(tmp_path: Path, loaded: LoadedGraph, text: str) -> list[Agreement]:
    path = tmp_path / "release.txt"
    path.write_text(text, encoding="utf-8")
    return extract_documents([path], loaded=loaded).agreements


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
