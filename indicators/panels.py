"""Panels for the evaluation read from the warehouse or from a user's long-format file.

From the ledger: one monthly arrears figure per building (FIFO, computed by `indicators.arrears`).
From a file: any long table (unit, period, outcome) in Italian or plain number format.
"""

from __future__ import annotations

from datetime import date

import pandas as pd

from etl.values import as_text, dot_decimal, parse_month, parse_number
from indicators.arrears import arrears_series
from indicators.results import AttrList
from indicators.scope import Scope
from indicators.suppression import households_by

# Outcome column of `arrears_series` -> the registry KPI it holds.
LEDGER_OUTCOMES = {"households_in_arrears_pct": "households_in_arrears_pct", "rate_billed": "arrears_rate_billed",
                   "stock": "arrears_stock_eur", "collection_rate": "collection_rate"}


def building_arrears_panel(conn, *, start: date, end: date, outcome: str = "households_in_arrears_pct",
                           scope: Scope = Scope(), min_households: int | None = None) -> pd.DataFrame:
    """Month-end arrears per building: columns unit (building code), period (month end), y (`outcome`).

    With `min_households` (the small-cell threshold of a user whose aggregates are suppressed), only the
    buildings with at least that many households (leases active at `end`) enter the panel: a building's
    monthly arrears would otherwise show a handful of households' debts.
    """
    if outcome not in LEDGER_OUTCOMES:
        raise ValueError(f"Esito non previsto: «{outcome}». Ammessi: {', '.join(LEDGER_OUTCOMES)}.")
    series = arrears_series(conn, start=start, end=end, scope=scope, by="building")
    base = pd.Series(series.attrs.get("counts", {}).get(outcome) or [()] * len(series), index=series.index)
    if min_households is not None:
        counts = households_by(conn, as_of=end, scope=scope, by="building")
        series = series[series["group"].isin(counts.loc[counts["households"] >= min_households, "group"])]
    out = pd.DataFrame({"unit": series["group"].astype(str), "period": pd.to_datetime(series["month"]),
                        "y": pd.to_numeric(series[outcome], errors="coerce"), "n": base.reindex(series.index)})
    out = out.dropna(subset=["y"]).reset_index(drop=True)
    counts_of_rows = AttrList(out.pop("n").tolist())
    out.attrs.update(kpi=LEDGER_OUTCOMES[outcome], counts=counts_of_rows)  # each cell's count base (`disclosure`)
    return out


def parse_periods(col: pd.Series) -> pd.Series:
    """Periods as written in a file: whole numbers (years, period numbers) or months/dates (first of month)."""
    text = as_text(col)
    if text.dropna().str.fullmatch(r"-?\d+").all():
        return pd.to_numeric(text).astype("Int64")
    months = parse_month(col)
    if months.bad.any():
        bad = ", ".join(text[months.bad].astype(str).unique()[:5])
        raise ValueError(f"Periodi non leggibili: {bad} (usare numeri, mm/aaaa, aaaa-mm o gg/mm/aaaa).")
    return pd.to_datetime(months.values)


def parse_period(text: str, like: pd.Series) -> object:
    """The start period given on the command line, read the same way as the file's periods."""
    value = parse_periods(pd.Series([text], dtype="string"))
    first = value.iloc[0]
    if pd.api.types.is_integer_dtype(like) != pd.api.types.is_integer_dtype(value):
        raise ValueError(f"Il periodo di avvio «{text}» non è dello stesso tipo dei periodi del file.")
    return first


def read_panel_csv(path, *, unit: str, time: str, outcome: str, start_column: str | None = None) -> pd.DataFrame:
    """A long CSV (separator guessed) with Italian (1.234,5) or plain (1234.5) numbers; with `start_column`, each
    unit's first treated period read like the periods (empty: never treated)."""
    raw = pd.read_csv(path, sep=None, engine="python", dtype=str, encoding="utf-8-sig")
    raw.columns = [c.strip() for c in raw.columns]
    wanted = (unit, time, outcome) + ((start_column,) if start_column else ())
    missing = [c for c in wanted if c not in raw.columns]
    if missing:
        raise ValueError(f"Colonne mancanti nel file: {', '.join(missing)}. "
                         f"Colonne presenti: {', '.join(raw.columns)}.")
    values = parse_number(raw[outcome], dot_decimal_file=dot_decimal(raw[outcome]))
    if values.bad.any():
        bad = ", ".join(raw.loc[values.bad, outcome].astype(str).unique()[:5])
        raise ValueError(f"Valori non numerici nella colonna «{outcome}»: {bad}.")
    out = pd.DataFrame({unit: raw[unit].str.strip(), time: parse_periods(raw[time]),
                        outcome: values.values.astype("float64")})
    if start_column:
        starts = raw[start_column].fillna("").str.strip()
        given = starts != ""
        out[start_column] = pd.Series(pd.NA, index=raw.index, dtype=out[time].dtype)
        if given.any():
            try:
                parsed = parse_periods(starts[given].astype("string"))
            except ValueError as exc:
                raise ValueError(f"Colonna «{start_column}»: {exc}") from None
            if pd.api.types.is_integer_dtype(parsed) != pd.api.types.is_integer_dtype(out[time]):
                raise ValueError(f"I periodi di avvio della colonna «{start_column}» non sono dello stesso tipo dei "
                                 f"periodi della colonna «{time}».")
            out.loc[given, start_column] = parsed.to_numpy()
    return out
