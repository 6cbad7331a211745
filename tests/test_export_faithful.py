"""Exports on pyoxigraph: literals as written, JSON-LD that re-parses to the same graph in rdflib
and in pyoxigraph, canonical blank nodes whatever the load order, graphs kgtool made itself."""

from __future__ import annotations

import json
import random
from pathlib import Path

import pyoxigraph as ox
import pytest
from rdflib import Graph, Literal, URIRef
from rdflib.compare import isomorphic

from kgtool.errors import KgtoolError
from kgtool.export import (
    FORMATS,
    export,
    jsonld_bytes,
    jsonld_context,
    jsonld_from_lines,
    serialize,
    serialize_each,
)
from kgtool.graph import load
from kgtool.project import INFERRED_GRAPH, Project

OX_FORMAT = {
    "turtle": ox.RdfFormat.TURTLE,
    "nt": ox.RdfFormat.N_TRIPLES,
    "jsonld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
    "trig": ox.RdfFormat.TRIG,
    "nquads": ox.RdfFormat.N_QUADS,
}
RDFLIB_FORMAT = {"turtle": "turtle", "nt": "nt", "jsonld": "json-ld", "xml": "xml"}

#: Typed literals Oxigraph's store would rewrite ("087" -> "87", "1" -> "true", ...).
LITERALS = """\
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix coop: <https://w3id.org/kgtool/ontology#> .
<https://w3id.org/kgtool/id/observation/o>
  coop:count "2"^^xsd:nonNegativeInteger , "087"^^xsd:integer , "+5"^^xsd:int ;
  coop:flag "1"^^xsd:boolean ;
  coop:value "1.50"^^xsd:decimal , "87"^^xsd:decimal , "1e3"^^xsd:double ;
  coop:at "2026-01-01T10:00:00+00:00"^^xsd:dateTime ;
  coop:note "  7 "^^xsd:integer ;
  skos:prefLabel "Toshkent"@uz-Latn , "Тошкент"@uz-Cyrl , "Tashkent"@en .
"""

#: What a JSON-LD writer can get wrong: escapes, tags, datatypes, blank nodes, lists, terms of
#: the context used with values that do not fit them, IRIs outside every prefix.
TRICKY = r"""
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix coop: <https://w3id.org/kgtool/ontology#> .
@prefix inst: <https://w3id.org/kgtool/id/org/> .
inst:a a coop:University , _:kind ;
  skos:prefLabel "Quote \" backslash \\ tab	end"@en , "Second"@en , "Без тега" ,
      "12"^^xsd:integer , "Fanlar akademiyasi"@uz-Latn ;
  rdfs:label "Line one\nline two\u0001"@ru ;
  coop:party inst:b , _:someone , "not an IRI" ;
  coop:partOf <http://example.org/elsewhere#x> ;
  coop:members ( inst:b "two" 3 ( "nested" ) ) ;
  coop:source [ coop:page "12"^^xsd:nonNegativeInteger ; coop:quote "\"@uz-latn \" ."@en ] ;
  <http://example.org/no/prefix> "x"^^<http://example.org/type> , 1.50 , true .
_:kind rdfs:label "a blank class"@en .
_:someone a _:kind .
"""


def _project(tmp_path: Path, files: dict[str, str]) -> Project:
    (tmp_path / "data").mkdir(parents=True)
    for name, text in files.items():
        (tmp_path / "data" / name).write_text(text, encoding="utf-8")
    return Project(tmp_path)


def _ox_triples(data: bytes, fmt: ox.RdfFormat) -> set[str]:
    """Return the triples of ``data`` as N-Triples lines, blank nodes canonical, lexical forms
    as written (pyoxigraph's parser keeps them; only language tags come back lower-cased)."""
    dataset = ox.Dataset(
        ox.Quad(q.subject, q.predicate, q.object, ox.DefaultGraph())
        for q in ox.parse(data, format=fmt)
    )
    dataset.canonicalize(ox.CanonicalizationAlgorithm.UNSTABLE)
    return {str(q.triple) for q in dataset}


def test_every_format_keeps_literals_as_the_file_writes_them(tmp_path: Path) -> None:
    loaded = load(project=_project(tmp_path, {"obs.ttl": LITERALS}))
    source = _ox_triples(LITERALS.encode(), ox.RdfFormat.TURTLE)
    assert '"087"^^<http://www.w3.org/2001/XMLSchema#integer>' in str(source)
    for fmt in FORMATS:
        data = export(loaded, fmt)
        assert _ox_triples(data, OX_FORMAT[fmt]) == source, fmt
        if fmt not in ("jsonld", "xml"):
            text = data.decode("utf-8")
            assert '"Toshkent"@uz-Latn' in text and '"Тошкент"@uz-Cyrl' in text, fmt
    assert b'xml:lang="uz-Latn"' in export(loaded, "xml")
    labels = json.loads(export(loaded, "jsonld"))["@graph"][0]["prefLabel"]
    assert labels == {"en": "Tashkent", "uz-Cyrl": "Тошкент", "uz-Latn": "Toshkent"}


@pytest.mark.parametrize("fmt", ["jsonld", "turtle", "xml", "nt"])
def test_tricky_graph_re_parses_to_the_same_graph_in_rdflib_and_pyoxigraph(
    tmp_path: Path, fmt: str
) -> None:
    text = TRICKY.replace(r"\u0001", "") if fmt == "xml" else TRICKY  # XML 1.0 forbids it
    loaded = load(project=_project(tmp_path, {"tricky.ttl": text}))
    data = export(loaded, fmt)
    assert _ox_triples(data, OX_FORMAT[fmt]) == _ox_triples(text.encode(), ox.RdfFormat.TURTLE)
    if fmt in ("turtle", "nt"):
        # A literal's text that looks like a tag stays as it is; the real tags get their case.
        assert '"\\"@uz-latn \\" ."@en' in data.decode("utf-8")
        assert '"Fanlar akademiyasi"@uz-Latn' in data.decode("utf-8")
    parsed = Graph().parse(data=data, format=RDFLIB_FORMAT[fmt])
    # Not union_graph(loaded): the store holds "1.50"^^xsd:decimal as "1.5".
    assert isomorphic(parsed, Graph().parse(data=text, format="turtle"))


def test_jsonld_uses_the_context_terms_only_for_values_that_fit_them(tmp_path: Path) -> None:
    loaded = load(project=_project(tmp_path, {"tricky.ttl": TRICKY}))
    document = json.loads(export(loaded, "jsonld"))
    node = next(n for n in document["@graph"] if n["@id"] == "inst:a")
    assert node["prefLabel"]["en"] == ['Quote " backslash \\ tab\tend', "Second"]
    assert node["skos:prefLabel"] == [{"@type": "xsd:integer", "@value": "12"}, "Без тега"]
    assert node["party"][0] == "inst:b" and node["party"][1].startswith("_:")
    assert node["coop:party"] == "not an IRI"
    assert node["partOf"] == "http://example.org/elsewhere#x"
    assert node["@type"] == "coop:University"  # the blank class is a reference, not a type
    assert node["rdf:type"]["@id"].startswith("_:")
    assert "@value" in json.dumps(node["http://example.org/no/prefix"])


def test_same_graph_same_bytes_whatever_the_order_of_the_file(tmp_path: Path) -> None:
    """Blank nodes get fresh labels at every parse; the export relabels them canonically."""
    source = load(project=_project(tmp_path / "a", {"t.ttl": TRICKY}))
    ordered = export(source, "nt").decode("utf-8").splitlines()
    shuffled = list(ordered)
    random.Random(8).shuffle(shuffled)
    # Rename the blank nodes too: the canonical labels must not depend on them.
    text = "\n".join(shuffled).replace("_:g", "_:other") + "\n"
    first = load(project=_project(tmp_path / "b", {"t.nt": "\n".join(ordered) + "\n"}))
    second = load(project=_project(tmp_path / "c", {"t.nt": text}))
    for fmt in set(FORMATS) - {"xml"}:  # TRICKY holds a control character
        assert export(first, fmt) == export(second, fmt), fmt


@pytest.mark.parametrize(
    "text",
    [
        # two blank nodes alike in content and place: tree labels collide
        '<http://e/a> <http://e/p> [ <http://e/q> "x" ] , [ <http://e/q> "x" ] .\n',
        # a cycle of blank nodes
        '_:a <http://e/p> _:b .\n_:b <http://e/p> _:a .\n_:b <http://e/q> "087"^^'
        "<http://www.w3.org/2001/XMLSchema#integer> .\n",
    ],
)
def test_cycles_and_look_alike_blank_nodes_fall_back_to_full_canonicalisation(
    tmp_path: Path, text: str
) -> None:
    first = load(project=_project(tmp_path / "a", {"b.ttl": text}))
    second = load(project=_project(tmp_path / "b", {"b.ttl": text}))
    for fmt in FORMATS:
        data = export(first, fmt)
        assert data == export(second, fmt), fmt
        assert _ox_triples(data, OX_FORMAT[fmt]) == _ox_triples(
            text.encode(), ox.RdfFormat.TURTLE
        ), fmt


def test_a_graph_kgtool_made_is_exported_from_the_store(tmp_path: Path) -> None:
    loaded = load(project=_project(tmp_path, {"obs.ttl": LITERALS}))
    inferred = loaded.dataset.graph(URIRef(INFERRED_GRAPH))
    inferred.add((URIRef("https://e/a"), URIRef("https://e/p"), Literal("x", lang="uz-Latn")))
    trig = export(loaded, "trig").decode("utf-8")
    assert f"<{INFERRED_GRAPH}> {{" in trig and '"x"@uz-Latn' in trig
    assert f'"x"@uz-Latn <{INFERRED_GRAPH}> .' in export(loaded, "nquads").decode("utf-8")


def test_rdf_xml_refuses_a_property_it_cannot_write(tmp_path: Path) -> None:
    loaded = load(project=_project(tmp_path, {"p.ttl": '<http://e/s> <http://e/123> "v" .\n'}))
    with pytest.raises(KgtoolError, match=r"RDF/XML cannot write the property <http://e/123>"):
        export(loaded, "xml")
    assert export(loaded, "turtle")  # the other formats can
    control = _project(tmp_path / "c", {"c.ttl": '<http://e/s> <http://e/p> "a\\u0001b" .\n'})
    with pytest.raises(KgtoolError, match="control character U\\+0001"):
        export(load(project=control), "xml")


def test_jsonld_bytes_of_a_small_graph_re_parses(tmp_path: Path) -> None:
    graph = Graph().parse(data=TRICKY, format="turtle")
    data = jsonld_bytes(graph)
    assert json.loads(data)["@context"]["prefLabel"]["@container"] == "@language"
    assert isomorphic(Graph().parse(data=data, format="json-ld"), graph)


def test_serialize_each_reads_once_and_gives_what_serialize_gives(tmp_path: Path) -> None:
    loaded = load(project=_project(tmp_path, {"obs.ttl": LITERALS}))
    each = dict(serialize_each(loaded, ["trig", "jsonld", "nt"]))
    assert list(each) == ["trig", "jsonld", "nt"]
    assert all(each[fmt] == serialize(loaded, fmt) for fmt in each)
    with pytest.raises(KgtoolError, match="unknown export format 'csv'"):
        dict(serialize_each(loaded, ["nt", "csv"]))


def test_a_trig_source_keeps_its_named_graphs_and_literals(tmp_path: Path) -> None:
    trig = (
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .\n"
        '<http://e/s> <http://e/p> "087"^^xsd:integer .\n'
        '<http://e/g1> { <http://e/s> <http://e/p> "1"^^xsd:boolean . }\n'
        '<http://e/g2> { _:b <http://e/p> "x"@uz-Latn . }\n'
    )
    project = _project(tmp_path, {"graphs.trig": trig})
    loaded = load(project=project)
    quads = export(loaded, "nquads").decode("utf-8")
    default = project.graph_iri(tmp_path / "data" / "graphs.trig")
    assert f'"087"^^<http://www.w3.org/2001/XMLSchema#integer> <{default}> .' in quads
    assert '"1"^^<http://www.w3.org/2001/XMLSchema#boolean> <http://e/g1> .' in quads
    assert '"x"@uz-Latn <http://e/g2> .' in quads
    parsed = {str(q) for q in ox.parse(export(loaded, "trig"), format=ox.RdfFormat.TRIG)}
    assert len(parsed) == 3 and any('"087"^^' in q for q in parsed)


def test_a_repeated_triple_does_not_change_the_blank_node_labels(tmp_path: Path) -> None:
    once = '_:a <http://e/p> "x" .\n<http://e/s> <http://e/q> _:a .\n'
    twice = once + '_:a <http://e/p> "x" .\n'
    first = load(project=_project(tmp_path / "a", {"b.nt": once}))
    second = load(project=_project(tmp_path / "b", {"b.nt": twice}))
    for fmt in FORMATS:
        assert export(first, fmt) == export(second, fmt), fmt


@pytest.mark.parametrize("explicit", [False, True], ids=["compact", "explicit"])
def test_both_jsonld_shapes_re_parse_to_the_graph(tmp_path: Path, explicit: bool) -> None:
    """The dumps' shape (context terms, single values bare) and a published thing's shape
    (every value explicit, in an array) come from one writer and carry the same triples."""
    loaded = load(project=_project(tmp_path, {"tricky.ttl": TRICKY}))
    lines = export(loaded, "nt").decode("utf-8").splitlines()
    data = jsonld_from_lines(lines, explicit=explicit)
    source = _ox_triples(TRICKY.encode(), ox.RdfFormat.TURTLE)
    assert _ox_triples(data, ox.RdfFormat.JSON_LD) == source
    assert isomorphic(Graph().parse(data=data, format="json-ld"), Graph().parse(data=TRICKY))
    nodes = json.loads(data)["@graph"]
    keys = {key for node in nodes for key in node}
    terms = {name for name, value in jsonld_context().items() if isinstance(value, dict)}
    if explicit:
        assert not keys & terms, "no context term in the explicit shape"
        assert all(isinstance(v, list) for n in nodes for k, v in n.items() if k != "@id")
    else:
        assert {"prefLabel", "party"} <= keys
