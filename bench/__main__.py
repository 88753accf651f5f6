"""`python -m bench engine|monitoring|load|budget|matching|staggered [--units N --years Y] ...`
(see `python -m bench -h`).

`python -m bench all` (what `make bench` runs) runs the engine benchmark and the page renders one after the other;
`--quick` runs them at small sizes (a smoke run of a minute or two). PostgreSQL is measured when
OSSERVATORIO_BENCH_POSTGRES_URL (or `--pg-url`) names a server the benchmark may create databases on.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import tempfile
from pathlib import Path

from bench import load as L
from bench import warehouses as W

ROOT = Path(__file__).resolve().parent.parent


def bench_load(args) -> None:
    out = ROOT / "bench" / "out"
    folder = W.sample(args.units, args.years)
    full = folder / "movimenti.csv"
    quarter = out / f"movimenti_quarter_{args.units}_{args.years}.csv"
    if not quarter.exists():
        L.head_file(full, quarter, 0.25)
    rows_full, rows_quarter = L.count_rows(full), L.count_rows(quarter)
    size = full.stat().st_size / 2**20
    print(f"\nmovimenti: {rows_full:,} rows ({size:,.0f} MiB); quarter file {rows_quarter:,} rows\n")
    lines = []
    for backend in args.backends.split(","):
        with tempfile.TemporaryDirectory(prefix="bench-") as tmp:
            os.chmod(tmp, 0o755)  # the PostgreSQL server runs as its own user
            url, stop = _warehouse(backend, Path(tmp), args.pg_url)
            try:
                lines.append(_one_backend(backend, url, folder, full, quarter, rows_full, Path(tmp)))
            finally:
                stop()
    print(f"\n{'backend':<10} {'osservatorio rows/s':>20} {'baseline rows/s':>16} {'ratio':>7} "
          f"{'peak MiB full':>14} {'peak MiB 1/4':>13}  baseline")
    for line in lines:
        print(line)


def _one_backend(backend, url, folder, full, quarter, rows_full, tmp: Path) -> str:
    L.prepare_parents(url, folder, tmp / "parents")
    if backend == "sqlite":
        db = Path(url.removeprefix("sqlite:///"))
        snapshot = tmp / "parents.db"
        L.run_child(["-c", f"import sqlite3; sqlite3.connect('{db}').execute('PRAGMA wal_checkpoint(TRUNCATE)')"])
        import shutil
        shutil.copy(db, snapshot)
    t_q, rss_q, _ = L.load_movements(url, quarter)
    _reset(backend, url, tmp)
    t_full, rss_full, out = L.load_movements(url, full)
    print(out.strip().splitlines()[0] if out.strip() else "")
    if backend == "sqlite":
        import shutil
        shutil.copy(snapshot, db)
        base = L.sqlite_baseline(db, full)
        name = "sqlite3 executemany of ready tuples"
    else:
        base = L.pg_copy_baseline(url, full)
        name = "COPY of the same CSV into a text table"
        ready = full.with_name("movimenti_pg_ready.csv")
        L.pg_ready_file(full, ready)
        table = L.pg_table_copy_baseline(url, ready)
    ours, theirs = rows_full / t_full, rows_full / base
    line = (f"{backend:<10} {ours:>20,.0f} {theirs:>16,.0f} {ours / theirs:>7.2f} {rss_full:>14,} {rss_q:>13,}  {name}"
            f"  (load {t_full:,.1f} s, baseline {base:,.1f} s)")
    if backend != "sqlite":
        line += (f"\n{'':<10} {'':>20} {rows_full / table:>16,.0f} {t_full and table / t_full:>7.2f} "
                 f"{'':>14} {'':>13}  "
                 f"COPY of ready rows into ledger_entry itself ({table:,.1f} s)")
    print(line, flush=True)
    return line


def _reset(backend, url, tmp) -> None:
    """Empty the ledger between the quarter-file and full-file loads."""
    from sqlalchemy import text

    from schemas.db import make_engine

    eng = make_engine(url)
    with eng.begin() as conn:
        conn.execute(text("DELETE FROM ledger_entry"))
    eng.dispose()


def _warehouse(backend: str, tmp: Path, pg_url: str | None):
    if backend == "sqlite":
        return f"sqlite:///{tmp / 'bench.db'}", lambda: None
    if pg_url:
        return pg_url, lambda: None
    pgdir = tmp / "pg"
    url = subprocess.check_output([str(ROOT / ".ci" / "postgres"), "start", str(pgdir), "55433"], text=True).strip()
    return url, lambda: subprocess.run([str(ROOT / ".ci" / "postgres"), "stop", str(pgdir)], check=False)


QUICK = {"units": 5_000, "years": 3, "small_units": 500, "small_years": 3}
PG_URL = os.environ.get("OSSERVATORIO_BENCH_POSTGRES_URL")
DEFAULT_BACKENDS = "sqlite,postgres" if PG_URL else "sqlite"


def _sizes(p: argparse.ArgumentParser, small_years: int) -> None:
    p.add_argument("--units", type=int, default=100_000)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--small-units", type=int, default=1_500,
                   help="the baseline warehouse, measured in the same run (engine: 0 measures the large one only)")
    p.add_argument("--repeat", type=int, default=3, help="cold renders per page and warehouse (monitoring: median)")
    p.add_argument("--small-years", type=int, default=small_years)
    p.add_argument("--backends", default=DEFAULT_BACKENDS,
                   help="sqlite,postgres (postgres: with OSSERVATORIO_BENCH_POSTGRES_URL or --pg-url)")
    p.add_argument("--pg-url", default=PG_URL, help="a PostgreSQL server the benchmark may create databases on")
    p.add_argument("--quick", action="store_true", help="small sizes, a smoke run (results not written)")
    p.add_argument("--pages", default="views/overview.py,views/arrears.py,views/vacancy.py",
                   help="the pages rendered (monitoring)")
    p.add_argument("--results", help="file for the report (default: bench/results/<date>-<what>-<units>x<years>.txt)")


def _resolve(args, what: str) -> argparse.Namespace:
    """The arguments of one benchmark: --quick applied, and its results file (none for a quick run; with `all`,
    `--results NAME.txt` gives NAME-engine.txt and NAME-monitoring.txt)."""
    out = argparse.Namespace(**vars(args))
    if out.quick:
        for name, value in QUICK.items():
            setattr(out, name, value)
        out.results = None
    elif out.results is None:
        from datetime import date

        out.results = str(ROOT / "bench" / "results" / f"{date.today():%Y-%m-%d}-{what}-{out.units}x{out.years}.txt")
    elif args.what == "all":
        given = Path(out.results)
        out.results = str(given.with_name(f"{given.stem}-{what}{given.suffix}"))
    return out


def main() -> None:
    parser = argparse.ArgumentParser(prog="python -m bench")
    sub = parser.add_subparsers(dest="what", required=True)
    e = sub.add_parser("engine", help="analytics copy: full build and monthly update, large vs small (issue 17)")
    _sizes(e, small_years=8)
    a = sub.add_parser("all", help="engine, then monitoring (the page renders): what `make bench` runs")
    _sizes(a, small_years=8)
    p = sub.add_parser("load", help="osservatorio load vs raw driver (issue 2)")
    p.add_argument("--units", type=int, default=100_000)
    p.add_argument("--years", type=int, default=10)
    p.add_argument("--backends", default="sqlite,postgres")
    p.add_argument("--pg-url", default=os.environ.get("OSSERVATORIO_BENCH_POSTGRES_URL"))
    m = sub.add_parser("monitoring", help="figures vs hand-written SQL, cold page renders large vs small (issue 3)")
    _sizes(m, small_years=8)
    for size in ("large", "small"):
        for backend in ("sqlite", "postgres"):
            m.add_argument(f"--{size}-{backend}", help=f"URL of an already loaded {size} {backend} warehouse")
    b = sub.add_parser("budget", help="budget forecasts: held-out MASE vs baselines, time to propose (issue 5)")
    b.add_argument("--units", type=int, default=5_000, help="sample size (100,000 takes long to generate)")
    b.add_argument("--years", type=int, default=8)
    b.add_argument("--holdout", type=int, default=2, help="complete years held out at the end")
    b.add_argument("--inflation", type=float, default=2.0, help="inflation of the baseline, percent")
    mt = sub.add_parser("matching", help="candidate-unit matching of a call, both modes (issue 18)")
    mt.add_argument("--households", type=int, default=5_000)
    mt.add_argument("--units", type=int, default=500)
    mt.add_argument("--repeat", type=int, default=3, help="runs of each timing; the best is reported")
    s = sub.add_parser("staggered", help="evaluate --method all on a staggered panel vs reference libraries (issue 20)")
    s.add_argument("--units", type=int, default=500)
    s.add_argument("--periods", type=int, default=10)
    s.add_argument("--repeat", type=int, default=3, help="runs of each; the best is kept")
    s.add_argument("--results", help="file for the report")
    args = parser.parse_args()
    if args.what in ("engine", "all"):
        from bench.engine import main as bench_engine

        bench_engine(_resolve(args, "engine"))
    if args.what in ("monitoring", "all"):
        from bench.monitoring import main as bench_monitoring

        bench_monitoring(_resolve(args, "monitoring"))
    if args.what == "load":
        bench_load(args)
    elif args.what == "staggered":
        from bench.staggered import bench_staggered

        bench_staggered(args)
    elif args.what == "budget":
        from bench.budget import bench_budget

        bench_budget(args)
    elif args.what == "matching":
        from bench.matching import bench_matching

        bench_matching(args)


if __name__ == "__main__":
    main()
