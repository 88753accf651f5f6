"""Pages while the analytics copy is being rebuilt, after a failed build, and before the first one (AppTest).

Same warehouse as tests/test_analytics_builds.py: arrears stock at 31/01/2024 (the Panoramica's default date,
the last month end of the ledger) 450 € in the copy of the first loads, 950 € once the second load is in.
"""

from __future__ import annotations

import threading
import time
from dataclasses import replace
from datetime import datetime

import pytest

from dashboard.freshness import status_text
from indicators import facts, store
from tests.factories import load_base, load_text
from tests.test_analytics_builds import LEDGER, MORE, failing, load_more
from tests.test_pages import fresh_caches, open_page, texts, upload  # noqa: F401  (autouse fixture)

OVERVIEW = "views/overview.py"
BEFORE, AFTER = "450,00\u00a0€", "950,00\u00a0€"


@pytest.fixture
def loaded(tmp_path, engine, settings):
    """Base portfolio and ledger loaded (no copy built yet); returns the last batch."""
    load_base(tmp_path, engine=engine, settings=settings)
    result = load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings)
    assert result.status == "completato"
    return result.batch_id


@pytest.fixture
def blocked_build(monkeypatch):
    """Builds wait at the facts step until the test sets the event (released at the end in any case)."""
    gate, reached = threading.Event(), threading.Event()
    build_all = facts.build_all

    def waiting(duck, *steps):
        reached.set()
        assert gate.wait(timeout=120), "the test never released the build"
        return build_all(duck, *steps)

    monkeypatch.setattr(facts, "build_all", waiting)
    yield gate, reached
    gate.set()


def stock_tile(at) -> str:
    return next(m.value for m in at.metric if m.label.startswith("Morosità accumulata"))


def sidebar(at) -> str:
    """The sidebar's line on which load the figures include."""
    return next(c.value for c in at.sidebar.caption if c.value.startswith(("Figure ", "Le figure ")))


def said(elements, start: str) -> bool:
    return any(e.value.startswith(start) for e in elements)


def finish(engine) -> None:
    thread = store._background.get(store.location(engine))
    if thread is not None:
        thread.join(timeout=120)
        assert not thread.is_alive()


def test_pages_keep_serving_during_a_background_build(tmp_path, engine, settings, loaded, blocked_build,
                                                      warehouse_url, monkeypatch):
    gate, reached = blocked_build
    gate.set()
    store.build(engine)
    at = open_page(warehouse_url, monkeypatch, OVERVIEW)
    assert stock_tile(at) == BEFORE
    assert sidebar(at).startswith(f"Figure aggiornate al caricamento n. {loaded} (")
    gate.clear()
    reached.clear()
    newer = load_more(tmp_path, engine, settings)
    store.build_in_background(engine)
    assert reached.wait(timeout=60)
    at.run()  # the same cache: the previous figures, consistent, and the build in progress said
    assert not at.exception, [e.value for e in at.exception]
    assert stock_tile(at) == BEFORE
    assert f"Aggiornamento in corso: caricamento n. {newer}…" in sidebar(at)
    loads = open_page(warehouse_url, monkeypatch, "views/loads.py")
    assert f"Aggiornamento delle figure in corso: caricamento n. {newer}…" in [i.value for i in loads.info]
    gate.set()
    finish(engine)
    at.run()  # right after the swap, without waiting for the cache to expire
    assert not at.exception, [e.value for e in at.exception]
    assert stock_tile(at) == AFTER
    assert sidebar(at).startswith(f"Figure aggiornate al caricamento n. {newer} (")
    loads.run()
    assert said(loads.success, f"Figure aggiornate al caricamento n. {newer} (")


def test_after_a_failed_build_pages_show_the_previous_figures_and_say_so(tmp_path, engine, settings, loaded,
                                                                         warehouse_url, monkeypatch):
    store.build(engine)
    newer = load_more(tmp_path, engine, settings)
    monkeypatch.setattr(facts, "build_all", failing)
    with pytest.raises(store.BuildError):
        store.build(engine)
    at = open_page(warehouse_url, monkeypatch, OVERVIEW)
    assert stock_tile(at) == BEFORE
    warning = (f"L'ultimo aggiornamento delle figure non è riuscito: restano quelle del caricamento n. {loaded}, "
               "che non includono i caricamenti successivi.")
    assert [w.value for w in at.sidebar.warning] == [warning]
    assert store._background.get(store.location(engine)) is None  # no retry on every page view
    monkeypatch.undo()
    loads = open_page(warehouse_url, monkeypatch, "views/loads.py")
    assert warning in texts(loads)
    loads.button(key="figures_rebuild").click().run()  # the administrator tries again
    finish(engine)
    loads.run()
    assert not loads.exception, [e.value for e in loads.exception]
    assert said(loads.success, f"Figure aggiornate al caricamento n. {newer} (")
    at.run()
    assert stock_tile(at) == AFTER and not at.sidebar.warning


def test_without_a_copy_pages_say_the_figures_are_being_prepared(engine, loaded, blocked_build, warehouse_url,
                                                                  monkeypatch):
    gate, reached = blocked_build
    started = time.perf_counter()
    at = open_page(warehouse_url, monkeypatch, OVERVIEW)
    assert time.perf_counter() - started < 60  # the page did not wait for the build (it is blocked)
    assert reached.wait(timeout=60)  # a build started in the background
    assert "Le figure sono in preparazione: il primo aggiornamento è in corso e richiede qualche istante." in (
        [i.value for i in at.info])
    assert not at.metric
    gate.set()
    finish(engine)
    at.run()
    assert not at.exception, [e.value for e in at.exception]
    assert stock_tile(at) == BEFORE
    assert sidebar(at).startswith(f"Figure aggiornate al caricamento n. {loaded} (")


def test_an_upload_returns_before_the_figures_are_rebuilt(engine, loaded, blocked_build, warehouse_url, monkeypatch):
    gate, reached = blocked_build
    gate.set()
    store.build(engine)
    gate.clear()
    reached.clear()
    at = open_page(warehouse_url, monkeypatch, "views/loads.py")
    upload(at, "movimenti.csv", MORE)
    assert at.selectbox(key="upload_kind").value == "movimenti"
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert {m.label: m.value for m in at.metric}["Caricate"] == "1"
    assert reached.wait(timeout=60)  # the build runs (blocked) while the page has already answered
    assert f"Aggiornamento delle figure in corso: caricamento n. {loaded + 1}…" in [i.value for i in at.info]
    gate.set()
    finish(engine)
    at.run()
    assert said(at.success, f"Figure aggiornate al caricamento n. {loaded + 1} (")


def test_the_status_line_says_which_load_the_figures_include():
    ok = store.Status(batch_id=7, built_at=datetime(2026, 12, 6, 14, 30), building=False, error=None,
                      warehouse_batch_id=7)  # built_at in UTC, as the marker holds it; shown in Italian time
    assert status_text(ok) == ("Figure aggiornate al caricamento n. 7 (06/12/2026 15:30).", None)
    assert status_text(replace(ok, building=True, warehouse_batch_id=8)) == (
        "Figure aggiornate al caricamento n. 7 (06/12/2026 15:30). Aggiornamento in corso: caricamento n. 8…", None)
    assert status_text(replace(ok, warehouse_batch_id=8)) == (
        "Figure aggiornate al caricamento n. 7 (06/12/2026 15:30). Il caricamento n. 8 sarà incluso al prossimo "
        "aggiornamento.", None)
    assert status_text(replace(ok, error="non riuscito", warehouse_batch_id=8)) == (
        "Figure aggiornate al caricamento n. 7 (06/12/2026 15:30).",
        "L'ultimo aggiornamento delle figure non è riuscito: restano quelle del caricamento n. 7, che non includono "
        "i caricamenti successivi.")
    none = store.Status(batch_id=None, built_at=None, building=True, error=None, warehouse_batch_id=3)
    assert status_text(none) == ("Le figure sono in preparazione: il primo aggiornamento è in corso e richiede "
                                 "qualche istante.", None)
    assert status_text(replace(none, building=False, error="non riuscito")) == (
        "Figure non ancora disponibili.",
        "Il primo aggiornamento delle figure non è riuscito: l'amministratore può riprovare dalla pagina Caricamenti.")
