"""Column-wise parsing of the values Italian exports contain: numbers, money, percentages, dates, yes/no.

Every parser takes a whole column (strings, or numbers and datetimes from XLSX) and returns the
parsed column plus a boolean mask of the cells it could not read; empty cells become null, not errors.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

import numpy as np
import pandas as pd

MONTHS_IT = {
    "gennaio": 1, "febbraio": 2, "marzo": 3, "aprile": 4, "maggio": 5, "giugno": 6, "luglio": 7,
    "agosto": 8, "settembre": 9, "ottobre": 10, "novembre": 11, "dicembre": 12,
}
MONTHS_IT.update({name[:3]: n for name, n in list(MONTHS_IT.items())})
YES = {"si", "s", "x", "1", "vero", "true", "yes", "y", "1.0"}
NO = {"no", "n", "0", "falso", "false", "", "0.0"}
EXCEL_EPOCH = pd.Timestamp("1899-12-30")


@dataclass
class Parsed:
    """A parsed column: `values` (null where empty or bad) and `bad`, the mask of unreadable cells."""

    values: pd.Series
    bad: pd.Series


def fold(text: str) -> str:
    """Lower-case, accents removed: 'Sì' -> 'si', 'Proprietà' -> 'proprieta'."""
    decomposed = unicodedata.normalize("NFKD", text)
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).casefold()


def snake(text: str) -> str:
    """Normalise a free code to snake_case: 'Nuclei morosi %' -> 'nuclei_morosi_pct'."""
    folded = fold(text).replace("%", " pct ").replace("€", " eur ")
    return re.sub(r"[^0-9a-z]+", "_", folded).strip("_")


def as_text(col: pd.Series) -> pd.Series:
    """Strings stripped of spaces (incl. NBSP); empty and missing become NA."""
    if _all_strings(col):
        text = col.astype("string")
    else:
        text = col.astype(object).map(_cell_text, na_action="ignore").astype("string")
    text = text.str.replace("\u00a0", " ", regex=False).str.strip()
    return text.mask(text == "")


def _cell_text(value) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _all_strings(col: pd.Series) -> bool:
    """True for columns read from CSV (strings only): the fast path with no per-cell Python."""
    return col.dtype != object and pd.api.types.is_string_dtype(col)


def map_unique(text: pd.Series, func) -> pd.Series:
    """Apply `func` once per distinct value: enum columns of millions of rows hold a handful."""
    distinct = text.dropna().unique()
    return text.map(dict(zip(distinct, (func(v) for v in distinct)))).astype("string")


def _numeric_cells(col: pd.Series) -> pd.Series:
    """Mask of cells that already hold numbers (XLSX input)."""
    if _all_strings(col):
        return pd.Series(False, index=col.index)
    if col.dtype == object:
        return col.map(lambda v: isinstance(v, (int, float, np.number)) and not isinstance(v, bool))
    return pd.Series(pd.api.types.is_numeric_dtype(col), index=col.index)


def dot_decimal(col: pd.Series) -> bool:
    """True when a column is clearly written with a decimal point (``1234.56``), not Italian (``1.234,56``)."""
    text = as_text(col).dropna()
    text = text[~text.str.contains(",", regex=False)]
    return bool(text.str.contains(r"\.\d{1,2}$|\.\d{4,}$", regex=True).any()) and not bool(
        as_text(col).dropna().str.contains(",", regex=False).any()
    )


def parse_number(col: pd.Series, *, dot_decimal_file: bool = False, percent: bool = False) -> Parsed:
    """Italian numbers: ``1.234,56``, ``€ 1.234,56``, ``-1.234,56``, ``(1.234,56)``, ``3,4 %``."""
    numeric = _numeric_cells(col)
    text = as_text(col)
    if not dot_decimal_file and not numeric.any():
        plain = text.str.fullmatch(r"-?[0-9]+(,[0-9]+)?", na=True).fillna(True).astype(bool)
        if plain.all():  # the usual export (1234,56): no symbols, no thousands, one cheap pass
            values = pd.to_numeric(text.str.replace(",", ".", regex=False), errors="coerce").astype("Float64")
            return Parsed(values, pd.Series(False, index=col.index))
    s = text.str.replace(r"(?i)€|eur(o)?\b|\s", "", regex=True)
    if percent:
        s = s.str.replace("%", "", regex=False)
    negative = s.str.match(r"^\(.*\)$", na=False) | s.str.startswith("-", na=False)
    s = s.str.replace(r"^\((.*)\)$", r"\1", regex=True).str.lstrip("-+")
    if dot_decimal_file:
        s = s.str.replace(",", "", regex=False)
    else:
        s = s.str.replace(".", "", regex=False).str.replace(",", ".", regex=False)
    ok_shape = s.str.fullmatch(r"\d+(\.\d+)?|\.\d+", na=False)
    values = pd.to_numeric(s.where(ok_shape), errors="coerce").astype("Float64")
    values = values.where(~negative, -values)
    if numeric.any():
        values = values.where(~numeric, pd.to_numeric(col.where(numeric), errors="coerce").astype("Float64"))
    bad = text.notna() & values.isna()
    return Parsed(values, bad.fillna(False).astype(bool))


def parse_int(col: pd.Series, *, dot_decimal_file: bool = False) -> Parsed:
    num = parse_number(col, dot_decimal_file=dot_decimal_file)
    fractional = num.values.notna() & (num.values != num.values.round())
    huge = num.values.abs() > 2**53  # beyond exact integers: would wrap around when cast
    wrong = (fractional | huge).fillna(False).astype(bool)
    values = num.values.where(~wrong).round().astype("Int64")
    return Parsed(values, (num.bad | wrong).astype(bool))


def parse_bool(col: pd.Series) -> Parsed:
    text = map_unique(as_text(col), fold).fillna("")
    values = pd.Series(pd.NA, index=col.index, dtype="boolean")
    values[text.isin(YES)] = True
    values[text.isin(NO)] = False
    return Parsed(values, values.isna())


def parse_date(col: pd.Series, *, today: pd.Timestamp | None = None) -> Parsed:
    """Dates ``dd/mm/yyyy``, ``d/m/yy``, ``yyyy-mm-dd`` (time ignored), Excel serials and XLSX datetimes.

    The common formats go through pandas' C parser; only the cells left over take the slower paths.
    """
    today = today or pd.Timestamp.today().normalize()
    text = as_text(col)
    result = pd.Series(pd.NaT, index=col.index, dtype="datetime64[s]")
    if not _all_strings(col):
        is_dt = col.map(lambda v: isinstance(v, (pd.Timestamp, np.datetime64)) or hasattr(v, "isoformat"))
        if is_dt.any():
            result[is_dt] = pd.to_datetime(col[is_dt], errors="coerce").dt.normalize()
            text = text.where(~is_dt)
    for fmt in ("%d/%m/%Y", "%Y-%m-%d"):
        result = _fill_with_format(result, text, fmt)
    rest = text.where(result.isna()).dropna()
    if not rest.empty:
        result = result.fillna(_slow_dates(rest, col, today).reindex(col.index))
    bad = text.notna() & result.isna()
    return Parsed(result, bad.astype(bool))


def _fill_with_format(result: pd.Series, text: pd.Series, fmt: str) -> pd.Series:
    todo = result.isna() & text.notna()
    if todo.any():
        parsed = pd.to_datetime(text[todo], format=fmt, errors="coerce").astype("datetime64[s]")
        result = result.fillna(parsed.reindex(result.index))
    return result


def _slow_dates(text: pd.Series, col: pd.Series, today: pd.Timestamp) -> pd.Series:
    """`d/m/yy`, dots or dashes as separators, ISO with a time, and Excel serial numbers."""
    result = pd.Series(pd.NaT, index=text.index, dtype="datetime64[s]")
    dmy = text.str.extract(r"^(\d{1,2})[/.\-](\d{1,2})[/.\-](\d{4}|\d{2})$")
    year = pd.to_numeric(dmy[2], errors="coerce").astype("float64")
    short = (dmy[2].str.len() == 2).fillna(False).astype(bool)
    pivot = (today.year % 100) + 10
    year = year.where(~short, np.where(year <= pivot, 2000 + year, 1900 + year))
    result = result.fillna(_assemble(year, dmy[1], dmy[0]))
    iso = text.str.extract(r"^(\d{4})-(\d{1,2})-(\d{1,2})(?:[ T].*)?$")
    result = result.fillna(_assemble(iso[0], iso[1], iso[2]))
    serial = pd.to_numeric(text.where(text.str.fullmatch(r"\d{4,5}(\.0+)?", na=False)), errors="coerce")
    original = col.reindex(text.index)
    numeric = _numeric_cells(original)
    serial = serial.fillna(pd.to_numeric(original.where(numeric), errors="coerce"))
    days = pd.to_timedelta(serial.where(serial.between(1, 100_000)), unit="D")
    return result.fillna((EXCEL_EPOCH + days).astype("datetime64[s]"))


def _assemble(year, month, day) -> pd.Series:
    """Dates from year, month and day columns; impossible dates (31/02) become NaT."""
    parts = [pd.to_numeric(pd.Series(p), errors="coerce").astype("Float64") for p in (year, month, day)]
    index = next((p.index for p in (year, month, day) if isinstance(p, pd.Series)), pd.RangeIndex(1))
    parts = [p.reindex(index) if len(p) != len(index) else p.set_axis(index) for p in parts]
    ok = parts[0].notna() & parts[1].notna() & parts[2].notna() & parts[0].between(1, 9999)
    text = pd.Series(pd.NA, index=index, dtype="string")
    if ok.any():
        y, m, d = (p[ok].astype("int64").astype(str) for p in parts)
        text[ok] = y.str.zfill(4) + "-" + m.str.zfill(2) + "-" + d.str.zfill(2)
    return pd.to_datetime(text, format="%Y-%m-%d", errors="coerce").astype("datetime64[s]")


def parse_month(col: pd.Series) -> Parsed:
    """Months ``mm/yyyy``, ``yyyy-mm``, ``gennaio 2024``, ``gen-24``; full dates give their month. First day."""
    text = as_text(col)
    result = pd.Series(pd.NaT, index=col.index, dtype="datetime64[s]")
    for fmt in ("%m/%Y", "%Y-%m"):
        result = _fill_with_format(result, text, fmt)
    rest = text.where(result.isna()).dropna()
    if not rest.empty:
        folded = map_unique(rest, fold)
        named = folded.str.extract(r"^([a-z]+)[\s.\-/']*(\d{4}|\d{2})$")
        month_no = named[0].map(MONTHS_IT)
        named_year = pd.to_numeric(named[1], errors="coerce").astype("float64")
        named_year = named_year.where((named[1].str.len() != 2).fillna(True).astype(bool), 2000 + named_year)
        found = _assemble(named_year, month_no, pd.Series(1, index=rest.index))
        as_date = parse_date(col.reindex(rest.index).where(found.isna()))
        found = found.fillna(as_date.values.dt.to_period("M").dt.to_timestamp().astype("datetime64[s]"))
        result = result.fillna(found.reindex(col.index))
    bad = text.notna() & result.isna()
    return Parsed(result, bad.astype(bool))


def parse_enum(col: pd.Series, allowed: tuple[str, ...], synonyms: dict[str, str]) -> Parsed:
    text = as_text(col)
    codes = map_unique(text, snake)
    codes = codes.replace(synonyms)
    bad = codes.notna() & ~codes.isin(allowed)
    return Parsed(codes.where(~bad), bad.astype(bool))


def parse_ambiti(col: pd.Series, allowed: tuple[str, ...], synonyms: dict[str, str]) -> Parsed:
    """A list of ambiti separated by ``;`` or ``,``, stored canonical and comma-joined."""
    text = as_text(col)

    def one(cell: str) -> str | None:
        items = [synonyms.get(snake(p), snake(p)) for p in re.split(r"[;,]", cell) if p.strip()]
        return ",".join(dict.fromkeys(items)) if all(i in allowed for i in items) else None

    values = map_unique(text, one)
    return Parsed(values, (text.notna() & values.isna()).astype(bool))


def parse_value(col: pd.Series, *, dot_decimal_file: bool = False) -> Parsed:
    """A measured value: a number (``3,4 %`` gives 3.4 points) or a yes/no word (1 or 0)."""
    num = parse_number(col, dot_decimal_file=dot_decimal_file, percent=True)
    words = map_unique(as_text(col), fold)
    yes_no = words.isin(YES - {"1", "1.0"}) | words.isin(NO - {"", "0", "0.0"})
    values = num.values.where(~yes_no, words.isin(YES).astype("Float64"))
    return Parsed(values, (num.bad & ~yes_no).astype(bool))
