"""Arrears prevention on hand-built ledgers loaded through the importer: the early-warning list, the breakdowns by
voce, debt band and severity, the incolpevole rule and the eviction flags, every value worked out by hand.

The portfolio is test_arrears' (C1-C3 on A1-A3 in INT1 from 01/01/2023, households N1 protezione, N2 and N3
accesso; C4 ended 31/12/2023; C5 (N5, protezione), C6 (N6, accesso), C7 (N7, accesso) in INT2). D = 31/03/2024.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from indicators import store
from indicators.arrears import arrears_stock
from indicators.cases import case_status
from indicators.contract_history import contract_history
from indicators.prevention import (NoFaultRule, arrears_by_band, arrears_by_item, debt_band, early_warning,
                                   looks_no_fault)
from indicators.prevention_cases import (arrears_by_severity, band_by_severity, clocked_cases, eviction_flags,
                                         outcomes_by_severity)
from tests.factories import load_text
from tests.test_arrears import HEADER, PORTFOLIO

D = date(2024, 3, 31)
CASES_HEADER = "codice_pratica;codice_contratto;data;evento;importo;gravita;note\n"
# C1: 6,000 conguaglio due 10/03 (21 days at D: in arrears, not yet on the list).
# C2: 1,200 canone due 01/02 unpaid (59 days); a case opened 05/02 (gravita lieve) and closed 20/02: not open.
# C3: conguaglio 200 due 10/02, canone 400 due 10/03, spese 100 due 11/03, mora 20 due 12/03; 250 paid 15/03:
#     FIFO pays the conguaglio (200) and 50 of the canone: unpaid canone 350, spese 100, mora 20 = 470.
#     An open case without assessment (non valutata): not on the list.
# C5: 500 canone due 15/02 unpaid: 45 days at D (14 days of February 2024 + 31), no case: listed.
# C6: 300 canone due 15/02 unpaid, a case opened 20/02 and assessed grave on 25/03, open: not listed.
# C7: 250 canone due 10/01, 10/02, 10/03; 250 paid 20/03 clears January (FIFO): first unpaid 10/02 (50 days).
MOVES = ("C1;01/03/2024;addebito;6000,00;conguaglio;03/2024;10/03/2024\n"
         "C2;01/02/2024;addebito;1200,00;canone;02/2024;01/02/2024\n"
         "C3;01/02/2024;addebito;200,00;conguaglio;02/2024;10/02/2024\n"
         "C3;01/03/2024;addebito;400,00;canone;03/2024;10/03/2024\n"
         "C3;01/03/2024;addebito;100,00;spese;03/2024;11/03/2024\n"
         "C3;01/03/2024;addebito;20,00;mora;03/2024;12/03/2024\n"
         "C3;15/03/2024;incasso;250,00;;;\n"
         "C5;01/02/2024;addebito;500,00;canone;02/2024;15/02/2024\n"
         "C6;01/02/2024;addebito;300,00;canone;02/2024;15/02/2024\n"
         "C7;01/01/2024;addebito;250,00;canone;01/2024;10/01/2024\n"
         "C7;01/02/2024;addebito;250,00;canone;02/2024;10/02/2024\n"
         "C7;01/03/2024;addebito;250,00;canone;03/2024;10/03/2024\n"
         "C7;20/03/2024;incasso;250,00;;;\n")
CASES = ("P2;C2;05/02/2024;apertura;1200,00;;\nP2;C2;10/02/2024;valutazione_disagio;;lieve;\n"
         "P2;C2;20/02/2024;chiusura_altro;;;\n"
         "P3;C3;20/03/2024;apertura;200,00;;\n"
         "P6;C6;20/02/2024;apertura;300,00;;\nP6;C6;25/03/2024;valutazione_disagio;;grave;\n")
STOCK = 6000 + 1200 + 470 + 500 + 300 + 500  # 8,970


@pytest.fixture
def loaded(engine, settings, tmp_path):
    for kind, content in PORTFOLIO.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    for kind, content in (("movimenti", HEADER + MOVES), ("pratiche_morosita", CASES_HEADER + CASES)):
        result = load_text(tmp_path, kind, content, engine=engine, settings=settings)
        assert result.status == "completato" and result.quarantined == 0, result
    store.build(engine)
    return engine


def test_early_warning_lists_contracts_behind_without_an_open_case(loaded):
    listed = early_warning(loaded, as_of=D).set_index("lease_code")
    # C7 50 days, C5 45 days, C2 59 days (its case is closed); C1 (21 days), C3 and C6 (cases open) are not listed;
    # C4 ended without debt. Longest overdue first.
    assert listed.index.tolist() == ["C2", "C7", "C5"]
    c5 = listed.loc["C5"]
    assert (c5.first_unpaid_due, c5.first_unpaid_amount, c5.days_overdue, c5.balance) == (date(2024, 2, 15), 500.0,
                                                                                           45, 500.0)
    # +30: phone call and written reminder are due; next, at +60 (15/04/2024), the letter and the meeting.
    assert (c5.step_due, c5.step_since, c5.next_step, c5.next_step_on) == ("reminder", 30, "assessment",
                                                                           date(2024, 4, 15))
    assert (c5.band, c5.income_band, bool(c5.legal_action)) == ("fino a 1.000\xa0€", "protezione", False)
    c2 = listed.loc["C2"]
    assert (c2.first_unpaid_due, c2.days_overdue, c2.band) == (date(2024, 2, 1), 59, "da 1.000\xa0€ a 5.000\xa0€")
    assert (c2.step_due, c2.next_step_on) == ("reminder", date(2024, 4, 1))
    # the threshold is strict: C5's 45 days are not "more than 45"
    assert early_warning(loaded, as_of=D, days=45).lease_code.tolist() == ["C2", "C7"]


def test_a_payment_clearing_the_oldest_charge_moves_the_first_unpaid_date(loaded):
    # 19/03, before C7's payment: January's 250 is the first unpaid charge, 69 days old: the meeting is due (+60).
    before = early_warning(loaded, as_of=date(2024, 3, 19)).set_index("lease_code").loc["C7"]
    assert (before.first_unpaid_due, before.days_overdue, before.balance, before.step_due) == (
        date(2024, 1, 10), 69, 750.0, "assessment")
    # 31/03, after the 250 paid on 20/03 cleared January: February's charge, 50 days old, only the reminder is due.
    after = early_warning(loaded, as_of=D).set_index("lease_code").loc["C7"]
    assert (after.first_unpaid_due, after.first_unpaid_amount, after.days_overdue, after.balance,
            after.step_due) == (date(2024, 2, 10), 250.0, 50, 500.0, "reminder")


def test_voce_and_band_breakdowns_add_up_to_the_stock(loaded):
    assert arrears_stock(loaded, as_of=D).value == STOCK
    items = arrears_by_item(loaded, as_of=D).set_index("item")
    # canone: C2 1,200 + C3 350 + C5 500 + C6 300 + C7 500 = 2,850; spese 100; conguaglio C1 6,000; mora 20.
    assert items["amount"].to_dict() == {"canone": 2850.0, "spese": 100.0, "conguaglio": 6000.0, "mora": 20.0,
                                         "altro": 0.0}
    assert items.loc["canone", "contracts"] == 5 and items["amount"].sum() == STOCK
    bands = arrears_by_band(loaded, as_of=D).set_index("band")
    # up to 1,000: C3 470, C5 500, C6 300, C7 500 (4); 1,000-5,000: C2 1,200; over 5,000: C1 6,000.
    assert bands["contracts"].tolist() == [4, 1, 1]
    assert bands["amount"].tolist() == [1770.0, 1200.0, 6000.0] and bands["amount"].sum() == STOCK
    custom = arrears_by_band(loaded, as_of=D, bands=(400, 1000)).set_index("band")
    # up to 400: C6 300; 400-1,000: C3 470, C5 500, C7 500; over 1,000: C2 1,200, C1 6,000.
    assert custom["contracts"].tolist() == [1, 3, 2]
    assert custom["amount"].tolist() == [300.0, 1470.0, 7200.0]


def test_debt_band_edges():
    bands = debt_band(pd.Series([1000.0, 1000.01, 5000.0, 5000.01]))
    middle = "da 1.000\xa0€ a 5.000\xa0€"
    assert bands.tolist() == ["fino a 1.000\xa0€", middle, middle, "oltre 5.000\xa0€"]


def test_severity_splits(loaded):
    status = case_status(loaded, as_of=D)
    split = arrears_by_severity(loaded, as_of=D, status=status).set_index("severity")
    # lieve: C2 (its closed case) 1,200; grave: C6 300; non valutata: C3 470; no case: C1, C5, C7 = 7,000.
    assert split["amount"].to_dict() == {"lieve": 1200.0, "grave": 300.0, "non valutata": 470.0,
                                         "senza pratica": 7000.0}
    assert split["contracts"].tolist() == [1, 1, 1, 3] and split["amount"].sum() == STOCK
    outcomes = outcomes_by_severity(status).set_index(["severity", "outcome"])["cases"]
    assert outcomes[("lieve", "chiusa altro")] == 1 and outcomes[("grave", "in corso")] == 1
    assert outcomes[("non valutata", "in corso")] == 1 and outcomes.sum() == 3
    grid = band_by_severity(loaded, as_of=D, status=status).set_index(["band", "severity"])["contracts"]
    assert grid[("fino a 1.000\xa0€", "senza pratica")] == 2 and grid[("oltre 5.000\xa0€", "senza pratica")] == 1
    assert grid.sum() == 6


def test_the_clock_can_start_at_the_first_unpaid_charge(loaded):
    # P6 opened 20/02 on C6, whose first unpaid charge fell due 15/02; assessed on 25/03, the instrument is next,
    # due +90: 20/05/2024 from the opening, 15/05/2024 from the missed payment.
    by_opening = clocked_cases(loaded, as_of=D, anchor="opening").set_index("case_code")
    by_charge = clocked_cases(loaded, as_of=D, anchor="first_unpaid").set_index("case_code")
    assert by_opening.loc["P6", "next_step_due"] == date(2024, 5, 20)
    assert by_charge.loc["P6", "next_step_due"] == date(2024, 5, 15)
    assert by_charge.loc["P6", "clock_start"] == date(2024, 2, 15)
    # P3 opened 20/03 on C3, first unpaid 10/03 (canone, after the conguaglio paid): reminder due 09/04 vs 19/04.
    assert by_charge.loc["P3", "next_step_due"] == date(2024, 4, 9)
    assert by_opening.loc["P3", "next_step_due"] == date(2024, 4, 19)


def test_the_no_fault_rule_one_example_per_clause():
    rule = NoFaultRule(income_bands=("protezione", "accesso"), min_debt=300, max_debt=3000, no_legal_action=True)
    rows = pd.DataFrame([
        {"income_band": "accesso", "balance": 1000.0, "legal_action": False},     # every clause holds
        {"income_band": "permanenza", "balance": 1000.0, "legal_action": False},  # band clause fails
        {"income_band": "protezione", "balance": 299.99, "legal_action": False},  # below the minimum debt
        {"income_band": "protezione", "balance": 3000.01, "legal_action": False},  # above the maximum debt
        {"income_band": "protezione", "balance": 3000.0, "legal_action": True},   # a diffida or eviction on record
        {"income_band": None, "balance": 300.0, "legal_action": False},           # band unknown: not in the list
    ])
    assert looks_no_fault(rows, rule).tolist() == [True, False, False, False, False, False]
    # each clause can be switched off: Brescia's rule is only "debt under 5,000 €"
    brescia = NoFaultRule(income_bands=(), min_debt=None, max_debt=5000, no_legal_action=False)
    assert looks_no_fault(rows, brescia).tolist() == [True, True, True, True, True, True]


FLAG_CASES = (
    # C5 incolpevole grave, eviction started: in eviction.
    "Q1;C5;01/03/2022;apertura;;;\nQ1;C5;01/05/2022;valutazione_disagio;;grave;\nQ1;C5;05/05/2022;incolpevole;;;\n"
    "Q1;C5;20/05/2022;diffida;;;\nQ1;C5;01/02/2024;sfratto_avviato;;;\n"
    # C6 incolpevole grave, instrument done, eviction due 730 days after 15/04/2022 = 14/04/2024 (within 90 days).
    "Q2;C6;15/04/2022;apertura;;;\nQ2;C6;01/06/2022;valutazione_disagio;;grave;\nQ2;C6;05/06/2022;incolpevole;;;\n"
    "Q2;C6;01/07/2022;programma_supporto;;;\n"
    # C7 incolpevole but lieve, eviction started: not flagged.
    "Q3;C7;01/03/2022;apertura;;;\nQ3;C7;01/05/2022;valutazione_disagio;;lieve;\nQ3;C7;05/05/2022;incolpevole;;;\n"
    "Q3;C7;01/02/2024;sfratto_avviato;;;\n"
    # C3 grave colpevole, eviction started: not flagged.
    "Q4;C3;01/03/2023;apertura;;;\nQ4;C3;01/05/2023;valutazione_disagio;;grave;\nQ4;C3;05/05/2023;colpevole;;;\n"
    "Q4;C3;01/02/2024;sfratto_avviato;;;\n")


def test_no_fault_grave_cases_heading_to_eviction_are_flagged(engine, settings, tmp_path):
    for kind, content in PORTFOLIO.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    result = load_text(tmp_path, "pratiche_morosita", CASES_HEADER + FLAG_CASES, engine=engine, settings=settings)
    assert result.status == "completato", result
    store.build(engine)
    flags = eviction_flags(engine, as_of=D)
    assert flags[["case_code", "reason"]].values.tolist() == [["Q1", "sfratto in corso"], ["Q2", "sfratto in arrivo"]]
    assert flags.set_index("case_code").loc["Q2", "next_step_due"] == date(2024, 4, 14)
    # on 01/01/2024 Q1's eviction has not started and Q2's (14/04/2024) is 104 days away: nothing flagged
    assert eviction_flags(engine, as_of=date(2024, 1, 1))["case_code"].tolist() == []


def test_contract_history_has_balances_movements_and_events(loaded):
    history = contract_history(loaded, lease_code="C7", as_of=D)
    assert history.months[["month_end", "balance"]].values.tolist() == [
        [date(2024, 1, 31), 250.0], [date(2024, 2, 29), 500.0], [date(2024, 3, 31), 500.0]]
    assert history.movements["kind"].tolist() == ["addebito", "addebito", "addebito", "incasso"]
    six = contract_history(loaded, lease_code="C6", as_of=D)
    assert six.events["event"].tolist() == ["apertura", "valutazione_disagio"]
    assert six.timeline["what"].tolist() == ["addebito", "apertura", "valutazione_disagio"]
    # outside the caller's scope there is nothing to see
    from indicators.scope import Scope

    hidden = contract_history(loaded, lease_code="C6", as_of=D, scope=Scope(funds=("Fondo Uno",)))
    assert hidden.empty and hidden.months.empty
