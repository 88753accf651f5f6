"""Arrears cases on the procedure clock: stages, deadlines with tolerance, outcomes, instruments, plans.

Hand-built warehouses loaded through the real importer; every expected figure is worked out in a comment.
Day n counts from the case's opening; 2024 is a leap year, so from 01/01/2024: day 30 = 31/01/2024,
day 40 = 10/02/2024, day 41 = 11/02/2024, day 730 = 31/12/2025, day 740 = 10/01/2026.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
import pytest

from etl.loader import load_dir
from etl.sample import SAMPLE_END, generate
from indicators.cases import (case_status, case_summary, instruments_summary, late_cases, no_fault_share,
                              outcomes_summary, plan_recovery)
from indicators.scope import Scope
from osservatorio.settings import Settings
from schemas.db import make_engine
from schemas.migrate import upgrade
from tests.conftest import TEST_KEY
from tests.factories import load_text

# Two funds: Fondo Uno (INT1 -> E1 -> A1, A2 -> C1, C2) and Fondo Due (INT2 -> E2 -> A3 -> C3).
BASE = {
    "interventi": "codice_intervento;nome;comune;sgr;fondo\nINT1;Cenni;Milano;Polaris;Fondo Uno\n"
                  "INT2;Voltri;Genova;Investire;Fondo Due\n",
    "edifici": "codice_edificio;codice_intervento\nE1;INT1\nE2;INT2\n",
    "alloggi": "codice_alloggio;codice_edificio;regime;canone_mensile\nA1;E1;locazione_permanente;450,00\n"
               "A2;E1;locazione_termine;500,00\nA3;E2;locazione_permanente;400,00\n",
    "nuclei": "codice_nucleo;componenti\nN1;2\nN2;3\nN3;1\n",
    "contratti": "codice_contratto;codice_alloggio;codice_nucleo;data_inizio;canone_mensile\n"
                 "C1;A1;N1;01/01/2020;450,00\nC2;A2;N2;01/01/2020;500,00\nC3;A3;N3;01/01/2020;400,00\n",
}
CASES_HEADER = "codice_pratica;codice_contratto;data;evento;importo;gravita;note\n"


def load(tmp_path, engine, settings, cases: str, ledger: str | None = None) -> None:
    for kind, content in BASE.items():
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    result = load_text(tmp_path, "pratiche_morosita", CASES_HEADER + cases, engine=engine, settings=settings)
    assert result.quarantined == 0, result
    if ledger:
        result = load_text(tmp_path, "movimenti", "codice_contratto;data;tipo;importo\n" + ledger,
                           engine=engine, settings=settings)
        assert result.quarantined == 0, result


def same(fast, live) -> None:
    """Equal tables (cents apart at most: sums of floats in another order); an empty one has no dtypes to match."""
    pd.testing.assert_frame_equal(fast.reset_index(drop=True), live.reset_index(drop=True), check_dtype=False,
                                  check_exact=False, atol=0.005, rtol=0)


def by_case(frame, *columns):
    return {r.case_code: tuple(getattr(r, c) for c in columns) for r in frame.itertuples()}


# Each open case stands exactly at the tolerance of its next step on 10/01/2026, all due 31/12/2025:
# S0 opened 01/12/2025 -> sollecito due +30 = 31/12/2025; S1 opened 01/11/2025 -> valutazione +60 = 31/12/2025;
# S2 opened 02/10/2025 -> strumento +90 = 31/12/2025; S3 opened 01/01/2024 -> sfratto +730 = 31/12/2025
# (its diffida counts as instrument: the case is colpevole); S4 has started the eviction: nothing is due.
# S5 opened 20/11/2025 -> sollecito due 20/12/2025, already 21 - 10 = 11 days late on 10/01/2026.
STEPS = """S0;C1;01/12/2025;apertura;300,00;;
S1;C1;01/11/2025;apertura;;;
S1;C1;20/11/2025;sollecito_scritto;;;
S2;C1;02/10/2025;apertura;;;
S2;C1;30/10/2025;sollecito_telefonico;;;
S2;C1;25/11/2025;incontro;;;
S2;C1;25/11/2025;valutazione_disagio;;grave;
S3;C2;01/01/2024;apertura;;;
S3;C2;29/01/2024;sollecito_telefonico;;;
S3;C2;05/03/2024;colpevole;;;
S3;C2;25/03/2024;diffida;900,00;;
S4;C2;01/01/2024;apertura;;;
S4;C2;29/01/2024;sollecito_telefonico;;;
S4;C2;05/03/2024;colpevole;;;
S4;C2;25/03/2024;diffida;900,00;;
S4;C2;01/06/2025;sfratto_avviato;;;
S5;C1;20/11/2025;apertura;;;
"""


def test_cases_on_time_at_each_step_until_the_tolerance(tmp_path, engine, settings):
    load(tmp_path, engine, settings, STEPS)
    status = case_status(engine, as_of=date(2026, 1, 10))
    assert list(status.case_code) == ["S0", "S1", "S2", "S3", "S4", "S5"]
    assert by_case(status, "stage", "next_step", "next_step_due", "days_late", "late") == {
        "S0": ("aperta", "sollecito", date(2025, 12, 31), 0, False),
        "S1": ("sollecitata", "incontro e valutazione", date(2025, 12, 31), 0, False),
        "S2": ("valutata", "strumento", date(2025, 12, 31), 0, False),
        "S3": ("strumento attivo", "avvio sfratto", date(2025, 12, 31), 0, False),
        "S4": ("sfratto in corso", None, None, 0, False),
        "S5": ("aperta", "sollecito", date(2025, 12, 20), 11, True)}
    assert by_case(status, "assessment", "severity", "instrument", "outcome", "is_open")["S2"] == (
        None, "grave", None, "in corso", True)
    assert by_case(status, "assessment", "instrument", "last_event", "last_event_on", "opened_on")["S4"] == (
        "colpevole", "diffida", "sfratto_avviato", date(2025, 6, 1), date(2024, 1, 1))
    assert by_case(status, "unit_code", "building_code", "intervention_code", "fund")["S3"] == (
        "A2", "E1", "INT1", "Fondo Uno")


def test_cases_late_at_each_step_with_exact_days(tmp_path, engine, settings):
    load(tmp_path, engine, settings, STEPS)
    # 11/01/2026: 11 days past 31/12/2025, 1 beyond the tolerance; S5: 22 - 10 = 12.
    late = late_cases(engine, as_of=date(2026, 1, 11))
    assert [tuple(r) for r in late[["case_code", "overdue_step", "due_on", "days_late"]].itertuples(index=False)] == [
        ("S5", "sollecito", date(2025, 12, 20), 12), ("S0", "sollecito", date(2025, 12, 31), 1),
        ("S1", "incontro e valutazione", date(2025, 12, 31), 1), ("S2", "strumento", date(2025, 12, 31), 1),
        ("S3", "avvio sfratto", date(2025, 12, 31), 1)]
    # 10/02/2026 is 41 days past 31/12/2025: 31 beyond the tolerance; S5: 52 - 10 = 42.
    assert dict(late_cases(engine, as_of=date(2026, 2, 10))[["case_code", "days_late"]].values.tolist()) == {
        "S5": 42, "S0": 31, "S1": 31, "S2": 31, "S3": 31}
    summary = case_summary(engine, as_of=date(2026, 1, 11))
    assert (summary.code, summary.value, summary.numerator, summary.denominator) == ("late_cases", 5, 5, 6)
    assert summary.breakdown == {"open": 6, "late": 5, "closed": 0, "resolved": 0}
    # Only the cases opened in 2025 (S0, S1, S2, S5), all late.
    in_2025 = case_summary(engine, as_of=date(2026, 1, 11), start=date(2025, 1, 1), end=date(2025, 12, 31))
    assert (in_2025.value, in_2025.denominator) == (4, 4)


GRACE = """G1;C1;01/01/2024;apertura;;;
G2;C1;01/01/2024;apertura;;;
G2;C1;08/02/2024;sollecito_telefonico;;;
G3;C1;01/03/2024;apertura;;;
"""


def test_grace_boundary_on_the_reminder_step(tmp_path, engine, settings):
    load(tmp_path, engine, settings, GRACE)
    # Day 40 (10/02/2024): G1 without a reminder is on time; G2 reminded on day 38 is on time.
    day40 = case_status(engine, as_of=date(2024, 2, 10))
    assert by_case(day40, "stage", "days_late", "late") == {"G1": ("aperta", 0, False), "G2": ("sollecitata", 0, False)}
    # Day 41: G1 is 41 - 30 - 10 = 1 day late; G2's next step is due on day 60 (01/03/2024). G3 opens later.
    day41 = case_status(engine, as_of=date(2024, 2, 11))
    assert by_case(day41, "next_step_due", "days_late", "late") == {
        "G1": (date(2024, 1, 31), 1, True), "G2": (date(2024, 3, 1), 0, False)}
    # No tolerance: on day 31 both are 1 day late; G2's reminder of day 38 has not happened yet.
    day31 = case_status(engine, as_of=date(2024, 2, 1), grace_days=0)
    assert by_case(day31, "stage", "days_late") == {"G1": ("aperta", 1), "G2": ("aperta", 1)}
    # Events after as_of are ignored: before G2's reminder (day 37) G2 is still "aperta".
    assert case_status(engine, as_of=date(2024, 2, 7)).set_index("case_code").stage["G2"] == "aperta"


CLOSED = """K1;C1;01/01/2024;apertura;;;
K1;C1;10/01/2024;chiusura_saldo;300,00;;
K2;C1;01/01/2024;apertura;;;
K2;C1;10/01/2024;chiusura_altro;;;
K3;C2;01/01/2024;apertura;;;
K3;C2;05/03/2024;colpevole;;;
K3;C2;25/03/2024;diffida;;;
K3;C2;01/09/2024;sfratto_avviato;;;
K3;C2;01/06/2025;sfratto_eseguito;;;
K4;C2;01/01/2024;apertura;;;
K4;C2;01/06/2024;sfratto_eseguito;;;
K4;C2;01/06/2024;chiusura_altro;;;
"""


def test_closed_cases_are_never_late(tmp_path, engine, settings):
    load(tmp_path, engine, settings, CLOSED)
    status = case_status(engine, as_of=date(2027, 1, 1))
    # K4: the eviction and the closure fall on one day; the eviction takes precedence.
    assert by_case(status, "stage", "outcome", "is_open", "next_step", "days_late", "late") == {
        "K1": ("chiusa - saldata", "risolta", False, None, 0, False),
        "K2": ("chiusa - altro", "chiusa altro", False, None, 0, False),
        "K3": ("chiusa - sfratto eseguito", "sfratto", False, None, 0, False),
        "K4": ("chiusa - sfratto eseguito", "sfratto", False, None, 0, False)}
    assert late_cases(engine, as_of=date(2027, 1, 1)).empty
    summary = case_summary(engine, as_of=date(2027, 1, 1))
    assert (summary.value, summary.denominator) == (0, 0)
    assert summary.breakdown == {"open": 0, "late": 0, "closed": 4, "resolved": 1}
    # Before its eviction was carried out (31/05/2025), K3 was an eviction in progress, with nothing due.
    assert by_case(case_status(engine, as_of=date(2025, 5, 31)), "stage", "late")["K3"] == ("sfratto in corso", False)


# R1: plan on day 84 (25/03/2024) runs to 24/09/2025, before day 730: eviction due 31/12/2025.
# R2: a second plan on 01/07/2025 runs 548 days, to 31/12/2026: the eviction waits until then.
# R3: a support programme is no running instrument: eviction due 31/12/2025.
RUNNING = """R1;C1;01/01/2024;apertura;;;
R1;C1;29/01/2024;sollecito_telefonico;;;
R1;C1;26/02/2024;incolpevole;;;
R1;C1;25/03/2024;piano_rientro;1200,00;;
R2;C1;01/01/2024;apertura;;;
R2;C1;29/01/2024;sollecito_telefonico;;;
R2;C1;26/02/2024;incolpevole;;;
R2;C1;25/03/2024;piano_rientro;1200,00;;
R2;C1;01/07/2025;piano_rientro;800,00;;
R3;C1;01/01/2024;apertura;;;
R3;C1;29/01/2024;sollecito_telefonico;;;
R3;C1;26/02/2024;incolpevole;;;
R3;C1;25/03/2024;programma_supporto;;;
"""


def test_a_running_instrument_suspends_the_eviction_deadline(tmp_path, engine, settings):
    load(tmp_path, engine, settings, RUNNING)
    status = case_status(engine, as_of=date(2026, 1, 11))
    assert by_case(status, "next_step_due", "days_late", "outcome", "instrument") == {
        "R1": (date(2025, 12, 31), 1, "in corso", "piano_rientro"),
        "R2": (date(2026, 12, 31), 0, "piano in corso", "piano_rientro"),
        "R3": (date(2025, 12, 31), 1, "in corso", "programma_supporto")}
    # While R1's plan ran (until 24/09/2025) it was "piano in corso".
    assert by_case(case_status(engine, as_of=date(2025, 9, 24)), "outcome")["R1"] == ("piano in corso",)
    # R2 becomes late 11 days after 31/12/2026, by 1 day beyond the tolerance.
    assert by_case(case_status(engine, as_of=date(2027, 1, 11)), "days_late")["R2"] == (1,)


ASSESSED = """N1;C1;10/01/2024;apertura;;;
N1;C1;01/03/2024;incolpevole;;;
N2;C1;10/01/2024;apertura;;;
N2;C1;01/03/2024;incolpevole;;;
N3;C1;10/02/2024;apertura;;;
N3;C1;01/04/2024;colpevole;;;
N4;C1;10/02/2024;apertura;;;
N4;C1;01/04/2024;colpevole;;;
N4;C1;01/05/2024;incolpevole;;;
N5;C1;10/02/2024;apertura;;;
N6;C1;10/02/2024;apertura;;;
N6;C1;01/08/2024;incolpevole;;;
"""


def test_no_fault_share(tmp_path, engine, settings):
    load(tmp_path, engine, settings, ASSESSED)
    # On 30/06/2024: incolpevole N1, N2, N4 (its latest assessment); colpevole N3; N5 and N6 (later) not assessed.
    share = no_fault_share(engine, as_of=date(2024, 6, 30))
    assert (share.code, share.value, share.numerator, share.denominator) == ("no_fault_share", 75.0, 3, 4)
    assert share.breakdown == {"no_fault": 3, "culpable": 1, "not_assessed": 2}
    # Cases opened from 01/02/2024: N4 incolpevole, N3 colpevole -> 1 / 2 = 50 points.
    assert no_fault_share(engine, as_of=date(2024, 6, 30), start=date(2024, 2, 1)).value == 50.0
    # On 15/02/2024 nothing is assessed yet.
    early = no_fault_share(engine, as_of=date(2024, 2, 15))
    assert early.value is None and early.warnings


# I1 plan then paid; I2 plan running; I3 colpevole, diffida, evicted; I4 fund then closed otherwise;
# I5 diffida without colpevole (no instrument); I6 microcredit then a plan, then paid.
INSTRUMENTS = """I1;C1;01/01/2024;apertura;;;
I1;C1;20/03/2024;piano_rientro;1200,00;;
I1;C1;30/09/2024;chiusura_saldo;;;
I2;C1;01/01/2024;apertura;;;
I2;C1;20/03/2024;piano_rientro;600,00;;
I3;C2;01/01/2024;apertura;;;
I3;C2;05/03/2024;colpevole;;;
I3;C2;20/03/2024;diffida;900,00;;
I3;C2;01/06/2024;sfratto_avviato;;;
I3;C2;01/12/2024;sfratto_eseguito;;;
I4;C2;01/01/2024;apertura;;;
I4;C2;20/03/2024;fondo_solidarieta;500,00;;
I4;C2;01/10/2024;chiusura_altro;;;
I5;C1;01/01/2024;apertura;;;
I5;C1;20/03/2024;diffida;300,00;;
I6;C1;01/01/2024;apertura;;;
I6;C1;20/03/2024;microcredito;800,00;;
I6;C1;20/04/2024;piano_rientro;400,00;;
I6;C1;20/10/2024;chiusura_saldo;;;
"""


def test_instruments_and_outcomes(tmp_path, engine, settings):
    load(tmp_path, engine, settings, INSTRUMENTS)
    table = instruments_summary(engine, as_of=date(2024, 12, 31)).set_index("instrument")
    # piano_rientro: I1 (resolved), I2 (open), I6 (resolved), 1200 + 600 + 400 = 2200.
    assert table.loc["piano_rientro"].tolist() == [3, 2200.0, 2, 1, 0, 0]
    assert table.loc["microcredito"].tolist() == [1, 800.0, 1, 0, 0, 0]
    assert table.loc["fondo_solidarieta"].tolist() == [1, 500.0, 0, 0, 0, 1]
    assert table.loc["diffida"].tolist() == [1, 900.0, 0, 0, 1, 0]  # I3 only: I5 is not colpevole
    assert table.loc["cambio_alloggio"].tolist() == [0, 0.0, 0, 0, 0, 0]
    assert list(table.index) == ["microcredito", "piano_rientro", "fondo_solidarieta", "cambio_alloggio",
                                 "programma_supporto", "assicurazione", "riduzione_canone", "diffida"]
    assert by_case(case_status(engine, as_of=date(2024, 12, 31)), "instrument")["I6"] == ("microcredito",)
    outcomes = outcomes_summary(engine, as_of=date(2024, 12, 31))
    # risolta I1, I6; piano in corso I2; sfratto I3; in corso I5; chiusa altro I4: 6 cases.
    assert outcomes[["outcome", "cases"]].values.tolist() == [
        ["risolta", 2], ["piano in corso", 1], ["sfratto", 1], ["in corso", 1], ["chiusa altro", 1]]
    assert outcomes.share.tolist() == pytest.approx([200 / 6, 100 / 6, 100 / 6, 100 / 6, 100 / 6])
    # On 30/06/2024 nothing is closed: I1, I2, I6 run plans (piano in corso), I3 and I5 in corso, I4 fund runs.
    early = outcomes_summary(engine, as_of=date(2024, 6, 30)).set_index("outcome").cases
    assert early.to_dict() == {"risolta": 0, "piano in corso": 4, "sfratto": 0, "in corso": 2, "chiusa altro": 0}


# P1 on C1: plan 15/03/2024 for the 900 then owed, paid off 30/06/2024. P3 on C1: plan 01/04/2024, closed
# 30/06/2024 (overlaps P1: the lease's window runs 15/03-30/06). P2 on C2: plan 01/05/2024, open on 01/08/2024.
PLANS = """P1;C1;01/02/2024;apertura;;;
P1;C1;15/03/2024;piano_rientro;900,00;;
P1;C1;30/06/2024;chiusura_saldo;;;
P3;C1;01/03/2024;apertura;;;
P3;C1;01/04/2024;piano_rientro;100,00;;
P3;C1;30/06/2024;chiusura_altro;;;
P2;C2;01/03/2024;apertura;;;
P2;C2;01/05/2024;piano_rientro;500,00;;
"""
# Charges fall due on the 10th (the default). C1: rent 450 from January, paid only in January, then 600 a
# month (rent + 150) from April, a 30 reversal in May, 999 after the closure. C2: rent 500 from March, unpaid
# until the plan, then 700 a month.
PLAN_LEDGER = "".join(f"C1;10/{m:02d}/2024;addebito;450,00\n" for m in range(1, 8)) + """C1;10/01/2024;incasso;450,00
C1;10/04/2024;incasso;600,00
C1;10/05/2024;incasso;600,00
C1;20/05/2024;storno;30,00
C1;10/06/2024;incasso;600,00
C1;10/07/2024;incasso;999,00
""" + "".join(f"C2;10/{m:02d}/2024;addebito;500,00\n" for m in range(3, 9)) + """C2;10/05/2024;incasso;700,00
C2;10/06/2024;incasso;700,00
C2;10/07/2024;incasso;700,00
C3;10/05/2024;incasso;777,00
"""


def test_plan_recovery_measures_old_debt_paid_off_after_the_plan(tmp_path, engine, settings):
    load(tmp_path, engine, settings, PLANS, PLAN_LEDGER)
    recovery = plan_recovery(engine, as_of=date(2024, 8, 1))
    # C1, window (15/03, 30/06]: debt at 15/03 = 3 x 450 - 450 = 900; paid 3 x 600 = 1800; fell due 3 x 450 = 1350
    # less the 30 reversal = 1320; surplus 480 -> min(900 + 100 planned, 900, 480) = 480 (999 after closure: out).
    # C2, window (01/05, 01/08]: debt at 01/05 = 2 x 500 = 1000; paid 2100; fell due 3 x 500 = 1500; surplus 600
    # -> min(500 planned, 1000, 600) = 500. Total 980.
    assert (recovery.code, recovery.value, recovery.numerator) == ("plan_recovery_eur", 980.0, 980.0)
    assert recovery.breakdown == {"plans": 3, "planned": 1500.0}
    # From 01/06/2024. C1 (01/06, 30/06]: debt 5 x 450 - (450 + 600 + 600 + 30) = 570; surplus 600 - 450 = 150
    # -> 150. C2 (01/06, 01/08]: debt 3 x 500 - 700 = 800; surplus 1400 - 1000 = 400 -> min(500, 800, 400) = 400.
    assert plan_recovery(engine, as_of=date(2024, 8, 1), start=date(2024, 6, 1)).value == 550.0
    # A period counts its first day's movements: from 10/06/2024, the debt is taken at the end of 09/06 (C1 570,
    # C2 800) and the payments and charges of 10/06 are in the window: the same 150 + 400 (taking the debt after
    # 10/06 would give C1 0 and C2 200).
    assert plan_recovery(engine, as_of=date(2024, 8, 1), start=date(2024, 6, 10)).value == 550.0
    # On 30/04/2024 only P1 and P3 are signed: C1 (15/03, 30/04]: surplus 600 - 450 = 150.
    early = plan_recovery(engine, as_of=date(2024, 4, 30))
    assert (early.value, early.breakdown["plans"]) == (150.0, 2)
    none = plan_recovery(engine, as_of=date(2024, 3, 1))
    assert none.value is None and none.warnings


def test_plan_recovery_per_building_at_month_ends_equals_the_hand_figures(tmp_path, engine, settings):
    """Plan recovery at month ends, the figures worked out above; an end date gives the same."""
    load(tmp_path, engine, settings, PLANS, PLAN_LEDGER)
    # 31/07/2024: as on 01/08 (C1 closed 30/06; C2 (01/05, 31/07]: debt 1000, surplus 2100 - 1500 = 600 -> 500).
    july = plan_recovery(engine, as_of=date(2024, 7, 31))
    assert (july.value, july.breakdown) == (980.0, {"plans": 3, "planned": 1500.0})
    # 30/04/2024: P1 and P3 only, C1 (15/03, 30/04]: 150. 31/05/2024: C2's plan signed 01/05; C1 (15/03, 31/05]:
    # paid 1200, fell due 900 less the 30 reversal -> 330; C2 (01/05, 31/05]: paid 700, fell due 500 -> 200.
    april, may = plan_recovery(engine, as_of=date(2024, 4, 30)), plan_recovery(engine, as_of=date(2024, 5, 31))
    assert (april.value, april.breakdown["plans"], may.value, may.breakdown["plans"]) == (150.0, 2, 530.0, 3)
    # The same from the events and the ledger (an end date makes the figure a live one).
    for d in (date(2024, 4, 30), date(2024, 5, 31), date(2024, 7, 31)):
        live = plan_recovery(engine, as_of=d, end=d)
        fast = plan_recovery(engine, as_of=d)
        assert (fast.value, fast.breakdown) == (live.value, live.breakdown)
    assert plan_recovery(engine, as_of=date(2024, 2, 29)).value is None
    # C2 pays 300 more on 20/07: surplus 900 -> still capped at the 500 planned; C1 is closed. So 980 again.
    result = load_text(tmp_path, "movimenti", "codice_contratto;data;tipo;importo\nC2;20/07/2024;incasso;300,00\n",
                       engine=engine, settings=settings)
    assert result.loaded == 1
    assert plan_recovery(engine, as_of=date(2024, 7, 31)).value == 980.0


TWO_FUNDS = """U1;C1;01/01/2024;apertura;;;
U1;C1;01/03/2024;incolpevole;;;
U1;C1;20/03/2024;piano_rientro;1000,00;;
D1;C3;01/01/2024;apertura;;;
D1;C3;01/03/2024;colpevole;;;
D1;C3;20/03/2024;piano_rientro;700,00;;
D2;C3;01/01/2024;apertura;;;
"""
TWO_FUNDS_LEDGER = ("C1;10/01/2024;addebito;1000,00\nC3;10/01/2024;addebito;700,00\n"
                    "C1;10/04/2024;incasso;111,00\nC3;10/04/2024;incasso;222,00\n")


def test_a_caller_scoped_to_one_fund_never_sees_the_other(tmp_path, engine, settings):
    load(tmp_path, engine, settings, TWO_FUNDS, TWO_FUNDS_LEDGER)
    due, as_of = Scope(funds=("Fondo Due",)), date(2024, 6, 30)
    status = case_status(engine, as_of=as_of, scope=due)
    assert list(status.case_code) == ["D1", "D2"] and set(status.fund) == {"Fondo Due"}
    # D2 opened 01/01/2024 with no reminder: 181 - 30 - 10 = 141 days late on 30/06/2024.
    assert late_cases(engine, as_of=as_of, scope=due)[["case_code", "days_late"]].values.tolist() == [["D2", 141]]
    summary = case_summary(engine, as_of=as_of, scope=due)
    assert (summary.value, summary.denominator, summary.breakdown["open"]) == (1, 2, 2)
    share = no_fault_share(engine, as_of=as_of, scope=due)
    assert (share.value, share.numerator, share.denominator) == (0.0, 0, 1)
    plans = instruments_summary(engine, as_of=as_of, scope=due).set_index("instrument").loc["piano_rientro"]
    assert (plans.cases, plans.amount) == (1, 700.0)
    assert outcomes_summary(engine, as_of=as_of, scope=due).cases.sum() == 2
    recovery = plan_recovery(engine, as_of=as_of, scope=due)
    assert (recovery.value, recovery.breakdown) == (222.0, {"plans": 1, "planned": 700.0})
    # Fondo Uno sees only U1; a fund with no cases gets no figure, with a reason.
    assert list(case_status(engine, as_of=as_of, scope=Scope(funds=("Fondo Uno",))).case_code) == ["U1"]
    assert plan_recovery(engine, as_of=as_of, scope=Scope(funds=("Fondo Uno",))).value == 111.0
    nobody = Scope(funds=("Fondo Tre",))
    assert case_status(engine, as_of=as_of, scope=nobody).empty
    assert late_cases(engine, as_of=as_of, scope=nobody).empty
    assert case_summary(engine, as_of=as_of, scope=nobody).value is None
    assert no_fault_share(engine, as_of=as_of, scope=nobody).warnings
    assert instruments_summary(engine, as_of=as_of, scope=nobody).cases.sum() == 0
    assert outcomes_summary(engine, as_of=as_of, scope=nobody).cases.sum() == 0
    assert plan_recovery(engine, as_of=as_of, scope=nobody).value is None


def test_every_case_figure_of_a_scope_is_its_own_query(tmp_path, engine, settings):
    """The figures the Morosità page shows for Fondo Due at 30/06/2024, each from its own query."""
    load(tmp_path, engine, settings, TWO_FUNDS, TWO_FUNDS_LEDGER)
    due, as_of = Scope(funds=("Fondo Due",)), date(2024, 6, 30)
    assert late_cases(engine, as_of=as_of, scope=due)[["case_code", "days_late"]].values.tolist() == [["D2", 141]]
    late = case_summary(engine, as_of=as_of, scope=due)
    assert (late.value, late.denominator) == (1, 2)
    share = no_fault_share(engine, as_of=as_of, scope=due)
    assert (share.value, share.denominator) == (0.0, 1)


def test_case_figures_follow_the_dates_and_a_new_event_changes_them(tmp_path, engine, settings):
    load(tmp_path, engine, settings, TWO_FUNDS, TWO_FUNDS_LEDGER)
    for as_of in (date(2024, 3, 31), date(2024, 2, 29), date(2023, 12, 31)):
        for scope in (Scope(), Scope(funds=("Fondo Due",)), Scope(funds=("Fondo Uno",)), Scope(funds=("Fondo Tre",))):
            fast, live = plan_recovery(engine, as_of=as_of, scope=scope), plan_recovery(engine, as_of=as_of,
                                                                                        scope=scope, end=as_of)
            assert (fast.value, fast.breakdown, fast.warnings) == (live.value, live.breakdown, live.warnings)
    # On 31/03/2024 Fondo Due has D1 (assessed colpevole, plan signed) and D2 (no reminder: late).
    assert late_cases(engine, as_of=date(2024, 3, 31), scope=Scope(funds=("Fondo Due",))).case_code.tolist() == ["D2"]
    plans = instruments_summary(engine, as_of=date(2024, 3, 31)).set_index("instrument")
    assert (plans.loc["piano_rientro", "cases"], plans.loc["piano_rientro", "amount"]) == (2, 1700.0)
    due = case_summary(engine, as_of=date(2024, 3, 31), scope=Scope(funds=("Fondo Due",)))
    assert (due.value, due.denominator, due.breakdown["closed"]) == (1, 2, 0)
    # D2 is reminded and met in March: its next step, the instrument, is due on day 90 (31/03/2024), so it is no longer late.
    result = load_text(tmp_path, "pratiche_morosita", CASES_HEADER + "D2;C3;15/03/2024;sollecito_scritto;;;\n"
                       "D2;C3;20/03/2024;incontro;;;\n", engine=engine, settings=settings)
    assert result.loaded == 2
    assert case_summary(engine, as_of=date(2024, 3, 31), scope=Scope(funds=("Fondo Due",))).value == 0


@pytest.fixture(scope="module")
def sample_engine(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cases_sample")
    generate(folder / "csv")
    url = f"sqlite:///{folder / 'warehouse.db'}"
    upgrade(url)
    engine = make_engine(url)
    load_dir(folder / "csv", engine=engine, settings=Settings(database_url=url, pseudonym_key=TEST_KEY))
    yield engine
    engine.dispose()


def test_default_sample_has_a_minority_of_open_cases_late(sample_engine):
    status = case_status(sample_engine, as_of=SAMPLE_END)
    open_cases = status[status.is_open]
    assert len(open_cases) > 100
    share = open_cases.late.mean()
    # The generator stalls about a fifth of its open cases. Besides those, the procedure flags the open
    # cases whose only instrument (rent reduction, support programme) is not a running one and that are
    # more than 24 months old without an eviction: the generator leaves some of these open for years. About two in
    # five recent episodes have no case yet (the early-warning list), so a few more of the open cases are old ones.
    assert 0.10 <= share <= 0.38
    stalled = open_cases.late & ~((open_cases.next_step == "avvio sfratto")
                                  & open_cases.instrument.isin(["riduzione_canone", "programma_supporto"]))
    assert 0.10 <= stalled.mean() <= 0.30
