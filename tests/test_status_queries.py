"""Drafts of agreement-status and expiring-agreements that follow kgtool's one expiry rule.

``kgtool.stats.agreement_expiry`` is the rule (stated ``coop:expiresOn``, else signing date plus
term, months clamped to the month's end, then days); the two queries compute it in SPARQL 1.1.
Every agreement of the test world, of a generated graph and of a seeded graph full of month
ends, leap days and odd terms must get, on both stores and for several dates, the expiry and the
status that the Python rule gives from the same data.
"""

from __future__ import annotations

import datetime as dt
import random
import subprocess
import sys
from collections import defaultdict
from collections.abc import Iterator
from pathlib import Path

import pytest
from rdflib import Graph, Literal
from rdflib.namespace import RDF

from kgtool.graph import LoadedGraph, load
from kgtool.project import COOP, Project
from kgtool.queries import LibraryQuery, parse_query_file, run_query
from kgtool.stats import (
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_EXPIRING_SOON,
    STATUS_UNKNOWN,
    add_months,
    agreement_expiry,
    agreement_status,
)

REPO = Path(__file__).resolve().parent.parent
WORLD = Path(__file__).parent / "fixtures" / "world.ttl"
#: Drafts of the two library queries with the rule (Virtuoso 7.2 does not run them right yet).
DRAFTS = Path(__file__).parent / "fixtures" / "status-rule"
STATUS_QUERY = parse_query_file(DRAFTS / "agreement-status.rq")
EXPIRING_QUERY = parse_query_file(DRAFTS / "expiring-agreements.rq")
AGR = "https://w3id.org/kgtool/id/agreement/"
NAMESPACES = {"agr": AGR, "coop": str(COOP), "inst": "https://w3id.org/kgtool/id/org/"}
PREFIXES = "".join(f"@prefix {p}: <{ns}> .\n" for p, ns in NAMESPACES.items()) + (
    "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
)

#: Month ends, leap days and the test world's own date among the dates statuses are taken on.
AS_OF_DATES = [
    dt.date(2024, 2, 29),
    dt.date(2025, 1, 31),
    dt.date(2025, 2, 28),
    dt.date(2026, 1, 15),
    dt.date(2026, 8, 31),
    dt.date(2027, 12, 31),
    dt.date(2028, 2, 29),
]
#: rdflib's engine takes seconds per run of these queries: a leap day and a month end suffice.
MEMORY_AS_OF_DATES = [dt.date(2024, 2, 29), dt.date(2026, 8, 31)]

#: The cases the rule's arithmetic turns on, one agreement each: (signed, term, stated) ->
#: (expiry, source).
TARGETED = {
    "jan31-p1m": ('"2025-01-31"^^xsd:date', '"P1M"^^xsd:duration', None),
    "jan31-p1m-leap": ('"2024-01-31"^^xsd:date', '"P1M"^^xsd:duration', None),
    "feb29-p1y": ('"2024-02-29"^^xsd:date', '"P1Y"^^xsd:duration', None),
    "feb29-p4y": ('"2024-02-29"^^xsd:date', '"P4Y"^^xsd:duration', None),
    "jan31-p1m1d": ('"2024-01-31"^^xsd:date', '"P1M1D"^^xsd:duration', None),
    "days-over-year-end": ('"2025-12-20"^^xsd:date', '"P15D"^^xsd:duration', None),
    "days-in-month": ('"2025-03-03"^^xsd:date', '"P10D"^^xsd:duration', None),
    "many-days": ('"2023-03-01"^^xsd:date', '"P1Y2M400D"^^xsd:duration', None),
    "year-month-signed": ('"2024-03"^^xsd:gYearMonth', '"P5Y"^^xsd:duration', None),
    "stated-wins": ('"2024-03-31"^^xsd:date', '"P5Y"^^xsd:duration', '"2026-05-01"^^xsd:date'),
    "stated-month-only": (
        '"2024-03-31"^^xsd:date',
        '"P5Y"^^xsd:duration',
        '"2026-05"^^xsd:gYearMonth',
    ),
}
TARGETED_EXPECTED = {
    "jan31-p1m": (dt.date(2025, 2, 28), "derived"),
    "jan31-p1m-leap": (dt.date(2024, 2, 29), "derived"),
    "feb29-p1y": (dt.date(2025, 2, 28), "derived"),
    "feb29-p4y": (dt.date(2028, 2, 29), "derived"),
    "jan31-p1m1d": (dt.date(2024, 3, 1), "derived"),
    "days-over-year-end": (dt.date(2026, 1, 4), "derived"),
    "days-in-month": (dt.date(2025, 3, 13), "derived"),
    "many-days": (dt.date(2025, 6, 5), "derived"),  # 2024-05-01 + 400 days
    "year-month-signed": (None, None),
    "stated-wins": (dt.date(2026, 5, 1), "stated"),
    "stated-month-only": (dt.date(2029, 3, 31), "derived"),  # a year-month states no day
}


def targeted_turtle() -> str:
    lines = [PREFIXES]
    for name, (signed, term, stated) in TARGETED.items():
        facts = [f"coop:signedOn {signed}", f"coop:term {term}"]
        facts += [f"coop:expiresOn {stated}"] if stated else []
        lines.append(f"agr:{name} a coop:Agreement ; coop:party inst:a , inst:b ;")
        lines.append("  " + " ;\n  ".join(facts) + " .")
    return "\n".join(lines) + "\n"


def _random_date(rng: random.Random) -> dt.date:
    """A day between 1999 and 2031, a month's last days (29 February too) four times in ten."""
    year, month = rng.randint(1999, 2031), rng.randint(1, 12)
    last = (add_months(dt.date(year, month, 1), 1) - dt.timedelta(days=1)).day
    day = rng.randint(last - 3, last) if rng.random() < 0.4 else rng.randint(1, last)
    return dt.date(year, month, day)


def _random_term(rng: random.Random) -> str:
    parts = [
        f"{rng.randint(0, 10)}Y" if rng.random() < 0.6 else "",
        f"{rng.randint(0, 25)}M" if rng.random() < 0.5 else "",
        f"{rng.choice([0, 1, 2, 29, 30, 31, 59, 366, 1461])}D" if rng.random() < 0.4 else "",
    ]
    # A zero term ("P0D") is left out: Oxigraph hands it back as "PT0S", rdflib as "P0D", so
    # even stats.py derives an expiry on one store and not on the other.
    return "P" + ("".join(parts) if any(p and p[:-1] != "0" for p in parts) else "1Y")


def seeded_turtle(seed: int = 20261203, agreements: int = 300) -> str:
    """Agreements with every shape of signing date, term and stated expiry the rule meets."""
    rng = random.Random(seed)
    lines = [PREFIXES]
    for n in range(agreements):
        facts = [f"coop:party inst:p{n % 17} , inst:p{(n + 5) % 17}"]
        signed = _random_date(rng)
        shape = rng.random()
        if shape < 0.75:
            facts.append(f'coop:signedOn "{signed.isoformat()}"^^xsd:date')
        elif shape < 0.85:
            facts.append(f'coop:signedOn "{signed.isoformat()[:7]}"^^xsd:gYearMonth')
        elif shape < 0.9:
            facts.append(f'coop:signedOn "{signed.year}"^^xsd:gYear')
        elif shape < 0.95:
            facts.append(f'coop:signedOn "{signed.strftime("%d.%m.%Y")}"')
        if rng.random() < 0.05:  # two signing dates: the later expiry counts
            facts.append(f'coop:signedOn "{_random_date(rng).isoformat()}"^^xsd:date')
        kind = rng.random()
        if kind < 0.8:
            facts.append(f'coop:term "{_random_term(rng)}"^^xsd:duration')
        elif kind < 0.85:
            facts.append(f'coop:term "{_random_term(rng)}"')  # the lexical form is what counts
        elif kind < 0.9:
            facts.append('coop:term "5 years"')
        if rng.random() < 0.05:
            facts.append(f'coop:term "{_random_term(rng)}"^^xsd:duration')
        stated = rng.random()
        if stated < 0.25:
            facts.append(f'coop:expiresOn "{_random_date(rng).isoformat()}"^^xsd:date')
        elif stated < 0.3:
            first, second = _random_date(rng), _random_date(rng)
            facts.append(f'coop:expiresOn "{first}"^^xsd:date , "{second}"^^xsd:date')
        elif stated < 0.35:
            facts.append(f'coop:expiresOn "{_random_date(rng).isoformat()[:7]}"^^xsd:gYearMonth')
        lines.append(f"agr:s{n:04} a coop:Agreement ;\n  " + " ;\n  ".join(facts) + " .")
    return "\n".join(lines) + "\n"


def python_expiries(files: list[Path]) -> dict[str, dt.date | None]:
    """Each agreement's expiry by ``stats.agreement_expiry``, from the lexical forms in files."""
    graph = Graph()
    for path in files:
        graph.parse(path)
    facts: dict[str, tuple[list[str], list[str], list[str]]] = defaultdict(lambda: ([], [], []))
    properties = (COOP.expiresOn, COOP.signedOn, COOP["term"])  # .term is a method
    for agreement in graph.subjects(RDF.type, COOP.Agreement):
        found = facts[str(agreement)]
        for bucket, prop in zip(found, properties, strict=True):
            bucket.extend(str(v) for v in graph.objects(agreement, prop) if isinstance(v, Literal))
    return {a: agreement_expiry(*found) for a, found in facts.items()}


def query_rows(query: LibraryQuery, loaded: LoadedGraph, **params: str) -> list[dict[str, str]]:
    table = run_query(query, loaded, params)
    return [
        {
            name: ("" if term is None else str(term))
            for name, term in zip(table.columns, row, strict=True)
        }
        for row in table.rows
    ]


def assert_queries_follow_the_rule(
    loaded: LoadedGraph, expected: dict[str, dt.date | None], parties: set[str]
) -> None:
    """Both queries, for every date of AS_OF_DATES, against the Python rule."""
    assert expected
    for as_of in MEMORY_AS_OF_DATES if loaded.store == "memory" else AS_OF_DATES:
        rows = query_rows(STATUS_QUERY, loaded, as_of=as_of.isoformat())
        got = {row["agreement"]: (row["expires_on"], row["status"]) for row in rows}
        want = {
            a: (expiry.isoformat() if expiry else "", agreement_status(expiry, as_of))
            for a, expiry in expected.items()
        }
        wrong = [(a, got.get(a), want[a]) for a in sorted(want) if got.get(a) != want[a]]
        assert not wrong and len(rows) == len(want), f"as of {as_of}: (query, rule) {wrong[:5]}"
        ahead = add_months(as_of, 6)
        rows = query_rows(EXPIRING_QUERY, loaded, as_of=as_of.isoformat())
        got_soon = {row["agreement"]: row["expires_on"] for row in rows}
        want_soon = {
            a: expiry.isoformat()
            for a, expiry in expected.items()
            if expiry and as_of <= expiry <= ahead and a in parties
        }
        assert got_soon == want_soon, f"as of {as_of}"
        assert [row["expires_on"] for row in rows] == sorted(want_soon.values())


def agreements_with_parties(files: list[Path]) -> set[str]:
    graph = Graph()
    for path in files:
        graph.parse(path)
    return {str(s) for s in graph.subjects(COOP.party, None)}


@pytest.fixture(scope="module", params=["memory", "oxigraph"])
def store(request: pytest.FixtureRequest) -> str:
    return str(request.param)


def _load(files: list[Path], root: Path, store: str) -> LoadedGraph:
    return load(files, project=Project(root), store=store)


@pytest.fixture(scope="module")
def seeded_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    root = tmp_path_factory.mktemp("seeded")
    (root / "data").mkdir()
    path = root / "data" / "agreements.ttl"
    path.write_text(seeded_turtle() + targeted_turtle().replace(PREFIXES, ""), encoding="utf-8")
    return [path]


@pytest.fixture(scope="module")
def generated_files(tmp_path_factory: pytest.TempPathFactory) -> list[Path]:
    """A small graph from the benchmark generator (seeded, with its defects)."""
    root = tmp_path_factory.mktemp("generated")
    (root / "data").mkdir()
    out = root / "data" / "generated.nt"
    subprocess.run(
        [
            sys.executable,
            str(REPO / "benchmarks" / "generate.py"),
            *("--triples", "10k", "--seed", "11"),
            *("--out", str(out), "--meta", str(root / "generated.json")),
        ],
        check=True,
        capture_output=True,
    )
    return [out]


def test_the_world_follows_the_rule(store: str) -> None:
    files = [WORLD]
    loaded = _load([WORLD, REPO / "ontology"], REPO, store)
    assert_queries_follow_the_rule(loaded, python_expiries(files), agreements_with_parties(files))


def test_a_generated_graph_follows_the_rule(generated_files: list[Path]) -> None:
    # Oxigraph only: rdflib's engine takes minutes over 10k triples for these drafts.
    loaded = _load(generated_files, generated_files[0].parent.parent, "oxigraph")
    expected = python_expiries(generated_files)
    assert sum(1 for e in expected.values() if e) > 50
    assert_queries_follow_the_rule(loaded, expected, agreements_with_parties(generated_files))


def test_a_seeded_graph_of_month_ends_and_odd_terms_follows_the_rule(
    store: str, seeded_files: list[Path]
) -> None:
    loaded = _load(seeded_files, seeded_files[0].parent.parent, store)
    expected = python_expiries(seeded_files)
    assert_queries_follow_the_rule(loaded, expected, agreements_with_parties(seeded_files))
    # The seeded graph really exercises the derivation, not only stated dates.
    sources = [r["expiry_source"] for r in query_rows(STATUS_QUERY, loaded, as_of="2026-01-15")]
    assert sources.count("derived") > 120 and sources.count("stated") > 60


@pytest.fixture(scope="module")
def targeted(store: str, tmp_path_factory: pytest.TempPathFactory) -> Iterator[LoadedGraph]:
    root = tmp_path_factory.mktemp("targeted")
    (root / "data").mkdir()
    path = root / "data" / "agreements.ttl"
    path.write_text(targeted_turtle(), encoding="utf-8")
    yield _load([path], root, store)


def test_targeted_expiries_and_their_source(targeted: LoadedGraph) -> None:
    rows = {r["agreement"]: r for r in query_rows(STATUS_QUERY, targeted, as_of="2026-01-15")}
    for name, (expiry, source) in TARGETED_EXPECTED.items():
        signed, term, stated = (None if v is None else v.split('"')[1] for v in TARGETED[name])
        rule = agreement_expiry([stated] if stated else [], [signed or ""], [term or ""])
        assert rule == expiry, name
        row = rows[AGR + name]
        assert row["expires_on"] == (expiry.isoformat() if expiry else ""), name
        assert row["expiry_source"] == (source or ""), name
        assert row["status"] == agreement_status(expiry, dt.date(2026, 1, 15)), name


def test_statuses_on_the_edges_of_the_window(targeted: LoadedGraph) -> None:
    """29 February 2028 (4 years after a leap day) seen from the days around it."""
    cases = {
        "2028-02-29": STATUS_EXPIRING_SOON,
        "2028-03-01": STATUS_EXPIRED,
        "2027-08-29": STATUS_EXPIRING_SOON,  # + 6 months = 29 February 2028
        "2027-08-28": STATUS_ACTIVE,
    }
    for as_of, status in cases.items():
        rows = {r["agreement"]: r for r in query_rows(STATUS_QUERY, targeted, as_of=as_of)}
        assert rows[AGR + "feb29-p4y"]["status"] == status, as_of
        assert rows[AGR + "year-month-signed"]["status"] == STATUS_UNKNOWN
    soon = query_rows(EXPIRING_QUERY, targeted, as_of="2025-12-31", months="1")
    assert [(r["agreement"], r["expiry_source"]) for r in soon] == [
        (AGR + "days-over-year-end", "derived")
    ]


def test_the_seeded_graph_reaches_every_status(seeded_files: list[Path]) -> None:
    expected = python_expiries(seeded_files)
    statuses = {agreement_status(e, dt.date(2026, 1, 15)) for e in expected.values()}
    assert statuses == {STATUS_ACTIVE, STATUS_EXPIRING_SOON, STATUS_EXPIRED, STATUS_UNKNOWN}
    clamped = [e for e in expected.values() if e and e.month == 2 and e.day >= 28]
    assert len(clamped) > 5
