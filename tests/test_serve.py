"""The read-only SPARQL endpoint and site on a real uvicorn server on 127.0.0.1: protocol, formats,
content negotiation, 303s, refusal of updates, errors, timeouts, the row cap, CORS, query page."""

from __future__ import annotations

import csv
import io
import json
import multiprocessing
import socket
import threading
import time
import xml.etree.ElementTree as ET
from collections.abc import Iterator

import httpx
import pytest
import uvicorn
from rdflib import Graph, Literal, URIRef
from rdflib.namespace import SKOS
from SPARQLWrapper import JSON, TURTLE, XML, SPARQLWrapper

from kgtool.graph import LoadedGraph, load
from kgtool.project import ID, Project
from kgtool.serve import TRUNCATED_HEADER, create_app, negotiate

#: rdflib's own JSON-LD parser and TriG writer use its deprecated APIs; not ours to fix.
RDFLIB_DEPRECATIONS = [
    pytest.mark.filterwarnings("ignore:ConjunctiveGraph is deprecated:DeprecationWarning"),
    pytest.mark.filterwarnings("ignore:Dataset.contexts is deprecated:DeprecationWarning"),
]
pytestmark = [pytest.mark.server, *RDFLIB_DEPRECATIONS]

TIMEOUT = 3.0
MAX_ROWS = 50
UZAS = ID + "org/uzas"
NAMES_QUERY = f"""PREFIX skos: <http://www.w3.org/2004/02/skos/core#>
SELECT ?name WHERE {{ <{UZAS}> skos:prefLabel ?name }} ORDER BY ?name"""
COUNT_QUERY = "SELECT (COUNT(*) AS ?n) WHERE { ?s ?p ?o }"
RUNAWAY = "SELECT (COUNT(*) AS ?n) WHERE { ?a ?b ?c . ?d ?e ?f . ?g ?h ?i }"


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture(scope="module")
def loaded(project: Project) -> LoadedGraph:
    return load(project=project)


@pytest.fixture(scope="module")
def base(loaded: LoadedGraph) -> Iterator[str]:
    port = free_port()
    url = f"http://127.0.0.1:{port}/"
    app = create_app(loaded, base_url=url, timeout=TIMEOUT, max_rows=MAX_ROWS)
    server = uvicorn.Server(
        uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning", lifespan="on")
    )
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 30
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline, "the server did not start"
        time.sleep(0.05)
    yield url
    server.should_exit = True
    thread.join(10)


@pytest.fixture(scope="module")
def client(base: str) -> Iterator[httpx.Client]:
    with httpx.Client(base_url=base, timeout=30, follow_redirects=False) as http:
        yield http


def triple_count(client: httpx.Client) -> int:
    answer = client.get("/sparql", params={"query": COUNT_QUERY})
    assert answer.status_code == 200, answer.text
    return int(answer.json()["results"]["bindings"][0]["n"]["value"])


# --- the protocol and result formats ---------------------------------------------------------


def test_sparqlwrapper_select_json_and_xml(base: str, loaded: LoadedGraph) -> None:
    wrapper = SPARQLWrapper(base + "sparql")
    wrapper.setQuery(NAMES_QUERY)
    wrapper.setReturnFormat(JSON)
    rows = wrapper.queryAndConvert()["results"]["bindings"]  # type: ignore[index,call-overload]
    names = {(r["name"]["value"], r["name"].get("xml:lang")) for r in rows}
    assert ("Академия наук Республики Узбекистан", "ru") in names
    assert ("Ўзбекистон Республикаси Фанлар академияси", "uz-Cyrl") in names
    wrapper.setReturnFormat(XML)
    document = wrapper.queryAndConvert()
    literals = [n.firstChild.data for n in document.getElementsByTagName("literal")]  # type: ignore[union-attr]
    assert "Академия наук Республики Узбекистан" in literals


def test_sparqlwrapper_construct_with_its_default_format(base: str) -> None:
    wrapper = SPARQLWrapper(base + "sparql")
    wrapper.setQuery(f"CONSTRUCT {{ <{UZAS}> ?p ?o }} WHERE {{ <{UZAS}> ?p ?o }}")
    graph = wrapper.queryAndConvert()  # RDF/XML, parsed by SPARQLWrapper into an rdflib Graph
    assert isinstance(graph, Graph)
    assert (URIRef(UZAS), URIRef("https://w3id.org/kgtool/ontology#ror"), None) in graph


def test_sparqlwrapper_construct_as_turtle(base: str) -> None:
    wrapper = SPARQLWrapper(base + "sparql")
    wrapper.setQuery(f"CONSTRUCT {{ <{UZAS}> ?p ?o }} WHERE {{ <{UZAS}> ?p ?o }}")
    wrapper.setReturnFormat(TURTLE)
    data = wrapper.queryAndConvert()
    graph = Graph().parse(data=data, format="turtle")  # type: ignore[arg-type]
    assert (
        URIRef(UZAS),
        SKOS.prefLabel,
        Literal("Академия наук Республики Узбекистан", lang="ru"),
    ) in graph


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        ("application/sparql-results+json", "application/sparql-results+json"),
        ("application/sparql-results+xml", "application/sparql-results+xml"),
        ("text/csv", "text/csv"),
        ("text/tab-separated-values", "text/tab-separated-values"),
    ],
)
def test_select_formats_by_accept(client: httpx.Client, accept: str, media: str) -> None:
    answer = client.get("/sparql", params={"query": NAMES_QUERY}, headers={"Accept": accept})
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(media)
    text = answer.text
    if media.endswith("json"):
        values = [b["name"]["value"] for b in answer.json()["results"]["bindings"]]
    elif media.endswith("xml"):
        ns = {"r": "http://www.w3.org/2005/sparql-results#"}
        values = [e.text or "" for e in ET.fromstring(text).iterfind(".//r:literal", ns)]
    elif media == "text/csv":
        rows = list(csv.reader(io.StringIO(text)))
        assert rows[0] == ["name"]
        values = [r[0] for r in rows[1:]]
    else:
        lines = text.splitlines()
        assert lines[0] == "?name"
        assert '"Академия наук Республики Узбекистан"@ru' in lines
        values = [line.split('"')[1] for line in lines[1:]]
    assert "Академия наук Республики Узбекистан" in values
    assert len(values) == 4


@pytest.mark.parametrize(
    ("accept", "fmt"),
    [
        ("text/turtle", "turtle"),
        ("application/n-triples", "nt"),
        ("application/ld+json", "json-ld"),
        ("application/rdf+xml", "xml"),
    ],
)
def test_construct_formats_by_accept(client: httpx.Client, accept: str, fmt: str) -> None:
    query = f"CONSTRUCT {{ <{UZAS}> ?p ?o }} WHERE {{ <{UZAS}> ?p ?o }}"
    answer = client.post(
        "/sparql",
        content=query.encode("utf-8"),
        headers={"Content-Type": "application/sparql-query", "Accept": accept},
    )
    assert answer.status_code == 200, answer.text
    assert answer.headers["content-type"].startswith(accept)
    if fmt == "json-ld":
        assert isinstance(json.loads(answer.text)["@context"], dict), "local context, no URL"
    graph = Graph().parse(data=answer.text, format=fmt)
    assert (URIRef(UZAS), URIRef("https://w3id.org/kgtool/ontology#ror"), None) in graph


def test_post_form_ask_and_default_graph(client: httpx.Client) -> None:
    answer = client.post(
        "/sparql",
        data={"query": f"ASK {{ <{UZAS}> ?p ?o }}"},
        headers={"Accept": "application/sparql-results+json"},
    )
    assert answer.status_code == 200
    assert answer.json()["boolean"] is True
    everything = triple_count(client)
    one_file = client.get(
        "/sparql",
        params={
            "query": COUNT_QUERY,
            "default-graph-uri": "https://w3id.org/kgtool/graph/data/sources.ttl",
        },
    )
    assert 0 < int(one_file.json()["results"]["bindings"][0]["n"]["value"]) < everything


# --- read-only, errors, limits ---------------------------------------------------------------


def test_updates_are_refused(client: httpx.Client) -> None:
    before = triple_count(client)
    update = f"INSERT DATA {{ <{UZAS}> <urn:x> 1 }}"
    answers = [
        client.get("/sparql", params={"update": update}),
        client.post("/sparql", data={"update": update}),
        client.post(
            "/sparql",
            content=update.encode(),
            headers={"Content-Type": "application/sparql-update"},
        ),
        client.post(
            "/sparql", content=b"CLEAR ALL", headers={"Content-Type": "application/sparql-update"}
        ),
    ]
    for answer in answers:
        assert answer.status_code == 403
        assert "read-only" in answer.text
    sneaky = client.get("/sparql", params={"query": "CLEAR ALL"})
    assert sneaky.status_code == 400, "an update sent as a query is not a query"
    assert triple_count(client) == before


def test_malformed_query_answers_400_with_the_parsers_message(client: httpx.Client) -> None:
    answer = client.get("/sparql", params={"query": "SELEC * WHERE { ?s ?p ?o }"})
    assert answer.status_code == 400
    assert answer.text.startswith("malformed query: ")
    assert "1:1" in answer.text or "expected" in answer.text
    missing = client.get("/sparql")
    assert missing.status_code == 400


def test_runaway_query_is_stopped(client: httpx.Client) -> None:
    started = time.monotonic()
    answer = client.get("/sparql", params={"query": RUNAWAY})
    elapsed = time.monotonic() - started
    assert answer.status_code == 503
    assert "timeout" in answer.text
    assert elapsed < TIMEOUT + 5
    time.sleep(0.2)
    assert multiprocessing.active_children() == [], "the worker was killed and reaped"
    assert triple_count(client) > 0, "the server still answers"


def test_results_are_capped(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql", params={"query": "SELECT * WHERE { ?s ?p ?o }"}, headers={"Accept": "text/csv"}
    )
    assert answer.status_code == 200
    assert f"max-rows={MAX_ROWS}" in answer.headers[TRUNCATED_HEADER]
    assert len(answer.text.strip().splitlines()) == MAX_ROWS + 1
    small = client.get("/sparql", params={"query": NAMES_QUERY})
    assert TRUNCATED_HEADER not in small.headers


def test_cors_on_get(client: httpx.Client) -> None:
    answer = client.get(
        "/sparql", params={"query": NAMES_QUERY}, headers={"Origin": "https://example.org"}
    )
    assert answer.headers["access-control-allow-origin"] == "*"
    page = client.get("/doc/org/uzas.ttl", headers={"Origin": "https://example.org"})
    assert page.headers["access-control-allow-origin"] == "*"


# --- linked data: 303 and negotiation --------------------------------------------------------


@pytest.mark.parametrize(
    ("accept", "ext", "media"),
    [
        ("text/turtle", ".ttl", "text/turtle"),
        ("application/ld+json", ".jsonld", "application/ld+json"),
        ("application/n-triples", ".nt", "application/n-triples"),
        ("text/html,application/xhtml+xml,*/*;q=0.8", ".html", "text/html"),
    ],
)
def test_thing_iri_redirects_303_to_its_document(
    client: httpx.Client, accept: str, ext: str, media: str
) -> None:
    answer = client.get("/id/org/uzas", headers={"Accept": accept})
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/doc/org/uzas{ext}"
    assert "Accept" in answer.headers["vary"]
    document = client.get(answer.headers["location"])
    assert document.status_code == 200
    assert document.headers["content-type"].startswith(media)
    negotiated = client.get("/doc/org/uzas", headers={"Accept": accept})
    assert negotiated.status_code == 200
    assert negotiated.headers["content-type"].startswith(media)
    assert "Accept" in negotiated.headers["vary"]
    assert negotiated.content == document.content


def test_negotiation_edges(client: httpx.Client) -> None:
    assert client.get("/id/org/no-such-thing").status_code == 404
    assert client.get("/id/org/uzas", headers={"Accept": "image/png"}).status_code == 406
    assert client.get("/doc/org/../../void.ttl").status_code in (404, 200)
    assert (
        negotiate("text/turtle;q=0.5, application/ld+json", ["text/turtle", "application/ld+json"])
        == "application/ld+json"
    )
    assert negotiate(None, ["text/html", "text/turtle"]) == "text/html"
    assert negotiate("text/*", ["application/ld+json", "text/turtle"]) == "text/turtle"


def test_site_and_void_are_served(client: httpx.Client, base: str) -> None:
    index = client.get("/")
    assert index.status_code == 200 and "kg-search-data" in index.text
    void = Graph().parse(data=client.get("/void.ttl").text, format="turtle")
    endpoint = URIRef("http://rdfs.org/ns/void#sparqlEndpoint")
    assert set(void.objects(None, endpoint)) == {URIRef(base + "sparql")}


# --- the query page and the parameter API -----------------------------------------------------


def test_query_page_lists_the_library_offline(client: httpx.Client) -> None:
    page = client.get("/query")
    assert page.status_code == 200
    assert "partner-countries" in page.text and "Partners of an institution" in page.text
    assert "connect-src 'self'" in page.text
    assert 'src="http' not in page.text and "src='http" not in page.text
    library = client.get("/api/queries").json()
    partners = next(q for q in library if q["name"] == "partners")
    assert partners["params"][0]["name"] == "institution"


def test_parameter_api_binds_values_as_terms(client: httpx.Client) -> None:
    ok = client.get("/api/query/partner-countries", params={"country": "UZ"})
    assert ok.status_code == 200, ok.text
    assert ok.json()["results"]["bindings"], "Uzbek institutions have foreign partners"
    hostile = client.get(
        "/api/query/partner-countries",
        params={"country": 'UZ" } } UNION { ?s ?p ?o } #'},
    )
    assert hostile.status_code == 200, hostile.text
    assert hostile.json()["results"]["bindings"] == [], "the value stayed one literal"
    bad_iri = client.get(
        "/api/query/partners", params={"institution": "inst:uzas> } ; DROP ALL ; <x"}
    )
    assert bad_iri.status_code == 400
    assert "institution" in bad_iri.text
    unknown = client.get("/api/query/partners", params={"institution": "inst:uzas", "x": "1"})
    assert unknown.status_code == 400
    partners = client.get(
        "/api/query/partners", params={"institution": "inst:uzas"}, headers={"Accept": "text/csv"}
    )
    assert partners.status_code == 200 and partners.headers["content-type"].startswith("text/csv")
    assert client.get("/api/query/..%2Fetc").status_code in (400, 404)
    missing = client.get("/api/query/no-such-question")
    assert missing.status_code == 404
    # the message names the query, not the server's folder holding the library
    assert missing.text == "unknown query 'no-such-question'; see /api/queries\n"


@pytest.mark.parametrize(
    ("option", "value"),
    [("--timeout", "0"), ("--timeout", "-5"), ("--timeout", "nan"), ("--max-rows", "0")],
)
def test_serve_command_rejects_bad_limits_before_anything_else(
    project: Project, monkeypatch: pytest.MonkeyPatch, option: str, value: str
) -> None:
    """A bad limit is named in one line, before the graph loads (the file given does not even
    parse) and before 'serving on ...' is announced."""
    from click.testing import CliRunner

    from kgtool.cli import cli

    monkeypatch.chdir(project.root)
    broken = str(project.root / "tests" / "fixtures" / "graph" / "broken" / "unterminated.ttl")
    result = CliRunner().invoke(cli, ["serve", option, value, broken])
    assert result.exit_code == 2, result.output
    lines = result.output.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith(f"kgtool: error: {option} must be a positive")
    assert "serving on" not in result.output and "unterminated" not in result.output


@pytest.mark.parametrize("value", ["70000", "-1", "abc", "0"])
def test_serve_command_names_a_bad_port_in_one_line(
    project: Project, monkeypatch: pytest.MonkeyPatch, value: str
) -> None:
    """click's range and integer checks printed its multi-line usage error; the rule is one
    line naming the option, exit code 2, before the graph loads."""
    from click.testing import CliRunner

    from kgtool.cli import cli

    monkeypatch.chdir(project.root)
    broken = str(project.root / "tests" / "fixtures" / "graph" / "broken" / "unterminated.ttl")
    result = CliRunner().invoke(cli, ["serve", "--port", value, broken])
    assert result.exit_code == 2, result.output
    assert result.output.strip().splitlines() == [
        f"kgtool: error: --port must be a TCP port number from 1 to 65535, not {value}"
    ]


def test_create_app_checks_the_limits_before_publishing(loaded: LoadedGraph) -> None:
    """create_app is a library entry the limits matter to (serve checks them before loading)."""
    from kgtool.errors import KgtoolError

    with pytest.raises(KgtoolError, match="--max-rows must be a positive number"):
        create_app(loaded, max_rows=0)
    with pytest.raises(KgtoolError, match="--timeout must be a positive number"):
        create_app(loaded, timeout=float("inf"))


@pytest.mark.parametrize(
    ("port", "timeout", "max_rows", "message"),
    [
        ("70000", 5.0, 10, "--port must be a TCP port number from 1 to 65535, not 70000"),
        ("1", 0.0, 10, "--timeout must be a positive number of seconds, not 0"),
        ("1", 5.0, 0, "--max-rows must be a positive number of rows, not 0"),
    ],
)
def test_serve_checks_its_options_before_it_loads_the_graph(
    port: str, timeout: float, max_rows: int, message: str
) -> None:
    """The checks live in the library only (the CLI no longer repeats them): library callers
    get them too, and a graph given as its loading is loaded only once they pass."""
    from kgtool.errors import KgtoolError
    from kgtool.serve import serve

    def must_not_load() -> LoadedGraph:
        raise AssertionError("the graph loaded before the options were checked")

    with pytest.raises(KgtoolError) as refused:
        serve(must_not_load, port=port, timeout=timeout, max_rows=max_rows)
    assert str(refused.value) == message


def test_serve_command_names_a_port_it_cannot_use(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port in use ended in uvicorn's own 'ERROR:' line and exit code 3, an impossible port
    in a traceback; both after 'serving on ...' had been printed."""
    import socket

    from click.testing import CliRunner

    from kgtool.cli import cli

    monkeypatch.chdir(project.root)
    data = str(project.root / "data" / "sources.ttl")
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        result = CliRunner().invoke(cli, ["serve", "--port", str(port), data])
    assert result.exit_code == 2, result.output
    assert f"kgtool: error: cannot serve on 127.0.0.1:{port}:" in result.output
    assert "serving on" not in result.output
    result = CliRunner().invoke(cli, ["serve", "--port", "70000", data])
    assert result.exit_code == 2
    assert "unexpected" not in result.output and "70000" in result.output
