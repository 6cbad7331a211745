"""Generate a realistic cooperation graph in kgtool's vocabulary, with known SHACL results.

The graph grows like a real one: source documents, institutions (top-level bodies and their
units, ``coop:partOf`` up to three levels), agreements between 2-4 institutions picked by
preferential attachment (a few hubs, a long tail; most agreements have an Uzbek party),
statistics, posts held by people, initiatives and evidence spans into the documents. Names are
in en, ru, uz-Latn (with the ʻ apostrophe), uz-Cyrl and, for Korean institutions, ko. Concept
IRIs, their labels and the countries are read from the project's ``ontology/`` so the data use
exactly its vocabulary.

About 1% of the records (``--defect-rate``) carry one injected defect each, chosen so that it
gives exactly one SHACL result under ``shapes/``; agreements whose signing date is unknown give
one warning each (by design of the shapes). The sidecar JSON states the expected number of
results in total, per severity, per constraint component and per defect kind.

N-Triples are written line by line (no RDF library; pyoxigraph only reads the ontology), so
1M triples take a few seconds. The same arguments give the same bytes.

    python benchmarks/generate.py --triples 100k --out benchmarks/data/100k/data/generated.nt
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import sys
from collections import Counter
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import IO, Any

import pyoxigraph as ox

ROOT = Path(__file__).resolve().parent.parent
GENERATOR_VERSION = 1
DEFAULT_SEED = 20261123
DEFAULT_RATE = 0.01

BASE = "https://w3id.org/kgtool/"
COOP = BASE + "ontology#"
ID = BASE + "id/"
RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"
SKOS = "http://www.w3.org/2004/02/skos/core#"
XSD = "http://www.w3.org/2001/XMLSchema#"
DCT = "http://purl.org/dc/terms/"
FOAF = "http://xmlns.com/foaf/0.1/"
SH = "sh:"

#: Signing dates: share of full dates, year-month, year only; the rest are unknown.
DATE_SHARES = (0.72, 0.12, 0.06)
TERMS = (("P1Y", 1), ("P2Y", 2), ("P3Y", 3), ("P5Y", 5), ("P10Y", 10))
TERM_WEIGHTS = (1, 3, 5, 4, 1)

UZ_CITIES = (
    ("Tashkent", "Ташкент", "Toshkent", "Тошкент"),
    ("Samarkand", "Самарканд", "Samarqand", "Самарқанд"),
    ("Bukhara", "Бухара", "Buxoro", "Бухоро"),
    ("Namangan", "Наманган", "Namangan", "Наманган"),
    ("Andijan", "Андижан", "Andijon", "Андижон"),
    ("Fergana", "Фергана", "Fargʻona", "Фарғона"),
    ("Nukus", "Нукус", "Nukus", "Нукус"),
    ("Karshi", "Карши", "Qarshi", "Қарши"),
    ("Termez", "Термез", "Termiz", "Термиз"),
    ("Urgench", "Ургенч", "Urganch", "Урганч"),
    ("Jizzakh", "Джизак", "Jizzax", "Жиззах"),
    ("Navoi", "Навои", "Navoiy", "Навоий"),
    ("Gulistan", "Гулистан", "Guliston", "Гулистон"),
    ("Kokand", "Коканд", "Qoʻqon", "Қўқон"),
)
KO_CITIES = ("서울", "부산", "대전", "인천", "대구", "광주", "울산", "수원")
KO_CITIES_EN = ("Seoul", "Busan", "Daejeon", "Incheon", "Daegu", "Gwangju", "Ulsan", "Suwon")
KO_FIELDS = ("물리학", "화학", "재료과학", "생명공학", "정보기술", "에너지", "농업", "의학", "광업")
KO_SUFFIX = {"University": "대학교", "ResearchInstitute": "연구원", "Company": "주식회사"}

#: Kind -> (en head, ru head, uz-Latn word, uz-Cyrl word) for names; units below.
KIND_WORDS = {
    "University": ("State University", "Государственный университет", "davlat universiteti",
                   "давлат университети"),
    "ResearchInstitute": ("Research Institute", "Научно-исследовательский институт",
                          "ilmiy-tadqiqot instituti", "илмий-тадқиқот институти"),
    "AcademyOfSciences": ("Academy of Sciences", "Академия наук", "Fanlar akademiyasi",
                          "Фанлар академияси"),
    "Company": ("Joint-Stock Company", "Акционерное общество", "aksiyadorlik jamiyati",
                "акциядорлик жамияти"),
    "GovernmentBody": ("Agency", "Агентство", "agentligi", "агентлиги"),
}  # fmt: skip
UNIT_WORDS = (
    ("Department of", "Кафедра", "kafedrasi", "кафедраси"),
    ("Laboratory of", "Лаборатория", "laboratoriyasi", "лабораторияси"),
    ("Centre for", "Центр", "markazi", "маркази"),
)
TOP_KINDS = ("University", "ResearchInstitute", "Company", "GovernmentBody", "AcademyOfSciences")
TOP_KIND_WEIGHTS = (45, 25, 18, 8, 2)
PERSON_NAMES = (
    ("Alisher", "Алишер"), ("Dilnoza", "Дильноза"), ("Rustam", "Рустам"), ("Malika", "Малика"),
    ("Bekzod", "Бекзод"), ("Gulnora", "Гульнора"), ("Sardor", "Сардор"), ("Nodira", "Нодира"),
)  # fmt: skip
SURNAMES = (
    ("Karimov", "Каримов"), ("Yusupova", "Юсупова"), ("Rahimov", "Рахимов"),
    ("Tursunova", "Турсунова"), ("Saidov", "Саидов"), ("Nazarova", "Назарова"),
)  # fmt: skip
ROR_ALPHABET = "0123456789abcdefghjkmnpqrstvwxyz"
SPAN_PROPERTIES = ("party", "kind", "signedOn", "term", "direction", "researchField")

#: Injected defects per record type: name -> (constraint component, what is wrong).
DEFECTS: dict[str, dict[str, tuple[str, str]]] = {
    "agreement": {
        "single-party": ("MinCountConstraintComponent", "one coop:party instead of two or more"),
        "party-not-institution": ("ClassConstraintComponent", "a coop:Country as a party"),
        "kind-from-other-scheme": ("NodeConstraintComponent", "coop:kind is a direction"),
        "two-kinds": ("MaxCountConstraintComponent", "two coop:kind values"),
        "direction-from-other-scheme": ("NodeConstraintComponent", "a field as coop:direction"),
        "signed-on-as-text": ("OrConstraintComponent", "coop:signedOn as a plain string"),
        "expires-before-signed": ("SPARQLConstraintComponent", "coop:expiresOn before signing"),
        "extendable-not-boolean": ("DatatypeConstraintComponent", 'coop:extendable "yes"'),
        "entry-into-force-literal": ("NodeKindConstraintComponent", "a literal, not a concept"),
        "title-in-french": ("LanguageInConstraintComponent", "a title tagged @fr"),
        "no-source": ("MinCountConstraintComponent", "no coop:source"),
        "evidence-not-span": ("ClassConstraintComponent", "coop:evidence names a document"),
    },
    "institution": {
        "no-source": ("MinCountConstraintComponent", "no coop:source"),
        "two-english-names": ("UniqueLangConstraintComponent", "two skos:prefLabel @en"),
        "name-in-german": ("LanguageInConstraintComponent", "a skos:altLabel tagged @de"),
        "bad-ror": ("PatternConstraintComponent", "a ROR IRI that is not a ROR id"),
        "bad-wikidata": ("PatternConstraintComponent", "a Wikidata IRI without a Q number"),
        "two-countries": ("MaxCountConstraintComponent", "two coop:country values"),
    },
    "observation": {
        "value-not-decimal": ("DatatypeConstraintComponent", "coop:value as a string"),
        "qualifier-not-allowed": ("InConstraintComponent", "qual:under, outside the list"),
        "no-unit": ("MinCountConstraintComponent", "no coop:unit"),
        "measure-from-other-scheme": ("NodeConstraintComponent", "a unit as coop:measure"),
    },
    "document": {
        "bad-sha256": ("PatternConstraintComponent", "coop:sha256 is not 64 hex digits"),
        "language-not-allowed": ("InConstraintComponent", 'coop:language "de"'),
        "two-identifiers": ("MaxCountConstraintComponent", "two dcterms:identifier values"),
    },
    "span": {
        "start-after-end": ("LessThanConstraintComponent", "startOffset ≥ endOffset"),
        "negative-start": ("MinInclusiveConstraintComponent", "a negative startOffset"),
        "no-document": ("MinCountConstraintComponent", "no coop:inDocument"),
    },
}


# --- the vocabulary, read from ontology/ ------------------------------------------------------


@dataclass(frozen=True)
class Concept:
    iri: str
    labels: dict[str, str]  # en, ru, uz-Latn, uz-Cyrl


@dataclass(frozen=True)
class Vocabulary:
    schemes: dict[str, list[Concept]]  # scheme local name -> concepts, sorted by IRI
    countries: list[Concept]  # coop:Country individuals, sorted by IRI

    def concepts(self, scheme: str) -> list[Concept]:
        found = self.schemes.get(scheme)
        if not found:
            raise SystemExit(f"ontology/: no concepts in scheme:{scheme}")
        return found


_TAGS = {"en": "en", "ru": "ru", "uz-latn": "uz-Latn", "uz-cyrl": "uz-Cyrl", "ko": "ko"}


def read_vocabulary(ontology_dir: Path) -> Vocabulary:
    """Return the concept schemes and countries of ``ontology_dir`` (sorted, so runs agree)."""
    store: Any = ox.Store()  # query() is typed as a union of result kinds
    for path in sorted(ontology_dir.glob("*.ttl")):
        store.load(path=str(path), format=ox.RdfFormat.TURTLE)
    labels: dict[str, dict[str, str]] = {}
    for row in store.query(f"SELECT ?c ?l WHERE {{ ?c <{SKOS}prefLabel> ?l }}"):
        c, label = row[0], row[1]
        if isinstance(label, ox.Literal) and label.language:
            labels.setdefault(c.value, {})[_TAGS.get(label.language, label.language)] = label.value
    schemes: dict[str, list[Concept]] = {}
    for row in store.query(
        f"SELECT DISTINCT ?c ?s WHERE {{ ?c a <{SKOS}Concept> ; "
        f"<{SKOS}inScheme>|<{SKOS}topConceptOf> ?s }}"
    ):
        scheme = row[1].value.rsplit("/", 1)[-1]
        schemes.setdefault(scheme, []).append(Concept(row[0].value, labels.get(row[0].value, {})))
    countries = [
        Concept(row[0].value, labels.get(row[0].value, {}))
        for row in store.query(f"SELECT ?c WHERE {{ ?c a <{COOP}Country> }}")
    ]
    for concepts in schemes.values():
        concepts.sort(key=lambda c: c.iri)
    countries.sort(key=lambda c: c.iri)
    return Vocabulary(schemes, countries)


# --- writing N-Triples --------------------------------------------------------------------------


def _escape(text: str) -> str:
    return text.replace("\\", "\\\\").replace('"', '\\"').replace("\n", "\\n").replace("\r", "\\r")


def iri(value: str) -> str:
    return f"<{value}>"


def lang(text: str, tag: str) -> str:
    return f'"{_escape(text)}"@{tag}'


def typed(text: str, datatype: str) -> str:
    return f'"{_escape(text)}"^^<{XSD}{datatype}>'


def plain(text: str) -> str:
    return f'"{_escape(text)}"'


# --- the generator ------------------------------------------------------------------------------


@dataclass
class Institution:
    iri: str
    kind: str
    country: Concept
    depth: int
    names_en: str


@dataclass
class Generator:
    """Writes one graph; ``triples`` counts the lines written, ``expected`` the SHACL results."""

    out: IO[str]
    vocab: Vocabulary
    rng: random.Random
    seed: int
    rate: float
    triples: int = 0
    counts: Counter[str] = field(default_factory=Counter)
    defects: Counter[str] = field(default_factory=Counter)
    results: Counter[tuple[str, str]] = field(default_factory=Counter)  # (severity, component)
    institutions: list[Institution] = field(default_factory=list)
    tops: list[Institution] = field(default_factory=list)
    parents: list[Institution] = field(default_factory=list)  # depth < 3: may get units
    party_pool: list[int] = field(default_factory=list)  # preferential attachment
    uz_pool: list[int] = field(default_factory=list)
    documents: list[str] = field(default_factory=list)
    initiatives: list[str] = field(default_factory=list)
    spans: int = 0

    def __post_init__(self) -> None:
        self.uz = next(c for c in self.vocab.countries if c.iri.endswith("/UZ"))
        self.kr = next((c for c in self.vocab.countries if c.iri.endswith("/KR")), None)
        others = [c for c in self.vocab.countries if c is not self.uz]
        # Zipf-like weights: a few countries partner often, most rarely (the order is seeded).
        shuffled = others[:]
        self.rng.shuffle(shuffled)
        self.other_countries = shuffled
        self.other_weights = [1.0 / (rank + 1) for rank in range(len(shuffled))]
        self.directions = self.vocab.concepts("directions")
        self.fields = self.vocab.concepts("fields")
        self.kinds = self.vocab.concepts("agreement-kinds")
        self.provisions = self.vocab.concepts("provisions")
        self.measures = self.vocab.concepts("measures")
        self.units = self.vocab.concepts("units")
        self.roles = self.vocab.concepts("roles")
        self.party_roles = self.vocab.concepts("party-roles")
        self.entry = next(c for c in self.vocab.concepts("entry-into-force") if "signing" in c.iri)
        self.extension = next(
            c for c in self.vocab.concepts("extension-clauses") if "mutual" in c.iri
        )

    # writing ----------------------------------------------------------------------------------

    def t(self, s: str, p: str, o: str) -> None:
        self.out.write(f"{s} {p} {o} .\n")
        self.triples += 1

    def defect(self, record: str) -> str | None:
        """Return a defect kind for this record (``rate`` of the time), booking its result."""
        if self.rng.random() >= self.rate:
            return None
        name = self.rng.choice(sorted(DEFECTS[record]))
        self.defects[f"{record}/{name}"] += 1
        self.results[("Violation", DEFECTS[record][name][0])] += 1
        return name

    # records ----------------------------------------------------------------------------------

    def document(self) -> str:
        i = len(self.documents)
        sha = hashlib.sha256(f"kgtool-bench:{self.seed}:{i}".encode()).hexdigest()
        node = iri(f"{ID}source/g{i:06d}_{sha[:16]}")
        defect = self.defect("document")
        self.t(node, iri(RDF_TYPE), iri(COOP + "SourceDocument"))
        self.t(node, iri(DCT + "identifier"), plain(f"g{i:06d}_{sha[:16]}.txt"))
        if defect == "two-identifiers":
            self.t(node, iri(DCT + "identifier"), plain(f"g{i:06d}.txt"))
        language = self.rng.choices(("uz-Latn", "ru", "en", "uz-Cyrl", "ko"), (40, 35, 15, 7, 3))[0]
        self.t(
            node,
            iri(COOP + "language"),
            plain("de" if defect == "language-not-allowed" else language),
        )
        self.t(node, iri(COOP + "sha256"), plain("NOT-A-HASH" if defect == "bad-sha256" else sha))
        if self.rng.random() < 0.7:
            self.t(node, iri(COOP + "published"), typed(self.random_date().isoformat(), "date"))
        self.documents.append(node)
        self.counts["documents"] += 1
        return node

    def span(self, prop: str, documents: list[str]) -> str:
        """Return a new evidence span in one of ``documents`` (those the fact cites)."""
        self.spans += 1
        doc = self.rng.choice(documents)
        start = self.rng.randrange(0, 6000)
        end = start + self.rng.randrange(8, 240)
        node = iri(f"{ID}span/g{self.spans:07d}-{start}-{end}-{prop.lower()}")
        defect = self.defect("span")
        if defect == "start-after-end":
            start, end = end, start
        elif defect == "negative-start":
            start = -start - 1
        self.t(node, iri(RDF_TYPE), iri(COOP + "EvidenceSpan"))
        if defect != "no-document":
            self.t(node, iri(COOP + "inDocument"), doc)
        self.t(node, iri(COOP + "startOffset"), typed(str(start), "integer"))
        self.t(node, iri(COOP + "endOffset"), typed(str(end), "integer"))
        self.t(node, iri(COOP + "supportsProperty"), iri(COOP + prop))
        self.counts["evidence_spans"] += 1
        return node

    def cite(self, node: str, weights: tuple[int, ...]) -> list[str]:
        """Write 1-2 recent documents as the sources of ``node``; return them."""
        k = self.rng.choice(weights)
        documents = sorted(set(self.rng.choices(self.documents[-20:], k=k)))
        for doc in documents:
            self.t(node, iri(COOP + "source"), doc)
        return documents

    def sources(self, node: str, prop_for_span: str, evidence_share: float) -> None:
        documents = self.cite(node, (1, 1, 2))
        if self.rng.random() < evidence_share:
            self.t(node, iri(COOP + "evidence"), self.span(prop_for_span, documents))

    def institution(self) -> None:
        i = len(self.institutions)
        node_iri = f"{ID}org/g{i:06d}"
        node = iri(node_iri)
        parent: Institution | None = None
        if self.parents and self.rng.random() < 0.4:
            parent = self.rng.choice(self.parents)
        if parent is None:
            kind = self.rng.choices(TOP_KINDS, TOP_KIND_WEIGHTS)[0]
            country = (
                self.uz
                if self.rng.random() < 0.45
                else self.rng.choices(self.other_countries, self.other_weights)[0]
            )
            depth = 0
        else:
            kind = (
                "ResearchInstitute"
                if parent.kind == "AcademyOfSciences" and self.rng.random() < 0.7
                else "OrganisationalUnit"
            )
            country, depth = parent.country, parent.depth + 1
        defect = self.defect("institution")
        names = self.names(kind, country, parent, i)
        self.t(node, iri(RDF_TYPE), iri(COOP + kind))
        for tag, text in names.items():
            self.t(node, iri(SKOS + "prefLabel"), lang(text, tag))
        if defect == "two-english-names":
            self.t(node, iri(SKOS + "prefLabel"), lang(names["en"] + " (former name)", "en"))
        if self.rng.random() < 0.25:
            self.t(node, iri(SKOS + "altLabel"), lang(names["en"].replace("State ", ""), "en"))
        if defect == "name-in-german":
            self.t(node, iri(SKOS + "altLabel"), lang("Forschungszentrum", "de"))
        if self.rng.random() < 0.05:  # a misspelling as a source wrote it
            self.t(node, iri(SKOS + "hiddenLabel"), lang(names["ru"].replace("а", "о", 1), "ru"))
        if parent is not None:
            self.t(node, iri(COOP + "partOf"), iri(parent.iri))
        self.t(node, iri(COOP + "country"), iri(country.iri))
        if defect == "two-countries":
            other = self.rng.choice([c for c in self.vocab.countries if c is not country])
            self.t(node, iri(COOP + "country"), iri(other.iri))
        if parent is None:
            if self.rng.random() < 0.3:
                acronym = "".join(w[0] for w in names["en"].split() if w[0].isupper())
                self.t(node, iri(COOP + "acronym"), plain(acronym))
            if defect != "bad-ror" and self.rng.random() < 0.3:
                self.t(node, iri(COOP + "ror"), iri(ror_id(i)))
            if defect != "bad-wikidata" and self.rng.random() < 0.2:
                self.t(
                    node, iri(COOP + "wikidata"), iri(f"http://www.wikidata.org/entity/Q{i + 1000}")
                )
        if defect == "bad-ror":
            self.t(node, iri(COOP + "ror"), iri(f"https://ror.org/not-an-id-{i}"))
        if defect == "bad-wikidata":
            self.t(node, iri(COOP + "wikidata"), iri(f"http://www.wikidata.org/entity/X{i}"))
        if defect != "no-source":
            self.sources(node, "prefLabel", 0.3)
        record = Institution(node_iri, kind, country, depth, names["en"])
        self.institutions.append(record)
        if parent is None:
            self.tops.append(record)
        if depth < 3:
            self.parents.append(record)
        self.party_pool.append(i)
        if country is self.uz:
            self.uz_pool.append(i)
        self.counts["institutions"] += 1
        self.counts["units" if parent else "top_level_institutions"] += 1
        if parent is None and self.rng.random() < 0.06:
            self.post(record)

    def names(
        self, kind: str, country: Concept, parent: Institution | None, i: int
    ) -> dict[str, str]:
        field_ = self.rng.choice(self.fields).labels
        if parent is not None:
            words = self.rng.choice(UNIT_WORDS)
            if kind == "ResearchInstitute":
                words = ("Institute of", "Институт", "instituti", "институти")
            en_field = field_["en"]
            return {
                "en": f"{words[0]} {en_field[0].upper()}{en_field[1:]} No. {i}",
                "ru": f"{words[1]} «{field_['ru']}» № {i}",
                "uz-Latn": f"{field_['uz-Latn']} {words[2]} № {i}",
                "uz-Cyrl": f"{field_['uz-Cyrl']} {words[3]} № {i}",
            }
        head = KIND_WORDS[kind]
        if country is self.uz:
            city = self.rng.choice(UZ_CITIES)
            en_field = field_["en"].capitalize()
            names = {
                "en": f"{city[0]} {head[0]} of {en_field}",
                "ru": f"{head[1]} «{field_['ru']}», {city[1]}",
                "uz-Latn": f"{city[2]} {field_['uz-Latn']} {head[2]}",
                "uz-Cyrl": f"{city[3]} {field_['uz-Cyrl']} {head[3]}",
            }
        elif country is self.kr and kind in KO_SUFFIX:
            c = self.rng.randrange(len(KO_CITIES))
            names = {
                "en": f"{KO_CITIES_EN[c]} {head[0]} of {field_['en'].capitalize()}",
                "ru": f"{head[1]} «{field_['ru']}», {KO_CITIES_EN[c]}",
                "uz-Latn": f"{KO_CITIES_EN[c]} {field_['uz-Latn']} {head[2]}",
                "ko": f"{KO_CITIES[c]}{self.rng.choice(KO_FIELDS)}{KO_SUFFIX[kind]}",
            }
        else:
            land = country.labels
            names = {
                "en": f"{land.get('en', 'National')} {head[0]} of {field_['en'].capitalize()}",
                "ru": f"{head[1]} «{field_['ru']}» ({land.get('ru', '')})",
                "uz-Latn": f"{land.get('uz-Latn', '')} {field_['uz-Latn']} {head[2]}".strip(),
            }
        # Tell same-named institutions apart the way registries do: by a number.
        if self.rng.random() < 0.5:
            names = {tag: f"{text} {i}" for tag, text in names.items()}
        return names

    def post(self, institution: Institution) -> None:
        i = self.counts["posts"]
        post, person = iri(f"{ID}post/g{i:06d}"), iri(f"{ID}person/g{i:06d}")
        first, last = self.rng.choice(PERSON_NAMES), self.rng.choice(SURNAMES)
        self.t(post, iri(RDF_TYPE), iri(COOP + "Post"))
        self.t(post, iri(COOP + "postIn"), iri(institution.iri))
        self.t(post, iri(COOP + "role"), iri(self.rng.choice(self.roles).iri))
        self.t(post, iri(COOP + "heldBy"), person)
        self.t(person, iri(RDF_TYPE), iri(COOP + "Person"))
        self.t(person, iri(FOAF + "name"), lang(f"{first[0]} {last[0]}", "uz-Latn"))
        self.t(person, iri(FOAF + "name"), lang(f"{first[1]} {last[1]}", "ru"))
        self.counts["posts"] += 1
        self.counts["persons"] += 1

    def initiative(self) -> None:
        i = len(self.initiatives)
        node = iri(f"{ID}initiative/g{i:04d}")
        field_ = self.rng.choice(self.fields).labels
        self.t(node, iri(RDF_TYPE), iri(COOP + "Initiative"))
        self.t(node, iri(SKOS + "prefLabel"), lang(f"{field_['en'].capitalize()} valley {i}", "en"))
        self.t(node, iri(SKOS + "prefLabel"), lang(f"Долина «{field_['ru']}» {i}", "ru"))
        self.t(node, iri(SKOS + "prefLabel"), lang(f"{field_['uz-Latn']} vodiysi {i}", "uz-Latn"))
        starter = self.institutions[self.rng.choice(self.uz_pool or self.party_pool)]
        self.t(node, iri(COOP + "initiatedBy"), iri(starter.iri))
        self.t(node, iri(COOP + "country"), iri(self.uz.iri))
        self.initiatives.append(node)
        self.counts["initiatives"] += 1

    def pick_parties(self) -> list[int]:
        wanted = self.rng.choices((2, 3, 4), (80, 15, 5))[0]
        chosen: list[int] = []
        if self.uz_pool and self.rng.random() < 0.75:
            chosen.append(self.rng.choice(self.uz_pool))
        while len(chosen) < wanted:
            candidate = self.rng.choice(self.party_pool)
            if candidate not in chosen:
                chosen.append(candidate)
        return chosen

    def agreement(self) -> None:
        i = self.counts["agreements"]
        node = iri(f"{ID}agreement/g{i:07d}")
        defect = self.defect("agreement")
        parties = self.pick_parties()
        if defect == "single-party":
            parties = parties[:1]
        self.party_pool.extend(parties)  # the more agreements, the likelier the next one
        kind = self.rng.choices(self.kinds, (4, 2, 4, 3, 1) if len(self.kinds) == 5 else None)[0]
        self.t(node, iri(RDF_TYPE), iri(COOP + "Agreement"))
        if defect == "kind-from-other-scheme":
            self.t(node, iri(COOP + "kind"), iri(self.rng.choice(self.directions).iri))
        else:
            self.t(node, iri(COOP + "kind"), iri(kind.iri))
        if defect == "two-kinds":
            other = self.rng.choice([k for k in self.kinds if k is not kind])
            self.t(node, iri(COOP + "kind"), iri(other.iri))
        names = [self.institutions[p].names_en for p in parties]
        between = names[0] if len(names) == 1 else ", ".join(names[:-1]) + " and " + names[-1]
        label = kind.labels
        self.t(
            node, iri(COOP + "title"), lang(f"{label['en'].capitalize()} between {between}", "en")
        )
        if self.rng.random() < 0.6:
            self.t(node, iri(COOP + "title"), lang(label["ru"].capitalize(), "ru"))
        if self.rng.random() < 0.5:
            self.t(node, iri(COOP + "title"), lang(label["uz-Latn"].capitalize(), "uz-Latn"))
        if defect == "title-in-french":
            self.t(node, iri(COOP + "title"), lang("Accord de coopération", "fr"))
        for p in parties:
            self.t(node, iri(COOP + "party"), iri(self.institutions[p].iri))
        if defect == "party-not-institution":
            self.t(node, iri(COOP + "party"), iri(self.rng.choice(self.other_countries).iri))
        if self.rng.random() < 0.03:
            for p in parties[:2]:
                role = self.rng.choice(self.party_roles)
                blank = f"_:q{i}x{p}"
                self.t(node, iri(COOP + "qualifiedParty"), blank)
                self.t(blank, iri(RDF_TYPE), iri(COOP + "PartyRole"))
                self.t(blank, iri(COOP + "agent"), iri(self.institutions[p].iri))
                self.t(blank, iri(COOP + "partyRole"), iri(role.iri))

        # Dates: full, year-month, year, or unknown (a warning by design of the shapes).
        roll = self.rng.random()
        signed = self.random_date()
        need_full = defect == "expires-before-signed"
        precision = (
            "full"
            if need_full or roll < DATE_SHARES[0]
            else "month"
            if roll < sum(DATE_SHARES[:2])
            else "year"
            if roll < sum(DATE_SHARES)
            else "unknown"
        )
        if defect == "signed-on-as-text":
            precision = "text"
        if precision == "full":
            self.t(node, iri(COOP + "signedOn"), typed(signed.isoformat(), "date"))
        elif precision == "month":
            self.t(node, iri(COOP + "signedOn"), typed(signed.isoformat()[:7], "gYearMonth"))
        elif precision == "year":
            self.t(node, iri(COOP + "signedOn"), typed(str(signed.year), "gYear"))
        elif precision == "text":
            self.t(node, iri(COOP + "signedOn"), plain(signed.strftime("%d.%m.%Y")))
        else:
            self.results[("Warning", "MinCountConstraintComponent")] += 1
            self.counts["agreements_without_signing_date"] += 1
        if need_full or self.rng.random() < 0.85:
            term, years = self.rng.choices(TERMS, TERM_WEIGHTS)[0]
            self.t(node, iri(COOP + "term"), typed(term, "duration"))
            if precision == "full":
                expires = add_years(signed, -1 if need_full else years)
                self.t(node, iri(COOP + "expiresOn"), typed(expires.isoformat(), "date"))
        if defect == "extendable-not-boolean":
            self.t(node, iri(COOP + "extendable"), plain("yes"))
        elif self.rng.random() < 0.6:
            extendable = self.rng.random() < 0.7
            self.t(node, iri(COOP + "extendable"), typed(str(extendable).lower(), "boolean"))
            if extendable:
                self.t(node, iri(COOP + "extensionClause"), iri(self.extension.iri))
        if defect == "entry-into-force-literal":
            self.t(node, iri(COOP + "entryIntoForce"), plain("on signing"))
        elif self.rng.random() < 0.5:
            self.t(node, iri(COOP + "entryIntoForce"), iri(self.entry.iri))
        for d in self.rng.sample(
            self.directions, self.rng.choices((1, 2, 3, 4, 6), (2, 4, 3, 2, 1))[0]
        ):
            self.t(node, iri(COOP + "direction"), iri(d.iri))
        if defect == "direction-from-other-scheme":
            self.t(node, iri(COOP + "direction"), iri(self.rng.choice(self.fields).iri))
        for f in self.rng.sample(self.fields, self.rng.choices((0, 1, 2, 3), (2, 4, 3, 1))[0]):
            self.t(node, iri(COOP + "researchField"), iri(f.iri))
        for provision in self.rng.sample(
            self.provisions, self.rng.choices((0, 1, 2), (5, 3, 2))[0]
        ):
            self.t(node, iri(COOP + "provision"), iri(provision.iri))
        if self.rng.random() < 0.1:
            self.t(node, iri(COOP + "signingVenue"), iri(self.institutions[parties[0]].iri))
        if self.initiatives and self.rng.random() < 0.05:
            self.t(node, iri(COOP + "supportsInitiative"), self.rng.choice(self.initiatives))
        if defect != "no-source":  # without sources, spans would warn (uncited document)
            documents = self.cite(node, (1, 1, 1, 2))
            for _ in range(self.rng.choices((0, 1, 2, 3), (2, 3, 3, 2))[0]):
                prop = self.rng.choice(SPAN_PROPERTIES)
                self.t(node, iri(COOP + "evidence"), self.span(prop, documents))
        if defect == "evidence-not-span":
            self.t(node, iri(COOP + "evidence"), self.rng.choice(self.documents))
        self.counts["agreements"] += 1

    def observation(self) -> None:
        i = self.counts["observations"]
        node = iri(f"{ID}observation/g{i:06d}")
        defect = self.defect("observation")
        subject = self.rng.choice(self.tops)
        self.t(node, iri(RDF_TYPE), iri(COOP + "Observation"))
        self.t(node, iri(COOP + "subject"), iri(subject.iri))
        measure = self.rng.choice(
            self.units if defect == "measure-from-other-scheme" else self.measures
        )
        self.t(node, iri(COOP + "measure"), iri(measure.iri))
        value = str(self.rng.randrange(1, 500)) + ("" if self.rng.random() < 0.7 else ".5")
        self.t(
            node,
            iri(COOP + "value"),
            plain("about a hundred") if defect == "value-not-decimal" else typed(value, "decimal"),
        )
        if defect != "no-unit":
            self.t(node, iri(COOP + "unit"), iri(self.rng.choice(self.units).iri))
        qualifier = (
            "under"
            if defect == "qualifier-not-allowed"
            else self.rng.choice(("about", "over", "exactly"))
        )
        self.t(node, iri(COOP + "qualifier"), iri(f"{ID}qualifier/{qualifier}"))
        if self.rng.random() < 0.3:
            self.t(node, iri(COOP + "period"), typed("P1Y", "duration"))
        if self.rng.random() < 0.5:
            self.t(node, iri(COOP + "asOf"), typed(self.random_date().isoformat(), "date"))
        if self.rng.random() < 0.1:
            self.t(
                node, iri(COOP + "refersToCountry"), iri(self.rng.choice(self.other_countries).iri)
            )
        self.sources(node, "value", 0.5)
        self.counts["observations"] += 1

    def random_date(self) -> date:
        return date.fromordinal(
            self.rng.randrange(date(2014, 1, 1).toordinal(), date(2027, 1, 1).toordinal())
        )

    # the whole graph --------------------------------------------------------------------------

    def run(self, target: int) -> None:
        """Write blocks (documents, institutions, agreements, statistics) until ``target``."""
        for _ in range(3):
            self.document()
        for _ in range(12):
            self.institution()
        while self.triples < target:
            self.document()
            for _ in range(self.rng.choice((2, 3, 3, 4))):
                self.institution()
            for _ in range(10):
                self.agreement()
            if self.rng.random() < 0.8:
                self.observation()
            if self.rng.random() < 0.02:
                self.initiative()


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def ror_id(i: int) -> str:
    """Return a well-formed, unique ROR IRI for institution ``i``."""
    digits = []
    n = i
    for _ in range(6):
        n, r = divmod(n, len(ROR_ALPHABET))
        digits.append(ROR_ALPHABET[r])
    return f"https://ror.org/0{''.join(reversed(digits))}{i % 97:02d}"


def parse_size(text: str) -> int:
    """Return the number named by ``10k``, ``1m``, ``5M`` or ``12000``."""
    value = text.strip().lower().replace("_", "")
    scale = {"k": 1_000, "m": 1_000_000}.get(value[-1:], 1)
    number = value[:-1] if scale > 1 else value
    return int(float(number) * scale)


def generate(
    out: Path,
    triples: int,
    *,
    seed: int = DEFAULT_SEED,
    rate: float = DEFAULT_RATE,
    ontology_dir: Path = ROOT / "ontology",
    meta: Path | None = None,
) -> dict[str, Any]:
    """Write about ``triples`` triples to ``out`` (N-Triples) and the sidecar; return it."""
    vocab = read_vocabulary(ontology_dir)
    out.parent.mkdir(parents=True, exist_ok=True)
    partial = out.with_name(out.name + ".part")
    with partial.open("w", encoding="utf-8", newline="\n", buffering=1 << 20) as stream:
        gen = Generator(stream, vocab, random.Random(seed), seed, rate)
        gen.run(triples)
    partial.replace(out)
    by_severity: Counter[str] = Counter()
    by_component: dict[str, dict[str, int]] = {}
    for (severity, component), n in sorted(gen.results.items()):
        by_severity[severity] += n
        by_component.setdefault(severity, {})[f"sh:{component}"] = n
    info: dict[str, Any] = {
        "generator": "benchmarks/generate.py",
        "version": GENERATOR_VERSION,
        "seed": seed,
        "defect_rate": rate,
        "target_triples": triples,
        "triples": gen.triples,
        "file": out.name,
        "bytes": out.stat().st_size,
        "counts": dict(sorted(gen.counts.items())),
        "defects": dict(sorted(gen.defects.items())),
        "defect_kinds": {
            f"{record}/{name}": {"component": f"sh:{component}", "what": what}
            for record, kinds in DEFECTS.items()
            for name, (component, what) in sorted(kinds.items())
        },
        "expected": {
            "results": sum(by_severity.values()),
            "violations": by_severity["Violation"],
            "warnings": by_severity["Warning"],
            "by_severity_and_component": by_component,
            "note": "every injected defect gives one violation; every agreement without a "
            "signing date gives one warning (AgreementShape: coop:signedOn minCount 1, "
            "severity Warning); the ontology itself adds none",
        },
    }
    # Parameter values for the library queries that need one: the busiest top-level
    # institution, and the first agreement.
    tops = {inst.iri for inst in gen.tops}
    busiest = Counter(gen.institutions[i].iri for i in gen.party_pool)
    hub = next(name for name, _ in busiest.most_common() if name in tops)
    info["samples"] = {"institution": hub, "agreement": f"{ID}agreement/g{0:07d}"}
    meta = meta or out.with_suffix(".json")
    meta.write_text(json.dumps(info, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return info


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--triples", default="10k", help="about how many triples (10k, 1m, 5m)")
    parser.add_argument("--out", type=Path, required=True, help="N-Triples file to write")
    parser.add_argument("--meta", type=Path, help="sidecar JSON (default: OUT with .json)")
    parser.add_argument("--seed", type=int, default=DEFAULT_SEED)
    parser.add_argument("--defect-rate", type=float, default=DEFAULT_RATE)
    parser.add_argument("--ontology", type=Path, default=ROOT / "ontology")
    args = parser.parse_args(argv)
    info = generate(
        args.out,
        parse_size(args.triples),
        seed=args.seed,
        rate=args.defect_rate,
        ontology_dir=args.ontology,
        meta=args.meta,
    )
    expected = info["expected"]
    print(
        f"{args.out}: {info['triples']} triples, {info['counts'].get('institutions', 0)} "
        f"institutions, {info['counts'].get('agreements', 0)} agreements; expected "
        f"{expected['violations']} violations + {expected['warnings']} warnings",
        file=sys.stderr,
    )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
