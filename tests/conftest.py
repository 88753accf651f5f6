"""Shared fixtures: a fresh warehouse per test on SQLite and, when configured, on PostgreSQL.

Set OSSERVATORIO_TEST_POSTGRES_URL (``.ci/run`` does) to run every warehouse test on both.
Set OSSERVATORIO_BROWSER_TESTS=1 (or pass --browser-tests) to run the headless-chromium tests.
"""

from __future__ import annotations

import os
import shutil
import uuid
from pathlib import Path

import pytest
from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from osservatorio.settings import Settings
from schemas.db import make_engine
from schemas.migrate import upgrade

PG_URL = os.environ.get("OSSERVATORIO_TEST_POSTGRES_URL")
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]
TEST_KEY = "chiave-di-test"


def pytest_addoption(parser):
    parser.addoption("--browser-tests", action="store_true", help="run the headless-chromium tests")


def pytest_collection_modifyitems(config, items):
    run_browser = config.getoption("--browser-tests") or os.environ.get("OSSERVATORIO_BROWSER_TESTS") == "1"
    for item in items:
        if "browser" in item.keywords and not run_browser:
            item.add_marker(pytest.mark.skip(reason="browser tests: pass --browser-tests"))


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory) -> Path:
    path = tmp_path_factory.mktemp("template") / "template.db"
    upgrade(f"sqlite:///{path}")
    return path


@pytest.fixture(scope="session")
def pg_template() -> str | None:
    """A migrated template database, cloned for each test (CREATE DATABASE ... TEMPLATE is fast)."""
    if not PG_URL:
        yield None
        return
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"osservatorio_tpl_{uuid.uuid4().hex[:8]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    upgrade(make_url(PG_URL).set(database=name).render_as_string(hide_password=False))
    yield name
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture(params=BACKENDS)
def warehouse_url(request, tmp_path, sqlite_template, pg_template) -> str:
    """URL of an empty, migrated warehouse of its own for this test."""
    if request.param == "sqlite":
        path = tmp_path / "warehouse.db"
        shutil.copy(sqlite_template, path)
        yield f"sqlite:///{path}"
        return
    if not PG_URL:
        pytest.skip("PostgreSQL: set OSSERVATORIO_TEST_POSTGRES_URL")
    admin = create_engine(PG_URL, isolation_level="AUTOCOMMIT")
    name = f"osservatorio_t_{uuid.uuid4().hex[:10]}"
    with admin.connect() as conn:
        conn.execute(text(f'CREATE DATABASE "{name}" TEMPLATE "{pg_template}"'))
    yield make_url(PG_URL).set(database=name).render_as_string(hide_password=False)
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
    admin.dispose()


@pytest.fixture
def engine(warehouse_url):
    eng = make_engine(warehouse_url)
    yield eng
    eng.dispose()


@pytest.fixture
def settings(warehouse_url) -> Settings:
    return Settings(database_url=warehouse_url, pseudonym_key=TEST_KEY, chunk_rows=1_000)


@pytest.fixture
def sqlite_engine(tmp_path, sqlite_template):
    """A SQLite warehouse only, for tests about the importer's reading rules rather than the database."""
    path = tmp_path / "warehouse.db"
    shutil.copy(sqlite_template, path)
    eng = make_engine(f"sqlite:///{path}")
    yield eng
    eng.dispose()
