"""Statistics: triples per graph, instances, name coverage, agreement status as of a date."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from kgtool.cli import cli
from kgtool.graph import load
from kgtool.project import GRAPH_BASE, Project
from kgtool.stats import (
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_EXPIRING_SOON,
    STATUS_UNKNOWN,
    add_months,
    agreement_status,
    stats,
)

CORE = Project(Path(__file__).parent / "fixtures" / "core")
AGR = "https://w3id.org/kgtool/id/agreement/"
COOP = "https://w3id.org/kgtool/ontology#"
AS_OF = dt.date(2026, 11, 23)


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_counts_on_the_core_fixture(store: str) -> None:
    counted = stats(load(project=CORE, store=store), AS_OF)
    assert counted.triples_per_graph == {
        GRAPH_BASE + "data/agreements.ttl": 21,
        GRAPH_BASE + "data/organisations.ttl": 26,
        GRAPH_BASE + "ontology/mini.ttl": 48,
        GRAPH_BASE + "shapes/mini.ttl": 6,
    }
    assert counted.triples == 101
    assert counted.instances_per_class[COOP + "Agreement"] == 4
    assert counted.instances_per_class[COOP + "OrganisationalUnit"] == 2
    # Institutions include every subclass of coop:Institution.
    assert counted.institutions == 5
    assert counted.name_coverage == {"en": 5, "ru": 3, "uz-Latn": 2, "uz-Cyrl": 1, "ko": 0}
    assert counted.agreement_status == {
        AGR + "active": STATUS_ACTIVE,
        AGR + "expiring": STATUS_EXPIRING_SOON,
        AGR + "expired": STATUS_EXPIRED,
        AGR + "open-ended": STATUS_UNKNOWN,
    }
    assert list(counted.agreements_by_status.values()) == [1, 1, 1, 1]


def test_status_depends_on_the_date() -> None:
    loaded = load(project=CORE)
    early = stats(loaded, dt.date(2023, 1, 1)).agreement_status
    assert early[AGR + "expired"] == STATUS_EXPIRING_SOON  # expires 2023-06-30
    assert early[AGR + "expiring"] == STATUS_ACTIVE
    late = stats(loaded, dt.date(2030, 1, 1)).agreement_status
    assert late[AGR + "active"] == STATUS_EXPIRED


def test_status_boundaries() -> None:
    day = dt.date(2026, 1, 31)
    assert agreement_status(None, day) == STATUS_UNKNOWN
    assert agreement_status(day, day) == STATUS_EXPIRING_SOON
    assert agreement_status(day - dt.timedelta(days=1), day) == STATUS_EXPIRED
    assert agreement_status(dt.date(2026, 7, 31), day) == STATUS_EXPIRING_SOON
    assert agreement_status(dt.date(2026, 8, 1), day) == STATUS_ACTIVE
    assert add_months(dt.date(2025, 8, 31), 6) == dt.date(2026, 2, 28)
    assert add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)
    assert add_months(dt.date(2026, 12, 15), 1) == dt.date(2027, 1, 15)


def test_renderings() -> None:
    counted = stats(load(project=CORE), AS_OF)
    data = json.loads(counted.to_json())
    assert data["as_of"] == "2026-11-23"
    assert data["agreements_by_status"] == {
        "active": 1,
        "expiring-soon": 1,
        "expired": 1,
        "unknown": 1,
    }
    assert data["name_coverage"]["ru"] == {"institutions": 3, "share": 0.6}
    text = counted.to_text()
    assert "data/agreements.ttl" in text and "expiring-soon" in text


def test_cli_stats() -> None:
    runner = CliRunner()
    result = runner.invoke(
        cli, ["stats", "--as-of", "2026-11-23", "--format", "json", str(CORE.root)]
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["agreements"] == 4
    bad = runner.invoke(cli, ["stats", "--as-of", "23.11.2026", str(CORE.root)])
    assert bad.exit_code == 2
    assert "YYYY-MM-DD" in bad.output
