"""Difference in differences: the two-group two-period regression and the two-way fixed effects panel.

`did_2x2` is the textbook regression y = b0 + b1 post + b2 treated + d (treated x post) (Wooldridge,
Introductory Econometrics, sec. 13.2). `twfe_did` is y_it = a_i + l_t + d D_it + e_it on a panel, with
standard errors clustered by unit and a wild cluster bootstrap (restricted, WCR) for the p-value and the
interval, which stays honest with few clusters (Cameron, Gelbach and Miller 2008; MacKinnon and Webb 2017).
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import statsmodels.formula.api as smf
from scipy import stats

from indicators.evaluation import Effect, Panel, period_index, rademacher_or_webb, size_warnings

WCB_REPS = 999


def did_2x2(frame: pd.DataFrame, *, outcome: str, treated: str, post: str, cluster: str | None = None,
            alpha: float = 0.05) -> Effect:
    """Two-group two-period DiD by OLS: `outcome ~ post + treated + treated:post`.

    Standard errors are the classical OLS ones (as in the textbook) or, with `cluster`, clustered.
    `n_pre` / `n_post` count observations before and after, `n_treated` / `n_control` observations per group.
    """
    data = frame[[outcome, treated, post] + ([cluster] if cluster else [])].dropna()
    data = data.assign(_y=data[outcome].astype(float), _t=data[treated].astype(float), _p=data[post].astype(float))
    model = smf.ols("_y ~ _p + _t + _t:_p", data=data)
    fit = model.fit() if cluster is None else model.fit(cov_type="cluster", cov_kwds={"groups": data[cluster]},
                                                         use_t=True)
    low, high = fit.conf_int(alpha).loc["_t:_p"]
    return Effect("did", float(fit.params["_t:_p"]), float(low), float(high), float(fit.pvalues["_t:_p"]),
                  se=float(fit.bse["_t:_p"]), n_treated=int(data["_t"].sum()), n_control=int((1 - data["_t"]).sum()),
                  n_pre=int((1 - data["_p"]).sum()), n_post=int(data["_p"].sum()),
                  inference="errore standard OLS classico" if cluster is None else "errore standard per gruppi")


def fixed_effects(panel: Panel) -> np.ndarray:
    """Unit dummies and period dummies (first period dropped): the design of the two-way fixed effects."""
    units = pd.get_dummies(panel.frame["unit"], dtype=float).to_numpy()
    periods = pd.get_dummies(period_index(panel), dtype=float).to_numpy()[:, 1:]
    return np.hstack([units, periods])


def residualise(design: np.ndarray, columns: np.ndarray) -> np.ndarray:
    """What is left of each column after projecting it on the fixed effects (Frisch-Waugh-Lovell)."""
    coef, *_ = np.linalg.lstsq(design, columns, rcond=None)
    return columns - design @ coef


class TwoWay:
    """Residualising on unit and period fixed effects: on a balanced panel by the closed form x - unit mean -
    period mean + grand mean (the rows are sorted by unit, then period), else by least squares on the dummies."""

    def __init__(self, panel: Panel):
        self.n_units, self.n_periods = len(panel.units), len(panel.periods)
        self.balanced = len(panel.frame) == self.n_units * self.n_periods
        self.design = np.zeros((0, 0)) if self.balanced else fixed_effects(panel)
        self.rank = (self.n_units + self.n_periods - 1 if self.balanced
                     else int(np.linalg.matrix_rank(self.design)))

    def residualise(self, columns: np.ndarray) -> np.ndarray:
        if not self.balanced:
            return residualise(self.design, columns)
        shape = columns.shape
        x = columns.reshape(self.n_units, self.n_periods, -1)
        x = x - x.mean(axis=1, keepdims=True) - x.mean(axis=0, keepdims=True) + x.mean(axis=(0, 1), keepdims=True)
        return x.reshape(shape)


def treatment_dummy(panel: Panel) -> np.ndarray:
    return (panel.frame["treated"] & panel.frame["post"]).to_numpy(dtype=float)


def twfe_did(panel: Panel, *, reps: int = WCB_REPS, seed: int = 0, alpha: float = 0.05) -> Effect:
    """Average effect on the treated by two-way fixed effects, clustered by unit, with a WCR bootstrap.

    The p-value is the share of bootstrap |t*| (data drawn under d = 0, weights per unit) at least as large
    as the observed |t|; the interval is estimate ± (1-alpha) quantile of |t*| × clustered se.
    """
    d = treatment_dummy(panel)
    base = Effect("did", None, n_treated=len(panel.treated_units), n_control=len(panel.control_units),
                  n_pre=panel.n_pre, n_post=panel.n_post, warnings=size_warnings(panel))
    if not panel.control_units:
        base.warnings.insert(0, "Nessuna unità di controllo: la differenza nelle differenze non si può stimare.")
        return base
    fe = TwoWay(panel)
    if float(np.linalg.norm(fe.residualise(d[:, None]))) <= 1e-8 * max(1.0, float(np.linalg.norm(d))):
        base.warnings.insert(0, "L'effetto non è identificato: il trattamento coincide con gli effetti fissi "
                                "(ad esempio unità trattate osservate solo dopo l'avvio).")
        return base
    if panel.is_staggered:
        base.warnings.insert(0, staggered_warning(panel, d, fe))
    parts = _bootstrap_parts(panel, d, fe)
    t_stars = wild_bootstrap_t(panel, d, reps=reps, seed=seed, parts=parts)
    estimate, se = _estimate_and_se(parts)
    t_obs = estimate / se
    critical = float(np.quantile(np.abs(t_stars), 1 - alpha))
    base.estimate, base.se = estimate, se
    base.p_value = float(np.mean(np.abs(t_stars) >= abs(t_obs) - 1e-12))
    base.ci_low, base.ci_high = estimate - critical * se, estimate + critical * se
    base.inference = f"wild cluster bootstrap (WCR, {reps} repliche, pesi per unità)"
    return base


def staggered_warning(panel: Panel, d: np.ndarray, fe: TwoWay) -> str:
    """Why two-way fixed effects may mislead when units start at different periods, with the implicit weights.

    Under parallel trends the TWFE coefficient is sum over treated cells of w_it tau_it with w_it = d~_it /
    sum d~_it, d~ the treatment dummy net of the fixed effects (de Chaisemartin and D'Haultfoeuille 2020):
    a negative w_it means that cell's effect enters with the wrong sign (Goodman-Bacon 2021).
    """
    d_res = fe.residualise(d[:, None])[:, 0]
    treated = d > 0
    w = d_res[treated] / d_res[treated].sum()
    negative = int((w < -1e-12).sum())
    text = ("Avvii scaglionati: la differenza nelle differenze a effetti fissi confronta anche unità già trattate "
            "con unità trattate più tardi (Goodman-Bacon 2021) e, se l'effetto cambia nel tempo o tra coorti, "
            "può essere distorta, fino a cambiare segno; leggere il metodo per avvii scaglionati "
            "(Callaway e Sant'Anna, imputazione).")
    if negative:
        text += (f" Qui {negative} delle {int(treated.sum())} osservazioni trattate entrano nella stima con peso "
                 "negativo (de Chaisemartin e D'Haultfœuille 2020).")
    return text


def _bootstrap_parts(panel: Panel, d: np.ndarray, fe: TwoWay | None = None):
    """The pieces the bootstrap reuses: residualised d, restricted residuals split by cluster, projections."""
    fe = fe or TwoWay(panel)
    both = fe.residualise(np.column_stack([d, panel.frame["y"].to_numpy()]))
    d_res, u_res = both[:, 0], both[:, 1]  # u_res: residuals of the model without d (the null)
    codes = pd.factorize(panel.frame["unit"])[0]
    member = np.zeros((len(codes), codes.max() + 1))
    member[np.arange(len(codes)), codes] = 1.0
    projected = fe.residualise(member * u_res[:, None])  # column g: M (u_res on cluster g only)
    cross = member.T @ (d_res[:, None] * projected)  # [g, h]: sum over cluster g of d_res * column h
    own = member.T @ (d_res ** 2)
    n, k = len(d), fe.rank + 1
    g = member.shape[1]
    correction = g / (g - 1) * (n - 1) / (n - k)
    return cross, own, correction


def wild_bootstrap_t(panel: Panel, d: np.ndarray, *, reps: int = WCB_REPS, seed: int = 0, parts=None) -> np.ndarray:
    """t statistics of d under the null in `reps` wild cluster bootstrap samples (all in matrix form)."""
    cross, own, correction = parts or _bootstrap_parts(panel, d)
    weights = rademacher_or_webb(cross.shape[0], reps, np.random.default_rng(seed))
    sums = cross @ weights  # per cluster: d_res' M y* for each replicate
    dd = own.sum()
    beta = sums.sum(axis=0) / dd
    scores = sums - own[:, None] * beta[None, :]
    se = np.sqrt(correction * (scores ** 2).sum(axis=0)) / dd
    return beta / np.where(se > 0, se, np.nan)


def _estimate_and_se(parts) -> tuple[float, float]:
    """The TWFE coefficient and its clustered standard error (CR1, as statsmodels' cluster with use_t) from the
    bootstrap's pieces: all weights 1 give back the observed data."""
    cross, own, correction = parts
    sums = cross.sum(axis=1)
    dd = own.sum()
    beta = sums.sum() / dd
    scores = sums - own * beta
    return float(beta), float(np.sqrt(correction * (scores ** 2).sum()) / dd)


def clustered_se(panel: Panel) -> float:
    """The clustered standard error of d computed from the bootstrap's pieces."""
    return _estimate_and_se(_bootstrap_parts(panel, treatment_dummy(panel)))[1]


def group_trends(panel: Panel) -> pd.DataFrame:
    """Mean outcome per period of the treated and of the control units (columns period, treated, control)."""
    means = panel.frame.groupby(["period", "treated"])["y"].mean().unstack("treated")
    out = pd.DataFrame({"period": means.index, "treated": means.get(True), "control": means.get(False)})
    return out.reset_index(drop=True)


def t_interval(estimate: float, se: float, df: int, alpha: float = 0.05) -> tuple[float, float]:
    q = stats.t.ppf(1 - alpha / 2, df)
    return estimate - q * se, estimate + q * se
