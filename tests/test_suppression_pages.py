"""The suppression walk on the pages: every page the Regione opens, on the whole portfolio and on one small
intervention (INT002: 28 households, 2 of them in arrears, 3 buildings of 3 households), must show no count
under the threshold nor a figure derived from one; the figures resting on 5 or more still show."""

from __future__ import annotations

import base64
import json
import re
from datetime import date

import numpy as np
import pandas as pd
import pytest
from streamlit.testing.v1 import AppTest

from osservatorio.pages import pages_for
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.catalog import compute, default_period
from indicators.ledger_sql import month_ends
from indicators.panels import building_arrears_panel
from indicators.portfolio import ledger_span
from indicators.registry import REGISTRY, get_kpi
from indicators.scope import Scope
from osservatorio.formatting import fmt_kpi
from osservatorio.settings import get_settings
from schemas.db import make_engine
from test_pages import APP, fresh_caches, sign_in, texts  # noqa: F401  (autouse fixture)
from test_suppression_walk import COUNTS, THRESHOLD, small

AS_OF = date(2026, 9, 30)  # the pages' default date on the sample
PAGES = [spec.path for spec in pages_for("regione") if spec.path != "views/home.py"]
SCOPES = {"portafoglio": (), "un intervento": ("INT002",)}
LABEL_TO_CODE = {k.label: k.code for k in REGISTRY.values()}
# Table headings that count households, contracts, cases, applications or events.
COUNT_HEADINGS = {"Contratti", "Pratiche", "Sfratti eseguiti", "Domande ricevute", "Assegnazioni", "Risolte",
                  "In corso", "Sfratto", "Chiuse altro", "Pratiche in ritardo", "Nuclei morosi (n.)"}
COUNT_WORDS = r"(sfratt\w*|pratiche|contratti|nuclei|assegnazioni|rilocazioni|domande)"


def open_as_regione(url: str, monkeypatch, page: str, interventions: tuple[str, ...]) -> AppTest:
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", url)
    get_settings.cache_clear()
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["auth_token"] = sign_in(url, "regione")
    at.session_state["keep_flt_intervention"] = list(interventions)  # the sidebar filter, as kept between pages
    at.run()
    at.switch_page(page).run()
    assert not at.exception, [e.value for e in at.exception]
    return at


def charts(at: AppTest) -> list[dict]:
    return [json.loads(c.proto.spec) for c in at.get("plotly_chart")]


def values(trace: dict, key: str) -> list:
    """A trace's array, decoded when plotly wrote it as typed binary data."""
    data = trace.get(key, [])
    if isinstance(data, dict) and "bdata" in data:
        return np.frombuffer(base64.b64decode(data["bdata"]), dtype=np.dtype(data["dtype"])).tolist()
    return list(data)


def small_count_leaks(at: AppTest) -> list[str]:
    """Counts of 1..4 anywhere on the page: integer tiles, count columns of tables, sentences, funnel stages."""
    found = [f"riquadro {m.label}: {m.value}" for m in at.metric if re.fullmatch(r"[1-4]", str(m.value).strip())]
    for frame in (df.value for df in at.dataframe):
        for heading in COUNT_HEADINGS & set(frame.columns):
            found += [f"tabella {heading}: {v}" for v in frame[heading] if re.fullmatch(r"[1-4]", str(v).strip())]
    found += [f"testo: {m.group(0)}" for m in re.finditer(rf"(?<![\d.,])[1-4] {COUNT_WORDS}\b", texts(at))]
    for chart in charts(at):
        for trace in chart["data"]:
            if trace.get("type") == "funnel":
                found += [f"imbuto: {v}" for v in values(trace, "x") if small(v)]
    return found


def derived_leaks(at: AppTest, engine, interventions: tuple[str, ...]) -> list[str]:
    """Tiles of a KPI whose count base is small that still show a figure."""
    scope = Scope(interventions=interventions or None)
    start, end = default_period(AS_OF)
    found = []
    for m in at.metric:
        code = LABEL_TO_CODE.get(m.label)
        if code not in COUNTS:
            continue
        raw = compute(engine, code, as_of=AS_OF, start=start, end=end, scope=scope)
        fields = {"value": raw.value, "numerator": raw.numerator, "denominator": raw.denominator, **raw.breakdown}
        counts, base, derived = COUNTS[code]
        if ("value" in derived and any(small(fields.get(k)) for k in base)) or (
                "value" in counts and small(raw.value)):
            if m.value != "nascosto":
                found.append(f"{m.label}: {m.value}")
    return found


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    yield engine
    engine.dispose()


@pytest.mark.parametrize("scope_name", SCOPES)
@pytest.mark.parametrize("page", PAGES)
def test_no_small_count_on_any_page_for_the_regione(page, scope_name, loaded_warehouse,  # noqa: F811
                                                    engine, monkeypatch):
    interventions = SCOPES[scope_name]
    at = open_as_regione(loaded_warehouse.url, monkeypatch, page, interventions)
    assert at.title and "Traceback" not in texts(at)
    assert not small_count_leaks(at), small_count_leaks(at)
    assert not derived_leaks(at, engine, interventions), derived_leaks(at, engine, interventions)
    links = [link.proto.label for link in at.get("page_link")]
    assert "Vedi le pratiche in ritardo" not in links, "the Regione cannot see the list it leads to"


def test_the_walk_would_catch_the_leaks_an_admin_is_shown(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    # The same pages under OSSERVATORIO_SUPPRESS_FOR_ALL=0 for the admin show small counts: the checks bite.
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", loaded_warehouse.url)
    at = AppTest.from_file(str(APP), default_timeout=120)
    at.session_state["auth_token"] = sign_in(loaded_warehouse.url, "admin")
    at.session_state["keep_flt_intervention"] = ["INT002"]
    at.run()
    at.switch_page("views/overview.py").run()
    assert derived_leaks(at, engine, ("INT002",)), "Nuclei morosi of INT002 rests on 2 households"


def test_small_intervention_hides_its_figures_and_says_so(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_as_regione(loaded_warehouse.url, monkeypatch, "views/arrears.py", ("INT002",))
    tiles = {m.label: m.value for m in at.metric}
    assert tiles["Nuclei morosi"] == "nascosto"
    raw = compute(engine, "households_in_arrears_pct", as_of=AS_OF, scope=Scope(interventions=("INT002",)))
    assert small(raw.numerator), "the sample's INT002 has 1-4 households in arrears"
    # the aging chart marks hidden buckets as hidden (a hatched "nascosto" bar), never as an empty (zero) bucket
    aging = compute(engine, "arrears_aging", as_of=AS_OF, scope=Scope(interventions=("INT002",)))
    small_buckets = [b for b, n in zip(aging["bucket"], aging["contracts"]) if small(n)]
    assert small_buckets
    chart = next(c for c in charts(at) if any(t.get("name") == "Debito scaduto" for t in c["data"]))
    marked = next(t for t in chart["data"] if t.get("name") == "nascosto")
    assert set(small_buckets) <= set(values(marked, "x")) and set(values(marked, "text")) == {"nascosto"}
    assert "nascosto" in texts(at) or "riservatezza" in texts(at)


def test_a_figure_of_five_or_more_still_shows_for_the_regione(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_as_regione(loaded_warehouse.url, monkeypatch, "views/overview.py", ())
    start, end = default_period(AS_OF)
    raw = compute(engine, "households_in_arrears_pct", as_of=AS_OF, start=start, end=end)
    assert raw.numerator >= THRESHOLD
    tile = next(m for m in at.metric if m.label == get_kpi("households_in_arrears_pct").label)
    assert tile.value == fmt_kpi("pct", raw.value) != "nascosto"


def test_evictions_per_year_hide_one_and_two(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_as_regione(loaded_warehouse.url, monkeypatch, "views/allocations.py", ())
    own = next(df.value for df in at.dataframe if "Sfratti eseguiti" in df.value.columns)
    assert "nascosto" in set(own["Sfratti eseguiti"]) or not any(
        re.fullmatch(r"[1-4]", str(v)) for v in own["Sfratti eseguiti"])
    assert not any(re.fullmatch(r"[1-4]", str(v)) for v in own["Sfratti eseguiti"])


def test_panel_paths_leave_out_months_of_few_households_in_arrears(loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_as_regione(loaded_warehouse.url, monkeypatch, "views/labs.py", ())
    treated = at.multiselect(key="panel_treated").value
    assert treated, "the page picks a treated building by default"
    treated = treated[:1]  # the panel opens on a lab and its buildings: one of them, whose months are checked
    at.multiselect(key="panel_treated").set_value(treated).run()
    months = month_ends(*ledger_span(engine))[-36:]  # as the page picks them
    panel = building_arrears_panel(engine, start=months[0], end=months[-1], min_households=THRESHOLD)
    own = panel[panel["unit"] == treated[0]]
    counts = [c[0] for c, unit in zip(panel.attrs["counts"], panel["unit"]) if unit == treated[0]]
    small_months = {p.strftime("%Y-%m-%d") for p, n in zip(own["period"], counts) if small(n)}
    trends = next(c for c in charts(at) if any("rattat" in str(t.get("name", "")) for t in c["data"]))
    treated_trace = next(t for t in trends["data"] if "rattat" in str(t.get("name", "")))
    shown = {str(x)[:10]: (None if y is None or y != y else y)
             for x, y in zip(values(treated_trace, "x"), values(treated_trace, "y"))}
    assert small_months, "the default building has months with 1-4 households in arrears"
    assert all(shown.get(m) is None for m in small_months if m in shown), {m: shown.get(m) for m in small_months}


@pytest.mark.parametrize("page", ["views/arrears.py", "views/allocations.py", "views/impact.py",
                                  "views/overview.py", "views/vacancy.py"])
def test_csv_and_excel_downloads_hold_no_small_count(page, loaded_warehouse, monkeypatch):  # noqa: F811
    import io

    import openpyxl

    from dashboard import tables
    from osservatorio import exports

    taken, original = [], tables.downloads

    def capture(frame, cols, *, name, key):
        taken.append((name, *tables.export_frame(frame, cols)))
        return original(frame, cols, name=name, key=key)

    monkeypatch.setattr(tables, "downloads", capture)
    open_as_regione(loaded_warehouse.url, monkeypatch, page, ("INT002",))
    assert taken, "the page offers downloads"
    for name, data, kinds in taken:
        csv = pd.read_csv(io.BytesIO(exports.to_csv(data, kinds)), sep=";", dtype=str, encoding="utf-8-sig")
        sheet = openpyxl.load_workbook(io.BytesIO(exports.to_excel(data, kinds, sheet=name[:31]))).active
        rows = list(sheet.iter_rows(values_only=True))
        xlsx = pd.DataFrame(rows[1:], columns=rows[0])
        for heading in COUNT_HEADINGS & set(csv.columns):
            assert not csv[heading].isin(["1", "2", "3", "4"]).any(), (name, heading, csv[heading].tolist())
            assert not xlsx[heading].isin([1, 2, 3, 4]).any(), (name, heading)
