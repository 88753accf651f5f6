"""Arrears KPIs on hand-built ledgers loaded through the real importer, every figure worked out by hand.

The portfolio: two interventions in two funds, one building each.

  Fondo Uno (INT1, E1): C1 on A1 (N1), C2 on A2 (N2), C3 on A3 (N3), rent 500 each, from 01/01/2023;
                        C4 on A4 (N4), rent 500, 01/01/2022 - 31/12/2023 (a former tenancy).
  Fondo Due (INT2, E2): C5 on B1 (N5) rent 400, C6 on B2 (N6) rent 300, from 01/01/2023;
                        C7 on B3 (N7) rent 250, from 01/12/2021.

Active at 31/03/2024: C1, C2, C3, C5, C6, C7 (6 leases); annual rent roll 12 × 2,450 = 29,400
(Fondo Uno 12 × 1,500 = 18,000; Fondo Due 12 × 950 = 11,400). Each test loads its own movements.
A charge without `scadenza` is due on day 10 of its `competenza` month.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators.arrears import (arrears_aging, arrears_aging_by_contract, arrears_kpis, arrears_rate_billed,
                                arrears_rate_rent_roll, arrears_series, arrears_stock, collection_rate,
                                contract_balances, households_in_arrears)
from indicators.ledger_sql import AGING_BUCKETS
from indicators.scope import Scope
from tests.factories import load_text

PORTFOLIO = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo\n"
                  "INT1;Corte Uno;Milano;SGR Alfa;Fondo Uno\nINT2;Corte Due;Monza;SGR Alfa;Fondo Due\n",
    "edifici": "codice_edificio;codice_intervento;indirizzo\nE1;INT1;Via Uno 1\nE2;INT2;Via Due 2\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile\n"
               "A1;E1;locazione_permanente;500,00\nA2;E1;locazione_permanente;500,00\n"
               "A3;E1;locazione_permanente;500,00\nA4;E1;locazione_permanente;500,00\n"
               "B1;E2;locazione_termine;400,00\nB2;E2;locazione_termine;300,00\nB3;E2;locazione_termine;250,00\n",
    "nuclei": "codice_nucleo;componenti;fascia\nN1;2;protezione\nN2;3;accesso\nN3;1;accesso\nN4;2;accesso\n"
              "N5;4;protezione\nN6;2;accesso\nN7;1;accesso\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;data_fine;canone_mensile\n"
                 "C1;A1;N1;01/01/2023;;500,00\nC2;A2;N2;01/01/2023;;500,00\nC3;A3;N3;01/01/2023;;500,00\n"
                 "C4;A4;N4;01/01/2022;31/12/2023;500,00\nC5;B1;N5;01/01/2023;;400,00\n"
                 "C6;B2;N6;01/01/2023;;300,00\nC7;B3;N7;01/12/2021;;250,00\n",
}
HEADER = "codice_contratto;data;tipo;importo;voce;competenza;scadenza\n"

# C1, partial payments: 500 due 10/01, 10/02, 10/03/2024; paid 500 on 12/01 and 300 on 15/02.
PARTIAL = ("C1;01/01/2024;addebito;500,00;canone;01/2024;\nC1;01/02/2024;addebito;500,00;canone;02/2024;\n"
           "C1;01/03/2024;addebito;500,00;canone;03/2024;\nC1;12/01/2024;incasso;500,00;;;\n"
           "C1;15/02/2024;incasso;300,00;;;\n")
# C1 overpays (700 on 12/01 against 500 due 10/01); C2 pays 2,000 on 05/01, before any charge is due,
# then is charged 500 due on the 10th of January to May 2024.
PREPAID = ("C1;01/01/2024;addebito;500,00;canone;01/2024;\nC1;12/01/2024;incasso;700,00;;;\n"
           "C1;01/02/2024;addebito;500,00;canone;02/2024;\nC2;05/01/2024;incasso;2000,00;;;\n"
           + "".join(f"C2;01/0{m}/2024;addebito;500,00;canone;0{m}/2024;\n" for m in range(1, 6)))
# C3: 500 due 10/01, 10/02, 10/03/2024; storno 100 on 20/01, incasso 500 on 12/02, stralcio 400 on 20/03.
CREDITS = ("C3;01/01/2024;addebito;500,00;canone;01/2024;\nC3;01/02/2024;addebito;500,00;canone;02/2024;\n"
           "C3;01/03/2024;addebito;500,00;canone;03/2024;\nC3;20/01/2024;storno;100,00;;;\n"
           "C3;12/02/2024;incasso;500,00;;;\nC3;20/03/2024;stralcio;400,00;;;\n")
# C4 (ended 31/12/2023): 500 due 10/11/2023 and 10/12/2023, paid 200 on 15/11/2023.
FORMER = ("C4;01/11/2023;addebito;500,00;canone;11/2023;\nC4;01/12/2023;addebito;500,00;canone;12/2023;\n"
          "C4;15/11/2023;incasso;200,00;;;\n")
# Ages at 31/03/2024 of the due dates below: 29/02 → 31 days, 01/03 → 30, 31/01 → 60, 30/01 → 61,
# 01/01 → 90, 31/12/2023 → 91, 01/04/2023 → 365, 31/03/2023 → 366, 01/04/2022 → 730, 31/03/2022 → 731.
# C5: 600 due 29/02/2024, 400 due 01/03/2024, nothing paid.
# C6: 300 due 01/02/2024, 300 due 01/03/2024; 300 paid 15/03/2024 goes (FIFO) to the February charge.
# C7: 100 due on each of 31/01/2024, 30/01/2024, 01/01/2024, 31/12/2023, 01/04/2023, 31/03/2023,
#     01/04/2022, 31/03/2022 (ages 60, 61, 90, 91, 365, 366, 730, 731), nothing paid.
_C7_DUE = ("31/01/2024", "30/01/2024", "01/01/2024", "31/12/2023", "01/04/2023", "31/03/2023", "01/04/2022",
           "31/03/2022")
AGING = ("C5;01/02/2024;addebito;600,00;canone;02/2024;29/02/2024\n"
         "C5;01/03/2024;addebito;400,00;canone;03/2024;01/03/2024\n"
         "C6;01/02/2024;addebito;300,00;canone;02/2024;01/02/2024\n"
         "C6;01/03/2024;addebito;300,00;canone;03/2024;01/03/2024\nC6;15/03/2024;incasso;300,00;;;\n"
         + "".join(f"C7;{d};addebito;100,00;canone;{d[3:]};{d}\n" for d in _C7_DUE))
# C4 pays 300 of its old debt on 20/02/2024 (arrears brought forward).
REPAID = "C4;20/02/2024;incasso;300,00;;;\n"

D = date(2024, 3, 31)
Q1 = {"start": date(2024, 1, 1), "end": date(2024, 3, 31)}
UNO, DUE = Scope(funds=("Fondo Uno",)), Scope(funds=("Fondo Due",))


@pytest.fixture
def ledger(engine, settings, tmp_path):
    """Load the portfolio; return a function loading the given movement lines."""
    for kind, content in PORTFOLIO.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"

    def load(*parts: str) -> None:
        result = load_text(tmp_path, "movimenti", HEADER + "".join(parts), engine=engine, settings=settings)
        assert result.status == "completato" and result.quarantined == 0, result

    return load


def aging_of(frame: pd.DataFrame) -> dict[str, tuple[float, int]]:
    assert frame["bucket"].tolist() == list(AGING_BUCKETS)
    return {r.bucket: (r.amount, r.contracts) for r in frame.itertuples()}


def zero_aging(**nonzero) -> dict[str, tuple[float, int]]:
    names = dict(zip(("b0_30", "b31_60", "b61_90", "b91_365", "y1_2", "over2"), AGING_BUCKETS))
    return {b: nonzero.get(k, (0.0, 0)) for k, b in names.items()}


# --- partial payments ----------------------------------------------------------------------------------------
def test_partial_payments(engine, ledger):
    ledger(PARTIAL)
    # 31/03: charged 1,500 - paid 800 = 700; FIFO: January paid, February 300 of 500 (unpaid 200, due 10/02,
    # 50 days old), March unpaid 500 (due 10/03, 21 days old).
    stock = arrears_stock(engine, as_of=D)
    assert (stock.code, stock.value, stock.numerator, stock.denominator) == ("arrears_stock_eur", 700.0, 700.0, None)
    assert stock.breakdown == {"in_essere": 700.0, "cessati": 0.0, "contratti": 1}
    # 12/02: February is due (10/02) but the 300 arrive on 15/02: 1,000 - 500 = 500.
    assert arrears_stock(engine, as_of=date(2024, 2, 12)).value == 500.0
    assert aging_of(arrears_aging(engine, as_of=D)) == zero_aging(b0_30=(500.0, 1), b31_60=(200.0, 1))
    # By oldest unpaid charge: the whole 700 sits in the bucket of 10/02 (50 days).
    assert aging_of(arrears_aging_by_contract(engine, as_of=D)) == zero_aging(b31_60=(700.0, 1))
    # Q1: due 1,500, unpaid 700 → 46.67%; collected 800 → 53.33%.
    billed = arrears_rate_billed(engine, **Q1)
    assert (billed.numerator, billed.denominator) == (700.0, 1500.0)
    assert billed.value == pytest.approx(700 / 1500 * 100)
    assert collection_rate(engine, **Q1).value == pytest.approx(800 / 1500 * 100)
    # Rent roll: 700 / 29,400 = 2.381%; households: C1's oldest unpaid is 50 days old → 1 of 6 active leases.
    roll = arrears_rate_rent_roll(engine, as_of=D)
    assert (roll.numerator, roll.denominator, roll.value) == (700.0, 29400.0, pytest.approx(700 / 29400 * 100))
    households = households_in_arrears(engine, as_of=D)
    assert (households.numerator, households.denominator) == (1.0, 6.0)
    assert households.value == pytest.approx(100 / 6)


def test_contract_balances_drill_down(engine, ledger):
    ledger(PARTIAL, FORMER)
    # C4: 1,000 - 200 = 800, oldest unpaid 10/11/2023 (142 days); C1: 700, oldest unpaid 10/02/2024 (50 days).
    got = contract_balances(engine, as_of=D)
    assert list(got.columns) == ["lease_code", "household_code", "unit_code", "building_code", "intervention_code",
                                 "fund", "tenure", "active", "balance", "oldest_unpaid_due", "days_overdue", "bucket"]
    assert [tuple(r) for r in got.itertuples(index=False)] == [
        ("C4", "N4", "A4", "E1", "INT1", "Fondo Uno", "locazione_permanente", False, 800.0, date(2023, 11, 10),
         142, "91-365"),
        ("C1", "N1", "A1", "E1", "INT1", "Fondo Uno", "locazione_permanente", True, 700.0, date(2024, 2, 10),
         50, "31-60")]
    assert contract_balances(engine, as_of=D, limit=1).lease_code.tolist() == ["C4"]
    assert contract_balances(engine, as_of=D, building="E2").empty


# --- overpayment, prepayment, payment before the due date -------------------------------------------------------
def test_credit_balance_is_not_arrears_and_prepayment_is_consumed(engine, ledger):
    ledger(PREPAID)
    # 05/01: C2 has paid 2,000 and nothing is due yet (the first charges fall due on 10/01): no arrears.
    early = arrears_stock(engine, as_of=date(2024, 1, 5))
    assert (early.value, early.breakdown["contratti"], early.warnings) == (0.0, 0, [])
    # 31/01: C1 500 - 700 = -200, C2 500 - 2,000 = -1,500: credit balances, no arrears.
    assert arrears_stock(engine, as_of=date(2024, 1, 31)).value == 0.0
    # 29/02: C1 1,000 - 700 = 300 owed; C2's credit (-1,000) does not offset C1's debt.
    feb = arrears_stock(engine, as_of=date(2024, 2, 29))
    assert (feb.value, feb.breakdown["contratti"]) == (300.0, 1)
    # 30/04: C2 2,000 - 2,000 = 0: the prepayment is used up; 31/05: C2 owes May's 500.
    assert arrears_stock(engine, as_of=date(2024, 4, 30)).value == 300.0
    may = arrears_stock(engine, as_of=date(2024, 5, 31))
    assert (may.value, may.breakdown["contratti"]) == (800.0, 2)
    # Aging at 31/05: C2's May charge (due 10/05, 21 days) and C1's February remainder 300 (10/02, 111 days).
    assert aging_of(arrears_aging(engine, as_of=date(2024, 5, 31))) == zero_aging(b0_30=(500.0, 1),
                                                                                  b91_365=(300.0, 1))


def test_collection_rate_with_prepayment_exceeds_100(engine, ledger):
    ledger(PREPAID)
    jan = {"start": date(2024, 1, 1), "end": date(2024, 1, 31)}
    # January: due 1,000 (C1 500, C2 500), both settled by 31/01 → 100%. Payments entered in January:
    # 700 + 2,000 = 2,700 → 270% with arrears and advances.
    assert collection_rate(engine, **jan).value == pytest.approx(100.0)
    cash = collection_rate(engine, **jan, include_arrears=True)
    assert (cash.code, cash.numerator, cash.denominator, cash.value) == (
        "collection_rate_with_arrears", 2700.0, 1000.0, pytest.approx(270.0))
    # February: due 1,000. C1: slice (500, 1,000], paid 700 → 200 collected, 300 unpaid; C2 500 collected.
    feb = {"start": date(2024, 2, 1), "end": date(2024, 2, 29)}
    assert collection_rate(engine, **feb).value == pytest.approx(70.0)
    assert arrears_rate_billed(engine, **feb).value == pytest.approx(30.0)
    assert collection_rate(engine, **feb, include_arrears=True).value == 0.0


# --- reversal, allowance, write-off -----------------------------------------------------------------------------
def test_storno_and_stralcio_reduce_the_balance_but_are_not_collected(engine, ledger):
    ledger(CREDITS)
    # 31/01: 500 - storno 100 = 400; 29/02: 1,000 - 600 = 400.
    assert arrears_stock(engine, as_of=date(2024, 1, 31)).value == 400.0
    assert arrears_stock(engine, as_of=date(2024, 2, 29)).value == 400.0
    # 19/03, before the write-off: 1,500 - 600 = 900; FIFO: January settled, February 400 unpaid
    # (due 10/02, 38 days), March 500 (9 days). Oldest unpaid 10/02 → the whole 900 in 31-60.
    mid = date(2024, 3, 19)
    assert arrears_stock(engine, as_of=mid).value == 900.0
    assert aging_of(arrears_aging_by_contract(engine, as_of=mid)) == zero_aging(b31_60=(900.0, 1))
    # 31/03, after the 400 write-off: 1,500 - 1,000 = 500, only March (21 days) unpaid.
    assert arrears_stock(engine, as_of=D).value == 500.0
    assert aging_of(arrears_aging(engine, as_of=D)) == zero_aging(b0_30=(500.0, 1))
    # Q1: due 1,500; unpaid 500 → 33.33%. Credits line: storno+stralcio 500 first, then incasso 500:
    # collected = min(1,500, 1,000) - max(0, 500) = 500 → 33.33%; the other 33.33% is settled without cash.
    assert arrears_rate_billed(engine, **Q1).value == pytest.approx(100 / 3)
    assert collection_rate(engine, **Q1).value == pytest.approx(100 / 3)
    assert collection_rate(engine, **Q1, include_arrears=True).value == pytest.approx(100 / 3)
    # January alone (as of 31/01): due 500, storno 100 → unpaid 400 (80%), collected 0.
    jan = {"start": date(2024, 1, 1), "end": date(2024, 1, 31)}
    assert arrears_rate_billed(engine, **jan).value == pytest.approx(80.0)
    assert collection_rate(engine, **jan).value == 0.0


# --- former tenancies -------------------------------------------------------------------------------------------
def test_ended_lease_with_debt_is_former_tenant_stock(engine, ledger):
    ledger(FORMER, "C1;01/01/2024;addebito;500,00;canone;01/2024;\n")
    # 31/03/2024: C4 (ended 31/12/2023) owes 800, C1 owes 500 (due 10/01, 81 days).
    stock = arrears_stock(engine, as_of=D)
    assert stock.value == 1300.0
    assert stock.breakdown == {"in_essere": 500.0, "cessati": 800.0, "contratti": 2}
    # On 31/12/2023 C4 is still active (end date = D): 800 in essere; on 01/01/2024 it is former.
    assert arrears_stock(engine, as_of=date(2023, 12, 31)).breakdown == {"in_essere": 800.0, "cessati": 0.0,
                                                                         "contratti": 1}
    assert arrears_stock(engine, as_of=date(2024, 1, 1)).breakdown["cessati"] == 800.0
    # Rent roll and households count current tenants only: 500 / 29,400; 1 of 6 active leases.
    assert arrears_rate_rent_roll(engine, as_of=D).value == pytest.approx(500 / 29400 * 100)
    assert households_in_arrears(engine, as_of=D).value == pytest.approx(100 / 6)
    # Aging: C1 500 at 81 days (61-90); C4 300 at 142 and 500 at 112 days (91-365).
    assert aging_of(arrears_aging(engine, as_of=D)) == zero_aging(b61_90=(500.0, 1), b91_365=(800.0, 1))


# --- aging boundaries and the households threshold --------------------------------------------------------------
def test_aging_bucket_boundaries(engine, ledger):
    ledger(AGING)
    # By charge: 0-30: C5 400 (30 d) + C6 300 (30 d); 31-60: C5 600 (31 d) + C7 100 (60 d);
    # 61-90: C7 61, 90 d; 91-365: C7 91, 365 d; 1-2 anni: C7 366, 730 d; oltre 2 anni: C7 731 d.
    assert aging_of(arrears_aging(engine, as_of=D)) == zero_aging(
        b0_30=(700.0, 2), b31_60=(700.0, 2), b61_90=(200.0, 1), b91_365=(200.0, 1), y1_2=(200.0, 1),
        over2=(100.0, 1))
    # By oldest unpaid charge: C6 300 (01/03, 30 d), C5 1,000 (29/02, 31 d), C7 800 (31/03/2022, 731 d).
    assert aging_of(arrears_aging_by_contract(engine, as_of=D)) == zero_aging(
        b0_30=(300.0, 1), b31_60=(1000.0, 1), over2=(800.0, 1))


def test_households_in_arrears_threshold(engine, ledger):
    ledger(AGING)
    # Oldest unpaid charge: C5 31 days, C6 30 days (its payment went FIFO to the February charge), C7 731 days.
    # More than 30 days: C5, C7 → 2 / 6; more than 29: 3 / 6; more than 31: C7 only → 1 / 6.
    got = households_in_arrears(engine, as_of=D)
    assert (got.code, got.numerator, got.denominator, got.value) == (
        "households_in_arrears_pct", 2.0, 6.0, pytest.approx(100 / 3))
    assert households_in_arrears(engine, as_of=D, days=29).value == pytest.approx(50.0)
    assert households_in_arrears(engine, as_of=D, days=31).value == pytest.approx(100 / 6)


# --- collection rate, both variants ----------------------------------------------------------------------------
def test_collection_rate_variants_with_arrears_brought_forward(engine, ledger):
    ledger(PARTIAL, PREPAID[PREPAID.index("C2"):], FORMER, REPAID)
    # Q1 due: C1 1,500 + C2 1,500 = 3,000 (C2's April charge is not in the period, C4's are older).
    # Competence: C1 800 + C2 1,500 collected = 2,300 → 76.67%; unpaid C1 700 → 23.33%.
    # With arrears: payments in Q1 C1 800 + C2 2,000 + C4 300 = 3,100 → 103.33%.
    got = collection_rate(engine, **Q1)
    assert (got.code, got.numerator, got.denominator) == ("collection_rate", 2300.0, 3000.0)
    assert got.value == pytest.approx(2300 / 30)
    cash = collection_rate(engine, **Q1, include_arrears=True)
    assert (cash.numerator, cash.value) == (3100.0, pytest.approx(3100 / 30))
    assert cash.value > 100
    assert arrears_rate_billed(engine, **Q1).value == pytest.approx(700 / 30)
    # All KPIs from one read of the ledger agree with the single functions.
    every = arrears_kpis(engine, **Q1)
    assert every["collection_rate"] == got and every["collection_rate_with_arrears"] == cash
    assert every["arrears_stock_eur"] == arrears_stock(engine, as_of=Q1["end"])
    assert every["households_in_arrears_pct"] == households_in_arrears(engine, as_of=Q1["end"])
    assert every["arrears_rate_rent_roll"] == arrears_rate_rent_roll(engine, as_of=Q1["end"])


# --- series ------------------------------------------------------------------------------------------------------
def test_arrears_series_three_months(engine, ledger):
    ledger(PARTIAL, PREPAID[PREPAID.index("C2"):], FORMER, REPAID)
    # 31/01: C1 500-500=0, C2 credit, C4 1,000-200=800 → stock 800; January due 1,000 all settled:
    #        billed rate 0, collection 100; households: nothing due before 31/12 unpaid → 0 / 6.
    # 29/02: C1 1,000-800=200, C4 1,000-500=500 → 700; February due 1,000, C1 200 unpaid → 20%;
    #        collected C1 300 (slice (500,1,000] against 800 paid) + C2 500 = 800 → 80%;
    #        households: C1's charges due by 29/01 (500) are paid → 0.
    # 31/03: C1 700 + C4 500 = 1,200; March due 1,000, C1 500 unpaid → 50%; collected C2 500 → 50%;
    #        households: C1's charges due by 29/02 (1,000) exceed its 800 paid → 1 / 6.
    got = arrears_series(engine, **Q1)
    assert list(got.columns) == ["month", "stock", "rate_billed", "households_in_arrears_pct", "collection_rate"]
    assert got.month.tolist() == [date(2024, 1, 31), date(2024, 2, 29), date(2024, 3, 31)]
    assert got.stock.tolist() == [800.0, 700.0, 1200.0]
    assert got.rate_billed.tolist() == pytest.approx([0.0, 20.0, 50.0])
    assert got.households_in_arrears_pct.tolist() == pytest.approx([0.0, 0.0, 100 / 6])
    assert got.collection_rate.tolist() == pytest.approx([100.0, 80.0, 50.0])
    # Each row agrees with the single-date functions.
    for row, start in zip(got.itertuples(), (date(2024, 1, 1), date(2024, 2, 1), date(2024, 3, 1))):
        assert arrears_stock(engine, as_of=row.month).value == row.stock
        assert arrears_rate_billed(engine, start=start, end=row.month).value == pytest.approx(row.rate_billed)
        assert collection_rate(engine, start=start, end=row.month).value == pytest.approx(row.collection_rate)
        assert households_in_arrears(engine, as_of=row.month).value == pytest.approx(row.households_in_arrears_pct)
    # Only month ends inside the range: 15/01 - 15/03 gives January and February.
    short = arrears_series(engine, start=date(2024, 1, 15), end=date(2024, 3, 15))
    assert short.month.tolist() == [date(2024, 1, 31), date(2024, 2, 29)]


# --- grouping and scope ------------------------------------------------------------------------------------------
MIXED = (PARTIAL, FORMER, AGING)
# At 31/03/2024:
#   Fondo Uno: C1 700 (active; 200 at 50 d, 500 at 21 d), C4 800 (former; 142 and 112 d) → 1,500;
#              active C1, C2, C3; overdue > 30 d: C1 → 1 / 3; rent roll 700 / 18,000.
#              Q1 due: C1 1,500, unpaid 700, collected 800.
#   Fondo Due: C5 1,000, C6 300, C7 800 → 2,100, all active; overdue: C5, C7 → 2 / 3; rent roll 2,100 / 11,400.
#              Q1 due: C5 1,000 (unpaid 1,000), C6 600 (P=600, paid 300: unpaid 300, collected 300),
#              C7 300 (31/01, 30/01, 01/01; P=800, paid 0: unpaid 300) → 1,900 due, 1,600 unpaid, 300 collected.


def test_by_fund(engine, ledger):
    ledger(*MIXED)
    stock = arrears_stock(engine, as_of=D, by="fund")
    assert list(stock.columns) == ["group", "value", "numerator", "denominator", "in_essere", "cessati", "contratti"]
    assert stock[["group", "value", "in_essere", "cessati", "contratti"]].values.tolist() == [
        ["Fondo Due", 2100.0, 2100.0, 0.0, 3], ["Fondo Uno", 1500.0, 700.0, 800.0, 2]]
    assert stock.denominator.isna().all()

    def values(frame):
        return dict(zip(frame["group"], frame["value"]))

    assert values(arrears_rate_billed(engine, **Q1, by="fund")) == pytest.approx(
        {"Fondo Due": 1600 / 19, "Fondo Uno": 700 / 15})
    assert values(collection_rate(engine, **Q1, by="fund")) == pytest.approx(
        {"Fondo Due": 300 / 19, "Fondo Uno": 800 / 15})
    assert values(arrears_rate_rent_roll(engine, as_of=D, by="fund")) == pytest.approx(
        {"Fondo Due": 2100 / 114, "Fondo Uno": 700 / 180})
    households = households_in_arrears(engine, as_of=D, by="fund")
    assert households[["group", "numerator", "denominator"]].values.tolist() == [
        ["Fondo Due", 2, 3], ["Fondo Uno", 1, 3]]
    aging = arrears_aging(engine, as_of=D, by="fund")
    assert list(aging.columns) == ["group", "bucket", "amount", "contracts"]
    assert aging_of(aging[aging.group == "Fondo Uno"]) == zero_aging(b0_30=(500.0, 1), b31_60=(200.0, 1),
                                                                    b91_365=(800.0, 1))
    assert aging_of(aging[aging.group == "Fondo Due"].reset_index(drop=True)) == zero_aging(
        b0_30=(700.0, 2), b31_60=(700.0, 2), b61_90=(200.0, 1), b91_365=(200.0, 1), y1_2=(200.0, 1),
        over2=(100.0, 1))
    # Fascia of the household: protezione N1 (C1 700) + N5 (C5 1,000); accesso C4 800 + C6 300 + C7 800.
    assert values(arrears_stock(engine, as_of=D, by="income_band")) == {"accesso": 1900.0, "protezione": 1700.0}


def test_series_by_fund(engine, ledger):
    ledger(*MIXED)
    # March only. Fondo Uno: stock 1,500; March due C1 500, unpaid (P=1,500, paid 800) → 100%.
    # Fondo Due: stock 2,100; March due 700 (C5 400, C6 300), all unpaid (C6's 300 paid on 15/03 went to its
    # February charge) → 100%.
    got = arrears_series(engine, start=date(2024, 3, 1), end=D, by="fund")
    assert list(got.columns) == ["group", "month", "stock", "rate_billed", "households_in_arrears_pct",
                                 "collection_rate"]
    assert got[["group", "stock", "rate_billed"]].values.tolist() == [
        ["Fondo Due", 2100.0, 100.0], ["Fondo Uno", 1500.0, 100.0]]


def test_scope_one_fund_never_sees_the_other(engine, ledger):
    ledger(*MIXED)
    stock = arrears_stock(engine, as_of=D, scope=UNO)
    assert (stock.value, stock.breakdown) == (1500.0, {"in_essere": 700.0, "cessati": 800.0, "contratti": 2})
    assert arrears_stock(engine, as_of=D, scope=DUE).value == 2100.0
    assert arrears_stock(engine, as_of=D, scope=UNO, by="fund").group.tolist() == ["Fondo Uno"]
    assert arrears_rate_billed(engine, **Q1, scope=UNO).value == pytest.approx(700 / 15)
    assert arrears_rate_rent_roll(engine, as_of=D, scope=UNO).denominator == 18000.0
    uno = households_in_arrears(engine, as_of=D, scope=UNO)
    assert (uno.numerator, uno.denominator) == (1.0, 3.0)
    assert collection_rate(engine, **Q1, scope=UNO).value == pytest.approx(800 / 15)
    assert collection_rate(engine, **Q1, scope=DUE, include_arrears=True).value == pytest.approx(300 / 19)
    assert arrears_kpis(engine, **Q1, scope=DUE)["arrears_stock_eur"].value == 2100.0
    assert arrears_kpis(engine, **Q1, scope=UNO, by="fund")["collection_rate"].group.tolist() == ["Fondo Uno"]
    assert aging_of(arrears_aging(engine, as_of=D, scope=UNO)) == zero_aging(
        b0_30=(500.0, 1), b31_60=(200.0, 1), b91_365=(800.0, 1))
    assert aging_of(arrears_aging_by_contract(engine, as_of=D, scope=UNO)) == zero_aging(
        b31_60=(700.0, 1), b91_365=(800.0, 1))
    assert contract_balances(engine, as_of=D, scope=UNO).lease_code.tolist() == ["C4", "C1"]
    assert contract_balances(engine, as_of=D, scope=DUE).lease_code.tolist() == ["C5", "C7", "C6"]
    # A page filter cannot widen the scope: Fondo Uno asking for INT2 gets nothing.
    assert contract_balances(engine, as_of=D, scope=UNO, intervention="INT2").empty
    # Fondo Uno month ends: 31/01 C1 0 + C4 800; 29/02 C1 200 + C4 800; 31/03 C1 700 + C4 800.
    # Billed rate (C1 only): 0, 200/500, 500/500; collection: 100, 300/500, 0; households 0, 0, 1/3.
    series = arrears_series(engine, **Q1, scope=UNO)
    assert series.stock.tolist() == [800.0, 1000.0, 1500.0]
    assert series.rate_billed.tolist() == pytest.approx([0.0, 40.0, 100.0])
    assert series.collection_rate.tolist() == pytest.approx([100.0, 60.0, 0.0])
    assert series.households_in_arrears_pct.tolist() == pytest.approx([0.0, 0.0, 100 / 3])


# --- figures that cannot be computed -------------------------------------------------------------------------
def test_no_data_gives_none_with_a_reason(engine, ledger):
    nobody = Scope(funds=("Fondo Tre",))
    assert arrears_stock(engine, as_of=D, scope=nobody).warnings == ["nessun contratto nel perimetro"]
    empty = arrears_stock(engine, as_of=D)
    assert (empty.value, empty.warnings) == (None, ["nessun movimento contabile nel perimetro fino alla data"])
    ledger(PARTIAL)
    later = arrears_rate_billed(engine, start=date(2025, 1, 1), end=date(2025, 1, 31))
    assert (later.value, later.warnings) == (None, ["nessun addebito con scadenza nel periodo"])
    assert aging_of(arrears_aging(engine, as_of=D, scope=nobody)) == zero_aging()
    assert contract_balances(engine, as_of=D, scope=nobody).empty
    with pytest.raises(ValueError, match="Periodo non valido"):
        collection_rate(engine, start=D, end=date(2024, 1, 1))
