"""Deterministic serialisations of the loaded dataset: the same graph gives the same bytes.

Three things make output stable: blank nodes are relabelled canonically (RDF canonical
labels from ``rdflib.compare``), triples are fed to rdflib's serialisers in sorted order on a
fresh memory store, and line-based or JSON output is sorted after writing. Prefixes come from
``kgtool.project.PREFIXES`` only. JSON-LD carries the package's context
(``kgtool/resources/context.jsonld``) inline: never a remote URL.

Graph formats (Turtle, N-Triples, JSON-LD, RDF/XML) hold the union of all graphs; dataset
formats (TriG, N-Quads) keep a named graph per source file (and the inferred graph, if any).
"""

from __future__ import annotations

import hashlib
import io
import json
from collections.abc import Iterable, Iterator
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, Literal, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.graph import DATASET_DEFAULT_GRAPH_ID
from rdflib.namespace import XSD
from rdflib.plugins.serializers.nt import _nt_row
from rdflib.plugins.serializers.turtle import _GEN_QNAME_FOR_DT, TurtleSerializer
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.fsutil import atomic_write_bytes
from kgtool.graph import LoadedGraph, bind_prefixes
from kgtool.project import PREFIXES

#: format name -> file extension
FORMATS: dict[str, str] = {
    "turtle": ".ttl",
    "nt": ".nt",
    "jsonld": ".jsonld",
    "xml": ".rdf",
    "trig": ".trig",
    "nquads": ".nq",
}
DATASET_FORMATS = frozenset({"trig", "nquads"})
CONTEXT_RESOURCE = "context.jsonld"

_Triple = tuple[Node, Node, Node]


@cache
def jsonld_context() -> dict[str, Any]:
    """Return the JSON-LD context shipped with kgtool (the value of its ``@context``)."""
    resource = resources.files("kgtool").joinpath("resources", CONTEXT_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def named_graphs(loaded: LoadedGraph) -> list[URIRef]:
    """Return the IRIs of the dataset's non-empty named graphs, sorted."""
    names: set[URIRef] = set()
    for graph in loaded.dataset.graphs():
        if graph.identifier != DATASET_DEFAULT_GRAPH_ID and isinstance(graph.identifier, URIRef):
            names.add(graph.identifier)
    return sorted(n for n in names if len(loaded.dataset.graph(n)) > 0)


def _plain_triples(graph: Graph) -> Iterable[_Triple]:
    for s, p, o in graph:
        yield s, p, _plain(o)


def _plain(term: Node) -> Node:
    # Oxigraph returns "x"^^xsd:string; write it as the (identical) plain literal "x".
    if isinstance(term, Literal) and term.datatype == XSD.string:
        return Literal(str(term))
    return term


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _tree_labels(items: list[_Triple]) -> dict[BNode, str] | None:
    """Label blank nodes by their content and their place in the graph, in linear time.

    A blank node's label hashes what it says (its outgoing triples, nested blank nodes by
    their own content) and where it hangs (the subjects and predicates pointing at it). This
    is exact for tree-shaped blank nodes (Turtle ``[ ]``, lists, SHACL property shapes);
    returns None when labels collide or blank nodes form a cycle, so the caller can fall back
    to full canonicalisation.
    """
    outgoing: dict[BNode, list[tuple[Node, Node]]] = {}
    incoming: dict[BNode, list[tuple[Node, Node]]] = {}
    for s, p, o in items:
        if isinstance(s, BNode):
            outgoing.setdefault(s, []).append((p, o))
            incoming.setdefault(s, [])
        if isinstance(o, BNode):
            incoming.setdefault(o, []).append((s, p))
            outgoing.setdefault(o, [])
    content: dict[BNode, str] = {}
    visiting: set[BNode] = set()

    def content_of(node: BNode) -> str | None:
        if node in content:
            return content[node]
        if node in visiting:
            return None  # a cycle of blank nodes
        visiting.add(node)
        parts = []
        for p, o in outgoing[node]:
            inner = content_of(o) if isinstance(o, BNode) else o.n3()
            if inner is None:
                return None
            parts.append(f"{p.n3()} {inner}")
        visiting.discard(node)
        content[node] = _digest("\n".join(sorted(parts)))
        return content[node]

    labels: dict[BNode, str] = {}
    placing: set[BNode] = set()

    def label_of(node: BNode) -> str | None:
        if node in labels:
            return labels[node]
        if node in placing:
            return None
        placing.add(node)
        own = content_of(node)
        if own is None:
            return None
        parents = []
        for s, p in incoming[node]:
            where = label_of(s) if isinstance(s, BNode) else s.n3()
            if where is None:
                return None
            parents.append(f"{where} {p.n3()}")
        placing.discard(node)
        labels[node] = _digest(own + "\n" + "\n".join(sorted(parents)))
        return labels[node]

    for node in outgoing:
        if label_of(node) is None:
            return None
    if len(set(labels.values())) != len(labels):
        return None  # two blank nodes alike in content and place: need the full algorithm
    return labels


def _canonical(triples: Iterable[_Triple], scope: str) -> list[_Triple]:
    """Return ``triples`` sorted, with blank nodes relabelled canonically within ``scope``."""
    items = list(set(triples))
    if any(isinstance(t, BNode) for triple in items for t in triple):
        tag = _digest(scope)[:8]
        labels = _tree_labels(items)
        if labels is None:
            scratch = Graph()
            for triple in items:
                scratch.add(triple)
            items = list(to_canonical_graph(scratch))
            labels = {t: str(t) for triple in items for t in triple if isinstance(t, BNode)}

        def relabel(term: Node) -> Node:
            return BNode(f"g{tag}{labels[term]}") if isinstance(term, BNode) else term

        items = [(relabel(s), p, relabel(o)) for s, p, o in items]
    return sorted(set(items), key=lambda t: tuple(term.n3() for term in t))


class _OrderedGraph(Graph):
    """A memory graph whose subjects and predicate-objects come out sorted.

    rdflib's RDF/XML serialiser walks ``subjects()`` and ``predicate_objects()``, whose order
    on the memory store depends on hashing; sorting them makes its output stable.
    """

    def subjects(  # type: ignore[override]
        self, predicate: Any = None, object: Any = None, unique: bool = False
    ) -> Iterator[Node]:
        found = set(super().subjects(predicate, object, unique=True))
        return iter(sorted(found, key=lambda n: n.n3()))

    def predicate_objects(  # type: ignore[override]
        self, subject: Any = None, unique: bool = False
    ) -> Iterator[tuple[Node, Node]]:
        found = set(super().predicate_objects(subject, unique=True))
        return iter(sorted(found, key=lambda po: (po[0].n3(), po[1].n3())))


def _sorted_graph(triples: list[_Triple], identifier: URIRef | None = None) -> Graph:
    """Return a fresh memory graph holding ``triples`` inserted in order, with our prefixes."""
    graph = _OrderedGraph(identifier=identifier) if identifier is not None else _OrderedGraph()
    bind_prefixes(graph)
    for triple in triples:
        graph.add(triple)
    return graph


def _union_triples(graphs: list[tuple[URIRef, list[_Triple]]]) -> list[_Triple]:
    # Blank nodes are labelled per graph (with the graph in the label), so they stay apart.
    triples = {t for _, graph_triples in graphs for t in graph_triples}
    return sorted(triples, key=lambda t: tuple(term.n3() for term in t))


def _graph_triples(loaded: LoadedGraph) -> list[tuple[URIRef, list[_Triple]]]:
    return [
        (name, _canonical(_plain_triples(loaded.dataset.graph(name)), str(name)))
        for name in named_graphs(loaded)
    ]


def _sorted_lines(data: bytes) -> bytes:
    lines = sorted({line for line in data.decode("utf-8").splitlines() if line.strip()})
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


class _FaithfulTurtleSerializer(TurtleSerializer):
    """Turtle that keeps every literal's lexical form.

    rdflib writes ``"87"^^xsd:decimal`` as the shorthand ``87.0``: the same value, but another
    literal. Where the shorthand would change the text, the literal is written in full.
    """

    def label(self, node: Node, position: int) -> str:
        if isinstance(node, Literal) and node.datatype is not None:
            short = node._literal_n3(
                use_plain=True,
                qname_callback=lambda dt: self.get_pname(dt, _GEN_QNAME_FOR_DT),
            )
            if not short.startswith('"') and short != str(node):
                return node._literal_n3(
                    use_plain=False,
                    qname_callback=lambda dt: self.get_pname(dt, _GEN_QNAME_FOR_DT),
                )
            return short
        return super().label(node, position)


def _turtle(graph: Graph) -> str:
    stream = io.BytesIO()
    _FaithfulTurtleSerializer(graph).serialize(stream, encoding="utf-8")
    return stream.getvalue().decode("utf-8")


def _trig(graphs: list[tuple[URIRef, list[_Triple]]]) -> str:
    """Write TriG: every graph as a block of sorted Turtle, one shared prefix header."""
    header: set[str] = set()
    blocks: list[str] = []
    for name, triples in graphs:
        lines = _turtle(_sorted_graph(triples)).splitlines()
        # Only the leading block is prefixes; later lines may sit inside a multi-line literal
        # (a SHACL sh:select), so they are kept exactly as written: no re-indenting.
        start = 0
        while start < len(lines) and (lines[start].startswith("@prefix") or not lines[start]):
            if lines[start]:
                header.add(lines[start])
            start += 1
        content = "\n".join(lines[start:]).rstrip("\n")
        blocks.append(f"<{name}> {{\n{content}\n}}\n")
    order = {f"@prefix {p}: <{iri}> .": i for i, (p, iri) in enumerate(PREFIXES.items())}
    prefix_lines = sorted(header, key=lambda line: (order.get(line, len(order)), line))
    return "\n".join(prefix_lines) + "\n\n" + "\n".join(blocks)


def _sort_json(value: Any, key: str | None = None) -> Any:
    """Sort JSON-LD arrays (except @list) so that output does not depend on triple order."""
    if isinstance(value, dict):
        return {k: _sort_json(v, k) for k, v in value.items()}
    if isinstance(value, list):
        items = [_sort_json(v) for v in value]
        if key == "@list":
            return items
        return sorted(items, key=lambda v: json.dumps(v, sort_keys=True, ensure_ascii=False))
    return value


def _jsonld(graph: Graph) -> bytes:
    context = jsonld_context()
    text: str = graph.serialize(format="json-ld", context=context, auto_compact=True)
    document = json.loads(text)
    if isinstance(document, list):
        document = {"@context": context, "@graph": document}
    document["@context"] = context  # inline, never a reference to a URL
    if "@graph" not in document:
        body = {k: v for k, v in document.items() if k != "@context"}
        document = {"@context": context, "@graph": [body] if body else []}
    document["@graph"] = _sort_json(document["@graph"])
    return (json.dumps(document, indent=2, ensure_ascii=False, sort_keys=True) + "\n").encode()


def jsonld_bytes(graph: Graph) -> bytes:
    """Return ``graph`` as JSON-LD with kgtool's context inline and every array sorted, so
    the bytes depend on the triples only (rdflib's writer iterates sets of subjects)."""
    return _jsonld(graph)


def serialize(
    loaded: LoadedGraph, fmt: str, *, _graphs: list[tuple[URIRef, list[_Triple]]] | None = None
) -> bytes:
    """Return the loaded dataset in ``fmt`` (see ``FORMATS``), deterministically."""
    if fmt not in FORMATS:
        raise KgtoolError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    graphs = _graphs if _graphs is not None else _graph_triples(loaded)
    if fmt == "nquads":
        quads = (
            f"{_nt_row(triple)[: -len(' .' + chr(10))]} {name.n3()} ."
            for name, triples in graphs
            for triple in triples
        )
        return _sorted_lines("\n".join(quads).encode("utf-8"))
    if fmt == "trig":
        return _trig(graphs).encode("utf-8")
    if fmt == "nt":
        lines = (_nt_row(triple) for triple in _union_triples(graphs))
        return _sorted_lines("".join(lines).encode("utf-8"))
    graph = _sorted_graph(_union_triples(graphs))
    if fmt == "turtle":
        return _turtle(graph).encode("utf-8")
    if fmt == "xml":
        data: bytes = graph.serialize(format="xml", encoding="utf-8")
        return data
    return _jsonld(graph)


def export(loaded: LoadedGraph, fmt: str, out: Path | None = None) -> bytes:
    """Serialise the loaded dataset as ``fmt``; write it atomically to ``out`` if given."""
    data = serialize(loaded, fmt)
    if out is not None:
        atomic_write_bytes(out, data)
    return data


def export_all(loaded: LoadedGraph, out_dir: Path, stem: str = "graph") -> list[Path]:
    """Write every format into ``out_dir`` as ``<stem><ext>``; return the paths written."""
    written: list[Path] = []
    graphs = _graph_triples(loaded)  # the costly part, shared by every format
    for fmt, ext in FORMATS.items():
        path = out_dir / f"{stem}{ext}"
        atomic_write_bytes(path, serialize(loaded, fmt, _graphs=graphs))
        written.append(path)
    return written


def context_document() -> bytes:
    """Return the shipped JSON-LD context file, for publishing beside exports."""
    text = json.dumps({"@context": jsonld_context()}, indent=2, ensure_ascii=False)
    return (text + "\n").encode("utf-8")


__all__ = [
    "DATASET_FORMATS",
    "FORMATS",
    "context_document",
    "export",
    "export_all",
    "jsonld_context",
    "named_graphs",
    "serialize",
]
