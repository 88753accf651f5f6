"""The month-end facts answer exactly as the positions they precompute.

At a month end the arrears totals of whole buildings are read from the `building_month` fact and those of single
leases from one `lease_month` row each; any other day reads the running sums at the month before plus the
movements since. The three must agree to the cent, and with the figures worked out by hand in `test_arrears`.
"""

from __future__ import annotations

from datetime import date

from indicators import ledger
from indicators.position_sql import TOTALS, totals_select
from indicators.scope import Scope
from indicators.sql import query
from tests.test_arrears import AGING, CREDITS, FORMER, PARTIAL, PREPAID, REPAID, ledger as ledger_fixture  # noqa: F401

MONTHS = [date(2023, 11, 30), date(2023, 12, 31), date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31),
          date(2024, 4, 30)]


def test_building_month_equals_the_leases_positions(engine, ledger_fixture):
    ledger_fixture(PARTIAL, PREPAID.replace("C1;", "C5;"), CREDITS, FORMER, AGING, REPAID)
    for by, scope, groups in ((None, Scope(), 1), ("intervention", Scope(), 2), ("fund", Scope(funds=("Fondo Uno",)), 1),
                              ("building", Scope(buildings=("E2",)), 1), ("sgr", Scope(), 1),
                              (None, Scope(buildings=("E1",)), 1)):
        from_fact = ledger.totals(engine, scope=scope, by=by, as_of=MONTHS[-1], months=MONTHS)
        ctes, params = ledger.positions_ctes(engine, scope=scope, by=by, as_of=MONTHS[-1], months=MONTHS,
                                             every_lease=False)
        assert "lease_month m JOIN cal" in ctes  # one lease_month row per lease and month end
        from_leases = query(engine, totals_select(ctes), params)
        for col in TOTALS:
            from_leases[col] = from_leases[col].astype(float).round(2)
        from_leases = from_leases.sort_values(["bucket", "grp"], na_position="last", ignore_index=True)
        columns = ["bucket", "grp", *TOTALS]
        assert from_fact[columns].to_dict("records") == from_leases[columns].to_dict("records"), (by, scope)
        assert len(from_fact) == len(MONTHS) * groups


def test_month_end_row_equals_the_running_sums_of_any_day(engine, ledger_fixture):
    """`lease_month`'s overdue charges (due more than 30 days before the month end) and the month's flows equal
    what the any-day path sums from the movements, at every month end of the ledger."""
    ledger_fixture(PARTIAL, CREDITS, FORMER, AGING, REPAID)
    for month_end in MONTHS:
        fact = ledger.totals(engine, scope=Scope(), by="unit", as_of=month_end)           # lease_month rows
        any_day = ledger.totals(engine, scope=Scope(), by="unit", as_of=month_end, start=month_end.replace(day=2))
        # the same month end with a period starting on the 2nd takes the any-day path; the stock and the households
        # overdue do not depend on the period
        for col in ("stock", "stock_former", "contracts_in_arrears", "households_overdue", "active_leases"):
            assert fact[col].tolist() == any_day[col].tolist(), (month_end, col)


def test_hand_checked_totals_at_a_month_end(engine, ledger_fixture):
    """31/03/2024, from the fact. Fondo Uno: C1 owes 1,500 − 800 = 700; C3 owes 1,500 − (100 + 500 + 400) = 500;
    C4 (ended 31/12/2023) owes 1,000 − 200 − 300 = 500. March's charges: C1's and C3's 500 each, no payment."""
    ledger_fixture(PARTIAL, CREDITS, FORMER, REPAID)
    frame = ledger.totals(engine, scope=Scope(), by="fund", as_of=date(2024, 3, 31))
    uno = frame[frame["grp"] == "Fondo Uno"].iloc[0]
    assert (uno["stock"], uno["stock_former"], uno["contracts_in_arrears"]) == (1700.0, 500.0, 3)
    assert (uno["period_charged"], uno["period_cash"], uno["leases"], uno["active_leases"]) == (1000.0, 0.0, 4, 3)


def test_a_page_run_reads_the_same_totals_once(engine, ledger_fixture):
    """Inside a page run's snapshot (one build of the copy) the figures that need the same sums share one read, and
    the copy is still what they say; outside one, each call reads the copy again."""
    from indicators import store
    from indicators.sql import recording

    ledger_fixture(PARTIAL, CREDITS, FORMER, REPAID)
    ask = dict(scope=Scope(), by="fund", as_of=date(2024, 3, 15), start=date(2024, 3, 1))  # the any-day path
    with recording() as outside:
        first, second = ledger.totals(engine, **ask), ledger.totals(engine, **ask)
    with store.snapshot(engine) as copy, recording() as inside:
        assert copy is not None
        shared_first, shared_second = ledger.totals(engine, **ask), ledger.totals(engine, **ask)
        shared_second.loc[0, "stock"] = -1.0  # what a caller does to its answer is not shared
        third = ledger.totals(engine, **ask)
    assert len(outside) == 2 and len(inside) == 1
    assert first.equals(second) and first.equals(shared_first) and first.equals(third)
    uno = first[first["grp"] == "Fondo Uno"].iloc[0]
    # 15/03/2024: C1 1,500 − 800 = 700; C3 1,500 − (100 + 500) = 900 (the 400 write-off comes on 20/03); C4 500
    assert (uno["stock"], uno["contracts_in_arrears"]) == (2100.0, 3)
