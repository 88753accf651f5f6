"""The dashboard in a real browser: `streamlit run` on a free port, Debian's headless chromium.

Run with `--browser-tests` (or OSSERVATORIO_BROWSER_TESTS=1). Screenshots go to tests/screenshots/.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest
from playwright.sync_api import expect

from osservatorio.pages import PAGES
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from osservatorio.demo import DEMO_USERS, ensure_demo_users
from schemas.db import make_engine
from schemas.migrate import upgrade

pytestmark = pytest.mark.browser

ROOT = Path(__file__).resolve().parent.parent
SCREENSHOTS = Path(__file__).resolve().parent / "screenshots"
CHROMIUM = "/usr/bin/chromium"
STARTUP_SECONDS = 60
# (screenshot name, page title): pages are reached from the sidebar, since a reload asks to sign in again.
PAGE_TITLES = [(Path(spec.path).stem, spec.title) for spec in PAGES]
PASSWORDS = {name: password for name, _, _, password in DEMO_USERS}


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {**browser_type_launch_args, "executable_path": CHROMIUM,
            "args": ["--no-sandbox", "--disable-gpu", "--disable-background-networking",
                     "--disable-component-update", "--no-first-run"]}


@pytest.fixture(scope="session")
def browser_context_args(browser_context_args):
    return {**browser_context_args, "viewport": {"width": 1440, "height": 900}, "locale": "it-IT",
            "timezone_id": "Europe/Rome"}


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_healthy(base: str, proc: subprocess.Popen, log: Path) -> None:
    deadline = time.monotonic() + STARTUP_SECONDS
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            pytest.fail(f"streamlit exited with {proc.returncode}:\n{log.read_text()}")
        try:
            with urllib.request.urlopen(f"{base}/_stcore/health", timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            time.sleep(0.2)
    pytest.fail(f"streamlit not healthy after {STARTUP_SECONDS} s:\n{log.read_text()}")


@pytest.fixture(scope="module")
def serve(tmp_path_factory):
    """Start `streamlit run dashboard/server.py` against a warehouse URL; every server stops at module end."""
    procs: list[subprocess.Popen] = []

    def start(url: str) -> str:
        upgrade(url)  # a new warehouse gets the demo users, so the tests can sign in
        engine = make_engine(url)
        ensure_demo_users(engine, echo=lambda _: None)
        engine.dispose()
        port = free_port()
        log = tmp_path_factory.mktemp("streamlit") / "server.log"
        cmd = [sys.executable, "-m", "streamlit", "run", str(ROOT / "dashboard" / "server.py"),
               "--server.headless=true", f"--server.port={port}", "--server.address=127.0.0.1",
               "--browser.gatherUsageStats=false"]
        env = {**os.environ, "OSSERVATORIO_DATABASE_URL": url}
        with log.open("w") as out:
            proc = subprocess.Popen(cmd, cwd=ROOT, env=env, stdout=out, stderr=subprocess.STDOUT)
        procs.append(proc)
        base = f"http://127.0.0.1:{port}"
        wait_healthy(base, proc, log)
        return base

    yield start
    for proc in procs:
        proc.terminate()
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()


@pytest.fixture(scope="module")
def loaded_app(serve, loaded_warehouse) -> str:  # noqa: F811
    return serve(loaded_warehouse.url)


def settle(page) -> None:
    """Wait until the script has run: a heading is shown and the 'running' indicator is gone."""
    page.get_by_test_id("stHeading").first.wait_for(state="visible", timeout=30_000)
    # the app root says when the script has finished (the status widget may show up only after a delay)
    page.locator('[data-testid="stApp"][data-test-script-state="notRunning"]').wait_for(timeout=60_000)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stStatusWidget\"]')", timeout=30_000)
    page.wait_for_timeout(500)  # let the grids draw their canvas


def shoot(page, name: str) -> None:
    """Screenshot of the whole page: Streamlit scrolls inside `stMain`, so grow the viewport to fit it."""
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    width = page.viewport_size["width"]
    page.set_viewport_size({"width": width, "height": max(900, height)})
    page.wait_for_timeout(300)
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)


def sign_in(page, base: str, user: str = "admin") -> None:
    """Open the app and sign in through the login form as a demo user."""
    page.goto(base)
    page.get_by_role("textbox", name="Nome utente").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[user])
    page.get_by_role("button", name="Accedi").click()
    page.get_by_test_id("stSidebarNav").wait_for(state="visible", timeout=30_000)
    settle(page)


def open_page(page, base: str, title: str | None = None, user: str = "admin") -> None:
    """Sign in, then (if `title`) follow the sidebar link to that page."""
    sign_in(page, base, user)
    if title:
        page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
        page.get_by_test_id("stHeading").filter(has_text=title).first.wait_for(timeout=30_000)
        settle(page)


def assert_no_exception(page) -> None:
    assert page.get_by_test_id("stException").count() == 0, page.get_by_test_id("stException").first.inner_text()


@pytest.mark.parametrize(("name", "title"), PAGE_TITLES)
def test_page_renders(page, loaded_app, name, title):
    open_page(page, loaded_app, None if name == "home" else title)
    page.get_by_test_id("stDataFrame").first.wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    assert page.get_by_test_id("stSidebarNav").get_by_text("Caricamenti").is_visible()
    shoot(page, name)


def test_home_shows_italian_counts(page, loaded_app, loaded_warehouse):  # noqa: F811
    from osservatorio.formatting import fmt_int

    open_page(page, loaded_app)
    units = page.get_by_test_id("stMetric").filter(has_text="Alloggi").get_by_test_id("stMetricValue")
    assert units.inner_text() == fmt_int(loaded_warehouse.rows["alloggi"])


def test_empty_warehouse_home(page, serve, tmp_path):
    base = serve(f"sqlite:///{tmp_path / 'nuovo.db'}")  # a new file: only the users in it
    open_page(page, base)
    assert_no_exception(page)
    assert page.get_by_text("Il magazzino dati è vuoto").is_visible()
    shoot(page, "home-vuoto")


def test_upload_shows_summary(page, serve, tmp_path):
    base = serve(f"sqlite:///{tmp_path / 'upload.db'}")
    csv = tmp_path / "interventi.csv"
    csv.write_text("codice_intervento;nome;comune\nINT1;Cenni di Cambiamento;Milano\nINT2;;Milano\n")
    open_page(page, base, "Caricamenti")
    page.get_by_test_id("stFileUploaderDropzoneInput").first.set_input_files(str(csv))
    go = page.get_by_role("button", name="Carica nel magazzino dati")
    expect(go).to_be_enabled(timeout=30_000)  # the kind was pre-selected from the file name
    kind = page.get_by_role("combobox", name="Tipo di dati")
    expect(kind).to_have_value("Interventi (progetti abitativi) (interventi)")
    go.click()
    page.get_by_test_id("stMetric").filter(has_text="Righe lette").wait_for(timeout=30_000)
    settle(page)
    assert_no_exception(page)
    expect(page.get_by_text("interventi.csv · Con scarti")).to_be_visible()
    shoot(page, "loads-upload")


# --- monitoring pages ------------------------------------------------------------------------------------------
EURO = re.compile(r"^-?\d{1,3}(\.\d{3})*,\d{2}\u00a0€$")
PERCENT = re.compile(r"^\d{1,3},\d%$")
ITALIAN_MONTHS = {"gen", "feb", "mar", "apr", "mag", "giu", "lug", "ago", "set", "ott", "nov", "dic"}


def metric_value(page, label: str) -> str:
    label_el = page.get_by_test_id("stMetricLabel").get_by_text(label, exact=True)
    tile = page.get_by_test_id("stMetric").filter(has=label_el)
    return tile.get_by_test_id("stMetricValue").inner_text()


def test_overview_tiles_are_italian(page, loaded_app):
    open_page(page, loaded_app, "Panoramica")
    assert_no_exception(page)
    assert EURO.match(metric_value(page, "Morosità accumulata")), metric_value(page, "Morosità accumulata")
    for label in ("Tasso di morosità sull'emesso", "Nuclei morosi", "Tasso di sfitto"):
        assert PERCENT.match(metric_value(page, label)), (label, metric_value(page, label))
    assert page.get_by_text("punti").first.is_visible(), "percentage KPIs change in points"


def test_overview_intervention_filter(page, loaded_app):
    open_page(page, loaded_app, "Panoramica")
    before = metric_value(page, "Morosità accumulata")
    sidebar = page.get_by_test_id("stSidebar")
    # the sidebar is taller than the window now: type into the box so that its menu opens where it can be seen
    box = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Intervento").locator("input")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type("INT002")
    page.get_by_role("option").filter(has_text="INT002").click()
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)
    expect(page.get_by_test_id("stMetric").first.get_by_test_id("stMetricValue")).not_to_have_text(before,
                                                                                                  timeout=30_000)
    assert_no_exception(page)
    shoot(page, "overview-int002")


def test_arrears_charts_and_downloads(page, loaded_app):
    open_page(page, loaded_app, "Morosità")
    page.locator(".js-plotly-plot").nth(2).wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    ticks = page.locator(".js-plotly-plot").first.locator("g.xtick text").all_text_contents()
    assert ticks and all(t.split()[0] in ITALIAN_MONTHS for t in ticks), ticks
    y_ticks = page.locator(".js-plotly-plot").first.locator("g.ytick text").all_text_contents()
    assert any("." in t and t.endswith("€") for t in y_ticks), y_ticks
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text="CSV").first.click()
    content = Path(info.value.path()).read_bytes()
    assert info.value.suggested_filename.endswith(".csv")
    assert content.startswith(b"\xef\xbb\xbf") and b";" in content.splitlines()[0]
    with page.expect_download() as info:
        page.get_by_test_id("stDownloadButton").filter(has_text="Excel").first.click()
    assert Path(info.value.path()).read_bytes()[:2] == b"PK", "an .xlsx is a zip file"


def test_budget_variance_tab(page, loaded_app):
    open_page(page, loaded_app, "Budget", user="direzione")
    page.get_by_role("tab", name="Budget e consuntivo").click()
    page.get_by_text("Scostamento a oggi").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(800)
    assert_no_exception(page)
    assert page.locator(".js-plotly-plot").count() >= 2  # fan chart and variance bars
    shoot(page, "budget_scostamenti")


# --- access --------------------------------------------------------------------------------------------------
def test_login_page_for_any_address(page, loaded_app):
    page.goto(f"{loaded_app}/arrears")  # an anonymous visitor asking for a page gets the login form
    settle(page)
    assert page.get_by_role("textbox", name="Password").is_visible()
    assert page.get_by_test_id("stMetric").count() == 0 and page.get_by_test_id("stSidebarNav").count() == 0
    page.get_by_role("textbox", name="Nome utente").fill("regione")
    page.get_by_role("textbox", name="Password").fill("sbagliata-sbagliata")
    page.get_by_role("button", name="Accedi").click()
    expect(page.get_by_text("Nome utente o password non validi.")).to_be_visible(timeout=30_000)
    shoot(page, "login")


def test_regione_sees_aggregates_only(page, loaded_app):
    open_page(page, loaded_app, "Morosità", user="regione")
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    nav = page.get_by_test_id("stSidebarNav")
    assert not nav.get_by_text("Caricamenti").count(), "regione does not load files"
    assert not page.get_by_text("Dall'intervento al contratto").count()
    assert page.get_by_text("regione · Regione").is_visible()
    shoot(page, "regione-arrears")


def pick_intervention(page, code: str) -> None:
    """Choose one intervention in the sidebar filter and wait for the page to redraw."""
    sidebar = page.get_by_test_id("stSidebar")
    box = sidebar.get_by_test_id("stMultiSelect").filter(has_text="Intervento").locator("input")
    box.scroll_into_view_if_needed()
    box.click()
    page.keyboard.type(code)
    page.get_by_role("option").filter(has_text=code).click()
    page.keyboard.press("Escape")
    settle(page)
    page.wait_for_function("() => !document.querySelector('[data-testid=\"stSkeleton\"]')", timeout=30_000)


def test_regione_on_a_small_intervention_sees_hidden_not_small_figures(page, loaded_app):
    # INT002 of the sample: 28 households, 2 in arrears, aging buckets of 1-3 contracts.
    open_page(page, loaded_app, "Morosità", user="regione")
    pick_intervention(page, "INT002")
    expect(page.get_by_test_id("stMetric").filter(has_text="Nuclei morosi").get_by_test_id("stMetricValue")
           ).to_have_text("nascosto", timeout=30_000)
    aging = page.locator(".js-plotly-plot").filter(has_text="Giorni dal più vecchio addebito non pagato")
    expect(aging.locator("text").filter(has_text="nascosto").first).to_be_visible(timeout=30_000)
    assert_no_exception(page)
    shoot(page, "regione-arrears-int002")
    page.get_by_test_id("stSidebarNav").get_by_text("Panoramica", exact=True).click()
    settle(page)
    assert not page.get_by_text("Vedi le pratiche in ritardo").count(), "the Regione cannot open the list"


@pytest.mark.parametrize("tab", ["Completezza", "Scheda", "Valutazione su panel"])
def test_labs_tabs_render(page, loaded_app, tab):
    open_page(page, loaded_app, "Laboratori", user="regione")
    page.get_by_role("tab", name=tab).click()
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    assert page.locator(".js-plotly-plot").count() >= 1
    shoot(page, f"labs_{tab.split()[0].lower()}")


def test_impact_report_html_works_offline(page, loaded_warehouse, tmp_path):  # noqa: F811
    """The report file alone in chromium: plotly.js is inside, no request leaves the file, no console error."""
    from datetime import date

    from indicators.scope import Scope
    from osservatorio.reports.impact import ReportScope, impact_html

    engine = make_engine(loaded_warehouse.url)
    path = tmp_path / "impatto.html"
    path.write_text(impact_html(engine, ReportScope(Scope(), date(2025, 10, 1), date(2026, 9, 30),
                                                    date(2026, 9, 30))), encoding="utf-8")
    engine.dispose()
    errors, requests = [], []
    page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.on("request", lambda req: requests.append(req.url) if not req.url.startswith(("file:", "data:")) else None)
    page.goto(path.as_uri())
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    page.wait_for_timeout(1000)
    assert page.locator(".js-plotly-plot").count() >= 5
    assert errors == [] and requests == []
    SCREENSHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / "report_impatto.png"), full_page=True)


@pytest.mark.parametrize(("title", "name"), [("Impatto del gestore sociale", "impact_gestore"),
                                             ("Assegnazioni e sfratti", "allocations_regione")])
def test_gestore_pages_for_their_roles(page, loaded_app, title, name):
    user = "gestore" if name.endswith("gestore") else "regione"
    open_page(page, loaded_app, title, user=user)
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    shoot(page, name)
