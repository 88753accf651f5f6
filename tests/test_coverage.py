"""A figure asked outside the dates its data covers says "nessun dato per il periodo", never 0,00 € or 0,0%.

    Base portfolio (tests/factories.py): INT1, units A1, A2, A3; leases C1 (A1, 450 €) and C2 (A2, 500 €).
    Movements begin on 01/03/2024: C1 billed 450 € with due date 10/02/2024 (an old charge brought in with the
    first export) and C2 billed 500 € due 10/03/2024, paid 500 € on 12/03/2024.
    Tickets begin on 01/06/2024: T1 on E1, closed 11/06/2024, 300 €.
  -> at 29/02/2024 there is no ledger yet: before, the old charge gave a stock of 450 € and 100% of nuclei
     overdue; now no data. At 31/03/2024: stock 450 €; over January-March the rate on billing is 450 / 950
     = 47,4%, with a note that the period is only partly covered.
  -> ticket cost per unit over January-May 2024: before, 0,00 €; now no data. Over June: 300 / 3 = 100 €.
"""

from __future__ import annotations

from datetime import date

import re

import pytest
from streamlit.testing.v1 import AppTest

from dashboard.tables import _spark
from indicators import catalog, coverage
from indicators.arrears import arrears_kpis
from tests.factories import load_base, load_text

MOVES = ("codice_contratto;data;tipo;importo;voce;scadenza\nC1;01/03/2024;addebito;450,00;canone;10/02/2024\n"
         "C2;01/03/2024;addebito;500,00;canone;10/03/2024\nC2;12/03/2024;incasso;500,00;;\n")
TICKETS = ("codice_segnalazione;codice_edificio;categoria;data_apertura;data_chiusura;costo\n"
           "T1;E1;idraulica;01/06/2024;11/06/2024;300,00\n")
BEFORE = "nessun dato per il periodo: i movimenti contabili iniziano il 01/03/2024"


@pytest.fixture
def warehouse(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    for kind, content in (("movimenti", MOVES), ("segnalazioni", TICKETS)):
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    return engine


def test_ledger_figures_before_the_first_movement_are_no_data(warehouse):
    stock = catalog.compute(warehouse, "arrears_stock_eur", as_of=date(2024, 2, 29))
    assert (stock.value, stock.no_data, stock.warnings) == (None, True, [BEFORE])
    share = catalog.compute(warehouse, "households_in_arrears_pct", as_of=date(2024, 2, 29))
    assert share.value is None and share.no_data
    bundle = arrears_kpis(warehouse, start=date(2023, 3, 1), end=date(2024, 2, 29))
    assert {code: v.value for code, v in bundle.items()} == dict.fromkeys(bundle)
    assert all(v.warnings == [BEFORE] for v in bundle.values())
    by = catalog.compute(warehouse, "arrears_stock_eur", as_of=date(2024, 2, 29), by="intervention")
    assert by.empty and by.attrs["warnings"] == [BEFORE] and "value" in by.columns
    aging = catalog.compute(warehouse, "arrears_aging", as_of=date(2024, 2, 29))
    assert aging.empty and aging.attrs["warnings"] == [BEFORE]


def test_ledger_figures_inside_the_data_and_a_partly_covered_period(warehouse):
    stock = catalog.compute(warehouse, "arrears_stock_eur", as_of=date(2024, 3, 31))
    assert stock.value == pytest.approx(450.0) and not stock.no_data and stock.warnings == []
    rate = catalog.compute(warehouse, "arrears_rate_billed", as_of=date(2024, 3, 31), start=date(2024, 1, 1),
                           end=date(2024, 3, 31))
    assert rate.value == pytest.approx(450 / 950 * 100)
    assert rate.warnings == ["periodo coperto solo in parte: i movimenti contabili iniziano il 01/03/2024"]
    bundle = arrears_kpis(warehouse, start=date(2024, 1, 1), end=date(2024, 3, 31))
    assert bundle["arrears_stock_eur"].warnings == [] and bundle["arrears_rate_billed"].warnings == rate.warnings


def test_ticket_figures_outside_the_tickets_are_no_data(warehouse):
    before = catalog.compute(warehouse, "ticket_cost_per_unit_eur", as_of=date(2024, 5, 31), start=date(2024, 1, 1),
                             end=date(2024, 5, 31))
    assert before.value is None and before.warnings == [
        "nessun dato per il periodo: le segnalazioni iniziano il 01/06/2024"]
    june = catalog.compute(warehouse, "ticket_cost_per_unit_eur", as_of=date(2024, 6, 30), start=date(2024, 6, 1),
                           end=date(2024, 6, 30))
    assert june.value == pytest.approx(100.0) and not june.no_data
    after = catalog.compute(warehouse, "ticket_cost_per_unit_eur", as_of=date(2025, 3, 31), start=date(2025, 1, 1),
                            end=date(2025, 3, 31))
    assert after.value is None and after.warnings == [
        "nessun dato per il periodo: le segnalazioni si fermano al 11/06/2024"]
    assert catalog.compute(warehouse, "ticket_backlog", as_of=date(2024, 5, 31)).no_data


def test_a_source_never_loaded_says_what_is_missing(warehouse):
    waiting = catalog.compute(warehouse, "waiting_list", as_of=date(2024, 3, 31))
    assert waiting.value is None and waiting.warnings == [
        "nessun dato per il periodo: mancano le domande di assegnazione"]
    assert coverage.gap(warehouse, "vacancy_rate", as_of=date(2000, 1, 1)) is None  # not tracked: its own messages


def test_sparklines_leave_out_months_without_data():
    assert _spark([None] * 11 + [0.0]) is None  # was drawn as the text ",,,,,,,,,,,0"
    assert _spark([None, None, 1.5, float("nan"), 2.0]) == [1.5, 2.0]


def test_a_tile_outside_the_data_says_so():
    def script():
        from dashboard import tiles
        from indicators import coverage
        from indicators.results import KpiValue

        tiles.tile(coverage.no_data("arrears_stock_eur", "nessun dato per il periodo: i movimenti contabili "
                                    "iniziano il 01/03/2024"), previous=KpiValue("arrears_stock_eur", 10.0))

    at = AppTest.from_function(script, default_timeout=30).run()
    assert at.metric[0].value == "Nessun dato"
    shown = re.sub(r"\\(.)", r"\1", at.caption[0].value)  # as the reader sees it, without Markdown escapes
    assert "nessun dato per il periodo: i movimenti contabili iniziano il 01/03/2024" in shown


def test_every_dated_source_has_its_span_in_the_copy():
    """A source the figures check their dates against is one the `source_span` fact measures (else its span would
    read as empty and every figure on it as "no data")."""
    from indicators.coverage import KPI_SOURCES, SOURCES
    from indicators.facts import SPAN_COLUMNS

    assert set(SOURCES) == set(SPAN_COLUMNS)
    assert {s for sources in KPI_SOURCES.values() for s in sources} <= set(SOURCES)
