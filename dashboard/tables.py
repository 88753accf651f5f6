"""Indicator frames as Italian tables on screen and as CSV / Excel downloads, from one column list.

A `Col` says where a column comes from, its Italian heading, its kind (money, %, date...) and its help.
The screen gets Italian strings (1.234,56 €, 3,4%) right-aligned; downloads get the raw numbers with
Excel formats, so a spreadsheet can still add them up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal
from functools import partial

import pandas as pd
import streamlit as st

from osservatorio import exports
from dashboard.auth import current_user
from dashboard.private_downloads import download_button
from osservatorio.exports import DATE, DAYS, EUR, INT, NUM, PCT, TEXT
from indicators.disclosure import HIDDEN, HIDDEN_FLAG, hidden_cells
from indicators.registry import get_kpi
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_num, fmt_pct

FULL_ROWS = 25  # tables up to this many rows are shown whole, longer ones scroll
SPARK = "spark"  # a list of numbers drawn as a sparkline (screen only)
SPARK_WIDTH = 130  # pixels
HIDDEN_FLAG_VALUE = "value" + HIDDEN_FLAG
KPI_KINDS = {"eur": EUR, "pct": PCT, "days": DAYS, "count": INT, "per_1000": NUM, "ratio": NUM}
FORMATTERS = {
    EUR: fmt_eur, PCT: fmt_pct, INT: fmt_int, NUM: lambda v: fmt_num(v, 2),
    DAYS: lambda v: fmt_num(v, 1), DATE: lambda v: fmt_date(_day(v)),
}


def _day(value):
    if value is None or (not hasattr(value, "year") and pd.isna(value)):
        return None
    return pd.Timestamp(value).date()


@dataclass(frozen=True)
class Col:
    """One column of a table: source column, Italian heading, kind, tooltip."""

    source: str
    label: str
    kind: str = TEXT
    help: str | None = None
    labels: dict | None = None  # code -> Italian label, for text columns holding codes


def kpi_col(source: str, code: str, label: str | None = None) -> Col:
    """A column holding registry KPI `code`: its label and formula as heading and tooltip."""
    kpi = get_kpi(code)
    return Col(source, label or kpi.label, KPI_KINDS.get(kpi.unit, NUM), kpi.help)


# Codes of the data contract whose plain reading lacks an accent or a word.
CODE_LABELS = {
    "proprieta_futura_vendita": "Proprietà a futura vendita", "erp_sociale": "ERP sociale",
    "erp_moderato": "ERP moderato", "locazione_termine": "Locazione a termine",
    "fondo_solidarieta": "Fondo di solidarietà", "piano_rientro": "Piano di rientro",
    "riduzione_canone": "Riduzione del canone", "programma_supporto": "Programma di supporto",
    "valutazione_disagio": "Valutazione del disagio", "chiusura_saldo": "Chiusura per saldo",
    "sfratto_morosita": "Sfratto per morosità", "morosita": "Morosità", "finita_locazione": "Finita locazione",
    "occupato_senza_titolo": "Occupato senza titolo",
}


def code_label(code) -> str:
    """'locazione_permanente' -> 'Locazione permanente' (codes of the data contract shown to people)."""
    if code is None or (isinstance(code, float) and pd.isna(code)):
        return "n.d."
    if code in CODE_LABELS:
        return CODE_LABELS[code]
    text = str(code).replace("_", " ")
    return text[:1].upper() + text[1:]


def _present(frame: pd.DataFrame, cols: list[Col]) -> list[Col]:
    return [c for c in cols if c.source in frame.columns]


def _text(col: Col, value) -> str:
    missing = value is None or (not isinstance(value, (list, str)) and pd.isna(value))
    if col.labels is not None:
        return col.labels.get(None, "") if missing else col.labels.get(value, code_label(value))
    return "" if missing else str(value)


def display_frame(frame: pd.DataFrame, cols: list[Col]) -> pd.DataFrame:
    """What the screen shows: Italian headings and Italian-formatted strings (sparklines stay lists)."""
    out = {}
    for col in _present(frame, cols):
        values = frame[col.source]
        if col.kind == SPARK:
            out[col.label] = values
        elif col.kind == TEXT:
            out[col.label] = values.map(partial(_text, col))
        else:
            out[col.label] = _each_once(values, FORMATTERS[col.kind])
        if col.kind != SPARK:  # cells hidden by small-cell suppression say so ("nascosto"), not "n.d." or blank
            out[col.label] = out[col.label].mask(hidden_cells(frame, col.source), HIDDEN)
    return pd.DataFrame(out, index=frame.index).reset_index(drop=True)


def _each_once(values: pd.Series, fmt) -> pd.Series:
    """`values.map(fmt)`, formatting each distinct value once: long tables repeat their dates and counts.
    (Missing values, None or NaN, become one of them: every formatter writes them alike.)"""
    codes, uniques = pd.factorize(values, use_na_sentinel=False)
    return pd.Series([fmt(v) for v in uniques], dtype=object).take(codes).set_axis(values.index)


def export_frame(frame: pd.DataFrame, cols: list[Col]) -> tuple[pd.DataFrame, dict[str, str]]:
    """What downloads hold: Italian headings, raw values, and the kind of each column."""
    present = [c for c in _present(frame, cols) if c.kind != SPARK]
    out = pd.DataFrame({c.label: (frame[c.source].map(partial(_text, c)) if c.labels is not None else frame[c.source])
                        for c in present}).reset_index(drop=True)
    return out, {c.label: c.kind for c in present}


def column_config(cols: list[Col], spark_range: tuple[float, float] | None = None) -> dict:
    """Column settings; the first column, when it names the rows, stays pinned while a wide table scrolls."""
    config = {}
    for i, col in enumerate(cols):
        if col.kind == SPARK:
            config[col.label] = st.column_config.LineChartColumn(col.label, help=col.help, width=SPARK_WIDTH,
                                                                 y_min=spark_range[0] if spark_range else None,
                                                                 y_max=spark_range[1] if spark_range else None)
        elif col.kind == TEXT:
            config[col.label] = st.column_config.TextColumn(col.label, help=col.help, pinned=i == 0 or None)
        else:
            config[col.label] = st.column_config.TextColumn(col.label, help=col.help, alignment="right")
    return config


def downloads(frame: pd.DataFrame, cols: list[Col], *, name: str, key: str) -> None:
    """CSV and Excel buttons for a table; the files are made (and audited) only when a button is pressed."""
    data, kinds = export_frame(frame, cols)
    user = current_user()
    row = st.container(horizontal=True, gap="small")
    download_button(row, "CSV", partial(exports.to_csv, data, kinds), file_name=f"{name}.csv",
                    mime=exports.CSV_MIME, key=f"{key}_csv", user=user,
                    help="Separatore «;», virgola decimale, UTF-8: si apre direttamente in Excel.")
    download_button(row, "Excel", partial(exports.to_excel, data, kinds, sheet=name), file_name=f"{name}.xlsx",
                    mime=exports.XLSX_MIME, key=f"{key}_xlsx", user=user,
                    help="Foglio Excel con importi in euro, date gg/mm/aaaa e intestazione bloccata.")


def show_table(frame: pd.DataFrame | None, cols: list[Col], *, name: str, key: str, empty: str,
               height: int | Literal["auto", "content", "stretch"] | None = None,
               spark_range: tuple[float, float] | None = None) -> None:
    """An Italian table with its downloads, or `empty` (an explanation in Italian) when there are no rows."""
    if frame is None or frame.empty:
        st.info(empty, icon=":material/info:")
        return
    present = _present(frame, cols)
    height = height or ("content" if len(frame) <= FULL_ROWS else "auto")
    st.dataframe(display_frame(frame, present), column_config=column_config(present, spark_range),
                 hide_index=True, width="stretch", height=height)
    downloads(frame, present, name=name, key=key)


def side_by_side(frames: dict[str, pd.DataFrame]) -> pd.DataFrame:
    """`by=` frames of several KPIs joined on `group`: one column per KPI holding that frame's `value`."""
    parts = [frame[["group", "value", *([HIDDEN_FLAG_VALUE] if HIDDEN_FLAG_VALUE in frame else [])]]
             .rename(columns={"value": name, HIDDEN_FLAG_VALUE: name + HIDDEN_FLAG}) for name, frame in frames.items()]
    out = parts[0]
    for part in parts[1:]:
        out = out.merge(part, on="group", how="outer")
    return out.sort_values("group", na_position="last").reset_index(drop=True)


def series_lists(series: pd.DataFrame, column: str, name: str) -> pd.DataFrame:
    """A `by=` monthly series as one list per group (for sparklines): columns group and `name`."""
    if series.empty or column not in series:
        return pd.DataFrame({"group": pd.Series(dtype=object), name: pd.Series(dtype=object)})
    by_group: dict = {}
    rows = zip(series["group"].tolist(), series["month"].tolist(), series[column].tolist())
    for group, _month, value in sorted(rows, key=lambda r: (str(r[0]), r[1])):
        by_group.setdefault(group, []).append(value)
    # (a plain loop: pandas' groupby-agg returning lists copies every list deeply, 45 s for 667 groups)
    return pd.DataFrame({"group": pd.Series(list(by_group), dtype=object),
                         name: pd.Series([_spark(values) for values in by_group.values()], dtype=object)})


def _spark(values) -> list[float] | None:
    """The months with a value (months without data are left out, not drawn as gaps or zeros); no line from
    fewer than two points: the cell stays empty rather than showing a lone number."""
    points = [float(v) for v in values if v is not None and not pd.isna(v)]
    return points if len(points) > 1 else None
