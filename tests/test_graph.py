"""Loading: a named graph per file in every format, parse errors, stores, node locations."""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Literal, URIRef
from rdflib.namespace import RDF, SKOS
from rdflib.plugins.stores.memory import Memory

from kgtool.cli import cli
from kgtool.errors import KgtoolError, ParseError
from kgtool.graph import (
    MANIFEST_NAME,
    XML_LINE_SEARCH_LIMIT,
    canonical_language_tag,
    load,
    locate,
    oxigraph_store,
    query_store,
    read_manifest,
    union_graph,
)
from kgtool.project import COOP, GRAPH_BASE, Project

FIXTURES = Path(__file__).parent / "fixtures"
FORMATS_PROJECT = Project(FIXTURES / "graph" / "formats")
BROKEN = FIXTURES / "graph" / "broken"
INST = "https://w3id.org/kgtool/id/org/"


def _graph_size(loaded: object, iri: str) -> int:
    return len(loaded.dataset.graph(URIRef(iri)))  # type: ignore[attr-defined]


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_each_file_becomes_its_own_named_graph(store: str) -> None:
    loaded = load(project=FORMATS_PROJECT, store=store)
    expected = {
        "data/turtle.ttl": "turtle-org",
        "data/ntriples.nt": "nt-org",
        "data/jsonld.jsonld": "jsonld-org",
        "data/rdfxml.rdf": "xml-org",
        "data/trig.trig": "trig-default",
        "data/nquads.nq": "nq-default",
    }
    for rel, org in expected.items():
        graph = loaded.dataset.graph(URIRef(GRAPH_BASE + rel))
        assert (URIRef(INST + org), RDF.type, COOP.Institution) in graph, rel
        assert loaded.files[GRAPH_BASE + rel] == FORMATS_PROJECT.root / rel
    # Graphs named inside TriG and N-Quads keep their own names and know their file.
    own = loaded.dataset.graph(URIRef("https://example.org/graph/own"))
    assert (URIRef(INST + "trig-named"), RDF.type, COOP.Institution) in own
    assert loaded.files["https://example.org/graph/own"].name == "trig.trig"
    assert _graph_size(loaded, "https://example.org/graph/nq-own") == 1
    assert _graph_size(loaded, GRAPH_BASE + "data/trig.trig") == 1
    # The union default graph sees everything.
    assert len(list(loaded.dataset.subjects(RDF.type, COOP.Institution))) == 8


def test_memory_store_is_rdflib_memory() -> None:
    loaded = load(project=FORMATS_PROJECT, store="memory")
    assert isinstance(loaded.dataset.store, Memory)
    assert loaded.store == "memory"


def test_language_tags_keep_their_case_on_oxigraph(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "names.ttl").write_text(
        "<https://w3id.org/kgtool/id/org/x> <http://www.w3.org/2004/02/skos/core#prefLabel> "
        '"Toshkent"@uz-Latn , "Тошкент"@uz-cyrl .\n',
        encoding="utf-8",
    )
    loaded = load(project=Project(tmp_path))
    labels = set(loaded.dataset.objects(URIRef(INST + "x"), SKOS.prefLabel))
    assert labels == {Literal("Toshkent", lang="uz-Latn"), Literal("Тошкент", lang="uz-Cyrl")}
    assert {
        row[0].language
        for row in loaded.dataset.query(  # type: ignore[union-attr, index]
            "SELECT ?l WHERE { ?s <http://www.w3.org/2004/02/skos/core#prefLabel> ?l }"
        )
    } == {"uz-Latn", "uz-Cyrl"}


def test_canonical_language_tag() -> None:
    assert canonical_language_tag("uz-latn") == "uz-Latn"
    assert canonical_language_tag("EN-gb") == "en-GB"
    assert canonical_language_tag("ru") == "ru"
    assert canonical_language_tag("en-x-private") == "en-x-private"


def test_parse_error_names_file_line_and_column() -> None:
    with pytest.raises(ParseError) as caught:
        load([BROKEN / "unterminated.ttl"], project=FORMATS_PROJECT)
    assert caught.value.line == 5
    assert caught.value.column == 26
    assert str(caught.value).startswith(f"{BROKEN / 'unterminated.ttl'}:5:26: ")


def test_parse_error_exits_2_with_one_line_via_cli() -> None:
    result = CliRunner().invoke(cli, ["stats", str(BROKEN / "unterminated.ttl")])
    assert result.exit_code == 2
    assert "unterminated.ttl:5:26:" in result.output
    assert "Traceback" not in result.output


@pytest.mark.parametrize(
    ("name", "line", "says"),
    [
        ("mismatched-tag.rdf", 6, "mismatched tag"),  # malformed XML (expat's position)
        ("bad-iri.rdf", 7, "no such org"),  # Oxigraph's message, the attribute it quotes
        ("two-names.rdf", 5, "rdf:ID"),  # no quote to look for: rdflib's parser says where
    ],
)
@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_rdfxml_parse_error_names_file_and_line(
    name: str, line: int, says: str, store: str
) -> None:
    path = BROKEN / name
    with pytest.raises(ParseError) as caught:
        load([path], project=FORMATS_PROJECT, store=store)
    assert caught.value.line == line and caught.value.column is not None
    assert says in caught.value.detail
    options = ["--memory"] if store == "memory" else []
    result = CliRunner().invoke(cli, [*options, "stats", str(path)])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kgtool: error: {path}:{line}:"), lines
    assert "Traceback" not in result.output


def test_rdfxml_line_search_is_skipped_above_the_size_limit(tmp_path: Path) -> None:
    """A bad RDF/XML file over the limit is not parsed a second time: the error keeps
    Oxigraph's message, without a line, and says why."""
    path = tmp_path / "big.rdf"
    bad = (BROKEN / "bad-iri.rdf").read_text(encoding="utf-8")
    padding = "<!-- " + "x" * XML_LINE_SEARCH_LIMIT + " -->\n"
    path.write_text(bad + padding, encoding="utf-8")
    with pytest.raises(ParseError) as caught:
        load([path], project=FORMATS_PROJECT)
    assert caught.value.line is None
    assert "no such org" in caught.value.detail
    assert "line not searched: the file is over" in caught.value.detail
    small = tmp_path / "small.rdf"
    small.write_text(bad, encoding="utf-8")  # the same error, under the limit: a line
    with pytest.raises(ParseError) as caught:
        load([small], project=FORMATS_PROJECT)
    assert caught.value.line == 7 and "line not searched" not in caught.value.detail


def test_remote_jsonld_context_is_refused() -> None:
    with pytest.raises(ParseError, match="remote @context"):
        load([BROKEN / "remote-context.jsonld"], project=FORMATS_PROJECT)


def test_unknown_extension_and_missing_path_are_errors(tmp_path: Path) -> None:
    odd = tmp_path / "notes.txt"
    odd.write_text("hello", encoding="utf-8")
    with pytest.raises(KgtoolError, match="unknown RDF file extension"):
        load([odd], project=Project(tmp_path))
    with pytest.raises(KgtoolError, match="no such file"):
        load([tmp_path / "absent.ttl"], project=Project(tmp_path))
    with pytest.raises(KgtoolError, match="unknown store"):
        load(project=Project(tmp_path), store="sqlite")


# --- persistent store ------------------------------------------------------------------------


@pytest.fixture
def project_copy(tmp_path: Path) -> Project:
    root = tmp_path / "project"
    shutil.copytree(FORMATS_PROJECT.root, root)
    return Project(root)


def _bump(path: Path, text: str) -> None:
    """Rewrite ``path`` and move its mtime forward, so the change is seen on any filesystem."""
    before = path.stat().st_mtime_ns
    path.write_text(text, encoding="utf-8")
    os.utime(path, ns=(before + 2_000_000_000, before + 2_000_000_000))


def test_persistent_store_skips_unchanged_files_and_picks_up_changes(
    project_copy: Project, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = load(project=project_copy, store_dir=store)
    assert len(first.parsed) == 7 and first.reused == []
    assert (store / MANIFEST_NAME).is_file()

    second = load(project=project_copy, store_dir=store)
    assert second.parsed == [] and len(second.reused) == 7
    assert (URIRef(INST + "turtle-org"), RDF.type, COOP.Institution) in second.dataset

    turtle = project_copy.data_dir / "turtle.ttl"
    _bump(turtle, turtle.read_text(encoding="utf-8").replace("turtle-org", "turtle-renamed"))
    third = load(project=project_copy, store_dir=store)
    assert third.parsed == [turtle]
    assert (URIRef(INST + "turtle-renamed"), RDF.type, COOP.Institution) in third.dataset
    assert (URIRef(INST + "turtle-org"), None, None) not in third.dataset

    # Touched but unchanged: the hash matches, nothing is parsed.
    os.utime(turtle, ns=(turtle.stat().st_mtime_ns + 10**9,) * 2)
    assert load(project=project_copy, store_dir=store).parsed == []

    # A deleted file's graphs (including a TriG file's own graphs) are dropped.
    (project_copy.data_dir / "trig.trig").unlink()
    fourth = load(project=project_copy, store_dir=store)
    assert "https://example.org/graph/own" in fourth.dropped
    assert (URIRef(INST + "trig-named"), None, None) not in fourth.dataset
    assert len(read_manifest(store)) == 6


def test_failed_load_leaves_persistent_store_unchanged(
    project_copy: Project, tmp_path: Path
) -> None:
    store = tmp_path / "store"
    first = load(project=project_copy, store_dir=store)
    manifest_before = (store / MANIFEST_NAME).read_bytes()
    quads_before = sorted(str(q) for q in oxigraph_store(first))

    # One good change and one broken file: the good change must not be applied either.
    changed = project_copy.data_dir / "turtle.ttl"
    _bump(changed, changed.read_text(encoding="utf-8").replace("turtle-org", "turtle-new"))
    _bump(project_copy.data_dir / "ntriples.nt", "<https://w3id.org/kgtool/id/org/x> <broken\n")
    with pytest.raises(ParseError, match=r"ntriples\.nt:1:"):
        load(project=project_copy, store_dir=store)

    assert (store / MANIFEST_NAME).read_bytes() == manifest_before
    # ``first`` looks at the same open store, so it shows the store's current content.
    assert sorted(str(q) for q in oxigraph_store(first)) == quads_before


def test_cli_store_option_uses_persistent_store(project_copy: Project, tmp_path: Path) -> None:
    store = tmp_path / "cli-store"
    runner = CliRunner()
    args = ["--store", str(store), "stats", str(project_copy.root)]
    assert runner.invoke(cli, args).exit_code == 0
    assert len(read_manifest(store)) == 7
    # The choice does not leak into later in-process loads.
    assert load(project=project_copy).store_dir is None
    memory = runner.invoke(cli, ["--memory", "stats", "--format", "json", str(project_copy.root)])
    assert memory.exit_code == 0, memory.output
    both = runner.invoke(cli, ["--memory", "--store", str(store), "stats"])
    assert both.exit_code == 2


# --- helpers ---------------------------------------------------------------------------------


def test_locate_finds_file_and_line() -> None:
    loaded = load(project=FORMATS_PROJECT)
    found = locate(loaded, URIRef(INST + "trig-named"))
    assert found is not None and found.path.name == "trig.trig" and found.line == 8
    found = locate(loaded, URIRef(INST + "turtle-org"))
    assert found is not None and found.path.name == "turtle.ttl" and found.line == 5
    found = locate(loaded, URIRef(INST + "xml-org"))
    assert found is not None and found.path.name == "rdfxml.rdf" and found.line == 4
    found = locate(loaded, COOP.Institution)
    assert found is not None and found.path.name == "mini.ttl" and found.line == 5
    assert locate(loaded, URIRef(INST + "nowhere")) is None


def test_locate_prefers_the_defining_line_over_earlier_mentions(tmp_path: Path) -> None:
    """Lines come from one index per file: the line that defines a node (starts a statement,
    or is its rdf:about), else the first line that mentions it."""
    rdfxml = tmp_path / "data" / "orgs.rdf"
    rdfxml.parent.mkdir()
    rdfxml.write_text(
        '<?xml version="1.0" encoding="utf-8"?>\n'
        '<rdf:RDF xmlns:rdf="http://www.w3.org/1999/02/22-rdf-syntax-ns#"\n'
        '         xmlns:coop="https://w3id.org/kgtool/ontology#">\n'
        f'  <coop:Institution rdf:about="{INST}a">\n'
        f'    <coop:partOf rdf:resource="{INST}b"/>\n'
        f'    <coop:partOf rdf:resource="{INST}only-mentioned"/>\n'
        "  </coop:Institution>\n"
        f'  <coop:Institution rdf:about="{INST}b"/>\n'
        "</rdf:RDF>\n",
        encoding="utf-8",
    )
    turtle = tmp_path / "data" / "orgs.ttl"
    turtle.write_text(
        f"@prefix inst: <{INST}> .\n"
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .\n"
        "# inst:c is described below.\n"
        "inst:d coop:partOf inst:c.\n"
        "inst:c a coop:Institution.\n"
        "inst:c.x a coop:Institution .\n",
        encoding="utf-8",
    )
    loaded = load(project=Project(tmp_path))
    where = {
        name: locate(loaded, URIRef(INST + name))
        for name in ("a", "b", "only-mentioned", "c", "d", "c.x")
    }
    lines = {name: (found.path.name, found.line) for name, found in where.items() if found}
    assert lines == {
        "a": ("orgs.rdf", 4),
        "b": ("orgs.rdf", 8),
        "only-mentioned": ("orgs.rdf", 6),
        "c": ("orgs.ttl", 5),
        "d": ("orgs.ttl", 4),
        "c.x": ("orgs.ttl", 6),
    }


def test_union_graph_can_leave_out_folders() -> None:
    loaded = load(project=FORMATS_PROJECT)
    everything = union_graph(loaded)
    data_only = union_graph(loaded, exclude_folders=["ontology"])
    assert (COOP.Institution, RDF.type, None) in everything
    assert (COOP.Institution, RDF.type, None) not in data_only
    assert len(everything) - len(data_only) == 2


@pytest.mark.parametrize("store", ["oxigraph", "memory"])
def test_oxigraph_store_answers_sparql(store: str) -> None:
    loaded = load(project=FORMATS_PROJECT, store=store)
    rows = list(
        oxigraph_store(loaded).query(
            "SELECT (COUNT(DISTINCT ?s) AS ?n) WHERE { GRAPH ?g { ?s a ?c } }"
        )
    )
    assert rows[0][0].value == "9"  # 8 institutions and the class coop:Institution


ODD_TERMS_NT = r"""
<http://ex/s> <http://ex/p01> "tab\there, line\nbreak, return\r, quote\" backslash\\ apostrophe'" .
<http://ex/s> <http://ex/p02> "line separator\u2028, nul\u0000, delete\u007F, emoji\U0001F600, é" .
<http://ex/s> <http://ex/p03> "Toshkent"@uz-Latn .
<http://ex/s> <http://ex/p04> "colour"@en-GB .
<http://ex/s> <http://ex/p05> "+12"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex/s> <http://ex/p06> "012"^^<http://www.w3.org/2001/XMLSchema#int> .
<http://ex/s> <http://ex/p07> "370.0"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://ex/s> <http://ex/p08> "-0.50"^^<http://www.w3.org/2001/XMLSchema#decimal> .
<http://ex/s> <http://ex/p09> "1e5"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://ex/s> <http://ex/p10> "NaN"^^<http://www.w3.org/2001/XMLSchema#double> .
<http://ex/s> <http://ex/p11> "1"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex/s> <http://ex/p12> "false"^^<http://www.w3.org/2001/XMLSchema#boolean> .
<http://ex/s> <http://ex/p13> "2024-02-29"^^<http://www.w3.org/2001/XMLSchema#date> .
<http://ex/s> <http://ex/p14> "1_000"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex/s> <http://ex/p15> "x y"^^<http://ex/datatype#odd> .
<http://ex/s> <http://ex/p16> _:blank .
<http://ex/s> <http://ex/p17> <http://ex/a?b=c&d#e> .
<http://ex/s> <http://ex/p18> <http://ex/Ўзбекистон> .
<http://ex/s> <http://ex/p19> "" .
<http://ex/s> <http://ex/p20> "P12M"^^<http://www.w3.org/2001/XMLSchema#duration> .
<http://ex/s> <http://ex/p21> "-7"^^<http://www.w3.org/2001/XMLSchema#integer> .
<http://ex/s> <http://ex/p22> "\"quoted\"@en" .
"""


def _described(rows: tuple[tuple[object, ...], ...]) -> list[list[tuple[object, ...]]]:
    """Each cell with everything that tells rdflib terms apart."""
    return [
        [(type(t), str(t), getattr(t, "language", None), getattr(t, "datatype", None)) for t in row]
        for row in rows
    ]


@pytest.mark.parametrize("convert", [None, "normalised"])
def test_read_all_at_once_answers_as_read_solution_by_solution(
    tmp_path: Path, convert: str | None
) -> None:
    """query_store reads a whole answer from Oxigraph's SPARQL TSV; with max_rows, solution by
    solution. Both readings must give the same terms, whatever the literal."""
    from kgtool.queries import _term_from_store

    data = tmp_path / "odd.nt"
    data.write_text(ODD_TERMS_NT, encoding="utf-8")
    store = oxigraph_store(load([data], project=Project(tmp_path), store="oxigraph"))
    converter = _term_from_store if convert else None
    queries = [
        "SELECT ?p ?o ?nothing WHERE { ?s ?p ?o OPTIONAL { ?o <http://ex/none> ?nothing } }"
        " ORDER BY ?p",
        "SELECT * WHERE { }",  # one solution without columns
        "SELECT ?x WHERE { FILTER(false) }",  # no solution
        "SELECT ?x WHERE { OPTIONAL { <http://ex/s> <http://ex/none> ?x } }",  # one, unbound
        'SELECT ?tabbed WHERE { BIND(CONCAT("a\\tb", "\\n") AS ?tabbed) }',
    ]
    for text in queries:
        at_once = query_store(store, text, convert=converter)
        one_by_one = query_store(store, text, convert=converter, max_rows=10**6)
        assert at_once.columns == one_by_one.columns, text
        assert at_once.rows == one_by_one.rows, text
        assert _described(at_once.rows) == _described(one_by_one.rows), text
    odd = query_store(store, queries[0], convert=converter)
    assert len(odd.rows) == ODD_TERMS_NT.count("<http://ex/s>")
    assert str(odd.rows[0][1]).startswith('tab\there, line\nbreak, return\r, quote" backslash\\')
    assert query_store(store, queries[1]).rows == ((),)
    assert query_store(store, queries[2]).rows == ()
    assert query_store(store, queries[3]).rows == ((None,),)


def test_a_result_cell_in_no_known_syntax_is_an_error() -> None:
    from kgtool.graph import _tsv_parts

    with pytest.raises(KgtoolError, match="unsupported RDF term"):
        _tsv_parts("<< <http://ex/s> <http://ex/p> <http://ex/o> >>")
    with pytest.raises(ValueError, match="unexpected SPARQL TSV cell"):
        _tsv_parts("1.2.3")
    with pytest.raises(ValueError, match="unknown escape"):
        _tsv_parts('"a\\qb"')
