"""Arrears cases (pratiche di morosità) on the procedure clock of domain.md (seed 000).

The clock starts at the case's opening, its first event (normally `apertura`): the gestore opens the
case at the missed payment, so "+30 days from the missed payment" is read as +30 days from the opening.
A case's stage is the furthest step it has reached; the step after it is due `due_days` after the
opening and is late once `grace_days` more have passed (a step skipped is no alert once a later one is
done). The eviction step is due 730 days after the opening, or 548 days (18 months) after the latest
repayment plan, microcredit or hardship fund if later: while one of these runs the eviction waits.
A diffida counts as the instrument of a case assessed colpevole. The first closing event closes the
case: chiusura_saldo (resolved), chiusura_altro, or sfratto_eseguito.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from etl.kinds import EVENTI_PRATICA
from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query


@dataclass(frozen=True)
class Step:
    """One step of the procedure: the events that accomplish it and its deadline from the opening."""

    code: str
    label: str  # what is due, as the user reads it
    stage: str  # the case's stage once the step is done
    events: tuple[str, ...]
    due_days: int
    when_culpable: tuple[str, ...] = ()  # events that count only for a case assessed colpevole
    suspended_by: tuple[str, ...] = ()  # instruments that hold the deadline while they run
    running_days: int = 0  # how long such an instrument runs


# The procedure as data (domain.md): a settings page may replace this table.
PROCEDURE: tuple[Step, ...] = (
    Step("reminder", "sollecito", "sollecitata", ("sollecito_telefonico", "sollecito_scritto"), 30),
    Step("assessment", "incontro e valutazione", "valutata",
         ("incontro", "valutazione_disagio", "incolpevole", "colpevole"), 60),
    Step("instrument", "strumento", "strumento attivo",
         ("microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio", "programma_supporto",
          "assicurazione", "riduzione_canone"), 90, when_culpable=("diffida",)),
    Step("eviction", "avvio sfratto", "sfratto in corso",
         ("sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito"), 730,
         suspended_by=("piano_rientro", "microcredito", "fondo_solidarieta"), running_days=548),
)
INSTRUMENT_STEP = "instrument"
OPEN_STAGE = "aperta"
# Closing events, in precedence when two fall on one day: (stage, outcome).
CLOSURES = {"sfratto_eseguito": ("chiusa - sfratto eseguito", "sfratto"),
            "chiusura_saldo": ("chiusa - saldata", "risolta"), "chiusura_altro": ("chiusa - altro", "chiusa altro")}
RUNNING, IN_PROGRESS = "piano in corso", "in corso"
OUTCOMES = ("risolta", RUNNING, "sfratto", IN_PROGRESS, "chiusa altro")

CASE_COLUMNS = ["case_code", "lease_code", "unit_code", "building_code", "intervention_code", "fund", "opened_on",
                "last_event", "last_event_on", "stage", "assessment", "severity", "instrument", "outcome", "is_open",
                "next_step", "next_step_due", "days_late", "late"]
LATE_COLUMNS = ["case_code", "lease_code", "unit_code", "building_code", "intervention_code", "fund", "opened_on",
                "stage", "last_event", "last_event_on", "overdue_step", "due_on", "days_late"]
INSTRUMENT_COLUMNS = ["instrument", "cases", "amount", "resolved", "in_progress", "evicted", "closed_other"]


def _instrument_step() -> tuple[int, Step]:
    return next((i, s) for i, s in enumerate(PROCEDURE) if s.code == INSTRUMENT_STEP)


def _event_rank() -> str:
    """The events' order in the procedure, to break ties between events of one day (constants only)."""
    assert all(e.replace("_", "").isalpha() for e in EVENTI_PRATICA)
    return "CASE event " + " ".join(f"WHEN '{e}' THEN {i}" for i, e in enumerate(EVENTI_PRATICA)) + " END"


def _day(conn, col: str) -> str:
    """A date as an integer that sorts like it (days since 1900)."""
    return f"CAST({col} - DATE '1900-01-01' AS BIGINT)"


ID_SPAN = 1_000_000_000  # event ids stay below this: a key is (day × 100 + rank) × ID_SPAN + id


def _step_condition(i: int, step: Step) -> str:
    return f"(event IN :step_{i})"


def _step_params(i: int, step: Step) -> dict:
    return {f"step_{i}": list(step.events), **({f"step_{i}_c": list(step.when_culpable)} if step.when_culpable else {})}


def _events_cte(conn, scope: Scope, as_of: date) -> tuple[str, dict]:
    """CTE `tagged`: the scoped events up to `as_of`, each with a sortable integer key `k` (date, procedure
    rank, id), flags for instrument (`is_instrument`; `is_culpable_instrument` for those that count only for
    a case assessed colpevole) and closure events."""
    units, params = scope.units_sql()
    k, instrument = _instrument_step()
    params = {**params, "as_of": as_of, "closures": list(CLOSURES), **_step_params(k, instrument)}
    culpable = f"CASE WHEN event IN :step_{k}_c THEN 1 ELSE 0 END" if instrument.when_culpable else "0"
    sql = f"""
        ev AS (
            SELECT e.id, e.case_code, e.lease_code, e.event_date, e.event, e.amount, e.severity,
                   su.unit_code, su.building_code, su.intervention_code, su.fund, {_event_rank()} AS event_rank
            FROM arrears_case_event e JOIN lease l ON l.code = e.lease_code
            JOIN ({units}) su ON su.unit_code = l.unit_code
            WHERE e.event_date <= :as_of),
        tagged AS (
            SELECT ev.*, (CAST({_day(conn, "event_date")} AS BIGINT) * 100 + event_rank) * {ID_SPAN} + id AS k,
                   CASE WHEN {_step_condition(k, PROCEDURE[k])} THEN 1 ELSE 0 END AS is_instrument,
                   {culpable} AS is_culpable_instrument,
                   CASE WHEN event IN :closures THEN 1 ELSE 0 END AS is_closure
            FROM ev)"""
    return sql, params


def _case_rows(conn, scope: Scope, as_of: date) -> pd.DataFrame:
    """One row per case from SQL: identity, last event, first instrument and closure, steps reached.

    The first or last event of a kind is the MIN or MAX of the integer key `k` over the case's events (one
    grouping pass, no sort per pick); the event is read back from the key's procedure rank, the severity
    from the event the key's id names. A diffida counts as the instrument only of a case assessed colpevole.
    """
    cte, params = _events_cte(conn, scope, as_of)
    steps = ", ".join(f"MAX(CASE WHEN {_step_condition(i, s)} THEN 1 ELSE 0 END) AS step_{i}"
                      for i, s in enumerate(PROCEDURE))
    for i, step in enumerate(PROCEDURE):
        params.update(_step_params(i, step))
    params["suspending"] = sorted({e for s in PROCEDURE for e in s.suspended_by}) or ["\x00"]
    by_date = f"CAST({_day(conn, 'event_date')} AS BIGINT) * 100 * {ID_SPAN} + id"  # latest by date, then id
    sql = f"""WITH {cte},
        cases AS (
            SELECT case_code, MIN(lease_code) AS lease_code, MIN(unit_code) AS unit_code,
                MIN(building_code) AS building_code, MIN(intervention_code) AS intervention_code, MIN(fund) AS fund,
                MIN(event_date) AS opened_on, MAX(event_date) AS last_event_on, MAX(k) AS last_k,
                MAX(CASE WHEN severity IS NOT NULL THEN {by_date} END) AS severity_k,
                MIN(CASE WHEN is_instrument = 1 THEN k END) AS instrument_k,
                MIN(CASE WHEN is_culpable_instrument = 1 THEN k END) AS culpable_instrument_k,
                MIN(CASE WHEN is_closure = 1 THEN k END) AS closure_k,
                MAX(CASE WHEN event = 'incolpevole' THEN event_date END) AS no_fault_on,
                MAX(CASE WHEN event = 'colpevole' THEN event_date END) AS culpable_on,
                MAX(CASE WHEN event IN :suspending THEN event_date END) AS running_from, {steps}
            FROM tagged GROUP BY case_code)
        SELECT cases.*, s.severity FROM cases
        LEFT JOIN arrears_case_event s ON s.id = cases.severity_k % {ID_SPAN}
        ORDER BY cases.case_code"""
    frame = query(conn, sql, params)
    for col in ("opened_on", "last_event_on", "no_fault_on", "culpable_on", "running_from"):
        frame[col] = pd.to_datetime(frame[col])
    return _picked_events(frame)


def _event_of(keys: pd.Series) -> pd.Series:
    """The event a key names (its procedure rank), None where there is no key."""
    names = dict(enumerate(EVENTI_PRATICA))
    ranks = keys.dropna().astype("int64") // ID_SPAN % 100
    return ranks.map(names).reindex(keys.index).astype(object).where(keys.notna(), None)


def _picked_events(frame: pd.DataFrame) -> pd.DataFrame:
    k, _ = _instrument_step()
    culpable = frame.culpable_on.notna()
    own, diffida = frame.instrument_k, frame.culpable_instrument_k.where(culpable)
    first = pd.concat([own, diffida], axis=1).min(axis=1)
    frame[f"step_{k}"] = ((frame[f"step_{k}"] == 1) | diffida.notna()).astype(int)
    return frame.assign(last_event=_event_of(frame.last_k), instrument=_event_of(first),
                        closure=_event_of(frame.closure_k))


def _next_due(frame: pd.DataFrame, level: np.ndarray, open_: np.ndarray) -> pd.Series:
    """The deadline of the step after the furthest one reached (NaT when none is due)."""
    due = pd.Series(pd.NaT, index=frame.index, dtype="datetime64[ns]")
    for i, step in enumerate(PROCEDURE):
        mask = open_ & (level + 1 == i)
        deadline = frame.opened_on + pd.Timedelta(days=step.due_days)
        if step.suspended_by:
            held = frame.running_from + pd.Timedelta(days=step.running_days)
            deadline = pd.concat([deadline, held], axis=1).max(axis=1)
        due[mask] = deadline[mask]
    return due


def _outcome(frame: pd.DataFrame, closed: np.ndarray, as_of: pd.Timestamp, level: np.ndarray) -> np.ndarray:
    runs = next((s.running_days for s in PROCEDURE if s.suspended_by), 0)
    evicting = next((i for i, s in enumerate(PROCEDURE) if s.suspended_by), len(PROCEDURE))
    running = (frame.running_from + pd.Timedelta(days=runs) >= as_of).to_numpy() & (level < evicting)
    outcome = frame.closure.map({e: o for e, (_, o) in CLOSURES.items()}).to_numpy(dtype=object)
    return np.where(closed, outcome, np.where(running, RUNNING, IN_PROGRESS))


def _nones(frame: pd.DataFrame) -> pd.DataFrame:
    """Text columns with None, not NaN, where empty: what both backends give for NULL."""
    for col in frame.columns:
        if frame[col].dtype == object or pd.api.types.is_string_dtype(frame[col]):
            frame[col] = frame[col].astype(object).where(frame[col].notna(), None)
    return frame


def _dates(series: pd.Series) -> pd.Series:
    return series.dt.date.astype(object).where(series.notna(), None)


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
        Source: domain.md, procedura morosità (seme 000).
    """
    frame = _case_rows(conn, scope, as_of)
    if frame.empty:
        return pd.DataFrame(columns=CASE_COLUMNS)
    today = pd.Timestamp(as_of)
    reached = np.column_stack([frame[f"step_{i}"].to_numpy() == 1 for i in range(len(PROCEDURE))])
    level = np.where(reached.any(axis=1), len(PROCEDURE) - 1 - np.argmax(reached[:, ::-1], axis=1), -1)
    closed = frame.closure.notna().to_numpy()
    stages = np.array([OPEN_STAGE] + [s.stage for s in PROCEDURE], dtype=object)
    closed_stage = frame.closure.map({e: s for e, (s, _) in CLOSURES.items()}).to_numpy(dtype=object)
    has_next = ~closed & (level + 1 < len(PROCEDURE))
    due = _next_due(frame, level, has_next)
    days_late = ((today - due).dt.days - grace_days).clip(lower=0).fillna(0).astype(int)
    labels = np.array([s.label for s in PROCEDURE] + [None], dtype=object)
    no_fault, culpable = frame.no_fault_on, frame.culpable_on
    frame = frame.assign(
        stage=np.where(closed, closed_stage, stages[level + 1]),
        assessment=np.where(no_fault.notna() & ~(culpable > no_fault), "incolpevole",
                            np.where(culpable.notna(), "colpevole", None)),
        outcome=_outcome(frame, closed, today, level), is_open=~closed,
        next_step=np.where(has_next, labels[np.minimum(level + 1, len(PROCEDURE))], None),
        next_step_due=_dates(due), days_late=days_late.to_numpy(), late=days_late.to_numpy() > 0,
        opened_on=_dates(frame.opened_on), last_event_on=_dates(frame.last_event_on))
    return _nones(frame[CASE_COLUMNS].reset_index(drop=True))


def late_cases(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
               grace_days: int = 10) -> pd.DataFrame:
    """The open cases with a step past its deadline (`late_cases`), most late first: the alert list.

    Returns
    -------
    DataFrame
        `LATE_COLUMNS`: the case, its stage, the overdue step, its due date and the days late beyond the
        tolerance (see `case_status`). Source: domain.md, procedura morosità (seme 000).
    """
    return late_list(case_status(conn, as_of=as_of, scope=scope, grace_days=grace_days))


def late_list(status: pd.DataFrame) -> pd.DataFrame:
    """`late_cases` from a `case_status` frame."""
    late = status[status.is_open & status.late].rename(columns={"next_step": "overdue_step", "next_step_due": "due_on"})
    return late.sort_values(["days_late", "case_code"], ascending=[False, True])[LATE_COLUMNS].reset_index(drop=True)


def _cohort(status: pd.DataFrame, start: date | None, end: date | None) -> pd.DataFrame:
    """`case_status` rows of the cases opened within [start, end] (either bound optional)."""
    opened = pd.to_datetime(status.opened_on)
    keep = (opened >= pd.Timestamp(start or date.min)) & (opened <= pd.Timestamp(end or date.max))
    return status[keep]


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
    return late_case_kpi(_cohort(case_status(conn, as_of=as_of, scope=scope, grace_days=grace_days), start, end),
                         as_of, start, end)


def late_case_kpi(cases: pd.DataFrame, as_of: date, start: date | None = None, end: date | None = None) -> KpiValue:
    """`case_summary` from the `case_status` rows of the cases to count."""
    counts = None if cases.empty else {
        "open": int(cases.is_open.sum()), "late": int((cases.is_open & cases.late).sum()),
        "closed": int((~cases.is_open).sum()), "resolved": int((cases.outcome == "risolta").sum())}
    return _late_result(counts, as_of, start, end)


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
    return no_fault_kpi(_cohort(case_status(conn, as_of=as_of, scope=scope), start, end), as_of, start, end)


def no_fault_kpi(cases: pd.DataFrame, as_of: date, start: date | None = None, end: date | None = None) -> KpiValue:
    """`no_fault_share` from the `case_status` rows of the cases to count."""
    return _no_fault_result(int((cases.assessment == "incolpevole").sum()), int((cases.assessment == "colpevole").sum()),
                            int(cases.assessment.isna().sum()), as_of, start, end)


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
    return instruments_table(conn, _cohort(case_status(conn, as_of=as_of, scope=scope), start, end), as_of=as_of,
                             scope=scope)


def instruments_table(conn, cases: pd.DataFrame, *, as_of: date, scope: Scope = Scope()) -> pd.DataFrame:
    """`instruments_summary` for the `case_status` rows of the cases to count (same `as_of` and `scope`)."""
    return instrument_counts(instrument_uses(conn, scope=scope, as_of=as_of), cases, as_of)


def instrument_uses(conn, *, scope: Scope, as_of: date) -> pd.DataFrame:
    """The instrument events up to `as_of` of the cases in scope: case_code, instrument (the event), event_date,
    amount, and the case's first colpevole (a diffida counts only for a case assessed colpevole by the date)."""
    cte, params = _events_cte(conn, scope, as_of)
    uses = query(conn, f"""WITH {cte},
        culpable AS (SELECT case_code, MIN(event_date) AS culpable_on FROM tagged WHERE event = 'colpevole'
                     GROUP BY case_code)
        SELECT t.case_code, t.event AS instrument, t.event_date, t.amount, t.is_instrument, c.culpable_on
        FROM tagged t LEFT JOIN culpable c ON c.case_code = t.case_code
        WHERE t.is_instrument = 1 OR (t.is_culpable_instrument = 1 AND c.culpable_on IS NOT NULL)""", params)
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
    return _every_instrument(table)


_INSTRUMENT_TYPES = {c: float if c == "amount" else int for c in INSTRUMENT_COLUMNS[1:]}


def _every_instrument(table: pd.DataFrame) -> pd.DataFrame:
    """`INSTRUMENT_COLUMNS`, a row for every instrument of the procedure (zeros where unused), from sums indexed by
    instrument."""
    _, step = _instrument_step()
    table = table.reindex(list(step.events + step.when_culpable), fill_value=0).rename_axis("instrument")
    return table.reset_index().astype(_INSTRUMENT_TYPES)[INSTRUMENT_COLUMNS]


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
    return outcomes_table(_cohort(case_status(conn, as_of=as_of, scope=scope), start, end))


def outcomes_table(cases: pd.DataFrame) -> pd.DataFrame:
    """`outcomes_summary` from the `case_status` rows of the cases to count."""
    return _outcome_shares(cases.outcome.value_counts().reindex(list(OUTCOMES), fill_value=0))


def _outcome_shares(counts: pd.Series) -> pd.DataFrame:
    counts = counts.astype(int)
    total = int(counts.sum())
    return pd.DataFrame({"outcome": list(OUTCOMES), "cases": counts.to_numpy(),
                         "share": [ratio(int(n), total) for n in counts]})


def plan_recovery(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(), start: date | None = None,
                  end: date | None = None) -> KpiValue:
    """Old debt recovered under repayment plans (`plan_recovery_eur`).

    The ledger does not mark plan instalments, so recovery is measured on the lease's account: payments
    after the plan that exceed the charges falling due meanwhile pay off the debt the plan was signed for
    (first-in first-out).

    Parameters
    ----------
    as_of, scope
        As in `case_status`.
    start, end : date, optional
        Measure only the recovery in [start, end] (a flow, unlike the case counts).

    Returns
    -------
    KpiValue
        Per lease with plans (overlapping plans on one lease merged: from the first plan to the last
        closure, or `as_of` while open), over the window (t1, t2]:
        recovered = min(Σ plan amounts, debt at t1, max(0, Σ incasso − (Σ addebito due − Σ storno))),
        where debt at t1 = charges due by t1 − all credits by t1. value = numerator = Σ recovered.
        Abbuoni and stralci are not recoveries. Breakdown: plans, planned (Σ importo of the plans).
        None, with a warning, without plans. Source: domain.md, procedura morosità (seme 000).
    """
    cte, params = _events_cte(conn, scope, as_of)
    params.update(start=start or date(1, 1, 1), end=min(end or as_of, as_of))
    due = "COALESCE(le.due_date, le.entry_date)"
    sql = f"""WITH {cte},
        plans AS (
            SELECT case_code, MIN(lease_code) AS lease_code,
                   MIN(CASE WHEN event = 'piano_rientro' THEN event_date END) AS plan_on,
                   MIN(CASE WHEN is_closure = 1 THEN event_date END) AS closed_on,
                   SUM(CASE WHEN event = 'piano_rientro' THEN COALESCE(amount, 0) ELSE 0 END) AS planned
            FROM tagged GROUP BY case_code),
        leases AS (
            SELECT lease_code, MIN(plan_on) AS plan_on, MAX(COALESCE(closed_on, :as_of)) AS until_on,
                   SUM(planned) AS planned
            FROM plans WHERE plan_on IS NOT NULL GROUP BY lease_code),
        windows AS (
            SELECT lease_code, planned,
                   CASE WHEN plan_on > :start THEN plan_on ELSE :start END AS t1,
                   CASE WHEN until_on < :end THEN until_on ELSE :end END AS t2
            FROM leases),
        flows AS (
            SELECT w.lease_code, MIN(w.planned) AS planned,
                   SUM(CASE WHEN le.entry_type = 'addebito' AND {due} <= w.t1 THEN le.amount
                            WHEN le.entry_type <> 'addebito' AND le.entry_date <= w.t1 THEN -le.amount
                            ELSE 0 END) AS debt_t1,
                   SUM(CASE WHEN le.entry_date > w.t1 AND le.entry_date <= w.t2 AND le.entry_type = 'incasso'
                            THEN le.amount
                            WHEN le.entry_date > w.t1 AND le.entry_date <= w.t2 AND le.entry_type = 'storno'
                            THEN le.amount
                            WHEN le.entry_type = 'addebito' AND {due} > w.t1 AND {due} <= w.t2 THEN -le.amount
                            ELSE 0 END) AS surplus
            FROM windows w JOIN ledger_entry le ON le.lease_code = w.lease_code
            WHERE w.t1 < w.t2 GROUP BY w.lease_code)
        SELECT (SELECT COUNT(*) FROM plans WHERE plan_on IS NOT NULL) AS plans,
               (SELECT COALESCE(SUM(planned), 0) FROM plans WHERE plan_on IS NOT NULL) AS planned,
               (SELECT COALESCE(SUM(CASE
                    WHEN surplus <= 0 OR debt_t1 <= 0 THEN 0
                    WHEN planned <= debt_t1 AND planned <= surplus THEN planned
                    WHEN debt_t1 <= surplus THEN debt_t1 ELSE surplus END), 0) FROM flows) AS recovered"""
    row = query(conn, sql, params).iloc[0]
    return _plan_result(row.plans, row.planned, row.recovered, as_of, start, end)


def _plan_result(plans, planned, recovered, as_of: date, start: date | None, end: date | None) -> KpiValue:
    result = KpiValue("plan_recovery_eur", None, as_of=as_of, start=start, end=end,
                      breakdown={"plans": int(plans), "planned": round(float(planned), 2)})
    if int(plans) == 0:
        result.warnings.append("nessun piano di rientro nel perimetro alla data")
        return result
    result.value = result.numerator = round(float(recovered), 2)
    return result
