"""Draft agreements as Turtle in the contract vocabulary, with provenance, ready to review."""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable

from rdflib import RDF, XSD, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS

from kgtool.extract.merge import AGREEMENT_NS
from kgtool.extract.model import Agreement, DocumentResult, Evidence, Party, TakenIris
from kgtool.extract.names_guess import guess_country, guess_kind, slug
from kgtool.graph import bind_prefixes
from kgtool.project import COOP, ID

AGR = Namespace(AGREEMENT_NS)
INST = Namespace(ID + "org/")
SRC = Namespace(ID + "source/")
SPAN = Namespace(ID + "span/")
COUNTRY = Namespace(ID + "country/")

#: JSON kind names → institution classes.
KIND_CLASS = {
    "academy": COOP.AcademyOfSciences,
    "institute": COOP.ResearchInstitute,
    "university": COOP.University,
    "company": COOP.Company,
    "government body": COOP.GovernmentBody,
    "unit": COOP.OrganisationalUnit,
}

#: Evidence fields → the property each backs.
FIELD_PROPERTY = {
    "kind": COOP.kind,
    "party": COOP.party,
    "signed_on": COOP.signedOn,
    "venue": COOP.signingVenue,
    "term_years": COOP["term"],
    "entry_into_force": COOP.entryIntoForce,
    "extendable": COOP.extendable,
    "extension_clause": COOP.extensionClause,
    "directions": COOP.direction,
    "fields": COOP.researchField,
    "provisions": COOP.provision,
    "parent": COOP.partOf,
}


def source_node(document: str) -> URIRef:
    """Return the SourceDocument IRI of a file name (``src:<stem>``, as data/sources.ttl)."""
    stem = document.rsplit(".", 1)[0] if "." in document else document
    return SRC[slug_keep(stem)]


class _Minter:
    """Mints the IRIs of one draft so that none is an IRI the loaded graph already uses.

    Spans are named by the document's SHA-256 and the offsets (``span:<sha12>-<start>-<end>-
    <field>``), new institutions by their slug; either gets ``-draft`` if the graph has it.
    A source document whose bytes the graph records is cited by the graph's own node.
    """

    def __init__(self, documents: list[DocumentResult], taken: TakenIris) -> None:
        self.taken = taken
        self.sha256 = {d.document: d.sha256 for d in documents}

    def free(self, namespace: Namespace, local: str) -> URIRef:
        candidate, number = local, 1
        while str(namespace[candidate]) in self.taken.subjects:
            candidate = f"{local}-draft" + (f"-{number}" if number > 1 else "")
            number += 1
        return namespace[candidate]

    def known_source(self, document: str) -> URIRef | None:
        node = self.taken.sources.get(self.sha256.get(document, ""))
        return URIRef(node) if node else None

    def source(self, document: str) -> URIRef:
        known = self.known_source(document)
        if known is not None:
            return known
        node = source_node(document)
        sha = self.sha256.get(document, "")
        if str(node) in self.taken.subjects and sha:
            return self.free(SRC, f"{node.rsplit('/', 1)[-1]}-{sha[:8]}")
        return self.free(SRC, node.rsplit("/", 1)[-1])

    def span(self, evidence: Evidence) -> URIRef:
        field = evidence.field.replace("_", "")
        sha = self.sha256.get(evidence.document) or slug_keep(evidence.document)
        return self.free(SPAN, f"{sha[:12]}-{evidence.start}-{evidence.end}-{field}")

    def institution(self, party: Party) -> URIRef:
        return self.free(INST, slug(party.name))


def slug_keep(text: str) -> str:
    """Return ``text`` with characters unsafe in an IRI's last segment replaced by '-'."""
    return "".join(ch if ch.isalnum() or ch in "-_." else "-" for ch in text)


def date_literal(value: str) -> Literal:
    """Return a date at its precision: xsd:date, xsd:gYearMonth or xsd:gYear."""
    if len(value) == 10:
        return Literal(value, datatype=XSD.date)
    if len(value) == 7:
        return Literal(value, datatype=XSD.gYearMonth)
    return Literal(value, datatype=XSD.gYear)


def to_graph(
    documents: Iterable[DocumentResult],
    agreements: Iterable[Agreement],
    taken: TakenIris | None = None,
) -> Graph:
    """Return the drafts as an RDF graph (agreements, new institutions, sources, evidence).

    ``taken`` (``ExtractionResult.taken``) holds what the loaded graph already describes: no
    IRI the draft mints is among its subjects.
    """
    graph = Graph()
    bind_prefixes(graph)
    docs = list(documents)
    mint = _Minter(docs, taken or TakenIris())
    for document in docs:
        if mint.known_source(document.document) is not None:
            continue  # the graph describes these bytes already
        node = mint.source(document.document)
        graph.add((node, RDF.type, COOP.SourceDocument))
        graph.add((node, DCTERMS.identifier, Literal(document.document)))
        graph.add((node, COOP.language, Literal(document.tag)))
        graph.add((node, COOP.sha256, Literal(document.sha256)))
        if document.published:
            graph.add((node, COOP.published, Literal(document.published, datatype=XSD.date)))
    for agreement in agreements:
        _add_agreement(graph, agreement, mint)
    return graph


def _add_agreement(graph: Graph, agreement: Agreement, mint: _Minter) -> None:
    node = AGR[agreement.id]
    graph.add((node, RDF.type, COOP.Agreement))
    if agreement.kind:
        graph.add((node, COOP.kind, URIRef(agreement.kind)))
    for party in agreement.parties:
        graph.add((node, COOP.party, _party_node(graph, party, agreement.documents, mint)))
    if agreement.signed_on:
        graph.add((node, COOP.signedOn, date_literal(agreement.signed_on)))
    if agreement.venue:
        graph.add((node, COOP.signingVenue, URIRef(agreement.venue)))
    if agreement.term_years:
        graph.add((node, COOP["term"], Literal(f"P{agreement.term_years}Y", datatype=XSD.duration)))
        if agreement.signed_on and len(agreement.signed_on) == 10:
            signed = dt.date.fromisoformat(agreement.signed_on)
            try:
                expires = signed.replace(year=signed.year + agreement.term_years)
            except ValueError:  # 29 February
                expires = signed.replace(year=signed.year + agreement.term_years, day=28)
            graph.add((node, COOP.expiresOn, Literal(expires.isoformat(), datatype=XSD.date)))
    if agreement.entry_into_force:
        graph.add((node, COOP.entryIntoForce, URIRef(agreement.entry_into_force)))
    if agreement.extendable is not None:
        graph.add((node, COOP.extendable, Literal(agreement.extendable)))
    if agreement.extension_clause:
        graph.add((node, COOP.extensionClause, URIRef(agreement.extension_clause)))
    for prop, values in (
        (COOP.direction, agreement.directions),
        (COOP.researchField, agreement.fields),
        (COOP.provision, agreement.provisions),
    ):
        for value in values:
            graph.add((node, prop, URIRef(value)))
    for document in agreement.documents:
        graph.add((node, COOP.source, mint.source(document)))
    graph.add((node, SKOS.editorialNote, Literal(_review_note(agreement, mint), lang="en")))
    for evidence in agreement.evidence:
        backed = FIELD_PROPERTY.get(evidence.field)
        if backed is not None:
            graph.add((node, COOP.evidence, _span(graph, evidence, backed, mint)))


def _review_note(agreement: Agreement, mint: _Minter) -> str:
    """Return what a reviewer must check: the cited spans, or the cells of a register's row."""
    if agreement.origin:  # a register's row: no spans to cite
        note = (
            f"Draft proposed by kgtool import table from {agreement.origin} (confidence"
            f" {agreement.confidence:.2f}); check every statement against that row before"
            " moving it into data/."
        )
    else:
        note = (
            f"Draft proposed by kgtool extract (confidence {agreement.confidence:.2f});"
            " check every statement against the cited spans before moving it into data/."
        )
    curated = re.sub(r"-draft(?:-\d+)?$", "", agreement.id)
    if curated != agreement.id and str(AGR[curated]) in mint.taken.subjects:
        note += f" The graph already has agreement {curated}: it may report the same signing."
    return note


def _span(graph: Graph, evidence: Evidence, prop: URIRef, mint: _Minter) -> URIRef:
    node = mint.span(evidence)
    graph.add((node, RDF.type, COOP.EvidenceSpan))
    graph.add((node, COOP.inDocument, mint.source(evidence.document)))
    # Offsets are xsd:integer: Oxigraph stores xsd:nonNegativeInteger as xsd:integer.
    graph.add((node, COOP.startOffset, Literal(evidence.start, datatype=XSD.integer)))
    graph.add((node, COOP.endOffset, Literal(evidence.end, datatype=XSD.integer)))
    graph.add((node, COOP.supportsProperty, prop))
    return node


def _party_node(graph: Graph, party: Party, documents: list[str], mint: _Minter) -> URIRef:
    if party.iri:
        return URIRef(party.iri)
    node = mint.institution(party)
    graph.add((node, RDF.type, KIND_CLASS.get(party.kind or "", COOP.Institution)))
    graph.add((node, SKOS.prefLabel, Literal(party.name, lang=party.language)))
    if party.acronym:
        graph.add((node, COOP.acronym, Literal(party.acronym)))
    if party.country:
        graph.add((node, COOP.country, COUNTRY[party.country]))
    if party.parent:
        if party.parent.startswith("https://"):
            graph.add((node, COOP.partOf, URIRef(party.parent)))
        else:
            country = guess_country(party.parent, party.language) or party.country
            parent = Party(
                party.parent, None, country, guess_kind(party.parent), None, None, party.language
            )
            parent_node = _party_node(graph, parent, documents, mint)
            graph.add((node, COOP.partOf, parent_node))
    for document in documents:
        graph.add((node, COOP.source, mint.source(document)))
    graph.add(
        (
            node,
            SKOS.editorialNote,
            Literal(
                "New institution proposed by kgtool extract: check the name, kind, country and"
                " parent, and look it up in ROR, before moving it into data/.",
                lang="en",
            ),
        )
    )
    return node


def to_turtle(
    documents: Iterable[DocumentResult],
    agreements: Iterable[Agreement],
    taken: TakenIris | None = None,
) -> str:
    """Return the drafts as Turtle (see :func:`to_graph`)."""
    return to_graph(documents, agreements, taken).serialize(format="turtle")
