"""Run the SPARQL query library (``queries/*.rq``) with typed, safely bound parameters.

A library query is a ``.rq`` file whose leading comment block holds ``#+`` headers::

    #+ summary: Partners of an institution, its sub-units rolled up into it
    #+ param: institution iri -- the institution (IRI or prefixed name such as inst:uzas)
    #+ param: as_of date = today -- the date the status is computed for
    #+ param: months integer = 6 -- how far ahead to look
    #+ tags: agreements, partners
    #+ lists: parties_en directions_en

``summary`` (required, once)
    One line shown by ``kgtool query --list``.
``param`` (any number): ``NAME TYPE [= DEFAULT] -- description``
    ``NAME`` is the query variable (``?NAME`` in the body) that the value is bound to.
    ``TYPE`` is one of ``iri``, ``string``, ``langString``, ``integer``, ``decimal``, ``date``,
    ``gYear``, ``boolean``, ``duration``. A parameter without a default is required. Defaults
    are written as on the command line (a default with spaces may be "double-quoted"); a ``date``
    accepts ``today``. Values: an ``iri`` is an absolute IRI, ``<IRI>`` or a prefixed name with
    one of the project's prefixes (``inst:uzas``); a ``langString`` is ``text@lang``; a ``date``
    is ``YYYY-MM-DD``; a ``duration`` is ``xsd:duration`` (``P6M``); a ``boolean`` is
    ``true``/``false``.
``tags`` (optional)
    Comma- or space-separated words for grouping in ``--list``.
``lists`` (optional)
    Result columns holding ``GROUP_CONCAT(...; separator=" | ")`` lists. SPARQL leaves the order
    of ``GROUP_CONCAT`` open, so kgtool sorts the items of these columns, which makes the rows the
    same on every engine.

Parameter values are never pasted into the query text as text: each is parsed and checked
against its type, turned into an RDF term, and bound through a ``VALUES`` block placed at the start
of the query's ``WHERE`` group (every variable of the group, filters included, sees it; a
sub-``SELECT`` is evaluated on its own, so it meets the value only by projecting the variable,
which the join then restricts). Terms are written with the SPARQL term syntax and full
escaping, so a value cannot change the query.

Results are normalised (language-tag case, canonical numbers and durations, the derived
integer types such as ``xsd:nonNegativeInteger`` as ``xsd:integer`` (Oxigraph stores them so),
``xsd:string`` as plain literals, sorted ``lists`` columns) so that the rdflib memory store,
embedded Oxigraph and remote SPARQL endpoints give identical tables.
"""

from __future__ import annotations

import csv
import datetime as dt
import difflib
import io
import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from functools import lru_cache
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from rdflib import BNode, Dataset, Graph, Literal, URIRef
from rdflib.namespace import XSD
from rdflib.plugins.sparql.algebra import translateQuery
from rdflib.plugins.sparql.parser import parseQuery
from rdflib.plugins.stores.memory import Memory
from rdflib.query import Result, ResultRow
from rdflib.term import Node

from kgtool.errors import KgtoolError
from kgtool.project import PREFIXES, Project, canonical_language_tag

PARAM_TYPES: tuple[str, ...] = (
    "iri",
    "string",
    "langString",
    "integer",
    "decimal",
    "date",
    "gYear",
    "boolean",
    "duration",
)
FORMATS: tuple[str, ...] = ("table", "csv", "tsv", "json", "md")
LIST_SEPARATOR = " | "
HEADER_KEYS = ("summary", "param", "tags", "lists")

_HEADER_RE = re.compile(r"^#\+\s*([A-Za-z][\w-]*)\s*:\s*(.*?)\s*$")
_NAME_RE = re.compile(r"^[A-Za-z_][A-Za-z0-9_]*$")
_PARAM_HEAD_RE = re.compile(
    r"^(?P<name>\S+)\s+(?P<type>\S+)(?:\s*=\s*(?P<default>.*?))?$",
)
# XSD lexical forms, matched whole (fullmatch); whitespace collapses for these datatypes, and
# only ASCII digits count (int() and \d also take "1_000" and other scripts' digits).
_INTEGER_RE = re.compile(r"\s*[+-]?[0-9]+\s*")
_DECIMAL_RE = re.compile(r"\s*[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\s*")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}")
#: A decimal in kgtool's canonical form, or an integer-looking one that only lacks its ".0".
_CANONICAL_DECIMAL_RE = re.compile(r"-?(?:0|[1-9][0-9]*)(\.(?:0|[0-9]*[1-9]))?")
_GYEAR_RE = re.compile(r"^-?\d{4,}$")
_DURATION_RE = re.compile(
    r"^-?P(?=\d|T\d)(\d+Y)?(\d+M)?(\d+D)?(T(?=\d)(\d+H)?(\d+M)?(\d+(\.\d+)?S)?)?$"
)
_LANG_RE = re.compile(r"^[A-Za-z]{1,8}(-[A-Za-z0-9]{1,8})*$")
_SCHEME_RE = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*:")
_IRI_BAD_CHAR_RE = re.compile(r'[<>"{}|^`\\\x00-\x20]')
_PNAME_LOCAL_RE = re.compile(r"^[A-Za-z0-9_]([A-Za-z0-9_.-]*[A-Za-z0-9_-])?$")

_INTEGER_TYPES = {
    XSD[name]
    for name in (
        "integer",
        "int",
        "long",
        "short",
        "byte",
        "nonNegativeInteger",
        "nonPositiveInteger",
        "positiveInteger",
        "negativeInteger",
        "unsignedLong",
        "unsignedInt",
        "unsignedShort",
        "unsignedByte",
    )
}


@dataclass(frozen=True)
class Param:
    """A declared query parameter: ``#+ param: NAME TYPE [= DEFAULT] -- description``."""

    name: str
    type: str
    default: str | None
    description: str

    @property
    def required(self) -> bool:
        return self.default is None

    def signature(self) -> str:
        """Return the parameter as shown by ``kgtool query --list``."""
        default = "" if self.default is None else f" = {self.default}"
        return f"{self.name} {self.type}{default}"


@dataclass(frozen=True)
class LibraryQuery:
    """A query of the library: its file, its ``#+`` headers and its text."""

    name: str
    path: Path
    summary: str
    params: tuple[Param, ...]
    text: str
    tags: tuple[str, ...] = ()
    lists: tuple[str, ...] = ()

    def param(self, name: str) -> Param | None:
        """Return the declared parameter ``name``, if any."""
        return next((p for p in self.params if p.name == name), None)


Row = tuple[Node | None, ...]


@dataclass(frozen=True)
class ResultTable:
    """The answer of a SELECT (columns and rows) or of an ASK (``boolean``)."""

    columns: tuple[str, ...]
    rows: tuple[Row, ...]
    boolean: bool | None = None

    def render(self, fmt: str = "table") -> str:
        """Return the table in ``fmt``: table, csv, tsv, json or md."""
        renderers = {
            "table": render_table,
            "csv": render_csv,
            "tsv": render_tsv,
            "json": render_json,
            "md": render_markdown,
        }
        if fmt not in renderers:
            raise KgtoolError(f"unknown format {fmt!r}; choose one of {', '.join(FORMATS)}")
        return renderers[fmt](self)


@runtime_checkable
class SparqlService(Protocol):
    """A remote SPARQL endpoint as ``run_query`` needs it (``kgtool.endpoint.Endpoint``)."""

    def select(self, query: str) -> tuple[list[str], list[Row]]: ...

    def ask(self, query: str) -> bool: ...


class _HasDataset(Protocol):
    dataset: Dataset


Target = _HasDataset | Graph | SparqlService


# --- the library -----------------------------------------------------------------------------


def list_queries(project: Project) -> list[LibraryQuery]:
    """Return every query of ``project``'s library (``queries/*.rq``), sorted by name."""
    folder = project.queries_dir
    if not folder.is_dir():
        return []
    return [parse_query_file(path) for path in sorted(folder.glob("*.rq"))]


def load_query(name_or_path: str | Path, project: Project) -> LibraryQuery:
    """Return the library query called ``name_or_path``, or the ``.rq`` file it names."""
    text = str(name_or_path)
    path = Path(text)
    if text.endswith(".rq") or "/" in text or path.is_file():
        if not path.is_file():
            raise KgtoolError(f"{path}: no such query file")
        return parse_query_file(path)
    candidate = project.queries_dir / f"{text}.rq"
    if candidate.is_file():
        return parse_query_file(candidate)
    names = sorted(p.stem for p in project.queries_dir.glob("*.rq"))
    close = difflib.get_close_matches(text, names, n=3, cutoff=0.5)
    close += [n for n in names if text in n and n not in close][: 3 - len(close)]
    hint = f"did you mean {', '.join(close)}?" if close else "see `kgtool query --list`"
    raise KgtoolError(f"unknown query {text!r} in {project.queries_dir}; {hint}")


def parse_query_file(path: Path) -> LibraryQuery:
    """Read a ``.rq`` file and its ``#+`` headers (see the module docstring)."""
    try:
        text = path.read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError) as exc:
        raise KgtoolError(f"{path}: cannot read: {exc}") from exc
    summary: str | None = None
    params: list[Param] = []
    tags: list[str] = []
    lists: list[str] = []
    for lineno, line in enumerate(text.splitlines(), start=1):
        stripped = line.strip()
        if not stripped:
            continue
        if not stripped.startswith("#"):
            break  # headers live in the leading comment block
        match = _HEADER_RE.match(stripped)
        if not match:
            continue
        key, value = match.group(1), match.group(2)
        where = f"{path}:{lineno}"
        if key == "summary":
            if summary is not None:
                raise KgtoolError(f"{where}: a second '#+ summary:' header")
            if not value:
                raise KgtoolError(f"{where}: empty '#+ summary:' header")
            summary = value
        elif key == "param":
            param = _parse_param(value, where)
            if any(p.name == param.name for p in params):
                raise KgtoolError(f"{where}: parameter {param.name!r} declared twice")
            params.append(param)
        elif key == "tags":
            tags.extend(t for t in re.split(r"[,\s]+", value) if t)
        elif key == "lists":
            lists.extend(t.lstrip("?") for t in re.split(r"[,\s]+", value) if t)
        else:
            raise KgtoolError(
                f"{where}: unknown header '#+ {key}:'; known: {', '.join(HEADER_KEYS)}"
            )
    if summary is None:
        raise KgtoolError(f"{path}: no '#+ summary: ...' header")
    return LibraryQuery(path.stem, path, summary, tuple(params), text, tuple(tags), tuple(lists))


def _parse_param(value: str, where: str) -> Param:
    head, sep, description = value.partition(" -- ")
    if not sep or not description.strip():
        raise KgtoolError(
            f"{where}: a parameter reads 'NAME TYPE [= DEFAULT] -- description', got {value!r}"
        )
    match = _PARAM_HEAD_RE.match(head.strip())
    if not match:
        raise KgtoolError(f"{where}: a parameter reads 'NAME TYPE [= DEFAULT] -- description'")
    name, type_, default = match.group("name"), match.group("type"), match.group("default")
    name = name.lstrip("?$")
    if not _NAME_RE.match(name):
        raise KgtoolError(f"{where}: {name!r} is not a SPARQL variable name")
    if type_ not in PARAM_TYPES:
        raise KgtoolError(
            f"{where}: parameter {name!r} has unknown type {type_!r}; "
            f"choose one of {', '.join(PARAM_TYPES)}"
        )
    if default is not None:
        default = default.strip()
        if len(default) >= 2 and default[0] == default[-1] == '"':
            default = default[1:-1]
    param = Param(name, type_, default, description.strip())
    if default is not None:
        try:
            parse_param_value(param, default)
        except KgtoolError as exc:
            raise KgtoolError(f"{where}: bad default: {exc}") from exc
    return param


# --- parameters ------------------------------------------------------------------------------


def parse_param_value(param: Param, raw: str) -> Node:
    """Return the RDF term for ``raw`` as a value of ``param``; KgtoolError when ill-typed."""
    value = raw.strip()

    def bad(expected: str) -> KgtoolError:
        return KgtoolError(f"parameter {param.name!r} ({param.type}): {raw!r} is not {expected}")

    kind = param.type
    if kind == "iri":
        return URIRef(_expand_iri(value, bad))
    if kind == "string":
        return Literal(raw)
    if kind == "langString":
        text, sep, lang = raw.rpartition("@")
        if not sep or not _LANG_RE.match(lang):
            raise bad("text@lang (a language-tagged string such as Fanlar@uz-Latn)")
        return Literal(text, lang=canonical_language_tag(lang))
    if kind == "integer":
        if not _INTEGER_RE.fullmatch(value):
            raise bad("an integer")
        return Literal(str(int(value)), datatype=XSD.integer)
    if kind == "decimal":
        if not _DECIMAL_RE.fullmatch(value):
            raise bad("a decimal number")
        return Literal(_canonical_decimal(Decimal(value)), datatype=XSD.decimal)
    if kind == "date":
        if value == "today":
            return Literal(dt.date.today().isoformat(), datatype=XSD.date)
        try:
            if not _DATE_RE.fullmatch(value):
                raise ValueError
            dt.date.fromisoformat(value)
        except ValueError:
            raise bad("a date YYYY-MM-DD (or today)") from None
        return Literal(value, datatype=XSD.date)
    if kind == "gYear":
        if not _GYEAR_RE.match(value):
            raise bad("a year such as 2024")
        return Literal(value, datatype=XSD.gYear)
    if kind == "boolean":
        if value not in ("true", "false", "1", "0"):
            raise bad("true or false")
        return Literal("true" if value in ("true", "1") else "false", datatype=XSD.boolean)
    if kind == "duration":
        if not _DURATION_RE.match(value):
            raise bad("an xsd:duration such as P6M or P1Y2M")
        return Literal(value, datatype=XSD.duration)
    raise KgtoolError(f"parameter {param.name!r} has unknown type {kind!r}")


def _expand_iri(value: str, bad: Any) -> str:
    if value.startswith("<") and value.endswith(">"):
        value = value[1:-1]
    prefix, sep, local = value.partition(":")
    if sep and prefix in PREFIXES and not local.startswith("//"):
        if local and not _PNAME_LOCAL_RE.match(local):
            raise bad("an IRI or a prefixed name")
        value = PREFIXES[prefix] + local
    if not _SCHEME_RE.match(value) or _IRI_BAD_CHAR_RE.search(value):
        raise bad("an absolute IRI or a prefixed name with a known prefix")
    return value


def bind_params(query: LibraryQuery, values: Mapping[str, str]) -> dict[str, Node]:
    """Check ``values`` against the declared parameters; return every parameter's RDF term."""
    unknown = sorted(set(values) - {p.name for p in query.params})
    if unknown:
        declared = ", ".join(p.name for p in query.params) or "none"
        raise KgtoolError(
            f"query {query.name!r} has no parameter {unknown[0]!r} (declared: {declared})"
        )
    bound: dict[str, Node] = {}
    for param in query.params:
        raw = values.get(param.name, param.default)
        if raw is None:
            raise KgtoolError(
                f"query {query.name!r} needs parameter {param.name!r} ({param.type}): "
                f"--param {param.name}=VALUE"
            )
        bound[param.name] = parse_param_value(param, raw)
    return bound


def sparql_term(term: Node) -> str:
    """Return ``term`` in SPARQL syntax on one line, escaped so it cannot end early."""
    if isinstance(term, URIRef):
        iri = str(term)
        if _IRI_BAD_CHAR_RE.search(iri):
            raise KgtoolError(f"{iri!r} is not a valid IRI")
        return f"<{iri}>"
    if isinstance(term, Literal):
        text = _escape_string(str(term))
        if term.language:
            return f'"{text}"@{term.language}'
        if term.datatype is not None and term.datatype != XSD.string:
            return f'"{text}"^^{sparql_term(term.datatype)}'
        return f'"{text}"'
    if isinstance(term, BNode):
        return f"_:{term}"
    raise KgtoolError(f"cannot write {term!r} as a SPARQL term")


def _escape_string(text: str) -> str:
    return (
        text.replace("\\", "\\\\")
        .replace('"', '\\"')
        .replace("\n", "\\n")
        .replace("\r", "\\r")
        .replace("\t", "\\t")
    )


def inject_values(text: str, bindings: Mapping[str, Node]) -> str:
    """Return ``text`` with a one-row ``VALUES`` block for ``bindings`` opening its WHERE group."""
    if not bindings:
        return text
    names = " ".join(f"?{name}" for name in bindings)
    terms = " ".join(sparql_term(term) for term in bindings.values())
    block = f" VALUES ({names}) {{ ({terms}) }} "
    position = _where_group_start(text)
    return text[:position] + block + text[position:]


@lru_cache(maxsize=256)
def _where_group_start(text: str) -> int:
    """Return the index just after the ``{`` that opens the query's WHERE group.

    Scans the text outside comments, strings and IRIs: the group is the first ``{`` at nesting
    depth 0 after a top-level ``WHERE`` keyword, or else the first top-level ``{`` (SELECT and
    ASK may leave ``WHERE`` out).
    """
    first_brace: int | None = None
    saw_where = False
    depth = paren = 0
    i, n = 0, len(text)
    form: str | None = None
    while i < n:
        c = text[i]
        if c == "#":
            end = text.find("\n", i)
            i = n if end < 0 else end + 1
            continue
        if c in "\"'":
            quote = text[i : i + 3] if text[i : i + 3] in ('"""', "'''") else c
            j = i + len(quote)
            while j < n and not text.startswith(quote, j):
                j += 2 if text[j] == "\\" else 1
            i = j + len(quote)
            continue
        if c == "<":
            match = re.match(r"<[^<>\"{}|^`\\\s]*>", text[i:])
            if match:
                i += match.end()
                continue
        if c.isalpha() and (i == 0 or not (text[i - 1].isalnum() or text[i - 1] in "_:?$")):
            match = re.match(r"[A-Za-z_][A-Za-z0-9_]*", text[i:])
            assert match is not None
            word = match.group(0).upper()
            if depth == 0 and paren == 0:
                if word in ("SELECT", "ASK", "CONSTRUCT", "DESCRIBE") and form is None:
                    form = word
                elif word == "WHERE":
                    saw_where = True
            i += match.end()
            continue
        if c == "(":
            paren += 1
        elif c == ")":
            paren -= 1
        elif c == "{":
            if depth == 0 and paren == 0:
                if saw_where:
                    return i + 1
                if first_brace is None:
                    first_brace = i + 1
            depth += 1
        elif c == "}":
            depth -= 1
        i += 1
    if first_brace is not None and form in ("SELECT", "ASK"):
        return first_brace
    raise KgtoolError("cannot find the query's WHERE group to bind parameters to")


# --- running ---------------------------------------------------------------------------------


def query_form(text: str, origin: str = "query") -> str:
    """Return SELECT, ASK, CONSTRUCT or DESCRIBE; KgtoolError naming ``origin`` if unparsable."""
    return _form_of(_parsed(text, origin))


def _parsed(text: str, origin: str) -> Any:
    """Return rdflib's parse of ``text``; KgtoolError naming ``origin`` if unparsable."""
    try:
        return parseQuery(text)
    except Exception as exc:  # pyparsing raises several kinds
        message = str(exc).splitlines()[0] if str(exc) else type(exc).__name__
        raise KgtoolError(f"{origin}: not valid SPARQL 1.1: {message}") from exc


def _form_of(parsed: Any) -> str:
    name = str(parsed[1].name)
    return {
        "SelectQuery": "SELECT",
        "AskQuery": "ASK",
        "ConstructQuery": "CONSTRUCT",
        "DescribeQuery": "DESCRIBE",
    }.get(name, name)


def prepare(query: LibraryQuery, params: Mapping[str, str]) -> str:
    """Return the query text with its parameters bound (checked and typed)."""
    bindings = bind_params(query, params)
    return inject_values(query.text, bindings)


def run_query(
    query: LibraryQuery, target: Target, params: Mapping[str, str] | None = None
) -> ResultTable:
    """Run a SELECT or ASK library query on a loaded graph, a Dataset/Graph or an Endpoint."""
    text = prepare(query, params or {})
    if getattr(target, "store", None) == "oxigraph" and hasattr(target, "dataset"):
        return _run_on_oxigraph(query, text, target)
    parsed = _parsed(text, str(query.path))
    form = _form_of(parsed)
    if form not in ("SELECT", "ASK"):
        raise KgtoolError(f"{query.path}: a {form} query; the library runs SELECT and ASK")
    if isinstance(target, SparqlService):
        if form == "ASK":
            return ResultTable(("ask",), (), target.ask(text))
        names, remote_rows = target.select(text)
        return normalise_table(tuple(names), remote_rows, query.lists)
    graph = target if isinstance(target, Graph) else target.dataset
    try:
        # rdflib's own engine gets the parse above, translated as Graph.query would (the
        # graph's prefixes bound): parsing a library query again cost as much as running it
        # on a small graph. A store with its own engine gets the text.
        runs = isinstance(graph.store, Memory)
        prepared = translateQuery(parsed, initNs=dict(graph.namespaces())) if runs else text
        result: Result = graph.query(prepared)
    except Exception as exc:  # the engines raise many kinds; all mean the query failed
        raise KgtoolError(f"{query.path}: query failed: {_one_line(exc)}") from exc
    if result.type == "ASK":
        return ResultTable(("ask",), (), bool(result.askAnswer))
    columns = tuple(str(v) for v in (result.vars or []))
    rows = [tuple(row) for row in result if isinstance(row, ResultRow)]
    return normalise_table(columns, rows, query.lists)


def _run_on_oxigraph(query: LibraryQuery, text: str, loaded: Any) -> ResultTable:
    """Run ``text`` on the Oxigraph store under a loaded dataset, without rdflib in between.

    The same engine and union default graph as ``Dataset.query`` (oxrdflib), but the
    query is parsed once (by Oxigraph, not also by rdflib's pyparsing grammar) and each distinct
    result term becomes one normalised rdflib term, converted once (oxrdflib converts every
    cell, language tags are re-cased, and normalising makes a third copy).
    """
    from kgtool.graph import oxigraph_store, query_store

    prefixes = _undeclared_prefixes(text, loaded.dataset)
    try:
        result = query_store(
            oxigraph_store(loaded),
            text,
            prefixes=prefixes,
            forms=("SELECT", "ASK"),
            convert=_term_from_store,
        )
    except SyntaxError as exc:
        raise KgtoolError(f"{query.path}: not valid SPARQL 1.1: {_one_line(exc)}") from exc
    except KgtoolError:
        raise
    except Exception as exc:  # the engine raises several kinds; all mean the query failed
        raise KgtoolError(f"{query.path}: query failed: {_one_line(exc)}") from exc
    if result.form == "ASK":
        return ResultTable(("ask",), (), result.boolean)
    if result.form == "GRAPH":
        form = "DESCRIBE" if re.search(r"\bDESCRIBE\b", text, re.IGNORECASE) else "CONSTRUCT"
        raise KgtoolError(f"{query.path}: a {form} query; the library runs SELECT and ASK")
    columns = result.columns
    return ResultTable(columns, tuple(_sorted_lists(columns, result.rows, query.lists)))


# Not after a name character, a variable sigil or ":" (a local name or an IRI's port); after
# "/", "|", "^" or "(" a prefixed name can start (property paths, expressions).
_PREFIX_USE_RE = re.compile(r"(?<![\w?$:.#-])([^\W\d][\w.-]*)?:")
_PREFIX_DECLARATION_RE = re.compile(r"\bPREFIX\s+([^\W\d][\w.-]*)?:", re.IGNORECASE)


def _undeclared_prefixes(text: str, dataset: Dataset) -> dict[str, str]:
    """Return the dataset's prefixes that ``text`` may use without declaring them.

    Handing Oxigraph every bound prefix on each run costs more than a small query; a name that
    only looks like a prefix (in a string or an IRI) costs a lookup and nothing else.
    """
    prefixes: dict[str, str] = {}
    for prefix in _prefix_candidates(text):
        namespace = dataset.namespace_manager.store.namespace(prefix)
        if namespace is not None:
            prefixes[prefix] = str(namespace)
    return prefixes


@lru_cache(maxsize=256)
def _prefix_candidates(text: str) -> frozenset[str]:
    """Return the names in ``text`` that look like prefixes it uses and does not declare."""
    declared = set(_PREFIX_DECLARATION_RE.findall(text))
    return frozenset(set(_PREFIX_USE_RE.findall(text)) - declared)


def _term_from_store(kind: str, value: str, language: str, datatype: str) -> Node:
    """Return the normalised rdflib term (see ``normalise_term``) of a result term's parts
    (see ``kgtool.graph.TermConverter``)."""
    if kind == "iri":
        # Oxigraph only holds valid IRIs: URIRef's own check would only repeat it.
        return _new_str(URIRef, value)
    if kind == "literal":
        if language:
            return _language_literal(value, canonical_language_tag(language))
        return _normalised_literal(value, datatype)
    return BNode(value)


def _sorted_lists(columns: tuple[str, ...], rows: Sequence[Row], lists: Sequence[str]) -> list[Row]:
    """Return ``rows`` with the items of the ``lists`` columns sorted (see the docstring)."""
    list_columns = [i for i, name in enumerate(columns) if name in lists]
    if not list_columns:
        return list(rows)
    out: list[Row] = []
    for row in rows:
        cells: list[Node | None] | None = None  # a copy only when an engine left a list unsorted
        for i in list_columns:
            cell = row[i]
            if isinstance(cell, Literal) and LIST_SEPARATOR in cell:
                items = cell.split(LIST_SEPARATOR)
                ordered = sorted(set(items))
                if ordered == items and cell.datatype is None:
                    continue
                joined = LIST_SEPARATOR.join(ordered)
                if cells is None:
                    cells = list(row)
                if cell.datatype is None:
                    cells[i] = _built_literal(joined, cell.language, None, joined, None)
                else:
                    cells[i] = Literal(joined, lang=cell.language)
        out.append(row if cells is None else tuple(cells))
    return out


def _one_line(exc: BaseException) -> str:
    text = " ".join(str(exc).split()) or type(exc).__name__
    return text[:300]


# --- normalisation ---------------------------------------------------------------------------


def normalise_table(
    columns: tuple[str, ...], rows: Sequence[Sequence[Node | None]], lists: Sequence[str] = ()
) -> ResultTable:
    """Return a ResultTable whose terms are written the same way whatever engine made them."""
    normalised = [tuple(normalise_term(term) for term in row) for row in rows]
    return ResultTable(columns, tuple(_sorted_lists(columns, normalised, lists)))


def _canonical_decimal(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    if "." not in text:
        text += ".0"
    return "0.0" if text in ("-0.0", "+0.0") else text


_DURATION_PARTS_RE = re.compile(
    r"^(?P<sign>-?)P(?:(?P<Y>\d+)Y)?(?:(?P<M>\d+)M)?(?:(?P<D>\d+)D)?"
    r"(?:T(?:(?P<H>\d+)H)?(?:(?P<MI>\d+)M)?(?:(?P<S>\d+(?:\.\d*)?)S)?)?$"
)
_DURATION_TYPES = {XSD.duration, XSD.yearMonthDuration, XSD.dayTimeDuration}


def duration_from_parts(months: int, seconds: Decimal) -> str:
    """Return the canonical ``xsd:duration`` of a signed month count plus a second count."""
    negative = months < 0 or seconds < 0
    months, seconds = abs(months), abs(seconds)
    years, months = divmod(months, 12)
    days, rest = divmod(seconds, 86400)
    hours, rest = divmod(rest, 3600)
    minutes, rest = divmod(rest, 60)
    date = "".join(f"{int(n)}{u}" for n, u in ((years, "Y"), (months, "M"), (days, "D")) if n)
    time = "".join(f"{int(n)}{u}" for n, u in ((hours, "H"), (minutes, "M")) if n)
    if rest:
        time += f"{format(rest.normalize(), 'f')}S"
    if not date and not time:
        return "PT0S"
    return ("-" if negative else "") + "P" + date + (f"T{time}" if time else "")


def canonical_duration(lexical: str) -> str | None:
    """Return ``lexical`` as a canonical ``xsd:duration`` (``P12M`` → ``P1Y``), None if invalid."""
    match = _DURATION_PARTS_RE.match(lexical.strip())
    if not match or lexical.strip() in ("P", "-P") or lexical.strip().endswith("T"):
        return None
    part = {k: v or "0" for k, v in match.groupdict().items()}
    months = int(part["Y"]) * 12 + int(part["M"])
    seconds = (
        Decimal(part["D"]) * 86400
        + Decimal(part["H"]) * 3600
        + Decimal(part["MI"]) * 60
        + Decimal(part["S"])
    )
    sign = -1 if part["sign"] == "-" else 1
    return duration_from_parts(sign * months, sign * seconds)


def normalise_term(term: Node | None) -> Node | None:
    """Return ``term`` with a canonical lexical form (see the module docstring)."""
    if not isinstance(term, Literal):
        return term
    lexical = str(term)
    if term.language:
        return _language_literal(lexical, canonical_language_tag(term.language))
    return _normalised_literal(lexical, None if term.datatype is None else str(term.datatype))


_XSD_STRING = str(XSD.string)
# Datatype IRIs as strings: attribute access on rdflib's XSD namespace costs microseconds each.
_INTEGER_IRIS = frozenset(str(t) for t in _INTEGER_TYPES)
_DURATION_IRIS = frozenset(str(t) for t in _DURATION_TYPES)
_XSD_INTEGER = URIRef(str(XSD.integer))
_XSD_DECIMAL_IRI = str(XSD.decimal)
_FLOAT_IRIS = frozenset((str(XSD.double), str(XSD.float)))
_XSD_BOOLEAN_IRI = str(XSD.boolean)
_XSD_BOOLEAN = URIRef(_XSD_BOOLEAN_IRI)
_XSD_DATE_IRI = str(XSD.date)
_XSD_DATE = URIRef(_XSD_DATE_IRI)


def _normalised_literal(lexical: str, datatype_iri: str | None) -> Literal:
    """Return the literal ``lexical``^^``datatype_iri`` in its canonical form (one copy)."""
    if datatype_iri is None or datatype_iri == _XSD_STRING:
        return _built_literal(lexical, None, None, lexical, None)
    try:
        if datatype_iri in _INTEGER_IRIS:
            # Oxigraph stores the derived integer types as xsd:integer; so does kgtool.
            if not _INTEGER_RE.fullmatch(lexical):
                return Literal(lexical, datatype=_XSD_INTEGER, normalize=False)
            number = int(lexical)
            return _built_literal(str(number), None, _XSD_INTEGER, number, False)
        if datatype_iri == _XSD_BOOLEAN_IRI:
            flag = lexical.strip() in ("true", "1")
            if flag or lexical.strip() in ("false", "0"):
                return _built_literal("true" if flag else "false", None, _XSD_BOOLEAN, flag, False)
            return Literal(lexical, datatype=_XSD_BOOLEAN, normalize=False)
        if datatype_iri == _XSD_DATE_IRI and _DATE_RE.fullmatch(lexical):
            # a well-formed date is already canonical (rdflib writes it back as isoformat)
            return _built_literal(lexical, None, _XSD_DATE, dt.date.fromisoformat(lexical), False)
        datatype = _datatype_ref(datatype_iri)
        if datatype_iri == _XSD_DECIMAL_IRI:
            plain_form = _CANONICAL_DECIMAL_RE.fullmatch(lexical)
            if plain_form and not lexical.startswith("-0"):  # -0 and -0.5 go the long way
                # as engines write decimals: at most ".0" to add, one Decimal to make
                decimal = lexical if plain_form.group(1) else lexical + ".0"
                return _built_literal(decimal, None, datatype, Decimal(decimal), False)
            if not _DECIMAL_RE.fullmatch(lexical):
                return Literal(lexical, datatype=datatype, normalize=False)
            decimal = _canonical_decimal(Decimal(lexical))
            return _built_literal(decimal, None, datatype, Decimal(decimal), False)
        if datatype_iri in _FLOAT_IRIS:
            return Literal(repr(float(lexical.strip())), datatype=datatype)
        if datatype_iri in _DURATION_IRIS:
            canonical = canonical_duration(lexical)
            return Literal(canonical or lexical, datatype=datatype)
    except (ValueError, InvalidOperation):
        pass  # an ill-typed literal keeps its lexical form
    return Literal(lexical, datatype=_datatype_ref(datatype_iri), normalize=False)


@lru_cache(maxsize=1024)
def _datatype_ref(iri: str) -> URIRef:
    return URIRef(iri)


_new_str = str.__new__
_LANGUAGE_TAG_RE = re.compile(r"[a-zA-Z]+(?:-[a-zA-Z0-9]+)*")  # what rdflib's Literal accepts


def _built_literal(
    lexical: str, language: str | None, datatype: URIRef | None, value: Any, ill_typed: bool | None
) -> Literal:
    """Return the Literal that ``Literal(lexical, language, datatype)`` would, without its checks.

    Only for lexical forms already canonical and well formed, with ``value`` the Python value
    rdflib gives them: rdflib's constructor re-parses and re-normalises each one, which made
    turning a large answer into rdflib terms cost as much as the query itself.
    """
    literal = _new_str(Literal, lexical)
    literal._language = language
    literal._datatype = datatype
    literal._value = value
    literal._ill_typed = ill_typed
    return literal


def _language_literal(lexical: str, language: str) -> Literal:
    """Return the language-tagged literal ``lexical``@``language``."""
    if _LANGUAGE_TAG_RE.fullmatch(language):
        return _built_literal(lexical, language, None, lexical, None)
    return Literal(lexical, lang=language)  # rdflib raises its own error for a bad tag


# --- renderers -------------------------------------------------------------------------------


def plain(term: Node | None) -> str:
    """Return a term as SPARQL CSV writes it: the IRI or the lexical form; empty when unbound."""
    return "" if term is None else str(term)


def compact(term: Node | None) -> str:
    """Return a term for reading: IRIs as prefixed names where a project prefix fits."""
    if isinstance(term, URIRef):
        iri = str(term)
        best = ""
        for prefix, namespace in PREFIXES.items():
            if iri.startswith(namespace) and len(namespace) > len(PREFIXES.get(best, "")):
                local = iri[len(namespace) :]
                if not local or _PNAME_LOCAL_RE.match(local):
                    best = prefix
        return f"{best}:{iri[len(PREFIXES[best]) :]}" if best else iri
    return plain(term)


def tsv_term(term: Node | None) -> str:
    """Return a term as SPARQL TSV writes it (Turtle syntax, one line); empty when unbound."""
    return "" if term is None else sparql_term(term)


def render_tsv(table: ResultTable) -> str:
    if table.boolean is not None:
        return "?ask\n" + ("true" if table.boolean else "false") + "\n"
    lines = ["\t".join(f"?{c}" for c in table.columns)]
    lines += ["\t".join(tsv_term(t) for t in row) for row in table.rows]
    return "\n".join(lines) + "\n"


def render_csv(table: ResultTable) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    if table.boolean is not None:
        writer.writerows([["ask"], ["true" if table.boolean else "false"]])
    else:
        writer.writerow(table.columns)
        writer.writerows([plain(t) for t in row] for row in table.rows)
    return buffer.getvalue()


def json_term(term: Node) -> dict[str, str]:
    """Return a term in the SPARQL 1.1 JSON results format."""
    if isinstance(term, URIRef):
        return {"type": "uri", "value": str(term)}
    if isinstance(term, BNode):
        return {"type": "bnode", "value": str(term)}
    assert isinstance(term, Literal)
    out = {"type": "literal", "value": str(term)}
    if term.language:
        out["xml:lang"] = term.language
    elif term.datatype is not None:
        out["datatype"] = str(term.datatype)
    return out


def render_json(table: ResultTable) -> str:
    document: dict[str, Any]
    if table.boolean is not None:
        document = {"head": {}, "boolean": table.boolean}
    else:
        bindings = [
            {c: json_term(t) for c, t in zip(table.columns, row, strict=True) if t is not None}
            for row in table.rows
        ]
        document = {"head": {"vars": list(table.columns)}, "results": {"bindings": bindings}}
    return json.dumps(document, ensure_ascii=False, indent=2) + "\n"


def _cells(table: ResultTable) -> tuple[list[str], list[list[str]]]:
    if table.boolean is not None:
        return ["ask"], [["true" if table.boolean else "false"]]
    return list(table.columns), [[compact(t) for t in row] for row in table.rows]


def render_table(table: ResultTable) -> str:
    header, body = _cells(table)
    body = [[" ".join(cell.split()) for cell in row] for row in body]
    widths = [max([len(h)] + [len(r[i]) for r in body]) for i, h in enumerate(header)]
    lines = ["  ".join(h.ljust(w) for h, w in zip(header, widths, strict=True)).rstrip()]
    lines.append("  ".join("-" * w for w in widths))
    lines += ["  ".join(c.ljust(w) for c, w in zip(r, widths, strict=True)).rstrip() for r in body]
    count = len(body)
    lines.append(f"({count} row{'s' if count != 1 else ''})")
    return "\n".join(lines) + "\n"


def render_markdown(table: ResultTable) -> str:
    header, body = _cells(table)

    def cell(text: str) -> str:
        return " ".join(text.split()).replace("\\", "\\\\").replace("|", "\\|")

    lines = ["| " + " | ".join(cell(h) for h in header) + " |"]
    lines.append("|" + "|".join("---" for _ in header) + "|")
    lines += ["| " + " | ".join(cell(c) for c in row) + " |" for row in body]
    return "\n".join(lines) + "\n"


__all__ = [
    "FORMATS",
    "PARAM_TYPES",
    "LibraryQuery",
    "Param",
    "ResultTable",
    "SparqlService",
    "bind_params",
    "canonical_duration",
    "compact",
    "duration_from_parts",
    "inject_values",
    "list_queries",
    "load_query",
    "normalise_table",
    "normalise_term",
    "parse_param_value",
    "parse_query_file",
    "plain",
    "prepare",
    "query_form",
    "render_csv",
    "render_json",
    "render_markdown",
    "render_table",
    "render_tsv",
    "run_query",
    "sparql_term",
]
