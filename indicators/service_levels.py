"""Facility quality: service levels by urgency against targets, backlog by age, recurrences, supplier performance.

Conventions (on top of `indicators.facilities`):
- each urgency has a target in calendar days from opening to closing (`DEFAULT_TARGETS`, configurable with the
  setting `OSSERVATORIO_TICKET_TARGET_DAYS`); a ticket closed in the period is *within target* when its days to close
  are at most its urgency's target; tickets without an urgency have no target and stay out of the share;
- the *place* of a ticket is its unit, or the common parts of its building when no unit is given; a ticket
  *recurs* when the next ticket of the same category in the same place opens on or after its closing day, within
  90 days (a *repeat*) or within 30 days (a *reopening*: the job did not hold). Recurrences are observed up to the
  last ticket loaded, and they are counted against the supplier who closed the first ticket;
- the backlog at D ages from the opening day: 0-7, 8-30, 31-90, 91-365 days, over a year.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.facilities import _group
from indicators.ledger_sql import date_param
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query, texts_of

URGENCIES = ("emergenza", "alta", "media", "bassa")
DEFAULT_TARGETS = {"emergenza": 1, "alta": 3, "media": 10, "bassa": 30}
REPEAT_DAYS, REOPEN_DAYS = 90, 30
AGE_BUCKETS = (("0-7 giorni", 0, 7), ("8-30 giorni", 8, 30), ("31-90 giorni", 31, 90), ("91-365 giorni", 91, 365),
               ("oltre un anno", 366, None))
QUALITY_COLUMNS = ["group", "closed", "with_target", "within_target", "within_target_pct", "days_mean", "cost",
                   "cost_mean", "repeats", "repeat_pct", "reopened", "reopened_pct"]
_NO_CLOSED = "nessuna segnalazione chiusa nel periodo nel perimetro"
_NO_TARGET = "nessuna segnalazione chiusa nel periodo con l'urgenza indicata"


def configured_targets() -> dict[str, int]:
    """The targets in days per urgency: the setting's, over the defaults."""
    from osservatorio.settings import get_settings

    return {**DEFAULT_TARGETS, **get_settings().ticket_target_days}


def _target_sql(targets: dict[str, int]) -> tuple[str, dict]:
    """CASE giving each ticket its urgency's target (NULL without urgency), with the targets as parameters."""
    whens = " ".join(f"WHEN '{u}' THEN :target_{u}" for u in URGENCIES)
    return f"CASE t.urgency {whens} END", {f"target_{u}": int(targets.get(u, DEFAULT_TARGETS[u])) for u in URGENCIES}


def _placed(scope: Scope, by: str | None, targets: dict[str, int]) -> tuple[str, dict]:
    """SQL of the tickets in scope with grp, days to close, target, and the next ticket in the same place."""
    units, params = scope.units_sql()
    target, target_params = _target_sql(targets)
    sql = (f"SELECT {_group(by)} AS grp, t.code, t.opened_on, t.closed_on, t.cost, t.urgency, "
           f"(t.closed_on - t.opened_on) AS days, {target} AS target, "
           "LEAD(t.opened_on) OVER (PARTITION BY t.building_code, COALESCE(t.unit_code, ''), t.category "
           "ORDER BY t.opened_on, t.code) AS next_opened "
           "FROM ticket t JOIN (SELECT DISTINCT building_code, intervention_code, fund, sgr FROM "
           f"({units}) x) su ON su.building_code = t.building_code")
    return sql, {**params, **target_params}


def ticket_quality(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                   by: str | None = "urgency", targets: dict[str, int] | None = None) -> pd.DataFrame:
    """Tickets closed in [start, end] per group: within their urgency's target, cost, recurrences.

    Returns
    -------
    DataFrame
        `QUALITY_COLUMNS`: closed; with_target (closed with an urgency); within_target and its share of with_target;
        days_mean; cost and cost_mean (per ticket closed); repeats (recurring within 90 days of closing) and
        reopened (within 30 days), with their shares of closed. With `by="urgency"` also `target_days`.
    """
    if start > end:
        raise ValueError(f"Periodo non valido: l'inizio {start} è successivo alla fine {end}.")
    targets = configured_targets() if targets is None else {**DEFAULT_TARGETS, **targets}
    tickets, params = _placed(scope, by, targets)
    recur = "t.next_opened IS NOT NULL AND t.next_opened >= t.closed_on AND (t.next_opened - t.closed_on) <= {}"
    params.update(start=start.isoformat(), end=end.isoformat())
    frame = query(conn, f"""SELECT grp, COUNT(*) AS closed,
            SUM(CASE WHEN t.target IS NOT NULL THEN 1 ELSE 0 END) AS with_target,
            SUM(CASE WHEN t.days <= t.target THEN 1 ELSE 0 END) AS within_target,
            AVG(t.days) AS days_mean, SUM(COALESCE(t.cost, 0)) AS cost, AVG(t.cost) AS cost_mean,
            SUM(CASE WHEN {recur.format(REPEAT_DAYS)} THEN 1 ELSE 0 END) AS repeats,
            SUM(CASE WHEN {recur.format(REOPEN_DAYS)} THEN 1 ELSE 0 END) AS reopened
        FROM ({tickets}) t WHERE t.closed_on >= {date_param('start')} AND t.closed_on <= {date_param('end')}
        GROUP BY grp ORDER BY grp""", params)
    frame["within_target_pct"] = [ratio(w, n) for w, n in zip(frame["within_target"], frame["with_target"])]
    frame["repeat_pct"] = [ratio(r, n) for r, n in zip(frame["repeats"], frame["closed"])]
    frame["reopened_pct"] = [ratio(r, n) for r, n in zip(frame["reopened"], frame["closed"])]
    out = frame.rename(columns={"grp": "group"})[QUALITY_COLUMNS]
    if by == "urgency":
        out = out.assign(target_days=[targets.get(u) for u in out["group"]])
        out = out.sort_values("group", key=lambda g: g.map({u: i for i, u in enumerate(URGENCIES)})).reset_index(
            drop=True)
    return out


def supplier_performance(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                         targets: dict[str, int] | None = None) -> pd.DataFrame:
    """`ticket_quality` per `fornitore` (tickets without a supplier under None), most tickets first."""
    frame = ticket_quality(conn, start=start, end=end, scope=scope, by="supplier", targets=targets)
    frame["group"] = texts_of(frame["group"])
    return frame.sort_values(["closed", "group"], ascending=[False, True], na_position="last").reset_index(drop=True)


def _kpi(code: str, frame: pd.DataFrame, num: str, den: str, by: str | None, *, empty: str, scale: float = 100.0,
         **dates) -> KpiValue | pd.DataFrame:
    value = [ratio(n, d, scale=scale) for n, d in zip(frame[num], frame[den])]
    if by is not None:
        out = frame.assign(value=value, numerator=frame[num], denominator=frame[den])
        out.attrs["kpi"] = code
        return out
    n, d = float(frame[num].sum()), float(frame[den].sum())
    breakdown: dict[str, float | None] = {k: float(frame[k].sum())
                                          for k in ("closed", "with_target", "within_target", "repeats", "reopened")}
    result = KpiValue(code, ratio(n, d, scale=scale), numerator=n, denominator=d, breakdown=breakdown, **dates)
    if not d:
        result.warnings.append(empty)
    return result


def ticket_within_target(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                         by: str | None = None, targets: dict[str, int] | None = None) -> KpiValue | pd.DataFrame:
    """Tickets closed in the period within their urgency's target / those closed with an urgency
    (`ticket_within_target_pct`)."""
    frame = ticket_quality(conn, start=start, end=end, scope=scope, by=by, targets=targets)
    return _kpi("ticket_within_target_pct", frame, "within_target", "with_target", by, empty=_NO_TARGET,
                start=start, end=end)


def ticket_repeats(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                   by: str | None = None) -> KpiValue | pd.DataFrame:
    """Tickets closed in the period whose fault recurs in the same place within 90 days / closed
    (`ticket_repeat_pct`)."""
    frame = ticket_quality(conn, start=start, end=end, scope=scope, by=by)
    return _kpi("ticket_repeat_pct", frame, "repeats", "closed", by, empty=_NO_CLOSED, start=start, end=end)


def ticket_reopenings(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                      by: str | None = None) -> KpiValue | pd.DataFrame:
    """Tickets closed in the period followed within 30 days by a new one in the same place / closed
    (`ticket_reopened_pct`)."""
    frame = ticket_quality(conn, start=start, end=end, scope=scope, by=by)
    return _kpi("ticket_reopened_pct", frame, "reopened", "closed", by, empty=_NO_CLOSED, start=start, end=end)


def ticket_cost_mean(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope(),
                     by: str | None = None) -> KpiValue | pd.DataFrame:
    """Cost of the tickets closed in the period / tickets closed (`ticket_cost_mean_eur`)."""
    frame = ticket_quality(conn, start=start, end=end, scope=scope, by=by)
    return _kpi("ticket_cost_mean_eur", frame, "cost", "closed", by, empty=_NO_CLOSED, scale=1.0, start=start,
                end=end)


def backlog_by_age(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                   targets: dict[str, int] | None = None) -> pd.DataFrame:
    """Tickets open at D by age since opening (`ticket_backlog_age`): bucket, tickets, over_target (older than
    their urgency's target); every bucket listed, zero included."""
    targets = configured_targets() if targets is None else {**DEFAULT_TARGETS, **targets}
    tickets, params = _placed(scope, None, targets)
    cases = " ".join(f"WHEN age BETWEEN {lo} AND {hi} THEN '{name}'" if hi is not None else f"ELSE '{name}'"
                     for name, lo, hi in AGE_BUCKETS)
    d = date_param("as_of")
    frame = query(conn, f"""SELECT CASE {cases} END AS bucket, COUNT(*) AS tickets,
            SUM(CASE WHEN age > target THEN 1 ELSE 0 END) AS over_target
        FROM (SELECT t.*, ({d} - t.opened_on) AS age FROM ({tickets}) t WHERE t.opened_on <= {d}
              AND (t.closed_on IS NULL OR t.closed_on > {d})) o GROUP BY bucket""", {**params,
                                                                                   "as_of": as_of.isoformat()})
    found = dict(zip(frame["bucket"], zip(frame["tickets"], frame["over_target"])))
    out = pd.DataFrame([{"bucket": name, "tickets": int(found.get(name, (0, 0))[0]),
                         "over_target": int(found.get(name, (0, 0))[1] or 0)} for name, _, _ in AGE_BUCKETS])
    out.attrs["kpi"] = "ticket_backlog_age"
    return out


def backlog_over_target(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                        targets: dict[str, int] | None = None) -> KpiValue:
    """Tickets open at D for longer than their urgency's target (`ticket_backlog_over_target`); denominator: the
    tickets open at D."""
    ages = backlog_by_age(conn, as_of=as_of, scope=scope, targets=targets)
    over, total = float(ages["over_target"].sum()), float(ages["tickets"].sum())
    return KpiValue("ticket_backlog_over_target", over, numerator=over, denominator=total, as_of=as_of,
                    breakdown={"backlog": total})
