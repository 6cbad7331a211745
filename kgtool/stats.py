"""Counts that describe the graph: triples per graph, instances per class, name coverage per
language, and agreements by status as of a date (status is computed, never stored).

This module owns the one status rule that stats, the partner network and the report share:
an agreement's expiry is its stored ``coop:expiresOn`` when there is one, else its signing date
plus its term when the signing date is a full date (``agreement_expiry``); its status as of a
date follows from that expiry (``agreement_status``).
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from rdflib import BNode, Literal, URIRef
from rdflib.namespace import RDF, RDFS, SKOS
from rdflib.query import ResultRow

from kgtool.project import COOP, GRAPH_BASE, ID, INFERRED_GRAPH, LANGUAGES, PREFIXES

if TYPE_CHECKING:
    from kgtool.graph import LoadedGraph

STATUS = ID + "status/"
STATUS_ACTIVE = STATUS + "active"
STATUS_EXPIRING_SOON = STATUS + "expiring-soon"
STATUS_EXPIRED = STATUS + "expired"
STATUS_UNKNOWN = STATUS + "unknown"
#: the status concepts, in the order reports show them
STATUSES: tuple[str, ...] = (STATUS_ACTIVE, STATUS_EXPIRING_SOON, STATUS_EXPIRED, STATUS_UNKNOWN)
EXPIRING_SOON_MONTHS = 6

_FULL_DATE = re.compile(r"\d{4}-\d{2}-\d{2}")
_DURATION = re.compile(r"P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)D)?")


def add_months(day: dt.date, months: int) -> dt.date:
    """Return ``day`` plus ``months`` calendar months, the day clamped to the month's end."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    next_month = dt.date(year + month // 12, month % 12 + 1, 1)
    last_day = (next_month - dt.timedelta(days=1)).day
    return dt.date(year, month, min(day.day, last_day))


def full_date(text: str | None) -> dt.date | None:
    """Return the day a lexical date names (``YYYY-MM-DD``, a timezone ignored), else None.

    A year-month (``2025-09``) or a year (``2025``) names no day and gives None.
    """
    if not text or not _FULL_DATE.match(text):
        return None
    try:
        return dt.date.fromisoformat(text[:10])
    except ValueError:
        return None


def expiry_from(signed_on: str | None, term: str | None) -> dt.date | None:
    """Return signing date + term, when both are known exactly (a full date and a Y/M/D term)."""
    signed = full_date(signed_on)
    match = _DURATION.fullmatch(term) if term else None
    if signed is None or match is None or not any(match.groups()):
        return None
    years, months, days = (int(x) if x else 0 for x in match.groups())
    return add_months(signed, 12 * years + months) + dt.timedelta(days=days)


def agreement_expiry(
    expires_on: Iterable[str] = (), signed_on: Iterable[str] = (), terms: Iterable[str] = ()
) -> dt.date | None:
    """Return an agreement's expiry: the one rule every status in kgtool follows.

    The stored ``coop:expiresOn`` when there is one (as a full date), else the signing date
    plus the term when the signing date is a full date and the term is in years, months and
    days; else None (the status is unknown). Arguments are lexical forms; several values (a data
    error SHACL reports) give the latest date.
    """
    stored = [day for day in map(full_date, expires_on) if day is not None]
    if stored:
        return max(stored)
    terms = list(terms)
    derived = [day for s in signed_on for t in terms if (day := expiry_from(s, t)) is not None]
    return max(derived, default=None)


def agreement_status(expires_on: dt.date | None, as_of: dt.date) -> str:
    """Return the status IRI of an agreement expiring on ``expires_on``, as of ``as_of``.

    Expired: before ``as_of``; expiring soon: within 6 months of it; unknown: no expiry.
    """
    if expires_on is None:
        return STATUS_UNKNOWN
    if expires_on < as_of:
        return STATUS_EXPIRED
    if expires_on <= add_months(as_of, EXPIRING_SOON_MONTHS):
        return STATUS_EXPIRING_SOON
    return STATUS_ACTIVE


def _short(iri: str) -> str:
    for prefix, namespace in PREFIXES.items():
        if iri.startswith(namespace) and len(iri) > len(namespace):
            return f"{prefix}:{iri[len(namespace) :]}"
    return f"<{iri}>"


@dataclass(frozen=True)
class Stats:
    """Counts over a loaded dataset, as of a date."""

    as_of: dt.date
    triples: int
    #: graph IRI -> triples (the source files' graphs and, if present, inferred/metrics)
    triples_per_graph: dict[str, int]
    #: class IRI -> distinct instances with that asserted ``rdf:type``
    instances_per_class: dict[str, int]
    institutions: int
    #: language tag -> institutions with a ``skos:prefLabel`` in that language
    name_coverage: dict[str, int]
    #: status IRI -> agreements with that status as of ``as_of``
    agreements_by_status: dict[str, int]
    #: agreement IRI -> status IRI
    agreement_status: dict[str, str] = field(default_factory=dict)

    @property
    def agreements(self) -> int:
        return sum(self.agreements_by_status.values())

    def as_dict(self) -> dict[str, Any]:
        """Return the counts as JSON-ready data (keys sorted when dumped)."""
        return {
            "as_of": self.as_of.isoformat(),
            "triples": self.triples,
            "triples_per_graph": self.triples_per_graph,
            "instances_per_class": self.instances_per_class,
            "institutions": self.institutions,
            "name_coverage": {
                lang: {
                    "institutions": n,
                    "share": round(n / self.institutions, 4) if self.institutions else 0.0,
                }
                for lang, n in self.name_coverage.items()
            },
            "agreements": self.agreements,
            "agreements_by_status": {
                status.removeprefix(STATUS): n for status, n in self.agreements_by_status.items()
            },
            "agreement_status": {
                agreement: status.removeprefix(STATUS)
                for agreement, status in self.agreement_status.items()
            },
        }

    def to_json(self) -> str:
        """Return the counts as indented, key-sorted JSON."""
        return json.dumps(self.as_dict(), indent=2, ensure_ascii=False, sort_keys=True) + "\n"

    def to_text(self) -> str:
        """Return a plain-text summary for people."""
        lines = [f"Statistics as of {self.as_of.isoformat()}", ""]
        lines.append(f"Triples: {self.triples}")
        names = {g: g.removeprefix(GRAPH_BASE) for g in self.triples_per_graph}
        width = max((len(name) for name in names.values()), default=0)
        for graph, n in self.triples_per_graph.items():
            lines.append(f"  {names[graph]:<{width}}  {n:>7}")
        lines += ["", "Instances per class:"]
        for cls, n in sorted(self.instances_per_class.items(), key=lambda kv: (-kv[1], kv[0])):
            lines.append(f"  {_short(cls):<40} {n:>7}")
        lines += ["", f"Institutions: {self.institutions}; names per language:"]
        for lang, n in self.name_coverage.items():
            share = f"{100 * n / self.institutions:5.1f} %" if self.institutions else "    -"
            lines.append(f"  {lang:<8} {n:>5}  {share}")
        lines += ["", f"Agreements: {self.agreements}; status as of {self.as_of.isoformat()}:"]
        for status, n in self.agreements_by_status.items():
            lines.append(f"  {status.removeprefix(STATUS):<14} {n:>5}")
        return "\n".join(lines) + "\n"


_TRIPLES_PER_GRAPH = "SELECT ?g (COUNT(*) AS ?n) WHERE { GRAPH ?g { ?s ?p ?o } } GROUP BY ?g"

# Asserted types only: the reasoner's graph (a project constant, not user input) is left out.
_INSTANCES = f"""
SELECT ?class (COUNT(DISTINCT ?x) AS ?n) WHERE {{
  GRAPH ?g {{ ?x a ?class }}
  FILTER (isIRI(?class) && ?g != <{INFERRED_GRAPH}>)
}} GROUP BY ?class"""

_INSTITUTIONS = """
SELECT DISTINCT ?institution WHERE {
  ?institution a ?class .
  ?class rdfs:subClassOf* coop:Institution .
}"""

_PREF_LABELS = """
SELECT DISTINCT ?institution ?label WHERE {
  ?institution a ?class ; skos:prefLabel ?label .
  ?class rdfs:subClassOf* coop:Institution .
}"""

_AGREEMENTS = """
SELECT ?agreement ?expires ?signed ?term WHERE {
  ?agreement a ?class .
  ?class rdfs:subClassOf* coop:Agreement .
  OPTIONAL { ?agreement coop:expiresOn ?expires }
  OPTIONAL { ?agreement coop:signedOn ?signed }
  OPTIONAL { ?agreement coop:term ?term }
}"""


def _rows(loaded: LoadedGraph, query: str) -> list[tuple[Any, ...]]:
    namespaces = {"coop": str(COOP), "rdfs": str(RDFS), "skos": str(SKOS), "rdf": str(RDF)}
    if loaded.store == "oxigraph":
        # Straight to the store: rdflib's Dataset.query would parse the query a second time
        # and cast every literal to a Python value (most of the time at 1M triples).
        from kgtool.graph import oxigraph_store, query_store

        store = oxigraph_store(loaded)
        answer = query_store(store, query, prefixes=namespaces, convert=_lexical_term)
        return list(answer.rows)
    result = loaded.dataset.query(query, initNs=namespaces)
    return [tuple(row) for row in result if isinstance(row, ResultRow)]


def _lexical_term(kind: str, value: str, language: str, datatype: str) -> Any:
    """Return a result term (see ``kgtool.graph.TermConverter``) as the rdflib term stats
    reads: IRIs and blank nodes, literals by lexical form and language tag (no datatype:
    nothing here needs a literal's value)."""
    if kind == "literal":
        return Literal(value, lang=language or None)
    return BNode(value) if kind == "blank" else URIRef(value)


def triples_per_graph(loaded: LoadedGraph) -> dict[str, int]:
    """Return the number of triples in each named graph of ``loaded``, by graph IRI."""
    return {str(g): int(n) for g, n in _rows(loaded, _TRIPLES_PER_GRAPH)}


def stats(loaded: LoadedGraph, as_of: dt.date | None = None) -> Stats:
    """Count triples, instances, names and agreement statuses in ``loaded`` as of ``as_of``."""
    as_of = as_of or dt.date.today()
    per_graph = triples_per_graph(loaded)
    classes = {str(c): int(n) for c, n in _rows(loaded, _INSTANCES)}
    institutions = {str(row[0]) for row in _rows(loaded, _INSTITUTIONS)}
    coverage: dict[str, set[str]] = {lang: set() for lang in LANGUAGES}
    for institution, label in _rows(loaded, _PREF_LABELS):
        tag = label.language.lower() if isinstance(label, Literal) and label.language else None
        for lang in LANGUAGES:
            if tag == lang.lower():
                coverage[lang].add(str(institution))
    # agreement -> (stored expiries, signing dates, terms), as lexical forms
    facts: dict[str, tuple[set[str], set[str], set[str]]] = defaultdict(
        lambda: (set(), set(), set())
    )
    for agreement, *values in _rows(loaded, _AGREEMENTS):
        found = facts[str(agreement)]
        for bucket, value in zip(found, values, strict=True):
            if isinstance(value, Literal):
                bucket.add(str(value))
    status_of = {a: agreement_status(agreement_expiry(*facts[a]), as_of) for a in sorted(facts)}
    by_status = {s: 0 for s in STATUSES}
    for status in status_of.values():
        by_status[status] += 1
    return Stats(
        as_of=as_of,
        triples=sum(per_graph.values()),
        triples_per_graph=dict(sorted(per_graph.items())),
        instances_per_class=dict(sorted(classes.items())),
        institutions=len(institutions),
        name_coverage={lang: len(coverage[lang]) for lang in LANGUAGES},
        agreements_by_status=by_status,
        agreement_status=status_of,
    )
