"""Vacancy, void loss, relets, turnover and evictions on a hand-built warehouse, on both backends.

The portfolio (loaded through the real importer):

    INT1 «Cenni», Fondo Uno, management from 01/01/2023, building E1:
      A1 locabile 600 €   C1 01/01–31/03/2023, C2 01/05–30/06/2023, C10 from 10/07/2023
      A2 (no status) 400  C3 01/01–28/02/2023, ticket T1 8.000 € on A2 opened 10/03/2023, C4 from 01/06/2023
      A3 locabile 500     first let: C5 from 01/09/2023
      A4 in_ristrutturazione 700, never let (unavailable)
      A5 locabile, no rent C6 01/01–15/11/2023 (450 €, sfratto_morosita, event sfratto_eseguito 10/11/2023),
                          C7 from 01/03/2024 (480 €): empty across the year boundary
      A6 locabile 550     C8 01/01–31/07/2023, C9 from 01/08/2023
    INT2 «Voltri», Fondo Due, management from 01/07/2023, building E2:
      B1 locabile 1000    D1 01/07–30/09/2023 (sfratto_morosita, no case event)
      B2 in_vendita 900, never let (unavailable)
      B3 locabile, no rent at all, never let
    Tickets also: T2 200 € on A1 opened 10/04/2023 (below 5.000), T3 20.000 € on building E1 without a
    unit (15/04/2023): neither excludes A1's relet.

Days in 2023 per unit (year 365 days; INT2's units from 01/07: 184 days = 31+31+30+31+30+31):
    A1 occupied 90 (C1) + 61 (C2: 31+30) + 175 (C10: 22+31+30+31+30+31) = 326 -> empty 39 (April 30 + 1–9 July)
    A2 occupied 59 + 214 = 273 -> empty 92 (31+30+31)    A3 occupied 122 -> empty 243
    A4 empty 365     A5 occupied 319 (304 to 31/10 + 15) -> empty 46 (15 + 31)     A6 occupied 212 + 153 -> empty 0
    B1 occupied 92 -> empty 92     B2 empty 184     B3 empty 184
"""

from __future__ import annotations

from datetime import date

import pytest

from indicators.scope import Scope
from indicators.vacancy import (
    eviction_stats, evictions_per_1000, longest_empty, relet_times, relets, turnover, vacancy, vacancy_days,
    vacancy_series, void_loss,
)
from tests.factories import load_text

M = 30.4375
FILES = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo;data_inizio_gestione\n"
                  "INT1;Cenni;Milano;Polaris;Fondo Uno;01/01/2023\nINT2;Voltri;Milano;Polaris;Fondo Due;01/07/2023\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile;stato\n"
               "A1;E1;locazione_permanente;600,00;locabile\nA2;E1;locazione_permanente;400,00;\n"
               "A3;E1;locazione_termine;500,00;locabile\nA4;E1;locazione_permanente;700,00;in_ristrutturazione\n"
               "A5;E1;locazione_permanente;;locabile\nA6;E1;locazione_termine;550,00;locabile\n"
               "B1;E2;locazione_termine;1.000,00;locabile\nB2;E2;proprieta_futura_vendita;900,00;in_vendita\n"
               "B3;E2;altro;;locabile\n",
    "nuclei": "codice_nucleo;fascia\nN1;\nN2;accesso\nN3;accesso\n" + "".join(f"N{i};\n" for i in range(4, 10))
              + "N10;protezione\nN11;\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile;"
                 "motivo_cessazione\n"
                 "C1;A1;N1;01/01/2023;31/03/2023;600,00;disdetta\nC2;A1;N2;01/05/2023;30/06/2023;600,00;disdetta\n"
                 "C10;A1;N3;10/07/2023;;600,00;\nC3;A2;N4;01/01/2023;28/02/2023;400,00;disdetta\n"
                 "C4;A2;N5;01/06/2023;;400,00;\nC5;A3;N6;01/09/2023;;500,00;\n"
                 "C6;A5;N7;01/01/2023;15/11/2023;450,00;sfratto_morosita\nC7;A5;N8;01/03/2024;;480,00;\n"
                 "C8;A6;N9;01/01/2023;31/07/2023;550,00;disdetta\nC9;A6;N10;01/08/2023;;550,00;\n"
                 "D1;B1;N11;01/07/2023;30/09/2023;1.000,00;sfratto_morosita\n",
    "pratiche_morosita": "codice_pratica;codice_contratto;data;evento\n"
                         "P1;C6;01/06/2023;sfratto_convalidato\nP1;C6;10/11/2023;sfratto_eseguito\n",
    "segnalazioni": "codice_segnalazione;codice_edificio;codice_alloggio;categoria;data_apertura;costo\n"
                    "T1;E1;A2;idraulica;10/03/2023;8.000,00\nT2;E1;A1;infissi;10/04/2023;200,00\n"
                    "T3;E1;;parti_comuni;15/04/2023;20.000,00\n",
    "sfratti": "comune;anno;convalidati;eseguiti;motivo\nCinisello Balsamo;2016;59;66;morosità\n"
               "Cinisello Balsamo;2017;14;19;\nMilano;2016;100;80;\n",
}
UNO, DUE = Scope(funds=("Fondo Uno",)), Scope(funds=("Fondo Due",))
Y2023 = {"start": date(2023, 1, 1), "end": date(2023, 12, 31)}
Y2024 = {"start": date(2024, 1, 1), "end": date(2024, 12, 31)}
FUND_UNO_UNITS = {"A1", "A2", "A3", "A4", "A5", "A6"}


# Two charges put the ledger's months at January 2023 to January 2025 (the later one's overdue month), so that
# the pre-aggregates cover every month these tests ask about (`vacancy_month` to the end of 2025).
LEDGER = ("codice_contratto;data;tipo;importo;voce;competenza;scadenza\n"
          "C1;01/01/2023;addebito;600,00;canone;01/2023;\nC9;01/12/2024;addebito;550,00;canone;12/2024;\n")


@pytest.fixture(params=["live", "with-ledger"])
def wh(request, tmp_path, engine, settings):
    """The portfolio; every test runs twice: from units and leases alone, and with a ledger loaded too."""
    for kind, content in FILES.items():
        result = load_text(tmp_path, kind, content, engine=engine, settings=settings)
        assert result.status == "completato", result
    if request.param == "with-ledger":
        assert load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings).status == "completato"
    return engine


def _row(frame, group):
    return frame.set_index("group").loc[group]


def test_vacancy_at_year_end_splits_available_and_unavailable(wh):
    # 31/12/2023: 9 units in stock; empty A4 (works), A5, B1, B2 (for sale), B3 -> 5/9;
    # available A5, B1, B3 = 3/9, unavailable A4, B2 = 2/9
    got = vacancy(wh, as_of=date(2023, 12, 31))
    assert (got.code, got.numerator, got.denominator) == ("vacancy_rate", 5, 9)
    assert got.value == pytest.approx(500 / 9)
    assert got.breakdown == pytest.approx({"disponibili": 300 / 9, "non_disponibili": 200 / 9, "vuoti": 5,
                                           "alloggi": 9, "vuoti_disponibili": 3, "vuoti_non_disponibili": 2})


def test_vacancy_before_a_management_start_and_on_a_lease_end_day(wh):
    # 30/06/2023: INT2 not yet managed -> 6 units; C2 ends that day so A1 is occupied; empty A3 (available),
    # A4 (works, unavailable) -> 2/6
    got = vacancy(wh, as_of=date(2023, 6, 30))
    assert (got.numerator, got.denominator) == (2, 6)
    assert got.breakdown["vuoti_disponibili"] == 1 and got.breakdown["vuoti_non_disponibili"] == 1
    none = vacancy(wh, as_of=date(2023, 6, 30), scope=DUE)
    assert none.value is None and none.warnings == ["nessun alloggio nel perimetro alla data"]


def test_vacancy_days_and_void_loss_2023(wh):
    # unit-days 6 × 365 + 3 × 184 = 2742; empty 39+92+243+365+46+0 + 92+184+184 = 1245
    got = vacancy_days(wh, **Y2023)
    assert (got.numerator, got.denominator) == (1245, 2742)
    assert got.value == pytest.approx(124500 / 2742)  # 45.40 %
    # available-empty days: A1 39, A2 92 (no status = available), A3 243, A5 46, B1 92, B3 184 = 696;
    # unavailable A4 365 + B2 184 = 549
    assert got.breakdown == {"giorni_alloggio": 2742, "giorni_vuoti": 1245, "giorni_vuoti_disponibili": 696,
                             "giorni_vuoti_non_disponibili": 549}
    # void loss: 39×600 + 92×400 + 243×500 + 46×450 (A5 has no rent: last lease started by 31/12/2023, C6)
    # + 92×1000 = 294.400 €-days / 30.4375 = 9.672,48 €; B3 has no rent at all
    loss = void_loss(wh, **Y2023)
    assert loss.value == pytest.approx(294_400 / M)
    assert loss.breakdown == {"giorni_vuoti_disponibili": 696, "alloggi_vuoti_disponibili": 6, "senza_canone": 1}
    assert loss.warnings == ["1 alloggi locabili vuoti senza canone (né dell'alloggio né dell'ultimo contratto): "
                             "esclusi dal mancato canone"]


def test_unit_empty_across_the_year_boundary(wh):
    # A5: empty 16/11/2023–29/02/2024. 2023: 46 of 365 days; 2024 (leap): 31 + 29 = 60 of 366 days
    a5_2023 = _row(vacancy_days(wh, **Y2023, by="unit"), "A5")
    a5_2024 = _row(vacancy_days(wh, **Y2024, by="unit"), "A5")
    assert (a5_2023.numerator, a5_2023.denominator) == (46, 365)
    assert (a5_2024.numerator, a5_2024.denominator) == (60, 366)
    assert a5_2024.value == pytest.approx(6000 / 366)
    # void loss: 2023 at C6's 450 € -> 46 × 450 / 30.4375 = 680,08 €;
    # 2024 at C7's 480 € (the last lease started by 31/12/2024) -> 60 × 480 / 30.4375 = 946,20 €
    assert _row(void_loss(wh, **Y2023, by="unit"), "A5").value == pytest.approx(46 * 450 / M)
    assert _row(void_loss(wh, **Y2024, by="unit"), "A5").value == pytest.approx(60 * 480 / M)
    # the relet is counted in 2024, the year of the new lease: 15/11/2023 -> 01/03/2024 = 15+31+31+29+1 = 107 days
    got = relet_times(wh, year=2024)
    assert (got.value, got.numerator, got.denominator) == (107, 107, 1)
    assert got.breakdown["mediana"] == 107 and got.breakdown["escluse_prime_locazioni"] == 0


def test_relets_exclude_first_lets_and_relets_after_works(wh):
    # 2023: C2 31 days (31/03 -> 01/05; T2 is 200 €, T3 has no unit), C10 10 days (30/06 -> 10/07),
    # C9 1 day (31/07 -> 01/08) counted -> mean 42/3 = 14, median 10;
    # C4 (28/02 -> 01/06, 93 days) after T1's 8.000 € works: excluded; first lets C1, C3, C5, C6, C8, D1
    got = relet_times(wh, year=2023)
    assert (got.code, got.value, got.numerator, got.denominator) == ("relet_days", 14, 42, 3)
    assert got.breakdown == {"mediana": 10, "rilocazioni": 3, "escluse_prime_locazioni": 6,
                             "escluse_dopo_lavori": 1, "escluse_date_incoerenti": 0}
    rows = relets(wh, year=2023)
    assert list(rows.columns) == ["unit_code", "lease_code", "previous_lease", "previous_end", "next_start", "days",
                                  "excluded_reason"]
    assert [(r.unit_code, r.next_start, r.previous_end, None if r.previous_end is None else int(r.days),
             r.excluded_reason) for r in rows.itertuples()] == [
        *[(u, date(2023, 1, 1), None, None, "prima_locazione") for u in ("A1", "A2", "A5", "A6")],
        ("A1", date(2023, 5, 1), date(2023, 3, 31), 31, None),
        ("A2", date(2023, 6, 1), date(2023, 2, 28), 93, "dopo_lavori"),
        ("B1", date(2023, 7, 1), None, None, "prima_locazione"),
        ("A1", date(2023, 7, 10), date(2023, 6, 30), 10, None),
        ("A6", date(2023, 8, 1), date(2023, 7, 31), 1, None),
        ("A3", date(2023, 9, 1), None, None, "prima_locazione")]


def test_works_threshold_is_a_parameter(wh):
    # above T1's 8.000 €, C4's 93 days count: 1, 10, 31, 93 -> mean 135/4 = 33,75, median (10 + 31) / 2 = 20,5
    got = relet_times(wh, year=2023, works_threshold=10_000)
    assert (got.value, got.denominator) == (33.75, 4)
    assert got.breakdown["mediana"] == 20.5 and got.breakdown["escluse_dopo_lavori"] == 0


def test_turnover_over_average_stock(wh):
    # ended in 2023: C1, C2, C3, C6, C8, D1 = 6; stock at the 12 month ends: INT1 6 × 12 = 72,
    # INT2 3 × 6 (July to December) = 18 -> 90 / 12 = 7,5 average units -> 6 / 7,5 = 80 %
    got = turnover(wh, year=2023)
    assert (got.code, got.numerator, got.denominator) == ("turnover_rate", 6, 7.5)
    assert got.value == pytest.approx(80.0)
    assert got.breakdown == {"contratti_cessati": 6, "alloggi_medi": 7.5}


def test_evictions_per_1000(wh):
    # 2023: C6 by its sfratto_eseguito event (its sfratto_morosita end is not counted again) + D1 ended for
    # sfratto_morosita without an event = 2, over 9 units in stock at 31/12/2023 -> 222,2 per 1.000
    got = evictions_per_1000(wh, **Y2023)
    assert (got.code, got.numerator, got.denominator) == ("evictions_per_1000", 2, 9)
    assert got.value == pytest.approx(2000 / 9)
    assert got.breakdown == pytest.approx({"morosita": 2000 / 9, "sfratti": 2, "da_pratiche": 1, "da_cessazioni": 1,
                                           "alloggi": 9})
    # 12–30/11/2023: C6 ends in the period but was counted on 10/11 with its event -> 0 of 9
    late = evictions_per_1000(wh, start=date(2023, 11, 12), end=date(2023, 11, 30))
    assert (late.value, late.numerator, late.denominator) == (0, 0, 9)
    # first half: nothing, 6 units (INT2 not yet in stock)
    assert evictions_per_1000(wh, start=date(2023, 1, 1), end=date(2023, 6, 30)).denominator == 6


def test_eviction_stats_are_comune_level(wh):
    got = eviction_stats(wh, municipality="cinisello balsamo")
    assert got.to_dict("records") == [
        {"municipality": "Cinisello Balsamo", "year": 2016, "validated": 59, "executed": 66, "reason": "morosità"},
        {"municipality": "Cinisello Balsamo", "year": 2017, "validated": 14, "executed": 19, "reason": None}]
    assert len(eviction_stats(wh)) == 3


def test_vacancy_series_over_three_months(wh):
    # 30/06: 6 units, empty A3, A4 -> 2 (1 available, 1 unavailable);
    # 31/07 and 31/08: 9 units, empty A3 (avail.), A4 (works), B2 (sale), B3 (avail.) -> 4 (2 + 2);
    # C8 ends on 31/07: A6 is occupied that day
    got = vacancy_series(wh, start=date(2023, 6, 15), end=date(2023, 8, 31))
    assert list(got.columns) == ["month", "units", "empty", "available_empty", "unavailable_empty", "vacancy_rate",
                                 "available_rate", "unavailable_rate"]
    assert [tuple(r) for r in got[["month", "units", "empty", "available_empty", "unavailable_empty"]]
            .itertuples(index=False)] == [(date(2023, 6, 30), 6, 2, 1, 1), (date(2023, 7, 31), 9, 4, 2, 2),
                                          (date(2023, 8, 31), 9, 4, 2, 2)]
    assert got["vacancy_rate"].tolist() == pytest.approx([200 / 6, 400 / 9, 400 / 9])
    assert got["available_rate"].tolist() == pytest.approx([100 / 6, 200 / 9, 200 / 9])
    # a period ending mid-month is measured at its last day: 20/08 as 31/08
    assert vacancy_series(wh, start=date(2023, 8, 1), end=date(2023, 8, 20))["month"].tolist() == [date(2023, 8, 20)]


def test_longest_empty(wh):
    # at 31/12/2023: A4 never let, in stock since 01/01 -> 365 days; B2, B3 never let, since 01/07 -> 184;
    # B1 since 30/09 -> 92; A5 since 15/11 -> 46. Void loss only for available units with a rent:
    # B1 92 × 1000 / 30.4375 = 3.022,68; A5 46 × 450 (C6's rent) / 30.4375 = 680,08
    got = longest_empty(wh, as_of=date(2023, 12, 31))
    assert got[["unit_code", "days_empty", "never_let", "last_lease_end"]].values.tolist() == [
        ["A4", 365, True, None], ["B2", 184, True, None], ["B3", 184, True, None],
        ["B1", 92, False, date(2023, 9, 30)], ["A5", 46, False, date(2023, 11, 15)]]
    loss = dict(zip(got["unit_code"], got["void_loss_eur"]))
    assert loss["B1"] == pytest.approx(92_000 / M) and loss["A5"] == pytest.approx(46 * 450 / M)
    assert all(loss[u] is None or loss[u] != loss[u] for u in ("A4", "B2", "B3"))  # None / NaN: not lettable, no rent
    assert got.set_index("unit_code").loc["A5", "monthly_rent"] == 450
    assert longest_empty(wh, as_of=date(2023, 12, 31), limit=2)["unit_code"].tolist() == ["A4", "B2"]


def test_by_intervention(wh):
    v = vacancy(wh, as_of=date(2023, 12, 31), by="intervention")
    assert v[["group", "numerator", "denominator"]].values.tolist() == [["INT1", 2, 6], ["INT2", 3, 3]]
    assert v["value"].tolist() == pytest.approx([200 / 6, 100.0])
    d = vacancy_days(wh, **Y2023, by="intervention")  # INT1 785 / 2190, INT2 460 / 552
    assert d[["group", "numerator", "denominator"]].values.tolist() == [["INT1", 785, 2190], ["INT2", 460, 552]]
    loss = void_loss(wh, **Y2023, by="intervention")  # INT1 (23.400 + 36.800 + 121.500 + 20.700) / M, INT2 92.000 / M
    assert loss["value"].tolist() == pytest.approx([202_400 / M, 92_000 / M])
    assert loss["no_rent"].tolist() == [0, 1]
    r = relet_times(wh, year=2023, by="intervention")  # INT1: 42 / 3, median 10; INT2: D1 is a first let
    assert _row(r, "INT1")[["value", "numerator", "denominator", "median"]].tolist() == [14, 42, 3, 10]
    assert _row(r, "INT2")["value"] is None and _row(r, "INT2")["denominator"] == 0
    t = turnover(wh, year=2023, by="intervention")  # INT1 5 / 6, INT2 1 / (18 / 12)
    assert t["value"].tolist() == pytest.approx([500 / 6, 100 / 1.5])
    e = evictions_per_1000(wh, **Y2023, by="intervention")  # INT1 C6 1 / 6, INT2 D1 1 / 3
    assert e["value"].tolist() == pytest.approx([1000 / 6, 1000 / 3])
    s = vacancy_series(wh, start=date(2023, 6, 15), end=date(2023, 8, 31), by="intervention")
    # INT1: 30/06 2 of 6 (A3, A4), 31/07 and 31/08 2 of 6; INT2: from 31/07, 2 of 3 (B2, B3)
    assert s[["group", "month", "units", "empty"]].values.tolist() == [
        ["INT1", date(2023, 6, 30), 6, 2], ["INT1", date(2023, 7, 31), 6, 2], ["INT1", date(2023, 8, 31), 6, 2],
        ["INT2", date(2023, 7, 31), 3, 2], ["INT2", date(2023, 8, 31), 3, 2]]


def test_relets_by_the_new_tenants_income_band(wh):
    # N2 (C2, 31 days) and N3 (C10, 10 days) are «accesso» -> 41 / 2 = 20,5; N10 (C9, 1 day) «protezione» -> 1;
    # no band: first lets and C4 (after works) only -> None
    got = relet_times(wh, year=2023, by="income_band").set_index("group")
    assert got.loc["accesso", ["value", "numerator", "denominator", "median"]].tolist() == [20.5, 41, 2, 20.5]
    assert got.loc["protezione", ["value", "denominator"]].tolist() == [1, 1]
    assert got["denominator"].sum() == 3


def test_unknown_or_meaningless_grouping_or_period_is_refused(wh):
    with pytest.raises(ValueError, match="Raggruppamento sconosciuto"):
        vacancy(wh, as_of=date(2023, 12, 31), by="quartiere")
    with pytest.raises(ValueError, match="fascia"):
        turnover(wh, year=2023, by="income_band")
    with pytest.raises(ValueError, match="Periodo non valido"):
        vacancy_days(wh, start=date(2024, 1, 1), end=date(2023, 12, 31))


def test_scope_two_funds_every_function(wh):
    end = date(2023, 12, 31)
    # Fondo Due only: B1, B2, B3
    v = vacancy(wh, as_of=end, scope=DUE)  # all 3 empty; available B1, B3
    assert (v.numerator, v.denominator, v.breakdown["vuoti_disponibili"]) == (3, 3, 2)
    assert vacancy(wh, as_of=end, scope=UNO).breakdown["alloggi"] == 6
    vd = vacancy_days(wh, **Y2023, scope=DUE)  # B1 92 + B2 184 + B3 184 of 3 × 184
    assert (vd.numerator, vd.denominator) == (460, 552)
    assert vacancy_days(wh, **Y2023, scope=UNO).numerator == 785
    loss = void_loss(wh, **Y2023, scope=DUE)  # B1 92 × 1000; B3 has no rent
    assert loss.value == pytest.approx(92_000 / M) and loss.breakdown["senza_canone"] == 1
    assert void_loss(wh, **Y2023, scope=UNO).value == pytest.approx(202_400 / M)
    assert void_loss(wh, **Y2023, scope=UNO).warnings == []
    rd = relet_times(wh, year=2023, scope=DUE)  # only D1, a first let
    assert rd.value is None and rd.breakdown["escluse_prime_locazioni"] == 1
    assert rd.warnings == ["nessuna rilocazione conteggiabile nell'anno"]
    assert relet_times(wh, year=2023, scope=UNO).breakdown["escluse_prime_locazioni"] == 5
    assert relets(wh, year=2023, scope=DUE)["lease_code"].tolist() == ["D1"]
    assert set(relets(wh, year=2023, scope=UNO)["unit_code"]) <= FUND_UNO_UNITS
    t = turnover(wh, year=2023, scope=DUE)  # D1 / 1,5
    assert (t.numerator, t.denominator) == (1, 1.5)
    assert (turnover(wh, year=2023, scope=UNO).numerator, turnover(wh, year=2023, scope=UNO).denominator) == (5, 6)
    e = evictions_per_1000(wh, **Y2023, scope=DUE)
    assert (e.numerator, e.denominator, e.breakdown["da_pratiche"]) == (1, 3, 0)
    assert evictions_per_1000(wh, **Y2023, scope=UNO).breakdown["da_pratiche"] == 1
    s = vacancy_series(wh, start=date(2023, 6, 15), end=date(2023, 8, 31), scope=DUE)
    assert s["units"].tolist() == [0, 3, 3] and s["vacancy_rate"].tolist()[0] is None
    assert longest_empty(wh, as_of=end, scope=DUE)["unit_code"].tolist() == ["B2", "B3", "B1"]
    assert longest_empty(wh, as_of=end, scope=UNO)["unit_code"].tolist() == ["A4", "A5"]
    for frame in (vacancy(wh, as_of=end, scope=DUE, by="unit"), vacancy_days(wh, **Y2023, scope=DUE, by="unit"),
                  void_loss(wh, **Y2023, scope=DUE, by="unit"), relet_times(wh, year=2023, scope=DUE, by="unit"),
                  turnover(wh, year=2023, scope=DUE, by="unit"), evictions_per_1000(wh, **Y2023, scope=DUE, by="unit"),
                  vacancy_series(wh, start=date(2023, 6, 15), end=date(2023, 8, 31), scope=DUE, by="unit")):
        assert set(frame["group"]) <= {"B1", "B2", "B3"}
    # eviction_stats has no scope: Comune-level public statistics, the same for every caller
