"""One contract's arrears history («storico della situazione di morosità», seed 000): its balance at every month
end, its charges and payments, and every event of its cases (instruments included), on one timeline."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import month_ends
from indicators.scope import Scope
from indicators.sql import query

Conn = Connection | Engine
INSTRUMENTS = ("microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio", "programma_supporto",
               "assicurazione", "riduzione_canone")


@dataclass(frozen=True)
class ContractHistory:
    """`months`: month_end, charged, credited, balance (charges due minus credits, euro); `movements`: day, kind
    ('addebito', 'incasso'...), item, amount, due_date; `events`: day, case_code, event, amount, severity,
    instrument (bool); `timeline`: movements and events in one table by date (day, what, detail, amount)."""

    lease_code: str
    months: pd.DataFrame
    movements: pd.DataFrame
    events: pd.DataFrame

    @property
    def empty(self) -> bool:
        return self.movements.empty and self.events.empty

    @property
    def timeline(self) -> pd.DataFrame:
        charge = self.movements["kind"] == "addebito"  # a credit's voce says nothing: the FIFO line decides
        moves = pd.DataFrame({"day": self.movements["day"], "what": self.movements["kind"],
                              "detail": self.movements["item"].where(charge, None), "amount": self.movements["amount"],
                              "case_code": None})
        events = pd.DataFrame({"day": self.events["day"], "what": self.events["event"],
                               "detail": self.events["severity"], "amount": self.events["amount"],
                               "case_code": self.events["case_code"]})
        parts = [p for p in (moves, events) if not p.empty]
        if not parts:
            return pd.DataFrame(columns=["day", "what", "detail", "amount", "case_code"])
        both = pd.concat(parts, ignore_index=True)
        return both.sort_values("day", kind="stable").reset_index(drop=True)


def _in_scope(scope: Scope) -> tuple[str, dict]:
    units, params = scope.units_sql()
    return f"SELECT l.code FROM lease l JOIN ({units}) su ON su.unit_code = l.unit_code WHERE l.code = :lease", params


def contract_history(conn: Conn, *, lease_code: str, as_of: date, scope: Scope = Scope(),
                     start: date | None = None) -> ContractHistory:
    """The history of `lease_code` up to `as_of` (nothing when the contract is outside `scope`).

    The month-end balance is the lease's running sums (`lease_month` fact): charges due by the month end minus
    payments, reversals, allowances and write-offs entered by then (positive: owed; negative: credit).
    """
    inside, params = _in_scope(scope)
    params.update(lease=lease_code, as_of=as_of)
    moves = query(conn, f"""SELECT e.entry_date AS day, e.entry_type AS kind, e.item, e.amount, e.due_date
        FROM ledger_entry e WHERE e.lease_code IN ({inside}) AND e.entry_date <= :as_of
        ORDER BY e.entry_date, e.id""", params)
    events = query(conn, f"""SELECT e.event_date AS day, e.case_code, e.event, e.amount, e.severity
        FROM arrears_case_event e WHERE e.lease_code IN ({inside}) AND e.event_date <= :as_of
        ORDER BY e.event_date, e.id""", params)
    for frame in (moves, events):
        frame["day"] = pd.to_datetime(frame["day"]).dt.date if len(frame) else frame.get("day")
    events["instrument"] = events["event"].isin(INSTRUMENTS) if len(events) else []
    months = _month_balances(conn, inside, params, moves, as_of=as_of, start=start)
    return ContractHistory(lease_code, months, moves, events)


def _month_balances(conn: Conn, inside: str, params: dict, moves: pd.DataFrame, *, as_of: date,
                    start: date | None) -> pd.DataFrame:
    """Balance at each month end from the first movement (or `start`) to `as_of`: the `lease_month` fact."""
    columns = ["month_end", "charged", "credited", "balance"]
    if moves.empty:
        return pd.DataFrame(columns=columns)
    first = start or min(moves["day"])
    ends = month_ends(first, as_of)
    if not ends:
        return pd.DataFrame(columns=columns)
    keys = [e.year * 12 + e.month - 1 for e in ends]
    frame = query(conn, f"""SELECT k.month_key, m.charged, m.credited
        FROM (SELECT UNNEST(range(:k0, :k1 + 1)) AS month_key) k
        LEFT JOIN lease_month m ON m.lease_code IN ({inside})
             AND m.month_key = LEAST(k.month_key, (SELECT MAX(month_key) FROM lease_month))
        ORDER BY k.month_key""", {**params, "k0": keys[0], "k1": keys[-1]})
    by_key = dict(zip(keys, ends))
    out = pd.DataFrame({"month_end": frame["month_key"].map(by_key),
                        "charged": frame["charged"].astype(float).fillna(0).round(2),
                        "credited": frame["credited"].astype(float).fillna(0).round(2)})
    out["balance"] = (out["charged"] - out["credited"]).round(2)
    return out[columns]
