"""Arrears cases (pratiche di morosità) on the procedure clock of domain.md (seed 000).

The clock starts at the case's opening, its first event (normally `apertura`): the gestore opens the
case at the missed payment, so "+30 days from the missed payment" is read as +30 days from the opening.
A case's stage is the furthest step it has reached; the step after it is due `due_days` after the
opening and is late once `grace_days` more have passed (a step skipped is no alert once a later one is
done). The eviction step is due 730 days after the opening, or 548 days (18 months) after the latest
repayment plan, microcredit or hardship fund if later: while one of these runs the eviction waits.
A diffida counts as the instrument of a case assessed colpevole. The first closing event closes the
case: chiusura_saldo (resolved), chiusura_altro, or sfratto_eseguito.

Each figure is one SQL text on the analytics copy, built from the documented pieces of `indicators.case_sql`
(the procedure of `indicators.procedure` as VALUES tables, the scope, `case_event`, `case_state`); Python only
shapes the result.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.case_sql import CASE_STATE_COLUMNS, COHORT, case_event_ctes, case_state_ctes, literal
from indicators.procedure import (CLOSURES, CULPABLE, IN_PROGRESS, INSTRUMENT_STEP, NO_FAULT, OPEN_STAGE, OUTCOMES,
                                  PROCEDURE, RUNNING, Step, instruments)
from indicators.recovery import plan_recovery
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query

__all__ = ["CLOSURES", "CULPABLE", "IN_PROGRESS", "INSTRUMENT_STEP", "NO_FAULT", "OPEN_STAGE", "OUTCOMES", "PROCEDURE",
           "RUNNING", "Step", "case_status", "late_cases", "case_summary", "no_fault_share",
           "instruments_summary", "instrument_uses", "instrument_counts", "outcomes_summary", "plan_recovery"]

CASE_COLUMNS = ["case_code", "lease_code", "unit_code", "building_code", "intervention_code", "fund", "opened_on",
                "last_event", "last_event_on", "stage", "assessment", "severity", "instrument", "outcome", "is_open",
                "next_step", "next_step_due", "days_late", "late"]
LATE_COLUMNS = ["case_code", "lease_code", "unit_code", "building_code", "intervention_code", "fund", "opened_on",
                "stage", "last_event", "last_event_on", "overdue_step", "due_on", "days_late"]
INSTRUMENT_COLUMNS = ["instrument", "cases", "amount", "resolved", "in_progress", "evicted", "closed_other"]
_FOREVER = (date(1, 1, 1), date(9999, 12, 31))  # a cohort without bounds


def _params(params: dict, as_of: date, grace_days: int = 10, start: date | None = None,
            end: date | None = None) -> dict:
    """The named parameters of a case query: the date, the tolerance and the cohort's bounds (none: every case)."""
    return {**params, "as_of": as_of, "grace_days": int(grace_days), "start": start or _FOREVER[0],
            "end": end or _FOREVER[1]}


def _nones(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with None, not NaN, where empty."""
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def case_status(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                grace_days: int = 10) -> pd.DataFrame:
    """Every case opened on or before `as_of`, with its stage on the procedure clock and whether it is late.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date
        Only events on or before this day count.
    scope : Scope
        Cases of leases whose unit is in scope.
    grace_days : int
        Tolerance on every deadline: a step due on day 30 is late from day 31 + `grace_days`.

    Returns
    -------
    DataFrame
        `CASE_COLUMNS`. `next_step_due` = opening + the step's `due_days` (eviction: the later of opening + 730
        and the latest plan/microcredit/fund + 548); `days_late` = max(0, as_of − next_step_due − grace_days).
        The query is `case_state` of `indicators.case_sql`. Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    frame = query(conn, f"""WITH {ctes}
        SELECT {CASE_STATE_COLUMNS} FROM case_state ORDER BY case_code""", _params(params, as_of, grace_days))
    if frame.empty:
        return pd.DataFrame(columns=CASE_COLUMNS)
    return _nones(_typed(frame)[CASE_COLUMNS].reset_index(drop=True))


def _typed(frame: pd.DataFrame) -> pd.DataFrame:
    """Flags as bool and day counts as int, whatever the driver gave for a frame of a few rows."""
    for col in ("is_open", "late"):
        if col in frame:
            frame[col] = frame[col].astype(bool)
    if "days_late" in frame:
        frame["days_late"] = frame["days_late"].astype(int)
    return frame


def late_cases(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
               grace_days: int = 10) -> pd.DataFrame:
    """The open cases with a step past its deadline (`late_cases`), most late first: the alert list.

    Returns
    -------
    DataFrame
        `LATE_COLUMNS`: the case, its stage, the overdue step, its due date and the days late beyond the
        tolerance (see `case_status`). Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    frame = query(conn, f"""WITH {ctes}
        SELECT case_code, lease_code, unit_code, building_code, intervention_code, fund, opened_on, stage,
            last_event, last_event_on, next_step AS overdue_step, next_step_due AS due_on, days_late
        FROM case_state WHERE is_open AND late
        ORDER BY days_late DESC, case_code""", _params(params, as_of, grace_days))
    if frame.empty:
        return pd.DataFrame(columns=LATE_COLUMNS)
    return _nones(_typed(frame)[LATE_COLUMNS].reset_index(drop=True))


NO_CASES = "nessuna pratica di morosità nel perimetro alla data"


def case_summary(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), start: date | None = None,
                 end: date | None = None, grace_days: int = 10) -> KpiValue:
    """How many open cases are late on the procedure clock (`late_cases`).

    Parameters
    ----------
    as_of, scope, grace_days
        As in `case_status`.
    start, end : date, optional
        Count only the cases opened in [start, end].

    Returns
    -------
    KpiValue
        value = numerator = open cases with a step late at `as_of`; denominator = open cases; breakdown:
        open, late, closed, resolved (closed by chiusura_saldo). None, with a warning, without any case.
        Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    row = query(conn, f"""WITH {ctes}
        SELECT COUNT(*) AS cases, COUNT(*) FILTER (WHERE is_open) AS open,
            COUNT(*) FILTER (WHERE is_open AND late) AS late, COUNT(*) FILTER (WHERE NOT is_open) AS closed,
            COUNT(*) FILTER (WHERE outcome = 'risolta') AS resolved
        FROM case_state WHERE {COHORT}""", _params(params, as_of, grace_days, start, end)).iloc[0]
    return _late_result(None if int(row.cases) == 0 else row, as_of, start, end)


def _late_result(counts, as_of: date, start: date | None, end: date | None) -> KpiValue:
    result = KpiValue("late_cases", None, as_of=as_of, start=start, end=end)
    if counts is None:
        result.warnings.append(NO_CASES)
        return result
    result.value = result.numerator = float(counts["late"])
    result.denominator = float(counts["open"])
    result.breakdown = {k: int(counts[k]) for k in ("open", "late", "closed", "resolved")}
    return result


def no_fault_share(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), start: date | None = None,
                   end: date | None = None) -> KpiValue:
    """Share of assessed cases found incolpevole (`no_fault_share`), in points.

    Parameters
    ----------
    as_of, scope, start, end
        As in `case_summary`: the cases opened in [start, end], events up to `as_of`.

    Returns
    -------
    KpiValue
        value = cases assessed incolpevole / cases assessed (incolpevole + colpevole) × 100, taking each
        case's latest assessment on or before `as_of`; breakdown: no_fault, culpable, not_assessed.
        None, with a warning, when no case is assessed. Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    row = query(conn, f"""WITH {ctes}
        SELECT COUNT(*) FILTER (WHERE assessment = {literal(NO_FAULT)}) AS no_fault,
            COUNT(*) FILTER (WHERE assessment = {literal(CULPABLE)}) AS culpable,
            COUNT(*) FILTER (WHERE assessment IS NULL) AS not_assessed
        FROM case_state WHERE {COHORT}""", _params(params, as_of, 10, start, end)).iloc[0]
    return _no_fault_result(int(row.no_fault), int(row.culpable), int(row.not_assessed), as_of, start, end)


def _no_fault_result(no_fault: int, culpable: int, not_assessed: int, as_of: date, start: date | None,
                     end: date | None) -> KpiValue:
    result = KpiValue("no_fault_share", ratio(no_fault, no_fault + culpable), numerator=float(no_fault),
                      denominator=float(no_fault + culpable), as_of=as_of, start=start, end=end,
                      breakdown={"no_fault": no_fault, "culpable": culpable, "not_assessed": not_assessed})
    if result.value is None:
        result.warnings.append("nessuna pratica valutata (incolpevole o colpevole) nel perimetro alla data")
    return result


def instruments_summary(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), start: date | None = None,
                        end: date | None = None) -> pd.DataFrame:
    """Per instrument: cases using it, the amount of its events, and how those cases stand at `as_of`.

    Parameters
    ----------
    as_of, scope, start, end
        As in `case_summary`: the cases opened in [start, end], events up to `as_of`.

    Returns
    -------
    DataFrame
        `INSTRUMENT_COLUMNS`, one row per instrument of the procedure (diffida counts for cases assessed
        colpevole): cases, amount (sum of the events' importo), resolved (closed by chiusura_saldo),
        in_progress (open), evicted (sfratto eseguito), closed_other. A case counts under every instrument
        it used. Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    return _instrument_rows(conn, ctes, COHORT, _params(params, as_of, 10, start, end))


def _instrument_rows(conn, ctes: str, which: str, params: dict) -> pd.DataFrame:
    """`INSTRUMENT_COLUMNS` for the cases of `case_state` meeting `which`, a row for every instrument."""
    frame = query(conn, f"""WITH {ctes},
        instrument_use AS (
            SELECT case_code, event AS instrument, SUM(amount) AS amount
            FROM case_event WHERE is_instrument GROUP BY case_code, event),
        counted AS (
            SELECT u.instrument, u.case_code, u.amount, s.outcome, s.is_open
            FROM instrument_use u JOIN case_state s ON s.case_code = u.case_code WHERE {which})
        SELECT i.event AS instrument, COUNT(c.case_code) AS cases, COALESCE(SUM(c.amount), 0) AS amount,
            COUNT(*) FILTER (WHERE c.outcome = 'risolta') AS resolved,
            COUNT(*) FILTER (WHERE c.is_open) AS in_progress,
            COUNT(*) FILTER (WHERE c.outcome = 'sfratto') AS evicted,
            COUNT(*) FILTER (WHERE c.outcome = 'chiusa altro') AS closed_other
        FROM step_event i LEFT JOIN counted c ON c.instrument = i.event
        WHERE i.is_instrument GROUP BY i.event, i.pos ORDER BY i.pos""", params)
    return frame.astype(_INSTRUMENT_TYPES)[INSTRUMENT_COLUMNS]


def instrument_uses(conn, *, scope: Scope, as_of: date) -> pd.DataFrame:
    """The instrument events up to `as_of` of the cases in scope: case_code, instrument (the event), event_date,
    amount, is_instrument (1: counts for any case), and the case's first colpevole (a diffida counts only for a
    case assessed colpevole by the date)."""
    ctes, params = case_event_ctes(scope)
    uses = query(conn, f"""WITH {ctes},
        culpable AS (SELECT case_code, MIN(event_date) AS culpable_on FROM case_event
                     WHERE event = {literal(CULPABLE)} GROUP BY case_code)
        SELECT t.case_code, t.event AS instrument, t.event_date, t.amount,
            CASE WHEN se.culpable_only THEN 0 ELSE 1 END AS is_instrument, c.culpable_on
        FROM case_event t JOIN step_event se ON se.event = t.event
        LEFT JOIN culpable c ON c.case_code = t.case_code
        WHERE t.is_instrument""", {**params, "as_of": as_of})
    for col in ("event_date", "culpable_on"):
        uses[col] = pd.to_datetime(uses[col])
    return uses


def instrument_counts(uses: pd.DataFrame, cases: pd.DataFrame, as_of: date, by: str | None = None) -> pd.DataFrame:
    """`INSTRUMENT_COLUMNS` from `instrument_uses` (at `as_of` or later: the later uses are dropped) and the
    `case_status` rows at `as_of` of the cases to count; with `by` (a column of `cases`), per value of it too."""
    day = pd.Timestamp(as_of)
    in_time = (uses.event_date <= day) & ((uses.is_instrument == 1) | (uses.culpable_on <= day))
    used = uses[in_time].groupby(["case_code", "instrument"], as_index=False).agg(amount=("amount", "sum"))
    keys = [by] if by else []
    used = used.merge(cases[["case_code", "outcome", "is_open", *keys]], on="case_code")
    used = used.assign(amount=used.amount.astype(float).fillna(0.0), resolved=used.outcome == "risolta",
                       in_progress=used.is_open, evicted=used.outcome == "sfratto",
                       closed_other=used.outcome == "chiusa altro")
    table = used.groupby([*keys, "instrument"]).agg(cases=("case_code", "nunique"), amount=("amount", "sum"),
                                                    resolved=("resolved", "sum"), in_progress=("in_progress", "sum"),
                                                    evicted=("evicted", "sum"), closed_other=("closed_other", "sum"))
    if by:
        return table.reset_index().astype(_INSTRUMENT_TYPES)
    table = table.reindex(list(instruments()), fill_value=0).rename_axis("instrument")
    return table.reset_index().astype(_INSTRUMENT_TYPES)[INSTRUMENT_COLUMNS]


_INSTRUMENT_TYPES = {c: float if c == "amount" else int for c in INSTRUMENT_COLUMNS[1:]}


def outcomes_summary(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), start: date | None = None,
                     end: date | None = None) -> pd.DataFrame:
    """Cases per outcome at `as_of` (risolta, piano in corso, sfratto, in corso, chiusa altro).

    Parameters
    ----------
    as_of, scope, start, end
        As in `case_summary`: the cases opened in [start, end], events up to `as_of`.

    Returns
    -------
    DataFrame
        outcome, cases, share = cases / all cases × 100 (points; None without cases). "piano in corso": open,
        no eviction started, a plan, microcredit or fund signed in the last 548 days.
        Source: domain.md, procedura morosità (seme 000).
    """
    ctes, params = case_state_ctes(scope)
    outcomes = ", ".join(f"({literal(o)}, {i})" for i, o in enumerate(OUTCOMES))
    frame = query(conn, f"""WITH {ctes},
        outcome(outcome, pos) AS (VALUES {outcomes})
        SELECT o.outcome, COUNT(s.case_code) AS cases
        FROM outcome o LEFT JOIN case_state s ON s.outcome = o.outcome AND {COHORT}
        GROUP BY o.outcome, o.pos ORDER BY o.pos""", _params(params, as_of, 10, start, end))
    return _outcome_shares(pd.Series(frame.cases.to_numpy(), index=list(OUTCOMES)))


def _outcome_shares(counts: pd.Series) -> pd.DataFrame:
    counts = counts.astype(int)
    total = int(counts.sum())
    return pd.DataFrame({"outcome": list(OUTCOMES), "cases": counts.to_numpy(),
                         "share": [ratio(int(n), total) for n in counts]})
