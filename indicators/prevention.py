"""Arrears prevention: who to call this week, and why (the early warning of seed 000's procedure).

The procedure's clock (domain.md, seed 000) runs from the missed payment: +30 days a phone call and a written
reminder, +60 a letter, a meeting and the hardship assessment, within +90 an instrument, within 18-24 months the
eviction. A contract whose oldest unpaid charge (payments allocated first in, first out) is more than N days old
and that has no open case is on the early-warning list, with the step of the procedure due by now.

The FIFO positions are those of `indicators.ledger` (one SQL text per figure, on the analytics copy).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.cases import CLOSURES, PROCEDURE
from indicators.ledger import unpaid_charges_ctes
from indicators.ledger_sql import date_param, day_diff
from indicators.scope import Scope
from indicators.sql import query

Conn = Connection | Engine
DEFAULT_BANDS = (1000.0, 5000.0)  # the debt bands of seed 002: up to 1,000 €, 1,001-5,000 €, over 5,000 €
DEFAULT_DAYS = 30
ITEMS = ("canone", "spese", "conguaglio", "mora", "altro")
ITEM_LABELS = {"canone": "Canone", "spese": "Spese", "conguaglio": "Conguaglio", "mora": "Interessi di mora",
               "altro": "Altro"}
SEVERITIES = ("lieve", "grave", "non valutata", "senza pratica")
WARNING_COLUMNS = ["lease_code", "household_code", "unit_code", "building_code", "intervention_code", "income_band",
                   "monthly_rent", "balance", "first_unpaid_due", "first_unpaid_amount", "days_overdue", "band",
                   "step_due", "step_since", "next_step", "next_step_on", "legal_action"]
# The steps an arrears officer takes without a case, from the missed payment (domain.md, seed 000): what each
# asks, in words. The days are those of the procedure (`indicators.cases.PROCEDURE`).
STEP_ACTIONS = {
    "reminder": "Telefonata e sollecito scritto (interessi di mora)",
    "assessment": "Lettera, incontro e valutazione del disagio",
    "instrument": "Strumento: piano di rientro, microcredito, fondo, altro",
    "eviction": "Valutare l'avvio dello sfratto",
}
LEGAL_EVENTS = ("diffida", "sfratto_avviato", "sfratto_convalidato", "sfratto_eseguito")


def band_labels(bands: tuple[float, ...] = DEFAULT_BANDS) -> list[str]:
    """'fino a 1.000 €', '1.000,01–5.000 €', 'oltre 5.000 €' for the limits (1000, 5000)."""
    from osservatorio.formatting import fmt_eur

    limits = [fmt_eur(b, cents=False) for b in bands]  # "1.000\xa0€": babel puts a no-break space
    labels = [f"fino a {limits[0]}"]
    labels += [f"da {a} a {b}" for a, b in zip(limits, limits[1:])]
    return labels + [f"oltre {limits[-1]}"]


def debt_band(amounts: pd.Series, bands: tuple[float, ...] = DEFAULT_BANDS) -> pd.Series:
    """The band of each amount: up to the first limit (included), then each next limit (included), then above."""
    bands = checked_bands(bands)
    labels = band_labels(bands)
    edges = [-float("inf"), *bands, float("inf")]
    cut = pd.cut(amounts.astype(float), bins=edges, labels=labels, right=True)
    return cut.astype(object)


def checked_bands(bands) -> tuple[float, ...]:
    """The limits as increasing positive numbers, or a ValueError in Italian."""
    limits = tuple(float(b) for b in bands)
    if not limits or any(b <= 0 for b in limits) or any(b >= c for b, c in zip(limits, limits[1:])):
        raise ValueError("Fasce di debito non valide: servono limiti positivi e crescenti (es. 1000, 5000).")
    return limits


def open_case_leases_sql() -> str:
    """SELECT of the leases with a case open at :as_of (an event by then and no closing event by then)."""
    return """SELECT DISTINCT lease_code FROM (
            SELECT case_code, MIN(lease_code) AS lease_code,
                   SUM(CASE WHEN event IN :closures THEN 1 ELSE 0 END) AS closings
            FROM arrears_case_event WHERE event_date <= :as_of GROUP BY case_code) c
        WHERE closings = 0"""


def _positions(conn: Conn, *, as_of: date, scope: Scope) -> pd.DataFrame:
    """Every lease in debit at `as_of`: balance, first unpaid charge (FIFO) and its unpaid part, household fascia,
    whether a case is open and whether legal action (diffida, eviction) was ever taken."""
    ctes, params = unpaid_charges_ctes(conn, scope=scope, as_of=as_of)
    params.update(closures=list(CLOSURES), legal=list(LEGAL_EVENTS))
    days = day_diff(date_param("as_of"), "o.first_due")
    sql = f"""WITH {ctes},
        oldest AS (SELECT lease_code, MIN(due_date) AS first_due FROM unpaid GROUP BY lease_code),
        first_charge AS (SELECT u.lease_code, u.unpaid AS first_unpaid_amount FROM unpaid u
                         JOIN oldest o ON o.lease_code = u.lease_code AND o.first_due = u.due_date),
        open_cases AS ({open_case_leases_sql()}),
        legal AS (SELECT DISTINCT lease_code FROM arrears_case_event
                  WHERE event IN :legal AND event_date <= :as_of)
        SELECT f.lease_code, f.household_code, f.unit_code, f.building_code, f.intervention_code, f.active,
            h.income_band, f.monthly_rent, f.arrears AS balance, o.first_due AS first_unpaid_due,
            fc.first_unpaid_amount, {days} AS days_overdue,
            CASE WHEN oc.lease_code IS NULL THEN 0 ELSE 1 END AS open_case,
            CASE WHEN lg.lease_code IS NULL THEN 0 ELSE 1 END AS legal_action
        FROM fifo f JOIN oldest o ON o.lease_code = f.lease_code
        JOIN first_charge fc ON fc.lease_code = f.lease_code
        LEFT JOIN household h ON h.code = f.household_code
        LEFT JOIN open_cases oc ON oc.lease_code = f.lease_code
        LEFT JOIN legal lg ON lg.lease_code = f.lease_code
        WHERE f.arrears > 0
        ORDER BY f.lease_code"""
    frame = query(conn, sql, params)
    frame["first_unpaid_due"] = pd.to_datetime(frame["first_unpaid_due"]).dt.date
    for col in ("balance", "first_unpaid_amount", "monthly_rent"):
        frame[col] = frame[col].astype(float).round(2)
    for col in ("days_overdue", "open_case", "legal_action", "active"):
        frame[col] = frame[col].astype(int)
    return frame


def step_due(days: pd.Series) -> tuple[pd.Series, pd.Series, pd.Series, pd.Series]:
    """For days since the missed payment: the furthest step due by now (code), its day, the next step and its day.

    A step is due from its day on (a charge 30 days old is due a phone call). Before +30 nothing is due."""
    steps = sorted(PROCEDURE, key=lambda s: s.due_days)
    due = pd.Series(None, index=days.index, dtype=object)
    since = pd.Series(None, index=days.index, dtype=object)
    nxt = pd.Series(steps[0].code, index=days.index, dtype=object)
    nxt_day = pd.Series(steps[0].due_days, index=days.index, dtype=object)
    for i, step in enumerate(steps):
        reached = days >= step.due_days
        due[reached], since[reached] = step.code, step.due_days
        following = steps[i + 1] if i + 1 < len(steps) else None
        nxt[reached] = following.code if following else None
        nxt_day[reached] = following.due_days if following else None
    return due, since, nxt, nxt_day


def early_warning(conn: Conn, *, as_of: date, scope: Scope = Scope(), days: int = DEFAULT_DAYS,
                  bands: tuple[float, ...] = DEFAULT_BANDS) -> pd.DataFrame:
    """Contracts in force at `as_of` whose first unpaid charge is more than `days` days old and with no open case.

    The clock of the procedure starts at the first unpaid charge (payments allocated FIFO): domain.md, seed 000.
    Sorted by days overdue (longest first), then amount.

    Parameters
    ----------
    conn : Engine or Connection
    as_of : date, the day D
    scope : Scope, the portfolio the caller may see
    days : int, the threshold N (D − first unpaid due date > N)
    bands : the debt-band limits in euro (default 1,000 and 5,000, seed 002)

    Returns
    -------
    DataFrame
        `WARNING_COLUMNS`: first_unpaid_due and first_unpaid_amount (its unpaid part), days_overdue, balance (the
        lease's arrears), band, step_due (code of `STEP_ACTIONS`) due since step_since days, next_step on
        next_step_on (a date), legal_action (a diffida or eviction on record).
    """
    frame = _positions(conn, as_of=as_of, scope=scope)
    keep = (frame["active"] == 1) & (frame["open_case"] == 0) & (frame["days_overdue"] > days)
    return warning_rows(frame[keep], as_of=as_of, bands=bands)


def warning_rows(frame: pd.DataFrame, *, as_of: date, bands: tuple[float, ...]) -> pd.DataFrame:
    """Positions as early-warning rows: band, step due, next step (sorted, longest overdue first)."""
    frame = frame.copy()
    frame["band"] = debt_band(frame["balance"], bands) if len(frame) else pd.Series(dtype=object)
    due, since, nxt, nxt_day = step_due(frame["days_overdue"])
    frame["step_due"], frame["step_since"], frame["next_step"] = due, since, nxt
    first = pd.to_datetime(frame["first_unpaid_due"])
    offsets = pd.to_timedelta(pd.to_numeric(nxt_day, errors="coerce"), unit="D")
    frame["next_step_on"] = (first + offsets).dt.date.astype(object).where(nxt.notna(), None)
    frame["legal_action"] = frame["legal_action"].astype(bool)
    frame = frame.sort_values(["days_overdue", "balance", "lease_code"], ascending=[False, False, True])
    return frame.reindex(columns=WARNING_COLUMNS).reset_index(drop=True)


# --- breakdowns ---------------------------------------------------------------------------------------------------
def arrears_by_item(conn: Conn, *, as_of: date, scope: Scope = Scope()) -> pd.DataFrame:
    """The arrears stock at D by `voce` of the unpaid charges (`arrears_by_item_eur`): canone, spese, conguaglio,
    mora, altro (and 'n.d.' for charges without a voce).

    Each charge's unpaid part is FIFO over the lease's charges ordered by due date, then id (the same line as the
    stock): Σ over items = `arrears_stock_eur`.

    Returns
    -------
    DataFrame
        item, amount (euro), contracts (leases with an unpaid charge of the item), share (points of the stock).
    """
    ctes, params = unpaid_charges_ctes(conn, scope=scope, as_of=as_of)
    due = "COALESCE(e.due_date, e.entry_date)"
    sql = f"""WITH {ctes},
        lines AS (
            SELECT e.lease_code, e.item, e.amount, o.credited,
                SUM(e.amount) OVER (PARTITION BY e.lease_code ORDER BY {due}, e.id
                                    ROWS BETWEEN UNBOUNDED PRECEDING AND CURRENT ROW) AS through
            FROM ledger_entry e JOIN owing o ON o.lease_code = e.lease_code
            WHERE e.entry_type = 'addebito' AND {due} <= :as_of),
        parts AS (
            SELECT lease_code, item, CASE WHEN through - credited <= 0 THEN 0
                WHEN through - credited >= amount THEN amount ELSE through - credited END AS unpaid
            FROM lines)
        SELECT COALESCE(item, '') AS item, ROUND(SUM(unpaid), 2) AS amount,
               COUNT(DISTINCT CASE WHEN unpaid > 0 THEN lease_code END) AS contracts
        FROM parts GROUP BY 1"""
    frame = query(conn, sql, params)
    order = {item: i for i, item in enumerate(ITEMS)}
    frame["item"] = frame["item"].map(lambda v: v if v in order else "n.d.")
    frame = frame.groupby("item", as_index=False).agg(amount=("amount", "sum"), contracts=("contracts", "sum"))
    grid = pd.DataFrame({"item": [*ITEMS, *(["n.d."] if "n.d." in set(frame["item"]) else [])]})
    out = grid.merge(frame, on="item", how="left").fillna({"amount": 0.0, "contracts": 0})
    return _shares(out.astype({"amount": float, "contracts": int}))


def _shares(frame: pd.DataFrame) -> pd.DataFrame:
    total = float(frame["amount"].sum())
    frame["amount"] = frame["amount"].round(2)
    frame["share"] = [round(a / total * 100, 4) if total else None for a in frame["amount"]]
    return frame


def arrears_by_band(conn: Conn, *, as_of: date, scope: Scope = Scope(),
                    bands: tuple[float, ...] = DEFAULT_BANDS) -> pd.DataFrame:
    """The arrears stock at D by the size of each contract's debt (`arrears_by_debt_band_eur`).

    Returns
    -------
    DataFrame
        band (every band, in order), contracts, amount (euro), share (points of the stock): Σ amount = the stock.
    """
    positions = _positions(conn, as_of=as_of, scope=scope)
    labels = band_labels(checked_bands(bands))
    positions["band"] = debt_band(positions["balance"], bands) if len(positions) else []
    counts = positions.groupby("band").agg(contracts=("lease_code", "count"), amount=("balance", "sum"))
    out = counts.reindex(labels, fill_value=0).rename_axis("band").reset_index()
    return _shares(out.astype({"contracts": int, "amount": float}))


@dataclass(frozen=True)
class NoFaultRule:
    """When a contract in arrears looks incolpevole before anyone assessed it: every clause set must hold.

    Seed 002 quotes three bodies: Brescia, debt under 5,000 €; Cesano Boscone, 300-3,000 € and band Protezione
    or B1; ALER Milano, Protezione or B1. `income_bands` empty: no clause on the band; a debt limit None: none."""

    income_bands: tuple[str, ...] = ("protezione", "accesso")
    min_debt: float | None = None
    max_debt: float | None = 5000.0
    no_legal_action: bool = True


DEFAULT_RULE = NoFaultRule()


def looks_no_fault(frame: pd.DataFrame, rule: NoFaultRule = DEFAULT_RULE) -> pd.Series:
    """True where the rule holds on columns income_band, balance and legal_action."""
    holds = pd.Series(True, index=frame.index)
    if rule.income_bands:
        holds &= frame["income_band"].isin(rule.income_bands)
    if rule.min_debt is not None:
        holds &= frame["balance"] >= rule.min_debt
    if rule.max_debt is not None:
        holds &= frame["balance"] <= rule.max_debt
    if rule.no_legal_action:
        holds &= ~frame["legal_action"].astype(bool)
    return holds
