"""The partner network: institutions linked by agreements, its filters and its metrics.

The graph is read from the dataset with SPARQL (run by the embedded Oxigraph engine), built as a
networkx graph, and its metrics are written as CSV, JSON and a named RDF graph.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import TYPE_CHECKING, Any, cast

import networkx as nx
from rdflib import RDF, XSD, Graph, Literal, URIRef

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
    add_months,
    agreement_status,
)

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph

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

#: Exact betweenness up to this many nodes; above, sampled with ``BETWEENNESS_SAMPLE`` pivots.
EXACT_BETWEENNESS_MAX_NODES = 2000
BETWEENNESS_SAMPLE = 200
SEED = 42

#: Metric properties: a small coop: vocabulary, defined in resources/network-metrics.ttl.
METRIC_TERMS = {
    "agreements": COOP.agreementCount,
    "degree": COOP.agreementTies,
    "partners": COOP.partnerCount,
    "betweenness": COOP.betweenness,
    "community": COOP.community,
}

_SEP = "\x1e"  # separates list items inside GROUP_CONCAT results
_FIELD = "\x1f"  # separates a language tag from its text
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?$")

_PREFIX_LINES = "\n".join(
    f"PREFIX {p}: <{PREFIXES[p]}>" for p in ("coop", "rdf", "rdfs", "skos", "dcterms")
)

AGREEMENTS_QUERY = (
    _PREFIX_LINES
    + f"""
SELECT ?agreement (SAMPLE(?kind_) AS ?kind) (SAMPLE(STR(?signed_)) AS ?signed)
       (SAMPLE(STR(?term_)) AS ?term) (SAMPLE(STR(?expires_)) AS ?expires)
       (GROUP_CONCAT(DISTINCT STR(?party); separator="{_SEP}") AS ?parties)
       (GROUP_CONCAT(DISTINCT STR(?direction); separator="{_SEP}") AS ?directions)
       (GROUP_CONCAT(DISTINCT CONCAT(LANG(?title), "{_FIELD}", STR(?title)); separator="{_SEP}")
         AS ?titles)
       (GROUP_CONCAT(DISTINCT ?source; separator="{_SEP}") AS ?sources)
WHERE {{
  ?agreement coop:party ?party .
  OPTIONAL {{ ?agreement coop:kind ?kind_ }}
  OPTIONAL {{ ?agreement coop:signedOn ?signed_ }}
  OPTIONAL {{ ?agreement coop:term ?term_ }}
  OPTIONAL {{ ?agreement coop:expiresOn ?expires_ }}
  OPTIONAL {{ ?agreement coop:direction ?direction }}
  OPTIONAL {{ ?agreement coop:title ?title }}
  OPTIONAL {{ ?agreement coop:source ?doc .
             OPTIONAL {{ ?doc dcterms:identifier ?docId }}
             BIND(COALESCE(STR(?docId), STR(?doc)) AS ?source) }}
}}
GROUP BY ?agreement
ORDER BY ?agreement
"""
)

INSTITUTIONS_QUERY = (
    _PREFIX_LINES
    + f"""
SELECT ?inst (GROUP_CONCAT(DISTINCT STR(?type); separator="{_SEP}") AS ?types)
       (SAMPLE(?countryIri) AS ?country) (SAMPLE(STR(?code)) AS ?countryCode)
       (SAMPLE(?parent_) AS ?parent)
       (GROUP_CONCAT(DISTINCT ?source; separator="{_SEP}") AS ?sources)
WHERE {{
  {{ ?agreement coop:party ?inst }} UNION {{ ?inst coop:partOf ?up }}
  UNION {{ ?down coop:partOf ?inst }}
  FILTER(isIRI(?inst))
  OPTIONAL {{ ?inst rdf:type ?type }}
  OPTIONAL {{ ?inst coop:country ?countryIri OPTIONAL {{ ?countryIri coop:countryCode ?code }} }}
  OPTIONAL {{ ?inst coop:partOf ?parent_ }}
  OPTIONAL {{ ?inst coop:source ?doc .
             OPTIONAL {{ ?doc dcterms:identifier ?docId }}
             BIND(COALESCE(STR(?docId), STR(?doc)) AS ?source) }}
}}
GROUP BY ?inst
ORDER BY ?inst
"""
)

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


# --- languages and labels ---------------------------------------------------------------------


def node_label(names: Mapping[str, Sequence[str]], lang: str) -> str | None:
    """Return an institution's preferred name in ``lang``, with fallback."""
    return pick_label({tag: values[0] for tag, values in names.items() if values}, lang)


# --- status ------------------------------------------------------------------------------------


def expiry_from(signed_on: str | None, term: str | None) -> date | None:
    """Return signing date + term, when both are known exactly (a full date and a Y/M/D term)."""
    if not signed_on or not term:
        return None
    match = _DURATION.match(term)
    try:
        signed = date.fromisoformat(signed_on[:10])
    except ValueError:
        return None
    if not match or len(signed_on) < 10:
        return None
    years, months, days = (int(x) if x else 0 for x in match.groups())
    end = add_months(signed, 12 * years + months)
    return date.fromordinal(end.toordinal() + days)


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


def _select(loaded: LoadedGraph, query: str) -> list[tuple[str | None, ...]]:
    """Run a SELECT query on the dataset; return its rows as IRIs and lexical forms.

    The network only needs text (a label's language is selected with ``LANG``). On Oxigraph
    the store is asked directly: at 1M triples, turning ~500k result cells into rdflib terms
    (oxrdflib) cost more than running the queries.
    """
    if loaded.store == "oxigraph":
        from kgtool.graph import oxigraph_store

        solutions: Any = oxigraph_store(loaded).query(query, use_default_graph_as_union=True)
        return [tuple(None if t is None else str(t.value) for t in row) for row in solutions]
    rows = cast(Iterable[tuple[Any, ...]], loaded.dataset.query(query))
    return [tuple(None if t is None else str(t) for t in row) for row in rows]


def _split(value: Any) -> list[str]:
    return [item for item in str(value).split(_SEP) if item] if value is not None else []


def _to_date(text: str | None) -> date | None:
    if not text:
        return None
    try:
        return date.fromisoformat(text[:10])
    except ValueError:
        return None


def read_agreements(loaded: LoadedGraph, as_of: date) -> dict[str, Agreement]:
    """Return every agreement with at least one party, its status computed as of ``as_of``."""
    found: dict[str, Agreement] = {}
    for row in _select(loaded, AGREEMENTS_QUERY):
        agreement, kind, signed, term, expires, parties, directions, titles, sources = row
        titles_by_lang: dict[str, str] = {}
        for item in sorted(_split(titles)):
            tag, _, text = item.partition(_FIELD)
            titles_by_lang.setdefault(canonical_language_tag(tag) if tag else "und", text)
        signed_on = str(signed) if signed is not None else None
        term_text = str(term) if term is not None else None
        expires_on = _to_date(str(expires) if expires is not None else None) or expiry_from(
            signed_on, term_text
        )
        found[str(agreement)] = Agreement(
            iri=str(agreement),
            kind=str(kind) if kind is not None else None,
            titles=titles_by_lang,
            signed_on=signed_on,
            term=term_text,
            expires_on=expires_on,
            status=agreement_status(expires_on, as_of),
            directions=tuple(sorted(_split(directions))),
            parties=tuple(sorted(_split(parties))),
            sources=tuple(sorted(_split(sources))),
        )
    return found


def read_labels(
    loaded: LoadedGraph,
) -> tuple[dict[str, dict[str, str]], dict[str, dict[str, list[str]]]]:
    """Return (IRI -> language -> preferred label, IRI -> language -> names, preferred first)."""
    preferred: dict[str, dict[str, str]] = defaultdict(dict)
    every: dict[str, dict[str, list[str]]] = defaultdict(lambda: defaultdict(list))
    rank = {"prefLabel": 0, "label": 1, "altLabel": 2, "hiddenLabel": 3}
    rows = sorted(
        (
            str(thing),
            rank[local_name(str(prop))],
            canonical_language_tag(lang or "und"),
            str(text),
        )
        for thing, prop, text, lang in _select(loaded, LABELS_QUERY)
    )
    for thing, level, lang, text in rows:
        if level <= 1:
            preferred[thing].setdefault(lang, text)
        names = every[thing][lang]
        if text not in names:
            names.append(text)
    return dict(preferred), {k: dict(v) for k, v in every.items()}


def read_institutions(
    loaded: LoadedGraph, names: Mapping[str, Mapping[str, list[str]]]
) -> tuple[dict[str, Institution], dict[str, str]]:
    """Return the institutions (parties and units/parents) and the IRI of each country code."""
    institutions: dict[str, Institution] = {}
    country_iris: dict[str, str] = {}
    for row in _select(loaded, INSTITUTIONS_QUERY):
        inst, types, country_iri, code, parent, sources = row
        type_set = set(_split(types))
        kind = next((k for k in INSTITUTION_KINDS if k in type_set), None)
        if kind is None:
            own = sorted(t for t in type_set if t.startswith(str(COOP)))
            kind = own[0] if own else str(COOP.Institution)
        country = str(code) if code is not None else None
        if country is None and country_iri is not None:
            country = local_name(str(country_iri))
        if country and country_iri is not None:
            country_iris.setdefault(country, str(country_iri))
        institutions[str(inst)] = Institution(
            iri=str(inst),
            names={tag: tuple(v) for tag, v in names.get(str(inst), {}).items()},
            kind=kind,
            country=country,
            parent=str(parent) if parent is not None else None,
            sources=tuple(sorted(_split(sources))),
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
    agreements = read_agreements(loaded, as_of)
    labels, names = read_labels(loaded)
    institutions, country_iris = read_institutions(loaded, names)
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

    graph = nx.Graph()
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
                if graph.has_edge(first, second):
                    graph.edges[first, second]["agreements"].append(agreement)
                    graph.edges[first, second]["weight"] += 1
                else:
                    graph.add_edge(first, second, agreements=[agreement], weight=1)

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


def compute_metrics(network: PartnerNetwork) -> NetworkMetrics:
    """Return degree, partners, betweenness, Louvain communities and country flows."""
    graph = network.graph
    n = graph.number_of_nodes()
    sampled = n > EXACT_BETWEENNESS_MAX_NODES
    betweenness: dict[str, float] = (
        (
            nx.betweenness_centrality(graph, k=BETWEENNESS_SAMPLE, seed=SEED)
            if sampled
            else nx.betweenness_centrality(graph)
        )
        if n
        else {}
    )
    groups = (
        nx.community.louvain_communities(graph, seed=SEED)
        if graph.number_of_edges()
        else [{v} for v in graph]
    )
    # Number communities by size (largest first), ties by their smallest IRI, so runs agree.
    ordered = sorted((sorted(group) for group in groups), key=lambda g: (-len(g), g[0]))
    community = {iri: index for index, group in enumerate(ordered) for iri in group}

    per_node: dict[str, dict[str, float | int]] = {}
    for iri in sorted(graph.nodes):
        per_node[iri] = {
            "agreements": len(node_agreements(network, iri)),
            "degree": int(graph.degree(iri, weight="weight")),
            "partners": int(graph.degree(iri)),
            "betweenness": round(float(betweenness.get(iri, 0.0)), 6),
            "community": community.get(iri, 0),
        }

    flows: Counter[tuple[str, str]] = Counter()
    for ends in network.agreement_ends.values():
        codes = [network.graph.nodes[e].get("country") for e in ends]
        # Count each agreement once per country pair it links (a UZ-UZ pair is domestic).
        pairs = {
            (min(a, b), max(a, b)) for i, a in enumerate(codes) for b in codes[i + 1 :] if a and b
        }
        flows.update(pairs)
    return NetworkMetrics(
        per_node=per_node,
        country_flows=dict(sorted(flows.items())),
        communities=len(ordered),
        betweenness_sampled=sampled,
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
