"""The timed steps of `python -m bench engine`, each run in a child process of its own (so that its peak memory is
its own and no cache survives): `python -m bench.engine_child build URL AS_OF` and
`python -m bench.engine_child update URL FILE AS_OF`. Prints one JSON line.

The build records where its time goes (`BuildResult.steps`: each table copied or carried, each fact), so that a
slow build says why.
"""

from __future__ import annotations

import json
import sys
import time
from datetime import date

STARTED = time.perf_counter()


def _prepare() -> None:
    """Import what the build imports on first use, so that it counts as imports, not build."""
    import adbc_driver_postgresql.dbapi  # noqa: F401
    import adbc_driver_sqlite.dbapi  # noqa: F401

    from indicators import copying, facts, store  # noqa: F401


def _steps(result) -> list:
    """The build's own record of where its time went: (step, seconds, rows, CPU seconds of this process)."""
    return [(s.name, s.seconds, s.rows, s.cpu) for s in result.steps]


def _figure(engine, as_of: date) -> tuple[float, float]:
    """One figure that reads the month: the arrears stock at its end (seconds, value)."""
    from indicators.arrears import arrears_stock

    began = time.perf_counter()
    value = arrears_stock(engine, as_of=as_of).value
    return time.perf_counter() - began, float(value or 0)


def build(url: str, as_of: date) -> dict:
    from indicators import store
    from schemas.db import make_engine

    _prepare()
    engine = make_engine(url)
    imported = time.perf_counter() - STARTED
    began = time.perf_counter()
    result = store.build(engine, force=True, carry=False)  # from scratch: every row read
    assert result is not None  # a forced build always builds
    seconds = time.perf_counter() - began
    figure_s, value = _figure(engine, as_of)
    return {"imports": imported, "build": seconds, "rows": result.rows, "facts": result.facts,
            "size_bytes": result.size_bytes, "batch_id": result.batch_id, "figure": figure_s, "value": value,
            "steps": _steps(result)}


def update(url: str, file: str, as_of: date) -> dict:
    """What `osservatorio load movimenti FILE` does (schema check, load, build), then one figure of that month."""
    from etl.loader import load_file
    from indicators import store
    from osservatorio.settings import Settings
    from schemas.db import make_engine
    from schemas.migrate import upgrade

    _prepare()
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
    result = store.build(engine)  # as `load` does: the previous copy's rows carried, the month's read
    assert result is not None
    phases["build"] = time.perf_counter() - began
    phases["figure"], value = _figure(engine, as_of)
    if loaded.batch_id is not None and result.batch_id < loaded.batch_id:
        raise SystemExit(f"the copy holds load {result.batch_id}, not the month's {loaded.batch_id}")
    return {"phases": phases, "rows_loaded": loaded.loaded, "rows_read": loaded.read, "status": loaded.status,
            "rows": result.rows, "size_bytes": result.size_bytes, "value": value, "steps": _steps(result)}


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
