"""Load RDF sources into one dataset, a named graph per file, on an embedded store.

Files are parsed by Oxigraph (pyoxigraph): it is 5-10x faster than rdflib's parsers, reports
errors with line and column, and never fetches a remote JSON-LD context. The parsed quads then go
into one of three stores:

* ``"oxigraph"`` (default): an in-memory Oxigraph store seen through rdflib (oxrdflib);
* ``"memory"``: rdflib's own memory store;
* a persistent Oxigraph store in a folder (``store_dir``): a manifest of every file's size,
  mtime and SHA-256 lets the next run re-parse only the files that changed.

Every file is parsed into a scratch store first, so a parse error leaves the target unchanged.
"""

from __future__ import annotations

import json
import os
import re
import typing
from collections.abc import Callable, Collection, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple, cast

import pyoxigraph as ox
from oxrdflib.store import OxigraphStore
from rdflib import RDF, BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.parser import InputSource
from rdflib.plugins.parsers.rdfxml import RDFXMLHandler
from rdflib.plugins.parsers.rdfxml import create_parser as create_rdfxml_reader
from rdflib.term import Node

from kgtool.errors import KgtoolError, ParseError
from kgtool.fsutil import atomic_write_text, sha256_file
from kgtool.project import (
    PREFIXES,
    RDF_FORMATS,
    Project,
    canonical_language_tag,
    find_project,
)

STORES = ("oxigraph", "memory")

#: Oxigraph's parser for each rdflib format name used in ``kgtool.project.RDF_FORMATS``.
_OX_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "nt": ox.RdfFormat.N_TRIPLES,
    "nquads": ox.RdfFormat.N_QUADS,
    "json-ld": ox.RdfFormat.JSON_LD,
    "xml": ox.RdfFormat.RDF_XML,
}

MANIFEST_NAME = "manifest.json"
_MANIFEST_VERSION = 1
_OX_DIR_NAME = "oxigraph"

# A persistent RocksDB store can be opened once per process; loads reuse the open handle.
_OPEN_STORES: dict[Path, ox.Store] = {}


@dataclass
class _Defaults:
    store: str = "oxigraph"
    store_dir: Path | None = None


_defaults = _Defaults()


def set_default_store(store: str = "oxigraph", store_dir: Path | None = None) -> None:
    """Set the store ``load`` uses when it is not given one (the CLI's ``--store``/``--memory``)."""
    _check_store(store, store_dir)
    _defaults.store = store
    _defaults.store_dir = store_dir


class Location(NamedTuple):
    """Where a node is defined: the file, and the line when it can be found in the text."""

    path: Path
    line: int | None


@dataclass
class LoadedGraph:
    """A dataset with one named graph per source file, and where each graph came from."""

    dataset: Dataset
    project: Project
    #: graph IRI -> the file it came from (a TriG/N-Quads file may own several graphs)
    files: dict[str, Path] = field(default_factory=dict)
    #: ``"oxigraph"`` or ``"memory"``
    store: str = "oxigraph"
    #: the folder of a persistent store, if any
    store_dir: Path | None = None
    #: files parsed by this load (all of them, unless a persistent store already had some)
    parsed: list[Path] = field(default_factory=list)
    #: files a persistent store already held unchanged
    reused: list[Path] = field(default_factory=list)
    #: graphs a persistent store dropped because their file is gone
    dropped: list[str] = field(default_factory=list)
    _lines: dict[Path, list[str]] = field(default_factory=dict, repr=False)
    _term_lines: dict[Path, _TermLines] = field(default_factory=dict, repr=False)

    def graph_of(self, path: Path) -> Graph:
        """Return the named graph that holds ``path``'s triples (its default graph for TriG)."""
        return self.dataset.graph(URIRef(self.project.graph_iri(path)))

    def graphs_of(self, path: Path) -> list[URIRef]:
        """Return the IRIs of every named graph that came from ``path``, sorted."""
        resolved = path.resolve()
        return sorted(URIRef(iri) for iri, p in self.files.items() if p.resolve() == resolved)

    def source_files(self) -> list[Path]:
        """Return the loaded files, each once, sorted."""
        return sorted(set(self.files.values()))

    def files_under(self, folder: str) -> list[Path]:
        """Return the loaded files inside the project folder ``folder`` (ontology, shapes, data)."""
        base = (self.project.root / folder).resolve()
        return [p for p in self.source_files() if p.resolve().is_relative_to(base)]

    def graph_iris_under(self, folders: Iterable[str]) -> list[URIRef]:
        """Return the IRIs of the graphs whose files lie under ``folders``, sorted."""
        bases = [(self.project.root / folder).resolve() for folder in folders]
        return sorted(
            URIRef(iri)
            for iri, path in self.files.items()
            if any(path.resolve().is_relative_to(base) for base in bases)
        )

    def subgraph(self, folders: Iterable[str]) -> Graph:
        """Return a new in-memory graph with the triples of the files under ``folders``."""
        out = Graph()
        bind_prefixes(out)
        for iri in self.graph_iris_under(folders):
            for triple in self.dataset.graph(iri):
                out.add(_plain(triple))
        return out

    def text_lines(self, path: Path) -> list[str]:
        """Return the lines of a loaded file (cached; used to find where nodes are defined)."""
        if path not in self._lines:
            self._lines[path] = path.read_text(encoding="utf-8", errors="replace").splitlines()
        return self._lines[path]


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def rdf_files(paths: Sequence[Path]) -> list[Path]:
    """Return the RDF files named by ``paths`` (folders are searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in RDF_FORMATS)
            )
        elif path.is_file():
            if path.suffix not in RDF_FORMATS:
                known = ", ".join(sorted(RDF_FORMATS))
                raise KgtoolError(f"{path}: unknown RDF file extension (known: {known})")
            found.append(path)
        else:
            raise KgtoolError(f"{path}: no such file or folder")
    return found


def _check_store(store: str, store_dir: Path | None) -> None:
    if store not in STORES:
        raise KgtoolError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    if store_dir is not None and store != "oxigraph":
        raise KgtoolError("a persistent store (--store DIR) is an Oxigraph store, not 'memory'")


def new_dataset(store: str = "oxigraph", *, ox_store: ox.Store | None = None) -> Dataset:
    """Return an empty dataset on ``store`` whose default graph is the union of its graphs."""
    _check_store(store, None)
    if store == "oxigraph":
        backend: Any = CasedOxigraphStore(store=ox_store if ox_store is not None else ox.Store())
    else:
        backend = "default"
    ds = Dataset(store=backend, default_union=True)
    bind_prefixes(ds)
    return ds


# --- parsing ---------------------------------------------------------------------------------


def _parse_error(path: Path, exc: BaseException) -> ParseError:
    """Turn an Oxigraph error into a ParseError naming the file, line and column."""
    line = getattr(exc, "lineno", None)
    column = getattr(exc, "offset", None)
    message = getattr(exc, "msg", None) or str(exc)
    message = str(message).splitlines()[0] if str(message) else type(exc).__name__
    # Oxigraph says "Parser error between line 3 column 11 and line 5 column 1: <what>".
    message = re.sub(
        r"^Parser error (at|between) line \d+ column \d+( and line \d+ column \d+)?: ", "", message
    )
    if "LoadDocumentCallback" in message or "remote context" in message:
        message = (
            "the JSON-LD document references a remote @context; kgtool never fetches one "
            "(inline the context, e.g. from kgtool/resources/context.jsonld)"
        )
    if line is None:
        found = re.search(r"line (\d+) column (\d+)", str(exc))
        if found:
            line, column = int(found[1]), int(found[2])
    if line is None and RDF_FORMATS.get(path.suffix) == "xml":
        line, column, message = _xml_error_position(path, message)
    return ParseError(path, line, column, message)


#: Above this size an RDF/XML file that Oxigraph refused is not parsed again to find the line
#: of the error: rdflib's parser, the one that can say where, reads about 1 MiB a second.
XML_LINE_SEARCH_LIMIT = 4 * 1024 * 1024


def _xml_error_position(path: Path, message: str) -> tuple[int | None, int | None, str]:
    """Return the line, column and message of an RDF/XML error: Oxigraph's RDF/XML errors
    carry no position, so the file is parsed once more, by rdflib's RDF/XML parser (SAX on
    expat). When Oxigraph's message quotes an IRI or a text, the first attribute value or
    element text equal to it is the place; else the place where rdflib's parser fails, with
    its message (it names that place): malformed XML, or RDF it refuses too. A file over
    ``XML_LINE_SEARCH_LIMIT`` is not parsed again; the message says so."""
    try:
        size = path.stat().st_size
    except OSError:
        return None, None, message
    if size > XML_LINE_SEARCH_LIMIT:
        limit = XML_LINE_SEARCH_LIMIT // (1024 * 1024)
        return None, None, f"{message} (line not searched: the file is over {limit} MiB)"
    quoted = re.search(r"'([^']+)'", message)
    source = InputSource(path.resolve().as_uri())
    try:
        with path.open("rb") as stream:
            source.setByteStream(stream)
            finder = _TokenFinder(quoted[1] if quoted else None)
            reader = create_rdfxml_reader(source, finder.store)
            reader.setContentHandler(finder)
            reader.parse(source)
    except _TokenFound as found:
        return found.line, found.column, message
    except OSError:
        return None, None, message
    except Exception as exc:  # rdflib raises SAX, parser and value errors alike
        first = str(exc).splitlines()[0] if str(exc) else ""
        where = re.match(r"^.*?:(\d+):(\d+): (.+)$", first)
        if where:
            return int(where[1]), int(where[2]) + 1, where[3]
    return None, None, message


class _TokenFound(Exception):
    """Where the token an error message quotes first stands (ends the search parse)."""

    def __init__(self, line: int, column: int) -> None:
        super().__init__(line, column)
        self.line, self.column = line, column


class _TokenFinder(RDFXMLHandler):
    """rdflib's RDF/XML handler, which also stops at the first attribute value or element
    text equal to ``token``; it keeps no triple."""

    def __init__(self, token: str | None) -> None:
        super().__init__(_NoTriples())
        self.token = token
        self.text: list[str] = []
        self.text_at = (0, 0)

    def startElementNS(self, name: tuple[str | None, str], qname: Any, attrs: Any) -> None:
        self._check_text()
        if self.token is not None and self.token in attrs.values():
            line, column = self._here()
            raise _TokenFound(line, column + 1)
        super().startElementNS(name, qname, attrs)

    def endElementNS(self, name: tuple[str | None, str], qname: Any) -> None:
        self._check_text()
        super().endElementNS(name, qname)

    def characters(self, content: str) -> None:
        if self.token is not None:
            if not self.text:
                self.text_at = self._here()
            self.text.append(content)
        super().characters(content)

    def _here(self) -> tuple[int, int]:
        """Return the parser's line (1-based) and column (0-based)."""
        return self.locator.getLineNumber() or 0, self.locator.getColumnNumber() or 0

    def _check_text(self) -> None:
        text, self.text = "".join(self.text), []
        if self.token is None or text.strip() != self.token:
            return
        line, column = self.text_at
        lead = text[: len(text) - len(text.lstrip())]
        if "\n" in lead:
            line, column = line + lead.count("\n"), len(lead) - lead.rindex("\n") - 1
        else:
            column += len(lead)
        raise _TokenFound(line, column + 1)


class _NoTriples(Graph):
    """A graph that drops what the parser adds: the search parse wants only the places."""

    def add(self, triple: Any) -> _NoTriples:
        return self


def parse_file(path: Path, graph_iri: str) -> list[ox.Quad]:
    """Parse one file with Oxigraph; triples go to ``graph_iri``, named graphs keep their names.

    Blank nodes get fresh identifiers so that two files never share one by accident.
    """
    fmt = _ox_format(path)
    target = ox.NamedNode(graph_iri)
    with _parsing(path):
        return [
            q
            if not isinstance(q.graph_name, ox.DefaultGraph)
            else ox.Quad(q.subject, q.predicate, q.object, target)
            for q in ox.parse(path=path, format=fmt, base_iri=graph_iri, rename_blank_nodes=True)
        ]


def _ox_format(path: Path) -> ox.RdfFormat:
    """Return Oxigraph's parser for ``path``'s extension."""
    fmt = _OX_FORMATS.get(RDF_FORMATS.get(path.suffix, ""))
    if fmt is None:
        raise KgtoolError(f"{path}: unknown RDF file extension")
    return fmt


@contextmanager
def _parsing(path: Path) -> Iterator[None]:
    """Turn Oxigraph's parse and read errors on ``path`` into kgtool's errors."""
    try:
        yield
    except (SyntaxError, ValueError) as exc:
        raise _parse_error(path, exc) from exc
    except OSError as exc:
        raise KgtoolError(f"{path}: cannot read: {exc.strerror or exc}") from exc


_TRIPLE_FORMATS = (ox.RdfFormat.TURTLE, ox.RdfFormat.N_TRIPLES, ox.RdfFormat.RDF_XML)


def load_file(store: ox.Store, path: Path, graph_iri: str) -> set[str]:
    """Parse ``path`` into an Oxigraph ``store``; return the names of the graphs it filled.

    Triple formats go straight into the store (parsed in Rust, all or nothing); dataset
    formats go through ``parse_file`` so that their default graph becomes ``graph_iri``.
    """
    fmt = _ox_format(path)
    if fmt in _TRIPLE_FORMATS:
        with _parsing(path):
            store.load(path=path, format=fmt, base_iri=graph_iri, to_graph=ox.NamedNode(graph_iri))
        return {graph_iri}
    quads = parse_file(path, graph_iri)
    store.extend(quads)
    return {graph_iri} | _graph_names(quads)


def _graph_names(quads: Iterable[ox.Quad]) -> set[str]:
    return {q.graph_name.value for q in quads if isinstance(q.graph_name, ox.NamedNode)}


# --- term conversion (Oxigraph <-> rdflib) ----------------------------------------------------


def _recase(term: Any) -> Any:
    """Give a language-tagged rdflib literal its canonical tag case; other terms unchanged."""
    if isinstance(term, Literal) and term.language:
        cased = canonical_language_tag(term.language)
        if cased != term.language:
            return Literal(str(term), lang=cased)
    return term


class CasedOxigraphStore(OxigraphStore):
    """oxrdflib's store, returning language tags in canonical case (Oxigraph lower-cases them)."""

    def triples(self, triple_pattern: Any, context: Any = None) -> Any:
        for (s, p, o), contexts in super().triples(triple_pattern, context):
            yield (s, p, _recase(o)), contexts

    def query(self, *args: Any, **kwargs: Any) -> Any:
        result = super().query(*args, **kwargs)
        if result.type == "SELECT":
            rows = result.bindings
            result.bindings = [{k: _recase(v) for k, v in row.items()} for row in rows]
        elif result.type == "CONSTRUCT" and result.graph is not None:
            fixed = Graph()
            for s, p, o in result.graph:
                fixed.add((s, p, _recase(o)))
            result.graph = fixed
        return result


def to_rdflib(term: object) -> Node:
    """Convert an Oxigraph term to rdflib; ``xsd:string`` literals become plain literals and
    language tags get their canonical case."""
    return rdflib_term(*_ox_parts(term))


def _plain(triple: tuple[Node, Node, Node]) -> tuple[Node, Node, Node]:
    """Return ``triple`` with an ``xsd:string`` object made plain (RDF 1.1: the same literal)."""
    s, p, o = triple
    if isinstance(o, Literal) and o.datatype == XSD.string:
        o = Literal(str(o))
    return s, p, o


def _to_ox(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    if isinstance(term, URIRef):
        return ox.NamedNode(str(term))
    if isinstance(term, BNode):
        return ox.BlankNode(str(term))
    if isinstance(term, Literal):
        if term.language:
            return ox.Literal(str(term), language=term.language)
        datatype = ox.NamedNode(str(term.datatype)) if term.datatype else None
        return ox.Literal(str(term), datatype=datatype)
    raise KgtoolError(f"unsupported RDF term {term!r}")


#: Oxigraph's term classes, for modules that work on store terms without importing pyoxigraph
#: (kgtool.shacl_fast).
OxNamedNode = ox.NamedNode
OxBlankNode = ox.BlankNode
OxLiteral = ox.Literal
OxVariable = ox.Variable


def to_oxigraph(term: Node) -> ox.NamedNode | ox.BlankNode | ox.Literal:
    """Convert an rdflib term to Oxigraph (the inverse of ``to_rdflib``)."""
    return _to_ox(term)


def _ox_quad(s: Node, p: Node, o: Node, graph: ox.NamedNode | ox.DefaultGraph) -> ox.Quad:
    return ox.Quad(
        cast(ox.NamedNode | ox.BlankNode, _to_ox(s)), ox.NamedNode(str(p)), _to_ox(o), graph
    )


def store_of_graph(graph: Graph, graph_iri: str | None = None) -> ox.Store:
    """Return a new Oxigraph store holding ``graph``'s triples (in ``graph_iri``, else in the
    default graph); blank nodes keep their identifiers."""
    target: ox.NamedNode | ox.DefaultGraph = (
        ox.NamedNode(graph_iri) if graph_iri else ox.DefaultGraph()
    )
    store = ox.Store()
    store.extend(_ox_quad(s, p, o, target) for s, p, o in graph)
    return store


def store_of_file(path: Path) -> ox.Store:
    """Return a new Oxigraph store with ``path`` parsed into its default graph, blank node
    labels kept (for test suites whose expected reports name the data's blank nodes)."""
    rdflib_format = RDF_FORMATS.get(path.suffix)
    if rdflib_format is None:
        raise KgtoolError(f"{path}: unknown RDF file extension")
    store = ox.Store()
    try:
        store.load(path=path, format=_OX_FORMATS[rdflib_format], base_iri=path.as_uri())
    except (SyntaxError, ValueError) as exc:
        raise _parse_error(path, exc) from exc
    return store


def _add_quads(dataset: Dataset, quads: list[ox.Quad]) -> None:
    inner = _inner_store(dataset)
    if inner is not None:
        inner.extend(quads)
        return
    for q in quads:
        graph = dataset.graph(cast(URIRef | BNode, to_rdflib(q.graph_name)))
        graph.add((to_rdflib(q.subject), to_rdflib(q.predicate), to_rdflib(q.object)))


def _inner_store(dataset: Dataset) -> ox.Store | None:
    backend = dataset.store
    if isinstance(backend, OxigraphStore):
        inner: ox.Store = backend._inner
        return inner
    return None


# --- loading ---------------------------------------------------------------------------------


def load(
    paths: Sequence[Path] | None = None,
    *,
    project: Project | None = None,
    store: str | None = None,
    store_dir: Path | None = None,
) -> LoadedGraph:
    """Load every RDF file under ``paths`` (default: the project's ontology/, shapes/, data/).

    Each file becomes the named graph ``project.graph_iri(file)``; graphs named inside a TriG,
    N-Quads or JSON-LD file keep their names. ``store`` is ``"oxigraph"`` or ``"memory"``;
    ``store_dir`` keeps a persistent Oxigraph store there that only re-parses changed files.
    Without either, the defaults set by ``set_default_store`` apply.
    """
    project = project or find_project()
    if store is None and store_dir is None:
        store, store_dir = _defaults.store, _defaults.store_dir
    store = store or "oxigraph"
    _check_store(store, store_dir)
    sources = list(paths) if paths else [d for d in project.source_dirs() if d.is_dir()]
    files = rdf_files(sources)
    if store_dir is not None:
        return _load_persistent(files, project, store_dir)

    if store == "oxigraph":
        # A fresh store: a parse error discards it whole, so files load straight into it.
        inner = ox.Store()
        owners: list[tuple[Path, set[str]]] = [
            (path, load_file(inner, path, project.graph_iri(path))) for path in files
        ]
        loaded = LoadedGraph(new_dataset(store, ox_store=inner), project, store=store)
    else:
        parsed = []
        for path in files:
            iri = project.graph_iri(path)
            parsed.append((path, iri, parse_file(path, iri)))
        loaded = LoadedGraph(new_dataset(store), project, store=store)
        owners = []
        for path, iri, quads in parsed:
            _add_quads(loaded.dataset, quads)
            owners.append((path, {iri} | _graph_names(quads)))
    for path, names in owners:
        for name in names:
            loaded.files[name] = path
        loaded.parsed.append(path)
    return loaded


@dataclass(frozen=True)
class _FileState:
    size: int
    mtime_ns: int
    sha256: str
    graphs: tuple[str, ...]

    def as_json(self) -> dict[str, Any]:
        return {
            "size": self.size,
            "mtime_ns": self.mtime_ns,
            "sha256": self.sha256,
            "graphs": list(self.graphs),
        }


def read_manifest(store_dir: Path) -> dict[str, dict[str, Any]]:
    """Return a persistent store's manifest: file path -> size, mtime_ns, sha256, graphs."""
    path = store_dir / MANIFEST_NAME
    if not path.is_file():
        return {}
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, json.JSONDecodeError) as exc:
        raise KgtoolError(f"{path}: unreadable store manifest ({exc}); delete the folder") from exc
    if not isinstance(data, dict) or data.get("version") != _MANIFEST_VERSION:
        raise KgtoolError(f"{path}: unknown store manifest version; delete the folder")
    files: dict[str, dict[str, Any]] = data.get("files", {})
    return files


def _open_store(store_dir: Path) -> ox.Store:
    key = store_dir.resolve()
    if key not in _OPEN_STORES:
        if store_dir.exists() and not store_dir.is_dir():
            raise KgtoolError(f"{store_dir}: not a folder")
        if (
            store_dir.is_dir()
            and any(store_dir.iterdir())
            and not (store_dir / _OX_DIR_NAME).is_dir()
        ):
            raise KgtoolError(f"{store_dir}: not a kgtool store (no {_OX_DIR_NAME}/ inside)")
        try:
            (store_dir / _OX_DIR_NAME).mkdir(parents=True, exist_ok=True)
            _OPEN_STORES[key] = ox.Store(str(store_dir / _OX_DIR_NAME))
        except OSError as exc:
            raise KgtoolError(f"{store_dir}: cannot open the Oxigraph store: {exc}") from exc
    return _OPEN_STORES[key]


def _load_persistent(files: list[Path], project: Project, store_dir: Path) -> LoadedGraph:
    """Bring the persistent store in ``store_dir`` up to date with ``files``."""
    old = read_manifest(store_dir)
    new: dict[str, _FileState] = {}
    to_parse: list[tuple[Path, os.stat_result, str]] = []
    reused: list[Path] = []
    for path in files:
        key = str(path.resolve())
        stat = path.stat()
        before = old.get(key)
        if before and before["size"] == stat.st_size and before["mtime_ns"] == stat.st_mtime_ns:
            new[key] = _FileState(
                before["size"], before["mtime_ns"], before["sha256"], tuple(before["graphs"])
            )
            reused.append(path)
            continue
        digest = sha256_file(path)
        if before and before["size"] == stat.st_size and before["sha256"] == digest:
            # Touched, not changed: keep the graphs, remember the new mtime.
            new[key] = _FileState(stat.st_size, stat.st_mtime_ns, digest, tuple(before["graphs"]))
            reused.append(path)
            continue
        to_parse.append((path, stat, digest))

    # Parse everything into a scratch store first: a parse error leaves the store as it was.
    parsed: list[tuple[Path, tuple[str, ...]]] = []
    for path, stat, digest in to_parse:
        graphs = tuple(sorted(load_file(ox.Store(), path, project.graph_iri(path))))
        new[str(path.resolve())] = _FileState(stat.st_size, stat.st_mtime_ns, digest, graphs)
        parsed.append((path, graphs))

    inner = _open_store(store_dir)
    keep = {g for state in new.values() for g in state.graphs}
    stale = {g for key in old for g in old[key].get("graphs", [])} - keep
    for path, _ in parsed:
        for name in old.get(str(path.resolve()), {}).get("graphs", []):
            stale.add(name)
    # Graphs that no file owns (e.g. an old inferred graph) would be stale too.
    stale |= {g.value for g in inner.named_graphs() if isinstance(g, ox.NamedNode)} - keep
    for name in sorted(stale):
        inner.remove_graph(ox.NamedNode(name))
    inner.clear_graph(ox.DefaultGraph())
    for path, graphs in parsed:
        for name in graphs:
            inner.clear_graph(ox.NamedNode(name))
        load_file(inner, path, project.graph_iri(path))
    inner.flush()
    manifest = {
        "version": _MANIFEST_VERSION,
        "files": {key: state.as_json() for key, state in sorted(new.items())},
    }
    atomic_write_text(store_dir / MANIFEST_NAME, json.dumps(manifest, indent=2) + "\n")

    loaded = LoadedGraph(
        new_dataset("oxigraph", ox_store=inner),
        project,
        store="oxigraph",
        store_dir=store_dir,
        parsed=[p for p, _ in parsed],
        reused=reused,
        dropped=sorted(stale - keep),
    )
    for path in files:
        for name in new[str(path.resolve())].graphs:
            loaded.files[name] = path
    return loaded


# --- access helpers --------------------------------------------------------------------------


def union_graph(loaded: LoadedGraph, *, exclude_folders: Iterable[str] = ()) -> Graph:
    """Return an in-memory copy of all loaded triples, minus the files under ``exclude_folders``."""
    excluded = set(loaded.graph_iris_under(exclude_folders))
    out = Graph()
    bind_prefixes(out)
    for iri in sorted(loaded.files):
        if URIRef(iri) in excluded:
            continue
        for triple in loaded.dataset.graph(URIRef(iri)):
            out.add(_plain(triple))
    return out


def as_graph(source: Graph | LoadedGraph) -> Graph:
    """Return ``source`` itself when it is an rdflib Graph, else its loaded files' union
    (``union_graph``)."""
    return source if isinstance(source, Graph) else union_graph(source)


def oxigraph_store(loaded: LoadedGraph) -> ox.Store:
    """Return a pyoxigraph Store holding the loaded quads, for heavy SPARQL (the same store
    when the dataset is on Oxigraph; a copy for rdflib's memory store). Treat it as read-only."""
    inner = _inner_store(loaded.dataset)
    if inner is not None:
        return inner
    copy = ox.Store()
    copy.extend(_ox_quad(s, p, o, ox.NamedNode(str(g))) for s, p, o, g in iter_quads(loaded))
    return copy


def forkable_store(loaded: LoadedGraph) -> ox.Store:
    """Return an Oxigraph store of the loaded quads that a forked process may query: the store
    itself when it is in memory, an in-memory copy of a persistent one (a forked worker must
    not share an open RocksDB)."""
    store = oxigraph_store(loaded)
    if loaded.store_dir is None:
        return store
    copy = ox.Store()
    copy.extend(store)
    return copy


#: Oxigraph's store class, for annotations in modules that hold a store without importing
#: pyoxigraph (kgtool.serve).
OxStore = ox.Store

#: A query's result form; ``"GRAPH"`` for CONSTRUCT and DESCRIBE.
QueryForm = typing.Literal["SELECT", "ASK", "GRAPH"]

#: Turns a result term into an rdflib term, given its parts: the kind (``"iri"``, ``"blank"``
#: or ``"literal"``), the value (the IRI, the blank node's label or the lexical form), and for
#: a literal its language tag (``""`` for none) and datatype IRI (``""`` for IRIs and blank
#: nodes). Parts, not Oxigraph terms: a whole answer is read as text (see ``query_store``).
TermConverter = Callable[[str, str, str, str], Node]


@dataclass(frozen=True)
class StoreAnswer:
    """What a SPARQL query on an Oxigraph store returned, in rdflib terms.

    ``form`` is ``"GRAPH"`` for CONSTRUCT and DESCRIBE. A form the caller did not accept comes
    back with nothing read (see ``query_store``); ``truncated`` says ``max_rows`` cut the rows.
    """

    form: QueryForm
    columns: tuple[str, ...] = ()
    rows: tuple[tuple[Node | None, ...], ...] = ()
    triples: tuple[tuple[Node, Node, Node], ...] = ()
    boolean: bool | None = None
    truncated: bool = False


def query_store(
    store: ox.Store,
    text: str,
    *,
    default_graphs: Sequence[str] = (),
    named_graphs: Sequence[str] = (),
    prefixes: Mapping[str, str] | None = None,
    forms: Collection[QueryForm] = ("SELECT", "ASK", "GRAPH"),
    max_rows: int | None = None,
    convert: TermConverter | None = None,
) -> StoreAnswer:
    """Run a SPARQL query on ``store`` and return its answer in rdflib terms.

    The default graph is the union of the named graphs unless ``default_graphs`` are given.
    Each distinct result term is converted once, with ``convert`` (default ``rdflib_term``).
    Without ``max_rows`` a SELECT answer is read at once from its SPARQL TSV serialisation
    (a string per cell rather than a Python object per cell); with it, solution by solution.
    Raises ``SyntaxError`` for a malformed query and ``ValueError``, ``OSError`` or
    ``RuntimeError`` when evaluation fails (also while the results are read).
    """
    options: dict[str, Any] = {}
    if default_graphs:
        options["default_graph"] = [ox.NamedNode(g) for g in default_graphs]
    else:
        options["use_default_graph_as_union"] = True
    if named_graphs:
        options["named_graphs"] = [ox.NamedNode(g) for g in named_graphs]
    if prefixes:
        options["prefixes"] = dict(prefixes)
    result = store.query(text, **options)
    if isinstance(result, ox.QueryBoolean):
        return StoreAnswer("ASK", boolean=bool(result)) if "ASK" in forms else StoreAnswer("ASK")
    to_node = convert or rdflib_term
    converted: dict[Any, Node] = {}

    def node(term: Any) -> Node:
        found = converted.get(term)
        if found is None:
            found = converted[term] = to_node(*_ox_parts(term))
        return found

    limit = max_rows if max_rows is not None else -1
    if isinstance(result, ox.QueryTriples):
        if "GRAPH" not in forms:
            return StoreAnswer("GRAPH")
        triples: list[tuple[Node, Node, Node]] = []
        for triple in result:
            if len(triples) == limit:
                return StoreAnswer("GRAPH", triples=tuple(triples), truncated=True)
            triples.append((node(triple.subject), node(triple.predicate), node(triple.object)))
        return StoreAnswer("GRAPH", triples=tuple(triples))
    columns = tuple(str(v.value) for v in result.variables)
    if "SELECT" not in forms:
        return StoreAnswer("SELECT", columns)
    if max_rows is None:
        return StoreAnswer("SELECT", columns, _tsv_rows(result, len(columns), to_node))
    rows: list[tuple[Node | None, ...]] = []
    cached = converted.get
    for solution in result:
        if len(rows) == limit:
            return StoreAnswer("SELECT", columns, tuple(rows), truncated=True)
        row: list[Node | None] = []
        for term in solution:  # inline rather than node(): this loop runs once per cell
            if term is None:
                row.append(None)
                continue
            found = cached(term)
            if found is None:
                found = converted[term] = to_node(*_ox_parts(term))
            row.append(found)
        rows.append(tuple(row))
    return StoreAnswer("SELECT", columns, tuple(rows))


def _tsv_rows(
    result: ox.QuerySolutions, width: int, to_node: TermConverter
) -> tuple[tuple[Node | None, ...], ...]:
    """Return every row of ``result`` in rdflib terms, read from its SPARQL TSV serialisation.

    Oxigraph writes the whole answer in one call, and a cell is a plain string that is cheap to
    look up: far cheaper than a Python object per cell from iterating the solutions. Each
    distinct cell is parsed and converted once.
    """
    serialised = result.serialize(format=ox.QueryResultsFormat.TSV)
    text = "" if serialised is None else serialised.decode("utf-8")
    lines = text.split("\n")[1:-1]  # after the header; each row ends with a line break
    if width == 0:
        return ((),) * len(lines)
    converted: dict[str, Any] = {"": None}
    cached = converted.get
    rows: list[tuple[Node | None, ...]] = []
    for line in lines:
        row: list[Node | None] = []
        for cell in line.split("\t"):
            found = cached(cell, _UNSEEN)
            if found is _UNSEEN:
                found = converted[cell] = to_node(*_tsv_parts(cell))
            row.append(found)
        rows.append(tuple(row))
    return tuple(rows)


_UNSEEN: Any = object()
_TSV_ESCAPE_RE = re.compile(r"\\(?:u([0-9A-Fa-f]{4})|U([0-9A-Fa-f]{8})|(.))", re.S)
_TSV_ESCAPES = {
    "t": "\t", "b": "\b", "n": "\n", "r": "\r", "f": "\f", '"': '"', "'": "'", "\\": "\\",
}  # fmt: skip
_XSD_STRING_IRI = str(XSD.string)
_XSD_BOOLEAN_IRI = str(XSD.boolean)
_RDF_LANG_STRING_IRI = str(RDF.langString)
#: Turtle's bare numbers, as SPARQL TSV writes xsd:integer, xsd:decimal and xsd:double values.
_TSV_NUMBERS = (
    (re.compile(r"[+-]?[0-9]+"), str(XSD.integer)),
    (re.compile(r"[+-]?[0-9]*\.[0-9]+"), str(XSD.decimal)),
    (re.compile(r"[+-]?(?:[0-9]+\.?[0-9]*|\.[0-9]+)[eE][+-]?[0-9]+"), str(XSD.double)),
)


def _tsv_unescape(match: re.Match[str]) -> str:
    short, long, char = match.groups()
    if char is None:
        return chr(int(short or long, 16))
    if char not in _TSV_ESCAPES:
        raise ValueError(f"unknown escape \\{char} in a SPARQL TSV literal")
    return _TSV_ESCAPES[char]


def _tsv_parts(cell: str) -> tuple[str, str, str, str]:
    """Return the parts (see ``TermConverter``) of the term a SPARQL TSV cell writes."""
    first = cell[0]
    if first == "<":
        if cell.startswith("<<"):
            raise KgtoolError(f"unsupported RDF term {cell[:80]} in a query result")
        return "iri", cell[1:-1], "", ""
    if first == "_":
        return "blank", cell[2:], "", ""
    if first == '"':
        end = cell.rindex('"')
        lexical = cell[1:end]
        if "\\" in lexical:
            lexical = _TSV_ESCAPE_RE.sub(_tsv_unescape, lexical)
        rest = cell[end + 1 :]
        if not rest:
            return "literal", lexical, "", _XSD_STRING_IRI
        if rest[0] == "@":
            return "literal", lexical, rest[1:], _RDF_LANG_STRING_IRI
        return "literal", lexical, "", rest[3:-1]
    if cell in ("true", "false"):
        return "literal", cell, "", _XSD_BOOLEAN_IRI
    for pattern, datatype in _TSV_NUMBERS:
        if pattern.fullmatch(cell):
            return "literal", cell, "", datatype
    raise ValueError(f"unexpected SPARQL TSV cell {cell[:80]!r}")


def _ox_parts(term: Any) -> tuple[str, str, str, str]:
    """Return the parts (see ``TermConverter``) of an Oxigraph term."""
    if isinstance(term, ox.NamedNode):
        return "iri", term.value, "", ""
    if isinstance(term, ox.Literal):
        return "literal", term.value, term.language or "", term.datatype.value
    if isinstance(term, ox.BlankNode):
        return "blank", term.value, "", ""
    raise KgtoolError(f"unsupported RDF term {term!r} (RDF-star is not used by kgtool)")


def rdflib_term(kind: str, value: str, language: str, datatype: str) -> Node:
    """Return the rdflib term of a result term's parts (see ``to_rdflib``)."""
    if kind == "iri":
        return URIRef(value)
    if kind == "blank":
        return BNode(value)
    if language:
        return Literal(value, lang=canonical_language_tag(language))
    if datatype == _XSD_STRING_IRI:
        return Literal(value)
    return Literal(value, datatype=URIRef(datatype))


def iter_quads(loaded: LoadedGraph) -> Iterator[tuple[Node, Node, Node, URIRef]]:
    """Yield every quad in the named graphs, with rdflib terms and plain ``xsd:string``s."""
    for iri in sorted(loaded.files):
        graph = URIRef(iri)
        for triple in loaded.dataset.graph(graph):
            s, p, o = _plain(triple)
            yield s, p, o, graph


# --- where a node is defined ------------------------------------------------------------------

_PREFIX_DECL = re.compile(r"^\s*(?:@prefix|PREFIX)\s+([A-Za-z][\w.-]*)?:\s*<([^>]*)>", re.I)
#: The spellings of a term in any RDF syntax kgtool reads: ``<iri>``, an IRI in quotes (RDF/XML
#: attributes, JSON-LD), and a prefixed name, which ends before ``\s;,)]`` (and a final ".").
_TERM = re.compile(
    r"""<[^<>"\s]*>|"[A-Za-z][\w+.-]*:[^"\s]*"|[A-Za-z_][\w.-]*:[^\s;,)\]<>"'{}]*|:[^\s;,)\]<>"'{}]*"""
)


@dataclass
class _TermLines:
    """The first line on which each spelling of a term defines a node (starts a statement,
    or is an ``rdf:about``) and the first on which it appears at all; the file's prefixes."""

    prefixes: dict[str, str] = field(default_factory=dict)
    defines: dict[str, int] = field(default_factory=dict)
    anywhere: dict[str, int] = field(default_factory=dict)


def _term_lines(lines: list[str]) -> _TermLines:
    """Index ``lines`` in one pass (a scan per node took minutes on a large file)."""
    index = _TermLines()
    defines, anywhere = index.defines, index.anywhere
    for number, text in enumerate(lines, start=1):
        if text.lstrip().startswith("#"):
            continue
        declared = _PREFIX_DECL.match(text)
        if declared:
            index.prefixes[declared[1] or ""] = declared[2]
        for found in _TERM.finditer(text):
            spelled = found[0]
            spellings = [spelled]
            if spelled[0] not in '<"':
                spellings = [spelled.rstrip(".")]
                local = spelled.find(":")
                if "." in spelled[local:]:  # the old scan also took "a:b" in "a:b.c"
                    spellings.append(spelled[: spelled.index(".", local)])
            before = text[: found.start()]
            starts = before.strip() in ("", "[", "{") or before.endswith("about=")
            for form in spellings:
                if form not in anywhere:
                    anywhere[form] = number
                if starts and form not in defines:
                    defines[form] = number
    return index


def _find_line(index: _TermLines, node: URIRef) -> int | None:
    """Return the first line defining ``node``, else the first mentioning it, else None."""
    iri = str(node)
    forms = [f"<{iri}>", f'"{iri}"'] + [
        f"{prefix}:{iri[len(namespace) :]}"
        for prefix, namespace in index.prefixes.items()
        if namespace and iri.startswith(namespace) and len(iri) > len(namespace)
    ]
    for table in (index.defines, index.anywhere):
        lines = [table[form] for form in forms if form in table]
        if lines:
            return min(lines)
    return None


_OX_RDF_TYPE = ox.NamedNode(str(RDF.type))


def _defining_graphs(loaded: LoadedGraph, node: URIRef) -> list[str]:
    """Return the loaded graphs that type ``node``, else those that use it as a subject, else
    those that use it as an object (one store lookup per pattern on Oxigraph)."""
    inner = _inner_store(loaded.dataset)
    if inner is not None:
        term = ox.NamedNode(str(node))
        for s, p, o in ((term, _OX_RDF_TYPE, None), (term, None, None), (None, None, term)):
            names = {
                quad.graph_name.value
                for quad in inner.quads_for_pattern(s, p, o, None)
                if isinstance(quad.graph_name, ox.NamedNode)
            }
            found = sorted(names & loaded.files.keys())
            if found:
                return found
        return []
    for pattern in ((node, RDF.type, None), (node, None, None), (None, None, node)):
        found = [
            iri for iri in sorted(loaded.files) if pattern in loaded.dataset.graph(URIRef(iri))
        ]
        if found:
            return found
    return []


def locate(loaded: LoadedGraph, node: Node) -> Location | None:
    """Return where ``node`` is defined: the file that types it (else first uses it as a
    subject, else as an object), and the line of its first subject-position occurrence."""
    if not isinstance(node, URIRef):
        return None
    graphs = _defining_graphs(loaded, node)
    if not graphs:
        return None
    # Prefer data/ over ontology/ and shapes/ when both type the node.
    data_dir = (loaded.project.root / "data").resolve()
    best = min(graphs, key=lambda g: (not loaded.files[g].resolve().is_relative_to(data_dir), g))
    path = loaded.files[best]
    index = loaded._term_lines.get(path)
    if index is None:
        try:
            index = loaded._term_lines[path] = _term_lines(loaded.text_lines(path))
        except OSError:
            return Location(path, None)
    return Location(path, _find_line(index, node))


# --- N-Triples for exports (kgtool.export) ---------------------------------------------------
#
# Oxigraph's store keeps typed literals by value: "087"^^xsd:integer comes back as "87",
# "1"^^xsd:boolean as "true", "2"^^xsd:nonNegativeInteger as "2"^^xsd:integer. Its parser keeps
# lexical forms (it only lower-cases language tags), so exports read the source files again.

_WRITE_FORMATS: dict[str, ox.RdfFormat] = {
    "turtle": ox.RdfFormat.TURTLE,
    "trig": ox.RdfFormat.TRIG,
    "xml": ox.RdfFormat.RDF_XML,
}


def _written(data: bytes | None) -> bytes:
    # pyoxigraph returns the bytes when it is given no output to write to.
    return data if data is not None else b""


def source_ntriples(path: Path, graph_iri: str) -> dict[str, bytes]:
    """Parse ``path`` again and return each graph it holds as canonical N-Triples, every literal
    as written; its triples go to ``graph_iri`` (as in ``load``), blank nodes get fresh labels
    and language tags come back lower-cased."""
    fmt = _ox_format(path)
    if fmt not in _TRIPLE_FORMATS:
        by_graph: dict[str, list[ox.Triple]] = {}
        for quad in parse_file(path, graph_iri):
            name = quad.graph_name
            key = name.value if isinstance(name, ox.NamedNode | ox.BlankNode) else graph_iri
            by_graph.setdefault(key, []).append(quad.triple)
        return {
            name: _written(ox.serialize(triples, format=ox.RdfFormat.N_TRIPLES))
            for name, triples in by_graph.items()
        }
    with _parsing(path):
        # Default-graph quads written as N-Quads are N-Triples lines, streamed in Rust.
        parsed = ox.parse(path=path, format=fmt, base_iri=graph_iri, rename_blank_nodes=True)
        return {graph_iri: _written(ox.serialize(parsed, format=ox.RdfFormat.N_QUADS))}


def stored_ntriples(loaded: LoadedGraph, graph_iri: str) -> bytes:
    """Return the store's copy of one named graph as canonical N-Triples (typed literals as the
    store keeps them: by value)."""
    inner = _inner_store(loaded.dataset)
    if inner is not None:
        dumped = inner.dump(format=ox.RdfFormat.N_TRIPLES, from_graph=ox.NamedNode(graph_iri))
        return _written(dumped)
    return ntriples(loaded.dataset.graph(URIRef(graph_iri)))


def stored_graph_names(loaded: LoadedGraph) -> list[str]:
    """Return the IRIs of the dataset's non-empty named graphs, sorted."""
    inner = _inner_store(loaded.dataset)
    if inner is None:
        from rdflib.graph import DATASET_DEFAULT_GRAPH_ID

        return sorted(
            str(g.identifier)
            for g in loaded.dataset.graphs()
            if isinstance(g.identifier, URIRef)
            and g.identifier != DATASET_DEFAULT_GRAPH_ID
            and len(g) > 0
        )
    return sorted(
        g.value
        for g in inner.named_graphs()
        if isinstance(g, ox.NamedNode)
        and next(iter(inner.quads_for_pattern(None, None, None, g)), None) is not None
    )


def ntriples(triples: Iterable[tuple[Node, Node, Node]]) -> bytes:
    """Return rdflib triples as canonical N-Triples, in the order given."""
    return _written(
        ox.serialize(
            (
                ox.Triple(
                    cast(ox.NamedNode | ox.BlankNode, _to_ox(s)), ox.NamedNode(str(p)), _to_ox(o)
                )
                for s, p, o in triples
            ),
            format=ox.RdfFormat.N_TRIPLES,
        )
    )


def rewrite_ntriples(
    data: bytes, fmt: str, prefixes: Mapping[str, str], *, quads: bool = False
) -> bytes:
    """Return N-Triples (N-Quads with ``quads``) written as ``fmt`` (``turtle``, ``trig`` or
    ``xml``) with ``prefixes``, in the order given: Oxigraph's writers, streamed in Rust.
    Lexical forms are kept; language tags come out lower-cased."""
    source = ox.RdfFormat.N_QUADS if quads else ox.RdfFormat.N_TRIPLES
    parsed = ox.parse(data, format=source)
    return _written(ox.serialize(parsed, format=_WRITE_FORMATS[fmt], prefixes=dict(prefixes)))
