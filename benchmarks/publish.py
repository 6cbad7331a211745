"""Measure ``kgtool publish`` (the static linked-data site) on generated projects.

For each size, in one fresh process: load the project (``kgtool.graph.load``), publish into a
new folder (a cold build), publish again into the same folder with nothing changed (the
incremental case: every file compared, none rewritten), and, with ``--profile``, the cold build
under cProfile. Prints one JSON line per size with the step times, the page and file counts,
the peak RSS and the load average before each step; ``--out`` appends them to a JSON lines file.

    .venv/bin/python benchmarks/publish.py --sizes 10k,100k
    .venv/bin/python benchmarks/publish.py --sizes 1m --data /tmp/kgdata --profile 30

Projects come from ``run.prepare_project`` (``benchmarks/data/<size>/`` by default, generated
on first use and reused while the generator and seed are the same).
"""

from __future__ import annotations

import argparse
import cProfile
import io
import json
import os
import pstats
import resource
import shutil
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
sys.path.insert(0, str(HERE))  # run.py and generate.py beside this file

import run  # noqa: E402


def _files(folder: Path) -> dict[str, int]:
    """Return every file under ``folder`` with its modification time in nanoseconds."""
    return {
        str(path.relative_to(folder)): path.stat().st_mtime_ns
        for path in folder.rglob("*")
        if path.is_file()
    }


def _timed_publish(loaded: Any, out: Path, phases: dict[str, float]) -> tuple[float, Any]:
    """Publish ``loaded`` into ``out``; ``phases`` gets the seconds from the start to each
    progress message (the pages, the dumps, VoID, ontology, index; then the end)."""
    from kgtool.publish import publish

    start = time.perf_counter()

    def progress(message: str) -> None:
        phases[message] = round(time.perf_counter() - start, 3)
        print(f"  {phases[message]:8.1f} s  {message}", file=sys.stderr, flush=True)

    summary = publish(loaded, out, progress=progress)
    seconds = time.perf_counter() - start
    phases["end"] = round(seconds, 3)
    print(f"  {seconds:8.1f} s  done", file=sys.stderr, flush=True)
    return seconds, summary


def measure(project: Path, work: Path, profile_lines: int) -> dict[str, Any]:
    """Load ``project`` and publish it twice into one folder under ``work``."""
    from kgtool.graph import load
    from kgtool.project import Project

    record: dict[str, Any] = {"project": str(project)}
    record["load_average_load"] = os.getloadavg()[0]
    start = time.perf_counter()
    loaded = load(project=Project(project))
    record["load_s"] = round(time.perf_counter() - start, 3)
    print(f"loaded {project} in {record['load_s']} s", file=sys.stderr, flush=True)

    out = work / "site"
    record["load_average_cold"] = os.getloadavg()[0]
    record["cold_phases"] = {}
    seconds, summary = _timed_publish(loaded, out, record["cold_phases"])
    record["cold_s"] = round(seconds, 3)
    record["pages"] = summary.page_count
    record["triples"] = summary.triples
    before = _files(out)
    record["files"] = len(before)
    record["bytes"] = sum((out / name).stat().st_size for name in before)

    time.sleep(0.05)  # a rewritten file would get a later mtime
    record["load_average_again"] = os.getloadavg()[0]
    record["again_phases"] = {}
    seconds, summary = _timed_publish(loaded, out, record["again_phases"])
    record["again_s"] = round(seconds, 3)
    after = _files(out)
    record["rewritten_again"] = sum(1 for name, mtime in after.items() if before.get(name) != mtime)
    print(json.dumps(record), file=sys.stderr, flush=True)  # kept if a later step is stopped
    for key in ("written", "unchanged", "removed"):
        if hasattr(summary, key):
            record[f"summary_{key}"] = getattr(summary, key)

    if profile_lines:
        shutil.rmtree(out)
        profiler = cProfile.Profile()
        profiler.enable()
        _timed_publish(loaded, out, {})
        profiler.disable()
        text = io.StringIO()
        pstats.Stats(profiler, stream=text).sort_stats("cumulative").print_stats(profile_lines)
        record["profile"] = text.getvalue()
    record["peak_rss_mib"] = round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024)
    return record


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sizes", default="10k,100k", help="comma-separated: 10k,100k,1m")
    parser.add_argument("--data", type=Path, default=HERE / "data", help="generated projects")
    parser.add_argument("--seed", type=int, default=run.generate.DEFAULT_SEED)
    parser.add_argument("--profile", type=int, default=0, help="print N lines of cProfile")
    parser.add_argument("--out", type=Path, help="append the JSON lines to this file")
    args = parser.parse_args(argv)
    for size in args.sizes.split(","):
        project = run.prepare_project(args.data, size.strip(), args.seed)
        with tempfile.TemporaryDirectory(prefix="kgtool-publish-") as work:
            record = {"size": size.strip(), **measure(project, Path(work), args.profile)}
        profile = record.pop("profile", None)
        line = json.dumps(record, ensure_ascii=False)
        print(line, flush=True)
        if profile:
            print(profile, file=sys.stderr)
        if args.out:
            with args.out.open("a", encoding="utf-8") as handle:
                handle.write(line + "\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
