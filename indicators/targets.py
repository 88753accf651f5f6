"""Targets (obiettivi): the value a direzione or an administrator wants a KPI to reach, over the whole portfolio
or one intervention; stored in the warehouse (`kpi_target`), every change recorded in the audit log, and drawn
on the charts of the KPI as a line («Obiettivo»)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, delete, insert
from sqlmodel import col

from indicators.registry import get_kpi
from indicators.scope import Scope
from indicators.sql import record_query
from schemas.targets import KpiTarget

SETTERS = frozenset({"direzione", "admin"})  # the roles that may set a target (`osservatorio.roles`)
TARGET_AUDIT = "obiettivo"
COLUMNS = ["kpi_code", "intervention_code", "value", "note", "set_by", "set_at", "label"]


class TargetError(ValueError):
    """A target that may not be set (role, KPI, intervention): the message is for the user, in Italian."""


def label(intervention_code: str | None, intervention_name: str | None = None) -> str:
    """How a target is named on a chart."""
    if intervention_code is None:
        return "Obiettivo"
    return f"Obiettivo {intervention_name or intervention_code}"


def set_target(engine: Engine, *, kpi_code: str, value: float, user, intervention_code: str | None = None,
               note: str | None = None) -> None:
    """Set (or replace) the target of `kpi_code` for the portfolio or one intervention, as `user` (direzione or
    admin, within their scope), and record it in the audit log."""
    from osservatorio import audit

    _check(engine, kpi_code, value, user, intervention_code)
    with engine.begin() as conn:
        conn.execute(delete(KpiTarget).where(col(KpiTarget.kpi_code) == kpi_code, _same(intervention_code)))
        conn.execute(insert(KpiTarget).values(kpi_code=kpi_code, intervention_code=intervention_code, value=value,
                                              note=note, set_by=user.username, set_at=datetime.now(timezone.utc)))
    audit.record(engine, TARGET_AUDIT, user=user,
                 detail=f"{kpi_code} {intervention_code or 'portafoglio'} = {value:g}")


def clear_target(engine: Engine, *, kpi_code: str, user, intervention_code: str | None = None) -> bool:
    """Remove a target; False when there was none."""
    from osservatorio import audit

    _check_role(user)
    with engine.begin() as conn:
        removed = conn.execute(delete(KpiTarget).where(col(KpiTarget.kpi_code) == kpi_code, _same(intervention_code)))
    if removed.rowcount:
        audit.record(engine, TARGET_AUDIT, user=user, detail=f"{kpi_code} {intervention_code or 'portafoglio'} tolto")
    return bool(removed.rowcount)


def _same(intervention_code: str | None):
    column = col(KpiTarget.intervention_code)
    return column.is_(None) if intervention_code is None else column == intervention_code


def _check_role(user) -> None:
    if user.role not in SETTERS:
        raise TargetError(f"Solo la direzione o un amministratore possono fissare gli obiettivi (ruolo «{user.role}»).")


def _check(engine: Engine, kpi_code: str, value: float, user, intervention_code: str | None) -> None:
    _check_role(user)
    try:
        get_kpi(kpi_code)
    except ValueError as exc:
        raise TargetError(str(exc)) from None
    if value is None or pd.isna(value):
        raise TargetError("Valore dell'obiettivo mancante.")
    if intervention_code is None:
        if user.scope.limited:
            raise TargetError("Un obiettivo per tutto il portafoglio richiede di vedere tutto il portafoglio: "
                              "indicare un intervento del proprio perimetro.")
        return
    sub, params = user.scope.interventions_sql()
    found = record_query(engine, f"SELECT code FROM intervention WHERE code = :code AND code IN ({sub})",
                         {**params, "code": intervention_code})
    if found.empty:
        raise TargetError(f"Intervento «{intervention_code}» sconosciuto o fuori dal proprio perimetro.")


def targets(engine: Engine, *, kpi_code: str | None = None, scope: Scope = Scope()) -> pd.DataFrame:
    """Targets that apply within `scope` (`COLUMNS`): the portfolio's, and those of the interventions in scope."""
    sub, params = scope.interventions_sql()
    where = f"(t.intervention_code IS NULL OR t.intervention_code IN ({sub}))"
    if kpi_code is not None:
        where += " AND t.kpi_code = :kpi_code"
        params["kpi_code"] = kpi_code
    frame = record_query(engine, "SELECT t.kpi_code, t.intervention_code, t.value, t.note, t.set_by, t.set_at, "
                         "i.name AS intervention_name FROM kpi_target t LEFT JOIN intervention i ON "
                         f"i.code = t.intervention_code WHERE {where} ORDER BY t.kpi_code, t.intervention_code",
                         params)
    if frame.empty:
        return pd.DataFrame(columns=COLUMNS)
    frame["label"] = [label(c if isinstance(c, str) else None, n if isinstance(n, str) else None)
                      for c, n in zip(frame["intervention_code"], frame["intervention_name"])]
    frame["set_at"] = pd.to_datetime(frame["set_at"], utc=True, format="mixed")
    frame["intervention_code"] = frame["intervention_code"].astype(object).where(frame["intervention_code"].notna(),
                                                                                 None)
    return frame[COLUMNS].reset_index(drop=True)


def drawn(engine: Engine, kpi_code: str, *, scope: Scope = Scope(), per_intervention: bool = False) -> pd.DataFrame:
    """The targets a chart of `kpi_code` over `scope` draws (label, value, intervention_code): the portfolio's
    target; an intervention's own when the scope is that one intervention, or on a chart with one bar per
    intervention (`per_intervention`), where each is drawn over its bar."""
    frame = targets(engine, kpi_code=kpi_code, scope=scope)
    columns = ["label", "value", "intervention_code"]
    if frame.empty:
        return pd.DataFrame(columns=columns)
    single = scope.interventions is not None and len(scope.interventions) == 1
    keep = frame["intervention_code"].isna() | per_intervention | single
    return frame.loc[keep, columns].reset_index(drop=True)
