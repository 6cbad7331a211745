"""ROR: reading dumps (v2, v1, zip, streamed), linking institutions, importing records, CLI."""

from __future__ import annotations

import io
import json
import sys
import zipfile
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import RDF, SKOS, BNode, Graph, Literal, URIRef

from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.project import COOP, Project
from kgtool.ror import (
    LinkResult,
    _iter_json_array,
    import_ror,
    iter_ror_records,
    link_ror,
    read_ror_dump,
    read_ror_dumps,
    review_turtle,
)

FIXTURE = Path(__file__).parent / "fixtures" / "names" / "institutions.ttl"
INST = "https://w3id.org/kgtool/id/org/"
ACADEMY = "https://ror.org/01xgfaw76"
TIIAME = "https://ror.org/01s4mx151"
KITECH = "https://ror.org/04qfph657"
KIMS = "https://ror.org/01rwkhb30"
GENOMICS = "https://ror.org/00wv91274"
ORIENTAL = "https://ror.org/000vpa912"

PREFIXES = """
@prefix coop: <https://w3id.org/kgtool/ontology#> .
@prefix inst: <https://w3id.org/kgtool/id/org/> .
@prefix country: <https://w3id.org/kgtool/id/country/> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
"""


@pytest.fixture(scope="module")
def ror_dir(shared: Path) -> Path:
    path = shared / "data" / "ror"
    if not (path / "ror-uz.json").is_file() or not (path / "ror-partners.json").is_file():
        pytest.skip(f"{path} lacks ror-uz.json / ror-partners.json (the ROR subset)")
    return path


@pytest.fixture(scope="module")
def dumps(ror_dir: Path) -> list[Path]:
    return [ror_dir / "ror-uz.json", ror_dir / "ror-partners.json"]


@pytest.fixture(scope="module")
def fixture_links(dumps: list[Path]) -> LinkResult:
    return link_ror(Graph().parse(FIXTURE), dumps)


def graph_of(turtle: str) -> Graph:
    return Graph().parse(data=PREFIXES + turtle, format="turtle")


# --- reading ---------------------------------------------------------------------------------


def test_read_v2_dump(ror_dir: Path) -> None:
    records = read_ror_dump(ror_dir / "ror-uz.json")
    assert len(records) == 113
    academy = next(r for r in records if r.id == ACADEMY)
    assert academy.schema == 2
    assert (academy.country_code, academy.status) == ("UZ", "active")
    assert academy.acronyms == ["UzAS"]
    assert academy.display_name == "Academy of Sciences Republic of Uzbekistan"
    assert academy.external_id("wikidata") == "Q2637170"
    assert academy.external_id("grid") == "grid.419209.7"
    assert len(academy.related("child")) == 11
    assert academy.related("parent") == [ORIENTAL]
    assert {n.lang for n in academy.names} >= {"en", "uz", "ru", "tg"}


def test_read_v1_dump(ror_dir: Path) -> None:
    path = ror_dir / "ror-v1only.json"
    if not path.is_file():
        pytest.skip(f"{path} is absent")
    nuu = next(r for r in iter_ror_records(path) if r.id == "https://ror.org/011647w73")
    assert nuu.schema == 1
    assert nuu.country_code == "UZ"
    assert "National University of Uzbekistan" in nuu.display_name
    assert all(t == t.lower() for t in nuu.types)


def test_read_dumps_keeps_one_record_per_id(ror_dir: Path, tmp_path: Path) -> None:
    copy = tmp_path / "again.json"
    copy.write_text((ror_dir / "ror-uz.json").read_text(encoding="utf-8"), encoding="utf-8")
    assert len(read_ror_dumps([ror_dir / "ror-uz.json", copy])) == 113


def test_zip_dump_as_ror_publishes_it(ror_dir: Path, tmp_path: Path) -> None:
    archive = tmp_path / "v2.9-2026-06-23-ror-data.zip"
    with zipfile.ZipFile(archive, "w") as zf:
        zf.writestr("v2.9-2026-06-23-ror-data.csv", "id\n")
        zf.write(ror_dir / "ror-uz.json", "v2.9-2026-06-23-ror-data_schema_v2.json")
    assert len(read_ror_dump(archive)) == 113


@pytest.mark.parametrize("chunk", [1, 3, 7, 64, 1 << 20])
def test_streaming_parser_reads_across_chunk_boundaries(chunk: int) -> None:
    items = [{"id": "a", "n": 12345, "s": "Oʻzbekiston «x»"}, [1, 2.5e3, None], True, "z"]
    text = " \n[ " + " ,\n ".join(json.dumps(i, ensure_ascii=False) for i in items) + " ]\n"
    got = [item for _, item in _iter_json_array(io.StringIO(text), "t.json", chunk_size=chunk)]
    assert got == items


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('{"id": "x"}', "t.json:1: a ROR dump is a JSON array"),
        ('[{"id": "x", "names": []},\n{"id": ', "t.json:2: invalid JSON"),
        ('[{"id": "x", "names": []}\n{"id": "y"}]', "t.json:2: expected ','"),
        ('[{"id": "x", "names": []}', "t.json:1: the JSON array is not closed"),
    ],
)
def test_bad_dumps_name_the_file_and_line(tmp_path: Path, text: str, message: str) -> None:
    path = tmp_path / "t.json"
    path.write_text(text, encoding="utf-8")
    with pytest.raises(KgtoolError) as info:
        read_ror_dump(path)
    assert str(info.value).startswith(str(tmp_path / message.split(":")[0]))
    assert message.split(":", 1)[1].split(":")[0] in str(info.value)
    assert message.rsplit(": ", 1)[1] in str(info.value)


def test_a_record_without_id_is_an_error(tmp_path: Path) -> None:
    path = tmp_path / "r.json"
    path.write_text('[{"names": []}]', encoding="utf-8")
    with pytest.raises(KgtoolError, match=r"r\.json:1: not a ROR record"):
        read_ror_dump(path)
    with pytest.raises(KgtoolError, match="no such file"):
        read_ror_dump(tmp_path / "missing.json")


# --- linking ---------------------------------------------------------------------------------


def test_academy_tiiame_and_kitech_link_to_their_records(fixture_links: LinkResult) -> None:
    assert fixture_links.link_of(INST + "uzas") == ACADEMY
    assert fixture_links.link_of(INST + "tiiame") == TIIAME
    assert fixture_links.link_of(INST + "kitech") == KITECH
    assert {link.status for link in fixture_links.links} == {"accepted"}
    assert all(link.score >= fixture_links.threshold for link in fixture_links.links)


def test_koram_materials_science_and_the_combine_link_to_nothing(
    fixture_links: LinkResult,
) -> None:
    for slug in ("koram", "uzas-ims", "uztmk"):
        assert fixture_links.link_of(INST + slug) is None
        assert INST + slug in fixture_links.unmatched
    assert KIMS not in {c.ror for c in fixture_links.candidates}


def test_links_carry_evidence(fixture_links: LinkResult) -> None:
    academy = next(link for link in fixture_links.links if link.institution == INST + "uzas")
    assert "country UZ" in academy.evidence
    assert any(e.startswith("exact-normalised") for e in academy.evidence)


def test_never_across_countries(dumps: list[Path]) -> None:
    turtle = """
    inst:kims-uz a coop:ResearchInstitute ;
        skos:prefLabel "Korea Institute of Materials Science"@en ; coop:country country:UZ .
    inst:kims-kr a coop:ResearchInstitute ;
        skos:prefLabel "Korea Institute of Materials Science"@en ; coop:country country:KR .
    """
    result = link_ror(graph_of(turtle), dumps)
    assert result.link_of(INST + "kims-uz") is None
    assert all(c.ror != KIMS for c in result.candidates if c.institution == INST + "kims-uz")
    assert result.link_of(INST + "kims-kr") == KIMS  # the same name links in its own country


def test_an_institution_without_a_country_is_only_a_candidate(dumps: list[Path]) -> None:
    turtle = """inst:k a coop:ResearchInstitute ;
        skos:prefLabel "Korea Institute of Industrial Technology"@en ."""
    result = link_ror(graph_of(turtle), dumps)
    assert result.links == ()
    assert [c.ror for c in result.candidates][:1] == [KITECH]
    assert "the institution has no country: not linked" in result.candidates[0].evidence


@pytest.mark.parametrize(
    "relation", ["inst:unit coop:partOf inst:academy .", "inst:academy coop:hasPart inst:unit ."]
)
def test_a_unit_never_takes_its_parents_record(dumps: list[Path], relation: str) -> None:
    turtle = f"""
    inst:academy a coop:AcademyOfSciences ;
        skos:prefLabel "Academy of Sciences of the Republic of Uzbekistan"@en ;
        coop:country country:UZ .
    inst:unit a coop:OrganisationalUnit ;
        skos:prefLabel "Academy of Sciences of Uzbekistan"@en ;
        skos:altLabel "Академия наук Узбекистана"@ru .
    {relation}
    """
    result = link_ror(graph_of(turtle), dumps)
    assert result.link_of(INST + "academy") == ACADEMY
    assert result.link_of(INST + "unit") is None
    rejected = [c for c in result.candidates if c.institution == INST + "unit" and c.ror == ACADEMY]
    assert rejected and rejected[0].status == "rejected"


def test_a_unit_never_takes_a_record_above_its_parents_record(dumps: list[Path]) -> None:
    turtle = f"""
    inst:centre a coop:ResearchInstitute ;
        skos:prefLabel "Genomics centre"@en ; coop:ror <{GENOMICS}> ; coop:country country:UZ .
    inst:lab a coop:OrganisationalUnit ;
        skos:prefLabel "Academy of Sciences Republic of Uzbekistan"@en ;
        coop:partOf inst:centre ; coop:country country:UZ .
    """
    result = link_ror(graph_of(turtle), dumps)
    assert result.link_of(INST + "lab") is None
    reasons = [c.evidence[-1] for c in result.candidates if c.ror == ACADEMY]
    assert reasons == [
        f"not linked: the record is a parent of the record of its parent {INST}centre"
    ]


def test_a_parent_never_takes_its_units_record(dumps: list[Path]) -> None:
    turtle = f"""
    inst:academy a coop:AcademyOfSciences ;
        skos:prefLabel "Center of Genomics and Bioinformatics"@en ; coop:country country:UZ .
    inst:genomics a coop:ResearchInstitute ;
        skos:prefLabel "Genomics centre"@en ; coop:ror <{GENOMICS}> ;
        coop:partOf inst:academy .
    """
    result = link_ror(graph_of(turtle), dumps)
    assert result.link_of(INST + "academy") is None
    assert result.link_of(INST + "genomics") == GENOMICS
    assert [link.status for link in result.links] == ["existing"]


def test_withdrawn_records_are_skipped(dumps: list[Path], ror_dir: Path) -> None:
    withdrawn = [r for r in read_ror_dump(ror_dir / "ror-partners.json") if r.status == "withdrawn"]
    korean = next(r for r in withdrawn if r.country_code == "KR")
    turtle = f"""inst:w a coop:Institution ;
        skos:prefLabel {Literal(korean.display_name, lang="en").n3()} ; coop:country country:KR ."""
    result = link_ror(graph_of(turtle), dumps)
    assert result.skipped_withdrawn >= len(withdrawn)
    assert korean.id not in {link.ror for link in result.links}
    assert korean.id not in {c.ror for c in result.candidates}


def test_country_option_restricts_both_sides(dumps: list[Path]) -> None:
    result = link_ror(Graph().parse(FIXTURE), dumps, country="kr")
    assert {link.institution for link in result.links} == {INST + "kitech"}
    assert INST + "uzas" not in result.unmatched


def test_review_turtle_parses_and_holds_the_links(fixture_links: LinkResult) -> None:
    text = review_turtle(fixture_links)
    graph = Graph().parse(data=text, format="turtle")
    assert set(graph) == {
        (URIRef(INST + "uzas"), COOP.ror, URIRef(ACADEMY)),
        (URIRef(INST + "tiiame"), COOP.ror, URIRef(TIIAME)),
        (URIRef(INST + "kitech"), COOP.ror, URIRef(KITECH)),
    }
    assert text.startswith("# ")


def test_project_data_links_agree_with_its_ror_ids(project: Project, dumps: list[Path]) -> None:
    from kgtool.graph import load

    data = project.data_dir / "institutions.ttl"
    if not data.is_file():
        pytest.skip(f"{data} is not written yet")
    loaded = load([project.ontology_dir, project.data_dir], project=project)
    result = link_ror(loaded, dumps)
    expected = {INST + "uzas": ACADEMY, INST + "tiiame": TIIAME, INST + "kitech": KITECH}
    for iri, ror in expected.items():
        assert result.link_of(iri) == ror
    for slug in ("koram", "uzas-ims", "uztmk"):
        assert result.link_of(INST + slug) is None


# --- import ----------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def imported(ror_dir: Path) -> Graph:
    return import_ror(ror_dir / "ror-uz.json", country="UZ")


def node_with_ror(graph: Graph, ror: str) -> URIRef:
    nodes = list(graph.subjects(COOP.ror, URIRef(ror)))
    assert len(nodes) == 1, nodes
    assert isinstance(nodes[0], URIRef)
    return nodes[0]


def test_import_names_acronyms_ids_and_kind(imported: Graph) -> None:
    academy = node_with_ror(imported, ACADEMY)
    assert (academy, RDF.type, COOP.AcademyOfSciences) in imported
    labels = set(imported.objects(academy, SKOS.prefLabel))
    assert Literal("Academy of Sciences Republic of Uzbekistan", lang="en") in labels
    assert Literal("Oʻzbekiston Respublikasi Fanlar Akademiyasi", lang="uz-Latn") in labels
    assert Literal("Академия наук Узбекистана", lang="ru") in labels
    assert (academy, COOP.acronym, Literal("UzAS")) in imported
    assert (academy, COOP.wikidata, URIRef("http://www.wikidata.org/entity/Q2637170")) in imported
    assert (academy, COOP.country, URIRef("https://w3id.org/kgtool/id/country/UZ")) in imported


def test_import_tags_uzbek_names_by_script_and_drops_other_languages(imported: Graph) -> None:
    tags = {
        o.language
        for p in (SKOS.prefLabel, SKOS.altLabel, SKOS.hiddenLabel)
        for o in imported.objects(None, p)
        if isinstance(o, Literal)
    }
    assert tags <= {"en", "ru", "uz-Latn", "uz-Cyrl", "ko"}
    cyrillic = Literal("Абу Али ибн Сино номидаги Бухоро давлат тиббиёт институти", lang="uz-Cyrl")
    assert any(imported.subjects(SKOS.prefLabel, cyrillic))  # the record's only uz-Cyrl name
    latin = Literal("Abu Ali ibn Sino nomidagi Buxoro davlat tibbiyot instituti", lang="uz-Latn")
    assert any(imported.subjects(SKOS.prefLabel, latin))
    assert not any(imported.subjects(None, Literal("Академияи илмҳои Ӯзбакистон", lang="tg")))


def test_import_one_preferred_name_per_language(imported: Graph) -> None:
    for node in set(imported.subjects(RDF.type, None)):
        langs = [o.language for o in imported.objects(node, SKOS.prefLabel)]  # type: ignore[attr-defined]
        assert len(langs) == len(set(langs)), node


def test_import_parts_follow_the_registry_not_its_inverted_edge(imported: Graph) -> None:
    academy = node_with_ror(imported, ACADEMY)
    genomics = node_with_ror(imported, GENOMICS)
    assert (genomics, COOP.partOf, academy) in imported
    oriental = node_with_ror(imported, ORIENTAL)
    assert (academy, COOP.partOf, oriental) not in imported


def test_import_skips_inactive_unless_asked(ror_dir: Path, imported: Graph) -> None:
    active = len(set(imported.subjects(COOP.ror, None)))
    assert active == 106
    everything = import_ror(ror_dir / "ror-uz.json", country="uz", include_inactive=True)
    assert len(set(everything.subjects(COOP.ror, None))) == 113


def test_import_cites_the_dump_as_source(imported: Graph) -> None:
    sources = set(imported.subjects(RDF.type, COOP.SourceDocument))
    assert len(sources) == 1
    for node in imported.subjects(COOP.ror, None):
        assert set(imported.objects(node, COOP.source)) == sources


def test_import_only_the_country_asked(dumps: list[Path]) -> None:
    graph = import_ror(dumps, country="KR")
    node = node_with_ror(graph, KITECH)
    assert (node, SKOS.prefLabel, Literal("한국생산기술연구원", lang="ko")) in graph
    assert not any(graph.subjects(COOP.ror, URIRef(ACADEMY)))
    with pytest.raises(KgtoolError, match="ISO 3166-1"):
        import_ror(dumps, country="Korea")


def test_imported_graph_links_back_to_its_own_records(dumps: list[Path]) -> None:
    graph = import_ror(dumps[0], country="UZ")
    for triple in list(graph.triples((None, COOP.ror, None))):
        graph.remove(triple)
    result = link_ror(graph, dumps, country="UZ")
    assert len(result.links) >= 95  # most records are found again by name alone
    assert all(link.status == "accepted" for link in result.links)


# --- CLI -------------------------------------------------------------------------------------


def test_cli_link_ror_writes_the_review_file(dumps: list[Path], tmp_path: Path) -> None:
    out = tmp_path / "review.ttl"
    args = ["link", "ror", *map(str, dumps), "--data", str(FIXTURE), "-o", str(out)]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    assert f"{INST}uzas -> {ACADEMY}" in result.output
    assert f"unmatched       {INST}koram" in result.output
    assert len(Graph().parse(out)) == 3


def test_cli_link_ror_threshold_and_missing_dump(dumps: list[Path], tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["link", "ror", str(dumps[0]), "--data", str(FIXTURE),
                                 "--threshold", "1.01"])  # fmt: skip
    assert result.exit_code == 2
    result = runner.invoke(
        cli, ["link", "ror", str(tmp_path / "none.json"), "--data", str(FIXTURE)]
    )
    assert result.exit_code == 2
    assert "none.json: no such file" in result.output


def test_cli_import_ror(dumps: list[Path], tmp_path: Path) -> None:
    out, nothing_known = tmp_path / "ror-uz.ttl", tmp_path / "empty"
    nothing_known.mkdir()
    args = ["import", "ror", str(dumps[0]), "--country", "UZ", "-o", str(out)]
    result = CliRunner().invoke(cli, [*args, "--data", str(nothing_known)])
    assert result.exit_code == 0, result.output
    graph = Graph().parse(out)
    assert len(set(graph.subjects(COOP.ror, None))) == 106
    result = CliRunner().invoke(cli, ["import", "ror", str(dumps[0])])
    assert result.exit_code == 2


def test_import_ror_beside_the_graph_adds_no_duplicates(dumps: list[Path], tmp_path: Path) -> None:
    """Records the graph already links are left out; their units point at the graph's IRIs."""
    data = tmp_path / "data"
    data.mkdir()
    existing = data / "known.ttl"
    existing.write_text(
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .\n"
        "@prefix inst: <https://w3id.org/kgtool/id/org/> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        'inst:uzas a coop:AcademyOfSciences ; skos:prefLabel "Academy"@en ;\n'
        "    coop:ror <https://ror.org/01xgfaw76> .\n"
        "inst:tiiame a coop:University ;\n"
        '    skos:prefLabel "TIIAME"@en .\n',
        encoding="utf-8",
    )
    out = data / "ror-uz.ttl"
    args = ["import", "ror", str(dumps[0]), "--country", "UZ", "-o", str(out), "--data", str(data)]
    for _ in range(2):  # the second run refreshes the file: its own records are not "known"
        result = CliRunner().invoke(cli, args)
        assert result.exit_code == 0, result.output
        graph = Graph().parse(out)
        rors = set(graph.objects(None, COOP.ror))
        assert len(rors) == 105
        assert URIRef("https://ror.org/01xgfaw76") not in rors
        assert (None, COOP.partOf, URIRef(INST + "uzas")) in graph  # the Academy's units
        taken = URIRef(INST + "tiiame")  # the slug the TIIAME record gets on its own
        assert (taken, None, None) not in graph, "an existing IRI was reused"


def _shapes_reachable_from(shapes: Graph, roots: list[URIRef]) -> Graph:
    """The part of ``shapes`` that ``roots`` use (property shapes, lists, prefixes)."""
    out = Graph()
    queue: list[object] = list(roots)
    seen: set[object] = set()
    while queue:
        node = queue.pop()
        if node in seen:
            continue
        seen.add(node)
        for p, o in shapes.predicate_objects(node):  # type: ignore[arg-type]
            out.add((node, p, o))  # type: ignore[arg-type]
            if isinstance(o, BNode) or (
                isinstance(o, URIRef) and str(o).startswith("https://w3id.org/kgtool/shapes")
            ):
                queue.append(o)
    return out


def test_imported_records_conform_to_the_institution_shapes(
    project: Project, ror_dir: Path
) -> None:
    validate_module = pytest.importorskip("kgtool.validate")
    shapes_files = sorted(project.shapes_dir.glob("*.ttl"))
    if not shapes_files:
        pytest.skip("shapes/ is empty")
    shapes = Graph()
    for path in shapes_files:
        shapes.parse(path)
    coopsh = "https://w3id.org/kgtool/shapes#"
    subset = _shapes_reachable_from(
        shapes,
        [URIRef(coopsh + "InstitutionShape"), URIRef(coopsh + "SourceDocumentShape"),
         URIRef("https://w3id.org/kgtool/shapes")],
    )  # fmt: skip
    ontology = Graph()
    for path in sorted(project.ontology_dir.glob("*.ttl")):
        ontology.parse(path)
    graph = import_ror(ror_dir / "ror-uz.json", country="UZ")
    ours = set(graph.subjects())
    report = validate_module.validate_graph(graph, subset, ontology)
    mine = [r for r in report.results if r.focus_node in ours]
    assert mine == [], mine[:3]


def test_linker_benchmark_runs_and_reports(shared: Path, tmp_path: Path) -> None:
    import importlib.util

    script = Path(__file__).parent.parent / "benchmarks" / "linker" / "bench_linker.py"
    spec = importlib.util.spec_from_file_location("bench_linker", script)
    assert spec is not None and spec.loader is not None
    bench = importlib.util.module_from_spec(spec)
    sys.modules["bench_linker"] = bench  # dataclasses look their module up there
    spec.loader.exec_module(bench)
    out = tmp_path / "linker.md"
    assert bench.main(["--size", "40", "--held-out", "10", "--out", str(out)]) == 0
    text = out.read_text(encoding="utf-8")
    row = next(line for line in text.splitlines() if line.startswith("| 0.85 | 40 |"))
    precision, recall = (float(cell) for cell in row.strip("|").split("|")[-2:])
    assert precision >= 0.95 and recall >= 0.85, row
