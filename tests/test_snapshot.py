"""The ledger pre-aggregates: their rows worked out by hand, used only when exact, ignored when stale."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import text

from indicators import snapshot
from indicators.arrears import arrears_series, arrears_stock, households_in_arrears
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from tests.factories import load_text, rows
from tests.test_arrears import D, FORMER, HEADER, PARTIAL, PORTFOLIO, REPAID


@pytest.fixture
def load(engine, settings, tmp_path):
    for kind, content in PORTFOLIO.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"

    def load_moves(*parts: str) -> None:
        result = load_text(tmp_path, "movimenti", HEADER + "".join(parts), engine=engine, settings=settings)
        assert result.status == "completato", result

    return load_moves


def key(year: int, month: int) -> int:
    return year * 12 + month - 1


def test_rows_worked_out_by_hand(engine, load):
    load(PARTIAL)
    built = snapshot.refresh(engine)
    # C1: 500 due on 10/01, 10/02, 10/03/2024; paid 500 on 12/01 and 300 on 15/02. A charge is overdue
    # (30 days) at the month end 31 days after its due date: 10/01 → February, 10/02 → March, 10/03 → April.
    got = rows(engine, "SELECT month_key, charged, credited, credited_other, cash, overdue, moves FROM lease_month "
                       "WHERE lease_code = 'C1' ORDER BY month_key")
    assert [tuple(float(v) for v in r) for r in got] == [
        (key(2024, 1), 500, 500, 0, 500, 0, 2),
        (key(2024, 2), 1000, 800, 0, 800, 500, 4),
        (key(2024, 3), 1500, 800, 0, 800, 1000, 5),
        (key(2024, 4), 1500, 800, 0, 800, 1500, 5),
    ]
    days = rows(engine, "SELECT due_date, amount, through FROM lease_charge_day ORDER BY due_date")
    assert [(str(d), float(a), float(t)) for d, a, t in days] == [
        ("2024-01-10", 500, 500), ("2024-02-10", 500, 1000), ("2024-03-10", 500, 1500)]
    assert (built.lease_months, built.charge_days) == (4, 3)
    assert snapshot.fresh_state(engine) == snapshot.SnapshotState(key(2024, 1), key(2024, 4))


def test_used_only_where_exact(engine, load):
    load(PARTIAL)
    snapshot.refresh(engine)
    assert snapshot.usable(engine, checkpoints=[D], start=date(2024, 1, 1), days=30) is not None
    assert snapshot.usable(engine, checkpoints=[date(2024, 3, 30)], start=None, days=30) is None  # not a month end
    assert snapshot.usable(engine, checkpoints=[D], start=date(2024, 1, 2), days=30) is None  # period from the 2nd
    assert snapshot.usable(engine, checkpoints=[D], start=None, days=60) is None  # another threshold
    # Proof that month ends read the pre-aggregate: doctor it, and only the month-end figure moves (with
    # `building_month` set aside: it would answer first, see tests/test_building_month.py).
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM aggregate_state WHERE name = 'building'"))
        conn.execute(text("UPDATE lease_month SET charged = charged + 1000 WHERE lease_code = 'C1' "
                          f"AND month_key = {key(2024, 3)}"))
    assert arrears_stock(engine, as_of=D).value == 1700.0
    assert arrears_stock(engine, as_of=date(2024, 3, 30)).value == 700.0


def test_stale_pre_aggregate_is_ignored(engine, load):
    load(PARTIAL, FORMER)
    snapshot.refresh(engine)
    assert arrears_stock(engine, as_of=D).value == 1500.0  # C1 700 + C4 800
    load(REPAID)  # C4 pays 300 on 20/02/2024: the pre-aggregate no longer matches the ledger
    assert snapshot.fresh_state(engine) is None
    assert arrears_stock(engine, as_of=D).value == 1200.0
    snapshot.refresh(engine)
    assert arrears_stock(engine, as_of=D).value == 1200.0


def test_month_ends_after_the_last_movement(engine, load):
    # After April 2024 nothing moves: later month ends read April's row and agree with the ledger.
    load(PARTIAL, FORMER)
    raw = arrears_series(engine, start=date(2024, 1, 1), end=date(2024, 8, 31))
    raw_households = households_in_arrears(engine, as_of=date(2024, 8, 31))
    snapshot.refresh(engine)
    fast = arrears_series(engine, start=date(2024, 1, 1), end=date(2024, 8, 31))
    assert fast.to_dict("records") == raw.to_dict("records")
    assert fast["stock"].tolist() == [800.0, 1000.0, 1500.0, 1500.0, 1500.0, 1500.0, 1500.0, 1500.0]
    assert households_in_arrears(engine, as_of=date(2024, 8, 31)) == raw_households


def test_empty_ledger(engine, load):
    built = snapshot.refresh(engine)
    assert (built.lease_months, built.charge_days) == (0, 0)
    assert snapshot.fresh_state(engine) == snapshot.SnapshotState(None, None)
    stock = arrears_stock(engine, as_of=D)
    assert stock.value is None and stock.warnings == ["nessun movimento contabile nel perimetro fino alla data"]


# --- the sample: every ledger KPI the same from the pre-aggregates as from the ledger ------------------------------
@pytest.fixture(scope="module")
def sample_pair(loaded_warehouse, tmp_path_factory):  # noqa: F811
    """The sample warehouse (pre-aggregates fresh) and a copy whose pre-aggregates are marked stale."""
    import shutil

    from schemas.db import make_engine

    fast = make_engine(loaded_warehouse.url)
    copy = tmp_path_factory.mktemp("raw") / "raw.db"
    shutil.copy(loaded_warehouse.url.removeprefix("sqlite:///"), copy)
    raw = make_engine(f"sqlite:///{copy}")
    with raw.begin() as conn:
        conn.execute(text("DELETE FROM aggregate_state"))
    assert snapshot.fresh_state(fast) is not None and snapshot.fresh_state(raw) is None
    yield fast, raw
    fast.dispose(), raw.dispose()


@pytest.mark.parametrize("by", [None, "sgr", "fund", "intervention", "building", "tenure", "income_band"])
def test_sample_same_figures_both_ways(sample_pair, by):
    """Per building (`building_month`, all groupings but income band), per lease and from the ledger alike."""
    from indicators.arrears import arrears_aging, arrears_aging_by_contract, arrears_kpis, contract_balances

    fast, raw = sample_pair
    end = date(2026, 10, 31)
    for start in (date(2026, 1, 1), date(2025, 11, 1), date(2026, 10, 1)):  # year to date, 12 months, the month
        both = [arrears_kpis(e, start=start, end=end, by=by) for e in (fast, raw)]
        if by:
            for code in both[0]:
                assert both[0][code].to_dict("records") == both[1][code].to_dict("records"), code
        else:
            assert both[0] == both[1]
            assert both[0]["arrears_stock_eur"].value > 0
    for fn in (arrears_aging, arrears_aging_by_contract):
        assert fn(fast, as_of=end, by=by).to_dict("records") == fn(raw, as_of=end, by=by).to_dict("records")
    series = [arrears_series(e, start=date(2025, 11, 1), end=end, by=by) for e in (fast, raw)]
    assert series[0].to_dict("records") == series[1].to_dict("records")
    if by is None:
        balances = [contract_balances(e, as_of=end) for e in (fast, raw)]
        assert len(balances[0]) > 10
        assert balances[0].to_dict("records") == balances[1].to_dict("records")


@pytest.mark.parametrize("first, last, expected", [
    (date(2024, 11, 1), date(2026, 10, 28), date(2026, 9, 30)),  # the ledger stops before the month end
    (date(2024, 11, 1), date(2026, 10, 31), date(2026, 10, 31)),
    (date(2024, 1, 5), date(2024, 3, 1), date(2024, 2, 29)),  # leap year
    (date(2026, 10, 5), date(2026, 10, 20), date(2026, 10, 20)),  # no month end covered
])
def test_pages_open_on_the_last_month_end(first, last, expected):
    from indicators.catalog import default_as_of

    assert default_as_of(first, last) == expected
