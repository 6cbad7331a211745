"""Network metrics at scale: kgtool's betweenness against networkx's, the seeded sample, its size
reported, reproducible runs, and the fast reading against the dataset's own answers."""

from __future__ import annotations

import json
import random
from datetime import date
from pathlib import Path

import networkx as nx
import pytest
from click.testing import CliRunner

from kgtool import network as net
from kgtool.cli import cli
from kgtool.graph import LoadedGraph, load
from kgtool.network import (
    PartnerNetwork,
    betweenness,
    betweenness_sources,
    build_network,
    compute_metrics,
    network_json,
    node_agreements,
)
from kgtool.project import Project

FIXTURES = Path(__file__).parent / "fixtures" / "network"
AS_OF = date(2026, 1, 15)


@pytest.fixture(scope="module")
def loaded() -> LoadedGraph:
    return load([FIXTURES], project=Project(FIXTURES))


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
    (tmp_path / "ontology").mkdir()
    (tmp_path / "data").mkdir()
    for ttl in FIXTURES.glob("*.ttl"):
        (tmp_path / "data" / ttl.name).write_bytes(ttl.read_bytes())
    monkeypatch.chdir(tmp_path)
    monkeypatch.setattr(net, "EXACT_BETWEENNESS_MAX_NODES", 5)
    monkeypatch.setattr(net, "BETWEENNESS_SAMPLE", 4)
    result = CliRunner().invoke(cli, ["network", "--as-of", "2026-01-15", "-o", "out"])
    assert result.exit_code == 0, result.output
    assert "betweenness estimated from 4 sampled institutions (seed 42)" in result.output
    written = json.loads((tmp_path / "out" / "network.json").read_text(encoding="utf-8"))
    assert (written["betweenness_sources"], written["seed"]) == (4, 42)
