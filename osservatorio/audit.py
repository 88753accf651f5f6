"""The audit log: who did what, when, within which scope (logins, loads, exports, report downloads)."""

from __future__ import annotations

from datetime import datetime, timezone

import pandas as pd
from sqlalchemy import Engine, insert, select
from sqlmodel import col

from osservatorio.roles import User
from schemas.access import AuditEvent

LOGIN, LOGIN_FAILED, LOGOUT = "login", "login_fallito", "logout"
LOAD, EXPORT, REPORT = "caricamento", "export", "report"
LOGIN_REFUSED, LOCKED = "login_respinto", "accesso_sospeso"  # too many failed sign-ins (see login_throttle)
PASSWORD_CHANGED, ENABLED, DISABLED = "password_cambiata", "utente_riabilitato", "utente_disattivato"
BUDGET_APPROVED = "budget_approvato"


def record(engine: Engine, action: str, *, user: User | None = None, username: str | None = None,
           detail: str | None = None) -> None:
    """Append one event; `user` gives name and scope, `username` alone is for failed logins."""
    with engine.begin() as conn:
        conn.execute(insert(AuditEvent).values(
            at=datetime.now(timezone.utc), action=action, detail=detail,
            username=user.username if user is not None else username,
            scope=user.scope_text() if user is not None else None))


def recent(engine: Engine, *, limit: int = 200, action: str | None = None) -> pd.DataFrame:
    """The newest events first: at, username, action, detail, scope."""
    stmt = select(col(AuditEvent.at), col(AuditEvent.username), col(AuditEvent.action), col(AuditEvent.detail),
                  col(AuditEvent.scope))
    if action is not None:
        stmt = stmt.where(col(AuditEvent.action) == action)
    stmt = stmt.order_by(col(AuditEvent.id).desc()).limit(limit)
    with engine.connect() as conn:
        rows = conn.execute(stmt).all()
    return pd.DataFrame(rows, columns=["at", "username", "action", "detail", "scope"])
