"""Saved budget versions, and the reference budget of a year: the latest approved version, else the imported one."""

from __future__ import annotations

import json
from dataclasses import asdict
from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, insert

import schemas
from indicators.budget import Adjustments, BudgetProposal, adjusted
from indicators.budget_phasing import phase, phasing_note, seasonal_profile
from indicators.cost_history import scope_filter
from indicators.scope import Scope
from indicators.sql import record_query as query

APPROVED = "approvato"


def scope_key(scope: Scope) -> str:
    """The scope as canonical JSON: the same scope always gives the same key."""
    return json.dumps({k: (sorted(v) if v is not None else None) for k, v in asdict(scope).items()}, sort_keys=True)


def save_version(engine: Engine, proposal: BudgetProposal, adjustments: Adjustments, *, author: str,
                 label: str | None = None) -> int:
    """Store the adjusted proposal as the approved budget of its year and scope; returns the version id."""
    lines, monthly = adjusted(proposal, adjustments)
    methods = sorted(set(lines["method"]))
    version = {
        "year": proposal.year, "scope_key": scope_key(proposal.scope), "label": label,
        "method": "scelto dal backtest: " + ", ".join(methods), "inflation_pct": adjustments.inflation_pct,
        "adjustments": json.dumps(adjustments.as_json(), ensure_ascii=False), "author": author,
        "created_at": datetime.now(timezone.utc), "status": APPROVED,
        "total": round(float(lines.loc[lines["side"] == "costi", "amount"].sum()), 2)}
    monthly = monthly.merge(lines[["side", "intervention_code", "category", "method"]],
                            on=["side", "intervention_code", "category"], how="left")
    with engine.begin() as conn:
        inserted = conn.execute(insert(schemas.BudgetVersion).values(**version)).inserted_primary_key
        assert inserted is not None  # an INSERT of one row always has its key
        version_id = inserted[0]
        rows = [{"version_id": version_id, "side": r.side,
                 "intervention_code": r.intervention_code if isinstance(r.intervention_code, str) else None,
                 "category": r.category, "month": r.month.month, "amount": round(float(r.amount), 2),
                 "forecast": round(float(r.mean), 2), "method": r.method} for r in monthly.itertuples()]
        if rows:
            conn.execute(insert(schemas.BudgetVersionLine), rows)
    return int(version_id)


def list_versions(conn, *, year: int | None = None) -> pd.DataFrame:
    """Saved versions, newest first: id, year, label, author, created_at, status, total, inflation_pct, method."""
    where, params = ("WHERE year = :year", {"year": year}) if year is not None else ("", {})
    return query(conn, "SELECT id, year, label, author, created_at, status, total, inflation_pct, method, "
                       f"adjustments, scope_key FROM budget_version {where} ORDER BY created_at DESC, id DESC", params)


def reference_budget(conn, *, year: int, scope: Scope = Scope()) -> tuple[pd.DataFrame, str, list[str]]:
    """Monthly cost budget of `year` per category (category, month 1-12, amount), where it came from, and notes.

    The yearly amount of each category comes from the latest approved version saved for exactly this year
    and scope, else from the imported budget lines (`budget`) of the scope's interventions; it is spread over
    the months on the category's own seasonal profile (`budget_phasing`), in twelfths where there is no history.
    """
    annual, source, warnings = _annual_budget(conn, year=year, scope=scope)
    if annual.empty:
        return pd.DataFrame(columns=["category", "month", "amount"]), source, warnings
    profile, years = seasonal_profile(conn, year=year, scope=scope)
    monthly, flat = phase(annual, profile)
    return monthly, source, warnings + [phasing_note(years, flat, len(annual))]


def _annual_budget(conn, *, year: int, scope: Scope) -> tuple[pd.DataFrame, str, list[str]]:
    found = query(conn, "SELECT id, label, author, created_at FROM budget_version WHERE year = :year "
                        "AND scope_key = :key AND status = :status ORDER BY created_at DESC, id DESC",
                  {"year": year, "key": scope_key(scope), "status": APPROVED})
    if not found.empty:
        v = found.iloc[0]
        frame = query(conn, "SELECT category, SUM(amount) AS amount FROM budget_version_line "
                            "WHERE version_id = :id AND side = 'costi' GROUP BY category ORDER BY 1",
                      {"id": int(v["id"])})
        created = pd.Timestamp(v["created_at"]).strftime("%d/%m/%Y")
        return frame, f"versione {int(v['id'])} approvata da {v['author']} il {created}", []
    where, params = scope_filter(scope, "intervention_code")
    frame = query(conn, f"SELECT category, SUM(amount) AS amount FROM budget_line WHERE year = :year AND {where} "
                        "GROUP BY category ORDER BY category", {**params, "year": year})
    if frame.empty:
        return frame, "nessun budget", [
            f"Nessun budget per il {year}: salvare una versione approvata o importare il file «budget»."]
    return frame, "budget importato", [
        f"Nessuna versione approvata per il {year} e questo perimetro: si usa il budget importato."]
