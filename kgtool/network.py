"""The partner network: institutions linked by agreements, its filters and its metrics.

The graph is read from the dataset with SPARQL (run by the embedded Oxigraph engine), built as a
networkx graph, and its metrics are written as CSV, JSON and a named RDF graph.
"""

from __future__ import annotations

import csv
import io
import json
import random
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any

import networkx as nx
from rdflib import RDF, RDFS, SKOS, XSD, Graph, Literal, URIRef

from kgtool.errors import KgtoolError
from kgtool.fsutil import atomic_write_text
from kgtool.project import (
    COOP,
    ID,
    METRICS_GRAPH,
    PREFIXES,
    canonical_language_tag,
    local_name,
    pick_label,
)
from kgtool.stats import (
    STATUS,
    STATUS_ACTIVE,
    STATUS_EXPIRED,
    STATUS_EXPIRING_SOON,
    STATUS_UNKNOWN,
    agreement_expiry,
    agreement_status,
)

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph, OxStore

#: Statuses in the order a page shows them; an edge takes the first status among its agreements.
STATUSES: tuple[str, ...] = (STATUS_ACTIVE, STATUS_EXPIRING_SOON, STATUS_UNKNOWN, STATUS_EXPIRED)
#: Institution classes, most telling first: a node's kind is the first of its types listed here.
INSTITUTION_KINDS: tuple[str, ...] = tuple(
    str(COOP[name])
    for name in (
        "University",
        "ResearchInstitute",
        "AcademyOfSciences",
        "Company",
        "GovernmentBody",
        "OrganisationalUnit",
        "Institution",
    )
)

#: Exact betweenness up to this many nodes; above, estimated from ``BETWEENNESS_SAMPLE`` source
#: nodes (Brandes and Pich 2007): 200 breadth-first searches whatever the size, so the time
#: grows with the edges only (1.3 s at 1M triples: 5,968 institutions, 46,825 ties).
EXACT_BETWEENNESS_MAX_NODES = 2000
BETWEENNESS_SAMPLE = 200
#: Seed of the betweenness sample and of Louvain: the same data gives the same metrics.
SEED = 42

#: Metric properties: a small coop: vocabulary, defined in resources/network-metrics.ttl.
METRIC_TERMS = {
    "agreements": COOP.agreementCount,
    "degree": COOP.agreementTies,
    "partners": COOP.partnerCount,
    "betweenness": COOP.betweenness,
    "community": COOP.community,
}

_PREFIX_LINES = "\n".join(
    f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("coop", "rdf", "rdfs", "skos", "dcterms")
)


def _pairs_query(predicate: str, *, where: str = "", language: bool = False) -> str:
    """Return a query for one property's (subject, value) pairs, optionally with the language."""
    lang = " (LANG(?o) AS ?lang)" if language else ""
    return f"{_PREFIX_LINES}\nSELECT ?s ?o{lang} WHERE {{ ?s {predicate} ?o {where} }}"


#: What the network reads, one property per query. Single triple patterns stream from
#: Oxigraph at scan speed; one query joining them all (OPTIONALs, then GROUP_CONCAT per
#: agreement) multiplied the rows (parties x directions x titles x sources) and took 2.6 s of
#: the 4 s spent reading at 1M triples. The rows are grouped in Python instead.
FACT_QUERIES: dict[str, str] = {
    "party": _pairs_query("coop:party", where="FILTER(isIRI(?o))"),
    "kind": _pairs_query("coop:kind"),
    "signedOn": _pairs_query("coop:signedOn"),
    "term": _pairs_query("coop:term"),
    "expiresOn": _pairs_query("coop:expiresOn"),
    "direction": _pairs_query("coop:direction"),
    "title": _pairs_query("coop:title", where="FILTER(isLiteral(?o))", language=True),
    "source": _pairs_query("coop:source"),
    "identifier": _pairs_query("dcterms:identifier"),
    "partOf": _pairs_query("coop:partOf", where="FILTER(isIRI(?s) && isIRI(?o))"),
    # The types of the institutions only (a tenth of all rdf:type triples at 1M).
    "type": _PREFIX_LINES
    + """
SELECT ?s ?o WHERE {
  { SELECT DISTINCT ?s WHERE {
      { [] coop:party ?s } UNION { ?s coop:partOf [] } UNION { [] coop:partOf ?s } } }
  ?s rdf:type ?o
}""",
    "country": _pairs_query("coop:country"),
    "countryCode": _pairs_query("coop:countryCode"),
}

LABELS_QUERY = (
    _PREFIX_LINES
    + """
SELECT ?thing ?property (STR(?label) AS ?text) (LANG(?label) AS ?lang)
WHERE {
  VALUES ?property { skos:prefLabel skos:altLabel skos:hiddenLabel rdfs:label }
  ?thing ?property ?label .
  FILTER(isIRI(?thing) && isLiteral(?label))
}
"""
)


@dataclass(frozen=True)
class Agreement:
    """One agreement as the network sees it; ``status`` is computed for the network's as-of date."""

    iri: str
    kind: str | None
    titles: Mapping[str, str]
    signed_on: str | None
    term: str | None
    expires_on: date | None
    status: str
    directions: tuple[str, ...]
    parties: tuple[str, ...]
    sources: tuple[str, ...]

    @property
    def year(self) -> int | None:
        """Return the signing year, when the signing date is known."""
        if self.signed_on and re.match(r"^\d{4}", self.signed_on):
            return int(self.signed_on[:4])
        return None

    def to_json(self) -> dict[str, Any]:
        """Return a JSON-ready dict."""
        return {
            "iri": self.iri,
            "kind": self.kind,
            "titles": dict(self.titles),
            "signed_on": self.signed_on,
            "term": self.term,
            "expires_on": self.expires_on.isoformat() if self.expires_on else None,
            "status": self.status,
            "directions": list(self.directions),
            "parties": list(self.parties),
            "sources": list(self.sources),
        }


@dataclass(frozen=True)
class Institution:
    """An institution (a node) with its names per language and where it sits."""

    iri: str
    names: Mapping[str, tuple[str, ...]]  # language tag -> preferred name first, then variants
    kind: str
    country: str | None  # ISO 3166-1 alpha-2 code
    parent: str | None
    sources: tuple[str, ...]


@dataclass
class PartnerNetwork:
    """The partner graph: networkx nodes are institution IRIs, edges carry their agreements.

    Node attributes: ``iri``, ``labels`` (language -> names, preferred first), ``kind``,
    ``country``, ``parent``, ``sources``, ``members`` (IRIs rolled up into the node).
    Edge attributes: ``agreements`` (list of :class:`Agreement`), ``weight`` (their number).
    """

    graph: nx.Graph
    as_of: date
    agreements: dict[str, Agreement]
    labels: dict[str, dict[str, str]]  # IRI -> language -> preferred label (concepts, countries)
    rollup: bool = False
    country_iris: dict[str, str] = field(default_factory=dict)  # code -> country IRI
    agreement_ends: dict[str, tuple[str, ...]] = field(default_factory=dict)  # IRI -> nodes

    def label(self, iri: str | None, lang: str = "en") -> str:
        """Return the label of ``iri`` in ``lang``, else another language, else the IRI."""
        if not iri:
            return ""
        if self.graph.has_node(iri):
            return node_label(self.graph.nodes[iri]["labels"], lang) or local_name(iri)
        return pick_label(self.labels.get(iri, {}), lang) or local_name(iri)


@dataclass(frozen=True)
class NetworkMetrics:
    """Per-institution metrics and country-to-country flows of one network."""

    per_node: dict[str, dict[str, float | int]]  # IRI -> metric name -> value
    country_flows: dict[tuple[str, str], int]  # (code, code) sorted -> number of agreements
    communities: int
    betweenness_sampled: bool
    #: institutions betweenness was computed from (all of them when not sampled)
    betweenness_sources: int = 0
    #: the seed of the betweenness sample and of Louvain
    seed: int = SEED


# --- languages and labels ---------------------------------------------------------------------


def node_label(names: Mapping[str, Sequence[str]], lang: str) -> str | None:
    """Return an institution's preferred name in ``lang``, with fallback."""
    return pick_label({tag: values[0] for tag, values in names.items() if values}, lang)


# --- status ------------------------------------------------------------------------------------


def normalise_status(value: str) -> str:
    """Return the status IRI named by ``value`` (an IRI, ``status:x`` or ``x``)."""
    text = value.strip()
    if text.startswith("status:"):
        text = text[len("status:") :]
    iri = text if text.startswith(("http://", "https://")) else STATUS + text
    if iri not in STATUSES:
        names = ", ".join(local_name(s) for s in STATUSES)
        raise KgtoolError(f"unknown status {value!r}; choose one of {names}")
    return iri


def expand_iri(value: str, prefix: str) -> str:
    """Return the IRI named by ``value``: an IRI, a ``prefix:local`` CURIE or a bare local name."""
    text = value.strip()
    if text.startswith(("http://", "https://")):
        return text
    head, sep, tail = text.partition(":")
    if sep and head in PREFIXES:
        return PREFIXES[head] + tail
    return PREFIXES[prefix] + text


def parse_years(text: str) -> tuple[int, int]:
    """Return the inclusive year range named by ``2020-2025`` or ``2024``."""
    match = re.fullmatch(r"\s*(\d{4})\s*(?:[-–]\s*(\d{4})\s*)?", text)
    if not match:
        raise KgtoolError(f"bad year range {text!r}; write it as 2020-2025 or 2024")
    first = int(match.group(1))
    last = int(match.group(2) or first)
    if last < first:
        raise KgtoolError(f"bad year range {text!r}: the end comes before the start")
    return first, last


# --- reading the dataset -----------------------------------------------------------------------


@dataclass(frozen=True)
class _Facts:
    """The facts the network reads: property name -> subject -> values (lexical forms)."""

    values: Mapping[str, Mapping[str, list[str]]]
    titles: Mapping[str, list[tuple[str, str]]]  # agreement -> (language tag, text)

    def of(self, name: str, subject: str) -> list[str]:
        return self.values[name].get(subject, [])

    def sources(self, subject: str) -> tuple[str, ...]:
        """Return the identifiers of a subject's source documents (the IRI when none)."""
        ids = self.values["identifier"]
        return tuple(
            sorted({i for doc in self.of("source", subject) for i in ids.get(doc) or [doc]})
        )


def _store(loaded: LoadedGraph) -> OxStore:
    """Return the Oxigraph store of ``loaded`` (a copy for rdflib's memory store)."""
    from kgtool.graph import oxigraph_store

    return oxigraph_store(loaded)


def _read_facts(store: OxStore) -> _Facts:
    """Read every property the network needs, one streamed query each (see FACT_QUERIES).

    Only lexical forms are kept (``.value``): no rdflib term is made for any cell.
    """
    values: dict[str, dict[str, list[str]]] = {}
    titles: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for name, query in FACT_QUERIES.items():
        solutions: Any = store.query(query, use_default_graph_as_union=True)
        if name == "title":
            for subject, text, lang in solutions:
                titles[subject.value].append((lang.value, text.value))
            continue
        by_subject: dict[str, list[str]] = defaultdict(list)
        for subject, value in solutions:
            by_subject[subject.value].append(value.value)
        values[name] = by_subject
    return _Facts(values, titles)


def _agreements(facts: _Facts, as_of: date) -> dict[str, Agreement]:
    found: dict[str, Agreement] = {}
    parties, kinds, directions, signings, terms, expiries = (
        facts.values[name]
        for name in ("party", "kind", "direction", "signedOn", "term", "expiresOn")
    )
    none: list[str] = []
    for iri in sorted(parties):
        titles: dict[str, str] = {}
        for tag, text in sorted(facts.titles.get(iri, ())):
            titles.setdefault(canonical_language_tag(tag) if tag else "und", text)
        signed, term = signings.get(iri, none), terms.get(iri, none)
        expires_on = agreement_expiry(expiries.get(iri, none), signed, term)
        found[iri] = Agreement(
            iri=iri,
            kind=min(kinds.get(iri, none), default=None),
            titles=titles,
            signed_on=min(signed, default=None),
            term=min(term, default=None),
            expires_on=expires_on,
            status=agreement_status(expires_on, as_of),
            directions=tuple(sorted(set(directions.get(iri, none)))),
            parties=tuple(sorted(set(parties[iri]))),
            sources=facts.sources(iri),
        )
    return found


def _labels(store: OxStore) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, list[str]]]]:
    preferred: dict[str, dict[str, str]] = defaultdict(dict)
    every: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rank = {str(SKOS.prefLabel): 0, str(RDFS.label): 1, str(SKOS.altLabel): 2}
    solutions: Any = store.query(LABELS_QUERY, use_default_graph_as_union=True)
    rows = sorted(
        (
            thing.value,
            rank.get(prop.value, 3),
            canonical_language_tag(lang.value or "und"),
            text.value,
        )
        for thing, prop, text, lang in solutions
    )
    for thing, level, lang, text in rows:
        if level <= 1:
            preferred[thing].setdefault(lang, text)
        names = every[thing][lang]
        if text not in names:
            names.append(text)
    return dict(preferred), {k: dict(v) for k, v in every.items()}


def _institutions(
    facts: _Facts, names: Mapping[str, Mapping[str, list[str]]]
) -> tuple[dict[str, Institution], dict[str, str]]:
    part_of = facts.values["partOf"]
    iris = {p for parties in facts.values["party"].values() for p in parties}
    iris.update(part_of)
    iris.update(parent for parents in part_of.values() for parent in parents)
    institutions: dict[str, Institution] = {}
    country_iris: dict[str, str] = {}
    for iri in sorted(iris):
        types = set(facts.of("type", iri))
        kind = next((k for k in INSTITUTION_KINDS if k in types), None)
        if kind is None:
            own = sorted(t for t in types if t.startswith(str(COOP)))
            kind = own[0] if own else str(COOP.Institution)
        country_iri = min(facts.of("country", iri), default=None)
        country = None
        if country_iri is not None:
            country = min(facts.of("countryCode", country_iri), default=None)
            country = country or local_name(country_iri)
            country_iris.setdefault(country, country_iri)
        institutions[iri] = Institution(
            iri=iri,
            names={tag: tuple(v) for tag, v in names.get(iri, {}).items()},
            kind=kind,
            country=country,
            parent=min(part_of.get(iri, ()), default=None),
            sources=facts.sources(iri),
        )
    return institutions, country_iris


def rollup_targets(institutions: Mapping[str, Institution]) -> dict[str, str]:
    """Return each institution's top-most ancestor along ``coop:partOf`` (itself when none)."""
    targets: dict[str, str] = {}
    for iri in institutions:
        seen = [iri]
        current = iri
        while True:
            parent = institutions[current].parent if current in institutions else None
            if parent is None or parent in seen:
                break
            seen.append(parent)
            current = parent
        targets[iri] = current
    return targets


# --- building ----------------------------------------------------------------------------------


def build_network(
    loaded: LoadedGraph,
    *,
    rollup: bool = False,
    countries: Iterable[str] | None = None,
    directions: Iterable[str] | None = None,
    statuses: Iterable[str] | None = None,
    years: tuple[int, int] | None = None,
    around: str | None = None,
    depth: int = 1,
    as_of: date | None = None,
) -> PartnerNetwork:
    """Return the partner network of ``loaded``, filtered as asked.

    ``countries`` keeps institutions of those ISO codes; ``directions``, ``statuses`` and
    ``years`` keep agreements with one of those directions, one of those statuses (as of
    ``as_of``, default today) or signed within the inclusive year range; ``around`` keeps the
    institutions within ``depth`` steps of that IRI. Institutions without any remaining
    agreement are left out. A three-party agreement gives three edges.
    """
    as_of = as_of or date.today()
    if depth < 0:
        raise KgtoolError(f"depth must be 0 or more, not {depth}")
    store = _store(loaded)
    facts = _read_facts(store)
    agreements = _agreements(facts, as_of)
    labels, names = _labels(store)
    institutions, country_iris = _institutions(facts, names)
    del facts  # only the network's own objects stay in memory
    targets = rollup_targets(institutions) if rollup else {iri: iri for iri in institutions}

    keep_countries = {c.strip().upper() for c in countries} if countries else None
    keep_directions = {expand_iri(d, "dir") for d in directions} if directions else None
    # A typo would silently give an empty network: name it instead.
    for code in sorted(keep_countries or ()):
        if not re.fullmatch(r"[A-Z]{2}", code):
            raise KgtoolError(f"bad country {code!r}; use an ISO 3166-1 alpha-2 code such as UZ")
    used = {d for agreement in agreements.values() for d in agreement.directions}
    for direction in sorted((keep_directions or set()) - used - set(labels)):
        raise KgtoolError(f"unknown direction <{direction}>; see scheme:directions")
    keep_statuses = {normalise_status(s) for s in statuses} if statuses else None

    ties: dict[tuple[str, str], list[Agreement]] = {}  # (IRI, IRI), sorted -> agreements
    ends_of: dict[str, tuple[str, ...]] = {}
    for agreement in agreements.values():
        if keep_directions is not None and not keep_directions.intersection(agreement.directions):
            continue
        if keep_statuses is not None and agreement.status not in keep_statuses:
            continue
        if years is not None and (
            agreement.year is None or not years[0] <= agreement.year <= years[1]
        ):
            continue
        ends = sorted({targets.get(p, p) for p in agreement.parties})
        if keep_countries is not None:
            ends = [e for e in ends if _country_of(institutions, e) in keep_countries]
        if len(ends) > 1:
            ends_of[agreement.iri] = tuple(ends)
        for i, first in enumerate(ends):
            for second in ends[i + 1 :]:
                tie = ties.get((first, second))
                if tie is None:
                    ties[first, second] = [agreement]
                else:
                    tie.append(agreement)
    # One call, in the order the ties were first seen (as adding them one by one would).
    graph = nx.Graph()
    graph.add_edges_from(
        (a, b, {"agreements": found, "weight": len(found)}) for (a, b), found in ties.items()
    )

    members: dict[str, list[str]] = defaultdict(list)
    for iri, target in targets.items():
        members[target].append(iri)
    for iri in graph.nodes:
        graph.nodes[iri].update(
            _node_attributes(iri, institutions, sorted(members.get(iri, [iri])))
        )

    if around is not None:
        around = expand_iri(around, "inst")
        centre = targets.get(around, around)
        if centre not in graph:
            raise KgtoolError(f"{around}: no such institution in the (filtered) partner network")
        graph = nx.ego_graph(graph, centre, radius=depth)
        ends_of = {
            iri: kept
            for iri, ends in ends_of.items()
            if len(kept := tuple(e for e in ends if e in graph)) > 1
        }

    return PartnerNetwork(
        graph=graph,
        as_of=as_of,
        agreements={iri: agreements[iri] for iri in sorted(ends_of)},
        labels=labels,
        rollup=rollup,
        country_iris=country_iris,
        agreement_ends=ends_of,
    )


def _country_of(institutions: Mapping[str, Institution], iri: str) -> str | None:
    found = institutions.get(iri)
    return found.country if found else None


def _node_attributes(
    iri: str, institutions: Mapping[str, Institution], members: list[str]
) -> dict[str, Any]:
    found = institutions.get(iri)
    if found is None:  # a party the dataset says nothing else about
        return {
            "iri": iri,
            "labels": {},
            "kind": str(COOP.Institution),
            "country": None,
            "parent": None,
            "sources": [],
            "members": members,
        }
    return {
        "iri": iri,
        "labels": {tag: list(values) for tag, values in found.names.items()},
        "kind": found.kind,
        "country": found.country,
        "parent": found.parent,
        "sources": list(found.sources),
        "members": members,
    }


def node_agreements(network: PartnerNetwork, iri: str) -> list[Agreement]:
    """Return the distinct agreements of one institution, by signing date then IRI."""
    seen: dict[str, Agreement] = {}
    for _, _, data in network.graph.edges(iri, data=True):
        for agreement in data["agreements"]:
            seen[agreement.iri] = agreement
    return sorted(seen.values(), key=lambda a: (a.signed_on or "", a.iri))


# --- metrics -----------------------------------------------------------------------------------


def betweenness_sources(graph: nx.Graph, seed: int = SEED) -> list[str] | None:
    """Return the institutions sampled as sources for betweenness, or None for every one.

    Exact up to ``EXACT_BETWEENNESS_MAX_NODES`` institutions; above, ``BETWEENNESS_SAMPLE``
    sources drawn with ``random.Random(seed)`` from the sorted IRIs, so a run depends on the
    seed alone (not on the order the graph was built in), and the work stays
    ``BETWEENNESS_SAMPLE`` breadth-first searches whatever the size.
    """
    if graph.number_of_nodes() <= EXACT_BETWEENNESS_MAX_NODES:
        return None
    nodes = sorted(graph)
    return random.Random(seed).sample(nodes, min(BETWEENNESS_SAMPLE, len(nodes)))


def betweenness(graph: nx.Graph, sources: Sequence[str] | None = None) -> dict[str, float]:
    """Return the normalised shortest-path betweenness of every node, from ``sources`` only
    when given (the Brandes-Pich estimate); unweighted, ties counted once per path.

    Brandes' algorithm on integer-indexed adjacency lists: the same values as
    ``nx.betweenness_centrality(graph, k=len(sources))`` when that draws the same sources,
    in about a third of its time (no dict-of-dicts lookups, no predecessor lists).
    """
    nodes = sorted(graph)
    n = len(nodes)
    index = {iri: i for i, iri in enumerate(nodes)}
    adjacency = [[index[w] for w in graph.adj[v]] for v in nodes]
    starts = range(n) if sources is None else [index[s] for s in sources]
    total = [0.0] * n
    for source in starts:
        # Forward: breadth-first, counting shortest paths (sigma) and levels (dist).
        dist = [-1] * n
        sigma = [0] * n
        dist[source], sigma[source] = 0, 1
        order = [source]
        push = order.append
        for v in order:  # grows while it is read: the BFS queue
            next_level, paths = dist[v] + 1, sigma[v]
            for w in adjacency[v]:
                level = dist[w]
                if level == next_level:
                    sigma[w] += paths
                elif level < 0:
                    dist[w], sigma[w] = next_level, paths
                    push(w)
        # Backward: each node passes its dependency on to its predecessors (one level up).
        delta = [0.0] * n
        order.reverse()
        order.pop()  # the source itself gets nothing
        for w in order:
            share = (1.0 + delta[w]) / sigma[w]
            up = dist[w] - 1
            for v in adjacency[w]:
                if dist[v] == up:
                    delta[v] += sigma[v] * share
            total[w] += delta[w]
    return dict(zip(nodes, _rescale(total, n, None if sources is None else starts), strict=True))


def _rescale(total: list[float], n: int, sampled: Sequence[int] | None) -> list[float]:
    """Normalise by the ordered (source, target) pairs a node could lie between, as networkx
    does; a sampled source lies on paths from the other k - 1 sources only."""
    if n < 3:
        return total
    if sampled is None:
        return [value / ((n - 1) * (n - 2)) for value in total]
    k = len(sampled)
    source_scale = 1 / ((k - 1) * (n - 2)) if k > 1 else 0.0
    other_scale = 1 / (k * (n - 2))
    is_source = set(sampled)
    return [v * (source_scale if i in is_source else other_scale) for i, v in enumerate(total)]


def louvain(graph: nx.Graph, seed: int = SEED) -> list[set[str]]:
    """Return the Louvain communities of ``graph`` (edge weight: the number of agreements).

    Louvain visits nodes in a seeded shuffle of the graph's node order and breaks ties by
    neighbour order: it runs on a copy with nodes and edges sorted, so that the communities
    depend on the data and the seed, not on the order the graph was built in.
    """
    canonical = nx.Graph()
    canonical.add_nodes_from(sorted(graph))
    canonical.add_weighted_edges_from(
        sorted((*sorted((u, v)), w) for u, v, w in graph.edges(data="weight", default=1))
    )
    return list(nx.community.louvain_communities(canonical, seed=seed))


def compute_metrics(network: PartnerNetwork) -> NetworkMetrics:
    """Return degree, partners, betweenness, Louvain communities and country flows.

    Betweenness is exact up to ``EXACT_BETWEENNESS_MAX_NODES`` institutions and estimated from
    ``BETWEENNESS_SAMPLE`` seeded sources above (``betweenness_sources``); the metrics say
    how many sources and which seed. Communities: Louvain with the same seed.
    """
    graph = network.graph
    n = graph.number_of_nodes()
    sources = betweenness_sources(graph, SEED)
    central = betweenness(graph, sources)
    groups = louvain(graph, SEED) if graph.number_of_edges() else [{v} for v in graph]
    # Number communities by size (largest first), ties by their smallest IRI, so runs agree.
    ordered = sorted((sorted(group) for group in groups), key=lambda g: (-len(g), g[0]))
    community = {iri: index for index, group in enumerate(ordered) for iri in group}

    # An agreement counts for each institution it links (what node_agreements lists).
    agreements = Counter(e for ends in network.agreement_ends.values() for e in ends)
    ties = dict(graph.degree(weight="weight"))
    partners = dict(graph.degree())
    per_node: dict[str, dict[str, float | int]] = {
        iri: {
            "agreements": agreements[iri],
            "degree": int(ties[iri]),
            "partners": int(partners[iri]),
            "betweenness": round(central.get(iri, 0.0), 6),
            "community": community.get(iri, 0),
        }
        for iri in sorted(graph.nodes)
    }

    flows: Counter[tuple[str, str]] = Counter()
    for ends in network.agreement_ends.values():
        codes = [graph.nodes[e].get("country") for e in ends]
        # Count each agreement once per country pair it links (a UZ-UZ pair is domestic).
        pairs = {
            (min(a, b), max(a, b)) for i, a in enumerate(codes) for b in codes[i + 1 :] if a and b
        }
        flows.update(pairs)
    return NetworkMetrics(
        per_node=per_node,
        country_flows=dict(sorted(flows.items())),
        communities=len(ordered),
        betweenness_sampled=sources is not None,
        betweenness_sources=n if sources is None else len(sources),
        seed=SEED,
    )


# --- output ------------------------------------------------------------------------------------

CSV_COLUMNS = ("institution", "name_en", "kind", "country", *METRIC_TERMS)


def metrics_csv(network: PartnerNetwork, metrics: NetworkMetrics) -> str:
    """Return the per-institution metrics as CSV, most partners first."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(CSV_COLUMNS)
    rows = sorted(metrics.per_node.items(), key=lambda kv: (-kv[1]["partners"], kv[0]))
    for iri, values in rows:
        node = network.graph.nodes[iri]
        writer.writerow(
            [
                iri,
                network.label(iri, "en"),
                local_name(node["kind"]),
                node.get("country") or "",
                *(values[name] for name in METRIC_TERMS),
            ]
        )
    return buffer.getvalue()


def flows_csv(metrics: NetworkMetrics) -> str:
    """Return the country-to-country flows as CSV."""
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\n")
    writer.writerow(("country_a", "country_b", "agreements"))
    for (a, b), count in metrics.country_flows.items():
        writer.writerow((a, b, count))
    return buffer.getvalue()


def network_json(network: PartnerNetwork, metrics: NetworkMetrics) -> dict[str, Any]:
    """Return the network, its agreements and its metrics as one JSON-ready dict."""
    graph = network.graph
    return {
        "as_of": network.as_of.isoformat(),
        "rollup": network.rollup,
        "nodes": [
            {
                "iri": iri,
                "labels": graph.nodes[iri]["labels"],
                "kind": graph.nodes[iri]["kind"],
                "country": graph.nodes[iri]["country"],
                "parent": graph.nodes[iri]["parent"],
                "members": graph.nodes[iri]["members"],
                "sources": graph.nodes[iri]["sources"],
                "metrics": metrics.per_node[iri],
            }
            for iri in sorted(graph.nodes)
        ],
        "edges": [
            {"source": a, "target": b, "agreements": sorted(x.iri for x in data["agreements"])}
            for a, b, data in sorted(
                ((*sorted((u, v)), d) for u, v, d in graph.edges(data=True)),
                key=lambda e: (e[0], e[1]),
            )
        ],
        "agreements": [network.agreements[k].to_json() for k in sorted(network.agreements)],
        "country_flows": [
            {"country_a": a, "country_b": b, "agreements": n}
            for (a, b), n in metrics.country_flows.items()
        ],
        "communities": metrics.communities,
        "betweenness_sampled": metrics.betweenness_sampled,
        "betweenness_sources": metrics.betweenness_sources,
        "seed": metrics.seed,
    }


def metrics_graph(network: PartnerNetwork, metrics: NetworkMetrics) -> Graph:
    """Return the metrics as RDF: one node per institution and per country pair."""
    out = Graph()
    for prefix in ("coop", "inst", "country", "xsd"):
        out.bind(prefix, PREFIXES[prefix])
    out.bind("flow", ID + "flow/")
    for iri, values in metrics.per_node.items():
        subject = URIRef(iri)
        for name, term in METRIC_TERMS.items():
            value = values[name]
            datatype = XSD.double if name == "betweenness" else XSD.integer
            out.add((subject, term, Literal(value, datatype=datatype)))
    for (a, b), count in metrics.country_flows.items():
        flow = URIRef(f"{ID}flow/{a}-{b}")
        out.add((flow, RDF.type, COOP.CountryFlow))
        for prop, code in ((COOP.fromCountry, a), (COOP.toCountry, b)):
            out.add((flow, prop, URIRef(network.country_iris.get(code, f"{ID}country/{code}"))))
        out.add((flow, COOP.agreementCount, Literal(count, datatype=XSD.integer)))
    return out


def store_metrics(loaded: LoadedGraph, graph: Graph) -> None:
    """Replace the metrics named graph of ``loaded`` with ``graph``."""
    target = loaded.dataset.graph(URIRef(METRICS_GRAPH))
    target.remove((None, None, None))
    for triple in graph:
        target.add(triple)


def add_metrics_graph(loaded: LoadedGraph, *, as_of: date | None = None) -> NetworkMetrics:
    """Compute the metrics of the whole partner network and store them in ``loaded`` as the
    named graph ``https://w3id.org/kgtool/graph/metrics``; return them."""
    network = build_network(loaded, as_of=as_of)
    metrics = compute_metrics(network)
    store_metrics(loaded, metrics_graph(network, metrics))
    return metrics


def write_metrics(
    network: PartnerNetwork, out_dir: Path, metrics: NetworkMetrics | None = None
) -> list[Path]:
    """Write institutions.csv, country-flows.csv, network.json and metrics.ttl into ``out_dir``."""
    metrics = metrics or compute_metrics(network)
    written = {
        out_dir / "institutions.csv": metrics_csv(network, metrics),
        out_dir / "country-flows.csv": flows_csv(metrics),
        out_dir / "network.json": json.dumps(
            network_json(network, metrics), ensure_ascii=False, indent=1, sort_keys=True
        )
        + "\n",
        out_dir / "metrics.ttl": metrics_graph(network, metrics).serialize(format="turtle"),
    }
    for path, text in written.items():
        atomic_write_text(path, text)
    return list(written)
