"""``kgtool validate`` and kgtool.validate: exit codes, renderings, locations, languages, -o.

Each test runs on a small project in a temporary folder: the repository's real shapes/, a
minimal ontology (tests/fixtures/validate/ontology.ttl) and chosen data files.
"""

from __future__ import annotations

import json
import shutil
import xml.etree.ElementTree as ET
from collections.abc import Callable
from pathlib import Path

import pytest
from click.testing import CliRunner, Result
from rdflib import Graph, Literal, Namespace, URIRef

from kgtool.cli import cli
from kgtool.graph import load, union_graph
from kgtool.project import Project
from kgtool.shacl_fast import Locator
from kgtool.validate import (
    ValidationReport,
    ValidationResult,
    render,
    summary,
    validate,
    validate_graph,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
FIXTURES = Path(__file__).resolve().parent / "fixtures" / "validate"
SH = Namespace("http://www.w3.org/ns/shacl#")

#: Builds a project with the named data fixtures, enters it, and returns its root.
MakeProject = Callable[..., Path]


def _line_of(path: Path, text: str) -> int:
    """Return the 1-based line of the first line of ``path`` that starts with ``text``."""
    for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1):
        if line.startswith(text):
            return number
    raise AssertionError(f"{text!r} not in {path}")


@pytest.fixture
def make_project(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> MakeProject:
    """Return a function that builds a project with the given data fixtures and enters it."""

    def build(*data_files: str) -> Path:
        root = tmp_path / "project"
        (root / "ontology").mkdir(parents=True)
        shutil.copy(FIXTURES / "ontology.ttl", root / "ontology" / "ontology.ttl")
        shutil.copytree(REPO_ROOT / "shapes", root / "shapes")
        (root / "data").mkdir()
        for name in ("institutions.ttl", *data_files):
            shutil.copy(FIXTURES / name, root / "data" / name)
        monkeypatch.chdir(root)
        monkeypatch.delenv("KGTOOL_PROJECT", raising=False)
        return root

    return build


def _run(*args: str) -> Result:
    return CliRunner().invoke(cli, ["validate", *args], catch_exceptions=False)


# --- exit codes -------------------------------------------------------------------------------


def test_conformant_data_exits_0(make_project: MakeProject) -> None:
    make_project("good.ttl")
    result = _run()
    assert result.exit_code == 0, result.output
    assert "conforms: 0 violations, 0 warnings, 0 infos" in result.output


def test_violations_exit_1(make_project: MakeProject) -> None:
    make_project("good.ttl", "bad.ttl")
    result = _run()
    assert result.exit_code == 1
    assert "does not conform" in result.output


def test_warnings_exit_0_but_1_with_strict(make_project: MakeProject) -> None:
    make_project("warn.ttl")
    relaxed, strict = _run(), _run("--strict")
    assert relaxed.exit_code == 0 and "Warning: The signing date is unknown" in relaxed.output
    assert strict.exit_code == 1


def test_explicit_paths_limit_the_data(make_project: MakeProject) -> None:
    make_project("good.ttl", "bad.ttl")
    result = _run("data/good.ttl", "data/institutions.ttl")
    assert result.exit_code == 0, result.output


def test_parse_error_exits_2_naming_the_file(make_project: MakeProject) -> None:
    root = make_project("good.ttl")
    (root / "data" / "broken.ttl").write_text(
        '@prefix ex: <https://example.org/> .\nex:a ex:b ex:c ;\n  ex:d "unterminated .\n',
        encoding="utf-8",
    )
    result = CliRunner().invoke(cli, ["validate"])
    assert result.exit_code == 2
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "broken.ttl" in lines[0], result.stderr


# --- text: labels, file:line, languages ---------------------------------------------------------


def test_text_shows_file_line_label_and_message(make_project: MakeProject) -> None:
    root = make_project("bad.ttl")
    line = _line_of(root / "data" / "bad.ttl", "agr:lonely ")
    result = _run()
    assert f"data/bad.ttl:{line}: agr:lonely (Lonely memorandum)" in result.output
    assert "Violation: An agreement needs at least two parties (coop:party)." in result.output


def test_text_in_russian(make_project: MakeProject) -> None:
    make_project("bad.ttl")
    result = _run("--lang", "ru")
    assert "У соглашения должно быть не менее двух сторон (coop:party)." in result.output
    assert "agr:lonely (Одинокий меморандум)" in result.output
    # No Russian title: the English one stands in.
    assert "agr:impossible-date (Memorandum of 30 February)" in result.output


@pytest.mark.parametrize(
    ("lang", "failing", "passing", "severity"),
    [
        (
            "en",
            "does not conform: 2 violations, 1 warning, 0 infos",
            "conforms: 0 violations, 1 warning, 0 infos",
            "  Violation: ",
        ),
        (
            "ru",
            "не соответствует: 2 нарушения, 1 предупреждение, 0 уведомлений",
            "соответствует: 0 нарушений, 1 предупреждение, 0 уведомлений",
            "  Нарушение: ",
        ),
        (
            "uz-Latn",
            "mos kelmaydi: 2 ta qoidabuzarlik, 1 ta ogohlantirish, 0 ta xabar",
            "mos keladi: 0 ta qoidabuzarlik, 1 ta ogohlantirish, 0 ta xabar",
            "  Qoidabuzarlik: ",
        ),
        (
            "uz-Cyrl",
            "мос келмайди: 2 та қоидабузарлик, 1 та огоҳлантириш, 0 та хабар",
            "мос келади: 0 та қоидабузарлик, 1 та огоҳлантириш, 0 та хабар",
            "  Қоидабузарлик: ",
        ),
    ],
)
def test_summary_and_severities_speak_the_language(
    make_project: MakeProject, lang: str, failing: str, passing: str, severity: str
) -> None:
    make_project("bad.ttl", "warn.ttl")
    result = _run("--lang", lang)
    assert result.output.rstrip("\n").splitlines()[-1] == failing
    assert severity in result.output
    only_warnings = _run("data/warn.ttl", "--lang", lang)
    assert only_warnings.output.rstrip("\n").splitlines()[-1] == passing


def test_russian_counts_agree_with_the_number() -> None:
    def report_with(violations: int) -> ValidationReport:
        one = ValidationResult(
            focus_node=URIRef("https://example.org/a"),
            focus_labels={},
            path=None,
            value=None,
            source_shape=URIRef("https://example.org/Shape"),
            shape=URIRef("https://example.org/Shape"),
            component=SH.MinCountConstraintComponent,
            severity="Violation",
            messages={},
        )
        return ValidationReport(False, (one,) * violations, Graph())

    said = {
        n: summary(report_with(n), "ru").split(": ")[1].split(", ")[0] for n in (1, 3, 5, 11, 22)
    }
    assert said == {
        1: "1 нарушение",
        3: "3 нарушения",
        5: "5 нарушений",
        11: "11 нарушений",
        22: "22 нарушения",
    }


def test_ill_typed_date_is_a_violation(make_project: MakeProject) -> None:
    make_project("bad.ttl")
    report = validate()
    dated = [r for r in report.results if str(r.focus_node).endswith("impossible-date")]
    assert [r.path for r in dated] == ["coop:signedOn"]
    assert dated[0].severity == "Violation" and dated[0].value == Literal(
        "2025-02-30", datatype=Namespace("http://www.w3.org/2001/XMLSchema#").date
    )


# --- the other renderings -----------------------------------------------------------------------


@pytest.mark.parametrize("data, conforms", [("good.ttl", True), ("bad.ttl", False)])
def test_json(make_project: MakeProject, data: str, conforms: bool) -> None:
    root = make_project(data)
    result = _run("--format", "json")
    doc = json.loads(result.output)
    assert doc["conforms"] is conforms and result.exit_code == (0 if conforms else 1)
    assert set(doc) == {"conforms", "violations", "warnings", "infos", "results"}
    if not conforms:
        first = doc["results"][0]
        assert set(first) == {
            "focus_node", "focus_label", "focus_labels", "path", "value", "shape",
            "source_shape", "component", "severity", "message", "messages", "file", "line",
        }  # fmt: skip
        lonely = next(r for r in doc["results"] if r["focus_node"].endswith("lonely"))
        assert lonely["file"] == "data/bad.ttl"
        assert lonely["line"] == _line_of(root / "data" / "bad.ttl", "agr:lonely ")
        assert lonely["shape"] == "coopsh:AgreementShape"
        assert lonely["messages"]["ru"].startswith("У соглашения")


@pytest.mark.parametrize("data, conforms", [("good.ttl", True), ("bad.ttl", False)])
def test_turtle_is_a_deterministic_shacl_report(
    make_project: MakeProject, data: str, conforms: bool
) -> None:
    make_project(data)
    first, second = _run("--format", "turtle"), _run("--format", "turtle")
    assert first.output == second.output
    graph = Graph().parse(data=first.output, format="turtle")
    assert (None, SH.conforms, Literal(conforms)) in graph
    assert len(set(graph.subjects(SH.resultSeverity, SH.Violation))) == (0 if conforms else 2)


@pytest.mark.parametrize("data, conforms", [("good.ttl", True), ("bad.ttl", False)])
def test_github_annotations(make_project: MakeProject, data: str, conforms: bool) -> None:
    root = make_project(data)
    result = _run("--format", "github")
    if conforms:
        assert result.output == "" and result.exit_code == 0
        return
    line = _line_of(root / "data" / "bad.ttl", "agr:lonely ")
    assert f"::error file=data/bad.ttl,line={line},title=Violation coopsh%3AAgreementShape::" in (
        result.output
    )
    assert all(
        row.startswith("::error file=data/bad.ttl,line=") for row in result.output.splitlines()
    )


def test_github_warnings_become_errors_with_strict(make_project: MakeProject) -> None:
    make_project("warn.ttl")
    assert _run("--format", "github").output.startswith("::warning file=data/warn.ttl,line=")
    assert _run("--format", "github", "--strict").output.startswith("::error file=data/warn.ttl")


@pytest.mark.parametrize("data, conforms", [("good.ttl", True), ("bad.ttl", False)])
def test_junit(make_project: MakeProject, data: str, conforms: bool) -> None:
    make_project(data)
    result = _run("--format", "junit")
    root = ET.fromstring(result.output.split("\n", 1)[1])
    suite = root.find("testsuite")
    assert suite is not None
    cases = {case.get("name"): case for case in suite.iter("testcase")}
    assert "coopsh:AgreementShape" in cases and "coopsh:InstitutionShape" in cases
    failures = [name for name, case in cases.items() if case.find("failure") is not None]
    assert suite.get("failures") == str(len(failures))
    assert failures == ([] if conforms else ["coopsh:AgreementShape"])


# --- writing to a file --------------------------------------------------------------------------


def test_output_file_is_written_atomically(make_project: MakeProject) -> None:
    root = make_project("bad.ttl")
    target = root / "out" / "report.json"
    result = _run("--format", "json", "-o", "out/report.json")
    assert result.exit_code == 1
    assert json.loads(target.read_text(encoding="utf-8"))["violations"] == 2
    assert [p.name for p in target.parent.iterdir()] == ["report.json"]  # no temp files left


def test_failed_run_leaves_an_existing_output_untouched(make_project: MakeProject) -> None:
    root = make_project("good.ttl")
    target = root / "report.txt"
    target.write_text("previous report\n", encoding="utf-8")
    (root / "data" / "broken.ttl").write_text("this is not turtle", encoding="utf-8")
    result = _run("-o", "report.txt")
    assert result.exit_code == 2
    assert target.read_text(encoding="utf-8") == "previous report\n"


# --- the library ------------------------------------------------------------------------------


def test_report_model(make_project: MakeProject) -> None:
    root = make_project("bad.ttl", "warn.ttl")
    report = validate(project=Project(root))
    assert not report.conforms
    assert (report.count("Violation"), report.count("Warning")) == (2, 1)
    assert report.exit_code() == 1 and report.exit_code(strict=True) == 1
    lonely = next(r for r in report.results if str(r.focus_node).endswith("lonely"))
    assert lonely.focus_label("ru") == "Одинокий меморандум"
    assert lonely.focus_label("uz-Latn") == "Lonely memorandum"  # falls back to English
    assert lonely.message("uz-Latn").startswith("Kelishuvda kamida ikkita tomon")
    assert lonely.where == f"data/bad.ttl:{_line_of(root / 'data' / 'bad.ttl', 'agr:lonely ')}"
    assert render(report, "text") == render(report, "text")


@pytest.mark.parametrize(("data", "conforms"), [("good.ttl", True), ("bad.ttl", False)])
def test_the_locator_copies_a_memory_store_only_for_results(
    make_project: MakeProject, data: str, conforms: bool
) -> None:
    """Over rdflib's memory store the Locator's Oxigraph store is a copy of the whole dataset;
    the pyshacl path made it before validating, even for a report without results."""
    root = make_project(data)
    loaded = load(project=Project(root), store="memory")
    locator = Locator(loaded)
    report = validate_graph(
        union_graph(loaded, exclude_folders=["shapes", "ontology"]),
        loaded.subgraph(["shapes"]),
        loaded.subgraph(["ontology"]),
        locator=locator,
    )
    assert report.conforms is conforms
    if conforms:
        assert locator.store is None
    else:
        assert locator.store is not None
        assert {r.file for r in report.results} == {f"data/{data}"}


def test_unknown_format_is_an_error(make_project: MakeProject) -> None:
    make_project("good.ttl")
    result = _run("--format", "yaml")
    assert result.exit_code == 2


@pytest.mark.parametrize("inference", ["rdfs", "owlrl"])
def test_inference_modes(make_project: MakeProject, inference: str) -> None:
    make_project("good.ttl", "bad.ttl")
    result = _run("--inference", inference, "--format", "json")
    assert result.exit_code == 1
    assert json.loads(result.output)["violations"] == 2


def test_a_label_with_control_characters_stays_on_its_line(make_project: MakeProject) -> None:
    """A label is untrusted text: a newline or an escape sequence in it must not start a new
    result line or reach the terminal raw."""
    root = make_project()
    (root / "data" / "odd.ttl").write_text(
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .\n"
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .\n"
        "<https://w3id.org/kgtool/id/org/odd> a coop:University ; skos:prefLabel "
        '"Odd\\nUniversity \\u001b[31mred"@en .\n',
        encoding="utf-8",
    )
    for fmt in ("text", "github"):
        result = _run("--format", fmt)
        assert "\x1b" not in result.output
        lines = [line for line in result.output.splitlines() if "Odd" in line]
        assert lines and all("University" in line for line in lines), result.output
