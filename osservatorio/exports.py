"""Tables as files people open in Excel: the one path for every CSV and .xlsx the product writes.

Pages, CLI commands and reports all hand a frame and the kind of each column (money, percentage, date...)
to `to_csv` or `to_excel`. CSV follows the Italian reading rules: `;`, decimal comma, each number rounded
to the unit of its figure (cents, tenths of a point, whole counts), dates gg/mm/aaaa, UTF-8 with BOM.
XLSX keeps numbers as numbers, with Italian formats. In both, a text cell or heading starting with
= + - @ TAB or CR gets a leading ' so a spreadsheet never runs it as a formula (CSV/formula injection).
"""

from __future__ import annotations

import io
import math
import re
from datetime import date, datetime

import pandas as pd

TEXT, EUR, PCT, INT, NUM, DAYS, DATE = "text", "eur", "pct", "int", "num", "days", "date"
POINTS = "points"  # a difference of two percentages, in points
MEASURE = "measure"  # a number already rounded to its own unit (mixed units in one column): up to 2 decimals

DECIMALS = {EUR: 2, PCT: 1, INT: 0, NUM: 2, DAYS: 1, POINTS: 1, MEASURE: 2}
FIXED = frozenset({EUR, PCT, INT, NUM, DAYS, POINTS})  # written with exactly their decimals ("12,50")
EXCEL_FORMATS = {
    EUR: "#,##0.00 [$€-410]",
    PCT: '#,##0.0"%"',  # values are in points: 3.4 shows as 3,4%
    INT: "#,##0",
    NUM: "#,##0.00",
    DAYS: "#,##0.0",
    POINTS: '+#,##0.0" punti";-#,##0.0" punti";0.0" punti"',
    MEASURE: "General",  # mixed units, already rounded: shown as stored, with the reader's decimal comma
    DATE: "dd/mm/yyyy",
}
KPI_UNIT_KINDS = {"eur": EUR, "pct": PCT, "days": DAYS, "count": INT, "per_1000": NUM, "ratio": NUM,
                  "points": POINTS}
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
XLSX_MIME = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
CSV_MIME = "text/csv"
YES_NO = {True: "sì", False: "no"}


def neutralise(value):
    """'=SUM(A1)' -> "'=SUM(A1)": a text cell is never read as a formula (CSV/formula injection)."""
    if isinstance(value, str) and value.startswith(FORMULA_START):
        return "'" + value
    return value


def _missing(value) -> bool:
    if value is None:
        return True
    try:
        return bool(pd.isna(value))
    except (TypeError, ValueError):  # lists, arrays
        return False


def _as_date(value) -> date | None:
    if _missing(value):
        return None
    return pd.Timestamp(value).date()


def _as_text(value):
    """A text cell: yes/no in Italian, lists joined, anything else as it is; then neutralised."""
    if isinstance(value, bool):
        return YES_NO[value]
    if isinstance(value, (list, tuple)):
        value = "; ".join(str(v) for v in value)
    return None if _missing(value) else neutralise(value if isinstance(value, str) else str(value))


def rounded(value, kind: str):
    """A number rounded to the unit of its kind (None when missing): 60956.59999999999 -> 60956.6 for euro."""
    if _missing(value) or isinstance(value, bool):
        return None
    number = float(value)
    if math.isinf(number):
        return None
    if kind == INT:
        return int(round(number))
    return round(number, DECIMALS.get(kind, 2)) + 0.0  # + 0.0 turns -0.0 into 0.0


def infer_kind(series: pd.Series) -> str:
    """The kind of a column nobody declared: dates, whole numbers, other numbers (up to 2 decimals), or text."""
    if pd.api.types.is_bool_dtype(series):
        return TEXT
    if pd.api.types.is_datetime64_any_dtype(series):
        return DATE
    values = series.dropna()
    if pd.api.types.is_numeric_dtype(series):
        return INT if all(float(v).is_integer() for v in values) else MEASURE
    if len(values) and all(isinstance(v, (date, datetime, pd.Timestamp)) for v in values):
        return DATE
    if len(values) and all(isinstance(v, (int, float)) and not isinstance(v, bool) for v in values):
        return INT if all(float(v).is_integer() for v in values) else MEASURE
    return TEXT


def column_kinds(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> dict[str, str]:
    """Every column's kind: the declared one, else inferred from the values."""
    kinds = kinds or {}
    return {column: kinds.get(column) or infer_kind(frame[column]) for column in frame.columns}


def _prepared(frame: pd.DataFrame, kinds: dict[str, str]) -> tuple[pd.DataFrame, dict[str, str]]:
    """A copy with text neutralised, numbers rounded to their unit, dates as plain dates, headings made safe."""
    out = frame.reset_index(drop=True).copy()
    for column, kind in kinds.items():
        if kind == DATE:
            out[column] = out[column].map(_as_date).astype(object)
        elif kind == TEXT:
            out[column] = out[column].map(_as_text).astype(object)
        else:
            out[column] = pd.Series([rounded(v, kind) for v in out[column]], index=out.index, dtype=object)
    headings = {column: str(neutralise(str(column))) for column in out.columns}
    return out.rename(columns=headings), {headings[c]: k for c, k in kinds.items()}


def csv_number(value, kind: str) -> str:
    """'1234,50' for euro, '3,4' for a percentage, '12' for a count, '' when missing (no thousands dot)."""
    if value is None:
        return ""
    if kind == INT:
        return str(int(value))
    text = f"{value:.{DECIMALS[kind]}f}" if kind in FIXED else f"{value:.2f}".rstrip("0").rstrip(".")
    return ("0" if text in ("-0", "") else text).replace(".", ",")


def _csv_cell(value, kind: str) -> str:
    if kind == DATE:
        return "" if value is None else value.strftime("%d/%m/%Y")
    if kind == TEXT:
        return "" if value is None else value
    return csv_number(value, kind)


def to_csv(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> bytes:
    """`;`-separated, decimal comma, rounded numbers, dd/mm/yyyy dates, UTF-8 with BOM (so Excel reads the accents)."""
    out, kinds = _prepared(frame, column_kinds(frame, kinds))
    text = pd.DataFrame({column: [_csv_cell(v, kinds[column]) for v in out[column]] for column in out.columns},
                        columns=out.columns)
    return text.to_csv(sep=";", index=False, lineterminator="\r\n").encode("utf-8-sig")


def _width(frame: pd.DataFrame, column: str, kind: str) -> int:
    longest = frame[column].astype(str).str.len().max() if len(frame) else 0
    return int(min(max(len(str(column)), longest if kind == TEXT else 12, 10) + 2, 60))


def to_excel(frame: pd.DataFrame, kinds: dict[str, str] | None = None, *, sheet: str = "Dati") -> bytes:
    """One sheet: bold frozen header with filters, € / % / date formats per column."""
    return to_excel_sheets({sheet: (frame, kinds or {})})


def to_excel_sheets(sheets: dict[str, tuple[pd.DataFrame, dict[str, str]]]) -> bytes:
    """One sheet per view (name -> frame and column kinds), each formatted like `to_excel`."""
    buffer = io.BytesIO()
    with pd.ExcelWriter(buffer, engine="xlsxwriter", date_format=EXCEL_FORMATS[DATE],
                        datetime_format=EXCEL_FORMATS[DATE],
                        engine_kwargs={"options": {"strings_to_formulas": False, "strings_to_urls": False}}) as writer:
        for name, (frame, kinds) in sheets.items():
            out, out_kinds = _prepared(frame, column_kinds(frame, kinds))
            _write_sheet(writer, out, out_kinds, sheet_name(name))
    return buffer.getvalue()


def sheet_name(name: str) -> str:
    """A name Excel accepts: at most 31 characters, none of []:*?/\\, no apostrophe at either end."""
    cleaned = re.sub(r"[\[\]:*?/\\]", "_", str(name)).strip("'")[:31].strip("'")
    return cleaned or "Dati"


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


def csv_text(frame: pd.DataFrame, kinds: dict[str, str] | None = None) -> str:
    """The CSV of `to_csv` for a terminal or a pipe (`> file.csv`): same cells and BOM, lines ended by `\\n`."""
    return to_csv(frame, kinds).decode("utf-8").replace("\r\n", "\n").rstrip("\n")
