"""The analytics copy across loads and failed or killed builds (`indicators.store`), on SQLite and PostgreSQL.

The warehouse holds the base portfolio and a ledger in which, at 31/01/2024, C1 owes the January rent (450 €,
due 10/01) and C2 nothing; the second load bills C2 500 € on 10/01/2024, so the stock becomes 950 €.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time
from datetime import date
from pathlib import Path

import pytest
from typer.testing import CliRunner

from indicators import catalog, facts, store
from osservatorio.cli import app
from osservatorio.settings import get_settings
from tests.factories import load_base, load_text, rows

LEDGER = ("codice_contratto;data;tipo;importo\nC1;10/01/2024;addebito;450,00\nC1;10/02/2024;addebito;450,00\n"
          "C1;15/02/2024;incasso;450,00\nC2;10/02/2024;addebito;500,00\n")
MORE = "codice_contratto;data;tipo;importo\nC2;10/01/2024;addebito;500,00\n"
JANUARY = date(2024, 1, 31)
ROOT = Path(__file__).resolve().parent.parent


def stock(engine) -> float:
    """Arrears stock at 31/01/2024, read from the copy as it is (as the dashboard reads it)."""
    store.serve_stale(engine)
    return catalog.compute(engine, "arrears_stock_eur", as_of=JANUARY).value


@pytest.fixture
def built(tmp_path, engine, settings):
    """Base portfolio and ledger loaded and built; returns the batch the copy holds."""
    load_base(tmp_path, engine=engine, settings=settings)
    assert load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings).status == "completato"
    result = store.build(engine)
    assert result is not None and result.batch_id == store.warehouse_batch(engine)
    return result.batch_id


def load_more(folder: Path, engine, settings) -> int:
    result = load_text(folder, "movimenti", MORE, engine=engine, settings=settings, name="altri.csv")
    assert result.status == "completato" and result.loaded == 1
    return result.batch_id


def failing(*_):
    raise RuntimeError("costruzione interrotta dal test")


def build_files(engine) -> list[str]:
    """The analytics files beside the copy."""
    path = store.location(engine)
    return sorted(p.name for p in path.parent.glob(f"{path.stem}.*.duckdb*"))


def test_the_marker_says_which_load_the_figures_include(tmp_path, engine, settings, built):
    status = store.status(engine)
    assert (status.batch_id, status.warehouse_batch_id, status.current, status.error) == (built, built, True, None)
    assert stock(engine) == 450.0
    newer = load_more(tmp_path, engine, settings)
    status = store.status(engine)
    assert (status.batch_id, status.warehouse_batch_id, status.current) == (built, newer, False)
    assert stock(engine) == 450.0  # the copy as it is: the new load is not in it yet
    assert store.build(engine).batch_id == newer
    status = store.status(engine)
    assert (status.batch_id, status.warehouse_batch_id, status.current) == (newer, newer, True)
    assert stock(engine) == 950.0
    assert store.build(engine) is None  # already current: nothing to do


def test_a_snapshot_reads_one_copy_while_a_build_swaps_in_another(tmp_path, engine, settings, built):
    with store.snapshot(engine) as copy:
        assert copy.batch_id == built
        newer = load_more(tmp_path, engine, settings)
        assert store.build(engine).batch_id == newer
        assert stock(engine) == 450.0  # a page run that began before the swap ends on the copy it began with
        with store.snapshot(engine) as inner:
            assert inner == copy
    with store.snapshot(engine) as after:
        assert after.batch_id == newer and after.key != copy.key and after.built_at >= copy.built_at
        assert stock(engine) == 950.0


def test_a_failed_build_leaves_the_previous_copy_in_use(tmp_path, engine, settings, built, monkeypatch):
    files = build_files(engine)
    newer = load_more(tmp_path, engine, settings)
    monkeypatch.setattr(facts, "build_all", failing)
    with pytest.raises(store.BuildError, match="^aggiornamento delle figure non riuscito; restano quelle precedenti$"):
        store.build(engine)
    status = store.status(engine)
    assert (status.batch_id, status.warehouse_batch_id, status.building) == (built, newer, False)
    assert status.error == "aggiornamento delle figure non riuscito; restano quelle precedenti"
    assert stock(engine) == 450.0
    assert build_files(engine) == files  # the half-built file is gone
    monkeypatch.undo()
    assert store.build(engine).batch_id == newer
    assert store.status(engine).error is None and stock(engine) == 950.0


KILLED_BUILD = textwrap.dedent("""
    import sys, time
    from pathlib import Path
    from indicators import copying, store
    from schemas.db import make_engine

    url, flag = sys.argv[1], Path(sys.argv[2])
    carry_table, copied = copying.carry_table, []

    def slow_carry(duck, table, read, dialect, since, *rest):  # carries two tables, says so, waits to be killed
        if len(copied) == 2:
            flag.write_text("building")
            time.sleep(120)
        copied.append(table.name)
        return carry_table(duck, table, read, dialect, since, *rest)

    copying.carry_table = slow_carry
    store.build(make_engine(url))
""")


def test_a_killed_build_leaves_the_previous_copy_and_the_next_build_cleans_up(tmp_path, engine, settings, built,
                                                                            warehouse_url):
    files = build_files(engine)
    newer = load_more(tmp_path, engine, settings)
    flag = tmp_path / "building.flag"
    child = subprocess.Popen([sys.executable, "-c", KILLED_BUILD, warehouse_url, str(flag)], cwd=ROOT)
    try:
        deadline = time.monotonic() + 120
        while not flag.exists():
            assert child.poll() is None, "the build ended before it was killed"
            assert time.monotonic() < deadline, "the build never reached its third table"
            time.sleep(0.2)
        assert store.status(engine).building
        assert len(build_files(engine)) > len(files)  # the new file half written
    finally:
        os.kill(child.pid, signal.SIGKILL)
        child.wait(timeout=30)
    status = store.status(engine)
    assert (status.batch_id, status.building) == (built, False)
    assert status.error == "aggiornamento delle figure interrotto; restano quelle precedenti"
    assert stock(engine) == 450.0
    result = store.build(engine)
    assert result.batch_id == newer
    assert build_files(engine) == [result.path.name]  # the killed build's files are gone, the old copy too
    assert store.status(engine).error is None and stock(engine) == 950.0


@pytest.fixture
def cli(warehouse_url, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args), prog_name="osservatorio")
    get_settings.cache_clear()


def test_load_builds_before_it_returns_unless_told_not_to(tmp_path, engine, built, cli):
    (tmp_path / "altri.csv").write_text(MORE)
    result = cli("load", "movimenti", str(tmp_path / "altri.csv"), "--no-figure")
    assert result.exit_code == 0, result.output
    assert "Figure" not in result.stdout
    status = store.status(engine)
    assert (status.batch_id, status.current) == (built, False)
    result = cli("db", "refresh")
    assert result.exit_code == 0, result.output
    assert f"Figure aggiornate al caricamento n. {built + 1}: " in result.stdout
    assert stock(engine) == 950.0


def test_a_failed_build_after_a_load_exits_non_zero_and_keeps_the_rows(tmp_path, engine, built, cli, monkeypatch):
    monkeypatch.setattr(facts, "build_all", failing)
    (tmp_path / "altri.csv").write_text(MORE)
    result = cli("load", "movimenti", str(tmp_path / "altri.csv"))
    assert result.exit_code == 1
    assert "altri.csv [movimenti] completato: letti 1, caricati 1" in result.stdout
    assert result.stderr.splitlines()[-1] == ("Figure non aggiornate: aggiornamento delle figure non riuscito; restano quelle "
                                     "precedenti. I dati caricati restano nel warehouse: riprovare con "
                                     "`osservatorio db refresh`.")
    assert rows(engine, "SELECT COUNT(*) FROM ledger_entry") == [(5,)]
    assert cli("db", "refresh").exit_code == 1
    monkeypatch.undo()
    result = cli("db", "refresh")
    assert result.exit_code == 0, result.output
    assert stock(engine) == 950.0


def test_a_copy_of_another_layout_is_rebuilt_before_it_is_read(engine, settings, tmp_path, monkeypatch):
    """A copy built by a release with other facts (here: one fact fewer) is not read as current: the next reader
    rebuilds it, so a page never asks for a fact the copy lacks."""
    from indicators import facts, store

    load_base(tmp_path, engine=engine, settings=settings)
    extra = facts.Fact("lease_count", "one row", "the leases", "SELECT COUNT(*) AS n FROM lease")
    monkeypatch.setattr(facts, "FACTS", (*facts.FACTS, extra))
    store._layout.cache_clear()
    try:
        assert store.reader(engine).execute("SELECT n FROM lease_count").fetchall() == [(2,)]
        before = store.status(engine)
        monkeypatch.setattr(facts, "FACTS", facts.FACTS[:-1])  # the release without it
        store._layout.cache_clear()
        assert store.status(engine).batch_id is None  # the old copy is not this layout's
        cursor = store.reader(engine)  # rebuilt, same load
        assert [r[0] for r in cursor.execute("SELECT table_name FROM duckdb_tables()").fetchall()].count(
            "lease_count") == 0
        assert store.status(engine).batch_id == before.batch_id
    finally:
        store._layout.cache_clear()
