"""Synthetic control for one treated unit (Abadie, Diamond and Hainmueller 2010).

The synthetic unit is the convex combination of control units (weights >= 0 summing to one) whose
outcome best tracks the treated unit before the start; the effect is the gap after the start. The
p-value comes from placebos in space: every control unit in turn plays the treated one, and the treated
unit's ratio of post- to pre-start RMSPE is ranked among all the ratios.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd
from scipy.optimize import nnls

from indicators.evaluation import Effect, Panel

MIN_DONORS_FOR_5PCT = 19  # with J donors the smallest placebo p-value is 1 / (J + 1)


@dataclass
class SyntheticControl:
    """The effect (method 'sc') with the path of treated, synthetic and gap, and the placebo runs."""

    effect: Effect
    path: pd.DataFrame  # period, treated, synthetic, gap
    placebos: pd.DataFrame  # unit, pre_rmspe, post_rmspe, ratio, is_treated
    placebo_gaps: pd.DataFrame  # period x unit: the gap of each placebo run


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


def _placebos(wide: pd.DataFrame, treated: str, donors: list[str], pre: np.ndarray):
    rows, gaps = [], {}
    for unit in [treated, *donors]:
        others = [d for d in donors if d != unit]
        if not others:
            continue
        _, gap = _fit(wide, unit, others, pre)
        pre_r, post_r = _rmspe(gap[pre]), _rmspe(gap[~pre])
        rows.append((unit, pre_r, post_r, post_r / pre_r if pre_r > 0 else np.inf, unit == treated))
        gaps[unit] = gap
    table = pd.DataFrame(rows, columns=["unit", "pre_rmspe", "post_rmspe", "ratio", "is_treated"])
    return table, pd.DataFrame(gaps, index=wide.index)


def _warnings(panel: Panel, wide: pd.DataFrame, treated: str, donors: list[str], pre: np.ndarray,
              dropped: list[str]) -> list[str]:
    out = []
    if dropped:
        out.append(f"Esclusi dai donatori perché senza dati in tutti i periodi: {', '.join(dropped)}.")
    if len(donors) < MIN_DONORS_FOR_5PCT:
        out.append(f"Solo {len(donors)} unità di controllo: il p-value placebo non può scendere sotto "
                   f"1/{len(donors) + 1}.")
    level = wide[treated].to_numpy()[pre].mean()
    donor_levels = wide[donors].to_numpy()[pre].mean(axis=0)
    if level > donor_levels.max() or level < donor_levels.min():
        out.append("Prima dell'avvio l'unità trattata sta fuori dall'intervallo delle unità di controllo: "
                   "nessuna combinazione convessa la riproduce bene.")
    return out


def synthetic_control(panel: Panel) -> SyntheticControl | Effect:
    """Fit the synthetic control; returns a bare `Effect` with the reason when it cannot be estimated."""
    base = Effect("sc", None, n_treated=len(panel.treated_units), n_control=len(panel.control_units),
                  n_pre=panel.n_pre, n_post=panel.n_post)
    if len(panel.treated_units) != 1:
        base.warnings.append("Il controllo sintetico richiede una sola unità trattata "
                             f"(indicate: {len(panel.treated_units)}).")
        return base
    treated = panel.treated_units[0]
    wide = panel.wide()
    if wide[treated].isna().any():
        base.warnings.append("L'unità trattata non ha il dato in tutti i periodi: il controllo sintetico richiede "
                             "un panel completo per l'unità trattata.")
        return base
    donors = [u for u in panel.control_units if wide[u].notna().all()]
    dropped = [u for u in panel.control_units if u not in donors]
    if len(donors) < 2 or panel.n_pre < 2:
        base.warnings.append("Servono almeno due unità di controllo complete e due periodi prima dell'avvio.")
        return base
    pre = (wide.index < panel.start)
    w, gap = _fit(wide, treated, donors, pre)
    placebos, placebo_gaps = _placebos(wide, treated, donors, pre)
    ratio = placebos.loc[placebos["is_treated"], "ratio"].iloc[0]
    effect = Effect("sc", float(gap[~pre].mean()), p_value=float((placebos["ratio"] >= ratio - 1e-12).mean()),
                    n_treated=1, n_control=len(donors), n_pre=int(pre.sum()), n_post=int((~pre).sum()),
                    weights={u: float(v) for u, v in zip(donors, w) if v > 1e-6}, pre_rmspe=_rmspe(gap[pre]),
                    inference=f"placebo nello spazio ({len(placebos)} serie, rapporto RMSPE dopo/prima)",
                    warnings=_warnings(panel, wide, treated, donors, pre, dropped))
    path = pd.DataFrame({"period": wide.index, "treated": wide[treated].to_numpy(),
                         "synthetic": wide[treated].to_numpy() - gap, "gap": gap})
    return SyntheticControl(effect, path, placebos, placebo_gaps)
