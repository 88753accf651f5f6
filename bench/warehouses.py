"""The warehouses the benchmarks run on, generated and loaded once and kept in `bench/out/` between runs.

For a size (units x years) the sample is generated once (`osservatorio sample`, seed 42) and split: the
movements of its last month go to their own file (`movimenti_ultimo_mese.csv`: the "monthly file" of the
monthly-update benchmark), everything else is loaded once into a warehouse per backend:
- SQLite: `bench/out/warehouse_<units>_<years>.db` (its analytics copy beside it);
- PostgreSQL: database `bench_<units>_<years>` on the server of `--pg-url` / OSSERVATORIO_BENCH_POSTGRES_URL
  (created if missing; its analytics copy in OSSERVATORIO_ANALYTICS_DIR, by default `bench/out/analytics/`).
A marker file beside them says the load finished. Generating and loading 100,000 units x 10 years takes tens of
minutes; the benchmarks then start from the cached warehouses (delete `bench/out/` to start over).

The monthly benchmark loads the last month on top; `undo_month` takes it out again (untimed) at the start of the
next run, so every run measures the same step.
"""

from __future__ import annotations

import hashlib
import os
import time
from pathlib import Path

from sqlalchemy import text

from bench.load import run_child

ROOT = Path(__file__).resolve().parent.parent
OUT = Path(os.environ.get("OSSERVATORIO_BENCH_OUT") or ROOT / "bench" / "out")  # a smoke test points it elsewhere
MONTH_FILE = "movimenti_ultimo_mese.csv"


def sample(units: int, years: int) -> Path:
    """The folder of the generated sample (generated on first use)."""
    folder = OUT / f"sample_{units}_{years}"
    if not (folder / ".complete").exists():
        folder.mkdir(parents=True, exist_ok=True)
        print(f"generating sample --units {units} --years {years} in {folder} ...", flush=True)
        t, rss, _ = run_child(["-m", "osservatorio.cli", "sample", "--out", str(folder), "--units", str(units),
                               "--years", str(years)])
        (folder / ".complete").write_text(f"{t:.0f} s\n")
        print(f"  generated in {t:,.0f} s (peak {rss:,} MiB)", flush=True)
    return folder


def split_last_month(folder: Path) -> tuple[Path, Path, str]:
    """(folder of the history to load, the last month's movements file, its month as mm/yyyy): the history folder
    links every file of the sample but the movements, which it holds without the last month."""
    history, month_file = folder / "storico", folder / MONTH_FILE
    done = history / ".complete"
    if done.exists():
        return history, month_file, done.read_text().strip()
    history.mkdir(exist_ok=True)
    for f in folder.glob("*.csv"):
        if f.name not in ("movimenti.csv", MONTH_FILE) and not (history / f.name).exists():
            (history / f.name).symlink_to(f)
    with (folder / "movimenti.csv").open("rb") as fh:
        header = fh.readline()
        months = {}
        for line in fh:  # a first pass for the last month ("dd/mm/yyyy" in the second column)
            d = line.split(b";", 2)[1]
            months[d[6:10] + d[3:5]] = d[3:10]
    last = months[max(months)]
    kept = n_month = 0
    with (folder / "movimenti.csv").open("rb") as fh, (history / "movimenti.csv").open("wb") as old, \
            month_file.open("wb") as new:
        fh.readline()
        old.write(header)
        new.write(header)
        for line in fh:
            if line.split(b";", 2)[1][3:10] == last:
                new.write(line)
                n_month += 1
            else:
                old.write(line)
                kept += 1
    month = last.decode()
    print(f"  movements split: {kept:,} up to the month before {month}, {n_month:,} in {month}", flush=True)
    done.write_text(month + "\n")
    return history, month_file, month


def pg_database(server_url: str, name: str) -> str:
    """URL of database `name` on the server of `server_url`, created if missing."""
    from sqlalchemy import create_engine
    from sqlalchemy.engine import make_url

    admin = create_engine(server_url, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if not conn.execute(text("SELECT 1 FROM pg_database WHERE datname = :n"), {"n": name}).first():
            conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return make_url(server_url).set(database=name).render_as_string(hide_password=False)


def warehouse_url(backend: str, units: int, years: int, pg_url: str | None) -> str:
    if backend == "sqlite":
        return f"sqlite:///{OUT / f'warehouse_{units}_{years}.db'}"
    if not pg_url:
        raise SystemExit("PostgreSQL: impostare OSSERVATORIO_BENCH_POSTGRES_URL o --pg-url (un server su cui il "
                         "benchmark può creare database), oppure --backends sqlite")
    return pg_database(pg_url, f"bench_{units}_{years}")


def analytics_env() -> dict[str, str]:
    """Where the analytics copies of PostgreSQL warehouses go (a SQLite warehouse keeps its copy beside it)."""
    folder = os.environ.get("OSSERVATORIO_ANALYTICS_DIR") or str(OUT / "analytics")
    os.environ["OSSERVATORIO_ANALYTICS_DIR"] = folder
    return {"OSSERVATORIO_ANALYTICS_DIR": folder}


def _marker(url: str) -> Path:
    return OUT / f".loaded-{hashlib.sha256(url.encode()).hexdigest()[:12]}"


def ensure_loaded(url: str, history: Path, bulk: bool = False) -> None:
    """Load the history folder into `url` (without building the analytics copy) unless a previous run did. With
    `bulk`, the movements are written by `bench.bulk` (the same rows, in minutes instead of most of an hour) and
    the other kinds by the loader."""
    from schemas.migrate import upgrade

    upgrade(url)
    if _marker(url).exists() and _batches(url) > 0:
        return
    print(f"loading {history} into {url.split('@')[-1]} (once; cached for the next runs) ...", flush=True)
    began = time.perf_counter()
    folder = history
    if bulk:
        folder = history.with_name(history.name + "_senza_movimenti")
        folder.mkdir(exist_ok=True)
        for f in history.glob("*.csv"):
            if f.name != "movimenti.csv" and not (folder / f.name).exists():
                (folder / f.name).symlink_to(f.resolve())
    run_child(["-m", "osservatorio.cli", "load-dir", str(folder), "--no-aggregati"],
              {"OSSERVATORIO_DATABASE_URL": url})
    if bulk:
        from bench.bulk import load_movements

        load_movements(url, history / "movimenti.csv")
    _marker(url).write_text(f"{time.perf_counter() - began:.0f} s\n")
    print(f"  loaded in {time.perf_counter() - began:,.0f} s", flush=True)


BULK_FROM_UNITS = 20_000  # from this size on, the history's movements are written in bulk (`bench.bulk`)


def _batches(url: str) -> int:
    from schemas.db import make_engine

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return int(conn.execute(text("SELECT COUNT(*) FROM load_batch WHERE status IN "
                                         "('completato', 'con_scarti')")).scalar_one())
    finally:
        engine.dispose()


def undo_month(url: str) -> int:
    """Take the monthly file's loads out of the warehouse (every row they wrote and their load records); returns
    how many loads were undone. The analytics copy is left as it is: the benchmark rebuilds it (forced)."""
    import schemas
    from schemas.db import make_engine

    engine = make_engine(url)
    try:
        with engine.begin() as conn:
            ids = [r[0] for r in conn.execute(text("SELECT id FROM load_batch WHERE file_name = :f"),
                                              {"f": MONTH_FILE})]
            if ids:
                for table in reversed(schemas.metadata.sorted_tables):
                    if "batch_id" in table.columns:
                        conn.execute(table.delete().where(table.c.batch_id.in_(ids)))
                conn.execute(text("DELETE FROM load_batch WHERE file_name = :f"), {"f": MONTH_FILE})
        return len(ids)
    finally:
        engine.dispose()
