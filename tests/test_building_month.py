"""The per-building monthly pre-aggregate: rows worked out by hand, used only where exact, rebuilt when stale."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from indicators import building_month, snapshot
from indicators.arrears import arrears_aging_by_contract, arrears_kpis, arrears_stock
from indicators.scope import Scope
from tests.factories import load_text, rows
from tests.test_arrears import D, FORMER, PARTIAL, PORTFOLIO
from tests.test_snapshot import key, load  # noqa: F401  (fixture)

AGED = "aged_30, aged_30_n, aged_60, aged_60_n, aged_90, aged_90_n, aged_365, aged_365_n, aged_730, aged_730_n, " \
    "aged_over, aged_over_n"
COLUMNS = ("leases, moves, stock, stock_former, contracts_in_arrears, active_leases, stock_active, annual_rent, "
           "households_overdue, charged_m1, unpaid_m1, collected_m1, cash_m1, charged_ytd, unpaid_ytd, collected_ytd, "
           "cash_ytd, charged_y1, unpaid_y1, collected_y1, cash_y1")


def month_row(engine, building: str, tenure: str, month: int) -> tuple:
    got = rows(engine, f"SELECT {COLUMNS} FROM building_month WHERE building_code = '{building}' "
                       f"AND tenure = '{tenure}' AND month_key = {month}")
    assert len(got) == 1
    return tuple(float(v) for v in got[0])


def test_rows_worked_out_by_hand(engine, load):  # noqa: F811
    load(PARTIAL, FORMER)
    built = snapshot.refresh(engine)
    # Months from November 2023 (C4's first movement) to April 2024 (C1's March charge turns overdue):
    # 6 months x (E1 permanent, E2 fixed-term).
    assert built.building_months == 12
    # E1 at 31/03/2024: C1..C4 are its leases, C1..C3 run (C4 ended 31/12/2023): rent roll 3 x 12 x 500.
    # C1: charged 1,500, credited 800 (all cash), 1,000 overdue -> debt 700, overdue debt 200 > 0.
    # C4 (former): charged 1,000, paid 200 -> debt 800. Stock 1,500, of which former 800, active 700.
    # March (m1): C1's 500 due in March is unpaid (debt 700 >= 500); nothing collected or cashed in March.
    # Year to date (from January): C1 charged 1,500, unpaid min(700, 1,500) = 700, collected = cashed = 800;
    # C4 nothing due in 2024 (its 1,000 fell due in 2023). Twelve months (from April 2023): C4's 1,000 too,
    # unpaid min(800, 1,000) = 800, its 200 paid in November collected and cashed.
    assert month_row(engine, "E1", "locazione_permanente", key(2024, 3)) == (
        4, 8, 1500, 800, 2, 3, 700, 18000, 1,
        500, 500, 0, 0,
        1500, 700, 800, 800,
        2500, 1500, 1000, 1000)
    # E2 has three running leases (C5 400, C6 300, C7 250) and no movement: only the lease counts.
    assert month_row(engine, "E2", "locazione_termine", key(2024, 3)) == (3, 0, 0, 0, 0, 3, 0, 11400, 0) + (0,) * 12
    # By age of the oldest unpaid charge at 31/03/2024: C1's 700 from the charge due 10/02 (50 days: 31-60);
    # C4's 800 from the charge due 10/11/2023 (142 days: 91-365).
    assert rows(engine, f"SELECT {AGED} FROM building_month WHERE building_code = 'E1' "
                        f"AND month_key = {key(2024, 3)}") == [(0, 0, 700, 1, 0, 0, 800, 1, 0, 0, 0, 0)]
    # In January C1 owes nothing (500 due, 500 paid; 2 movements); C4 still owes 800 (3 movements).
    assert month_row(engine, "E1", "locazione_permanente", key(2024, 1))[:9] == (4, 5, 800, 800, 1, 3, 0, 18000, 0)


def test_used_only_where_exact(engine, load):  # noqa: F811
    load(PARTIAL, FORMER)
    snapshot.refresh(engine)
    window = lambda start, end=D, by=None, days=30: building_month.usable(  # noqa: E731
        engine, by=by, checkpoints=[end], start=start, days=days, series=False)
    assert (window(None), window(date(2024, 3, 1)), window(date(2024, 1, 1)), window(date(2023, 4, 1))) == (
        "m1", "m1", "ytd", "y1")
    assert window(date(2024, 2, 1)) is None  # a two-month period is not held
    assert window(None, end=date(2024, 3, 30)) is None  # not a month end
    assert window(None, by="unit") is None and window(None, by="income_band") is None
    assert window(None, days=60) is None
    assert window(None, end=date(2024, 5, 31)) is None  # after the last month built
    # Proof that the figures read it: doctor E1's March row, and only the month-end figure of a scope of
    # buildings moves; interventions read the per-intervention copy and the whole portfolio the per-fund one.
    buildings = Scope(buildings=("E1", "E2"))
    with engine.begin() as conn:
        conn.execute(text("UPDATE building_month SET stock = stock + 1000 WHERE building_code = 'E1' "
                          f"AND month_key = {key(2024, 3)}"))
    assert arrears_stock(engine, as_of=D, scope=buildings).value == 2500.0
    assert arrears_stock(engine, as_of=D, scope=buildings, by="unit").set_index("group").value.sum() == 1500.0
    assert arrears_stock(engine, as_of=date(2024, 3, 30), scope=buildings).value == 1500.0
    assert arrears_stock(engine, as_of=D).value == 1500.0
    with engine.begin() as conn:
        conn.execute(text("UPDATE building_month_by_intervention SET stock = stock + 2000 WHERE tenure = "
                          f"'locazione_permanente' AND month_key = {key(2024, 3)}"))
    assert arrears_stock(engine, as_of=D, by="intervention").set_index("group").value.sum() == 3500.0
    assert arrears_stock(engine, as_of=D, by="building").set_index("group").value.sum() == 2500.0
    assert arrears_stock(engine, as_of=D).value == 1500.0
    with engine.begin() as conn:
        conn.execute(text("UPDATE building_month_by_fund SET stock = stock + 4000 WHERE tenure = "
                          f"'locazione_permanente' AND month_key = {key(2024, 3)}"))
    assert arrears_stock(engine, as_of=D).value == 5500.0
    # The page's bundle reads the same rows in one query (which also checks they are fresh).
    assert arrears_kpis(engine, start=date(2024, 1, 1), end=D)["arrears_stock_eur"].value == 5500.0
    assert arrears_kpis(engine, start=date(2024, 1, 1), end=D, scope=buildings)["arrears_stock_eur"].value == 2500.0
    assert arrears_kpis(engine, start=date(2024, 1, 1), end=date(2024, 3, 30))["arrears_stock_eur"].value == 1500.0


def test_whole_portfolio_aging_reads_the_per_fund_row_and_returns_a_frame_of_its_own(engine, load):  # noqa: F811
    load(PARTIAL, FORMER)
    snapshot.refresh(engine)
    # At 31/03/2024: C1's 700 in 31-60 days, C4's 800 in 91-365 (test_rows_worked_out_by_hand).
    first = arrears_aging_by_contract(engine, as_of=D)
    assert first.to_dict("list") == {"bucket": ["0-30", "31-60", "61-90", "91-365", "1-2 anni", "oltre 2 anni"],
                                     "amount": [0.0, 700.0, 0.0, 800.0, 0.0, 0.0], "contracts": [0, 1, 0, 1, 0, 0]}
    assert (first.attrs["kpi"], str(first["contracts"].dtype)) == ("arrears_aging", "int64")
    # A caller changing its table changes nobody else's: the labels are shared with a template until written.
    first.loc[0, "bucket"], first.loc[1, "amount"] = "changed", -1.0
    first.attrs["kpi"] = "changed"
    with engine.begin() as conn:  # doctor the per-fund copy: the whole portfolio's table reads it
        conn.execute(text("UPDATE building_month_by_fund SET aged_60 = aged_60 + 49.996 WHERE tenure = "
                          f"'locazione_permanente' AND month_key = {key(2024, 3)}"))
    second = arrears_aging_by_contract(engine, as_of=D)
    assert second["bucket"].tolist()[:2] == ["0-30", "31-60"] and second.attrs["kpi"] == "arrears_aging"
    assert second["amount"].tolist() == [0.0, 750.0, 0.0, 800.0, 0.0, 0.0]  # rounded to the cent
    # A scope of buildings reads building_month itself, which was not doctored.
    scoped = arrears_aging_by_contract(engine, as_of=D, scope=Scope(buildings=("E1", "E2")))
    assert scoped["amount"].tolist() == [0.0, 700.0, 0.0, 800.0, 0.0, 0.0]


def test_a_lease_load_makes_it_stale_and_ensure_fresh_rebuilds_it_alone(engine, settings, tmp_path, load):  # noqa: F811
    load(PARTIAL, FORMER)
    snapshot.refresh(engine)
    before = arrears_kpis(engine, start=date(2024, 1, 1), end=D)
    # C1 now ends on 15/03/2024: a former tenancy at 31/03, so its 700 moves from active to former.
    lease = PORTFOLIO["contratti"].replace("C1;A1;N1;01/01/2023;;", "C1;A1;N1;01/01/2023;15/03/2024;")
    assert load_text(tmp_path, "contratti", lease, engine=engine, settings=settings).status == "completato"
    assert snapshot.fresh_state(engine) is not None and building_month.fresh_months(engine) is None
    after = arrears_kpis(engine, start=date(2024, 1, 1), end=D)  # read per lease meanwhile: already right
    assert (before["arrears_stock_eur"].breakdown["cessati"], after["arrears_stock_eur"].breakdown["cessati"]) == (
        800.0, 1500.0)
    rebuilt = snapshot.ensure_fresh(engine)
    assert rebuilt is not None and rebuilt.building_months == 12
    assert building_month.fresh_months(engine) == (key(2023, 11), key(2024, 4))
    assert arrears_kpis(engine, start=date(2024, 1, 1), end=D) == after
    assert snapshot.ensure_fresh(engine) is None


def test_one_row_with_and_without_parameters(engine):
    from indicators.sql import one_row

    with engine.connect() as conn:
        assert one_row(conn, "SELECT 1, 'a', NULL", None, width=3) == (1, "a", None)  # the driver's cursor
        assert one_row(conn, "SELECT :n + 1, :s", {"n": 41, "s": "b"}, width=2) == (42, "b")  # SQLAlchemy's
        assert one_row(conn, "SELECT COUNT(*) FROM unit WHERE code IN :codes", {"codes": ["x", "y"]}, width=1) == (0,)
        with pytest.raises(ValueError, match="2 rows of 1 columns, not 1 of 1"):
            one_row(conn, "SELECT 1 UNION ALL SELECT 2", None, width=1)
