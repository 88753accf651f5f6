"""Benchmark (issue 3): the monitoring indicators and pages on a 100,000-unit warehouse.

For each backend, in one run:
- the Panoramica's ledger and vacancy KPIs (one date, one period) and the aging table, through
  `indicators/`, against hand-written SQL that returns the same numbers (checked equal) from the same
  database: on the per-fund copies of `building_month` and `vacancy_month` (the pre-aggregates the
  indicators read for the whole portfolio: the least work for the answer),
  on `lease_month` (per lease) and on the ledger alone (the query an analyst would write without them);
- each monitoring page rendered by AppTest in a fresh process (cold caches), on the large warehouse
  divided by the same on the 1,500-unit one.
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


# --- the warehouses ----------------------------------------------------------------------------------------------
def ensure_warehouse(url: str, folder: Path) -> None:
    """Load the sample in `folder` into `url` unless a previous run did (its marker is the pre-aggregate)."""
    from indicators.snapshot import fresh_state
    from schemas.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            ready = conn.execute(text("SELECT COUNT(*) FROM load_batch")).scalar_one() > 0 and fresh_state(conn)
    except Exception:  # noqa: BLE001  (no tables yet)
        ready = False
    finally:
        engine.dispose()
    if ready:
        from indicators.snapshot import ensure_fresh

        engine = make_engine(url)
        if (built := ensure_fresh(engine)) is not None:  # e.g. `building_month` after a migration
            print(f"  pre-aggregates brought up to date in {built.seconds:,.0f} s", flush=True)
        engine.dispose()
        return
    print(f"loading {folder} into {url.split('@')[-1]} ...", flush=True)
    env = {**os.environ, "OSSERVATORIO_DATABASE_URL": url, "OSSERVATORIO_PSEUDONYM_KEY": "bench"}
    began = time.perf_counter()
    subprocess.run([sys.executable, "-m", "osservatorio.cli", "load-dir", str(folder)], env=env, check=False,
                   stdout=subprocess.DEVNULL)
    print(f"  loaded in {time.perf_counter() - began:,.0f} s", flush=True)


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


def arrears_on_pre_aggregates(conn, d: date, start: date) -> dict:
    mk, pk = d.year * 12 + d.month - 1, start.year * 12 + start.month - 2
    dd = "CAST(:d AS DATE)" if conn.dialect.name == "postgresql" else ":d"
    sql = f"""SELECT {_position_sums("a", "b", dd)}
        FROM lease l LEFT JOIN lease_month a ON a.lease_code = l.code AND a.month_key = :mk
        LEFT JOIN lease_month b ON b.lease_code = l.code AND b.month_key = :pk"""
    return dict(conn.execute(text(sql), {"d": d, "mk": mk, "pk": pk}).mappings().one())


def arrears_on_building_month(conn, d: date, start: date, checked: bool = False) -> dict:
    """The same sums from the pre-aggregate the indicators read (its per-fund copy; year to date); `checked`: only
    if it is current (the guarantee the indicators give, in the same query)."""
    from indicators import building_month
    from indicators.aggregate_state import fresh_sql

    k, window = d.year * 12 + d.month - 1, "ytd" if start == date(d.year, 1, 1) else "y1"
    sql = f"""SELECT SUM(stock) AS stock, SUM(stock_former) AS stock_former, SUM(stock_active) AS stock_active,
            SUM(annual_rent) AS annual_rent, SUM(active_leases) AS active_leases,
            SUM(households_overdue) AS households_overdue, SUM(charged_{window}) AS period_charged,
            SUM(unpaid_{window}) AS period_unpaid, SUM(collected_{window}) AS period_collected,
            SUM(cash_{window}) AS period_cash
        FROM building_month_by_fund WHERE month_key = {k}"""
    if checked:
        sql = _checked(sql, fresh_sql(building_month.NAME, building_month.SOURCE, k, k))
    return dict(conn.execute(text(sql)).mappings().one())


def _checked(sql: str, *fresh: str) -> str:
    """`sql` (one row) returning nothing unless the pre-aggregates are current: the guarantee the indicators give."""
    return f"{sql} AND " + " AND ".join(f"({f}) = 1" for f in fresh)


def arrears_on_ledger(conn, d: date, start: date) -> dict:
    """One pass over the ledger per lease: sums to D and before the period, then the same arithmetic."""
    dd = "CAST(:d AS DATE)" if conn.dialect.name == "postgresql" else ":d"
    move = "CASE WHEN entry_type = 'addebito' THEN COALESCE(due_date, entry_date) ELSE entry_date END"
    late = ("COALESCE(due_date, entry_date) + 31" if conn.dialect.name == "postgresql"
            else "date(COALESCE(due_date, entry_date), '+31 days')")
    sums = f"""SELECT lease_code,
            ROUND(SUM(CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END), 2) AS charged,
            ROUND(SUM(CASE WHEN entry_type <> 'addebito' THEN amount ELSE 0 END), 2) AS credited,
            ROUND(SUM(CASE WHEN entry_type IN ('storno', 'abbuono', 'stralcio') THEN amount ELSE 0 END), 2)
                AS credited_other,
            ROUND(SUM(CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END), 2) AS cash,
            ROUND(SUM(CASE WHEN entry_type = 'addebito' AND {late} <= {dd} THEN amount ELSE 0 END), 2) AS overdue
        FROM ledger_entry WHERE {move} <= {dd} GROUP BY lease_code"""
    before = f"""SELECT lease_code, ROUND(SUM(CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END), 2) AS charged,
            ROUND(SUM(CASE WHEN entry_type = 'incasso' THEN amount ELSE 0 END), 2) AS cash
        FROM ledger_entry WHERE {move} < :start GROUP BY lease_code"""
    sql = f"""SELECT {_position_sums("a", "b", dd)}
        FROM lease l LEFT JOIN ({sums}) a ON a.lease_code = l.code LEFT JOIN ({before}) b ON b.lease_code = l.code"""
    return dict(conn.execute(text(sql), {"d": d, "start": start}).mappings().one())


def vacancy_by_hand(conn, d: date) -> dict:
    dd = "CAST(:d AS DATE)" if conn.dialect.name == "postgresql" else ":d"
    sql = f"""SELECT COUNT(*) AS units, SUM(CASE WHEN occ.unit_code IS NULL THEN 1 ELSE 0 END) AS empty
        FROM unit u JOIN building b ON b.code = u.building_code JOIN intervention i ON i.code = b.intervention_code
        LEFT JOIN (SELECT DISTINCT unit_code FROM lease WHERE start_date <= {dd}
                   AND (end_date IS NULL OR end_date >= {dd})) occ ON occ.unit_code = u.code
        WHERE i.management_start IS NULL OR i.management_start <= {dd}"""
    return dict(conn.execute(text(sql), {"d": d}).mappings().one())


def vacancy_on_vacancy_month(conn, d: date, checked: bool = False) -> dict:
    from indicators import vacancy_month
    from indicators.aggregate_state import fresh_sql

    k = d.year * 12 + d.month - 1
    sql = f"SELECT SUM(units) AS units, SUM(empty) AS empty FROM vacancy_month_by_fund WHERE month_key = {k}"
    if checked:
        sql = _checked(sql, fresh_sql(vacancy_month.NAME, vacancy_month.SOURCE, k, k))
    return dict(conn.execute(text(sql)).mappings().one())


def aging_by_hand(conn, d: date) -> dict:
    """Arrears by the age of each lease's oldest unpaid charge, from the pre-aggregates."""
    pg = conn.dialect.name == "postgresql"
    age = ("(CAST(:d AS DATE) - MIN(c.due_date))" if pg
           else "CAST(julianday(:d) - julianday(MIN(c.due_date)) AS INTEGER)")
    sql = f"""SELECT bucket, SUM(debt) AS amount, COUNT(*) AS contracts FROM (
            SELECT a.lease_code, a.charged - a.credited AS debt,
                CASE WHEN {age} <= 30 THEN '0-30' WHEN {age} <= 60 THEN '31-60' WHEN {age} <= 90 THEN '61-90'
                     WHEN {age} <= 365 THEN '91-365' WHEN {age} <= 730 THEN '1-2 anni' ELSE 'oltre 2 anni' END
                    AS bucket
            FROM lease l JOIN lease_month a ON a.lease_code = l.code AND a.month_key = :mk
            JOIN lease_charge_day c ON c.lease_code = a.lease_code AND c.through > a.credited AND c.due_date <= :d
            WHERE a.charged > a.credited GROUP BY a.lease_code, a.charged, a.credited) x GROUP BY bucket"""
    rows = conn.execute(text(sql), {"d": d, "mk": d.year * 12 + d.month - 1}).all()
    return {b: (round(float(a), 2), int(n)) for b, a, n in rows}


def aging_on_building_month(conn, d: date, checked: bool = False) -> dict:
    from indicators import building_month
    from indicators.aggregate_state import fresh_sql

    labels = ("0-30", "31-60", "61-90", "91-365", "1-2 anni", "oltre 2 anni")
    cols = ("aged_30", "aged_60", "aged_90", "aged_365", "aged_730", "aged_over")
    sums = ", ".join(f"SUM({c}), SUM({c}_n)" for c in cols)
    k = d.year * 12 + d.month - 1
    sql = f"SELECT {sums} FROM building_month_by_fund WHERE month_key = {k}"
    if checked:
        sql = _checked(sql, fresh_sql(building_month.NAME, building_month.SOURCE, k, k))
    row = conn.execute(text(sql)).one()
    return {b: (round(float(row[2 * i]), 2), int(row[2 * i + 1])) for i, b in enumerate(labels) if row[2 * i + 1]}


# --- the indicators ----------------------------------------------------------------------------------------------
def panoramica_indicators(engine, d: date, start: date) -> dict:
    from indicators.arrears import arrears_kpis
    from indicators.vacancy import vacancy

    kpis = arrears_kpis(engine, start=start, end=d)
    return {"kpis": kpis, "vacancy": vacancy(engine, as_of=d)}


def aging_indicator(engine, d: date):
    from indicators.arrears import arrears_aging_by_contract

    return arrears_aging_by_contract(engine, as_of=d)


def _buckets(frame) -> dict:
    """The aging frame as the baselines return it (outside the timing: it is the benchmark's own conversion)."""
    return {b: (a, int(n)) for b, a, n in zip(frame["bucket"], frame["amount"], frame["contracts"]) if n}


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
    """(what, indicator seconds, baseline seconds, note) for the Panoramica and the aging table."""
    from indicators.catalog import default_as_of
    from indicators.portfolio import ledger_span
    from schemas.db import make_engine

    engine = make_engine(url)
    first, last = ledger_span(engine)
    assert first is not None and last is not None, "the sample warehouse has a ledger"
    d = default_as_of(first, last)  # the date the pages open on
    start = date(d.year, 1, 1)
    out = []
    # Both sides start from an open connection (a page's checkout from the engine's pool adds about 0.1 ms to
    # each figure on SQLite, a round trip to PostgreSQL).
    with engine.connect() as conn:
        t_ind, ind = timed(lambda: panoramica_indicators(conn, d, start))
        t_chk, chk = timed(lambda: (arrears_on_building_month(conn, d, start, checked=True),
                                    vacancy_on_vacancy_month(conn, d, checked=True)))
        t_bm, bm = timed(lambda: (arrears_on_building_month(conn, d, start), vacancy_on_vacancy_month(conn, d)))
        t_pre, pre = timed(lambda: (arrears_on_pre_aggregates(conn, d, start), vacancy_by_hand(conn, d)))
        t_raw, raw = timed(lambda: (arrears_on_ledger(conn, d, start), vacancy_by_hand(conn, d)), repeat=1)
    vac = ind["vacancy"]
    same = [_same(ind, h) and (vac.numerator, vac.denominator) == (v["empty"], v["units"])
            for h, v in (chk, bm, pre, raw)]
    flag = lambda ok: "" if ok else " (DIFFERENT!)"  # noqa: E731
    out.append(("Panoramica KPIs", t_ind, t_chk, "the same, checking in each query they are current (as the "
                "indicators do)" + flag(same[0])))
    out.append(("Panoramica KPIs", t_ind, t_bm, "SQL on the per-fund pre-aggregates (what the indicators read)"
                + flag(same[1])))
    out.append(("Panoramica KPIs", t_ind, t_pre, "SQL on lease_month (per lease)" + flag(same[2])))
    out.append(("Panoramica KPIs", t_ind, t_raw, "SQL on the ledger alone" + flag(same[3])))
    with engine.connect() as conn:
        t_ind, aging = timed(lambda: aging_indicator(conn, d), repeat=5)
        aging = _buckets(aging)
        t_chk, checked = timed(lambda: aging_on_building_month(conn, d, checked=True), repeat=5)
        t_bm, by_building = timed(lambda: aging_on_building_month(conn, d), repeat=5)
        t_hand, hand = timed(lambda: aging_by_hand(conn, d))
    for t_base, base, note in ((t_chk, checked, "the same, checking in the query it is current"),
                               (t_bm, by_building, "SQL on building_month_by_fund (what they read)"),
                               (t_hand, hand, "SQL on lease_month and lease_charge_day (per lease)")):
        agrees = set(aging) == set(base) and all(abs(aging[b][0] - base[b][0]) < 0.02 and aging[b][1] == base[b][1]
                                                 for b in base)
        out.append(("Aging table", t_ind, t_base, note + flag(agrees)))
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


def run(large: dict[str, str], small: dict[str, str]) -> str:
    """The report: per backend, indicator vs SQL, and page render large / small."""
    lines = [f"{'backend':<9} {'measure':<17} {'indicators ms':>14} {'baseline ms':>12} {'ratio':>7}  baseline"]
    renders = [f"{'backend':<9} {'page':<20} {'large s':>9} {'small s':>9} {'ratio':>7}"]
    for backend, url in large.items():
        for what, t_ind, t_base, note in indicators_vs_sql(url):
            lines.append(f"{backend:<9} {what:<17} {t_ind * 1e3:>14.3f} {t_base * 1e3:>12.3f} {t_ind / t_base:>7.2f}  "
                         f"{note}")
            print(lines[-1], flush=True)
        for page in PAGES:
            t_large, t_small = render_seconds(url, page, repeat=3), render_seconds(small[backend], page, repeat=3)
            renders.append(f"{backend:<9} {page:<20} {t_large:>9.2f} {t_small:>9.2f} {t_large / t_small:>7.2f}")
            print(renders[-1], flush=True)
    return "\n".join(lines + [""] + renders)


def _pg_database(server_url: str, name: str) -> str:
    """URL of database `name` on the server of `server_url`, created if missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def main(args) -> None:
    from bench.load import ensure_sample
    from schemas.migrate import upgrade

    out = ROOT / "bench" / "out"
    sizes = {"large": (args.units, args.years), "small": (args.small_units, args.small_years)}
    urls: dict[str, dict[str, str]] = {"large": {}, "small": {}}
    for size, (units, years) in sizes.items():
        folder = ensure_sample(out, units, years)
        for backend in args.backends.split(","):
            override = getattr(args, f"{size}_{backend}", None)
            if override:
                url = override
            elif backend == "sqlite":
                url = f"sqlite:///{out / f'warehouse_{units}_{years}.db'}"
            else:
                if not args.pg_url:
                    raise SystemExit("PostgreSQL: pass --pg-url (a server the benchmark may create databases on)")
                url = _pg_database(args.pg_url, f"bench_{units}_{years}")
            upgrade(url)
            ensure_warehouse(url, folder)
            urls[size][backend] = url
    report = run(urls["large"], urls["small"])
    print("\n" + report)
    results = out.parent / "results" / f"{date.today():%Y-%m-%d}-monitoring-{args.units}x{args.years}.txt"
    results.write_text(report + "\n")
    print(f"\nwritten to {results.relative_to(ROOT)}")
