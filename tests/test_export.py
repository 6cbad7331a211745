"""Exports: every format round-trips, output is byte-stable, JSON-LD never points at a URL."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph, Literal, URIRef
from rdflib.compare import isomorphic
from rdflib.namespace import XSD

from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.export import FORMATS, export, export_all, jsonld_context
from kgtool.graph import LoadedGraph, load, union_graph
from kgtool.project import PREFIXES, Project

FIXTURES = Path(__file__).parent / "fixtures"
CORE = Project(FIXTURES / "core")
RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}


@pytest.fixture(scope="module")
def loaded() -> LoadedGraph:
    return load(project=CORE)


@pytest.mark.parametrize("fmt", sorted(RDFLIB_FORMAT))
def test_graph_formats_round_trip(loaded: LoadedGraph, fmt: str) -> None:
    parsed = Graph().parse(data=export(loaded, fmt), format=RDFLIB_FORMAT[fmt])
    assert len(parsed) == len(union_graph(loaded))
    assert isomorphic(parsed, union_graph(loaded))


@pytest.mark.parametrize("fmt", ["trig", "nquads"])
def test_dataset_formats_keep_a_named_graph_per_file(loaded: LoadedGraph, fmt: str) -> None:
    parsed = Dataset()
    parsed.parse(data=export(loaded, fmt), format=fmt)
    names = {str(g.identifier) for g in parsed.graphs() if len(g)}
    assert names == set(loaded.files)
    for iri in loaded.files:
        original = Graph()
        for triple in loaded.dataset.graph(URIRef(iri)):
            original.add(triple)
        exported = Graph()
        for triple in parsed.graph(URIRef(iri)):
            exported.add(triple)
        # Oxigraph hands out "x"^^xsd:string; the export writes the identical plain "x".
        assert isomorphic(exported, union_graph_of(original)), iri


def union_graph_of(graph: Graph) -> Graph:
    out = Graph()
    for s, p, o in graph:
        if isinstance(o, Literal) and o.datatype == XSD.string:
            o = Literal(str(o))
        out.add((s, p, o))
    return out


def test_blank_nodes_round_trip(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "parties.ttl").write_text(
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .\n"
        "<https://w3id.org/kgtool/id/agreement/a> coop:qualifiedParty\n"
        "  [ coop:agent <https://w3id.org/kgtool/id/org/x> ; coop:partyRole coop:Lead ] ,\n"
        "  [ coop:agent <https://w3id.org/kgtool/id/org/y> ; coop:partyRole coop:Lead ] .\n"
        "<https://w3id.org/kgtool/id/agreement/b> coop:qualifiedParty\n"
        "  [ coop:agent <https://w3id.org/kgtool/id/org/x> ; coop:partyRole coop:Lead ] .\n",
        encoding="utf-8",
    )
    first, second = load(project=Project(tmp_path)), load(project=Project(tmp_path))
    for fmt in FORMATS:
        assert export(first, fmt) == export(second, fmt), fmt
    for fmt, rdflib_format in RDFLIB_FORMAT.items():
        parsed = Graph().parse(data=export(first, fmt), format=rdflib_format)
        assert isomorphic(parsed, union_graph(first)), fmt


def test_two_separate_loads_give_identical_bytes() -> None:
    first, second = load(project=CORE), load(project=CORE, store="memory")
    for fmt in FORMATS:
        assert export(first, fmt) == export(second, fmt), fmt


def test_output_does_not_depend_on_hash_seed(tmp_path: Path) -> None:
    script = (
        "import sys, hashlib; from pathlib import Path\n"
        "from kgtool.graph import load; from kgtool.project import Project\n"
        "from kgtool.export import export, FORMATS\n"
        "loaded = load(project=Project(Path(sys.argv[1])))\n"
        "print(' '.join(hashlib.sha256(export(loaded, f)).hexdigest() for f in FORMATS))\n"
    )
    digests = set()
    for seed in ("1", "2"):
        env = dict(os.environ, PYTHONHASHSEED=seed)
        run = subprocess.run(
            [sys.executable, "-c", script, str(CORE.root)],
            capture_output=True,
            text=True,
            env=env,
            check=True,
        )
        digests.add(run.stdout)
    assert len(digests) == 1


def test_jsonld_carries_the_shipped_context_inline(loaded: LoadedGraph) -> None:
    document = json.loads(export(loaded, "jsonld"))
    assert document["@context"] == jsonld_context()
    assert isinstance(document["@context"], dict)
    assert not any(
        isinstance(v, str) and v.startswith("http") and k.startswith("@")
        for k, v in document["@context"].items()
    )
    shipped = json.loads(
        (Path(__file__).parent.parent / "kgtool" / "resources" / "context.jsonld").read_text(
            encoding="utf-8"
        )
    )
    for prefix, iri in PREFIXES.items():
        assert shipped["@context"][prefix] == iri
    terms = set(shipped["@context"]) - set(PREFIXES)
    assert terms and all(isinstance(shipped["@context"][t], dict) for t in terms)
    assert "prefLabel" in json.dumps(document)  # terms of the context are used


def test_literals_keep_lexical_form_and_language_case(tmp_path: Path) -> None:
    (tmp_path / "data").mkdir()
    (tmp_path / "data" / "obs.ttl").write_text(
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        "<https://w3id.org/kgtool/id/observation/o>\n"
        '  <https://w3id.org/kgtool/ontology#value> "87"^^xsd:decimal ;\n'
        '  <http://www.w3.org/2004/02/skos/core#prefLabel> "Toshkent"@uz-Latn .\n',
        encoding="utf-8",
    )
    loaded = load(project=Project(tmp_path))
    turtle = export(loaded, "turtle").decode("utf-8")
    assert '"87"^^xsd:decimal' in turtle
    assert '"Toshkent"@uz-Latn' in turtle


def test_export_writes_atomically_and_rejects_unknown_formats(
    loaded: LoadedGraph, tmp_path: Path
) -> None:
    written = export_all(loaded, tmp_path / "out")
    assert sorted(p.suffix for p in written) == sorted(FORMATS.values())
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == sorted(p.name for p in written)
    with pytest.raises(KgtoolError, match="unknown export format"):
        export(loaded, "csv")


def test_cli_export_to_stdout_and_file(tmp_path: Path) -> None:
    runner = CliRunner()
    result = runner.invoke(cli, ["export", "--format", "nt", str(CORE.root)])
    assert result.exit_code == 0, result.output
    assert result.stdout_bytes == export(load([CORE.root]), "nt")
    target = tmp_path / "graph.trig"
    result = runner.invoke(cli, ["export", "-f", "trig", "-o", str(target), str(CORE.root)])
    assert result.exit_code == 0, result.output
    assert target.read_bytes() == export(load([CORE.root]), "trig")


def test_trig_keeps_multi_line_literals_exactly(tmp_path: Path) -> None:
    # A SHACL sh:select spans lines; re-indenting a graph block would change its text.
    query = "SELECT $this\nWHERE {\n  $this ?p ?o .\n}"
    source = tmp_path / "data" / "shape.ttl"
    source.parent.mkdir()
    source.write_text(
        "@prefix sh: <http://www.w3.org/ns/shacl#> .\n"
        f'<https://example.org/c> sh:select """{query}""" .\n',
        encoding="utf-8",
    )
    project = Project(tmp_path)
    parsed = Dataset()
    parsed.parse(data=export(load(project=project), "trig"), format="trig")
    values = [str(o) for _, _, o, _ in parsed.quads((None, None, None, None))]
    assert values == [query]
