"""Small-cell suppression: aggregates published to the Regione must not identify a household.

Primary suppression hides every cell counting between 1 and `threshold - 1` households or contracts
(zero is not sensitive: it says nobody is there). Secondary suppression then hides more cells so that no
hidden cell can be recovered by subtraction from a published total: in every line that has a published
total (each row, each column of a table with margins; the rows of a one-way table, whose total is the
headline figure), a hidden cell is never alone, so the smallest other cell is hidden too. This is the
usual cell-suppression rule of statistical offices (Eurostat, ISTAT: "regola della soglia" with
complementary suppression); for one- and two-way tables it is enough against subtraction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd

from indicators.scope import GROUPINGS, Scope
from indicators.sql import query

REASON = ("Per tutelare la riservatezza dei nuclei, i valori calcolati su meno di {t} nuclei o contratti non "
          "sono mostrati (soppressione primaria); {s}")


def primary_mask(counts: pd.DataFrame, threshold: int) -> pd.DataFrame:
    """True where 0 < count < threshold."""
    values = counts.fillna(0).to_numpy(dtype=float)
    return pd.DataFrame((values > 0) & (values < threshold), index=counts.index, columns=counts.columns)


def _hide_partner(values: np.ndarray, hidden: np.ndarray, line: np.ndarray) -> bool:
    """In one line (indices), if exactly one cell is hidden, hide the smallest other (positive first)."""
    if hidden[line].sum() != 1 or len(line) < 2:
        return False
    others = [i for i in line if not hidden[i]]
    positive = [i for i in others if values[i] > 0]
    pick = min(positive or others, key=lambda i: values[i])
    hidden[pick] = True
    return True


def _lines(n_rows: int, n_cols: int, rows: bool, columns: bool) -> list[np.ndarray]:
    """Flat indices of every line whose total is published."""
    lines = [np.arange(r * n_cols, (r + 1) * n_cols) for r in range(n_rows)] if rows else []
    return lines + ([np.arange(c, n_rows * n_cols, n_cols) for c in range(n_cols)] if columns else [])


def determined_cells(hidden: np.ndarray, lines: list[np.ndarray]) -> list[int]:
    """Hidden cells whose value follows from the published totals by linear algebra (e.g. a bridge between
    two blocks of hidden cells): cell i is determined when its unit vector lies in the span of the lines."""
    unknown = np.flatnonzero(hidden)
    if len(unknown) == 0:
        return []
    position = {cell: k for k, cell in enumerate(unknown)}
    equations = np.array([[1.0 if cell in set(line) else 0.0 for cell in unknown] for line in lines]
                         or [[0.0] * len(unknown)])
    rank = np.linalg.matrix_rank(equations)
    found = []
    for cell in unknown:
        unit = np.zeros(len(unknown))
        unit[position[cell]] = 1.0
        if np.linalg.matrix_rank(np.vstack([equations, unit])) == rank:
            found.append(int(cell))
    return found


def secondary_mask(counts: pd.DataFrame, primary: pd.DataFrame, *, rows: bool = True,
                   columns: bool = True) -> pd.DataFrame:
    """Primary plus complementary cells: no published line (`rows`: each row has a total; `columns`: each
    column has a total) keeps exactly one hidden cell, and no hidden cell can be solved from the totals."""
    values = counts.fillna(0).to_numpy(dtype=float).ravel()
    hidden = primary.to_numpy(dtype=bool).ravel().copy()
    n_rows, n_cols = counts.shape
    lines = _lines(n_rows, n_cols, rows, columns)
    while True:
        changed = True
        while changed:
            changed = False
            for line in lines:
                changed |= _hide_partner(values, hidden, line)
        solvable = determined_cells(hidden, lines)
        spare = [i for line in lines if solvable and solvable[0] in line for i in line if not hidden[i]]
        if not solvable or not spare:
            break
        hidden[min(spare, key=lambda i: (values[i] <= 0, values[i]))] = True
    return pd.DataFrame(hidden.reshape(counts.shape), index=counts.index, columns=counts.columns)


@dataclass
class Suppressed:
    """A table with suppressed cells set to None, and how many were hidden at each step."""

    frame: pd.DataFrame
    primary: int = 0
    secondary: int = 0
    threshold: int = 5
    hidden_rows: list = field(default_factory=list)

    @property
    def any(self) -> bool:
        return self.primary + self.secondary > 0

    @property
    def note(self) -> str:
        """The sentence a page or export shows under a table (Italian)."""
        if not self.any:
            return ""
        extra = (f"altri {self.secondary} valori sono nascosti perché non si possano ricavare per differenza dai "
                 "totali (soppressione secondaria)." if self.secondary else
                 "nessun altro valore è nascosto perché i totali non permettono di ricavarli.")
        return REASON.format(t=self.threshold, s=extra)


def suppress_rows(frame: pd.DataFrame, counts: pd.Series, *, threshold: int,
                  value_columns: list[str] | None = None) -> Suppressed:
    """One-way table (one row per group, a total published elsewhere): rows whose `counts` are small are
    hidden, plus complementary rows; the values of hidden rows become None, the group labels stay."""
    grid = pd.DataFrame({"n": counts.reindex(frame.index).fillna(0).to_numpy()}, index=frame.index)
    first = primary_mask(grid, threshold)
    full = secondary_mask(grid, first, rows=False, columns=True)
    hide = full["n"].to_numpy()
    out = frame.copy()
    columns = value_columns or [c for c in frame.columns if c != "group"]
    for column in columns:
        out[column] = out[column].astype(object).where(~hide, None)
    return Suppressed(out, primary=int(first["n"].sum()), secondary=int(hide.sum() - first["n"].sum()),
                      threshold=threshold, hidden_rows=list(frame.index[hide]))


def suppress_grid(counts: pd.DataFrame, *, threshold: int) -> Suppressed:
    """Two-way table of counts with row and column totals: hidden cells are None; margins stay published."""
    first = primary_mask(counts, threshold)
    full = secondary_mask(counts, first)
    out = counts.astype(object).where(~full, None)
    return Suppressed(out, primary=int(first.to_numpy().sum()),
                      secondary=int(full.to_numpy().sum() - first.to_numpy().sum()), threshold=threshold)


def households_by(conn, *, as_of: date, scope: Scope = Scope(), by: str | None = None) -> pd.DataFrame:
    """Households (leases active at D) per group of `GROUPINGS`: the count a cell's disclosure risk rests on.

    Returns columns group, households (group None without `by`).
    """
    units_sql, params = scope.units_sql()
    group = GROUPINGS[by] if by else "NULL"
    join = " LEFT JOIN household h ON h.code = l.household_code" if by == "income_band" else ""
    return query(conn, f"""
        SELECT {group} AS "group", count(DISTINCT l.code) AS households
        FROM lease l JOIN ({units_sql}) su ON su.unit_code = l.unit_code{join}
        WHERE l.start_date <= :as_of AND (l.end_date IS NULL OR l.end_date >= :as_of)
        GROUP BY {group}""", {**params, "as_of": as_of})


COUNT_COLUMNS = ("households", "contracts", "cases")  # columns that already count households or contracts


def suppress_frame(conn, frame: pd.DataFrame, *, threshold: int, as_of: date, scope: Scope = Scope(),
                   by: str | None = None) -> Suppressed:
    """Suppress an indicator table: a `by=` frame (counts: households of each group at `as_of`) or a table
    with its own count column (aging buckets' contracts, outcomes' cases)."""
    base = households_by(conn, as_of=as_of, scope=scope, by=by) if by is not None else None
    return suppress_table(frame, threshold=threshold, households=base)


def suppress_table(frame: pd.DataFrame, *, threshold: int, households: pd.DataFrame | None = None) -> Suppressed:
    """`suppress_frame` with the households per group already counted (`households_by`'s frame)."""
    if frame.empty:
        return Suppressed(frame, threshold=threshold)
    if households is not None and "group" in frame.columns:
        base = dict(zip(households["group"], households["households"]))
        counts = pd.Series([base.get(g, 0) for g in frame["group"]], index=frame.index, dtype=float)
        return suppress_rows(frame, counts, threshold=threshold)
    own = next((c for c in COUNT_COLUMNS if c in frame.columns), None)
    if own is None:
        raise ValueError("tabella senza conteggi di nuclei o contratti: non si può verificare la riservatezza")
    values = [c for c in frame.columns if pd.api.types.is_numeric_dtype(frame[c]) or c == own]
    return suppress_rows(frame, frame[own].astype(float), threshold=threshold, value_columns=values)
