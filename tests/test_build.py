"""The main job: every output is written, and the exit code tells conformance from errors."""

from __future__ import annotations

import datetime as dt
import json
import os
import re
import shutil
from pathlib import Path

import pytest
from click.testing import CliRunner
from rdflib import Dataset, Graph

from kgtool.build import (
    FAILED,
    NONCONFORMANT,
    OK,
    SKIPPED,
    STEPS,
    BuildSummary,
    StepResult,
    _Runner,
    build,
)
from kgtool.cli import cli
from kgtool.errors import KgtoolError
from kgtool.export import FORMATS
from kgtool.project import Project

CORE = Project(Path(__file__).parent / "fixtures" / "core")
AS_OF = dt.date(2026, 11, 23)


def test_build_on_the_core_fixture_writes_every_output(tmp_path: Path) -> None:
    out = tmp_path / "out"
    messages: list[str] = []
    summary = build(CORE, out, as_of=AS_OF, reasoning=False, progress=messages.append)
    for ext in FORMATS.values():
        assert (out / f"graph{ext}").stat().st_size > 0
    assert (out / "context.jsonld").is_file()
    assert json.loads((out / "stats.json").read_text(encoding="utf-8"))["agreements"] == 4
    assert all(p.exists() and p.is_relative_to(out) for p in summary.files)
    dataset = Dataset()
    dataset.parse(out / "graph.trig", format="trig")
    assert len(Graph().parse(out / "graph.ttl")) == 101
    assert messages and any(m.startswith("export") for m in messages)
    reason_step = summary.step("reason")
    assert reason_step is not None and reason_step.status == SKIPPED
    site_step = summary.step("site")  # kgtool publish's job, opt-in
    assert site_step is not None and site_step.status == SKIPPED
    assert not (out / "site").exists()
    # The fixture's shape wants xsd:date for signedOn; two agreements give a year or a month.
    validation = summary.step("validate")
    if validation is not None and validation.status != SKIPPED:
        assert validation.status == NONCONFORMANT
        assert (out / "validation.txt").is_file() and (out / "validation.json").is_file()
        assert summary.exit_code == 1
    assert "Result:" in summary.to_text()


def test_build_site_writes_the_linked_data_site_too(tmp_path: Path) -> None:
    out = tmp_path / "out"
    result = CliRunner().invoke(
        cli,
        [
            "build",
            "-q",
            "--no-reason",
            "--site",
            "-j",
            "1",
            "-o",
            str(out),
            "--as-of",
            "2026-11-23",
        ],
        env={"KGTOOL_PROJECT": str(CORE.root)},
    )
    assert result.exit_code == 1, result.output  # the fixture has two SHACL violations
    assert re.search(r"^ +site +ok ", result.output, re.MULTILINE), result.output
    assert (out / "site" / "index.html").is_file()
    dumps = sorted(p.name for p in (out / "site").rglob("*.trig"))
    assert dumps and (out / "site" / "context.jsonld").is_file()


def test_workers_and_one_process_write_the_same_files(tmp_path: Path) -> None:
    """Steps run in forked workers by default, queries in two threads; the outputs must not
    depend on it."""
    root = tmp_path / "project"
    shutil.copytree(CORE.root, root)
    shutil.copytree(Path(__file__).parent.parent / "queries", root / "queries")
    one = build(Project(root), tmp_path / "one", as_of=AS_OF, reasoning=False, jobs=1)
    two = build(Project(root), tmp_path / "two", as_of=AS_OF, reasoning=False, jobs=2)
    assert len(list((tmp_path / "two" / "queries").glob("*.csv"))) > 5
    assert [s.name for s in one.steps] == [s.name for s in two.steps] == list(STEPS)
    assert [(s.status, s.detail) for s in one.steps] == [(s.status, s.detail) for s in two.steps]
    files = sorted(p.relative_to(tmp_path / "one") for p in (tmp_path / "one").rglob("*"))
    assert files == sorted(p.relative_to(tmp_path / "two") for p in (tmp_path / "two").rglob("*"))
    for rel in files:
        if (tmp_path / "one" / rel).is_file():
            assert (tmp_path / "one" / rel).read_bytes() == (tmp_path / "two" / rel).read_bytes(), (
                rel
            )


def test_a_worker_that_dies_fails_its_steps_and_the_others_still_report() -> None:
    messages: list[str] = []
    runner = _Runner(messages.append, jobs=2)
    runner.start(("queries", lambda: os._exit(3)), ("stats", lambda: (OK, "never", ())))
    runner.start(("export", lambda: (OK, "6 formats", ())))
    runner.wait()
    by_name = {s.name: s for s in runner.steps}
    assert [s.name for s in runner.steps] == ["queries", "stats", "export"]
    assert by_name["queries"].status == by_name["stats"].status == FAILED
    assert "exit code 3" in by_name["stats"].detail
    assert (by_name["export"].status, by_name["export"].detail) == (OK, "6 formats")


def test_a_build_without_reasoning_leaves_no_earlier_reasoning_behind(tmp_path: Path) -> None:
    """out/reasoning.txt from yesterday's build would pass for today's graph."""
    out = tmp_path / "out"
    out.mkdir()
    (out / "reasoning.txt").write_text("Consistent (an earlier graph).\n", encoding="utf-8")
    (out / "inferred.ttl").write_text("", encoding="utf-8")
    build(CORE, out, as_of=AS_OF, reasoning=False)
    assert not (out / "reasoning.txt").exists()
    assert not (out / "inferred.ttl").exists()


def test_the_validate_step_counts_in_plain_english(tmp_path: Path) -> None:
    """The CI summary read '0 violations, 1 warnings'."""
    from kgtool.build import _validate_step, counted
    from kgtool.graph import load

    assert [counted(n, "warning") for n in (0, 1, 2)] == ["0 warnings", "1 warning", "2 warnings"]
    out = tmp_path / "out"
    out.mkdir()
    _, detail, _ = _validate_step(load(project=CORE), out)
    assert detail == "2 violations, 0 warnings"


def test_a_parse_error_stops_the_build_before_writing(tmp_path: Path) -> None:
    root = tmp_path / "project"
    shutil.copytree(CORE.root, root)
    (root / "data" / "broken.ttl").write_text("<a> <b> .\n", encoding="utf-8")
    with pytest.raises(KgtoolError, match=r"broken\.ttl:1:"):
        build(Project(root), tmp_path / "out", reasoning=False)
    assert not (tmp_path / "out").exists()


def test_exit_codes_of_a_summary() -> None:
    def summary(*statuses: str) -> BuildSummary:
        steps = tuple(StepResult(f"step{i}", s, "") for i, s in enumerate(statuses))
        return BuildSummary(Path("out"), steps, 0.0)

    assert summary(OK, SKIPPED).exit_code == 0
    assert summary(OK, NONCONFORMANT).exit_code == 1
    assert summary(NONCONFORMANT, FAILED).exit_code == 2


@pytest.mark.java
@pytest.mark.slow
def test_build_on_the_project(
    project: Project, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.chdir(project.root)
    out = tmp_path / "out"
    result = CliRunner().invoke(cli, ["build", "-q", "-o", str(out), "--as-of", "2026-11-23"])
    assert result.exit_code in (0, 1), result.output
    assert "Result:" in result.output
    for name in ("stats.json", "reasoning.txt", "inferred.ttl", "graph.trig", "graph.jsonld"):
        assert (out / name).is_file(), name
    if project.queries_dir.is_dir():
        written = {p.stem for p in (out / "queries").glob("*.csv")}
        assert {"agreements", "institutions", "statistics"} <= written
        header = (out / "queries" / "agreements.csv").read_text(encoding="utf-8").splitlines()[0]
        assert header.startswith("agreement,kind,title_en,parties_en")
    validation = json.loads((out / "validation.json").read_text(encoding="utf-8"))
    consistent = (out / "reasoning.txt").read_text(encoding="utf-8").startswith("Consistent")
    assert result.exit_code == (0 if validation["conforms"] and consistent else 1)
    trig = Dataset()
    trig.parse(out / "graph.trig", format="trig")
    assert any(str(g.identifier).endswith("/graph/inferred") for g in trig.graphs())
