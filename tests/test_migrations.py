"""The migrations build exactly the tables the models describe, on SQLite and PostgreSQL."""

from __future__ import annotations

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import inspect

import schemas
from schemas.migrate import current, upgrade


def test_migrated_warehouse_matches_the_models(engine, warehouse_url):
    upgrade(warehouse_url)  # a second upgrade on a migrated warehouse is a no-op
    with engine.connect() as conn:
        diff = compare_metadata(MigrationContext.configure(conn, opts={"compare_type": True}), schemas.metadata)
    assert diff == []
    assert current(warehouse_url) == "0024"


def test_natural_keys_and_query_indexes_exist(engine):
    insp = inspect(engine)
    uniques = {tuple(u["column_names"]) for u in insp.get_unique_constraints("ledger_entry")}
    indexes = {tuple(i["column_names"]) for i in insp.get_indexes("ledger_entry")}
    assert ("entry_code",) in uniques | indexes
    # the ledger keeps the indexes its loads use (its key, its load) and none for reading: the copy is read
    assert ("batch_id",) in indexes and ("lease_code", "entry_date") not in indexes and ("entry_date",) not in indexes
    assert ("building_code", "opened_on") in {tuple(i["column_names"]) for i in insp.get_indexes("ticket")}
    assert ("lab_code", "area", "arm", "indicator") in {
        tuple(i["column_names"]) for i in insp.get_indexes("context_indicator")}
    fks = {(fk["constrained_columns"][0], fk["referred_table"]) for fk in insp.get_foreign_keys("lease")}
    assert {("unit_code", "unit"), ("household_code", "household")} <= fks


def test_built_in_references_cite_their_sources_by_title(engine):
    """Users see where a reference value comes from: a published title, never one of our own files."""
    from sqlalchemy import text

    with engine.connect() as conn:
        sources = dict(conn.execute(text("SELECT label, source FROM benchmark_value WHERE built_in")).all())
    assert len(sources) == 7  # eleven values under seven labels (four labels carry two KPIs each)
    assert sources["Cooperative gestori sociali (media)"] == (
        "Legacoop Abitanti / DAR=CASA, «Gestore sociale: il track record cooperativo», 2018")
    assert sources["Housing sociale UK, media"].startswith("HouseMark")
    assert not [s for s in sources.values() if "seme" in s or ".md" in s]
