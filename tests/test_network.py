"""The partner network on the fixture graph: edges, filters, rollup, ego view, metrics, CLI;
kgtool's betweenness against networkx's, the seeded sample and its size reported, reproducible
runs, and both stores giving the same network."""

from __future__ import annotations

import csv
import json
import random
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner
from rdflib import Graph, URIRef

from kgtool import network as net
from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, load
from kgtool.network import (
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_EXPIRING_SOON,
    STATUS_UNKNOWN,
    PartnerNetwork,
    add_metrics_graph,
    agreement_status,
    betweenness,
    betweenness_sources,
    build_network,
    compute_metrics,
    metrics_graph,
    network_json,
    node_agreements,
    parse_years,
    store_metrics,
    write_metrics,
)
from kgtool.project import METRICS_GRAPH, Project
from kgtool.stats import add_months, expiry_from

FIXTURES = Path(__file__).parent / "fixtures" / "network"
AS_OF = date(2026, 1, 15)
INST = "https://w3id.org/kgtool/id/org/"
AGR = "https://w3id.org/kgtool/id/agreement/"


def inst(name: str) -> str:
    return INST + name


@pytest.fixture(scope="module")
def loaded() -> LoadedGraph:
    return load([FIXTURES], project=Project(FIXTURES))


def edges_of(graph: object) -> set[frozenset[str]]:
    return {frozenset((a.rsplit("/", 1)[1], b.rsplit("/", 1)[1])) for a, b in graph.edges}  # type: ignore[attr-defined]


def test_every_pair_of_parties_is_an_edge_and_a_three_party_agreement_gives_three(
    loaded: LoadedGraph,
) -> None:
    net = build_network(loaded, as_of=AS_OF)
    assert net.graph.number_of_nodes() == 10
    assert edges_of(net.graph) == {
        frozenset(p)
        for p in [
            ("academy", "metals-combine"),
            ("academy", "seoul-institute"),
            ("academy", "berlin-university"),
            ("seoul-institute", "berlin-university"),
            ("institute-of-physics", "moscow-institute"),
            ("chemistry-department", "berlin-university"),
            ("hostile", "tashkent-university"),
            ("ministry", "tashkent-university"),
            ("institute-of-physics", "academy"),
        ]
    }
    tripartite = AGR + "tripartite-2023"
    carrying = [
        (a, b)
        for a, b, d in net.graph.edges(data=True)
        if any(x.iri == tripartite for x in d["agreements"])
    ]
    assert len(carrying) == 3


def test_node_and_edge_attributes(loaded: LoadedGraph) -> None:
    net = build_network(loaded, as_of=AS_OF)
    academy = net.graph.nodes[inst("academy")]
    assert academy["country"] == "UZ"
    assert academy["kind"].endswith("#AcademyOfSciences")
    assert academy["labels"]["uz-Latn"] == ["Oʻzbekiston Respublikasi Fanlar akademiyasi"]
    assert academy["sources"] == ["000_e9e16332b42228ca.txt", "001_d4b2015dd18e71f4.txt"]
    assert net.graph.nodes[inst("chemistry-department")]["parent"] == inst("tashkent-university")
    (agreement,) = net.graph.edges[inst("academy"), inst("metals-combine")]["agreements"]
    assert agreement.titles["en"] == "Memorandum on science and production"
    assert agreement.signed_on == "2024-03-15"
    assert agreement.term == "P5Y"
    assert agreement.expires_on == date(2029, 3, 15)
    assert agreement.status == STATUS_ACTIVE
    assert [d.rsplit("/", 1)[1] for d in agreement.directions] == ["metallurgy", "mining"]
    assert net.label(inst("metals-combine"), "en") == "Oʻzbekiston texnologik metallar kombinati"
    assert net.label(inst("ministry"), "en") == "Олий таълим вазирлиги"


def test_statuses_are_computed_for_the_as_of_date(loaded: LoadedGraph) -> None:
    net = build_network(loaded, as_of=AS_OF)
    status = {iri.rsplit("/", 1)[1]: a.status for iri, a in net.agreements.items()}
    assert status["tripartite-2023"] == STATUS_EXPIRING_SOON
    assert status["physics-moscow-2019"] == STATUS_EXPIRED
    assert status["chemistry-berlin-2025"] == STATUS_UNKNOWN
    assert status["ministry-university-2021"] == STATUS_UNKNOWN  # a year and a term: no day
    later = build_network(loaded, as_of=date(2026, 7, 1))
    assert later.agreements[AGR + "tripartite-2023"].status == STATUS_EXPIRED


def test_status_and_expiry_helpers() -> None:
    assert add_months(date(2025, 8, 31), 6) == date(2026, 2, 28)
    assert agreement_status(date(2026, 7, 15), AS_OF) == STATUS_EXPIRING_SOON
    assert agreement_status(date(2026, 7, 16), AS_OF) == STATUS_ACTIVE
    assert agreement_status(date(2026, 1, 14), AS_OF) == STATUS_EXPIRED
    assert agreement_status(None, AS_OF) == STATUS_UNKNOWN
    assert expiry_from("2024-02-29", "P1Y") == date(2025, 2, 28)
    assert expiry_from("2024-03", "P1Y") is None
    assert parse_years("2020-2025") == (2020, 2025)
    with pytest.raises(KgtoolError, match="year range"):
        parse_years("2025-2020")


def test_metrics_degree_partners_betweenness_communities(loaded: LoadedGraph) -> None:
    net = build_network(loaded, as_of=AS_OF)
    metrics = compute_metrics(net)
    academy = metrics.per_node[inst("academy")]
    assert academy["agreements"] == 3
    assert academy["partners"] == 4
    assert academy["degree"] == 4
    seoul = metrics.per_node[inst("seoul-institute")]
    assert (seoul["agreements"], seoul["partners"]) == (1, 2)
    assert metrics.per_node[inst("metals-combine")]["betweenness"] == 0.0
    top = max(metrics.per_node, key=lambda k: metrics.per_node[k]["betweenness"])
    assert top == inst("academy")
    # the academy's cluster and the Tashkent cluster are not connected: different communities
    assert (
        metrics.per_node[inst("hostile")]["community"]
        != metrics.per_node[inst("metals-combine")]["community"]
    )
    assert metrics.country_flows == {
        ("DE", "KR"): 1,
        ("DE", "UZ"): 2,
        ("KR", "UZ"): 2,
        ("RU", "UZ"): 1,
        ("UZ", "UZ"): 3,
    }


def test_rollup_merges_units_into_their_parent(loaded: LoadedGraph) -> None:
    net = build_network(loaded, rollup=True, as_of=AS_OF)
    nodes = set(net.graph.nodes)
    assert inst("chemistry-department") not in nodes
    assert inst("institute-of-physics") not in nodes
    assert net.graph.has_edge(inst("tashkent-university"), inst("berlin-university"))
    assert net.graph.has_edge(inst("academy"), inst("moscow-institute"))
    # the unit's agreement with its own parent becomes internal and leaves the network
    assert AGR + "physics-academy-2020" not in net.agreements
    assert net.graph.nodes[inst("academy")]["members"] == [
        inst("academy"),
        inst("institute-of-physics"),
    ]
    assert compute_metrics(net).per_node[inst("tashkent-university")]["partners"] == 3


def test_filters(loaded: LoadedGraph) -> None:
    by_country = build_network(loaded, countries=["uz", "DE"], as_of=AS_OF)
    assert {by_country.graph.nodes[n]["country"] for n in by_country.graph} == {"UZ", "DE"}
    assert by_country.graph.has_edge(inst("academy"), inst("berlin-university"))
    assert inst("seoul-institute") not in by_country.graph

    by_direction = build_network(loaded, directions=["dir:physics"], as_of=AS_OF)
    assert set(by_direction.agreements) == {
        AGR + "physics-moscow-2019",
        AGR + "physics-academy-2020",
    }

    by_status = build_network(loaded, statuses=["expired", "expiring-soon"], as_of=AS_OF)
    assert set(by_status.agreements) == {AGR + "physics-moscow-2019", AGR + "tripartite-2023"}

    by_years = build_network(loaded, years=(2023, 2025), as_of=AS_OF)
    assert {a.rsplit("/", 1)[1] for a in by_years.agreements} == {
        "academy-metals-2024",
        "tripartite-2023",
        "chemistry-berlin-2025",
    }
    with pytest.raises(KgtoolError, match="unknown status"):
        build_network(loaded, statuses=["dormant"], as_of=AS_OF)
    # Typos are named, not answered with an empty network.
    with pytest.raises(KgtoolError, match="bad country 'UZB'"):
        build_network(loaded, countries=["uzb"], as_of=AS_OF)
    with pytest.raises(KgtoolError, match=r"unknown direction <.*/direction/phisics>"):
        build_network(loaded, directions=["dir:phisics"], as_of=AS_OF)


def test_ego_view(loaded: LoadedGraph) -> None:
    one = build_network(loaded, around=inst("berlin-university"), as_of=AS_OF)
    assert {n.rsplit("/", 1)[1] for n in one.graph} == {
        "berlin-university",
        "academy",
        "seoul-institute",
        "chemistry-department",
    }
    two = build_network(loaded, around="inst:berlin-university", depth=2, as_of=AS_OF)
    assert {inst("metals-combine"), inst("institute-of-physics")} <= set(two.graph)
    assert inst("moscow-institute") not in two.graph
    with pytest.raises(KgtoolError, match="no such institution"):
        build_network(loaded, around=inst("nowhere"), as_of=AS_OF)


def test_metrics_graph_is_queryable_with_sparql(loaded: LoadedGraph) -> None:
    net = build_network(loaded, as_of=AS_OF)
    metrics = compute_metrics(net)
    store_metrics(loaded, metrics_graph(net, metrics))
    rows = loaded.dataset.query(
        """PREFIX coop: <https://w3id.org/kgtool/ontology#>
        SELECT ?inst ?partners WHERE { GRAPH <METRICS> { ?inst coop:partnerCount ?partners } }
        ORDER BY DESC(?partners) ?inst LIMIT 2""".replace("METRICS", METRICS_GRAPH)
    )
    assert [(str(i).rsplit("/", 1)[1], int(p)) for i, p in rows] == [  # type: ignore[misc]
        ("academy", 4),
        ("berlin-university", 3),
    ]
    flows = loaded.dataset.query(
        """PREFIX coop: <https://w3id.org/kgtool/ontology#>
        SELECT ?n WHERE { GRAPH <METRICS> { ?f a coop:CountryFlow ; coop:fromCountry ?a ;
          coop:toCountry ?b ; coop:agreementCount ?n } ?a coop:countryCode "DE" .
          ?b coop:countryCode "UZ" }""".replace("METRICS", METRICS_GRAPH)
    )
    assert [int(row[0]) for row in flows] == [2]  # type: ignore[index,arg-type]
    # storing again replaces the graph rather than adding to it
    store_metrics(loaded, metrics_graph(net, metrics))
    assert len(loaded.dataset.graph(URIRef(METRICS_GRAPH))) == len(metrics_graph(net, metrics))


def test_add_metrics_graph_stores_the_whole_network() -> None:
    fresh = load([FIXTURES], project=Project(FIXTURES))
    metrics = add_metrics_graph(fresh, as_of=AS_OF)
    stored = fresh.dataset.graph(URIRef(METRICS_GRAPH))
    assert len(metrics.per_node) == 10
    assert len(stored) == 10 * 5 + 5 * 4  # five metrics per institution, four triples per flow


def test_metric_terms_are_defined(loaded: LoadedGraph) -> None:
    vocabulary = Graph().parse(
        Path(__file__).parent.parent / "kgtool" / "resources" / "network-metrics.ttl"
    )
    net = build_network(loaded, as_of=AS_OF)
    used = {p for p in metrics_graph(net, compute_metrics(net)).predicates()}
    used |= {o for o in metrics_graph(net, compute_metrics(net)).objects() if "ontology#" in str(o)}
    defined = set(vocabulary.subjects())
    assert {t for t in used if str(t).startswith("https://w3id.org/kgtool/ontology#")} <= defined


def test_write_metrics_files(loaded: LoadedGraph, tmp_path: Path) -> None:
    net = build_network(loaded, as_of=AS_OF)
    paths = write_metrics(net, tmp_path)
    assert sorted(p.name for p in paths) == [
        "country-flows.csv",
        "institutions.csv",
        "metrics.ttl",
        "network.json",
    ]
    rows = list(csv.DictReader((tmp_path / "institutions.csv").open(encoding="utf-8")))
    assert rows[0]["institution"] == inst("academy") and rows[0]["partners"] == "4"
    data = json.loads((tmp_path / "network.json").read_text(encoding="utf-8"))
    assert len(data["nodes"]) == 10 and len(data["edges"]) == 9 and len(data["agreements"]) == 7
    assert len(Graph().parse(tmp_path / "metrics.ttl")) > 0


def make_project(root: Path) -> Path:
    """Return a project folder holding the fixture graph as its data/."""
    (root / "ontology").mkdir(parents=True)
    (root / "data").mkdir()
    for ttl in FIXTURES.glob("*.ttl"):
        (root / "data" / ttl.name).write_bytes(ttl.read_bytes())
    return root


def test_cli_network_and_errors(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_project(tmp_path / "project"))
    runner = CliRunner()
    result = runner.invoke(
        cli, ["network", "--rollup", "--as-of", "2026-01-15", "-o", str(tmp_path / "n")]
    )
    assert result.exit_code == 0, result.output
    assert "8 institutions" in result.output
    assert (tmp_path / "n" / "institutions.csv").exists()
    bad = runner.invoke(cli, ["network", "--years", "soon", "-o", str(tmp_path / "m")])
    assert bad.exit_code == 2
    assert "bad year range" in bad.output
    assert not (tmp_path / "m").exists()


# --- metrics at scale ----------------------------------------------------------------------------


def scale_free(nodes: int, seed: int) -> nx.Graph:
    """A preferential-attachment graph with IRIs for names, shuffled so that insertion order
    is not sorted order, plus a separate component."""
    plain = nx.barabasi_albert_graph(nodes, 2, seed=seed)
    order = list(plain.edges)
    random.Random(seed).shuffle(order)
    graph = nx.Graph((f"urn:x:{a:04d}", f"urn:x:{b:04d}") for a, b in order)
    graph.add_edges_from([("urn:y:1", "urn:y:2"), ("urn:y:2", "urn:y:3")])
    return graph


def sorted_copy(graph: nx.Graph) -> nx.Graph:
    copy = nx.Graph()
    copy.add_nodes_from(sorted(graph))
    copy.add_edges_from(graph.edges)
    return copy


def test_exact_betweenness_equals_networkx() -> None:
    graph = scale_free(300, seed=7)
    ours = betweenness(graph)
    theirs = nx.betweenness_centrality(graph)
    assert ours.keys() == theirs.keys()
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-12
    assert max(ours.values()) > 0.1  # hubs do lie on paths


def test_sampled_betweenness_equals_networkx_with_the_same_sources() -> None:
    graph = scale_free(400, seed=3)
    sources = random.Random(42).sample(sorted(graph), 60)
    ours = betweenness(graph, sources)
    # networkx draws random.Random(seed).sample(list(G), k): the same sources on sorted nodes
    theirs = nx.betweenness_centrality(sorted_copy(graph), k=60, seed=42)
    assert max(abs(ours[v] - theirs[v]) for v in graph) < 1e-12


def test_tiny_graphs() -> None:
    assert betweenness(nx.Graph()) == {}
    pair = nx.Graph([("a", "b")])
    assert betweenness(pair) == {"a": 0.0, "b": 0.0}
    path = nx.path_graph(["a", "b", "c"])
    assert betweenness(path) == nx.betweenness_centrality(path)


def network_of(graph: nx.Graph) -> PartnerNetwork:
    """A partner network whose ties are ``graph``'s edges, one agreement each."""
    for a, b in graph.edges:
        graph.edges[a, b].update(agreements=[], weight=1)
    for node in graph:
        graph.nodes[node].update(
            iri=node, labels={}, kind="", country=None, parent=None, sources=[], members=[node]
        )
    ends = {f"urn:agreement:{i}": tuple(sorted(e)) for i, e in enumerate(graph.edges)}
    return PartnerNetwork(graph=graph, as_of=AS_OF, agreements={}, labels={}, agreement_ends=ends)


def test_above_the_threshold_betweenness_is_sampled_seeded_and_reported() -> None:
    size = net.EXACT_BETWEENNESS_MAX_NODES + 100
    graph = scale_free(size, seed=11)
    network = network_of(graph)
    metrics = compute_metrics(network)
    assert metrics.betweenness_sampled
    assert metrics.betweenness_sources == net.BETWEENNESS_SAMPLE < graph.number_of_nodes()
    assert metrics.seed == net.SEED
    data = network_json(network, metrics)
    assert (data["betweenness_sampled"], data["betweenness_sources"], data["seed"]) == (
        True,
        net.BETWEENNESS_SAMPLE,
        net.SEED,
    )
    # The sample is drawn from the sorted IRIs: the same whatever order the graph was built in.
    assert betweenness_sources(graph) == betweenness_sources(sorted_copy(graph))
    again = compute_metrics(network_of(sorted_copy(graph)))
    assert again.per_node == metrics.per_node
    assert again.communities == metrics.communities


def test_below_the_threshold_betweenness_is_exact(loaded: LoadedGraph) -> None:
    network = build_network(loaded, as_of=AS_OF)
    metrics = compute_metrics(network)
    assert not metrics.betweenness_sampled
    assert metrics.betweenness_sources == network.graph.number_of_nodes() == 10
    exact = nx.betweenness_centrality(network.graph)
    assert {k: v["betweenness"] for k, v in metrics.per_node.items()} == {
        k: round(v, 6) for k, v in exact.items()
    }


def test_a_smaller_sample_follows_the_constants(
    loaded: LoadedGraph, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(net, "EXACT_BETWEENNESS_MAX_NODES", 5)
    monkeypatch.setattr(net, "BETWEENNESS_SAMPLE", 4)
    network = build_network(loaded, as_of=AS_OF)
    metrics = compute_metrics(network)
    assert (metrics.betweenness_sampled, metrics.betweenness_sources) == (True, 4)
    theirs = nx.betweenness_centrality(sorted_copy(network.graph), k=4, seed=net.SEED)
    assert {k: v["betweenness"] for k, v in metrics.per_node.items()} == {
        k: round(v, 6) for k, v in theirs.items()
    }
    assert compute_metrics(build_network(loaded, as_of=AS_OF)).per_node == metrics.per_node


def test_metrics_match_the_graph(loaded: LoadedGraph) -> None:
    for network in (
        build_network(loaded, as_of=AS_OF),
        build_network(loaded, rollup=True, as_of=AS_OF),
        build_network(loaded, around="inst:berlin-university", as_of=AS_OF),
    ):
        metrics = compute_metrics(network)
        graph = network.graph
        for iri, values in metrics.per_node.items():
            assert values["agreements"] == len(node_agreements(network, iri))
            assert values["partners"] == graph.degree(iri)
            assert values["degree"] == graph.degree(iri, weight="weight")


def test_both_stores_give_the_same_network() -> None:
    on_oxigraph = build_network(load([FIXTURES], project=Project(FIXTURES)), as_of=AS_OF)
    in_memory = build_network(
        load([FIXTURES], project=Project(FIXTURES), store="memory"), as_of=AS_OF
    )
    first = network_json(on_oxigraph, compute_metrics(on_oxigraph))
    second = network_json(in_memory, compute_metrics(in_memory))
    assert json.dumps(first, sort_keys=True) == json.dumps(second, sort_keys=True)


def test_reading_agrees_with_plain_sparql(loaded: LoadedGraph) -> None:
    """Parties, directions, titles and sources as a straightforward SPARQL query sees them."""
    network = build_network(loaded, as_of=AS_OF)
    rows = loaded.dataset.query(
        """PREFIX coop: <https://w3id.org/kgtool/ontology#>
        SELECT ?a ?p WHERE { ?a coop:party ?p }"""
    )
    parties: dict[str, set[str]] = {}
    for a, p in rows:  # type: ignore[misc]
        parties.setdefault(str(a), set()).add(str(p))
    assert {iri: set(a.parties) for iri, a in network.agreements.items()} == {
        iri: found for iri, found in parties.items() if iri in network.agreements
    }
    tripartite = network.agreements["https://w3id.org/kgtool/id/agreement/tripartite-2023"]
    assert len(tripartite.parties) == 3
    assert tripartite.sources and all(s.endswith(".txt") for s in tripartite.sources)


def test_cli_names_the_sample(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.chdir(make_project(tmp_path / "project"))
    monkeypatch.setattr(net, "EXACT_BETWEENNESS_MAX_NODES", 5)
    monkeypatch.setattr(net, "BETWEENNESS_SAMPLE", 4)
    result = CliRunner().invoke(cli, ["network", "--as-of", "2026-01-15", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert "betweenness estimated from 4 sampled institutions (seed 42)" in result.output
    written = json.loads(
        (tmp_path / "project" / "out" / "network.json").read_text(encoding="utf-8")
    )
    assert (written["betweenness_sources"], written["seed"]) == (4, 42)
