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
The folder is built beside the target and swapped in only when complete.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import shutil
import tempfile
from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from html import escape
from pathlib import Path
from typing import Any
from urllib.parse import quote

from rdflib import RDF, RDFS, BNode, Graph, Literal, Namespace, URIRef
from rdflib.namespace import DCTERMS, FOAF, SKOS, XSD
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.export import context_document, jsonld_bytes, serialize
from kgtool.graph import LoadedGraph, bind_prefixes, union_graph
from kgtool.names import latin_to_cyrillic
from kgtool.project import BASE, COOP, ID, LANGUAGES, PREFIXES, best_language
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
#: A file every published site holds: only such a folder is ever replaced by ``publish``.
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

VOID = Namespace("http://rdfs.org/ns/void#")
DCAT = Namespace("http://www.w3.org/ns/dcat#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
SCHEMA = Namespace("https://schema.org/")

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
    rel = os.path.relpath(to_path, os.path.dirname(from_path) or ".")
    return quote(Path(rel).as_posix(), safe="/._~-")


# --- reading the graph ---------------------------------------------------------------------


@dataclass
class _Site:
    graph: Graph
    things: dict[str, str]  # IRI -> doc path (no extension)
    labels: dict[Node, dict[str, list[str]]]  # node -> lang -> display names
    property_labels: dict[Node, str]
    schema_types: dict[Node, set[URIRef]]


def _literal_lang(lit: Literal) -> str:
    return lit.language or ""


def _names_of(graph: Graph, node: Node) -> dict[str, list[str]]:
    found: dict[str, list[str]] = defaultdict(list)
    for predicate in _LABEL_ORDER:
        for value in sorted(graph.objects(node, predicate), key=str):
            if isinstance(value, Literal) and str(value) not in found[_literal_lang(value)]:
                found[_literal_lang(value)].append(str(value))
    return dict(found)


def pick_name(names: dict[str, list[str]], fallback: str) -> tuple[str, str]:
    """Return (name, language) to show for a thing, English first (see ``best_language``)."""
    lang = best_language((tag for tag, values in names.items() if values), "en")
    return (fallback, "") if lang is None else (names[lang][0], lang)


def _local(iri: str) -> str:
    return re.split(r"[/#]", iri.rstrip("/"))[-1] or iri


def _schema_types(graph: Graph) -> dict[Node, set[URIRef]]:
    """Map each class to the schema.org classes it is a subclass of (ontology/mappings.ttl)."""
    out: dict[Node, set[URIRef]] = {}
    for cls in set(graph.subjects(RDFS.subClassOf, None)) | set(graph.objects(None, RDF.type)):
        if not isinstance(cls, URIRef):
            continue
        found = {
            c
            for c in graph.transitive_objects(cls, RDFS.subClassOf)
            if isinstance(c, URIRef) and str(c).startswith(str(SCHEMA))
        }
        if found:
            # keep the most specific: drop a type that another found type specialises
            out[cls] = {
                c
                for c in found
                if not any(o != c and (o, RDFS.subClassOf, c) in graph for o in found if o != c)
            }
    return out


def _read_site(loaded: LoadedGraph) -> _Site:
    graph = union_graph(loaded)
    things: dict[str, str] = {}
    for subject in set(graph.subjects()):
        if isinstance(subject, URIRef):
            path = doc_path(str(subject))
            if path is not None:
                things[str(subject)] = path
    labels: dict[Node, dict[str, list[str]]] = {}
    property_labels: dict[Node, str] = {}
    for predicate in set(graph.predicates()):
        names = _names_of(graph, predicate)
        fallback = OUTSIDE_PROPERTY_LABELS.get(predicate, compact(predicate))
        property_labels[predicate] = (names.get("en") or [fallback])[0]
    return _Site(graph, dict(sorted(things.items())), labels, property_labels, _schema_types(graph))


def _names_cached(site: _Site, node: Node) -> dict[str, list[str]]:
    if node not in site.labels:
        site.labels[node] = _names_of(site.graph, node)
    return site.labels[node]


def _display(site: _Site, node: Node) -> tuple[str, str]:
    fallback = compact(node) if isinstance(node, URIRef) else str(node)
    return pick_name(_names_cached(site, node), fallback)


# --- one thing's description ---------------------------------------------------------------


def _closure(graph: Graph, node: Node, seen: set[Node]) -> Iterable[tuple[Node, Node, Node]]:
    """Yield the triples about ``node`` and, recursively, about the blank nodes it uses."""
    for p, o in graph.predicate_objects(node):
        yield node, p, o
        if isinstance(o, BNode) and o not in seen:
            seen.add(o)
            yield from _closure(graph, o, seen)


def describe(graph: Graph, iri: URIRef) -> list[tuple[Node, Node, Node]]:
    """Return the triples of a thing's document: what it says (blank nodes included) and the
    triples that point at it from named resources."""
    triples = list(_closure(graph, iri, {iri}))
    triples += [(s, p, iri) for s, p in graph.subject_predicates(iri) if isinstance(s, URIRef)]
    return triples


def serialize_triples(triples: Iterable[tuple[Node, Node, Node]], fmt: str) -> bytes:
    """Return a small set of triples (one thing's document) as ``turtle``, ``nt``, ``jsonld``
    or ``xml`` (RDF/XML): sorted, with only the project prefixes it uses, and JSON-LD with the local
    context of ``kgtool.export`` (the full dumps go through ``kgtool.export.serialize``)."""
    graph = Graph(bind_namespaces="none")
    used: set[str] = set()
    for s, p, o in sorted(set(triples), key=lambda t: tuple(x.n3() for x in t)):
        graph.add((s, p, o))
        for term in (s, p, o, getattr(o, "datatype", None)):
            if isinstance(term, URIRef):
                used.add(str(term))
    for prefix, namespace in PREFIXES.items():
        if any(iri.startswith(namespace) for iri in used):
            graph.bind(prefix, namespace, override=True, replace=True)
    if fmt == "turtle":
        return graph.serialize(format="turtle", encoding="utf-8")
    if fmt == "nt":
        lines = graph.serialize(format="nt", encoding="utf-8").decode("utf-8").splitlines()
        return ("\n".join(sorted(line for line in lines if line.strip())) + "\n").encode("utf-8")
    if fmt == "jsonld":
        return jsonld_bytes(graph)
    if fmt == "xml":
        data: bytes = graph.serialize(format="xml", encoding="utf-8")
        return data
    raise KgtoolError(f"unknown document format {fmt!r}; choose turtle, nt, jsonld or xml")


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


class _Renderer:
    def __init__(self, site: _Site) -> None:
        self.site = site

    def link(self, node: Node, from_path: str) -> str:
        """Return HTML for a node: a link to its page, or its value."""
        site = self.site
        if isinstance(node, Literal):
            text = _text(str(node), node.language or "")
            if node.datatype is not None and node.datatype != XSD.string:
                text += f' <span class="pred">({escape(compact(node.datatype))})</span>'
            return text
        if isinstance(node, BNode):
            return self.blank(node, from_path)
        iri = str(node)
        name, lang = _display(site, node)
        if iri in site.things:
            return (
                f'<a href="{_href(from_path, site.things[iri] + ".html")}">{_text(name, lang)}</a>'
            )
        if iri.startswith(str(COOP)) or iri.startswith(BASE + "ontology/"):
            target = _href(from_path, ONTOLOGY_DOC)
            return f'<a href="{target}" title="{escape(iri)}">{_text(name, lang)}</a>'
        # an outside IRI (ROR, Wikidata, W3C terms): a plain hyperlink, nothing is loaded
        return f'<a href="{escape(iri)}" class="iri">{escape(compact(node))}</a>'

    def blank(self, node: BNode, from_path: str, depth: int = 0) -> str:
        rows = []
        for p, o in sorted(self.site.graph.predicate_objects(node), key=lambda po: po[0].n3()):
            value = (
                self.blank(o, from_path, depth + 1)
                if isinstance(o, BNode) and depth < 3
                else self.link(o, from_path)
            )
            rows.append(f"<li>{self._pred(p, from_path)}: {value}</li>")
        return "<ul>" + "".join(rows) + "</ul>"

    def _pred(self, predicate: Node, from_path: str) -> str:
        label = self.site.property_labels.get(predicate, compact(predicate))
        return f'<span class="pred" title="{escape(str(predicate))}">{escape(label)}</span>'

    def evidence(self, spans: list[Node], from_path: str) -> str:
        graph = self.site.graph
        items = []
        for span in spans:
            doc = graph.value(span, COOP.inDocument)
            start = graph.value(span, COOP.startOffset)
            end = graph.value(span, COOP.endOffset)
            where = self.link(doc, from_path) if doc is not None else "?"
            span_link = (
                f'<a href="{_href(from_path, self.site.things[str(span)] + ".html")}">'
                f"{escape(str(start))}–{escape(str(end))}</a>"
                if str(span) in self.site.things
                else f"{escape(str(start))}–{escape(str(end))}"
            )
            items.append(f"{where}, characters {span_link}")
        return '<div class="ev">evidence: ' + "; ".join(items) + "</div>" if items else ""

    def thing(self, iri: URIRef) -> str:
        site, graph = self.site, self.site.graph
        path = site.things[str(iri)] + ".html"
        name, lang = _display(site, iri)
        types = sorted(graph.objects(iri, RDF.type), key=str)
        spans_by_property: dict[Node, list[Node]] = defaultdict(list)
        for span in sorted(graph.objects(iri, COOP.evidence), key=str):
            for prop in graph.objects(span, COOP.supportsProperty):
                spans_by_property[prop].append(span)
        stem = Path(path).stem
        parts = [_nav(path), "<main>"]
        parts.append(f'<h1 lang="{escape(lang)}">{escape(name)}</h1>')
        type_links = ", ".join(self.link(t, path) for t in types) or "—"
        parts.append(
            f'<p><span class="iri">{escape(str(iri))}</span><br>a {type_links} · '
            f'<a href="{quote(stem)}.ttl">Turtle</a> · <a href="{quote(stem)}.jsonld">JSON-LD</a>'
            "</p>"
        )

        # names in every language, grouped by language
        by_lang: dict[str, list[tuple[Node, Literal]]] = defaultdict(list)
        for predicate in NAME_PREDICATES:
            for value in sorted(graph.objects(iri, predicate), key=str):
                if isinstance(value, Literal):
                    by_lang[value.language or ""].append((predicate, value))
        if by_lang:
            parts.append("<section><h2>Names</h2><table>")
            order = {tag: i for i, tag in enumerate(LANGUAGES)}
            for tag in sorted(by_lang, key=lambda t: (order.get(t, len(order)), t)):
                values = "".join(
                    f"<li>{_text(str(v), tag)} {self._pred(p, path)}</li>" for p, v in by_lang[tag]
                )
                parts.append(
                    f'<tr><th><span class="lang">{escape(tag or "(none)")}</span></th>'
                    f"<td><ul>{values}</ul></td></tr>"
                )
            parts.append("</table></section>")

        # facts (outgoing), with the evidence behind each property
        facts = defaultdict(list)
        for p, o in graph.predicate_objects(iri):
            if p in (RDF.type, COOP.evidence) or (p in NAME_PREDICATES and isinstance(o, Literal)):
                continue
            facts[p].append(o)
        parts.append("<section><h2>Facts</h2><table>")
        for p in sorted(facts, key=lambda n: site.property_labels.get(n, str(n))):
            values = "".join(f"<li>{self.link(o, path)}</li>" for o in sorted(facts[p], key=str))
            parts.append(
                f"<tr><th>{self._pred(p, path)}</th><td><ul>{values}</ul>"
                f"{self.evidence(spans_by_property.get(p, []), path)}</td></tr>"
            )
        for p in NAME_PREDICATES:
            if spans_by_property.get(p):
                parts.append(
                    f"<tr><th>{self._pred(p, path)}</th><td>"
                    f"{self.evidence(spans_by_property[p], path)}</td></tr>"
                )
        parts.append("</table></section>")

        # incoming links
        incoming: dict[Node, list[Node]] = defaultdict(list)
        for s, p in graph.subject_predicates(iri):
            if isinstance(s, URIRef):
                incoming[p].append(s)
        if incoming:
            parts.append("<section><h2>Referred to by</h2><table>")
            for p in sorted(incoming, key=lambda n: str(n)):
                values = "".join(
                    f"<li>{self.link(s, path)}</li>"
                    for s in sorted(incoming[p], key=lambda n: _display(site, n)[0])
                )
                parts.append(f"<tr><th>{self._pred(p, path)}</th><td><ul>{values}</ul></td></tr>")
            parts.append("</table></section>")

        # sources
        sources = sorted(graph.objects(iri, COOP.source), key=str)
        spans = sorted(graph.objects(iri, COOP.evidence), key=str)
        if sources or spans:
            parts.append("<section><h2>Sources</h2>")
            if sources:
                items = "".join(f"<li>{self.link(s, path)}</li>" for s in sources)
                parts.append(f"<p>Source documents:</p><ul>{items}</ul>")
            if spans:
                rows = []
                for span in spans:
                    props = ", ".join(
                        self._pred(p, path) for p in graph.objects(span, COOP.supportsProperty)
                    )
                    rows.append(f"<li>{props or 'fact'}: {self.evidence([span], path)}</li>")
                parts.append(f"<p>Evidence spans:</p><ul>{''.join(rows)}</ul>")
            parts.append("</section>")
        parts.append("</main>")
        parts.append(
            f'<footer>Data licence: <a href="{DATA_LICENSE}">{DATA_LICENSE_NAME}</a></footer>'
        )
        head = (
            f'<link rel="alternate" type="text/turtle" href="{quote(stem)}.ttl">\n'
            f'<link rel="alternate" type="application/ld+json" href="{quote(stem)}.jsonld">\n'
            '<script type="application/ld+json">'
            f"{json_for_script(self.schema_org(iri))}</script>\n"
        )
        return _page(f"{name} — kgtool", "\n".join(parts), head=head)

    def schema_org(self, iri: URIRef) -> dict[str, Any]:
        """Return a schema.org description of a thing for search engines."""
        graph, site = self.site.graph, self.site
        types: set[str] = set()
        for t in graph.objects(iri, RDF.type):
            types |= {str(s)[len(str(SCHEMA)) :] for s in site.schema_types.get(t, set())}
            if t == SKOS.Concept:
                types.add("DefinedTerm")
        out: dict[str, Any] = {
            "@context": {"@vocab": str(SCHEMA)},
            "@id": str(iri),
            "@type": sorted(types) or ["Thing"],
        }
        names = [
            {"@value": str(v), "@language": v.language}
            if isinstance(v, Literal) and v.language
            else str(v)
            for p in (SKOS.prefLabel, COOP.title, FOAF.name, RDFS.label)
            for v in sorted(graph.objects(iri, p), key=str)
        ]
        if names:
            out["name"] = names
        alternates = [
            {"@value": str(v), "@language": v.language} if v.language else str(v)
            for p in (SKOS.altLabel, COOP.acronym)
            for v in sorted(graph.objects(iri, p), key=str)
            if isinstance(v, Literal)
        ]
        if alternates:
            out["alternateName"] = alternates
        same = sorted(str(o) for p in (COOP.ror, COOP.wikidata) for o in graph.objects(iri, p))
        if same:
            out["sameAs"] = [{"@id": link} for link in same]
        parent = graph.value(iri, COOP.partOf)
        if parent is not None:
            out["parentOrganization"] = {"@id": str(parent)}
        definitions = [
            str(v)
            for v in graph.objects(iri, SKOS.definition)
            if getattr(v, "language", "") == "en"
        ]
        if definitions:
            out["description"] = sorted(definitions)[0]
        return out


# --- index and search ----------------------------------------------------------------------


def search_entries(site: _Site) -> list[dict[str, Any]]:
    """Return the search index: per thing its label, type, page and folded keys."""
    entries = []
    for iri, path in site.things.items():
        node = URIRef(iri)
        name, lang = _display(site, node)
        every = [
            str(v)
            for p in NAME_PREDICATES
            for v in site.graph.objects(node, p)
            if isinstance(v, Literal)
        ]
        readings = [*every, *(latin_to_cyrillic(n) for n in every), _local(iri)]
        keys = search_keys([name, *readings])  # each also read into Latin by kgtool.names
        entries.append(
            {
                "iri": iri,
                "label": name,
                "lang": lang,
                "type": thing_type(iri),
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


def _index_html(site: _Site, entries: list[dict[str, Any]], summary_rows: list[str]) -> str:
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
        + f'<footer>Data licence: <a href="{DATA_LICENSE}">{DATA_LICENSE_NAME}</a></footer>'
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
    loaded: LoadedGraph,
    base: str,
    checksums: dict[str, str],
    sizes: dict[str, int],
    sparql_endpoint: str | None,
) -> Graph:
    graph = site.graph
    out = Graph()
    bind_prefixes(out)
    for prefix, vocabulary in (("void", VOID), ("dcat", DCAT), ("spdx", SPDX)):
        out.bind(prefix, vocabulary)
    dataset = URIRef(base + "dataset")
    out.add((dataset, RDF.type, VOID.Dataset))
    out.add((dataset, RDF.type, DCAT.Dataset))
    out.add((dataset, DCTERMS.title, Literal("kgtool cooperation knowledge graph", lang="en")))
    out.add(
        (
            dataset,
            DCTERMS.description,
            Literal(
                "Institutions, their cooperation agreements, and the sources behind each fact.",
                lang="en",
            ),
        )
    )
    out.add((dataset, DCTERMS.license, URIRef(DATA_LICENSE)))
    out.add((dataset, VOID.uriSpace, Literal(ID)))
    out.add((dataset, VOID.rootResource, URIRef(base + "index.html")))
    out.add((dataset, DCAT.landingPage, URIRef(base + "index.html")))
    out.add((dataset, VOID.triples, Literal(len(graph))))
    out.add((dataset, VOID.entities, Literal(len(site.things))))
    classes = {o for o in graph.objects(None, RDF.type) if isinstance(o, URIRef)}
    predicates = set(graph.predicates())
    out.add((dataset, VOID.classes, Literal(len(classes))))
    out.add((dataset, VOID.properties, Literal(len(predicates))))
    out.add((dataset, VOID.distinctSubjects, Literal(len(set(graph.subjects())))))
    out.add((dataset, VOID.distinctObjects, Literal(len(set(graph.objects())))))
    for cls in sorted(classes):
        if not str(cls).startswith(str(COOP)):
            continue
        part = URIRef(f"{base}dataset/class/{_local(str(cls))}")
        out.add((dataset, VOID.classPartition, part))
        out.add((part, VOID["class"], cls))
        out.add((part, VOID.entities, Literal(len(set(graph.subjects(RDF.type, cls))))))
    vocabularies = set()
    for term in predicates | classes:
        iri = str(term)
        for ns in PREFIXES.values():
            if iri.startswith(ns) and ns.rstrip("/#") != ID.rstrip("/"):
                vocabularies.add(ns)
    for ns in sorted(vocabularies):
        out.add((dataset, VOID.vocabulary, URIRef(ns)))
    languages = {o.language for o in graph.objects() if isinstance(o, Literal) and o.language}
    for lang in sorted(languages):
        out.add((dataset, DCTERMS.language, Literal(lang, datatype=XSD.language)))
    for fmt, (ext, media) in DUMP_FORMATS.items():
        name = DUMP_STEM + ext
        dist = URIRef(f"{base}{DUMPS_DIR}/{name}")
        out.add((dataset, DCAT.distribution, dist))
        out.add((dataset, VOID.dataDump, dist))
        out.add((dist, RDF.type, DCAT.Distribution))
        out.add((dist, DCTERMS.title, Literal(f"Full dump ({fmt})", lang="en")))
        out.add((dist, DCAT.downloadURL, dist))
        out.add(
            (dist, DCAT.mediaType, URIRef(f"https://www.iana.org/assignments/media-types/{media}"))
        )
        out.add((dist, DCTERMS["format"], Literal(media)))
        out.add((dist, DCAT.byteSize, Literal(sizes[name], datatype=XSD.nonNegativeInteger)))
        out.add((dist, DCTERMS.license, URIRef(DATA_LICENSE)))
        checksum = BNode(f"checksum{ext.lstrip('.')}")
        out.add((dist, SPDX.checksum, checksum))
        out.add((checksum, RDF.type, SPDX.Checksum))
        out.add((checksum, SPDX.algorithm, SPDX.checksumAlgorithm_sha256))
        out.add((checksum, SPDX.checksumValue, Literal(checksums[name], datatype=XSD.hexBinary)))
    if sparql_endpoint:
        out.add((dataset, VOID.sparqlEndpoint, URIRef(sparql_endpoint)))
        service = URIRef(sparql_endpoint)
        out.add((service, RDF.type, DCAT.DataService))
        out.add((service, DCAT.endpointURL, service))
        out.add((service, DCAT.servesDataset, dataset))
        out.add((dataset, DCAT.distribution, URIRef(base + "dataset/sparql")))
        out.add((URIRef(base + "dataset/sparql"), RDF.type, DCAT.Distribution))
        out.add((URIRef(base + "dataset/sparql"), DCAT.accessService, service))
        out.add((URIRef(base + "dataset/sparql"), DCAT.accessURL, service))
    out.add((URIRef(base + ONTOLOGY_DOC), RDF.type, FOAF.Document))
    out.add((dataset, FOAF.page, URIRef(base + ONTOLOGY_DOC)))
    _ = loaded
    return out


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


def ontology_html(loaded: LoadedGraph) -> str:
    """Return the ontology documentation of the loaded ``ontology/`` files (pyLODE, offline)."""
    graph = loaded.subgraph(["ontology"])
    # keyed by the files' bytes: blank-node labels differ from one load to the next
    digest = _sha256(
        b"".join(
            str(path).encode() + b"\0" + path.read_bytes() + b"\0"
            for path in loaded.files_under("ontology")
        )
    )
    if digest not in _ONTOLOGY_PAGES:
        _ONTOLOGY_PAGES[digest] = _make_ontology_html(graph)
    return _ONTOLOGY_PAGES[digest]


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


def _make_ontology_html(graph: Graph) -> str:
    if len(graph) == 0:
        return _page(
            "Ontology", "<main><h1>Ontology</h1><p>No ontology files were loaded.</p></main>"
        )
    root = logging.getLogger()
    handlers, level, disabled = list(root.handlers), root.level, logging.root.manager.disable
    logging.disable(logging.CRITICAL)  # pyLODE logs INFO/DEBUG lines to stderr
    try:
        from pylode import OntPub  # configures the root logger on import: restored below

        html: str = OntPub(ontology=_english_only(_one_header(graph))).make_html(include_css=True)
    except Exception as exc:  # pyLODE raises bare Exceptions for what it cannot document
        raise KgtoolError(f"ontology documentation failed: {exc}") from exc
    finally:
        root.handlers[:] = handlers
        root.setLevel(level)
        logging.disable(disabled)
    html = offline_html(html).replace(
        "<head>", f'<head>\n<meta http-equiv="Content-Security-Policy" content="{_CSP}">', 1
    )
    if remote_loads(html):
        raise KgtoolError(f"the ontology page still loads {remote_loads(html)[0]}; not writing it")
    return html


# --- publishing ----------------------------------------------------------------------------


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def publish(
    loaded: LoadedGraph,
    out_dir: Path,
    *,
    base: str = BASE,
    sparql_endpoint: str | None = None,
    progress: Progress | None = None,
) -> PublishSummary:
    """Write the static linked-data site of ``loaded`` into ``out_dir`` (replaced when done).

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
    if out_dir.is_dir() and any(out_dir.iterdir()) and not (out_dir / SITE_MARKER).is_file():
        raise KgtoolError(
            f"{out_dir}: not empty and not a kgtool site (no {SITE_MARKER}); "
            "refusing to replace it: choose an empty or new folder"
        )
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    tmp = Path(tempfile.mkdtemp(prefix=f".{out_dir.name}.", dir=out_dir.parent))
    try:
        summary = _build(loaded, tmp, base, sparql_endpoint, say)
        _swap_in(tmp, out_dir)
    except BaseException:
        shutil.rmtree(tmp, ignore_errors=True)
        raise
    return PublishSummary(
        out_dir, summary.pages, summary.triples, summary.entities, summary.checksums
    )


def write_site(loaded: LoadedGraph, out_dir: Path) -> Path:
    """Publish the site into ``out_dir`` with the defaults (the hook ``kgtool build`` calls)."""
    return publish(loaded, out_dir).out_dir


def _trig_dump(loaded: LoadedGraph) -> bytes:
    """Return the dataset as TriG, a named graph per source file, deterministically.

    kgtool.export writes it (it keeps multi-line literals as written); rdflib's own TriG
    writer put the graphs in an order that changed from one process to the next.
    """
    return serialize(loaded, "trig")


def _swap_in(new: Path, target: Path) -> None:
    """Replace ``target`` by the complete folder ``new`` (two renames; no half state)."""
    new.chmod(0o755)
    if target.exists():
        old = Path(tempfile.mkdtemp(prefix=f".{target.name}.old.", dir=target.parent))
        old.rmdir()
        target.rename(old)
        new.rename(target)
        shutil.rmtree(old, ignore_errors=True)
    else:
        new.rename(target)


def _write(root: Path, rel: str, data: bytes | str) -> None:
    path = root / rel
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)


def _build(
    loaded: LoadedGraph, root: Path, base: str, sparql_endpoint: str | None, say: Progress
) -> PublishSummary:
    site = _read_site(loaded)
    renderer = _Renderer(site)
    _write(root, SITE_MARKER, "A site written by `kgtool publish`; it replaces this folder.\n")
    say(f"{len(site.things)} pages")
    pages: dict[str, int] = defaultdict(int)
    for iri, path in site.things.items():
        node = URIRef(iri)
        _write(root, path + ".html", renderer.thing(node))
        triples = describe(site.graph, node)
        _write(root, path + ".ttl", serialize_triples(triples, "turtle"))
        _write(root, path + ".jsonld", serialize_triples(triples, "jsonld"))
        _write(root, path + ".nt", serialize_triples(triples, "nt"))
        pages[thing_type(iri)] += 1

    say("dumps")
    checksums: dict[str, str] = {}
    sizes: dict[str, int] = {}
    for fmt, (ext, _media) in DUMP_FORMATS.items():
        data = _trig_dump(loaded) if fmt == "trig" else serialize(loaded, fmt)
        name = DUMP_STEM + ext
        _write(root, f"{DUMPS_DIR}/{name}", data)
        checksums[name] = _sha256(data)
        sizes[name] = len(data)
    sums = "".join(f"{digest}  {name}\n" for name, digest in sorted(checksums.items()))
    _write(root, f"{DUMPS_DIR}/{CHECKSUMS_NAME}", sums)
    _write(root, "context.jsonld", context_document())

    say("VoID/DCAT description")
    void = _void(site, loaded, base, checksums, sizes, sparql_endpoint)
    _write(root, VOID_NAME, void.serialize(format="turtle"))

    say("ontology documentation (pyLODE)")
    _write(root, ONTOLOGY_DOC, ontology_html(loaded))

    say("index and search")
    entries = search_entries(site)
    _write(root, SEARCH_INDEX_NAME, json.dumps(entries, ensure_ascii=False, indent=1) + "\n")
    dump_links = " · ".join(
        f'<a href="{DUMPS_DIR}/{DUMP_STEM}{ext}">{escape(fmt)}</a>'
        for fmt, (ext, _media) in DUMP_FORMATS.items()
    )
    summary_rows = [
        f"<li>{len(site.graph)} triples, {len(site.things)} described things</li>",
        f'<li>Dumps: {dump_links} (<a href="{DUMPS_DIR}/{CHECKSUMS_NAME}">SHA-256</a>)</li>',
        f'<li><a href="{VOID_NAME}">VoID/DCAT description</a> · '
        f'<a href="{ONTOLOGY_DOC}">Ontology documentation</a> · '
        f'<a href="context.jsonld">JSON-LD context</a></li>',
    ]
    if sparql_endpoint:
        summary_rows.append('<li><a href="query">SPARQL query page</a></li>')
    _write(root, "index.html", _index_html(site, entries, summary_rows))
    return PublishSummary(
        root, dict(sorted(pages.items())), len(site.graph), len(site.things), checksums
    )


__all__ = [
    "DATA_LICENSE",
    "DOC_FORMATS",
    "DUMP_FORMATS",
    "PublishSummary",
    "describe",
    "doc_path",
    "offline_html",
    "ontology_html",
    "publish",
    "remote_loads",
    "search_entries",
    "serialize_triples",
    "write_site",
]
