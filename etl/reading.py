"""Opening a user's file: CSV (delimiter and encoding detected) or XLSX, read in chunks of rows.

Each chunk is a frame whose columns are the file's column positions (0, 1, ...), plus `_line`,
the line (CSV) or row (XLSX) number users see in their editor, and `_extra`, text found beyond
the header's columns.
"""

from __future__ import annotations

import codecs
import csv
import hashlib
import io
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pandas as pd

EXTRA_COLUMNS = 30  # room for rows with more fields than the header, so the C parser never stops
BLOCK = 1 << 20


class FileRefused(ValueError):
    """The file cannot be read at all (not a CSV or XLSX, no header, empty)."""


@dataclass
class Source:
    """An opened input file and how to read it."""

    path: Path
    sha256: str
    headers: list[str]
    encoding: str | None = None
    delimiter: str | None = None
    header_line: int = 1
    data_lines: int = 0  # physical lines after the header (an upper bound on rows, for progress)
    sheet: str | None = None
    notes: list[str] = field(default_factory=list)

    @property
    def is_excel(self) -> bool:
        return self.sheet is not None

    def chunks(self, rows: int) -> Iterator[pd.DataFrame]:
        return _excel_chunks(self, rows) if self.is_excel else _csv_chunks(self, rows)


def open_source(path: Path, *, sheet: str | None = None) -> Source:
    """Fingerprint the file and find its format, encoding, delimiter and header."""
    path = Path(path)
    with path.open("rb") as fh:
        head = fh.read(8)
    if head.startswith(b"PK\x03\x04"):
        return _open_excel(path, sheet)
    if sheet:
        raise FileRefused(f"{path.name}: --sheet vale solo per i file XLSX.")
    return _open_csv(path)


def _scan(path: Path) -> tuple[str, bool, int]:
    """One pass over the bytes: SHA-256, whether the file is valid UTF-8, and its line count."""
    digest = hashlib.sha256()
    decoder = codecs.getincrementaldecoder("utf-8")()
    utf8, lines = True, 0
    with path.open("rb") as fh:
        while block := fh.read(BLOCK):
            digest.update(block)
            lines += block.count(b"\n")
            if utf8:
                try:
                    decoder.decode(block)
                except UnicodeDecodeError:
                    utf8 = False
    if utf8:
        try:
            decoder.decode(b"", final=True)
        except UnicodeDecodeError:
            utf8 = False  # the file ends in the middle of a character
    return digest.hexdigest(), utf8, lines


def _open_csv(path: Path) -> Source:
    sha, utf8, lines = _scan(path)
    with path.open("rb") as fh:
        bom = fh.read(3) == codecs.BOM_UTF8
    encoding = "utf-8-sig" if bom else ("utf-8" if utf8 else "cp1252")
    header_text, header_line = None, 0
    with path.open(encoding=encoding, errors="replace", newline="") as fh:
        for header_line, text in enumerate(fh, start=1):
            if text.strip().strip(";,\t").strip():
                header_text = text
                break
    if header_text is None:
        raise FileRefused(f"{path.name}: il file è vuoto (nessuna riga di intestazione).")
    if "\x00" in header_text or "\ufffd" in header_text[:200]:
        raise FileRefused(f"{path.name}: non sembra un file CSV di testo (caratteri binari nell'intestazione).")
    delimiter = _sniff_delimiter(header_text)
    headers = next(csv.reader([header_text.rstrip("\r\n")], delimiter=delimiter))
    notes = [] if encoding != "cp1252" else ["codifica Windows-1252"]
    return Source(path, sha, [h.strip() for h in headers], encoding, delimiter, header_line,
                  max(lines - header_line + 1, 0), notes=notes)


def _sniff_delimiter(line: str) -> str:
    """The delimiter among ``;`` ``,`` TAB that splits the header line most, outside quotes."""
    counts = {}
    for delim in (";", "\t", ","):
        counts[delim] = len(next(csv.reader([line], delimiter=delim))) - 1
    best = max(counts, key=lambda d: (counts[d], d == ";"))
    return best if counts[best] > 0 else ";"


def _csv_chunks(src: Source, rows: int) -> Iterator[pd.DataFrame]:
    width = len(src.headers)
    names = list(range(width + EXTRA_COLUMNS))
    first_line = src.header_line + 1
    try:
        reader = pd.read_csv(
            src.path, sep=src.delimiter, encoding=src.encoding, encoding_errors="replace", header=None,
            skiprows=src.header_line, names=names, dtype=str, keep_default_na=False, na_filter=False,
            skip_blank_lines=False, chunksize=rows, engine="c", quotechar='"', on_bad_lines="error",
        )
        for chunk in reader:
            yield _finish_chunk(chunk, width, first_line)
            first_line += len(chunk)
    except pd.errors.ParserError:
        # A row with far more fields than the header: reread with the tolerant parser.
        yield from _csv_chunks_tolerant(src, rows, skip=first_line - src.header_line - 1)


def _csv_chunks_tolerant(src: Source, rows: int, skip: int) -> Iterator[pd.DataFrame]:
    width = len(src.headers)
    limit = width + EXTRA_COLUMNS

    def cut(fields: list[str]) -> list[str]:
        return fields[: limit - 1] + ["<campi oltre il limite>"]

    first_line = src.header_line + 1 + skip
    try:
        reader = pd.read_csv(
            src.path, sep=src.delimiter, encoding=src.encoding, encoding_errors="replace", header=None,
            skiprows=src.header_line + skip, names=list(range(limit)), dtype=str, keep_default_na=False,
            na_filter=False, skip_blank_lines=False, chunksize=rows, engine="python", on_bad_lines=cut,
        )
        for chunk in reader:
            yield _finish_chunk(chunk, width, first_line)
            first_line += len(chunk)
    except (pd.errors.ParserError, csv.Error) as exc:  # e.g. a quote opened and never closed
        raise FileRefused(f"{src.path.name}: struttura CSV illeggibile dopo la riga {first_line} (virgolette non "
                          f"chiuse o separatori nel testo?). Nessun dato caricato.") from exc


def _finish_chunk(chunk: pd.DataFrame, width: int, first_line: int) -> pd.DataFrame:
    chunk = chunk.reset_index(drop=True).fillna("")  # the python parser leaves short rows' tails as NaN
    extra_cols = [c for c in chunk.columns if c >= width]
    body = chunk[[c for c in chunk.columns if c < width]].copy()
    body["_line"] = range(first_line, first_line + len(chunk))
    body["_extra"] = ""
    if extra_cols:
        has_extra = (chunk[extra_cols] != "").any(axis=1)
        if has_extra.any():
            body.loc[has_extra, "_extra"] = chunk.loc[has_extra, extra_cols].agg("".join, axis=1).str.strip()
    blank = (body.iloc[:, :width] == "").all(axis=1) & (body["_extra"] == "")
    return body[~blank]


def _open_excel(path: Path, sheet: str | None) -> Source:
    from openpyxl import load_workbook

    sha, _, _ = _scan(path)
    try:
        wb = load_workbook(path, read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken archive
        raise FileRefused(f"{path.name}: file XLSX illeggibile ({exc.__class__.__name__}).") from exc
    try:
        if sheet is not None and sheet not in wb.sheetnames:
            raise FileRefused(f"{path.name}: il foglio «{sheet}» non esiste. Fogli: {', '.join(wb.sheetnames)}.")
        ws = wb[sheet] if sheet else wb.worksheets[0]
        for number, row in enumerate(ws.iter_rows(values_only=True), start=1):
            if any(v not in (None, "") for v in row):
                headers = ["" if v is None else str(v).strip() for v in row]
                return Source(path, sha, headers, header_line=number, data_lines=max((ws.max_row or 0) - number, 0),
                              sheet=ws.title)
    finally:
        wb.close()
    raise FileRefused(f"{path.name}: il foglio è vuoto (nessuna riga di intestazione).")


def _excel_chunks(src: Source, rows: int) -> Iterator[pd.DataFrame]:
    from openpyxl import load_workbook

    width = len(src.headers)
    wb = load_workbook(src.path, read_only=True, data_only=True)
    try:
        ws = wb[src.sheet]
        batch: list[list] = []
        line = src.header_line
        for line, row in enumerate(ws.iter_rows(min_row=src.header_line + 1, values_only=True),
                                   start=src.header_line + 1):
            cells = list(row[:width]) + [None] * (width - len(row[:width]))
            extra = "".join(str(v) for v in row[width:] if v not in (None, ""))
            if any(v not in (None, "") for v in cells) or extra:
                batch.append([*cells, line, extra])
            if len(batch) >= rows:
                yield _excel_frame(batch, width)
                batch = []
        if batch:
            yield _excel_frame(batch, width)
    finally:
        wb.close()


def _excel_frame(batch: list[list], width: int) -> pd.DataFrame:
    frame = pd.DataFrame(batch, columns=[*range(width), "_line", "_extra"], dtype=object)
    frame["_line"] = frame["_line"].astype("int64")
    frame["_extra"] = frame["_extra"].astype(str)
    return frame


def raw_text(row: pd.Series, width: int, delimiter: str | None) -> str:
    """The row as the user wrote it (CSV) or as cells joined by ``;`` (XLSX), for the quarantine."""
    cells = ["" if pd.isna(v) else str(v) for v in row.iloc[:width]]
    out = io.StringIO()
    csv.writer(out, delimiter=delimiter or ";", lineterminator="").writerow(cells)
    text = out.getvalue().rstrip(delimiter or ";")
    extra = row.get("_extra", "")
    return f"{text}{delimiter or ';'}…{extra}" if isinstance(extra, str) and extra else text
