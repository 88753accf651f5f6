"""The facts the analytics copy precomputes, each declared once: its grain, its measures and the query that
builds it, which is the query the figures run on any other date (see `indicators.positions`).

They are built whole with every copy (`indicators.store.build`): no per-table freshness, no patching.
"""

from __future__ import annotations

from dataclasses import dataclass

import duckdb

from indicators.position_sql import building_month_sql


@dataclass(frozen=True)
class Fact:
    name: str
    grain: str      # one row per ...
    measures: str   # what each row holds
    sql: str        # the SELECT that builds it, on the copied tables
    view: bool = False  # a view on the copied tables (nothing stored, nothing to build) rather than a table


# A movement's date: a charge counts from its due date, a credit from its entry date.
MOVE_DATE = "CASE WHEN entry_type = 'addebito' THEN COALESCE(due_date, entry_date) ELSE entry_date END"

# Columns the copy adds to a copied table, computed from the table's own columns as its rows are copied (a new
# load's rows get them the same way): the ledger keeps each movement's date, so that `movement` is a plain view on
# it whose date filters read only the blocks of those days.
STORED_COLUMNS = {"ledger_entry": {"move_date": MOVE_DATE}}

# Tables the copy stores in an order of their own: the ledger by movement date, so that a month's movements are
# stored together and a query reads only the months it needs. A build that carries the previous copy appends the
# new loads' movements after the others, in that order.
STORED_ORDER = {"ledger_entry": "move_date, lease_code"}

_KEY = "(year({d}) * 12 + month({d}) - 1)"
# A month's sums of one lease fit in 18 digits: kept at that width, the running sums over them are cheaper.
_MONEY = "CAST({c} AS DECIMAL(18, 2))"

MOVEMENT = Fact(
    name="movement",
    grain="one row per movement of the ledger, in the ledger's stored order (movement date: a query of some days "
          "reads only the blocks of those days)",
    measures="move_date (a charge's due date, a credit's entry date) and its amount as charged, credited (every "
             "credit), credited_other (reversals, allowances, write-offs), cash (payments); moves = 1",
    sql="""SELECT lease_code, move_date,
        CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END AS charged,
        CASE WHEN entry_type <> 'addebito' THEN amount ELSE 0 END AS credited,
        CASE WHEN entry_type IN ('storno', 'abbuono', 'stralcio') THEN amount ELSE 0 END AS credited_other,
        CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END AS cash,
        1 AS moves
    FROM ledger_entry""",
    view=True,
)

# The overdue cut-off the month-end positions hold: the charges due more than 30 days before the month end (the
# threshold of `households_in_arrears_pct`). For a month end E that day, E − 31, falls in the month before (its
# 28th to its last day), so it is the running charges at that month's end less its charges due after E − 31.
OVERDUE_DAYS = 30

# The overdue cut-off of the month end after a movement's month (a day of the movement's month, see above).
_CUT_OFF_NEXT = f"last_day(move_date + INTERVAL 1 MONTH) - {OVERDUE_DAYS + 1}"

LEASE_MONTH = Fact(
    name="lease_month",
    grain="one row per lease and month (key year × 12 + month − 1), from the month of its first movement to the "
          "last month of the copy (a month without movements repeats the sums of the month before); stored in "
          "month order, so a query of some months reads only those",
    measures="the `movement` measures summed from the lease's first movement to the month's last day (the lease's "
             "running sums at the month end: charged, credited, credited_other, cash, moves); the month's own "
             "charges and payments (month_charged, month_cash); overdue, the charges due by the month end less "
             f"{OVERDUE_DAYS} days and one (those overdue by more than {OVERDUE_DAYS} days at the month end). With "
             "them a month end's FIFO position is one row (`indicators.ledger.positions_ctes`)",
    # The running sums are taken on the months with movements only (`flows`: a few per lease and year), and each
    # such row is then repeated up to the month before the lease's next movement: no window runs over the
    # months in which nothing moved. `late`: a month's charges due after the overdue cut-off of the next month end.
    # A credit is a payment or one of the other three kinds (the loads admit no other), so the credits are the sum
    # of the two and need no running sum of their own.
    sql=f"""WITH flows AS (
        SELECT lease_code, {_KEY.format(d="move_date")} AS month_key, {_MONEY.format(c="SUM(charged)")} AS charged,
            {_MONEY.format(c="SUM(credited_other)")} AS credited_other, {_MONEY.format(c="SUM(cash)")} AS cash,
            CAST(SUM(moves) AS BIGINT) AS moves,
            {_MONEY.format(c=f"COALESCE(SUM(charged) FILTER (WHERE move_date > {_CUT_OFF_NEXT}), 0)")} AS late
        FROM movement GROUP BY 1, 2),
    running AS (
        SELECT lease_code, month_key, SUM(charged) OVER w AS charged, SUM(credited_other) OVER w AS credited_other,
            SUM(cash) OVER w AS cash, SUM(moves) OVER w AS moves,
            charged AS month_charged, cash AS month_cash, late,
            CASE WHEN LAG(month_key) OVER next_move = month_key - 1 THEN LAG(late) OVER next_move ELSE 0 END
                AS late_before,
            COALESCE(LEAD(month_key) OVER next_move, (SELECT MAX(month_key) FROM flows) + 1) AS until_key
        FROM flows
        WINDOW w AS (PARTITION BY lease_code ORDER BY month_key ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW),
               next_move AS (PARTITION BY lease_code ORDER BY month_key)),
    repeated AS (SELECT *, UNNEST(range(month_key, until_key)) AS repeat_key FROM running)
    SELECT lease_code, CAST(repeat_key AS INTEGER) AS month_key,
        CAST(charged AS DECIMAL(18, 2)) AS charged, CAST(credited_other + cash AS DECIMAL(18, 2)) AS credited,
        CAST(credited_other AS DECIMAL(18, 2)) AS credited_other, CAST(cash AS DECIMAL(18, 2)) AS cash,
        CAST(moves AS BIGINT) AS moves,
        CAST(CASE WHEN repeat_key = month_key THEN month_charged ELSE 0 END AS DECIMAL(18, 2)) AS month_charged,
        CAST(CASE WHEN repeat_key = month_key THEN month_cash ELSE 0 END AS DECIMAL(18, 2)) AS month_cash,
        CAST(CASE WHEN repeat_key = month_key THEN charged - month_charged - late_before
                  WHEN repeat_key = month_key + 1 THEN charged - late
                  ELSE charged END AS DECIMAL(18, 2)) AS overdue
    FROM repeated
    ORDER BY month_key""",
)

LEASE_CHARGE = Fact(
    name="lease_charge",
    grain="one row per lease and due date with a charge",
    measures="amount (the charges due that day) and through (the lease's charges due up to and including that day): "
             "with C the credits at D, the day's unpaid part is clamp(through − C, 0, amount), first in first out",
    sql=f"""SELECT lease_code, due_date, amount,
        {_MONEY.format(c="SUM(amount) OVER (PARTITION BY lease_code ORDER BY due_date "
                         "ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW)")} AS through
    FROM (SELECT lease_code, COALESCE(due_date, entry_date) AS due_date, {_MONEY.format(c="SUM(amount)")} AS amount
          FROM ledger_entry WHERE entry_type = 'addebito' GROUP BY 1, 2) c""",
)

BUILDING_MONTH = Fact(
    name="building_month",
    grain="one row per building and month end, for every month `lease_month` holds; stored in month order",
    measures="the arrears totals of the building's leases at the month end (`indicators.position_sql.TOTALS`: leases, "
             "stock, contracts in arrears, active leases, annual rent, households overdue, the month's charges, "
             "unpaid part, collected part and payments): a scope of whole buildings and a grouping by building, "
             "intervention, fund or SGR sums these rows instead of its leases' positions",
    sql=building_month_sql(),
)

LEASE_UNIT = Fact(
    name="lease_unit",
    grain="one row per lease",
    measures="the lease's own columns (lease_code, household_code, start_date, end_date, monthly_rent) with where "
             "its unit is in the portfolio of this copy: unit_code, building_code, intervention_code, fund, sgr, "
             "tenure. The lease-level figures take a scope's leases from it (`position_sql.scoped_leases_cte`)",
    sql="""SELECT l.code AS lease_code, l.household_code, l.start_date, l.end_date, l.monthly_rent,
        u.code AS unit_code, u.building_code, b.intervention_code, i.fund, i.sgr, u.tenure
    FROM lease l JOIN unit u ON u.code = l.unit_code JOIN building b ON b.code = u.building_code
    JOIN intervention i ON i.code = b.intervention_code
    ORDER BY u.building_code, l.code""",
)

CASE_EVENT_UNIT = Fact(
    name="case_event_unit",
    grain="one row per event of an arrears case (`arrears_case_event`), stored in case order",
    measures="the event's own columns (id, case_code, lease_code, event_date, event, amount, severity) with where "
             "its lease is in the portfolio of this copy: unit_code, building_code, intervention_code, fund, sgr. "
             "The cases' figures filter a scope on these columns instead of joining every event to its lease and unit",
    sql="""SELECT e.id, e.case_code, e.lease_code, e.event_date, e.event, e.amount, e.severity,
        u.code AS unit_code, u.building_code, b.intervention_code, i.fund, i.sgr
    FROM arrears_case_event e JOIN lease l ON l.code = e.lease_code JOIN unit u ON u.code = l.unit_code
    JOIN building b ON b.code = u.building_code JOIN intervention i ON i.code = b.intervention_code
    ORDER BY e.case_code, e.event_date, e.id""",
)

# The date columns of each dated source (`indicators.coverage`): its span runs from the least MIN to the greatest MAX.
SPAN_COLUMNS: dict[str, tuple[str, tuple[str, ...]]] = {
    "ledger": ("ledger_entry", ("entry_date",)),
    "cases": ("arrears_case_event", ("event_date",)),
    "tickets": ("ticket", ("opened_on", "closed_on")),
    "applications": ("application", ("applied_on", "outcome_date")),
    "community": ("community_activity", ("activity_date",)),
}

SOURCE_SPAN = Fact(
    name="source_span",
    grain="one row per dated source (the ledger, the arrears cases, the tickets, the applications, the community "
          "activities)",
    measures="first_day and last_day, the least and greatest of the source's dates (NULL when it holds no row): "
             "every figure checks its date against them, and the ledger's are the dates the pages offer",
    sql=" UNION ALL ".join(
        f"SELECT '{source}' AS source, "
        f"CAST(LEAST({', '.join(f'MIN({c})' for c in cols)}) AS DATE) AS first_day, "
        f"CAST(GREATEST({', '.join(f'MAX({c})' for c in cols)}) AS DATE) AS last_day FROM {table}"
        for source, (table, cols) in SPAN_COLUMNS.items()),
)

# in build order
FACTS: tuple[Fact, ...] = (MOVEMENT, LEASE_UNIT, LEASE_MONTH, LEASE_CHARGE, BUILDING_MONTH, CASE_EVENT_UNIT,
                           SOURCE_SPAN)


def build_all(duck: duckdb.DuckDBPyConnection, steps: list | None = None) -> int:
    """Build every declared fact on a new copy (each timed into `steps`); returns how many."""
    from indicators.copying import timed

    for fact in FACTS:
        with timed(steps if steps is not None else [], f"fact {fact.name}"):
            duck.execute(f"CREATE {'VIEW' if fact.view else 'TABLE'} {fact.name} AS {fact.sql}")
    return len(FACTS)


def drop_all(duck: duckdb.DuckDBPyConnection) -> None:
    """Drop every declared fact (before it is built again)."""
    for fact in FACTS:
        duck.execute(f"DROP {'VIEW' if fact.view else 'TABLE'} IF EXISTS {fact.name}")
