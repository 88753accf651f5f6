"""Opening a user's file: CSV or TAB-separated text (`etl.text_files`) or XLSX (`etl.workbooks`), read in
chunks of rows, within the bounds of `etl.limits`.

Each chunk is a frame whose columns are the file's column positions (0, 1, ...), plus `_line`, the line
(CSV) or row (XLSX) number users see in their editor, and `_extra`, how many non-empty fields the row has
beyond the header's columns (their values are never kept: they belong to no known column).
"""

from __future__ import annotations

import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

from etl import text_files, workbooks
from etl.limits import FileRefused, Limits

__all__ = ["FileRefused", "Limits", "Source", "open_source", "raw_text"]

OLE2 = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"


@dataclass
class Source:
    """An opened input file and how to read it."""

    path: Path
    sha256: str
    headers: list[str]
    delimiter: str | None = None
    header_line: int = 1
    data_lines: int = 0  # physical lines after the header (an upper bound on rows, for progress)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)  # for the load summary, completed while reading
    limits: Limits = field(default_factory=Limits)
    blank_lines: int = 0  # blank lines after the header, counted while reading
    scan: text_files.Scan | None = None

    @property
    def is_excel(self) -> bool:
        return self.sheet is not None

    def chunks(self, rows: int) -> Iterator[pd.DataFrame]:
        if self.sheet is not None:
            yield from workbooks.sheet_rows(self.path, self.sheet, self.header_line, len(self.headers), rows,
                                            self.limits)
            return
        assert self.scan is not None and self.delimiter is not None, "a text file is scanned when opened"
        decoding, blank = text_files.Decoding(), [0]
        yield from text_files.rows(self.path, self.scan, self.limits, delimiter=self.delimiter,
                                   header_line=self.header_line, width=len(self.headers), chunk_rows=rows,
                                   decoding=decoding, blank=blank)
        self.blank_lines = blank[0]
        note = text_files.encoding_note(self.scan, decoding)
        if note:
            self.notes.append(note)


def open_source(path: Path, *, sheet: str | None = None, limits: Limits | None = None) -> Source:
    """Fingerprint the file and find its format, encoding, delimiter and header."""
    path, limits = Path(path), limits or Limits()
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(OLE2):
        raise FileRefused(f"{path.name}: è un file Excel 97-2003 (.xls) o una cartella protetta da password: "
                          "salvarlo come .xlsx senza password o CSV. Nessun dato caricato.")
    if head.startswith(b"PK\x03\x04"):
        return _open_excel(path, sheet, limits)
    if sheet:
        raise FileRefused(f"{path.name}: --sheet vale solo per i file XLSX.")
    return _open_csv(path, limits)


def _open_csv(path: Path, limits: Limits) -> Source:
    sc = text_files.scan(path, limits)
    headers, delimiter, header_line = text_files.header(path, sc, limits)
    return Source(path, sc.sha256, headers, delimiter, header_line, max(sc.lines - header_line, 0),
                  limits=limits, scan=sc)


def _open_excel(path: Path, sheet: str | None, limits: Limits) -> Source:
    digest = hashlib.sha256()
    with path.open("rb") as fh:
        while block := fh.read(1 << 20):
            digest.update(block)
    headers, header_line, data_lines, title = workbooks.open_sheet(path, sheet, limits)
    return Source(path, digest.hexdigest(), headers, header_line=header_line, data_lines=data_lines, sheet=title,
                  limits=limits)


def raw_text(cells: list[str], delimiter: str | None, extra: int = 0) -> str:
    """A quarantined row as the user would recognise it (CSV: their delimiter; XLSX: cells joined by ``;``),
    from cells already made safe to keep (`etl.redaction.safe_cells`)."""
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter or ";", lineterminator="").writerow(cells)
    text = out.getvalue().rstrip(delimiter or ";")
    if extra:
        fields = "campo" if extra == 1 else "campi"
        text += f"{delimiter or ';'}…[{extra} {fields} oltre l'intestazione, non conservati]"
    return text
