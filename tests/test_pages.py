"""Every dashboard page opened headless (Streamlit's AppTest) against a small loaded warehouse."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
import streamlit as st
from streamlit.testing.v1 import AppTest

from osservatorio.pages import PAGES
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from osservatorio import accounts
from osservatorio.demo import ensure_demo_users
from osservatorio.formatting import fmt_int
from osservatorio.settings import get_settings
from schemas.db import make_engine

APP = Path(__file__).resolve().parent.parent / "dashboard" / "app.py"


@pytest.fixture(autouse=True)
def fresh_caches():
    """Engines and cached frames survive across AppTest runs in one process: start every test clean."""
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()
    yield
    get_settings.cache_clear()
    st.cache_data.clear()
    st.cache_resource.clear()


def sign_in(url: str, username: str) -> str:
    """A live session token for a demo user (see `osservatorio.demo.DEMO_USERS`)."""
    engine = make_engine(url)
    try:
        ensure_demo_users(engine, echo=lambda _: None)  # a fresh warehouse gets them too
        return accounts.start_session(engine, accounts.get_user(engine, username), hours=1)
    finally:
        engine.dispose()


def open_page(url: str, monkeypatch, page: str | None = None, *, user: str | None = "admin") -> AppTest:
    """The app signed in as `user` (None: anonymous), then `page`."""
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=60)
    if user is not None:
        at.session_state["auth_token"] = sign_in(url, user)
    at.run()
    if page:
        at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def texts(at: AppTest) -> str:
    """Everything written on the page as text (markdown, captions, alerts, code), for `in` checks; data escaped
    for Markdown is read as the user sees it (without the backslashes)."""
    parts = [el.value for kind in ("title", "subheader", "markdown", "caption", "info", "success", "warning",
                                   "error", "code") for el in getattr(at, kind)]
    return re.sub(r"\\([!-/:-@\[-`{-~])", r"\1", "\n".join(str(p) for p in parts))


def table(at: AppTest, column: str):
    """The first table on the page with `column` (read-only tables carry no key)."""
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("page_path", [spec.path for spec in PAGES])
def test_every_page_opens(page_path, loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, page_path)
    assert at.title, "every page has a title"
    assert at.dataframe, "with data loaded, every page shows a table"


def test_home_counts_rows_the_italian_way(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch)
    table = at.dataframe[0].value.set_index("Tipo di file")
    for kind, n in loaded_warehouse.rows.items():
        if n:
            assert table.loc[kind, "Righe"] == fmt_int(n)
    units = next(m for m in at.metric if m.label == "Alloggi")
    assert units.value == fmt_int(loaded_warehouse.rows["alloggi"])
    big = [kind for kind, n in loaded_warehouse.rows.items() if n >= 1000]
    assert big and all("." in table.loc[kind, "Righe"] for kind in big), "thousands take a dot"
    assert table.loc["alloggi", "Dati"] == "Alloggi (unità abitative)"


def test_empty_warehouse_explains_how_to_load(warehouse_url, monkeypatch):
    at = open_page(warehouse_url, monkeypatch)
    shown = texts(at)
    assert "Il magazzino dati è vuoto" in shown
    assert "osservatorio load alloggi alloggi.csv" in shown
    assert "osservatorio demo" in shown
    assert not at.dataframe


def test_loads_page_lists_every_load(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, "views/loads.py")
    history = table(at, "Esito")
    assert sorted(history["N."]) == sorted(r.batch_id for r in loaded_warehouse.results)
    by_batch = history.set_index("N.")
    for r in loaded_warehouse.results:
        assert by_batch.loc[r.batch_id, "File"] == r.file_name
        assert by_batch.loc[r.batch_id, "Esito"] == [r.status]
        assert by_batch.loc[r.batch_id, "Lette"] == fmt_int(r.read)
        assert by_batch.loc[r.batch_id, "Scartate"] == fmt_int(r.quarantined)


def test_quarantine_filter_shows_one_load(loaded_warehouse, monkeypatch):  # noqa: F811
    batch = loaded_warehouse.quarantined_batches[0]
    at = open_page(loaded_warehouse.url, monkeypatch, "views/loads.py")
    at.selectbox(key="quarantine_batch").set_value(batch).run()
    rows = table(at, "Motivo")
    expected = next(r for r in loaded_warehouse.results if r.batch_id == batch)
    assert set(rows["Caricamento"]) == {batch}
    assert set(rows["File"]) == {expected.file_name}
    assert rows["Riga"].nunique() == expected.quarantined
    assert (rows["Motivo"] != "").all()


INTERVENTI = (
    "codice_intervento;nome;comune\n"
    "INT1;Cenni di Cambiamento;Milano\n"
    "INT2;;Milano\n"
    "INT3;Vivi Voltri;Genova\n"
)


def upload(at: AppTest, name: str, content: str) -> AppTest:
    at.file_uploader(key="upload_file").set_value((name, content.encode(), "text/csv")).run()
    return at


def test_upload_preselects_kind_and_loads(warehouse_url, monkeypatch):
    at = open_page(warehouse_url, monkeypatch, "views/loads.py")
    upload(at, "2024_interventi.csv", INTERVENTI)
    assert at.selectbox(key="upload_kind").value == "interventi"
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    metrics = {m.label: m.value for m in at.metric}
    assert metrics["Righe lette"] == "3"
    assert metrics["Caricate"] == "2"
    assert metrics["Scartate"] == "1"
    rows = table(at, "Motivo")
    assert list(rows["Riga"]) == [3] and list(rows["Colonna"]) == ["nome"]
    history = table(at, "Esito")
    assert list(history["File"]) == ["2024_interventi.csv"]
    assert list(history["Esito"]) == [["con_scarti"]]


def test_upload_of_a_file_without_the_required_columns_is_refused(warehouse_url, monkeypatch):
    at = open_page(warehouse_url, monkeypatch, "views/loads.py")
    upload(at, "alloggi.csv", "colonna_a;colonna_b\n1;2\n")
    assert at.selectbox(key="upload_kind").value == "alloggi"
    at.button(key="upload_go").click().run()
    assert at.error, "a refused file says why"
    assert list(table(at, "Esito")["Esito"]) == [["rifiutato"]]


def test_upload_needs_a_kind(warehouse_url, monkeypatch):
    at = open_page(warehouse_url, monkeypatch, "views/loads.py")
    upload(at, "export_gestionale.csv", INTERVENTI)
    assert at.selectbox(key="upload_kind").value is None
    assert at.button(key="upload_go").disabled
