"""Users in the warehouse: argon2 password hashes, roles with their scope, sessions that expire.

A session token is random and given to the browser; the warehouse keeps only its SHA-256, so a copy of the
database does not hold live tokens.
"""

from __future__ import annotations

import hashlib
import hmac
import json
import re
import secrets
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from typing import Any

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from sqlalchemy import Engine, Row, delete, insert, select, update
from sqlmodel import col

from indicators.scope import Scope
from osservatorio import audit
from osservatorio import login_throttle as throttle
from osservatorio.passwords import password_problem
from osservatorio.roles import ROLES, User, get_role
from osservatorio.settings import Settings, get_settings
from schemas.access import AppUser, UserSession

HASHER = PasswordHasher()
# A hash to verify against when the user does not exist, so both failures take the same time.
_DUMMY_HASH = HASHER.hash("osservatorio-utente-inesistente")
SCOPE_LEVELS = ("sgrs", "funds", "interventions")
USERNAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,79}")
UNKNOWN_USER = "utente sconosciuto"  # what the audit log says instead of a name that is no user's


class AccountError(ValueError):
    """A request about users that cannot be done (unknown user, duplicate name, missing scope...)."""


class LoginRefused(AccountError):
    """A sign-in refused without checking the password: too many failures (locked) or too soon after one."""

    def __init__(self, until: datetime, locked: bool, now: datetime) -> None:
        self.until, self.locked = until, locked
        wait = _duration_text(until - now)
        super().__init__(f"Troppi tentativi falliti: accesso sospeso, riprovare tra {wait} o chiedere "
                         "all'amministratore di riabilitare l'utente." if locked else
                         f"Troppi tentativi ravvicinati: riprovare tra {wait}.")


def _duration_text(delta: timedelta) -> str:
    seconds = max(1, int(-(-delta.total_seconds() // 1)))
    if seconds < 120:
        return f"{seconds} secondi" if seconds != 1 else "1 secondo"
    minutes = -(-seconds // 60)
    return f"{minutes} minuti" if minutes < 120 else f"{-(-minutes // 60)} ore"


def clean_username(text: str) -> str:
    """The user name without surrounding spaces; refused unless letters, digits, '.', '_' or '-' (max 80)."""
    name = (text or "").strip()
    if not name:
        raise AccountError("il nome utente è vuoto")
    if not USERNAME.fullmatch(name):
        raise AccountError(f"nome utente non valido: «{name[:80]}». Usare da 1 a 80 tra lettere senza accenti, "
                           "cifre, punto, trattino e trattino basso, iniziando con una lettera o una cifra")
    return name


def check_new_password(password: str, username: str, settings: Settings | None = None) -> None:
    """Raise AccountError with the Italian reason when `password` may not be set for `username`."""
    settings = settings or get_settings()
    problem = password_problem(password, username=username, min_length=settings.password_min_length)
    if problem:
        raise AccountError(problem)


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


def check_scope(role: str, levels: dict) -> None:
    """Raise AccountError when `role` needs a scope level that `levels` leaves empty."""
    needed = get_role(role).scoped_by
    if needed and not levels.get(needed):
        flag = {"sgrs": "--sgr", "interventions": "--intervento"}[needed]
        raise AccountError(f"il ruolo «{role}» richiede il perimetro: indicare almeno un {flag}")


def add_user(engine: Engine, username: str, password: str | None, role: str, *, email: str | None = None,
             sgrs: list[str] | None = None, funds: list[str] | None = None,
             interventions: list[str] | None = None) -> User:
    """Create a user; `password` None is allowed only for users who sign in through OIDC (by `email`)."""
    get_role(role)
    username = clean_username(username)
    levels = {"sgrs": sgrs, "funds": funds, "interventions": interventions}
    check_scope(role, levels)
    if password is not None:
        check_new_password(password, username)
    if password is None and email is None:
        raise AccountError("serve una password, oppure un'email per l'accesso con il fornitore di identità")
    with engine.begin() as conn:
        if conn.execute(select(col(AppUser.id)).where(col(AppUser.username) == username)).first():
            raise AccountError(f"l'utente «{username}» esiste già")
        conn.execute(insert(AppUser).values(
            username=username, email=email, role=role, active=True, created_at=_now(),
            password_hash=None if password is None else HASHER.hash(password),
            **{f"scope_{level}": _levels_json(values) for level, values in levels.items()}))
    return get_user(engine, username)


def _row(conn, username: str):
    row = conn.execute(select(AppUser).where(col(AppUser.username) == username)).first()
    if row is None:
        raise AccountError(f"utente sconosciuto: «{username}»")
    return row


def get_user(engine: Engine, username: str, *, active_only: bool = True) -> User:
    with engine.connect() as conn:
        row = _row(conn, username)
    if active_only and not row.active:
        raise AccountError(f"l'utente «{username}» è disattivato")
    return _user(row)


def list_users(engine: Engine, *, now: datetime | None = None) -> list[dict]:
    """Every user with role, scope, state and, if sign-ins are suspended, until when (no hashes)."""
    secret = get_settings().pseudonym_key.get_secret_value().encode()
    with engine.connect() as conn:
        rows = conn.execute(select(AppUser).order_by(col(AppUser.username))).all()
        keys = {r.username: throttle.throttle_key(throttle.USER, r.username.casefold(), secret) for r in rows}
        locks = throttle.locked(conn, list(keys.values()), now or _now())
    return [{"username": r.username, "role": r.role, "email": r.email, "active": r.active,
             "locked_until": locks.get(keys[r.username]), "scope": _user(r).scope_text()} for r in rows]


def state_text(user: dict) -> str:
    """'attivo', 'disattivato' or 'sospeso fino al 06/12/2026 09:15 UTC' (too many failed sign-ins)."""
    if not user["active"]:
        return "disattivato"
    until = user.get("locked_until")
    return f"sospeso fino al {until:%d/%m/%Y %H:%M} UTC" if until else "attivo"


def disable_user(engine: Engine, username: str) -> None:
    """Deactivate a user and end their sessions (the row stays, for the audit log)."""
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(col(AppUser.id) == row.id).values(active=False))
        conn.execute(delete(UserSession).where(col(UserSession.user_id) == row.id))
    audit.record(engine, audit.DISABLED, username=username, detail="disattivato dall'amministratore")


def set_role(engine: Engine, username: str, role: str, *, sgrs=None, funds=None, interventions=None) -> User:
    """Change a user's role and scope; their open sessions end, so the new rights apply at the next login."""
    get_role(role)
    levels = {"sgrs": sgrs, "funds": funds, "interventions": interventions}
    check_scope(role, levels)
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(col(AppUser.id) == row.id).values(
            role=role, **{f"scope_{level}": _levels_json(values) for level, values in levels.items()}))
        conn.execute(delete(UserSession).where(col(UserSession.user_id) == row.id))
    return get_user(engine, username, active_only=False)


@dataclass(frozen=True)
class _Attempt:
    """One sign-in attempt: the typed name, the row it names (or None), its throttle keys and the moment."""

    typed: str
    row: Row[Any] | None
    keys: tuple[tuple[str, throttle.Policy], ...]
    client: str | None
    now: datetime
    secret: bytes

    @property
    def who(self) -> str:
        """The user name for the audit log: a real user's, or 'utente sconosciuto' (never the raw text)."""
        return self.row.username if self.row is not None else UNKNOWN_USER

    def detail(self, what: str) -> str:
        parts = [what]
        if self.row is None:
            digest = hmac.new(self.secret, f"nome:{self.typed}".encode(), hashlib.sha256).hexdigest()
            parts.append(f"nome digitato #{digest[:12]}")
        if self.client:
            parts.append(f"client {self.client}")
        return " · ".join(parts)


def _attempt(engine: Engine, username: str, client: str | None, now: datetime, settings: Settings) -> _Attempt:
    typed = (username or "").strip()[:200]
    row = None
    if 0 < len(typed) <= 80:  # names made before the rule on characters still sign in
        with engine.connect() as conn:
            row = conn.execute(select(AppUser).where(col(AppUser.username) == typed)).first()
    secret = settings.pseudonym_key.get_secret_value().encode()
    keys = [(throttle.throttle_key(throttle.USER, typed.casefold(), secret),
             throttle.Policy.from_settings(settings, kind=throttle.USER))]
    if client:
        keys.append((throttle.throttle_key(throttle.CLIENT, client, secret),
                     throttle.Policy.from_settings(settings, kind=throttle.CLIENT)))
    return _Attempt(typed, row, tuple(keys), client, now, secret)


def _admit(engine: Engine, attempt: _Attempt) -> None:
    """Count the attempt for its user name and client, or raise LoginRefused (audited) without counting it."""
    with engine.begin() as conn:
        throttle.forget_idle(conn, attempt.now)
        refusals = [r for key, policy in attempt.keys if (r := throttle.check(conn, key, policy, attempt.now))]
        if not refusals:
            for key, policy in attempt.keys:
                throttle.reserve(conn, key, policy, attempt.now)
            return
    worst = max(refusals, key=lambda r: (r.locked, r.until))
    audit.record(engine, audit.LOGIN_REFUSED, username=attempt.who,
                 detail=attempt.detail("sospeso" if worst.locked else "troppo presto dopo un tentativo fallito"))
    raise LoginRefused(worst.until, worst.locked, attempt.now)


def _settle(engine: Engine, attempt: _Attempt, ok: bool) -> None:
    with engine.begin() as conn:
        locks = [throttle.settle(conn, key, policy, attempt.now, ok=ok) for key, policy in attempt.keys]
    for (key, policy), until in zip(attempt.keys, locks):
        if until is not None:
            whom = "client" if key.startswith(throttle.CLIENT) else "nome utente"
            audit.record(engine, audit.LOCKED, username=attempt.who, detail=attempt.detail(
                f"{whom} sospeso fino al {until:%d/%m/%Y %H:%M} UTC dopo {policy.max_failures} tentativi falliti"))


def _password_ok(row, password: str) -> bool:
    stored = row.password_hash if row is not None and row.password_hash else _DUMMY_HASH
    try:
        return HASHER.verify(stored, password) and row is not None and row.active and bool(row.password_hash)
    except (VerificationError, InvalidHashError):
        return False


def _checked(engine: Engine, username: str, password: str, *, client: str | None, now: datetime | None,
             settings: Settings | None = None):
    """The user's row if the password is right and the user active, else None (the failure is audited)."""
    attempt = _attempt(engine, username, client, now or _now(), settings or get_settings())
    _admit(engine, attempt)
    ok = _password_ok(attempt.row, (password or "")[:1024])
    _settle(engine, attempt, ok)
    if not ok:
        audit.record(engine, audit.LOGIN_FAILED, username=attempt.who, detail=attempt.detail("password"))
    return attempt.row if ok else None


def authenticate(engine: Engine, username: str, password: str, *, client: str | None = None,
                 now: datetime | None = None, settings: Settings | None = None) -> User | None:
    """The user if the password is right and the user active, else None; every attempt goes to the audit log.

    Raises LoginRefused, without checking the password, while the user name or the `client` address is
    locked or waiting after a failure. A failed attempt records the name only if it is a user's.
    """
    row = _checked(engine, username, password, client=client, now=now, settings=settings)
    if row is None:
        return None
    user = _user(row)
    audit.record(engine, audit.LOGIN, user=user, detail="password" + (f" · client {client}" if client else ""))
    return user


def _set_password(engine: Engine, username: str, new_password: str, *, keep_token: str | None = None) -> None:
    check_new_password(new_password, username)
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(col(AppUser.id) == row.id).values(password_hash=HASHER.hash(new_password)))
        ended = delete(UserSession).where(col(UserSession.user_id) == row.id)
        if keep_token:
            ended = ended.where(col(UserSession.token_hash) != _token_hash(keep_token))
        conn.execute(ended)


def change_password(engine: Engine, username: str, old_password: str, new_password: str, *,
                    keep_token: str | None = None, client: str | None = None, now: datetime | None = None) -> None:
    """The signed-in user changes their own password: the old one is checked (and throttled like a sign-in).

    Their other sessions end; the one holding `keep_token` stays open.
    """
    if old_password == new_password:
        raise AccountError("la nuova password deve essere diversa da quella attuale")
    if _checked(engine, username, old_password, client=client, now=now) is None:
        raise AccountError("la password attuale non è corretta")
    _set_password(engine, username, new_password, keep_token=keep_token)
    audit.record(engine, audit.PASSWORD_CHANGED, user=get_user(engine, username), detail="dal cruscotto")


def reset_password(engine: Engine, username: str, new_password: str) -> None:
    """An administrator sets a new password: every session of the user ends and any lock is lifted."""
    _set_password(engine, username, new_password)
    _clear_throttle(engine, username)
    audit.record(engine, audit.PASSWORD_CHANGED, username=username, detail="reimpostata dall'amministratore")


def enable_user(engine: Engine, username: str) -> User:
    """Re-enable a disabled (or locked) user: active again, failed attempts and lock forgotten."""
    with engine.begin() as conn:
        row = _row(conn, username)
        conn.execute(update(AppUser).where(col(AppUser.id) == row.id).values(active=True))
    _clear_throttle(engine, username)
    audit.record(engine, audit.ENABLED, username=username, detail="riabilitato dall'amministratore")
    return get_user(engine, username)


def has_password(engine: Engine, username: str) -> bool:
    """Whether the user signs in with a password (an OIDC-only user has none to change)."""
    with engine.connect() as conn:
        return bool(_row(conn, username).password_hash)


def _clear_throttle(engine: Engine, username: str) -> None:
    secret = get_settings().pseudonym_key.get_secret_value().encode()
    with engine.begin() as conn:
        throttle.clear(conn, throttle.throttle_key(throttle.USER, username.casefold(), secret))


def user_by_email(engine: Engine, email: str) -> User | None:
    """The active user an identity provider's email maps to (OIDC sign-in), or None."""
    with engine.connect() as conn:
        row = conn.execute(select(AppUser).where(col(AppUser.email) == email)).first()
    return _user(row) if row is not None and row.active else None


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def start_session(engine: Engine, user: User, *, hours: float) -> str:
    """A new session token for `user`, valid for `hours`; expired sessions are cleared on the way."""
    token = secrets.token_urlsafe(32)
    now = _now()
    with engine.begin() as conn:
        conn.execute(delete(UserSession).where(col(UserSession.expires_at) < now))
        conn.execute(insert(UserSession).values(token_hash=_token_hash(token), user_id=user.id, created_at=now,
                                                expires_at=now + timedelta(hours=hours)))
    return token


def session_user(engine: Engine, token: str | None) -> User | None:
    """The active user of a live session, or None (unknown token, expired session, disabled user)."""
    if not token:
        return None
    with engine.connect() as conn:
        expires = conn.execute(select(col(UserSession.expires_at), col(UserSession.user_id))
                               .where(col(UserSession.token_hash) == _token_hash(token))).first()
        if expires is None:
            return None
        row = conn.execute(select(AppUser).where(col(AppUser.id) == expires.user_id)).first()
    if not row or _aware(expires.expires_at) <= _now() or not row.active:
        return None
    return _user(row)


def end_session(engine: Engine, token: str | None) -> None:
    if token:
        with engine.begin() as conn:
            conn.execute(delete(UserSession).where(col(UserSession.token_hash) == _token_hash(token)))


def role_codes() -> list[str]:
    return list(ROLES)
