"""The early-warning list as the arrears officer reads it on Monday: the contracts to call, the step due, whether
they look incolpevoli by the configured rule, and (where the history allows a model) their risk score."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators import portfolio, risk
from indicators.prevention import DEFAULT_BANDS, DEFAULT_DAYS, DEFAULT_RULE, NoFaultRule, early_warning, looks_no_fault
from indicators.results import KpiValue
from indicators.scope import Scope

Conn = Connection | Engine
SORTS = {"days": "giorni di ritardo", "balance": "debito", "risk": "rischio (modello)"}


def warning_list(conn: Conn, *, as_of: date, scope: Scope = Scope(), days: int = DEFAULT_DAYS,
                 bands: tuple[float, ...] = DEFAULT_BANDS, rule: NoFaultRule = DEFAULT_RULE, with_risk: bool = True,
                 sort: str = "days", scores: tuple[pd.DataFrame, bool] | None = None) -> pd.DataFrame:
    """`prevention.early_warning` plus looks_no_fault (the rule) and risk (points; None where the contract is already
    over 90 days behind or no model could be fitted), sorted by `sort` (a key of `SORTS`).

    `attrs["risk_fitted"]` says whether a model could be fitted on the history before `as_of`; `scores`: the
    result of `risk.risk_scores` when already computed (`risk.assess`)."""
    if sort not in SORTS:
        raise ValueError(f"Ordinamento sconosciuto: «{sort}». Ammessi: {', '.join(SORTS)}")
    frame = early_warning(conn, as_of=as_of, scope=scope, days=days, bands=bands)
    frame["looks_no_fault"] = looks_no_fault(frame, rule) if len(frame) else pd.Series(dtype=bool)
    fitted = False
    if with_risk and len(frame):
        first, _ = portfolio.ledger_span(conn)
        if scores is None:
            scores = risk.risk_scores(conn, as_of=as_of, first=first, scope=scope) if first else (None, False)
        found, fitted = scores
        if fitted and found is not None:
            frame = frame.merge(found, on="lease_code", how="left")
    if "risk" not in frame:
        frame["risk"] = None
    frame["risk"] = frame["risk"].astype(object).where(frame["risk"].notna(), None)
    frame = _sorted(frame, sort)
    frame.attrs["risk_fitted"] = fitted
    return frame


def _sorted(frame: pd.DataFrame, sort: str) -> pd.DataFrame:
    if sort == "risk":
        key = pd.to_numeric(frame["risk"], errors="coerce")
        return frame.assign(_k=key).sort_values(["_k", "days_overdue", "lease_code"], ascending=[False, False, True],
                                                na_position="last").drop(columns="_k").reset_index(drop=True)
    column = "days_overdue" if sort == "days" else "balance"
    other = "balance" if sort == "days" else "days_overdue"
    return frame.sort_values([column, other, "lease_code"], ascending=[False, False, True]).reset_index(drop=True)


def warning_kpis(frame: pd.DataFrame, flags: pd.DataFrame, *, as_of: date) -> dict[str, KpiValue]:
    """The headline figures of the list and of the eviction flags, as registry values: early_warning_contracts
    (breakdown: looks_no_fault), early_warning_eur, no_fault_eviction_flags (breakdown: in eviction, heading)."""
    count = KpiValue("early_warning_contracts", float(len(frame)), numerator=float(len(frame)), as_of=as_of,
                     breakdown={"looks_no_fault": int(frame["looks_no_fault"].sum()) if len(frame) else 0})
    amount = KpiValue("early_warning_eur", round(float(frame["balance"].sum()), 2) if len(frame) else 0.0,
                      as_of=as_of)
    reasons = flags["reason"].value_counts() if len(flags) else pd.Series(dtype=int)
    flagged = KpiValue("no_fault_eviction_flags", float(len(flags)), as_of=as_of,
                       breakdown={"in_corso": int(reasons.get("sfratto in corso", 0)),
                                  "in_arrivo": int(reasons.get("sfratto in arrivo", 0))})
    return {k.code: k for k in (count, amount, flagged)}
