"""Shared pytest fixtures: the project under test and the ../shared test data."""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from kgtool.project import Project, shared_dir

REPO_ROOT = Path(__file__).resolve().parent.parent

#: Debian's Chromium and the flags for a headless run that never calls home (ecosystem.md).
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--regen",
        action="store_true",
        default=False,
        help="Rewrite golden result files instead of comparing against them.",
    )


@pytest.fixture(scope="session")
def regen(request: pytest.FixtureRequest) -> bool:
    """Whether golden files are rewritten (pytest --regen)."""
    return bool(request.config.getoption("--regen"))


@pytest.fixture(scope="session")
def project() -> Project:
    """The kgtool project in this repository."""
    return Project(REPO_ROOT)


@pytest.fixture(scope="session")
def shared(project: Project) -> Path:
    """The ../shared folder (seeds, ROR subset, W3C SHACL tests); skips the test where absent."""
    found = shared_dir(project)
    if found is None:
        pytest.skip("../shared is absent (seeds, ROR subset and W3C tests live there)")
    return found


@pytest.fixture(scope="session")
def seeds_dir(shared: Path) -> Path:
    """The folder of seed press releases in ../shared."""
    path = shared / "seeds"
    if not path.is_dir():
        pytest.skip(f"{path} is absent")
    return path


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    """A headless Chromium (Playwright) per test module; skips where it is absent."""
    if not Path(CHROMIUM).exists() and shutil.which("chromium") is None:
        pytest.skip(f"no Chromium at {CHROMIUM}")
    sync_api = pytest.importorskip(
        "playwright.sync_api", reason="playwright is not installed (pip install playwright)"
    )
    with sync_api.sync_playwright() as play:
        chromium = play.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS, headless=True)
        yield chromium
        chromium.close()
