"""Validate the data against the SHACL shapes; the report model and its renderings.

pyshacl runs over an rdflib in-memory copy of the data (over Oxigraph it is 4x slower), with
the ontology passed as ``ont_graph`` so that ``sh:targetClass`` and ``sh:class`` reach the
instances of subclasses. Each result is traced back to the named shape that owns it and to the
file and line where its focus node is defined.
"""

from __future__ import annotations

import json
import logging
import re
import subprocess
import xml.etree.ElementTree as ET
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from functools import cache
from pathlib import Path
from typing import Any

from pyshacl import validate as pyshacl_validate
from pyshacl.entrypoints import meta_validate
from rdflib import RDF, BNode, Graph, Literal, Namespace, URIRef
from rdflib.collection import Collection
from rdflib.compare import to_canonical_graph
from rdflib.namespace import DCTERMS, FOAF, RDFS, SKOS
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, bind_prefixes, iter_quads, load
from kgtool.project import (
    COOP,
    PREFIXES,
    RDF_FORMATS,
    Project,
    canonical_language_tag,
    find_project,
    language_order,
    local_name,
    pick_label,
)
from kgtool.shacl_fast import Locator, validate_loaded

SH = Namespace("http://www.w3.org/ns/shacl#")

INFERENCE_MODES: tuple[str, ...] = ("none", "rdfs", "owlrl")
FORMATS: tuple[str, ...] = ("text", "json", "turtle", "github", "junit")
SEVERITIES: tuple[str, ...] = ("Violation", "Warning", "Info")
#: ``fast``: kgtool.shacl_fast on Oxigraph (equal reports, 40x+ faster); ``pyshacl``: the
#: reference; ``auto``: fast unless an inference is asked for (the fast engine has none).
ENGINES: tuple[str, ...] = ("auto", "fast", "pyshacl")

#: Folders that hold the vocabulary and the rules rather than data.
NON_DATA_FOLDERS: tuple[str, ...] = ("ontology", "shapes")

#: Properties that name a node, most preferred first.
LABEL_PROPERTIES: tuple[URIRef, ...] = (
    SKOS.prefLabel,
    COOP.title,
    RDFS.label,
    FOAF.name,
    DCTERMS.identifier,
)

#: Where a focus node is defined: ``(file, line)``, or None when it is not found.
NodeLocator = Callable[[Node], tuple[str, int | None] | None]

#: Whether a result on a focus node is reported (the node is defined in the files asked for).
FocusFilter = Callable[[Node], bool]


# --- the report model -----------------------------------------------------------------------


@dataclass(frozen=True)
class ValidationResult:
    """One SHACL result, with the labels, messages and source location a person needs."""

    focus_node: Node
    focus_labels: Mapping[str, str]
    path: str | None
    value: Node | None
    source_shape: Node
    shape: Node
    component: URIRef
    severity: str
    messages: Mapping[str, str]
    file: str | None = None
    line: int | None = None

    def focus_label(self, lang: str = "en") -> str:
        """Return the focus node's label in ``lang`` (falling back to English), or ""."""
        return pick_label(self.focus_labels, lang) or ""

    def message(self, lang: str = "en") -> str:
        """Return the message in ``lang`` (falling back to English), or the component's name."""
        return pick_label(self.messages, lang) or local_name(str(self.component))

    @property
    def where(self) -> str:
        """Return ``file:line`` (or just the file, or "") of the focus node."""
        if self.file is None:
            return ""
        return f"{self.file}:{self.line}" if self.line else self.file


@dataclass(frozen=True)
class ValidationReport:
    """The outcome of a validation: results sorted by file, line and focus node."""

    conforms: bool
    results: tuple[ValidationResult, ...]
    graph: Graph = field(compare=False, repr=False)
    shapes: tuple[str, ...] = ()
    #: the files whose nodes the results are about (relative to the project), when the
    #: validation was asked for some files only; empty when it covers all the data
    files: tuple[str, ...] = ()

    def count(self, severity: str) -> int:
        """Return how many results have ``severity`` (Violation, Warning or Info)."""
        return sum(1 for r in self.results if r.severity == severity)

    def exit_code(self, strict: bool = False) -> int:
        """Return 0 when conformant (warnings allowed unless ``strict``), else 1."""
        if not self.conforms:
            return 1
        if strict and self.count("Warning"):
            return 1
        return 0


# --- running the validation -------------------------------------------------------------------


class _IllTypedLiteralFilter(logging.Filter):
    """Drop rdflib's "Failed to convert Literal" tracebacks: the shapes report such literals."""

    def filter(self, record: logging.LogRecord) -> bool:
        return not record.getMessage().startswith("Failed to convert Literal")


@contextmanager
def _quiet_ill_typed_literals() -> Iterator[None]:
    logger, quiet = logging.getLogger("rdflib.term"), _IllTypedLiteralFilter()
    logger.addFilter(quiet)
    try:
        yield
    finally:
        logger.removeFilter(quiet)


def validate(
    paths: Sequence[Path] | None = None,
    *,
    project: Project | None = None,
    inference: str = "none",
    strict: bool = False,
    lang: str = "en",
    loaded: LoadedGraph | None = None,
    engine: str = "auto",
    changed_since: str | None = None,
) -> ValidationReport:
    """Validate the data against ``shapes/*.ttl``, with ``ontology/`` as the ontology.

    Without ``paths`` every loaded file outside ontology/ and shapes/ is validated. With
    ``paths`` only results on nodes defined (used as a subject) in those files are reported,
    and the rest is context: when a path lies inside the project the whole project is loaded
    (the institutions, concepts and sources that agreements refer to are in other files);
    paths outside it are checked against the project's ontology and shapes only.
    ``changed_since`` (a git revision) takes the RDF files under ontology/, shapes/ and data/
    changed since then as ``paths``. With ``loaded`` nothing more is loaded: ``paths`` only
    choose the reported files. ``strict`` and ``lang`` only matter to the caller
    (``exit_code``, renderings); they are accepted so one call carries a whole invocation.
    """
    del strict, lang  # used by the caller when rendering and choosing the exit code
    if changed_since is not None:
        if paths:
            raise KgtoolError("give either PATHS or --changed, not both")
        project = loaded.project if loaded is not None else project or find_project()
        paths = changed_files(project, changed_since)
        if not paths:
            return _empty_report(loaded, project)
    with _quiet_ill_typed_literals():
        return _validate(paths, project, inference, loaded, engine)


def changed_files(project: Project, since: str = "HEAD") -> list[Path]:
    """Return the RDF files under ontology/, shapes/ and data/ that differ from the git
    revision ``since`` (``git diff --name-only``, uncommitted changes included) or that git
    does not track yet, sorted; deleted files are left out."""
    if not since or since.startswith("-"):
        raise KgtoolError(f"--changed: {since!r} is not a git revision")
    names: set[str] = set()
    for args in (
        ["diff", "--name-only", "--relative", "-z", since, "--"],
        ["ls-files", "--others", "--exclude-standard", "-z"],
    ):
        try:
            done = subprocess.run(
                ["git", "-C", str(project.root), *args], capture_output=True, check=False
            )
        except OSError as exc:
            raise KgtoolError(f"--changed needs git: {exc.strerror or exc}") from exc
        if done.returncode != 0:
            said = done.stderr.decode("utf-8", errors="replace").strip().splitlines()
            if Path(since).exists():  # "--changed data/x.ttl": click took the file for REV
                said = ["a file, not a git revision (give files to check without --changed)"]
            raise KgtoolError(f"--changed {since}: {said[-1] if said else 'git failed'}")
        names.update(name for name in done.stdout.decode("utf-8").split("\0") if name)
    folders = [d for d in project.source_dirs() if d.is_dir()]
    found = (project.root / name for name in names)
    return sorted(
        path
        for path in found
        if path.suffix in RDF_FORMATS
        and path.is_file()
        and any(_inside(path, folder) for folder in folders)
    )


def _validate(
    paths: Sequence[Path] | None,
    project: Project | None,
    inference: str,
    loaded: LoadedGraph | None,
    engine: str = "auto",
) -> ValidationReport:
    fast = _fast_engine(engine, inference)
    if loaded is None:
        project = project or find_project()
        loaded = load(_sources(paths, project), project=project)
    project = loaded.project
    shapes_iris = set(loaded.graph_iris_under(["shapes"]))
    if not shapes_iris:
        raise KgtoolError(f"{project.shapes_dir}: no shapes to validate against")
    ontology_iris = set(loaded.graph_iris_under(["ontology"]))
    data_iris = {URIRef(iri) for iri in loaded.files} - shapes_iris - ontology_iris
    locator = Locator(loaded)  # its store is made when the first result is located
    keep: FocusFilter | None = None
    files: tuple[str, ...] = ()
    if paths:
        chosen = {iri for path in paths for iri in _graphs_of_path(loaded, path)}
        keep = _defined_in(loaded, chosen)
        files = tuple(sorted({locator.shown(loaded.files[str(iri)]) for iri in chosen}))
    if fast:
        shapes_graph = loaded.subgraph(["shapes"])
        report_graph, labels = validate_loaded(
            loaded, data_iris | ontology_iris, shapes_graph, LABEL_PROPERTIES
        )
        report = _report(report_graph, labels, shapes_graph, locator, keep)
    else:
        data, shapes, ontology = _new_graph(), _new_graph(), _new_graph()
        for s, p, o, g in iter_quads(loaded):
            if g in data_iris:
                data.add((s, p, o))
            if g in shapes_iris:
                shapes.add((s, p, o))
            if g in ontology_iris:
                ontology.add((s, p, o))
        report = validate_graph(
            data,
            shapes,
            ontology if len(ontology) else None,
            inference=inference,
            locator=locator,
            keep=keep,
        )
    return replace(report, files=files)


def _sources(paths: Sequence[Path] | None, project: Project) -> list[Path] | None:
    """Return what to load to validate ``paths`` (None: the whole project).

    A path inside the project brings in the whole project as context, plus the given paths
    that lie outside its ontology/, shapes/ and data/ (drafts, say); paths that are all
    outside the project are loaded with the project's ontology and shapes only."""
    if not paths:
        return None
    folders = [d for d in project.source_dirs() if d.is_dir()]
    if any(_inside(path, project.root) for path in paths):
        extra = [
            path
            for path in paths
            if not any(_inside(path, folder) for folder in folders)
            and not _inside(project.root, path)  # the project's root or one above it
        ]
        return folders + extra
    return [d for d in (project.ontology_dir, project.shapes_dir) if d.is_dir()] + list(paths)


def _defined_in(loaded: LoadedGraph, graphs: Iterable[URIRef]) -> FocusFilter:
    """Return whether a node is a subject in one of ``graphs`` (asked once per node)."""
    views = [loaded.dataset.graph(iri) for iri in sorted(graphs)]
    answers: dict[Node, bool] = {}

    def defined(node: Node) -> bool:
        found = answers.get(node)
        if found is None:
            found = answers[node] = any((node, None, None) in view for view in views)
        return found

    return defined


def _empty_report(loaded: LoadedGraph | None, project: Project) -> ValidationReport:
    """Return the report of a validation that had no file to check (no shape ran)."""
    shapes = loaded.subgraph(["shapes"]) if loaded is not None else _shapes_of(project)
    graph = _new_graph()
    report = BNode()
    graph.add((report, RDF.type, SH.ValidationReport))
    graph.add((report, SH.conforms, Literal(True)))
    return ValidationReport(True, (), graph, tuple(_n3(s) for s in named_shapes(shapes)))


def _shapes_of(project: Project) -> Graph:
    if not project.shapes_dir.is_dir():
        raise KgtoolError(f"{project.shapes_dir}: no shapes to validate against")
    return load([project.shapes_dir], project=project).subgraph(["shapes"])


def _fast_engine(engine: str, inference: str) -> bool:
    """Return whether ``engine`` (one of ``ENGINES``) means kgtool.shacl_fast here."""
    if engine not in ENGINES:
        raise KgtoolError(f"unknown engine {engine!r}; choose one of {', '.join(ENGINES)}")
    if engine == "fast" and inference != "none":
        raise KgtoolError("the fast engine validates without inference; use --engine pyshacl")
    return engine == "fast" or (engine == "auto" and inference == "none")


def validate_graph(
    data: Graph,
    shapes: Graph,
    ontology: Graph | None = None,
    *,
    inference: str = "none",
    locator: NodeLocator | None = None,
    keep: FocusFilter | None = None,
) -> ValidationReport:
    """Validate ``data`` (changed in place: the ontology is mixed in) against ``shapes``.

    The whole ontology is added to ``data``: pyshacl's own ``ont_graph`` mixes in only class
    and property axioms, so the ontology's individuals (countries, concepts, schemes) would be
    missing and every ``sh:class coop:Country`` would fail. With the ``rdfs:subClassOf``
    triples in the data graph, ``sh:targetClass`` and ``sh:class`` reach subclass instances.
    ``locator(node)`` returns ``(file, line)`` for a focus node, or None; ``keep(node)`` says
    whether results on a focus node are reported (default: all are). (pyshacl's
    ``focus_nodes`` option is not offered: it also filters the value nodes that nested
    ``sh:or``/``sh:qualifiedValueShape`` shapes see, which silences those constraints.)
    """
    if inference not in INFERENCE_MODES:
        raise KgtoolError(f"unknown inference {inference!r}; choose one of {INFERENCE_MODES}")
    if ontology is not None:
        for triple in ontology:
            data.add(triple)
    with _quiet_ill_typed_literals():
        _, report_graph, _ = pyshacl_validate(
            data,
            shacl_graph=shapes,
            inference=inference,
            inplace=True,
            allow_warnings=False,
        )
    return _report(report_graph, data, shapes, locator, keep)


def check_shapes(shapes: Graph) -> ValidationReport:
    """Validate a shapes graph against the SHACL-for-SHACL shapes (pyshacl ``meta_shacl``)."""
    # meta_validate is what pyshacl's meta_shacl=True runs; called directly it returns the
    # report instead of raising, so the results can be shown like any others.
    _, report_graph, _ = meta_validate(shapes, inference="none")
    return _report(report_graph, shapes, _new_graph(), None)


def named_shapes(shapes: Graph) -> list[URIRef]:
    """Return the IRIs of the node shapes declared in ``shapes``, sorted."""
    return sorted(s for s in shapes.subjects(RDF.type, SH.NodeShape) if isinstance(s, URIRef))


def owning_shape(shapes: Graph, shape: Node) -> Node:
    """Return the named shape that ``shape`` (e.g. a blank property shape) belongs to."""
    seen: set[Node] = set()
    node = shape
    while isinstance(node, BNode) and node not in seen:
        seen.add(node)
        parents = sorted(shapes.subjects(None, node), key=str)
        if not parents:
            break
        node = parents[0]
    if isinstance(node, BNode):
        return shape
    return node


# --- building the report model ----------------------------------------------------------------


def _new_graph() -> Graph:
    graph = Graph()
    bind_prefixes(graph)
    return graph


def _graphs_of_path(loaded: LoadedGraph, path: Path) -> list[URIRef]:
    if path.is_dir():
        return [
            iri for p in loaded.source_files() if _inside(p, path) for iri in loaded.graphs_of(p)
        ]
    return loaded.graphs_of(path)


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())


def _report(
    report_graph: Graph,
    data: Graph,
    shapes: Graph,
    locator: NodeLocator | None,
    keep: FocusFilter | None = None,
) -> ValidationReport:
    """Build the report model from a ``sh:ValidationReport`` graph; results on focus nodes
    that ``keep`` refuses are left out of both (and ``sh:conforms`` follows)."""
    bind_prefixes(report_graph)
    build = _ResultBuilder(report_graph, data, shapes, locator)
    results: list[ValidationResult] = []
    dropped: set[Node] = set()
    # Only top-level results: nested ones (sh:detail, from sh:node) explain their parent.
    for report in list(report_graph.subjects(RDF.type, SH.ValidationReport)):
        for node in list(report_graph.objects(report, SH.result)):
            result = build(node, keep)
            if result is None:
                dropped.add(node)
            else:
                results.append(result)
    results.sort(key=_sort_key)
    conforms = not any(r.severity == "Violation" for r in results)
    if dropped:
        report_graph = _without_results(report_graph, dropped, conforms)
    return ValidationReport(
        conforms=conforms,
        results=tuple(results),
        graph=report_graph,
        shapes=tuple(_n3(s) for s in named_shapes(shapes)),
    )


# The report's terms, made once: an rdflib Namespace builds a new URIRef on every access.
_FOCUS_NODE, _SOURCE_SHAPE, _RESULT_PATH, _RESULT_MESSAGE = (
    SH.focusNode,
    SH.sourceShape,
    SH.resultPath,
    SH.resultMessage,
)
_SEVERITY, _COMPONENT, _VALUE = SH.resultSeverity, SH.sourceConstraintComponent, SH.value


class _ResultBuilder:
    """Turn result nodes of a report graph into ``ValidationResult``s, working out what
    results share (labels and place of a focus node, owning shape, messages, path) once."""

    def __init__(
        self, report_graph: Graph, data: Graph, shapes: Graph, locator: NodeLocator | None
    ) -> None:
        self.graph, self.data, self.shapes, self.locator = report_graph, data, shapes, locator
        self.located: dict[Node, tuple[str, int | None] | None] = {}
        self.labels: dict[Node, dict[str, str]] = {}
        self.owners: dict[Node, Node] = {}
        self.paths: dict[Node, str] = {}
        self.messages: dict[tuple[Node, tuple[Node, ...]], dict[str, str]] = {}

    def __call__(self, node: Node, keep: FocusFilter | None) -> ValidationResult | None:
        """Return the result at ``node``; None when it has no focus node or shape, or when
        ``keep`` refuses its focus node."""
        values: dict[Node, Node] = {}
        found_messages: list[Node] = []
        for p, o in self.graph.predicate_objects(node):
            if p == _RESULT_MESSAGE:
                found_messages.append(o)
            else:
                values.setdefault(p, o)
        focus, source_shape = values.get(_FOCUS_NODE), values.get(_SOURCE_SHAPE)
        if focus is None or source_shape is None or (keep is not None and not keep(focus)):
            return None
        if focus not in self.located:
            self.located[focus] = self.locator(focus) if self.locator is not None else None
            self.labels[focus] = _labels(self.data, focus)
        where = self.located[focus]
        shape = self.owners.get(source_shape)
        if shape is None:
            shape = self.owners[source_shape] = owning_shape(self.shapes, source_shape)
        path_node = values.get(_RESULT_PATH)
        path: str | None = None
        if path_node is not None:
            path = self.paths.get(path_node)
            if path is None:
                path = self.paths[path_node] = _render_path(self.graph, path_node)
        key = (source_shape, tuple(found_messages))
        messages = self.messages.get(key)
        if messages is None:
            messages = self.messages[key] = _messages(found_messages, self.shapes, source_shape)
        severity, component = values.get(_SEVERITY), values.get(_COMPONENT)
        return ValidationResult(
            focus_node=focus,
            focus_labels=self.labels[focus],
            path=path,
            value=values.get(_VALUE),
            source_shape=source_shape,
            shape=shape,
            component=URIRef(str(component)) if component is not None else SH.ConstraintComponent,
            severity=_severity_name(severity),
            messages=messages,
            file=where[0] if where else None,
            line=where[1] if where else None,
        )


@cache
def _severity_name(severity: Node | None) -> str:
    return local_name(str(severity)) if severity is not None else "Violation"


def _without_results(report_graph: Graph, dropped: set[Node], conforms: bool) -> Graph:
    """Return a copy of ``report_graph`` without the ``dropped`` results and what only they
    reach (their details and paths), with ``sh:conforms`` set to ``conforms``."""
    out = _new_graph()
    reports = list(report_graph.subjects(RDF.type, SH.ValidationReport))
    seen: set[Node] = set(dropped) | set(reports)
    todo = list(reports)
    while todo:
        node = todo.pop()
        for p, o in report_graph.predicate_objects(node):
            if o in dropped or (p == SH.conforms and node in reports):
                continue
            out.add((node, p, o))
            if isinstance(o, BNode) and o not in seen:
                seen.add(o)
                todo.append(o)
    for report in reports:
        out.add((report, SH.conforms, Literal(conforms)))
    return out


def _sort_key(r: ValidationResult) -> tuple[Any, ...]:
    return (
        r.file or "\uffff",
        r.line or 0,
        str(r.focus_node),
        SEVERITIES.index(r.severity) if r.severity in SEVERITIES else 9,
        str(r.shape),
        r.path or "",
        str(r.component),
        str(r.value or ""),
        r.message(),
    )


def _texts(literals: Iterable[Node]) -> dict[str, str]:
    out: dict[str, str] = {}
    for lit in sorted(literals, key=str):
        if isinstance(lit, Literal):
            out.setdefault(canonical_language_tag(lit.language or ""), str(lit))
    return out


def _messages(found: Sequence[Node], shapes: Graph, shape: Node) -> dict[str, str]:
    """Return a result's messages (``found``) by language.

    pyshacl fills ``{?value}`` in SPARQL messages with ``re.sub``, which drops the language
    tag; such a message gets its language back from the template in the shapes graph."""
    untagged = [m for m in found if isinstance(m, Literal) and not m.language]
    templates = _templates(shapes, shape) if untagged else []
    tagged: list[Node] = []
    for message in found:
        if isinstance(message, Literal) and not message.language:
            for template, pattern in templates:
                if pattern.fullmatch(str(message)):
                    message = Literal(str(message), lang=template.language)
                    break
        tagged.append(message)
    return _texts(tagged)


def _templates(shapes: Graph, shape: Node) -> list[tuple[Literal, re.Pattern[str]]]:
    """Return the language-tagged ``sh:message`` templates of ``shape`` and its SPARQL
    constraints, each with a pattern that matches its filled-in text."""
    found: list[tuple[Literal, re.Pattern[str]]] = []
    for source in (shape, *shapes.objects(shape, SH.sparql)):
        for m in shapes.objects(source, SH.message):
            if isinstance(m, Literal) and m.language:
                parts = re.split(r"\{[?$]\w+\}", str(m))
                found.append((m, re.compile(".*".join(map(re.escape, parts)), flags=re.S)))
    return found


def _labels(graph: Graph, node: Node) -> dict[str, str]:
    for prop in LABEL_PROPERTIES:
        texts = _texts(graph.objects(node, prop))
        if texts:
            return texts
    return {}


_PREFIX_ORDER = sorted(PREFIXES.items(), key=lambda item: -len(item[1]))


def _n3(node: Node | None) -> str:
    """Return a short, stable spelling of a term: a prefixed name where a prefix fits."""
    if node is None:
        return ""
    if isinstance(node, URIRef):
        text = str(node)
        for prefix, namespace in _PREFIX_ORDER:
            rest = text[len(namespace) :]
            if text.startswith(namespace) and rest and all(c.isalnum() or c in "-_." for c in rest):
                return f"{prefix}:{rest}"
        return f"<{text}>"
    if isinstance(node, Literal):
        quoted = json.dumps(str(node), ensure_ascii=False)
        if node.language:
            return f"{quoted}@{canonical_language_tag(node.language)}"
        if node.datatype:
            return f"{quoted}^^{_n3(node.datatype)}"
        return quoted
    return f"_:{node}"


def _render_path(graph: Graph, path: Node) -> str:
    """Return a SHACL property path in SPARQL syntax (coop:party, ^coop:partOf, (a|b), a/b)."""
    if isinstance(path, URIRef):
        return _n3(path)
    if (path, RDF.first, None) in graph:
        return "/".join(_render_path(graph, p) for p in Collection(graph, path))
    for prop, template in (
        (SH.inversePath, "^{}"),
        (SH.zeroOrMorePath, "{}*"),
        (SH.oneOrMorePath, "{}+"),
        (SH.zeroOrOnePath, "{}?"),
    ):
        inner = graph.value(path, prop)
        if inner is not None:
            return template.format(_render_path(graph, inner))
    alternatives = graph.value(path, SH.alternativePath)
    if alternatives is not None:
        return "(" + "|".join(_render_path(graph, p) for p in Collection(graph, alternatives)) + ")"
    return _n3(path)


# --- renderings ----------------------------------------------------------------------------


def render(
    report: ValidationReport, fmt: str = "text", *, lang: str = "en", strict: bool = False
) -> str:
    """Return ``report`` rendered as ``fmt`` (one of ``FORMATS``)."""
    if fmt == "text":
        return render_text(report, lang=lang)
    if fmt == "json":
        return render_json(report, lang=lang)
    if fmt == "turtle":
        return render_turtle(report)
    if fmt == "github":
        return render_github(report, lang=lang, strict=strict)
    if fmt == "junit":
        return render_junit(report, lang=lang, strict=strict)
    raise KgtoolError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")


@dataclass(frozen=True)
class _Words:
    """The words of the text report in one language (the languages the shapes' messages are
    written in; others fall back through ``language_order``)."""

    conforms: str
    does_not_conform: str
    #: severity -> the word heading a result line
    severity: Mapping[str, str]
    #: (severity, count) -> "3 violations"
    count: Callable[[str, int], str]
    path: str
    value: str
    shape: str


def _english_count(severity: str, n: int) -> str:
    return f"{n} {severity.lower()}{'s' if n != 1 else ''}"


_RUSSIAN_NOUNS = {
    "Violation": ("нарушение", "нарушения", "нарушений"),
    "Warning": ("предупреждение", "предупреждения", "предупреждений"),
    "Info": ("уведомление", "уведомления", "уведомлений"),
}


def _russian_count(severity: str, n: int) -> str:
    one, few, many = _RUSSIAN_NOUNS[severity]
    if n % 10 == 1 and n % 100 != 11:
        return f"{n} {one}"
    if 2 <= n % 10 <= 4 and not 12 <= n % 100 <= 14:
        return f"{n} {few}"
    return f"{n} {many}"


def _uzbek_words(
    verdicts: tuple[str, str], nouns: Mapping[str, str], counter: str, path_value_shape: str
) -> _Words:
    """Return Uzbek words (either script): a noun stays singular after a number and its
    counter ("ta")."""
    return _Words(
        *verdicts,
        {s: noun.capitalize() for s, noun in nouns.items()},
        lambda severity, n: f"{n} {counter} {nouns[severity]}",
        *path_value_shape.split(),
    )


_WORDS: dict[str, _Words] = {
    "en": _Words(
        "conforms",
        "does not conform",
        {s: s for s in SEVERITIES},
        _english_count,
        "path",
        "value",
        "shape",
    ),
    "ru": _Words(
        "соответствует",
        "не соответствует",
        {s: forms[0].capitalize() for s, forms in _RUSSIAN_NOUNS.items()},
        _russian_count,
        "путь",
        "значение",
        "форма",
    ),
    "uz-Latn": _uzbek_words(
        ("mos keladi", "mos kelmaydi"),
        {"Violation": "qoidabuzarlik", "Warning": "ogohlantirish", "Info": "xabar"},
        "ta",
        "yoʻl qiymat shakl",
    ),
    "uz-Cyrl": _uzbek_words(
        ("мос келади", "мос келмайди"),
        {"Violation": "қоидабузарлик", "Warning": "огоҳлантириш", "Info": "хабар"},
        "та",
        "йўл қиймат шакл",
    ),
}


def _words(lang: str) -> _Words:
    return next(_WORDS[tag] for tag in (*language_order(lang), "en") if tag in _WORDS)


def summary(report: ValidationReport, lang: str = "en") -> str:
    """Return the one-line verdict with the count of each severity, in ``lang`` (English
    when the report has no words in it): ``conforms: 0 violations, 1 warning, 0 infos``."""
    words = _words(lang)
    counts = ", ".join(words.count(s, report.count(s)) for s in SEVERITIES)
    verdict = words.conforms if report.conforms else words.does_not_conform
    return f"{verdict}: {counts}"


_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def _one_line(text: str) -> str:
    """Return untrusted ``text`` (a label) with control characters written as escapes, so a
    newline or a terminal escape sequence in the data cannot forge or colour report lines."""
    return _CONTROL.sub(lambda m: repr(m.group())[1:-1], text)


def render_text(report: ValidationReport, *, lang: str = "en") -> str:
    """Return the results grouped by focus node: label, file:line, severity and message."""
    words = _words(lang)
    lines: list[str] = []
    current: Node | None = None
    for r in report.results:
        if r.focus_node != current:
            current = r.focus_node
            if lines:
                lines.append("")
            label = _one_line(r.focus_label(lang))
            head = f"{_n3(r.focus_node)}" + (f" ({label})" if label else "")
            lines.append(f"{r.where}: {head}" if r.where else head)
        detail = f"  {words.severity.get(r.severity, r.severity)}: {r.message(lang)}"
        extras = [f"{words.path} {r.path}"] if r.path else []
        if r.value is not None:
            extras.append(f"{words.value} {_n3(r.value)}")
        extras.append(f"{words.shape} {_n3(r.shape)}")
        lines.append(f"{detail} [{'; '.join(extras)}]")
    if lines:
        lines.append("")
    lines.append(summary(report, lang))
    return "\n".join(lines) + "\n"


def result_as_dict(r: ValidationResult, lang: str = "en") -> dict[str, Any]:
    """Return one result as JSON-ready data with stable keys."""
    return {
        "focus_node": _n3(r.focus_node) if isinstance(r.focus_node, BNode) else str(r.focus_node),
        "focus_label": r.focus_label(lang),
        "focus_labels": dict(sorted(r.focus_labels.items())),
        "path": r.path,
        "value": _n3(r.value) if r.value is not None else None,
        "shape": _n3(r.shape),
        "source_shape": _n3(r.source_shape) if isinstance(r.source_shape, URIRef) else None,
        "component": _n3(r.component),
        "severity": r.severity,
        "message": r.message(lang),
        "messages": dict(sorted(r.messages.items())),
        "file": r.file,
        "line": r.line,
    }


def render_json(report: ValidationReport, *, lang: str = "en") -> str:
    """Return the report as JSON: conforms, counts per severity, and the results."""
    doc = {
        "conforms": report.conforms,
        "violations": report.count("Violation"),
        "warnings": report.count("Warning"),
        "infos": report.count("Info"),
        "results": [result_as_dict(r, lang) for r in report.results],
    }
    return json.dumps(doc, ensure_ascii=False, indent=2, sort_keys=True) + "\n"


def render_turtle(report: ValidationReport) -> str:
    """Return the standard sh:ValidationReport as Turtle, with blank nodes labelled canonically."""
    canonical = to_canonical_graph(report.graph)
    out = Graph()
    bind_prefixes(out)
    for triple in sorted(canonical, key=lambda t: tuple(x.n3() for x in t)):
        out.add(triple)
    return out.serialize(format="turtle")


def _escape_data(text: str) -> str:
    return text.replace("%", "%25").replace("\r", "%0D").replace("\n", "%0A")


def _escape_property(text: str) -> str:
    return _escape_data(text).replace(":", "%3A").replace(",", "%2C")


def render_github(report: ValidationReport, *, lang: str = "en", strict: bool = False) -> str:
    """Return GitHub Actions workflow commands: one ``::error``/``::warning`` per result."""
    commands = {"Violation": "error", "Warning": "error" if strict else "warning", "Info": "notice"}
    lines: list[str] = []
    for r in report.results:
        props = []
        if r.file:
            props.append(f"file={_escape_property(r.file)}")
            if r.line:
                props.append(f"line={r.line}")
        props.append(f"title={_escape_property(f'{r.severity} {_n3(r.shape)}')}")
        label = _one_line(r.focus_label(lang))
        subject = _n3(r.focus_node) + (f" ({label})" if label else "")
        text = f"{subject}: {r.message(lang)}" + (f" [{r.path}]" if r.path else "")
        lines.append(
            f"::{commands.get(r.severity, 'notice')} {','.join(props)}::{_escape_data(text)}"
        )
    return "".join(line + "\n" for line in lines)


def render_junit(report: ValidationReport, *, lang: str = "en", strict: bool = False) -> str:
    """Return JUnit XML: one test case per named shape, a failure for each failing one."""
    failing = {"Violation", "Warning"} if strict else {"Violation"}
    by_shape: dict[str, list[ValidationResult]] = {name: [] for name in report.shapes}
    for r in report.results:
        by_shape.setdefault(_n3(r.shape), []).append(r)
    failures = sum(1 for rs in by_shape.values() if any(r.severity in failing for r in rs))
    suites = ET.Element("testsuites", name="kgtool validate")
    suite = ET.SubElement(
        suites,
        "testsuite",
        name="shapes",
        tests=str(len(by_shape)),
        failures=str(failures),
        errors="0",
        skipped="0",
    )
    for name in sorted(by_shape):
        case = ET.SubElement(suite, "testcase", classname="kgtool.shapes", name=name)
        results = by_shape[name]
        bad = [r for r in results if r.severity in failing]
        if bad:
            failure = ET.SubElement(
                case,
                "failure",
                type=bad[0].severity,
                message=f"{len(bad)} result{'s' if len(bad) != 1 else ''}: {bad[0].message(lang)}",
            )
            failure.text = "\n".join(_junit_line(r, lang) for r in bad)
        others = [r for r in results if r.severity not in failing]
        if others:
            ET.SubElement(case, "system-out").text = "\n".join(_junit_line(r, lang) for r in others)
    ET.indent(suites)
    return (
        '<?xml version="1.0" encoding="UTF-8"?>\n' + ET.tostring(suites, encoding="unicode") + "\n"
    )


def _junit_line(r: ValidationResult, lang: str) -> str:
    where = f"{r.where}: " if r.where else ""
    path = f" [{r.path}]" if r.path else ""
    return f"{where}{r.severity}: {_n3(r.focus_node)}{path}: {r.message(lang)}"
