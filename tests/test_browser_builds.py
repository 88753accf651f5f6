"""A page open in a real browser while the figures are rebuilt: it keeps the previous figures, says a build is
running, and shows the new figures by itself when the build ends (no click, no reload).

Same warehouse as tests/test_analytics_builds.py (450 € of arrears at 31/01/2024, 950 € with the second load);
the build runs in this process, held at its facts step, while `streamlit run` serves the page.
"""

from __future__ import annotations

import threading

import pytest
from playwright.sync_api import expect

from indicators import facts, store
from osservatorio.settings import Settings
from schemas.db import make_engine
from schemas.migrate import upgrade
from tests.factories import load_base, load_text
from tests.test_analytics_builds import LEDGER, load_more
from tests.test_browser import (  # noqa: F401  (fixtures)
    browser_context_args,
    browser_type_launch_args,
    metric_value,
    open_page,
    serve,
    shoot,
)

pytestmark = pytest.mark.browser


def status_line(page):
    return page.get_by_test_id("stSidebar").get_by_test_id("stCaptionContainer").filter(has_text="caricamento n.")


def test_a_page_shows_the_new_figures_by_itself_when_the_build_ends(page, serve, tmp_path, monkeypatch):  # noqa: F811
    url = f"sqlite:///{tmp_path / 'warehouse.db'}"
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="chiave-di-test")
    load_base(tmp_path, engine=engine, settings=settings)
    first = load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings).batch_id
    store.build(engine)
    base = serve(url)
    open_page(page, base, "Panoramica")
    assert metric_value(page, "Morosità accumulata") == "450,00\u00a0€"
    expect(status_line(page)).to_contain_text(f"Figure aggiornate al caricamento n. {first} (")

    gate, reached = threading.Event(), threading.Event()
    build_all = facts.build_all

    def held(duck, *steps):
        reached.set()
        assert gate.wait(timeout=120)
        return build_all(duck, *steps)

    monkeypatch.setattr(facts, "build_all", held)
    newer = load_more(tmp_path, engine, settings)
    builder = threading.Thread(target=store.build, args=(engine,), daemon=True)
    builder.start()
    try:
        assert reached.wait(timeout=60)
        page.get_by_test_id("stSidebarNav").get_by_text("Panoramica", exact=True).click()  # the page runs again
        expect(status_line(page)).to_contain_text(f"Aggiornamento in corso: caricamento n. {newer}…", timeout=30_000)
        assert metric_value(page, "Morosità accumulata") == "450,00\u00a0€"
        shoot(page, "figure-in-aggiornamento")
    finally:
        gate.set()
        builder.join(timeout=120)
    expect(status_line(page)).to_contain_text(f"Figure aggiornate al caricamento n. {newer} (", timeout=30_000)
    expect(page.get_by_test_id("stMetric").filter(has_text="Morosità accumulata")
           .get_by_test_id("stMetricValue")).to_have_text("950,00\u00a0€", timeout=30_000)
    engine.dispose()
