"""Remote SPARQL 1.1 servers: queries (SPARQL Protocol) and uploads (Graph Store Protocol).

Two URLs name a server, because the two protocols live at different addresses:

=========== ================================== =========================================
server      query URL (``kgtool query --endpoint``) store URL (``kgtool push --store``)
=========== ================================== =========================================
Oxigraph    ``http://HOST:PORT/query``          ``http://HOST:PORT/store``
Virtuoso    ``http://HOST:PORT/sparql``         ``http://HOST:PORT/sparql-graph-crud-auth``
=========== ================================== =========================================

Credentials come from the environment only, never from the command line:
``KGTOOL_ENDPOINT_USER``, ``KGTOOL_ENDPOINT_PASSWORD`` and ``KGTOOL_ENDPOINT_AUTH`` (``basic``,
the default, or ``digest``, which Virtuoso needs).

A push PUTs each named graph (one per source file) to the store, so pushing again replaces
the graphs instead of adding duplicates. A server's default graph is its own business:
Oxigraph answers queries from the union of all graphs only when started with
``oxigraph serve --union-default-graph`` (Virtuoso always does); otherwise push with
``--default-graph`` (or ``--graph IRI`` and query that graph).
"""

from __future__ import annotations

import ast
import json
import math
import os
import re
import socket
import urllib.error
import urllib.parse
from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal
from typing import Any, Literal

import requests
from rdflib import BNode, Graph, URIRef
from rdflib import Literal as RdfLiteral
from rdflib.namespace import XSD
from rdflib.term import Node
from SPARQLWrapper import ASK, BASIC, CONSTRUCT, DIGEST, JSON, POST, SELECT, TURTLE, SPARQLWrapper
from SPARQLWrapper.SPARQLExceptions import (
    EndPointInternalError,
    EndPointNotFound,
    QueryBadFormed,
    SPARQLWrapperException,
    Unauthorized,
    URITooLong,
)

from kgtool.errors import KgtoolError
from kgtool.graph import LoadedGraph, iter_quads
from kgtool.queries import duration_from_parts, sparql_term

USER_ENV = "KGTOOL_ENDPOINT_USER"
PASSWORD_ENV = "KGTOOL_ENDPOINT_PASSWORD"
AUTH_ENV = "KGTOOL_ENDPOINT_AUTH"
AUTH_SCHEMES = ("basic", "digest")

Row = tuple[Node | None, ...]


@dataclass(frozen=True)
class Credentials:
    """A user name and password, and the HTTP scheme that sends them."""

    user: str
    password: str
    scheme: str = "basic"

    def __repr__(self) -> str:  # keep passwords out of tracebacks and logs
        return f"Credentials(user={self.user!r}, scheme={self.scheme!r})"


def credentials_from_env(env: Mapping[str, str] | None = None) -> Credentials | None:
    """Return the credentials in ``KGTOOL_ENDPOINT_USER``/``_PASSWORD``/``_AUTH``, if any."""
    env = os.environ if env is None else env
    user = env.get(USER_ENV, "")
    password = env.get(PASSWORD_ENV, "")
    scheme = (env.get(AUTH_ENV) or "basic").strip().lower()
    if scheme not in AUTH_SCHEMES:
        raise KgtoolError(f"{AUTH_ENV}={scheme!r}; choose one of {', '.join(AUTH_SCHEMES)}")
    if not user:
        if password:
            raise KgtoolError(f"{PASSWORD_ENV} is set but {USER_ENV} is not")
        return None
    return Credentials(user, password, scheme)


def check_url(url: str) -> str:
    """Return ``url`` if it is an absolute http(s) URL; KgtoolError otherwise."""
    parts = urllib.parse.urlsplit(url)
    if (
        parts.scheme not in ("http", "https")
        or not parts.hostname
        or any(c.isspace() or c in '<>"{}|\\^`' for c in url)
    ):
        raise KgtoolError(f"{url!r} is not an http(s) URL of a SPARQL server")
    if parts.username or parts.password:
        raise KgtoolError(f"put no credentials in the URL; use {USER_ENV}/{PASSWORD_ENV}")
    return url


def _one_line(text: str, limit: int = 200) -> str:
    flat = " ".join(text.split())
    return flat if len(flat) <= limit else flat[: limit - 1] + "…"


def _wrapper_body(exc: SPARQLWrapperException) -> str:
    """Return the server's response text that SPARQLWrapper folded into its message."""
    _, sep, tail = str(exc).partition("Response:\n")
    if not sep:
        return ""
    try:
        raw = ast.literal_eval(tail.strip())
    except (ValueError, SyntaxError):
        return tail
    return raw.decode("utf-8", "replace") if isinstance(raw, bytes) else str(raw)


class Endpoint:
    """A SPARQL 1.1 query endpoint (SELECT, ASK, CONSTRUCT), reached through SPARQLWrapper."""

    def __init__(
        self,
        url: str,
        *,
        timeout: float = 60.0,
        credentials: Credentials | Literal["env"] | None = "env",
    ) -> None:
        self.url = check_url(url)
        self.timeout = timeout
        self.credentials = credentials_from_env() if credentials == "env" else credentials

    def __repr__(self) -> str:
        return f"Endpoint({self.url!r})"

    def _wrapper(self, query: str, form: str, return_format: str) -> SPARQLWrapper:
        wrapper = SPARQLWrapper(self.url)
        wrapper.setQuery(query)
        # SPARQLWrapper guesses the form with a regex that words in comments or strings
        # ("drop", "insert") can fool into sending the query as an update; we know it.
        wrapper.queryType = form
        wrapper.setMethod(POST)  # long VALUES blocks would not fit in a URL
        wrapper.setReturnFormat(return_format)
        # SPARQLWrapper takes whole seconds and treats 0 as "no timeout".
        wrapper.setTimeout(max(1, math.ceil(self.timeout)))
        if self.credentials is not None:
            wrapper.setHTTPAuth(DIGEST if self.credentials.scheme == "digest" else BASIC)
            wrapper.setCredentials(self.credentials.user, self.credentials.password)
        return wrapper

    def _fetch(self, query: str, form: str, return_format: str) -> tuple[bytes, str]:
        """Send ``query``; return the response body and its media type."""
        wrapper = self._wrapper(query, form, return_format)
        where = self.url
        try:
            result = wrapper.query()
            body: bytes = result.response.read()
            media = str(result.response.headers.get("Content-Type", "")).split(";")[0].strip()
        except EndPointInternalError as exc:
            detail = _one_line(_wrapper_body(exc))
            raise KgtoolError(f"{where}: HTTP 500 server error: {detail}") from None
        except QueryBadFormed as exc:
            detail = _one_line(_wrapper_body(exc))
            raise KgtoolError(f"{where}: HTTP 400 query refused: {detail}") from None
        except EndPointNotFound:
            raise KgtoolError(f"{where}: HTTP 404 not found: is this the query URL?") from None
        except Unauthorized:
            raise KgtoolError(
                f"{where}: HTTP 401 unauthorised: set {USER_ENV}, {PASSWORD_ENV} "
                f"(and {AUTH_ENV}=digest for Virtuoso)"
            ) from None
        except URITooLong:
            raise KgtoolError(f"{where}: HTTP 414 request too long") from None
        except urllib.error.HTTPError as exc:
            raise KgtoolError(f"{where}: HTTP {exc.code} {_one_line(str(exc.reason))}") from None
        except urllib.error.URLError as exc:
            raise KgtoolError(f"{where}: {_describe_network_error(exc.reason, self)}") from None
        except OSError as exc:  # TimeoutError included
            raise KgtoolError(f"{where}: {_describe_network_error(exc, self)}") from None
        return body, media

    def _json(self, query: str, form: str) -> dict[str, Any]:
        body, media = self._fetch(query, form, JSON)
        try:
            document = json.loads(body.decode("utf-8"))
        except (UnicodeDecodeError, json.JSONDecodeError):
            start = _one_line(body.decode("utf-8", "replace"), 60)
            raise KgtoolError(
                f"{self.url}: the response is not SPARQL JSON results "
                f"(Content-Type {media or 'unknown'}: {start})"
            ) from None
        if not isinstance(document, dict):
            raise KgtoolError(f"{self.url}: the response is not SPARQL JSON results")
        return document

    def select(self, query: str) -> tuple[list[str], list[Row]]:
        """Run a SELECT query; return its variables and rows of rdflib terms (None if unbound)."""
        document = self._json(query, SELECT)
        try:
            columns = [str(v) for v in document["head"]["vars"]]
            bindings = document["results"]["bindings"]
            rows = [
                tuple(json_to_term(b[c]) if c in b else None for c in columns) for b in bindings
            ]
        except (KeyError, TypeError, ValueError) as exc:
            raise KgtoolError(
                f"{self.url}: the response is not SPARQL JSON SELECT results ({exc!s})"
            ) from None
        return columns, rows

    def ask(self, query: str) -> bool:
        """Run an ASK query; return its answer."""
        document = self._json(query, ASK)
        answer = document.get("boolean")
        if not isinstance(answer, bool):
            raise KgtoolError(f"{self.url}: the response is not a SPARQL JSON ASK result")
        return answer

    def construct(self, query: str) -> Graph:
        """Run a CONSTRUCT (or DESCRIBE) query; return its triples."""
        body, media = self._fetch(query, CONSTRUCT, TURTLE)
        formats = {
            "text/turtle": "turtle",
            "application/x-turtle": "turtle",
            "application/n-triples": "nt",
            "text/plain": "nt",
            "application/rdf+xml": "xml",
            "application/ld+json": "json-ld",
        }
        fmt = formats.get(media)
        if fmt is None:
            raise KgtoolError(f"{self.url}: the response is not RDF (Content-Type {media!r})")
        try:
            return Graph().parse(data=body.decode("utf-8"), format=fmt)
        except Exception as exc:  # rdflib's parsers raise many kinds
            detail = _one_line(str(exc))
            raise KgtoolError(f"{self.url}: unreadable {media} response: {detail}") from None

    def count_triples(self, graph: str | None = None) -> int:
        """Return the number of triples in ``graph`` (default: in all named graphs)."""
        pattern = f"GRAPH {sparql_term(URIRef(graph))}" if graph else "GRAPH ?g"
        _, rows = self.select(f"SELECT (COUNT(*) AS ?n) WHERE {{ {pattern} {{ ?s ?p ?o }} }}")
        return int(str(rows[0][0]))


def _describe_network_error(reason: object, endpoint: Endpoint | None = None) -> str:
    text = str(reason)
    if isinstance(reason, ConnectionRefusedError) or "refused" in text.lower():
        return "connection refused (is the server running?)"
    if isinstance(reason, TimeoutError) or "timed out" in text.lower():
        seconds = f" after {endpoint.timeout:g} s" if endpoint is not None else ""
        return f"no answer{seconds} (timed out)"
    if isinstance(reason, socket.gaierror):
        return f"unknown host ({_one_line(text)})"
    return _one_line(text) or type(reason).__name__


def _virtuoso_duration(text: str) -> str:
    """Return a duration Virtuoso wrote as a number (months, or seconds) in xsd syntax."""
    if re.fullmatch(r"-?\d+", text):
        return duration_from_parts(int(text), Decimal(0))
    if re.fullmatch(r"-?\d+\.\d*(E-?\d+)?", text, re.IGNORECASE):
        return duration_from_parts(0, Decimal(text))
    return text


def json_to_term(value: Mapping[str, Any]) -> Node:
    """Return the rdflib term of one SPARQL JSON results binding."""
    kind = value["type"]
    text = str(value["value"])
    if kind == "uri":
        return URIRef(text)
    if kind == "bnode":
        return BNode(text)
    if kind in ("literal", "typed-literal"):  # Virtuoso still says typed-literal
        lang = value.get("xml:lang")
        if lang:
            return RdfLiteral(text, lang=str(lang))
        datatype = value.get("datatype")
        if datatype == str(XSD.duration):
            text = _virtuoso_duration(text)
        return RdfLiteral(text, datatype=URIRef(str(datatype)) if datatype else None)
    raise ValueError(f"unknown term type {kind!r}")


# --- Graph Store Protocol --------------------------------------------------------------------


@dataclass(frozen=True)
class PushSummary:
    """What a push sent: each target graph with its triple count."""

    store_url: str
    graphs: tuple[tuple[str, int], ...]

    @property
    def triples(self) -> int:
        return sum(count for _, count in self.graphs)


DEFAULT_GRAPH = "default graph"


def _graph_parameter(store_url: str) -> str:
    """Return the query parameter that names the graph: Virtuoso's own, or the standard one."""
    path = urllib.parse.urlsplit(store_url).path.rstrip("/")
    return (
        "graph-uri" if path.endswith(("sparql-graph-crud", "sparql-graph-crud-auth")) else "graph"
    )


def _requests_auth(credentials: Credentials | None) -> requests.auth.AuthBase | None:
    if credentials is None:
        return None
    if credentials.scheme == "digest":
        return requests.auth.HTTPDigestAuth(credentials.user, credentials.password)
    return requests.auth.HTTPBasicAuth(credentials.user, credentials.password)


def graph_documents(
    loaded: LoadedGraph, graph: str | None = None, *, default_graph: bool = False
) -> dict[str, list[str]]:
    """Return N-Triples lines per target graph (``DEFAULT_GRAPH`` for the default graph)."""
    if graph is not None:
        # Checked before URIRef(), which would log its own warning about a bad IRI.
        if not re.match(r"[A-Za-z][A-Za-z0-9+.-]*:[^\x00-\x20<>\"{}|^`\\]*\Z", graph):
            raise KgtoolError(f"{graph!r} is not an absolute IRI")
        sparql_term(URIRef(graph))  # refuses IRIs that cannot be written
    documents: dict[str, set[str]] = {}
    for s, p, o, g in iter_quads(loaded):
        target = DEFAULT_GRAPH if default_graph else (graph or str(g))
        line = f"{sparql_term(s)} {sparql_term(p)} {sparql_term(o)} ."
        documents.setdefault(target, set()).add(line)
    return {name: sorted(lines) for name, lines in sorted(documents.items())}


def push(
    loaded: LoadedGraph,
    store_url: str,
    graph: str | None = None,
    *,
    default_graph: bool = False,
    timeout: float = 300.0,
    credentials: Credentials | Literal["env"] | None = "env",
) -> PushSummary:
    """PUT the loaded graphs into a Graph Store Protocol endpoint; return what was sent.

    Each named graph replaces the server's graph of the same name (so pushing twice does not
    duplicate); with ``graph`` every triple goes into that one graph, with ``default_graph``
    into the default graph. Credentials come from the environment unless given.
    """
    check_url(store_url)
    if graph is not None and default_graph:
        raise KgtoolError("choose either a graph IRI or the default graph")
    auth = _requests_auth(credentials_from_env() if credentials == "env" else credentials)
    parameter = _graph_parameter(store_url)
    sent: list[tuple[str, int]] = []
    for name, lines in graph_documents(loaded, graph, default_graph=default_graph).items():
        params = {"default": ""} if name == DEFAULT_GRAPH else {parameter: name}
        body = ("\n".join(lines) + "\n").encode("utf-8") if lines else b""
        try:
            response = requests.put(
                store_url,
                params=params,
                data=body,
                headers={"Content-Type": "text/turtle"},  # N-Triples is Turtle; all servers read it
                auth=auth,
                timeout=timeout,
            )
        except requests.Timeout:
            raise KgtoolError(f"{store_url}: no answer after {timeout:g} s (timed out)") from None
        except requests.ConnectionError as exc:
            raise KgtoolError(f"{store_url}: {_describe_network_error(exc)}") from None
        except requests.RequestException as exc:
            raise KgtoolError(f"{store_url}: {_one_line(str(exc))}") from None
        if response.status_code == 401:
            raise KgtoolError(
                f"{store_url}: HTTP 401 unauthorised: set {USER_ENV}, {PASSWORD_ENV} "
                f"(and {AUTH_ENV}=digest for Virtuoso)"
            )
        if response.status_code >= 300:
            raise KgtoolError(
                f"{store_url}: HTTP {response.status_code} for graph <{name}>: "
                f"{_one_line(response.text, 150)}"
            )
        sent.append((name, len(lines)))
    return PushSummary(store_url, tuple(sent))


__all__ = [
    "AUTH_ENV",
    "PASSWORD_ENV",
    "USER_ENV",
    "Credentials",
    "Endpoint",
    "PushSummary",
    "check_url",
    "credentials_from_env",
    "graph_documents",
    "json_to_term",
    "push",
]
