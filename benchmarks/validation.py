"""Time SHACL validation of generated data: kgtool's fast engine against pyshacl.

Each measurement runs in a fresh process (so peak RSS belongs to that run alone) and prints one
JSON line: load time, engine time, end-to-end ``kgtool.validate.validate`` time, results per
severity and component, the generator's expected counts, and peak RSS.

    python benchmarks/validation.py --data benchmarks/data/1m/generated.nt --engine fast
    python benchmarks/validation.py --sizes 10k,100k,1m --engines fast,pyshacl --work /tmp/vb

Data files come from ``benchmarks/generate.py`` (its JSON sidecar gives the expected counts).
"""

from __future__ import annotations

import argparse
import json
import resource
import subprocess
import sys
import time
from collections import Counter
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent


def _cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


def measure(data: Path, engine: str, *, report: bool = True) -> dict[str, Any]:
    """Validate ``data`` (plus the project's ontology) with ``engine``; return the figures.

    ``report=False`` times the fast engine alone (no ``kgtool.validate`` report model)."""
    from kgtool.graph import load
    from kgtool.project import find_project
    from kgtool.shacl_fast import validate_store
    from kgtool.validate import validate

    project = find_project(ROOT)
    started, load_cpu = time.perf_counter(), _cpu()
    loaded = load([project.ontology_dir, project.shapes_dir, data], project=project)
    loaded_at = time.perf_counter()
    figures_cpu = round(_cpu() - load_cpu, 2)
    figures: dict[str, Any] = {"data": str(data), "engine": engine, "load_cpu_s": figures_cpu}
    if engine == "fast":
        from kgtool.graph import oxigraph_store

        shapes = loaded.subgraph(["shapes"])
        shape_graphs = set(map(str, loaded.graph_iris_under(["shapes"])))
        graphs = [iri for iri in loaded.files if iri not in shape_graphs]
        engine_start, engine_cpu = time.perf_counter(), _cpu()
        raw = validate_store(oxigraph_store(loaded), shapes, data_graphs=graphs)
        figures["engine_s"] = round(time.perf_counter() - engine_start, 2)
        # CPU time too: on a shared machine the wall clock also counts other people's work.
        figures["engine_cpu_s"] = round(_cpu() - engine_cpu, 2)
        figures["engine_results"] = len(raw)
        figures["engine_by_severity"] = dict(Counter(str(r.severity).rsplit("#")[-1] for r in raw))
        if not report:
            figures["peak_rss_mib"] = round(
                resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
            )
            figures["load_s"] = round(loaded_at - started, 2)
            return figures
    report_start, report_cpu = time.perf_counter(), _cpu()
    report = validate([data], loaded=loaded, engine=engine)
    finished = time.perf_counter()
    figures["validate_cpu_s"] = round(_cpu() - report_cpu, 2)
    figures.update(
        load_s=round(loaded_at - started, 2),
        validate_s=round(finished - report_start, 2),
        results=len(report.results),
        by_severity=dict(Counter(r.severity for r in report.results)),
        by_component=dict(
            Counter(f"{r.severity} {str(r.component).rsplit('#')[-1]}" for r in report.results)
        ),
        peak_rss_mib=round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024),
    )
    sidecar = data.with_suffix(".json")
    if sidecar.is_file():
        expected = json.loads(sidecar.read_text(encoding="utf-8"))
        figures["triples"] = expected.get("triples")
        figures["expected"] = expected.get("expected", {})
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, help="one N-Triples file to validate")
    parser.add_argument("--engine", default="fast", choices=["fast", "pyshacl"])
    parser.add_argument(
        "--engine-only", action="store_true", help="fast engine alone, no report model"
    )
    parser.add_argument("--sizes", help="generate and validate these sizes (10k,100k,1m)")
    parser.add_argument("--engines", default="fast,pyshacl")
    parser.add_argument("--work", type=Path, default=ROOT / "benchmarks" / "data")
    parser.add_argument("--timeout", type=float, default=1800, help="seconds per run")
    args = parser.parse_args(argv)
    if args.data is not None:
        figures = measure(args.data, args.engine, report=not args.engine_only)
        print(json.dumps(figures, ensure_ascii=False))
        return 0
    for size in (args.sizes or "10k").split(","):
        data = args.work / size / "generated.nt"
        if not data.is_file():
            subprocess.run(
                [
                    sys.executable,
                    str(ROOT / "benchmarks" / "generate.py"),
                    "--triples",
                    size,
                    "--out",
                    str(data),
                ],
                check=True,
            )
        for engine in args.engines.split(","):
            command = [sys.executable, __file__, "--data", str(data), "--engine", engine]
            try:
                done = subprocess.run(
                    command, capture_output=True, text=True, timeout=args.timeout, check=True
                )
                print(done.stdout.strip(), flush=True)
            except subprocess.TimeoutExpired:
                print(
                    json.dumps(
                        {"data": str(data), "engine": engine, "stopped_after_s": args.timeout}
                    )
                )
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
