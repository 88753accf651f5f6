"""Backoff and temporary lock of sign-ins, per user name and per client address.

Every attempt is counted before its password is checked (so parallel guesses cannot slip through the
window); a success clears the count. After a failure the next attempt must wait `backoff`, doubling with
each failure; `max_failures` failures within `window` lock the key for `lock`, doubling with each lock in a
row up to `lock_max`. Keys are keyed hashes: the table never holds a typed name or an address in clear.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import overload
from datetime import datetime, timedelta, timezone

from sqlalchemy import Connection, delete, insert, select, update

from sqlmodel import col
from sqlalchemy.dialects import postgresql, sqlite

from schemas.access import LoginThrottle

USER, CLIENT = "utente", "client"
FORGET_AFTER = timedelta(days=1)  # a key idle this long (and not locked) starts again from zero


@dataclass(frozen=True)
class Policy:
    """How many failures lock a key, for how long, and the wait between attempts."""

    max_failures: int
    window: timedelta
    lock: timedelta
    lock_max: timedelta
    backoff: timedelta
    backoff_max: timedelta

    @classmethod
    def from_settings(cls, settings, *, kind: str) -> Policy:
        failures = settings.login_client_max_failures if kind == CLIENT else settings.login_max_failures
        return cls(failures, timedelta(minutes=settings.login_window_minutes),
                   timedelta(minutes=settings.login_lock_minutes), timedelta(minutes=settings.login_lock_max_minutes),
                   timedelta(seconds=settings.login_backoff_seconds),
                   timedelta(seconds=settings.login_backoff_max_seconds))

    def wait_after(self, failures: int) -> timedelta:
        """The wait after `failures` failures in a row: 0, backoff, 2×backoff, 4×... up to backoff_max."""
        return timedelta(0) if failures <= 0 else min(self.backoff * 2 ** (failures - 1), self.backoff_max)

    def lock_for(self, lock_count: int) -> timedelta:
        """The length of the next lock when `lock_count` locks came before it without a success."""
        return min(self.lock * 2 ** min(lock_count, 20), self.lock_max)


@dataclass(frozen=True)
class Refusal:
    """An attempt refused without looking at the password: until when, and whether it is a lock."""

    until: datetime
    locked: bool


def throttle_key(kind: str, text: str, secret: bytes) -> str:
    """'utente:<hmac>' or 'client:<hmac>': the same name or address always gives the same key."""
    digest = hmac.new(secret, f"{kind}:{text}".encode(), hashlib.sha256).hexdigest()
    return f"{kind}:{digest[:64]}"


@overload
def _aware(moment: datetime) -> datetime: ...


@overload
def _aware(moment: None) -> None: ...


def _aware(moment: datetime | None) -> datetime | None:
    return moment if moment is None or moment.tzinfo else moment.replace(tzinfo=timezone.utc)


def _insert_if_missing(conn: Connection, key: str, now: datetime) -> None:
    dialect = postgresql if conn.dialect.name == "postgresql" else sqlite if conn.dialect.name == "sqlite" else None
    values = {"key": key, "failures": 0, "window_start": now, "last_attempt_at": now, "lock_count": 0}
    if dialect is None:  # another backend: a plain insert, only when the key is not there yet
        if conn.execute(select(col(LoginThrottle.key)).where(col(LoginThrottle.key) == key)).first() is None:
            conn.execute(insert(LoginThrottle).values(**values))
        return
    conn.execute(dialect.insert(LoginThrottle).values(**values).on_conflict_do_nothing(index_elements=["key"]))


def _row(conn: Connection, key: str, now: datetime):
    """The key's row, locked for this transaction (the insert already serialises SQLite's writers)."""
    _insert_if_missing(conn, key, now)
    stmt = select(LoginThrottle).where(col(LoginThrottle.key) == key)
    return conn.execute(stmt.with_for_update() if conn.dialect.name == "postgresql" else stmt).one()


def _failures_now(row, policy: Policy, now: datetime) -> int:
    return row.failures if _aware(row.window_start) > now - policy.window else 0


def check(conn: Connection, key: str, policy: Policy, now: datetime) -> Refusal | None:
    """Why an attempt for `key` must not be tried now (locked, or too soon after a failure), or None."""
    row = _row(conn, key, now)
    locked_until = _aware(row.locked_until)
    if locked_until is not None and locked_until > now:
        return Refusal(locked_until, True)
    ready_at = _aware(row.last_attempt_at) + policy.wait_after(_failures_now(row, policy, now))
    return Refusal(ready_at, False) if ready_at > now else None


def reserve(conn: Connection, key: str, policy: Policy, now: datetime) -> None:
    """Count the attempt as failed until it succeeds (call after `check` returned None, same transaction)."""
    row = _row(conn, key, now)
    failures = _failures_now(row, policy, now)
    conn.execute(update(LoginThrottle).where(col(LoginThrottle.key) == key).values(
        failures=failures + 1, last_attempt_at=now,
        window_start=_aware(row.window_start) if failures else now))


def settle(conn: Connection, key: str, policy: Policy, now: datetime, *, ok: bool) -> datetime | None:
    """After the password check: a success clears the key; a failure may lock it (returns until when)."""
    if ok:
        conn.execute(update(LoginThrottle).where(col(LoginThrottle.key) == key).values(
            failures=0, lock_count=0, locked_until=None))
        return None
    row = _row(conn, key, now)
    if _failures_now(row, policy, now) < policy.max_failures:
        return None
    until = now + policy.lock_for(row.lock_count)
    conn.execute(update(LoginThrottle).where(col(LoginThrottle.key) == key).values(
        failures=0, window_start=now, locked_until=until, lock_count=row.lock_count + 1))
    return until


def clear(conn: Connection, key: str) -> None:
    """Forget the key's failures and lock (an administrator re-enabled the user or reset the password)."""
    conn.execute(delete(LoginThrottle).where(col(LoginThrottle.key) == key))


def forget_idle(conn: Connection, now: datetime) -> None:
    """Drop keys idle for a day that are not locked, so the table stays small."""
    conn.execute(delete(LoginThrottle).where(col(LoginThrottle.last_attempt_at) < now - FORGET_AFTER,
                                             (col(LoginThrottle.locked_until).is_(None))
                                             | (col(LoginThrottle.locked_until) < now)))


def locked(conn: Connection, keys: list[str], now: datetime) -> dict[str, datetime]:
    """Of `keys`, those locked at `now`, with the end of their lock."""
    if not keys:
        return {}
    rows = conn.execute(select(col(LoginThrottle.key), col(LoginThrottle.locked_until))
                        .where(col(LoginThrottle.key).in_(keys), col(LoginThrottle.locked_until).is_not(None))).all()
    return {key: until for key, until in ((k, _aware(u)) for k, u in rows) if until is not None and until > now}
