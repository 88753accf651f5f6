"""Units coming free feed the offer side of allocation: worked out by hand on the selection warehouse of
`test_selection_data` plus two fixed-term leases, on SQLite and PostgreSQL.

At 31/10/2026 (3 months: 31/01/2027, 6 months: 30/04/2027, 12 months: 31/10/2027), units of INT1 by the largest
household they are adequate for (minimum m² 28, 38, 42, 56, 66):
    A2  30 m² -> 1   300 €  free now
    A1  50 m² -> 3   400 €  free now          A10 45 m² -> 3   350 €  lease a termine ends 31/03/2027 -> 01/04/2027
    A4  65 m² -> 4   600 €  free now          A6  60 m² -> 4   500 €  works end 01/06/2027
    A3  75 m² -> 5+  700 €  lease ends 15/11/2026 -> 16/11/2026  A11 70 m² -> 5+  650 €  lease ends 31/08/2027
    (A7 not lettable, A8 and A9 let with no end date: never offered)
INT2: A5 50 m² -> 3, 300 €, free now.
Households waiting (eligible, AVV1 on INT1): 1 person R1; 2 persons R2, R6; 3 persons R3, R5; 5+ R4; AVV2 on INT2:
1 person R8. The past call AVV3 has nobody waiting.
"""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest

from factories import load_text, reasons
from indicators import store
from indicators.offer_windows import offer_units, offer_windows
from indicators.scope import Scope
from indicators.selection_data import call_units, calls
from test_selection_data import AS_OF, FILES

EXTRA = {
    "alloggi": "A10;E1;locazione_termine;45;350,00;locabile;1;si;;20,00;\n"
               "A11;E1;locazione_termine;70;650,00;locabile;1;si;;;\n",
    "nuclei": "N10;2\nN11;4\n",
    "contratti": "L10;A10;N10;01/04/2022;31/03/2027;330,00\nL11;A11;N11;01/09/2022;31/08/2027;640,00\n",
}


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in FILES.items():
        result = load_text(tmp_path, kind, content + EXTRA.get(kind, ""), engine=engine, settings=settings)
        assert result.status == "completato", (kind, reasons(engine, result.batch_id))
    store.build(engine)
    return engine


def test_a_fixed_term_lease_ending_within_the_horizon_is_in_the_calls_offer(loaded):
    call = next(c for c in calls(loaded) if c.code == "AVV1")
    # 180 days after 31/10/2026 is 29/04/2027: A10 (free 01/04/2027) is offered, A11 (01/09/2027) and A6 are not
    units = call_units(loaded, call, as_of=AS_OF, horizon_days=180).set_index("code")
    assert sorted(units.index) == ["A1", "A10", "A2", "A3", "A4"]
    assert (units.at["A10", "available_on"], units.at["A10", "monthly_rent"], units.at["A10", "empty_days"]) == (
        date(2027, 4, 1), 350.0, 0)
    assert units.at["A3", "available_on"] == date(2026, 11, 16)
    # within a year every unit coming free is offered, the works too
    year = call_units(loaded, call, as_of=AS_OF, horizon_days=365).set_index("code")
    assert sorted(year.index) == ["A1", "A10", "A11", "A2", "A3", "A4", "A6"]
    assert (year.at["A11", "available_on"], year.at["A11", "monthly_rent"]) == (date(2027, 9, 1), 650.0)


def test_units_coming_free_in_3_6_12_months_next_to_the_demand_per_intervention(loaded):
    frame = offer_windows(loaded, as_of=AS_OF)
    rows = {(r.intervention_code, r.size): (r.households, r.free_now, r.free_3, r.free_6, r.free_12,
                                            *[None if pd.isna(v) else v for v in (r.rent_mean, r.rent_min)])
            for r in frame.itertuples()}
    assert rows == {
        ("INT1", 1): (1, 1, 1, 1, 1, 300.0, 300.0),
        ("INT1", 2): (2, 0, 0, 0, 0, None, None),
        ("INT1", 3): (2, 1, 1, 2, 2, 375.0, 350.0),  # A1 now, A10 in April 2027
        ("INT1", 4): (0, 1, 1, 1, 2, 550.0, 500.0),  # A4 now, A6 after the works
        ("INT1", 5): (1, 0, 1, 1, 2, 675.0, 650.0),  # A3 in November 2026, A11 in September 2027
        ("INT2", 1): (1, 0, 0, 0, 0, None, None),
        ("INT2", 3): (0, 1, 1, 1, 1, 300.0, 300.0)}
    assert frame.loc[frame["size"] == 5, "size_label"].iloc[0] == "5 persone o più"
    units = offer_units(loaded, as_of=AS_OF).set_index("unit_code")
    assert units.loc[["A2", "A3", "A10", "A6", "A11"], "window"].tolist() == [
        "ora", "entro 3 mesi", "entro 6 mesi", "entro 12 mesi", "entro 12 mesi"]
    assert (units.at["A10", "available_on"], units.at["A10", "monthly_rent"], units.at["A10", "monthly_charges"]) == (
        date(2027, 4, 1), 350.0, 20.0)


def test_the_offer_of_one_intervention_only(loaded):
    frame = offer_windows(loaded, as_of=AS_OF, scope=Scope(interventions=("INT2",)))
    assert frame[["intervention_code", "size", "households", "free_12"]].values.tolist() == [
        ["INT2", 1, 1, 0], ["INT2", 3, 0, 1]]


def test_units_coming_free_is_a_registry_figure_in_the_kpi_command(loaded, warehouse_url, monkeypatch):
    from typer.testing import CliRunner

    from osservatorio.cli import app
    from osservatorio.settings import get_settings

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    try:
        total = CliRunner().invoke(app, ["kpi", "units_coming_free", "--as-of", "31/10/2026", "--format", "json"])
        per = CliRunner().invoke(app, ["kpi", "units_coming_free", "--as-of", "31/10/2026", "--by", "intervention",
                                       "--format", "json"])
        text = CliRunner().invoke(app, ["kpi", "units_coming_free", "--as-of", "31/10/2026"])
    finally:
        get_settings.cache_clear()
    assert total.exit_code == 0, total.output
    data = json.loads(total.stdout)
    # 8 units: A2, A1, A4, A5 now; A3 within 3 months; A10 within 6; A6, A11 within 12. Rents 3.800 € / 8 = 475 €
    assert data["value"] == 8.0 and data["breakdown"] == {"households": 7.0, "free_now": 4.0, "free_3": 5.0,
                                                          "free_6": 6.0, "rent_mean": 475.0}
    assert per.exit_code == 0, per.output
    rows = {r["group"]: (r["value"], r["free_now"], r["free_3"], r["free_6"], r["households"], r["rent_mean"])
            for r in json.loads(per.stdout)}
    # INT1: (300 + 400 + 350 + 600 + 500 + 700 + 650) / 7 = 500 €
    assert rows == {"INT1": (7, 3, 4, 5, 6, 500.0), "INT2": (1, 1, 1, 1, 1, 300.0)}
    assert text.exit_code == 0 and "Alloggi in arrivo per l'assegnazione nei prossimi 12 mesi" in text.output
