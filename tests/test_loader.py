"""Loading on both warehouses: refusal, XLSX, mapping, idempotence, upsert, atomicity, pseudonymisation."""

from __future__ import annotations

from datetime import datetime

import numpy as np
import pandas as pd
import pytest
from openpyxl import Workbook
from sqlalchemy import text
from typer.testing import CliRunner

import etl.streamed
from etl.loader import load_dir, load_file
from etl.pseudonym import pseudonym
from osservatorio.cli import app
from tests.factories import BASE_FILES, TEST_KEY_FALLBACK, assert_accounted, load_base, load_text, reasons, rows, write


def test_missing_required_column_refuses_file_naming_columns_and_closest_headers(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    result = load_text(tmp_path, "alloggi", "cod_aloggio;codice_edificio;canone\nX1;E1;100\n",
                       engine=engine, settings=settings)
    assert result.status == "rifiutato"
    assert (result.read, result.loaded) == (0, 0)
    assert "«codice_alloggio» (intestazioni simili trovate: «cod_aloggio»)" in result.message
    assert "«regime»" in result.message
    assert rows(engine, "SELECT count(*) FROM unit") == [(3,)]
    assert rows(engine, f"SELECT status FROM load_batch WHERE id = {result.batch_id}") == [("rifiutato",)]


def test_xlsx_with_real_dates_numbers_and_italian_text(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    wb = Workbook()
    ws = wb.active
    ws.append(["Codice Contratto", "Data", "Tipo", "Importo", "Competenza"])
    ws.append(["C1", datetime(2024, 1, 10), "addebito", 450.5, "01/2024"])
    ws.append(["C1", 45306, "incasso", "1.234,56", datetime(2024, 1, 1)])
    ws.append([None, None, None, None, None])
    ws.append(["C1", "31/02/2024", "incasso", 10, "01/2024"])
    wb.save(tmp_path / "movimenti.xlsx")
    result = load_file(tmp_path / "movimenti.xlsx", "movimenti", engine=engine, settings=settings)
    assert_accounted(result)
    assert (result.read, result.loaded, result.quarantined) == (3, 2, 1)
    got = rows(engine, "SELECT entry_date, amount, accrual_month FROM ledger_entry ORDER BY id")
    assert [(str(d)[:10], a, str(m)[:10]) for d, a, m in got] == [
        ("2024-01-10", 450.5, "2024-01-01"), ("2024-01-15", 1234.56, "2024-01-01")]  # serial 45306 = 1 Jan 2024 (45292) + 14
    assert reasons(engine, result.batch_id) == [(5, "Data", "31/02/2024", "data non valida (attesa gg/mm/aaaa)")]


def test_user_mapping_file_maps_any_header(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    mapping = write(tmp_path, "mappa.toml", '[colonne]\n"Cod. U.I." = "codice_alloggio"\n"Fabbricato" = "codice_edificio"\n')
    result = load_text(tmp_path, "alloggi", "Cod. U.I.;Fabbricato;Regime\nX1;E2;altro\n", engine=engine,
                       settings=settings, mapping=mapping)
    assert result.status == "completato"
    assert rows(engine, "SELECT code, building_code FROM unit WHERE code = 'X1'") == [("X1", "E2")]


def test_loading_the_same_file_twice_changes_nothing(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    content = ("codice_contratto;data;tipo;importo\nC1;10/02/2020;addebito;450\nC1;15/02/2020;incasso;200\n"
               "C1;15/02/2020;incasso;200\nC2;10/03/2021;addebito;500\n")
    first = load_text(tmp_path, "movimenti", content, engine=engine, settings=settings)
    before = rows(engine, "SELECT entry_code, lease_code, entry_date, amount, batch_id FROM ledger_entry ORDER BY id")
    second = load_text(tmp_path, "movimenti", content, engine=engine, settings=settings)
    after = rows(engine, "SELECT entry_code, lease_code, entry_date, amount, batch_id FROM ledger_entry ORDER BY id")
    assert (first.loaded, first.duplicate) == (4, 0)
    assert (second.read, second.loaded, second.duplicate) == (4, 0, 4)
    assert before == after and len(after) == 4


@pytest.mark.parametrize("bloom_bits", [2**29, 8], ids=["bloom", "bloom-always-maybe"])
def test_equal_movements_numbered_across_chunks(tmp_path, engine, settings, monkeypatch, bloom_bits):
    """Equal keyless movements in different chunks are numbered in line order over the whole file, as in one
    chunk; a Bloom filter so small that every content looks already seen changes nothing but the work done."""
    monkeypatch.setattr("etl.occurrence.BITS", bloom_bits)
    load_base(tmp_path, engine=engine, settings=settings)
    small = settings.model_copy(update={"chunk_rows": 2})
    pay = "C1;15/02/2020;incasso;200\n"
    content = ("codice_contratto;data;tipo;importo\n" + pay + "C1;10/02/2020;addebito;450\n" + pay
               + "C2;10/03/2021;addebito;500\n" + "C1;10/02/2020;addebito;450\n" + pay)
    first = load_text(tmp_path, "movimenti", content, engine=engine, settings=small)
    codes = rows(engine, "SELECT entry_code FROM ledger_entry ORDER BY id")
    pay_key = "C1|2020-02-15|incasso|altro|2020-02-01|20000"
    assert (first.read, first.loaded, first.duplicate) == (6, 6, 0)
    assert [c for (c,) in codes if c.startswith(pay_key)] == [f"{pay_key}#{n}" for n in (1, 2, 3)]
    # again, and with a fourth equal payment: only that one is new
    again = load_text(tmp_path, "movimenti", content, engine=engine, settings=small)
    more = load_text(tmp_path, "movimenti", content + pay, engine=engine, settings=small)
    assert (again.loaded, again.duplicate, more.loaded, more.duplicate) == (0, 6, 1, 6)
    assert rows(engine, f"SELECT entry_code FROM ledger_entry WHERE entry_code LIKE '{pay_key}%' ORDER BY id")[-1] \
        == (f"{pay_key}#4",)


def test_corrected_file_upserts_on_the_key(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    load_text(tmp_path, "alloggi", "codice_alloggio;codice_edificio;regime;canone_mensile;stato\n"
              "X1;E1;altro;100;locabile\nX2;E1;altro;200;locabile\n", engine=engine, settings=settings)
    corrected = load_text(tmp_path, "alloggi", "codice_alloggio;codice_edificio;regime;canone_mensile\n"
                          "X1;E1;altro;110\nX2;E1;altro;200\nX3;E2;altro;300\n", engine=engine, settings=settings)
    assert (corrected.read, corrected.loaded, corrected.duplicate) == (3, 2, 1)
    # the corrected file has no `stato` column: the status already held is kept, not wiped
    assert rows(engine, "SELECT code, monthly_rent, status FROM unit WHERE code LIKE 'X%' ORDER BY code") == [
        ("X1", 110.0, "locabile"), ("X2", 200.0, "locabile"), ("X3", 300.0, None)]


def test_failure_in_the_middle_of_a_file_leaves_the_warehouse_as_it_was(tmp_path, engine, settings, monkeypatch):
    load_base(tmp_path, engine=engine, settings=settings)
    lines = "".join(f"C1;{1 + i % 28:02d}/01/2021;incasso;{i + 1},00\n" for i in range(2_500))
    calls = {"n": 0}
    real_write = etl.streamed.write_chunk  # these movements go to ledger_entry chunk by chunk

    def failing_write(*args, **kw):
        calls["n"] += 1
        if calls["n"] == 2:  # the first chunk is already in ledger_entry
            raise RuntimeError("disco pieno (simulato)")
        return real_write(*args, **kw)

    monkeypatch.setattr(etl.streamed, "write_chunk", failing_write)
    before = rows(engine, "SELECT count(*) FROM ledger_entry UNION ALL SELECT count(*) FROM quarantined_row")
    result = load_text(tmp_path, "movimenti", "codice_contratto;data;tipo;importo\n" + lines + "C1;xx;incasso;1\n",
                       engine=engine, settings=settings)
    assert result.status == "fallito" and "nessun dato modificato" in result.message
    assert rows(engine, "SELECT count(*) FROM ledger_entry UNION ALL SELECT count(*) FROM quarantined_row") == before
    monkeypatch.setattr(etl.streamed, "write_chunk", real_write)
    again = load_text(tmp_path, "movimenti", "codice_contratto;data;tipo;importo\n" + lines, engine=engine, settings=settings)
    assert (again.read, again.loaded) == (2_500, 2_500)


def test_codice_fiscale_and_names_never_stored_in_clear(tmp_path, engine, settings, warehouse_url):
    load_base(tmp_path, engine=engine, settings=settings)
    load_text(tmp_path, "nuclei", "codice_nucleo;codice_fiscale;nominativo\nN5;BNCNNA90C41F205Y;Anna Bianchi\n"
              "N6;NOTACF;Giulia Neri\n", engine=engine, settings=settings)
    key = settings.pseudonym_key.get_secret_value().encode()
    assert rows(engine, "SELECT tax_code_hash, name_hash FROM household WHERE code = 'N5'") == [
        (pseudonym("BNCNNA90C41F205Y", key), pseudonym("anna bianchi", key))]
    dump = _all_text(engine)
    for clear in ("RSSMRA80A01F205X", "Mario Rossi", "BNCNNA90C41F205Y", "Anna Bianchi", "NOTACF", "Giulia Neri"):
        assert clear.lower() not in dump.lower()
    if warehouse_url.startswith("sqlite"):
        raw = open(warehouse_url.removeprefix("sqlite:///"), "rb").read()
        assert b"RSSMRA80A01F205X" not in raw and b"NOTACF" not in raw and b"Giulia" not in raw


def _all_text(engine) -> str:
    """Every value of every table, as text (for PostgreSQL, where the file is not ours to read)."""
    import schemas

    parts = []
    with engine.connect() as conn:
        for table in schemas.metadata.sorted_tables:
            parts += [repr(tuple(r)) for r in conn.execute(table.select())]
    return "\n".join(parts)


def test_load_dir_loads_parents_first_and_cli_reports(tmp_path, engine, settings, warehouse_url, monkeypatch):
    folder = tmp_path / "export"
    folder.mkdir()
    for kind, content in reversed(BASE_FILES.items()):  # written children first: order must come from kinds
        write(folder, f"{kind}.csv", content)
    write(folder, "note.csv", "qualcosa\n")
    results = load_dir(folder, engine=engine, settings=settings)
    assert [r.kind for r in results] == ["interventi", "edifici", "alloggi", "nuclei", "contratti", "laboratori"]
    assert all(r.status == "completato" for r in results)
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    monkeypatch.setenv("OSSERVATORIO_PSEUDONYM_KEY", TEST_KEY_FALLBACK)
    from osservatorio.settings import get_settings

    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["load", "alloggi", str(write(tmp_path, "a.csv", "codice_alloggio;codice_edificio;regime\n"
                                                                         "A9;E1;altro\nA10;E404;altro\n"))])
    get_settings.cache_clear()
    assert out.exit_code == 1
    assert "letti 2, caricati 1, in quarantena 1, duplicati 0" in out.output


@pytest.mark.parametrize("content,code", [("codice_alloggio;codice_edificio;regime\nA9;E1;altro\n", 0),
                                          ("foo;bar\n1;2\n", 1)])
def test_cli_exit_codes(tmp_path, warehouse_url, monkeypatch, content, code):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    from osservatorio.settings import get_settings

    get_settings.cache_clear()
    runner = CliRunner()
    for kind, base in list(BASE_FILES.items())[:3]:
        runner.invoke(app, ["load", kind, str(write(tmp_path, f"{kind}.csv", base))])
    out = runner.invoke(app, ["load", "alloggi", str(write(tmp_path, "x.csv", content))])
    get_settings.cache_clear()
    assert out.exit_code == code, out.output
    if code:
        assert "mancano le colonne obbligatorie" in out.output
    with __import__("schemas.db", fromlist=["make_engine"]).make_engine(warehouse_url).connect() as conn:
        assert conn.execute(text("SELECT count(*) FROM unit")).scalar_one() == 3 + (code == 0)


def test_seen_contents_never_forgets():
    """The Bloom filter may say "maybe seen" wrongly, never "not seen" for a content it was given."""
    from etl.occurrence import SeenContents

    seen = SeenContents(bits=1024)
    first = pd.Series([f"k{i}" for i in range(200)], dtype="string")
    assert not seen.seen_then_add(first[:1]).any()
    assert seen.seen_then_add(first).sum() >= 1 and seen.seen_then_add(first).all()


def test_earlier_counts_add_only_the_chunks_that_ended_before_each_line():
    from etl.occurrence import EarlierCounts, content_hashes

    counts = EarlierCounts()
    counts.add(content_hashes(pd.Series(["a", "a", "b"], dtype="string")), last_line=4)  # lines 2-4
    counts.add(content_hashes(pd.Series(["a", "c"], dtype="string")), last_line=6)  # lines 5-6
    asked = content_hashes(pd.Series(["a", "a", "c", "b", "d"], dtype="string"))
    got = counts.before(asked, np.array([5, 7, 7, 3, 9]))
    counts.close()
    assert got.tolist() == [2, 3, 1, 0, 0]


@pytest.mark.parametrize("threaded", [True, False])
def test_background_writer_keeps_order_and_raises_the_first_error_in_the_caller(threaded):
    from etl.background import BackgroundWriter

    done = []

    def write(n):
        if n == 3:
            raise RuntimeError("scrittura fallita")
        done.append(n)

    with pytest.raises(RuntimeError, match="scrittura fallita"):
        with BackgroundWriter(threaded=threaded) as writer:
            for n in range(1, 7):
                writer.submit(write, n)
    assert done == [1, 2]  # in order, and nothing written after the failure
