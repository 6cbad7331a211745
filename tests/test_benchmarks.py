"""The benchmark generator: same seed, same bytes; its expected SHACL results are the real ones."""

from __future__ import annotations

import importlib.util
import sys
from collections import Counter
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest

from kgtool.graph import load
from kgtool.project import Project
from kgtool.validate import validate

TINY = 2000


def _generator(root: Path) -> ModuleType:
    path = root / "benchmarks" / "generate.py"
    spec = importlib.util.spec_from_file_location("kgtool_bench_generate", path)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    sys.modules[spec.name] = module  # dataclasses look their module up while being made
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def generator(project: Project) -> ModuleType:
    return _generator(project.root)


def _generate(generator: ModuleType, out: Path, **options: Any) -> dict[str, Any]:
    info: dict[str, Any] = generator.generate(out, TINY, meta=out.with_suffix(".json"), **options)
    return info


def _counts(report: Any) -> dict[str, dict[str, int]]:
    found: dict[str, Counter[str]] = {}
    for r in report.results:
        component = "sh:" + str(r.component).rsplit("#", 1)[-1]
        found.setdefault(r.severity, Counter())[component] += 1
    return {severity: dict(sorted(c.items())) for severity, c in sorted(found.items())}


def test_same_seed_gives_same_bytes(generator: ModuleType, tmp_path: Path) -> None:
    first = _generate(generator, tmp_path / "a.nt", seed=7)
    second = _generate(generator, tmp_path / "b.nt", seed=7)
    _generate(generator, tmp_path / "c.nt", seed=8)
    assert (tmp_path / "a.nt").read_bytes() == (tmp_path / "b.nt").read_bytes()
    assert first["expected"] == second["expected"]
    assert (tmp_path / "a.nt").read_bytes() != (tmp_path / "c.nt").read_bytes()
    assert TINY <= first["triples"] < TINY * 1.5


def test_sizes_are_read_with_suffixes(generator: ModuleType) -> None:
    assert generator.parse_size("10k") == 10_000
    assert generator.parse_size("1m") == 1_000_000
    assert generator.parse_size("5M") == 5_000_000
    assert generator.parse_size("12000") == 12_000


def test_clean_data_parse_and_conform(
    generator: ModuleType, project: Project, tmp_path: Path
) -> None:
    data = tmp_path / "clean.nt"
    info = _generate(generator, data, rate=0.0)
    loaded = load([data], project=project)
    assert len(loaded.graph_of(data)) == info["triples"]
    report = validate([data], project=project)
    assert report.conforms, [r.message() for r in report.results if r.severity == "Violation"]
    # Agreements with an unknown signing date warn, by design of the shapes; nothing else.
    assert info["expected"]["violations"] == 0
    assert _counts(report) == info["expected"]["by_severity_and_component"]
    assert len(report.results) == info["counts"]["agreements_without_signing_date"] > 0


def test_expected_results_are_what_validate_reports(
    generator: ModuleType, project: Project, tmp_path: Path
) -> None:
    data = tmp_path / "defects.nt"
    # A high defect rate, so that most defect kinds occur in a tiny graph.
    info = _generate(generator, data, rate=0.25, seed=3)
    report = validate([data], project=project)
    expected = info["expected"]
    assert sum(info["defects"].values()) == expected["violations"] > 20
    assert len(info["defects"]) >= 15
    assert _counts(report) == expected["by_severity_and_component"]
    assert len(report.results) == expected["results"]
    assert report.count("Violation") == expected["violations"]
