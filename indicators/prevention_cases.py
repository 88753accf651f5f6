"""The case side of prevention: arrears and outcomes by severity (gravita), the procedure clock anchored at the
first unpaid charge, and the flag on cases assessed incolpevole and grave that are heading to or in eviction."""

from __future__ import annotations

from datetime import date, timedelta

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import cases
from indicators.prevention import SEVERITIES, _positions, _shares, debt_band, DEFAULT_BANDS, band_labels, \
    checked_bands
from indicators.scope import Scope

Conn = Connection | Engine
ANCHORS = {"first_unpaid": "dalla prima rata non pagata (lettura della procedura)",
           "opening": "dall'apertura della pratica"}
EVICTION_STAGE = next(s.stage for s in cases.PROCEDURE if s.code == "eviction")
EVICTION_LABEL = next(s.label for s in cases.PROCEDURE if s.code == "eviction")
HEADING_DAYS = 90  # an eviction step due within this many days is "heading to eviction"
FLAG_COLUMNS = ["case_code", "lease_code", "unit_code", "intervention_code", "opened_on", "severity", "stage",
                "next_step", "next_step_due", "balance", "reason"]


def lease_severity(status: pd.DataFrame) -> pd.DataFrame:
    """Per lease, the severity of its latest case opened by the date that has one (else 'non valutata')."""
    if status.empty:
        return pd.DataFrame(columns=["lease_code", "severity"])
    ordered = status.assign(rated=status["severity"].notna()).sort_values(["lease_code", "rated", "opened_on"])
    last = ordered.groupby("lease_code").tail(1)
    return pd.DataFrame({"lease_code": last["lease_code"],
                         "severity": last["severity"].where(last["severity"].notna(), "non valutata")})


def arrears_by_severity(conn: Conn, *, as_of: date, scope: Scope = Scope(),
                        status: pd.DataFrame | None = None) -> pd.DataFrame:
    """The arrears stock at D by the severity of the contract's latest assessed case (`arrears_by_severity_eur`).

    lieve / grave (gravita of the assessment), 'non valutata' (a case without one), 'senza pratica' (no case by D).

    Returns
    -------
    DataFrame
        severity (every value of `SEVERITIES`), contracts, amount (euro), share (points): Σ amount = the stock.
    """
    status = cases.case_status(conn, as_of=as_of, scope=scope) if status is None else status
    positions = _positions(conn, as_of=as_of, scope=scope).merge(lease_severity(status), on="lease_code", how="left")
    positions["severity"] = positions["severity"].fillna("senza pratica")
    grouped = positions.groupby("severity").agg(contracts=("lease_code", "count"), amount=("balance", "sum"))
    out = grouped.reindex(list(SEVERITIES), fill_value=0).rename_axis("severity").reset_index()
    return _shares(out.astype({"contracts": int, "amount": float}))


def band_by_severity(conn: Conn, *, as_of: date, scope: Scope = Scope(), bands: tuple[float, ...] = DEFAULT_BANDS,
                     status: pd.DataFrame | None = None) -> pd.DataFrame:
    """Contracts in arrears at D counted by debt band × severity (the Regione's only view): band, severity,
    contracts, amount."""
    status = cases.case_status(conn, as_of=as_of, scope=scope) if status is None else status
    positions = _positions(conn, as_of=as_of, scope=scope).merge(lease_severity(status), on="lease_code", how="left")
    positions["severity"] = positions["severity"].fillna("senza pratica")
    positions["band"] = debt_band(positions["balance"], bands) if len(positions) else []
    grid = pd.MultiIndex.from_product([band_labels(checked_bands(bands)), list(SEVERITIES)],
                                      names=["band", "severity"])
    counts = positions.groupby(["band", "severity"]).agg(contracts=("lease_code", "count"),
                                                          amount=("balance", "sum"))
    return counts.reindex(grid, fill_value=0).reset_index().astype({"contracts": int, "amount": float})


def outcomes_by_severity(status: pd.DataFrame) -> pd.DataFrame:
    """Cases per severity (lieve, grave, non valutata) and outcome (`cases.OUTCOMES`): severity, outcome, cases."""
    sev = status["severity"].where(status["severity"].notna(), "non valutata")
    grid = pd.MultiIndex.from_product([list(SEVERITIES[:3]), list(cases.OUTCOMES)], names=["severity", "outcome"])
    counts = status.assign(severity=sev).groupby(["severity", "outcome"]).size()
    return counts.reindex(grid, fill_value=0).rename("cases").reset_index()


def instruments_by_severity(conn: Conn, status: pd.DataFrame, *, as_of: date, scope: Scope = Scope()
                            ) -> pd.DataFrame:
    """Per severity and instrument: cases using it, amount and how they stand (`cases.INSTRUMENT_COLUMNS`)."""
    status = status.assign(severity=status["severity"].where(status["severity"].notna(), "non valutata"))
    uses = cases.instrument_uses(conn, scope=scope, as_of=as_of)
    if uses.empty or status.empty:
        return pd.DataFrame(columns=["severity", *cases.INSTRUMENT_COLUMNS])
    return cases.instrument_counts(uses, status, as_of, by="severity")


def clocked_cases(conn: Conn, *, as_of: date, scope: Scope = Scope(), anchor: str = "first_unpaid",
                  grace_days: int = 10, status: pd.DataFrame | None = None) -> pd.DataFrame:
    """Open cases with the next step's deadline on the chosen clock: from the opening (`cases.case_status`) or from
    the contract's first unpaid charge at D (FIFO), the seed's reading; a case whose contract owes nothing falls
    back to its opening. An eviction held by a plan keeps its later deadline.

    Returns
    -------
    DataFrame
        the open rows of `case_status` plus clock_start, balance; next_step_due, days_late and late on that clock.
    """
    if anchor not in ANCHORS:
        raise ValueError(f"Orologio sconosciuto: «{anchor}». Ammessi: {', '.join(ANCHORS)}")
    status = cases.case_status(conn, as_of=as_of, scope=scope, grace_days=grace_days) if status is None else status
    rows = status[status["is_open"].astype(bool)].copy()  # (an empty object column would select columns)
    positions = _positions(conn, as_of=as_of, scope=scope)[["lease_code", "balance", "first_unpaid_due"]]
    rows = rows.merge(positions, on="lease_code", how="left")
    rows["balance"] = rows["balance"].fillna(0.0)
    opened = pd.to_datetime(rows["opened_on"])
    start = opened if anchor == "opening" else pd.to_datetime(rows["first_unpaid_due"]).fillna(opened)
    rows["clock_start"] = start.dt.date
    days = rows["next_step"].map({s.label: s.due_days for s in cases.PROCEDURE})
    base_open = opened + pd.to_timedelta(days, unit="D")
    held = pd.to_datetime(rows["next_step_due"]) > base_open  # an eviction held by a running plan
    due = start + pd.to_timedelta(days, unit="D")
    due = due.where(~held, pd.concat([due, pd.to_datetime(rows["next_step_due"])], axis=1).max(axis=1))
    late = ((pd.Timestamp(as_of) - due).dt.days - grace_days).clip(lower=0).fillna(0).astype(int)
    rows["next_step_due"] = due.dt.date.astype(object).where(due.notna(), None)
    rows["days_late"], rows["late"] = late, late > 0
    return rows.reset_index(drop=True)


def eviction_flags(conn: Conn, *, as_of: date, scope: Scope = Scope(), status: pd.DataFrame | None = None,
                   heading_days: int = HEADING_DAYS) -> pd.DataFrame:
    """Cases assessed incolpevole and grave, still open, in eviction (stage 'sfratto in corso') or heading to it (the
    eviction step is next and due within `heading_days` days, or past due): the list seed 002's lesson asks for.

    Returns
    -------
    DataFrame
        `FLAG_COLUMNS`; reason: 'sfratto in corso' or 'sfratto in arrivo'. In eviction first, then by due date.
    """
    status = cases.case_status(conn, as_of=as_of, scope=scope) if status is None else status
    if status.empty:
        return pd.DataFrame(columns=FLAG_COLUMNS)
    base = status[status["is_open"] & (status["assessment"] == "incolpevole") & (status["severity"] == "grave")]
    in_eviction = base["stage"] == EVICTION_STAGE
    horizon = as_of + timedelta(days=heading_days)
    heading = (base["next_step"] == EVICTION_LABEL) & base["next_step_due"].map(
        lambda d: d is not None and d <= horizon)
    flagged = base[in_eviction | heading].copy()
    flagged["reason"] = ["sfratto in corso" if s == EVICTION_STAGE else "sfratto in arrivo" for s in flagged["stage"]]
    balances = _positions(conn, as_of=as_of, scope=scope)[["lease_code", "balance"]]
    flagged = flagged.merge(balances, on="lease_code", how="left").fillna({"balance": 0.0})
    flagged = flagged.sort_values(["reason", "next_step_due", "case_code"], ascending=[False, True, True],
                                  na_position="first")
    return flagged.reindex(columns=FLAG_COLUMNS).reset_index(drop=True)


def evicted_no_fault(status: pd.DataFrame) -> int:
    """Cases assessed incolpevole and grave whose eviction was started or carried out (open or closed)."""
    if status.empty:
        return 0
    evict = (status["stage"] == EVICTION_STAGE) | (status["outcome"] == "sfratto")
    return int((evict & (status["assessment"] == "incolpevole") & (status["severity"] == "grave")).sum())
