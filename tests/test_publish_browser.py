"""The published site in a real headless Chromium from file://: every page linked from the index
renders without errors, every internal link resolves, nothing leaves the page, and the search finds
names typed in the other Uzbek script."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path
from typing import Any
from urllib.parse import unquote, urlsplit

import pytest

from kgtool.graph import load
from kgtool.names import latin_to_cyrillic
from kgtool.project import Project
from kgtool.publish import publish

pytestmark = pytest.mark.browser

POST_PAGE = "doc/post/tiiame-vice-rector-international-cooperation.html"
POST_NAME_LATIN = "Xalqaro hamkorlik bo‘yicha prorektor"


@pytest.fixture(scope="module")
def site(project: Project, tmp_path_factory: pytest.TempPathFactory) -> Path:
    out = tmp_path_factory.mktemp("browser-site") / "site"
    publish(load(project=project), out)
    return out


class Guarded:
    """A browser page whose every request outside file:// and data: is aborted and recorded."""

    def __init__(self, browser: Any) -> None:
        self.context = browser.new_context(viewport={"width": 1200, "height": 900})
        self.page = self.context.new_page()
        self.external: list[str] = []
        self.errors: list[str] = []
        self.dialogs: list[str] = []
        self.context.route("**/*", self._guard)
        self.page.on("pageerror", lambda exc: self.errors.append(str(exc)))
        self.page.on("dialog", self._dialog)

    def _guard(self, route: Any) -> None:
        url = route.request.url
        if url.startswith(("file://", "data:")):
            route.continue_()
        else:
            self.external.append(url)
            route.abort()

    def _dialog(self, dialog: Any) -> None:
        self.dialogs.append(dialog.message)
        dialog.dismiss()

    def close(self) -> None:
        self.context.close()


@pytest.fixture
def guarded(browser: Any) -> Iterator[Guarded]:
    opened = Guarded(browser)
    yield opened
    opened.close()
    assert opened.external == [], f"requests left the page: {opened.external[:5]}"
    assert opened.dialogs == []


def local_file(url: str) -> Path:
    return Path(unquote(urlsplit(url).path))


SAMPLED = ("/doc/span/", "/doc/country/")


def rendered_sample(urls: list[str]) -> list[str]:
    """Every page linked from the index, but only one in ten evidence-span and country pages
    (there are many of each, all made by the same code): keeps the crawl within seconds."""
    many = [u for u in urls if any(part in u for part in SAMPLED)]
    return [u for u in urls if u not in many] + many[::10]


def test_every_page_linked_from_the_index_renders_and_its_links_resolve(
    site: Path, guarded: Guarded
) -> None:
    page = guarded.page
    page.goto((site / "index.html").as_uri(), wait_until="load")
    assert page.title() == "kgtool linked data"
    links = page.eval_on_selector_all("a[href]", "els => els.map(e => e.href)")
    internal = sorted({url.split("#")[0] for url in links if url.startswith("file://")})
    assert len(internal) > 300, "the index links every thing, the dumps and the docs"
    for url in internal:
        assert local_file(url).is_file(), f"broken link on the index: {url}"
    pages = [u for u in internal if u.endswith(".html")]
    assert any(u.endswith("/ontology/index.html") for u in pages)
    checked: set[str] = set()
    for url in rendered_sample(pages):
        page.goto(url, wait_until="domcontentloaded")
        headings, targets = page.evaluate(
            "() => [document.querySelectorAll('h1').length,"
            " Array.from(document.querySelectorAll('a[href]'), a => a.href)]"
        )
        assert guarded.errors == [], f"{url}: {guarded.errors}"
        assert headings >= 1, f"{url} has no heading"
        for target in targets:
            target = target.split("#")[0]
            if target.startswith("file://") and target not in checked:
                assert local_file(target).is_file(), f"broken link on {url}: {target}"
                checked.add(target)
    assert len(checked) > 300


def test_search_finds_a_name_typed_in_the_other_uzbek_script(site: Path, guarded: Guarded) -> None:
    page = guarded.page
    page.goto((site / "index.html").as_uri(), wait_until="load")
    cyrillic = latin_to_cyrillic(POST_NAME_LATIN)
    assert cyrillic != POST_NAME_LATIN and "ҳамкорлик" in cyrillic.lower()
    page.fill("#kg-q", cyrillic)
    hits = page.eval_on_selector_all("#kg-hits a", "els => els.map(e => e.getAttribute('href'))")
    assert POST_PAGE in hits, f"typed {cyrillic!r}, got {hits}"
    page.fill("#kg-q", "МАТЕРИАЛШУНОСЛИК")
    hits = page.eval_on_selector_all("#kg-hits a", "els => els.map(e => e.getAttribute('href'))")
    assert "doc/org/uzas-ims.html" in hits
    page.fill("#kg-q", "Oʻzbekiston Fanlar")  # another apostrophe than the name is written with
    hits = page.eval_on_selector_all("#kg-hits a", "els => els.map(e => e.getAttribute('href'))")
    assert "doc/org/uzas.html" in hits
    page.fill("#kg-q", "zzzz-no-such-name")
    assert page.locator("#kg-hits a").count() == 0
    assert page.text_content("#kg-count") == "no match"
    page.fill("#kg-q", cyrillic)
    page.click(f'#kg-hits a[href="{POST_PAGE}"]')
    page.wait_for_load_state("domcontentloaded")
    assert page.url.endswith(POST_PAGE)
    assert guarded.errors == []


@pytest.mark.server
def test_query_page_runs_library_and_editor_queries(
    site: Path, project: Project, browser: Any
) -> None:
    """The served query page: a library query with a bound parameter, then the editor."""
    import socket
    import threading
    import time

    import uvicorn

    from kgtool.serve import create_app

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    app = create_app(load(project=project), site_dir=site, timeout=5, max_rows=20)
    server = uvicorn.Server(uvicorn.Config(app, host="127.0.0.1", port=port, log_level="warning"))
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    deadline = time.monotonic() + 20
    while not server.started:
        assert thread.is_alive() and time.monotonic() < deadline
        time.sleep(0.05)
    context = browser.new_context(viewport={"width": 1200, "height": 900})
    try:
        page = context.new_page()
        origin = f"http://127.0.0.1:{port}"
        external: list[str] = []
        errors: list[str] = []

        def guard(route: Any) -> None:
            url = route.request.url
            if url.startswith((origin, "data:", "blob:")):
                route.continue_()
            else:
                external.append(url)
                route.abort()

        context.route("**/*", guard)
        page.on("pageerror", lambda exc: errors.append(str(exc)))
        page.goto(origin + "/query", wait_until="load")
        page.click("#kg-list button:text-is('partner-countries')")
        assert page.input_value("#kg-params input[data-param='country']") == "UZ"
        page.click("#kg-run-library")
        page.wait_for_selector("#kg-table tr:nth-child(2)")
        header = page.eval_on_selector_all("#kg-table th", "els => els.map(e => e.textContent)")
        assert "partner_country" in header
        page.wait_for_selector("#kg-csv:not([hidden])")
        page.fill("#kg-text", "SELECT ?s ?p ?o WHERE { ?s ?p ?o }")
        page.click("#kg-run")
        page.wait_for_selector("#kg-status:has-text('max-rows=20')")
        assert page.locator("#kg-table tr").count() == 21
        page.fill("#kg-text", "SELEC nothing")
        page.click("#kg-run")
        page.wait_for_selector("#kg-status:has-text('malformed query')")
        assert external == [] and errors == []
    finally:
        context.close()
        server.should_exit = True
        thread.join(10)
