"""The fit of a synthetic control (Abadie, Diamond and Hainmueller 2010): the convex weights of the donors, one
unit's fit and gap, the placebos in space and the warnings on the fit. Used by the one-unit estimator
(`indicators.synthetic_control`), one per treated unit (`indicators.sc_several`), synthetic DiD and the conformal
intervals."""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from osservatorio.formatting import fmt_num

MIN_DONORS_FOR_5PCT = 19  # with J donors the smallest placebo p-value is 1 / (J + 1)
PERFECT_FIT = 1e-6  # pre-start RMSPE below this share of the treated unit's spread: a perfect fit


def simplex_weights(target: np.ndarray, donors: np.ndarray) -> np.ndarray:
    """argmin ||target - donors @ w||^2 subject to w >= 0, sum(w) = 1.

    Non-negative least squares with the sum-to-one constraint as one heavily weighted extra row
    (Lawson-Hanson, much faster than SLSQP for the placebo runs); the last rounding is a renormalisation.
    """
    j = donors.shape[1]
    if j == 1:
        return np.ones(1)
    scale = max(float(np.abs(target).max()), float(np.abs(donors).max()), 1e-9)
    penalty = 1e3 * np.sqrt(len(target))
    a = np.vstack([donors / scale, np.full((1, j), penalty)])
    b = np.append(target / scale, penalty)
    w, _ = nnls(a, b, maxiter=50 * j)
    return w / w.sum() if w.sum() > 0 else np.full(j, 1 / j)


def _rmspe(gap: np.ndarray) -> float:
    return float(np.sqrt(np.mean(gap ** 2))) if len(gap) else float("nan")


def _fit(wide: pd.DataFrame, unit: str, donors: list[str], pre: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = wide[unit].to_numpy()
    w = simplex_weights(y[pre], wide[donors].to_numpy()[pre])
    return w, y - wide[donors].to_numpy() @ w


def _placebos(wide: pd.DataFrame, treated: str, donors: list[str], pre: np.ndarray, post: np.ndarray):
    rows, gaps = [], {}
    for unit in [treated, *donors]:
        others = [d for d in donors if d != unit]
        if not others:
            continue
        _, gap = _fit(wide, unit, others, pre)
        pre_r, post_r = _rmspe(gap[pre]), _rmspe(gap[post])
        rows.append((unit, pre_r, post_r, post_r / pre_r if pre_r > 0 else np.inf, unit == treated))
        gaps[unit] = gap
    table = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "ratio", "is_treated"])
    return table, pd.DataFrame(gaps, index=wide.index)


def fit_warnings(wide: pd.DataFrame, treated: str, donors: list[str], pre: np.ndarray, gap: np.ndarray) -> list[str]:
    """What makes the fit fragile: too few donors for a small p-value, a treated unit outside the donors'
    range, and a perfect pre-start fit whose weights are not unique (many donors, few periods)."""
    out = []
    if len(donors) < MIN_DONORS_FOR_5PCT:
        out.append(f"Solo {len(donors)} unità di controllo: il p-value placebo non può scendere sotto "
                   f"1/{len(donors) + 1} = {fmt_num(1 / (len(donors) + 1), 3)}, quindi nemmeno un effetto vero può "
                   "risultare significativo al 5%.")
    level = wide[treated].to_numpy()[pre].mean()
    donor_levels = wide[donors].to_numpy()[pre].mean(axis=0)
    if level > donor_levels.max() or level < donor_levels.min():
        out.append("Prima dell'avvio l'unità trattata sta fuori dall'intervallo delle unità di controllo: "
                   "nessuna combinazione convessa la riproduce bene.")
    spread = float(np.std(wide[treated].to_numpy()[pre])) or 1.0
    if _rmspe(gap[pre]) <= PERFECT_FIT * spread:
        x = np.vstack([wide[donors].to_numpy()[pre], np.ones(len(donors))])
        if np.linalg.matrix_rank(x) < len(donors):
            out.append(f"Adattamento perfetto prima dell'avvio con {len(donors)} donatori e {int(pre.sum())} periodi: "
                       "altre combinazioni di donatori si adattano altrettanto bene, quindi i pesi non sono unici e "
                       "l'adattamento non prova che il controllo sintetico sia buono.")
    return out


def unit_fit(wide: pd.DataFrame, unit: str, donors: list[str], start, fit_from=None, *, arrays=None):
    """Weights and gap of one unit against donors; `pre` = the fit window before `start`, `post` = from `start`.

    `arrays`: (y of the unit, donors' matrix) already taken out of `wide`, for callers that fit hundreds of units."""
    index = wide.index
    pre = np.asarray((index < start) & ((index >= fit_from) if fit_from is not None else True))
    y, x = arrays if arrays is not None else (wide[unit].to_numpy(), wide[donors].to_numpy())
    w = simplex_weights(y[pre], x[pre])
    return w, y - x @ w, pre, np.asarray(index >= start)
