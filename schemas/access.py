"""Who may use the dashboard: users with a role and a scope, their sessions, and the audit log."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class AppUser(SQLModel, table=True):
    """A person who signs in: role (regione, sgr, gestore, direzione, admin) and the portfolio they may see.

    The scope columns hold JSON lists of SGR names, fund names and intervention codes; NULL means no limit
    at that level. The password is stored only as an argon2 hash.
    """

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True)
    email: str | None = Field(default=None, max_length=200, unique=True)
    password_hash: str | None = Field(default=None, max_length=200)
    role: str = Field(max_length=20)
    scope_sgrs: str | None = Field(default=None, sa_type=Text)
    scope_funds: str | None = Field(default=None, sa_type=Text)
    scope_interventions: str | None = Field(default=None, sa_type=Text)
    active: bool = True
    created_at: datetime = Field(sa_type=DateTime(timezone=True))


class UserSession(SQLModel, table=True):
    """A signed-in session: the SHA-256 of its token (never the token itself) and when it expires."""

    __tablename__ = "user_session"

    token_hash: str = Field(primary_key=True, max_length=64)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    expires_at: datetime = Field(sa_type=DateTime(timezone=True))


class AuditEvent(SQLModel, table=True):
    """Who did what, when, within which scope: logins (ok and failed), loads, exports, report downloads."""

    __tablename__ = "audit_event"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    username: str | None = Field(default=None, max_length=80, index=True)
    action: str = Field(max_length=40, index=True)
    detail: str | None = Field(default=None, sa_type=Text)
    scope: str | None = Field(default=None, sa_type=Text)


class LoginThrottle(SQLModel, table=True):
    """Failed sign-ins of one user name or one client address: the backoff and the temporary lock.

    `key` is a keyed hash (never the typed name or the address in clear): 'utente:<hash>' or 'client:<hash>'.
    `failures` counts the attempts since `window_start` that did not succeed; `lock_count` the locks in a row,
    so each lock lasts longer than the one before.
    """

    __tablename__ = "login_throttle"

    key: str = Field(primary_key=True, max_length=80)
    failures: int = 0
    window_start: datetime = Field(sa_type=DateTime(timezone=True))
    last_attempt_at: datetime = Field(sa_type=DateTime(timezone=True), index=True)
    locked_until: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    lock_count: int = 0
