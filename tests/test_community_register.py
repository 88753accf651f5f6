"""The gestore's community register (file «attivita_comunita»): loading, quarantine, figures per intervention,
type and year with the change from the year before, and the impact report, on both backends.

    INT1 «Cenni» (E1), INT2 «Voltri» (E2), INT3 «Borgo» (E3, no activity recorded)
    The register, as a gestore's spreadsheet writes it (Italian headers with aliases, types in words):
      INT1 E1 15/03/2022 accoglienza / ingresso       12 participants  4 households  2 h
      INT1 E1 20/05/2023 Rappresentanze e assemblee   30               20            3 h
      INT1 -- 10/06/2023 socializzazione (festa)      60               25            5 h   partner Associazione Xenia
      INT1 E1 10/10/2023 Mediazione dei conflitti      2                2            4 h
      INT2 E2 01/02/2023 portierato                    -               15           40 h
      quarantined: «corso di cucina» (no such type), INT9 (unknown intervention), E2 under INT1 is loaded as given
  -> 2023: INT1 3 activities, 92 participants, 47 households, 12 hours; INT2 1 activity, 15 households, 40 hours.
     INT1 year on year: 2022 1 activity -> 2023 3 (+2, +200%); participants 12 -> 92 (+80, +666,7%).
"""

from __future__ import annotations

from datetime import date

import pytest

from indicators import community, store
from indicators.catalog import compute
from indicators.scope import Scope
from osservatorio.reports.gestore_record import NO_REGISTER, community_section
from osservatorio.reports.impact import ReportScope
from tests.factories import load_text, reasons

BASE = {
    "interventi": "codice_intervento;nome;comune\nINT1;Cenni;Milano\nINT2;Voltri;Sesto San Giovanni\n"
                  "INT3;Borgo;Cinisello Balsamo\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\nE3;INT3\n",
}
REGISTER = ("Intervento;Edificio;Data attività;Tipologia attività;Descrizione;Presenze;Nuclei raggiunti;Ore;Partner\n"
            "INT1;E1;15/03/2022;accoglienza / ingresso;Benvenuto;12;4;2;\n"
            "INT1;E1;20/05/2023;Rappresentanze e assemblee;Assemblea di primavera;30;20;3;\n"
            "INT1;;10/06/2023;festa;Festa del cortile;60;25;5;Associazione Xenia\n"
            "INT1;E1;10/10/2023;Mediazione dei conflitti;Rumori;2;2;4;\n"
            "INT2;E2;01/02/2023;portierato;Portineria di febbraio;;15;40;\n"
            "INT1;E1;01/04/2023;corso di cucina;Cucina;10;8;2;\n"
            "INT9;;01/04/2023;socializzazione;Festa;10;8;2;\n")
Y2023 = (date(2023, 1, 1), date(2023, 12, 31))


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in BASE.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    result = load_text(tmp_path, "attivita_comunita", REGISTER, engine=engine, settings=settings)
    assert (result.loaded, result.quarantined) == (5, 2)
    store.build(engine)
    return engine, result


def test_bad_rows_are_quarantined_with_an_italian_reason(loaded):
    engine, result = loaded
    found = " ".join(str(r) for r in reasons(engine, result.batch_id))
    assert "corso di cucina" in found and "INT9" in found
    assert "codice sconosciuto" in found


def test_activities_per_intervention_type_and_period(loaded):
    engine, _ = loaded
    per_int = community.community_register(engine, start=Y2023[0], end=Y2023[1], by="intervention").set_index("group")
    assert per_int.loc["INT1", ["activities", "participants", "households_reached", "hours"]].tolist() == [
        3, 92, 47, 12.0]
    assert per_int.loc["INT2", "activities"] == 1 and pd_isna(per_int.loc["INT2", "participants"])
    kinds = community.community_register(engine, start=Y2023[0], end=Y2023[1], scope=Scope(interventions=("INT1",)))
    assert kinds["group"].tolist() == ["mediazione_conflitti", "rappresentanze_assemblee", "socializzazione"]
    total = compute(engine, "community_participants", as_of=Y2023[1], start=Y2023[0], end=Y2023[1])
    assert total.value == 92.0 and total.breakdown == {"activities": 4.0, "households_reached": 62.0, "hours": 52.0}
    # a building limit keeps that building's activities and those of the whole intervention
    e1 = community.community_kpi(engine, start=Y2023[0], end=Y2023[1], scope=Scope(buildings=("E1",)))
    assert e1.value == 3.0
    none = compute(engine, "community_activities", as_of=Y2023[1], start=Y2023[0], end=Y2023[1],
                   scope=Scope(interventions=("INT3",)))
    assert none.value is None and none.warnings == [
        "nessuna attività di comunità registrata nel periodo nel perimetro"]


def test_year_on_year_change(loaded):
    engine, _ = loaded
    years = community.community_years(engine, first_year=2022, last_year=2023).set_index(["group", "year"])
    int1 = years.loc["INT1"]
    assert int1["activities"].tolist() == [1, 3] and int1.loc[2023, "activities_change"] == 2
    assert int1.loc[2023, "activities_change_pct"] == 200.0
    assert int1.loc[2023, "participants_change"] == 80.0
    assert int1.loc[2023, "participants_change_pct"] == pytest.approx(80 / 12 * 100)
    int2 = years.loc["INT2"]  # nothing in 2022: no relative change from zero
    assert int2["activities"].tolist() == [0, 1] and pd_isna(int2.loc[2023, "activities_change_pct"])


def _report(engine, scope: Scope, start: date, end: date) -> str:
    names = {"INT1": "Cenni", "INT2": "Voltri", "INT3": "Borgo"}
    section = community_section(engine, ReportScope(scope, start, end, end), names)
    html = "\n".join(str(b) for b in section.blocks if isinstance(b, str))
    return html.replace(' class="num"', "").replace(' class=""', "")


def test_the_report_says_when_a_gestore_has_no_records(loaded):
    engine, _ = loaded
    assert NO_REGISTER == "Nessuna attività di comunità del gestore registrata nel perimetro nel periodo."
    text = _report(engine, Scope(interventions=("INT3",)), *Y2023)
    assert NO_REGISTER in text and "<table" not in text
    assert NO_REGISTER in _report(engine, Scope(interventions=("INT1",)), date(2021, 1, 1), date(2021, 12, 31))


def test_the_report_shows_exactly_the_records_of_the_scope(loaded):
    engine, _ = loaded
    text = _report(engine, Scope(interventions=("INT1",)), date(2022, 1, 1), Y2023[1])
    assert NO_REGISTER not in text
    assert "<td>INT1 · Cenni</td><td>4</td><td>104</td><td>51</td><td>14,0</td>" in text  # 2022 + 2023
    assert "Voltri" not in text and "INT2" not in text
    assert "<td>Socializzazione</td><td>1</td><td>60</td><td>25</td><td>5,0</td>" in text
    assert "<td>Accoglienza e ingresso</td><td>1</td><td>12</td><td>4</td><td>2,0</td>" in text
    assert "<td>2023</td><td>3</td><td>92</td><td>47</td><td>12,0</td><td>200,0%</td>" in text
    both = _report(engine, Scope(), *Y2023)
    assert "<td>INT2 · Voltri</td><td>1</td><td>n.d.</td><td>15</td><td>40,0</td>" in both


def pd_isna(value) -> bool:
    import pandas as pd

    return bool(pd.isna(value))
