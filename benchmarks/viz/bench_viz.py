"""Benchmark the partner-network page: generation time, file size, time to a stable drawn page.

Generates a seeded synthetic network (institutions in several countries, units with parents,
two- and three-party agreements, names in Uzbek Latin, Russian and English), loads it into the
embedded Oxigraph store, builds the network, writes the page and opens it in headless Chromium.

Run: .venv/bin/python benchmarks/viz/bench_viz.py [--sizes 100 1000 5000] [--out FILE]
"""

from __future__ import annotations

import argparse
import platform
import random
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

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


def open_in_chromium(path: Path) -> tuple[float, float, int, int]:
    """Return (seconds to a stable drawn page, seconds to load event, nodes, drawn pixels)."""
    from playwright.sync_api import sync_playwright

    with sync_playwright() as play:
        browser = play.chromium.launch(executable_path=CHROMIUM, args=ARGS, headless=True)
        page = browser.new_page(viewport={"width": 1280, "height": 900})
        external: list[str] = []
        page.route("**/*", lambda r: r.continue_() if r.request.url.startswith(("file:", "data:"))
                   else (external.append(r.request.url), r.abort()))  # fmt: skip
        start = time.perf_counter()
        page.goto(path.as_uri(), wait_until="load", timeout=120_000)
        loaded = time.perf_counter() - start
        page.wait_for_function("() => kgStable === true", timeout=120_000, polling=50)
        page.evaluate("() => new Promise(r => requestAnimationFrame(() => r()))")
        stable = time.perf_counter() - start
        nodes = page.evaluate("network.body.data.nodes.length")
        drawn = page.evaluate(
            """() => { const c = document.querySelector('#mynetwork canvas');
            const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
            for (let i = 0; i < d.length; i += 16) if (d[i+3] > 0 && d[i] < 240) n++; return n; }"""
        )
        browser.close()
        if external:
            raise SystemExit(f"the page tried to reach {external[:3]}")
        return stable, loaded, int(nodes), int(drawn)


def run(size: int, work: Path) -> dict[str, float | int]:
    project = work / f"n{size}"
    (project / "data").mkdir(parents=True)
    ttl = project / "data" / "synthetic.ttl"
    t0 = time.perf_counter()
    ttl.write_text(synthetic_turtle(size), encoding="utf-8")
    t1 = time.perf_counter()
    loaded = load([ttl], project=Project(project))
    t2 = time.perf_counter()
    network = build_network(loaded, as_of=AS_OF)
    t3 = time.perf_counter()
    compute_metrics(network)
    t4 = time.perf_counter()
    page = render_page_file(network, project / "network.html", lang="en")
    t5 = time.perf_counter()
    stable, load_event, nodes, drawn = open_in_chromium(page)
    return {
        "institutions": network.graph.number_of_nodes(),
        "links": network.graph.number_of_edges(),
        "agreements": len(network.agreements),
        "triples": len(loaded.dataset),
        "synth": t1 - t0,
        "load": t2 - t1,
        "build": t3 - t2,
        "metrics": t4 - t3,
        "page": t5 - t4,
        "mib": page.stat().st_size / 2**20,
        "load_event": load_event,
        "stable": stable,
        "drawn_nodes": nodes,
        "pixels": drawn,
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", type=int, nargs="+", default=[100, 1000, 5000])
    parser.add_argument("--out", type=Path, default=RESULTS)
    args = parser.parse_args(argv)
    rows = []
    with tempfile.TemporaryDirectory(prefix="kgtool-bench-viz-") as tmp:
        for size in args.sizes:
            result = run(size, Path(tmp))
            print(size, {k: round(v, 3) if isinstance(v, float) else v for k, v in result.items()},
                  file=sys.stderr)  # fmt: skip
            rows.append((size, result))
    table = [
        "| institutions asked | nodes | links | agreements | triples | load (Oxigraph) | "
        "build network (SPARQL + networkx) | metrics | page generation | HTML size | "
        "browser: load event | browser: stable and drawn |",
        "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for size, r in rows:
        table.append(
            f"| {size:,} | {r['institutions']:,} | {r['links']:,} | {r['agreements']:,} | "
            f"{r['triples']:,} | {r['load']:.2f} s | {r['build']:.2f} s | {r['metrics']:.2f} s | "
            f"{r['page']:.2f} s | {r['mib']:.1f} MiB | {r['load_event']:.2f} s | "
            f"{r['stable']:.2f} s |"
        )
    text = "\n".join(
        [
            "# Partner-network page: generation and browser timings",
            "",
            f"Generated by `benchmarks/viz/bench_viz.py` on {date.today().isoformat()} "
            f"({platform.machine()}, {platform.python_version()}, headless Chromium from "
            f"`{CHROMIUM}` through Playwright). Synthetic seeded data: 1.5 agreements per "
            "institution (10 % three-party), preferential attachment, 10 % units with a "
            "parent, names in three languages. Every size is a fresh run; times are "
            "wall-clock, single runs.",
            "",
            *table,
            "",
            "- *page generation*: kgtool.viz.render_page_file (page data, search keys in both "
            "scripts, pyvis template with vis-network inlined, atomic write).",
            "- *stable and drawn*: from navigation until vis-network's stabilisation iterations "
            "are done, physics is switched off (`kgStable`) and the next frame is painted. The "
            "iteration budget shrinks with size (1,000 at 100 nodes, 100 from 2,000 nodes), so "
            "the layout of the largest graph is rougher but the page stays responsive.",
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
