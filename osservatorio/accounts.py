"""Users in the warehouse: argon2 password hashes, roles with their scope, sessions that expire.

A session token is random and given to the browser; the warehouse keeps only its SHA-256, so a copy of the
database does not hold live tokens.
"""

from __future__ import annotations

import hashlib
import json
import secrets
from datetime import datetime, timedelta, timezone

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, delete, insert, select, update

from indicators.scope import Scope
from osservatorio import audit
from osservatorio.roles import ROLES, User, get_role
from schemas.access import AppUser, UserSession

HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so both failures take the same time.
_DUMMY_HASH = HASHER.hash("osservatorio-utente-inesistente")
MIN_PASSWORD = 10
SCOPE_LEVELS = ("sgrs", "funds", "interventions")


class AccountError(ValueError):
    """A request about users that cannot be done (unknown user, duplicate name, missing scope...)."""


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=timezone.utc)  # SQLite drops the zone


def _levels_json(values) -> str | None:
    return None if values is None else json.dumps(sorted(set(values)), ensure_ascii=False)


def _scope_of(row) -> Scope:
    levels = {level: getattr(row, f"scope_{level}") for level in SCOPE_LEVELS}
    return Scope(**{level: None if text is None else tuple(json.loads(text)) for level, text in levels.items()})


def _user(row) -> User:
    role = get_role(row.role)
    scope = Scope() if role.code in ("regione", "admin") else _scope_of(row)
    return User(username=row.username, role=row.role, scope=scope, email=row.email, id=row.id)


def _check_scope(role: str, levels: dict) -> None:
    needed = get_role(role).scoped_by
    if needed and not levels.get(needed):
        flag = {"sgrs": "--sgr", "interventions": "--intervento"}[needed]
        raise AccountError(f"il ruolo «{role}» richiede il perimetro: indicare almeno un {flag}")


def add_user(engine: Engine, username: str, password: str | None, role: str, *, email: str | None = None,
             sgrs=None, funds=None, interventions=None) -> User:
    """Create a user; `password` None is allowed only for users who sign in through OIDC (by `email`)."""
    get_role(role)
    levels = {"sgrs": sgrs, "funds": funds, "interventions": interventions}
    _check_scope(role, levels)
    if password is not None and len(password) < MIN_PASSWORD:
        raise AccountError(f"la password deve avere almeno {MIN_PASSWORD} caratteri")
    if password is None and email is None:
        raise AccountError("serve una password, oppure un'email per l'accesso con il fornitore di identità")
    with engine.begin() as conn:
        if conn.execute(select(AppUser.id).where(AppUser.username == username)).first():
            raise AccountError(f"l'utente «{username}» esiste già")
        conn.execute(insert(AppUser).values(
            username=username, email=email, role=role, active=True, created_at=_now(),
            password_hash=None if password is None else HASHER.hash(password),
            **{f"scope_{level}": _levels_json(values) for level, values in levels.items()}))
    return get_user(engine, username)


def _row(conn, username: str):
    row = conn.execute(select(AppUser).where(AppUser.username == username)).first()
    if row is None:
        raise AccountError(f"utente sconosciuto: «{username}»")
    return row


def get_user(engine: Engine, username: str, *, active_only: bool = True) -> User:
    with engine.connect() as conn:
        row = _row(conn, username)
    if active_only and not row.active:
        raise AccountError(f"l'utente «{username}» è disattivato")
    return _user(row)


def list_users(engine: Engine) -> list[dict]:
    """Every user with role, scope and state (no hashes)."""
    with engine.connect() as conn:
        rows = conn.execute(select(AppUser).order_by(AppUser.username)).all()
    return [{"username": r.username, "role": r.role, "email": r.email, "active": r.active,
             "scope": _user(r).scope_text()} for r in rows]


def disable_user(engine: Engine, username: str) -> None:
    """Deactivate a user and end their sessions (the row stays, for the audit log)."""
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(AppUser.id == row.id).values(active=False))
        conn.execute(delete(UserSession).where(UserSession.user_id == row.id))


def set_role(engine: Engine, username: str, role: str, *, sgrs=None, funds=None, interventions=None) -> User:
    """Change a user's role and scope; their open sessions end, so the new rights apply at the next login."""
    get_role(role)
    levels = {"sgrs": sgrs, "funds": funds, "interventions": interventions}
    _check_scope(role, levels)
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(AppUser.id == row.id).values(
            role=role, **{f"scope_{level}": _levels_json(values) for level, values in levels.items()}))
        conn.execute(delete(UserSession).where(UserSession.user_id == row.id))
    return get_user(engine, username, active_only=False)


def authenticate(engine: Engine, username: str, password: str) -> User | None:
    """The user if the password is right and the user active; every attempt goes to the audit log."""
    with engine.connect() as conn:
        row = conn.execute(select(AppUser).where(AppUser.username == username)).first()
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    try:
        ok = HASHER.verify(stored, password) and row is not None and row.active and bool(row.password_hash)
    except (VerificationError, InvalidHashError):
        ok = False
    if not ok:
        audit.record(engine, "login_fallito", username=username[:80], detail="password")
        return None
    user = _user(row)
    audit.record(engine, "login", user=user, detail="password")
    return user


def user_by_email(engine: Engine, email: str) -> User | None:
    """The active user an identity provider's email maps to (OIDC sign-in), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(AppUser).where(AppUser.email == email)).first()
    return _user(row) if row is not None and row.active else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, user: User, *, hours: float) -> str:
    """A new session token for `user`, valid for `hours`; expired sessions are cleared on the way."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(UserSession.expires_at < now))
        conn.execute(insert(UserSession).values(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                                                expires_at=now + timedelta(hours=hours)))
    return token


def session_user(engine: Engine, token: str | None) -> User | None:
    """The active user of a live session, or None (unknown token, expired session, disabled user)."""
    if not token:
        return None
    with engine.connect() as conn:
        expires = conn.execute(select(UserSession.expires_at, UserSession.user_id)
                               .where(UserSession.token_hash == _token_hash(token))).first()
        row = expires and conn.execute(select(AppUser).where(AppUser.id == expires.user_id)).first()
    if not row or _aware(expires.expires_at) <= _now() or not row.active:
        return None
    return _user(row)


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(delete(UserSession).where(UserSession.token_hash == _token_hash(token)))


def role_codes() -> list[str]:
    return list(ROLES)
