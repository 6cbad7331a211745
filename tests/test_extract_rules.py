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
