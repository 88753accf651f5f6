"""The page Selezione e abbinamento in a real browser (run with --browser-tests or OSSERVATORIO_BROWSER_TESTS=1):
the gestore sees the graduatoria and both proposals side by side, the Regione the aggregates only. The screenshots
are written to a temporary folder whose path the test prints."""

from __future__ import annotations

import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from test_browser import (  # noqa: F401  (fixtures)
    assert_no_exception,
    browser_context_args,
    browser_type_launch_args,
    loaded_app,
    serve,
    settle,
)
from test_browser_layout import sign_in, visit

pytestmark = pytest.mark.browser
TITLE = "Selezione e abbinamento"


def full_shot(page, path) -> None:
    height = page.evaluate("document.querySelector('[data-testid=\"stMain\"]').scrollHeight")
    page.set_viewport_size({"width": 1440, "height": min(int(height) + 40, 6000)})
    page.wait_for_timeout(800)
    page.screenshot(path=str(path), full_page=True)


@pytest.mark.parametrize("user", ["gestore", "regione"])
def test_selection_page_in_the_browser(loaded_app, page, user, tmp_path_factory):
    folder = tmp_path_factory.mktemp("schermate_selezione")
    sign_in(page, loaded_app, user)
    visit(page, TITLE)
    assert_no_exception(page)
    main = page.get_by_test_id("stMain")
    assert main.get_by_text("Avvisi: dalla domanda alle chiavi").is_visible()
    if user == "gestore":
        assert main.get_by_text("In ordine di graduatoria").first.is_visible()
        assert main.get_by_text("Ottimale (più nuclei collocati)").first.is_visible()
        assert page.get_by_test_id("stMetricValue").count() == 5  # the offer's tile and the matching's four
    else:
        assert main.get_by_text("Graduatoria e abbinamento").count() == 0
        assert page.get_by_test_id("stMetricValue").count() == 1  # the offer's tile: an aggregate
    assert main.get_by_text("Alloggi in arrivo per l'assegnazione nei prossimi 12 mesi").first.is_visible()
    shot = folder / f"selezione_{user}.png"
    full_shot(page, shot)
    print(f"\nschermata: {shot}")
