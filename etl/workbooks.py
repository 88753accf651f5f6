"""Reading an XLSX workbook within bounds, every failure an Italian refusal.

Before openpyxl decompresses anything, the archive's table of contents gives each part's uncompressed size:
a file whose parts add up to more than `Limits.xlsx_bytes`, or whose shared strings (held in memory whole)
exceed `Limits.shared_strings_bytes`, is refused. Python's zipfile never inflates a part beyond the size
its table declares, so a lying table ends in a CRC error, refused like any broken archive. The sheet itself
is streamed (openpyxl's read-only mode), and each row is measured before it is kept.
"""

from __future__ import annotations

import zipfile
from collections.abc import Iterator
from pathlib import Path

import numpy as np
import pandas as pd

from etl.limits import FileRefused, Limits, cell_too_long, row_too_long, size_text
from osservatorio.formatting import fmt_int

HEADER_CELL_CHARS = 1_000
BLOCK = 1 << 20


def check_archive(path: Path, limits: Limits) -> None:
    """Refuse an archive that is broken or would expand beyond the limits, without decompressing it."""
    try:
        with zipfile.ZipFile(path) as zf:
            parts = zf.infolist()
    except (zipfile.BadZipFile, OSError, ValueError, EOFError) as exc:
        raise FileRefused(f"{path.name}: file XLSX danneggiato (archivio illeggibile). Nessun dato caricato.") from exc
    total = sum(p.file_size for p in parts)
    if total > limits.xlsx_bytes:
        raise FileRefused(f"{path.name}: il file XLSX decompresso occuperebbe {size_text(total)}, oltre il limite "
                          f"di {size_text(limits.xlsx_bytes)}. Dividerlo in più file o esportarlo in CSV. "
                          "Nessun dato caricato.")
    _check_text_runs(path, parts, limits)
    shared = sum(p.file_size for p in parts if p.filename.lower().endswith("sharedstrings.xml"))
    if shared > limits.shared_strings_bytes:
        raise FileRefused(f"{path.name}: i testi del file XLSX decompressi occuperebbero {size_text(shared)}, oltre "
                          f"il limite di {size_text(limits.shared_strings_bytes)}. Esportarlo in CSV. "
                          "Nessun dato caricato.")


def _check_text_runs(path: Path, parts: list[zipfile.ZipInfo], limits: Limits) -> None:
    """Refuse a part whose longest run of bytes between two ``<`` (one text node, or one tag) could not be a
    cell within the limit: the XML parser would build it whole in memory. Streamed, 1 MiB at a time."""
    most = limits.cell_chars * 6  # a character is at most 4 bytes of UTF-8, or 6 as an XML character reference
    try:
        with zipfile.ZipFile(path) as zf:
            for part in parts:
                if part.filename.lower().endswith((".xml", ".rels")):
                    longest = _longest_run(zf, part)
                    if longest > most:
                        raise FileRefused(
                            f"{path.name}: il file XLSX contiene un testo di {size_text(longest)} in una sola cella, "
                            f"oltre il limite di {fmt_int(limits.cell_chars)} caratteri per cella. "
                            "Nessun dato caricato.")
    except FileRefused:
        raise
    except (zipfile.BadZipFile, OSError, ValueError, EOFError, NotImplementedError) as exc:
        raise FileRefused(f"{path.name}: file XLSX danneggiato (archivio illeggibile). Nessun dato caricato.") from exc


def _longest_run(zf: zipfile.ZipFile, part: zipfile.ZipInfo) -> int:
    longest = run = 0
    with zf.open(part) as fh:
        while block := fh.read(BLOCK):
            at = np.flatnonzero(np.frombuffer(block, dtype=np.uint8) == 60)  # "<"
            if len(at) == 0:
                run += len(block)
            else:
                longest = max(longest, run + int(at[0]), int(np.diff(at).max(initial=0)))
                run = len(block) - int(at[-1]) - 1
            longest = max(longest, run)
    return longest


def unreadable(path: Path, exc: BaseException, row: int | None = None) -> FileRefused:
    """The refusal for any failure of openpyxl while reading (a broken or hand-made workbook)."""
    where = f" alla riga {row}" if row else ""
    if isinstance(exc, MemoryError):
        return FileRefused(f"{path.name}: memoria insufficiente per leggere il file XLSX{where}. "
                           "Esportarlo in CSV. Nessun dato caricato.")
    return FileRefused(f"{path.name}: file XLSX danneggiato o non valido{where} (ad es. celle che rimandano a testi "
                       "inesistenti). Riaprirlo e salvarlo con Excel o LibreOffice, o esportarlo in CSV. "
                       "Nessun dato caricato.")


def _workbook(path: Path):
    from openpyxl import load_workbook

    try:
        return load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken archive
        raise unreadable(path, exc) from exc


def open_sheet(path: Path, sheet: str | None, limits: Limits) -> tuple[list[str], int, int, str]:
    """The header cells, the header's row number, the rows after it (upper bound) and the sheet's title."""
    check_archive(path, limits)
    wb = _workbook(path)
    number = None
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise FileRefused(f"{path.name}: il foglio «{sheet}» non esiste. Fogli: {', '.join(wb.sheetnames)}.")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        declared_rows = ws.max_row or 0
        ws.reset_dimensions()  # rows are not padded to a declared (possibly absurd) width
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(v not in (None, "") for v in row):
                headers = ["" if v is None else str(v).strip() for v in row]
                _check_header(path, headers, number)
                return headers, number, max(declared_rows - number, 0), ws.title
    except FileRefused:
        raise
    except Exception as exc:
        raise unreadable(path, exc, number) from exc
    finally:
        wb.close()
    raise FileRefused(f"{path.name}: il foglio è vuoto (nessuna riga di intestazione).")


def _check_header(path: Path, headers: list[str], number: int) -> None:
    longest = max((len(h) for h in headers), default=0)
    if longest > HEADER_CELL_CHARS:
        raise FileRefused(f"{path.name}: la riga {number} dovrebbe essere l'intestazione, ma una sua cella è lunga "
                          f"{fmt_int(longest)} caratteri: non è un nome di colonna. Nessun dato caricato.")


def sheet_rows(path: Path, sheet: str, header_line: int, width: int, chunk_rows: int,
               limits: Limits) -> Iterator[pd.DataFrame]:
    """The rows after the header, as `etl.text_files.rows` gives them (cells keep their XLSX types)."""
    wb = _workbook(path)
    line = header_line
    try:
        ws = wb[sheet]
        ws.reset_dimensions()
        batch: list[list] = []
        chars = 0
        for line, row in enumerate(ws.iter_rows(min_row=header_line + 1, values_only=True), start=header_line + 1):
            size = _row_chars(path, row, line, limits)
            cells = list(row[:width]) + [None] * (width - len(row[:width]))
            extra = sum(1 for v in row[width:] if v not in (None, "") and str(v).strip())
            if any(v not in (None, "") for v in cells) or extra:
                batch.append([*cells, line, extra])
                chars += size
            if len(batch) >= chunk_rows or chars > limits.chunk_chars:
                yield _frame(batch, width)
                batch, chars = [], 0
        if batch:
            yield _frame(batch, width)
    except FileRefused:
        raise
    except Exception as exc:
        raise unreadable(path, exc, line + 1) from exc
    finally:
        wb.close()


def _row_chars(path: Path, row: tuple, line: int, limits: Limits) -> int:
    size = 0
    for value in row:
        if type(value) is str:
            if len(value) > limits.cell_chars:
                raise cell_too_long(path.name, line, len(value), limits)
            size += len(value)
    if size > limits.row_bytes:
        raise row_too_long(path.name, line, size, limits, unit="caratteri")
    return size


def _frame(batch: list[list], width: int) -> pd.DataFrame:
    frame = pd.DataFrame(batch, columns=[*range(width), "_line", "_extra"], dtype=object)
    frame["_line"] = frame["_line"].astype("int64")
    frame["_extra"] = frame["_extra"].astype("int64")
    return frame
