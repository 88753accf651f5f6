"""The facts the analytics copy precomputes, each declared once: its grain, its measures and the query that
builds it, which is the query the figures run on any other date (see `indicators.positions`).

They are built whole with every copy (`indicators.store.build`): no per-table freshness, no patching.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb


@dataclass(frozen=True)
class Fact:
    name: str
    grain: str      # one row per ...
    measures: str   # what each row holds
    sql: str        # the SELECT that builds it, on the copied tables


# A movement's date: a charge counts from its due date, a credit from its entry date.
MOVE_DATE = "CASE WHEN entry_type = 'addebito' THEN COALESCE(due_date, entry_date) ELSE entry_date END"

# Tables the copy stores in an order of their own: the ledger by movement date, so that `movement` (made from it
# in the same order, no sort) keeps each month's movements together and a query reads only the months it needs.
# A build that carries the previous copy appends the new loads' movements after the others, in that order.
STORED_ORDER = {"ledger_entry": f"{MOVE_DATE}, lease_code"}

_MOVES = """SELECT e.lease_code, e.entry_type, e.amount, COALESCE(e.due_date, e.entry_date) AS due,
        CASE WHEN e.entry_type = 'addebito' THEN COALESCE(e.due_date, e.entry_date) ELSE e.entry_date END AS d
    FROM ledger_entry e"""
_KEY = "(year({d}) * 12 + month({d}) - 1)"

MOVEMENT = Fact(
    name="movement",
    grain="one row per movement of the ledger, in the ledger's stored order (movement date: a month's movements "
          "are read alone)",
    measures="move_date (a charge's due date, a credit's entry date) and its amount as charged, credited (every "
             "credit), credited_other (reversals, allowances, write-offs), cash (payments); moves = 1",
    sql=f"""SELECT lease_code, d AS move_date,
        CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END AS charged,
        CASE WHEN entry_type <> 'addebito' THEN amount ELSE 0 END AS credited,
        CASE WHEN entry_type IN ('storno', 'abbuono', 'stralcio') THEN amount ELSE 0 END AS credited_other,
        CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END AS cash,
        1 AS moves
    FROM ({_MOVES}) mv""",
)

LEASE_MONTH = Fact(
    name="lease_month",
    grain="one row per lease and month (key year × 12 + month − 1), from the month of its first movement to the "
          "last month in which anything moves (later months read that last row: nothing changes after it)",
    measures="the `movement` measures summed from the lease's first movement to the month's last day: the lease's "
             "running sums at the month end",
    sql=f"""WITH flows AS (
        SELECT lease_code, {_KEY.format(d="move_date")} AS month_key, SUM(charged) AS charged,
            SUM(credited) AS credited, SUM(credited_other) AS credited_other, SUM(cash) AS cash, SUM(moves) AS moves
        FROM movement GROUP BY 1, 2),
    span AS (SELECT lease_code, MIN(month_key) AS first_key FROM flows GROUP BY 1),
    grid AS (SELECT s.lease_code, UNNEST(range(s.first_key, m.last_key + 1)) AS month_key
             FROM span s CROSS JOIN (SELECT MAX(month_key) AS last_key FROM flows) m)
    SELECT g.lease_code, CAST(g.month_key AS INTEGER) AS month_key,
        COALESCE(SUM(f.charged) OVER w, 0) AS charged, COALESCE(SUM(f.credited) OVER w, 0) AS credited,
        COALESCE(SUM(f.credited_other) OVER w, 0) AS credited_other, COALESCE(SUM(f.cash) OVER w, 0) AS cash,
        CAST(COALESCE(SUM(f.moves) OVER w, 0) AS BIGINT) AS moves
    FROM grid g LEFT JOIN flows f ON f.lease_code = g.lease_code AND f.month_key = g.month_key
    WINDOW w AS (PARTITION BY g.lease_code ORDER BY g.month_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)
    ORDER BY month_key, lease_code""",
)

LEASE_CHARGE = Fact(
    name="lease_charge",
    grain="one row per lease and due date with a charge",
    measures="amount (the charges due that day) and through (the lease's charges due up to and including that day): "
             "with C the credits at D, the day's unpaid part is clamp(through − C, 0, amount), first in first out",
    sql="""SELECT lease_code, due_date, SUM(amount) AS amount,
        SUM(SUM(amount)) OVER (PARTITION BY lease_code ORDER BY due_date
                               ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
    FROM (SELECT lease_code, COALESCE(due_date, entry_date) AS due_date, amount FROM ledger_entry
          WHERE entry_type = 'addebito') c
    GROUP BY 1, 2
    ORDER BY lease_code, due_date""",
)

FACTS: tuple[Fact, ...] = (MOVEMENT, LEASE_MONTH, LEASE_CHARGE)  # in build order


def build_all(duck: duckdb.DuckDBPyConnection, steps: list | None = None) -> int:
    """Build every declared fact on a new copy (each timed into `steps`); returns how many."""
    from indicators.copying import timed

    for fact in FACTS:
        with timed(steps if steps is not None else [], f"fact {fact.name}"):
            duck.execute(f"CREATE TABLE {fact.name} AS {fact.sql}")
    return len(FACTS)
