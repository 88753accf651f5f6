"""The monitoring pages (Panoramica, Morosità, Sfitto) headless on the small loaded sample warehouse.

Every figure on screen must be what `indicators/` computes for the same options: the tests call the
indicators themselves and compare the formatted strings.
"""

from __future__ import annotations

import io
from datetime import date

import openpyxl
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from dashboard import tables
from osservatorio import exports
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators import arrears, vacancy
from indicators.catalog import compute, default_as_of, default_period
from indicators.comparisons import change_vs, year_earlier
from indicators.portfolio import ledger_span, portfolio_tree
from indicators.registry import get_kpi
from indicators.scope import Scope
from osservatorio.formatting import fmt_kpi
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)

PAGES = ("views/overview.py", "views/arrears.py", "views/vacancy.py")
OVERVIEW_TILES = ("arrears_stock_eur", "arrears_rate_billed", "households_in_arrears_pct", "vacancy_rate",
                  "void_loss_eur", "late_cases")


@pytest.fixture(scope="module")
def sample(loaded_warehouse):  # noqa: F811
    """The engine, the pages' default date (the last month end of the ledger: 30/09/2026, as the
    ledger ends on 28/10/2026) and the portfolio tree."""
    engine = make_engine(loaded_warehouse.url)
    last = default_as_of(*ledger_span(engine))
    assert last == date(2026, 9, 30)
    yield engine, last, portfolio_tree(engine)
    engine.dispose()


def metric(at: AppTest, code: str):
    label = get_kpi(code).label
    return next(m for m in at.metric if m.label == label)


def expected(engine, code: str, as_of: date, scope: Scope = Scope(), start=None, end=None) -> str:
    start, end = (start, end) if start else default_period(as_of)
    value = compute(engine, code, as_of=as_of, start=start, end=end, scope=scope)
    return fmt_kpi(get_kpi(code).unit, value.value)


def stock_shown(at: AppTest) -> str:
    return metric(at, "arrears_stock_eur").value


@pytest.mark.parametrize("page_path", PAGES)
def test_monitoring_pages_open(page_path, loaded_warehouse, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, page_path)
    assert at.title and at.metric and at.dataframe
    assert all(m.help for m in at.metric), "every tile carries its KPI definition on hover"
    assert "Traceback" not in texts(at)


def test_overview_tiles_show_what_the_indicators_compute(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, _ = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py")
    for code in OVERVIEW_TILES:
        shown = metric(at, code)
        assert shown.value == expected(engine, code, last), code
        assert shown.help == get_kpi(code).help
    # the change against one year earlier, in points for a percentage (computed by indicators.comparisons)
    start, end = default_period(last)
    now = compute(engine, "vacancy_rate", as_of=last, start=start, end=end)
    before = compute(engine, "vacancy_rate", as_of=year_earlier(last), start=year_earlier(start),
                     end=year_earlier(end))
    tile = metric(at, "vacancy_rate")
    assert tile.proto.delta == change_vs(now, before).label and tile.proto.delta.endswith(" punti")
    assert "Riferimento Cooperative gestori sociali (media): 9,0%" in texts(at)


def test_interventions_table_ranks_by_arrears_rate_with_sparklines(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, _ = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py")
    table = next(df.value for df in at.dataframe if "Intervento" in df.value.columns)
    start, end = default_period(last)
    rates = arrears.arrears_rate_billed(engine, start=start, end=end, by="intervention")
    ranked = rates.sort_values("value", ascending=False)
    assert [label.split(" · ")[0] for label in table["Intervento"]] == ranked["group"].tolist()
    assert table[get_kpi("arrears_rate_billed").label].tolist() == [fmt_kpi("pct", v) for v in ranked["value"]]
    assert all(len(list(s)) >= 10 for s in table["Andamento sfitto"]), "a monthly sparkline per intervention"
    at.button_group(key="ov_rank").set_value("vacancy_rate").run()
    assert not at.exception
    table = next(df.value for df in at.dataframe if "Intervento" in df.value.columns)
    by_vacancy = vacancy.vacancy(engine, as_of=last, by="intervention").sort_values("value", ascending=False)
    assert [label.split(" · ")[0] for label in table["Intervento"]] == by_vacancy["group"].tolist()


@pytest.mark.parametrize(("key", "level", "column"), [
    ("flt_sgr", "sgrs", "sgr"), ("flt_fund", "funds", "fund"),
    ("flt_intervention", "interventions", "intervention_code"), ("flt_building", "buildings", "building_code")])
def test_each_portfolio_filter_narrows_the_figures(key, level, column, loaded_warehouse, sample,  # noqa: F811
                                                    monkeypatch):
    engine, last, tree = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py")
    everything = stock_shown(at)
    # the member with the most units, so the figure surely differs from the whole portfolio's
    choice = tree.groupby(column)["units"].sum().idxmax() if level != "sgrs" else sorted(tree[column].unique())[0]
    at.multiselect(key=key).set_value([choice]).run()
    assert not at.exception, [e.value for e in at.exception]
    scope = Scope().narrowed(**{level: [choice]})
    assert stock_shown(at) == expected(engine, "arrears_stock_eur", last, scope)
    assert stock_shown(at) != everything
    assert metric(at, "vacancy_rate").value == expected(engine, "vacancy_rate", last, scope)


def test_filters_cascade_and_survive_a_page_switch(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, tree = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/overview.py")
    fund = sorted(tree["fund"].unique())[0]
    at.multiselect(key="flt_fund").set_value([fund]).run()
    in_fund = tree[tree["fund"] == fund]
    offered = set(at.multiselect(key="flt_intervention").options)
    assert offered == {f"{c} · {n}" for c, n in zip(in_fund["intervention_code"], in_fund["intervention_name"])}
    assert set(at.multiselect(key="flt_building").options) == {  # buildings by code and address
        f"{c} · {a}" for c, a in zip(in_fund["building_code"], in_fund["building_address"])}
    at.switch_page("views/home.py").run()
    at.switch_page("views/vacancy.py").run()
    assert not at.exception
    assert at.multiselect(key="flt_fund").value == [fund]
    scope = Scope(funds=(fund,))
    assert metric(at, "vacancy_rate").value == expected(engine, "vacancy_rate", last, scope)


def test_date_and_period_change_the_figures(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, _ = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py")
    day = date(2026, 3, 31)
    at.date_input(key="flt_as_of").set_value(day).run()
    assert not at.exception
    assert stock_shown(at) == expected(engine, "arrears_stock_eur", day)
    assert metric(at, "arrears_rate_billed").value == expected(engine, "arrears_rate_billed", day)
    at.selectbox(key="flt_period").set_value("ytd").run()
    ytd = (date(2026, 1, 1), day)
    assert metric(at, "arrears_rate_billed").value == expected(engine, "arrears_rate_billed", day, start=ytd[0],
                                                              end=ytd[1])
    at.selectbox(key="flt_period").set_value("custom").run()
    at.date_input(key="flt_range").set_value((date(2025, 6, 1), date(2025, 12, 31))).run()
    assert not at.exception
    assert metric(at, "collection_rate").value == expected(engine, "collection_rate", day, start=date(2025, 6, 1),
                                                          end=date(2025, 12, 31))


@pytest.mark.parametrize("by", ["intervention", "fund", "tenure", "income_band", "sgr", "building"])
def test_breakdown_selector(by, loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, _ = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py")
    at.selectbox(key="arr_by").set_value(by).run()
    assert not at.exception, [e.value for e in at.exception]
    from indicators.scope import GROUPING_LABELS
    table = next(df.value for df in at.dataframe if GROUPING_LABELS[by] in df.value.columns
                 and get_kpi("collection_rate").label in df.value.columns)
    start, end = default_period(last)
    rates = arrears.collection_rate(engine, start=start, end=end, by=by)
    assert sorted(table[get_kpi("collection_rate").label]) == sorted(fmt_kpi("pct", v) for v in rates["value"])


def test_drill_down_to_contracts(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    engine, last, tree = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py")
    intervention = "INT003"
    building = sorted(tree.loc[tree["intervention_code"] == intervention, "building_code"])[1]
    at.selectbox(key="arr_int").set_value(intervention).run()
    at.selectbox(key="arr_bld").set_value(building).run()
    assert not at.exception
    shown = next(df.value for df in at.dataframe if "Contratto" in df.value.columns and "Saldo" in df.value.columns)
    rows = arrears.contract_balances(engine, as_of=last, intervention=intervention, building=building)
    assert shown["Contratto"].tolist() == rows["lease_code"].tolist()
    assert shown["Saldo"].tolist() == [fmt_kpi("eur", v) for v in rows["balance"]]
    assert set(shown["Edificio"]) <= {f"{building} · {tree.set_index('building_code').at[building, 'building_address']}"}
    assert not any("household" in c.lower() or "nucleo" in c.lower() for c in shown.columns)


def test_late_cases_alert_list(loaded_warehouse, sample, monkeypatch):  # noqa: F811
    from indicators.cases import late_cases
    engine, last, _ = sample
    at = open_page(loaded_warehouse.url, monkeypatch, "views/arrears.py")
    late = late_cases(engine, as_of=last)
    shown = next(df.value for df in at.dataframe if "Giorni di ritardo" in df.value.columns)
    assert shown["Pratica"].tolist() == late["case_code"].tolist()
    assert shown["Giorni di ritardo"].tolist() == [fmt_kpi("count", d) for d in late["days_late"]]
    assert metric(at, "late_cases").value == fmt_kpi("count", len(late))


def test_every_table_has_csv_and_excel_downloads(loaded_warehouse, monkeypatch):  # noqa: F811
    for page_path in PAGES:
        at = open_page(loaded_warehouse.url, monkeypatch, page_path)
        buttons = at.get("download_button")
        labels = [b.label for b in buttons]
        assert labels.count("CSV") == labels.count("Excel") >= 1
        assert labels.count("CSV") == len(at.dataframe), page_path


def test_downloads_parse_back_with_italian_formats(sample):
    """The bytes behind the buttons: CSV with ';' and decimal comma, Excel with the € format and dates."""
    engine, last, _ = sample
    frame = arrears.contract_balances(engine, as_of=last)
    cols = [tables.Col("lease_code", "Contratto"), tables.Col("balance", "Saldo", exports.EUR),
            tables.Col("oldest_unpaid_due", "Più vecchio addebito non pagato", exports.DATE)]
    data, kinds = tables.export_frame(frame.assign(lease_code=["=cmd|' /C calc'!A0", *frame["lease_code"][1:]]), cols)
    back = pd.read_csv(io.BytesIO(exports.to_csv(data, kinds)), sep=";", decimal=",", encoding="utf-8-sig", dtype=str)
    assert back.columns.tolist() == ["Contratto", "Saldo", "Più vecchio addebito non pagato"]
    assert back["Contratto"].iloc[0].startswith("'="), "formula injection neutralised"
    assert pd.to_numeric(back["Saldo"].str.replace(",", ".")).round(2).tolist() == frame["balance"].round(2).tolist()
    assert back["Più vecchio addebito non pagato"].iloc[0] == frame["oldest_unpaid_due"].iloc[0].strftime("%d/%m/%Y")
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_excel(data, kinds, sheet="saldi"))).active
    assert sheet.freeze_panes == "A2"
    assert sheet["B2"].number_format == "#,##0.00 [$€-410]" and sheet["B2"].value == frame["balance"].iloc[0]
    assert sheet["C2"].number_format == "dd/mm/yyyy"
    assert sheet["A2"].value.startswith("'=")


def test_long_tables_format_each_distinct_value_once_to_the_same_text():
    frame = pd.DataFrame({"due": [date(2024, 1, 31), None, date(2024, 1, 31), date(2024, 2, 29)] * 50,
                          "amount": [1234.5, float("nan"), None, 1234.5] * 50, "days": [3, 3, 14, 0] * 50},
                         index=range(1000, 1200))
    cols = [tables.Col("due", "Scadenza", exports.DATE), tables.Col("amount", "Importo", exports.EUR),
            tables.Col("days", "Giorni", exports.INT)]
    shown = tables.display_frame(frame, cols)
    assert shown.iloc[:4].values.tolist() == [["31/01/2024", "1.234,50\xa0€", "3"], ["n.d.", "n.d.", "3"],
                                              ["31/01/2024", "n.d.", "14"], ["29/02/2024", "1.234,50\xa0€", "0"]]
    assert shown.values.tolist() == shown.iloc[:4].values.tolist() * 50 and list(shown.index) == list(range(200))


def test_a_figure_that_cannot_be_computed_shows_nd_and_why():
    def script():
        from dashboard import tiles
        from indicators.results import KpiValue
        tiles.tile(KpiValue("vacancy_rate", None, warnings=["nessun alloggio nel perimetro alla data"]),
                   previous=KpiValue("vacancy_rate", 8.0))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert at.metric[0].value == "n.d."
    assert "nessun alloggio nel perimetro alla data" in at.caption[0].value
    assert not at.metric[0].proto.delta


@pytest.mark.parametrize("page_path", PAGES)
def test_empty_warehouse_explains_itself(page_path, warehouse_url, monkeypatch):
    at = open_page(warehouse_url, monkeypatch, page_path)
    assert "Nessun dato da monitorare" in texts(at)
    assert not at.metric
