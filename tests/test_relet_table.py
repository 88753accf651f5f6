"""The relets pre-aggregate (`lease_relet`) and the eviction counts per building, on both backends.

The hand-built portfolio of `test_vacancy` gives the table's rows by hand and every hand-worked relet
figure again, now read from the table; the sample gives the same figures from the table as computed
live, for every year, several scopes and groupings. A load of leases or tickets makes the table stale
(the figures are then computed live, already right) and `ensure_fresh` rebuilds it.
"""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from etl.loader import load_dir
from etl.sample import generate
from indicators import relet_table, snapshot
from indicators.scope import Scope
from indicators.vacancy import evictions_per_1000, relet_times, relets
from tests import test_vacancy as hand
from tests.factories import load_text, rows
from tests.test_vacancy import FILES, wh  # noqa: F401  (fixture)


def test_rows_by_hand_and_the_hand_worked_figures_from_the_table(wh):  # noqa: F811
    snapshot.refresh(wh)
    assert relet_table.fresh(wh)
    # Per unit, leases by start: the first of each unit is a first let; A2's C4 follows T1's 8.000 € works;
    # C7 follows C6 (ended 15/11/2023) on 01/03/2024: 15 + 31 + 31 + 29 + 1 = 107 days.
    assert rows(wh, "SELECT lease_code, previous_lease, days, reason FROM lease_relet ORDER BY next_start, "
                    "lease_code") == [
        ("C1", None, None, "prima_locazione"), ("C3", None, None, "prima_locazione"),
        ("C6", None, None, "prima_locazione"), ("C8", None, None, "prima_locazione"), ("C2", "C1", 31, None),
        ("C4", "C3", 93, "dopo_lavori"), ("D1", None, None, "prima_locazione"), ("C10", "C2", 10, None),
        ("C9", "C8", 1, None), ("C5", None, None, "prima_locazione"), ("C7", "C6", 107, None)]
    hand.test_relets_exclude_first_lets_and_relets_after_works(wh)
    hand.test_relets_by_the_new_tenants_income_band(wh)
    hand.test_works_threshold_is_a_parameter(wh)  # another threshold: computed live
    hand.test_scope_two_funds_every_function(wh)
    # Proof that the default threshold reads the table: doctor C10's 10 days into 110.
    with wh.begin() as conn:
        conn.execute(text("UPDATE lease_relet SET days = 110 WHERE lease_code = 'C10'"))
    got = relet_times(wh, year=2023)  # 31, 110, 1 -> 142 / 3, median 31
    assert (got.numerator, got.denominator, got.breakdown["mediana"]) == (142, 3, 31)
    assert relet_times(wh, year=2023, works_threshold=10_000).value == 33.75  # live: unchanged


def test_a_ticket_or_lease_load_makes_it_stale_and_ensure_fresh_rebuilds_it(wh, tmp_path, settings):  # noqa: F811
    snapshot.refresh(wh)
    # T4, 6.000 € on A6 opened 31/07/2023, between C8's end and C9's start: C9 becomes a relet after works.
    tickets = FILES["segnalazioni"] + "T4;E1;A6;idraulica;31/07/2023;6.000,00\n"
    assert load_text(tmp_path, "segnalazioni", tickets, engine=wh, settings=settings).status == "completato"
    assert not relet_table.fresh(wh)
    live = relet_times(wh, year=2023)  # C2 31, C10 10 -> 41 / 2
    assert (live.numerator, live.denominator, live.breakdown["escluse_dopo_lavori"]) == (41, 2, 2)
    assert snapshot.ensure_fresh(wh) is not None and relet_table.fresh(wh)
    assert relet_times(wh, year=2023) == live
    assert rows(wh, "SELECT reason FROM lease_relet WHERE lease_code = 'C9'") == [("dopo_lavori",)]
    # C5 on A3 now ends 31/12/2023 and C11 follows on 01/02/2024: 32 days; 2024 had C7's 107 alone.
    leases = FILES["contratti"].replace("C5;A3;N6;01/09/2023;;", "C5;A3;N6;01/09/2023;31/12/2023;") + \
        "C11;A3;N11;01/02/2024;;500,00;\n"
    assert load_text(tmp_path, "contratti", leases, engine=wh, settings=settings).status == "completato"
    assert not relet_table.fresh(wh)
    live = relet_times(wh, year=2024)
    assert (live.numerator, live.denominator, live.breakdown["mediana"]) == (139, 2, 69.5)
    snapshot.ensure_fresh(wh)
    assert relet_table.fresh(wh) and relet_times(wh, year=2024) == live


SAMPLE_UNITS, SAMPLE_YEARS = 400, 5  # enough for some 60 relets counted, first lets and relets after works


@pytest.fixture
def sample(engine, settings, tmp_path):
    """The sample loaded, a few relet units set under works (status), pre-aggregates built."""
    generate(tmp_path, units=SAMPLE_UNITS, years=SAMPLE_YEARS, seed=7)
    assert all(r.status in ("completato", "con_scarti") for r in load_dir(tmp_path, engine=engine, settings=settings))
    with engine.begin() as conn:
        conn.execute(text("UPDATE unit SET status = 'in_ristrutturazione' WHERE code IN (SELECT unit_code FROM "
                          "lease GROUP BY unit_code HAVING COUNT(*) > 1 ORDER BY unit_code LIMIT 5)"))
    snapshot.refresh(engine)
    return engine


def _records(frame) -> list[dict]:
    """Rows comparable with == (None, not NaN, where missing)."""
    return frame.astype(object).where(frame.notna(), None).to_dict("records")


def _relet_figures(engine, years: range, scopes: list[Scope]) -> list:
    out = []
    for year in years:
        for scope in scopes:
            out.append(relet_times(engine, year=year, scope=scope))
            out.append(_records(relets(engine, year=year, scope=scope)))
            out.extend(_records(relet_times(engine, year=year, scope=scope, by=by))
                       for by in ("intervention", "unit", "tenure", "income_band"))
    return out


def test_sample_same_relets_from_the_table_as_live(sample):
    first, last = rows(sample, "SELECT MIN(start_date), MAX(start_date) FROM lease")[0]
    years = range(int(str(first)[:4]), int(str(last)[:4]) + 1)
    fund, intervention, building = rows(sample, "SELECT i.fund, i.code, b.code FROM building b JOIN intervention i "
                                                "ON i.code = b.intervention_code ORDER BY b.code LIMIT 1")[0]
    scopes = [Scope(), Scope(funds=(fund,)), Scope(interventions=(intervention,)), Scope(buildings=(building,))]
    assert relet_table.fresh(sample)
    held = _relet_figures(sample, years, scopes)
    with sample.begin() as conn:
        conn.execute(text("DELETE FROM aggregate_state WHERE name = 'relets'"))
    assert not relet_table.fresh(sample)
    assert held == _relet_figures(sample, years, scopes)
    counted = [relet_times(sample, year=y) for y in years]
    assert sum(k.denominator for k in counted) > 50 and sum(k.breakdown["escluse_dopo_lavori"] for k in counted) > 0


def test_sample_evictions_units_per_building_equal_units_one_by_one(sample):
    """The units in stock counted per building (no grouping or one above the unit) and unit by unit agree."""
    fund = rows(sample, "SELECT MIN(fund) FROM intervention")[0][0]
    for scope in (Scope(), Scope(funds=(fund,))):
        for start, end in ((date(2025, 1, 1), date(2025, 12, 31)), (date(2025, 11, 1), date(2026, 10, 31))):
            total = evictions_per_1000(sample, start=start, end=end, scope=scope)
            per_unit = evictions_per_1000(sample, start=start, end=end, scope=scope, by="unit")
            per_intervention = evictions_per_1000(sample, start=start, end=end, scope=scope, by="intervention")
            assert total.denominator == per_unit["denominator"].sum() == per_intervention["denominator"].sum() > 0
            assert total.numerator == per_unit["numerator"].sum() == per_intervention["numerator"].sum()
