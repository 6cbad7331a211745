"""One status rule everywhere: stats, the partner network and the report agree on every agreement.

The expiry is the stored ``coop:expiresOn`` when there is one (the latest, if several), else the
signing date plus the term when the signing date is a full date; the status as of a date follows
from it. Before, the network derived a missing expiry from signing date + term and stats did not,
so an agreement could be "expiring soon" on the page and "unknown" in stats.json.
"""

from __future__ import annotations

import datetime as dt

import pytest

from kgtool.graph import LoadedGraph, load
from kgtool.network import build_network
from kgtool.project import Project
from kgtool.report import active_agreements, render_calendar
from kgtool.stats import (
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_EXPIRING_SOON,
    STATUS_UNKNOWN,
    agreement_expiry,
    expiry_from,
    full_date,
    stats,
)

AS_OF = dt.date(2026, 11, 23)
AGR = "https://w3id.org/kgtool/id/agreement/"

#: Every agreement has two parties, so the network holds them all.
AGREEMENTS = """
@prefix agr: <https://w3id.org/kgtool/id/agreement/> .
@prefix coop: <https://w3id.org/kgtool/ontology#> .
@prefix inst: <https://w3id.org/kgtool/id/org/> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .

inst:a coop:countryCode "UZ" .

agr:derived-soon a coop:Agreement ; coop:party inst:a , inst:b ;
  coop:signedOn "2025-01-10"^^xsd:date ; coop:term "P2Y"^^xsd:duration .
agr:derived-active a coop:Agreement ; coop:party inst:a , inst:c ;
  coop:signedOn "2025-06-01"^^xsd:date ; coop:term "P2Y6M"^^xsd:duration .
agr:derived-expired a coop:Agreement ; coop:party inst:b , inst:c ;
  coop:signedOn "2024-02-29"^^xsd:date ; coop:term "P2Y"^^xsd:duration .
agr:stored-wins a coop:Agreement ; coop:party inst:a , inst:d ;
  coop:signedOn "2020-01-01"^^xsd:date ; coop:term "P1Y"^^xsd:duration ;
  coop:expiresOn "2030-01-01"^^xsd:date .
agr:two-expiries a coop:Agreement ; coop:party inst:b , inst:d ;
  coop:expiresOn "2026-01-01"^^xsd:date , "2028-01-01"^^xsd:date .
agr:month-only a coop:Agreement ; coop:party inst:c , inst:d ;
  coop:signedOn "2025-09"^^xsd:gYearMonth ; coop:term "P5Y"^^xsd:duration .
agr:no-term a coop:Agreement ; coop:party inst:a , inst:e ;
  coop:signedOn "2025-09-01"^^xsd:date .
"""

EXPECTED = {
    "derived-soon": (dt.date(2027, 1, 10), STATUS_EXPIRING_SOON),  # stats said unknown
    "derived-active": (dt.date(2027, 12, 1), STATUS_ACTIVE),
    "derived-expired": (dt.date(2026, 2, 28), STATUS_EXPIRED),  # 29 February + 2 years
    "stored-wins": (dt.date(2030, 1, 1), STATUS_ACTIVE),
    "two-expiries": (dt.date(2028, 1, 1), STATUS_ACTIVE),  # the later one, everywhere
    "month-only": (None, STATUS_UNKNOWN),
    "no-term": (None, STATUS_UNKNOWN),
}


@pytest.fixture(scope="module", params=["oxigraph", "memory"])
def loaded(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> LoadedGraph:
    root = tmp_path_factory.mktemp("status")
    (root / "data").mkdir()
    path = root / "data" / "agreements.ttl"
    path.write_text(AGREEMENTS, encoding="utf-8")
    return load([path], project=Project(root), store=request.param)


def test_the_expiry_rule() -> None:
    assert agreement_expiry(["2030-01-01"], ["2020-01-01"], ["P1Y"]) == dt.date(2030, 1, 1)
    assert agreement_expiry([], ["2020-01-01"], ["P1Y"]) == dt.date(2021, 1, 1)
    assert agreement_expiry(["2026-01-01", "2028-01-01"]) == dt.date(2028, 1, 1)
    assert agreement_expiry(["not a date"], ["2020-01-01"], ["P1Y"]) == dt.date(2021, 1, 1)
    assert agreement_expiry([], ["2025-09"], ["P5Y"]) is None
    assert agreement_expiry([], ["2025-09-01"], []) is None
    assert expiry_from("2024-01-31", "P1M") == dt.date(2024, 2, 29)
    assert expiry_from("2024-01-31", "P1M1D") == dt.date(2024, 3, 1)
    assert expiry_from("2024-01-31", "PT36H") is None  # no day count to add
    assert expiry_from("2024-01-31", "P") is None
    assert full_date("2025-09-01Z") == dt.date(2025, 9, 1)
    assert full_date("2025-09") is None
    assert full_date("20250901") is None


def test_stats_network_and_report_agree(loaded: LoadedGraph) -> None:
    counted = stats(loaded, AS_OF).agreement_status
    network = build_network(loaded, as_of=AS_OF)
    assert set(network.agreements) == set(counted) == {AGR + name for name in EXPECTED}
    for name, (expires_on, status) in EXPECTED.items():
        agreement = network.agreements[AGR + name]
        assert (agreement.expires_on, agreement.status) == (expires_on, status), name
        assert counted[AGR + name] == status, name
    # The report lists (and the calendar announces) exactly the agreements in force.
    live = {a.iri for a in active_agreements(network)}
    assert live == {
        AGR + name
        for name, (_, status) in EXPECTED.items()
        if status in (STATUS_ACTIVE, STATUS_EXPIRING_SOON)
    }
    calendar = render_calendar(network)
    assert "DTSTART;VALUE=DATE:20270110" in calendar  # the derived expiry of derived-soon


def test_the_rule_holds_on_any_date(loaded: LoadedGraph) -> None:
    for day in (dt.date(2020, 6, 1), dt.date(2026, 7, 10), dt.date(2027, 1, 11)):
        counted = stats(loaded, day).agreement_status
        network = build_network(loaded, as_of=day)
        assert {iri: a.status for iri, a in network.agreements.items()} == counted
