"""Small-cell suppression of the labs' figures for a suppressed role (the Regione's reports): counts of households
or people between 1 and threshold − 1 are hidden, with complementary cells so that none is recovered from a total
(`indicators.suppression`)."""

from __future__ import annotations

import math

import pandas as pd

from indicators.suppression import Suppressed, suppress_rows

# Context indicators that count households or people (abitanti is a whole area's population).
PEOPLE_COUNTS = ("famiglie", "nuclei_morosi", "disoccupati", "pensionati", "stranieri", "disabili",
                 "nuclei_servizi_sociali")
OUTCOME_VALUES = ["t0", "t1", "abs_change", "rel_change_pct", "points_change", "did", "did_relative"]


def protect_counts(frame: pd.DataFrame, columns: list[str], *, threshold: int,
                   dependent: dict[str, list[str]] | None = None) -> Suppressed:
    """Each of `columns` (a count of households per row, with its total published) suppressed on its own; the
    `dependent` columns of a count (e.g. a cost per household) are hidden with it."""
    out, primary, secondary = frame.copy(), 0, 0
    for column in columns:
        counts = pd.to_numeric(out[column], errors="coerce").fillna(0).astype(float)
        done = suppress_rows(out, counts, threshold=threshold, value_columns=[column, *(dependent or {}).get(
            column, [])])
        out, primary, secondary = done.frame, primary + done.primary, secondary + done.secondary
    return Suppressed(out, primary=primary, secondary=secondary, threshold=threshold)


def protect_outcomes(table: pd.DataFrame, *, threshold: int) -> Suppressed:
    """The outcome table with the levels and changes of small counts of households or people hidden (both arms of
    an indicator when one is hidden, since the difference would give it away)."""
    if table.empty:
        return Suppressed(table, threshold=threshold)

    def smallest(row) -> float:
        if row.unit != "n" or row.indicator not in PEOPLE_COUNTS:
            return math.inf
        values = [v for v in (row.t0, row.t1) if v is not None and not pd.isna(v) and v > 0]
        return min(values) if values else math.inf

    small = pd.Series([0 < smallest(r) < threshold for r in table.itertuples()], index=table.index)
    pairs = set(zip(table.loc[small, "lab"], table.loc[small, "indicator"]))
    hide = pd.Series([(lab, ind) in pairs for lab, ind in zip(table["lab"], table["indicator"])], index=table.index)
    out = table.copy()
    for column in OUTCOME_VALUES:
        out[column] = out[column].astype(object).where(~hide, None)
    out["note"] = [("Valore nascosto per riservatezza." if h else n) for h, n in zip(hide, out["note"])]
    return Suppressed(out, primary=int(small.sum()), secondary=int(hide.sum() - small.sum()), threshold=threshold)
