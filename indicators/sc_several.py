"""Synthetic control with several treated units, each from its own start (Abadie and L'Hour 2021's setting,
inference as Cavallo, Galiani, Noy and Pantano 2013).

Each treated unit gets its own synthetic control from the never-treated donors, fitted on the periods before
its own start; the combined effect is the mean of the units' average gaps after their starts. Its p-value
compares the mean of the treated units' post/pre RMSPE ratios with the means of placebo ratios drawn one per
treated unit (each donor in turn playing a treated unit that starts when that unit starts).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from indicators.evaluation import Effect, Panel
from indicators.sc_fit import _rmspe, fit_warnings, unit_fit

DRAWS = 999


@dataclass
class SeveralSyntheticControls:
    """The combined effect (method 'sc') and, per treated unit, its start, estimate, fit and weights."""

    effect: Effect
    units: pd.DataFrame  # unit, start, estimate, pre_rmspe, ratio, p_value, weights (dict)
    paths: pd.DataFrame  # unit, period, treated, synthetic, gap


def _placebo_ratios(wide: pd.DataFrame, donors: list[str], start, fit_from) -> np.ndarray:
    ratios = []
    x = wide[donors].to_numpy()
    for j, unit in enumerate(donors):
        others = np.arange(len(donors)) != j
        _, gap, pre, post = unit_fit(wide, unit, [], start, fit_from, arrays=(x[:, j], x[:, others]))
        pre_r = _rmspe(gap[pre])
        ratios.append(_rmspe(gap[post]) / pre_r if pre_r > 0 else np.inf)
    return np.array(ratios)


def several_synthetic_controls(panel: Panel, *, fit_from=None, seed: int = 0) -> SeveralSyntheticControls | Effect:
    wide = panel.wide()
    donors = [u for u in panel.control_units if wide[u].notna().all()]
    starts = panel.start_of
    base = Effect("sc", None, n_treated=len(starts), n_control=len(donors), n_pre=panel.n_pre, n_post=panel.n_post)
    usable = {u: s for u, s in starts.items() if wide[u].notna().all() and int((wide.index < s).sum()) >= 2}
    if len(donors) < 3 or not usable:
        base.warnings.append("Servono almeno tre unità mai trattate con il dato in tutti i periodi e unità trattate "
                             "complete con almeno due periodi prima del proprio avvio.")
        return base
    rows, paths, placebo, warnings = [], [], {}, []
    x = wide[donors].to_numpy()
    for unit, start in usable.items():
        w, gap, pre, post = unit_fit(wide, unit, donors, start, fit_from, arrays=(wide[unit].to_numpy(), x))
        if start not in placebo:
            placebo[start] = _placebo_ratios(wide, donors, start, fit_from)
        pre_r = _rmspe(gap[pre])
        ratio = _rmspe(gap[post]) / pre_r if pre_r > 0 else np.inf
        p = float((np.append(placebo[start], ratio) >= ratio - 1e-12).mean())
        rows.append((unit, start, float(gap[post].mean()), pre_r, ratio, p,
                     {d: float(v) for d, v in zip(donors, w) if v > 1e-6}))
        paths.append(pd.DataFrame({"unit": unit, "period": wide.index, "treated": wide[unit].to_numpy(),
                                   "synthetic": wide[unit].to_numpy() - gap, "gap": gap}))
        warnings += [f"{unit}: {text}" for text in fit_warnings(wide, unit, donors, pre, gap)[1:]]
    units = pd.DataFrame(rows, columns=["unit", "start", "estimate", "pre_rmspe", "ratio", "p_value", "weights"])
    skipped = sorted(set(starts) - set(usable))
    if skipped:
        warnings.insert(0, f"Senza controllo sintetico (dato mancante o meno di due periodi prima dell'avvio): "
                           f"{', '.join(skipped)}.")
    effect = Effect("sc", float(units["estimate"].mean()), n_treated=len(units), n_control=len(donors),
                    n_pre=panel.n_pre, n_post=panel.n_post, pre_rmspe=float(units["pre_rmspe"].mean()),
                    p_value=_combined_p(units, placebo, seed),
                    inference=f"un controllo sintetico per unità trattata ({len(units)}); p-value dalla media dei "
                              f"rapporti RMSPE contro {DRAWS} medie di placebo estratti uno per unità trattata",
                    warnings=warnings)
    effect.warnings.insert(0, f"Con {len(donors)} unità di controllo ogni p-value placebo di una singola unità "
                              f"trattata non scende sotto 1/{len(donors) + 1}.")
    return SeveralSyntheticControls(effect, units, pd.concat(paths, ignore_index=True))


def _combined_p(units: pd.DataFrame, placebo: dict, seed: int) -> float:
    rng = np.random.default_rng(seed)
    observed = float(np.mean(np.minimum(units["ratio"].to_numpy(), 1e12)))
    draws = np.column_stack([rng.choice(np.minimum(placebo[s], 1e12), size=DRAWS) for s in units["start"]])
    means = draws.mean(axis=1)
    return float((1 + (means >= observed - 1e-12).sum()) / (DRAWS + 1))
