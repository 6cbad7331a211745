"""Draft agreements from press releases (Uzbek in both scripts, Russian, English) for review.

Rule-based and offline: no model is downloaded and nothing is written into data/. The public
entry point is :func:`extract_documents`; :func:`kgtool.extract.turtle.to_turtle` renders the
drafts in the contract vocabulary and :func:`kgtool.extract.table.import_table` reads
spreadsheet registers.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Sequence
from pathlib import Path

from kgtool.extract.catalogue import Catalogue
from kgtool.extract.concepts import Lexicon
from kgtool.extract.document import extract_text
from kgtool.extract.merge import merge_agreements
from kgtool.extract.model import (
    Agreement,
    DocumentResult,
    Evidence,
    ExtractionResult,
    Party,
)
from kgtool.extract.text import read_document
from kgtool.graph import LoadedGraph, load, union_graph

__all__ = [
    "Agreement",
    "Catalogue",
    "DocumentResult",
    "Evidence",
    "ExtractionResult",
    "Lexicon",
    "Party",
    "extract_documents",
    "knowledge",
]


def knowledge(loaded: LoadedGraph | None = None) -> tuple[Catalogue, Lexicon]:
    """Return the institutions and concept lexicon of the project's graph (ontology/ + data/)."""
    loaded = loaded or load()
    graph = union_graph(loaded)
    return Catalogue(graph), Lexicon(graph)


def extract_documents(
    paths: Sequence[Path],
    *,
    loaded: LoadedGraph | None = None,
    published: dt.date | None = None,
) -> ExtractionResult:
    """Read each press release in ``paths`` and propose the agreements it announces as signed.

    Reports of one event in several documents (same parties, compatible date and kind) are
    merged into one agreement citing every document. Raises KgtoolError for a file that cannot
    be read (empty, binary, not UTF-8, too large).
    """
    texts = [(path, read_document(path)) for path in paths]
    catalogue, lexicon = knowledge(loaded)
    documents: list[DocumentResult] = []
    for path, text in texts:
        documents.append(
            extract_text(
                text,
                path.name,
                catalogue,
                lexicon,
                published=published,
                path=str(path),
                sha256=hashlib.sha256(path.read_bytes()).hexdigest(),
            )
        )
    merged = merge_agreements(
        [a for d in documents for a in d.agreements], catalogue.taken.subjects
    )
    # Each document lists the merged record of every agreement it reports (same object, same id).
    for document in documents:
        document.agreements = [m for m in merged if document.document in m.documents]
    return ExtractionResult(documents, merged, catalogue.taken)
