"""The gestore's own record on the Impatto page and in `osservatorio kpi`, for every role that sees it, on the
small loaded sample: each new registry KPI is a tile, computed on the user's scope, and hidden from the Regione
where its count is small; the same figures come out of the CLI for the same user."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.catalog import compute
from indicators.registry import REGISTRY, get_kpi
from indicators.registry_gestore import GESTORE_KPIS
from indicators.scope import Scope
from osservatorio.cli import app
from osservatorio.formatting import fmt_headline
from osservatorio.settings import get_settings
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)
from tests.factories import rows

IMPACT = "views/impact.py"
AS_OF, START = "2026-09-30", "2025-10-01"
TILED = [k.code for k in GESTORE_KPIS if k.code != "ticket_backlog_age"]  # that one is a table
SCOPES = {"admin": Scope(), "direzione": Scope(funds=("FIA Housing Sociale Lombardia",)), "gestore": Scope(interventions=("INT001", "INT002")),
          "sgr": Scope(sgrs=("Lombarda Abitare SGR S.p.A.",)), "regione": Scope()}


@pytest.fixture(scope="module")
def engine(loaded_warehouse):  # noqa: F811
    eng = make_engine(loaded_warehouse.url)
    yield eng
    eng.dispose()


def test_every_new_kpi_is_in_the_registry_with_an_italian_definition_and_a_source():
    for kpi in GESTORE_KPIS:
        assert REGISTRY[kpi.code] is kpi
        assert kpi.formula.endswith(".") and kpi.source and ("DAR=CASA" in kpi.source or "Legacoop" in kpi.source
                                                             or "Éupolis" in kpi.source), kpi.code


def test_the_sample_has_a_believable_community_register(engine):
    per_type = dict(rows(engine, "SELECT activity_type, COUNT(*) FROM community_activity GROUP BY activity_type"))
    assert per_type["accompagnamento_individuale"] > per_type["rappresentanze_assemblee"] > 0
    assert per_type["portierato_sociale"] > 0  # the intervention whose gestore contract includes concierge work
    big, = rows(engine, "SELECT MIN(participants), MAX(participants) FROM community_activity "
                        "WHERE activity_type = 'socializzazione'")
    assert 30 <= big[0] <= big[1] <= 120


@pytest.mark.parametrize("user", ["admin", "gestore", "sgr", "direzione", "regione"])
def test_every_new_kpi_is_on_the_impact_page_for_each_role(user, loaded_warehouse, engine, monkeypatch):  # noqa: F811
    at = open_page(loaded_warehouse.url, monkeypatch, IMPACT, user=user)
    assert not at.exception
    tiles = {m.label: m.value for m in at.metric}
    for code in TILED:
        assert get_kpi(code).label in tiles, (user, code)
    # the figure on the tile is the one computed on the user's own scope
    from datetime import date

    scope = SCOPES[user]
    households = compute(engine, "tenant_households", as_of=date(2026, 9, 30), scope=scope)
    if user == "regione":  # suppressed reader: the count is large enough to show
        assert households.value >= 5
    assert tiles[get_kpi("tenant_households").label] == fmt_headline("count", households.value)
    activities = compute(engine, "community_activities", as_of=date(2026, 9, 30), start=date(2025, 10, 1),
                         end=date(2026, 9, 30), scope=scope)
    assert tiles[get_kpi("community_activities").label] == fmt_headline("count", activities.value)
    shown = texts(at)
    assert "Attività di comunità del gestore" in shown and "Contratti in scadenza" in shown
    headings = {c for df in at.dataframe for c in df.value.columns}
    assert {"Urgenza", "Fornitore", "Aperte da", "Tipo"} <= headings
    assert ("Edificio" in headings) == (user != "regione")  # the Regione sees no single building


@pytest.mark.parametrize("user", ["gestore", "regione"])
def test_the_same_figures_come_out_of_the_cli_for_the_user(user, loaded_warehouse, engine, monkeypatch):  # noqa: F811
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", loaded_warehouse.url)
    get_settings.cache_clear()
    runner = CliRunner()
    for code in ("community_activities", "ticket_within_target_pct", "leases_ending", "households_over_burden_pct"):
        result = runner.invoke(app, ["kpi", code, "--user", user, "--format", "json"])
        assert result.exit_code == 0, result.output
        assert json.loads(result.stdout)["code"] == code
    by_category = runner.invoke(app, ["kpi", "ticket_days_to_close", "--by", "category", "--user", user,
                                      "--format", "json"])
    assert by_category.exit_code == 0 and {r["group"] for r in json.loads(by_category.stdout)} >= {"idraulica"}
    by_building = runner.invoke(app, ["kpi", "rent_burden_median_pct", "--by", "building", "--user", user])
    assert by_building.exit_code == (2 if user == "regione" else 0), by_building.output
    get_settings.cache_clear()
