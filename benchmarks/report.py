"""Render the JSON lines of a ``benchmarks/run.py`` run as a markdown report.

.venv/bin/python benchmarks/report.py benchmarks/results/2026-11-23-10k-100k.jsonl
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from pathlib import Path
from typing import Any

MIB = 2**20
GIB = 2**30


def _seconds(value: float | None) -> str:
    if value is None:
        return "–"
    if value < 0.01:
        return f"{value * 1000:.2f} ms"
    if value < 10:
        return f"{value:.3f} s"
    return f"{value:.1f} s"


def _mib(value: int | None) -> str:
    if not value:
        return "–"
    return f"{value / GIB:.2f} GiB" if value >= GIB else f"{value / MIB:.0f} MiB"


def _ratio(a: float | None, b: float | None) -> str:
    if a is None or b is None or b == 0:
        return "–"
    value = a / b
    return f"{value:.2f}×" if value < 10 else f"{value:.0f}×"


def _cell(record: dict[str, Any] | None) -> str:
    """Return a step's time, or why there is none."""
    if record is None:
        return "not run"
    if record.get("status") != "ok":
        status = record.get("status", "?")
        if status == "timeout":
            return f"timeout ({record.get('limit', 0):.0f} s)"
        if status == "memory":
            return f"stopped at {_mib(record.get('limit'))}"
        return f"{status}: {record.get('error', '')[:60]}".strip()
    return _seconds(record.get("seconds"))


def _ok(record: dict[str, Any] | None) -> float | None:
    if record is None or record.get("status") != "ok":
        return None
    value = record.get("seconds")
    return float(value) if value is not None else None


class Run:
    """The records of one run, indexed by (size, approach, step, argument)."""

    def __init__(self, records: Iterable[dict[str, Any]]) -> None:
        #: one per run: the records of several runs (files) make one report
        self.machines: list[dict[str, Any]] = []
        self.sizes: list[str] = []
        self.sidecars: dict[str, dict[str, Any]] = {}
        self.steps: dict[tuple[str, str, str, str | None], dict[str, Any]] = {}
        for record in records:
            if "machine" in record:
                self.machines.append(record["machine"])
            elif "sidecar" in record:
                if record["size"] not in self.sidecars:
                    self.sizes.append(record["size"])
                self.sidecars[record["size"]] = record["sidecar"]
            elif "step" in record:
                key = (record["size"], record["approach"], record["step"], record.get("arg"))
                self.steps[key] = record

    def get(
        self, size: str, approach: str, step: str, arg: str | None = None
    ) -> dict[str, Any] | None:
        return self.steps.get((size, approach, step, arg))

    def queries(self, size: str) -> list[str]:
        return sorted({k[3] for k in self.steps if k[0] == size and k[2] == "query" and k[3]})


def _machine(run: Run) -> list[str]:
    lines: list[str] = []
    for number, machine in enumerate(run.machines or [{}], start=1):
        if len(run.machines) > 1:
            lines += [f"Run {number} of {len(run.machines)}, on the same files:", ""]
        lines += _machine_lines(machine)
    return lines


def _machine_lines(m: dict[str, Any]) -> list[str]:
    versions = ", ".join(f"{k} {v}" for k, v in m.get("versions", {}).items())
    return [
        f"Machine: {m.get('cpu', '?')}, {m.get('cores', '?')} cores, "
        f"{m.get('memory_gib', '?')} GiB RAM, {m.get('system', '')}, Python {m.get('python', '?')}"
        f" (load average {m.get('load_average', 0):.2f} at the start).",
        "",
        f"Packages: {versions}. kgtool commit `{m.get('commit', '?')}`; "
        f"run started {m.get('started', '?')}."
        + (
            f" Uncommitted at the time (other engineers' work in progress, measured as it was):"
            f" {', '.join(m['uncommitted'])}."
            if m.get("uncommitted")
            else ""
        ),
        "",
    ]


def _size_section(run: Run, size: str) -> list[str]:
    meta = run.sidecars[size]
    counts = meta.get("counts", {})
    expected = meta.get("expected", {})
    lines = [
        f"## {size}: {meta['triples']:,} data triples",
        "",
        f"{counts.get('institutions', 0):,} institutions ({counts.get('units', 0):,} units), "
        f"{counts.get('agreements', 0):,} agreements, {counts.get('observations', 0):,} "
        f"statistics, {counts.get('documents', 0):,} source documents, "
        f"{counts.get('evidence_spans', 0):,} evidence spans; "
        f"{meta.get('bytes', 0) / MIB:.1f} MiB of N-Triples. Expected SHACL results: "
        f"{expected.get('results', '?')} ({expected.get('violations', '?')} injected violations"
        f" + {expected.get('warnings', '?')} warnings for unknown signing dates).",
        "",
        "| step | kgtool | native pyoxigraph | stock rdflib/pyshacl | kgtool / native "
        "| stock / kgtool | peak RSS kgtool / native / stock |",
        "|---|---:|---:|---:|---:|---:|---|",
    ]

    def row(label: str, step: str, arg: str | None = None, kg_step: str | None = None) -> None:
        kg = run.get(size, "kgtool", kg_step or step, arg)
        # A second kgtool row of one step (another engine) shows no other approach again.
        nat = None if kg_step else run.get(size, "native", step, arg)
        stock = None if kg_step else run.get(size, "stock", step, arg)
        rss = " / ".join(_mib(r.get("peak_rss")) if r else "–" for r in (kg, nat, stock))
        lines.append(
            f"| {label} | {_cell(kg)} | {_cell(nat) if nat else '–'} | "
            f"{_cell(stock) if stock else '–'} | {_ratio(_ok(kg), _ok(nat))} | "
            f"{_ratio(_ok(stock), _ok(kg))} | {rss} |"
        )

    row("load (ontology + shapes + data)", "load")
    row("validate (kgtool.validate, default engine / stock pyshacl)", "validate")
    if run.get(size, "kgtool", "validate-pyshacl"):
        row("validate, `--engine pyshacl` (reference)", "validate", kg_step="validate-pyshacl")
    if run.get(size, "kgtool", "validate-fast"):
        row("validate, fast engine (kgtool.shacl_fast)", "validate", kg_step="validate-fast")
    for name in run.queries(size):
        row(f"query `{name}`", "query", name)
    row("export (all formats)", "export")
    for step, label in (
        ("network", "network metrics"),
        ("page", "network page"),
        ("build", "kgtool build (no HermiT)"),
        ("build-1", "kgtool build (no HermiT), every step in one process"),
        ("build-reason", "kgtool build (with HermiT)"),
    ):
        if run.get(size, "kgtool", step):
            row(label, step)
    lines.append("")
    lines += _validation_table(run, size, expected)
    lines += _query_rows(run, size)
    lines += _details(run, size)
    return lines


def _validation_table(run: Run, size: str, expected: dict[str, Any]) -> list[str]:
    lines = [
        "Validation results against the generator's count "
        f"({expected.get('violations')} violations, {expected.get('warnings')} warnings):",
        "",
        "| engine | time | results | violations | warnings | exact |",
        "|---|---:|---:|---:|---:|---|",
    ]
    for label, approach, step in (
        ("kgtool validate (default engine)", "kgtool", "validate"),
        ("kgtool validate --engine pyshacl (reference)", "kgtool", "validate-pyshacl"),
        ("kgtool fast engine, called directly", "kgtool", "validate-fast"),
        ("stock pyshacl, ontology as ont_graph", "stock", "validate"),
    ):
        record = run.get(size, approach, step)
        if record is None:
            continue
        if record.get("status") != "ok":
            lines.append(f"| {label} | {_cell(record)} | – | – | – | – |")
            continue
        exact = (record.get("violations"), record.get("warnings")) == (
            expected.get("violations"),
            expected.get("warnings"),
        )
        lines.append(
            f"| {label} | {_cell(record)} | {record.get('results')} | "
            f"{record.get('violations')} | {record.get('warnings')} | "
            f"{'yes' if exact else '**no**'} |"
        )
    return [*lines, ""]


def _query_rows(run: Run, size: str) -> list[str]:
    disagreements = []
    for name in run.queries(size):
        rows = {
            approach: r.get("rows")
            for approach in ("kgtool", "native", "stock")
            if (r := run.get(size, approach, "query", name)) and r.get("status") == "ok"
        }
        if len(set(rows.values())) > 1:
            disagreements.append(f"`{name}` ({', '.join(f'{a} {n}' for a, n in rows.items())})")
    if not disagreements:
        return ["Every query returned the same number of rows on every engine that finished.", ""]
    return ["Row counts differ: " + "; ".join(disagreements) + ".", ""]


def _details(run: Run, size: str) -> list[str]:
    lines: list[str] = []
    network = run.get(size, "kgtool", "network")
    if network and network.get("status") == "ok":
        lines.append(
            f"Network: {network['nodes']:,} institutions, {network['edges']:,} partner pairs, "
            f"{network['communities']} communities; reading the graph "
            f"{_seconds(network['build_network'])}, metrics {_seconds(network['compute_metrics'])}"
            f" (betweenness {'sampled' if network['betweenness_sampled'] else 'exact'})."
        )
    page = run.get(size, "kgtool", "page")
    if page and page.get("status") == "ok":
        text = (
            f"Page: {page['nodes']:,} institutions, HTML {page['html_bytes'] / MIB:.1f} MiB; "
            f"network {_seconds(page['build_network'])} + page {_seconds(page['render'])}"
        )
        if "page_5000" in page:
            text += (
                f"; the page of the 5,000 busiest institutions ({page['page_5000_edges']:,} "
                f"edges) written in {_seconds(page['page_5000'])}"
            )
        lines.append(text + ".")
    for approach in ("kgtool", "native", "stock"):
        export = run.get(size, approach, "export")
        if export and export.get("status") == "ok":
            formats = ", ".join(f"{k} {_seconds(v)}" for k, v in export["formats"].items())
            lines.append(f"Export, {approach}: {formats}.")
    for step, how in (("build", "in workers"), ("build-1", "in one process")):
        build = run.get(size, "kgtool", step)
        if build and build.get("status") == "ok":
            steps = ", ".join(f"{name} {_seconds(s[1])}" for name, s in build["steps"].items())
            lines.append(f"Build steps {how} (exit code {build['exit_code']}): {steps}.")
    return [*lines, ""] if lines else []


def _verdict(ok: bool | None) -> str:
    return "–" if ok is None else ("yes" if ok else "**no**")


def _targets(run: Run, size: str) -> list[str]:
    lines = [
        f"## Targets at {size}",
        "",
        "| target | measured | met |",
        "|---|---|---|",
    ]

    kg, nat = _ok(run.get(size, "kgtool", "load")), _ok(run.get(size, "native", "load"))
    ratio = kg / nat if kg and nat else None
    lines.append(
        f"| load within 1.5× of native | {_ratio(kg, nat)} | "
        f"{_verdict(None if ratio is None else ratio <= 1.5)} |"
    )
    for name in run.queries(size):
        k = _ok(run.get(size, "kgtool", "query", name))
        n = _ok(run.get(size, "native", "query", name))
        s_rec = run.get(size, "stock", "query", name)
        s = _ok(s_rec)
        within = None if k is None or n is None else k <= 1.5 * n
        faster = None if k is None or s is None else s >= 30 * k
        if s_rec and s_rec.get("status") == "timeout" and k:
            faster = s_rec["limit"] >= 30 * k
        stock_text = _ratio(s, k) if s is not None else _cell(s_rec)
        met = _verdict(None if within is None else within and faster is not False)
        lines.append(
            f"| `{name}` ≤ 1.5× native, ≥ 30× stock | {_ratio(k, n)} native; stock {stock_text} "
            f"| {met} |"
        )
    sidecar = run.sidecars[size]["expected"]
    for step, label in (("validate", "kgtool validate"), ("validate-fast", "fast engine")):
        record = run.get(size, "kgtool", step)
        if record is None:
            continue
        if record.get("status") != "ok":
            lines.append(
                f"| validation ({label}) exact, ≤ 10 s, ≤ 2 GiB | {_cell(record)} | **no** |"
            )
            continue
        exact = (record["violations"], record["warnings"]) == (
            sidecar["violations"],
            sidecar["warnings"],
        )
        ok = exact and record["seconds"] <= 10 and record["peak_rss"] <= 2 * GIB
        lines.append(
            f"| validation ({label}) exact, ≤ 10 s, ≤ 2 GiB | {record['results']} results "
            f"({'exact' if exact else 'not exact'}), {_seconds(record['seconds'])}, "
            f"{_mib(record['peak_rss'])} | {_verdict(ok)} |"
        )
    build = run.get(size, "kgtool", "build")
    if build is not None:
        b = _ok(build)
        if b is None and build.get("status") == "timeout":
            b = float(build["limit"])  # at least this long
        met = _verdict(None if b is None else b <= 60)
        lines.append(f"| `kgtool build` ≤ 60 s | {_cell(build)} | {met} |")
    network = run.get(size, "kgtool", "network")
    if network is not None:
        value = _ok(network)
        lines.append(
            f"| network metrics ≤ 15 s | {_cell(network)} | "
            f"{_verdict(None if value is None else value <= 15)} |"
        )
    page = run.get(size, "kgtool", "page")
    if page is not None and page.get("page_5000") is not None:
        lines.append(
            f"| page for 5,000 institutions < 1 s | {_seconds(page['page_5000'])} | "
            f"{_verdict(page['page_5000'] < 1)} |"
        )
        stable = page.get("page_5000_stable")
        if stable is not None:
            drawn = page.get("page_5000_drawn_nodes")
            nodes = page.get("page_5000_nodes")
            lines.append(
                f"| that page stable and drawn in Chromium < 5 s | {_seconds(stable)}, "
                f"{drawn:,} of {nodes:,} institutions drawn | "
                f"{_verdict(stable < 5 and drawn == nodes)} |"
            )
        elif page.get("page_5000_browser"):
            skipped = page["page_5000_browser"]
            lines.append(f"| that page stable and drawn in Chromium < 5 s | {skipped} | – |")
    return [*lines, ""]


def _targets_5m(run: Run, size: str) -> list[str]:
    """The issue's target at 5M: every step completes within 24 GiB (the time targets are
    for 1M; at 5M the times are reported, not judged)."""
    kgtool = [r for (s, a, _, _), r in run.steps.items() if s == size and a == "kgtool"]
    done = [r for r in kgtool if r.get("status") == "ok"]
    peak = max(kgtool, key=lambda r: r.get("peak_rss") or 0, default=None)
    limit = 24 * GIB
    lines = [
        f"## Targets at {size}",
        "",
        "| target | measured | met |",
        "|---|---|---|",
        f"| every kgtool step completes | {len(done)} of {len(kgtool)} | "
        f"{_verdict(bool(kgtool) and len(done) == len(kgtool))} |",
    ]
    if peak is not None and peak.get("peak_rss"):
        step = peak["step"] + (f" `{peak['arg']}`" if peak.get("arg") else "")
        ok = all((r.get("peak_rss") or 0) <= limit for r in kgtool)
        lines.append(
            f"| within 24 GiB | largest peak {_mib(peak['peak_rss'])} ({step}) | {_verdict(ok)} |"
        )
    return [*lines, ""]


def _size_value(size: str) -> float:
    scale = {"k": 1e3, "m": 1e6}.get(size[-1:].lower(), 1.0)
    try:
        return float(size[:-1] if scale != 1.0 else size) * scale
    except ValueError:
        return float("inf")


def render(records: Iterable[dict[str, Any]], notes: str = "") -> str:
    """Return the markdown report of one run."""
    run = Run(records)
    lines = [
        f"# kgtool benchmark: {', '.join(sorted(run.sizes, key=_size_value))}",
        "",
        "kgtool against native pyoxigraph (the floor) and the stock approach (rdflib memory "
        "graph + pyshacl with the ontology as `ont_graph`), on the same generated files "
        "(`benchmarks/generate.py`), each measurement in a fresh process. Times are the step "
        "alone, data already loaded (load is its own row); a query runs again while its runs "
        "fit in 5 s (at most 5; kgtool and native at least twice) and the best run counts. "
        "Peak RSS is the whole process's. Made by `benchmarks/run.py`.",
        "",
        *_machine(run),
    ]
    for size in sorted(run.sizes, key=_size_value):
        lines += _size_section(run, size)
    for size in sorted(run.sizes, key=_size_value):
        if size == "1m":
            lines += _targets(run, size)
        elif size == "5m":
            lines += _targets_5m(run, size)
    if notes:
        lines += [notes.strip(), ""]
    return "\n".join(lines).rstrip() + "\n"


def main(argv: list[str]) -> int:
    """Print the report of the JSON lines files in ``argv`` (``--notes FILE`` appends text)."""
    notes = ""
    if "--notes" in argv:
        at = argv.index("--notes")
        notes = Path(argv[at + 1]).read_text(encoding="utf-8")
        argv = argv[:at] + argv[at + 2 :]
    records = []
    for name in argv:
        for line in Path(name).read_text(encoding="utf-8").splitlines():
            if line.strip():
                records.append(json.loads(line))
    sys.stdout.write(render(records, notes))
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1:]))
