"""Benchmark: `osservatorio load movimenti` against the raw driver, on SQLite and PostgreSQL.

Baselines measured in the same run on the same file:
- SQLite: plain ``sqlite3`` executemany of ready tuples (parsing excluded) into the same table;
- PostgreSQL: ``COPY`` of the same CSV into a table of text columns.
Peak memory (max RSS of the loading process) is measured on the full file and on its first quarter,
to show that it does not grow with file size.
"""

from __future__ import annotations

import csv
import os
import resource
import shutil
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

PARENTS = ("interventi", "edifici", "alloggi", "nuclei", "contratti")


def run_child(args: list[str], env: dict | None = None) -> tuple[float, int, str]:
    """Run a Python child; return its wall time, its peak RSS in MiB and its output."""
    wall, rss, out, _ = run_child_usage(args, env)
    return wall, rss, out


def run_child_usage(args: list[str], env: dict | None = None) -> tuple[float, int, str, float]:
    """`run_child`, plus the CPU seconds (user + system) the child used: on a machine shared with other jobs the
    wall time moves with their load, the CPU time much less."""
    start = time.perf_counter()
    proc = subprocess.Popen([sys.executable, *args], stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
                            env={**os.environ, "OSSERVATORIO_PSEUDONYM_KEY": "bench", **(env or {})}, text=True)
    out = proc.stdout.read() if proc.stdout is not None else ""
    _, status, usage = os.wait4(proc.pid, 0)
    proc.returncode = os.waitstatus_to_exitcode(status)
    wall = time.perf_counter() - start
    if proc.returncode not in (0, 1):
        raise RuntimeError(f"{args} failed ({proc.returncode}):\n{out[-2000:]}")
    return wall, usage.ru_maxrss // 1024, out, usage.ru_utime + usage.ru_stime


def head_file(src: Path, dst: Path, fraction: float) -> int:
    with src.open("rb") as fh:
        total = sum(1 for _ in fh) - 1
    keep = int(total * fraction)
    with src.open("rb") as fi, dst.open("wb") as fo:
        for i, line in enumerate(fi):
            if i > keep:
                break
            fo.write(line)
    return keep


def prepare_parents(url: str, folder: Path, parents_dir: Path) -> None:
    parents_dir.mkdir(exist_ok=True)
    for kind in PARENTS:
        shutil.copy(folder / f"{kind}.csv", parents_dir / f"{kind}.csv")
    run_child(["-m", "osservatorio.cli", "load-dir", str(parents_dir)], {"OSSERVATORIO_DATABASE_URL": url})


def load_movements(url: str, file: Path) -> tuple[float, int, str]:
    """`osservatorio load movimenti FILE` without the build of the analytics copy that follows a load, which is
    not part of loading and is timed by `python -m bench engine`."""
    return run_child(["-m", "osservatorio.cli", "load", "movimenti", str(file), "--no-aggregati"],
                     {"OSSERVATORIO_DATABASE_URL": url})


def sqlite_baseline(db_path: Path, file: Path, batch: int = 100_000) -> float:
    """executemany of ready tuples: the rows are parsed before the clock runs, batch by batch."""
    conn = sqlite3.connect(db_path)
    conn.execute("PRAGMA journal_mode=WAL")  # the same settings the warehouse engine uses
    conn.execute("PRAGMA synchronous=NORMAL")
    conn.execute("PRAGMA cache_size=-262144")
    conn.execute("DELETE FROM ledger_entry")
    conn.commit()
    sql = ("INSERT INTO ledger_entry (entry_code, lease_code, entry_date, entry_type, amount, item, accrual_month, "
           "due_date) VALUES (?, ?, ?, ?, ?, ?, ?, ?)")
    timed = 0.0
    with file.open(encoding="utf-8-sig", newline="") as fh:
        reader = csv.reader(fh, delimiter=";")
        header = next(reader)
        idx = {h: i for i, h in enumerate(header)}
        n = 0
        while True:
            rows = []
            for row in reader:
                n += 1
                rows.append(_ready(row, idx, n))
                if len(rows) >= batch:
                    break
            if not rows:
                break
            start = time.perf_counter()
            conn.executemany(sql, rows)
            timed += time.perf_counter() - start
    start = time.perf_counter()
    conn.commit()
    timed += time.perf_counter() - start
    conn.close()
    return timed


def _ready(row: list[str], idx: dict, n: int) -> tuple:
    d, m, y = row[idx["data"]].split("/")
    month = row[idx["competenza"]] if "competenza" in idx and row[idx["competenza"]] else f"{m}/{y}"
    mm, yy = month.split("/")
    lease, kind = row[idx["codice_contratto"]], row[idx["tipo"]]
    amount = float(row[idx["importo"]].replace(".", "").replace(",", "."))
    item = (row[idx["voce"]] if "voce" in idx else "") or "altro"
    # the same shape of key the importer derives (content + occurrence), so both fill the same index
    code = f"{lease}|{y}-{m}-{d}|{kind}|{item}|{yy}-{mm}-01|{round(amount * 100)}#{n}"
    return (code, lease, f"{y}-{m}-{d}", kind, amount, item, f"{yy}-{mm}-01", None)


def pg_copy_baseline(url: str, file: Path) -> float:
    """COPY of the same CSV into a table of text columns, streamed in 1 MiB blocks."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    with file.open(encoding="utf-8-sig") as fh:
        header = fh.readline().strip().split(";")
    cols = ", ".join(f'"{h}" text' for h in header)
    with psycopg.connect(dsn, autocommit=False) as conn:
        conn.execute("DROP TABLE IF EXISTS bench_copy")
        conn.execute(f"CREATE TABLE bench_copy ({cols})")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur, file.open("rb") as fh:
            fh.readline()
            with cur.copy("COPY bench_copy FROM STDIN WITH (FORMAT csv, DELIMITER ';')") as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
        conn.commit()
        elapsed = time.perf_counter() - start
        conn.execute("DROP TABLE bench_copy")
        conn.commit()
    return elapsed


def count_rows(file: Path) -> int:
    with file.open("rb") as fh:
        return sum(1 for line in fh if line.strip()) - 1


def max_rss_self() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def pg_ready_file(src: Path, dst: Path) -> None:
    """The same rows as PostgreSQL's COPY can read them into ledger_entry (ISO dates, dot decimals, keys)."""
    if dst.exists():
        return
    with src.open(encoding="utf-8-sig", newline="") as fi, dst.open("w", newline="") as fo:
        reader, writer = csv.reader(fi, delimiter=";"), csv.writer(fo)
        idx = {h: i for i, h in enumerate(next(reader))}
        for n, row in enumerate(reader, start=1):
            writer.writerow(_ready(row, idx, n)[:7])


def pg_table_copy_baseline(url: str, ready: Path) -> float:
    """COPY of the ready rows straight into ledger_entry: same table, same indexes and foreign key."""
    import psycopg

    dsn = url.replace("postgresql+psycopg://", "postgresql://")
    cols = "entry_code, lease_code, entry_date, entry_type, amount, item, accrual_month"
    with psycopg.connect(dsn) as conn:
        conn.execute("DELETE FROM ledger_entry")
        conn.commit()
        start = time.perf_counter()
        with conn.cursor() as cur, ready.open("rb") as fh:
            with cur.copy(f"COPY ledger_entry ({cols}) FROM STDIN WITH (FORMAT csv)") as copy:
                while block := fh.read(1 << 20):
                    copy.write(block)
        conn.commit()
        return time.perf_counter() - start
