"""What the graph already knows that extraction needs: institutions, countries and their names.

Names are resolved through ``kgtool.names.NameIndex`` (inflection, transliteration, acronyms).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass, field

from rdflib import Graph, Literal, URIRef
from rdflib.collection import Collection
from rdflib.namespace import RDF, RDFS, SH, SKOS

from kgtool.extract.model import TakenIris
from kgtool.names import NameIndex
from kgtool.project import COOP, ID

ORG = ID + "org/"
COUNTRY = ID + "country/"

#: Institution classes and the kind name the JSON output uses for each.
KIND_CLASSES: dict[str, str] = {
    "AcademyOfSciences": "academy",
    "ResearchInstitute": "institute",
    "University": "university",
    "Company": "company",
    "GovernmentBody": "government body",
    "OrganisationalUnit": "unit",
    "Institution": "institution",
}

#: The lowest NameIndex score taken as "the same institution" (exact, transliterated, inflected
#: or acronym matches; token overlap alone is never enough for a draft).
MIN_SCORE = 0.8


@dataclass
class InstitutionInfo:
    """An institution of the graph, with what the output reports about it."""

    iri: str
    kind: str = "institution"
    country: str | None = None
    parent: str | None = None
    labels: dict[str, list[str]] = field(default_factory=lambda: defaultdict(list))
    acronyms: list[str] = field(default_factory=list)

    def name(self, language: str) -> str:
        """Return the preferred name in ``language`` (a BCP 47 tag), else in English."""
        for tag in (language, "en", *self.labels):
            if self.labels.get(tag):
                return self.labels[tag][0]
        return self.iri.rsplit("/", 1)[-1]


class Catalogue:
    """Institutions and countries of the graph, and name resolution over them."""

    def __init__(self, graph: Graph) -> None:
        self.graph = graph
        self.institutions: dict[str, InstitutionInfo] = {}
        self.countries: dict[str, list[str]] = {}  # code -> names in any language
        self._load_institutions()
        self._load_countries()
        #: ISO 3166-1 alpha-2 codes the shapes accept (sh:in on coop:countryCode).
        self.country_codes: frozenset[str] = self._iso_codes() or frozenset(self.countries)
        #: Every IRI the graph describes: drafts mint none of them.
        self.taken = TakenIris(
            frozenset(str(s) for s in graph.subjects() if isinstance(s, URIRef)),
            {str(sha): str(s) for s, sha in graph.subject_objects(COOP.sha256)},
        )
        self._index = NameIndex.from_graph(graph)

    def _load_institutions(self) -> None:
        classes = {COOP[name]: kind for name, kind in KIND_CLASSES.items()}
        for cls, kind in classes.items():
            for subject in self.graph.subjects(RDF.type, cls):
                iri = str(subject)
                info = self.institutions.get(iri)
                if info is None:
                    info = self.institutions[iri] = InstitutionInfo(iri)
                if info.kind == "institution" or kind != "institution":
                    info.kind = kind
        for iri, info in self.institutions.items():
            node = URIRef(iri)
            country = self.graph.value(node, COOP.country)
            if country is not None:
                info.country = str(country).rsplit("/", 1)[-1]
            parent = self.graph.value(node, COOP.partOf)
            if parent is not None:
                info.parent = str(parent)
            for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel, RDFS.label):
                for label in self.graph.objects(node, prop):
                    if isinstance(label, Literal):
                        tag = label.language or "en"
                        if prop == SKOS.prefLabel:
                            info.labels[tag].insert(0, str(label))
                        elif prop != SKOS.hiddenLabel:
                            info.labels[tag].append(str(label))
            for acronym in self.graph.objects(node, COOP.acronym):
                info.acronyms.append(str(acronym))

    def _load_countries(self) -> None:
        for subject in self.graph.subjects(RDF.type, COOP.Country):
            code = self.graph.value(subject, COOP.countryCode)
            key = str(code) if code is not None else str(subject).rsplit("/", 1)[-1]
            names = [str(o) for p in (SKOS.prefLabel, SKOS.altLabel, RDFS.label)
                     for o in self.graph.objects(subject, p)]  # fmt: skip
            self.countries[key] = names

    def _iso_codes(self) -> frozenset[str]:
        codes: set[str] = set()
        for shape in self.graph.subjects(SH.path, COOP.countryCode):
            listed = self.graph.value(shape, SH["in"])
            if listed is not None:
                codes.update(str(code) for code in Collection(self.graph, listed))
        return frozenset(codes)

    def country_code(self, code: str) -> str | None:
        """Return ``code`` in upper case when it is an ISO 3166-1 alpha-2 code, else None."""
        upper = code.strip().upper()
        return upper if upper in self.country_codes else None

    def resolve(self, text: str, language: str = "") -> str | None:
        """Return the IRI of the institution ``text`` names, or None when it is not known."""
        match = self.match(text)
        return match[0] if match else None

    def match(self, text: str) -> tuple[str, float, str, str] | None:
        """Return (IRI, score, rule, label) of the institution ``text`` names confidently."""
        text = text.strip(" \t\n,.;:\"'«»“”")
        if not text or not any(ch.isalpha() for ch in text):
            return None
        found = self._index.resolve(text, limit=3)
        confident = [m for m in found if m.score >= MIN_SCORE and m.rule != "token-overlap"]
        if not confident:
            return None
        best = confident[0]
        if len(confident) > 1 and confident[1].score >= best.score - 1e-9:
            return None  # two institutions fit equally well: leave it to a person
        return best.iri, best.score, best.rule, best.label

    def country_names(self) -> Iterable[tuple[str, str]]:
        for code, names in self.countries.items():
            for name in names:
                yield code, name
