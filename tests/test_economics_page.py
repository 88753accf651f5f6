"""Economia e obiettivi and the stalled projects on the Progetti page: headless on the small loaded sample.

The tiles show what the registry KPIs compute for each role's scope; a direzione sets a target on the page and it
is drawn on the chart; a gestore sees no form; the Regione has no such page.
"""

from __future__ import annotations

import json
from datetime import date

import pytest

from dashboard_fixtures import loaded_warehouse, private_copy  # noqa: F401  (fixture)
from indicators.catalog import compute
from indicators.registry import get_kpi
from osservatorio import audit
from indicators.targets import set_target
from osservatorio.accounts import get_user
from osservatorio.formatting import fmt_kpi
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

ECONOMICS, PROJECTS = "views/economics.py", "views/projects.py"
AS_OF = date(2026, 9, 30)  # the pages' default date on the sample: the last month end of the ledger
YTD = dict(start=date(2026, 1, 1), end=AS_OF)
PERIOD = dict(start=date(2025, 10, 1), end=AS_OF)


def metric(at, code: str) -> str:
    return next(m.value for m in at.metric if m.label == get_kpi(code).label)


def table(at, column: str):
    return next(df.value for df in at.dataframe if column in df.value.columns)


@pytest.mark.parametrize("user", ["admin", "direzione", "gestore", "sgr"])
def test_every_new_figure_on_the_page_for_each_role(user, loaded_warehouse, monkeypatch):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    scope = get_user(engine, user).scope
    at = open_page(loaded_warehouse.url, monkeypatch, ECONOMICS, user=user)
    for code in ("operating_margin_eur", "cost_per_unit_eur"):
        value = compute(engine, code, as_of=AS_OF, **YTD, scope=scope).value
        assert metric(at, code) == fmt_kpi(get_kpi(code).unit, value)
    index = compute(engine, "performance_index_pct", as_of=AS_OF, **PERIOD, scope=scope)
    assert metric(at, "performance_index_pct") == fmt_kpi("pct", index.value)
    groups = compute(engine, "operating_margin_eur", as_of=AS_OF, **YTD, scope=scope, by="intervention")
    shown = table(at, "Margine %")
    assert len(shown) == len(groups) and shown["Intervento"].str[:6].tolist() == groups["group"].tolist()
    if user == "gestore":
        assert groups["group"].tolist() == ["INT001", "INT002"]  # the gestore's own interventions only
    assert ("Fissa l'obiettivo" in [b.label for b in at.button]) == (user in ("admin", "direzione"))
    engine.dispose()


def test_the_regione_has_no_economics_page(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, user="regione")
    with pytest.raises(ValueError, match="Could not find"):
        at.switch_page(ECONOMICS).run()


def test_direzione_sets_a_target_drawn_on_the_index_chart(loaded_warehouse, tmp_path, monkeypatch):  # noqa: F811
    url = private_copy(loaded_warehouse, tmp_path)
    at = open_page(url, monkeypatch, ECONOMICS, user="direzione")  # limited to one fund: no portfolio target
    where = at.selectbox(key="eco_target_where")
    assert None not in where.options and where.options[0].startswith("INT")
    intervention = where.value
    at.selectbox(key="eco_target_kpi").set_value("performance_index_pct")
    at.number_input(key="eco_target_value").set_value(7.5)
    at.text_input(key="eco_target_note").set_value("piano triennale")
    at.button[[b.label for b in at.button].index("Fissa l'obiettivo")].click().run()
    assert not at.exception, [e.value for e in at.exception]
    assert "Obiettivo «Indice di performance (morosità e sfitto)» fissato." in texts(at)
    targets = table(at, "Fissato da")
    assert targets[["Obiettivo", "Nota", "Fissato da"]].values.tolist() == [["7,50", "piano triennale", "direzione"]]
    chart = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("eco_index_chart"))
    marks = [t for t in chart["data"] if t.get("name") == "Obiettivo dell'intervento"]
    assert len(marks) == 1 and marks[0]["y"] == [7.5] and marks[0]["x"][0].startswith(intervention)
    assert marks[0]["text"] == ["Obiettivo: 7,5%"]
    engine = make_engine(url)
    assert audit.recent(engine, action="obiettivo")["detail"].tolist() == [f"performance_index_pct {intervention} = 7.5"]
    # a vacancy target of that intervention: drawn as a line on the vacancy trend of that one intervention only
    set_target(engine, kpi_code="vacancy_rate", value=4.0, user=get_user(engine, "direzione"),
               intervention_code=intervention)
    engine.dispose()
    page = open_page(url, monkeypatch, "views/vacancy.py", user="direzione")

    def target_lines(at):
        trend = next(json.loads(c.proto.spec) for c in at.get("plotly_chart") if c.proto.id.endswith("vac_trend"))
        return [s["y0"] for s in trend["layout"].get("shapes", []) if s["line"].get("color") == "#2e8b57"]

    assert target_lines(page) == []  # the whole fund: the intervention's target is not the fund's
    page.multiselect(key="flt_intervention").set_value([intervention]).run()
    assert target_lines(page) == [4.0]


def test_projects_page_flags_abitare_in_borgo_as_stalled(loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, PROJECTS)
    projects = table(at, "Progetto").set_index("Codice")
    borgo = projects.loc["MI3.1.1.a"]
    assert (borgo["Stato"], borgo["Soggetto attuatore"], borgo["RUP"]) == (
        "Fermo: concluso senza impegni", "Comune di Milano", "Angelo Foglio")
    assert "«Abitare in borgo» concluso il 31/12/2020 senza impegni giuridicamente vincolanti" in texts(at)
    assert metric(at, "funding_stalled_projects") == "1"


def test_budget_page_adds_the_revenue_side_and_the_tickets(loaded_warehouse, monkeypatch):  # noqa: F811
    from indicators.budget import Adjustments, adjusted, propose
    from indicators.budget_revenue import maintenance_from_tickets, projected_margin
    from osservatorio.formatting import fmt_eur

    at = open_page(loaded_warehouse.url, monkeypatch, "views/budget.py", user="direzione")
    assert "Margine previsto" not in [m.label for m in at.metric]  # costs only until asked
    at.toggle(key="bud_revenue").set_value(True).run()
    assert not at.exception, [e.value for e in at.exception]
    engine = make_engine(loaded_warehouse.url)
    scope = get_user(engine, "direzione").scope
    year = at.selectbox(key="bud_year").value
    proposal = propose(engine, year=year, scope=scope, include_revenue=True)
    lines, _ = adjusted(proposal, Adjustments())
    margin = projected_margin(lines, "amount")
    assert margin is not None and margin["billed"] > 0
    shown = {m.label: m.value for m in at.metric}
    assert shown["Margine previsto"] == fmt_eur(margin["margin"], cents=False)
    assert shown["Ricavi addebitati previsti"] == fmt_eur(margin["billed"], cents=False)
    split = maintenance_from_tickets(engine, year=year, lines=proposal.lines, scope=scope)
    tickets = table(at, "Categoria di segnalazione")
    assert tickets["Categoria di segnalazione"].tolist() == split["label"].tolist() and len(split) > 1
    engine.dispose()
