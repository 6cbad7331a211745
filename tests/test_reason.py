"""Reasoning: HermiT's verdict, the inferred graph, and explanations of inconsistencies."""

from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import OWL, RDFS, Graph, Literal, URIRef
from rdflib.namespace import XSD

from kgtool.cli import cli
from kgtool.graph import LoadedGraph, load, union_graph
from kgtool.project import COOP, INFERRED_GRAPH, Project
from kgtool.reason import explain_inconsistency, hermit_view, reason

FIXTURES = Path(__file__).parent / "fixtures"
CORE = Project(FIXTURES / "core")
INCONSISTENT = FIXTURES / "reason" / "inconsistent"
INST = "https://w3id.org/kgtool/id/org/"


def inst(slug: str) -> URIRef:
    return URIRef(INST + slug)


def with_fixture(name: str) -> LoadedGraph:
    """Load the core fixture's ontology and data plus one file from reason/inconsistent/."""
    return load([CORE.ontology_dir, CORE.data_dir, INCONSISTENT / name], project=CORE)


@pytest.mark.java
def test_core_fixture_is_consistent_and_infers_partners_and_part_of() -> None:
    loaded = load(project=CORE)
    result = reason(loaded)
    assert result.consistent and result.explanation is None
    partners = set(result.inferred.subject_objects(COOP.partnerOf))
    # agr:active has three parties: every ordered pair of them, both ways.
    trio = [inst("kitech"), inst("tashkent-tech"), inst("academy")]
    assert {(a, b) for a in trio for b in trio if a != b} <= partners
    assert (inst("koram"), inst("academy")) in partners
    assert (inst("academy"), inst("koram")) in partners
    assert all(a != b for a, b in partners)
    within = set(result.inferred.subject_objects(COOP.withinOrganisation))
    assert (inst("koram"), inst("kitech")) in within  # two partOf steps
    assert (inst("koram"), inst("kitech-international")) in within
    assert (inst("kitech"), inst("koram")) not in within
    # Dates, years, year-months and durations are kept from HermiT (7 in the fixture).
    assert result.literals_left_out == 7
    assert result.inferred.identifier == URIRef(INFERRED_GRAPH)
    stored = loaded.dataset.graph(URIRef(INFERRED_GRAPH))
    assert (inst("koram"), COOP.withinOrganisation, inst("kitech")) in stored


@pytest.mark.java
def test_individual_in_two_disjoint_classes_is_explained() -> None:
    loaded = with_fixture("bad-individual.ttl")
    result = reason(loaded)
    assert not result.consistent
    assert result.explanation is not None
    assert "inst:shapeshifter" in result.explanation
    assert "Shapeshifter Ltd" in result.explanation
    assert "coop:University" in result.explanation and "coop:Company" in result.explanation
    assert "disjoint" in result.explanation
    assert "\n" not in result.explanation  # one paragraph
    assert result.culprits == (INST + "shapeshifter",)
    assert len(result.inferred) == 0
    assert len(loaded.dataset.graph(URIRef(INFERRED_GRAPH))) == 0


@pytest.mark.java
def test_functional_property_with_different_values_is_explained() -> None:
    result = reason(with_fixture("functional-country.ttl"))
    assert not result.consistent
    assert result.explanation is not None
    assert "inst:two-countries" in result.explanation
    assert "coop:country" in result.explanation
    assert "country:KR" in result.explanation and "country:UZ" in result.explanation


@pytest.mark.java
def test_project_ontology_and_data_are_consistent(project: Project) -> None:
    loaded = load(project=project)
    if not loaded.files_under("data"):
        pytest.skip("the project has no data yet")
    result = reason(loaded)
    assert result.consistent, result.explanation
    within = set(result.inferred.subject_objects(COOP.withinOrganisation))
    if (inst("koram"), None, None) in loaded.dataset:
        assert (inst("koram"), inst("kitech")) in within
    assert len(set(result.inferred.subject_objects(COOP.partnerOf))) > 0


@pytest.mark.java
def test_cli_reason_exit_codes(tmp_path: Path) -> None:
    runner = CliRunner()
    target = tmp_path / "inferred.ttl"
    ok = runner.invoke(cli, ["reason", "-o", str(target), str(CORE.root)])
    assert ok.exit_code == 0, ok.output
    assert ok.output.startswith("Consistent")
    inferred = Graph().parse(target)
    assert (inst("koram"), COOP.withinOrganisation, inst("kitech")) in inferred
    args = ["reason", str(CORE.ontology_dir), str(CORE.data_dir)]
    bad = runner.invoke(cli, [*args, str(INCONSISTENT / "bad-individual.ttl")])
    assert bad.exit_code == 1
    assert "coop:University" in bad.output and "coop:Company" in bad.output


def test_hermit_view_leaves_out_what_hermit_rejects() -> None:
    graph = Graph().parse(FIXTURES / "reason" / "hermit-input.ttl")
    view, left_out = hermit_view(graph)
    assert left_out == 3  # xsd:date, xsd:gYear, xsd:duration
    assert not list(view.triples((None, OWL.imports, None)))
    assert (COOP.signedOn, RDFS.range, XSD.date) not in view
    assert (COOP["count"], RDFS.range, XSD.nonNegativeInteger) in view
    kept = set(view.objects(None, None))
    assert Literal("2024-01-01T10:00:00", datatype=XSD.dateTime) in kept
    assert Literal("Title", lang="en") in kept and Literal("plain") in kept
    assert not any(isinstance(o, Literal) and o.datatype == XSD.date for o in kept)


def test_explanations_name_the_culprits_without_java() -> None:
    graph = union_graph(with_fixture("bad-individual.ttl"))
    paragraph, culprits = explain_inconsistency(graph)
    assert "coop:University owl:disjointWith coop:Company" in paragraph
    assert culprits == (INST + "shapeshifter",)
    paragraph, culprits = explain_inconsistency(union_graph(load(project=CORE)))
    assert culprits == ()
    assert "no individual is in two disjoint classes" in paragraph


def test_rules_without_hermit() -> None:
    result = reason(load(project=CORE), use_hermit=False)
    assert result.consistent
    assert (inst("koram"), COOP.withinOrganisation, inst("kitech")) in result.inferred
    assert result.counts["partnerOf"] == 10


def test_a_java_failure_is_named_by_its_own_line() -> None:
    """owlready2 opens its error with 'Java error message is:'; the line after it is the news
    (`kgtool reason --java-memory 0` said only "HermiT failed: Java error message is:")."""
    from kgtool.reason import _java_message

    jvm = RuntimeError(
        "Java error message is:\nInvalid maximum heap size: -Xmx0M\n"
        "Error: Could not create the Java Virtual Machine.\n"
    )
    assert _java_message(jvm) == "Invalid maximum heap size: -Xmx0M"
    trace = RuntimeError(
        "Java error message is:\nException in thread main java.lang.OutOfMemoryError\n\tat x.y"
    )
    assert _java_message(trace) == "Exception in thread main java.lang.OutOfMemoryError"
