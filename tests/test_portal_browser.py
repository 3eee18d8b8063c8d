"""The portal in a real browser: Debian's Chromium driven by Playwright, against a real
``ada serve`` over a lake the real pipeline produced (``ada demo --no-ui --rows 400``).

A reader searches in Spanish, narrows with a facet, opens a dataset, pages through its
preview, reads its quality and privacy sections, switches to English and back, and downloads
the CSV, whose rows must be the curated table's. axe-core (shipped inside the
``axe-playwright-python`` wheel, nothing fetched) checks the main pages for accessibility, and
every request the browser makes must stay on the portal's own address.
"""

from __future__ import annotations

import csv
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from axe_playwright_python.sync_playwright import Axe
from playwright.sync_api import expect, sync_playwright

from ada.settings import Settings, Zone
from lake.tables import connect
from tests.fixtures.service import REPO, ServiceProcess, isolated_env, settings_of

pytestmark = pytest.mark.slow

CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--no-first-run",
    "--disable-sync",
]
#: axe-core impacts that fail the test.
BLOCKING_IMPACTS = {"serious", "critical"}


@dataclass
class Served:
    url: str
    settings: Settings


@pytest.fixture(scope="module")
def served(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Served]:
    """The whole pipeline on small samples, then ``ada serve`` (which rebuilds the catalog
    with its own address) on a free port."""
    env = isolated_env(tmp_path_factory.mktemp("portal-browser") / "ada-home", poll_seconds=0.5)
    demo = subprocess.run(
        [sys.executable, "-m", "ada", "demo", "--no-ui", "--rows", "400"],
        cwd=REPO,
        env=env,
        capture_output=True,
        text=True,
        timeout=1800,
    )
    assert demo.returncode == 0, demo.stdout[-3000:] + demo.stderr[-3000:]
    with ServiceProcess(env, refresh=True, startup_seconds=300) as service:
        yield Served(service.url, settings_of(env))


@dataclass
class Watched:
    """What the browser did besides the page: requests, CSP reports, dialogs."""

    requests: list[str] = field(default_factory=list)
    csp_errors: list[str] = field(default_factory=list)
    dialogs: list[str] = field(default_factory=list)


@pytest.fixture(scope="module")
def browser() -> Iterator[Any]:
    if not CHROMIUM.exists():
        pytest.fail("Chromium is not installed at /usr/bin/chromium: `make test` installs it")
    with sync_playwright() as playwright:
        launched = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            yield launched
        finally:
            launched.close()


@pytest.fixture
def page(browser: Any) -> Iterator[tuple[Any, Watched]]:
    context = browser.new_context(accept_downloads=True, locale="es-CO")
    watched = Watched()
    opened = context.new_page()
    opened.on("request", lambda request: watched.requests.append(request.url))
    opened.on(
        "console",
        lambda message: (
            watched.csp_errors.append(message.text)
            if "Content Security Policy" in message.text
            else None
        ),
    )

    def refuse(dialog: Any) -> None:
        watched.dialogs.append(dialog.message)
        dialog.dismiss()

    opened.on("dialog", refuse)
    try:
        yield opened, watched
    finally:
        context.close()


def _curated_rows(settings: Settings, dataset: str) -> tuple[list[str], list[tuple[str, ...]]]:
    """The conformed table as text, the way the CSV spells it: ``''`` for a missing value,
    timestamps with ``T``, and the formula-injection guard (a leading ``'`` before ``= + - @``
    in text cells, see docs/publication.md)."""
    con = connect(settings, [Zone.CURATED], read_only=True)
    try:
        relation = con.sql(f"SELECT * FROM curated.conformado.{dataset}")
        names = [n for n in relation.columns if not n.startswith("_ada_")]
        types = dict(zip(relation.columns, relation.types, strict=True))
        rows = relation.select(*[f'"{n}"' for n in names]).fetchall()
    finally:
        con.close()

    def spelled(name: str, value: Any) -> str:
        if value is None:
            return ""
        if isinstance(value, bool):
            return "true" if value else "false"
        if hasattr(value, "isoformat"):
            return str(value.isoformat())
        text = str(value)
        if str(types[name]) == "VARCHAR" and text[:1] in ("=", "+", "-", "@", "\t", "\r"):
            return "'" + text
        return text

    return names, sorted(
        tuple(spelled(n, v) for n, v in zip(names, row, strict=True)) for row in rows
    )


def _csv_rows(path: Path) -> tuple[list[str], list[tuple[str, ...]]]:
    with path.open(encoding="utf-8", newline="") as source:
        reader = csv.reader(source)
        header = next(reader)
        return header, sorted(tuple(row) for row in reader)


def _as_numbers(rows: list[tuple[str, ...]]) -> list[tuple[Any, ...]]:
    """Numbers compared as numbers (``4.6`` and ``4.60`` are one value), text as text."""

    def value(cell: str) -> Any:
        try:
            return float(cell)
        except ValueError:
            return cell

    return sorted((tuple(value(c) for c in row) for row in rows), key=repr)


def test_a_reader_finds_understands_and_downloads_a_dataset(
    served: Served, page: tuple[Any, Watched], tmp_path: Path
) -> None:
    browser_page, watched = page
    browser_page.goto(served.url + "/")
    expect(browser_page.locator("html")).to_have_attribute("lang", "es")

    # Search in Spanish: the plural finds the singular.
    browser_page.get_by_label("Buscar conjuntos de datos").fill("accidentes")
    browser_page.get_by_role("button", name="Buscar").click()
    results = browser_page.locator("article.card h3 a")
    expect(results.first).to_be_visible()
    found = results.count()
    assert found >= 1
    assert "accidentes" in browser_page.locator("#results-title").inner_text()

    # Narrow with a facet, then remove it again.
    browser_page.locator(".facet").filter(has_text="Sector").get_by_role("link").first.click()
    expect(browser_page.locator(".active-filters a.chip")).to_have_count(1)
    assert "groups=" in browser_page.url
    assert browser_page.locator("article.card").count() <= found
    opened = browser_page.locator("article.card h3 a").first
    dataset = opened.get_attribute("href").removeprefix("/dataset/")
    title = opened.inner_text()

    # The dataset page: preview, quality, privacy.
    opened.click()
    expect(browser_page.get_by_role("heading", level=1)).to_have_text(title)
    preview = browser_page.locator("table.preview")
    expect(preview.locator("tbody tr").first).to_be_visible()
    caption = preview.locator("caption").inner_text()
    assert caption.startswith("Filas 1 a ")
    next_page = browser_page.locator("#vista-previa").get_by_role("link", name="Siguiente")
    if next_page.count():
        next_page.click()
        expect(browser_page.locator("table.preview caption")).to_contain_text("Filas 21 a ")
    expect(browser_page.locator("#calidad")).to_contain_text("Sello de calidad")
    expect(browser_page.locator("#calidad svg[role=img]")).to_have_count(1)
    expect(browser_page.locator("#privacidad")).to_contain_text("Qué significa para usted")
    expect(browser_page.locator("#linaje ol.flow > li")).to_have_count(6)

    # English and back: the chrome changes, the published title does not.
    browser_page.get_by_role("link", name="English").click()
    expect(browser_page.locator("html")).to_have_attribute("lang", "en")
    expect(browser_page.get_by_role("heading", name="Privacy", exact=True)).to_be_visible()
    expect(browser_page.get_by_role("heading", level=1)).to_have_text(title)
    browser_page.get_by_role("link", name="Datasets").first.click()  # the cookie keeps English
    expect(browser_page.get_by_role("heading", name="Filter results")).to_be_visible()
    browser_page.get_by_role("link", name="Español").click()
    expect(browser_page.locator("html")).to_have_attribute("lang", "es")
    browser_page.goto(f"{served.url}/dataset/{dataset}")
    expect(browser_page.get_by_role("heading", name="Privacidad", exact=True)).to_be_visible()

    # Download the current CSV: its rows are the curated table's.
    current = browser_page.locator(".release-current tbody tr").filter(
        has=browser_page.get_by_role("rowheader", name="CSV", exact=True)
    )
    with browser_page.expect_download() as downloading:
        current.get_by_role("link").click()
    saved = tmp_path / downloading.value.suggested_filename
    downloading.value.save_as(saved)
    header, rows = _csv_rows(saved)
    names, expected = _curated_rows(served.settings, dataset)
    assert header == names
    assert len(rows) == len(expected) > 0
    assert _as_numbers(rows) == _as_numbers(expected)

    assert watched.dialogs == [] and watched.csp_errors == []
    outside = [u for u in watched.requests if not u.startswith(served.url)]
    assert outside == [], f"the browser left the portal: {outside[:5]}"


def test_a_hostile_search_is_shown_not_run(served: Served, page: tuple[Any, Watched]) -> None:
    browser_page, watched = page
    hostile = "<script>alert('xss')</script><img src=x onerror=alert(1)>"
    browser_page.goto(served.url + "/dataset")
    browser_page.get_by_label("Buscar conjuntos de datos").fill(hostile)
    browser_page.get_by_role("button", name="Buscar").click()
    expect(browser_page.locator("#results-title")).to_contain_text(hostile)
    assert browser_page.locator("main img, main script").count() == 0
    assert watched.dialogs == []


def test_the_api_reference_renders_from_the_project_alone(
    served: Served, page: tuple[Any, Watched]
) -> None:
    """/api/docs: Swagger UI shipped with the project lists the CKAN actions, with nothing
    loaded from outside the service and no CSP error."""
    browser_page, watched = page
    browser_page.goto(served.url + "/api/docs")
    expect(browser_page.locator(".opblock").first).to_be_visible(timeout=30_000)
    assert browser_page.locator(".opblock", has_text="package_search").count() >= 1
    assert all(url.startswith(served.url) for url in watched.requests), watched.requests
    assert watched.csp_errors == []


MAIN_PAGES = [
    "/",
    "/dataset?q=accidentes",
    "/dataset/siniestros_viales_sdm",
    "/dataset/notificaciones_salud?pagina=2",
    "/organization",
    "/organization/secretaria-distrital-de-salud",
    "/group/movilidad",
    "/dimension",
    "/dimension/calidad-de-vida",
    "/territorio",
    "/territorio/20",
    "/dataset/no_existe",
    "/dataset/notificaciones_salud?lang=en",
    "/territorio?lang=en",
]


def test_main_pages_have_no_serious_accessibility_violations(
    served: Served, page: tuple[Any, Watched]
) -> None:
    browser_page, watched = page
    axe = Axe()
    blocking: dict[str, list[str]] = {}
    counts: dict[str, int] = {}
    for path in MAIN_PAGES:
        browser_page.goto(served.url + path)
        result = axe.run(browser_page)
        violations = result.response["violations"]
        counts[path] = len(violations)
        serious = [
            f"{v['id']} ({v['impact']}): {[n['target'] for n in v['nodes']][:3]}"
            for v in violations
            if v["impact"] in BLOCKING_IMPACTS
        ]
        if serious:
            blocking[path] = serious
    print("axe-core violations per page (any impact):", counts)
    assert blocking == {}
    assert watched.csp_errors == []
    assert [u for u in watched.requests if not u.startswith(served.url)] == []
