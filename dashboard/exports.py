"""Tables as files people open in Excel: CSV the Italian way and .xlsx with Italian number formats.

A table comes with the kind of each column (money, percentage, date...), as `dashboard.tables` declares it.
Text cells starting with = + - @ are prefixed with ' so a spreadsheet never runs them as formulas.
"""

from __future__ import annotations

import io
from datetime import date, datetime

import pandas as pd

TEXT, EUR, PCT, INT, NUM, DAYS, DATE = "text", "eur", "pct", "int", "num", "days", "date"

EXCEL_FORMATS = {
    EUR: "#,##0.00 [$€-410]",
    PCT: '#,##0.0"%"',  # values are in points: 3.4 shows as 3,4%
    INT: "#,##0",
    NUM: "#,##0.00",
    DAYS: "#,##0.0",
    DATE: "dd/mm/yyyy",
}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"


def neutralise(value):
    """'=SUM(A1)' -> "'=SUM(A1)": a text cell is never read as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _as_date(value) -> date | None:
    if value is None or (not isinstance(value, (date, datetime)) and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


def _prepared(frame: pd.DataFrame, kinds: dict[str, str]) -> pd.DataFrame:
    """A copy with text neutralised and date columns as plain dates."""
    out = frame.copy()
    for column in out.columns:
        kind = kinds.get(column, TEXT)
        if kind == DATE:
            out[column] = out[column].map(_as_date).astype(object)
        elif kind == TEXT:
            out[column] = out[column].map(neutralise).astype(object)
    return out


def to_csv(frame: pd.DataFrame, kinds: dict[str, str]) -> bytes:
    """`;`-separated, decimal comma, dd/mm/yyyy dates, UTF-8 with BOM (so Excel reads the accents)."""
    out = _prepared(frame, kinds)
    for column in out.columns:
        if kinds.get(column) == DATE:
            out[column] = out[column].map(lambda d: "" if d is None else d.strftime("%d/%m/%Y"))
    return out.to_csv(sep=";", decimal=",", index=False, lineterminator="\r\n").encode("utf-8-sig")


def _width(frame: pd.DataFrame, column: str, kind: str) -> int:
    longest = frame[column].astype(str).str.len().max() if len(frame) else 0
    return int(min(max(len(str(column)), longest if kind == TEXT else 12, 10) + 2, 60))


def to_excel(frame: pd.DataFrame, kinds: dict[str, str], *, sheet: str = "Dati") -> bytes:
    """One sheet: bold frozen header with filters, € / % / date formats per column."""
    return to_excel_sheets({sheet: (frame, kinds)})


def to_excel_sheets(sheets: dict[str, tuple[pd.DataFrame, dict[str, str]]]) -> bytes:
    """One sheet per view (name -> frame and column kinds), each formatted like `to_excel`."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", date_format=EXCEL_FORMATS[DATE],
                        datetime_format=EXCEL_FORMATS[DATE],
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as writer:
        for name, (frame, kinds) in sheets.items():
            _write_sheet(writer, _prepared(frame, kinds), kinds, name[:31])
    return buffer.getvalue()


def _write_sheet(writer, out: pd.DataFrame, kinds: dict[str, str], sheet: str) -> None:
    out.to_excel(writer, sheet_name=sheet, index=False)
    book, ws = writer.book, writer.sheets[sheet]
    for i, column in enumerate(out.columns):
        kind = kinds.get(column, TEXT)
        fmt = book.add_format({"num_format": EXCEL_FORMATS[kind]}) if kind in EXCEL_FORMATS else None
        ws.set_column(i, i, _width(out, column, kind), fmt)
    ws.freeze_panes(1, 0)
    if len(out.columns):
        ws.autofilter(0, 0, max(len(out), 1), len(out.columns) - 1)
