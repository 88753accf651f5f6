"""Benchmark (issues 3 and 17): the monitoring figures and pages on a 100,000-unit warehouse.

For each backend, in one run, on the cached warehouses of `bench.warehouses` with their analytics copy built
before anything is timed:
- the Panoramica's ledger and vacancy KPIs (one date, one period) through `indicators/` (on the analytics copy)
  against hand-written SQL that returns the same numbers (checked equal): on the ledger alone, run on the
  analytics copy and on the warehouse (the query an analyst would write without the engine);
- each monitoring page rendered by AppTest in a fresh process (cold caches), on the large warehouse
  divided by the same on the 1,500-unit one (goal: <= 3x). Only the render is timed.
"""

from __future__ import annotations

import gc
import json
import os
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

from sqlalchemy import text

ROOT = Path(__file__).resolve().parent.parent
PAGES = ("views/overview.py", "views/arrears.py", "views/vacancy.py")

T = TypeVar("T")


def timed(fn: Callable[[], T], repeat: int = 3) -> tuple[float, T]:
    """Median wall time of a call over `repeat` samples after one warm-up call, and the last result. A sample
    times as many calls as fit in about 0.2 s (as `timeit` does): a query of a millisecond timed once is noise."""
    began = time.perf_counter()
    result = fn()
    number = max(1, min(200, int(0.2 / max(time.perf_counter() - began, 1e-6))))
    times = []
    collecting = gc.isenabled()
    gc.disable()  # as `timeit` does: a collection of the whole process's objects would land on one side at random
    try:
        for _ in range(repeat):
            began = time.perf_counter()
            for _ in range(number):
                result = fn()
            times.append((time.perf_counter() - began) / number)
    finally:
        if collecting:
            gc.enable()
    return statistics.median(times), result


# --- hand-written SQL: the baselines -----------------------------------------------------------------------------
def _position_sums(alias_now: str, alias_before: str, d: str) -> str:
    """The Panoramica's arrears sums from two per-lease positions (now; before the period) and lease `l`."""
    now, before = alias_now, alias_before
    debt = f"CASE WHEN {now}.charged > {now}.credited THEN {now}.charged - {now}.credited ELSE 0 END"
    active = f"(l.start_date <= {d} AND (l.end_date IS NULL OR l.end_date >= {d}))"
    p = f"({now}.charged - COALESCE({before}.charged, 0))"
    owed = f"({now}.charged - {now}.credited)"
    unpaid = f"CASE WHEN {owed} <= 0 THEN 0 WHEN {owed} >= {p} THEN {p} ELSE {owed} END"
    settled_from = f"CASE WHEN {now}.charged - {p} > {now}.credited_other THEN {now}.charged - {p} " \
                   f"ELSE {now}.credited_other END"
    settled_to = f"CASE WHEN {now}.charged < {now}.credited THEN {now}.charged ELSE {now}.credited END"
    return f"""SUM({debt}) AS stock,
        SUM(CASE WHEN l.end_date < {d} THEN {debt} ELSE 0 END) AS stock_former,
        SUM(CASE WHEN {active} THEN {debt} ELSE 0 END) AS stock_active,
        SUM(CASE WHEN {active} THEN 12 * l.monthly_rent ELSE 0 END) AS annual_rent,
        SUM(CASE WHEN {active} THEN 1 ELSE 0 END) AS active_leases,
        SUM(CASE WHEN {active} AND {now}.overdue > {now}.credited THEN 1 ELSE 0 END) AS households_overdue,
        SUM({p}) AS period_charged, SUM({unpaid}) AS period_unpaid,
        SUM(CASE WHEN {settled_to} > {settled_from} THEN {settled_to} - {settled_from} ELSE 0 END)
            AS period_collected,
        SUM({now}.cash - COALESCE({before}.cash, 0)) AS period_cash"""


class _Duck:
    """Hand-written SQL run on the analytics copy (DuckDB), with the same `:name` parameters."""

    dialect_name = "duckdb"

    def __init__(self, engine) -> None:
        self.engine = engine

    def rows(self, sql: str, params: dict) -> list[dict]:
        from indicators import store
        from indicators.sql import duckdb_statement

        duck_sql, bound = duckdb_statement(sql, params)
        cursor = store.reader(self.engine).execute(duck_sql, bound)
        names = [c[0] for c in cursor.description]
        return [dict(zip(names, row)) for row in cursor.fetchall()]


def _rows(conn, sql: str, params: dict) -> list[dict]:
    if isinstance(conn, _Duck):
        return conn.rows(sql, params)
    return [dict(r) for r in conn.execute(text(sql), params).mappings()]


def _dialect(conn) -> str:
    return conn.dialect_name if isinstance(conn, _Duck) else conn.dialect.name


def arrears_on_ledger(conn, d: date, start: date) -> dict:
    """One pass over the ledger per lease: sums to D and before the period, then the same arithmetic."""
    sqlite = _dialect(conn) == "sqlite"
    dd = ":d" if sqlite else "CAST(:d AS DATE)"
    move = "CASE WHEN entry_type = 'addebito' THEN COALESCE(due_date, entry_date) ELSE entry_date END"
    late = "date(COALESCE(due_date, entry_date), '+31 days')" if sqlite else "COALESCE(due_date, entry_date) + 31"
    sums = f"""SELECT lease_code,
            ROUND(SUM(CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END), 2) AS charged,
            ROUND(SUM(CASE WHEN entry_type <> 'addebito' THEN amount ELSE 0 END), 2) AS credited,
            ROUND(SUM(CASE WHEN entry_type IN ('storno', 'abbuono', 'stralcio') THEN amount ELSE 0 END), 2)
                AS credited_other,
            ROUND(SUM(CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END), 2) AS cash,
            ROUND(SUM(CASE WHEN entry_type = 'addebito' AND {late} <= {dd} THEN amount ELSE 0 END), 2) AS overdue
        FROM ledger_entry WHERE {move} <= {dd} GROUP BY lease_code"""
    ds = ":start" if sqlite else "CAST(:start AS DATE)"
    before = f"""SELECT lease_code, ROUND(SUM(CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END), 2) AS charged,
            ROUND(SUM(CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END), 2) AS cash
        FROM ledger_entry WHERE {move} < {ds} GROUP BY lease_code"""
    sql = f"""SELECT {_position_sums("a", "b", dd)}
        FROM lease l LEFT JOIN ({sums}) a ON a.lease_code = l.code LEFT JOIN ({before}) b ON b.lease_code = l.code"""
    return _rows(conn, sql, {"d": d, "start": start})[0]


def vacancy_by_hand(conn, d: date) -> dict:
    dd = ":d" if _dialect(conn) == "sqlite" else "CAST(:d AS DATE)"
    sql = f"""SELECT COUNT(*) AS units, SUM(CASE WHEN occ.unit_code IS NULL THEN 1 ELSE 0 END) AS empty
        FROM unit u JOIN building b ON b.code = u.building_code JOIN intervention i ON i.code = b.intervention_code
        LEFT JOIN (SELECT DISTINCT unit_code FROM lease WHERE start_date <= {dd}
                   AND (end_date IS NULL OR end_date >= {dd})) occ ON occ.unit_code = u.code
        WHERE i.management_start IS NULL OR i.management_start <= {dd}"""
    return _rows(conn, sql, {"d": d})[0]


# --- the indicators ----------------------------------------------------------------------------------------------
def panoramica_indicators(engine, d: date, start: date) -> dict:
    from indicators.arrears import arrears_kpis
    from indicators.vacancy import vacancy

    kpis = arrears_kpis(engine, start=start, end=d)
    return {"kpis": kpis, "vacancy": vacancy(engine, as_of=d)}


def _same(indicator: dict, hand: dict) -> bool:
    k = indicator["kpis"]
    stock = k["arrears_stock_eur"]
    checks = [(stock.value, hand["stock"]), (stock.breakdown["cessati"], hand["stock_former"]),
              (k["arrears_rate_billed"].numerator, hand["period_unpaid"]),
              (k["arrears_rate_billed"].denominator, hand["period_charged"]),
              (k["households_in_arrears_pct"].numerator, hand["households_overdue"]),
              (k["collection_rate"].numerator, hand["period_collected"]),
              (k["arrears_rate_rent_roll"].denominator, hand["annual_rent"])]
    return all(abs(float(a) - float(b)) < 0.02 for a, b in checks)


def indicators_vs_sql(url: str) -> list[tuple[str, float, float, str]]:
    """(what, indicator seconds, baseline seconds, note) for the Panoramica's figures: the indicators (on the
    analytics copy) against the same numbers by hand-written SQL on the ledger, on the copy and on the warehouse."""
    from indicators.catalog import default_as_of
    from indicators.portfolio import ledger_span
    from schemas.db import make_engine

    engine = make_engine(url)
    first, last = ledger_span(engine)
    assert first is not None and last is not None, "the sample warehouse has a ledger"
    d = default_as_of(first, last)  # the date the pages open on
    start = date(d.year, 1, 1)
    flag = lambda ok: "" if ok else " (DIFFERENT!)"  # noqa: E731
    out = []
    t_ind, ind = timed(lambda: panoramica_indicators(engine, d, start))
    vac = ind["vacancy"]
    duck = _Duck(engine)
    t_duck, (h, v) = timed(lambda: (arrears_on_ledger(duck, d, start), vacancy_by_hand(duck, d)), repeat=1)
    same = _same(ind, h) and (vac.numerator, vac.denominator) == (v["empty"], v["units"])
    out.append(("Panoramica KPIs", t_ind, t_duck, "SQL on the ledger alone, on the analytics copy" + flag(same)))
    with engine.connect() as conn:
        t_raw, (h, v) = timed(lambda: (arrears_on_ledger(conn, d, start), vacancy_by_hand(conn, d)), repeat=1)
    same = _same(ind, h) and (vac.numerator, vac.denominator) == (v["empty"], v["units"])
    out.append(("Panoramica KPIs", t_ind, t_raw, "SQL on the ledger alone, on the warehouse" + flag(same)))
    engine.dispose()
    return out


# --- the pages ---------------------------------------------------------------------------------------------------
_RENDER = """
import json, os, sys, time
from streamlit.testing.v1 import AppTest
from osservatorio import accounts
from osservatorio.demo import ensure_demo_users
from schemas.db import make_engine
engine = make_engine(os.environ["OSSERVATORIO_DATABASE_URL"])
ensure_demo_users(engine, echo=lambda _: None)
token = accounts.start_session(engine, accounts.get_user(engine, "admin"), hours=1)  # sees the whole portfolio
engine.dispose()
at = AppTest.from_file(sys.argv[1], default_timeout=1800)
at.session_state["auth_token"] = token
at.run()
began = time.perf_counter()
at.switch_page(sys.argv[2]).run()
print(json.dumps({"seconds": time.perf_counter() - began, "errors": [str(e.value) for e in at.exception]}))
"""


def render_seconds(url: str, page: str, repeat: int = 1) -> float:
    """Median of `repeat` cold renders: each in a new process, so no Streamlit cache survives (the database's and
    the operating system's caches do, as on a server that has been up for a while)."""
    env = {**os.environ, "OSSERVATORIO_DATABASE_URL": url}
    times = []
    for _ in range(repeat):
        out = subprocess.run([sys.executable, "-c", _RENDER, str(ROOT / "dashboard" / "app.py"), page], env=env,
                             capture_output=True, text=True, check=True).stdout
        result = json.loads(out.strip().splitlines()[-1])
        if result["errors"]:
            raise RuntimeError(f"{page}: {result['errors']}")
        times.append(result["seconds"])
    return statistics.median(times)


def run(large: dict[str, str], small: dict[str, str], repeat: int = 3, pages: tuple[str, ...] = PAGES) -> str:
    """The report: per backend, indicators vs SQL, and page render large / small."""
    lines = [f"{'backend':<9} {'measure':<17} {'indicators ms':>14} {'baseline ms':>12} {'ratio':>7}  baseline"]
    renders = [f"{'backend':<9} {'page':<20} {'large s':>9} {'small s':>9} {'ratio':>7}"]
    for backend, url in large.items():
        for what, t_ind, t_base, note in indicators_vs_sql(url):
            lines.append(f"{backend:<9} {what:<17} {t_ind * 1e3:>14.3f} {t_base * 1e3:>12.3f} {t_ind / t_base:>7.2f}  "
                         f"{note}")
            print(lines[-1], flush=True)
        for page in pages:
            t_large = render_seconds(url, page, repeat=repeat)
            t_small = render_seconds(small[backend], page, repeat=repeat)
            renders.append(f"{backend:<9} {page:<20} {t_large:>9.2f} {t_small:>9.2f} {t_large / t_small:>7.2f}")
            print(renders[-1], flush=True)
    return "\n".join(lines + [""] + renders)


def ensure_built(url: str) -> None:
    """Bring the analytics copy up to the warehouse's last load before the timed renders (the pages read it as it
    is: a render never builds, unless there is no copy at all). A copy built by an older version, without a fact
    this one declares, is rebuilt: the marker says which load a copy holds, not which facts."""
    from indicators import facts, store
    from schemas.db import make_engine

    engine = make_engine(url)
    try:
        tables = {r[0] for r in store.reader(engine).execute(
            "SELECT table_name FROM duckdb_tables() UNION ALL SELECT view_name FROM duckdb_views()").fetchall()}
        force = any(f.name not in tables for f in facts.FACTS)
    except Exception:  # noqa: BLE001  (no copy yet)
        force = False
    if (built := store.build(engine, force=force)) is not None:
        print(f"  analytics copy built in {built.seconds:,.1f} s ({built.size_bytes / 2**20:,.0f} MiB)", flush=True)
    engine.dispose()


def main(args) -> None:
    from bench import warehouses as W

    W.analytics_env()
    sizes = {"large": (args.units, args.years), "small": (args.small_units, args.small_years)}
    urls: dict[str, dict[str, str]] = {"large": {}, "small": {}}
    for size, (units, years) in sizes.items():
        history, _, _ = W.split_last_month(W.sample(units, years))
        for backend in args.backends.split(","):
            url = getattr(args, f"{size}_{backend}", None)
            if not url:
                url = W.warehouse_url(backend, units, years, args.pg_url)
                W.ensure_loaded(url, history, bulk=units >= W.BULK_FROM_UNITS)
            ensure_built(url)
            urls[size][backend] = url
    report = run(urls["large"], urls["small"], repeat=1 if args.quick else args.repeat,
                 pages=tuple(args.pages.split(",")))
    print("\n" + report)
    if args.results:
        results = Path(args.results)
        results.parent.mkdir(parents=True, exist_ok=True)
        results.write_text(f"python -m bench monitoring --units {args.units} --years {args.years} (small "
                           f"{args.small_units}x{args.small_years}), load average at the end {os.getloadavg()[0]:.1f} "
                           f"on {os.cpu_count()} cores\n\n{report}\n")
        print(f"\nwritten to {results}")
