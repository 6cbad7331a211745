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
_RDF_TYPE_TERM = f"<{RDF_TYPE}>"

#: A language-tagged literal at the end of an N-Triples line; only tags with subtags can differ
#: from their canonical case (Oxigraph lower-cases them all).
_TAG_AT_LINE_END = re.compile(r'"@([a-z]+(?:-[a-z0-9]+)+) \.$', re.MULTILINE)
#: A whole literal as Oxigraph writes it in Turtle (one line, quotes escaped), with its tag.
_WRITTEN_LITERAL = re.compile(rb'"(?:[^"\\\n]|\\.)*"(?:@([A-Za-z0-9-]+))?')
#: Characters XML 1.0 forbids even as character references.
_XML_FORBIDDEN = re.compile(rb"[\x00-\x08\x0b\x0c\x0e-\x1f]")
#: A local name a prefixed name may end with (Turtle's PN_LOCAL, ASCII and without escapes).
PNAME_LOCAL = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")
#: An XML name at the end of an IRI: what RDF/XML needs to write it as a property element.
_XML_LOCAL_NAME = re.compile(r"[^\W\d][\w.-]*$")


@cache
def jsonld_context() -> dict[str, Any]:
    """Return the JSON-LD context shipped with kgtool (the value of its ``@context``)."""
    resource = resources.files("kgtool").joinpath("resources", CONTEXT_RESOURCE)
    text = resource.read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)["@context"]
    return context


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


def relabel_blank_nodes(triples: list[tuple[str, str, str]], prefix: str = "") -> list[_Triple]:
    """Return ``triples`` (each once; terms as N-Triples text) with their blank nodes labelled
    canonically as ``_:<prefix><label>``: the label follows what a blank node says and where
    it hangs (linear time, for tree-shaped blank nodes), else, for cycles and look-alikes,
    rdflib's full canonicalisation. Labels depend on the triples only, never on the labels
    they come with, their order or the hash seed. kgtool's one blank-node labeller: the
    exports and each document of ``kgtool.publish`` use it."""
    labels = _tree_labels(triples)
    if labels is None:
        triples = _full_canonical(triples)
        labels = {t: t[2:] for triple in triples for t in triple if _is_blank(t)}

    def relabel(term: str) -> str:
        return f"_:{prefix}{labels[term]}" if _is_blank(term) else term

    return [(relabel(s), p, relabel(o)) for s, p, o in triples]


def _canonical_blank_nodes(lines: list[str], scope: str) -> list[str]:
    """Relabel the blank nodes of one graph's lines canonically, within ``scope``."""
    marked = [line for line in lines if "_:" in line]  # a superset: "_:" may sit in a literal
    # Each triple once: a graph is a set, and a repeated line must not change the labels.
    unique = dict.fromkeys(t for t in map(_split, marked) if _is_blank(t[0]) or _is_blank(t[2]))
    items = list(unique)
    if not items:
        return lines
    with_blank = {f"{s} {p} {o} ." for s, p, o in items}
    relabelled = relabel_blank_nodes(items, prefix=f"g{_digest(scope)[:8]}")
    kept = [line for line in lines if line not in with_blank]
    return kept + [f"{s} {p} {o} ." for s, p, o in relabelled]


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
    """Compact IRIs and the context's terms, from kgtool's JSON-LD context.

    ``local_names_only``: write ``prefix:local`` only where ``local`` is a Turtle local name
    (as ``kgtool.queries.compact`` does; the context's prefixes are the project's), else at
    any ``/`` or ``#`` that ends a context namespace.
    """

    #: IRIs remembered at most (a compactor may live as long as the process)
    _KEEP = 1 << 18

    def __init__(self, context: dict[str, Any], *, local_names_only: bool = False) -> None:
        self.local_names_only = local_names_only
        self.namespaces = {iri: name for name, iri in context.items() if isinstance(iri, str)}
        prefixes = {name: iri for iri, name in self.namespaces.items()}
        #: property (N-Triples ``<...>``) -> term whose values form a language map / are IRIs
        self.language_terms: dict[str, str] = {}
        self.id_terms: dict[str, str] = {}
        for term, definition in context.items():
            if not isinstance(definition, dict) or "@id" not in definition:
                continue
            prefix, _, local = str(definition["@id"]).partition(":")
            iri = prefixes[prefix] + local if prefix in prefixes else str(definition["@id"])
            rest = {k: v for k, v in definition.items() if k != "@id"}
            if rest == {"@container": "@language"}:
                self.language_terms[f"<{iri}>"] = term
            elif rest == {"@type": "@id"}:
                self.id_terms[f"<{iri}>"] = term
        self.known: dict[str, str] = {}

    def compact(self, term: str) -> str:
        """Return an N-Triples IRI ``<...>`` as ``prefix:local`` where a context namespace
        fits, else as the IRI."""
        found = self.known.get(term)
        if found is None:
            found = self._compact(_iri_text(term))
            if len(self.known) < self._KEEP:
                self.known[term] = found
        return found

    def _compact(self, iri: str) -> str:
        cut = max(iri.rfind("/"), iri.rfind("#"))
        while cut > 0:
            prefix = self.namespaces.get(iri[: cut + 1])
            local = iri[cut + 1 :]
            if self.local_names_only:  # a local name holds no "/" or "#": this cut or none
                fits = prefix is not None and (not local or PNAME_LOCAL.match(local))
                return f"{prefix}:{local}" if fits else iri
            if prefix is not None and not local.startswith("//"):
                return f"{prefix}:{local}"
            cut = max(iri.rfind("/", 0, cut), iri.rfind("#", 0, cut))
        return iri


@cache
def _document_compactor() -> _Compactor:
    """The compactor of the explicit shape, shared by the documents of one process."""
    return _Compactor(jsonld_context(), local_names_only=True)


@cache
def _jsonld_head() -> str:
    """The start of every JSON-LD file: ``{`` and the inline context, without its ``}``."""
    head = json.dumps({"@context": jsonld_context()}, indent=2, ensure_ascii=False, sort_keys=True)
    return head[: -len("\n}")]


def _value_order(value: Any) -> tuple[str, ...]:
    """Sort key of an explicit JSON-LD value: plain strings, references, tagged or typed."""
    if isinstance(value, str):
        return ("0", value)
    if "@id" in value:
        return ("1", value["@id"])
    return ("2", value["@value"], value.get("@language", ""), value.get("@type", ""))


def _node_json(node: dict[str, Any], explicit: bool) -> str:
    def single(values: Any) -> Any:
        if isinstance(values, list):
            return values[0] if len(values) == 1 else values
        return {tag: single(texts) for tag, texts in values.items()}  # a language map

    shaped = (lambda values: sorted(values, key=_value_order)) if explicit else single
    compact = {key: shaped(value) if key != "@id" else value for key, value in node.items()}
    return json.dumps(compact, ensure_ascii=False, sort_keys=True)


def _iri_text(term: str) -> str:
    """Return the IRI of an N-Triples ``<...>`` term (``\\uXXXX`` escapes are JSON's)."""
    return json.loads(f'"{term[1:-1]}"') if "\\" in term else term[1:-1]


def jsonld_from_lines(lines: Iterable[str], *, explicit: bool = False) -> bytes:
    """Return sorted unique N-Triples lines (no line ends) as JSON-LD with kgtool's context
    inline: a node object per subject, on a line of its own, in the order of the lines, keys
    sorted; literals keep their lexical form. kgtool's one JSON-LD writer, in two shapes:

    - ``explicit=False`` (the dumps, ``kgtool export``): compact, with the context's terms
      where their definition fits (values of ``prefLabel`` ... as language maps, of ``party``
      ... as bare IRIs), IRIs compacted at any ``/`` or ``#`` ending a context namespace, a
      single value without its array, values in the order of the lines;
    - ``explicit=True`` (one thing's document, ``kgtool.publish.serialize_triples``): no
      context term, every property a prefixed name or full IRI (prefixed only where the local
      part is a Turtle local name, as in the Turtle beside it), every value explicit
      (``@value`` with ``@language`` or ``@type``) in an array sorted by value (strings,
      references, then tagged or typed literals), node and reference IRIs in full, and
      ``rdf:type`` to a blank node also under ``@type``.
    """
    names = _document_compactor() if explicit else _Compactor(jsonld_context())
    nodes: list[str] = []
    node: dict[str, Any] = {}
    subject = ""
    for line in lines:
        s, p, o = line.split(" ", 2)
        o = o[:-2]  # the line ends with " ."
        if s != subject:
            if node:
                nodes.append(_node_json(node, explicit))
            subject = s
            if s[0] == "_":
                node = {"@id": s}
            else:
                node = {"@id": _iri_text(s) if explicit else names.compact(s)}
        kind = o[0]  # "<" an IRI, "_" a blank node, '"' a literal
        value: Any
        if kind != '"':
            if p == _RDF_TYPE_TERM and (kind == "<" or explicit):
                node.setdefault("@type", []).append(names.compact(o) if kind == "<" else o)
                continue
            ref = o if kind == "_" else _iri_text(o) if explicit else names.compact(o)
            term = None if explicit else names.id_terms.get(p)
            if term is not None:
                node.setdefault(term, []).append(ref)
                continue
            value = {"@id": ref}
        else:
            end = o.rfind('"')
            # N-Triples escapes are JSON escapes; most literals have none.
            text = json.loads(o[: end + 1], strict=False) if "\\" in o else o[1:end]
            suffix = o[end + 1 :]
            if not suffix:
                value = text
            elif suffix[0] == "@":
                term = None if explicit else names.language_terms.get(p)
                if term is not None:
                    node.setdefault(term, {}).setdefault(suffix[1:], []).append(text)
                    continue
                value = {"@value": text, "@language": suffix[1:]}
            else:
                value = {"@value": text, "@type": names.compact(suffix[2:])}
        node.setdefault(names.compact(p), []).append(value)
    if node:
        nodes.append(_node_json(node, explicit))
    body = ",\n    ".join(nodes)
    graph = f'"@graph": [\n    {body}\n  ]' if nodes else '"@graph": []'
    return f"{_jsonld_head()},\n  {graph}\n}}\n".encode()


def jsonld_bytes(graph: Graph) -> bytes:
    """Return ``graph`` as JSON-LD with kgtool's context inline, subjects and values sorted,
    so the bytes depend on the triples (and the graph's blank node labels) only."""
    tags: dict[str, str] = {}
    return jsonld_from_lines(_lines(ntriples(graph).decode("utf-8"), None, tags))


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
    return jsonld_from_lines(prepared.union)


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
    "jsonld_from_lines",
    "relabel_blank_nodes",
    "serialize",
    "serialize_each",
]
