"""The package's shape: its public API, a fast import, and one module per heavy dependency."""

from __future__ import annotations

import ast
import importlib
import subprocess
import sys
from pathlib import Path

import pytest

import kgtool

PACKAGE = Path(kgtool.__file__).parent

#: Each heavy dependency and the one module that may import it (docs/architecture.md).
OWNERS: dict[str, str] = {
    "pyoxigraph": "kgtool/graph.py",
    "oxrdflib": "kgtool/graph.py",
    "pyshacl": "kgtool/validate.py",
    "owlready2": "kgtool/reason.py",
    "SPARQLWrapper": "kgtool/endpoint.py",
    "networkx": "kgtool/network.py",
    "pyvis": "kgtool/viz.py",
    "pymorphy3": "kgtool/names.py",
    "click": "kgtool/cli.py",
    "starlette": "kgtool/serve.py",
    "uvicorn": "kgtool/serve.py",
    "pylode": "kgtool/publish.py",
    "openpyxl": "kgtool/extract/table.py",
}


@pytest.mark.parametrize("name", sorted(set(kgtool.__all__) - {"__version__"}))
def test_public_name_is_its_module_object(name: str) -> None:
    module = importlib.import_module(kgtool._EXPORTS[name])
    assert getattr(kgtool, name) is getattr(module, name)


def test_all_lists_every_export() -> None:
    assert set(kgtool.__all__) == {"__version__", *kgtool._EXPORTS}
    with pytest.raises(AttributeError, match="no_such_name"):
        _ = kgtool.no_such_name  # type: ignore[attr-defined]


def _imported_after(statement: str) -> list[str]:
    heavy = sorted({*OWNERS, "rdflib"})
    code = f"{statement}; import sys; print(' '.join(m for m in {heavy!r} if m in sys.modules))"
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    return done.stdout.split()


def test_package_and_cli_import_no_heavy_dependency() -> None:
    assert _imported_after("import kgtool") == []
    assert _imported_after("import kgtool.cli") == ["click"]  # commands import the rest


def test_each_heavy_dependency_is_imported_by_its_module_only() -> None:
    offenders = []
    for path in sorted(PACKAGE.rglob("*.py")):
        where = path.relative_to(PACKAGE.parent).as_posix()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                roots = [alias.name.split(".")[0] for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.level == 0 and node.module:
                roots = [node.module.split(".")[0]]
            else:
                continue
            offenders += [
                f"{where}:{node.lineno} imports {root}"
                for root in roots
                if root in OWNERS and OWNERS[root] != where
            ]
    assert offenders == []
