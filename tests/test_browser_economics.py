"""Economia e obiettivi in a real browser: the page draws, with the targets set by the direzione on its charts.

Same set-up as `test_browser.py`; run with OSSERVATORIO_BROWSER_TESTS=1. The screenshot goes to
`tests/screenshots/economia.png`.
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
    serve,
    settle,
    shoot,
    sign_in,
)

pytestmark = pytest.mark.browser


def test_economics_page_draws_the_targets(page, serve, loaded_warehouse, tmp_path):  # noqa: F811
    url = private_copy(loaded_warehouse, tmp_path)
    engine = make_engine(url)
    admin = get_user(engine, "admin")
    set_target(engine, kpi_code="performance_index_pct", value=8.0, user=admin, note="piano triennale")
    set_target(engine, kpi_code="performance_index_pct", value=5.0, user=admin, intervention_code="INT001")
    set_target(engine, kpi_code="cost_per_unit_eur", value=1200.0, user=admin)
    engine.dispose()
    base = serve(url)
    sign_in(page, base, "admin")
    page.get_by_test_id("stSidebarNav").get_by_text("Economia e obiettivi", exact=True).click()
    page.get_by_test_id("stHeading").filter(has_text="Economia").first.wait_for(timeout=60_000)
    settle(page)
    page.get_by_test_id("stPlotlyChart").nth(2).wait_for(state="visible", timeout=30_000)
    assert_no_exception(page)
    assert page.get_by_text("Obiettivo: 8,0%").count() >= 1  # the portfolio target, labelled on the index chart
    assert page.get_by_text("Obiettivo: 1.200,00 €").count() >= 1
    shoot(page, "economia")
