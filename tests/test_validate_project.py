"""``kgtool validate PATHS`` and ``--changed`` on a copy of the real project: the given files
are checked with the whole project as context, and only results on their own nodes are shown.

The agreements in data/agreements.ttl refer to institutions, concepts and sources defined in
other files; checked alone they would give dozens of spurious violations.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, Namespace

from kgtool.cli import cli

REPO_ROOT = Path(__file__).resolve().parent.parent
SH = Namespace("http://www.w3.org/ns/shacl#")

#: An agreement with one party and no source: two violations, on a node of agreements.ttl.
LONELY = """
agr:injected-lonely a coop:Agreement ;
    coop:title "Injected lonely agreement"@en ;
    coop:party inst:uzas .
"""
#: An institution without a name: a violation on a node of institutions.ttl.
NAMELESS = "\ninst:injected-nameless a coop:University .\n"


@pytest.fixture
def root(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A copy of the project's ontology/, shapes/ and data/, entered."""
    copy = tmp_path / "project"
    for folder in ("ontology", "shapes", "data"):
        shutil.copytree(REPO_ROOT / folder, copy / folder)
    monkeypatch.chdir(copy)
    monkeypatch.delenv("KGTOOL_PROJECT", raising=False)
    return copy


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


def _append(path: Path, text: str) -> int:
    """Append ``text`` to ``path``; return the line its first statement starts on."""
    before = path.read_text(encoding="utf-8")
    path.write_text(before + text, encoding="utf-8")
    start = len(before) + len(text) - len(text.lstrip("\n"))
    return (before + text).count("\n", 0, start) + 1


def _results(result: Result) -> list[dict[str, object]]:
    doc = json.loads(result.stdout)
    results: list[dict[str, object]] = doc["results"]
    return results


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_a_single_data_file_validates_with_the_project_as_context(root: Path, engine: str) -> None:
    result = _run("data/agreements.ttl", "--engine", engine, "--format", "json")
    assert result.exit_code == 0, result.output
    results = _results(result)
    assert not [r for r in results if r["severity"] == "Violation"]
    # Every result is about a node of the file asked for.
    assert {r["file"] for r in results} <= {"data/agreements.ttl"}


def test_the_readme_example_holds(root: Path) -> None:
    result = _run("data/agreements.ttl", "--lang", "ru", "--strict")
    summary = result.stdout.strip().splitlines()[-1]
    assert summary.startswith("соответствует: 0 нарушений, "), summary
    assert result.exit_code == (0 if " 0 предупреждений" in summary else 1)


@pytest.mark.parametrize("engine", ["fast", "pyshacl"])
def test_an_injected_error_is_reported_at_its_file_and_line(root: Path, engine: str) -> None:
    line = _append(root / "data" / "agreements.ttl", LONELY)
    assert (
        (root / "data" / "agreements.ttl")
        .read_text(encoding="utf-8")
        .splitlines()[line - 1]
        .startswith("agr:injected-lonely ")
    )
    result = _run("data/agreements.ttl", "--engine", engine, "--format", "json")
    assert result.exit_code == 1, result.output
    violations = [r for r in _results(result) if r["severity"] == "Violation"]
    assert violations
    assert {(r["focus_node"], r["file"], r["line"]) for r in violations} == {
        ("https://w3id.org/kgtool/id/agreement/injected-lonely", "data/agreements.ttl", line)
    }
    assert {r["path"] for r in violations} == {"coop:party", "coop:source"}
    github = _run("data/agreements.ttl", "--engine", engine, "--format", "github")
    assert f"::error file=data/agreements.ttl,line={line}," in github.stdout


def test_results_on_nodes_of_other_files_are_not_reported(root: Path) -> None:
    line = _append(root / "data" / "institutions.ttl", NAMELESS)
    everything = _run("--format", "json")
    assert everything.exit_code == 1
    assert ("data/institutions.ttl", line) in {(r["file"], r["line"]) for r in _results(everything)}

    alone = _run("data/agreements.ttl", "--format", "json")
    assert alone.exit_code == 0, alone.output
    assert "injected-nameless" not in alone.stdout
    # The standard report says the same: no result left on the other file's node, conforms.
    turtle = _run("data/agreements.ttl", "--format", "turtle")
    report = Graph().parse(data=turtle.stdout, format="turtle")
    assert (None, SH.conforms, Literal(True)) in report
    assert not list(report.subjects(SH.resultSeverity, SH.Violation))
    focus_nodes = {str(n) for n in report.objects(None, SH.focusNode)}
    assert focus_nodes and all("/agreement/" in n for n in focus_nodes)

    own = _run("data/institutions.ttl", "--format", "json")
    assert own.exit_code == 1
    assert {r["file"] for r in _results(own)} == {"data/institutions.ttl"}


def test_a_file_outside_the_project_gets_its_ontology_and_shapes_only(
    root: Path, tmp_path: Path
) -> None:
    outside = tmp_path / "elsewhere" / "agreements.ttl"
    outside.parent.mkdir()
    shutil.copy(root / "data" / "agreements.ttl", outside)
    result = _run(str(outside), "--format", "json")
    # The institutions and sources it names are not loaded: the references do not resolve.
    assert result.exit_code == 1
    violations = [r for r in _results(result) if r["severity"] == "Violation"]
    assert {"coop:party", "coop:source"} & {str(r["path"]) for r in violations}
    assert {r["file"] for r in violations} == {str(outside)}


def test_a_draft_beside_the_data_is_checked_with_the_project(root: Path) -> None:
    draft = root / "draft.ttl"
    prefixes = (root / "data" / "agreements.ttl").read_text(encoding="utf-8").split("\n\n")[0]
    draft.write_text(prefixes + "\n" + LONELY, encoding="utf-8")
    result = _run("data/", "draft.ttl", "--format", "json")
    assert result.exit_code == 1
    violations = [r for r in _results(result) if r["severity"] == "Violation"]
    # inst:uzas resolves (it is in data/); what is left is the draft's own two errors.
    assert {(r["file"], r["path"]) for r in violations} == {
        ("draft.ttl", "coop:party"),
        ("draft.ttl", "coop:source"),
    }


def _git(root: Path, *args: str) -> None:
    env = {
        **os.environ,
        "GIT_AUTHOR_NAME": "test",
        "GIT_AUTHOR_EMAIL": "test@example.org",
        "GIT_COMMITTER_NAME": "test",
        "GIT_COMMITTER_EMAIL": "test@example.org",
    }
    subprocess.run(["git", "-C", str(root), *args], check=True, capture_output=True, env=env)


def test_changed_checks_the_files_changed_since_a_revision(root: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(root, "init", "-q")
    _append(root / "data" / "institutions.ttl", NAMELESS)  # committed: not a change
    _git(root, "add", ".")
    _git(root, "commit", "-q", "-m", "start")

    unchanged = _run("--changed", "--format", "json")
    assert unchanged.exit_code == 0 and _results(unchanged) == []
    assert "changed since HEAD: no RDF file" in unchanged.stderr

    line = _append(root / "data" / "agreements.ttl", LONELY)
    new_file = root / "data" / "new.ttl"
    new_file.write_text(
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .\n"
        "@prefix inst: <https://w3id.org/kgtool/id/org/> .\n"
        "inst:new-nameless a coop:University .\n",
        encoding="utf-8",
    )
    result = _run("--changed", "--format", "json")
    assert result.exit_code == 1
    violations = {(r["file"], r["line"]) for r in _results(result) if r["severity"] == "Violation"}
    assert violations == {("data/agreements.ttl", line), ("data/new.ttl", 3)}
    assert "data/agreements.ttl, data/new.ttl" in result.stderr

    since_start = _run("--changed", "HEAD", "--format", "json")
    assert since_start.stdout == result.stdout


def test_changed_errors_are_one_line(root: Path) -> None:
    if shutil.which("git") is None:
        pytest.skip("git is not installed")
    _git(root, "init", "-q")
    for args in (["--changed", "no-such-revision"], ["--changed", "HEAD", "data/agreements.ttl"]):
        result = CliRunner().invoke(cli, ["validate", *args])
        assert result.exit_code == 2, result.output
        assert len(result.stderr.strip().splitlines()) == 1, result.stderr
        assert "Traceback" not in result.output
