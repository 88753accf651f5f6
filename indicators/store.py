"""The analytics copy of the warehouse: one DuckDB file, rebuilt whole after every load and swapped atomically.

The warehouse (SQLite or PostgreSQL) stays the system of record: loads, quarantine, users, sessions, audit,
budget versions. Every figure is computed on a columnar copy of what the loads wrote (the tables with a
`batch_id`) plus the lease-grain facts of `indicators.facts`, built by `build`:

1. read each table out of the warehouse in one read transaction (a consistent snapshot) through ADBC, as
   Arrow record batches streamed into DuckDB (no Python object per row): `indicators.copying`. A table keeps
   the previous copy's rows and reads only the rows the later loads wrote (loads never delete; a changed row
   carries its new batch), checked against the warehouse's row count;
2. build the declared facts on the copy, whole (no incremental patching, no per-table freshness);
3. write the marker (`analytics_build`: the last load batch the copy holds, when and how fast it was built);
4. rename the new file over the old one. Readers that opened the old file keep reading it until they reopen:
   a figure never mixes two builds. A build that fails leaves the previous copy in place and says so in the
   status file beside it (`status`).

Where the copy lives: beside a SQLite warehouse (`<name>.analytics.duckdb`); for PostgreSQL in
`OSSERVATORIO_ANALYTICS_DIR` (default: the user's data folder), one file per server and database.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import logging
import os
import shutil
import threading
import time
import uuid
import weakref
from collections.abc import Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from datetime import datetime, timezone
from functools import lru_cache
from pathlib import Path

import duckdb
from sqlalchemy import Engine, Table, text
from sqlalchemy.engine import URL

import schemas
from indicators import copying
from indicators.copying import Step
from schemas.db import sqlite_path
from osservatorio.settings import Settings

log = logging.getLogger(__name__)
MARKER = "analytics_build"
SYSTEM_TABLES = ("load_batch",)  # copied too: the figures' coverage and the pages' "which load" read it


@lru_cache(maxsize=1)
def _layout() -> str:
    """What a copy holds, as a fingerprint: the tables copied with their columns and the facts' queries. A copy of
    another layout (an older release) is not read: the next build replaces it."""
    from indicators import facts

    parts = [f"{t.name}({','.join(c.name for c in t.columns)})" for t in copied_tables()]
    parts += [f"{f.name}:{f.view}:{f.sql}" for f in facts.FACTS]
    parts += [f"{t}.{c} = {e}" for t, extra in facts.STORED_COLUMNS.items() for c, e in extra.items()]
    parts += [f"{t} ORDER BY {o}" for t, o in facts.STORED_ORDER.items()]
    return hashlib.sha256("\n".join(parts).encode()).hexdigest()[:16]


@dataclass(frozen=True)
class BuildResult:
    """What a build wrote: the last load batch it holds, rows read from the warehouse, facts built, seconds, file
    size."""

    batch_id: int
    rows: int
    facts: int
    seconds: float
    size_bytes: int
    path: Path
    steps: tuple[Step, ...] = ()  # where the time went: each table copied or carried, each fact


@dataclass(frozen=True)
class Status:
    """What the pages say about the figures: the copy they read and any build running or failed since."""

    batch_id: int | None         # the last load the copy holds (None: no copy yet)
    built_at: datetime | None
    building: bool               # a build is running now
    error: str | None            # the last build failed: why (the copy in use is the previous one)
    warehouse_batch_id: int      # the last load in the warehouse

    @property
    def current(self) -> bool:
        return self.batch_id is not None and self.batch_id >= self.warehouse_batch_id


class BuildError(RuntimeError):
    """A build failed; the previous copy, if any, is still the one in use. The message is in Italian."""


class NotBuilt(RuntimeError):
    """No analytics copy yet, for an engine served as it is (`serve_stale`): a build has started in the
    background; the page says the figures are being prepared instead of waiting for it. Italian message."""


@dataclass(frozen=True)
class Copy:
    """One build of the analytics copy, as a page run reads it (`snapshot`): `key` names the build."""

    key: str
    batch_id: int
    built_at: datetime


# --- where ---------------------------------------------------------------------------------------------------------
def _url(conn_or_engine) -> URL:
    engine = conn_or_engine if isinstance(conn_or_engine, Engine) else conn_or_engine.engine
    return engine.url


def location(conn_or_engine) -> Path:
    """The analytics file of a warehouse."""
    url = _url(conn_or_engine)
    path = sqlite_path(url.render_as_string(hide_password=False))
    if path is not None:
        return path.with_name(path.name + ".analytics.duckdb")
    folder = os.environ.get("OSSERVATORIO_ANALYTICS_DIR")
    if folder is None:
        from platformdirs import user_data_path

        folder = str(user_data_path("osservatorio", appauthor=False) / "analytics")
    key = hashlib.sha256(f"{url.host}:{url.port}/{url.database}".encode()).hexdigest()[:12]
    return Path(folder).expanduser() / f"{url.database}-{key}.duckdb"


def _status_path(path: Path) -> Path:
    return path.with_name(path.name + ".status.json")


# --- reading -------------------------------------------------------------------------------------------------------
_open: dict[Path, tuple[Path, duckdb.DuckDBPyConnection, int]] = {}
_open_layout: dict[Path, str] = {}  # the layout of each open copy (`_layout`)
_open_lock = threading.Lock()
_serving_stale: weakref.WeakSet[Engine] = weakref.WeakSet()
_pinned: ContextVar[dict[Path, tuple[Copy, duckdb.DuckDBPyConnection]] | None] = ContextVar("analytics_pinned",
                                                                                           default=None)
_background: dict[Path, threading.Thread] = {}


def serve_stale(engine: Engine) -> None:
    """Read this engine's copy as it is (the dashboard: builds run in the background), instead of building
    first when the warehouse has a newer load (what the library and the CLI do)."""
    _serving_stale.add(engine)


def warehouse_batch(conn_or_engine) -> int:
    """The last load batch in the warehouse (0: none)."""
    sql = text("SELECT COALESCE(MAX(id), 0) FROM load_batch")
    if isinstance(conn_or_engine, Engine):
        with conn_or_engine.connect() as conn:
            return int(conn.execute(sql).scalar_one())
    return int(conn_or_engine.execute(sql).scalar_one())


def _current_file(path: Path) -> Path | None:
    """The file of the build in use: `path` is a link renamed over by each build (DuckDB keeps one database per
    file name in a process, so each build gets a name of its own)."""
    try:
        return path.parent / os.readlink(path)
    except (FileNotFoundError, OSError):
        return None


def _opened(path: Path) -> tuple[duckdb.DuckDBPyConnection, int] | None:
    pinned = (_pinned.get() or {}).get(path)
    if pinned is not None:
        return pinned[1], pinned[0].batch_id
    return _latest(path)


def _latest(path: Path) -> tuple[duckdb.DuckDBPyConnection, int] | None:
    """The read-only connection to the file as it is now (reopened after a swap) and the batch it holds."""
    held = _latest_build(path)
    return None if held is None else (held[1], held[2])


def _latest_build(path: Path) -> tuple[Path, duckdb.DuckDBPyConnection, int] | None:
    for _ in range(3):  # a build may swap in another file (and remove this one) between reading the link and opening
        key = _current_file(path)
        if key is None:
            return None
        with _open_lock:
            held = _open.get(path)
            if held is not None and held[0] == key and _open_layout.get(path) == _layout():
                return held
            try:
                conn = duckdb.connect(str(key), read_only=True)
            except duckdb.IOException:
                if key.exists():
                    raise
                continue
            try:
                batch, layout = conn.execute(f"SELECT last_batch_id, layout FROM {MARKER}").fetchall()[0]
            except duckdb.Error:  # a copy from before the layout was recorded
                layout = None
            if layout != _layout():  # built by another release (other tables or facts): as if there were none
                conn.close()
                return None
            batch = int(batch)
            _open_layout[path] = layout
            _open[path] = (key, conn, batch)  # the previous connection closes when its last cursor goes
            return key, conn, batch
    return None


def reader(conn_or_engine) -> duckdb.DuckDBPyConnection:
    """A cursor on the analytics copy of this warehouse, for one figure (cursors are cheap and thread-safe to
    take). In the library and the CLI the copy is first brought up to the warehouse's last load; in the
    dashboard (`serve_stale`) it is read as it is, and built only if there is none yet."""
    engine = conn_or_engine if isinstance(conn_or_engine, Engine) else conn_or_engine.engine
    path = location(engine)
    held = _opened(path)
    if held is None and engine in _serving_stale and warehouse_batch(conn_or_engine) > 0:  # none loaded: instant
        running = _background.get(path)
        if running is None or not running.is_alive():
            build_in_background(engine)  # a second one would only wait for the first and find nothing to do
        raise NotBuilt("le figure sono in preparazione: il primo aggiornamento è in corso")
    if held is None or (engine not in _serving_stale and held[1] < warehouse_batch(conn_or_engine)):
        build(engine)
        held = _opened(path)
    if held is None:  # a build that found nothing to do and no copy: cannot happen after a successful build
        raise NotBuilt("copia analitica assente")
    return held[0].cursor()


@contextmanager
def snapshot(engine: Engine) -> Iterator[Copy | None]:
    """Every figure read in this block (in this thread) reads the copy in use when it began, even if a build
    swaps in a new one meanwhile: a page run never mixes two builds. Yields that copy (None: none yet)."""
    path = location(engine)
    pinned = (_pinned.get() or {}).get(path)
    if pinned is not None:  # inside a page run's snapshot already: the same copy
        yield pinned[0]
        return
    held = _latest_build(path)
    if held is None:
        yield None
        return
    key, conn, batch = held
    built_at = conn.cursor().execute(f"SELECT built_at FROM {MARKER}").fetchall()[0][0]
    copy = Copy(key=key.name, batch_id=batch, built_at=built_at)
    token = _pinned.set({**(_pinned.get() or {}), path: (copy, conn)})
    try:
        yield copy
    finally:
        _pinned.reset(token)


def pinned_key(conn_or_engine) -> str | None:
    """The build this thread reads inside a `snapshot` (None outside one): what it reads cannot change meanwhile."""
    pinned = (_pinned.get() or {}).get(location(conn_or_engine))
    return None if pinned is None else pinned[0].key


def status(conn_or_engine) -> Status:
    """The copy in use, the warehouse's last load, and any build running or failed (for the pages)."""
    path = location(conn_or_engine)
    batch, built_at = None, None
    held = _opened(path)
    if held is not None:
        batch = held[1]
        built_at = held[0].cursor().execute(f"SELECT built_at FROM {MARKER}").fetchall()[0][0]
    info = _read_status(path)
    thread = _background.get(path)
    building = (info.get("state") == "building" and _locked(path)) or (thread is not None and thread.is_alive())
    error = info.get("error") if info.get("state") == "failed" else None
    if info.get("state") == "building" and not _locked(path):  # the process building it ended mid-way (killed)
        error = "aggiornamento delle figure interrotto; restano quelle precedenti"
    return Status(batch_id=batch, built_at=built_at, building=building, error=error,
                  warehouse_batch_id=warehouse_batch(conn_or_engine))


def _read_status(path: Path) -> dict:
    try:
        return json.loads(_status_path(path).read_text())
    except (FileNotFoundError, json.JSONDecodeError):
        return {}


def _write_status(path: Path, **info) -> None:
    target = _status_path(path)
    tmp = target.with_name(f".{target.name}.{uuid.uuid4().hex}")
    tmp.write_text(json.dumps(info, default=str))
    os.replace(tmp, target)


# --- building ------------------------------------------------------------------------------------------------------
@contextmanager
def _build_lock(path: Path) -> Iterator[None]:
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path.with_name(path.name + ".lock"), "a+") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _locked(path: Path) -> bool:
    """Whether a build holds the lock now (in this process or another)."""
    lock = path.with_name(path.name + ".lock")
    if not lock.exists():
        return False
    with open(lock, "a+") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            return True
        fcntl.flock(handle, fcntl.LOCK_UN)
        return False


def copied_tables() -> list[Table]:
    """What the loads wrote (every table with a `batch_id`) and the load batches themselves."""
    return [t for t in schemas.metadata.sorted_tables if "batch_id" in t.columns or t.name in SYSTEM_TABLES]


def build(engine: Engine, *, force: bool = False, carry: bool = True) -> BuildResult | None:
    """Build the analytics copy from the warehouse and swap it in. Returns None when another build (waited
    for) already brought it up to the warehouse's last load, unless `force`. With `carry` (the default) the
    tables keep the previous copy's rows and read only what later loads wrote; without it, every row is read.
    Raises BuildError (in Italian)
    when the build fails; the previous copy stays in use."""
    path = location(engine)
    with _build_lock(path):
        held = _opened(path)
        if not force and held is not None and held[1] >= warehouse_batch(engine):
            return None
        started = time.perf_counter()
        _write_status(path, state="building", started_at=datetime.now(timezone.utc))
        previous = _current_file(path)
        _remove_leftovers(engine, path, keep=previous)
        new = path.with_name(f"{path.stem}.{uuid.uuid4().hex[:12]}.duckdb")
        try:
            batch, rows, facts, steps = _write_copy(engine, new, previous if carry else None)
            _swap(path, new)
        except BaseException as exc:
            new.unlink(missing_ok=True)
            new.with_name(new.name + ".wal").unlink(missing_ok=True)
            message = "aggiornamento delle figure non riuscito; restano quelle precedenti"
            _write_status(path, state="failed", error=message, at=datetime.now(timezone.utc))
            log.error("analytics build failed: %s", type(exc).__name__)
            if isinstance(exc, Exception):
                raise BuildError(message) from exc
            raise
        if previous is not None and previous != new:
            previous.unlink(missing_ok=True)  # readers still on it keep it open until they reopen
        seconds = round(time.perf_counter() - started, 3)
        _write_status(path, state="ok", batch_id=batch, seconds=seconds, at=datetime.now(timezone.utc))
        return BuildResult(batch_id=batch, rows=rows, facts=facts, seconds=seconds,
                           size_bytes=new.stat().st_size, path=new, steps=tuple(steps))


def _remove_leftovers(engine: Engine, path: Path, *, keep: Path | None) -> None:
    """Delete what a build killed mid-way left behind (its new file, its link): called under
    the build lock, so no other build is writing them."""
    found = [*path.parent.glob(f"{path.stem}.*.duckdb"), *path.parent.glob(f"{path.stem}.*.duckdb.wal"),
             *path.parent.glob(f".{path.name}.*.link")]
    for leftover in found:
        if keep is None or leftover.name not in (keep.name, keep.name + ".wal"):
            leftover.unlink(missing_ok=True)


def _swap(path: Path, new: Path) -> None:
    """Point `path` at `new` in one step (a new link renamed over the old one: atomic on one file system)."""
    link = path.with_name(f".{path.name}.{uuid.uuid4().hex[:12]}.link")
    os.symlink(new.name, link)
    os.replace(link, path)


def build_in_background(engine: Engine) -> threading.Thread:
    """Start `build` in a thread of this process and return at once (the Caricamenti page: the upload returns when
    the rows are in the warehouse; the pages keep the previous figures until the swap). A failure is recorded in
    the status file, which the pages read."""
    def run() -> None:
        try:
            build(engine)
        except BuildError:
            pass  # recorded by `build`

    thread = threading.Thread(target=run, name="osservatorio-analytics-build", daemon=True)
    with _open_lock:
        _background[location(engine)] = thread
    thread.start()
    return thread


def _write_copy(engine: Engine, tmp: Path, previous: Path | None) -> tuple[int, int, int, list[Step]]:
    """Write the new copy and build the facts there: (batch, rows read from the warehouse, facts, steps).
    With `previous` (a copy of this layout and of a batch the warehouse reaches), the new file starts as a copy of
    it and each table reads only what the later loads wrote (`copying.carry_table`); else every table is read
    whole. The facts are built whole either way."""
    from indicators import facts

    steps: list[Step] = []
    with copying.reading(engine) as read:
        batch = int(read("SELECT COALESCE(MAX(id), 0) AS b FROM load_batch").read_all().column(0)[0].as_py())
        since = _carried_batch(previous, batch)
        if since is not None and previous is not None:
            with copying.timed(steps, "previous copy's file copied"):
                shutil.copyfile(previous, tmp)
        duck = duckdb.connect(str(tmp))
        try:
            # read afresh, not through the cached settings: a build must not fix the settings of the process
            duck.execute(f"SET memory_limit = '{int(Settings().analytics_memory_mb)}MB'")
            # a table stored in an order of its own says so (ORDER BY); the others may be written in any order
            duck.execute("SET preserve_insertion_order = false")
            if since is not None:
                with copying.timed(steps, "previous copy's facts dropped"):
                    _drop_derived(duck)
            rows = sum(_copy(duck, table, read, engine.dialect.name, since, steps) for table in copied_tables())
            built = facts.build_all(duck, steps)
            duck.execute(f"CREATE TABLE {MARKER} AS SELECT CAST($batch AS BIGINT) AS last_batch_id, "
                         "CAST($at AS TIMESTAMP) AS built_at, CAST($layout AS VARCHAR) AS layout",
                         {"batch": batch, "layout": _layout(), "at": datetime.now(timezone.utc)
                                                                  .replace(tzinfo=None)})
            with copying.timed(steps, "checkpoint"):
                duck.execute("CHECKPOINT")
        finally:
            duck.close()
    return batch, rows, built, steps


def _carried_batch(previous: Path | None, batch: int) -> int | None:
    """The last batch of the previous copy when its rows can be carried: same layout, and a batch the warehouse
    still reaches (loads only add batches). None: every table is read whole."""
    if previous is None:
        return None
    try:
        with duckdb.connect(str(previous), read_only=True) as old:
            since, layout = old.execute(f"SELECT last_batch_id, layout FROM {MARKER}").fetchall()[0]
    except duckdb.Error:
        return None
    return int(since) if layout == _layout() and int(since) <= batch else None


def _drop_derived(duck: duckdb.DuckDBPyConnection) -> None:
    """Drop the carried file's facts and marker (rebuilt whole); the checkpoint frees their blocks for the new
    ones, so the file does not grow from build to build."""
    from indicators import facts

    facts.drop_all(duck)
    duck.execute(f"DROP TABLE IF EXISTS {MARKER}")
    duck.execute("CHECKPOINT")


def _copy(duck: duckdb.DuckDBPyConnection, table: Table, read: copying.Read, dialect: str, since: int | None,
          steps: list[Step]) -> int:
    from indicators.facts import STORED_COLUMNS, STORED_ORDER

    order, extra = STORED_ORDER.get(table.name), STORED_COLUMNS.get(table.name, {})
    if since is not None and "batch_id" in table.columns:
        with copying.timed(steps, f"carry {table.name}") as step:
            step["rows"] = copying.carry_table(duck, table, read, dialect, since, order, extra)
        if step["rows"] is not None:
            return step["rows"]
        log.warning("analytics copy: %s copied whole (its rows differ from the previous copy's)", table.name)
    with copying.timed(steps, f"copy {table.name}") as step:
        duck.execute(f'DROP TABLE IF EXISTS "{table.name}"')
        step["rows"] = copying.copy_table(duck, table, read, dialect, order, extra)
    return step["rows"]


