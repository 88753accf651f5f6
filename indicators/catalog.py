"""How to compute each registry KPI from one set of options (date, period, grouping), for the CLI and pages.

Functions are looked up by name when called, so this table stays a table of data.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from importlib import import_module

import pandas as pd

from indicators import coverage
from indicators.results import KpiValue
from indicators.scope import GROUPING_LABELS as SCOPE_LABELS
from indicators.scope import Scope

AS_OF, PERIOD, YEAR = "as_of", "period", "year"


# Groupings (`by=`) each function accepts: the portfolio levels of `scope.GROUPINGS`, the household's fascia
# where the figure is about households or leases, and a few of their own (ticket category, manager's contract).
PORTFOLIO = ("sgr", "fund", "intervention", "building", "unit", "tenure")
HOUSEHOLDS = (*PORTFOLIO, "income_band")
TICKETS = ("category", "urgency", "supplier", "sgr", "fund", "intervention", "building")
UNITS_MANAGED = (*PORTFOLIO, "contract_type")
ECONOMICS = ("intervention", "fund")  # costs are carried per intervention
PIPELINE = ("sgr", "fund", "intervention", "building", "tenure")
MIX = (*PIPELINE, "income_band")
GROUPING_LABELS = {**SCOPE_LABELS, "category": "Categoria", "contract_type": "Tipo di contratto del gestore",
                   "urgency": "Urgenza", "supplier": "Fornitore", "activity_type": "Tipo di attività"}


@dataclass(frozen=True)
class Computation:
    function: str  # "module:function" inside `indicators`
    style: str     # AS_OF: f(conn, as_of=...); PERIOD: f(conn, start=..., end=...); YEAR: f(conn, year=...)
    options: tuple[tuple[str, object], ...] = ()
    groupings: tuple[str, ...] = ()  # the `by=` values it accepts; none: the result has no grouping


CATALOG: dict[str, Computation] = {
    "arrears_stock_eur": Computation("arrears:arrears_stock", AS_OF, groupings=HOUSEHOLDS),
    "arrears_rate_billed": Computation("arrears:arrears_rate_billed", PERIOD, groupings=HOUSEHOLDS),
    "arrears_rate_rent_roll": Computation("arrears:arrears_rate_rent_roll", AS_OF, groupings=HOUSEHOLDS),
    "households_in_arrears_pct": Computation("arrears:households_in_arrears", AS_OF, groupings=HOUSEHOLDS),
    "collection_rate": Computation("arrears:collection_rate", PERIOD, groupings=HOUSEHOLDS),
    "collection_rate_with_arrears": Computation("arrears:collection_rate", PERIOD, (("include_arrears", True),),
                                                groupings=HOUSEHOLDS),
    "arrears_aging": Computation("arrears:arrears_aging_by_contract", AS_OF, groupings=HOUSEHOLDS),
    "arrears_aging_by_charge": Computation("arrears:arrears_aging", AS_OF, groupings=HOUSEHOLDS),
    "late_cases": Computation("cases:case_summary", AS_OF),
    "no_fault_share": Computation("cases:no_fault_share", AS_OF),
    "plan_recovery_eur": Computation("cases:plan_recovery", PERIOD),
    "vacancy_rate": Computation("vacancy:vacancy", AS_OF, groupings=PORTFOLIO),
    "vacancy_days_pct": Computation("vacancy:vacancy_days", PERIOD, groupings=PORTFOLIO),
    "void_loss_eur": Computation("vacancy:void_loss", PERIOD, groupings=PORTFOLIO),
    "relet_days": Computation("vacancy:relet_times", YEAR, groupings=HOUSEHOLDS),
    "turnover_rate": Computation("vacancy:turnover", YEAR, groupings=PORTFOLIO),
    "evictions_per_1000": Computation("vacancy:evictions_per_1000", PERIOD, groupings=PORTFOLIO),
    "units_managed": Computation("track_record:units_managed", AS_OF, groupings=UNITS_MANAGED),
    "ticket_days_to_close": Computation("facilities:ticket_days_to_close", PERIOD, groupings=TICKETS),
    "ticket_backlog": Computation("facilities:ticket_backlog", AS_OF, groupings=TICKETS),
    "ticket_cost_per_unit_eur": Computation("facilities:ticket_cost_per_unit", PERIOD, groupings=TICKETS),
    "applications_received": Computation("allocations:application_funnel", PERIOD),
    "allocation_days": Computation("allocations:allocation_days", PERIOD),
    "waiting_list": Computation("allocations:waiting_list", AS_OF),
    "evictions_executed": Computation("allocations:evictions_executed", YEAR),
    "budget_forecast_eur": Computation("budget:budget_forecast", YEAR),
    "budget_variance_eur": Computation("variance:budget_variance", YEAR),
    "budget_projection_eur": Computation("variance:budget_projection", YEAR),
    "operating_margin_eur": Computation("economics:operating_margin", PERIOD, groupings=ECONOMICS),
    "cost_per_unit_eur": Computation("economics:cost_per_unit", PERIOD, groupings=ECONOMICS),
    "funding_stalled_projects": Computation("funding:funding_stalled", AS_OF),
    "performance_index_pct": Computation("performance:performance_index", PERIOD, groupings=PORTFOLIO),
    **{code: Computation("community:community_kpi", PERIOD, (("measure", measure),),
                         groupings=("activity_type", "intervention", "building", "fund", "sgr"))
       for measure, code in (("activities", "community_activities"), ("participants", "community_participants"),
                             ("households_reached", "community_households_reached"),
                             ("hours", "community_hours"))},
    "ticket_within_target_pct": Computation("service_levels:ticket_within_target", PERIOD, groupings=TICKETS),
    "ticket_repeat_pct": Computation("service_levels:ticket_repeats", PERIOD, groupings=TICKETS),
    "ticket_reopened_pct": Computation("service_levels:ticket_reopenings", PERIOD, groupings=TICKETS),
    "ticket_cost_mean_eur": Computation("service_levels:ticket_cost_mean", PERIOD, groupings=TICKETS),
    "ticket_backlog_over_target": Computation("service_levels:backlog_over_target", AS_OF),
    "ticket_backlog_age": Computation("service_levels:backlog_by_age", AS_OF),
    "leases_ending": Computation("lease_pipeline:leases_ending", AS_OF, groupings=PIPELINE),
    "void_loss_risk_eur": Computation("lease_pipeline:void_loss_risk", AS_OF, groupings=PIPELINE),
    "units_coming_free": Computation("offer_windows:units_coming_free", AS_OF, groupings=("intervention",)),
    **{code: Computation("tenant_mix:mix_figure", AS_OF, (("code", code),), groupings=MIX)
       for code in ("tenant_households", "household_members_mean", "households_social_services_pct",
                    "households_with_employed_pct", "rent_burden_median_pct", "households_over_burden_pct",
                    "rent_per_m2_eur")},
}
# Functions that take no `by=` (their result is already a table, or has no grouping).
NO_GROUPING = {code for code, spec in CATALOG.items() if not spec.groupings}


def check_grouping(code: str, by: str | None) -> None:
    """Raise ValueError (in Italian, listing what is allowed) when KPI `code` has no grouping `by`."""
    allowed = CATALOG[code].groupings
    if by is None or by in allowed:
        return
    if not allowed:
        raise ValueError(f"L'indicatore «{code}» non ha raggruppamenti: togliere --by.")
    raise ValueError(f"Raggruppamento «{by}» non previsto per «{code}». Ammessi: {', '.join(allowed)}.")

# Functions whose result is always a table (outside the data: the table without rows).
TABLES = {"arrears_aging", "arrears_aging_by_charge", "ticket_backlog_age"}


def default_as_of(first_day: date, last_day: date) -> date:
    """The date pages open on: the last month end the data covers (month-end figures are the ones reported,
    and the ledger pre-aggregates answer them at once), or the last day if no month end is covered."""
    if (last_day + timedelta(days=1)).day == 1:
        return last_day
    month_end = last_day.replace(day=1) - timedelta(days=1)
    return month_end if month_end >= first_day else last_day


def default_period(as_of: date) -> tuple[date, date]:
    """The twelve months ending on `as_of`."""
    start = (pd.Timestamp(as_of) - pd.DateOffset(years=1) + pd.Timedelta(days=1)).date()
    return start, as_of


def compute(conn, code: str, *, as_of: date, start: date | None = None, end: date | None = None,
            scope: Scope = Scope(), by: str | None = None) -> KpiValue | pd.DataFrame:
    """Compute registry KPI `code` with the options that apply to it."""
    spec = CATALOG[code]
    module, name = spec.function.split(":")
    func = getattr(import_module(f"indicators.{module}"), name)
    check_grouping(code, by)
    kwargs: dict = {"scope": scope, **dict(spec.options)}
    if by is not None:
        kwargs["by"] = by
    if spec.style == AS_OF:
        kwargs["as_of"] = as_of
    elif spec.style == PERIOD:
        if start is None or end is None:
            start, end = default_period(as_of)
        kwargs.update(start=start, end=end)
    else:
        kwargs["year"] = (end or as_of).year
    dates = {k: kwargs.get(k) for k in ("as_of", "start", "end")}
    if "by" not in kwargs and code not in TABLES and (reason := coverage.gap(conn, code, **dates)) is not None:
        return coverage.no_data(code, reason, **dates)  # outside the data: no number, and no query for it
    return coverage.checked(conn, func(conn, **kwargs), **dates)


def compute_years(conn, code: str, *, first_year: int, last_year: int, scope: Scope = Scope(),
                  by: str | None = None) -> pd.DataFrame:
    """A yearly KPI (style YEAR) for each year from `first_year` to `last_year`: one row per year (and group),
    `year` first; a KpiValue's breakdown becomes columns, its warnings go to `attrs["warnings"]` with the year."""
    rows, frames, warnings = [], [], []
    for year in range(first_year, last_year + 1):
        result = compute(conn, code, as_of=date(year, 12, 31), scope=scope, by=by)
        if isinstance(result, pd.DataFrame):
            frames.append(result.assign(year=year))
            continue
        rows.append({"year": year, "value": result.value, "numerator": result.numerator,
                     "denominator": result.denominator, **result.breakdown})
        warnings += [f"{year}: {w}" for w in result.warnings]
    frame = pd.concat(frames, ignore_index=True) if frames else pd.DataFrame(rows)
    frame = frame[["year", *(c for c in frame.columns if c != "year")]]
    frame.attrs.update(kpi=code, warnings=warnings)
    return frame
