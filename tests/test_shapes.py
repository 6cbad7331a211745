"""The SHACL shapes in shapes/: fixtures per shape, SHACL-for-SHACL, the curated data, languages.

Every named node shape has ``tests/fixtures/shapes/<ShapeName>/valid.ttl`` and one or more
``invalid-<reason>.ttl`` (first line ``# Invalid: <why>``); the folders are globbed, never listed.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from rdflib import RDF, RDFS, Graph, Literal, URIRef
from rdflib.collection import Collection

from kgtool.graph import load, union_graph
from kgtool.project import COOPSH, LANGUAGES, Project
from kgtool.validate import (
    SH,
    ValidationReport,
    ValidationResult,
    check_shapes,
    named_shapes,
    validate,
    validate_graph,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
SHAPES_DIR = REPO_ROOT / "shapes"
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "shapes"
FIXTURE_FILES = sorted(FIXTURES.glob("*/*.ttl"))
VALID_FILES = [p for p in FIXTURE_FILES if p.name == "valid.ttl"]
INVALID_FILES = [p for p in FIXTURE_FILES if p.name.startswith("invalid-")]


def _fixture_id(path: Path) -> str:
    return f"{path.parent.name}/{path.stem}"


def _shapes_at_collection() -> list[str]:
    """Return the local names of the named node shapes in shapes/ (for parametrising)."""
    graph = Graph()
    for path in sorted(SHAPES_DIR.glob("*.ttl")):
        graph.parse(path, format="turtle")
    return [str(s)[len(str(COOPSH)) :] for s in named_shapes(graph) if s.startswith(str(COOPSH))]


SHAPE_NAMES = _shapes_at_collection()


@pytest.fixture(scope="session")
def shapes_graph(project: Project) -> Graph:
    """All of shapes/*.ttl in one graph."""
    return union_graph(load([project.shapes_dir], project=project))


@pytest.fixture(scope="session")
def ontology_graph(project: Project) -> Graph:
    """All of ontology/ in one graph; skips while the ontology is not written yet."""
    files = [p for p in project.ontology_dir.glob("*.ttl")] if project.ontology_dir.is_dir() else []
    if not files:
        pytest.skip("ontology/ has no files yet: fixtures refer to its classes and schemes")
    return union_graph(load([project.ontology_dir], project=project))


def _validate_fixture(path: Path, shapes: Graph, ontology: Graph) -> list[ValidationResult]:
    """Validate one fixture; return the results about the nodes the fixture describes.

    Of the ontology, the fixture sees the class hierarchy (for sh:class and sh:targetClass)
    and the ontology nodes it refers to (schemes, kinds, countries), unless it describes them
    itself. Validating the whole ontology for every fixture would cost minutes; the
    curated-data test covers the ontology."""
    data = Graph().parse(path, format="turtle")
    subjects = {s for s in data.subjects() if isinstance(s, URIRef)}
    referenced = set(data.objects()) - subjects
    seen = Graph()
    for triple in ontology.triples((None, RDFS.subClassOf, None)):
        seen.add(triple)
    for node in referenced:
        for triple in ontology.triples((node, None, None)):
            seen.add(triple)
    report = validate_graph(data, shapes, seen)
    return [r for r in report.results if r.focus_node in subjects]


def _describe(results: list[ValidationResult]) -> str:
    return "\n".join(
        f"  {r.severity} {r.focus_node} {r.path} {r.value!r} {r.shape}: {r.message()}"
        for r in results
    )


@pytest.mark.parametrize("path", VALID_FILES, ids=_fixture_id)
def test_valid_fixture_has_no_results(
    path: Path, shapes_graph: Graph, ontology_graph: Graph
) -> None:
    results = _validate_fixture(path, shapes_graph, ontology_graph)
    assert not results, f"{path} should conform without warnings:\n{_describe(results)}"


@pytest.mark.parametrize("path", INVALID_FILES, ids=_fixture_id)
def test_invalid_fixture_fails_through_its_own_shape(
    path: Path, shapes_graph: Graph, ontology_graph: Graph
) -> None:
    first_line = path.read_text(encoding="utf-8").splitlines()[0]
    assert re.match(r"# Invalid: \S", first_line), f"{path}: first line must be '# Invalid: <why>'"
    results = _validate_fixture(path, shapes_graph, ontology_graph)
    assert results, f"{path} should fail {path.parent.name}, but has no results"
    expected = COOPSH[path.parent.name]
    strangers = [r for r in results if r.shape != expected]
    assert not strangers, (
        f"{path} fails through other shapes than {expected}:\n{_describe(strangers)}"
    )


@pytest.mark.parametrize("shape", SHAPE_NAMES)
def test_every_named_shape_has_valid_and_invalid_fixtures(shape: str) -> None:
    folder = FIXTURES / shape
    assert (folder / "valid.ttl").is_file(), f"{folder}/valid.ttl is missing"
    assert list(folder.glob("invalid-*.ttl")), f"{folder} has no invalid-<reason>.ttl"


def test_every_fixture_folder_names_a_shape() -> None:
    folders = sorted(p.name for p in FIXTURES.iterdir() if p.is_dir())
    assert set(folders) <= set(SHAPE_NAMES), set(folders) - set(SHAPE_NAMES)
    assert all(p.name == "valid.ttl" or p.name.startswith("invalid-") for p in FIXTURE_FILES)


def test_shapes_graph_passes_shacl_for_shacl(shapes_graph: Graph) -> None:
    report = check_shapes(shapes_graph)
    assert report.conforms and not report.results, [r.message() for r in report.results]


def test_shacl_for_shacl_catches_a_broken_shape() -> None:
    broken = Graph()
    broken.add((COOPSH.AgreementShape, RDF.type, SH.NodeShape))
    broken.add((COOPSH.AgreementShape, SH.property, COOPSH.BrokenProperty))
    broken.add((COOPSH.BrokenProperty, SH.path, URIRef("https://w3id.org/kgtool/ontology#party")))
    broken.add((COOPSH.BrokenProperty, SH.minCount, Literal("two")))
    report: ValidationReport = check_shapes(broken)
    assert not report.conforms


def test_every_constraint_has_english_and_russian_messages(shapes_graph: Graph) -> None:
    missing = []
    named = named_shapes(shapes_graph)
    carriers = {p for shape in named for p in shapes_graph.objects(shape, SH.property)}
    carriers |= {c for _, c in shapes_graph.subject_objects(SH.sparql)}
    for node in carriers:
        langs = {
            m.language for m in shapes_graph.objects(node, SH.message) if isinstance(m, Literal)
        }
        if not {"en", "ru"} <= langs:
            missing.append((node, shapes_graph.value(node, SH.path)))
    # A property shape that only carries sh:sparql takes its messages from the constraint.
    missing = [(n, p) for n, p in missing if (n, SH.sparql, None) not in shapes_graph]
    assert not missing, missing


def test_language_list_is_the_projects(shapes_graph: Graph) -> None:
    listed = [str(t) for t in Collection(shapes_graph, COOPSH.Languages)]
    assert tuple(listed) == LANGUAGES
    used = set(shapes_graph.objects(None, SH.languageIn)) - {COOPSH.Languages}
    lists = [[str(t) for t in Collection(shapes_graph, u)] for u in used]
    assert all(len(tags) == 1 for tags in lists), f"a second list of languages: {lists}"


def test_country_codes_are_the_249_iso_codes(shapes_graph: Graph) -> None:
    lists = [
        [str(t) for t in Collection(shapes_graph, values)]
        for shape in shapes_graph.subjects(
            SH.path, URIRef(str(COOPSH).replace("shapes#", "ontology#countryCode"))
        )
        for values in shapes_graph.objects(shape, SH["in"])
    ]
    assert len(lists) == 1
    codes = lists[0]
    assert len(codes) == len(set(codes)) == 249
    assert all(re.fullmatch("[A-Z]{2}", c) for c in codes)
    assert {"UZ", "KR", "RU", "AQ"} <= set(codes) and not {"XK", "UK", "EU"} & set(codes)


def test_curated_data_has_no_violations(project: Project) -> None:
    if not any(project.data_dir.rglob("*.ttl")) if project.data_dir.is_dir() else True:
        pytest.skip("data/ is empty: nothing curated to validate yet")
    report = validate(project=project)
    violations = [r for r in report.results if r.severity == "Violation"]
    assert not violations, "\n".join(f"{r.where} {r.focus_node}: {r.message()}" for r in violations)
    assert report.exit_code() == 0


def test_named_shapes_are_typed_node_shapes(shapes_graph: Graph) -> None:
    named = {s for s in shapes_graph.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef)}
    assert named and all(str(s).startswith(str(COOPSH)) for s in named)
    assert all(str(s).endswith("Shape") for s in named)
