"""A load that moves a building to another intervention changes every figure and label that depends on it.

Base portfolio (tests/factories.py): INT1 «Cenni di Cambiamento» (Fondo Uno) with buildings E1 (units A1, A2, let
to C1 and C2) and E2 (unit A3, empty). INT2 (Fondo Due) has no building until E1 moves to it.
"""

from __future__ import annotations

from datetime import date

from indicators.arrears import arrears_stock
from indicators.cases import late_cases
from indicators.scope import Scope
from indicators.vacancy import vacancy
from tests.factories import load_base, load_text

D = date(2024, 3, 31)
SECOND = "codice_intervento;nome;comune;sgr;fondo\nINT2;Via Padova;Milano;Polaris;Fondo Due\n"
# C1 owes January's 450 € (due 10/01), C2 February's 500 € (due 10/02): 950 € at 31/03/2024, all in E1.
LEDGER = "codice_contratto;data;tipo;importo\nC1;10/01/2024;addebito;450,00\nC2;10/02/2024;addebito;500,00\n"
# C1's case opened 01/01/2024 and nothing since: the reminder due at +30 days is late at 31/03/2024.
CASE = "codice_pratica;codice_contratto;data;evento;importo;gravita;note\nP1;C1;01/01/2024;apertura;;;\n"


def _by_intervention(frame) -> dict:
    return {row.group: row.numerator for row in frame.itertuples() if row.numerator}


def test_moving_a_building_moves_its_figures_and_labels(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    for kind, content in (("interventi", SECOND), ("movimenti", LEDGER), ("pratiche_morosita", CASE)):
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).quarantined == 0
    assert _by_intervention(arrears_stock(engine, as_of=D, by="intervention")) == {"INT1": 950.0}
    assert arrears_stock(engine, as_of=D, scope=Scope(funds=("Fondo Due",))).value is None  # no lease there
    late = late_cases(engine, as_of=D)
    assert late[["case_code", "building_code", "intervention_code", "fund"]].values.tolist() == [
        ["P1", "E1", "INT1", "Fondo Uno"]]
    units = vacancy(engine, as_of=D, by="intervention").set_index("group")
    assert (units.loc["INT1", "denominator"], units.loc["INT1", "numerator"]) == (3, 1)

    moved = load_text(tmp_path, "edifici", "codice_edificio;codice_intervento;indirizzo\nE1;INT2;Via Cenni 1\n",
                      engine=engine, settings=settings)
    assert moved.loaded == 1

    assert _by_intervention(arrears_stock(engine, as_of=D, by="intervention")) == {"INT2": 950.0}
    assert arrears_stock(engine, as_of=D, scope=Scope(funds=("Fondo Due",))).value == 950.0
    assert arrears_stock(engine, as_of=D, scope=Scope(funds=("Fondo Uno",))).value is None
    late = late_cases(engine, as_of=D)
    assert late[["case_code", "building_code", "intervention_code", "fund"]].values.tolist() == [
        ["P1", "E1", "INT2", "Fondo Due"]]
    units = vacancy(engine, as_of=D, by="intervention").set_index("group")
    assert (units.loc["INT1", "denominator"], units.loc["INT1", "numerator"]) == (1, 1)  # A3, empty
    assert (units.loc["INT2", "denominator"], units.loc["INT2", "numerator"]) == (2, 0)  # A1 and A2, let
