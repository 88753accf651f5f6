"""The default sample loads without a row lost, and its headline figures are those of the seed (001)."""

from __future__ import annotations

import pytest

from etl.loader import load_dir
from etl.sample import generate
from osservatorio.accounts import authenticate, list_users
from osservatorio.demo import prepare_demo
from osservatorio.settings import Settings
from schemas.db import make_engine
from tests.factories import rows


@pytest.fixture(scope="module")
def sample_dir(tmp_path_factory):
    folder = tmp_path_factory.mktemp("sample")
    generate(folder)
    return folder


def test_default_sample_loads_whole_with_the_seed_headline_figures(sample_dir, engine, settings):
    results = load_dir(sample_dir, engine=engine, settings=settings)
    assert len(results) == 25  # 18 kinds of housing, calls, labs and the gestore's register, 7 of the evaluators' records per lab
    assert [r.status for r in results] == ["completato"] * 25
    assert all(r.loaded == r.read for r in results)
    assert rows(engine, "SELECT count(*) FROM unit") == [(1500,)]
    (interventions,), = rows(engine, "SELECT count(*) FROM intervention")
    assert 8 <= interventions <= 12
    tenure = dict(rows(engine, "SELECT tenure, count(*) FROM unit GROUP BY tenure"))
    assert abs(tenure["proprieta_futura_vendita"] / 1500 - 0.23) <= 0.04
    assert abs(tenure["locazione_termine"] / 1500 - 0.40) <= 0.04
    (billed, settled), = rows(engine, """
        SELECT sum(CASE WHEN entry_type = 'addebito' THEN amount ELSE 0 END),
               sum(CASE WHEN entry_type <> 'addebito' THEN amount ELSE 0 END) FROM ledger_entry""")
    assert 0.02 <= (billed - settled) / billed <= 0.04          # arrears near 3% of billed
    (empty,), = rows(engine, """
        SELECT count(*) FROM unit u WHERE NOT EXISTS (
            SELECT 1 FROM lease l WHERE l.unit_code = u.code AND l.start_date <= '2026-10-31'
            AND (l.end_date IS NULL OR l.end_date >= '2026-10-31'))""")
    assert 0.07 <= empty / 1500 <= 0.11                          # vacancy near 9% at the sample's end
    assert rows(engine, "SELECT year, validated, executed FROM eviction_stat "
                        "WHERE municipality = 'Cinisello Balsamo' AND year <= 2017 ORDER BY year") == [
        (2012, 58, 15), (2013, 75, 20), (2014, 84, 25), (2015, 66, 46), (2016, 59, 66), (2017, 14, 19)]
    assert rows(engine, "SELECT title, programmed, admitted, committed, paid FROM funding_project "
                        "WHERE code = 'MI3.1.1.a'") == [("Abitare in borgo", 281_250.0, 281_250.0, 0.0, 0.0)]
    (activities, interventions_with), = rows(engine, "SELECT count(*), count(DISTINCT intervention_code) "
                                                     "FROM community_activity")
    assert activities > 1000 and interventions_with == interventions  # every intervention records its work


def test_demo_prepares_the_warehouse_once(tmp_path, monkeypatch, sample_dir):
    settings = Settings(database_url=f"sqlite:///{tmp_path / 'demo.db'}", demo_dir=sample_dir)
    said = []
    prepare_demo(settings, echo=said.append)
    assert any("movimenti" in s for s in said)
    assert "  regione    regione-demo-2026      ruolo regione" in said, "the demo prints one user per role"
    said.clear()
    prepare_demo(settings, echo=said.append)
    assert said[-1] == "Warehouse già popolato: uso i dati presenti."
    engine = make_engine(settings.database_url)
    users = {u["username"]: u for u in list_users(engine)}
    assert {u["role"] for u in users.values()} == {"regione", "sgr", "gestore", "direzione", "admin"}
    assert users["sgr"]["scope"] == "sgrs=Lombarda Abitare SGR S.p.A."
    assert authenticate(engine, "gestore", "gestore-demo-2026").scope.interventions == ("INT001", "INT002")
    engine.dispose()
