"""Publish the graph as a static linked-data site that works from any web server or from disk.

Layout of the output folder (every link is relative, so ``file://`` works too)::

    index.html                  search over names in every language and script, lists, links
    search-index.json           the same search index, for other tools
    doc/<type>/<slug>.html      one page per thing https://w3id.org/kgtool/id/<type>/<slug>
    doc/<type>/<slug>.ttl       the same description as Turtle
    doc/<type>/<slug>.jsonld    ... and as JSON-LD with kgtool's local context (never a URL)
    doc/<type>/<slug>.nt        ... and as N-Triples
    dumps/kgtool.ttl|.nt|.jsonld|.trig   full dumps (TriG: a named graph per source file)
    dumps/SHA256SUMS            ``sha256sum -c`` checks the dumps
    context.jsonld              the JSON-LD context the .jsonld files carry inline
    void.ttl                    VoID + DCAT description: counts, licence, dumps, vocabularies
    ontology/index.html         ontology documentation (pyLODE), self-contained

A thing's IRI path ``id/<type>/<slug>`` becomes ``doc/<type>/<slug>`` (slug segments are
percent-encoded where they hold characters unsafe in file names); ``kgtool serve`` answers
``/id/...`` with 303 See Other to ``/doc/...``. Pages carry no script or style from elsewhere
(a Content-Security-Policy forbids it), every text from the data is escaped, and each page
embeds a schema.org description as JSON-LD (with an inline ``@vocab`` context, not a URL).

The graph is read from the Oxigraph store in one pass and grouped in Python; pages are plain
string templates and each thing's Turtle, JSON-LD and N-Triples come from one sorted set of
triples with canonical blank-node labels (``kgtool.export.relabel_blank_nodes``): N-Triples
and the Turtle writer below, JSON-LD by ``kgtool.export.jsonld_from_lines``; so the same data
gives the same bytes whatever the hash seed. A new site is built beside the target and renamed into
place when complete; publishing again into a site rewrites only the files whose bytes changed
(each replaced atomically) and removes the files of things that are gone.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import logging
import os
import queue
import re
import shutil
import tempfile
import threading
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import lru_cache, partial
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, FOAF, SKOS, XSD
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.export import (
    PNAME_LOCAL,
    context_document,
    jsonld_from_lines,
    relabel_blank_nodes,
    serialize_each,
)
from kgtool.graph import (
    LoadedGraph,
    OxBlankNode,
    OxLiteral,
    OxNamedNode,
    bind_prefixes,
    oxigraph_store,
)
from kgtool.names import latin_to_cyrillic
from kgtool.project import (
    BASE,
    COOP,
    ID,
    LANGUAGES,
    PREFIXES,
    best_language,
    canonical_language_tag,
)
from kgtool.queries import compact
from kgtool.viz import json_for_script, search_fold_script, search_keys

#: Licence of the published data (the ontology modules carry their own dcterms:license).
DATA_LICENSE = "https://creativecommons.org/licenses/by/4.0/"
DATA_LICENSE_NAME = "CC BY 4.0"

DOC_DIR = "doc"
DUMPS_DIR = "dumps"
DUMP_STEM = "kgtool"
CHECKSUMS_NAME = "SHA256SUMS"
VOID_NAME = "void.ttl"
ONTOLOGY_DOC = "ontology/index.html"
SEARCH_INDEX_NAME = "search-index.json"
#: A file every published site holds: only such a folder is ever updated by ``publish``.
SITE_MARKER = ".kgtool-site"

#: export format -> (file extension, media type); the dumps the site offers.
DUMP_FORMATS: dict[str, tuple[str, str]] = {
    "turtle": (".ttl", "text/turtle"),
    "nt": (".nt", "application/n-triples"),
    "jsonld": (".jsonld", "application/ld+json"),
    "trig": (".trig", "application/trig"),
}
#: The formats of each thing's document: extension -> media type.
DOC_FORMATS: dict[str, str] = {
    ".html": "text/html",
    ".ttl": "text/turtle",
    ".jsonld": "application/ld+json",
    ".nt": "application/n-triples",
}

#: The document formats written from a thing's triples: format -> file extension.
_DOCUMENT_EXTENSIONS = {"turtle": ".ttl", "jsonld": ".jsonld", "nt": ".nt"}

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("https://schema.org/")
_VOID_PREFIXES = {"void": str(VOID), "dcat": str(DCAT), "spdx": str(SPDX)}

#: Predicates whose language-tagged values are names, shown grouped by language.
NAME_PREDICATES: tuple[URIRef, ...] = (
    SKOS.prefLabel,
    SKOS.altLabel,
    SKOS.hiddenLabel,
    RDFS.label,
    COOP.title,
    FOAF.name,
    COOP.acronym,
    DCTERMS.title,
)
_LABEL_ORDER: tuple[URIRef, ...] = (
    SKOS.prefLabel,
    RDFS.label,
    COOP.title,
    FOAF.name,
    DCTERMS.identifier,  # a source document is known by its file name
)
#: English names of outside properties the ontology does not label itself.
OUTSIDE_PROPERTY_LABELS: dict[Node, str] = {
    RDF.type: "type",
    SKOS.prefLabel: "preferred name",
    SKOS.altLabel: "other name",
    SKOS.hiddenLabel: "misspelling as written",
    SKOS.definition: "definition",
    SKOS.editorialNote: "editorial note",
    SKOS.inScheme: "in scheme",
    SKOS.broader: "broader concept",
    SKOS.narrower: "narrower concept",
    SKOS.topConceptOf: "top concept of",
    SKOS.hasTopConcept: "top concept",
    SKOS.notation: "notation",
    SKOS.exactMatch: "same concept as",
    SKOS.closeMatch: "close match",
    RDFS.label: "label",
    RDFS.comment: "comment",
    RDFS.seeAlso: "see also",
    RDFS.isDefinedBy: "defined by",
    FOAF.name: "name",
    DCTERMS.identifier: "identifier",
    DCTERMS.title: "title",
    DCTERMS.source: "source",
}

_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "img-src data:; base-uri 'none'; form-action 'none'"
)
_SAFE_SEGMENT = re.compile(r"^[A-Za-z0-9][A-Za-z0-9._~-]*$")
_XSD_STRING = str(XSD.string)
_RDF_LANGSTRING = str(RDF.langString)

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PublishSummary:
    """What ``publish`` wrote."""

    out_dir: Path
    #: thing type (the IRI path segment: org, agreement, country, ...) -> number of pages
    pages: dict[str, int]
    triples: int
    entities: int
    #: dump file name -> SHA-256
    checksums: dict[str, str] = field(default_factory=dict)
    #: files (re)written, files left as they were (same bytes), files of vanished things removed
    written: int = 0
    unchanged: int = 0
    removed: int = 0

    @property
    def page_count(self) -> int:
        return sum(self.pages.values())


# --- IRIs and paths ------------------------------------------------------------------------


def doc_path(iri: str) -> str | None:
    """Return the site path (no extension) of a thing IRI: ``id/org/x`` -> ``doc/org/x``."""
    if not iri.startswith(ID):
        return None
    rest = iri[len(ID) :]
    segments = rest.split("/")
    if len(segments) < 2 or not all(segments):
        return None
    safe = [s if _SAFE_SEGMENT.match(s) else quote(s, safe="") for s in segments]
    return "/".join([DOC_DIR, *safe])


def thing_type(iri: str) -> str:
    """Return the type segment of a thing IRI (``org`` for ``.../id/org/x``)."""
    return iri[len(ID) :].split("/", 1)[0]


def _href(from_path: str, to_path: str) -> str:
    """Return a relative URL from the page at ``from_path`` to the file ``to_path``."""
    return _href_from_dir(_folder(from_path), to_path)


@lru_cache(maxsize=4096)
def _folder(path: str) -> str:
    return os.path.dirname(path)


@lru_cache(maxsize=1 << 18)
def _href_from_dir(from_dir: str, to_path: str) -> str:
    to_dir, name = os.path.split(to_path)
    if from_dir == to_dir:
        rel = name
    elif (
        from_dir.count("/") == 1
        and to_dir.count("/") == 1
        and from_dir.split("/")[0] == to_dir.split("/")[0]
    ):  # doc/<type>/ to doc/<other type>/: the common case, without os.path.relpath
        rel = f"../{os.path.basename(to_dir)}/{name}"
    else:
        rel = os.path.relpath(to_path, from_dir or ".")
    return quote(rel, safe="/._~-")


#: IRI -> (prefix, prefixed name) or None, as ``kgtool.queries.compact`` finds them: pages
#: and documents name the same IRIs again and again (at most 2**18 remembered)
_PREFIXED: dict[str, tuple[str, str] | None] = {}


def _prefixed(iri: str) -> tuple[str, str] | None:
    """Return (prefix, prefixed name) of an IRI where a project prefix fits, else None."""
    try:
        return _PREFIXED[iri]
    except KeyError:
        name = compact(URIRef(iri))
        found = None if name == iri else (name.partition(":")[0], name)
        if len(_PREFIXED) < 1 << 18:
            _PREFIXED[iri] = found
        return found


def compact_iri(iri: str) -> str:
    """Return an IRI as a prefixed name where a project prefix fits (``kgtool.queries.compact``)."""
    found = _prefixed(iri)
    return found[1] if found is not None else iri


# --- terms ---------------------------------------------------------------------------------

IRI, BLANK, LITERAL = 0, 1, 2
_NT_ESCAPES = str.maketrans({"\\": "\\\\", '"': '\\"', "\n": "\\n", "\r": "\\r"})
_IRI_UNSAFE = re.compile(r'[\x00-\x20<>"{}|^`\\]')


def _nt_iri(iri: str) -> str:
    if _IRI_UNSAFE.search(iri):
        iri = _IRI_UNSAFE.sub(lambda m: f"\\u{ord(m.group()):04X}", iri)
    return f"<{iri}>"


def _nt_string(value: str) -> str:
    return '"' + value.translate(_NT_ESCAPES) + '"'


class Term:
    """An RDF term as the site needs it: kind, value, language, datatype and its N-Triples.

    Terms are interned by ``_Terms``: one object per distinct term, so they compare (and hash)
    by identity, which keeps grouping a million triples cheap.
    """

    __slots__ = ("datatype", "kind", "lang", "nt", "value")

    def __init__(self, kind: int, value: str, lang: str = "", datatype: str = "") -> None:
        self.kind = kind
        self.value = value
        self.lang = lang
        self.datatype = datatype  # "" for plain and language-tagged literals
        if kind == IRI:
            self.nt = _nt_iri(value)
        elif kind == BLANK:
            self.nt = f"_:{value}"
        elif lang:
            self.nt = f"{_nt_string(value)}@{lang}"
        elif datatype:
            self.nt = f"{_nt_string(value)}^^{_nt_iri(datatype)}"
        else:
            self.nt = _nt_string(value)

    def __repr__(self) -> str:
        return f"Term({self.nt})"


_Triple = tuple[Term, Term, Term]


class _Terms:
    """Interns terms read from Oxigraph or rdflib: one ``Term`` per distinct RDF term."""

    def __init__(self) -> None:
        self._by_nt: dict[tuple[int, str], Term] = {}
        self._by_ox: dict[Any, Term] = {}

    def _intern(self, term: Term) -> Term:
        return self._by_nt.setdefault((term.kind, term.nt), term)

    def iri(self, value: str) -> Term:
        found = self._by_nt.get((IRI, _nt_iri(value)))
        return found if found is not None else self._intern(Term(IRI, value))

    def from_ox(self, term: Any) -> Term:
        found = self._by_ox.get(term)
        if found is None:
            found = self._by_ox[term] = self._intern(self._convert_ox(term))
        return found

    @staticmethod
    def _convert_ox(term: Any) -> Term:
        if isinstance(term, OxNamedNode):
            return Term(IRI, term.value)
        if isinstance(term, OxBlankNode):
            return Term(BLANK, term.value)
        if isinstance(term, OxLiteral):
            if term.language:
                return Term(LITERAL, term.value, lang=canonical_language_tag(term.language))
            datatype = term.datatype.value
            return Term(LITERAL, term.value, datatype="" if datatype == _XSD_STRING else datatype)
        raise KgtoolError(f"unsupported RDF term {term!r} (RDF-star is not used by kgtool)")

    def from_rdflib(self, node: Node) -> Term:
        if isinstance(node, URIRef):
            return self.iri(str(node))
        if isinstance(node, BNode):
            return self._intern(Term(BLANK, str(node)))
        if isinstance(node, Literal):
            if node.language:
                return self._intern(
                    Term(LITERAL, str(node), lang=canonical_language_tag(node.language))
                )
            datatype = "" if node.datatype in (None, XSD.string) else str(node.datatype)
            return self._intern(Term(LITERAL, str(node), datatype=datatype))
        raise KgtoolError(f"unsupported RDF term {node!r}")


# --- one thing's document: N-Triples, Turtle and JSON-LD of a few triples -------------------


def _group(triples: Iterable[_Triple]) -> dict[Term, list[tuple[Term, Term]]]:
    by_subject: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
    for s, p, o in triples:
        by_subject[s].append((p, o))
    return by_subject


def _canonical(triples: list[_Triple]) -> list[_Triple]:
    """Return a document's triples (each once) with its blank nodes labelled ``b0``, ``b1``, ...
    in the order of their canonical labels (``kgtool.export.relabel_blank_nodes``), so that
    labels follow the triples, not the store's random identifiers or the order given."""
    if not any(s.kind == BLANK or o.kind == BLANK for s, _p, o in triples):
        return triples
    by_nt = {t.nt: t for triple in triples for t in triple if t.kind != BLANK}
    relabelled = relabel_blank_nodes([(s.nt, p.nt, o.nt) for s, p, o in triples])
    labels = sorted({t for s, _p, o in relabelled for t in (s, o) if t.startswith("_:")})
    blank = {label: Term(BLANK, f"b{i}") for i, label in enumerate(labels)}

    def term(text: str) -> Term:
        found = blank.get(text)
        return found if found is not None else by_nt[text]

    return [(term(s), by_nt[p], term(o)) for s, p, o in relabelled]


def _lines(triples: list[_Triple]) -> list[str]:
    """Return canonical triples as sorted N-Triples lines (without line ends)."""
    return sorted({f"{s.nt} {p.nt} {o.nt} ." for s, p, o in triples})


_RDF_TYPE = str(RDF.type)


def _is_type(p: Term, o: Term) -> bool:
    """Whether ``p o`` is written ``a o`` (Turtle) or ``"@type"`` (JSON-LD)."""
    return p.value == _RDF_TYPE and p.kind == IRI and o.kind != LITERAL


class _Namer:
    """Writes IRIs as prefixed names where a project prefix fits (``compact_iri``), else one of
    ``extra`` namespaces ending in ``#`` or ``/`` (the VoID vocabularies), remembering the
    prefixes used."""

    def __init__(self, extra: dict[str, str] | None = None) -> None:
        self.prefixes = {**PREFIXES, **(extra or {})}
        self._extra = {namespace: prefix for prefix, namespace in (extra or {}).items()}
        self.used: set[str] = set()

    def name(self, iri: str) -> str | None:
        found = _prefixed(iri)
        if found is None:
            if not self._extra:
                return None
            cut = max(iri.rfind("/"), iri.rfind("#")) + 1
            prefix, local = self._extra.get(iri[:cut]), iri[cut:]
            if prefix is None or (local and not PNAME_LOCAL.match(local)):
                return None
            found = (prefix, f"{prefix}:{local}")
        self.used.add(found[0])
        return found[1]


def _turtle(triples: list[_Triple], extra_prefixes: dict[str, str] | None = None) -> bytes:
    """Return canonical triples (``_canonical``) as Turtle: project prefixes (only those used),
    subjects sorted, ``a`` first, blank nodes referred to once written inline as ``[ ... ]``."""
    by_subject = {
        s: sorted(set(pairs), key=lambda po: (po[0].nt, po[1].nt))
        for s, pairs in _group(triples).items()
    }
    namer = _Namer(extra_prefixes)
    references: dict[Term, int] = defaultdict(int)
    for pairs in by_subject.values():
        for _p, o in pairs:
            if o.kind == BLANK:
                references[o] += 1
    placed: set[Term] = set()  # blank nodes written top-level or inline
    inline: set[Term] = set()

    def mark(subject: Term) -> None:
        for _p, o in by_subject.get(subject, ()):
            if o.kind == BLANK and references[o] == 1 and o not in placed:
                placed.add(o)
                inline.add(o)
                mark(o)

    order = sorted(by_subject, key=lambda s: (s.kind == BLANK, s.nt))  # named first
    top: list[Term] = []
    for subject in order:
        if subject.kind == BLANK and subject in placed:
            continue
        placed.add(subject)
        top.append(subject)
        mark(subject)

    def term(node: Term, depth: int) -> str:
        if node.kind == IRI:
            return namer.name(node.value) or node.nt
        if node.kind == BLANK:
            if node in inline:
                return block(node, depth + 1)
            return node.nt
        if node.lang or not node.datatype:
            return node.nt
        datatype = namer.name(node.datatype) or _nt_iri(node.datatype)
        return f"{_nt_string(node.value)}^^{datatype}"

    def predicate_list(subject: Term, depth: int) -> str:
        types: list[str] = []
        rows: list[str] = []
        current: Term | None = None
        objects: list[str] = []
        for p, o in by_subject.get(subject, ()):  # one pass: "a ..." goes first below
            if _is_type(p, o):
                types.append(term(o, depth))
                continue
            if p is not current:
                if current is not None:
                    rows.append(f"{term(current, depth)} " + ", ".join(objects))
                current, objects = p, []
            objects.append(term(o, depth))
        if current is not None:
            rows.append(f"{term(current, depth)} " + ", ".join(objects))
        if types:
            rows.insert(0, "a " + ", ".join(types))
        return f" ;\n{'    ' * depth}".join(rows)

    def block(node: Term, depth: int) -> str:
        if not by_subject.get(node):
            return "[]"
        indent = "    " * depth
        return f"[\n{indent}{predicate_list(node, depth)}\n{'    ' * (depth - 1)}]"

    statements = []
    for subject in top:
        name = term(subject, 0) if subject.kind != BLANK else subject.nt
        statements.append(f"{name}\n    {predicate_list(subject, 1)} .\n")
    header = "".join(
        f"@prefix {prefix}: <{iri}> .\n"
        for prefix, iri in namer.prefixes.items()
        if prefix in namer.used
    )
    return (header + "\n" + "\n".join(statements)).encode("utf-8")


def serialize_triples(triples: Iterable[tuple[Node, Node, Node]], fmt: str) -> bytes:
    """Return a small set of triples (one thing's document) as ``turtle``, ``nt``, ``jsonld``
    or ``xml`` (RDF/XML): sorted, with canonical blank-node labels, only the project prefixes
    it uses, and JSON-LD with the local context of ``kgtool.export`` (the full dumps go
    through ``kgtool.export.serialize``)."""
    if fmt == "xml":
        graph = Graph(bind_namespaces="none")
        bind_prefixes(graph)
        for triple in sorted(set(triples), key=lambda t: tuple(x.n3() for x in t)):
            graph.add(triple)
        data: bytes = graph.serialize(format="xml", encoding="utf-8")
        return data
    if fmt not in ("turtle", "nt", "jsonld"):
        raise KgtoolError(f"unknown document format {fmt!r}; choose turtle, nt, jsonld or xml")
    return dict(_documents(_from_rdflib(triples)))[fmt]


def _from_rdflib(triples: Iterable[tuple[Node, Node, Node]]) -> list[_Triple]:
    """Return rdflib triples as interned terms, each triple once, in the order given."""
    terms = _Terms()
    convert = terms.from_rdflib
    return list(dict.fromkeys((convert(s), convert(p), convert(o)) for s, p, o in triples))


def _documents(triples: list[_Triple]) -> list[tuple[str, bytes]]:
    """Return a thing's document in each format (``turtle``, ``jsonld``, ``nt``): its blank
    nodes labelled, its triples grouped and sorted once for all three."""
    triples = _canonical(triples)
    lines = _lines(triples)
    ntriples = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
    return [
        ("turtle", _turtle(triples)),
        ("jsonld", jsonld_from_lines(lines, explicit=True)),
        ("nt", ntriples),
    ]


# --- reading the graph: one pass over the store, grouped by subject -------------------------


class _Site:
    """The loaded graph grouped for publishing: what each subject says, what points at each
    thing, the things and their pages, and display names (computed once per node)."""

    def __init__(self, terms: _Terms, out: dict[Term, list[tuple[Term, Term]]]) -> None:
        self.terms = terms
        self.out = out
        self.triples = sum(len(pairs) for pairs in out.values())
        found: dict[Term, str] = {}
        for subject in out:
            if subject.kind == IRI and subject.value.startswith(ID):
                path = doc_path(subject.value)
                if path is not None:
                    found[subject] = path
        #: thing -> its site path without extension, sorted by IRI
        self.things: dict[Term, str] = dict(sorted(found.items(), key=lambda kv: kv[0].value))
        #: thing -> (named subject, predicate) of the triples that point at it
        self.incoming: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
        things = self.things
        for subject, pairs in out.items():
            if subject.kind == IRI:
                for p, o in pairs:
                    if o in things:
                        self.incoming[o].append((subject, p))
        self._names: dict[Term, dict[str, list[str]]] = {}
        self._display: dict[Term, tuple[str, str]] = {}
        self.label_order = [self.iri(p) for p in _LABEL_ORDER]
        self.property_labels: dict[Term, str] = {}
        for predicate in {p for pairs in out.values() for p, _o in pairs}:
            fallback = OUTSIDE_PROPERTY_LABELS.get(URIRef(predicate.value))
            names = self.names(predicate).get("en")
            self.property_labels[predicate] = (
                names[0] if names else fallback or compact_iri(predicate.value)
            )
        self.schema_types = self._schema_types()

    def iri(self, value: str) -> Term:
        return self.terms.iri(str(value))

    def objects(self, subject: Term, predicate: Term) -> list[Term]:
        return [o for p, o in self.out.get(subject, ()) if p is predicate]

    def value(self, subject: Term, predicate: Term) -> Term | None:
        return next((o for p, o in self.out.get(subject, ()) if p is predicate), None)

    def names(self, node: Term) -> dict[str, list[str]]:
        """Return the node's names by language, in the order of ``_LABEL_ORDER``."""
        found = self._names.get(node)
        if found is None:
            found = {}
            pairs = self.out.get(node, ())
            for predicate in self.label_order:
                values = sorted(
                    ((o.value, o.lang) for p, o in pairs if p is predicate and o.kind == LITERAL),
                    key=lambda text_lang: text_lang[0],
                )
                for text, lang in values:
                    shown = found.setdefault(lang, [])
                    if text not in shown:
                        shown.append(text)
            self._names[node] = found
        return found

    def display(self, node: Term) -> tuple[str, str]:
        """Return (name, language) to show for a node, English first."""
        found = self._display.get(node)
        if found is None:
            fallback = compact_iri(node.value) if node.kind == IRI else node.value
            found = self._display[node] = pick_name(self.names(node), fallback)
        return found

    def _schema_types(self) -> dict[Term, list[str]]:
        """Map each class to the schema.org classes it specialises (ontology/mappings.ttl),
        keeping the most specific ones."""
        rdf_type, sub_class_of = self.iri(RDF.type), self.iri(RDFS.subClassOf)
        classes = {o for pairs in self.out.values() for p, o in pairs if p is rdf_type}
        classes |= {s for s, pairs in self.out.items() if any(p is sub_class_of for p, _ in pairs)}
        out: dict[Term, list[str]] = {}
        for cls in classes:
            if cls.kind != IRI:
                continue
            seen, todo = {cls}, [cls]
            while todo:
                for parent in self.objects(todo.pop(), sub_class_of):
                    if parent not in seen:
                        seen.add(parent)
                        todo.append(parent)
            found = {c for c in seen if c.kind == IRI and c.value.startswith(str(SCHEMA))}
            specific = {
                c
                for c in found
                if not any(o is not c and c in self.objects(o, sub_class_of) for o in found)
            }
            if specific:
                out[cls] = sorted(c.value[len(str(SCHEMA)) :] for c in specific)
        return out


def _read_site(loaded: LoadedGraph) -> _Site:
    """Read every quad of the loaded files once and group the triples by subject (a triple
    in two files counts once, as in the union graph)."""
    store = oxigraph_store(loaded)
    terms = _Terms()
    convert = terms.from_ox
    out: dict[Term, list[tuple[Term, Term]]] = defaultdict(list)
    for iri in sorted(loaded.files):
        for quad in store.quads_for_pattern(None, None, None, OxNamedNode(iri)):
            out[convert(quad.subject)].append((convert(quad.predicate), convert(quad.object)))
    if len(loaded.files) > 1:
        for subject, pairs in out.items():
            out[subject] = list(dict.fromkeys(pairs))
    return _Site(terms, dict(out))


def pick_name(names: dict[str, list[str]], fallback: str) -> tuple[str, str]:
    """Return (name, language) to show for a thing, English first (see ``best_language``)."""
    lang = best_language((tag for tag, values in names.items() if values), "en")
    return (fallback, "") if lang is None else (names[lang][0], lang)


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


# --- one thing's description -----------------------------------------------------------


def _describe(site: _Site, node: Term) -> list[_Triple]:
    """Return the triples of a thing's document: what it says, what its blank nodes say
    (recursively) and the triples from named subjects that point at it."""
    triples: list[_Triple] = []
    seen = {node}
    todo = [node]
    while todo:
        subject = todo.pop()
        for p, o in site.out.get(subject, ()):
            triples.append((subject, p, o))
            if o.kind == BLANK and o not in seen:
                seen.add(o)
                todo.append(o)
    triples += [(s, p, node) for s, p in site.incoming.get(node, ())]
    return list(dict.fromkeys(triples))


# --- HTML ----------------------------------------------------------------------------------

_STYLE = """
body{font:15px/1.45 system-ui,sans-serif;margin:0;color:#1d1d1f;background:#fafafa}
header,main,footer{max-width:980px;margin:0 auto;padding:0 16px}
header{padding-top:12px}nav a{margin-right:12px}
h1{font-size:1.6em;margin:.4em 0}h2{font-size:1.15em;border-bottom:1px solid #ddd;margin-top:1.6em}
table{border-collapse:collapse;width:100%}td,th{vertical-align:top;text-align:left;
padding:4px 6px;border-bottom:1px solid #eee}th{width:22%;font-weight:600}
.iri{font-family:monospace;font-size:.9em;color:#555;word-break:break-all}
.lang{display:inline-block;min-width:4.5em;color:#555;font-family:monospace}
.ev{font-size:.85em;color:#555}.pred{color:#555;font-size:.85em}
ul{margin:.2em 0;padding-left:1.2em}.kg-hits li{margin:.2em 0}.kg-sub{color:#666;margin-left:.5em}
input[type=search]{font-size:1.05em;padding:6px;width:100%;max-width:520px}
footer{color:#666;font-size:.85em;margin-top:2em;padding-bottom:2em}
"""


def html_page(
    title: str, body: str, *, csp: str, style: str, head: str = "", lang: str = "en"
) -> str:
    """Return a self-contained HTML page: ``csp`` as its Content-Security-Policy, ``style``
    inline, ``head`` and ``body`` as given (all trusted HTML from kgtool's code; escape
    data before putting it in); ``title`` and ``lang`` are escaped here."""
    return (
        f'<!DOCTYPE html>\n<html lang="{escape(lang)}">\n<head>\n<meta charset="utf-8">\n'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(title)}</title>\n<style>{style}</style>\n{head}</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )


def _page(title: str, body: str, *, head: str = "", lang: str = "en") -> str:
    return html_page(title, body, csp=_CSP, style=_STYLE, head=head, lang=lang)


@lru_cache(maxsize=256)
def _nav(from_path: str) -> str:
    links = [
        ("index.html", "Index"),
        (ONTOLOGY_DOC, "Ontology"),
        (VOID_NAME, "Dataset description (VoID)"),
        (f"{DUMPS_DIR}/{CHECKSUMS_NAME}", "Dumps"),
    ]
    items = " ".join(f'<a href="{_href(from_path, p)}">{escape(t)}</a>' for p, t in links)
    return f"<header><nav>{items}</nav></header>"


def _text(value: str, lang: str) -> str:
    attr = f' lang="{escape(lang)}"' if lang else ""
    return f"<span{attr}>{escape(value)}</span>"


_FOOTER = f'<footer>Data licence: <a href="{DATA_LICENSE}">{DATA_LICENSE_NAME}</a></footer>'


class _Renderer:
    """Writes the HTML page of each thing from the grouped site (escaping every data text)."""

    def __init__(self, site: _Site) -> None:
        self.site = site
        iri = site.iri
        self.rdf_type = iri(RDF.type)
        self.evidence_p = iri(COOP.evidence)
        self.supports = iri(COOP.supportsProperty)
        self.in_document = iri(COOP.inDocument)
        self.start = iri(COOP.startOffset)
        self.end = iri(COOP.endOffset)
        self.source = iri(COOP.source)
        self.part_of = iri(COOP.partOf)
        self.definition = iri(SKOS.definition)
        self.concept = iri(SKOS.Concept)
        self.name_predicates = [iri(p) for p in NAME_PREDICATES]
        self.schema_names = [iri(p) for p in (SKOS.prefLabel, COOP.title, FOAF.name, RDFS.label)]
        self.schema_alternates = [iri(p) for p in (SKOS.altLabel, COOP.acronym)]
        self.same_as = [iri(p) for p in (COOP.ror, COOP.wikidata)]
        self._links: dict[Term, str] = {}

    def link(self, node: Term, from_path: str, depth: int = 0) -> str:
        """Return HTML for a node: a link to its page, or its value."""
        if node.kind == LITERAL:
            text = _text(node.value, node.lang)
            if node.datatype:
                text += f' <span class="pred">({escape(compact_iri(node.datatype))})</span>'
            return text
        if node.kind == BLANK:
            return self.blank(node, from_path, depth) if depth < 4 else "[…]"
        path = self.site.things.get(node)
        if path is not None:
            name, lang = self.site.display(node)
            return f'<a href="{_href(from_path, path + ".html")}">{_text(name, lang)}</a>'
        found = self._links.get(node)  # the same from every page: made once
        if found is None:
            iri = node.value
            if iri.startswith(str(COOP)) or iri.startswith(BASE + "ontology/"):
                name, lang = self.site.display(node)
                found = (
                    f'<a href="../../{ONTOLOGY_DOC}" title="{escape(iri)}">{_text(name, lang)}</a>'
                )
            else:  # an outside IRI (ROR, Wikidata, W3C terms): a plain hyperlink
                found = f'<a href="{escape(iri)}" class="iri">{escape(compact_iri(iri))}</a>'
            self._links[node] = found
        if from_path.count("/") != 2:  # pages are doc/<type>/<slug>.html; others differ
            return found.replace(f'"../../{ONTOLOGY_DOC}"', f'"{_href(from_path, ONTOLOGY_DOC)}"')
        return found

    def blank(self, node: Term, from_path: str, depth: int = 0) -> str:
        rows = sorted(
            (p.nt, *self._value_order(o, self.link(o, from_path, depth + 1)), self._pred(p))
            for p, o in self.site.out.get(node, ())
        )
        return "<ul>" + "".join(f"<li>{pred}: {html}</li>" for *_, html, pred in rows) + "</ul>"

    @staticmethod
    def _value_order(node: Term, html: str) -> tuple[bool, str, str]:
        """Sort key and HTML of a shown value: by value, blank nodes last and by what they
        hold (their labels differ from one load to the next)."""
        blank = node.kind == BLANK
        return blank, "" if blank else node.value, html

    def _pred(self, predicate: Term) -> str:
        label = self.site.property_labels.get(predicate) or compact_iri(predicate.value)
        return f'<span class="pred" title="{escape(predicate.value)}">{escape(label)}</span>'

    def evidence(self, spans: list[Term], from_path: str) -> str:
        site = self.site
        items = []
        for span in spans:
            doc = site.value(span, self.in_document)
            start = site.value(span, self.start)
            end = site.value(span, self.end)
            where = self.link(doc, from_path) if doc is not None else "?"
            offsets = (
                f"{escape(start.value if start else 'None')}–{escape(end.value if end else 'None')}"
            )
            span_path = site.things.get(span)
            span_link = (
                f'<a href="{_href(from_path, span_path + ".html")}">{offsets}</a>'
                if span_path is not None
                else offsets
            )
            items.append(f"{where}, characters {span_link}")
        return '<div class="ev">evidence: ' + "; ".join(items) + "</div>" if items else ""

    def thing(self, node: Term) -> str:
        site = self.site
        path = site.things[node] + ".html"
        name, lang = site.display(node)
        by_predicate: dict[Term, list[Term]] = defaultdict(list)
        for p, o in site.out.get(node, ()):
            by_predicate[p].append(o)
        types = sorted(by_predicate.get(self.rdf_type, []), key=lambda t: t.value)
        spans = sorted(by_predicate.get(self.evidence_p, []), key=lambda t: t.value)
        spans_by_property: dict[Term, list[Term]] = defaultdict(list)
        for span in spans:
            for prop in site.objects(span, self.supports):
                spans_by_property[prop].append(span)
        stem = quote(Path(path).stem)
        parts = [_nav(path), "<main>", f'<h1 lang="{escape(lang)}">{escape(name)}</h1>']
        type_links = ", ".join(self.link(t, path) for t in types) or "—"
        parts.append(
            f'<p><span class="iri">{escape(node.value)}</span><br>a {type_links} · '
            f'<a href="{stem}.ttl">Turtle</a> · <a href="{stem}.jsonld">JSON-LD</a></p>'
        )

        # names in every language, grouped by language
        by_lang: dict[str, list[tuple[Term, Term]]] = defaultdict(list)
        for predicate in self.name_predicates:
            for value in sorted(by_predicate.get(predicate, ()), key=lambda t: t.value):
                if value.kind == LITERAL:
                    by_lang[value.lang].append((predicate, value))
        if by_lang:
            parts.append("<section><h2>Names</h2><table>")
            order = {tag: i for i, tag in enumerate(LANGUAGES)}
            for tag in sorted(by_lang, key=lambda t: (order.get(t, len(order)), t)):
                values = "".join(
                    f"<li>{_text(v.value, tag)} {self._pred(p)}</li>" for p, v in by_lang[tag]
                )
                parts.append(
                    f'<tr><th><span class="lang">{escape(tag or "(none)")}</span></th>'
                    f"<td><ul>{values}</ul></td></tr>"
                )
            parts.append("</table></section>")

        # facts (outgoing), with the evidence behind each property
        skip = {self.rdf_type, self.evidence_p}
        names = set(self.name_predicates)
        facts: dict[Term, list[Term]] = {}
        for p, objects in by_predicate.items():
            if p in skip:
                continue
            kept = [o for o in objects if not (p in names and o.kind == LITERAL)]
            if kept:
                facts[p] = kept
        parts.append("<section><h2>Facts</h2><table>")
        labels = site.property_labels
        for p in sorted(facts, key=lambda n: (labels.get(n, n.value), n.value)):
            shown = sorted(self._value_order(o, self.link(o, path)) for o in facts[p])
            values = "".join(f"<li>{html}</li>" for *_, html in shown)
            parts.append(
                f"<tr><th>{self._pred(p)}</th><td><ul>{values}</ul>"
                f"{self.evidence(spans_by_property.get(p, []), path)}</td></tr>"
            )
        for p in self.name_predicates:
            if spans_by_property.get(p):
                parts.append(
                    f"<tr><th>{self._pred(p)}</th><td>"
                    f"{self.evidence(spans_by_property[p], path)}</td></tr>"
                )
        parts.append("</table></section>")

        # incoming links
        incoming: dict[Term, list[Term]] = defaultdict(list)
        for s, p in site.incoming.get(node, ()):
            incoming[p].append(s)
        if incoming:
            parts.append("<section><h2>Referred to by</h2><table>")
            for p in sorted(incoming, key=lambda n: n.value):
                values = "".join(
                    f"<li>{self.link(s, path)}</li>"
                    for s in sorted(incoming[p], key=lambda n: (site.display(n)[0], n.value))
                )
                parts.append(f"<tr><th>{self._pred(p)}</th><td><ul>{values}</ul></td></tr>")
            parts.append("</table></section>")

        # sources
        sources = sorted(by_predicate.get(self.source, ()), key=lambda t: t.value)
        if sources or spans:
            parts.append("<section><h2>Sources</h2>")
            if sources:
                items = "".join(f"<li>{self.link(s, path)}</li>" for s in sources)
                parts.append(f"<p>Source documents:</p><ul>{items}</ul>")
            if spans:
                rows = []
                for span in spans:
                    props = ", ".join(self._pred(p) for p in site.objects(span, self.supports))
                    rows.append(f"<li>{props or 'fact'}: {self.evidence([span], path)}</li>")
                parts.append(f"<p>Evidence spans:</p><ul>{''.join(rows)}</ul>")
            parts.append("</section>")
        parts.append("</main>")
        parts.append(_FOOTER)
        head = (
            f'<link rel="alternate" type="text/turtle" href="{stem}.ttl">\n'
            f'<link rel="alternate" type="application/ld+json" href="{stem}.jsonld">\n'
            '<script type="application/ld+json">'
            f"{json_for_script(self.schema_org(node, by_predicate))}</script>\n"
        )
        return _page(f"{name} — kgtool", "\n".join(parts), head=head)

    def schema_org(self, node: Term, by_predicate: dict[Term, list[Term]]) -> dict[str, Any]:
        """Return a schema.org description of a thing for search engines."""
        types: set[str] = set()
        for t in by_predicate.get(self.rdf_type, ()):
            types.update(self.site.schema_types.get(t, ()))
            if t is self.concept:
                types.add("DefinedTerm")
        out: dict[str, Any] = {
            "@context": {"@vocab": str(SCHEMA)},
            "@id": node.value,
            "@type": sorted(types) or ["Thing"],
        }

        def literal(v: Term) -> Any:
            return {"@value": v.value, "@language": v.lang} if v.lang else v.value

        names = [
            literal(v) if v.kind == LITERAL else v.value
            for p in self.schema_names
            for v in sorted(by_predicate.get(p, ()), key=lambda t: (t.value, t.nt))
        ]
        if names:
            out["name"] = names
        alternates = [
            literal(v)
            for p in self.schema_alternates
            for v in sorted(by_predicate.get(p, ()), key=lambda t: (t.value, t.nt))
            if v.kind == LITERAL
        ]
        if alternates:
            out["alternateName"] = alternates
        same = sorted(o.value for p in self.same_as for o in by_predicate.get(p, ()))
        if same:
            out["sameAs"] = [{"@id": link} for link in same]
        parents = by_predicate.get(self.part_of)
        if parents:
            out["parentOrganization"] = {"@id": min(p.value for p in parents)}
        definitions = [v.value for v in by_predicate.get(self.definition, ()) if v.lang == "en"]
        if definitions:
            out["description"] = sorted(definitions)[0]
        return out


# --- index and search ----------------------------------------------------------------------


@lru_cache(maxsize=1 << 16)
def _name_keys(name: str) -> tuple[str, ...]:
    return tuple(search_keys([name]))


@lru_cache(maxsize=1 << 16)
def _cyrillic_reading(name: str) -> str:
    return latin_to_cyrillic(name)


def search_entries(site: _Site) -> list[dict[str, Any]]:
    """Return the search index: per thing its label, type, page and folded keys."""
    name_predicates = [site.iri(p) for p in NAME_PREDICATES]
    entries = []
    for node, path in site.things.items():
        name, lang = site.display(node)
        pairs = site.out.get(node, ())
        every = [
            text
            for predicate in name_predicates
            for text in sorted(o.value for p, o in pairs if p is predicate and o.kind == LITERAL)
        ]
        readings = [name, *every, *(_cyrillic_reading(n) for n in every), _local(node.value)]
        # each also read into Latin by kgtool.names (search_keys), distinct, in order
        keys = list(dict.fromkeys(key for reading in readings for key in _name_keys(reading)))
        entries.append(
            {
                "iri": node.value,
                "label": name,
                "lang": lang,
                "type": thing_type(node.value),
                "href": path + ".html",
                "keys": keys,
            }
        )
    return entries


_SEARCH_JS = """
function kgSearch() {
  var entries = JSON.parse(document.getElementById("kg-search-data").textContent);
  var input = document.getElementById("kg-q"), list = document.getElementById("kg-hits");
  function run() {
    list.replaceChildren();
    var key = kgFold(input.value);
    if (!key) { return; }
    var found = 0;
    for (var i = 0; i < entries.length && found < 100; i++) {
      var e = entries[i];
      if (!e.keys.some(function (k) { return k.indexOf(key) >= 0; })) { continue; }
      var li = document.createElement("li"), a = document.createElement("a");
      a.href = e.href; a.textContent = e.label; if (e.lang) { a.lang = e.lang; }
      var sub = document.createElement("span"); sub.className = "kg-sub"; sub.textContent = e.type;
      li.append(a, sub); list.appendChild(li); found++;
    }
    document.getElementById("kg-count").textContent = found ? "" : "no match";
  }
  input.addEventListener("input", run);
  run();
}
document.addEventListener("DOMContentLoaded", kgSearch);
"""


def _search_script() -> str:
    return search_fold_script() + _SEARCH_JS


_TYPE_TITLES = {
    "org": "Institutions",
    "agreement": "Agreements",
    "country": "Countries",
    "source": "Source documents",
    "person": "People",
    "post": "Posts",
    "initiative": "Initiatives",
    "observation": "Observations",
    "span": "Evidence spans",
}


def _index_html(entries: list[dict[str, Any]], summary_rows: list[str]) -> str:
    path = "index.html"
    by_type: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for entry in entries:
        by_type[entry["type"]].append(entry)
    first = [t for t in _TYPE_TITLES if t in by_type and t != "span"]
    rest = sorted(t for t in by_type if t not in _TYPE_TITLES)
    sections = []
    for kind in [*first, *rest, *(["span"] if "span" in by_type else [])]:
        title = _TYPE_TITLES.get(kind, f"Concepts: {kind}")
        items = "".join(
            f'<li><a href="{_href(path, e["href"])}">{_text(e["label"], e["lang"])}</a></li>'
            for e in sorted(by_type[kind], key=lambda e: (e["label"].casefold(), e["iri"]))
        )
        sections.append(
            f'<section id="type-{escape(kind)}"><h2>{escape(title)} ({len(by_type[kind])})</h2>'
            f"<details{' open' if kind in ('org', 'agreement') else ''}><summary>list</summary>"
            f"<ul>{items}</ul></details></section>"
        )
    body = (
        _nav(path)
        + "<main><h1>kgtool: institutions and their cooperation agreements</h1>"
        + '<p><label for="kg-q">Search names in any language or script:</label><br>'
        + '<input id="kg-q" type="search" autocomplete="off" placeholder="Fanlar akademiyasi, '
        + 'Академия наук, Материалшунослик…"> <span id="kg-count"></span></p>'
        + '<ul id="kg-hits" class="kg-hits"></ul>'
        + "<section><h2>Dataset</h2><ul>"
        + "".join(summary_rows)
        + "</ul></section>"
        + "".join(sections)
        + "</main>"
        + _FOOTER
    )
    head = (
        f'<link rel="alternate" type="text/turtle" href="{VOID_NAME}" title="VoID">\n'
        f'<script id="kg-search-data" type="application/json">{json_for_script(entries)}</script>\n'
        f"<script>{_search_script()}</script>\n"
    )
    return _page("kgtool linked data", body, head=head)


# --- VoID / DCAT ---------------------------------------------------------------------------


def _void(
    site: _Site,
    base: str,
    checksums: dict[str, str],
    sizes: dict[str, int],
    sparql_endpoint: str | None,
) -> bytes:
    """Return the VoID + DCAT description of the dataset as Turtle."""
    out: list[tuple[Node, Node, Node]] = []
    add = out.append
    dataset = URIRef(base + "dataset")
    add((dataset, RDF.type, VOID.Dataset))
    add((dataset, RDF.type, DCAT.Dataset))
    add((dataset, DCTERMS.title, Literal("kgtool cooperation knowledge graph", lang="en")))
    description = "Institutions, their cooperation agreements, and the sources behind each fact."
    add((dataset, DCTERMS.description, Literal(description, lang="en")))
    add((dataset, DCTERMS.license, URIRef(DATA_LICENSE)))
    add((dataset, VOID.uriSpace, Literal(ID)))
    add((dataset, VOID.rootResource, URIRef(base + "index.html")))
    add((dataset, DCAT.landingPage, URIRef(base + "index.html")))
    add((dataset, VOID.triples, Literal(site.triples)))
    add((dataset, VOID.entities, Literal(len(site.things))))
    rdf_type = site.iri(RDF.type)
    members: dict[Term, set[Term]] = defaultdict(set)
    predicates: set[Term] = set()
    objects: set[Term] = set()
    for subject, pairs in site.out.items():
        for p, o in pairs:
            predicates.add(p)
            objects.add(o)
            if p is rdf_type and o.kind == IRI:
                members[o].add(subject)
    add((dataset, VOID.classes, Literal(len(members))))
    add((dataset, VOID.properties, Literal(len(predicates))))
    add((dataset, VOID.distinctSubjects, Literal(len(site.out))))
    add((dataset, VOID.distinctObjects, Literal(len(objects))))
    for cls in sorted(members, key=lambda t: t.value):
        if not cls.value.startswith(str(COOP)):
            continue
        part = URIRef(f"{base}dataset/class/{_local(cls.value)}")
        add((dataset, VOID.classPartition, part))
        add((part, VOID["class"], URIRef(cls.value)))
        add((part, VOID.entities, Literal(len(members[cls]))))
    vocabularies = set()
    for term in predicates | set(members):
        for ns in PREFIXES.values():
            if term.value.startswith(ns) and ns.rstrip("/#") != ID.rstrip("/"):
                vocabularies.add(ns)
    for ns in sorted(vocabularies):
        add((dataset, VOID.vocabulary, URIRef(ns)))
    languages = {o.lang for o in objects if o.kind == LITERAL and o.lang}
    for lang in sorted(languages):
        add((dataset, DCTERMS.language, Literal(lang, datatype=XSD.language)))
    for fmt, (ext, media) in DUMP_FORMATS.items():
        name = DUMP_STEM + ext
        dist = URIRef(f"{base}{DUMPS_DIR}/{name}")
        add((dataset, DCAT.distribution, dist))
        add((dataset, VOID.dataDump, dist))
        add((dist, RDF.type, DCAT.Distribution))
        add((dist, DCTERMS.title, Literal(f"Full dump ({fmt})", lang="en")))
        add((dist, DCAT.downloadURL, dist))
        add((dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}")))
        add((dist, DCTERMS["format"], Literal(media)))
        add((dist, DCAT.byteSize, Literal(sizes[name], datatype=XSD.nonNegativeInteger)))
        add((dist, DCTERMS.license, URIRef(DATA_LICENSE)))
        checksum = BNode(f"checksum{ext.lstrip('.')}")
        add((dist, SPDX.checksum, checksum))
        add((checksum, RDF.type, SPDX.Checksum))
        add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        add((checksum, SPDX.checksumValue, Literal(checksums[name], datatype=XSD.hexBinary)))
    if sparql_endpoint:
        service = URIRef(sparql_endpoint)
        access = URIRef(base + "dataset/sparql")
        add((dataset, VOID.sparqlEndpoint, service))
        add((service, RDF.type, DCAT.DataService))
        add((service, DCAT.endpointURL, service))
        add((service, DCAT.servesDataset, dataset))
        add((dataset, DCAT.distribution, access))
        add((access, RDF.type, DCAT.Distribution))
        add((access, DCAT.accessService, service))
        add((access, DCAT.accessURL, service))
    add((URIRef(base + ONTOLOGY_DOC), RDF.type, FOAF.Document))
    add((dataset, FOAF.page, URIRef(base + ONTOLOGY_DOC)))
    return _turtle(_canonical(_from_rdflib(out)), _VOID_PREFIXES)


# --- ontology documentation (pyLODE) -------------------------------------------------------

_REMOTE_LOADS = [
    re.compile(r"<script\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>\s*</script>", re.I | re.S),
    re.compile(r"<link\b[^>]*\bhref\s*=\s*[\"']?(?:https?:)?//[^>]*>", re.I | re.S),
    re.compile(
        r"<(?:img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?(?:https?:)?//[^>]*>",
        re.I | re.S,
    ),
    re.compile(r"@import\s+(?:url\()?[\"']?(?:https?:)?//[^;]*;", re.I),
]
_REMOTE_CSS_URL = re.compile(r"url\(\s*[\"']?(?:https?:)?//[^)]*\)", re.I)
_REMOTE_CONTEXT = re.compile(r'"@context"\s*:\s*"https?://schema\.org/?"')


def offline_html(html: str) -> str:
    """Remove everything that would make a browser fetch from another host."""
    for pattern in _REMOTE_LOADS:
        html = pattern.sub("", html)
    html = _REMOTE_CSS_URL.sub("none", html)
    return _REMOTE_CONTEXT.sub('"@context": {"@vocab": "https://schema.org/"}', html)


def remote_loads(html: str) -> list[str]:
    """Return the URLs on other hosts that a page would load (scripts, styles, media)."""
    found = re.findall(
        r"<(?:script|img|iframe|source|video|audio|embed)\b[^>]*\bsrc\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)",
        html,
        re.I,
    )
    found += [
        m.group(2)
        for m in re.finditer(
            r"<link\b([^>]*)\bhref\s*=\s*[\"']?((?:https?:)?//[^\"'\s>]+)", html, re.I
        )
        if not re.search(r"rel\s*=\s*[\"']?(?:alternate|canonical|license)", m.group(0), re.I)
    ]
    found += re.findall(r"url\(\s*[\"']?((?:https?:)?//[^\"')]+)", html, re.I)
    return found


def _english_only(graph: Graph) -> Graph:
    """Keep, for each subject and predicate, the English literals when there are some: pyLODE
    shows one title per term and would otherwise pick a language at random."""
    out = Graph()
    bind_prefixes(out)
    for s, p, o in graph:
        if (
            isinstance(o, Literal)
            and o.language not in (None, "en")
            and any(isinstance(x, Literal) and x.language == "en" for x in graph.objects(s, p))
        ):
            continue
        out.add((s, p, o))
    return out


#: ontology documentation already made in this process, by a digest of the ontology's triples
_ONTOLOGY_PAGES: dict[str, str] = {}
#: bump when the way the ontology page is made changes: a site's page made by another version
#: is then made again rather than reused
_ONTOLOGY_PAGE_VERSION = "2"
_ONTOLOGY_DIGEST_META = '<meta name="kgtool-ontology-digest" content="{}">'


def _ontology_digest(loaded: LoadedGraph) -> str:
    """Digest of what the ontology page is made from: the ontology files (their bytes: blank
    nodes get other labels at each load), pyLODE's version and the page version above."""
    from importlib.metadata import version

    root = loaded.project.root.resolve()
    parts = [f"{_ONTOLOGY_PAGE_VERSION}\0pylode {version('pylode')}\0".encode()]
    for path in loaded.files_under("ontology"):
        parts.append(path.resolve().relative_to(root).as_posix().encode() + b"\0")
        parts.append(path.read_bytes() + b"\0")
    return _sha256(b"".join(parts))


def ontology_html(loaded: LoadedGraph) -> str:
    """Return the ontology documentation of the loaded ``ontology/`` files (pyLODE, offline)."""
    digest = _ontology_digest(loaded)
    if digest not in _ONTOLOGY_PAGES:
        html = _make_ontology_html(loaded.subgraph(["ontology"]))
        meta = _ONTOLOGY_DIGEST_META.format(digest)
        _ONTOLOGY_PAGES[digest] = html.replace("<head>", f"<head>\n{meta}", 1)
    return _ONTOLOGY_PAGES[digest]


def _published_ontology_page(site: Path, loaded: LoadedGraph) -> str | None:
    """Return the ontology page of a published site if it was made from the same ontology
    files (pyLODE takes seconds; re-publishing should not pay them again), else None."""
    try:
        with (site / ONTOLOGY_DOC).open(encoding="utf-8") as handle:
            page = handle.read()
    except (OSError, UnicodeDecodeError):
        return None
    meta = _ONTOLOGY_DIGEST_META.format(_ontology_digest(loaded))
    return page if meta in page[:4096] else None


#: the one header pyLODE documents when ontology/ holds several modules
ONTOLOGY_IRI = URIRef("https://w3id.org/kgtool/ontology")
_HEADER_PROPS = (DCTERMS.creator, DCTERMS.contributor, DCTERMS.publisher, DCTERMS.license)


def _one_header(graph: Graph) -> Graph:
    """Return ``graph`` with one ``owl:Ontology`` header naming the modules: pyLODE joins the
    titles of every ontology and concept scheme into one heading and shows the IRI of the
    last one it meets (a concept scheme) as the ontology's."""
    owl_ontology = URIRef("http://www.w3.org/2002/07/owl#Ontology")
    headers = set(graph.subjects(RDF.type, owl_ontology))
    schemes = set(graph.subjects(RDF.type, SKOS.ConceptScheme))
    if len(headers) + len(schemes) <= 1:
        return graph
    out = Graph()
    bind_prefixes(out)
    for s, p, o in graph:
        if s in headers or (p == RDF.type and o == SKOS.ConceptScheme):
            continue
        out.add((s, p, o))
    modules: list[str] = []
    for header in sorted(headers, key=str):
        titles = [t for t in graph.objects(header, DCTERMS.title) if isinstance(t, Literal)]
        english = [str(t) for t in titles if t.language in (None, "en")]
        modules.append(f"{english[0] if english else header} <{header}>")
        for prop in _HEADER_PROPS:
            for value in graph.objects(header, prop):
                out.add((ONTOLOGY_IRI, prop, value))
    out.add((ONTOLOGY_IRI, RDF.type, owl_ontology))
    out.add((ONTOLOGY_IRI, DCTERMS.title, Literal("kgtool ontology", lang="en")))
    description = "Modules: " + "; ".join(modules) + "."
    out.add((ONTOLOGY_IRI, DCTERMS.description, Literal(description, lang="en")))
    return out


def _in_sorted_order(graph: Graph) -> Graph:
    """Return a copy of ``graph`` with canonical blank-node labels and its triples added in
    sorted order. rdflib's memory store yields a whole graph in hash order (a set) and a
    pattern's matches in insertion order, and pyLODE documents terms in the order it meets
    them: fed a graph in any other order, the page changed with PYTHONHASHSEED and with the
    blank-node labels of each load."""
    out = Graph()
    bind_prefixes(out)
    for triple in sorted(to_canonical_graph(graph), key=lambda t: tuple(x.n3() for x in t)):
        out.add(triple)
    return out


def _ordered_intersperse(intersperse: Callable[[Any, Any], Any], items: Any, sep: Any) -> Any:
    """pyLODE's ``intersperse`` with a set of elements put in the order of their HTML."""
    if isinstance(items, set | frozenset):
        items = sorted(items, key=lambda element: str(element.render()))
    return intersperse(items, sep)


def _make_ontology_html(graph: Graph) -> str:
    if len(graph) == 0:
        return _page(
            "Ontology", "<main><h1>Ontology</h1><p>No ontology files were loaded.</p></main>"
        )
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # pyLODE logs INFO/DEBUG lines to stderr
    restores: list[Callable[[], None]] = []
    try:
        import pylode.utils
        from pylode import OntPub  # configures the root logger on import: restored below

        # pyLODE gathers the members of an owl:unionOf / intersectionOf in a set of HTML
        # elements (hashed by address) and joins them with intersperse: sort them first
        intersperse = pylode.utils.intersperse
        pylode.utils.intersperse = partial(_ordered_intersperse, intersperse)
        restores.append(partial(setattr, pylode.utils, "intersperse", intersperse))
        ontology = _in_sorted_order(_english_only(_one_header(_in_sorted_order(graph))))
        html: str = OntPub(ontology=ontology).make_html(include_css=True)
    except Exception as exc:  # pyLODE raises bare Exceptions for what it cannot document
        raise KgtoolError(f"ontology documentation failed: {exc}") from exc
    finally:
        for restore in restores:
            restore()
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.disable(disabled)
    html = offline_html(html).replace(
        "<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{_CSP}">', 1
    )
    if remote_loads(html):
        raise KgtoolError(f"the ontology page still loads {remote_loads(html)[0]}; not writing it")
    return html


# --- writing -------------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _existing_files(root: Path) -> dict[str, int]:
    """Return every file under ``root`` (relative POSIX path) with its size."""
    found: dict[str, int] = {}
    prefix = len(str(root)) + 1
    for folder, _dirs, files in os.walk(root):
        rel = folder[prefix:]
        for name in files:
            path = os.path.join(folder, name)
            try:
                found[f"{rel}/{name}" if rel else name] = os.stat(path).st_size
            except OSError:
                continue
    return found


def _holds(path: str, payload: bytes) -> bool:
    """Whether the file at ``path`` holds exactly ``payload``."""
    try:
        fd = os.open(path, os.O_RDONLY)
    except OSError:
        return False
    try:
        return os.read(fd, len(payload) + 1) == payload
    finally:
        os.close(fd)


def _write_file(path: str, payload: bytes) -> None:
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o644)
    try:
        view = memoryview(payload)
        while view:
            view = view[os.write(fd, view) :]
    finally:
        os.close(fd)


class _SiteWriter:
    """Writes the site's files, each only when its bytes differ from the file already there.

    In a fresh folder (``fresh``: nobody reads it until it is renamed into place) files are
    written directly; in a published site each changed file is written beside itself and
    renamed over it, so a reader never sees half a file. Files go to disk from a second
    thread (creating a file is kernel time that overlaps with rendering the next page);
    leaving the ``with`` block waits for them and raises the first error. ``finish`` removes
    the files this run did not write (the pages of things that are gone).
    """

    _BATCH = 256

    def __init__(self, root: Path, *, fresh: bool) -> None:
        self.root = root
        self.fresh = fresh
        self.existing = {} if fresh else _existing_files(root)
        self.produced: set[str] = set()
        self.folders: set[str] = set()
        self.written = 0
        self.unchanged = 0
        self.removed = 0
        self._batch: list[tuple[str, bytes]] = []
        self._queue: queue.Queue[list[tuple[str, bytes]] | None] = queue.Queue(maxsize=16)
        self._error: BaseException | None = None
        self._thread = threading.Thread(target=self._run, name="kgtool-site-writer", daemon=True)

    def __enter__(self) -> _SiteWriter:
        self._thread.start()
        return self

    def __exit__(self, kind: object, error: object, trace: object) -> None:
        if error is None:
            self._send()
        self._queue.put(None)
        self._thread.join()
        if error is None and self._error is not None:
            raise self._error

    def write(self, rel: str, data: bytes | str) -> None:
        """Write ``data`` to the site path ``rel`` unless the file holds these bytes already."""
        self.produced.add(rel)
        self._batch.append((rel, data.encode("utf-8") if isinstance(data, str) else data))
        if len(self._batch) >= self._BATCH:
            self._send()

    def _send(self) -> None:
        if self._error is not None:
            raise self._error
        if self._batch:
            self._queue.put(self._batch)
            self._batch = []

    def _run(self) -> None:
        while (batch := self._queue.get()) is not None:
            if self._error is not None:
                continue  # drain after a failure; the writing side raises it
            try:
                for rel, payload in batch:
                    self._store(rel, payload)
            except BaseException as exc:  # handed to the thread that renders
                self._error = exc

    def _store(self, rel: str, payload: bytes) -> None:
        # os.open/os.write: no buffered file object per file (half a million at 1M triples)
        path = os.path.join(self.root, rel)
        if self.existing.get(rel) == len(payload) and _holds(path, payload):
            self.unchanged += 1
            return
        folder = os.path.dirname(path)
        if folder not in self.folders:
            os.makedirs(folder, exist_ok=True)
            self.folders.add(folder)
        if self.fresh:
            _write_file(path, payload)
        else:
            temporary = os.path.join(folder, f".{os.path.basename(path)}.{os.getpid()}.tmp")
            try:
                _write_file(temporary, payload)
                os.replace(temporary, path)
            except BaseException:
                Path(temporary).unlink(missing_ok=True)
                raise
        self.written += 1

    def finish(self) -> None:
        """Remove the files this run did not write, then the folders left empty."""
        for rel in sorted(set(self.existing) - self.produced):
            Path(self.root, rel).unlink(missing_ok=True)
            self.removed += 1
        for folder, _dirs, _files in os.walk(self.root, topdown=False):
            if folder != str(self.root):
                with contextlib.suppress(OSError):  # only a folder left empty goes
                    os.rmdir(folder)


# --- publishing ----------------------------------------------------------------------------


def publish(
    loaded: LoadedGraph,
    out_dir: Path,
    *,
    base: str = BASE,
    sparql_endpoint: str | None = None,
    progress: Progress | None = None,
) -> PublishSummary:
    """Write the static linked-data site of ``loaded`` into ``out_dir``.

    A new folder is built beside ``out_dir`` and renamed into place when complete. An existing
    site (a folder holding ``.kgtool-site``) is updated in place: only files whose bytes
    changed are rewritten (each atomically), files of things that are gone are removed.
    ``base`` is the URL the site will be served from (used in the VoID/DCAT description);
    ``sparql_endpoint`` is recorded as ``void:sparqlEndpoint`` when the site is served.
    """
    if not re.fullmatch(r"https?://[^\s/?#<>\"]+(/[^\s?#<>\"]*)?", base):
        raise KgtoolError(f"--base must be the http(s) URL the site is served from, not {base!r}")
    if not base.endswith("/"):
        base += "/"
    say = progress or (lambda _message: None)
    out_dir = out_dir.resolve()
    if out_dir.exists() and not out_dir.is_dir():
        raise KgtoolError(f"{out_dir}: exists and is not a folder")
    if out_dir == loaded.project.root.resolve() or out_dir in loaded.project.root.resolve().parents:
        raise KgtoolError(f"{out_dir}: refusing to replace the project folder")
    in_place = out_dir.is_dir() and any(out_dir.iterdir())
    if in_place and not (out_dir / SITE_MARKER).is_file():
        raise KgtoolError(
            f"{out_dir}: not empty and not a kgtool site (no {SITE_MARKER}); "
            "refusing to replace it: choose an empty or new folder"
        )
    # what can fail on the data is done before any file of the site is touched
    site = _read_site(loaded)
    ontology_page = _published_ontology_page(out_dir, loaded) if in_place else None
    if ontology_page is None:
        ontology_page = ontology_html(loaded)
    if in_place:
        with _SiteWriter(out_dir, fresh=False) as writer:
            summary = _build(site, loaded, writer, ontology_page, base, sparql_endpoint, say)
        writer.finish()
    else:
        out_dir.parent.mkdir(parents=True, exist_ok=True)
        tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
        try:
            with _SiteWriter(tmp, fresh=True) as writer:
                summary = _build(site, loaded, writer, ontology_page, base, sparql_endpoint, say)
            tmp.chmod(0o755)
            if out_dir.is_dir():
                out_dir.rmdir()  # empty (checked above)
            tmp.rename(out_dir)
        except BaseException:
            shutil.rmtree(tmp, ignore_errors=True)
            raise
    if writer.removed:
        say(f"removed {writer.removed} files of things no longer in the graph")
    return PublishSummary(
        out_dir,
        summary.pages,
        summary.triples,
        summary.entities,
        summary.checksums,
        writer.written,
        writer.unchanged,
        writer.removed,
    )


def write_site(loaded: LoadedGraph, out_dir: Path) -> Path:
    """Publish the site into ``out_dir`` with the defaults (the hook ``kgtool build`` calls)."""
    return publish(loaded, out_dir).out_dir


def _build(
    site: _Site,
    loaded: LoadedGraph,
    writer: _SiteWriter,
    ontology_page: str,
    base: str,
    sparql_endpoint: str | None,
    say: Progress,
) -> PublishSummary:
    renderer = _Renderer(site)
    writer.write(SITE_MARKER, "A site written by `kgtool publish`; it updates this folder.\n")
    say(f"{len(site.things)} pages")
    pages: dict[str, int] = defaultdict(int)
    for node, path in site.things.items():
        writer.write(path + ".html", renderer.thing(node))
        for fmt, data in _documents(_describe(site, node)):
            writer.write(path + _DOCUMENT_EXTENSIONS[fmt], data)
        pages[thing_type(node.value)] += 1

    say("dumps")
    checksums: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for fmt, data in serialize_each(loaded, DUMP_FORMATS):  # the dataset read once for all
        name = DUMP_STEM + DUMP_FORMATS[fmt][0]
        writer.write(f"{DUMPS_DIR}/{name}", data)
        checksums[name] = _sha256(data)
        sizes[name] = len(data)
        del data
    sums = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
    writer.write(f"{DUMPS_DIR}/{CHECKSUMS_NAME}", sums)
    writer.write("context.jsonld", context_document())

    say("VoID/DCAT description")
    writer.write(VOID_NAME, _void(site, base, checksums, sizes, sparql_endpoint))

    say("ontology documentation (pyLODE)")
    writer.write(ONTOLOGY_DOC, ontology_page)

    say("index and search")
    entries = search_entries(site)
    # an entry per line: json's C encoder (indent= would take the pure-Python one)
    lines = ",\n".join(json.dumps(entry, ensure_ascii=False) for entry in entries)
    writer.write(SEARCH_INDEX_NAME, f"[\n{lines}\n]\n")
    dump_links = " · ".join(
        f'<a href="{DUMPS_DIR}/{DUMP_STEM}{ext}">{escape(fmt)}</a>'
        for fmt, (ext, _media) in DUMP_FORMATS.items()
    )
    summary_rows = [
        f"<li>{site.triples} triples, {len(site.things)} described things</li>",
        f'<li>Dumps: {dump_links} (<a href="{DUMPS_DIR}/{CHECKSUMS_NAME}">SHA-256</a>)</li>',
        f'<li><a href="{VOID_NAME}">VoID/DCAT description</a> · '
        f'<a href="{ONTOLOGY_DOC}">Ontology documentation</a> · '
        f'<a href="context.jsonld">JSON-LD context</a></li>',
    ]
    if sparql_endpoint:
        summary_rows.append('<li><a href="query">SPARQL query page</a></li>')
    writer.write("index.html", _index_html(entries, summary_rows))
    return PublishSummary(
        writer.root, dict(sorted(pages.items())), site.triples, len(site.things), checksums
    )


__all__ = [
    "DATA_LICENSE",
    "DOC_FORMATS",
    "DUMP_FORMATS",
    "PublishSummary",
    "doc_path",
    "offline_html",
    "ontology_html",
    "publish",
    "remote_loads",
    "search_entries",
    "serialize_triples",
    "write_site",
]
