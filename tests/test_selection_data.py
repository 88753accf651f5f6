"""Selection on a small warehouse worked out by hand: the call's units and applications scoped through its
interventions, both proposals, the timeline of a past call with its void loss, offer and demand, the loader's
quarantine for calls and applications, and `osservatorio match`."""

from __future__ import annotations

import json
from datetime import date

import pandas as pd
import pytest
from typer.testing import CliRunner

from factories import load_text, reasons
from indicators import store
from indicators.offer_demand import offer_and_demand
from indicators.scope import Scope
from indicators.selection import match_call
from indicators.selection_data import call_units, calls
from indicators.selection_timeline import call_records, funnel, late_calls, phase_times, void_days
from osservatorio.cli import app
from osservatorio.demo import ensure_demo_users

AS_OF = date(2026, 10, 31)
FILES = {
    "interventi": "codice_intervento;nome;comune\nINT1;Cenni di Cambiamento;Milano\nINT2;Vivi Voltri;Genova\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\n",
    # A1 step-free (ground floor), A2 not (third floor, no lift), A3 free from 16/11/2026 when its lease ends, A4 free,
    # A5 of the other intervention, A6 works ending after the 90 days, A7 not lettable, A8 let by the 2025 call, A9 let
    "alloggi": "codice_alloggio;codice_edificio;regime;superficie_mq;canone_mensile;stato;piano;ascensore;accessibile;"
               "spese_mensili;disponibile_dal\n"
               "A1;E1;locazione_permanente;50;400,00;locabile;0;no;;40,00;01/01/2026\n"
               "A2;E1;locazione_permanente;30;300,00;locabile;3;no;no;0;01/01/2026\n"
               "A3;E1;locazione_permanente;75;700,00;locabile;2;no;;0;\n"
               "A4;E1;locazione_permanente;65;600,00;locabile;1;no;;;01/01/2026\n"
               "A5;E2;locazione_permanente;50;300,00;locabile;0;;;;01/01/2026\n"
               "A6;E1;locazione_permanente;60;500,00;in_ristrutturazione;;;;;01/06/2027\n"
               "A7;E1;locazione_permanente;55;450,00;non_locabile;;;;;\n"
               "A8;E1;locazione_permanente;50;365,00;locabile;1;si;;;01/03/2025\n"
               "A9;E1;locazione_permanente;50;400,00;locabile;1;si;;;\n",
    "nuclei": "codice_nucleo;componenti\nN3;3\nN8;2\nN9;2\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                 "L3;A3;N3;01/01/2020;15/11/2026;700,00\nL8;A8;N8;30/04/2025;;365,00\nL9;A9;N9;01/01/2021;;400,00\n",
    "avvisi": "codice_avviso;titolo;comune;interventi;data_apertura;data_chiusura;fine_lavori;regole_punteggio;"
              "isee_massimo\n"
              "AVV1;Avviso Cenni 2026;Milano;INT1;01/01/2026;31/03/2026;;standard;40.000,00\n"
              "AVV2;Avviso Voltri 2026;Genova;INT2;01/01/2026;31/03/2026;;;\n"
              "AVV3;Avviso Cenni 2025;Milano;INT1;01/01/2025;28/02/2025;01/06/2025;standard;\n",
    # AVV1: six households ranked by their score (60 ... 10) and one over the ISEE limit; AVV3: a past call
    "domande": "codice_domanda;data_domanda;avviso;componenti;isee;reddito_annuo;punteggio;esito;data_esito;"
               "codice_alloggio;codice_nucleo;data_idoneita;data_preselezione;data_proposta;data_risposta;"
               "esito_proposta;data_contratto;data_consegna\n"
               "D1;10/01/2026;AVV1;1;10.000;24.000;60;idonea;;;R1;;;;;;;\n"
               "D2;10/01/2026;AVV1;2;10.000;18.000;50;idonea;;;R2;;;;;;;\n"
               "D3;10/01/2026;AVV1;3;10.000;30.000;40;idonea;;;R3;;;;;;;\n"
               "D4;10/01/2026;AVV1;6;10.000;40.000;30;idonea;;;R4;;;;;;;\n"
               "D5;10/01/2026;AVV1;3;10.000;26.000;20;idonea;;;R5;;;;;;;\n"
               "D6;10/01/2026;AVV1;2;10.000;8.000;10;idonea;;;R6;;;;;;;\n"
               "D7;10/01/2026;AVV1;2;45.000;50.000;90;idonea;;;R7;;;;;;;\n"
               "D8;10/01/2026;AVV2;1;10.000;24.000;60;idonea;;;R8;;;;;;;\n"
               "P1;10/01/2025;AVV3;2;9.000;20.000;;assegnata;10/04/2025;A8;N8;05/02/2025;10/03/2025;01/04/2025;"
               "10/04/2025;accettata;20/04/2025;30/04/2025\n"
               "P2;20/01/2025;AVV3;2;9.000;20.000;;rinuncia;20/04/2025;;R10;25/03/2025;30/03/2025;10/04/2025;"
               "20/04/2025;rifiutata;;\n"
               "P3;01/02/2025;AVV3;2;50.000;;;non_idonea;01/03/2025;;R11;;;;;;;\n",
}


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in FILES.items():
        result = load_text(tmp_path, kind, content, engine=engine, settings=settings)
        assert result.status == "completato", (kind, reasons(engine, result.batch_id))
    store.build(engine)
    return engine


def test_a_call_sees_its_interventions_units_and_applications_only(loaded):
    assert [c.code for c in calls(loaded)] == ["AVV3", "AVV1", "AVV2"]
    assert [c.code for c in calls(loaded, scope=Scope(interventions=("INT2",)))] == ["AVV2"]
    call = calls(loaded, scope=Scope(interventions=("INT1",)))[1]
    units = call_units(loaded, call, as_of=AS_OF)
    # A3 is free the day after its lease ends; A5 is another intervention's, A6 too late, A7 not lettable, A8-A9 let
    assert units["code"].tolist() == ["A1", "A2", "A3", "A4"]
    assert units["available_on"].tolist() == [date(2026, 1, 1), date(2026, 1, 1), date(2026, 11, 16),
                                              date(2026, 1, 1)]
    assert units["empty_days"].tolist() == [303, 303, 0, 303]
    assert units["step_free"].tolist() == [True, False, False, False]  # ground floor; no lift above it


def test_both_proposals_of_the_call_worked_out_by_hand(loaded):
    # units in order of availability: A1, A2, A4 (01/01/2026), A3 (16/11/2026). Adequate and affordable (30%):
    # A1 (5.280 €/yr) R1, R2, R3, R5; A2 (3.600) R1; A4 (7.200) R3, R5; A3 (8.400) R3. R4 (6 persons) and R6
    # (8.000 €) have none; R7 is over the call's ISEE limit.
    greedy = match_call(loaded, "AVV1", as_of=AS_OF, mode="graduatoria")
    assert greedy.graduatoria.ranked["household"].tolist() == ["R1", "R2", "R3", "R4", "R5", "R6"]
    assert greedy.graduatoria.excluded[["household", "reason"]].values.tolist() == [
        ["R7", "ISEE 45.000,00\xa0€ oltre il limite dell'avviso (40.000,00\xa0€)"]]
    # A1 -> R1; A2 suits R1 only: empty; A4 -> R3; A3 suits R3 only: empty
    assert dict(zip(greedy.pairs["household"], greedy.pairs["unit"])) == {"R1": "A1", "R3": "A4"}
    best = match_call(loaded, "AVV1", as_of=AS_OF, mode="ottimale")
    assert dict(zip(best.pairs["household"], best.pairs["unit"])) == {"R1": "A2", "R2": "A1", "R3": "A3", "R5": "A4"}
    assert best.departures[["unit", "household", "passed_over", "reason"]].values.tolist() == [
        ["A1", "R2", "R1", "il nucleo R1 riceve invece A2: così si colloca anche il nucleo R2"],
        ["A4", "R5", "R3", "il nucleo R3 riceve invece A3: così si colloca anche il nucleo R5"]]
    # scoped to the other intervention, the call is not there
    with pytest.raises(ValueError, match="avviso «AVV1» non trovato"):
        match_call(loaded, "AVV1", as_of=AS_OF, mode="ottimale", scope=Scope(interventions=("INT2",)))


def test_the_timeline_of_a_past_call_and_its_void_loss(loaded):
    records = call_records(loaded, as_of=AS_OF)
    past = records[records["call"] == "AVV3"]
    assert funnel(past).iloc[0].to_dict() == {"call": "AVV3", "received": 3, "eligible": 2, "shortlisted": 2,
                                              "offered": 2, "accepted": 1, "contract": 1, "keys": 1}
    times = phase_times(past).set_index("phase")
    # collection 01/01 -> 28/02 = 58 days; eligibility P1 26, P2 64 days -> median 45 > 30; shortlist 33 and 5 -> 19;
    # offer 22 and 11 -> 16,5; answer 9 and 10 -> 9,5; handover P1 answered 10/04 -> keys 30/04 = 20
    assert times["median_days"].to_dict() == {"collection": 58.0, "eligibility": 45.0, "shortlist": 19.0,
                                              "offer": 16.5, "answer": 9.5, "handover": 20.0}
    assert times.loc["eligibility", "late"] and not times.loc["handover", "late"]
    late = late_calls(phase_times(past), past).iloc[0]
    assert late["phases_late"] == "Verifica dell'idoneità"
    assert late["days_before_works"] == 151 and late["opened_late"] and late["late"]  # 01/01 -> 01/06/2025
    # A8 lettable 01/03/2025: offer 31 days later, keys 60 days later; 60 × 365 € × 12 / 365 = 720 €
    void = void_days(past).iloc[0]
    assert (void["days_to_offer"], void["days_to_keys"], void["void_loss_eur"]) == (31.0, 60.0, 720.0)


def test_offer_and_demand_by_household_size(loaded):
    frame = offer_and_demand(loaded, as_of=AS_OF, scope=Scope(interventions=("INT1",)))
    call = frame[frame["call"] == "AVV1"].set_index("size")
    # waiting: 1 person R1; 2 persons R2, R6; 3 persons R3, R5; 5+ R4 (6 persons). Units by the largest household
    # they hold (minimum m²: 28, 38, 42, 56, 66): A2 30 m² -> 1; A1 50 m² -> 3; A4 65 m² -> 4; A3 75 m² -> 5+
    assert call[["households", "units", "gap"]].to_dict("index") == {
        1: {"households": 1, "units": 1, "gap": 0}, 2: {"households": 2, "units": 0, "gap": -2},
        3: {"households": 2, "units": 1, "gap": -1}, 4: {"households": 0, "units": 1, "gap": 1},
        5: {"households": 1, "units": 1, "gap": 0}}
    # R6 (8.000 €: 2.400 € a year at 30%) cannot afford any unit; with no unit of its class, R2 neither
    assert call["households_no_affordable"].to_dict() == {1: 0, 2: 2, 3: 0, 4: 0, 5: 0}


def test_bad_calls_and_applications_are_quarantined_with_italian_reasons(tmp_path, engine, settings):
    load_text(tmp_path, "interventi", FILES["interventi"], engine=engine, settings=settings)
    bad = load_text(tmp_path, "avvisi", "Codice Avviso;Titolo;Interventi;Data Apertura;Data Chiusura\n"
                    "AVV1;Avviso;INT1;01/03/2026;01/02/2026\nAVV2;Avviso;;01/01/2026;\n", engine=engine,
                    settings=settings)
    assert bad.loaded == 0 and bad.quarantined == 2
    found = reasons(engine, bad.batch_id)
    assert [(line, column) for line, column, _, _ in found] == [(2, "Data Chiusura"), (3, "Interventi")]
    assert "data precedente a «data_apertura»" in found[0][3]
    late = load_text(tmp_path, "domande", "codice_domanda;data_domanda;data_contratto;data_consegna;esito_proposta\n"
                     "D1;10/01/2026;20/04/2026;10/04/2026;accettata\nD2;10/01/2026;;;forse\n", engine=engine,
                     settings=settings)
    assert late.quarantined == 2
    found = reasons(engine, late.batch_id)
    assert found[0][1] == "data_consegna" and "data precedente a «data_contratto»" in found[0][3]
    assert found[1][1] == "esito_proposta" and "accettata" in found[1][3]


def test_match_command_prints_the_proposal(loaded, warehouse_url, monkeypatch, tmp_path):
    from osservatorio.settings import get_settings

    ensure_demo_users(loaded, echo=lambda _: None)
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    runner = CliRunner()
    out = runner.invoke(app, ["match", "--avviso", "AVV1", "--mode", "ottimale", "--as-of", "31/10/2026",
                              "--format", "json"])
    table = runner.invoke(app, ["match", "--avviso", "AVV1", "--as-of", "31/10/2026"])
    book = runner.invoke(app, ["match", "--avviso", "AVV1", "--as-of", "31/10/2026", "--format", "xlsx",
                               "--out", str(tmp_path / "proposta.xlsx")])
    missing = runner.invoke(app, ["match", "--avviso", "NESSUNO", "--as-of", "31/10/2026"])
    wrong = runner.invoke(app, ["match", "--avviso", "AVV1", "--mode", "migliore"])
    now_only = runner.invoke(app, ["match", "--avviso", "AVV1", "--as-of", "31/10/2026", "--giorni", "0",
                                   "--format", "json"])
    regione = runner.invoke(app, ["match", "--avviso", "AVV1", "--user", "regione"])
    get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    assert [(p["unit"], p["household"], p["rank"], p["burden_pct"]) for p in data["pairs"]] == [
        ("A2", "R1", 1, 15.0), ("A1", "R2", 2, 29.3), ("A3", "R3", 3, 28.0), ("A4", "R5", 5, 27.7)]
    assert data["pairs"][0]["reasons"][0] == "posizione 1 in graduatoria"
    assert [h["household"] for h in data["unmatched_households"]] == ["R4", "R6"] and data["unmatched_units"] == []
    assert table.exit_code == 0 and "2 nuclei collocati su 6 idonei in attesa, 4 alloggi locabili" in table.stdout
    assert "A2: i nuclei per cui è adatto sono collocati in altri alloggi" in table.stdout
    assert book.exit_code == 0 and "Proposta scritta in proposta.xlsx." in book.stdout
    sheet = pd.read_excel(tmp_path / "proposta.xlsx", sheet_name="Abbinamenti", engine="openpyxl")
    assert sheet[["Nucleo", "Alloggio"]].values.tolist() == [["R1", "A1"], ["R3", "A4"]]
    assert missing.exit_code == 1 and "avviso «NESSUNO» non trovato" in missing.output
    assert wrong.exit_code == 2 and "modalità non prevista" in wrong.output
    # within 0 days A3 (free from 16/11/2026) is not offered: A1, A2, A4 only
    assert now_only.exit_code == 0 and json.loads(now_only.stdout)["alloggi"] == 3
    assert regione.exit_code == 2 and "vede della selezione solo i dati aggregati" in regione.output
