"""A small loaded warehouse for the dashboard tests, built once per session on SQLite.

Import the fixtures into a test module with `from dashboard_fixtures import loaded_warehouse`.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import func, select

import schemas
from etl.kinds import KINDS, LOAD_ORDER
from etl.loader import LoadResult, load_dir
from etl.sample import generate
from indicators import store
from osservatorio.demo import ensure_demo_users
from osservatorio.settings import Settings
from schemas.db import make_engine

SAMPLE_UNITS, SAMPLE_YEARS, SAMPLE_SEED = 150, 2, 42
BAD_FILE = "interventi_errati.csv"  # loaded after interventi.csv: one row, quarantined


@dataclass(frozen=True)
class LoadedWarehouse:
    """A warehouse with data: its URL, rows per kind (counted in the database) and the loads made."""

    url: str
    rows: dict[str, int]
    results: list[LoadResult]

    @property
    def quarantined_batches(self) -> list[int]:
        return [r.batch_id for r in self.results if r.quarantined]


def write_sample(folder: Path) -> None:
    """The project's sample files, plus one file whose only row is set aside (missing name)."""
    generate(folder, units=SAMPLE_UNITS, years=SAMPLE_YEARS, seed=SAMPLE_SEED)
    (folder / BAD_FILE).write_text("codice_intervento;nome;comune\nINT-ERR;;Milano\n")


def count_rows(url: str) -> dict[str, int]:
    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            return {kind: conn.execute(select(func.count()).select_from(schemas.metadata.tables[KINDS[kind].table]))
                    .scalar_one() for kind in LOAD_ORDER}
    finally:
        engine.dispose()


@pytest.fixture(scope="session")
def loaded_warehouse(tmp_path_factory, sqlite_template) -> LoadedWarehouse:
    """Sample files loaded into a SQLite warehouse once, with the demo users; tests must not change its data."""
    root = tmp_path_factory.mktemp("dashboard")
    files = root / "files"
    files.mkdir()
    write_sample(files)
    path = root / "warehouse.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    results = load_dir(files, engine=engine, settings=Settings(database_url=url, pseudonym_key="chiave-di-test"))
    store.build(engine)  # as `osservatorio load-dir` and the demo do
    ensure_demo_users(engine, echo=lambda _: None)  # one user per role, as `osservatorio demo` makes
    engine.dispose()
    assert results and all(r.status in ("completato", "con_scarti") for r in results), results
    return LoadedWarehouse(url=url, rows=count_rows(url), results=results)


def private_copy(loaded: LoadedWarehouse, folder: Path) -> str:
    """A copy of the sample warehouse for a test that changes it, with its own analytics copy (the dashboard does
    not wait for a first build: it says the figures are being prepared)."""
    path = folder / "copy.db"
    shutil.copy(loaded.url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine = make_engine(url)
    store.build(engine)
    engine.dispose()
    return url
