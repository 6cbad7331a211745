"""Benchmark the partner-network page: generation, file size, time to stable, JS heap.

Generates a seeded synthetic network (institutions in several countries, units with parents,
two- and three-party agreements, names in Uzbek Latin, Russian and English), loads it into the
embedded Oxigraph store, builds the network, writes the page and opens it in headless Chromium.

Run: .venv/bin/python benchmarks/viz/bench_viz.py [--sizes 100 1000 5000 6000x8] [--out FILE]
     [--json FILE] [--before FILE --before-label TEXT]

A size ``6000x8`` asks for 6,000 institutions with 8 agreements each (a dense network like
the 5,000 busiest institutions of the 1M-triple benchmark).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from kgtool.graph import load
from kgtool.network import build_network, compute_metrics
from kgtool.project import Project
from kgtool.viz import render_page_file

HERE = Path(__file__).resolve().parent
RESULTS = HERE.parent / "results" / "viz.md"
AS_OF = date(2026, 1, 15)
SEED = 20260115
COUNTRIES = [("UZ", 0.5), ("RU", 0.1), ("KR", 0.08), ("DE", 0.07), ("CN", 0.07), ("TR", 0.06),
             ("KZ", 0.05), ("US", 0.04), ("FR", 0.03)]  # fmt: skip
KINDS = ["University", "ResearchInstitute", "Company", "GovernmentBody", "AcademyOfSciences"]
DIRECTIONS = ["mining", "metallurgy", "chemistry", "physics", "energy", "agriculture", "medicine",
              "it", "education", "materials", "water", "transport"]  # fmt: skip
CHROMIUM = "/usr/bin/chromium"
ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--no-first-run",
    "--disable-component-update",
    "--disable-sync",
    "--disable-quic",
]


def synthetic_turtle(institutions: int, seed: int = SEED, per_institution: float = 1.5) -> str:
    """Return a seeded synthetic partner network in the kgtool vocabulary, with
    ``per_institution`` agreements per institution."""
    rng = random.Random(seed)
    lines = [
        "@prefix coop: <https://w3id.org/kgtool/ontology#> .",
        "@prefix inst: <https://w3id.org/kgtool/id/org/> .",
        "@prefix agr: <https://w3id.org/kgtool/id/agreement/> .",
        "@prefix country: <https://w3id.org/kgtool/id/country/> .",
        "@prefix dir: <https://w3id.org/kgtool/id/direction/> .",
        "@prefix skos: <http://www.w3.org/2004/02/skos/core#> .",
        "@prefix xsd: <http://www.w3.org/2001/XMLSchema#> .",
    ]
    for code, _ in COUNTRIES:
        lines.append(f'country:{code} a coop:Country ; coop:countryCode "{code}" ; '
                     f'skos:prefLabel "Country {code}"@en .')  # fmt: skip
    for d in DIRECTIONS:
        lines.append(f'dir:{d} a skos:Concept ; skos:prefLabel "{d.title()}"@en .')
    codes = [c for c, _ in COUNTRIES]
    weights = [w for _, w in COUNTRIES]
    country_of = []
    for i in range(institutions):
        code = rng.choices(codes, weights)[0]
        country_of.append(code)
        kind = "OrganisationalUnit" if i > 20 and rng.random() < 0.1 else rng.choice(KINDS)
        extra = (
            f" ; coop:partOf inst:i{rng.randrange(0, 20)}" if kind == "OrganisationalUnit" else ""
        )
        names = (
            f'"Institution {i}"@en , "Tashkilot {i} oʻquv markazi"@uz-Latn , "Организация {i}"@ru'
        )
        lines.append(f"inst:i{i} a coop:{kind} ; coop:country country:{code} ; "
                     f"skos:prefLabel {names}{extra} .")  # fmt: skip
    # preferential attachment: a few hubs with many partners, as in real cooperation networks
    weights_nodes = [1.0 / (1 + i) ** 0.6 for i in range(institutions)]
    for a in range(int(institutions * per_institution)):
        parties = set()
        want = 3 if rng.random() < 0.1 else 2
        while len(parties) < want:
            parties.add(rng.choices(range(institutions), weights_nodes)[0])
        signed = date(2012, 1, 1) + timedelta(days=rng.randrange(0, 14 * 365))
        years = rng.choice([3, 5, 10])
        expires = date(signed.year + years, signed.month, min(signed.day, 28))
        dirs = " , ".join(f"dir:{d}" for d in rng.sample(DIRECTIONS, rng.randint(1, 3)))
        party_list = " , ".join(f"inst:i{p}" for p in sorted(parties))
        lines.append(
            f"agr:a{a} a coop:Agreement ; coop:party {party_list} ; "
            f'coop:title "Agreement {a}"@en ; coop:signedOn "{signed.isoformat()}"^^xsd:date ; '
            f'coop:term "P{years}Y"^^xsd:duration ; '
            f'coop:expiresOn "{expires.isoformat()}"^^xsd:date ; '
            f"coop:direction {dirs} ."
        )
    return "\n".join(lines) + "\n"


def open_in_chromium(path: Path) -> dict[str, float | int]:
    """Open ``path`` in headless Chromium; return the seconds to the load event and to a
    stable drawn page (wall, and CPU of the renderer's main thread and process: CDP's
    Performance.getMetrics), the nodes drawn, the non-blank pixels, the milliseconds one frame
    takes once stable (what every hover or selection costs) and the JS heap in use once
    stable, after a full garbage collection (MiB, CDP's Runtime.getHeapUsage)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        external: list[str] = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                   else (external.append(r.request.url), r.abort()))  # fmt: skip
        cdp = page.context.new_cdp_session(page)
        cdp.send("Performance.enable")
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - start
        page.wait_for_function("() => kgStable === true", timeout=120_000, polling=50)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        stable = time.perf_counter() - start
        # CPU seconds of the page's renderer until then: what wall time is, less the waiting for
        # a core on a shared machine (the main thread runs the layout; the process also draws)
        metrics = {m["name"]: m["value"] for m in cdp.send("Performance.getMetrics")["metrics"]}
        nodes = page.evaluate("network.body.data.nodes.length")
        drawn = page.evaluate(
            """() => { const c = document.querySelector('#mynetwork canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 16) if (d[i+3] > 0 && d[i] < 240) n++; return n; }"""
        )
        cdp.send("HeapProfiler.collectGarbage")
        heap_mib = cdp.send("Runtime.getHeapUsage")["usedSize"] / 2**20
        frame_ms = page.evaluate(
            """() => { const t = performance.now();
            for (let i = 0; i < 3; i++) network.renderer._redraw();
            return (performance.now() - t) / 3; }"""
        )
        browser.close()
        if external:
            raise SystemExit(f"the page tried to reach {external[:3]}")
        return {
            "load_event": loaded,
            "stable": stable,
            "drawn_nodes": int(nodes),
            "pixels": int(drawn),
            "frame_ms": float(frame_ms),
            "heap_mib": float(heap_mib),
            "main_thread_cpu": float(metrics.get("ThreadTime", float("nan"))),
            "renderer_cpu": float(metrics.get("ProcessTime", float("nan"))),
        }


def parse_size(text: str) -> tuple[int, float]:
    """Return (institutions, agreements per institution) of ``5000`` or ``6000x8``."""
    count, _, per = text.lower().partition("x")
    return int(count), float(per) if per else 1.5


def run(size: str, work: Path, repeat: int) -> dict[str, Any]:
    """Generate, load and build a network of ``size``; time writing its page (median of
    ``repeat``, the network given) and opening it in Chromium (median of ``repeat``)."""
    institutions, per = parse_size(size)
    project = work / f"n{size}"
    (project / "data").mkdir(parents=True)
    ttl = project / "data" / "synthetic.ttl"
    ttl.write_text(synthetic_turtle(institutions, per_institution=per), encoding="utf-8")
    t1 = time.perf_counter()
    loaded = load([ttl], project=Project(project))
    t2 = time.perf_counter()
    network = build_network(loaded, as_of=AS_OF)
    t3 = time.perf_counter()
    compute_metrics(network)
    t4 = time.perf_counter()
    walls, cpus = [], []
    page = project / "network.html"
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        render_page_file(network, page, lang="en")
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    opened = [open_in_chromium(page) for _ in range(repeat)]
    return {
        "institutions": network.graph.number_of_nodes(),
        "links": network.graph.number_of_edges(),
        "agreements": len(network.agreements),
        "triples": len(loaded.dataset),
        "load": t2 - t1,
        "build": t3 - t2,
        "metrics": t4 - t3,
        "page": statistics.median(walls),
        "page_cpu": statistics.median(cpus),
        "mib": page.stat().st_size / 2**20,
        **{key: statistics.median(o[key] for o in opened) for key in opened[0]},
    }


def _chromium_version() -> str:
    try:
        found = subprocess.run([CHROMIUM, "--version"], capture_output=True, text=True, check=False)
    except OSError:
        return "absent"
    return found.stdout.strip() or "unknown"


def _loadavg() -> str:
    try:
        return " ".join(Path("/proc/loadavg").read_text().split()[:3])
    except OSError:
        return "n/a"


def _rows(rows: list[tuple[str, dict[str, Any]]], before: dict[str, Any]) -> list[str]:
    table = [
        "| institutions asked (× agreements each) | nodes | links | agreements | load (Oxigraph) "
        "| build network | metrics | page generation (wall / CPU) | HTML size "
        "| browser: load event | browser: stable and drawn | renderer CPU until stable (main "
        "thread / process) | one frame once stable | JS heap once stable |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in rows:
        was = before.get(size)

        def then(key: str, unit: str, digits: int = 2, was: dict[str, Any] | None = was) -> str:
            return f" (was {was[key]:.{digits}f}{unit})" if was and key in was else ""

        table.append(
            f"| {size} | {r['institutions']:,} | {r['links']:,} | {r['agreements']:,} | "
            f"{r['load']:.2f} s | {r['build']:.2f} s | {r['metrics']:.2f} s | "
            f"{r['page']:.2f} s / {r['page_cpu']:.2f} s{then('page', ' s')} | "
            f"{r['mib']:.1f} MiB{then('mib', ' MiB', 1)} | "
            f"{r['load_event']:.2f} s{then('load_event', ' s')} | "
            f"**{r['stable']:.2f} s**{then('stable', ' s')} | "
            f"{r['main_thread_cpu']:.2f} s / {r['renderer_cpu']:.2f} s"
            f"{then('main_thread_cpu', ' s')} | "
            f"{r['frame_ms']:.0f} ms{then('frame_ms', ' ms', 0)} | "
            f"{r['heap_mib']:.1f} MiB{then('heap_mib', ' MiB', 1)} |"
        )
    return table


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", nargs="+", default=["100", "1000", "5000"],
                        help="institutions, or INSTITUTIONSxAGREEMENTS_EACH (6000x8)")  # fmt: skip
    parser.add_argument("--repeat", type=int, default=3, help="runs per size (medians)")
    parser.add_argument("--out", type=Path, default=RESULTS)
    parser.add_argument("--json", type=Path, help="also write the numbers as JSON here")
    parser.add_argument("--before", type=Path, help="JSON of an earlier run, shown as 'was'")
    parser.add_argument("--before-label", default="", help="what the earlier run measured")
    args = parser.parse_args(argv)
    before = json.loads(args.before.read_text(encoding="utf-8")) if args.before else {}
    load_start = _loadavg()
    rows = []
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-viz-") as tmp:
        for size in args.sizes:
            result = run(size, Path(tmp), args.repeat)
            print(size, {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()},
                  file=sys.stderr)  # fmt: skip
            rows.append((size, result))
    load_end = _loadavg()
    if args.json:
        args.json.write_text(json.dumps(dict(rows), indent=1), encoding="utf-8")
    text = "\n".join(
        [
            "# Partner-network page: generation and browser timings",
            "",
            f"Generated by `benchmarks/viz/bench_viz.py` on {date.today().isoformat()} "
            f"({platform.machine()}, {os.cpu_count()} CPUs, Python {platform.python_version()}, "
            f"{_chromium_version()} headless through Playwright). Load average (1, 5, 15 min) "
            f"{load_start} at the start and {load_end} at the end: the machine is shared, so "
            "wall times carry noise. Synthetic seeded data: 1.5 agreements per institution "
            "unless the size says otherwise (10 % three-party), preferential attachment, 10 % "
            "units with a parent, names in three languages. Each time is the median of "
            f"{args.repeat} runs.",
            "",
            *_rows(rows, before),
            "",
            *([f"*was*: {args.before_label}", ""] if args.before_label else []),
            "- *page generation*: `kgtool.viz.render_page_file` given the network (page data, "
            "search keys in both scripts, starting positions, pyvis template with vis-network "
            "inlined, atomic write); building the network is the column before.",
            "- *stable and drawn*: from navigation until vis-network's stabilisation iterations "
            "are done, physics is switched off (`kgStable`) and the next frame is painted.",
            "- *renderer CPU until stable*: CPU seconds of the page's renderer (main thread, "
            "whole process) until then (CDP `Performance.getMetrics`: ThreadTime, ProcessTime); "
            "unlike wall time, it does not grow while the page waits for a core.",
            "- *one frame once stable*: one full redraw of the canvas, what each hover, click "
            "or selection costs afterwards.",
            "- *JS heap once stable*: the page's JavaScript heap in use after a full garbage "
            "collection, once stable and drawn (CDP `HeapProfiler.collectGarbage`, then "
            "`Runtime.getHeapUsage`).",
            "- No request left the page in any run (route guard: only file: and data: allowed).",
            "",
        ]
    )
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(text, encoding="utf-8")
    print(text)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
