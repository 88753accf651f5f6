"""The SQL of the arrears-case figures: a few documented pieces, written once, that every case query starts from.

A case query reads, top to bottom:

1. the procedure as data (`procedure_ctes`), rendered from `indicators.procedure` as VALUES tables:
   ``step(step_no, label, stage, due_days, held_days)`` (step 0 is the open case), ``step_event(event, step_no,
   culpable_only, is_instrument, pos)``, ``hold_event(event)``, ``closure(event, stage, outcome)`` and
   ``event_order(event, event_rank)`` (the events' order in the procedure breaks ties within a day);
2. ``event_kind``: what each kind of event does in the procedure (its rank, its step, whether it holds the eviction
   or closes the case), so that each event is joined once to a table of twenty rows;
3. the scope: the buildings the caller may see (`Scope.buildings_sql`), matched on the `case_event_unit` fact, which
   holds each event with the unit, building, intervention and fund of its lease;
4. ``assessed_culpable``: the cases assessed colpevole by ``:as_of``; ``case_event``: the scoped events up to ``:as_of``
   with their step, the step they accomplish for this case (a diffida only for a case in ``assessed_culpable``), and
   whether they hold the eviction or close the case;
5. ``case_fact``: per case, its opening, its last event, the first instrument and closure, the latest
   assessments and holding instrument, the furthest step reached (``furthest_step``, 0 when none);
6. ``case_state``: per case, the columns of `indicators.cases.case_status`, the clock applied at ``:as_of``
   with ``:grace_days`` of tolerance.

Only constants of the procedure are written into the text; dates, tolerance and scope are named parameters, so
the same text answers every date.
"""

from __future__ import annotations

import re

from etl.kinds import EVENTI_PRATICA
from indicators.procedure import (CLOSURES, CULPABLE, IN_PROGRESS, INSTRUMENT_STEP, NO_FAULT, OPEN_STAGE, PROCEDURE,
                                  RUNNING)
from indicators.scope import Scope

_CONSTANT = re.compile(r"[a-z_ \-]+")

CASE_STATE_COLUMNS = (
    "case_code, lease_code, unit_code, building_code, intervention_code, fund, opened_on, last_event, last_event_on, "
    "stage, assessment, severity, instrument, outcome, is_open, next_step, next_step_due, days_late, late")


def literal(value: str) -> str:
    """A constant of the procedure as an SQL literal (only lower-case words: never user text)."""
    if not _CONSTANT.fullmatch(value):
        raise ValueError(f"not a procedure constant: {value!r}")
    return f"'{value}'"


def _values(rows: list[tuple]) -> str:
    def value(v) -> str:
        if v is None:
            return "NULL"
        if isinstance(v, bool):
            return "TRUE" if v else "FALSE"
        return str(int(v)) if isinstance(v, int) else literal(v)
    return ",\n        ".join("(" + ", ".join(value(v) for v in row) + ")" for row in rows)


def _hold() -> tuple[int, int]:
    """(step_no, running_days) of the step that holding instruments suspend."""
    return next((i, s.running_days) for i, s in enumerate(PROCEDURE, start=1) if s.suspended_by)


def procedure_ctes() -> str:
    """The procedure as VALUES tables: `step`, `step_event`, `hold_event`, `closure`, `event_order`."""
    steps = [(0, None, OPEN_STAGE, None, None)] + [
        (i, s.label, s.stage, s.due_days, s.running_days if s.suspended_by else None)
        for i, s in enumerate(PROCEDURE, start=1)]
    events = [(e, i, culpable, s.code == INSTRUMENT_STEP)
              for i, s in enumerate(PROCEDURE, start=1)
              for events, culpable in ((s.events, False), (s.when_culpable, True)) for e in events]
    holds = sorted({e for s in PROCEDURE for e in s.suspended_by})
    return f"""step(step_no, label, stage, due_days, held_days) AS (VALUES
        {_values(steps)}),
    step_event(event, step_no, culpable_only, is_instrument, pos) AS (VALUES
        {_values([(*row, pos) for pos, row in enumerate(events)])}),
    hold_event(event) AS (VALUES
        {_values([(e,) for e in holds])}),
    closure(event, stage, outcome) AS (VALUES
        {_values([(e, stage, outcome) for e, (stage, outcome) in CLOSURES.items()])}),
    event_order(event, event_rank) AS (VALUES
        {_values([(e, i) for i, e in enumerate(EVENTI_PRATICA)])})"""


def case_event_ctes(scope: Scope) -> tuple[str, dict]:
    """The procedure, `event_kind` (what each kind of event does in it) and `case_event`: the events by `:as_of` of
    the cases of the scope's buildings (from the `case_event_unit` fact, which holds where each lease is)."""
    buildings, params = scope.buildings_sql()
    return f"""{procedure_ctes()},
    event_kind AS (
        SELECT o.event, o.event_rank, se.step_no, COALESCE(se.culpable_only, FALSE) AS culpable_only,
            COALESCE(se.is_instrument, FALSE) AS is_instrument,
            o.event IN (SELECT event FROM hold_event) AS holds, o.event IN (SELECT event FROM closure) AS closes
        FROM event_order o LEFT JOIN step_event se ON se.event = o.event),
    assessed_culpable AS (
        SELECT DISTINCT case_code FROM arrears_case_event
        WHERE event = {literal(CULPABLE)} AND event_date <= CAST(:as_of AS DATE)),
    case_event AS (
        SELECT e.id, e.case_code, e.lease_code, e.event_date, e.event, e.amount, e.severity,
            e.unit_code, e.building_code, e.intervention_code, e.fund, k.event_rank,
            CASE WHEN NOT k.culpable_only OR cu.case_code IS NOT NULL THEN k.step_no END AS step_done,
            COALESCE(k.is_instrument, FALSE) AND (NOT k.culpable_only OR cu.case_code IS NOT NULL) AS is_instrument,
            COALESCE(k.holds, FALSE) AS holds, COALESCE(k.closes, FALSE) AS closes
        FROM case_event_unit e
        LEFT JOIN event_kind k ON k.event = e.event
        LEFT JOIN assessed_culpable cu ON cu.case_code = e.case_code
        WHERE e.event_date <= CAST(:as_of AS DATE)
          AND e.building_code IN (SELECT building_code FROM ({buildings}) sb))""", params


def case_state_ctes(scope: Scope) -> tuple[str, dict]:
    """Every piece up to `case_state` (parameters `:as_of`, `:grace_days` and the scope's)."""
    events, params = case_event_ctes(scope)
    hold_step, held_days = _hold()
    order = "(event_date, event_rank, id)"  # an event's place in the case: its day, then the procedure, then entry
    return f"""{events},
    case_fact AS (
        SELECT case_code, MIN(lease_code) AS lease_code, MIN(unit_code) AS unit_code,
            MIN(building_code) AS building_code, MIN(intervention_code) AS intervention_code, MIN(fund) AS fund,
            MIN(event_date) AS opened_on, MAX(event_date) AS last_event_on,
            arg_max(event, {order}) AS last_event,
            arg_max(severity, (event_date, id)) FILTER (WHERE severity IS NOT NULL) AS severity,
            arg_min(event, {order}) FILTER (WHERE is_instrument) AS instrument,
            arg_min(event, {order}) FILTER (WHERE closes) AS closure,
            MAX(event_date) FILTER (WHERE event = {literal(NO_FAULT)}) AS no_fault_on,
            MAX(event_date) FILTER (WHERE event = {literal(CULPABLE)}) AS culpable_on,
            MAX(event_date) FILTER (WHERE holds) AS held_from,
            COALESCE(MAX(step_done), 0) AS furthest_step
        FROM case_event GROUP BY case_code),
    case_clock AS (
        SELECT f.*, c.stage AS closed_stage, c.outcome AS closed_outcome, reached.stage AS reached_stage,
            nxt.label AS next_step,
            GREATEST(f.opened_on + nxt.due_days, COALESCE(f.held_from + nxt.held_days, f.opened_on + nxt.due_days))
                AS next_step_due
        FROM case_fact f
        LEFT JOIN closure c ON c.event = f.closure
        JOIN step reached ON reached.step_no = f.furthest_step
        LEFT JOIN step nxt ON nxt.step_no = f.furthest_step + 1 AND f.closure IS NULL),
    case_state AS (
        SELECT case_code, lease_code, unit_code, building_code, intervention_code, fund, opened_on,
            last_event, last_event_on, COALESCE(closed_stage, reached_stage) AS stage,
            CASE WHEN no_fault_on IS NOT NULL AND (culpable_on IS NULL OR culpable_on <= no_fault_on)
                 THEN {literal(NO_FAULT)}
                 WHEN culpable_on IS NOT NULL THEN {literal(CULPABLE)} END AS assessment,
            severity, instrument,
            CASE WHEN closure IS NOT NULL THEN closed_outcome
                 WHEN held_from + {held_days} >= CAST(:as_of AS DATE) AND furthest_step < {hold_step}
                 THEN {literal(RUNNING)}
                 ELSE {literal(IN_PROGRESS)} END AS outcome,
            closure IS NULL AS is_open, next_step, next_step_due,
            GREATEST(0, COALESCE(CAST(:as_of AS DATE) - next_step_due - :grace_days, 0)) AS days_late,
            COALESCE(CAST(:as_of AS DATE) - next_step_due - :grace_days, 0) > 0 AS late
        FROM case_clock)""", params


COHORT = "opened_on >= CAST(:start AS DATE) AND opened_on <= CAST(:end AS DATE)"  # the cases opened in [start, end]
