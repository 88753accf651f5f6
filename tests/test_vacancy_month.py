"""The per-building monthly vacancy pre-aggregate: rows worked out by hand, used only where exact, rebuilt when
stale, and the same figures as the live queries on the sample (the portfolio is `tests.test_vacancy`'s)."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from indicators import snapshot, vacancy_month
from indicators.scope import Scope
from indicators.vacancy import longest_empty, turnover, vacancy, vacancy_days, vacancy_series, void_loss
from tests.factories import load_text, rows
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from tests.test_snapshot import sample_pair  # noqa: F401  (fixture)
from tests.test_vacancy import FILES, LEDGER

COLUMNS = ("units, empty, unit_days, empty_days, ended, void_rent_m1, void_units_m1, no_rent_m1, void_rent_y1, "
           "void_units_y1, no_rent_y1, void_rent_ytd, void_units_ytd, no_rent_ytd")
M = 30.4375


def key(year: int, month: int) -> int:
    return year * 12 + month - 1


@pytest.fixture
def wh(tmp_path, engine, settings):
    for kind, content in {**FILES, "movimenti": LEDGER}.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    snapshot.refresh(engine)
    return engine


def month_row(engine, building: str, tenure: str, available: int, month: int) -> tuple:
    got = rows(engine, f"SELECT {COLUMNS} FROM vacancy_month WHERE building_code = '{building}' AND tenure = "
                       f"'{tenure}' AND available = {available} AND month_key = {month}")
    assert len(got) == 1
    return tuple(float(v) for v in got[0])


def test_rows_worked_out_by_hand(wh):
    perm, term = "locazione_permanente", "locazione_termine"
    # E1, July 2023. Permanent and available: A1 (600; C2 ended 30/06, C10 from 10/07: empty 1-9 July), A2 (let
    # from 01/06), A5 (C6 running). Empty 9 of 93 days, none at 31/07. Twelve months = year to date (management
    # from 01/01/2023): A1 empty in April (30) and July (9) = 39 days x 600 = 23,400; A2 March to May
    # (31 + 30 + 31 = 92) x 400 = 36,800: 60,200 on 2 units.
    assert month_row(wh, "E1", perm, 1, key(2023, 7)) == (3, 0, 93, 9, 0, 5400, 1, 0, 60200, 2, 0, 60200, 2, 0)
    # The days over twelve months and the year to date (the same here): 3 units x 212 days (January to July),
    # of which 39 + 92 empty.
    assert rows(wh, "SELECT unit_days_y1, empty_days_y1, unit_days_ytd, empty_days_ytd FROM vacancy_month WHERE "
                    f"building_code = 'E1' AND tenure = '{perm}' AND available = 1 AND month_key = {key(2023, 7)}"
                ) == [(636, 131, 636, 131)]
    # A4, in works: unavailable, empty all month, no void loss.
    assert month_row(wh, "E1", perm, 0, key(2023, 7)) == (1, 1, 31, 31, 0) + (0,) * 9
    # Fixed-term: A3 (500, first let 01/09: empty all 2023 to date, 212 days by 31/07) and A6 (C8 ends 31/07:
    # let at the month end, one lease ended).
    assert month_row(wh, "E1", term, 1, key(2023, 7)) == (
        2, 1, 62, 31, 1, 15500, 1, 0, 106000, 1, 0, 106000, 1, 0)
    # A5 has no rent of its own: C6 (450) ended 15/11/2023, C7 (480) starts 01/03/2024. In February 2024
    # the twelve months hold its 15 + 31 + 31 + 29 = 106 empty days at C6's rent, with A1's 39 and A2's 92; the
    # year to date only A5's 31 + 29. In March the twelve months take C7's rent (the last lease started by the
    # period's end), with A1 (39 days) and A2 (April-May 2023: 61 days).
    assert month_row(wh, "E1", perm, 1, key(2024, 2))[8:] == (106 * 450 + 39 * 600 + 92 * 400, 3, 0, 60 * 450, 1, 0)
    assert month_row(wh, "E1", perm, 1, key(2024, 3))[8:11] == (106 * 480 + 39 * 600 + 61 * 400, 3, 0)
    # INT2's units enter the stock on 01/07/2023: no row before; B3 (no rent anywhere) counts as without rent.
    assert rows(wh, f"SELECT COUNT(*) FROM vacancy_month WHERE building_code = 'E2' AND month_key = "
                    f"{key(2023, 6)}") == [(0,)]
    assert month_row(wh, "E2", "altro", 1, key(2023, 7)) == (1, 1, 31, 31, 0, 0, 1, 1, 0, 1, 1, 0, 1, 1)


def test_used_only_where_exact(wh):
    held = lambda fn, *args, by=None: fn(wh, Scope(), by, "'totale'", *args) is not None  # noqa: E731
    assert held(vacancy_month.at_month_end, date(2023, 12, 31))
    assert not held(vacancy_month.at_month_end, date(2023, 12, 30))  # not a month end
    assert not held(vacancy_month.at_month_end, date(2022, 12, 31))  # before the months held
    assert not held(vacancy_month.at_month_end, date(2023, 12, 31), by="unit")
    assert held(vacancy_month.period_days, date(2023, 2, 1), date(2023, 5, 31))
    assert not held(vacancy_month.period_days, date(2023, 2, 2), date(2023, 5, 31))
    assert held(vacancy_month.void, date(2023, 1, 1), date(2023, 12, 31))
    assert held(vacancy_month.void, date(2023, 8, 1), date(2024, 7, 31))
    assert not held(vacancy_month.void, date(2023, 2, 1), date(2023, 5, 31))  # four months: not a held period
    # the months of the ledger's last year are held to December (2025: the ledger ends in January)
    assert held(vacancy_month.year_turnover, 2025) and not held(vacancy_month.year_turnover, 2026)
    assert not held(vacancy_month.month_series, date(2023, 6, 1), date(2023, 8, 20))
    # Proof that the figures read it: doctor E1's December row, and only the month-end figure of a scope of
    # buildings moves; a scope of interventions reads the per-intervention copy and the whole portfolio the
    # per-fund one, until those are doctored too.
    buildings, december = Scope(buildings=("E1", "E2")), f"month_key = {key(2023, 12)}"
    with wh.begin() as conn:
        conn.execute(text(f"UPDATE vacancy_month SET empty = empty + 1 WHERE building_code = 'E1' "
                          f"AND tenure = 'locazione_permanente' AND available = 0 AND {december}"))
    assert vacancy(wh, as_of=date(2023, 12, 31), scope=buildings).numerator == 6
    assert vacancy(wh, as_of=date(2023, 12, 30), scope=buildings).numerator == 5
    assert vacancy(wh, as_of=date(2023, 12, 31)).numerator == 5
    with wh.begin() as conn:
        conn.execute(text(f"UPDATE vacancy_month_by_intervention SET empty = empty + 2 WHERE intervention_code = "
                          f"'INT1' AND tenure = 'locazione_permanente' AND available = 0 AND {december}"))
    assert vacancy(wh, as_of=date(2023, 12, 31), scope=Scope(interventions=("INT1", "INT2"))).numerator == 7
    assert vacancy(wh, as_of=date(2023, 12, 31), by="building").set_index("group")["numerator"].sum() == 6
    assert vacancy(wh, as_of=date(2023, 12, 31)).numerator == 5
    with wh.begin() as conn:
        conn.execute(text(f"UPDATE vacancy_month_by_fund SET empty = empty + 3 WHERE fund = 'Fondo Uno' "
                          f"AND tenure = 'locazione_permanente' AND available = 0 AND {december}"))
    assert vacancy(wh, as_of=date(2023, 12, 31)).numerator == 8
    assert vacancy(wh, as_of=date(2023, 12, 31), by="fund").set_index("group")["numerator"].sum() == 8


def test_a_lease_load_makes_it_stale_and_ensure_fresh_rebuilds_it(wh, tmp_path, settings):
    year = {"start": date(2023, 1, 1), "end": date(2023, 12, 31)}
    before = void_loss(wh, **year)
    # A3 is let from 01/08 instead of 01/09/2023: 31 fewer empty days at 500 a month.
    leases = FILES["contratti"].replace("C5;A3;N6;01/09/2023", "C5;A3;N6;01/08/2023")
    assert load_text(tmp_path, "contratti", leases, engine=wh, settings=settings).status == "completato"
    assert vacancy_month.fresh_months(wh) is None
    after = void_loss(wh, **year)  # computed live meanwhile: already right
    assert before.value - after.value == pytest.approx(31 * 500 / M)
    assert snapshot.ensure_fresh(wh) is not None
    assert vacancy_month.fresh_months(wh) == (key(2023, 1), key(2025, 12))
    assert void_loss(wh, **year) == after
    assert snapshot.ensure_fresh(wh) is None


# --- the sample: every stock-side KPI the same from `vacancy_month` as from the units and leases ----------------
@pytest.mark.parametrize("by", [None, "sgr", "fund", "intervention", "building", "tenure"])
def test_sample_same_figures_both_ways(sample_pair, by):  # noqa: F811
    fast, raw = sample_pair
    assert vacancy_month.fresh_months(fast) is not None and vacancy_month.fresh_months(raw) is None
    scopes = [Scope()] if by else [Scope(), Scope(sgrs=("nessuna",))]
    end = date(2026, 10, 31)
    for scope in scopes:
        for start in (date(2026, 1, 1), date(2025, 11, 1), date(2026, 10, 1)):  # year to date, 12 months, month
            for fn in (vacancy_days, void_loss):
                same(fn(fast, start=start, end=end, scope=scope, by=by), fn(raw, start=start, end=end, scope=scope,
                                                                             by=by))
        for as_of in (end, date(2025, 10, 31), date(2024, 2, 29)):
            same(vacancy(fast, as_of=as_of, scope=scope, by=by), vacancy(raw, as_of=as_of, scope=scope, by=by))
            if by is None:  # the whole list (ties broken by unit code), read from `empty_unit_month` but in 2024
                with fast.connect() as conn:
                    assert (vacancy_month.empty_units_sql(conn, "", as_of) is None) == (as_of.year == 2024)
                lists = [longest_empty(e, as_of=as_of, scope=scope, limit=100_000) for e in (fast, raw)]
                if scope.sgrs:  # an SGR without units: nothing either way
                    assert lists[0].empty and lists[1].empty and list(lists[0].columns) == list(lists[1].columns)
                else:
                    same(*lists)
        for year in (2025, 2026):  # 2026: the ledger ends in October, the months to December are held too
            same(turnover(fast, year=year, scope=scope, by=by), turnover(raw, year=year, scope=scope, by=by))
        same(vacancy_series(fast, start=date(2024, 10, 1), end=end, scope=scope, by=by),
             vacancy_series(raw, start=date(2024, 10, 1), end=end, scope=scope, by=by))


def test_sample_same_figures_in_a_fund_scope(sample_pair):  # noqa: F811
    fast, raw = sample_pair
    fund = rows(fast, "SELECT MIN(fund) FROM intervention")[0][0]
    scope = Scope(funds=(fund,))
    end = date(2026, 10, 31)
    got = void_loss(fast, start=date(2025, 11, 1), end=end, scope=scope)
    assert got.value > 0 and got == void_loss(raw, start=date(2025, 11, 1), end=end, scope=scope)
    same(vacancy(fast, as_of=end, scope=scope, by="building"), vacancy(raw, as_of=end, scope=scope, by="building"))
    same(longest_empty(fast, as_of=end, scope=scope), longest_empty(raw, as_of=end, scope=scope))


def same(fast, raw) -> None:
    """Equal results, money to the cent (SQLite sums floats in another order)."""
    if hasattr(fast, "to_dict"):
        assert list(fast.columns) == list(raw.columns)
        fast, raw = fast.to_dict("records"), raw.to_dict("records")
        assert len(fast) == len(raw) and len(fast) > 0
        for a, b in zip(fast, raw):
            assert a.keys() == b.keys()
            for k in a:
                if isinstance(b[k], float) and b[k] != b[k]:  # missing (NaN) both ways
                    assert a[k] != a[k], (k, a, b)
                    continue
                assert a[k] == (pytest.approx(b[k], abs=0.005) if isinstance(b[k], float) else b[k]), (k, a, b)
        return
    assert (fast.code, fast.warnings, fast.breakdown.keys()) == (raw.code, raw.warnings, raw.breakdown.keys())
    for a, b in ((fast.value, raw.value), (fast.numerator, raw.numerator), (fast.denominator, raw.denominator),
                 *zip(fast.breakdown.values(), raw.breakdown.values())):
        assert a == (pytest.approx(b, abs=0.005) if isinstance(b, float) else b)


# --- the units empty at the month ends (`empty_unit_month`, for `longest_empty`) ---------------------------------
def test_empty_units_worked_out_by_hand_and_read(wh):
    # At 31/12/2023 (test_vacancy.test_longest_empty): A4 never let, in stock since 01/01 -> 365 days; B2, B3
    # never let, since 01/07 -> 184; B1 (C9 ended 30/09) 92; A5 (C6 ended 15/11) 46.
    assert [(u, str(end) if end else None, n) for u, end, n in rows(
        wh, f"SELECT unit_code, last_end, days_empty FROM empty_unit_month WHERE month_key = {key(2023, 12)} "
            "ORDER BY unit_code")] == [
        ("A4", None, 365), ("A5", "2023-11-15", 46), ("B1", "2023-09-30", 92), ("B2", None, 184), ("B3", None, 184)]
    # The last 25 months of the ledger's (those of `lease_month`, to January 2025 when December's charge is overdue):
    # January 2023 to January 2025.
    assert rows(wh, "SELECT MIN(month_key), MAX(month_key), COUNT(DISTINCT month_key) FROM empty_unit_month") == [
        (key(2023, 1), key(2025, 1), 25)]
    # Proof that the list reads it: doctor B1's days at every month end held; the month ends move, another day
    # does not, nor does a month end after those held (28/02/2025, computed live).
    with wh.begin() as conn:
        conn.execute(text("UPDATE empty_unit_month SET days_empty = 400 WHERE unit_code = 'B1'"))
    assert longest_empty(wh, as_of=date(2023, 12, 31), limit=2)["unit_code"].tolist() == ["B1", "A4"]
    assert longest_empty(wh, as_of=date(2023, 12, 31), scope=Scope(interventions=("INT1",)))["unit_code"].tolist() \
        == ["A4", "A5"]
    assert longest_empty(wh, as_of=date(2023, 12, 30), limit=2)["unit_code"].tolist() == ["A4", "B2"]
    # 31/01/2025: A4 in stock since 01/01/2023, 762 days; B2, B3 since 01/07/2023, 581; B1 (doctored) 400.
    got = longest_empty(wh, as_of=date(2025, 1, 31))
    assert got[["unit_code", "days_empty"]].values.tolist() == [["A4", 762], ["B2", 581], ["B3", 581], ["B1", 400]]
    # 28/02/2025: 790, 609, 609 and B1 since 30/09/2023: 366 + 151 = 517 days.
    got = longest_empty(wh, as_of=date(2025, 2, 28))
    assert got[["unit_code", "days_empty"]].values.tolist() == [["A4", 790], ["B2", 609], ["B3", 609], ["B1", 517]]
