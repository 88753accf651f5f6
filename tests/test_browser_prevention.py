"""The Prevenzione page in a real browser (Debian's headless chromium, `--browser-tests`): the officer's page with
a contract's timeline drawn, and the Regione's counts; screenshots in tests/screenshots."""

from __future__ import annotations

import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from test_browser import (  # noqa: F401  (fixtures)
    assert_no_exception,
    browser_context_args,
    browser_type_launch_args,
    loaded_app,
    open_page,
    serve,
    shoot,
)

pytestmark = pytest.mark.browser


def test_prevention_page_for_the_officer(page, loaded_app):
    open_page(page, loaded_app, "Prevenzione", user="admin")
    for heading in ("Campanello d'allarme", "Punteggio di rischio", "Storico del contratto"):
        page.get_by_test_id("stHeading").filter(has_text=heading).first.wait_for(state="visible", timeout=30_000)
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    assert page.locator(".js-plotly-plot").count() >= 2  # calibration and the contract's timeline
    assert_no_exception(page)
    shoot(page, "prevenzione_admin")


def test_prevention_page_for_the_regione(page, loaded_app):
    open_page(page, loaded_app, "Prevenzione", user="regione")
    page.get_by_test_id("stHeading").filter(has_text="fascia di debito e gravità").first.wait_for(timeout=30_000)
    assert page.get_by_test_id("stHeading").filter(has_text="Campanello").count() == 0
    assert_no_exception(page)
    shoot(page, "prevenzione_regione")
