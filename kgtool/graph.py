"""Load RDF sources into one dataset, a named graph per file, on an embedded store."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path

from rdflib import Dataset, Graph, URIRef

from kgtool.errors import KgtoolError, ParseError
from kgtool.project import PREFIXES, RDF_FORMATS, Project, find_project

STORES = ("oxigraph", "memory")


@dataclass
class LoadedGraph:
    """A dataset with one named graph per source file, and where each graph came from."""

    dataset: Dataset
    project: Project
    files: dict[str, Path] = field(default_factory=dict)  # graph IRI -> file

    def graph_of(self, path: Path) -> Graph:
        """Return the named graph that holds ``path``'s triples."""
        return self.dataset.graph(URIRef(self.project.graph_iri(path)))

    def files_under(self, folder: str) -> list[Path]:
        """Return the loaded files inside the project folder ``folder`` (ontology, shapes, data)."""
        base = (self.project.root / folder).resolve()
        return [p for p in self.files.values() if p.resolve().is_relative_to(base)]

    def subgraph(self, folders: Iterable[str]) -> Graph:
        """Return a new in-memory graph with the triples of the files under ``folders``."""
        out = Graph()
        bind_prefixes(out)
        for folder in folders:
            for path in self.files_under(folder):
                for triple in self.graph_of(path):
                    out.add(triple)
        return out


def bind_prefixes(graph: Graph) -> None:
    """Bind the project's prefixes on ``graph`` (replacing rdflib's defaults)."""
    for prefix, iri in PREFIXES.items():
        graph.bind(prefix, iri, override=True, replace=True)


def rdf_files(paths: Sequence[Path]) -> list[Path]:
    """Return the RDF files named by ``paths`` (folders are searched recursively), sorted."""
    found: list[Path] = []
    for path in paths:
        if path.is_dir():
            found.extend(
                sorted(p for p in path.rglob("*") if p.is_file() and p.suffix in RDF_FORMATS)
            )
        elif path.is_file():
            found.append(path)
        else:
            raise KgtoolError(f"{path}: no such file or folder")
    return found


def new_dataset(store: str = "oxigraph") -> Dataset:
    """Return an empty dataset on ``store`` whose default graph is the union of its graphs."""
    if store not in STORES:
        raise KgtoolError(f"unknown store {store!r}; choose one of {', '.join(STORES)}")
    ds = Dataset(store="Oxigraph" if store == "oxigraph" else "default", default_union=True)
    bind_prefixes(ds)
    return ds


def load(
    paths: Sequence[Path] | None = None,
    *,
    project: Project | None = None,
    store: str = "oxigraph",
) -> LoadedGraph:
    """Load every RDF file under ``paths`` (default: the project's ontology/, shapes/, data/)."""
    project = project or find_project()
    sources = list(paths) if paths else [d for d in project.source_dirs() if d.is_dir()]
    loaded = LoadedGraph(new_dataset(store), project)
    for path in rdf_files(sources):
        iri = project.graph_iri(path)
        try:
            loaded.dataset.graph(URIRef(iri)).parse(path, format=RDF_FORMATS[path.suffix])
        except Exception as exc:  # rdflib raises many kinds; all mean "cannot parse"
            raise ParseError(path, None, None, str(exc).splitlines()[0]) from exc
        loaded.files[iri] = path
    return loaded
