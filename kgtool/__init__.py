"""kgtool: a validated, queryable linked-data graph of institutions and their agreements.

The public API is importable from here (``from kgtool import load, run_query``); each name is
imported from its module on first use, so ``import kgtool`` and ``kgtool --help`` stay fast
(rdflib, pyshacl, networkx and pyvis take seconds to import). Functions named like their
module (``validate``, ``reason``, ``export``, ``stats``, ``build``, ``publish``, ``serve``) are
imported from that module (``from kgtool.validate import validate``): a package attribute
cannot be both the submodule and the function.
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

#: Public name -> the module that defines it.
_EXPORTS: dict[str, str] = {
    "KgtoolError": "kgtool.errors",
    "ParseError": "kgtool.errors",
    "Project": "kgtool.project",
    "find_project": "kgtool.project",
    "LoadedGraph": "kgtool.graph",
    "load": "kgtool.graph",
    "union_graph": "kgtool.graph",
    "ValidationReport": "kgtool.validate",
    "ValidationResult": "kgtool.validate",
    "ReasoningResult": "kgtool.reason",
    "LibraryQuery": "kgtool.queries",
    "ResultTable": "kgtool.queries",
    "list_queries": "kgtool.queries",
    "load_query": "kgtool.queries",
    "run_query": "kgtool.queries",
    "Endpoint": "kgtool.endpoint",
    "push": "kgtool.endpoint",
    "export_all": "kgtool.export",
    "Stats": "kgtool.stats",
    "NameIndex": "kgtool.names",
    "normalise": "kgtool.names",
    "cyrillic_to_latin": "kgtool.names",
    "latin_to_cyrillic": "kgtool.names",
    "link_ror": "kgtool.ror",
    "import_ror": "kgtool.ror",
    "PartnerNetwork": "kgtool.network",
    "build_network": "kgtool.network",
    "compute_metrics": "kgtool.network",
    "write_page": "kgtool.viz",
    "write_report": "kgtool.report",
    "write_site": "kgtool.publish",
    "create_app": "kgtool.serve",
    "BuildSummary": "kgtool.build",
    "extract_documents": "kgtool.extract",
}

__all__ = [
    "BuildSummary",
    "Endpoint",
    "KgtoolError",
    "LibraryQuery",
    "LoadedGraph",
    "NameIndex",
    "ParseError",
    "PartnerNetwork",
    "Project",
    "ReasoningResult",
    "ResultTable",
    "Stats",
    "ValidationReport",
    "ValidationResult",
    "__version__",
    "build_network",
    "compute_metrics",
    "create_app",
    "cyrillic_to_latin",
    "export_all",
    "extract_documents",
    "find_project",
    "import_ror",
    "latin_to_cyrillic",
    "link_ror",
    "list_queries",
    "load",
    "load_query",
    "normalise",
    "push",
    "run_query",
    "union_graph",
    "write_page",
    "write_report",
    "write_site",
]


def __getattr__(name: str) -> Any:
    module = _EXPORTS.get(name)
    if module is None:
        raise AttributeError(f"module 'kgtool' has no attribute {name!r}")
    value = getattr(importlib.import_module(module), name)
    globals()[name] = value  # later look-ups skip this function
    return value


def __dir__() -> list[str]:
    return sorted({*globals(), *__all__})


if TYPE_CHECKING:
    from kgtool.build import BuildSummary
    from kgtool.endpoint import Endpoint, push
    from kgtool.errors import KgtoolError, ParseError
    from kgtool.export import export_all
    from kgtool.extract import extract_documents
    from kgtool.graph import LoadedGraph, load, union_graph
    from kgtool.names import NameIndex, cyrillic_to_latin, latin_to_cyrillic, normalise
    from kgtool.network import PartnerNetwork, build_network, compute_metrics
    from kgtool.project import Project, find_project
    from kgtool.publish import write_site
    from kgtool.queries import LibraryQuery, ResultTable, list_queries, load_query, run_query
    from kgtool.reason import ReasoningResult
    from kgtool.report import write_report
    from kgtool.ror import import_ror, link_ror
    from kgtool.serve import create_app
    from kgtool.stats import Stats
    from kgtool.validate import ValidationReport, ValidationResult
    from kgtool.viz import write_page
