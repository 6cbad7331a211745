"""Precision and recall of `kgtool extract` per field on the hand-annotated development set.

Each ``<set>/*.txt`` has a ``*.json`` gold file in the extractor's output contract. Predicted
agreements are paired with gold ones by their parties; every field is then scored as a set of
(agreement, value) facts, so a missed or invented agreement costs recall or precision on every
field it carries. Writes ``benchmarks/results/extract.md``.

Usage: .venv/bin/python benchmarks/extract/evaluate.py [--devset DIR] [-o FILE]
       [--before OLD.md] [--preamble benchmarks/extract/results_preamble.md]
"""

from __future__ import annotations

import argparse
import json
import sys
import time
from collections import defaultdict
from pathlib import Path
from typing import Any

from kgtool.extract import extract_documents
from kgtool.graph import load
from kgtool.names import normalise

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent.parent
SCALAR_FIELDS = ("kind", "signed_on", "term_years", "extendable", "place")
SET_FIELDS = ("directions", "fields")
PARTY_FIELDS = ("country", "kind", "parent")


def party_key(party: dict[str, Any]) -> str:
    return str(party["iri"]) if party.get("iri") else "name:" + normalise(str(party["name"]))


def pair_agreements(
    predicted: list[dict[str, Any]], gold: list[dict[str, Any]]
) -> list[tuple[dict[str, Any] | None, dict[str, Any] | None]]:
    """Pair predicted and gold agreements by party overlap (Jaccard >= 0.5), greedily."""
    scored = []
    for i, p in enumerate(predicted):
        pk = {party_key(x) for x in p["parties"]}
        for j, g in enumerate(gold):
            gk = {party_key(x) for x in g["parties"]}
            jaccard = len(pk & gk) / len(pk | gk) if pk | gk else 0.0
            if jaccard >= 0.5:
                scored.append((jaccard, i, j))
    pairs: list[tuple[dict[str, Any] | None, dict[str, Any] | None]] = []
    used_p: set[int] = set()
    used_g: set[int] = set()
    for _, i, j in sorted(scored, reverse=True):
        if i not in used_p and j not in used_g:
            pairs.append((predicted[i], gold[j]))
            used_p.add(i)
            used_g.add(j)
    pairs += [(p, None) for i, p in enumerate(predicted) if i not in used_p]
    pairs += [(None, g) for j, g in enumerate(gold) if j not in used_g]
    return pairs


class Counts:
    """True positives, predicted and gold counts for each field."""

    def __init__(self) -> None:
        self.tp: dict[str, int] = defaultdict(int)
        self.pred: dict[str, int] = defaultdict(int)
        self.gold: dict[str, int] = defaultdict(int)

    def add(self, field: str, predicted: set[Any], gold: set[Any]) -> None:
        self.tp[field] += len(predicted & gold)
        self.pred[field] += len(predicted)
        self.gold[field] += len(gold)

    def row(self, field: str) -> tuple[float | None, float | None, int, int, int]:
        tp, pred, gold = self.tp[field], self.pred[field], self.gold[field]
        precision = tp / pred if pred else None
        recall = tp / gold if gold else None
        return precision, recall, tp, pred, gold


def score_document(
    predicted: dict[str, Any], gold: dict[str, Any], counts: Counts, errors: list[str]
) -> None:
    doc = gold["document"]
    for field in ("language", "script"):
        counts.add(field, {predicted[field]}, {gold[field]})
        if predicted[field] != gold[field]:
            errors.append(f"{doc}: {field} {predicted[field]!r}, expected {gold[field]!r}")
    for index, (p, g) in enumerate(pair_agreements(predicted["agreements"], gold["agreements"])):
        counts.add("agreement", {index} if p else set(), {index} if g else set())
        if p is None or g is None:
            which = "missed" if p is None else "invented"
            parties = [x["name"] for x in (g or p or {}).get("parties", [])]
            errors.append(f"{doc}: {which} agreement {parties}")
        for field in SCALAR_FIELDS:
            pv = {p[field]} if p and p.get(field) is not None else set()
            gv = {g[field]} if g and g.get(field) is not None else set()
            counts.add(field, {(index, v) for v in pv}, {(index, v) for v in gv})
            if p and g and pv != gv:
                errors.append(f"{doc}: {field} {p.get(field)!r}, expected {g.get(field)!r}")
        for field in SET_FIELDS:
            pv = set(p[field]) if p else set()
            gv = set(g[field]) if g else set()
            counts.add(field, {(index, v) for v in pv}, {(index, v) for v in gv})
            if p and g and pv != gv:
                errors.append(f"{doc}: {field} missing {short(gv - pv)}, extra {short(pv - gv)}")
        pp = {party_key(x): x for x in (p["parties"] if p else [])}
        gp = {party_key(x): x for x in (g["parties"] if g else [])}
        counts.add("parties", {(index, k) for k in pp}, {(index, k) for k in gp})
        if p and g and set(pp) != set(gp):
            errors.append(
                f"{doc}: parties {sorted(k[-40:] for k in pp)},"
                f" expected {sorted(k[-40:] for k in gp)}"
            )
        for key in set(pp) & set(gp):
            for field in PARTY_FIELDS:
                pv = pp[key].get(field)
                gv = gp[key].get(field)
                counts.add(
                    "party " + field,
                    {(index, key, pv)} if pv is not None else set(),
                    {(index, key, gv)} if gv is not None else set(),
                )
                if pv != gv:
                    errors.append(f"{doc}: party {key[-40:]} {field} {pv!r}, expected {gv!r}")


def short(iris: set[Any]) -> list[str]:
    return sorted(str(x).rsplit("/", 1)[-1] for x in iris)


def fmt(value: float | None) -> str:
    return "–" if value is None else f"{value:.2f}"


def read_tables(path: Path) -> dict[str, dict[str, tuple[str, str]]]:
    """Return {folder: {field: (precision, recall)}} from an earlier results file."""
    tables: dict[str, dict[str, tuple[str, str]]] = {}
    folder = ""
    for line in path.read_text(encoding="utf-8").splitlines():
        if line.startswith("## `"):
            folder = line.split("`")[1].rstrip("/")
            tables[folder] = {}
        cells = [c.strip() for c in line.strip("|").split("|")]
        if folder and line.startswith("| ") and len(cells) >= 3 and cells[0] != "field":
            tables[folder][cells[0]] = (cells[1], cells[2])
    return tables


def evaluate_folder(
    folder: Path, loaded: Any, before: dict[str, tuple[str, str]] | None = None
) -> list[str]:
    """Return the Markdown section (table and differences) for one annotated folder; with
    ``before`` (an earlier run's precision and recall per field) beside the new ones."""
    counts = Counts()
    errors: list[str] = []
    texts = sorted(folder.glob("*.txt"))
    started = time.perf_counter()
    for text in texts:
        gold = json.loads(text.with_suffix(".json").read_text(encoding="utf-8"))
        result = extract_documents([text], loaded=loaded)
        predicted = result.as_json()
        assert isinstance(predicted, dict)
        score_document(predicted, gold, counts, errors)
    elapsed = time.perf_counter() - started
    fields = ["agreement", "parties", *PARTY_FIELDS_ROWS, *SCALAR_FIELDS, *SET_FIELDS,
              "language", "script"]  # fmt: skip
    lines = [
        f"## `{folder.name}/`: {len(texts)} texts, {counts.gold['agreement']} gold agreements"
        f" ({elapsed:.1f} s)",
        "",
    ]
    if before is None:
        lines += [
            "| field | precision | recall | correct | predicted | gold |",
            "|---|---:|---:|---:|---:|---:|",
        ]
    else:
        lines += [
            "| field | precision before | precision | recall before | recall | correct"
            " | predicted | gold |",
            "|---|---:|---:|---:|---:|---:|---:|---:|",
        ]
    for field in fields:
        precision, recall, tp, pred, gold_n = counts.row(field)
        if before is None:
            lines.append(
                f"| {field} | {fmt(precision)} | {fmt(recall)} | {tp} | {pred} | {gold_n} |"
            )
        else:
            was = before.get(field, ("?", "?"))
            lines.append(
                f"| {field} | {was[0]} | {fmt(precision)} | {was[1]} | {fmt(recall)} | {tp}"
                f" | {pred} | {gold_n} |"
            )
    lines += ["", "Differences from the gold annotations:", ""]
    lines += [f"- {e}" for e in errors] or ["- none"]
    return lines


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument(
        "--devset",
        type=Path,
        action="append",
        help="folder of *.txt + *.json (default: devset/ and heldout/)",
    )
    parser.add_argument("-o", "--output", type=Path, default=ROOT / "benchmarks/results/extract.md")
    parser.add_argument(
        "--before",
        type=Path,
        action="append",
        default=[],
        help="an earlier results file: its precision and recall are shown beside the new ones",
    )
    parser.add_argument("--preamble", type=Path, help="Markdown to put after the title")
    args = parser.parse_args(argv)
    loaded = load()
    folders = args.devset or [
        HERE / d for d in ("devset", "heldout", *(f"blind{n}" for n in ("", 2, 3, 4, 5, 6, 7, 8)))
    ]
    before: dict[str, dict[str, tuple[str, str]]] = {}
    for path in args.before:
        before.update(read_tables(path))
    lines = [
        "# Extraction: precision and recall per field",
        "",
        "Regenerate with `.venv/bin/python benchmarks/extract/evaluate.py --preamble"
        " benchmarks/extract/results_preamble.md`. Each field is scored"
        " as a set of facts per paired agreement (agreements are paired by their parties; one"
        " missed or invented counts against every field it carries); '–' means nothing to"
        " score. See `benchmarks/extract/README.md` for what each set is.",
    ]
    if args.preamble:
        lines += ["", args.preamble.read_text(encoding="utf-8").strip()]
    for folder in folders:
        lines += ["", *evaluate_folder(folder, loaded, before.get(folder.name) if before else None)]
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text("\n".join(lines) + "\n", encoding="utf-8")
    print("\n".join(lines))
    return 0


PARTY_FIELDS_ROWS = tuple("party " + f for f in PARTY_FIELDS)

if __name__ == "__main__":
    sys.exit(main())
