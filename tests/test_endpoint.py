"""Remote endpoints: push and the whole query library against real servers, and every failure.

Oxigraph (``oxigraph serve``, from the PyPI package ``oxigraph``) and Virtuoso Open Source
(Debian ``virtuoso-opensource``) run on 127.0.0.1 with a free port and a temporary folder;
the failure tests talk to a small local HTTP peer (stdlib ``http.server``) that misbehaves on
purpose.
"""

from __future__ import annotations

import base64
import difflib
import json
import logging
import os
import re
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time
import urllib.error
import urllib.request
from collections.abc import Iterator
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Literal, URIRef

from kgtool.cli import cli
from kgtool.endpoint import Credentials, Endpoint, push
from kgtool.errors import KgtoolError
from kgtool.graph import iter_quads, load
from kgtool.project import Project
from kgtool.queries import parse_query_file, run_query

FIXTURES = Path(__file__).parent / "fixtures"
WORLD = FIXTURES / "world.ttl"
ONTOLOGY = Path(__file__).resolve().parent.parent / "ontology"
WORLD_DATA = ["--data", str(WORLD), "--data", str(ONTOLOGY)]
GOLDEN = FIXTURES / "queries"
QUERY_FILES = sorted((Path(__file__).resolve().parent.parent / "queries").glob("*.rq"))
FIXED_PARAMS: dict[str, str] = json.loads((FIXTURES / "query-params.json").read_text("utf-8"))


@pytest.fixture(autouse=True)
def in_this_project(monkeypatch: pytest.MonkeyPatch, project: Project) -> None:
    """Let the CLI find this repository's project wherever pytest was started."""
    monkeypatch.setenv("KGTOOL_PROJECT", str(project.root))


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return int(sock.getsockname()[1])


def wait_until_answering(url: str, process: subprocess.Popen[bytes], seconds: float) -> None:
    """Poll ``url`` until it answers HTTP (any status), the process dies or time runs out."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except urllib.error.HTTPError:
            return
        except OSError:
            time.sleep(0.05)
    raise RuntimeError(f"{url} did not answer within {seconds} s")


def stop(process: subprocess.Popen[bytes]) -> None:
    if process.poll() is None:
        process.send_signal(signal.SIGTERM)
        try:
            process.wait(timeout=15)
        except subprocess.TimeoutExpired:
            process.kill()
            process.wait()


def one_error_line(result: Result, message: str) -> None:
    assert result.exit_code == 2, result.output
    lines = [line for line in result.output.splitlines() if line.strip()]
    assert len(lines) == 1, result.output
    assert message in lines[0], result.output
    assert "Traceback" not in result.output


def world_triples(project: Project) -> int:
    return sum(1 for _ in iter_quads(load([WORLD, ONTOLOGY], project=project)))


def world_graphs(project: Project) -> dict[str, int]:
    """Each named graph of the world (world.ttl and the ontology files) and its triple count."""
    counts: dict[str, int] = {}
    for *_, graph in iter_quads(load([WORLD, ONTOLOGY], project=project)):
        counts[str(graph)] = counts.get(str(graph), 0) + 1
    return counts


def assert_library_matches_goldens(endpoint: Endpoint) -> None:
    """Run every library query on ``endpoint``; all must give their golden rows, in order."""
    assert QUERY_FILES
    differences: list[str] = []
    for path in QUERY_FILES:
        query = parse_query_file(path)
        params = {p.name: FIXED_PARAMS[p.name] for p in query.params if p.name in FIXED_PARAMS}
        try:
            rendered = run_query(query, endpoint, params).render("tsv")
        except KgtoolError as exc:
            differences.append(f"{query.name}: {exc}")
            continue
        expected = (GOLDEN / f"{query.name}.tsv").read_text(encoding="utf-8")
        if rendered != expected:
            diff = difflib.unified_diff(
                expected.splitlines(), rendered.splitlines(), "golden", endpoint.url, lineterm=""
            )
            differences.append(f"{query.name}:\n" + "\n".join(diff))
    assert not differences, "\n".join(differences)


# --- Oxigraph --------------------------------------------------------------------------------


def oxigraph_binary() -> str | None:
    beside = Path(sys.executable).parent / "oxigraph"
    return str(beside) if beside.is_file() else shutil.which("oxigraph")


@contextmanager
def running_oxigraph(folder: Path, *options: str) -> Iterator[str]:
    """Run ``oxigraph serve`` on 127.0.0.1 with a free port and a store in ``folder``."""
    binary = oxigraph_binary()
    if binary is None:
        pytest.skip("the oxigraph server is not installed (pip install oxigraph)")
    port = free_port()
    where = ["--location", str(folder / "db"), "--bind", f"127.0.0.1:{port}"]
    process = subprocess.Popen(
        [binary, "serve", *where, *options],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{port}"
    try:
        wait_until_answering(f"{base}/query?query=ASK%7B%7D", process, 15)
        yield base
    finally:
        stop(process)


@pytest.fixture
def oxigraph(tmp_path: Path) -> Iterator[str]:
    """A fresh ``oxigraph serve --union-default-graph``; yields its base URL."""
    with running_oxigraph(tmp_path, "--union-default-graph") as base:
        yield base


@pytest.mark.server
def test_default_graph_push_serves_a_plain_oxigraph(tmp_path: Path, project: Project) -> None:
    with running_oxigraph(tmp_path) as base:
        endpoint = Endpoint(f"{base}/query", credentials=None)
        args = ["push", "--store", f"{base}/store", *WORLD_DATA]
        result = CliRunner().invoke(cli, [*args, "--graph", "https://example.org/g"])
        assert result.exit_code == 0, result.output
        assert not endpoint.ask("ASK { ?s ?p ?o }")  # named graphs stay out of the default
        for _ in range(2):
            result = CliRunner().invoke(cli, [*args, "--default-graph"])
            assert result.exit_code == 0, result.output
            count = endpoint.select("SELECT (COUNT(*) AS ?n) { ?s ?p ?o }")[1][0][0]
            assert int(str(count)) == world_triples(project)
        assert_library_matches_goldens(endpoint)


@pytest.mark.server
def test_push_twice_then_the_library_answers_as_embedded(oxigraph: str, project: Project) -> None:
    runner = CliRunner()
    endpoint = Endpoint(f"{oxigraph}/query", credentials=None)
    expected = world_triples(project)
    for _ in range(2):
        result = runner.invoke(cli, ["push", "--store", f"{oxigraph}/store", *WORLD_DATA])
        assert result.exit_code == 0, result.output
        graphs = len(world_graphs(project))
        assert f"pushed {expected} triples in {graphs} graph(s)" in result.output
        assert endpoint.count_triples() == expected  # replaced, not duplicated
    assert_library_matches_goldens(endpoint)

    args = ["query", "partners", "--endpoint", f"{oxigraph}/query", "--format", "tsv"]
    result = runner.invoke(cli, [*args, "--param", "institution=inst:uzas"])
    assert result.exit_code == 0, result.output
    assert result.output == (GOLDEN / "partners.tsv").read_text(encoding="utf-8")


@pytest.mark.server
def test_push_into_one_graph_and_ask(oxigraph: str, project: Project) -> None:
    loaded = load([WORLD, ONTOLOGY], project=project)
    graph = "https://w3id.org/kgtool/graph/everything"
    summary = push(loaded, f"{oxigraph}/store", graph, credentials=None)
    assert summary.graphs == ((graph, world_triples(project)),)
    endpoint = Endpoint(f"{oxigraph}/query", credentials=None)
    assert endpoint.count_triples(graph) == summary.triples
    assert endpoint.ask("ASK { ?a a <https://w3id.org/kgtool/ontology#Agreement> }")
    constructed = endpoint.construct(
        "CONSTRUCT { ?a ?p ?o } WHERE { GRAPH ?g { ?a a ?t ; ?p ?o } "
        "FILTER(?a = <https://w3id.org/kgtool/id/agreement/nuuz-msu-2019>) }"
    )
    agreement = URIRef("https://w3id.org/kgtool/id/agreement/nuuz-msu-2019")
    assert len(constructed) == len(list(loaded.dataset.triples((agreement, None, None)))) > 10


@pytest.mark.server
def test_hostile_parameter_stays_a_literal_on_a_server(
    oxigraph: str, project: Project, tmp_path: Path
) -> None:
    push(load([WORLD, ONTOLOGY], project=project), f"{oxigraph}/store", credentials=None)
    rq = tmp_path / "echo.rq"
    rq.write_text(
        "#+ summary: echo\n#+ param: text string -- any text\n"
        "SELECT ?text WHERE { } ORDER BY ?text\n",
        encoding="utf-8",
    )
    endpoint = Endpoint(f"{oxigraph}/query", credentials=None)
    hostile = '"x" } ; DROP ALL ; SELECT * {'
    table = run_query(parse_query_file(rq), endpoint, {"text": hostile})
    assert table.rows == ((Literal(hostile),),)
    assert endpoint.count_triples() == world_triples(project)


# --- a misbehaving HTTP peer -----------------------------------------------------------------


class _Peer(BaseHTTPRequestHandler):
    """/slow sleeps, /fail answers 500, /html answers a web page, /auth wants Basic a:b."""

    def log_message(self, format: str, *args: object) -> None:  # keep pytest output clean
        pass

    def _answer(self) -> None:
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        path = self.path.split("?")[0]
        if path == "/slow":
            time.sleep(3)
        if path == "/fail":
            self._send(500, "text/plain", "Virtuoso 37000 Error SP030: boom\n  at line 1\n")
        elif path == "/html":
            self._send(200, "text/html", "<html><body>Welcome!</body></html>")
        elif path == "/auth" and self.headers.get("Authorization") != "Basic " + (
            base64.b64encode(b"reader:s3cret").decode()
        ):
            self._send(401, "text/plain", "who are you?")
        else:
            document = {"head": {"vars": ["x"]}, "results": {"bindings": []}}
            self._send(200, "application/sparql-results+json", json.dumps(document))

    def _send(self, status: int, media: str, text: str) -> None:
        body = text.encode()
        try:
            self.send_response(status)
            self.send_header("Content-Type", media)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)
        except OSError:
            pass  # the client gave up (timeout test)

    do_GET = do_POST = do_PUT = _answer


@pytest.fixture(scope="module")
def peer() -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), _Peer)
    server.daemon_threads = True
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.server_address[1]}"
    finally:
        server.shutdown()
        server.server_close()


def run_partners(endpoint: str, *extra: str) -> Result:
    args = ["query", "partners", "--param", "institution=inst:uzas", "--endpoint", endpoint]
    return CliRunner().invoke(cli, [*args, *extra])


def test_connection_refused_is_one_line() -> None:
    url = f"http://127.0.0.1:{free_port()}/query"
    one_error_line(run_partners(url), "connection refused")
    result = CliRunner().invoke(cli, ["push", "--store", url, *WORLD_DATA])
    one_error_line(result, "connection refused")


def test_timeout_is_one_line(peer: str) -> None:
    started = time.monotonic()
    one_error_line(run_partners(f"{peer}/slow", "--timeout", "1"), "timed out")
    assert time.monotonic() - started < 3


def test_http_500_is_one_line(peer: str) -> None:
    one_error_line(run_partners(f"{peer}/fail"), "HTTP 500 server error: Virtuoso 37000")
    result = CliRunner().invoke(cli, ["push", "--store", f"{peer}/fail", *WORLD_DATA])
    one_error_line(result, "HTTP 500 for graph <")


def test_a_web_page_is_not_sparql_results(peer: str) -> None:
    one_error_line(run_partners(f"{peer}/html"), "not SPARQL JSON results (Content-Type text/html")


@pytest.mark.parametrize("url", ["not a url", "ftp://127.0.0.1/q", "http://exa mple/q", "http://"])
def test_invalid_endpoint_url_is_one_line(url: str) -> None:
    one_error_line(run_partners(url), "is not an http(s) URL")


def test_credentials_come_from_the_environment(peer: str, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("KGTOOL_ENDPOINT_USER", raising=False)
    monkeypatch.delenv("KGTOOL_ENDPOINT_PASSWORD", raising=False)
    one_error_line(run_partners(f"{peer}/auth"), "HTTP 401 unauthorised")
    monkeypatch.setenv("KGTOOL_ENDPOINT_USER", "reader")
    monkeypatch.setenv("KGTOOL_ENDPOINT_PASSWORD", "s3cret")
    result = run_partners(f"{peer}/auth", "--format", "csv")
    assert result.exit_code == 0, result.output
    assert result.output.splitlines() == ["x"]
    monkeypatch.setenv("KGTOOL_ENDPOINT_AUTH", "kerberos")
    one_error_line(run_partners(f"{peer}/auth"), "KGTOOL_ENDPOINT_AUTH='kerberos'")
    assert "s3cret" not in repr(Credentials("reader", "s3cret"))


def test_push_refuses_credentials_in_the_url_and_bad_graph_iri(
    project: Project, caplog: pytest.LogCaptureFixture
) -> None:
    loaded = load([WORLD, ONTOLOGY], project=project)
    with pytest.raises(KgtoolError, match="no credentials in the URL"):
        push(loaded, "http://dba:dba@127.0.0.1:1/store")
    for bad in ("a graph", "urn:a graph", "http://x/<y>"):
        with pytest.raises(KgtoolError, match=r"not a valid IRI|not an absolute IRI"):
            push(loaded, "http://127.0.0.1:1/store", bad)
    # The one-line error is all the user sees: no warning logged on the way (rdflib's URIRef).
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.WARNING] == []


# --- Virtuoso --------------------------------------------------------------------------------

VIRTUOSO_INI = Path("/etc/virtuoso-opensource-7/virtuoso.ini")


@pytest.fixture
def virtuoso(tmp_path: Path) -> Iterator[tuple[str, str]]:
    """A temporary Virtuoso on 127.0.0.1 whose dba password was changed; yields (base, password)."""
    binary, isql = shutil.which("virtuoso-t"), shutil.which("isql-vt")
    if binary is None or isql is None or not VIRTUOSO_INI.is_file():
        pytest.skip("Virtuoso is not installed (apt-get install virtuoso-opensource)")
    sql_port, http_port = free_port(), free_port()
    db = tmp_path / "db"
    db.mkdir()
    ini = VIRTUOSO_INI.read_text(encoding="utf-8")
    ini = ini.replace("/var/lib/virtuoso-opensource-7/db/", f"{db}/")
    # Both listeners on loopback only: the stock file binds every interface.
    ini = re.sub(r"(?m)^ServerPort\s*=\s*1111\s*$", f"ServerPort = 127.0.0.1:{sql_port}", ini)
    ini = re.sub(r"(?m)^ServerPort\s*=\s*8890\s*$", f"ServerPort = 127.0.0.1:{http_port}", ini)
    (tmp_path / "virtuoso.ini").write_text(ini, encoding="utf-8")
    assert f"127.0.0.1:{http_port}" in ini and f"127.0.0.1:{sql_port}" in ini
    process = subprocess.Popen(
        [binary, "+configfile", str(tmp_path / "virtuoso.ini"), "+foreground"],
        cwd=db,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    base = f"http://127.0.0.1:{http_port}"
    password = base64.b32encode(os.urandom(10)).decode()
    try:
        wait_until_answering(f"{base}/sparql?query=ASK%7B%7D", process, 60)
        change_password = f"USER_SET_PASSWORD('dba', '{password}');"
        subprocess.run(
            [isql, f"127.0.0.1:{sql_port}", "dba", "dba", f"exec={change_password}"],
            check=True,
            capture_output=True,
            timeout=30,
        )
        yield base, password
    finally:
        stop(process)
        shutil.rmtree(db, ignore_errors=True)  # about 70 MB; pytest keeps old tmp folders


@pytest.mark.server
@pytest.mark.slow
def test_virtuoso_round_trip_with_digest_push(
    virtuoso: tuple[str, str], project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    base, password = virtuoso
    store = f"{base}/sparql-graph-crud-auth"
    monkeypatch.setenv("KGTOOL_ENDPOINT_USER", "dba")
    monkeypatch.setenv("KGTOOL_ENDPOINT_PASSWORD", "dba")
    monkeypatch.setenv("KGTOOL_ENDPOINT_AUTH", "digest")
    result = CliRunner().invoke(cli, ["push", "--store", store, *WORLD_DATA])
    one_error_line(result, "HTTP 401 unauthorised")  # the default password is gone

    monkeypatch.setenv("KGTOOL_ENDPOINT_PASSWORD", password)
    endpoint = Endpoint(f"{base}/sparql", credentials=None)
    expected = world_graphs(project)
    for _ in range(2):
        result = CliRunner().invoke(cli, ["push", "--store", store, *WORLD_DATA])
        assert result.exit_code == 0, result.output
        assert {graph: endpoint.count_triples(graph) for graph in expected} == expected
    assert_library_matches_goldens(endpoint)
