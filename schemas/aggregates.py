"""Pre-aggregates of the ledger that make the arrears KPIs fast at month ends (built by `indicators.snapshot`).

They hold nothing a user loaded that is not also in `ledger_entry`: they can be dropped and rebuilt at
any time, and the indicators ignore them when `aggregate_state` says they are older than the ledger.
"""

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column, Float, Index, Numeric, Table
from sqlalchemy.schema import SchemaItem
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class LeaseMonth(SQLModel, table=True):
    """A lease's running ledger totals at the end of one month (month_key = year × 12 + month − 1).

    A row for every month from the lease's first movement to the last month of the ledger, so that a
    month-end position is one row: charges due, credits entered, of which non-cash (storno, abbuono,
    stralcio) and payments, charges overdue by more than 30 days, and the number of movements.
    """

    __tablename__ = "lease_month"
    __table_args__ = (Index("ix_lease_month_month", "month_key", "lease_code"), {"sqlite_with_rowid": False})

    lease_code: str = Field(primary_key=True, max_length=60)
    month_key: int = Field(primary_key=True)
    charged: float = Field(sa_type=Money)
    credited: float = Field(sa_type=Money)
    credited_other: float = Field(sa_type=Money)
    cash: float = Field(sa_type=Money)
    overdue: float = Field(sa_type=Money)
    moves: int


class LeaseChargeDay(SQLModel, table=True):
    """A lease's charges of one due date, and the running total of its charges through that date.

    Charges due on the same day are contiguous in the FIFO line, so their unpaid part is one clamp.
    """

    __tablename__ = "lease_charge_day"
    __table_args__ = (Index("ix_lease_charge_day_through", "lease_code", "through"), {"sqlite_with_rowid": False})

    lease_code: str = Field(primary_key=True, max_length=60)
    due_date: date = Field(primary_key=True)
    amount: float = Field(sa_type=Money)
    through: float = Field(sa_type=Money)


WINDOWS = ("m1", "y1", "ytd")  # the periods `building_month` holds: the month, 12 months, the year to date


class BuildingMonth(SQLModel, table=True):
    """The arrears sums of one building's leases of one tenure regime at the end of one month.

    Each lease's FIFO position at the month end (from `lease_month`), summed: what every lease-level
    arrears KPI is a ratio of, for any scope (a union of buildings) and grouping down to the building or
    the tenure. Period sums come for three periods ending at the month end: the month itself (`m1`), the
    twelve months (`y1`) and the year to date (`ytd`); `leases` counts every lease of the building and
    regime whatever its dates, `active_leases` those running at the month end. `aged_*` hold the leases'
    debts by the age of their oldest unpaid charge (0-30, 31-60, 61-90, 91-365 days, 1-2 years, over 2),
    `aged_*_n` how many leases.
    """

    __tablename__ = "building_month"
    __table_args__ = ({"sqlite_with_rowid": False},)  # stored in key order: a month's rows are contiguous

    month_key: int = Field(primary_key=True)
    building_code: str = Field(primary_key=True, max_length=60)
    tenure: str = Field(primary_key=True, max_length=40)
    intervention_code: str = Field(max_length=60)  # the building's, so that a scope filters without joins
    fund: str | None = Field(default=None, max_length=120)
    sgr: str | None = Field(default=None, max_length=120)
    leases: int
    moves: int
    stock: float = Field(sa_type=Money)
    stock_former: float = Field(sa_type=Money)
    contracts_in_arrears: int
    active_leases: int
    stock_active: float = Field(sa_type=Money)
    annual_rent: float = Field(sa_type=Money)
    households_overdue: int
    charged_m1: float = Field(sa_type=Money)
    unpaid_m1: float = Field(sa_type=Money)
    collected_m1: float = Field(sa_type=Money)
    cash_m1: float = Field(sa_type=Money)
    charged_y1: float = Field(sa_type=Money)
    unpaid_y1: float = Field(sa_type=Money)
    collected_y1: float = Field(sa_type=Money)
    cash_y1: float = Field(sa_type=Money)
    charged_ytd: float = Field(sa_type=Money)
    unpaid_ytd: float = Field(sa_type=Money)
    collected_ytd: float = Field(sa_type=Money)
    cash_ytd: float = Field(sa_type=Money)
    aged_30: float = Field(sa_type=Money)
    aged_30_n: int
    aged_60: float = Field(sa_type=Money)
    aged_60_n: int
    aged_90: float = Field(sa_type=Money)
    aged_90_n: int
    aged_365: float = Field(sa_type=Money)
    aged_365_n: int
    aged_730: float = Field(sa_type=Money)
    aged_730_n: int
    aged_over: float = Field(sa_type=Money)
    aged_over_n: int


class CaseMonth(SQLModel, table=True):
    """The arrears cases of one building at one month end, counted on the procedure clock (grace 10 days).

    Built for the months the pages open on (the last 25 month ends of the ledger), so that the tiles of
    late cases and of the share assessed incolpevole, and their change from a year before, are sums.
    """

    __tablename__ = "case_month"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month_key: int = Field(primary_key=True)
    building_code: str = Field(primary_key=True, max_length=60)
    open: int
    late: int
    closed: int
    resolved: int
    no_fault: int
    culpable: int
    not_assessed: int
    # Outcomes (`indicators.cases.OUTCOMES`; risolta is `resolved`): piano in corso, sfratto, in corso, chiusa altro.
    running: int = 0
    evicted: int = 0
    in_progress: int = 0
    closed_other: int = 0
    # Repayment plans (`plan_recovery`, whole window up to the month end): cases with a plan, Σ planned, recovered.
    plans: int = 0
    planned: float = Field(default=0.0, sa_type=Float)
    recovered: float = Field(default=0.0, sa_type=Float)


class CaseInstrumentMonth(SQLModel, table=True):
    """The instruments used by the arrears cases of one building up to one month end (`instruments_summary`):
    cases using it, Σ importo of its events, and how those cases stand. Same month ends as `CaseMonth`."""

    __tablename__ = "case_instrument_month"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month_key: int = Field(primary_key=True)
    building_code: str = Field(primary_key=True, max_length=60)
    instrument: str = Field(primary_key=True, max_length=40)
    cases: int
    amount: float = Field(sa_type=Float)
    resolved: int
    in_progress: int
    evicted: int
    closed_other: int


class LateCaseMonth(SQLModel, table=True):
    """The open cases late on the procedure clock at one month end (`late_cases`, grace 10 days): the alert list
    of a page as one indexed read. Same month ends as `CaseMonth`; codes only (pseudonymised at load)."""

    __tablename__ = "late_case_month"
    __table_args__ = (Index("ix_late_case_month_building", "month_key", "building_code"), {"sqlite_with_rowid": False})

    month_key: int = Field(primary_key=True)
    case_code: str = Field(primary_key=True, max_length=60)
    lease_code: str = Field(max_length=60)
    unit_code: str = Field(max_length=60)
    building_code: str = Field(max_length=60)
    intervention_code: str = Field(max_length=60)
    fund: str | None = Field(default=None, max_length=120)
    opened_on: date
    stage: str = Field(max_length=40)
    last_event: str = Field(max_length=40)
    last_event_on: date
    overdue_step: str = Field(max_length=60)
    due_on: date
    days_late: int


class EmptyUnitMonth(SQLModel, table=True):
    """The units in stock and empty at one month end, with the end of their last lease and the days empty since
    (`longest_empty`): the page's list of units empty longest as one indexed read instead of a lookup in the
    leases per unit. Only the last 25 month ends of the ledger; codes only. Built by `indicators.vacancy_month`."""

    __tablename__ = "empty_unit_month"
    __table_args__ = (Index("ix_empty_unit_month_days", "month_key", "days_empty"), {"sqlite_with_rowid": False})

    month_key: int = Field(primary_key=True)
    unit_code: str = Field(primary_key=True, max_length=60)
    last_end: date | None = None  # None: never let
    days_empty: int | None = None  # None: never let and no management start (unknown)


class VacancyMonth(SQLModel, table=True):
    """The units of one building, tenure regime and availability (current status) in one month.

    `units` and `empty` count the units in stock and empty at the month end; `unit_days` and `empty_days`
    the days in stock and empty within the month (and over the twelve months and the year to date, so that a
    period's figure is one month's rows); `ended` the leases of those units ending in the month.
    Void loss is not additive over months (the distinct units empty, the rent of units without their own
    is the last lease's at the period end), so `void_*` hold it for the three periods ending at the month
    end, as `BuildingMonth` does: Σ rent × empty days, units empty at some day, of which without a rent.
    Built by `indicators.vacancy_month`.
    """

    __tablename__ = "vacancy_month"
    __table_args__ = ({"sqlite_with_rowid": False},)

    month_key: int = Field(primary_key=True)
    building_code: str = Field(primary_key=True, max_length=60)
    tenure: str = Field(primary_key=True, max_length=40)
    available: int = Field(primary_key=True)  # 1: status locabile or null (available to let)
    intervention_code: str = Field(max_length=60)
    fund: str | None = Field(default=None, max_length=120)
    sgr: str | None = Field(default=None, max_length=120)
    units: int
    empty: int
    unit_days: int
    empty_days: int
    ended: int
    unit_days_y1: int  # days in stock and empty over the twelve months and the year to date ending at the month end
    empty_days_y1: int
    unit_days_ytd: int
    empty_days_ytd: int
    void_rent_m1: float = Field(sa_type=Money)
    void_units_m1: int
    no_rent_m1: int
    void_rent_y1: float = Field(sa_type=Money)
    void_units_y1: int
    no_rent_y1: int
    void_rent_ytd: float = Field(sa_type=Money)
    void_units_ytd: int
    no_rent_ytd: int


def _rolled_up(model: type[SQLModel], level: str) -> Table:
    """`model`'s sums one or two levels up, per intervention or per fund instead of building: the same columns
    but the building's (and the intervention's), for the scopes and groupings above them. On the 100,000-unit
    sample a month is 11,500 rows per building, 1,500 per intervention and a hundred per fund.

    Amounts are floats of whole cents (as SQLite keeps every NUMERIC): PostgreSQL adds NUMERIC in software, ten
    times slower, and a two-year trend per intervention sums a dozen of them over 26,000 rows; the readers round
    each total to the cent."""
    base: Table = model.__table__  # type: ignore[attr-defined]  # every table=True model has one
    first, dropped = (["month_key", "intervention_code"], ("building_code",)) if level == "intervention" else \
        (["month_key"], ("building_code", "intervention_code"))
    order = [*first, *(c.name for c in base.columns if c.name not in (*first, *dropped))]
    # Per intervention keyed by month then intervention: SQLite groups a trend per intervention in key order,
    # without sorting. Per fund there is no key (a fund or an SGR may be unknown): rows in month order, indexed.
    keyed = level == "intervention"
    columns = [Column(name, Float() if isinstance(c.type, Numeric) else c.type,
                      primary_key=keyed and (c.primary_key or name == "intervention_code"), nullable=c.nullable)
               for name in order for c in [base.columns[name]]]
    name = f"{base.name}_by_{level}"
    extra: dict[str, Any] = {"sqlite_with_rowid": False} if keyed else {}
    indexes: list[SchemaItem] = [] if keyed else [Index(f"ix_{name}_month_key", "month_key")]
    return Table(name, SQLModel.metadata, *columns, *indexes, **extra)


BUILDING_MONTH_BY_INTERVENTION = _rolled_up(BuildingMonth, "intervention")
VACANCY_MONTH_BY_INTERVENTION = _rolled_up(VacancyMonth, "intervention")
BUILDING_MONTH_BY_FUND = _rolled_up(BuildingMonth, "fund")
VACANCY_MONTH_BY_FUND = _rolled_up(VacancyMonth, "fund")


class LeaseRelet(SQLModel, table=True):
    """A lease with the previous lease of its unit: one row per lease, the rows behind `relet_days`.

    Stored in order of start date, so that a year's relets are contiguous, with the unit's portfolio
    levels, tenure and status, so that a scope and a grouping filter without joins. `days` = start −
    previous end; `reason` is why the relet is not counted (None: counted; ``prima_locazione``,
    ``date_incoerenti``, ``dopo_lavori`` by the default works threshold or the unit's status).
    """

    __tablename__ = "lease_relet"
    __table_args__ = ({"sqlite_with_rowid": False},)

    next_start: date = Field(primary_key=True)
    lease_code: str = Field(primary_key=True, max_length=60)
    unit_code: str = Field(max_length=60)
    household_code: str = Field(max_length=60)
    building_code: str = Field(max_length=60)
    intervention_code: str = Field(max_length=60)
    fund: str | None = Field(default=None, max_length=120)
    sgr: str | None = Field(default=None, max_length=120)
    tenure: str = Field(max_length=40)
    status: str | None = Field(default=None, max_length=40)
    previous_lease: str | None = Field(default=None, max_length=60)
    previous_end: date | None = None
    days: int | None = None
    reason: str | None = Field(default=None, max_length=20)


class AggregateState(SQLModel, table=True):
    """When the pre-aggregates were built, and the ledger they were built from."""

    __tablename__ = "aggregate_state"

    name: str = Field(primary_key=True, max_length=60)
    ledger_max_id: int
    ledger_batch_max_id: int
    first_month_key: int | None = None
    last_month_key: int | None = None
    built_at: datetime
