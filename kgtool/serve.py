"""Serve the linked-data site and a read-only SPARQL 1.1 Protocol endpoint (Starlette + uvicorn).

Routes:

* ``/sparql``: SPARQL 1.1 Protocol queries (GET ``?query=``, POST form-encoded, POST
  ``application/sparql-query``) on the embedded Oxigraph store, the default graph being the
  union of all graphs (unless ``default-graph-uri`` says otherwise). SELECT/ASK answer SPARQL
  JSON, XML, CSV or TSV by ``Accept``; CONSTRUCT/DESCRIBE answer Turtle, N-Triples, JSON-LD or
  RDF/XML (when nothing offered fits, SPARQL JSON and Turtle are the defaults).
  Updates are refused (403). Each query runs in a forked worker process that is killed when
  ``timeout`` passes (Oxigraph queries cannot be interrupted from Python); at most
  ``max_rows`` rows or triples are returned, and a cut answer carries the header
  ``X-Kgtool-Truncated``. A malformed query answers 400 with the parser's message.
* ``/id/<type>/<slug>``: 303 See Other to ``/doc/<type>/<slug>.<ext>`` chosen by ``Accept``.
* ``/doc/<type>/<slug>``: the document in the negotiated format (``Vary: Accept``).
* ``/query``: a query page (the library's queries with their parameters, an editor, a
  result table, CSV download); ``/api/queries`` lists the library; ``/api/query/<name>`` runs a
  library query with its parameters bound by ``kgtool.queries`` (values never enter the text).
* everything else: the static site written by ``kgtool.publish``.

GET answers carry ``Access-Control-Allow-Origin: *``. The server binds to 127.0.0.1 unless told.
"""

from __future__ import annotations

import asyncio
import contextlib
import math
import mimetypes
import multiprocessing
import re
import shutil
import socket
import tempfile
from collections.abc import AsyncIterator, Callable
from dataclasses import dataclass, field
from html import escape
from multiprocessing.connection import Connection
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs
from xml.sax.saxutils import escape as xml_escape
from xml.sax.saxutils import quoteattr

import uvicorn
from rdflib import BNode, Literal, URIRef
from rdflib.term import Node
from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.requests import Request
from starlette.responses import (
    FileResponse,
    JSONResponse,
    PlainTextResponse,
    RedirectResponse,
    Response,
)
from starlette.routing import Mount, Route
from starlette.staticfiles import StaticFiles

from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, OxStore, forkable_store, query_store
from kgtool.project import ID
from kgtool.publish import DOC_FORMATS, doc_path, html_page, publish, serialize_triples
from kgtool.queries import (
    ResultTable,
    list_queries,
    load_query,
    prepare,
    render_csv,
    render_json,
    render_tsv,
)
from kgtool.viz import json_for_script

DEFAULT_TIMEOUT = 10.0
DEFAULT_MAX_ROWS = 10_000
TRUNCATED_HEADER = "X-Kgtool-Truncated"
#: Queries running at once (each in its own worker process).
MAX_WORKERS = 4

#: SELECT/ASK result media types -> renderer name; the first is the default.
RESULT_TYPES: dict[str, str] = {
    "application/sparql-results+json": "json",
    "application/json": "json",
    "application/sparql-results+xml": "xml",
    "application/xml": "xml",
    "text/xml": "xml",
    "text/csv": "csv",
    "text/tab-separated-values": "tsv",
}
#: CONSTRUCT/DESCRIBE media types -> serialisation; the first is the default.
GRAPH_TYPES: dict[str, str] = {
    "text/turtle": "turtle",
    "application/n-triples": "nt",
    "application/ld+json": "jsonld",
    "application/rdf+xml": "xml",
    "text/plain": "nt",
}
_RESULT_MEDIA = {
    "json": "application/sparql-results+json",
    "xml": "application/sparql-results+xml",
    "csv": "text/csv; charset=utf-8",
    "tsv": "text/tab-separated-values; charset=utf-8",
}
_GRAPH_MEDIA = {
    "turtle": "text/turtle; charset=utf-8",
    "nt": "application/n-triples",
    "jsonld": "application/ld+json",
    "xml": "application/rdf+xml",
}
#: Media types of the site's RDF files (Python's mimetypes does not know them all).
for _ext, _type in {
    ".ttl": "text/turtle",
    ".nt": "application/n-triples",
    ".jsonld": "application/ld+json",
    ".trig": "application/trig",
}.items():
    mimetypes.add_type(_type, _ext)


# --- content negotiation -------------------------------------------------------------------


def negotiate(accept: str | None, offers: list[str]) -> str | None:
    """Return the offer ``accept`` prefers (q-values, ``type/*``, ``*/*``); the first offer
    when there is no Accept header; None when nothing offered is acceptable."""
    if not accept or not accept.strip():
        return offers[0]
    ranges: list[tuple[str, float, int]] = []
    for position, part in enumerate(accept.split(",")):
        pieces = [p.strip() for p in part.split(";")]
        media = pieces[0].lower()
        quality = 1.0
        for param in pieces[1:]:
            key, _, value = param.partition("=")
            if key.strip().lower() == "q":
                try:
                    quality = float(value)
                except ValueError:
                    quality = 0.0
        if media:
            ranges.append((media, quality, position))

    def quality_of(offer: str) -> float:
        """The quality of the most specific range that matches ``offer``."""
        main = offer.split("/")[0]
        best, quality = -1, 0.0
        for media, q, _position in ranges:
            specificity = (
                2 if media == offer else 1 if media == f"{main}/*" else 0 if media == "*/*" else -1
            )
            if specificity > best:
                best, quality = specificity, q
        return quality

    scored = [(quality_of(offer), -i, offer) for i, offer in enumerate(offers)]
    acceptable = [s for s in scored if s[0] > 0]
    return max(acceptable)[2] if acceptable else None


# --- running a query in a worker process ------------------------------------------------------


@dataclass(frozen=True)
class QueryJob:
    """One query: its text, the dataset it runs on, and the formats the client accepts."""

    text: str
    accept: str | None
    max_rows: int
    default_graphs: tuple[str, ...] = ()
    named_graphs: tuple[str, ...] = ()
    #: SELECT/ASK only (library queries)
    select_only: bool = False


@dataclass(frozen=True)
class Answer:
    """An HTTP answer computed by a worker."""

    status: int
    media_type: str
    body: bytes
    truncated: bool = False
    headers: dict[str, str] = field(default_factory=dict)


def _text_answer(status: int, message: str) -> Answer:
    return Answer(status, "text/plain; charset=utf-8", (message + "\n").encode("utf-8"))


def render_xml(table: ResultTable) -> str:
    """Return a table in the SPARQL Query Results XML Format."""
    out = ['<?xml version="1.0"?>', '<sparql xmlns="http://www.w3.org/2005/sparql-results#">']
    if table.boolean is not None:
        out += ["<head/>", f"<boolean>{'true' if table.boolean else 'false'}</boolean>"]
        return "\n".join([*out, "</sparql>"]) + "\n"
    out.append("<head>" + "".join(f"<variable name={quoteattr(c)}/>" for c in table.columns))
    out.append("</head>\n<results>")
    for row in table.rows:
        cells = []
        for column, term in zip(table.columns, row, strict=True):
            if term is None:
                continue
            cells.append(f"<binding name={quoteattr(column)}>{_xml_term(term)}</binding>")
        out.append("<result>" + "".join(cells) + "</result>")
    out.append("</results>\n</sparql>")
    return "\n".join(out) + "\n"


def _xml_term(term: Node) -> str:
    if isinstance(term, URIRef):
        return f"<uri>{xml_escape(str(term))}</uri>"
    if isinstance(term, BNode):
        return f"<bnode>{xml_escape(str(term))}</bnode>"
    assert isinstance(term, Literal)
    if term.language:
        return f"<literal xml:lang={quoteattr(term.language)}>{xml_escape(str(term))}</literal>"
    if term.datatype is not None:
        return (
            f"<literal datatype={quoteattr(str(term.datatype))}>{xml_escape(str(term))}</literal>"
        )
    return f"<literal>{xml_escape(str(term))}</literal>"


_RENDERERS: dict[str, Callable[[ResultTable], str]] = {
    "json": render_json,
    "xml": render_xml,
    "csv": render_csv,
    "tsv": render_tsv,
}


def execute(store: OxStore, job: QueryJob) -> Answer:
    """Run ``job`` on ``store`` (in the calling process) and return the HTTP answer."""
    try:
        result = query_store(
            store,
            job.text,
            default_graphs=job.default_graphs,
            named_graphs=job.named_graphs,
            forms=("SELECT", "ASK") if job.select_only else ("SELECT", "ASK", "GRAPH"),
            max_rows=job.max_rows,
        )
    except SyntaxError as exc:
        return _text_answer(400, f"malformed query: {exc}")
    except (ValueError, OSError, RuntimeError) as exc:
        return _text_answer(400, f"query failed: {exc}")
    if result.form == "GRAPH":
        if job.select_only:
            return _text_answer(400, "library queries are SELECT or ASK")
        fmt = GRAPH_TYPES[negotiate(job.accept, list(GRAPH_TYPES)) or "text/turtle"]
        body = serialize_triples(list(result.triples), fmt)
        return Answer(200, _GRAPH_MEDIA[fmt], body, result.truncated)
    table = ResultTable(result.columns, result.rows, result.boolean)
    fmt = _result_format(job.accept)
    return Answer(200, _RESULT_MEDIA[fmt], _RENDERERS[fmt](table).encode("utf-8"), result.truncated)


def _result_format(accept: str | None) -> str:
    """Return the results format for ``accept``; JSON when nothing offered fits (a client
    that asks a SELECT for Turtle still gets an answer it can read the type of)."""
    chosen = negotiate(accept, list(RESULT_TYPES))
    return RESULT_TYPES[chosen or "application/sparql-results+json"]


def _worker(store: OxStore, job: QueryJob, conn: Connection) -> None:
    try:
        conn.send(execute(store, job))
    except BaseException as exc:  # report, never hang the parent
        conn.send(_text_answer(500, f"query worker failed: {type(exc).__name__}: {exc}"))
    finally:
        conn.close()


def run_with_timeout(store: OxStore, job: QueryJob, timeout: float) -> Answer:
    """Run ``job`` in a forked process; kill it and answer 503 when ``timeout`` passes.

    The fork shares the store's memory copy-on-write, so nothing is copied or re-loaded.
    """
    context = multiprocessing.get_context("fork")
    receiver, sender = context.Pipe(duplex=False)
    process = context.Process(target=_worker, args=(store, job, sender), daemon=True)
    process.start()
    sender.close()
    try:
        if receiver.poll(timeout):
            try:
                answer: Answer = receiver.recv()
            except EOFError:
                return _text_answer(500, "the query worker died")
            return answer
        return _text_answer(
            503, f"query stopped: it ran longer than the {timeout:g} s timeout of this endpoint"
        )
    finally:
        receiver.close()
        if process.is_alive():
            process.kill()
        process.join(5)


# --- the web application ---------------------------------------------------------------------


@dataclass
class ServerState:
    """What the application needs: the store, the site folder and the limits."""

    loaded: LoadedGraph
    store: OxStore
    site_dir: Path
    timeout: float
    max_rows: int
    semaphore: asyncio.Semaphore | None = None
    own_site: bool = False


def _answer_response(answer: Answer, state: ServerState) -> Response:
    headers = dict(answer.headers)
    if answer.truncated:
        headers[TRUNCATED_HEADER] = (
            f"results cut at max-rows={state.max_rows}; add LIMIT/OFFSET to page through them"
        )
    return Response(
        answer.body, status_code=answer.status, media_type=answer.media_type, headers=headers
    )


async def _run(state: ServerState, job: QueryJob) -> Answer:
    if state.semaphore is None:
        state.semaphore = asyncio.Semaphore(MAX_WORKERS)
    async with state.semaphore:
        return await asyncio.to_thread(run_with_timeout, state.store, job, state.timeout)


def _refuse_update() -> Response:
    return PlainTextResponse(
        "this endpoint is read-only: SPARQL updates are refused\n", status_code=403
    )


async def sparql(request: Request) -> Response:
    """The SPARQL 1.1 Protocol endpoint (queries only)."""
    state: ServerState = request.app.state.kgtool
    params = request.query_params
    text: str | None = params.get("query")
    default_graphs = params.getlist("default-graph-uri")
    named_graphs = params.getlist("named-graph-uri")
    if "update" in params:
        return _refuse_update()
    if request.method == "POST":
        content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
        if content_type == "application/sparql-update":
            return _refuse_update()
        if content_type == "application/x-www-form-urlencoded":
            # the standard form encoding, read with the standard library (no multipart here)
            form = parse_qs((await request.body()).decode("utf-8", errors="replace"))
            if "update" in form:
                return _refuse_update()
            text = form.get("query", [text or ""])[0]
            default_graphs += form.get("default-graph-uri", [])
            named_graphs += form.get("named-graph-uri", [])
        elif content_type == "application/sparql-query":
            text = (await request.body()).decode("utf-8", errors="replace")
        else:
            return PlainTextResponse(
                "POST a query as application/sparql-query or form-encoded query=\n",
                status_code=415,
            )
    if not text:
        if "text/html" in request.headers.get("accept", ""):
            return RedirectResponse("/query", status_code=303)
        return PlainTextResponse("missing query parameter: ?query=SELECT ...\n", status_code=400)
    job = QueryJob(
        text,
        request.headers.get("accept"),
        state.max_rows,
        tuple(default_graphs),
        tuple(named_graphs),
    )
    return _answer_response(await _run(state, job), state)


def _doc_file(state: ServerState, rel: str) -> Path | None:
    path = (state.site_dir / rel).resolve()
    if not path.is_relative_to(state.site_dir.resolve()) or not path.is_file():
        return None
    return path


def _doc_negotiate(request: Request, base: str) -> tuple[str | None, bool]:
    """Return the extension for ``base`` (a doc path without extension) the client wants."""
    state: ServerState = request.app.state.kgtool
    offers = [media for ext, media in DOC_FORMATS.items() if _doc_file(state, base + ext)]
    if not offers:
        return None, False
    chosen = negotiate(request.headers.get("accept"), offers)
    if chosen is None:
        return None, True
    return next(ext for ext, media in DOC_FORMATS.items() if media == chosen), True


async def see_other(request: Request) -> Response:
    """``/id/...``: 303 See Other to the document in the format the client accepts."""
    base = doc_path(ID + request.path_params["path"])
    if base is None:
        return PlainTextResponse("not a thing IRI\n", status_code=404)
    ext, exists = _doc_negotiate(request, base)
    if not exists:
        return PlainTextResponse("no such thing\n", status_code=404, headers={"Vary": "Accept"})
    if ext is None:
        return _not_acceptable()
    return RedirectResponse(f"/{base}{ext}", status_code=303, headers={"Vary": "Accept"})


def _not_acceptable() -> Response:
    offered = ", ".join(DOC_FORMATS.values())
    return PlainTextResponse(
        f"acceptable: {offered}\n", status_code=406, headers={"Vary": "Accept"}
    )


async def document(request: Request) -> Response:
    """``/doc/...``: a file as is, or (without an extension) the negotiated format."""
    state: ServerState = request.app.state.kgtool
    rel = "doc/" + request.path_params["path"]
    suffix = Path(rel).suffix
    if suffix in DOC_FORMATS:
        path = _doc_file(state, rel)
        if path is None:
            return PlainTextResponse("not found\n", status_code=404)
        return FileResponse(path, media_type=_with_charset(DOC_FORMATS[suffix]))
    ext, exists = _doc_negotiate(request, rel)
    if not exists:
        return PlainTextResponse("not found\n", status_code=404, headers={"Vary": "Accept"})
    if ext is None:
        return _not_acceptable()
    path = _doc_file(state, rel + ext)
    assert path is not None
    headers = {"Vary": "Accept", "Content-Location": f"/{rel}{ext}"}
    return FileResponse(path, media_type=_with_charset(DOC_FORMATS[ext]), headers=headers)


def _with_charset(media: str) -> str:
    return f"{media}; charset=utf-8" if media.startswith("text/") else media


def _library(state: ServerState) -> list[dict[str, Any]]:
    return [
        {
            "name": q.name,
            "summary": q.summary,
            "text": q.text,
            "params": [
                {
                    "name": p.name,
                    "type": p.type,
                    "default": p.default,
                    "required": p.required,
                    "description": p.description,
                }
                for p in q.params
            ],
        }
        for q in list_queries(state.loaded.project)
    ]


async def api_queries(request: Request) -> Response:
    """The query library: names, summaries, parameters and texts."""
    return JSONResponse(_library(request.app.state.kgtool))


async def api_query(request: Request) -> Response:
    """Run a library query; its parameters come as URL parameters and are bound as RDF terms."""
    state: ServerState = request.app.state.kgtool
    name = request.path_params["name"]
    if not re.fullmatch(r"[A-Za-z0-9_-]+", name):
        return PlainTextResponse("not a library query name\n", status_code=404)
    if not (state.loaded.project.queries_dir / f"{name}.rq").is_file():
        # load_query's message names the server's folder: say less to the world
        return PlainTextResponse(f"unknown query {name!r}; see /api/queries\n", status_code=404)
    try:
        query = load_query(name, state.loaded.project)
        if query.path.parent.resolve() != state.loaded.project.queries_dir.resolve():
            raise KgtoolError("only queries of the library can be run")
        text = prepare(query, dict(request.query_params))
    except KgtoolError as exc:
        return PlainTextResponse(f"{exc}\n", status_code=400)
    job = QueryJob(text, request.headers.get("accept"), state.max_rows, select_only=True)
    return _answer_response(await _run(state, job), state)


_QUERY_CSP = (
    "default-src 'none'; script-src 'unsafe-inline'; style-src 'unsafe-inline'; "
    "connect-src 'self'; img-src data:; base-uri 'none'; form-action 'none'"
)

_QUERY_JS = r"""
"use strict";
var LIB = JSON.parse(document.getElementById("kg-library").textContent);
var current = null, lastCsv = null;
function el(tag, text, cls) {
  var e = document.createElement(tag);
  if (text !== undefined && text !== null) { e.textContent = String(text); }
  if (cls) { e.className = cls; }
  return e;
}
function status(text) { document.getElementById("kg-status").textContent = text; }
function pick(i) {
  current = LIB[i];
  document.getElementById("kg-text").value = current.text;
  var box = document.getElementById("kg-params"); box.replaceChildren();
  current.params.forEach(function (p) {
    var label = el("label", p.name + " (" + p.type + ") — " + p.description);
    var input = el("input"); input.name = p.name; input.value = p.default || "";
    input.dataset.param = p.name; if (p.required) { input.required = true; }
    label.appendChild(el("br")); label.appendChild(input); box.appendChild(label);
  });
  document.getElementById("kg-run-library").disabled = false;
}
function showTable(data) {
  var table = document.getElementById("kg-table"); table.replaceChildren();
  if (data.boolean !== undefined) {
    table.appendChild(el("caption", "ASK: " + data.boolean)); return 0;
  }
  var vars = data.head.vars, head = el("tr");
  vars.forEach(function (v) { head.appendChild(el("th", v)); });
  table.appendChild(head);
  data.results.bindings.forEach(function (b) {
    var tr = el("tr");
    vars.forEach(function (v) { tr.appendChild(el("td", b[v] ? b[v].value : "")); });
    table.appendChild(tr);
  });
  return data.results.bindings.length;
}
function run(url, options) {
  status("running…"); lastCsv = null;
  document.getElementById("kg-csv").hidden = true;
  var jsonOptions = Object.assign({}, options);
  jsonOptions.headers = Object.assign({}, options.headers || {},
                                      {"Accept": "application/sparql-results+json"});
  fetch(url, jsonOptions).then(function (r) {
    var cut = r.headers.get("X-Kgtool-Truncated");
    return r.text().then(function (body) {
      if (!r.ok) { throw new Error(r.status + ": " + body); }
      var n = showTable(JSON.parse(body));
      status(n + (n === 1 ? " row" : " rows") + (cut ? " — " + cut : ""));
      var csvOptions = Object.assign({}, options);
      csvOptions.headers = Object.assign({}, options.headers || {}, {"Accept": "text/csv"});
      return fetch(url, csvOptions).then(function (c) { return c.ok ? c.text() : null; });
    });
  }).then(function (csv) {
    if (csv === null || csv === undefined) { return; }
    lastCsv = csv;
    var link = document.getElementById("kg-csv");
    link.href = URL.createObjectURL(new Blob([csv], {type: "text/csv"}));
    link.hidden = false;
  }).catch(function (e) {
    document.getElementById("kg-table").replaceChildren(); status(String(e.message || e));
  });
}
function runEditor() {
  run("sparql", {method: "POST", headers: {"Content-Type": "application/sparql-query"},
                 body: document.getElementById("kg-text").value});
}
function runLibrary() {
  if (!current) { return; }
  var params = new URLSearchParams();
  document.querySelectorAll("#kg-params input").forEach(function (i) {
    if (i.value !== "") { params.append(i.dataset.param, i.value); }
  });
  run("api/query/" + encodeURIComponent(current.name) + "?" + params.toString(), {method: "GET"});
}
document.addEventListener("DOMContentLoaded", function () {
  var list = document.getElementById("kg-list");
  LIB.forEach(function (q, i) {
    var li = el("li"), b = el("button", q.name); b.type = "button";
    b.addEventListener("click", function () { pick(i); });
    li.append(b, el("span", " " + q.summary)); list.appendChild(li);
  });
  document.getElementById("kg-run").addEventListener("click", runEditor);
  document.getElementById("kg-run-library").addEventListener("click", runLibrary);
});
"""


_QUERY_STYLE = (
    "body{font:15px/1.45 system-ui,sans-serif;max-width:1100px;margin:0 auto;padding:12px}"
    "textarea{width:100%;height:16em;font-family:monospace}label{display:block;margin:.4em 0}"
    "table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:3px 6px;"
    "text-align:left;vertical-align:top}#kg-list button{margin:.1em .3em .1em 0}"
)


def query_page(library: list[dict[str, Any]], max_rows: int, timeout: float) -> str:
    """Return the HTML of the query page (its own small script, nothing from elsewhere)."""
    head = (
        f'<script id="kg-library" type="application/json">{json_for_script(library)}</script>\n'
        f"<script>{_QUERY_JS}</script>\n"
    )
    return html_page(
        "SPARQL query — kgtool",
        '<nav><a href="index.html">Index</a></nav>\n<h1>SPARQL query</h1>\n'
        f"<p>Read-only endpoint at <code>/sparql</code>; a query may run {escape(f'{timeout:g}')} s"
        f" and return {escape(str(max_rows))} rows.</p>\n"
        '<h2>Library</h2><ul id="kg-list"></ul>\n<div id="kg-params"></div>\n'
        '<button id="kg-run-library" type="button" disabled>Run library query</button>\n'
        '<h2>Editor</h2><textarea id="kg-text" spellcheck="false">'
        "SELECT ?s ?p ?o WHERE { ?s ?p ?o } LIMIT 20</textarea>\n"
        '<p><button id="kg-run" type="button">Run</button> <span id="kg-status"></span> '
        '<a id="kg-csv" download="results.csv" hidden>Download CSV</a></p>\n'
        '<table id="kg-table"></table>',
        csp=_QUERY_CSP,
        style=_QUERY_STYLE,
        head=head,
    )


async def query_form(request: Request) -> Response:
    """The query page."""
    state: ServerState = request.app.state.kgtool
    html = query_page(_library(state), state.max_rows, state.timeout)
    return Response(html, media_type="text/html; charset=utf-8")


def create_app(
    loaded: LoadedGraph,
    *,
    base_url: str = "http://127.0.0.1:8000/",
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    site_dir: Path | None = None,
) -> Starlette:
    """Return the web application: site, SPARQL endpoint, negotiation and query page.

    Without ``site_dir`` the site is published into a temporary folder (removed at shutdown),
    with ``base_url`` as its base and ``base_url + "sparql"`` as its SPARQL endpoint.
    """
    check_limits(timeout, max_rows)
    return _application(loaded, base_url, timeout, max_rows, site_dir)


def _application(
    loaded: LoadedGraph, base_url: str, timeout: float, max_rows: int, site_dir: Path | None
) -> Starlette:
    """Return create_app's application, the limits already checked."""
    if not base_url.endswith("/"):
        base_url += "/"
    own_site = site_dir is None
    if site_dir is None:
        site_dir = Path(tempfile.mkdtemp(prefix="kgtool-site-")) / "site"
        publish(loaded, site_dir, base=base_url, sparql_endpoint=base_url + "sparql")
    state = ServerState(
        loaded, forkable_store(loaded), site_dir, timeout, max_rows, own_site=own_site
    )

    @contextlib.asynccontextmanager
    async def lifespan(_app: Starlette) -> AsyncIterator[None]:
        try:
            yield
        finally:
            if state.own_site:
                shutil.rmtree(state.site_dir.parent, ignore_errors=True)

    routes = [
        Route("/sparql", sparql, methods=["GET", "POST"]),
        Route("/query", query_form, methods=["GET"]),
        Route("/api/queries", api_queries, methods=["GET"]),
        Route("/api/query/{name}", api_query, methods=["GET"]),
        Route("/id/{path:path}", see_other, methods=["GET", "HEAD"]),
        Route("/doc/{path:path}", document, methods=["GET", "HEAD"]),
        Mount("/", app=StaticFiles(directory=site_dir, html=True)),
    ]
    middleware = [
        Middleware(
            CORSMiddleware,
            allow_origins=["*"],
            allow_methods=["GET"],
            expose_headers=[TRUNCATED_HEADER],
        )
    ]
    app = Starlette(routes=routes, middleware=middleware, lifespan=lifespan)
    app.state.kgtool = state
    return app


def check_limits(timeout: float, max_rows: int) -> None:
    """Raise KgtoolError unless ``timeout`` (seconds) and ``max_rows`` are positive and finite,
    so the command says so in one line before it loads or announces anything."""
    if not (math.isfinite(timeout) and timeout > 0):
        raise KgtoolError(f"--timeout must be a positive number of seconds, not {timeout:g}")
    if max_rows <= 0:
        raise KgtoolError(f"--max-rows must be a positive number of rows, not {max_rows}")


def check_address(host: str, port: int | str) -> int:
    """Return ``port`` as a number; raise KgtoolError when it is not a TCP port (1-65535: 0
    would bind a port nobody is told) or ``host:port`` cannot be bound (in use, no such
    interface), so the command says so in one line before it announces anything."""
    text = str(port).strip()
    if not re.fullmatch(r"[0-9]{1,5}", text) or not 1 <= int(text) <= 65535:
        raise KgtoolError(f"--port must be a TCP port number from 1 to 65535, not {port}")
    port = int(text)
    try:
        family, kind, proto, _, address = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)[0]
        with socket.socket(family, kind, proto) as probe:
            probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)  # as uvicorn binds
            probe.bind(address)
    except (OSError, OverflowError) as exc:
        reason = getattr(exc, "strerror", None) or str(exc)
        raise KgtoolError(f"cannot serve on {host}:{port}: {reason}") from exc
    return port


def serve(
    graph: LoadedGraph | Callable[[], LoadedGraph],
    host: str = "127.0.0.1",
    port: int | str = 8000,
    *,
    timeout: float = DEFAULT_TIMEOUT,
    max_rows: int = DEFAULT_MAX_ROWS,
    on_ready: Callable[[str], None] | None = None,
) -> None:
    """Serve the site and the read-only SPARQL endpoint until interrupted.

    ``graph`` is the loaded graph or a function loading it: the function is called only once
    the limits and the address are checked, so a bad option fails before a slow load.
    ``on_ready(url)`` is called once the site is built, just before the server starts: the
    moment to announce it."""
    check_limits(timeout, max_rows)
    port = check_address(host, port)
    loaded = graph() if callable(graph) else graph
    shown = f"[{host}]" if ":" in host else host
    base_url = f"http://{shown}:{port}/"
    app = _application(loaded, base_url, timeout, max_rows, site_dir=None)
    if on_ready is not None:
        on_ready(base_url)
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    except OSError as exc:
        raise KgtoolError(f"cannot serve on {host}:{port}: {exc.strerror or exc}") from exc


__all__ = [
    "DEFAULT_MAX_ROWS",
    "DEFAULT_TIMEOUT",
    "TRUNCATED_HEADER",
    "Answer",
    "QueryJob",
    "check_address",
    "check_limits",
    "create_app",
    "execute",
    "negotiate",
    "render_xml",
    "run_with_timeout",
    "serve",
]
