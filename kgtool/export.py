"""Deterministic serialisations of the loaded dataset: the same graph gives the same bytes.

Every graph becomes canonical N-Triples lines (Oxigraph's writer) with blank nodes relabelled
canonically and language tags in canonical case (``uz-Latn``), sorted; the union is the sorted
set of every graph's lines. N-Triples and N-Quads are those lines; Turtle, TriG and RDF/XML are
Oxigraph's writers fed them in that order; JSON-LD is written here from them, one node object
per subject, with the package's context (``kgtool/resources/context.jsonld``) inline: never a
remote URL. Prefixes come from ``kgtool.project.PREFIXES`` only (those the data use).

Literals keep their lexical form: graphs that come from files are parsed again from the files,
because Oxigraph's store keeps typed literals by value (``"087"^^xsd:integer`` comes back as
``"87"``, ``"2"^^xsd:nonNegativeInteger`` as ``"2"^^xsd:integer``; docs/architecture.md).
Graphs kgtool made itself (inferred, metrics) come from the store.

Graph formats (Turtle, N-Triples, JSON-LD, RDF/XML) hold the union of all graphs; dataset
formats (TriG, N-Quads) keep a named graph per source file (and the inferred graph, if any),
graph by graph in IRI order.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

from rdflib import BNode, Graph, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.fsutil import atomic_write_bytes
from kgtool.graph import (
    LoadedGraph,
    ntriples,
    rewrite_ntriples,
    source_ntriples,
    stored_graph_names,
    stored_ntriples,
)
from kgtool.project import PREFIXES, canonical_language_tag

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

RDF_TYPE = "http://www.w3.org/1999/02/22-rdf-syntax-ns#type"

#: A language-tagged literal at the end of an N-Triples line; only tags with subtags can differ
#: from their canonical case (Oxigraph lower-cases them all).
_TAG_AT_LINE_END = re.compile(r'"@([a-z]+(?:-[a-z0-9]+)+) \.$', re.MULTILINE)
#: A whole literal as Oxigraph writes it in Turtle (one line, quotes escaped), with its tag.
_WRITTEN_LITERAL = re.compile(rb'"(?:[^"\\\n]|\\.)*"(?:@([A-Za-z0-9-]+))?')
#: Characters XML 1.0 forbids even as character references.
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: An XML name at the end of an IRI: what RDF/XML needs to write it as a property element.
_XML_LOCAL_NAME = re.compile(r"[^\W\d][\w.-]*$")


@cache
def jsonld_context() -> dict[str, Any]:
    """Return the JSON-LD context shipped with kgtool (the value of its ``@context``)."""
    resource = resources.files("kgtool").joinpath("resources", CONTEXT_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


def named_graphs(loaded: LoadedGraph) -> list[URIRef]:
    """Return the IRIs of the dataset's non-empty named graphs, sorted."""
    return [URIRef(name) for name in stored_graph_names(loaded)]


# --- canonical N-Triples lines ----------------------------------------------------------------


def _digest(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()[:20]


def _is_blank(term: str) -> bool:
    return term.startswith("_:")


def _split(line: str) -> tuple[str, str, str]:
    """Return the subject, predicate and object of a canonical N-Triples line."""
    subject, predicate, rest = line.split(" ", 2)
    return subject, predicate, rest[:-2]  # rest ends with " ."


_Triple = tuple[str, str, str]


def _tree_labels(items: list[_Triple]) -> dict[str, str] | None:
    """Label blank nodes by their content and their place in the graph, in linear time.

    A blank node's label hashes what it says (its outgoing triples, nested blank nodes by
    their own content) and where it hangs (the subjects and predicates pointing at it). This
    is exact for tree-shaped blank nodes (Turtle ``[ ]``, lists, SHACL property shapes);
    returns None when labels collide or blank nodes form a cycle, so the caller can fall back
    to full canonicalisation. Terms are N-Triples text.
    """
    outgoing: dict[str, list[tuple[str, str]]] = {}
    incoming: dict[str, list[tuple[str, str]]] = {}
    for s, p, o in items:
        if _is_blank(s):
            outgoing.setdefault(s, []).append((p, o))
            incoming.setdefault(s, [])
        if _is_blank(o):
            incoming.setdefault(o, []).append((s, p))
            outgoing.setdefault(o, [])
    content: dict[str, str] = {}
    visiting: set[str] = set()

    def content_of(node: str) -> str | None:
        if node in content:
            return content[node]
        if node in visiting:
            return None  # a cycle of blank nodes
        visiting.add(node)
        parts = []
        for p, o in outgoing[node]:
            inner = content_of(o) if _is_blank(o) else o
            if inner is None:
                return None
            parts.append(f"{p} {inner}")
        visiting.discard(node)
        content[node] = _digest("\n".join(sorted(parts)))
        return content[node]

    labels: dict[str, str] = {}
    placing: set[str] = set()

    def label_of(node: str) -> str | None:
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
            where = label_of(s) if _is_blank(s) else s
            if where is None:
                return None
            parents.append(f"{where} {p}")
        placing.discard(node)
        labels[node] = _digest(own + "\n" + "\n".join(sorted(parents)))
        return labels[node]

    for node in outgoing:
        if label_of(node) is None:
            return None
    if len(set(labels.values())) != len(labels):
        return None  # two blank nodes alike in content and place: need the full algorithm
    return labels


def _full_canonical(items: list[_Triple]) -> list[_Triple]:
    """Return ``items`` with canonical blank nodes from rdflib's full algorithm (for cycles
    and look-alikes). Other terms stand in as opaque IRIs: rdflib would rewrite literals
    (``"087"^^xsd:integer`` as ``"87"``)."""
    back: dict[Node, str] = {}

    def node(term: str) -> Node:
        if _is_blank(term):
            return BNode(term[2:])
        stand_in = URIRef(f"urn:kgtool:term:{_digest(term)}")
        back[stand_in] = term
        return stand_in

    scratch = Graph()
    for s, p, o in items:
        scratch.add((node(s), node(p), node(o)))

    def text(term: Node) -> str:
        return f"_:{term}" if isinstance(term, BNode) else back[term]

    return [(text(s), text(p), text(o)) for s, p, o in to_canonical_graph(scratch)]


def _canonical_blank_nodes(lines: list[str], scope: str) -> list[str]:
    """Relabel the blank nodes of one graph's lines canonically, within ``scope``."""
    marked = [line for line in lines if "_:" in line]  # a superset: "_:" may sit in a literal
    # Each triple once: a graph is a set, and a repeated line must not change the labels.
    unique = dict.fromkeys(t for t in map(_split, marked) if _is_blank(t[0]) or _is_blank(t[2]))
    items = list(unique)
    if not items:
        return lines
    with_blank = {f"{s} {p} {o} ." for s, p, o in items}
    tag = _digest(scope)[:8]
    labels = _tree_labels(items)
    if labels is None:
        items = _full_canonical(items)
        labels = {t: t[2:] for triple in items for t in triple if _is_blank(t)}

    def relabel(term: str) -> str:
        return f"_:g{tag}{labels[term]}" if _is_blank(term) else term

    kept = [line for line in lines if line not in with_blank]
    return kept + [f"{relabel(s)} {p} {relabel(o)} ." for s, p, o in items]


def _recase_lines(text: str, tags: dict[str, str]) -> str:
    """Give the language tags of N-Triples text their canonical case; note changed tags."""

    def canonical(match: re.Match[str]) -> str:
        cased = canonical_language_tag(match[1])
        if cased == match[1]:
            return match[0]
        tags[match[1]] = cased
        return f'"@{cased} .'

    return _TAG_AT_LINE_END.sub(canonical, text) if '"@' in text else text


def _sorted_unique(lines: list[str]) -> list[str]:
    lines.sort()
    return list(dict.fromkeys(lines))


def _lines(text: str, scope: str | None, tags: dict[str, str]) -> list[str]:
    """Return canonical N-Triples text as sorted unique lines, tags re-cased and, with a
    ``scope``, blank nodes relabelled canonically."""
    lines = _recase_lines(text, tags).splitlines()
    if scope is not None and "_:" in text:
        lines = _canonical_blank_nodes(lines, scope)
    return _sorted_unique(lines)


@dataclass
class _Prepared:
    """Every graph as sorted canonical lines, shared by the formats of one export."""

    #: (graph IRI, its sorted unique N-Triples lines), in IRI order
    graphs: list[tuple[str, list[str]]]
    #: lower-case language tag -> its canonical case, where the two differ
    tags: dict[str, str] = field(default_factory=dict)
    _union: list[str] | None = None
    _nt: bytes | None = None
    _nquads: bytes | None = None
    _prefixes: dict[str, str] | None = None

    @property
    def union(self) -> list[str]:
        """Return the sorted unique lines of all graphs (blank nodes stay per graph)."""
        if self._union is None:
            if len(self.graphs) == 1:
                self._union = self.graphs[0][1]
            else:
                self._union = _sorted_unique([line for _, lines in self.graphs for line in lines])
        return self._union

    @property
    def nt(self) -> bytes:
        if self._nt is None:
            self._nt = _joined(self.union)
        return self._nt

    @property
    def nquads(self) -> bytes:
        if self._nquads is None:
            # Every line ends with " ." and a newline (a literal's newlines are escaped).
            self._nquads = b"".join(
                _joined(lines).replace(b" .\n", f" <{name}> .\n".encode())
                for name, lines in self.graphs
            )
        return self._nquads

    @property
    def prefixes(self) -> dict[str, str]:
        """Return the project prefixes whose namespace the data use, in PREFIXES order."""
        if self._prefixes is None:
            self._prefixes = {p: ns for p, ns in PREFIXES.items() if f"<{ns}".encode() in self.nt}
        return self._prefixes

    def written_tags(self, data: bytes) -> bytes:
        """Give the tags of Turtle or TriG written by Oxigraph their canonical case."""
        if not self.tags:
            return data
        cased = {k.encode(): v.encode() for k, v in self.tags.items()}
        if not any(b'\\"@' + lower in self.nt for lower in cased):
            # No literal's text holds '"@' and one of these tags: each such '"@' opens a tag,
            # and Oxigraph writes a space or a line end after one.
            for lower, canonical in cased.items():
                for end in (b" ", b"\n"):
                    data = data.replace(b'"@' + lower + end, b'"@' + canonical + end)
            return data

        def whole(match: re.Match[bytes]) -> bytes:
            tag = match[1]
            if tag is None or tag not in cased:
                return match[0]
            return match[0][: -len(tag)] + cased[tag]

        return _WRITTEN_LITERAL.sub(whole, data)


def _joined(lines: list[str]) -> bytes:
    return ("\n".join(lines) + "\n").encode("utf-8") if lines else b""


def _prepare(loaded: LoadedGraph) -> _Prepared:
    """Read every named graph as canonical lines: from its source file where it has one (the
    store keeps typed literals by value), else from the store."""
    wanted = set(stored_graph_names(loaded))
    texts: dict[str, list[bytes]] = {}
    for path in sorted(set(loaded.files.values())):
        try:
            chunks = source_ntriples(path, loaded.project.graph_iri(path))
        except KgtoolError:
            continue  # the file is gone or no longer parses: the store's copy stands
        for name, data in chunks.items():
            if name in wanted:
                texts.setdefault(name, []).append(data)
    prepared = _Prepared([])
    for name in sorted(wanted):
        data = b"".join(texts[name]) if name in texts else stored_ntriples(loaded, name)
        prepared.graphs.append((name, _lines(data.decode("utf-8"), name, prepared.tags)))
    return prepared


# --- JSON-LD ----------------------------------------------------------------------------------


class _Compactor:
    """Compact IRIs and the context's terms, from kgtool's JSON-LD context."""

    def __init__(self, context: dict[str, Any]) -> None:
        self.namespaces = {iri: name for name, iri in context.items() if isinstance(iri, str)}
        prefixes = {name: iri for iri, name in self.namespaces.items()}
        #: property IRI -> term whose values form a language map / are IRIs
        self.language_terms: dict[str, str] = {}
        self.id_terms: dict[str, str] = {}
        for term, definition in context.items():
            if not isinstance(definition, dict) or "@id" not in definition:
                continue
            prefix, _, local = str(definition["@id"]).partition(":")
            iri = prefixes[prefix] + local if prefix in prefixes else str(definition["@id"])
            rest = {k: v for k, v in definition.items() if k != "@id"}
            if rest == {"@container": "@language"}:
                self.language_terms[iri] = term
            elif rest == {"@type": "@id"}:
                self.id_terms[iri] = term
        self.known: dict[str, str] = {}

    def compact(self, iri: str) -> str:
        """Return ``prefix:local`` for the longest project namespace ``iri`` starts with."""
        found = self.known.get(iri)
        if found is None:
            found = self.known[iri] = self._compact(iri)
        return found

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#"))
        while cut > 0:
            prefix = self.namespaces.get(iri[: cut + 1])
            if prefix is not None and not iri.startswith("//", cut + 1):
                return f"{prefix}:{iri[cut + 1 :]}"
            cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
        return iri


def _node_json(node: dict[str, Any]) -> str:
    def single(values: Any) -> Any:
        if isinstance(values, list):
            return values[0] if len(values) == 1 else values
        return {tag: single(texts) for tag, texts in values.items()}  # a language map

    compact = {key: single(value) if key != "@id" else value for key, value in node.items()}
    return json.dumps(compact, ensure_ascii=False, sort_keys=True)


def _jsonld(lines: Iterable[str]) -> bytes:
    """Write sorted canonical N-Triples lines as compact JSON-LD: one node object per subject
    on a line of its own, kgtool's context inline, literals as ``@value`` strings (lexical form
    kept), values of the context's terms as language maps or IRIs."""
    names = _Compactor(jsonld_context())  # one per document: its cache grows with the IRIs
    nodes: list[str] = []
    node: dict[str, Any] = {}
    subject = ""
    for line in lines:
        s, p, o = line.split(" ", 2)
        o = o[:-2]  # the line ends with " ."
        if s != subject:
            if node:
                nodes.append(_node_json(node))
            subject = s
            node = {"@id": s if _is_blank(s) else names.compact(s[1:-1])}
        predicate = p[1:-1]
        value: Any
        if o[0] == "<" or _is_blank(o):
            ref = o if _is_blank(o) else names.compact(o[1:-1])
            if predicate == RDF_TYPE and o[0] == "<":
                node.setdefault("@type", []).append(ref)
                continue
            term = names.id_terms.get(predicate)
            if term is not None:
                node.setdefault(term, []).append(ref)
                continue
            value = {"@id": ref}
        else:
            end = o.rfind('"')
            # N-Triples escapes are JSON escapes; most literals have none.
            text = json.loads(o[: end + 1]) if "\\" in o else o[1:end]
            suffix = o[end + 1 :]
            if not suffix:
                value = text
            elif suffix[0] == "@":
                term = names.language_terms.get(predicate)
                if term is not None:
                    node.setdefault(term, {}).setdefault(suffix[1:], []).append(text)
                    continue
                value = {"@value": text, "@language": suffix[1:]}
            else:
                value = {"@value": text, "@type": names.compact(suffix[3:-1])}
        node.setdefault(names.compact(predicate), []).append(value)
    if node:
        nodes.append(_node_json(node))
    head = json.dumps({"@context": jsonld_context()}, indent=2, ensure_ascii=False, sort_keys=True)
    body = ",\n    ".join(nodes)
    graph = f'"@graph": [\n    {body}\n  ]' if nodes else '"@graph": []'
    return (head[: -len("\n}")] + f",\n  {graph}\n}}\n").encode("utf-8")


def jsonld_bytes(graph: Graph) -> bytes:
    """Return ``graph`` as JSON-LD with kgtool's context inline, subjects and values sorted,
    so the bytes depend on the triples (and the graph's blank node labels) only."""
    tags: dict[str, str] = {}
    return _jsonld(_lines(ntriples(graph).decode("utf-8"), None, tags))


# --- formats ----------------------------------------------------------------------------------


def _xml(prepared: _Prepared) -> bytes:
    for predicate in sorted({_split(line)[1][1:-1] for line in prepared.union}):
        if not _XML_LOCAL_NAME.search(predicate):
            raise KgtoolError(
                f"RDF/XML cannot write the property <{predicate}>: its IRI does not end in an "
                "XML name; export another format"
            )
    data = rewrite_ntriples(prepared.nt, "xml", prepared.prefixes)
    control = _XML_FORBIDDEN.search(data)
    if control is not None:
        raise KgtoolError(
            f"RDF/XML cannot write a literal holding the control character "
            f"U+{control[0][0]:04X} (XML 1.0 forbids it); export another format"
        )
    for lower, cased in prepared.tags.items():
        data = data.replace(f'xml:lang="{lower}"'.encode(), f'xml:lang="{cased}"'.encode())
    return data


def serialize(loaded: LoadedGraph, fmt: str, *, _prepared: _Prepared | None = None) -> bytes:
    """Return the loaded dataset in ``fmt`` (see ``FORMATS``), deterministically."""
    if fmt not in FORMATS:
        raise KgtoolError(f"unknown export format {fmt!r}; choose one of {', '.join(FORMATS)}")
    prepared = _prepared if _prepared is not None else _prepare(loaded)
    if fmt == "nt":
        return prepared.nt
    if fmt == "nquads":
        return prepared.nquads
    if fmt == "turtle":
        data = rewrite_ntriples(prepared.nt, "turtle", prepared.prefixes)
        return prepared.written_tags(data)
    if fmt == "trig":
        data = rewrite_ntriples(prepared.nquads, "trig", prepared.prefixes, quads=True)
        return prepared.written_tags(data)
    if fmt == "xml":
        return _xml(prepared)
    return _jsonld(prepared.union)


def export(loaded: LoadedGraph, fmt: str, out: Path | None = None) -> bytes:
    """Serialise the loaded dataset as ``fmt``; write it atomically to ``out`` if given."""
    data = serialize(loaded, fmt)
    if out is not None:
        atomic_write_bytes(out, data)
    return data


def serialize_each(loaded: LoadedGraph, formats: Iterable[str]) -> Iterator[tuple[str, bytes]]:
    """Yield ``(format, bytes)`` for each of ``formats``, as ``serialize`` would return them,
    reading and sorting the dataset once for all of them (one format's bytes at a time)."""
    wanted = list(formats)
    for fmt in wanted:
        if fmt not in FORMATS:
            serialize(loaded, fmt)  # raises the usual error before any work
    prepared = _prepare(loaded)
    for fmt in wanted:
        yield fmt, serialize(loaded, fmt, _prepared=prepared)


def export_all(loaded: LoadedGraph, out_dir: Path, stem: str = "graph") -> list[Path]:
    """Write every format into ``out_dir`` as ``<stem><ext>``; return the paths written."""
    written: list[Path] = []
    for fmt, data in serialize_each(loaded, FORMATS):
        path = out_dir / f"{stem}{FORMATS[fmt]}"
        atomic_write_bytes(path, data)
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
    "jsonld_bytes",
    "jsonld_context",
    "named_graphs",
    "serialize",
    "serialize_each",
]
