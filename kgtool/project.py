"""Where the project's folders are, and the IRIs and languages every module shares."""

from __future__ import annotations

import os
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

from rdflib import Namespace

BASE = "https://w3id.org/kgtool/"
COOP = Namespace(BASE + "ontology#")
COOPSH = Namespace(BASE + "shapes#")
ID = BASE + "id/"
GRAPH_BASE = BASE + "graph/"
INFERRED_GRAPH = GRAPH_BASE + "inferred"
METRICS_GRAPH = GRAPH_BASE + "metrics"

#: BCP 47 tags the project's names and labels may carry (the shapes list the same tags).
LANGUAGES: tuple[str, ...] = ("en", "ru", "uz-Latn", "uz-Cyrl", "ko")

#: Languages to try, in order, for a reader of each language when a label is missing in it
#: (Uzbek scripts fall back to each other first); other languages use the English order.
FALLBACK_LANGUAGES: dict[str, tuple[str, ...]] = {
    "en": ("en", "uz-Latn", "ru", "uz-Cyrl", "ko"),
    "ru": ("ru", "en", "uz-Latn", "uz-Cyrl", "ko"),
    "uz-Latn": ("uz-Latn", "uz-Cyrl", "en", "ru", "ko"),
    "uz-Cyrl": ("uz-Cyrl", "uz-Latn", "ru", "en", "ko"),
}


def local_name(iri: str) -> str:
    """Return the last segment of an IRI (after ``#`` or ``/``, a trailing ``/`` ignored), or
    the IRI itself when that is empty."""
    return re.split(r"[#/]", iri.rstrip("/"))[-1] or iri


@lru_cache(maxsize=4096)  # a few distinct tags, read for every label of a large graph
def canonical_language_tag(tag: str) -> str:
    """Return a BCP 47 tag in its canonical case (RFC 5646 §2.1.1): ``uz-latn`` -> ``uz-Latn``.

    Oxigraph lower-cases language tags; kgtool shows them as the project writes them.
    """
    parts = tag.split("-")
    out = [parts[0].lower()]
    private = False
    for part in parts[1:]:
        if private or len(part) == 1:
            private = True  # after a singleton (x-, u-, ...) everything stays lower case
            out.append(part.lower())
        elif len(part) == 4 and part.isalpha():
            out.append(part.title())
        elif len(part) == 2 and part.isalpha():
            out.append(part.upper())
        else:
            out.append(part.lower())
    return "-".join(out)


def language_order(lang: str) -> list[str]:
    """Return the languages to try for a reader of ``lang``: itself, then its fallbacks."""
    order = FALLBACK_LANGUAGES.get(lang, FALLBACK_LANGUAGES["en"])
    return [lang, *(x for x in order if x != lang)]


def best_language(tags: Iterable[str], lang: str) -> str | None:
    """Return which of ``tags`` to show a reader of ``lang``: ``lang``, its fallbacks, untagged
    (``""``), else the first in sorted order; None when there are no tags."""
    available = set(tags)
    for candidate in (*language_order(lang), ""):
        if candidate in available:
            return candidate
    return min(available) if available else None


def pick_label(labels: Mapping[str, str], lang: str) -> str | None:
    """Return the non-empty label (keyed by language tag) to show a reader of ``lang``."""
    tag = best_language((t for t, text in labels.items() if text), lang)
    return None if tag is None else labels[tag]


#: Prefixes used in every serialisation, in a stable order.
PREFIXES: dict[str, str] = {
    "coop": str(COOP),
    "coopsh": str(COOPSH),
    "inst": ID + "org/",
    "agr": ID + "agreement/",
    "src": ID + "source/",
    "person": ID + "person/",
    "post": ID + "post/",
    "country": ID + "country/",
    "dir": ID + "direction/",
    "fld": ID + "field/",
    "kind": ID + "kind/",
    "status": ID + "status/",
    "provision": ID + "provision/",
    "entry": ID + "entry-into-force/",
    "ext": ID + "extension/",
    "role": ID + "role/",
    "measure": ID + "measure/",
    "unit": ID + "unit/",
    "qual": ID + "qualifier/",
    "ini": ID + "initiative/",
    "obs": ID + "observation/",
    "scheme": ID + "scheme/",
    "span": ID + "span/",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "owl": "http://www.w3.org/2002/07/owl#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dcterms": "http://purl.org/dc/terms/",
    "prov": "http://www.w3.org/ns/prov#",
    "org": "http://www.w3.org/ns/org#",
    "foaf": "http://xmlns.com/foaf/0.1/",
    "time": "http://www.w3.org/2006/time#",
    "schema": "https://schema.org/",
    "sh": "http://www.w3.org/ns/shacl#",
}

#: The folders whose RDF files make up the graph, in load order.
SOURCE_DIRS: tuple[str, ...] = ("ontology", "shapes", "data")

#: File extensions kgtool reads, and the rdflib format of each.
RDF_FORMATS: dict[str, str] = {
    ".ttl": "turtle",
    ".trig": "trig",
    ".nt": "nt",
    ".nq": "nquads",
    ".jsonld": "json-ld",
    ".json": "json-ld",
    ".rdf": "xml",
    ".owl": "xml",
    ".xml": "xml",
}


@dataclass(frozen=True)
class Project:
    """A kgtool project: a folder holding ontology/, shapes/, data/ and queries/."""

    root: Path

    @property
    def ontology_dir(self) -> Path:
        return self.root / "ontology"

    @property
    def shapes_dir(self) -> Path:
        return self.root / "shapes"

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def queries_dir(self) -> Path:
        return self.root / "queries"

    @property
    def out_dir(self) -> Path:
        return self.root / "out"

    def source_dirs(self) -> list[Path]:
        """Return the folders of RDF sources, in load order."""
        return [self.root / name for name in SOURCE_DIRS]

    def graph_iri(self, path: Path) -> str:
        """Return the named-graph IRI of a file: stable across machines when inside the project."""
        resolved = path.resolve()
        try:
            rel = resolved.relative_to(self.root.resolve())
        except ValueError:
            return resolved.as_uri()
        return GRAPH_BASE + rel.as_posix()


def find_project(start: Path | None = None) -> Project:
    """Return the project around ``start`` (default: $KGTOOL_PROJECT or the current folder).

    Walks up until a folder with ``ontology/`` is found; falls back to the folder itself.
    """
    env = os.environ.get("KGTOOL_PROJECT")
    here = Path(env) if env and start is None else (start or Path.cwd())
    here = here.resolve()
    for candidate in (here, *here.parents):
        if (candidate / "ontology").is_dir():
            return Project(candidate)
    return Project(here)


def shared_dir(project: Project) -> Path | None:
    """Return ``../shared`` beside the project (seeds, ROR subset, W3C tests), if present."""
    env = os.environ.get("KGTOOL_SHARED")
    candidate = Path(env) if env else project.root.parent / "shared"
    return candidate if candidate.is_dir() else None
