"""Allocations (assegnazioni): the applications funnel, times to allocation, the waiting list, and evictions.

Applications (domande) are kept per Comune, not per unit: a limited scope keeps the applications made in the
Comuni of its interventions (`Scope.municipalities_filter`). Each application carries its latest outcome and
the date of that outcome, so the funnel of a period is the cohort of applications received in it, with the
outcome they have in the data (a later decision counts).

Outcomes: in_istruttoria (being assessed), idonea (eligible, waiting), non_idonea (turned down), assegnata
(allocated a unit), rinuncia (gave up after being found eligible).
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import date_param, day_diff, month_ends, month_key, sql_month_key
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query
from indicators.vacancy import eviction_stats, evictions_per_1000

CLOSED = ("assegnata", "non_idonea", "rinuncia")  # outcomes that take an application off the waiting list
FUNNEL = (("received", "Ricevute"), ("eligible", "Idonee"), ("allocated", "Assegnate"), ("renounced", "Rinunce"))
_NO_APPLICATIONS = "nessuna domanda ricevuta nel periodo nel perimetro"
_NO_ALLOCATIONS = "nessuna assegnazione nel periodo nel perimetro"


def _where(scope: Scope) -> tuple[str, dict]:
    return scope.municipalities_filter("a.municipality")


def _period(conn, start: date, end: date, params: dict, column: str) -> str:
    params.update(start=start.isoformat(), end=end.isoformat())
    return f"{column} >= {date_param('start')} AND {column} <= {date_param('end')}"


def application_funnel(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope()) -> KpiValue:
    """Applications received in [start, end] and how far they went (`applications_received`).

    Returns
    -------
    KpiValue
        value = applications received; breakdown: received, eligible (idonea, assegnata or rinuncia: found
        eligible), allocated, renounced, rejected (non_idonea), pending (in_istruttoria), allocated_pct =
        allocated / received × 100.
    """
    where, params = _where(scope)
    received = _period(conn, start, end, params, "a.applied_on")
    row = query(conn, f"""SELECT COUNT(*) AS received,
            SUM(CASE WHEN a.outcome IN ('idonea', 'assegnata', 'rinuncia') THEN 1 ELSE 0 END) AS eligible,
            SUM(CASE WHEN a.outcome = 'assegnata' THEN 1 ELSE 0 END) AS allocated,
            SUM(CASE WHEN a.outcome = 'rinuncia' THEN 1 ELSE 0 END) AS renounced,
            SUM(CASE WHEN a.outcome = 'non_idonea' THEN 1 ELSE 0 END) AS rejected,
            SUM(CASE WHEN a.outcome IS NULL OR a.outcome = 'in_istruttoria' THEN 1 ELSE 0 END) AS pending
        FROM application a WHERE {where} AND {received}""", params).iloc[0]
    counts = {k: int(row[k] or 0) for k in row.index}
    result = KpiValue("applications_received", float(counts["received"]), numerator=float(counts["received"]),
                      start=start, end=end, breakdown={**counts, "allocated_pct": ratio(counts["allocated"],
                                                                                         counts["received"])})
    if not counts["received"]:
        result.warnings.append(_NO_APPLICATIONS)
    return result


def funnel_frame(funnel: KpiValue) -> pd.DataFrame:
    """The funnel's stages as rows (stage, label, applications), for a chart or a table; a stage hidden by
    small-cell suppression has no number and says so in its label."""
    hidden = [k in funnel.hidden_fields for k, _ in FUNNEL]
    return pd.DataFrame({"stage": [k for k, _ in FUNNEL],
                         "label": [f"{label} (nascosto)" if h else label for (_, label), h in zip(FUNNEL, hidden)],
                         "applications": [None if h else int(funnel.breakdown.get(k) or 0)
                                          for (k, _), h in zip(FUNNEL, hidden)]})


def allocation_days(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope()) -> KpiValue:
    """Mean calendar days from application to allocation, over the allocations decided in [start, end]
    (`allocation_days`); breakdown: allocations, median (days)."""
    where, params = _where(scope)
    decided = _period(conn, start, end, params, "a.outcome_date")
    days = query(conn, f"SELECT {day_diff('a.outcome_date', 'a.applied_on')} AS days FROM application a "
                 f"WHERE {where} AND a.outcome = 'assegnata' AND {decided}", params)["days"].astype(float)
    result = KpiValue("allocation_days", None, numerator=float(days.sum()), denominator=float(len(days)),
                      start=start, end=end, breakdown={"allocations": len(days)})
    if days.empty:
        result.warnings.append(_NO_ALLOCATIONS)
        return result
    result.value = float(days.mean())
    result.breakdown["median"] = float(days.median())
    return result


def _monthly_counts(conn, scope: Scope, column: str, condition: str = "1 = 1") -> pd.Series:
    where, params = _where(scope)
    key = sql_month_key(column)
    frame = query(conn, f"SELECT {key} AS month, COUNT(*) AS n FROM application a WHERE {where} AND {column} IS "
                  f"NOT NULL AND {condition} GROUP BY {key}", params)
    return pd.Series(frame["n"].to_numpy(dtype=int), index=frame["month"].astype(int), dtype=int)


def waiting_list_series(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope()
                        ) -> pd.DataFrame:
    """Applications waiting at each month end in [start, end] (`waiting_list`): received by then, minus those
    allocated, turned down or renounced by then. Columns: month (the month end), waiting, received, closed."""
    received = _monthly_counts(conn, scope, "a.applied_on")
    closed = _monthly_counts(conn, scope, "a.outcome_date", "a.outcome IN ('assegnata', 'non_idonea', 'rinuncia')")
    ends = month_ends(start, end)
    if end not in ends:
        ends.append(end)
    keys = [month_key(d) for d in ends]
    got = [int(received[received.index <= k].sum()) for k in keys]
    gone = [int(closed[closed.index <= k].sum()) for k in keys]
    return pd.DataFrame({"month": ends, "waiting": [g - c for g, c in zip(got, gone)], "received": got,
                         "closed": gone})


def waiting_list(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope()) -> KpiValue:
    """Applications waiting at D (`waiting_list`): received on or before D and not allocated, turned down or
    renounced by D (eligible ones waiting for a unit and those still being assessed)."""
    where, params = _where(scope)
    params["as_of"] = as_of.isoformat()
    d = date_param("as_of")
    row = query(conn, f"""SELECT COUNT(*) AS waiting,
            SUM(CASE WHEN a.outcome = 'idonea' AND a.outcome_date <= {d} THEN 1 ELSE 0 END) AS eligible
        FROM application a WHERE {where} AND a.applied_on <= {d} AND NOT (COALESCE(a.outcome, '')
            IN ('assegnata', 'non_idonea', 'rinuncia') AND COALESCE(a.outcome_date, {d}) <= {d})""", params).iloc[0]
    waiting, eligible = int(row["waiting"] or 0), int(row["eligible"] or 0)
    return KpiValue("waiting_list", float(waiting), numerator=float(waiting), as_of=as_of,
                    breakdown={"idonee_in_attesa": eligible, "in_istruttoria": waiting - eligible})


def allocations_by_year(conn: Connection | Engine, *, scope: Scope = Scope()) -> pd.DataFrame:
    """Per calendar year: applications received, allocations decided, mean days from application to allocation."""
    where, params = _where(scope)
    year = "CAST(substr(CAST({c} AS TEXT), 1, 4) AS INTEGER)"
    received = query(conn, f"SELECT {year.format(c='a.applied_on')} AS year, COUNT(*) AS received FROM application a "
                     f"WHERE {where} GROUP BY {year.format(c='a.applied_on')}", params)
    allocated = query(conn, f"SELECT {year.format(c='a.outcome_date')} AS year, COUNT(*) AS allocations, "
                      f"AVG({day_diff('a.outcome_date', 'a.applied_on')}) AS days_mean FROM application a "
                      f"WHERE {where} AND a.outcome = 'assegnata' GROUP BY {year.format(c='a.outcome_date')}", params)
    out = received.merge(allocated, on="year", how="outer").sort_values("year").reset_index(drop=True)
    out[["received", "allocations"]] = out[["received", "allocations"]].fillna(0).astype(int)
    out["days_mean"] = out["days_mean"].astype(float)
    return out


def evictions_by_year(conn: Connection | Engine, *, scope: Scope = Scope(), first_year: int, last_year: int
                      ) -> pd.DataFrame:
    """The portfolio's own evictions carried out per calendar year (`evictions_per_1000`, from cases and leases),
    one row per year: year, evictions, units, per_1000 (None without units)."""
    rows = []
    for year in range(first_year, last_year + 1):
        value = evictions_per_1000(conn, start=date(year, 1, 1), end=date(year, 12, 31), scope=scope)
        rows.append((year, int(value.numerator or 0), int(value.denominator or 0), value.value))
    return pd.DataFrame(rows, columns=["year", "evictions", "units", "per_1000"])


def municipal_evictions(conn: Connection | Engine, *, scope: Scope = Scope()) -> pd.DataFrame:
    """The Comuni's eviction statistics (`evictions_executed`): public figures per Comune and year, kept for
    the Comuni of the scope's interventions when the scope is limited; executed_pct = executed / validated × 100."""
    stats = eviction_stats(conn)
    if scope.limited:
        where, params = scope.municipalities_filter("x.municipality")
        keep = query(conn, f"SELECT DISTINCT x.municipality FROM eviction_stat x WHERE {where}", params)
        stats = stats[stats["municipality"].isin(keep["municipality"])]
    stats = stats.reset_index(drop=True)
    stats["executed_pct"] = [ratio(e, v) for e, v in zip(stats["executed"], stats["validated"])]
    return stats


def evictions_executed(conn: Connection | Engine, *, year: int, scope: Scope = Scope()) -> KpiValue:
    """Evictions carried out in `year` in the Comuni's statistics (`evictions_executed`); breakdown: validated,
    comuni (how many reported the year)."""
    stats = municipal_evictions(conn, scope=scope)
    stats = stats[(stats["year"] == year) & stats["executed"].notna()]
    result = KpiValue("evictions_executed", None, start=date(year, 1, 1), end=date(year, 12, 31),
                      breakdown={"validated": float(stats["validated"].sum()), "comuni": len(stats)})
    if stats.empty:
        result.warnings.append(f"nessuna statistica comunale sugli sfratti per il {year}")
        return result
    result.value = result.numerator = float(stats["executed"].sum())
    return result
