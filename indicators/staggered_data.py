"""The staggered panel as the estimators read it: a balanced unit x period matrix and each unit's cohort.

A unit's cohort is the position of its first treated period among the panel's periods (-1: never treated).
What the estimators cannot use is set aside and said in Italian: units not seen in every period (the
group-time comparisons need each unit's change between two periods), units treated from the first period on
(no period before the start to compare with), and starts after the last period (never treated here).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from osservatorio.formatting import fmt_count

MAX_NAMED = 8


@dataclass
class Cohorts:
    units: list[str]
    periods: list
    y: np.ndarray  # units x periods
    first: np.ndarray  # per unit: index of the first treated period, -1 if never treated

    @property
    def never(self) -> np.ndarray:
        return self.first < 0

    @property
    def cohort_indices(self) -> list[int]:
        return sorted(int(g) for g in np.unique(self.first[self.first >= 0]))

    @property
    def period_index(self) -> dict:
        return {p: i for i, p in enumerate(self.periods)}


def names(units) -> str:
    units = list(units)
    more = len(units) - MAX_NAMED
    return ", ".join(units[:MAX_NAMED]) + (f" e altre {more}" if more > 0 else "")


def first_index(starts: pd.Series, periods: list) -> np.ndarray:
    """Index of the first period at or after each start (len(periods) when after the last; -1 when none)."""
    order = np.array(periods)
    out = np.full(len(starts), -1)
    known = starts.notna().to_numpy()
    if known.any():
        out[known] = np.searchsorted(order, starts[known].to_numpy(), side="left")
    return out


def cohorts_of(frame: pd.DataFrame, *, control: str = "never") -> tuple[Cohorts | None, list[str]]:
    """The balanced matrix of a long frame (unit, period, y, start); None with the reason when nothing is left."""
    warnings: list[str] = []
    wide = frame.pivot_table(index="unit", columns="period", values="y", aggfunc="mean").sort_index(axis=1)
    incomplete = wide.index[wide.isna().any(axis=1)]
    if len(incomplete):
        warnings.append(f"Escluse {fmt_count(len(incomplete), 'unità', 'unità')} senza il dato in tutti i periodi "
                        f"(il metodo confronta le variazioni di ogni unità): {names(incomplete)}.")
        wide = wide.drop(index=incomplete)
    periods = list(wide.columns)
    starts = frame.groupby("unit")["start"].first().reindex(wide.index)
    first = first_index(starts, periods)
    late = first >= len(periods)
    if late.any():
        warnings.append(f"Avvio dopo l'ultimo periodo osservato: {names(wide.index[late])} "
                        "contano come mai trattate.")
        first[late] = -1
    early = first == 0
    if early.any():
        warnings.append(f"Escluse perché trattate già dal primo periodo (nessun periodo prima da confrontare): "
                        f"{names(wide.index[early])}.")
    keep = ~early
    c = Cohorts(list(wide.index[keep]), periods, wide.to_numpy(dtype=float)[keep], first[keep])
    if not c.cohort_indices:
        warnings.insert(0, "Nessuna unità trattata utilizzabile: servono unità con un avvio dopo il primo periodo.")
        return None, warnings
    if control == "never" and not c.never.any():
        warnings.insert(0, "Nessuna unità mai trattata: usare come controllo le unità non ancora trattate.")
        return None, warnings
    if control not in ("never", "notyet"):
        raise ValueError(f"Gruppo di controllo non previsto: «{control}» (ammessi: never, notyet).")
    return c, warnings
