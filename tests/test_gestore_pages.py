"""Impatto del gestore sociale, Assegnazioni e sfratti, Progetti: headless on the small loaded sample.

Tiles are checked against plain SQL on the sample (not against the indicator functions), formatted the
Italian way; every filter is changed at least once; roles see only their pages.
"""

from __future__ import annotations

from datetime import date

import pytest
from streamlit.testing.v1 import AppTest

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.registry import get_kpi
from osservatorio import audit
from osservatorio.formatting import fmt_kpi, fmt_pct
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)
from tests.factories import rows

IMPACT, ALLOCATIONS, PROJECTS = "views/impact.py", "views/allocations.py", "views/projects.py"
AS_OF, START = "2026-09-30", "2025-10-01"  # the pages' default date (last month end of the ledger) and period


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    eng = make_engine(loaded_warehouse.url)
    yield eng
    eng.dispose()


def metric(at: AppTest, label: str) -> str:
    return next(m.value for m in at.metric if m.label == label)


def shown(at: AppTest, code: str) -> str:
    return metric(at, get_kpi(code).label)


def one(engine, sql: str) -> float:
    return rows(engine, sql)[0][0]


def test_impact_tiles_show_the_sample_figures(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, IMPACT)
    units = one(engine, "SELECT COUNT(*) FROM unit u JOIN building b ON b.code = u.building_code JOIN intervention i "
                        f"ON i.code = b.intervention_code WHERE i.management_start <= '{AS_OF}'")
    assert units == 150  # every intervention of the sample is managed by then
    assert shown(at, "units_managed") == "150"
    backlog = one(engine, f"SELECT COUNT(*) FROM ticket WHERE opened_on <= '{AS_OF}' AND "
                          f"(closed_on IS NULL OR closed_on > '{AS_OF}')")
    assert shown(at, "ticket_backlog") == fmt_kpi("count", backlog)
    cost, = rows(engine, f"SELECT SUM(cost) FROM ticket WHERE closed_on >= '{START}' AND closed_on <= '{AS_OF}'")[0]
    assert shown(at, "ticket_cost_per_unit_eur") == fmt_kpi("eur", cost / 150)
    days = rows(engine, "SELECT julianday(closed_on) - julianday(opened_on) FROM ticket "
                        f"WHERE closed_on >= '{START}' AND closed_on <= '{AS_OF}'")
    assert shown(at, "ticket_days_to_close") == fmt_kpi("days", sum(d for d, in days) / len(days))
    tenure = next(df.value for df in at.dataframe if "Regime" in df.value.columns).set_index("Regime")
    assert tenure.loc["Locazione a termine", "Quota"] == fmt_pct(60 / 150 * 100)  # 60 units of 150 in the sample
    assert "Rapporto da condividere" in texts(at)


def test_impact_filters_and_html_report(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, IMPACT)
    at.multiselect(key="flt_intervention").set_value(["INT002"]).run()
    assert not at.exception
    assert shown(at, "units_managed") == "30"  # INT002 has 30 units (vuoto per pieno)
    at.selectbox(key="flt_period").set_value("ytd").run()
    at.date_input(key="flt_as_of").set_value(date(2026, 6, 30)).run()
    assert not at.exception
    before = len(audit.recent(engine, action=audit.REPORT))
    at.button(key="imp_prepare_html").click().run()
    assert not at.exception
    assert len(audit.recent(engine, action=audit.REPORT)) == before + 1
    assert audit.recent(engine, action=audit.REPORT).iloc[0]["detail"] == "impatto_20260630.html"


def test_allocations_page_shows_applications_and_cinisello_evictions(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, ALLOCATIONS, user="regione")
    received = one(engine, f"SELECT COUNT(*) FROM application WHERE applied_on >= '{START}' AND applied_on <= '{AS_OF}'")
    assert shown(at, "applications_received") == fmt_kpi("count", received)
    waiting = one(engine, f"""SELECT COUNT(*) FROM application WHERE applied_on <= '{AS_OF}' AND NOT (
        COALESCE(outcome, '') IN ('assegnata', 'non_idonea', 'rinuncia') AND outcome_date <= '{AS_OF}')""")
    assert shown(at, "waiting_list") == fmt_kpi("count", waiting)
    assert at.selectbox(key="alloc_comune").value == "Cinisello Balsamo"
    stats = next(df.value for df in at.dataframe if "Convalidati" in df.value.columns)
    assert stats["Convalidati"].tolist() == ["58", "75", "84", "66", "59", "14"]  # seed 003
    assert stats["Eseguiti"].tolist() == ["15", "20", "25", "46", "66", "19"]
    comuni = at.selectbox(key="alloc_comune").options
    at.selectbox(key="alloc_comune").set_value(comuni[-1]).run()
    at.selectbox(key="flt_period").set_value("ytd").run()
    assert not at.exception


def test_projects_page_shows_abitare_in_borgo_and_the_paid_share(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PROJECTS)
    paid, admitted = rows(engine, "SELECT SUM(paid), SUM(admitted) FROM funding_project")[0]
    assert shown(at, "funding_paid_pct") == fmt_kpi("pct", paid / admitted * 100)
    table = next(df.value for df in at.dataframe if "Progetto" in df.value.columns).set_index("Codice")
    borgo = table.loc["MI3.1.1.a"]
    assert (borgo["Ammesso"], borgo["Erogato"], borgo["Quota erogata"]) == ("281.250,00\u00a0€", "0,00\u00a0€", "0,0%")
    gestore = open_page(loaded_warehouse.url, monkeypatch, PROJECTS, user="gestore")
    codes = next(df.value for df in gestore.dataframe if "Progetto" in df.value.columns)["Codice"].tolist()
    assert "MI3.1.1.a" not in codes and codes  # a Comune's project is not the gestore's


@pytest.mark.parametrize("user, page", [("sgr", ALLOCATIONS), ("sgr", PROJECTS), ("direzione", PROJECTS)])
def test_roles_without_the_page_cannot_open_it(user, page, loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, user=user)
    with pytest.raises(ValueError):
        at.switch_page(page).run()


def test_impact_page_credits_no_regional_lab_to_the_gestore(loaded_warehouse, monkeypatch):  # noqa: F811
    """The sample's 15 regional labs (2014-2016) are linked to no intervention: none of their work is shown."""
    at = open_page(loaded_warehouse.url, monkeypatch, IMPACT)
    assert "Nessun laboratorio collegato agli interventi del perimetro: nessuna attività registrata." in texts(at)
    assert not [df for df in at.dataframe if "Tipo di attività" in df.value.columns]
