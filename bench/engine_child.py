"""The timed steps of `python -m bench engine`, each run in a child process of its own (so that its peak memory is
its own and no cache survives): `python -m bench.engine_child build URL AS_OF` and
`python -m bench.engine_child update URL FILE AS_OF`. Prints one JSON line.

The build is instrumented from outside `indicators/` (its functions wrapped, not changed): the SQLite snapshot,
each table copied and each statement of the facts are timed, so that a slow build says where its time goes.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

STARTED = time.perf_counter()


class _TimedDuck:
    """A DuckDB connection that times each `execute` whose text starts with one of `only` (all: None) into
    `steps`, named `label` and the statement's first words."""

    def __init__(self, duck, steps: list, label: str, only: tuple[str, ...] | None = None) -> None:
        self._duck, self._steps, self._label, self._only = duck, steps, label, only

    def execute(self, sql: str, *args, **kwargs):
        began, cpu = time.perf_counter(), time.process_time()
        result = self._duck.execute(sql, *args, **kwargs)
        if self._only is None or sql.lstrip().upper().startswith(self._only):
            words = sql.split()
            name = words[2] if len(words) > 2 and words[0].upper() == "CREATE" else " ".join(words[:3])
            self._steps.append((f"{self._label} {name}", time.perf_counter() - began, None,
                                time.process_time() - cpu))
        return result

    def __getattr__(self, name):
        return getattr(self._duck, name)


class _TimedDuckModule:
    """`duckdb` as `indicators.store` sees it: opening the new copy is timed, and so are its CHECKPOINT and
    marker (the copies and facts are timed by their own wrappers)."""

    def __init__(self, module, steps: list) -> None:
        self._module, self._steps = module, steps

    def connect(self, *args, **kwargs):
        began, cpu = time.perf_counter(), time.process_time()
        conn = self._module.connect(*args, **kwargs)
        if kwargs.get("read_only"):
            return conn
        self._steps.append(("DuckDB file opened", time.perf_counter() - began, None, time.process_time() - cpu))
        return _TimedDuck(conn, self._steps, "DuckDB", only=("CHECKPOINT", "CREATE TABLE ANALYTICS_BUILD"))

    def __getattr__(self, name):
        return getattr(self._module, name)


def instrument() -> list:
    """Wrap the build's steps so each is timed; returns the list they are appended to: (step, seconds, rows, CPU
    seconds of the process: all its threads, so DuckDB's parallel work counts in full).
    The drivers the build imports on first use are imported here, so that they count as imports, not build."""
    import adbc_driver_postgresql.dbapi  # noqa: F401
    import adbc_driver_sqlite.dbapi  # noqa: F401

    from indicators import facts, store

    steps: list = []
    copy_table, snapshot, build_all = store._copy_table, store._sqlite_snapshot, facts.build_all

    def timed_copy(duck, table, read, dialect):
        began, cpu = time.perf_counter(), time.process_time()
        rows = copy_table(duck, table, read, dialect)
        steps.append((f"copy {table.name}", time.perf_counter() - began, rows, time.process_time() - cpu))
        return rows

    def timed_snapshot(path):
        began, cpu = time.perf_counter(), time.process_time()
        result = snapshot(path)
        steps.append(("SQLite snapshot (online backup)", time.perf_counter() - began, None, time.process_time() - cpu))
        return result

    def timed_facts(duck):
        return build_all(_TimedDuck(duck, steps, "fact"))

    store._copy_table, store._sqlite_snapshot, facts.build_all = timed_copy, timed_snapshot, timed_facts
    store.duckdb = _TimedDuckModule(store.duckdb, steps)  # type: ignore[assignment]  # a timing stand-in
    return steps


def _figure(engine, as_of: date) -> tuple[float, float]:
    """One figure that reads the month: the arrears stock at its end (seconds, value)."""
    from indicators.arrears import arrears_stock

    began = time.perf_counter()
    value = arrears_stock(engine, as_of=as_of).value
    return time.perf_counter() - began, float(value or 0)


def build(url: str, as_of: date) -> dict:
    from indicators import store
    from schemas.db import make_engine

    steps = instrument()
    engine = make_engine(url)
    imported = time.perf_counter() - STARTED
    began = time.perf_counter()
    result = store.build(engine, force=True)
    assert result is not None  # a forced build always builds
    seconds = time.perf_counter() - began
    figure_s, value = _figure(engine, as_of)
    return {"imports": imported, "build": seconds, "rows": result.rows, "facts": result.facts,
            "size_bytes": result.size_bytes, "batch_id": result.batch_id, "figure": figure_s, "value": value,
            "steps": steps}


def update(url: str, file: str, as_of: date) -> dict:
    """What `osservatorio load movimenti FILE` does (schema check, load, build), then one figure of that month."""
    from etl.loader import load_file
    from indicators import store
    from osservatorio.settings import Settings
    from schemas.db import make_engine
    from schemas.migrate import upgrade

    steps = instrument()
    imported = time.perf_counter() - STARTED
    phases = {"imports": imported}
    began = time.perf_counter()
    upgrade(url)
    phases["schema check"] = time.perf_counter() - began
    engine = make_engine(url)
    began = time.perf_counter()
    loaded = load_file(file, "movimenti", engine=engine, settings=Settings(database_url=url, pseudonym_key="bench"))
    phases["load"] = time.perf_counter() - began
    began = time.perf_counter()
    result = store.build(engine, force=True)  # forced: the copy is rebuilt whole whatever it held
    assert result is not None
    phases["build"] = time.perf_counter() - began
    phases["figure"], value = _figure(engine, as_of)
    if loaded.batch_id is not None and result.batch_id < loaded.batch_id:
        raise SystemExit(f"the copy holds load {result.batch_id}, not the month's {loaded.batch_id}")
    return {"phases": phases, "rows_loaded": loaded.loaded, "rows_read": loaded.read, "status": loaded.status,
            "rows": result.rows, "size_bytes": result.size_bytes, "value": value, "steps": steps}


def main(argv: list[str]) -> None:
    what, url, *rest = argv
    as_of = date.fromisoformat(rest[-1])
    out = build(url, as_of) if what == "build" else update(url, rest[0], as_of)
    out["total"] = time.perf_counter() - STARTED
    out["peak_mib"] = _peak_mib()
    print(json.dumps(out, default=str))


def _peak_mib() -> int | None:
    """This process's peak resident memory (VmHWM: its own, where the wait4 figure of a child can carry the high
    mark of the parent it was forked from)."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith("VmHWM:"):
                return int(line.split()[1]) // 1024
    except OSError:
        return None
    return None


if __name__ == "__main__":
    main(sys.argv[1:])
