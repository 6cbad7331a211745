"""The network page in a real headless Chromium: drawing, panel, filters, search, escaping."""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

import pytest

from kgtool.errors import KgtoolError
from kgtool.graph import load
from kgtool.network import STATUSES, PartnerNetwork, build_network, node_agreements
from kgtool.project import PREFIXES, Project, local_name, pick_label
from kgtool.viz import (
    LARGE_NETWORK,
    STATUS_STYLES,
    display_label,
    page_data,
    render_page_file,
    search_fold,
    search_keys,
    stabilisation_iterations,
)

pytestmark = pytest.mark.browser

FIXTURES = Path(__file__).parent / "fixtures" / "network"
AS_OF = date(2026, 1, 15)
HOSTILE = "<img src=x onerror=alert(1)>"
INST = "https://w3id.org/kgtool/id/org/"


@dataclass
class OpenPage:
    """A loaded page with everything it tried to fetch, its errors and its dialogs."""

    page: Any
    external: list[str] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)

    def node_id(self, iri: str) -> int:
        return int(self.page.evaluate("iri => KG.nodes.findIndex(n => n.iri === iri)", iri))

    def node_position(self, node: int) -> tuple[float, float]:
        pos = self.page.evaluate(
            """id => { const d = network.canvasToDOM(network.getPositions([id])[id]);
            const r = document.querySelector('#mynetwork canvas').getBoundingClientRect();
            return [r.left + d.x, r.top + d.y]; }""",
            node,
        )
        return float(pos[0]), float(pos[1])


def open_page(browser: Any, path: Path) -> Iterator[OpenPage]:
    context = browser.new_context(viewport={"width": 1280, "height": 900})
    page = context.new_page()
    opened = OpenPage(page)

    def guard(route: Any) -> None:  # hard "no network": only the file itself and data: URLs
        url = route.request.url
        if url.startswith(("file://", "data:", "blob:")):
            route.continue_()
        else:
            opened.external.append(url)
            route.abort()

    def on_dialog(dialog: Any) -> None:
        opened.dialogs.append(dialog.message)
        dialog.dismiss()

    context.route("**/*", guard)
    page.on("pageerror", lambda exc: opened.errors.append(str(exc)))
    page.on("dialog", on_dialog)
    page.goto(path.as_uri(), wait_until="load")
    page.wait_for_function("() => kgStable === true", timeout=30_000)
    yield opened
    assert opened.external == [], "the page tried to reach the network"
    assert opened.errors == [], "the page threw"
    assert opened.dialogs == [], "a dialog fired: some text from the data ran as code"
    context.close()


@pytest.fixture(scope="module")
def fixture_network() -> PartnerNetwork:
    return build_network(load([FIXTURES], project=Project(FIXTURES)), as_of=AS_OF)


@pytest.fixture(scope="module")
def page_file(fixture_network: PartnerNetwork, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_page_file(
        fixture_network, tmp_path_factory.mktemp("viz") / "network.html", lang="en"
    )


@pytest.fixture
def opened(browser: Any, page_file: Path) -> Iterator[OpenPage]:
    yield from open_page(browser, page_file)


def test_every_institution_is_drawn_and_physics_stops(
    opened: OpenPage, fixture_network: PartnerNetwork
) -> None:
    page = opened.page
    assert (
        page.evaluate("network.body.data.nodes.length") == fixture_network.graph.number_of_nodes()
    )
    assert (
        page.evaluate("network.body.data.edges.length") == fixture_network.graph.number_of_edges()
    )
    assert page.evaluate("network.physics.options.enabled") is False
    # edges by status: expired ties dashed on a small network, every tie's edge between its ends
    assert page.evaluate("edges.get().some(e => e.dashes)") is True
    order = {iri: i for i, iri in enumerate(sorted(fixture_network.graph.nodes))}
    expected = sorted(
        [
            *sorted([order[u], order[v]]),
            STATUS_STYLES[min((a.status for a in d["agreements"]), key=STATUSES.index)][0],
        ]
        for u, v, d in fixture_network.graph.edges(data=True)
    )
    assert sorted(page.evaluate("edges.get().map(e => [e.from, e.to, e.color.color])")) == expected
    # vis-network read each edge's colour and kept the options' highlight colour
    drawn_colours = page.evaluate(
        "edges.getIds().map(id => network.body.edges[id].options.color)"
        ".map(c => [c.color, c.highlight])"
    )
    assert sorted(drawn_colours) == sorted([row[2], "#000000"] for row in expected)
    # an edge's tooltip: its ends, then its agreements (title, signing date)
    tips = page.evaluate(
        """() => edges.getIds().map(id => { const tip = document.createElement('div');
        kgEdgeTip(tip, id); return Array.from(tip.children, c => c.textContent); })"""
    )
    label = {i: display_label(fixture_network, iri, "en") for iri, i in order.items()}
    expected_tips = []
    for u, v, d in fixture_network.graph.edges(data=True):
        a, b = sorted([order[u], order[v]])
        expected_tips.append(
            [
                f"{label[a]} — {label[b]}",
                *(
                    (pick_label(x.titles, "en") or local_name(x.iri))
                    + (f" ({x.signed_on})" if x.signed_on else "")
                    for x in sorted(d["agreements"], key=lambda x: x.iri)
                ),
            ]
        )
    assert sorted(tips) == sorted(expected_tips)
    drawn = page.evaluate(
        """() => { const c = document.querySelector('#mynetwork canvas');
        const d = c.getContext('2d').getImageData(0, 0, c.width, c.height).data; let n = 0;
        for (let i = 0; i < d.length; i += 4)
          if (d[i+3] > 0 && (d[i] < 240 || d[i+1] < 240 || d[i+2] < 240)) n++;
        return n; }"""
    )
    assert drawn > 1000


def test_a_click_on_a_node_lists_its_agreements(opened: OpenPage) -> None:
    page = opened.page
    academy = opened.node_id(INST + "academy")
    page.mouse.click(*opened.node_position(academy))
    assert page.evaluate("network.getSelectedNodes()") == [academy]
    titles = page.locator("#kg-panel .kg-agreement-title").all_inner_texts()
    assert sorted(titles) == [
        "Internal research programme",
        "Memorandum on science and production",
        "Three-party materials agreement",
    ]
    panel = page.inner_text("#kg-panel")
    assert "2024-03-15" in panel and "P5Y" in panel and "2029-03-15" in panel
    assert "Mining" in panel and "000_e9e16332b42228ca.txt" in panel


def test_filters_hide_exactly_the_right_nodes(
    opened: OpenPage, fixture_network: PartnerNetwork
) -> None:
    page = opened.page
    order = sorted(fixture_network.graph.nodes)
    page.click('#kg-filters details[data-filter="country"] summary')
    page.uncheck('input[data-filter="country"][value="KR"]')
    expected = [
        i for i, iri in enumerate(order) if fixture_network.graph.nodes[iri]["country"] != "KR"
    ]
    assert page.evaluate("kgVisibleNodeIds()") == expected
    page.check('input[data-filter="country"][value="KR"]')
    assert len(page.evaluate("kgVisibleNodeIds()")) == len(order)

    expired = page.evaluate("KG.statuses.findIndex(s => s.iri.endsWith('/expired'))")
    page.click('#kg-filters details[data-filter="status"] summary')
    page.evaluate("kgSetAll('status', false)")
    page.check(f'input[data-filter="status"][value="{expired}"]')
    shown = {order[i].rsplit("/", 1)[1] for i in page.evaluate("kgVisibleNodeIds()")}
    assert shown == {"institute-of-physics", "moscow-institute"}
    visible_edges = page.evaluate("edges.get({filter: e => !e.hidden}).length")
    assert visible_edges == 1


def test_search_finds_names_across_uzbek_scripts(opened: OpenPage) -> None:
    page = opened.page
    page.fill("#kg-search", "Тошкент давлат")  # Cyrillic query, Latin-only name
    assert (
        page.locator("#kg-results li")
        .all_inner_texts()[0]
        .startswith("Toshkent davlat texnika universiteti")
    )
    page.fill("#kg-search", "Oliy ta'lim")  # Latin with a plain apostrophe, Cyrillic-only name
    assert page.locator("#kg-results li span:first-child").all_inner_texts() == [
        "Олий таълим вазирлиги"
    ]
    page.fill("#kg-search", "ozbekiston respublikasi")  # oʻ without its apostrophe
    assert "Academy of Sciences of the Republic of Uzbekistan" in page.inner_text("#kg-results")
    page.locator("#kg-results li").first.click()
    assert page.evaluate("network.getSelectedNodes()") == [opened.node_id(INST + "academy")]
    assert page.inner_text("#kg-panel h2") == "Academy of Sciences of the Republic of Uzbekistan"


ACADEMY = "Academy of Sciences of the Republic of Uzbekistan"  # en, ru and uz-Latn names
MINISTRY = "Олий таълим вазирлиги"  # its only name: uz-Cyrl


@pytest.mark.parametrize(
    ("queries", "expected"),
    [
        (  # Latin name: every apostrophe as typed, none, or the whole name in Cyrillic
            [
                "Oʻzbekiston Respublikasi Fanlar",  # ʻ U+02BB
                "Oʼzbekiston respublikasi fanlar",  # ʼ U+02BC
                "O‘ZBEKISTON RESPUBLIKASI FANLAR",  # ‘ U+2018, capitals
                "o'zbekiston respublikasi fanlar",
                "O`zbekiston Respublikasi Fanlar",
                "ozbekiston respublikasi fanlar",
                "Ўзбекистон Республикаси Фанлар",
                "ЎЗБЕКИСТОН республикаси ФАНЛАР",
                "академия наук республики",  # its Russian name
            ],
            ACADEMY,
        ),
        (  # Cyrillic-only name typed in Latin, with each apostrophe and in capitals
            [
                "Oliy taʼlim",
                "OLIY TA‘LIM",
                "oliy ta'lim",
                "Oliy ta`lim",
                "oliy talim",
                "ОЛИЙ ТАЪЛИМ",
            ],
            MINISTRY,
        ),
        (  # a Cyrillic uz name typed in Latin; the page shows the English label
            ["Fizika-texnika instituti", "FIZIKA TEXNIKA"],
            "Physical-Technical Institute",
        ),
        (
            ["Тошкент давлат техника", "ТОШКЕНТ", "toshkent DAVLAT"],
            "Toshkent davlat texnika universiteti",
        ),
    ],
)
def test_search_finds_an_institution_by_any_name_in_any_script(
    browser: Any, page_file: Path, queries: list[str], expected: str
) -> None:
    for opened in open_page(browser, page_file):
        for query in queries:
            opened.page.fill("#kg-search", query)
            found = opened.page.locator("#kg-results li span:first-child").all_inner_texts()
            assert found == [expected], query


def test_search_folding_in_the_page_matches_python(opened: OpenPage) -> None:
    samples = [
        "Oʻzbekiston Respublikasi Fanlar akademiyasi",
        "Ўзбекистон Республикаси Фанлар академияси",
        "G‘ALLAOROL «Ташкент» Европа",
        "Yevropa Tsentr, sex",
        "한국재료연구원 (KIMS)",
        "Институт металлургии им. Байкова",
    ]
    folded = opened.page.evaluate("texts => texts.map(kgFold)", samples)
    assert folded == [search_fold(s) for s in samples]
    assert folded[0] == folded[1]


def assert_the_page_searches_the_keys_python_makes(
    opened: OpenPage, network: PartnerNetwork
) -> None:
    """The page folds names itself; with the readings it is given, it has search_keys's keys."""
    in_page = opened.page.evaluate("KG.nodes.map(kgKeys)")
    graph = network.graph
    for iri, keys in zip(sorted(graph.nodes), in_page, strict=True):
        names = [name for values in graph.nodes[iri]["labels"].values() for name in values]
        label = display_label(network, iri, "en")
        assert set(keys) == set(search_keys([label, *names, iri.rsplit("/", 1)[1]])), iri


def test_the_page_searches_the_keys_python_makes(
    opened: OpenPage, fixture_network: PartnerNetwork
) -> None:
    assert_the_page_searches_the_keys_python_makes(opened, fixture_network)


def test_a_hostile_name_stays_text_everywhere(opened: OpenPage) -> None:
    page = opened.page
    hostile = opened.node_id(INST + "hostile")
    assert page.evaluate("id => nodes.get(id).label", hostile) == HOSTILE
    x, y = opened.node_position(hostile)
    page.mouse.move(x, y)
    page.wait_for_selector("#kg-tooltip:not([hidden])", timeout=5000)
    assert HOSTILE in page.inner_text("#kg-tooltip")
    page.mouse.click(x, y)
    assert page.inner_text("#kg-panel h2") == HOSTILE
    assert "<script>alert(2)</script> AI memorandum" in page.inner_text("#kg-panel")
    page.fill("#kg-search", "img src")
    assert HOSTILE in page.inner_text("#kg-results")
    assert page.evaluate("document.querySelectorAll('img, #kg-panel script').length") == 0


def test_labels_in_the_chosen_language(
    browser: Any, fixture_network: PartnerNetwork, tmp_path: Path
) -> None:
    path = render_page_file(fixture_network, tmp_path / "uz.html", lang="uz-Cyrl")
    for opened in open_page(browser, path):
        page = opened.page
        assert page.inner_text("#kg-title") == "Ҳамкорлар тармоғи"
        assert page.evaluate("document.documentElement.lang") == "uz-Cyrl"
        labels = page.evaluate("nodes.get().map(n => n.label)")
        assert "Физика-техника институти" in labels  # the uz-Cyrl name wins
        # no uz-Cyrl name: the uz-Latn one, transliterated
        assert "Ўзбекистон Республикаси Фанлар академияси" in labels
        assert "Институт металлургии" in labels  # then Russian


def test_the_project_data_page(browser: Any, project: Project, tmp_path: Path) -> None:
    if not any(project.data_dir.glob("**/*.ttl")):
        pytest.skip("data/ holds no Turtle yet")
    try:
        network = build_network(load(project=project))
    except KgtoolError as exc:
        pytest.skip(f"the project's data does not load yet: {exc}")
    if network.graph.number_of_nodes() == 0:
        pytest.skip("the project's data has no agreements yet")
    path = render_page_file(network, tmp_path / "project.html", lang="ru")
    for opened in open_page(browser, path):
        count = opened.page.evaluate("network.body.data.nodes.length")
        assert count == network.graph.number_of_nodes()


# --- a large generated network: starting positions from Python, cheaper physics, no dashes -----

GENERATED = 1400  # institutions asked: the network is above viz.LARGE_NETWORK nodes


def generated_turtle(institutions: int, seed: int = 5) -> str:
    """Return a seeded network around the fixture's institutions (hostile name included)."""
    rng = random.Random(seed)
    lines = [f"@prefix {prefix}: <{iri}> ." for prefix, iri in PREFIXES.items()]
    for i in range(institutions):
        country = rng.choice(["UZ", "UZ", "RU", "DE", "KR"])
        lines.append(
            f"inst:g{i} a coop:University ; coop:country country:{country} ; "
            f'skos:prefLabel "Generated institute {i}"@en , "Sinov instituti {i}"@uz-Latn .'
        )
    # a name whose reading by the transliteration rules differs from plain folding (сентябрь)
    lines.append(
        "inst:g-september a coop:University ; coop:country country:UZ ; "
        'skos:prefLabel "Сентябрь илмий маркази"@uz-Cyrl .'
    )
    parties = [f"inst:g{i}" for i in range(institutions)] + ["inst:g-september"]
    parties += ["inst:hostile", "inst:academy", "inst:ministry", "inst:seoul-institute"]
    for k in range(int(institutions * 1.5)):
        first, second = rng.sample(parties, 2)
        year = rng.randrange(2012, 2026)
        direction = rng.choice(["mining", "physics", "chemistry"])
        lines.append(
            f"agr:g{k} a coop:Agreement ; coop:party {first} , {second} ; "
            f'coop:title "Generated agreement {k}"@en ; '
            f'coop:signedOn "{year}-03-01"^^xsd:date ; coop:term "P5Y"^^xsd:duration ; '
            f"coop:direction dir:{direction} ; coop:source src:00{k % 3} ."
        )
    return "\n".join(lines) + "\n"


@pytest.fixture(scope="module")
def large_network(tmp_path_factory: pytest.TempPathFactory) -> PartnerNetwork:
    generated = tmp_path_factory.mktemp("large") / "generated.ttl"
    generated.write_text(generated_turtle(GENERATED), encoding="utf-8")
    loaded = load([FIXTURES / "world.ttl", generated], project=Project(FIXTURES))
    network = build_network(loaded, as_of=AS_OF)
    assert network.graph.number_of_nodes() > LARGE_NETWORK
    return network


@pytest.fixture(scope="module")
def large_page(large_network: PartnerNetwork, tmp_path_factory: pytest.TempPathFactory) -> Path:
    return render_page_file(large_network, tmp_path_factory.mktemp("viz") / "large.html")


def test_a_large_network_starts_from_python_positions_and_stops(
    browser: Any, large_network: PartnerNetwork, large_page: Path
) -> None:
    data, vis_nodes, _groups = page_data(large_network, "en")
    for opened in open_page(browser, large_page):
        page = opened.page
        assert page.evaluate("network.body.data.nodes.length") == len(vis_nodes)
        assert page.evaluate("network.body.data.edges.length") == len(data["tieSizes"])
        assert page.evaluate("network.physics.options.enabled") is False
        assert page.evaluate("network.physics.options.stabilization.iterations") == (
            stabilisation_iterations(len(vis_nodes), len(data["tieSizes"]))
        )
        assert page.evaluate("network.layoutEngine.options.improvedLayout") is False
        # every node started where Python put it (the data set keeps the starting point)
        starts = page.evaluate("nodes.get().map(n => [n.id, n.x, n.y])")
        assert starts == [[node["id"], node["x"], node["y"]] for node in vis_nodes]
        assert page.evaluate("edges.get().filter(e => e.dashes).length") == 0
        # "lay out again" runs the same bounded stabilisation and stops again
        page.click("#kg-relayout")
        page.wait_for_function("() => kgStable === true", timeout=30_000)
        assert page.evaluate("network.physics.options.enabled") is False
        assert page.is_enabled("#kg-relayout")


def test_a_large_network_keeps_panel_search_filters_and_escaping(
    browser: Any, large_network: PartnerNetwork, large_page: Path
) -> None:
    order = sorted(large_network.graph.nodes)
    for opened in open_page(browser, large_page):
        page = opened.page
        hostile = opened.node_id(INST + "hostile")
        page.evaluate("id => network.focus(id, {scale: 1.5, animation: false})", hostile)
        x, y = opened.node_position(hostile)
        # the page's own hover: the same tooltip, and no redraw of the whole canvas
        page.evaluate(  # after the redraw that focus asked for
            """() => new Promise(done => requestAnimationFrame(() => requestAnimationFrame(() => {
            window.redraws = 0; network.on('afterDrawing', () => redraws++); done(); })))"""
        )
        page.mouse.move(x, y)
        page.wait_for_selector("#kg-tooltip:not([hidden])", timeout=5000)
        assert HOSTILE in page.inner_text("#kg-tooltip")
        assert page.evaluate("network.interactionHandler.options.hover") is False
        assert page.evaluate("window.redraws") == 0
        page.mouse.move(1200, 600)  # over the side panel: the tooltip goes
        page.wait_for_selector("#kg-tooltip[hidden]", state="attached", timeout=5000)
        page.mouse.move(x, y)
        page.wait_for_selector("#kg-tooltip:not([hidden])", timeout=5000)
        page.mouse.click(x, y)
        assert page.evaluate("network.getSelectedNodes()") == [hostile]
        assert page.inner_text("#kg-panel h2") == HOSTILE
        expected = node_agreements(large_network, INST + "hostile")
        titles = page.locator("#kg-panel .kg-agreement-title").all_inner_texts()
        assert sorted(titles) == sorted(a.titles["en"] for a in expected)
        panel = page.inner_text("#kg-panel")
        partners = {display_label(large_network, p, "en") for a in expected for p in a.parties} - {
            HOSTILE
        }
        assert all(partner in panel for partner in partners)
        assert "000_e9e16332b42228ca.txt" in panel or "002_63f51be1fcd88af9.txt" in panel
        assert page.evaluate("document.querySelectorAll('img, #kg-panel script').length") == 0

        assert_the_page_searches_the_keys_python_makes(opened, large_network)
        page.fill("#kg-search", "sentabr ilmiy")  # the rules' reading of Сентябрь
        assert page.locator("#kg-results li span:first-child").all_inner_texts() == [
            "Сентябрь илмий маркази"
        ]
        page.fill("#kg-search", "Синов институти 1399")  # Cyrillic query, Latin-only names
        assert page.locator("#kg-results li span:first-child").all_inner_texts() == [
            "Generated institute 1399"
        ]
        page.locator("#kg-results li").first.click()
        assert page.inner_text("#kg-panel h2") == "Generated institute 1399"

        page.click('#kg-filters details[data-filter="country"] summary')
        page.uncheck('input[data-filter="country"][value="UZ"]')
        expected_ids = [
            i for i, iri in enumerate(order) if large_network.graph.nodes[iri]["country"] != "UZ"
        ]
        assert page.evaluate("kgVisibleNodeIds()") == expected_ids


def test_parties_outside_the_network_are_named_in_the_panel(browser: Any, tmp_path: Path) -> None:
    loaded = load([FIXTURES], project=Project(FIXTURES))
    network = build_network(loaded, as_of=AS_OF, rollup=True)  # the department is rolled up
    path = render_page_file(network, tmp_path / "rollup.html")
    for opened in open_page(browser, path):
        page = opened.page
        page.fill("#kg-search", "Toshkent davlat")
        page.locator("#kg-results li").first.click()
        assert page.inner_text("#kg-panel h2") == "Toshkent davlat texnika universiteti"
        metas = page.locator("#kg-panel .kg-agreement .kg-meta").all_inner_texts()
        party_lines = sorted(line for line in metas if line.startswith("parties: "))
        expected = sorted(
            "parties: " + "; ".join(display_label(network, p, "en") for p in a.parties)
            for a in node_agreements(network, INST + "tashkent-university")
        )
        assert party_lines == expected
        # a party that is no node of its own (rolled up) is named, not numbered
        assert any("Department of Chemistry" in line for line in party_lines)
