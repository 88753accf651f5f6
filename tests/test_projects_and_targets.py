"""Funded projects that stall, targets set by the direzione (stored, audited, drawn), and the new figures on the
command line (`kpi`, `budget propose --include-revenue`, `obiettivi`)."""

from __future__ import annotations

import json
from datetime import date

import pytest
from typer.testing import CliRunner

from indicators import funding, store
from indicators.catalog import compute
from osservatorio import audit
from osservatorio.accounts import add_user, get_user
from osservatorio.cli import app
from tests.factories import load_text
from tests.test_economics import COSTS, FILES, _ledger

PROJECTS = ("codice_progetto;titolo;codice_intervento;data_inizio;data_fine;importo_programmato;importo_ammesso;"
            "importo_impegnato;importo_pagato;Codice Unico Progetto - CUP;R.U.P.;Soggetto attuatore\n"
            "MI3.1.1.a;Abitare in borgo;;01/10/2017;31/12/2020;€ 281.250,00;€ 281.250,00;€ 0,00;€ 0,00;;"
            "Angelo Foglio;Comune di Milano\n"
            "P2;Portierato Cenni;INT1;01/01/2023;31/12/2025;100.000,00;80.000,00;60.000,00;20.000,00;"
            "J41B21000010006;Maria Neri;Cooperativa Abitare\n"
            "P3;Spazi comuni Voltri;INT2;01/01/2022;31/12/2024;50.000,00;50.000,00;;;;;\n"
            "P4;Orti Voltri;INT2;01/01/2026;31/12/2027;20.000,00;20.000,00;0,00;0,00;;;\n")


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in FILES.items():
        load_text(tmp_path, kind, content, engine=engine, settings=settings)
    load_text(tmp_path, "movimenti", _ledger(), engine=engine, settings=settings)
    load_text(tmp_path, "consuntivi", COSTS, engine=engine, settings=settings)
    result = load_text(tmp_path, "finanziamenti", PROJECTS, engine=engine, settings=settings)
    assert result.status == "completato", result
    store.build(engine)
    return engine


def test_a_project_ended_with_nothing_committed_is_flagged(loaded):
    """At 31/03/2025: Abitare in borgo (ended 2020, 281,250 € admitted, 0 committed) and P3 (ended 2024, 50,000 €
    admitted, committed not reported) have stalled; P2 runs; P4 has not started."""
    projects = funding.funding_projects(loaded, as_of=date(2025, 3, 31)).set_index("code")
    assert projects["status"].to_dict() == {"MI3.1.1.a": "fermo", "P2": "in corso", "P3": "fermo",
                                            "P4": "non avviato"}
    borgo = projects.loc["MI3.1.1.a"]
    assert (borgo["rup"], borgo["implementing_body"], borgo["stalled"]) == ("Angelo Foglio", "Comune di Milano", True)
    assert projects.loc["P2", "cup"] == "J41B21000010006"
    stalled = compute(loaded, "funding_stalled_projects", as_of=date(2025, 3, 31))
    assert (stalled.value, stalled.numerator, stalled.denominator) == (2.0, 331_250.0, 431_250.0)
    assert stalled.warnings[0] == ("«Abitare in borgo» concluso il 31/12/2020 senza impegni giuridicamente "
                                   "vincolanti (281.250,00\u00a0€ ammessi).")
    # before its end date the same project is running, not stalled
    assert funding.funding_projects(loaded, as_of=date(2020, 6, 30)).set_index("code").at["MI3.1.1.a", "status"] \
        == "in corso"


def test_targets_set_by_direzione_refused_for_others_and_drawn(loaded):
    from indicators.targets import TargetError, drawn, set_target, targets
    from indicators.scope import Scope
    from osservatorio.charts.impact import by_intervention

    add_user(loaded, "dir", "direzione-prova-2026", "direzione")
    add_user(loaded, "ges", "gestore-prova-2026", "gestore", interventions=["INT1"])
    add_user(loaded, "dir1", "direzione-prova-2026", "direzione", interventions=["INT1"])
    direzione, gestore, limited = (get_user(loaded, n) for n in ("dir", "ges", "dir1"))
    set_target(loaded, kpi_code="performance_index_pct", value=10.0, user=direzione, note="piano 2025")
    set_target(loaded, kpi_code="performance_index_pct", value=8.0, user=direzione)  # replaces the first
    set_target(loaded, kpi_code="performance_index_pct", value=5.0, user=limited, intervention_code="INT1")
    with pytest.raises(TargetError, match="Solo la direzione o un amministratore"):
        set_target(loaded, kpi_code="performance_index_pct", value=1.0, user=gestore, intervention_code="INT1")
    with pytest.raises(TargetError, match="fuori dal proprio perimetro"):
        set_target(loaded, kpi_code="vacancy_rate", value=1.0, user=limited, intervention_code="INT2")
    with pytest.raises(TargetError, match="tutto il portafoglio"):
        set_target(loaded, kpi_code="vacancy_rate", value=1.0, user=limited)
    with pytest.raises(TargetError, match="Indicatore sconosciuto"):
        set_target(loaded, kpi_code="non_esiste", value=1.0, user=direzione)
    rows = targets(loaded)
    assert dict(zip(rows["intervention_code"], rows["value"])) == {None: 8.0, "INT1": 5.0}
    assert rows.set_index("value").at[8.0, "set_by"] == "dir" and rows.set_index("value").at[5.0, "set_by"] == "dir1"
    assert targets(loaded, scope=Scope(interventions=("INT2",)))["value"].tolist() == [8.0]
    assert drawn(loaded, "performance_index_pct").to_dict("records") == [
        {"label": "Obiettivo", "value": 8.0, "intervention_code": None}]
    per_bar = drawn(loaded, "performance_index_pct", per_intervention=True)
    assert dict(zip(per_bar["intervention_code"], per_bar["value"])) == {None: 8.0, "INT1": 5.0}
    one = drawn(loaded, "performance_index_pct", scope=Scope(interventions=("INT1",)))
    assert sorted(one["value"]) == [5.0, 8.0] and "Obiettivo Cenni di Cambiamento" in one["label"].tolist()
    details = audit.recent(loaded, action="obiettivo")["detail"].tolist()
    assert details == ["performance_index_pct INT1 = 5", "performance_index_pct portafoglio = 8",
                       "performance_index_pct portafoglio = 10"]
    frame = compute(loaded, "performance_index_pct", as_of=date(2025, 3, 31), start=date(2025, 1, 1),
                    end=date(2025, 3, 31), by="intervention")
    fig = by_intervention(frame, "value", {}, name="Indice", targets=drawn(loaded, "performance_index_pct"))
    lines = [s for s in fig.layout.shapes if s.y0 == s.y1]
    assert [s.y0 for s in lines] == [8.0] and lines[0].line.color == "#2e8b57"
    assert any("Obiettivo: 8,0%" in a.text for a in fig.layout.annotations)


def _cli(monkeypatch, warehouse_url, *args):
    from osservatorio.settings import get_settings

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    try:
        return CliRunner().invoke(app, list(args))
    finally:
        get_settings.cache_clear()


def test_new_figures_on_the_command_line_for_each_role(loaded, warehouse_url, monkeypatch):
    add_user(loaded, "dir", "direzione-prova-2026", "direzione")
    add_user(loaded, "ges", "gestore-prova-2026", "gestore", interventions=["INT2"])
    period = ["--from", "01/01/2025", "--to", "31/03/2025"]
    margin = _cli(monkeypatch, warehouse_url, "kpi", "operating_margin_eur", *period, "--by", "intervention",
                  "--format", "json", "--user", "dir")
    assert margin.exit_code == 0, margin.output
    assert {r["group"]: r["value"] for r in json.loads(margin.stdout)} == {"INT1": 1550.0, "INT2": -350.0}
    table = _cli(monkeypatch, warehouse_url, "kpi", "operating_margin_eur", *period)
    assert "valore: 1.200,00 €" in table.output and "perdita attesa da morosità (€): 1.350" in table.output
    assert "costi (€): 1.950" in table.output and "rent_billed" not in table.output
    mine = _cli(monkeypatch, warehouse_url, "kpi", "cost_per_unit_eur", *period, "--by", "intervention",
                "--format", "json", "--user", "ges")
    assert {r["group"]: r["value"] for r in json.loads(mine.stdout)} == {"INT2": 375.0}  # the gestore's scope only
    index = _cli(monkeypatch, warehouse_url, "kpi", "performance_index_pct", *period, "--user", "ges")
    assert index.exit_code == 0 and "valore: 83,3%" in index.output
    stalled = _cli(monkeypatch, warehouse_url, "kpi", "funding_stalled_projects", "--as-of", "31/03/2025")
    assert stalled.exit_code == 0 and "valore: 2" in stalled.output and "Abitare in borgo" in stalled.output
    refused = _cli(monkeypatch, warehouse_url, "obiettivi", "set", "cost_per_unit_eur", "400", "--user", "ges",
                   "--intervention", "INT2")
    assert refused.exit_code == 2 and "Solo la direzione o un amministratore" in refused.output
    done = _cli(monkeypatch, warehouse_url, "obiettivi", "set", "cost_per_unit_eur", "1.200,50", "--user", "dir")
    assert done.exit_code == 0 and "fissato a 1.200,50\u00a0€ da dir" in done.output
    bad = _cli(monkeypatch, warehouse_url, "obiettivi", "set", "cost_per_unit_eur", "tanto", "--user", "dir")
    assert bad.exit_code == 2 and "Valore dell'obiettivo non valido: «tanto»" in bad.output
    listed = _cli(monkeypatch, warehouse_url, "obiettivi", "list")
    assert "cost_per_unit_eur" in listed.output and "portafoglio" in listed.output
    gone = _cli(monkeypatch, warehouse_url, "obiettivi", "remove", "cost_per_unit_eur", "--user", "dir")
    assert gone.exit_code == 0 and _cli(monkeypatch, warehouse_url, "obiettivi", "list").output.strip().endswith(
        "Nessun obiettivo fissato.")
