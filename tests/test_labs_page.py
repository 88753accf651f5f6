"""The Laboratori page headless on the small loaded sample warehouse: figures as the indicators compute them,
every control changed, statements instead of numbers where data are missing, and the HTML report."""

from __future__ import annotations

import base64
import json

import numpy as np
import pandas as pd
import pytest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.completeness import lab_completeness
from indicators.lab_outputs import lab_outputs
from osservatorio.formatting import fmt_eur
from osservatorio.reports.labs import labs_report
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGE = "views/labs.py"
GRATOSOGLIO = "milano-gratosoglio-social-lab"


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    eng = make_engine(loaded_warehouse.url)
    yield eng
    eng.dispose()


def test_labs_page_shows_the_outputs_the_indicators_compute(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    assert at.title[0].value == "Laboratori Sociali di Quartiere"
    total = lab_outputs(engine, by="total").iloc[0]
    cost = next(m for m in at.metric if m.label == "Costo per nucleo raggiunto")
    assert cost.value == fmt_eur(total["cost_per_household_eur"]) and cost.help
    activities = next(m for m in at.metric if m.label == "Attività dei laboratori")
    assert activities.value == f"{int(total['activities']):,}".replace(",", ".")
    shown = " ".join(t.value.to_string() for t in [*at.dataframe, *at.table])
    assert "Manca il caso di controllo" in shown and "punti" in shown  # statements and points, never bare numbers


def test_labs_page_states_what_is_missing_per_lab(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    at.selectbox(key="labs_sheet").set_value(GRATOSOGLIO).run()
    assert not at.exception
    expected = lab_completeness(engine, labs=[GRATOSOGLIO]).iloc[0]["missing"]
    assert [w.value for w in at.warning if w.value in expected] == expected
    brescia = "brescia-gioco-di-squadra"
    at.selectbox(key="labs_sheet").set_value(brescia).run()
    assert "Manca il caso di controllo al tempo uno." in [w.value for w in at.warning]


def test_every_control_of_the_labs_page_changes_without_error(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    earlier = (pd.Timestamp(at.selectbox(key="panel_start").value) - pd.offsets.MonthEnd(2)).date()
    for key, value in (("labs_measure", "volunteers"), ("labs_ambito", "disagio_sociale"),
                       ("labs_indicator", "abitanti"), ("labs_sheet", GRATOSOGLIO), ("panel_outcome", "rate_billed"),
                       ("panel_start", earlier)):
        at.selectbox(key=key).set_value(value).run()
        assert not at.exception, (key, [e.value for e in at.exception])
    treated = at.multiselect(key="panel_treated")
    treated.set_value(treated.options[:3]).run()
    assert not at.exception
    assert "Il controllo sintetico richiede una sola unità trattata (indicate: 3)." in texts(at)
    treated.set_value([]).run()
    assert "Scegliere almeno un edificio trattato." in texts(at)


def test_panel_evaluation_reports_the_estimate_and_its_warnings(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    text = texts(at)
    assert "**Metodo**: Differenza nelle differenze" in text and "**Intervallo al 95%**" in text
    assert "**Metodo**: Controllo sintetico" in text and "**Pesi**" in text
    assert any("Solo 1 unità trattata:" in w.value.replace("\\", "") for w in at.warning)  # singular agreement


def test_report_buttons_offer_a_self_contained_html(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    at.button(key="labs_report_all").click().run()
    assert not at.exception and at.session_state["labs_report_all_bytes"][:15] == b"<!DOCTYPE html>"
    html = labs_report(engine)
    assert html.count('<script type="text/javascript">') == 1  # plotly.js inlined once
    assert "<script src=" not in html and "Completezza dei dati" in html  # nothing fetched when opened
    assert "Manca il caso di controllo: nessuna rilevazione in un&#39;area senza laboratorio." in html
    one = labs_report(engine, lab=GRATOSOGLIO)
    assert "Scheda: Gratosoglio Social Lab" in one and "brescia-gioco-di-squadra" not in one


def test_panel_event_study_states_the_moved_reference_and_its_joint_pre_trend_test(loaded_warehouse, engine,
                                                                                   monkeypatch):  # noqa: F811
    """The rank-deficient panel of `test_event_study` (ten treated buildings not observed the month before the
    start) served as the ledger panel: the page says which reference it used and never shows the +3.7 leads."""
    from dashboard import lab_data
    from indicators.ledger_sql import month_ends
    from indicators.portfolio import ledger_span
    from test_evaluation import synthetic_panel

    start = pd.Timestamp(month_ends(*ledger_span(engine))[12])  # one of the page's start months
    frame = synthetic_panel(34)
    frame = frame[~((frame["unit"] < "u10") & (frame["month"] == 11))]
    fake = frame.assign(period=[start + pd.offsets.MonthEnd(m - 12) for m in frame["month"]])  # month 12 = start
    fake = fake[["unit", "period", "y"]].reset_index(drop=True)
    monkeypatch.setattr(lab_data, "building_arrears_panel", lambda *_, **__: fake.copy())
    at = open_page(loaded_warehouse.url, monkeypatch, PAGE)
    at.multiselect(key="panel_treated").set_value([f"u{u:02d}" for u in range(10)]).run()
    at.selectbox(key="panel_start").set_value(start.date()).run()
    assert not at.exception, [e.value for e in at.exception]
    text = texts(at)
    assert "**Stima**: -1,92" in text  # the DiD is identified (true effect -2)
    assert ("Le unità trattate non sono osservate nel periodo −1 prima dell'avvio: il riferimento dello studio di "
            "evento è il periodo −2.") in [w.value.replace("\\", "") for w in at.warning]
    assert ("Andamento parallelo prima dell'avvio: p-value 0,060 (test congiunto su 10 periodi prima del "
            "riferimento, errore standard per gruppi)") in text
    chart = json.loads(next(c for c in at.get("plotly_chart") if c.proto.id.endswith("panel_event")).proto.spec)
    assert chart["layout"]["yaxis"]["title"]["text"] == "Differenza rispetto al periodo −2"
    x = chart["data"][0]["x"]  # plotly sends arrays as base64 with their dtype
    x = np.frombuffer(base64.b64decode(x["bdata"]), dtype=x["dtype"]) if isinstance(x, dict) else x
    assert list(x) == [*range(-12, -1), *range(0, 12)]  # no point at −1: the treated buildings lack that month
