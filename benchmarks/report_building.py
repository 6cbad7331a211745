"""Time what ``kgtool validate`` does after the SHACL engine has run: finding where each focus
node is defined and building the report model, on a file from ``benchmarks/generate.py``.

    python benchmarks/generate.py --triples 1m --out benchmarks/data/1m/generated.nt
    python benchmarks/report_building.py --data benchmarks/data/1m/generated.nt

Prints one JSON line of CPU seconds (on a shared machine the wall clock also counts other
people's work): the engine, the report model alone (best of three), a fresh
``shacl_fast.Locator`` over the reported focus nodes (file read and line index included), and
``graph.locate``'s per-file index (first call) and later calls.
"""

from __future__ import annotations

import argparse
import json
import resource
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

from rdflib import RDF, URIRef

ROOT = Path(__file__).resolve().parent.parent


def _cpu_of(work: Callable[[], Any]) -> tuple[float, Any]:
    started = time.process_time()
    result = work()
    return round(time.process_time() - started, 3), result


def measure(data: Path, sample: int = 1000) -> dict[str, Any]:
    """Validate ``data`` with the project's ontology and shapes; time the steps after it."""
    from kgtool.graph import load, locate
    from kgtool.project import find_project
    from kgtool.shacl_fast import SH, Locator, validate_loaded
    from kgtool.validate import LABEL_PROPERTIES, _report

    project = find_project(ROOT)
    figures: dict[str, Any] = {"data": str(data)}
    figures["load_cpu_s"], loaded = _cpu_of(
        lambda: load([project.ontology_dir, project.shapes_dir, data], project=project)
    )
    shapes = loaded.subgraph(["shapes"])
    shape_graphs = set(map(str, loaded.graph_iris_under(["shapes"])))
    graphs = [URIRef(iri) for iri in loaded.files if iri not in shape_graphs]
    figures["engine_cpu_s"], (report_graph, labels) = _cpu_of(
        lambda: validate_loaded(loaded, graphs, shapes, LABEL_PROPERTIES)
    )
    focus_nodes = sorted(set(report_graph.objects(None, SH.focusNode)), key=str)
    figures["focus_nodes"] = len(focus_nodes)
    # The report model alone (no locating); _report is what validate() runs on the engine's
    # report graph.
    runs = [_cpu_of(lambda: _report(report_graph, labels, shapes, None)) for _ in range(3)]
    figures["report_model_cpu_s"] = min(cpu for cpu, _ in runs)
    results = len(runs[0][1].results)
    figures["results"] = results
    figures["report_model_ms_per_result"] = round(figures["report_model_cpu_s"] / results * 1e3, 4)

    def locate_all() -> int:
        locator = Locator(loaded)
        return sum(1 for node in focus_nodes if locator(node) is not None)

    loaded._lines.clear()  # a fresh run reads the file again
    figures["locator_cpu_s"], figures["located"] = _cpu_of(locate_all)

    data_graph = loaded.dataset.graph(URIRef(project.graph_iri(data)))
    typed = data_graph.triples((None, RDF.type, None))
    subjects = sorted({s for s, _, _ in typed if isinstance(s, URIRef)}, key=str)
    nodes = subjects[:: max(1, len(subjects) // sample)][:sample]
    loaded._lines.clear()
    loaded._term_lines.clear()  # the Locator's fallback may have built it
    figures["locate_first_cpu_s"], _ = _cpu_of(lambda: locate(loaded, nodes[0]))
    later, _ = _cpu_of(lambda: [locate(loaded, node) for node in nodes[1:]])
    figures["locate_later_ms_per_node"] = round(later / max(1, len(nodes) - 1) * 1e3, 3)
    figures["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    figures["loadavg"] = Path("/proc/loadavg").read_text(encoding="utf-8").split()[0]
    return figures


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--data", type=Path, required=True, help="a generated N-Triples file")
    parser.add_argument("--sample", type=int, default=1000, help="nodes for graph.locate")
    args = parser.parse_args(argv)
    print(json.dumps(measure(args.data, args.sample), ensure_ascii=False))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
