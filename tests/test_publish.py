"""The static linked-data site: pages, dumps that re-parse, checksums, VoID/DCAT, no remote loads,
escaping, schema.org JSON-LD, atomic replacement and the publish command."""

from __future__ import annotations

import hashlib
import json
import re
import shutil
from collections.abc import Iterable, Iterator
from html.parser import HTMLParser
from pathlib import Path

import pyoxigraph as ox
import pytest
from click.testing import CliRunner
from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, SKOS, XSD

from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, load, oxigraph_store, union_graph
from kgtool.project import COOP, ID, Project
from kgtool.publish import DATA_LICENSE, doc_path, publish, serialize_triples
from kgtool.queries import normalise_term

#: rdflib's own JSON-LD parser and TriG writer use its deprecated APIs; not ours to fix.
RDFLIB_DEPRECATIONS = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning"),
]
pytestmark = RDFLIB_DEPRECATIONS

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
HOSTILE = '</script><img src=x onerror=alert(1)>"&'
FIXTURE_ONTOLOGY = """@prefix owl: <http://www.w3.org/2002/07/owl#> .
@prefix rdfs: <http://www.w3.org/2000/01/rdf-schema#> .
@prefix coop: <https://w3id.org/kgtool/ontology#> .
<https://w3id.org/kgtool/ontology/core> a owl:Ontology ; rdfs:label "core"@en .
coop:Institution a owl:Class ; rdfs:label "Institution"@en , "Организация"@ru .
coop:University a owl:Class ; rdfs:subClassOf coop:Institution ; rdfs:label "University"@en .
<https://w3id.org/kgtool/id/country/UZ> a coop:Country ; coop:countryCode "UZ" ;
  <http://www.w3.org/2004/02/skos/core#prefLabel> "Uzbekistan"@en , "Ўзбекистон"@uz-Cyrl .
"""


def hostile_data() -> str:
    literal = HOSTILE.replace("\\", "\\\\").replace('"', '\\"')
    return f"""@prefix coop: <https://w3id.org/kgtool/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
<https://w3id.org/kgtool/id/org/hostile> a coop:University ;
  skos:prefLabel "{literal}"@en , "Xavfli universitet"@uz-Latn ;
  coop:partOf <https://w3id.org/kgtool/id/org/nuuz> ;
  coop:country <https://w3id.org/kgtool/id/country/UZ> .
"""


@pytest.fixture(scope="module")
def fixture_project(tmp_path_factory: pytest.TempPathFactory) -> Project:
    root = tmp_path_factory.mktemp("mini")
    (root / "ontology").mkdir()
    (root / "data").mkdir()
    (root / "ontology" / "core.ttl").write_text(FIXTURE_ONTOLOGY, encoding="utf-8")
    shutil.copy(Path(__file__).parent / "fixtures" / "world.ttl", root / "data" / "world.ttl")
    (root / "data" / "hostile.ttl").write_text(hostile_data(), encoding="utf-8")
    return Project(root)


@pytest.fixture(scope="module")
def fixture_site(fixture_project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("mini-site") / "site"
    publish(load(project=fixture_project), out)
    return out


@pytest.fixture(scope="module")
def project_loaded(project: Project) -> LoadedGraph:
    return load(project=project)


@pytest.fixture(scope="module")
def project_site(project_loaded: LoadedGraph, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("site") / "site"
    messages: list[str] = []
    summary = publish(project_loaded, out, progress=messages.append)
    assert summary.out_dir == out.resolve()
    assert messages, "progress is reported"
    return out


def html_files(site: Path) -> Iterator[Path]:
    yield from sorted(site.rglob("*.html"))


class Refs(HTMLParser):
    """Collects every URL a page refers to, by tag and attribute."""

    def __init__(self) -> None:
        super().__init__()
        self.refs: list[tuple[str, str, str]] = []
        self.jsonld: list[str] = []
        self._in_jsonld = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        values = dict(attrs)
        for name in ("src", "href", "data", "poster", "action"):
            if values.get(name):
                self.refs.append((tag, name, values[name] or ""))
        self._in_jsonld = tag == "script" and values.get("type") == "application/ld+json"

    def handle_endtag(self, tag: str) -> None:
        self._in_jsonld = False

    def handle_data(self, data: str) -> None:
        if self._in_jsonld:
            self.jsonld.append(data)


def refs_of(path: Path) -> Refs:
    parser = Refs()
    parser.feed(path.read_text(encoding="utf-8"))
    return parser


def canonical_literal(term: ox.Literal) -> ox.Literal:
    """Return a typed literal in its canonical lexical form (``PT0S``/``P0D``, ``87``/``87.0``):
    rdflib, which every serialisation goes through, rewrites some lexical forms."""
    if term.language or term.datatype.value == str(XSD.string):
        return term
    normal = normalise_term(Literal(term.value, datatype=URIRef(term.datatype.value)))
    assert isinstance(normal, Literal) and normal.datatype is not None
    return ox.Literal(str(normal), datatype=ox.NamedNode(str(normal.datatype)))


def canonical(quads: Iterable[ox.Quad]) -> set[ox.Quad]:
    quads = (
        ox.Quad(q.subject, q.predicate, canonical_literal(q.object), q.graph_name)
        if isinstance(q.object, ox.Literal)
        else q
        for q in quads
    )
    dataset = ox.Dataset(quads)
    dataset.canonicalize(ox.CanonicalizationAlgorithm.RDFC_1_0)
    return set(dataset)


def union_quads(loaded: LoadedGraph) -> set[ox.Quad]:
    store = oxigraph_store(loaded)
    triples = {ox.Quad(q.subject, q.predicate, q.object) for q in store}
    return canonical(triples)


# --- pages ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls",
    [COOP.Institution, COOP.Agreement, SKOS.Concept, COOP.Country, COOP.SourceDocument],
    ids=["institution", "agreement", "concept", "country", "source"],
)
def test_a_page_per_thing_of_each_kind(
    project_site: Path, project_loaded: LoadedGraph, cls: URIRef
) -> None:
    result = project_loaded.dataset.query(
        f"SELECT DISTINCT ?x WHERE {{ ?x a/rdfs:subClassOf* <{cls}> }}"
    )
    things = sorted(str(row[0]) for row in result if str(row[0]).startswith(ID))  # type: ignore[index]
    assert things, f"the project has instances of {cls}"
    for iri in things:
        path = doc_path(iri)
        assert path is not None
        for ext in (".html", ".ttl", ".jsonld"):
            assert (project_site / (path + ext)).is_file(), f"{iri} has no {ext}"


def test_fixture_site_has_a_page_per_described_thing(
    fixture_project: Project, fixture_site: Path
) -> None:
    graph = Graph().parse(fixture_project.root / "data" / "world.ttl", format="turtle")
    graph.parse(fixture_project.root / "ontology" / "core.ttl", format="turtle")
    things = {str(s) for s in graph.subjects() if str(s).startswith(ID)}
    kinds = {iri[len(ID) :].split("/")[0] for iri in things}
    assert {"org", "agreement", "country", "source"} <= kinds
    for iri in things:
        page = fixture_site / f"{doc_path(iri)}.html"
        assert page.is_file(), f"no page for {iri}"
        assert iri in page.read_text(encoding="utf-8")
    index = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert index.count('href="doc/') >= len(things), "the index links every page"


def test_thing_page_shows_names_by_language_sources_evidence_and_neighbours(
    project_site: Path,
) -> None:
    page = (project_site / "doc/org/uzas.html").read_text(encoding="utf-8")
    assert '<span lang="ru">Академия наук Республики Узбекистан</span>' in page
    assert '<span lang="uz-Cyrl">Ўзбекистон Республикаси Фанлар академияси</span>' in page
    assert 'href="../source/000_e9e16332b42228ca.html"' in page, "source documents are linked"
    assert "characters" in page and "../span/" in page, "evidence spans with offsets"
    assert 'href="uzas-ims.html"' in page, "incoming partOf link from its institute"
    assert 'href="../country/UZ.html"' in page, "outgoing link to its country"
    agreement = (project_site / "doc/agreement/uzas-uztmk-memorandum.html").read_text("utf-8")
    assert 'href="../org/uzas.html"' in agreement and 'href="../org/uztmk.html"' in agreement


def test_thing_documents_parse_and_describe_the_thing(project_site: Path) -> None:
    iri = URIRef(ID + "org/uzas")
    turtle = Graph().parse(project_site / "doc/org/uzas.ttl", format="turtle")
    jsonld_text = (project_site / "doc/org/uzas.jsonld").read_text(encoding="utf-8")
    assert '"@context": {' in jsonld_text, "the context is inline, not a URL"
    jsonld = Graph().parse(data=jsonld_text, format="json-ld")
    assert set(turtle) == set(jsonld)
    assert (iri, RDF.type, COOP.AcademyOfSciences) in turtle
    assert (URIRef(ID + "org/uzas-ims"), COOP.partOf, iri) in turtle, "incoming links included"
    names = set(turtle.objects(iri, SKOS.prefLabel))
    assert Literal("Академия наук Республики Узбекистан", lang="ru") in names


def test_schema_org_blocks_parse_offline(project_site: Path) -> None:
    count = 0
    for path in [project_site / "index.html", *sorted((project_site / "doc").rglob("*.html"))]:
        for block in refs_of(path).jsonld:
            data = json.loads(block)
            assert isinstance(data["@context"], dict), f"{path}: remote @context"
            graph = Graph().parse(data=block, format="json-ld")
            assert len(graph) > 0
            count += 1
    assert count >= 300
    block = refs_of(project_site / "doc/org/uzas.html").jsonld[0]
    graph = Graph().parse(data=block, format="json-ld")
    schema = Namespace("https://schema.org/")
    iri = URIRef(ID + "org/uzas")
    assert (iri, RDF.type, schema.Organization) in graph
    assert (iri, schema.sameAs, URIRef("https://ror.org/01xgfaw76")) in graph


# --- dumps, checksums, VoID ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "fmt"),
    [
        ("kgtool.nt", ox.RdfFormat.N_TRIPLES),
        ("kgtool.ttl", ox.RdfFormat.TURTLE),
        ("kgtool.jsonld", ox.RdfFormat.JSON_LD),
    ],
)
def test_graph_dumps_reparse_to_the_loaded_graph(
    project_site: Path, project_loaded: LoadedGraph, name: str, fmt: ox.RdfFormat
) -> None:
    parsed = canonical(ox.parse(path=project_site / "dumps" / name, format=fmt))
    assert parsed == union_quads(project_loaded)


def test_trig_dump_keeps_a_named_graph_per_source_file(
    project_site: Path, project_loaded: LoadedGraph
) -> None:
    parsed = canonical(ox.parse(path=project_site / "dumps/kgtool.trig", format=ox.RdfFormat.TRIG))
    assert parsed == canonical(iter(oxigraph_store(project_loaded)))
    names = {q.graph_name.value for q in parsed if isinstance(q.graph_name, ox.NamedNode)}
    assert names == set(project_loaded.files)


def test_checksums_match_the_dumps_and_the_void_description(project_site: Path) -> None:
    lines = (project_site / "dumps/SHA256SUMS").read_text(encoding="utf-8").splitlines()
    sums = dict(reversed(line.split("  ", 1)) for line in lines)
    assert set(sums) == {"kgtool.ttl", "kgtool.nt", "kgtool.jsonld", "kgtool.trig"}
    void = Graph().parse(project_site / "void.ttl", format="turtle")
    for name, digest in sums.items():
        data = (project_site / "dumps" / name).read_bytes()
        assert hashlib.sha256(data).hexdigest() == digest
        dist = next(d for d in void.subjects(RDF.type, DCAT.Distribution) if str(d).endswith(name))
        assert void.value(dist, DCAT.downloadURL) == dist
        assert int(void.value(dist, DCAT.byteSize)) == len(data)  # type: ignore[arg-type]
        checksum = void.value(dist, SPDX.checksum)
        assert void.value(checksum, SPDX.algorithm) == SPDX.checksumAlgorithm_sha256
        assert str(void.value(checksum, SPDX.checksumValue)) == digest
        assert void.value(dist, DCAT.mediaType) is not None


def test_void_counts_licence_vocabularies_and_languages(
    project_site: Path, project_loaded: LoadedGraph
) -> None:
    void = Graph().parse(project_site / "void.ttl", format="turtle")
    dataset = void.value(None, RDF.type, VOID.Dataset)
    assert dataset is not None and (dataset, RDF.type, DCAT.Dataset) in void
    assert int(void.value(dataset, VOID.triples)) == len(union_quads(project_loaded))  # type: ignore[arg-type]
    pages = len(list((project_site / "doc").rglob("*.html")))
    assert int(void.value(dataset, VOID.entities)) == pages  # type: ignore[arg-type]
    assert void.value(dataset, DCTERMS.license) == URIRef(DATA_LICENSE)
    vocabularies = set(void.objects(dataset, VOID.vocabulary))
    assert URIRef(str(COOP)) in vocabularies and URIRef(str(SKOS)) in vocabularies
    languages = {str(x) for x in void.objects(dataset, DCTERMS.language)}
    assert {"en", "ru", "uz-Latn", "uz-Cyrl"} <= languages
    assert all(x.datatype == XSD.language for x in void.objects(dataset, DCTERMS.language))  # type: ignore[union-attr]
    assert void.value(dataset, VOID.sparqlEndpoint) is None, "a static site has no endpoint"
    index = (project_site / "index.html").read_text(encoding="utf-8")
    assert 'href="void.ttl"' in index


# --- offline and escaping --------------------------------------------------------------------


def test_no_page_loads_anything_from_elsewhere(
    project_site: Path, project_loaded: LoadedGraph
) -> None:
    iris = {t.value for q in oxigraph_store(project_loaded) for t in (q.subject, q.object)}
    remote = re.compile(r"^(?:[a-z][a-z0-9+.-]*:)?//", re.I)
    pages = list(html_files(project_site))
    assert len(pages) > 300
    for path in pages:
        ontology_page = path.parent.name == "ontology"
        for tag, attr, url in refs_of(path).refs:
            if not remote.match(url) and not url.startswith(("http:", "https:")):
                continue
            where = f"{path.relative_to(project_site)}: <{tag} {attr}={url}>"
            assert tag == "a" and attr == "href", f"loads a remote resource: {where}"
            if not ontology_page:  # pyLODE links terms to their (outside) IRIs too
                assert url in iris or url == DATA_LICENSE, f"links outside the data: {where}"
        text = path.read_text(encoding="utf-8")
        assert "@import" not in text and not re.search(r"url\(\s*['\"]?https?:", text), path


def test_hostile_label_is_escaped_everywhere(fixture_site: Path) -> None:
    page = (fixture_site / "doc/org/hostile.html").read_text(encoding="utf-8")
    assert HOSTILE not in page
    assert "<img src=x" not in page
    assert "&lt;/script&gt;&lt;img src=x onerror=alert(1)&gt;&quot;&amp;" in page
    block = refs_of(fixture_site / "doc/org/hostile.html").jsonld[0]
    names = {n["@value"] for n in json.loads(block)["name"]}
    assert HOSTILE in names, "the JSON-LD block keeps the value, escaped for <script>"
    index = (fixture_site / "index.html").read_text(encoding="utf-8")
    assert HOSTILE not in index and "<img src=x" not in index
    neighbour = (fixture_site / "doc/org/nuuz.html").read_text(encoding="utf-8")
    assert "<img src=x" not in neighbour


def test_search_index_has_keys_in_both_uzbek_scripts(fixture_site: Path) -> None:
    entries = json.loads((fixture_site / "search-index.json").read_text(encoding="utf-8"))
    hostile = next(e for e in entries if e["iri"].endswith("/org/hostile"))
    assert "xavfli universitet" in hostile["keys"]
    uzbekistan = next(e for e in entries if e["iri"].endswith("/country/UZ"))
    assert "ozbekiston" in uzbekistan["keys"], "a Cyrillic-only name is found in Latin"
    assert hostile["href"] == "doc/org/hostile.html"


def test_ontology_documentation_is_offline(fixture_site: Path) -> None:
    page = (fixture_site / "ontology/index.html").read_text(encoding="utf-8")
    assert "Institution" in page
    assert not re.search(r"<(?:script|img|link)\b[^>]*(?:src|href)=[\"']?https?:", page)


def test_ontology_documentation_has_one_title_and_a_csp(project_site: Path) -> None:
    """pyLODE concatenated the titles of every module and concept scheme into one heading
    and showed a concept scheme's IRI as the ontology's."""
    page = (project_site / "ontology/index.html").read_text(encoding="utf-8")
    headings = re.findall(r"<h1>(.*?)</h1>", page, re.S)
    assert headings[0] == "kgtool ontology", headings[:1]
    assert "<code>https://w3id.org/kgtool/ontology</code>" in page
    assert "kgtool ontology: organisations" in page, "the modules are still named"
    assert '<meta http-equiv="Content-Security-Policy"' in page


DETERMINISM_PROBE = """
import hashlib, sys
from pathlib import Path
from rdflib import Graph
from kgtool.graph import load
from kgtool.project import Project
from kgtool.export import serialize
from kgtool.publish import serialize_triples
root = Path(sys.argv[1])
world = Graph().parse(root / "data" / "world.ttl")
print(hashlib.sha256(serialize_triples(world, "jsonld")).hexdigest())
cycles = list(Graph().parse(data=sys.argv[2], format="turtle"))
for fmt in ("turtle", "jsonld", "nt"):
    print(fmt, hashlib.sha256(serialize_triples(cycles, fmt)).hexdigest())
print(hashlib.sha256(serialize(load(project=Project(root)), "trig")).hexdigest())
"""


def test_documents_and_dumps_do_not_depend_on_the_hash_seed(fixture_project: Project) -> None:
    """Python salts str hashes per process; rdflib's JSON-LD and TriG writers iterate sets,
    so two builds of the same data gave different .jsonld pages, TriG dump and SHA256SUMS."""
    import os
    import subprocess
    import sys

    digests = set()
    for seed in ("1", "2", "3"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", DETERMINISM_PROBE, str(fixture_project.root), CYCLES],
            env=env, capture_output=True, text=True, check=True, timeout=120,
        )  # fmt: skip
        digests.add(done.stdout)
    assert len(digests) == 1, digests


# --- writing ---------------------------------------------------------------------------------


def test_publish_replaces_the_folder_only_when_complete(
    fixture_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    out = tmp_path / "site"
    out.mkdir()
    (out / "stale.html").write_text("old", encoding="utf-8")
    loaded = load(project=fixture_project)
    with pytest.raises(KgtoolError, match="not a kgtool site"):
        publish(loaded, out)  # a folder of other files is never replaced
    (out / ".kgtool-site").write_text("", encoding="utf-8")

    import kgtool.publish as module

    def broken(_loaded: LoadedGraph) -> str:
        raise module.KgtoolError("ontology documentation failed: boom")

    monkeypatch.setattr(module, "ontology_html", broken)
    with pytest.raises(module.KgtoolError, match="boom"):
        publish(loaded, out)
    assert (out / "stale.html").read_text(encoding="utf-8") == "old", "old site untouched"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"], "no temp folder left"
    monkeypatch.undo()
    publish(loaded, out)
    assert not (out / "stale.html").exists()
    assert (out / "index.html").is_file()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["site"]


def test_publish_command(fixture_project: Project, tmp_path: Path) -> None:
    out = tmp_path / "cli-site"
    runner = CliRunner()
    data = [str(fixture_project.root / "ontology"), str(fixture_project.root / "data")]
    result = runner.invoke(cli, ["publish", "-o", str(out), *data])
    assert result.exit_code == 0, result.output
    assert "pages" in result.output
    assert (out / "doc/agreement").is_dir() and (out / "void.ttl").is_file()
    bad = runner.invoke(cli, ["publish", "-o", str(out), str(tmp_path / "missing.ttl")])
    assert bad.exit_code == 2
    assert "no such file" in bad.output


@pytest.mark.parametrize("base", ["javascript:alert(1)", "example.org/kg/", "http://x/ y"])
def test_publish_refuses_a_base_that_is_not_a_web_address(
    fixture_project: Project, tmp_path: Path, base: str
) -> None:
    """--base went unchecked into void.ttl (<javascript:alert(1)/dataset>)."""
    with pytest.raises(KgtoolError, match="--base must be"):
        publish(load(project=fixture_project), tmp_path / "site", base=base)
    assert not (tmp_path / "site").exists()


def test_doc_path_maps_thing_iris_only() -> None:
    assert doc_path(ID + "org/uzas") == "doc/org/uzas"
    assert doc_path(ID + "country/UZ") == "doc/country/UZ"
    assert doc_path(ID + "org/a b") == "doc/org/a%20b"
    assert doc_path(str(COOP.Agreement)) is None
    assert doc_path(ID + "org") is None
    assert RDFS.label  # rdflib namespaces imported for the assertions above


# --- incremental publishing, determinism, per-thing documents ------------------------------


def snapshot(site: Path) -> dict[str, tuple[int, int]]:
    """Every file of a site with its inode and modification time: a rewrite changes one."""
    return {
        str(path.relative_to(site)): (path.stat().st_ino, path.stat().st_mtime_ns)
        for path in site.rglob("*")
        if path.is_file()
    }


def contents(site: Path) -> dict[str, bytes]:
    return {str(p.relative_to(site)): p.read_bytes() for p in site.rglob("*") if p.is_file()}


def test_publishing_again_rewrites_only_changed_files_and_removes_vanished_things(
    fixture_project: Project, tmp_path: Path
) -> None:
    root = tmp_path / "project"
    shutil.copytree(fixture_project.root, root)
    # blank nodes get other labels at each load: pages must not follow them
    (root / "data" / "blank.ttl").write_text(BLANK_NODES, encoding="utf-8")
    out = tmp_path / "site"
    first = publish(load(project=Project(root)), out)
    assert first.written == len(snapshot(out)) and first.unchanged == first.removed == 0
    before = snapshot(out)

    for _ in range(4):  # a new load each time: other blank-node labels, other store order
        again = publish(load(project=Project(root)), out)
        assert (again.written, again.removed) == (0, 0)
        assert again.unchanged == len(before)
        assert snapshot(out) == before, "nothing rewritten when nothing changed"

    (root / "data" / "hostile.ttl").unlink()  # the hostile university disappears
    (out / "doc/org/kist.html").write_text("edited by hand", encoding="utf-8")
    third = publish(load(project=Project(root)), out)
    after = snapshot(out)
    gone = {f"doc/org/hostile{ext}" for ext in (".html", ".ttl", ".jsonld", ".nt")}
    assert gone <= set(before) and not gone & set(after)
    assert third.removed == len(gone)
    assert after["doc/org/kaist.html"] == before["doc/org/kaist.html"], "unrelated page kept"
    assert after["doc/org/nuuz.html"] != before["doc/org/nuuz.html"], "its neighbour rewritten"
    assert "hostile" not in (out / "doc/org/nuuz.html").read_text(encoding="utf-8")
    assert 0 < third.written < len(after) // 2
    assert third.written + third.unchanged == len(after)

    fresh = tmp_path / "fresh"
    publish(load(project=Project(root)), fresh)
    assert contents(out) == contents(fresh), "the updated site is the site built from scratch"


SITE_PROBE = """
import hashlib, sys, tempfile
from pathlib import Path
from kgtool.graph import load
from kgtool.project import Project
from kgtool.publish import ontology_html, publish
fixture, repo = Path(sys.argv[1]), Path(sys.argv[2])
with tempfile.TemporaryDirectory() as work:
    site = Path(work) / "site"
    publish(load(project=Project(fixture)), site)
    digest = hashlib.sha256()
    for path in sorted(p for p in site.rglob("*") if p.is_file()):
        digest.update(str(path.relative_to(site)).encode() + b"\\0" + path.read_bytes())
    print("site", digest.hexdigest())
print("ontology", hashlib.sha256(ontology_html(load(project=Project(repo))).encode()).hexdigest())
"""


def test_site_and_ontology_page_are_byte_identical_across_hash_seeds(
    fixture_project: Project, project: Project
) -> None:
    """pyLODE documented terms in rdflib's hash order and joined owl:unionOf members from a
    set: the ontology page differed from one PYTHONHASHSEED (and one run) to the next."""
    import os
    import subprocess
    import sys

    outputs = []
    for seed in ("1", "2"):
        env = {**os.environ, "PYTHONHASHSEED": seed}
        done = subprocess.run(
            [sys.executable, "-c", SITE_PROBE, str(fixture_project.root), str(project.root)],
            env=env, capture_output=True, text=True, check=True, timeout=300,
        )  # fmt: skip
        outputs.append(done.stdout)
    assert outputs[0].count("\n") == 2 and outputs[0] == outputs[1], outputs


BLANK_NODES = r"""
@prefix coop: <https://w3id.org/kgtool/ontology#> .
@prefix skos: <http://www.w3.org/2004/02/skos/core#> .
@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .
<https://w3id.org/kgtool/id/agreement/a> a coop:Agreement ;
  skos:prefLabel "Say \"hi\"\\ \n\t twice"@en , "Ikki marta"@uz-Latn ;
  coop:signed "2024-05-01"^^xsd:date ; coop:note "plain" ;
  coop:qualifiedParty [ a coop:PartyRole ; coop:agent <https://w3id.org/kgtool/id/org/x> ;
                        coop:partyRole [ skos:prefLabel "lead"@en ] ] ,
                      [ a coop:PartyRole ; coop:agent <https://w3id.org/kgtool/id/org/y> ] ,
                      [ a coop:PartyRole ; coop:agent <https://w3id.org/kgtool/id/org/y> ] ;
  <http://example.org/odd%20path#x> <https://w3id.org/kgtool/id/org/x> .
"""


#: Blank nodes in cycles: two cycles alike (each node of one looks like a node of the other)
#: and one whose nodes differ only by what the cycle leads to.
CYCLES = """@prefix coop: <https://w3id.org/kgtool/ontology#> .
<https://w3id.org/kgtool/id/agreement/cyclic> a coop:Agreement ;
  coop:qualifiedParty _:a , _:c , _:e .
_:a coop:next _:b . _:b coop:next _:a . _:a coop:agent <https://w3id.org/kgtool/id/org/x> .
_:c coop:next _:d . _:d coop:next _:c . _:c coop:agent <https://w3id.org/kgtool/id/org/x> .
_:e coop:next _:f . _:f coop:next _:g . _:g coop:next _:e . _:f coop:note "f" .
"""


@pytest.mark.parametrize("data", [BLANK_NODES, CYCLES], ids=["trees", "cycles"])
@pytest.mark.parametrize(
    ("fmt", "rdflib_format"), [("turtle", "turtle"), ("nt", "nt"), ("jsonld", "json-ld")]
)
def test_thing_documents_with_blank_nodes_are_canonical_and_reparse(
    fmt: str, rdflib_format: str, data: str
) -> None:
    from rdflib.compare import isomorphic

    first = Graph().parse(data=data, format="turtle")
    second = Graph().parse(data=data, format="turtle")  # other blank-node labels
    written = serialize_triples(first, fmt)
    assert written == serialize_triples(list(reversed(list(second))), fmt)
    blanks = {n for n in first.all_nodes() if isinstance(n, BNode)}
    labels = set(re.findall(r"_:(\w+)", written.decode("utf-8")))
    assert labels <= {f"b{i}" for i in range(len(blanks))}, labels
    parsed = Graph().parse(data=written.decode("utf-8"), format=rdflib_format)
    assert isomorphic(parsed, first), written.decode("utf-8")


def test_republishing_reuses_the_ontology_page_of_the_same_files(
    fixture_project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    import kgtool.publish as module

    root = tmp_path / "project"
    shutil.copytree(fixture_project.root, root)
    out = tmp_path / "site"
    publish(load(project=Project(root)), out)
    page = (out / "ontology/index.html").read_bytes()

    def pylode_again(_graph: Graph) -> str:
        raise KgtoolError("pyLODE ran again")

    monkeypatch.setattr(module, "_make_ontology_html", pylode_again)
    monkeypatch.setattr(module, "_ONTOLOGY_PAGES", {})  # nothing made in this process
    assert publish(load(project=Project(root)), out).written == 0
    assert (out / "ontology/index.html").read_bytes() == page

    with (root / "ontology" / "core.ttl").open("a", encoding="utf-8") as handle:
        handle.write('coop:Extra a owl:Class ; rdfs:label "Extra"@en .\n')
    with pytest.raises(KgtoolError, match="pyLODE ran again"):
        publish(load(project=Project(root)), out)  # another ontology: documented again
    assert (out / "ontology/index.html").read_bytes() == page, "the site is left as it was"


def test_look_alike_blank_nodes_under_different_parents_get_stable_labels() -> None:
    """Two blank nodes alike in content, held by blank nodes that differ: their labels follow
    their parents, not the order the triples come in."""
    data = """@prefix e: <http://example.org/> .
    e:s e:has [ e:p e:X ; e:q [ e:r "v" ] ] , [ e:p e:Y ; e:q [ e:r "v" ] ] ."""
    triples = list(Graph().parse(data=data, format="turtle"))
    for fmt in ("nt", "jsonld"):
        assert serialize_triples(triples, fmt) == serialize_triples(triples[::-1], fmt)


def _described(graph: Graph, thing: URIRef) -> Graph:
    """The triples a thing's document should hold, from the whole graph: what it says, what
    its blank nodes say (recursively), and the triples of named subjects pointing at it."""
    out = Graph()
    todo, seen = [thing], {thing}
    while todo:
        subject = todo.pop()
        for p, o in graph.predicate_objects(subject):
            out.add((subject, p, o))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    for s, p in graph.subject_predicates(thing):
        if not isinstance(s, BNode):
            out.add((s, p, thing))
    return out


def test_each_thing_document_parses_offline_to_exactly_the_things_triples(
    fixture_project: Project, tmp_path: Path
) -> None:
    """Every .jsonld (context inline: rdflib fetches nothing), .nt and .ttl of the site parses
    to the thing's triples, blank nodes (trees, look-alikes and cycles) included."""
    from rdflib.compare import isomorphic

    root = tmp_path / "project"
    shutil.copytree(fixture_project.root, root)
    (root / "data" / "blank.ttl").write_text(BLANK_NODES, encoding="utf-8")
    (root / "data" / "cycles.ttl").write_text(CYCLES, encoding="utf-8")
    loaded = load(project=Project(root))
    whole = union_graph(loaded)
    out = tmp_path / "site"
    publish(loaded, out)
    things = {doc_path(str(s)): s for s in set(whole.subjects()) if isinstance(s, URIRef)}
    things.pop(None, None)  # subjects outside id/: no page
    assert len(things) >= 20
    for path, thing in sorted(things.items(), key=lambda kv: str(kv[0])):
        expected = _described(whole, thing)
        text = (out / f"{path}.jsonld").read_text(encoding="utf-8")
        context = json.loads(text)["@context"]
        assert isinstance(context, dict), f"{path}: the context is inline"
        assert all(isinstance(v, str | dict) for v in context.values()), path
        for ext, fmt in ((".jsonld", "json-ld"), (".nt", "nt"), (".ttl", "turtle")):
            parsed = Graph().parse(out / f"{path}{ext}", format=fmt)
            assert len(parsed) == len(expected) and isomorphic(parsed, expected), path + ext
    cyclic = (out / "doc/agreement/cyclic.jsonld").read_text(encoding="utf-8")
    assert cyclic.count('"_:b') >= 7, "the cycles' blank nodes are in the document"
