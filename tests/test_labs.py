"""Lab outputs, outcomes and data completeness on a tiny warehouse worked out by hand (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date

import pytest

from factories import load_text
from indicators.completeness import completeness_grid, completeness_matrix, expected_indicators, lab_completeness
from indicators.lab_outcomes import changes, lab_outcomes, months_between
from indicators.lab_outputs import lab_outputs, outputs_by_ambito_of_lab

LABS = """codice_laboratorio;titolo;comune;ambiti;data_inizio;data_fine;costo_totale
LAB1;Sportello morosità;Cinisello Balsamo;morosita_incolpevole;01/01/2014;31/12/2015;10.000,00
LAB2;Capi scala;Monza;rappresentanza;01/01/2014;31/12/2015;
LAB3;Ascolto;Lodi;disagio_sociale;01/01/2014;30/06/2016;5.000,00
"""
ACTIVITIES = """codice_laboratorio;data;tipo_attivita;ambito;titolo;partecipanti;nuclei_raggiunti;nuclei_presi_in_carico;ore;volontari
LAB1;14/01/2014;sportello;morosita_incolpevole;Sportello;10;8;2;3;1
LAB1;20/02/2014;evento;morosita_incolpevole;Festa;50;20;0;4,5;5
LAB2;03/03/2014;assemblea;rappresentanza;Assemblea;30;12;0;2;3
"""
INDICATORS = """codice_laboratorio;area;gruppo;indicatore;data_rilevazione;valore;unita
LAB1;Quartiere A;trattamento;nuclei_morosi_pct;01/01/2014;56;pct
LAB1;Quartiere A;trattamento;nuclei_morosi_pct;01/12/2015;50;pct
LAB1;Quartiere B;controllo;nuclei_morosi_pct;01/01/2014;40;pct
LAB1;Quartiere B;controllo;nuclei_morosi_pct;01/12/2015;42;pct
LAB1;Quartiere A;trattamento;morosita_eur;01/01/2014;100.000,00;eur
LAB1;Quartiere A;trattamento;morosita_eur;01/12/2015;80.000,00;eur
LAB1;Quartiere B;controllo;morosita_eur;01/01/2014;50.000,00;eur
LAB1;Quartiere B;controllo;morosita_eur;01/12/2015;55.000,00;eur
LAB2;Centro;trattamento;capi_scala_presenti;01/01/2014;no;si_no
LAB3;Piastra;trattamento;abitanti;01/01/2014;1.000;n
LAB3;Piastra;trattamento;abitanti;30/06/2016;1.050;n
LAB3;Sassella;controllo;abitanti;01/02/2014;800;n
"""


@pytest.fixture
def labs_engine(engine, settings, tmp_path):
    for kind, content in (("laboratori", LABS), ("attivita_laboratorio", ACTIVITIES),
                          ("indicatori_contesto", INDICATORS)):
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    return engine


def test_outputs_per_lab_and_in_total_with_cost_per_household(labs_engine):
    per_lab = lab_outputs(labs_engine, by="lab").set_index("group")
    lab1 = per_lab.loc["LAB1"]
    assert (lab1.activities, lab1.participants, lab1.households_reached, lab1.households_taken_in_charge,
            lab1.hours, lab1.volunteers) == (2, 60, 28, 2, 7.5, 6)
    assert lab1.cost_per_household_eur == pytest.approx(10_000 / 28)  # 357,14 € per household reached
    assert per_lab.loc["LAB2", "cost_per_household_eur"] is None  # cost unknown: no figure
    total = lab_outputs(labs_engine, by="total").iloc[0]
    assert total.activities == 3 and total.households_reached == 40
    assert total.cost_per_household_eur == pytest.approx(10_000 / 28)  # only labs whose cost is known


def test_outputs_per_month_and_per_ambito(labs_engine):
    months = lab_outputs(labs_engine, by="month")
    assert months["group"].tolist() == [date(2014, 1, 1), date(2014, 2, 1), date(2014, 3, 1)]
    assert months["participants"].tolist() == [10, 50, 30]
    by_ambito = lab_outputs(labs_engine, by="area_of_action").set_index("group")
    assert by_ambito.loc["morosita_incolpevole", "activities"] == 2
    labs_by_ambito = outputs_by_ambito_of_lab(labs_engine)
    assert set(labs_by_ambito["ambito"]) == {"morosita_incolpevole", "rappresentanza"}  # LAB3 has no register


def test_percentages_change_in_points_and_percent_both_labelled(labs_engine):
    table = lab_outcomes(labs_engine, indicator="nuclei_morosi_pct")
    treated = table[table["arm"] == "trattamento"].iloc[0]
    # domain.md: 56% -> 50% is -6 points and -10.7%
    assert (treated.t0, treated.t1) == (56.0, 50.0)
    assert treated.abs_change == pytest.approx(-6.0) and treated.points_change == pytest.approx(-6.0)
    assert treated.rel_change_pct == pytest.approx(-6 / 56 * 100)
    control = table[table["arm"] == "controllo"].iloc[0]
    assert control.points_change == pytest.approx(2.0) and control.rel_change_pct == pytest.approx(5.0)
    # treatment minus control: -6 - (+2) = -8 points; on the relative changes -10.71 - 5 = -15.71
    assert treated.did == pytest.approx(-8.0) and treated.did_relative == pytest.approx(-6 / 56 * 100 - 5)
    assert control.did is None and treated.note == ""
    assert "Solo 23 mesi" in treated.warnings


def test_money_changes_have_no_points(labs_engine):
    row = lab_outcomes(labs_engine, indicator="morosita_eur").iloc[0]
    assert row.points_change is None and row.abs_change == pytest.approx(-20_000)
    assert row.rel_change_pct == pytest.approx(-20.0) and row.did == pytest.approx(-25_000)
    assert row.did_relative == pytest.approx(-30.0)


def test_missing_t1_and_missing_control_are_statements_not_numbers(labs_engine):
    table = lab_outcomes(labs_engine).set_index(["lab", "indicator", "arm"])
    lab2 = table.loc[("LAB2", "capi_scala_presenti", "trattamento")]
    assert lab2.t0 == 0.0 and lab2.t1 is None and lab2.did is None and lab2.abs_change is None
    assert lab2.note == "Manca il tempo uno nell'area del laboratorio; manca il caso di controllo"
    lab3 = table.loc[("LAB3", "abitanti", "trattamento")]
    assert lab3.abs_change == 50 and lab3.rel_change_pct == pytest.approx(5.0) and lab3.months == 29
    assert lab3.did is None and lab3.note == "Manca il caso di controllo al tempo uno" and lab3.warnings == ""


def test_changes_of_yes_no_indicators_have_no_relative_change():
    assert changes(0.0, 1.0, "si_no") == (1.0, None, None)
    assert changes(0.0, 3.0, "n") == (3.0, None, None)  # from zero: no relative change
    assert changes(None, 3.0, "pct") == (None, None, None)
    assert months_between(date(2015, 11, 1), date(2016, 11, 30)) == 12


def test_completeness_matrix_score_and_statements(labs_engine):
    assert len(expected_indicators(["morosita_incolpevole"])) == 11  # 8 for every area, 3 for the ambito
    matrix = completeness_matrix(labs_engine)
    lab1 = matrix[matrix["lab"] == "LAB1"]
    assert len(lab1) == 44 and lab1["present"].sum() == 8
    table = lab_completeness(labs_engine).set_index("lab")
    assert table.loc["LAB1", "score"] == pytest.approx(8 / 44 * 100)
    assert table.loc["LAB1", "missing"] == [
        "Solo 23 mesi tra tempo zero e tempo uno nell'area del laboratorio: ne servono almeno 24.",
        "Solo 23 mesi tra tempo zero e tempo uno per il caso di controllo: ne servono almeno 24."]
    assert table.loc["LAB2", "missing"] == [
        "Manca la rilevazione nell'area del laboratorio al tempo uno.",
        "Manca il caso di controllo: nessuna rilevazione in un'area senza laboratorio."]
    assert table.loc["LAB3", "missing"] == ["Manca il caso di controllo al tempo uno."]
    grid = completeness_grid(matrix)
    # disagio_sociale adds nuclei_servizi_sociali, already among the 8 of every area: abitanti is 1 of 8
    assert grid.loc["LAB3", ("controllo", "t0")] == pytest.approx(100 / 8)
    assert grid.loc["LAB3", ("controllo", "t1")] == 0.0
