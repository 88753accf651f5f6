"""Engine for the warehouse: SQLite (a file, zero set-up) or PostgreSQL, with the same tables."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine, create_engine, event
from sqlalchemy.engine import make_url
from sqlalchemy.pool import StaticPool


def make_engine(url: str) -> Engine:
    """Engine for `url` (`osservatorio.settings` gives the configured warehouse's). SQLite gets foreign keys and
    WAL on; PostgreSQL a work_mem fit for analytics."""
    if url.startswith("sqlite"):
        in_memory = url in ("sqlite://", "sqlite:///:memory:")
        engine = create_engine(
            url,
            connect_args={"check_same_thread": False, "timeout": 60},
            poolclass=StaticPool if in_memory else None,
            hide_parameters=True,
        )
        event.listen(engine, "connect", _sqlite_pragmas)
        return engine
    # Sorts and hash aggregates over a portfolio's units and leases spill to disk at the default 4 MB of work_mem,
    # and JIT compiling a query (on by default) takes longer than running these ones.
    engine = create_engine(url, pool_pre_ping=True, hide_parameters=True,
                           connect_args={"options": "-c work_mem=64MB -c jit=off"})
    event.listen(engine, "connect", _numeric_as_float)
    return engine


def sqlite_path(url: str) -> Path | None:
    """The file of a SQLite URL; None for an in-memory SQLite or another database."""
    parsed = make_url(url)
    if not parsed.drivername.startswith("sqlite") or parsed.database in (None, "", ":memory:"):
        return None
    return Path(parsed.database).expanduser().resolve()


def _numeric_as_float(dbapi_conn, _record) -> None:
    """NUMERIC values (money, and every SUM of it) arrive as float, as from SQLite: the columns are declared
    `asdecimal=False` anyway, and a Decimal per value then a conversion doubled the time of reading large results.
    The sums are still exact in the database; only the result is rounded to a float, as before."""
    from psycopg.types.numeric import FloatLoader

    dbapi_conn.adapters.register_loader("numeric", FloatLoader)


def _sqlite_pragmas(dbapi_conn, _record) -> None:
    cur = dbapi_conn.cursor()
    cur.execute("PRAGMA foreign_keys=ON")
    cur.execute("PRAGMA journal_mode=WAL")
    cur.execute("PRAGMA synchronous=NORMAL")
    cur.execute("PRAGMA temp_store=FILE")
    cur.execute("PRAGMA cache_size=-262144")  # up to 256 MiB of page cache, allocated only as used
    cur.close()


def is_postgres(engine_or_conn) -> bool:
    return engine_or_conn.dialect.name == "postgresql"
