"""The gestore's track record, facility tickets, allocations and funding on a hand-built warehouse, both backends.

    INT1 «Cenni», Milano, standard_full, managed from 01/01/2023: E1 with A1, A2 (locazione_permanente), A3
         (locazione_termine)
    INT2 «Voltri», Sesto San Giovanni, vuoto_per_pieno, managed from 01/07/2023: E2 with B1 (proprietà)

Tickets (period 2023):                    days   closed in 2023   cost
    T1 E1 idraulica 02/01 – 12/01/2023     10         yes          100
    T2 E1 idraulica 01/03 – 31/03/2023     30         yes          300
    T4 E1 elettrico 20/12/2022 – 05/01/2023 16        yes           50
    T3 E2 elettrico 10/12/2023, open                  backlog
    T5 E2 elettrico 15/12/2023 – 10/01/2024           backlog     1000 (not counted: closed in 2024)
  -> opened 4 (T1 T2 T3 T5), closed 3, mean (10 + 30 + 16) / 3 = 18,67 days, median 16, backlog at 31/12 2,
     cost 450 € over 4 units = 112,50 € per unit; INT1 450 / 3 = 150 €, INT2 0 / 1.

Applications:                                  outcome       decided       days
    D7 Milano 01/11/2022                      assegnata     01/02/2023     92
    D1 Milano 10/01/2023                      assegnata     10/04/2023     90
    D2 Milano 01/02/2023                      idonea        01/03/2023
    D3 Milano 15/02/2023                      non_idonea    15/03/2023
    D4 Sesto 01/03/2023                       rinuncia      01/05/2023
    D5 Sesto 01/06/2023                       assegnata     30/09/2023    121
    D6 Cinisello 01/07/2023                   in_istruttoria
  -> received in 2023: 6; eligible 4 (D1 D2 D4 D5), allocated 2, renounced 1, rejected 1, pending 1.
     Allocations decided in 2023: 92, 90, 121 days -> mean 101, median 92.
     Waiting at 31/12/2023: 7 received − 5 closed (D7 D1 D3 D4 D5) = 2 (D2 eligible, D6 being assessed);
     at 31/03/2023: 5 received (D7 D1 D2 D3 D4) − 2 closed (D7, D3) = 3.
"""

from __future__ import annotations

from datetime import date

import pytest

from indicators import allocations, facilities, funding, track_record
from indicators.scope import Scope
from tests.factories import load_text

FILES = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo;tipo_contratto_gestore;data_inizio_gestione\n"
                  "INT1;Cenni;Milano;Polaris;Fondo Uno;standard_full;01/01/2023\n"
                  "INT2;Voltri;Sesto San Giovanni;Polaris;Fondo Due;vuoto per pieno;01/07/2023\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\n",
    "alloggi": "codice_alloggio;codice_edificio;regime\nA1;E1;locazione_permanente\nA2;E1;locazione_permanente\n"
               "A3;E1;locazione_termine\nB1;E2;proprieta_futura_vendita\n",
    "segnalazioni": "codice_segnalazione;codice_edificio;codice_alloggio;categoria;data_apertura;data_chiusura;costo\n"
                    "T1;E1;A1;idraulica;02/01/2023;12/01/2023;100,00\nT2;E1;;idraulica;01/03/2023;31/03/2023;300,00\n"
                    "T3;E2;;elettrico;10/12/2023;;\nT4;E1;A2;elettrico;20/12/2022;05/01/2023;50,00\n"
                    "T5;E2;B1;elettrico;15/12/2023;10/01/2024;1.000,00\n",
    "domande": "codice_domanda;data_domanda;comune;esito;data_esito;codice_alloggio\n"
               "D7;01/11/2022;Milano;assegnata;01/02/2023;A2\nD1;10/01/2023;Milano;assegnata;10/04/2023;A1\n"
               "D2;01/02/2023;Milano;idonea;01/03/2023;\nD3;15/02/2023;Milano;non_idonea;15/03/2023;\n"
               "D4;01/03/2023;Sesto San Giovanni;rinuncia;01/05/2023;\n"
               "D5;01/06/2023;Sesto San Giovanni;assegnata;30/09/2023;B1\nD6;01/07/2023;Cinisello Balsamo;;;\n",
    "sfratti": "comune;anno;convalidati;eseguiti;motivo\nCinisello Balsamo;2016;59;66;\n"
               "Sesto San Giovanni;2023;10;4;morosita\n",
    "finanziamenti": "codice_progetto;titolo;codice_intervento;data_inizio;data_fine;importo_programmato;"
                     "importo_ammesso;importo_impegnato;importo_pagato\n"
                     "MI3.1.1.a;Abitare in borgo;;01/10/2017;31/12/2020;€ 281.250,00;€ 281.250,00;€ 0,00;€ 0,00\n"
                     "P2;Portierato Cenni;INT1;01/01/2023;31/12/2025;100.000,00;80.000,00;60.000,00;20.000,00\n",
    "laboratori": "codice_laboratorio;titolo;comune;codice_intervento;ambiti\n"
                  "LAB1;Sesto qui;Sesto San Giovanni;INT2;rappresentanza\n"
                  "LAB2;Si può fare;Cinisello Balsamo;;rappresentanza\n"
                  "LAB3;Vicini di casa;Sesto San Giovanni;;rappresentanza\n",
    "attivita_laboratorio": "codice_laboratorio;data;tipo_attivita;ambito;titolo;partecipanti;nuclei_raggiunti;"
                            "nuclei_presi_in_carico\n"
                            "LAB1;10/03/2023;evento;rappresentanza;Festa;30;12;0\n"
                            "LAB1;20/05/2023;sportello;morosita_incolpevole;Sportello;5;5;3\n"
                            "LAB1;15/01/2024;evento;rappresentanza;Befana;20;8;0\n"
                            "LAB2;01/04/2023;evento;rappresentanza;Festa;100;40;0\n"
                            "LAB3;02/04/2023;evento;rappresentanza;Festa;50;20;0\n",
}
Y_START, Y_END = date(2023, 1, 1), date(2023, 12, 31)
INT1, INT2 = Scope(interventions=("INT1",)), Scope(interventions=("INT2",))


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in FILES.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato", kind
    return engine


def test_units_by_tenure_and_contract_type_and_tickets(loaded):
    tenure = track_record.units_managed(loaded, as_of=Y_END, by="tenure").set_index("group")
    assert tenure["value"].to_dict() == {"locazione_permanente": 2, "locazione_termine": 1,
                                         "proprieta_futura_vendita": 1}
    assert tenure["share"].to_dict() == {"locazione_permanente": 50.0, "locazione_termine": 25.0,
                                         "proprieta_futura_vendita": 25.0}
    contract = track_record.units_managed(loaded, as_of=Y_END, by="contract_type").set_index("group")
    assert contract["share"].to_dict() == {"standard_full": 75.0, "vuoto_per_pieno": 25.0}
    assert track_record.units_managed(loaded, as_of=date(2023, 3, 31)).value == 3.0  # INT2 not yet managed

    days = facilities.ticket_days_to_close(loaded, start=Y_START, end=Y_END)
    assert days.value == pytest.approx(56 / 3) and days.breakdown["days_median"] == 16.0
    assert (days.breakdown["opened"], days.breakdown["closed"]) == (4.0, 3.0)
    assert facilities.ticket_backlog(loaded, as_of=Y_END).value == 2.0
    assert facilities.ticket_cost_per_unit(loaded, start=Y_START, end=Y_END).value == 112.5
    per_category = facilities.ticket_summary(loaded, start=Y_START, end=Y_END).set_index("group")
    assert per_category.loc["idraulica", ["closed", "days_mean", "cost_per_unit"]].tolist() == [2, 20.0, 100.0]
    assert per_category.loc["elettrico", ["closed", "backlog", "cost"]].tolist() == [1, 2, 50.0]
    per_int = facilities.ticket_cost_per_unit(loaded, start=Y_START, end=Y_END, by="intervention").set_index("group")
    assert per_int["value"].to_dict() == {"INT1": 150.0, "INT2": 0.0}
    only_int2 = facilities.ticket_days_to_close(loaded, start=Y_START, end=Y_END, scope=INT2)
    assert only_int2.value is None and only_int2.warnings


def test_applications_funnel_times_and_waiting_list(loaded):
    funnel = allocations.application_funnel(loaded, start=Y_START, end=Y_END)
    assert funnel.value == 6.0
    assert {k: funnel.breakdown[k] for k in ("eligible", "allocated", "renounced", "rejected", "pending")} == {
        "eligible": 4, "allocated": 2, "renounced": 1, "rejected": 1, "pending": 1}
    assert allocations.funnel_frame(funnel)["applications"].tolist() == [6, 4, 2, 1]
    assert allocations.application_funnel(loaded, start=Y_START, end=Y_END, scope=INT2).value == 2.0  # Sesto
    days = allocations.allocation_days(loaded, start=Y_START, end=Y_END)
    assert days.value == 101.0 and days.breakdown == {"allocations": 3, "median": 92.0}
    waiting = allocations.waiting_list(loaded, as_of=Y_END)
    assert waiting.value == 2.0 and waiting.breakdown == {"idonee_in_attesa": 1, "in_istruttoria": 1}
    series = allocations.waiting_list_series(loaded, start=Y_START, end=Y_END).set_index("month")["waiting"]
    assert series[date(2023, 3, 31)] == 3 and series[Y_END] == 2 and len(series) == 12
    years = allocations.allocations_by_year(loaded).set_index("year")
    assert years.loc[2023, ["received", "allocations", "days_mean"]].tolist() == [6, 3, 101.0]
    assert years.loc[2022, "allocations"] == 0


def test_evictions_funding_and_community_activity(loaded):
    assert allocations.evictions_executed(loaded, year=2016).value == 66.0  # Cinisello, seed 003
    assert allocations.evictions_executed(loaded, year=2023, scope=INT1).value is None  # no statistics for Milano
    sesto = allocations.municipal_evictions(loaded, scope=INT2)
    assert sesto[["municipality", "year", "executed_pct"]].values.tolist() == [["Sesto San Giovanni", 2023, 40.0]]

    paid = funding.funding_paid_share(loaded)
    assert paid.breakdown["admitted"] == 361_250.0 and paid.value == pytest.approx(20_000 / 361_250 * 100)
    assert funding.funding_committed_share(loaded, scope=INT1).value == 75.0
    assert funding.funding_paid_share(loaded, scope=INT2).warnings == ["nessun progetto finanziato nel perimetro"]
    borgo = funding.funding_projects(loaded).set_index("code").loc["MI3.1.1.a"]
    assert (borgo["programmed"], borgo["committed"], borgo["paid_pct"]) == (281_250.0, 0.0, 0.0)



def test_community_activity_is_only_that_of_labs_linked_to_the_interventions(loaded):
    """LAB1 is linked to INT2; LAB2 (Cinisello) and LAB3 (Sesto, the Comune of INT2) are not the gestore's.

    INT2 in 2023: LAB1's Festa (1 evento, 30 participants, 12 reached) and Sportello (1, 5, 5, 3 taken in charge);
    its Befana of 15/01/2024 is outside the period. LAB3's 50 participants in Sesto are never counted.
    """
    linked = track_record.community_labs(loaded, scope=INT2)
    assert linked[["code", "title", "intervention_code"]].values.tolist() == [["LAB1", "Sesto qui", "INT2"]]
    int2 = track_record.community_activity(loaded, start=Y_START, end=Y_END, scope=INT2).set_index("group")
    assert int2.loc["evento", ["activities", "participants", "households_reached"]].tolist() == [1, 30, 12]
    assert int2.loc["sportello", ["activities", "households_taken_in_charge"]].tolist() == [1, 3]
    assert set(int2["lab"]) == {"LAB1"} and set(int2["lab_title"]) == {"Sesto qui"}
    # the whole portfolio: still LAB1 only, not every lab (before: 30 + 100 + 50 = 180 participants at events)
    everything = track_record.community_activity(loaded, start=Y_START, end=Y_END).set_index("group")
    assert everything.loc["evento", "participants"] == 30 and set(everything["lab"]) == {"LAB1"}
    # an intervention without a linked lab: no lab, no activity (no fall-back on the labs of its Comune)
    assert track_record.community_labs(loaded, scope=INT1).empty
    assert track_record.community_activity(loaded, start=Y_START, end=Y_END, scope=INT1).empty
    # a period without activity: the lab is listed, its activity is empty (no fall-back on earlier years)
    summer = track_record.community_activity(loaded, start=date(2023, 6, 1), end=Y_END, scope=INT2)
    assert summer.empty and not track_record.community_labs(loaded, scope=INT2).empty
    befana = track_record.community_activity(loaded, start=date(2024, 1, 1), end=date(2024, 1, 31), scope=INT2)
    assert befana[["group", "activities", "participants"]].values.tolist() == [["evento", 1, 20]]
    assert track_record.community_heading("Sesto qui") == "Attività del Laboratorio Sociale di Quartiere «Sesto qui»"


def test_a_lab_linked_to_an_unknown_intervention_is_quarantined(tmp_path, engine, settings):
    load_text(tmp_path, "interventi", FILES["interventi"], engine=engine, settings=settings)
    result = load_text(tmp_path, "laboratori", "codice_laboratorio;titolo;comune;codice_intervento\n"
                       "LAB9;Altrove;Milano;INT9\nLAB1;Sesto qui;Sesto San Giovanni;INT2\n",
                       engine=engine, settings=settings)
    assert (result.loaded, result.quarantined) == (1, 1)


def test_the_impact_report_credits_only_the_linked_lab_and_names_it(loaded):
    from osservatorio.reports.impact import ReportScope, _community

    def section(scope, start, end) -> str:
        return "\n".join(str(b) for b in _community(loaded, ReportScope(scope, start, end, end)).blocks)

    int2 = section(INT2, Y_START, Y_END)
    assert "Attività del Laboratorio Sociale di Quartiere «Sesto qui» (intervento INT2 · Voltri)" in int2
    assert "<td>30</td>" in int2.replace(' class="num"', "") and "Vicini di casa" not in int2
    assert "Si può fare" not in section(Scope(), Y_START, Y_END)  # the whole portfolio: still only LAB1
    summer = section(INT2, date(2023, 6, 1), Y_END)
    assert "Nel periodo: nessuna attività registrata." in summer and "<table" not in summer
    assert "Nessun laboratorio collegato agli interventi del perimetro: nessuna attività registrata." in section(
        INT1, Y_START, Y_END)
