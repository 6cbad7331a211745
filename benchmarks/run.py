"""Measure kgtool side by side with the stock approach and native pyoxigraph, in one run.

For each size the same generated files (``benchmarks/generate.py``) are measured three ways:

* **kgtool**: the package's own functions (``kgtool.graph.load``, ``kgtool.validate.validate``
  and, if present, the fast engine ``kgtool.shacl_fast``, ``kgtool.queries.run_query``,
  ``kgtool.network``, ``kgtool.viz``, ``kgtool.export``, ``kgtool.build``);
* **native**: pyoxigraph directly (``Store.bulk_load``, ``Store.query`` with the union default
  graph, ``Store.dump``) - the floor kgtool is held to;
* **stock**: what a user writes without kgtool - an rdflib memory ``Graph`` (``Graph.parse``,
  ``Graph.query``, ``Graph.serialize``) and ``pyshacl.validate(data, shacl_graph=shapes,
  ont_graph=ontology)``.

Every measurement runs in a fresh subprocess (``run.py task ...``) that prints one JSON line:
the step's own time (data already loaded), the load time, the rows or results, and its peak
RSS (``getrusage``: the process's maximum resident set, interpreter and imports included).
The parent enforces a per-step timeout and a memory ceiling (it polls ``/proc``) and records
``timeout`` or ``memory`` instead of a number. Results go to ``benchmarks/results/`` as JSON
lines and a markdown report.

    .venv/bin/python benchmarks/run.py --sizes 10k,100k
    .venv/bin/python benchmarks/run.py --sizes 1m --approaches kgtool,native
"""

from __future__ import annotations

import argparse
import datetime as dt
import importlib.metadata
import json
import os
import platform
import resource
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Callable, Iterable
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
sys.path.insert(0, str(HERE))  # generate.py beside this file

import generate  # noqa: E402

APPROACHES = ("kgtool", "native", "stock")
PROJECT_FOLDERS = ("ontology", "shapes", "queries")
AS_OF = "2026-11-23"  # the date statuses are computed for, fixed so that runs compare
PAGE_NODES = 5000
SIDECAR = "generated.json"  # beside data/, in the project folder
GIB = 1024**3

#: Targets of the issue, at 1M triples.
TARGETS = {
    "load": "≤ 1.5× native",
    "query": "≤ 1.5× native, ≥ 30× faster than stock",
    "validate": "exact, ≤ 10 s, ≤ 2 GiB",
    "build": "≤ 60 s",
    "network": "≤ 15 s",
    "page-5000": "< 1 s",
}


# --- the child: one measurement -------------------------------------------------------------


def _peak_rss() -> int:
    """Return the peak resident set of this process and its children, in bytes."""
    own = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    children = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss
    return max(own, children) * 1024


def _timed(action: Callable[[], Any]) -> tuple[float, Any]:
    started = time.perf_counter()
    value = action()
    return time.perf_counter() - started, value


#: A query is run again while its runs took less than this in all (at most QUERY_RUNS times),
#: the same rule for every approach: short timings are noisy, and the best run is the engine's.
QUERY_BUDGET_SECONDS = 5.0
QUERY_RUNS = 5


def _best_of(action: Callable[[], Any], least: int) -> tuple[float, float, int, Any]:
    """Run ``action`` at least ``least`` times, and again while the runs fit the budget; return
    the best time, the first time, the number of runs and the first run's value."""
    first, value = _timed(action)
    best, spent, runs = first, first, 1
    while runs < QUERY_RUNS and (runs < least or spent + best <= QUERY_BUDGET_SECONDS):
        seconds, _ = _timed(action)
        best, spent, runs = min(best, seconds), spent + seconds, runs + 1
    return best, first, runs, value


def _files(project: Path) -> dict[str, list[Path]]:
    return {
        folder: sorted(p for p in (project / folder).rglob("*") if p.suffix in (".ttl", ".nt"))
        for folder in ("ontology", "shapes", "data")
    }


def _sidecar(project: Path) -> dict[str, Any]:
    meta: dict[str, Any] = json.loads((project / SIDECAR).read_text("utf-8"))
    return meta


def _query_params(project: Path, query: Any) -> dict[str, str]:
    """Return the values for a library query's required parameters (its defaults otherwise)."""
    samples = _sidecar(project)["samples"]
    values = {
        "institution": samples["institution"],
        "subject": samples["agreement"],
        "as_of": AS_OF,
    }
    return {p.name: values[p.name] for p in query.params if p.name in values}


def _prepared_query(project: Path, name: str) -> tuple[Any, dict[str, str], str]:
    from kgtool.project import Project
    from kgtool.queries import load_query, prepare

    query = load_query(name, Project(project))
    params = _query_params(project, query)
    return query, params, prepare(query, params)


# kgtool -------------------------------------------------------------------------------------


def _kgtool_load(project: Path) -> tuple[float, Any]:
    from kgtool.graph import load
    from kgtool.project import Project

    return _timed(lambda: load(project=Project(project)))


def task_kgtool(step: str, project: Path, arg: str | None, out: Path) -> dict[str, Any]:
    load_seconds, loaded = _kgtool_load(project)
    result: dict[str, Any] = {"load_seconds": load_seconds}
    if step == "load":
        result["seconds"] = load_seconds
        result["triples"] = len(loaded.dataset)
    elif step == "validate":
        from kgtool.validate import validate

        seconds, report = _timed(lambda: validate(loaded=loaded))
        result.update(seconds=seconds, results=len(report.results))
        result["violations"] = report.count("Violation")
        result["warnings"] = report.count("Warning")
    elif step == "validate-pyshacl":
        from kgtool.validate import validate

        seconds, report = _timed(lambda: validate(loaded=loaded, engine="pyshacl"))
        result.update(seconds=seconds, results=len(report.results))
        result["violations"] = report.count("Violation")
        result["warnings"] = report.count("Warning")
    elif step == "validate-fast":
        from kgtool.graph import oxigraph_store
        from kgtool.shacl_fast import validate_store

        def run_fast() -> list[Any]:
            shapes = loaded.subgraph(["shapes"])
            graphs = [str(g) for g in loaded.graph_iris_under(["ontology", "data"])]
            return validate_store(oxigraph_store(loaded), shapes, data_graphs=graphs)

        seconds, found = _timed(run_fast)
        result.update(seconds=seconds, results=len(found))
        result["violations"] = sum(1 for r in found if str(r.severity).endswith("Violation"))
        result["warnings"] = sum(1 for r in found if str(r.severity).endswith("Warning"))
    elif step == "query":
        from kgtool.queries import run_query

        assert arg is not None
        query, params, _ = _prepared_query(project, arg)
        best, first, runs, table = _best_of(lambda: run_query(query, loaded, params), least=2)
        result.update(seconds=best, first=first, runs=runs, rows=len(table.rows))
    elif step == "network":
        from kgtool.network import build_network, compute_metrics

        as_of = dt.date.fromisoformat(AS_OF)
        cpu = time.process_time()
        build_s, network = _timed(lambda: build_network(loaded, as_of=as_of))
        build_cpu = time.process_time() - cpu
        metric_s, metrics = _timed(lambda: compute_metrics(network))
        result.update(
            seconds=build_s + metric_s,
            build_network=build_s,
            compute_metrics=metric_s,
            # CPU seconds beside the wall times: on a shared machine they show the work itself.
            build_network_cpu=build_cpu,
            compute_metrics_cpu=time.process_time() - cpu - build_cpu,
            nodes=network.graph.number_of_nodes(),
            edges=network.graph.number_of_edges(),
            communities=metrics.communities,
            betweenness_sampled=metrics.betweenness_sampled,
            betweenness_sources=metrics.betweenness_sources,
            seed=metrics.seed,
        )
    elif step == "page":
        result.update(_page(loaded, out))
    elif step == "export":
        result.update(_export(loaded, out))
    else:
        raise SystemExit(f"unknown kgtool step {step!r}")
    return result


def _export(loaded: Any, out: Path) -> dict[str, Any]:
    """Time ``export_all``'s work: the shared canonical lines, then each format."""
    from kgtool import export as exporting
    from kgtool.fsutil import atomic_write_bytes

    out.mkdir(parents=True, exist_ok=True)
    shared = getattr(exporting, "_prepare", None)
    if shared is None:  # no shared step: time export_all as a whole
        seconds, _ = _timed(lambda: exporting.export_all(loaded, out))
        return {"seconds": seconds}
    per_format: dict[str, float] = {}
    per_format["shared canonical lines"], prepared = _timed(lambda: shared(loaded))
    sizes: dict[str, int] = {}
    for fmt, ext in exporting.FORMATS.items():

        def write(fmt: str = fmt, ext: str = ext) -> None:
            data = exporting.serialize(loaded, fmt, _prepared=prepared)
            atomic_write_bytes(out / f"graph{ext}", data)
            sizes[fmt] = len(data)

        per_format[fmt], _ = _timed(write)
    return {"seconds": sum(per_format.values()), "formats": per_format, "bytes": sizes}


def _page(loaded: Any, out: Path) -> dict[str, Any]:
    """Time the whole page (network built from the store) and a page of the 5,000 busiest:
    writing it (wall and CPU seconds, the network given), and in headless Chromium the time
    to a stable, drawn page (skipped where Chromium or Playwright is absent)."""
    import networkx as nx

    from kgtool.network import build_network
    from kgtool.viz import render_page_file

    as_of = dt.date.fromisoformat(AS_OF)
    out.mkdir(parents=True, exist_ok=True)
    build_s, network = _timed(lambda: build_network(loaded, as_of=as_of))
    cpu = time.process_time()
    render_s, path = _timed(lambda: render_page_file(network, out / "network.html"))
    found: dict[str, Any] = {
        "seconds": build_s + render_s,
        "build_network": build_s,
        "render": render_s,
        "render_cpu": time.process_time() - cpu,
        "nodes": network.graph.number_of_nodes(),
        "edges": network.graph.number_of_edges(),
        "html_bytes": path.stat().st_size,
    }
    graph = network.graph
    if graph.number_of_nodes() >= PAGE_NODES:
        ranked = sorted(graph.degree(weight="weight"), key=lambda item: (-item[1], item[0]))
        keep = {node for node, _ in ranked[:PAGE_NODES]}
        sub = nx.Graph(graph.subgraph(keep))
        ends = {
            iri: kept
            for iri, ends in network.agreement_ends.items()
            if len(kept := tuple(e for e in ends if e in keep)) > 1
        }
        network.graph = sub
        network.agreement_ends = ends
        network.agreements = {iri: network.agreements[iri] for iri in ends}
        cpu = time.process_time()
        render5k, path5k = _timed(lambda: render_page_file(network, out / "network-5000.html"))
        found.update(
            page_5000=render5k,
            page_5000_cpu=time.process_time() - cpu,
            page_5000_nodes=sub.number_of_nodes(),
            page_5000_edges=sub.number_of_edges(),
            page_5000_bytes=path5k.stat().st_size,
        )
        from viz.bench_viz import CHROMIUM, open_in_chromium

        try:
            if not Path(CHROMIUM).exists():
                raise ImportError(f"no Chromium at {CHROMIUM}")
            opened = open_in_chromium(path5k)
        except ImportError as exc:  # no Chromium, or no Playwright
            found["page_5000_browser"] = f"skipped: {exc}"
        else:
            found.update({f"page_5000_{key}": value for key, value in opened.items()})
    return found


def _cpu(step: Any) -> float:
    """Return a build step's CPU seconds (0 from a kgtool that does not measure them)."""
    return float(getattr(step, "cpu_seconds", 0.0))


def task_build(project: Path, out: Path, reasoning: bool, jobs: int | None) -> dict[str, Any]:
    import inspect

    from kgtool.build import build
    from kgtool.project import Project

    options: dict[str, Any] = {"jobs": jobs} if jobs is not None else {}
    if "jobs" not in inspect.signature(build).parameters:
        options = {}
    seconds, summary = _timed(
        lambda: build(
            Project(project),
            out,
            as_of=dt.date.fromisoformat(AS_OF),
            reasoning=reasoning,
            **options,
        )
    )
    return {
        "seconds": seconds,
        "exit_code": summary.exit_code,
        "jobs": jobs,
        "steps": {
            s.name: [s.status, round(s.seconds, 3), s.detail, round(_cpu(s), 2)]
            for s in summary.steps
        },
        "cpu_seconds": time.process_time(),  # this process; workers' CPU is in the steps
    }


# native pyoxigraph ----------------------------------------------------------------------------


def _native_load(project: Path) -> tuple[float, Any]:
    import pyoxigraph as ox

    formats = {".ttl": ox.RdfFormat.TURTLE, ".nt": ox.RdfFormat.N_TRIPLES}

    def load() -> Any:
        store = ox.Store()
        for paths in _files(project).values():
            for path in paths:
                graph = ox.NamedNode(path.resolve().as_uri())
                # Store.load, not bulk_load: bulk_load was slower on this 2-core machine.
                store.load(path=str(path), format=formats[path.suffix], to_graph=graph)
        return store

    return _timed(load)


def task_native(step: str, project: Path, arg: str | None, out: Path) -> dict[str, Any]:
    import pyoxigraph as ox

    load_seconds, store = _native_load(project)
    result: dict[str, Any] = {"load_seconds": load_seconds}
    if step == "load":
        result.update(seconds=load_seconds, triples=len(store))
    elif step == "query":
        assert arg is not None
        _, _, text = _prepared_query(project, arg)

        def run() -> list[Any]:
            # Every cell read once: what a caller needs to do anything with the answer.
            return [
                tuple(solution) for solution in store.query(text, use_default_graph_as_union=True)
            ]

        best, first, runs, rows = _best_of(run, least=2)
        result.update(seconds=best, first=first, runs=runs, rows=len(rows))
    elif step == "export":
        out.mkdir(parents=True, exist_ok=True)
        per_format: dict[str, float] = {}
        triples_formats = {
            "turtle": (ox.RdfFormat.TURTLE, ".ttl"),
            "nt": (ox.RdfFormat.N_TRIPLES, ".nt"),
            "xml": (ox.RdfFormat.RDF_XML, ".rdf"),
        }
        for name, (fmt, ext) in triples_formats.items():

            def dump_triples(f: Any = fmt, e: str = ext) -> None:
                triples = (ox.Triple(q.subject, q.predicate, q.object) for q in store)
                ox.serialize(triples, str(out / f"native{e}"), f)

            per_format[name], _ = _timed(dump_triples)
        for name, fmt, ext in (
            ("trig", ox.RdfFormat.TRIG, ".trig"),
            ("nquads", ox.RdfFormat.N_QUADS, ".nq"),
        ):

            def dump(f: Any = fmt, e: str = ext) -> None:
                store.dump(str(out / f"native{e}"), f)

            per_format[name], _ = _timed(dump)
        result.update(seconds=sum(per_format.values()), formats=per_format)
        result["note"] = "no JSON-LD writer in pyoxigraph 0.5; output unsorted"
    else:
        raise SystemExit(f"no native step {step!r}")
    return result


# stock rdflib + pyshacl -------------------------------------------------------------------------


def _stock_load(project: Path, folders: Iterable[str]) -> tuple[float, Any]:
    from rdflib import Graph

    def load() -> Any:
        graph = Graph()
        for folder in folders:
            for path in _files(project)[folder]:
                graph.parse(str(path))
        return graph

    return _timed(load)


def task_stock(step: str, project: Path, arg: str | None, out: Path) -> dict[str, Any]:
    result: dict[str, Any] = {}
    if step in ("load", "query", "export"):
        # As a user would: one rdflib Graph holding the ontology and the data.
        load_seconds, graph = _stock_load(project, ("ontology", "data"))
        result["load_seconds"] = load_seconds
        if step == "load":
            result.update(seconds=load_seconds, triples=len(graph))
        elif step == "query":
            assert arg is not None
            _, _, text = _prepared_query(project, arg)
            best, first, runs, rows = _best_of(lambda: list(graph.query(text)), least=1)
            result.update(seconds=best, first=first, runs=runs, rows=len(rows))
        else:
            out.mkdir(parents=True, exist_ok=True)
            per_format: dict[str, float] = {}
            for fmt, ext in (
                ("turtle", ".ttl"),
                ("nt", ".nt"),
                ("json-ld", ".jsonld"),
                ("xml", ".rdf"),
            ):

                def write(f: str = fmt, e: str = ext) -> None:
                    graph.serialize(str(out / f"stock{e}"), format=f)

                per_format[fmt], _ = _timed(write)
            result.update(seconds=sum(per_format.values()), formats=per_format)
    elif step == "validate":
        from pyshacl import validate

        load_seconds, data = _stock_load(project, ("data",))
        _, ontology = _stock_load(project, ("ontology",))
        shapes_seconds, shapes = _stock_load(project, ("shapes",))
        result["load_seconds"] = load_seconds + shapes_seconds
        seconds, (conforms, report, _) = _timed(
            lambda: validate(data, shacl_graph=shapes, ont_graph=ontology, inference="none")
        )
        from rdflib import Namespace

        sh = Namespace("http://www.w3.org/ns/shacl#")
        # Only top-level results count (nested ones explain an sh:node failure).
        severities = [
            str(report.value(r, sh.resultSeverity)) for r in report.objects(None, sh.result)
        ]
        result.update(
            seconds=seconds,
            results=len(severities),
            violations=sum(1 for s in severities if s.endswith("Violation")),
            warnings=sum(1 for s in severities if s.endswith("Warning")),
            conforms=bool(conforms),
        )
    else:
        raise SystemExit(f"no stock step {step!r}")
    return result


def child_main(args: argparse.Namespace) -> int:
    project, out = Path(args.project), Path(args.out)
    if args.approach == "kgtool" and args.step in ("build", "build-reason", "build-1"):
        jobs = 1 if args.step == "build-1" else None
        result = task_build(project, out, reasoning=args.step == "build-reason", jobs=jobs)
    elif args.approach == "kgtool":
        result = task_kgtool(args.step, project, args.arg, out)
    elif args.approach == "native":
        result = task_native(args.step, project, args.arg, out)
    else:
        result = task_stock(args.step, project, args.arg, out)
    result["peak_rss"] = _peak_rss()
    print(json.dumps(result, default=str))
    return 0


# --- the parent: plan, run, report -----------------------------------------------------------


def _rss_of(pid: int) -> int:
    """Return the resident set of ``pid`` and its descendants, in bytes (0 when gone)."""
    total = 0
    stack = [pid]
    while stack:
        current = stack.pop()
        try:
            with open(f"/proc/{current}/status", encoding="ascii") as handle:
                for line in handle:
                    if line.startswith("VmRSS:"):
                        total += int(line.split()[1]) * 1024
            for task in os.listdir(f"/proc/{current}/task"):
                children = Path(f"/proc/{current}/task/{task}/children").read_text().split()
                stack.extend(int(c) for c in children)
        except (OSError, ValueError):
            continue
    return total


def measure(
    approach: str,
    step: str,
    project: Path,
    *,
    arg: str | None,
    timeout: float,
    memory_limit: int,
    out: Path,
) -> dict[str, Any]:
    """Run one measurement in a fresh process; return its JSON or its failure."""
    command = [
        sys.executable,
        str(Path(__file__).resolve()),
        "task",
        approach,
        step,
        "--project",
        str(project),
        "--out",
        str(out),
    ]
    if arg:
        command += ["--arg", arg]
    started = time.perf_counter()
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
        start_new_session=True,
        env={**os.environ, "KGTOOL_PROJECT": str(project), "PYTHONHASHSEED": "0"},
    )
    polled_peak = 0
    failure: str | None = None
    while process.poll() is None:
        elapsed = time.perf_counter() - started
        rss = _rss_of(process.pid)
        polled_peak = max(polled_peak, rss)
        if elapsed > timeout:
            failure = "timeout"
        elif rss > memory_limit:
            failure = "memory"
        if failure:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()
            break
        time.sleep(0.05 if elapsed < 5 else 0.25)
    stdout, stderr = process.communicate()
    wall = time.perf_counter() - started
    record: dict[str, Any] = {"approach": approach, "step": step, "arg": arg, "wall": wall}
    record["load_average"] = os.getloadavg()[0]
    if failure:
        record.update(status=failure, limit=timeout if failure == "timeout" else memory_limit)
        record["peak_rss"] = polled_peak
        return record
    lines = [line for line in stdout.splitlines() if line.startswith("{")]
    if process.returncode != 0 or not lines:
        tail = (stderr.strip().splitlines() or ["no output"])[-1]
        record.update(status="error", error=tail[:300])
        return record
    record.update(json.loads(lines[-1]))
    record["status"] = "ok"
    return record


def prepare_project(data_dir: Path, size: str, seed: int) -> Path:
    """Return a project folder for ``size``: copies of ontology/, shapes/, queries/ and data."""
    project = data_dir / size
    for folder in PROJECT_FOLDERS:
        target = project / folder
        if target.exists():
            shutil.rmtree(target)
        shutil.copytree(ROOT / folder, target)
    data = project / "data" / "generated.nt"
    # The sidecar stays out of data/: kgtool would read a .json file there as JSON-LD.
    sidecar = project / SIDECAR
    wanted = generate.parse_size(size)
    if sidecar.is_file() and data.is_file():
        meta = json.loads(sidecar.read_text("utf-8"))
        if (meta.get("version"), meta.get("seed"), meta.get("target_triples")) == (
            generate.GENERATOR_VERSION,
            seed,
            wanted,
        ) and meta.get("bytes") == data.stat().st_size:
            return project
    generate.generate(data, wanted, seed=seed, ontology_dir=project / "ontology", meta=sidecar)
    return project


def machine() -> dict[str, Any]:
    """Return what the numbers were measured on."""
    cpu = "unknown"
    memory = 0
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory = int(line.split()[1]) * 1024
    except OSError:
        pass
    versions = {}
    for package in ("rdflib", "pyshacl", "pyoxigraph", "oxrdflib", "networkx", "pyvis", "kgtool"):
        try:
            versions[package] = importlib.metadata.version(package)
        except importlib.metadata.PackageNotFoundError:
            versions[package] = "not installed"
    commit = subprocess.run(
        ["git", "-C", str(ROOT), "rev-parse", "--short", "HEAD"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.strip()
    dirty = subprocess.run(
        ["git", "-C", str(ROOT), "status", "--short", "--", "kgtool"],
        capture_output=True,
        text=True,
        check=False,
    ).stdout.split("\n")
    return {
        "uncommitted": sorted(line[3:] for line in dirty if line.strip()),
        "cores": os.cpu_count(),
        "memory_gib": round(memory / GIB, 1),
        "cpu": cpu,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
        "versions": versions,
        "commit": commit,
        "load_average": os.getloadavg()[0],
    }


def _validation_steps() -> list[str]:
    """Return kgtool's validation measurements: its default, and the other engine if any."""
    import inspect

    from kgtool.validate import validate

    if "engine" in inspect.signature(validate).parameters:
        return ["validate", "validate-pyshacl"]  # default (fast) and the pyshacl reference
    try:
        import kgtool.shacl_fast  # noqa: F401
    except ImportError:
        return ["validate"]
    return ["validate-fast", "validate"]


def plan(
    approaches: list[str], queries: list[str], build_reason: bool, build_one: bool = False
) -> list[tuple[str, str, str | None]]:
    """Return the measurements of one size: (approach, step, argument)."""
    steps: list[tuple[str, str, str | None]] = []
    for approach in approaches:
        steps.append((approach, "load", None))
    if "kgtool" in approaches:
        steps += [("kgtool", step, None) for step in _validation_steps()]
    if "stock" in approaches:
        steps.append(("stock", "validate", None))
    for name in queries:
        for approach in approaches:
            steps.append((approach, "query", name))
    if "kgtool" in approaches:
        steps += [("kgtool", "network", None), ("kgtool", "page", None)]
    for approach in approaches:
        steps.append((approach, "export", None))
    if "kgtool" in approaches:
        steps.append(("kgtool", "build", None))
        if build_one:
            steps.append(("kgtool", "build-1", None))  # every step in one process
        if build_reason:
            steps.append(("kgtool", "build-reason", None))
    return steps


def parent_main(args: argparse.Namespace) -> int:
    sizes = [s.strip().lower() for s in args.sizes.split(",") if s.strip()]
    approaches = [a.strip() for a in args.approaches.split(",") if a.strip()]
    unknown = set(approaches) - set(APPROACHES)
    if unknown:
        raise SystemExit(f"unknown approach {sorted(unknown)}; choose from {APPROACHES}")
    deadline = (
        dt.datetime.combine(
            dt.date.today(), dt.time.fromisoformat(args.deadline), tzinfo=dt.UTC
        ).timestamp()
        if args.deadline
        else None
    )
    step_timeouts = {
        name: float(value)
        for name, _, value in (item.partition("=") for item in args.step_timeouts.split(","))
        if value
    }
    queries = sorted(p.stem for p in (ROOT / "queries").glob("*.rq"))
    if args.queries:
        queries = [q for q in queries if q in args.queries.split(",")]
    stamp = dt.datetime.now(dt.UTC)
    name = args.name or f"{stamp:%Y-%m-%d}-{'-'.join(sizes)}"
    args.results.mkdir(parents=True, exist_ok=True)
    jsonl = args.results / f"{name}.jsonl"
    info = machine()
    info.update(started=stamp.isoformat(timespec="seconds"), sizes=sizes, approaches=approaches)
    records: list[dict[str, Any]] = [{"machine": info}]
    jsonl.write_text(json.dumps(records[0]) + "\n", encoding="utf-8")
    scratch = args.data / "out"
    for size in sizes:
        project = prepare_project(args.data, size, args.seed)
        meta = _sidecar(project)
        size_record = {"size": size, "sidecar": meta}
        records.append(size_record)
        with jsonl.open("a", encoding="utf-8") as handle:
            handle.write(json.dumps(size_record) + "\n")
        print(f"== {size}: {meta['triples']} triples", file=sys.stderr, flush=True)
        skip = set(args.skip.split(",")) if args.skip else set()
        only = set(args.steps.split(",")) if args.steps else None
        for approach, step, arg in plan(approaches, queries, args.build_reason, args.build_one):
            if f"{approach}:{step}" in skip or step in skip:
                continue
            if only is not None and step not in only and f"{approach}:{step}" not in only:
                continue
            if approach == "stock" and args.stock_sizes and size not in args.stock_sizes:
                continue
            if step == "validate-pyshacl" and size not in args.pyshacl_sizes:
                continue
            timeout = args.stock_timeout if approach == "stock" else args.timeout
            timeout = step_timeouts.get(step, timeout)
            if deadline is not None:
                left = deadline - time.time()
                if left < 5:
                    record: dict[str, Any] = {"approach": approach, "step": step, "arg": arg}
                    record["status"] = "deadline"
                    record["size"] = size
                    records.append(record)
                    continue
                timeout = min(timeout, left)
            out = scratch / size / approach / step
            if out.exists():
                shutil.rmtree(out)
            out.mkdir(parents=True, exist_ok=True)
            record = measure(
                approach,
                step,
                project,
                arg=arg,
                timeout=timeout,
                memory_limit=int(args.memory_gib * GIB),
                out=out,
            )
            record["size"] = size
            records.append(record)
            with jsonl.open("a", encoding="utf-8") as handle:
                handle.write(json.dumps(record, default=str) + "\n")
            shown = f"{record['seconds']:.3f} s" if record["status"] == "ok" else record["status"]
            print(
                f"{size} {approach:<6} {step:<13} {arg or '':<28} {shown}"
                f"  {record.get('peak_rss', 0) / 2**20:.0f} MiB",
                file=sys.stderr,
                flush=True,
            )
            if out.exists() and not args.keep_outputs:
                shutil.rmtree(out)
    import report

    markdown = report.render(records)
    (args.results / f"{name}.md").write_text(markdown, encoding="utf-8")
    print(f"wrote {args.results / (name + '.md')} and {jsonl}", file=sys.stderr)
    return 0


def _size_list(text: str) -> list[str]:
    return [s.strip().lower() for s in text.split(",") if s.strip()]


def main(argv: list[str] | None = None) -> int:
    argv = list(sys.argv[1:] if argv is None else argv)
    if argv[:1] == ["task"]:
        child = argparse.ArgumentParser(prog="run.py task")
        child.add_argument("approach", choices=APPROACHES)
        child.add_argument("step")
        child.add_argument("--project", required=True)
        child.add_argument("--out", required=True)
        child.add_argument("--arg")
        return child_main(child.parse_args(argv[1:]))
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k", help="comma-separated: 10k,100k,1m,5m")
    parser.add_argument("--approaches", default="kgtool,native,stock")
    parser.add_argument(
        "--stock-sizes", type=_size_list, help="run the stock approach only at these sizes"
    )
    parser.add_argument(
        "--pyshacl-sizes",
        type=_size_list,
        default="10k,100k",
        help="run kgtool's pyshacl engine (the reference) only at these sizes",
    )
    parser.add_argument("--queries", help="only these library queries (comma-separated names)")
    parser.add_argument("--skip", help="steps to leave out: validate, stock:validate, build ...")
    parser.add_argument(
        "--steps", help="only these steps: export,build or kgtool:export ... (default: all)"
    )
    parser.add_argument("--timeout", type=float, default=900, help="seconds per kgtool/native step")
    parser.add_argument("--stock-timeout", type=float, default=900, help="seconds per stock step")
    parser.add_argument(
        "--step-timeouts", default="", help="per step, e.g. export=300,build=300 (seconds)"
    )
    parser.add_argument("--memory-gib", type=float, default=12.0, help="kill a step above this")
    parser.add_argument("--deadline", help="HH:MM (UTC): record 'deadline' for later steps")
    parser.add_argument("--build-reason", action="store_true", help="also build with HermiT")
    parser.add_argument(
        "--build-one", action="store_true", help="also build with every step in one process"
    )
    parser.add_argument("--seed", type=int, default=generate.DEFAULT_SEED)
    parser.add_argument("--data", type=Path, default=HERE / "data", help="generated projects")
    parser.add_argument("--results", type=Path, default=HERE / "results")
    parser.add_argument("--name", help="results file stem (default: DATE-SIZES)")
    parser.add_argument("--keep-outputs", action="store_true", help="keep exports and pages")
    return parent_main(parser.parse_args(argv))


if __name__ == "__main__":
    raise SystemExit(main())
