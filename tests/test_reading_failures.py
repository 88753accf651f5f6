"""Files that cannot be read end in the usual Italian refusal, never a traceback; bombs are refused within a
memory limit (each in a subprocess whose address space is capped with RLIMIT_AS)."""

from __future__ import annotations

import json
import logging
import os
import subprocess
import sys
import zipfile
from pathlib import Path

import pytest

from etl.loader import load_file
from osservatorio.settings import Settings

ROOT = Path(__file__).resolve().parent.parent
OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
MEMORY_LIMIT = 1_536 << 20  # address space of the child: about 4 times what it needs to import everything


@pytest.fixture
def cfg(sqlite_engine) -> Settings:
    return Settings(database_url=str(sqlite_engine.url), pseudonym_key="chiave-di-test", chunk_rows=1_000)


MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
REL = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
PARTS = {
    "[Content_Types].xml": '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">'
    '<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>'
    '<Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" '
    'ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override '
    'PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.'
    'worksheet+xml"/><Override PartName="/xl/sharedStrings.xml" ContentType="application/vnd.openxmlformats-'
    'officedocument.spreadsheetml.sharedStrings+xml"/></Types>',
    "_rels/.rels": f'<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/'
    f'relationships"><Relationship Id="rId1" Type="{REL}/officeDocument" Target="xl/workbook.xml"/></Relationships>',
    "xl/workbook.xml": f'<?xml version="1.0"?><workbook xmlns="{MAIN}" xmlns:r="{REL}"><sheets><sheet name="Foglio1" '
    'sheetId="1" r:id="rId1"/></sheets></workbook>',
    "xl/_rels/workbook.xml.rels": '<?xml version="1.0"?><Relationships xmlns="http://schemas.openxmlformats.org/'
    f'package/2006/relationships"><Relationship Id="rId1" Type="{REL}/worksheet" Target="worksheets/sheet1.xml"/>'
    f'<Relationship Id="rId2" Type="{REL}/sharedStrings" Target="sharedStrings.xml"/></Relationships>',
}


def _xlsx(path: Path, rows: list[list[int]], strings: list[str], huge: int = 0) -> Path:
    """A workbook whose cells point to shared strings by index; the first string is `huge` bytes of "A"
    (written 1 MiB at a time: 1 GiB compresses to a few MB) when `huge` is given."""
    cells = "".join(f'<row r="{r}">' + "".join(f'<c r="{"ABCDEFGH"[c]}{r}" t="s"><v>{v}</v></c>' for c, v in enumerate(row))
                    + "</row>" for r, row in enumerate(rows, start=1))
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED, compresslevel=1) as zf:
        for name, data in PARTS.items():
            zf.writestr(name, data)
        zf.writestr("xl/worksheets/sheet1.xml", f'<?xml version="1.0"?><worksheet xmlns="{MAIN}"><sheetData>{cells}'
                                                "</sheetData></worksheet>")
        with zf.open("xl/sharedStrings.xml", "w", force_zip64=True) as out:
            out.write(f'<?xml version="1.0"?><sst xmlns="{MAIN}">'.encode())
            if huge:
                out.write(b"<si><t>")
                for _ in range(huge >> 20):
                    out.write(b"A" * (1 << 20))
                out.write(b"</t></si>")
            out.write("".join(f"<si><t>{s}</t></si>" for s in strings).encode() + b"</sst>")
    return path


def test_xlsx_cells_pointing_to_missing_shared_strings_are_refused(tmp_path, sqlite_engine, cfg, caplog):
    strings = ["codice_intervento", "nome", "comune", "INT9", "Vivi", "Milano"]
    path = _xlsx(tmp_path / "interventi.xlsx", [[0, 1, 2], [3, 4, 5], [3, 999, 5]], strings)
    with caplog.at_level(logging.INFO):
        result = load_file(path, "interventi", engine=sqlite_engine, settings=cfg)
    assert result.status == "rifiutato" and result.read == 0
    assert result.message.startswith("interventi.xlsx: file XLSX danneggiato o non valido alla riga 3")
    assert not [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert [r.getMessage() for r in caplog.records] == ["caricamento rifiutato: tipo interventi, letti 0, caricati 0, "
                                                        "in quarantena 0, duplicati 0"]
    good = _xlsx(tmp_path / "interventi_buono.xlsx", [[0, 1, 2], [3, 4, 5]], strings)
    assert load_file(good, "interventi", engine=sqlite_engine, settings=cfg).loaded == 1  # the builder is sound


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_header_cell_over_128_kb_is_refused(tmp_path, sqlite_engine, cfg, suffix):
    header = ["codice_intervento", "n" * 140_000, "comune"]
    if suffix == "xlsx":
        path = _xlsx(tmp_path / "interventi.xlsx", [[0, 1, 2], [3, 4, 5]], [*header, "INT9", "Vivi", "Milano"])
    else:
        path = tmp_path / "interventi.csv"
        path.write_text(";".join(header) + "\nINT9;Vivi;Milano\n")
    result = load_file(path, "interventi", engine=sqlite_engine, settings=cfg)
    assert result.status == "rifiutato"
    assert result.message == (f"interventi.{suffix}: la riga 1 dovrebbe essere l'intestazione, ma una sua cella è lunga "
                              "140.000 caratteri: non è un nome di colonna. Nessun dato caricato.")


def test_an_ole2_file_named_xlsx_says_what_it_is(tmp_path, sqlite_engine, cfg):
    path = tmp_path / "alloggi.xlsx"
    path.write_bytes(OLE2 + bytes(range(256)) * 40)
    result = load_file(path, "alloggi", engine=sqlite_engine, settings=cfg)
    assert (result.status, result.message) == ("rifiutato", "alloggi.xlsx: è un file Excel 97-2003 (.xls) o una "
                                                "cartella protetta da password: salvarlo come .xlsx senza password "
                                                "o CSV. Nessun dato caricato.")


def test_utf16_unicode_text_with_tabs_loads_and_says_so(tmp_path, sqlite_engine, cfg):
    path = tmp_path / "interventi.txt"
    path.write_bytes("codice_intervento\tnome\tcomune\r\nINT9\tCittà Studi\tMilano\r\n".encode("utf-16"))
    result = load_file(path, "interventi", engine=sqlite_engine, settings=cfg)
    assert (result.status, result.loaded, result.message) == ("completato", 1, "Nota: codifica UTF-16 (Testo Unicode).")


def test_mixed_utf8_and_cp1252_lines_are_decoded_each_and_noted(tmp_path, sqlite_engine, cfg):
    path = tmp_path / "interventi.csv"
    path.write_bytes(b"codice_intervento;nome;comune\n" + "INT9;Città Studi;Milano\n".encode()
                     + "INT8;Università;Sesto\nINT7;Perù;Como\n".encode("cp1252"))
    result = load_file(path, "interventi", engine=sqlite_engine, settings=cfg)
    assert result.message == ("Nota: codifica mista: 2 righe lette come Windows-1252 e 1 con lettere accentate come "
                              "UTF-8 (ogni riga decodificata per sé).")


def test_limits_come_from_the_settings(tmp_path, sqlite_engine, cfg):
    path = tmp_path / "interventi.csv"
    path.write_text("codice_intervento;nome;comune\nINT9;" + "x" * 3_100 + ";Milano\n")
    small = cfg.model_copy(update={"max_row_kb": 2})
    result = load_file(path, "interventi", engine=sqlite_engine, settings=small)
    assert result.message == ("interventi.csv: la riga 2 è lunga 3,0 KB, oltre il limite di 2,0 KB per riga. Non sembra "
                              "un'esportazione di un gestionale (manca l'a capo tra le righe?). Nessun dato caricato.")
    cells = cfg.model_copy(update={"max_cell_chars": 1_000})
    assert load_file(path, "interventi", engine=sqlite_engine, settings=cells).message == (
        "interventi.csv: alla riga 2 una cella è lunga 3.100 caratteri, oltre il limite di 1.000 (quello di Excel). "
        "Virgolette aperte e mai chiuse? Nessun dato caricato.")


# --- bombs, in a child process with a capped address space ------------------------------------------------------
CHILD = """
import json, resource, sys
resource.setrlimit(resource.RLIMIT_AS, ({limit}, {limit}))
from etl.loader import load_file
from osservatorio.settings import Settings
from schemas.db import make_engine
url = sys.argv[1]
result = load_file(sys.argv[2], sys.argv[3], engine=make_engine(url),
                   settings=Settings(database_url=url, pseudonym_key="chiave-di-test", chunk_rows=100_000))
print(json.dumps({{"status": result.status, "read": result.read, "loaded": result.loaded, "message": result.message}}))
"""


def _load_in_child(url: str, path: Path, kind: str) -> dict:
    env = {**os.environ, "OPENBLAS_NUM_THREADS": "1", "PYTHONPATH": str(ROOT)}
    done = subprocess.run([sys.executable, "-c", CHILD.format(limit=MEMORY_LIMIT), url, str(path), kind],
                          capture_output=True, text=True, env=env, timeout=600)
    assert done.returncode == 0, done.stderr[-2000:]
    assert done.stderr == ""
    return json.loads(done.stdout)


def _shared_string_bomb(path: Path, size: int) -> Path:
    strings = ["codice_intervento", "nome", "comune", "Milano"]
    return _xlsx(path, [[1, 2, 3], [0, 0, 4]], strings, huge=size)


def test_a_1_gib_shared_string_bomb_is_refused_within_the_memory_limit(tmp_path, sqlite_engine):
    path = _shared_string_bomb(tmp_path / "interventi.xlsx", 1 << 30)
    assert path.stat().st_size < 8 << 20
    got = _load_in_child(str(sqlite_engine.url), path, "interventi")
    assert got == {"status": "rifiutato", "read": 0, "loaded": 0,
                   "message": "interventi.xlsx: il file XLSX decompresso occuperebbe 1,0 GB, oltre il limite di 1,0 GB. "
                              "Dividerlo in più file o esportarlo in CSV. Nessun dato caricato."}


def test_a_shared_string_under_the_size_limits_but_over_the_cell_limit_is_refused(tmp_path, sqlite_engine):
    path = _shared_string_bomb(tmp_path / "interventi.xlsx", 64 << 20)
    got = _load_in_child(str(sqlite_engine.url), path, "interventi")
    assert got["status"] == "rifiutato"
    assert got["message"].startswith("interventi.xlsx: il file XLSX contiene un testo di 64,0 MB in una sola cella")


def test_a_1_gib_one_line_csv_is_refused_within_the_memory_limit(tmp_path, sqlite_engine):
    path = tmp_path / "movimenti.csv"
    with path.open("wb") as fh:
        fh.write(b"codice_contratto;data;tipo;importo\n")
        block = b"C1;" * (1 << 18)
        for _ in range(1 << 30 >> 20):
            fh.write(block + b"x" * ((1 << 20) - len(block)))
    try:
        got = _load_in_child(str(sqlite_engine.url), path, "movimenti")
    finally:
        path.unlink()  # 1 GiB: not left behind in pytest's temporary folders
    assert got == {"status": "rifiutato", "read": 0, "loaded": 0,
                   "message": "movimenti.csv: la riga 2 è lunga 1,0 GB, oltre il limite di 1,0 MB per riga. Non sembra "
                              "un'esportazione di un gestionale (manca l'a capo tra le righe?). Nessun dato caricato."}


def test_an_ordinary_file_loads_within_the_same_memory_limit(tmp_path, sqlite_engine):
    """The control: the limit refuses bombs, not the child's ordinary work."""
    path = tmp_path / "interventi.csv"
    path.write_text("codice_intervento;nome;comune\n" + "".join(f"INT{i};Intervento {i};Milano\n" for i in range(20_000)))
    got = _load_in_child(str(sqlite_engine.url), path, "interventi")
    assert (got["status"], got["read"], got["loaded"]) == ("completato", 20_000, 20_000)
