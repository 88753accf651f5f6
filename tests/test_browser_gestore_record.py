"""The gestore's own record on the Impatto page in a real browser: the community register, service levels by
urgency, suppliers, leases ending and the tenant mix are drawn, with no exception, for the gestore.

Same set-up as `test_browser.py`; run with `--browser-tests` (or OSSERVATORIO_BROWSER_TESTS=1). The full-page
screenshot goes to the screenshots folder of `test_browser.py` as `impatto-gestore-registro.png`.
"""

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
    shoot,
    sign_in,
)

pytestmark = pytest.mark.browser

SECTIONS = ("Attività di comunità del gestore", "Qualità della manutenzione: livelli di servizio e fornitori",
            "Contratti in scadenza e rilocazioni attese", "Nuclei residenti e sostenibilità dei canoni")


def test_the_gestore_sees_its_own_record(page, loaded_app):
    sign_in(page, loaded_app, "gestore")
    page.get_by_test_id("stSidebarNav").get_by_text("Impatto del gestore sociale", exact=True).click()
    page.get_by_test_id("stHeading").filter(has_text="Impatto").first.wait_for(timeout=60_000)
    settle(page)
    assert_no_exception(page)
    headings = page.get_by_test_id("stHeading").all_inner_texts()
    for title in SECTIONS:
        assert any(title in h for h in headings), title
    labels = page.get_by_test_id("stMetricLabel").all_inner_texts()
    assert any("Attività di comunità del gestore" in label for label in labels)
    assert any("Segnalazioni chiuse entro l'obiettivo" in label for label in labels)
    page.get_by_test_id("stHeading").filter(has_text="Attività di comunità del gestore").first \
        .scroll_into_view_if_needed()
    shoot(page, "impatto-gestore-registro")
