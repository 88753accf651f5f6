"""Facility quality, the tenancy pipeline and the tenant mix on a hand-built warehouse, both backends.

    INT1 «Cenni», E1: A1 (50 m², unit rent 520), A2 (70 m², 700), A3 (80 m², 600, in vendita)
    INT2 «Voltri», E2: B1 (60 m², 450)

Tickets (closed in 2023; targets emergenza 1, alta 3, media 10, bassa 30 days):
    T1 E1/A1 idraulica emergenza 02/01 – 03/01   1 day   within   200 € Idro Srl      T2 opens 17 days after: reopened
    T2 E1/A1 idraulica alta      20/01 – 25/01   5 days  late     100 € Idro Srl
    T3 E1/A2 elettrico media     01/03 – 08/03   7 days  within   300 € Elettro Spa
    T4 E1    ascensore alta      01/05 – 03/05   2 days  within   400 € Elettro Spa   T5 opens 59 days after: repeat
    T5 E1    ascensore bassa     01/07 – 30/08  60 days  late     600 € Elettro Spa
    T6 E2/B1 infissi   (none)    01/09 – 11/09  10 days  no target 150 € (no supplier)
  open at 31/12/2023: T7 E2/B1 idraulica media from 01/12 (30 days, over target), T8 E1/A3 elettrico emergenza from
  30/12 (1 day, not over), T9 E1/A1 idraulica bassa from 01/01/2022 (729 days, over).
  -> within target 3 of 5 with urgency = 60%; emergenza 1/1, alta 1/2, media 1/1, bassa 0/1;
     repeats (T1, T4) 2 of 6 closed, reopenings (T1) 1 of 6;
     Idro Srl: 2 closed, 300 €, 150 € each, 3 days, 1/2 within, 1 repeat, 1 reopened;
     Elettro Spa: 3 closed, 1.300 €, (7 + 2 + 60) / 3 = 23 days, 2/3 within, 1 repeat, 0 reopened.

Leases at D = 31/12/2023 (relets in the three years before D: A1 31/01/2021 -> 01/04/2021 = 60 days in INT1,
B1 31/03/2023 -> 01/06/2023 = 62 days in INT2):
    C1 A1 N1 from 01/04/2021 to 31/03/2024 (3 months)    500 €   N1: 3 members, protezione, social services, 1 employed,
                                                                     income 24.000, spese 600 in 2023
    C2 A2 N2 from 01/01/2022 to 30/06/2024 (6 months)    700 €   N2: 1 member, accesso, 0 employed, income 30.000,
                                                                     spese 1.200 in 2023
    C3 A3 N3 from 01/01/2020 to 30/11/2024 (12 months)   600 €   N3: 4 members, permanenza, 2 employed, no income
    C4 B1 N4 from 01/06/2023, open                       450 €   N4: 2 members, protezione, social services, income 12.000
  -> INT1 ending 1 / 2 / 3 within 3 / 6 / 12 months; to relet A1, A2 (A3 is for sale): rent 520 + 700 = 1.220 €,
     void loss at risk 1.220 × 60 / 30,4375; INT2 nothing ending.
  -> E1: 3 households, (3 + 1 + 4) / 3 members, 1 in care (33,3%), 2 with someone employed (66,7%);
     burden N1 (500 × 12 + 600) / 24.000 = 27,5%, N2 (700 × 12 + 1.200) / 30.000 = 32%: median 29,75%, over 30%:
     1 of 2; rent per m² (500 + 700 + 600) / (50 + 70 + 80) = 9 €. E2: burden 450 × 12 / 12.000 = 45%, 7,50 €/m².
"""

from __future__ import annotations

from datetime import date

import pytest

from indicators import lease_pipeline, service_levels, store, tenant_mix
from indicators.catalog import compute
from indicators.disclosure import HIDDEN_FLAG, protect_indicator
from indicators.scope import Scope
from tests.factories import load_text

FILES = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo\nINT1;Cenni;Milano;Polaris;Fondo Uno\n"
                  "INT2;Voltri;Sesto San Giovanni;Polaris;Fondo Due\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;superficie_mq;canone_mensile;stato\n"
               "A1;E1;locazione_termine;50;520,00;locabile\nA2;E1;locazione_termine;70;700,00;\n"
               "A3;E1;locazione_termine;80;600,00;in_vendita\nB1;E2;locazione_permanente;60;450,00;locabile\n",
    "nuclei": "codice_nucleo;componenti;fascia;in_carico_servizi_sociali;occupati;reddito_annuo\n"
              "N0;2;accesso;no;1;\nN1;3;protezione;sì;1;24.000,00\nN2;1;accesso;no;0;30.000,00\n"
              "N3;4;permanenza;no;2;\nN4;2;protezione;sì;0;12.000,00\nN5;1;accesso;no;0;\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                 "C0;A1;N0;01/01/2018;31/01/2021;480,00\nC1;A1;N1;01/04/2021;31/03/2024;500,00\n"
                 "C2;A2;N2;01/01/2022;30/06/2024;700,00\nC3;A3;N3;01/01/2020;30/11/2024;600,00\n"
                 "C5;B1;N5;01/01/2019;31/03/2023;430,00\nC4;B1;N4;01/06/2023;;450,00\n",
    "movimenti": "codice_contratto;data;tipo;importo;voce\nC1;10/03/2023;addebito;300,00;spese\n"
                 "C1;10/09/2023;addebito;300,00;spese\nC2;10/06/2023;addebito;1.200,00;spese\n"
                 "C2;10/12/2022;addebito;999,00;spese\nC2;10/06/2023;addebito;700,00;canone\n",
    "segnalazioni": "codice_segnalazione;codice_edificio;codice_alloggio;categoria;data_apertura;data_chiusura;costo;"
                    "fornitore;urgenza\n"
                    "T1;E1;A1;idraulica;02/01/2023;03/01/2023;200,00;Idro Srl;emergenza\n"
                    "T2;E1;A1;idraulica;20/01/2023;25/01/2023;100,00;Idro Srl;alta\n"
                    "T3;E1;A2;elettrico;01/03/2023;08/03/2023;300,00;Elettro Spa;media\n"
                    "T4;E1;;ascensore;01/05/2023;03/05/2023;400,00;Elettro Spa;alta\n"
                    "T5;E1;;ascensore;01/07/2023;30/08/2023;600,00;Elettro Spa;bassa\n"
                    "T6;E2;B1;infissi;01/09/2023;11/09/2023;150,00;;\n"
                    "T7;E2;B1;idraulica;01/12/2023;;;;media\nT8;E1;A3;elettrico;30/12/2023;;;;pronto intervento\n"
                    "T9;E1;A1;idraulica;01/01/2022;;;;bassa\n",
}
Y_START, D = date(2023, 1, 1), date(2023, 12, 31)


@pytest.fixture
def loaded(tmp_path, engine, settings):
    for kind, content in FILES.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato", kind
    store.build(engine)
    return engine


def test_service_levels_by_urgency_against_the_targets(loaded):
    by_urgency = service_levels.ticket_quality(loaded, start=Y_START, end=D, by="urgency", targets={})
    shown = by_urgency.set_index("group")
    assert list(by_urgency["group"][:4]) == ["emergenza", "alta", "media", "bassa"]  # most urgent first
    assert shown.loc["emergenza", ["closed", "within_target", "within_target_pct", "target_days"]].tolist() == [
        1, 1, 100.0, 1]
    assert shown.loc["alta", ["closed", "within_target", "within_target_pct"]].tolist() == [2, 1, 50.0]
    assert shown.loc["media", "within_target_pct"] == 100.0 and shown.loc["bassa", "within_target_pct"] == 0.0
    total = service_levels.ticket_within_target(loaded, start=Y_START, end=D, targets={})
    assert (total.value, total.numerator, total.denominator) == (60.0, 3.0, 5.0)
    # a target set by the user: alta within 5 days takes T2 in
    assert service_levels.ticket_within_target(loaded, start=Y_START, end=D, targets={"alta": 5}).value == 80.0
    repeats = service_levels.ticket_repeats(loaded, start=Y_START, end=D)
    assert (repeats.numerator, repeats.denominator) == (2.0, 6.0) and repeats.value == pytest.approx(100 / 3)
    reopened = service_levels.ticket_reopenings(loaded, start=Y_START, end=D)
    assert reopened.value == pytest.approx(100 / 6)


def test_backlog_by_age_and_over_target(loaded):
    ages = service_levels.backlog_by_age(loaded, as_of=D, targets={}).set_index("bucket")
    assert ages["tickets"].to_dict() == {"0-7 giorni": 1, "8-30 giorni": 1, "31-90 giorni": 0, "91-365 giorni": 0,
                                         "oltre un anno": 1}
    assert ages["over_target"].to_dict() == {"0-7 giorni": 0, "8-30 giorni": 1, "31-90 giorni": 0,
                                             "91-365 giorni": 0, "oltre un anno": 1}
    over = service_levels.backlog_over_target(loaded, as_of=D, targets={})
    assert (over.value, over.denominator) == (2.0, 3.0)


def test_supplier_performance(loaded):
    suppliers = service_levels.supplier_performance(loaded, start=Y_START, end=D, targets={})
    assert suppliers["group"].tolist() == ["Elettro Spa", "Idro Srl", None]  # most tickets first
    s = suppliers.set_index("group")
    assert s.loc["Idro Srl", ["closed", "cost", "cost_mean", "days_mean", "within_target_pct", "repeats",
                              "reopened", "reopened_pct"]].tolist() == [2, 300.0, 150.0, 3.0, 50.0, 1, 1, 50.0]
    assert s.loc["Elettro Spa", ["closed", "cost", "days_mean", "repeats", "reopened"]].tolist() == [
        3, 1300.0, 23.0, 1, 0]
    assert s.loc["Elettro Spa", "within_target_pct"] == pytest.approx(200 / 3)
    per_supplier = compute(loaded, "ticket_cost_mean_eur", as_of=D, start=Y_START, end=D, by="supplier")
    assert per_supplier.set_index("group").loc["Elettro Spa", "value"] == pytest.approx(1300 / 3)


def test_leases_ending_per_window_with_relets_and_void_loss(loaded):
    pipeline = lease_pipeline.lease_pipeline(loaded, as_of=D, by="intervention").set_index("group")
    assert list(pipeline.index) == ["INT1"]  # nothing ends in INT2
    assert pipeline.loc["INT1", ["ending_3", "ending_6", "ending_12", "expected_relets"]].tolist() == [1, 2, 3, 2]
    assert pipeline.loc["INT1", "rent_at_risk"] == 1220.0 and pipeline.loc["INT1", "relet_days_mean"] == 60.0
    assert pipeline.loc["INT1", "void_loss_risk"] == pytest.approx(1220 * 60 / 30.4375)
    total = lease_pipeline.leases_ending(loaded, as_of=D)
    assert total.value == 3.0 and total.breakdown["ending_3"] == 1.0
    assert lease_pipeline.void_loss_risk(loaded, as_of=D).value == pytest.approx(1220 * 60 / 30.4375)
    # three months later C1 has ended: C2 and C3 remain
    later = lease_pipeline.leases_ending(loaded, as_of=date(2024, 3, 31))
    assert (later.value, later.breakdown["ending_3"]) == (2.0, 1.0)
    assert lease_pipeline.leases_ending(loaded, as_of=D, scope=Scope(interventions=("INT2",))).value == 0.0
    free = lease_pipeline.units_coming_free(loaded, as_of=D)
    assert free["unit_code"].tolist() == ["A1", "A2", "A3"] and free["lettable"].tolist() == [True, True, False]


def test_tenant_mix_and_rent_burden_per_building(loaded):
    mix = tenant_mix.tenant_mix(loaded, as_of=D, by="building").set_index("group")
    e1, e2 = mix.loc["E1"], mix.loc["E2"]
    assert e1[["households", "protezione", "accesso", "permanenza", "decadenza", "social_services",
               "with_employed", "income_known", "over_burden"]].tolist() == [3, 1, 1, 1, 0, 1, 2, 2, 1]
    assert e1["members_mean"] == pytest.approx(8 / 3)
    assert e1["social_services_pct"] == pytest.approx(100 / 3) and e1["with_employed_pct"] == pytest.approx(200 / 3)
    assert e1["burden_median"] == pytest.approx((27.5 + 32.0) / 2) and e1["over_burden_pct"] == 50.0
    assert e1["rent_per_m2"] == 9.0
    assert e2["burden_median"] == pytest.approx(45.0) and e2["rent_per_m2"] == 7.5
    over = tenant_mix.mix_figure(loaded, as_of=D, code="households_over_burden_pct")
    assert (over.value, over.numerator, over.denominator) == (pytest.approx(200 / 3), 2.0, 3.0)
    assert tenant_mix.mix_figure(loaded, as_of=D, code="tenant_households").value == 4.0
    by_band = compute(loaded, "tenant_households", as_of=D, by="income_band").set_index("group")
    assert by_band["value"].to_dict() == {"accesso": 1, "permanenza": 1, "protezione": 2}


def test_small_cells_are_hidden_from_the_regione(loaded):
    """Every building has fewer than 5 households: a suppressed reader sees none of their figures."""
    for code in ("tenant_households", "rent_burden_median_pct", "households_over_burden_pct", "rent_per_m2_eur"):
        frame = compute(loaded, code, as_of=D, by="building")
        shown, note = protect_indicator(loaded, code, frame, threshold=5, as_of=D, scope=Scope(), by="building")
        assert shown["value"].isna().all() and shown[f"value{HIDDEN_FLAG}"].all() and note, code
        value, _ = protect_indicator(loaded, code, compute(loaded, code, as_of=D), threshold=5, as_of=D,
                                     scope=Scope())
        assert value.value is None and value.hidden_fields, code
    ending = compute(loaded, "leases_ending", as_of=D, by="intervention")
    shown, _ = protect_indicator(loaded, "leases_ending", ending, threshold=5, as_of=D, scope=Scope(),
                                 by="intervention")
    assert shown["value"].isna().all()


def test_the_report_hides_small_cells_from_the_regione_and_shows_them_to_the_gestore(loaded):
    from osservatorio.reports.gestore_record import pipeline_and_mix_section, quality_section
    from osservatorio.reports.impact import ReportScope

    def html(section) -> str:
        return "\n".join(str(b) for b in section.blocks if isinstance(b, str)).replace(' class="num"', "")

    names = {"INT1": "Cenni", "INT2": "Voltri"}
    open_to_all = html(pipeline_and_mix_section(loaded, ReportScope(Scope(), Y_START, D, D), names))
    assert "<td>INT1 · Cenni</td><td>1</td><td>2</td><td>3</td><td>2</td>" in open_to_all.replace(' class=""', "")
    regione = html(pipeline_and_mix_section(loaded, ReportScope(Scope(), Y_START, D, D, suppress=5), names))
    assert "nascosto" in regione and "<td>3</td>" not in regione.replace(' class=""', "")
    assert "Per tutelare la riservatezza" in regione or "nascost" in regione
    quality = html(quality_section(loaded, ReportScope(Scope(), Y_START, D, D, suppress=5)))
    assert "Idro Srl" in quality and "150,00" not in quality  # two tickets: their figures are hidden
