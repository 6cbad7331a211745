"""The main job: load, validate, reason, run the query library, export, count, and draw.

``build`` writes everything into one output folder (the linked-data site only when asked: it
is ``kgtool publish``'s job)::

    validation.txt, validation.json   SHACL report (kgtool.validate)
    inferred.ttl, reasoning.txt       HermiT's verdict and the inferred graph (kgtool.reason)
    queries/<name>.csv                every library query without required parameters
    graph.ttl .nt .jsonld .rdf .trig .nq, context.jsonld   exports (kgtool.export)
    stats.json, stats.txt             counts (kgtool.stats)
    network/..., network.html         partner-network metrics and page (kgtool.network, viz)
    report/...                        HTML report and calendar (kgtool.report)
    site/...                          linked-data site (kgtool.publish), with ``site=True``

A step that fails is reported and the others still run; validation problems do not stop the
build either: outputs are still written and the exit code is 1.

The data are loaded once. On an in-memory store the steps then run in ``jobs`` forked worker
processes (default: one per CPU, at most two), which share the loaded store copy-on-write;
each step writes its own files, so the outputs are the same as a one-process build (``jobs=1``).
Reasoning runs in the build's own process, before the steps that read the inferred graph;
the network, the page and the report share one partner network.
"""

from __future__ import annotations

import datetime as dt
import functools
import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from multiprocessing.connection import Connection, wait
from multiprocessing.process import BaseProcess
from pathlib import Path

from kgtool.errors import KgtoolError
from kgtool.export import FORMATS, context_document, export_all
from kgtool.fsutil import atomic_write_bytes, atomic_write_text
from kgtool.graph import LoadedGraph, load
from kgtool.network import PartnerNetwork, build_network, write_metrics
from kgtool.project import Project, find_project
from kgtool.queries import LibraryQuery, ResultTable, list_queries, render_csv, run_query
from kgtool.reason import reason
from kgtool.report import write_report
from kgtool.stats import stats, triples_per_graph
from kgtool.validate import render, validate
from kgtool.viz import render_page_file

Progress = Callable[[str], None]
#: What a step returns: its status, a one-line detail and the files it wrote.
StepOutcome = tuple[str, str, tuple[Path, ...]]
#: A step's name and what it does.
Step = tuple[str, Callable[[], StepOutcome]]

#: The steps, in the order the summary lists them.
STEPS = ("validate", "reason", "queries", "stats", "export", "network", "page", "report", "site")
#: Worker processes at most: the machines kgtool targets have two cores, and every worker
#: touches the shared store.
MAX_JOBS = 2
#: Threads that run library queries at once on an Oxigraph store.
QUERY_THREADS = 2

OK, SKIPPED, FAILED, NONCONFORMANT = "ok", "skipped", "failed", "nonconformant"


@dataclass(frozen=True)
class StepResult:
    """What one step of the build did."""

    name: str
    status: str  # ok, skipped, failed, nonconformant
    detail: str
    seconds: float = 0.0
    files: tuple[Path, ...] = ()
    #: CPU seconds of the process (all its threads) while the step ran
    cpu_seconds: float = 0.0


@dataclass(frozen=True)
class BuildSummary:
    """The outcome of a build: each step, the files written and the exit code."""

    out_dir: Path
    steps: tuple[StepResult, ...]
    seconds: float
    triples: int = 0
    files_loaded: int = 0

    @property
    def exit_code(self) -> int:
        """Return 2 if a step failed, 1 if the data do not conform (SHACL or OWL), else 0."""
        if any(s.status == FAILED for s in self.steps):
            return 2
        if any(s.status == NONCONFORMANT for s in self.steps):
            return 1
        return 0

    @property
    def files(self) -> list[Path]:
        return [f for step in self.steps for f in step.files]

    def step(self, name: str) -> StepResult | None:
        """Return the step called ``name``, if it ran or was skipped."""
        return next((s for s in self.steps if s.name == name), None)

    def to_text(self) -> str:
        """Return a short summary: one line per step, then the verdict."""
        width = max(len(s.name) for s in self.steps) if self.steps else 0
        lines = [
            f"Built {self.out_dir} from {self.files_loaded} files ({self.triples} triples) "
            f"in {self.seconds:.1f} s"
        ]
        for s in self.steps:
            lines.append(f"  {s.name:<{width}}  {s.status:<13} {s.detail}")
        verdict = {0: "ok", 1: "data do not conform", 2: "errors"}[self.exit_code]
        lines.append(f"Result: {verdict} (exit code {self.exit_code})")
        return "\n".join(lines) + "\n"


def _execute(name: str, action: Callable[[], StepOutcome]) -> StepResult:
    """Run one step; a KgtoolError (or any failure) marks it failed, the build goes on."""
    started, cpu = time.monotonic(), time.process_time()
    try:
        status, detail, files = action()
    except KgtoolError as exc:
        status, detail, files = FAILED, str(exc), ()
    except Exception as exc:  # a step's bug must not lose the other outputs
        first = str(exc).splitlines()[0] if str(exc) else ""
        status, detail, files = FAILED, f"unexpected {type(exc).__name__}: {first}", ()
    seconds, cpu = time.monotonic() - started, time.process_time() - cpu
    return StepResult(name, status, detail, seconds, files, cpu)


def _work(group: list[Step], results: Connection) -> None:
    """Run a group of steps in a forked worker; send each result as it is done."""
    for name, action in group:
        results.send(_execute(name, action))
    results.close()


class _Runner:
    """Runs groups of steps here (``jobs`` 1) or in up to ``jobs`` forked worker processes."""

    def __init__(self, progress: Progress | None, jobs: int) -> None:
        self.results: dict[str, StepResult] = {}
        self.progress = progress or (lambda message: None)
        self.jobs = jobs
        #: a running worker's result pipe -> the worker and the steps it has still to report
        self.running: dict[Connection, tuple[BaseProcess, list[str]]] = {}

    @property
    def steps(self) -> tuple[StepResult, ...]:
        return tuple(sorted(self.results.values(), key=lambda s: STEPS.index(s.name)))

    def record(self, result: StepResult) -> None:
        self.results[result.name] = result
        self.progress(f"{result.name}: {result.status} ({result.seconds:.1f} s) {result.detail}")

    def run(self, name: str, action: Callable[[], StepOutcome]) -> None:
        """Run one step in this process."""
        self.progress(f"{name}…")
        self.record(_execute(name, action))

    def start(self, *group: Step) -> None:
        """Run ``group``'s steps one after the other, in a worker if there are workers."""
        if self.jobs < 2:
            for name, action in group:
                self.run(name, action)
            return
        while len(self.running) >= self.jobs:
            self._collect()
        context = multiprocessing.get_context("fork")
        receive, send = context.Pipe(duplex=False)
        worker = context.Process(target=_work, args=(list(group), send), name=group[0][0])
        self.progress(f"{', '.join(name for name, _ in group)}…")
        worker.start()
        send.close()
        self.running[receive] = (worker, [name for name, _ in group])

    def wait(self) -> None:
        """Wait for every worker; a worker that dies fails the steps it had not reported."""
        while self.running:
            self._collect()

    def close(self) -> None:
        """Stop the workers still running (the build was interrupted)."""
        for worker, _ in self.running.values():
            worker.kill()
            worker.join()
        self.running.clear()

    def _collect(self) -> None:
        for ready in wait(list(self.running)):
            assert isinstance(ready, Connection)
            worker, pending = self.running[ready]
            try:
                result: StepResult = ready.recv()
            except EOFError:
                worker.join()
                for name in pending:
                    detail = f"its worker process ended early (exit code {worker.exitcode})"
                    self.record(StepResult(name, FAILED, detail))
                pending.clear()
            else:
                self.record(result)
                pending.remove(result.name)
            if not pending:
                worker.join()
                ready.close()
                del self.running[ready]

    def skip(self, name: str, detail: str) -> None:
        self.results[name] = StepResult(name, SKIPPED, detail)
        self.progress(f"{name}: skipped, {detail}")


def _jobs(jobs: int | None, loaded: LoadedGraph) -> int:
    """Return how many worker processes to use: 1 (none) on a persistent store, whose open
    database a forked process must not share, or where processes cannot be forked. By default
    one per CPU, at most ``MAX_JOBS``. (Not fewer on a busy machine: the load average does not
    tell whether the other sessions leave a core free; at 1M with one other job running, two
    workers took 38 s and one process 61 s.)"""
    if loaded.store_dir is not None or "fork" not in multiprocessing.get_all_start_methods():
        return 1
    return max(1, jobs if jobs is not None else min(MAX_JOBS, os.cpu_count() or 1))


def build(
    project: Project | None = None,
    out_dir: Path | None = None,
    *,
    paths: Sequence[Path] | None = None,
    store: str | None = None,
    store_dir: Path | None = None,
    as_of: dt.date | None = None,
    reasoning: bool = True,
    site: bool = False,
    jobs: int | None = None,
    progress: Progress | None = None,
) -> BuildSummary:
    """Build every output of ``project`` into ``out_dir`` (default: the project's out/); with
    ``site`` also the linked-data site (``out_dir/site``, as ``kgtool publish`` writes it).
    ``jobs`` worker processes run the steps (default: one per CPU, at most ``MAX_JOBS``).

    A parse error stops the build before anything is written (KgtoolError). Later steps that
    fail are reported in the summary (exit code 2) while the others still write their files.
    """
    started = time.monotonic()
    project = project or find_project()
    out_dir = out_dir or project.out_dir
    as_of = as_of or dt.date.today()
    say = progress or (lambda message: None)

    say("loading…")
    loaded = load(list(paths) if paths else None, project=project, store=store, store_dir=store_dir)
    triples = _count_triples(loaded)
    reused = f", {len(loaded.reused)} unchanged in the store" if loaded.store_dir else ""
    say(f"loaded {len(loaded.source_files())} files{reused}, {triples} triples")
    out_dir.mkdir(parents=True, exist_ok=True)
    runner = _Runner(progress, _jobs(jobs, loaded))

    try:
        _run_steps(runner, loaded, out_dir, as_of, reasoning=reasoning, site=site)
    finally:
        runner.close()

    return BuildSummary(
        out_dir=out_dir,
        steps=runner.steps,
        seconds=time.monotonic() - started,
        triples=triples,
        files_loaded=len(loaded.source_files()),
    )


def _run_steps(
    runner: _Runner,
    loaded: LoadedGraph,
    out_dir: Path,
    as_of: dt.date,
    *,
    reasoning: bool,
    site: bool,
) -> None:
    # Validation reads the asserted graphs only: it runs beside reasoning.
    runner.start(("validate", lambda: _validate_step(loaded, out_dir)))
    if reasoning:
        # Here, not in a worker: the inferred graph it stores is read by the later steps.
        runner.run("reason", lambda: _reason_step(loaded, out_dir))
    else:
        # An earlier run's results would pass for this graph's.
        for stale in (out_dir / "reasoning.txt", out_dir / "inferred.ttl"):
            stale.unlink(missing_ok=True)
        runner.skip("reason", "turned off")
    # The longest first, so that the workers finish together.
    runner.start(*_network_steps(loaded, out_dir, as_of))
    runner.start(("queries", lambda: _queries_step(loaded, out_dir)))
    runner.start(("export", lambda: _export_step(loaded, out_dir)))
    runner.start(("stats", lambda: _stats_step(loaded, out_dir, as_of)))
    if site:
        runner.start(("site", lambda: _site_step(loaded, out_dir)))
    else:
        runner.skip("site", "not asked for (--site); kgtool publish writes it")
    runner.wait()


def counted(n: int, noun: str) -> str:
    """Return ``n noun`` with the noun in the plural unless ``n`` is 1 ("1 warning")."""
    return f"{n} {noun}" if n == 1 else f"{n} {noun}s"


def _validate_step(loaded: LoadedGraph, out_dir: Path) -> StepOutcome:
    report = validate(loaded=loaded)
    text_path, json_path = out_dir / "validation.txt", out_dir / "validation.json"
    atomic_write_text(text_path, render(report, "text"))
    atomic_write_text(json_path, render(report, "json"))
    violations, warnings = report.count("Violation"), report.count("Warning")
    detail = f"{counted(violations, 'violation')}, {counted(warnings, 'warning')}"
    return (OK if report.conforms else NONCONFORMANT), detail, (text_path, json_path)


def _reason_step(loaded: LoadedGraph, out_dir: Path) -> StepOutcome:
    result = reason(loaded)
    text_path, graph_path = out_dir / "reasoning.txt", out_dir / "inferred.ttl"
    if result.consistent:
        counts = ", ".join(f"{n} {what}" for what, n in result.counts.items() if n)
        detail = f"consistent; inferred {len(result.inferred)} facts ({counts or 'none'})"
        text = (
            f"Consistent (HermiT, {result.triples_reasoned} triples; "
            f"{result.literals_left_out} literals outside the OWL 2 datatype map left out).\n"
            f"Inferred: {len(result.inferred)} facts ({counts or 'none'}).\n"
        )
        status = OK
    else:
        detail = "INCONSISTENT; see reasoning.txt"
        text = f"Inconsistent.\n\n{result.explanation}\n"
        status = NONCONFORMANT
    atomic_write_text(text_path, text)
    atomic_write_bytes(graph_path, result.inferred.serialize(format="turtle", encoding="utf-8"))
    return status, detail, (text_path, graph_path)


def _queries_step(loaded: LoadedGraph, out_dir: Path) -> StepOutcome:
    folder = out_dir / "queries"
    folder.mkdir(parents=True, exist_ok=True)
    written: list[Path] = []
    failed: list[str] = []
    queries = list_queries(loaded.project)
    skipped = [q.name for q in queries if any(p.required for p in q.params)]
    runnable = [q for q in queries if q.name not in skipped]

    def answer(query: LibraryQuery) -> ResultTable | KgtoolError:
        try:
            return run_query(query, loaded)
        except KgtoolError as exc:
            return exc

    # Oxigraph evaluates without holding the GIL: a second thread uses a core the other
    # worker has left. (rdflib's own engine is not made for threads.)
    threads = QUERY_THREADS if loaded.store == "oxigraph" else 1
    with ThreadPoolExecutor(max_workers=threads) as pool:
        answers = list(pool.map(answer, runnable))
    for query, table in zip(runnable, answers, strict=True):
        if isinstance(table, KgtoolError):
            failed.append(f"{query.name}: {table}")
            continue
        path = folder / f"{query.name}.csv"
        atomic_write_text(path, render_csv(table))
        written.append(path)
    keep = set(written)
    for stale in folder.glob("*.csv"):
        if stale not in keep:
            stale.unlink()
    detail = f"{len(written)} tables"
    if skipped:
        detail += f"; {len(skipped)} need parameters ({', '.join(skipped)})"
    if failed:
        return FAILED, detail + "; failed: " + "; ".join(failed), tuple(written)
    return OK, detail, tuple(written)


def _stats_step(loaded: LoadedGraph, out_dir: Path, as_of: dt.date) -> StepOutcome:
    counted = stats(loaded, as_of)
    json_path, text_path = out_dir / "stats.json", out_dir / "stats.txt"
    atomic_write_text(json_path, counted.to_json())
    atomic_write_text(text_path, counted.to_text())
    detail = f"{counted.institutions} institutions, {counted.agreements} agreements"
    return OK, detail, (json_path, text_path)


def _export_step(loaded: LoadedGraph, out_dir: Path) -> StepOutcome:
    written = export_all(loaded, out_dir)
    context = out_dir / "context.jsonld"
    atomic_write_bytes(context, context_document())
    return OK, f"{len(FORMATS)} formats", (*written, context)


def _network_steps(loaded: LoadedGraph, out_dir: Path, as_of: dt.date) -> list[Step]:
    """Return the network, page and report steps, which read one partner network."""

    @functools.cache
    def network() -> PartnerNetwork:
        return build_network(loaded, as_of=as_of)

    def report() -> StepOutcome:
        return _files(*write_report(loaded, out_dir / "report", as_of=as_of, network=network()))

    return [
        ("network", lambda: _files(*write_metrics(network(), out_dir / "network"))),
        ("page", lambda: _files(render_page_file(network(), out_dir / "network.html"))),
        ("report", report),
    ]


def _count_triples(loaded: LoadedGraph) -> int:
    """Return the number of triples in the loaded files' graphs."""
    return sum(n for graph, n in triples_per_graph(loaded).items() if graph in loaded.files)


def _site_step(loaded: LoadedGraph, out_dir: Path) -> StepOutcome:
    from kgtool.publish import write_site  # the site's renderers load only when asked for

    return _files(write_site(loaded, out_dir / "site"))


def _files(*written: Path) -> StepOutcome:
    return OK, f"{len(written)} file{'' if len(written) == 1 else 's'}", written
