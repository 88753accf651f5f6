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
from osservatorio.formatting import fmt_num

MIN_DONORS_FOR_5PCT = 19  # with J donors the smallest placebo p-value is 1 / (J + 1)
PERFECT_FIT = 1e-6  # pre-start RMSPE below this share of the treated unit's spread: a perfect fit


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


def synthetic_control(panel: Panel, *, fit_from=None, alpha: float = 0.05, conformal: bool = True):
    """Fit the synthetic control; returns a bare `Effect` with the reason when it cannot be estimated.

    `fit_from`: first period of the fit window (default: all periods before the start). With several treated
    units (or staggered starts) each gets its own synthetic control (`indicators.sc_several`).
    """
    if len(panel.treated_units) != 1:
        from indicators.sc_several import several_synthetic_controls

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
    from indicators.conformal import conformal_interval

    y, x = wide[treated].to_numpy()[window], wide[donors].to_numpy()[window]
    scale = max(float(np.std(gap[post])), effect.pre_rmspe or 0.0)
    ci = conformal_interval(y, x, post[window], estimate=float(effect.estimate or 0.0), scale=scale, alpha=alpha)
    effect.ci_low, effect.ci_high = ci.low, ci.high
    effect.inference += ("; intervallo conforme per un effetto costante (Chernozhukov, Wüthrich e Zhu, "
                         f"{ci.n_periods} permutazioni a blocchi)")
    if ci.warning:
        effect.warnings.append(ci.warning)
