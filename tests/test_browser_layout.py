"""Every role's pages in a real browser at 1024 and 1440 px: no headline cut, no table wider than its
container, and a reload (F5) that keeps the user signed in with the same filters.

Same set-up as `test_browser.py` (a real `streamlit run dashboard/server.py`, Debian's headless chromium);
run with `--browser-tests` (or OSSERVATORIO_BROWSER_TESTS=1). Screenshots go to a temporary folder whose
path the tests print.
"""

from __future__ import annotations

import pytest
from playwright.sync_api import expect

from osservatorio.pages import pages_for
from dashboard.session_cookie import COOKIE
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from test_browser import (  # noqa: F401  (fixtures)
    PASSWORDS,
    assert_no_exception,
    browser_context_args,
    browser_type_launch_args,
    loaded_app,
    serve,
    settle,
)

pytestmark = pytest.mark.browser

ROLES = ("regione", "sgr", "gestore", "direzione", "admin")
WIDTHS = (1024, 1440)
# What a user would call cut: a headline value wider than its box, or a table reaching past the page's
# content column (or, for the static tables of text, wider than their own box).
PROBLEMS = """() => {
  const out = [];
  const main = document.querySelector('[data-testid="stMainBlockContainer"]').getBoundingClientRect();
  document.querySelectorAll('[data-testid="stMetricValue"]').forEach(value => {
    const cut = [value, ...value.querySelectorAll('*')].some(e => e.clientWidth > 0 && e.scrollWidth > e.clientWidth + 1);
    if (cut || value.innerText.trim().endsWith('…')) out.push('valore tagliato: ' + value.innerText);
  });
  document.querySelectorAll('[data-testid="stDataFrame"], [data-testid="stTable"]').forEach(table => {
    const box = table.getBoundingClientRect();
    const head = (table.querySelector('th') || table).innerText.slice(0, 40);
    if (box.width > 0 && box.right > main.right + 1) out.push('tabella oltre il margine: ' + head);
    if (table.dataset.testid === 'stTable' && table.scrollWidth > table.clientWidth + 1)
      out.push('tabella più larga del suo riquadro: ' + head);
  });
  return out;
}"""


@pytest.fixture(scope="module")
def shots(tmp_path_factory):
    folder = tmp_path_factory.mktemp("schermate")
    print(f"\nschermate in {folder}")
    return folder


def sign_in(page, base: str, user: str, path: str = "") -> None:
    page.goto(f"{base}/{path}")
    page.get_by_role("textbox", name="Nome utente").fill(user)
    page.get_by_role("textbox", name="Password").fill(PASSWORDS[user])
    page.get_by_role("button", name="Accedi").click()
    page.get_by_test_id("stSidebarNav").wait_for(state="visible", timeout=30_000)
    settle(page)


def visit(page, title: str) -> None:
    page.get_by_test_id("stSidebarNav").get_by_text(title, exact=True).click()
    heading = "Osservatorio" if title == "Inizio" else title.split()[0]
    page.get_by_test_id("stHeading").filter(has_text=heading).first.wait_for(timeout=60_000)
    settle(page)


def problems_on_page(page, label: str) -> list[str]:
    found = [f"{label}: {p}" for p in page.evaluate(PROBLEMS)]
    for tab in page.get_by_role("tab").all():
        tab.click()
        page.wait_for_timeout(1200)
        found += [f"{label} › {tab.inner_text()}: {p}" for p in page.evaluate(PROBLEMS)]
    return found


@pytest.mark.parametrize("width", WIDTHS)
@pytest.mark.parametrize("role", ROLES)
def test_no_headline_or_table_is_cut(page, loaded_app, shots, role, width):
    page.set_viewport_size({"width": width, "height": 900})
    sign_in(page, loaded_app, role)
    found = []
    for spec in pages_for(role):
        visit(page, spec.title)
        assert_no_exception(page)
        found += problems_on_page(page, spec.title)
        page.screenshot(path=str(shots / f"{role}-{width}-{spec.path.split('/')[-1][:-3]}.png"))
    assert found == []


def period_input(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Periodo").locator("input")


def test_a_reload_keeps_the_user_and_the_filters(page, loaded_app, shots):
    sign_in(page, loaded_app, "sgr", "arrears")
    cookie = next(c for c in page.context.cookies() if c["name"] == COOKIE)
    assert cookie["httpOnly"] and cookie["sameSite"] == "Strict"
    box = page.get_by_test_id("stSidebar").get_by_test_id("stSelectbox").filter(has_text="Periodo")
    box.scroll_into_view_if_needed()
    box.click()
    page.get_by_role("option", name="Personalizzato").click()
    settle(page)
    assert "flt_period=Personalizzato" in page.url
    page.reload()
    settle(page)
    assert page.get_by_role("textbox", name="Password").count() == 0, "still signed in after F5"
    expect(period_input(page)).to_have_value("Personalizzato")
    visit(page, "Sfitto")
    expect(period_input(page)).to_have_value("Personalizzato")
    assert page.get_by_test_id("stSidebar").get_by_test_id("stDateInput").filter(has_text="Dal").count() == 1
    page.screenshot(path=str(shots / "sgr-dopo-ricarica.png"))
    page.get_by_role("button", name="Esci").click()
    page.get_by_role("textbox", name="Password").wait_for(timeout=30_000)
    page.wait_for_timeout(1000)
    assert all(c["name"] != COOKIE for c in page.context.cookies()), "signing out deletes the cookie"
    page.reload()
    page.get_by_role("textbox", name="Password").wait_for(timeout=30_000)


def test_the_upload_page_speaks_italian(page, loaded_app):
    sign_in(page, loaded_app, "admin", "loads")
    zone = page.get_by_test_id("stFileUploaderDropzone").first
    zone.wait_for(timeout=30_000)
    shown = page.evaluate("""() => [...document.querySelectorAll('[data-testid="stFileUploaderDropzone"] *')]
      .flatMap(e => {
        if (e.closest('[data-testid="stIconMaterial"]')) return [];  // the icon's ligature name, not a word
        const out = [], after = getComputedStyle(e, '::after');
        if (after.content !== 'none' && after.fontSize !== '0px') out.push(after.content.replaceAll('"', ''));
        if (!e.childElementCount && e.textContent.trim() && getComputedStyle(e).fontSize !== '0px')
          out.push(e.textContent.trim());
        return out;
      })""")
    words = " ".join(shown)
    assert "Scegli il file" in words and "200 MB" in words
    assert "Upload" not in words and "Drag and drop" not in words and "Limit" not in words
