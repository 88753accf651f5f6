"""A build after a load reads only what the loads after the previous copy wrote (`indicators.copying.carry_table`),
and the copy it makes is the copy a build from scratch makes, on SQLite and PostgreSQL.

The warehouse holds the base portfolio (tests/factories.py) and a ledger of four movements; the second load adds
C2's January rent (500 €, due 10/01/2024) and moves building E1 to intervention INT2 (a changed row).
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import text

from indicators import catalog, store
from tests.factories import load_base, load_text

LEDGER = ("codice_contratto;data;tipo;importo\nC1;10/01/2024;addebito;450,00\nC1;10/02/2024;addebito;450,00\n"
          "C1;15/02/2024;incasso;450,00\nC2;10/02/2024;addebito;500,00\n")
MORE = "codice_contratto;data;tipo;importo\nC2;10/01/2024;addebito;500,00\n"
SECOND = "codice_intervento;nome;comune;sgr;fondo\nINT2;Via Padova;Milano;Polaris;Fondo Due\n"
MOVED = "codice_edificio;codice_intervento;indirizzo\nE1;INT2;Via Cenni 1\n"
JANUARY = date(2024, 1, 31)


def copied(engine) -> dict[str, list[tuple]]:
    """Every copied table of the copy in use, its rows in key order."""
    cursor = store.reader(engine)
    out = {}
    for table in store.copied_tables():
        key = ", ".join(f'"{c.name}"' for c in table.primary_key.columns)
        out[table.name] = cursor.execute(f'SELECT * FROM "{table.name}" ORDER BY {key}').fetchall()
    return out


def steps(result) -> dict[str, int | None]:
    return {s.name: s.rows for s in result.steps if s.name.startswith(("carry ", "copy "))}


def test_a_build_reads_only_the_new_loads_and_equals_a_build_from_scratch(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    for kind, content in (("interventi", SECOND), ("movimenti", LEDGER)):
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).quarantined == 0
    first = store.build(engine)
    assert steps(first)["copy ledger_entry"] == 4  # no copy before: every row read
    assert load_text(tmp_path, "movimenti", MORE, engine=engine, settings=settings, name="altri.csv").loaded == 1
    assert load_text(tmp_path, "edifici", MOVED, engine=engine, settings=settings).loaded == 1

    carried = store.build(engine)
    read = steps(carried)
    assert (read["carry ledger_entry"], read["carry building"], read["carry unit"]) == (1, 1, 0)
    assert not [name for name in read if name.startswith("copy ") and name != "copy load_batch"]
    assert carried.rows == sum(rows for rows in read.values() if rows)
    after_carry = copied(engine)
    assert [r for r in after_carry["building"] if r[0] == "E1"][0][1] == "INT2"
    assert catalog.compute(engine, "arrears_stock_eur", as_of=JANUARY).value == 950.0

    whole = store.build(engine, force=True, carry=False)
    assert steps(whole)["copy ledger_entry"] == 5
    assert copied(engine) == after_carry


def test_rows_removed_behind_the_loads_back_make_the_table_read_whole(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    assert load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings).quarantined == 0
    store.build(engine)
    with engine.begin() as conn:  # not something a load does: a row taken out by hand
        conn.execute(text("DELETE FROM ledger_entry WHERE entry_type = 'incasso'"))
    assert load_text(tmp_path, "movimenti", MORE, engine=engine, settings=settings, name="altri.csv").loaded == 1
    result = store.build(engine)
    assert steps(result)["carry ledger_entry"] is None  # carried, it had 5 rows where the warehouse has 4
    assert steps(result)["copy ledger_entry"] == 4
    assert catalog.compute(engine, "arrears_stock_eur", as_of=JANUARY).value == 950.0
