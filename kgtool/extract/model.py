"""The records extraction proposes, and their JSON form (a stable contract)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from kgtool.names import normalise


@dataclass(frozen=True)
class TakenIris:
    """IRIs the loaded graph already uses, so that a draft never mints one of them.

    ``sources`` maps the SHA-256 of each source document the graph records to its node: a draft
    of the same bytes cites that node instead of minting another.
    """

    subjects: frozenset[str] = frozenset()
    sources: Mapping[str, str] = field(default_factory=dict)


@dataclass
class Evidence:
    """A span of a document that backs one field of a draft record."""

    field: str
    start: int
    end: int
    text: str
    document: str

    def as_json(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "start": self.start,
            "end": self.end,
            "text": self.text,
            "document": self.document,
        }


@dataclass
class Party:
    """A party: matched to the graph (``iri``) or proposed as a new institution (``iri`` None)."""

    name: str
    iri: str | None
    country: str | None
    kind: str | None
    parent: str | None  # IRI when the parent is known, else its name as written
    acronym: str | None = None
    language: str = "en"  # BCP 47 tag of ``name``
    written: str = ""  # the name as the text wrote it (the evidence span's text)

    def key(self) -> str:
        return self.iri or self.name.casefold()

    def matches(self, other: Party) -> bool:
        """Whether two mentions name one institution (same IRI, name, or name and acronym)."""
        if self.iri and other.iri:
            return self.iri == other.iri
        mine = {normalise(self.name), *([normalise(self.acronym)] if self.acronym else [])}
        theirs = {normalise(other.name), *([normalise(other.acronym)] if other.acronym else [])}
        return bool(mine & theirs)

    def as_json(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "iri": self.iri,
            "country": self.country,
            "kind": self.kind,
            "parent": self.parent,
            "acronym": self.acronym,
        }


@dataclass
class Agreement:
    """A draft agreement as one or more documents report it."""

    kind: str | None
    parties: list[Party]
    signed_on: str | None = None
    place: str | None = None
    venue: str | None = None
    term_years: int | None = None
    extendable: bool | None = None
    entry_into_force: str | None = None
    extension_clause: str | None = None
    directions: list[str] = field(default_factory=list)
    fields: list[str] = field(default_factory=list)
    provisions: list[str] = field(default_factory=list)
    confidence: float = 0.0
    evidence: list[Evidence] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    id: str = ""
    origin: str | None = None  # "row N of FILE" for a register's row (it has no spans)

    def party_keys(self) -> frozenset[str]:
        return frozenset(p.key() for p in self.parties)

    def same_parties(self, other: Agreement) -> bool:
        """Whether both agreements have the same parties (by IRI, name or acronym)."""
        if len(self.parties) != len(other.parties):
            return False
        return all(any(p.matches(q) for q in other.parties) for p in self.parties) and all(
            any(q.matches(p) for p in self.parties) for q in other.parties
        )

    def as_json(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "kind": self.kind,
            "parties": [p.as_json() for p in self.parties],
            "signed_on": self.signed_on,
            "place": self.place,
            "venue": self.venue,
            "term_years": self.term_years,
            "extendable": self.extendable,
            "entry_into_force": self.entry_into_force,
            "extension_clause": self.extension_clause,
            "directions": sorted(self.directions),
            "fields": sorted(self.fields),
            "provisions": sorted(self.provisions),
            "confidence": round(self.confidence, 2),
            "documents": list(self.documents),
            "evidence": [e.as_json() for e in self.evidence],
        }


@dataclass
class DocumentResult:
    """What one document says: its language and the agreements it announces as signed."""

    document: str
    path: str
    sha256: str
    language: str
    script: str
    tag: str
    published: str | None
    agreements: list[Agreement] = field(default_factory=list)
    unplaced: list[str] = field(default_factory=list)

    def as_json(self) -> dict[str, Any]:
        return {
            "document": self.document,
            "language": self.language,
            "script": self.script,
            "published": self.published,
            "sha256": self.sha256,
            "agreements": [a.as_json() for a in self.agreements],
            "unplaced": list(self.unplaced),
        }


@dataclass
class ExtractionResult:
    """Every document read, and the agreements after merging reports of one event."""

    documents: list[DocumentResult]
    agreements: list[Agreement]
    taken: TakenIris = field(default_factory=TakenIris)

    def as_json(self) -> dict[str, Any] | list[dict[str, Any]]:
        """Return one document object for one file, a list of them for several."""
        items = [d.as_json() for d in self.documents]
        return items[0] if len(items) == 1 else items
