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

from indicators.conformal import conformal_interval
from indicators.evaluation import Effect, Panel
from indicators.sc_fit import (  # noqa: F401  (re-exported)
    MIN_DONORS_FOR_5PCT, PERFECT_FIT, _placebos, _rmspe, fit_warnings, simplex_weights, unit_fit)
from indicators.sc_several import several_synthetic_controls



@dataclass
class SyntheticControl:
    """The effect (method 'sc') with the path of treated, synthetic and gap, and the placebo runs."""

    effect: Effect
    path: pd.DataFrame  # period, treated, synthetic, gap
    placebos: pd.DataFrame  # unit, pre_rmspe, post_rmspe, ratio, is_treated
    placebo_gaps: pd.DataFrame  # period x unit: the gap of each placebo run


def synthetic_control(panel: Panel, *, fit_from=None, alpha: float = 0.05, conformal: bool = True):
    """Fit the synthetic control; returns a bare `Effect` with the reason when it cannot be estimated.

    `fit_from`: first period of the fit window (default: all periods before the start). With several treated
    units (or staggered starts) each gets its own synthetic control (`indicators.sc_several`).
    """
    if len(panel.treated_units) != 1:
        return several_synthetic_controls(panel, fit_from=fit_from)
    base = Effect("sc", None, n_treated=1, n_control=len(panel.control_units), n_pre=panel.n_pre,
                  n_post=panel.n_post)
    treated = panel.treated_units[0]
    wide = panel.wide()
    if wide[treated].isna().any():
        base.warnings.append("L'unità trattata non ha il dato in tutti i periodi: il controllo sintetico richiede "
                             "un panel completo per l'unità trattata.")
        return base
    donors = [u for u in panel.control_units if wide[u].notna().all()]
    dropped = [u for u in panel.control_units if u not in donors]
    w, gap, pre, post = unit_fit(wide, treated, donors, panel.start, fit_from) if len(donors) >= 2 else (0, 0, [], 0)
    if len(donors) < 2 or int(np.sum(pre)) < 2:
        base.warnings.append("Servono almeno due unità di controllo complete e due periodi prima dell'avvio.")
        return base
    placebos, placebo_gaps = _placebos(wide, treated, donors, pre, post)
    ratio = placebos.loc[placebos["is_treated"], "ratio"].iloc[0]
    warnings = ([f"Esclusi dai donatori perché senza dati in tutti i periodi: {', '.join(dropped)}."] if dropped
                else []) + fit_warnings(wide, treated, donors, pre, gap)
    effect = Effect("sc", float(gap[post].mean()), p_value=float((placebos["ratio"] >= ratio - 1e-12).mean()),
                    n_treated=1, n_control=len(donors), n_pre=int(pre.sum()), n_post=int(post.sum()),
                    weights={u: float(v) for u, v in zip(donors, w) if v > 1e-6}, pre_rmspe=_rmspe(gap[pre]),
                    inference=f"placebo nello spazio ({len(placebos)} serie, rapporto RMSPE dopo/prima)",
                    warnings=warnings)
    if conformal:
        _add_conformal(effect, wide, treated, donors, pre | post, post, gap, alpha)
    path = pd.DataFrame({"period": wide.index, "treated": wide[treated].to_numpy(),
                         "synthetic": wide[treated].to_numpy() - gap, "gap": gap})
    return SyntheticControl(effect, path, placebos, placebo_gaps)


def _add_conformal(effect: Effect, wide, treated, donors, window, post, gap, alpha: float) -> None:
    y, x = wide[treated].to_numpy()[window], wide[donors].to_numpy()[window]
    scale = max(float(np.std(gap[post])), effect.pre_rmspe or 0.0)
    ci = conformal_interval(y, x, post[window], estimate=float(effect.estimate or 0.0), scale=scale, alpha=alpha)
    effect.ci_low, effect.ci_high = ci.low, ci.high
    effect.inference += ("; intervallo conforme per un effetto costante (Chernozhukov, Wüthrich e Zhu, "
                         f"{ci.n_periods} permutazioni a blocchi)")
    if ci.warning:
        effect.warnings.append(ci.warning)
