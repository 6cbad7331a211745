"""The ontology in ontology/: modules, contract terms, labels, OWL 2 DL hygiene, SKOS lexicons.

Each module is read on its own with rdflib (which keeps language tags as written), so a failure
names the module. The SHACL rules in shapes/ontology.ttl are checked once at the end; the checks
here state the same rules in SPARQL and Python so that a broken shape cannot hide a broken term.
HermiT consistency is tested with kgtool's reasoner (tests/test_reason.py).
"""

from __future__ import annotations

import re
from collections import defaultdict
from pathlib import Path

import pytest
from rdflib import OWL, RDF, RDFS, Graph, Literal, Namespace, URIRef
from rdflib.namespace import SKOS
from rdflib.term import Node

from kgtool.project import COOP, ID, Project
from kgtool.validate import validate_graph

REPO_ROOT = Path(__file__).resolve().parent.parent
ONTOLOGY_DIR = REPO_ROOT / "ontology"
MODULE_BASE = "https://w3id.org/kgtool/ontology/"
MODULES = (
    "core",
    "organisations",
    "agreements",
    "directions",
    "fields",
    "initiatives",
    "countries",
    "statistics",
    "provenance",
    "mappings",
)
TERM_KINDS = (OWL.Class, OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
PROPERTY_KINDS = (OWL.ObjectProperty, OWL.DatatypeProperty, OWL.AnnotationProperty)
TERM_LANGUAGES = ("en", "ru", "uz-Latn")
CONCEPT_LANGUAGES = ("en", "ru", "uz-Latn", "uz-Cyrl")
CYRILLIC = re.compile("[\u0400-\u04ff]")
TEXT_PROPERTIES = (
    RDFS.label,
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    SKOS.definition,
    URIRef("http://purl.org/dc/terms/title"),
    URIRef("http://purl.org/dc/terms/description"),
)
DCTERMS = Namespace("http://purl.org/dc/terms/")
SCHEME = Namespace(ID + "scheme/")


def _names(text: str) -> tuple[str, ...]:
    """Split a space-separated list of names (long lists read better as one string)."""
    return tuple(text.split())


#: The vocabulary of docs/architecture.md by OWL kind (names only; definitions live in ontology/).
CONTRACT_CLASSES = _names(
    "Institution AcademyOfSciences ResearchInstitute University Company GovernmentBody "
    "OrganisationalUnit Post Person Agreement PartyRole Initiative Country Place Observation "
    "SourceDocument EvidenceSpan"
)
CONTRACT_OBJECT_PROPERTIES = _names(
    "partOf hasPart withinOrganisation country ror wikidata postIn heldBy role reportsTo kind "
    "party qualifiedParty agent partyRole signingVenue signingPlace entryIntoForce "
    "extensionClause direction researchField provision supportsInitiative initiatedBy subject "
    "measure unit qualifier refersToCountry source evidence inDocument"
)
CONTRACT_DATATYPE_PROPERTIES = _names(
    "acronym honorificPrefix signedOn term expiresOn extendable value period asOf countryCode "
    "language sha256 published startOffset endOffset"
)
CONTRACT_ANNOTATION_PROPERTIES = ("title", "supportsProperty")
CONTRACT_CONCEPTS = {
    "agreement-kinds": "kind",
    "statuses": "status",
    "provisions": "provision",
    "entry-into-force": "entry-into-force",
    "extension-clauses": "extension",
    "roles": "role",
    "measures": "measure",
    "units": "unit",
    "qualifiers": "qualifier",
    "directions": "direction",
    "fields": "field",
}
CONTRACT_CONCEPT_NAMES = {
    "agreement-kinds": (
        "memorandum-of-understanding memorandum-of-cooperation agreement contract memorandum"
    ),
    "statuses": "active expiring-soon expired unknown",
    "provisions": (
        "ip-co-ownership funding-mechanisms joint-project-evaluation "
        "research-production-consortia forums-and-conferences"
    ),
    "entry-into-force": "on-signing on-date",
    "extension-clauses": "mutual-consent automatic",
    "roles": "head vice-rector rector director president",
    "measures": (
        "active-foreign-agreements international-projects international-projects-value "
        "double-degree-specialities visiting-foreign-professors "
        "staff-and-students-trained-abroad student-origin-countries"
    ),
    "units": "agreement project USD EUR speciality person country",
    "qualifiers": "about over exactly",
    "directions": (
        "joint-research education-programmes internships-and-training technology-transfer "
        "venture-and-startups expert-exchange academic-mobility conferences-and-schools "
        "shared-infrastructure commercialisation personnel-training joint-projects "
        "knowledge-transfer joint-degree-programmes laboratory-modernisation"
    ),
    "fields": (
        "mining metallurgy materials-science chemistry rare-metals smart-materials "
        "green-technologies agriculture irrigation-and-water-management "
        "agricultural-mechanisation physics energy renewable-energy information-technology "
        "medicine biotechnology geology ecology economics education-science engineering "
        "nanotechnology"
    ),
}
REQUIRED_COUNTRIES = _names("UZ KR RU US CN KG TM TJ KZ DE CO AF JP TR IN FR GB IT")
#: Datatypes HermiT rejects: dates and durations are checked by SHACL, never by an OWL range.
NON_OWL_DATATYPES = {
    URIRef(f"http://www.w3.org/2001/XMLSchema#{name}")
    for name in ("date", "gYear", "gYearMonth", "duration")
}


def _module_iri(name: str) -> URIRef:
    return URIRef(MODULE_BASE + name)


@pytest.fixture(scope="module")
def modules() -> dict[str, Graph]:
    """Each module of ontology/ parsed on its own, by module name."""
    return {name: Graph().parse(ONTOLOGY_DIR / f"{name}.ttl", format="turtle") for name in MODULES}


@pytest.fixture(scope="module")
def ontology(modules: dict[str, Graph]) -> Graph:
    """All modules in one graph."""
    merged = Graph()
    for graph in modules.values():
        for triple in graph:
            merged.add(triple)
    return merged


def _terms(graph: Graph) -> set[URIRef]:
    """Return the coop: classes and properties declared in ``graph``."""
    return {
        s
        for kind in TERM_KINDS
        for s in graph.subjects(RDF.type, kind)
        if isinstance(s, URIRef) and s.startswith(str(COOP))
    }


def _texts(graph: Graph, subject: Node, prop: URIRef) -> list[Literal]:
    """Return the literal values of ``prop`` on ``subject``."""
    return [o for o in graph.objects(subject, prop) if isinstance(o, Literal)]


def _languages(graph: Graph, subject: Node, prop: URIRef) -> list[str | None]:
    return [text.language for text in _texts(graph, subject, prop)]


def _concepts(graph: Graph) -> set[URIRef]:
    return {s for s in graph.subjects(RDF.type, SKOS.Concept) if isinstance(s, URIRef)}


# --- modules -------------------------------------------------------------------------------


def test_ontology_folder_holds_exactly_the_modules() -> None:
    assert sorted(p.stem for p in ONTOLOGY_DIR.glob("*.ttl")) == sorted(MODULES)
    assert not [p for p in ONTOLOGY_DIR.iterdir() if p.suffix != ".ttl"]


@pytest.mark.parametrize("name", MODULES)
def test_module_parses(name: str) -> None:
    graph = Graph().parse(ONTOLOGY_DIR / f"{name}.ttl", format="turtle")
    assert len(graph) > 0


@pytest.mark.parametrize("name", MODULES)
def test_module_is_one_documented_owl_ontology(name: str, modules: dict[str, Graph]) -> None:
    graph = modules[name]
    iri = _module_iri(name)
    assert list(graph.subjects(RDF.type, OWL.Ontology)) == [iri]
    for prop in (DCTERMS.title, DCTERMS.description):
        langs = sorted(str(o.language) for o in graph.objects(iri, prop) if isinstance(o, Literal))
        assert set(TERM_LANGUAGES) <= set(langs), f"{name}: {prop} in {langs}"
        assert len(langs) == len(set(langs)), f"{name}: two {prop} in one language"
    assert graph.value(iri, OWL.versionInfo) is not None
    assert graph.value(iri, OWL.versionIRI) == URIRef(f"{iri}/{graph.value(iri, OWL.versionInfo)}")
    assert isinstance(graph.value(iri, DCTERMS.license), URIRef)


@pytest.mark.parametrize("name", MODULES)
def test_module_imports_only_local_modules_and_core(name: str, modules: dict[str, Graph]) -> None:
    imports = set(modules[name].objects(_module_iri(name), OWL.imports))
    assert imports <= {_module_iri(m) for m in MODULES if m != name}, imports
    if name != "core":
        assert _module_iri("core") in imports
    assert not list(modules[name].subject_objects(OWL.imports)) or all(
        s == _module_iri(name) for s, _ in modules[name].subject_objects(OWL.imports)
    )


def test_module_imports_have_no_cycle(modules: dict[str, Graph]) -> None:
    edges = {
        name: {str(o)[len(MODULE_BASE) :] for o in graph.objects(_module_iri(name), OWL.imports)}
        for name, graph in modules.items()
    }
    done: set[str] = set()

    def visit(name: str, path: tuple[str, ...]) -> None:
        assert name not in path, f"import cycle: {' -> '.join((*path, name))}"
        if name in done:
            return
        for target in edges[name]:
            visit(target, (*path, name))
        done.add(name)

    for name in MODULES:
        visit(name, ())


# --- terms ---------------------------------------------------------------------------------


def test_contract_terms_exist_with_their_owl_kind(ontology: Graph) -> None:
    expected = {
        OWL.Class: CONTRACT_CLASSES,
        OWL.ObjectProperty: CONTRACT_OBJECT_PROPERTIES,
        OWL.DatatypeProperty: CONTRACT_DATATYPE_PROPERTIES,
        OWL.AnnotationProperty: CONTRACT_ANNOTATION_PROPERTIES,
    }
    missing = [
        f"coop:{name} a {kind.n3()}"
        for kind, names in expected.items()
        for name in names
        if (COOP[name], RDF.type, kind) not in ontology
    ]
    assert not missing, missing


@pytest.mark.parametrize("name", MODULES)
def test_every_term_is_labelled_defined_and_placed(name: str, modules: dict[str, Graph]) -> None:
    query = """
        SELECT ?term ?problem WHERE {
            VALUES ?kind {
                owl:Class owl:ObjectProperty owl:DatatypeProperty owl:AnnotationProperty
            }
            ?term a ?kind .
            FILTER (STRSTARTS(STR(?term), STR(coop:)))
            {
                VALUES ?lang { "en" "ru" "uz-Latn" }
                FILTER NOT EXISTS { ?term rdfs:label ?label FILTER (LANG(?label) = ?lang) }
                BIND (CONCAT("no rdfs:label in ", ?lang) AS ?problem)
            } UNION {
                FILTER NOT EXISTS { ?term skos:definition ?text FILTER (LANG(?text) = "en") }
                BIND ("no English skos:definition" AS ?problem)
            } UNION {
                FILTER NOT EXISTS { ?term rdfs:isDefinedBy ?module }
                BIND ("no rdfs:isDefinedBy" AS ?problem)
            } UNION {
                ?term rdfs:isDefinedBy ?module .
                FILTER (?module != ?here)
                BIND (CONCAT("defined by ", STR(?module)) AS ?problem)
            } UNION {
                ?term rdfs:label ?one , ?other .
                FILTER (?one != ?other && LANG(?one) = LANG(?other))
                BIND (CONCAT("two rdfs:label in ", LANG(?one)) AS ?problem)
            }
        }
    """
    rows = modules[name].query(
        query,
        initNs={"owl": OWL, "rdfs": RDFS, "skos": SKOS, "coop": COOP},
        initBindings={"here": _module_iri(name)},
    )
    problems = sorted({f"{row[0]}: {row[1]}" for row in rows})  # type: ignore[index]
    assert not problems, "\n".join(problems)


def test_definitions_are_translated_or_the_gap_is_noted(ontology: Graph) -> None:
    """Terms, concepts and schemes are defined in en, ru and uz-Latn; a missing translation is
    left out and noted with skos:editorialNote rather than filled with English."""
    schemes = {s for s in ontology.subjects(RDF.type, SKOS.ConceptScheme) if isinstance(s, URIRef)}
    documented = _terms(ontology) | _concepts(ontology) | schemes
    gaps = sorted(
        f"{thing}: definitions in {sorted(map(str, langs))}"
        for thing in documented
        if not set(TERM_LANGUAGES) <= set(langs := _languages(ontology, thing, SKOS.definition))
        and ontology.value(thing, SKOS.editorialNote) is None
    )
    assert not gaps, "\n".join(gaps)


def test_every_coop_term_is_declared_in_exactly_one_module(modules: dict[str, Graph]) -> None:
    homes: dict[URIRef, list[str]] = defaultdict(list)
    for name, graph in modules.items():
        for term in _terms(graph):
            homes[term].append(name)
    assert {t: h for t, h in homes.items() if len(h) != 1} == {}


def test_every_coop_iri_used_is_declared(ontology: Graph) -> None:
    declared = _terms(ontology)
    used = {
        node
        for triple in ontology
        for node in triple
        if isinstance(node, URIRef) and node.startswith(str(COOP))
    }
    assert used - declared == set()


# --- OWL 2 DL hygiene ----------------------------------------------------------------------


def test_no_range_or_restriction_uses_a_datatype_hermit_rejects(ontology: Graph) -> None:
    bad = [(s, p, o) for s, p, o in ontology if o in NON_OWL_DATATYPES]
    assert not bad, bad


def test_no_iri_is_two_kinds_of_property(ontology: Graph) -> None:
    kinds: dict[URIRef, set[URIRef]] = defaultdict(set)
    for kind in PROPERTY_KINDS:
        for s in ontology.subjects(RDF.type, kind):
            if isinstance(s, URIRef):
                kinds[s].add(kind)
    assert {s: k for s, k in kinds.items() if len(k) > 1} == {}


def _property_kind(graph: Graph, prop: Node) -> URIRef | None:
    found = [kind for kind in PROPERTY_KINDS if (prop, RDF.type, kind) in graph]
    return found[0] if len(found) == 1 else None


def test_sub_properties_and_inverses_keep_their_kind(ontology: Graph) -> None:
    pairs = [(s, o) for s, o in ontology.subject_objects(RDFS.subPropertyOf)]
    pairs += [(s, o) for s, o in ontology.subject_objects(OWL.inverseOf)]
    pairs += [(s, o) for s, o in ontology.subject_objects(OWL.equivalentProperty)]
    mismatched = [
        (s, o)
        for s, o in pairs
        if _property_kind(ontology, s) is None
        or _property_kind(ontology, s) != _property_kind(ontology, o)
    ]
    assert not mismatched, mismatched


def test_every_class_in_an_axiom_is_declared(ontology: Graph) -> None:
    declared = set(ontology.subjects(RDF.type, OWL.Class))
    used = set(ontology.objects(None, RDFS.subClassOf)) | set(ontology.subjects(RDFS.subClassOf))
    used |= set(ontology.objects(None, RDFS.domain)) | set(ontology.objects(None, OWL.onClass))
    used |= {
        o
        for s, o in ontology.subject_objects(RDFS.range)
        if _property_kind(ontology, s) == OWL.ObjectProperty
    }
    named = {c for c in used if isinstance(c, URIRef)}
    assert named - declared == set()


def test_annotation_properties_of_headers_are_never_data_or_object_properties(
    ontology: Graph,
) -> None:
    header_properties = {
        p for m in MODULES for p in ontology.predicates(_module_iri(m)) if p not in (RDF.type,)
    }
    logical = {
        p
        for p in header_properties
        if (p, RDF.type, OWL.DatatypeProperty) in ontology
        or (p, RDF.type, OWL.ObjectProperty) in ontology
    }
    assert logical == set()


def test_property_characteristics(ontology: Graph) -> None:
    assert (COOP.withinOrganisation, RDF.type, OWL.TransitiveProperty) in ontology
    assert (COOP.partOf, RDFS.subPropertyOf, COOP.withinOrganisation) in ontology
    assert (COOP.partOf, OWL.inverseOf, COOP.hasPart) in ontology
    assert (COOP.party, OWL.inverseOf, COOP.partyTo) in ontology
    assert (COOP.postIn, OWL.inverseOf, COOP.hasPost) in ontology
    assert (COOP.heldBy, OWL.inverseOf, COOP.holds) in ontology
    for functional in ("country", "signedOn", "term", "expiresOn", "value", "measure", "unit"):
        assert (COOP[functional], RDF.type, OWL.FunctionalProperty) in ontology, functional


def test_institution_kinds_are_pairwise_disjoint(ontology: Graph) -> None:
    kinds = {COOP.AcademyOfSciences, COOP.University, COOP.Company, COOP.GovernmentBody}
    groups = [
        set(ontology.items(members))
        for axiom in ontology.subjects(RDF.type, OWL.AllDisjointClasses)
        for members in ontology.objects(axiom, OWL.members)
    ]
    assert any(kinds <= group for group in groups)


def test_classes_shown_to_readers_are_named_in_both_uzbek_scripts(ontology: Graph) -> None:
    """The network page, report and site show institution kinds, people and posts by class
    label; a uz-Cyrl reader must not get the Latin spelling."""
    from kgtool.names import latin_to_cyrillic

    shown = {COOP.Institution, COOP.Person, COOP.Post}
    shown |= set(ontology.transitive_subjects(RDFS.subClassOf, COOP.Institution))
    for cls in sorted(shown):
        labels = {o.language: str(o) for o in ontology.objects(cls, RDFS.label)}
        assert labels.get("uz-Cyrl") == latin_to_cyrillic(labels["uz-Latn"]), cls


# --- language and script -------------------------------------------------------------------


def test_text_is_written_in_the_script_of_its_tag(ontology: Graph) -> None:
    wrong = []
    for prop in TEXT_PROPERTIES:
        for s, text in ontology.subject_objects(prop):
            if not isinstance(text, Literal) or text.language is None:
                continue
            has_cyrillic = bool(CYRILLIC.search(str(text)))
            if text.language in ("ru", "uz-Cyrl") and not has_cyrillic:
                wrong.append((s, text))
            if text.language == "uz-Latn" and has_cyrillic:
                wrong.append((s, text))
    assert not wrong, "\n".join(f"{s} {t!r}@{t.language}" for s, t in wrong)


def test_text_uses_only_the_project_languages(ontology: Graph) -> None:
    allowed = {"en", "ru", "uz-Latn", "uz-Cyrl", "ko"}
    tags = {o.language for o in ontology.objects() if isinstance(o, Literal) and o.language}
    assert tags <= allowed, tags - allowed


def test_uzbek_latin_uses_the_modifier_letter_apostrophes(ontology: Graph) -> None:
    """Displayed Uzbek Latin writes oʻ and gʻ with ʻ (U+02BB) and the tutuq belgisi with ʼ.

    Hidden labels keep the other apostrophes on purpose: sources write them so.
    """
    lookalikes = re.compile("[‘’'`]")
    wrong = [
        (s, text)
        for prop in (RDFS.label, SKOS.prefLabel, SKOS.definition, DCTERMS.title)
        for s, text in ontology.subject_objects(prop)
        if isinstance(text, Literal) and text.language == "uz-Latn" and lookalikes.search(text)
    ]
    assert not wrong, wrong


# --- SKOS concept schemes ------------------------------------------------------------------


def test_contract_concepts_exist_in_their_schemes(ontology: Graph) -> None:
    missing = []
    for scheme, names in CONTRACT_CONCEPT_NAMES.items():
        assert (SCHEME[scheme], RDF.type, SKOS.ConceptScheme) in ontology, scheme
        for name in names.split():
            concept = URIRef(f"{ID}{CONTRACT_CONCEPTS[scheme]}/{name}")
            if (concept, SKOS.inScheme, SCHEME[scheme]) not in ontology:
                missing.append(concept)
    assert not missing, missing


def test_every_concept_is_complete(ontology: Graph) -> None:
    problems = []
    schemes = set(ontology.subjects(RDF.type, SKOS.ConceptScheme))
    for concept in sorted(_concepts(ontology)):
        langs = _languages(ontology, concept, SKOS.prefLabel)
        if len(langs) != len(set(langs)) or not set(CONCEPT_LANGUAGES) <= set(langs):
            problems.append(f"{concept}: preferred labels in {sorted(map(str, langs))}")
        if "en" not in _languages(ontology, concept, SKOS.definition):
            problems.append(f"{concept}: no English definition")
        in_schemes = set(ontology.objects(concept, SKOS.inScheme))
        if len(in_schemes) != 1 or not in_schemes <= schemes:
            problems.append(f"{concept}: skos:inScheme {in_schemes}")
        tops = set(ontology.objects(concept, SKOS.topConceptOf))
        broader = set(ontology.objects(concept, SKOS.broader))
        if bool(tops) == bool(broader) or not tops <= in_schemes:
            problems.append(f"{concept}: needs skos:topConceptOf its scheme or skos:broader")
        for parent in broader:
            if set(ontology.objects(parent, SKOS.inScheme)) != in_schemes:
                problems.append(f"{concept}: broader {parent} is in another scheme")
        if ontology.value(concept, RDFS.isDefinedBy) is None:
            problems.append(f"{concept}: no rdfs:isDefinedBy")
    assert not problems, "\n".join(problems)


def test_labels_of_one_concept_do_not_overlap(ontology: Graph) -> None:
    """SKOS S13: a concept's preferred, alternative and hidden labels are pairwise disjoint."""
    clashes = []
    for concept in _concepts(ontology) | set(ontology.subjects(RDF.type, COOP.Country)):
        seen: dict[tuple[str, str | None], Node] = {}
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel):
            for label in _texts(ontology, concept, prop):
                key = (str(label), label.language)
                if key in seen and seen[key] != prop:
                    clashes.append((concept, label, seen[key], prop))
                seen.setdefault(key, prop)
    assert not clashes, clashes


def test_lexicons_have_variants_in_every_language(ontology: Graph) -> None:
    """Every direction and field carries alternative wordings in en, ru and uz-Latn."""
    thin = []
    for scheme in ("directions", "fields"):
        for concept in ontology.subjects(SKOS.inScheme, SCHEME[scheme]):
            langs = set(_languages(ontology, concept, SKOS.altLabel))
            if not {"en", "ru", "uz-Latn"} <= langs:
                thin.append((concept, sorted(map(str, langs))))
    assert not thin, thin


def test_every_scheme_has_top_concepts(ontology: Graph) -> None:
    for scheme in ontology.subjects(RDF.type, SKOS.ConceptScheme):
        assert any(ontology.subjects(SKOS.topConceptOf, scheme)), scheme
        assert str(scheme).startswith(str(SCHEME))


def test_top_concepts_are_stated_from_both_sides(ontology: Graph) -> None:
    """skos:hasTopConcept on the scheme matches skos:topConceptOf on the concepts."""
    from_concepts = {(s, c) for c, s in ontology.subject_objects(SKOS.topConceptOf)}
    from_schemes = set(ontology.subject_objects(SKOS.hasTopConcept))
    assert from_concepts == from_schemes, from_concepts ^ from_schemes


# --- countries -----------------------------------------------------------------------------


def test_countries_are_named_and_coded(ontology: Graph) -> None:
    countries = set(ontology.subjects(RDF.type, COOP.Country))
    assert {URIRef(f"{ID}country/{code}") for code in REQUIRED_COUNTRIES} <= countries
    for country in countries:
        code = str(ontology.value(country, COOP.countryCode))
        assert str(country) == f"{ID}country/{code}" and re.fullmatch("[A-Z]{2}", code)
        langs = set(_languages(ontology, country, SKOS.prefLabel))
        assert set(CONCEPT_LANGUAGES) <= langs, (country, langs)


def test_countries_carry_the_variants_sources_use(ontology: Graph) -> None:
    korea = URIRef(f"{ID}country/KR")
    alt = {(str(a), a.language) for a in _texts(ontology, korea, SKOS.altLabel)}
    assert {("Koreya Respublikasi", "uz-Latn"), ("Южная Корея", "ru")} <= alt
    pref = {(str(a), a.language) for a in _texts(ontology, korea, SKOS.prefLabel)}
    assert {("Janubiy Koreya", "uz-Latn"), ("Республика Корея", "ru")} <= pref
    uzbekistan = URIRef(f"{ID}country/UZ")
    names = {
        str(name)
        for prop in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        for name in ontology.objects(uzbekistan, prop)
    }
    assert {"Oʻzbekiston", "Oʼzbekiston", "O‘zbekiston", "O'zbekiston"} <= names


def test_countries_are_pairwise_different(ontology: Graph) -> None:
    countries = set(ontology.subjects(RDF.type, COOP.Country))
    listed = {
        member
        for axiom in ontology.subjects(RDF.type, OWL.AllDifferent)
        for members in ontology.objects(axiom, OWL.distinctMembers)
        for member in ontology.items(members)
    }
    assert countries == listed


# --- the ontology's own SHACL rules --------------------------------------------------------


def test_ontology_conforms_to_its_shapes(project: Project, ontology: Graph) -> None:
    shapes = Graph()
    for name in ("ontology.ttl", "common.ttl"):
        path = project.shapes_dir / name
        if not path.is_file():
            pytest.skip(f"{path} is not written yet")
        shapes.parse(path, format="turtle")
    data = Graph()
    for triple in ontology:
        data.add(triple)
    report = validate_graph(data, shapes)
    assert report.conforms, "\n".join(f"{r.focus_node}: {r.message()}" for r in report.results)


def test_shapes_catch_a_term_without_labels(project: Project, ontology: Graph) -> None:
    shapes = Graph()
    for name in ("ontology.ttl", "common.ttl"):
        shapes.parse(project.shapes_dir / name, format="turtle")
    data = Graph()
    for triple in ontology:
        data.add(triple)
    data.add((COOP.Unlabelled, RDF.type, OWL.Class))
    report = validate_graph(data, shapes)
    assert not report.conforms
    assert {r.focus_node for r in report.results} == {COOP.Unlabelled}
