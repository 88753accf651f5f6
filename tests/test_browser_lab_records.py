"""The Regione in a real browser on the Laboratori page of the sample: a lab's sheet with the evaluators' records,
the synthesis by ambito and the panel opened on a lab (screenshots in the folder of `test_browser.shoot`)."""

from __future__ import annotations

import re

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


def test_the_regione_reads_a_lab_sheet_the_synthesis_and_the_panel(page, loaded_app):
    open_page(page, loaded_app, "Laboratori", user="regione")
    page.get_by_role("tab", name="Scheda").click()
    page.get_by_text("Obiettivi previsti e risultati").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    assert page.get_by_text("Quota di cofinanziamento").first.is_visible()
    assert page.get_by_text("Partenariato").first.is_visible()
    shoot(page, "labs_scheda_valutatori")
    page.get_by_role("tab", name="Sintesi per ambito").click()
    page.get_by_text("Sintesi per ambito di intervento").first.wait_for(timeout=30_000)
    page.wait_for_timeout(1500)
    assert_no_exception(page)
    shoot(page, "labs_sintesi_ambito")
    page.get_by_role("tab", name="Valutazione su panel").click()
    page.get_by_text("Laboratorio valutato").first.wait_for(timeout=30_000)
    page.wait_for_timeout(2500)
    assert_no_exception(page)
    shoot(page, "labs_panel_laboratorio")
    assert page.get_by_text(re.compile(r"^Area del laboratorio: .*(Trattati|Nessun edificio)")).first.is_visible()
