"""Targets on the facility, lab and budget charts, and the offer of units coming free, in a real browser.

Same set-up as `test_browser.py`; run with `--browser-tests` (or OSSERVATORIO_BROWSER_TESTS=1). Screenshots go to
the screenshots folder of `test_browser.py`: `impatto-obiettivi-manutenzione.png`, `laboratori-obiettivo.png`,
`budget-margine-obiettivo.png`, `selezione-alloggi-in-arrivo.png`.
"""

from __future__ import annotations

import pytest

from dashboard_fixtures import loaded_warehouse, private_copy  # noqa: F401  (fixture)
from indicators.targets import set_target
from osservatorio.accounts import get_user
from schemas.db import make_engine
from test_browser import (  # noqa: F401  (fixtures)
    assert_no_exception,
    browser_context_args,
    browser_type_launch_args,
    open_page,
    serve,
    settle,
    shoot,
)

pytestmark = pytest.mark.browser
TARGETS = {"ticket_days_to_close": 6.5, "ticket_within_target_pct": 85.0, "lab_activities": 150.0,
           "lab_outcome_points": -5.0, "operating_margin_eur": 250_000.0}


@pytest.fixture(scope="module")
def targeted_app(serve, loaded_warehouse, tmp_path_factory) -> str:  # noqa: F811
    url = private_copy(loaded_warehouse, tmp_path_factory.mktemp("targets"))
    engine = make_engine(url)
    admin = get_user(engine, "admin")
    for code, value in TARGETS.items():
        set_target(engine, kpi_code=code, value=value, user=admin)
    engine.dispose()
    return serve(url)


def _scroll_to(page, heading: str) -> None:
    page.get_by_test_id("stHeading").filter(has_text=heading).first.scroll_into_view_if_needed()
    page.wait_for_timeout(800)


def test_the_facility_charts_draw_their_targets(page, targeted_app):
    open_page(page, targeted_app, "Impatto del gestore sociale")
    _scroll_to(page, "Qualità della manutenzione")
    assert_no_exception(page)
    assert page.get_by_text("Obiettivo: 6,5 giorni").count() >= 1
    assert page.get_by_text("Obiettivo: 85,0%").count() >= 1
    shoot(page, "impatto-obiettivi-manutenzione")


def test_the_labs_chart_draws_its_target(page, targeted_app):
    open_page(page, targeted_app, "Laboratori")
    page.locator(".js-plotly-plot").first.wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    assert page.get_by_text("Obiettivo: 150").count() >= 1
    shoot(page, "laboratori-obiettivo")


def test_the_budget_margin_draws_its_target(page, targeted_app):
    open_page(page, targeted_app, "Budget")
    page.get_by_text("Includi i ricavi").first.click()
    page.get_by_text("Margine previsto").first.wait_for(state="visible", timeout=60_000)
    settle(page)
    assert_no_exception(page)
    assert page.get_by_text("Obiettivo: 250.000\u00a0€").count() >= 1
    shoot(page, "budget-margine-obiettivo")


def test_the_selection_page_shows_units_coming_free(page, targeted_app):
    open_page(page, targeted_app, "Selezione e abbinamento", user="gestore")
    _scroll_to(page, "Alloggi in arrivo nei prossimi 3, 6 e 12 mesi")
    assert_no_exception(page)
    assert page.get_by_test_id("stMetricLabel").filter(has_text="Alloggi in arrivo per l'assegnazione").count() == 1
    shoot(page, "selezione-alloggi-in-arrivo")
