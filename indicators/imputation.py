"""The imputation estimator of Borusyak, Jaravel and Spiess (2024, Rev. Econ. Studies) for staggered adoption.

Unit and period fixed effects are fitted on the untreated observations only (never-treated units and the
treated units before their start); each treated observation's untreated outcome is imputed from them, and
tau_it = y_it - (a_i + l_t). The overall effect is the mean of tau over the treated observations; the effect
by time since start and by cohort are the means over those observations. Every such mean is linear in y,
sum_it v_it y_it, and its conservative variance (BJS Theorem 3) is sum_i (sum_t v_it e_it)^2, with e the fitted
residuals for the untreated and tau minus its cohort-period mean for the treated; the same per-unit scores feed
the multiplier bootstrap used by `indicators.staggered`, so both estimators are read alike.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from indicators.staggered import REPS, StaggeredResult, bootstrap, inference_text, summarise
from indicators.staggered_data import names


class UntreatedFit:
    """Least squares on unit and period dummies over the untreated rows, without forming the dummies: the normal
    equations [[D_u, B], [B', D_t]] are solved through the Schur complement of the (diagonal) unit block, whose
    size is the number of periods (exact, and cheap for hundreds of units)."""

    def __init__(self, units: np.ndarray, times: np.ndarray, n_units: int, n_periods: int):
        self.units, self.times, self.n_units, self.n_periods = units, times, n_units, n_periods
        self.d_u = np.bincount(units, minlength=n_units).astype(float)
        cross = np.zeros((n_units, n_periods))
        np.add.at(cross, (units, times), 1.0)
        self.b = cross[:, 1:]  # the first period's dummy is left out
        d_t = np.diag(self.b.sum(axis=0))
        self.schur_inv = np.linalg.pinv(d_t - self.b.T @ (self.b / self.d_u[:, None]))

    def solve(self, r_u: np.ndarray, r_t: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(unit effects, period effects) from the right-hand sides Z'r split by block (columns: several systems)."""
        x_t = self.schur_inv @ (r_t - self.b.T @ (r_u / self.d_u[:, None]))
        x_u = (r_u - self.b @ x_t) / self.d_u[:, None]
        return x_u, x_t

    def rhs(self, units: np.ndarray, times: np.ndarray, values: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Z'values for rows at (units, times): sums per unit and per period (first period left out)."""
        r_u = np.zeros((self.n_units, values.shape[1]))
        r_t = np.zeros((self.n_periods, values.shape[1]))
        np.add.at(r_u, units, values)
        np.add.at(r_t, times, values)
        return r_u, r_t[1:]

    @staticmethod
    def predict(x_u: np.ndarray, x_t: np.ndarray, units: np.ndarray, times: np.ndarray) -> np.ndarray:
        period = np.vstack([np.zeros((1, x_t.shape[1])), x_t])
        return x_u[units] + period[times]


def _prepare(frame: pd.DataFrame) -> tuple[pd.DataFrame, list[str]]:
    """Rows with the treatment flag, without the treated rows whose unit or period has no untreated row."""
    data = frame.dropna(subset=["y"]).copy()
    data["treated_now"] = data["start"].notna() & (data["period"] >= data["start"])
    warnings = []
    seen_untreated = set(data.loc[~data["treated_now"], "unit"])
    lost = sorted(set(data.loc[data["treated_now"], "unit"]) - seen_untreated)
    if lost:
        warnings.append(f"Escluse dall'imputazione perché mai osservate prima dell'avvio: {names(lost)}.")
        data = data[~data["unit"].isin(lost)]
    periods_untreated = set(data.loc[~data["treated_now"], "period"])
    uncovered = data["treated_now"] & ~data["period"].isin(periods_untreated)
    if uncovered.any():
        warnings.append(f"{int(uncovered.sum())} osservazioni trattate escluse dall'imputazione: nei loro periodi "
                        "nessuna unità è ancora non trattata.")
        data = data[~uncovered]
    return data.reset_index(drop=True), warnings


def _weights(data: pd.DataFrame, treated: np.ndarray) -> tuple[np.ndarray, list, list]:
    """Columns of weights over the treated rows: overall, each time since start, each cohort."""
    rel, cohort = data.loc[treated, "rel_time"].to_numpy(), data.loc[treated, "start"].to_numpy()
    events, cohorts = sorted(set(rel.tolist())), sorted(set(cohort.tolist()))
    columns = [np.ones(len(rel))] + [(rel == e).astype(float) for e in events]
    columns += [(cohort == g).astype(float) for g in cohorts]
    w = np.column_stack(columns)
    return w / w.sum(axis=0), events, cohorts


def imputation_estimator(frame: pd.DataFrame, *, reps: int = REPS, seed: int = 0) -> StaggeredResult:
    """BJS imputation on a long frame with columns unit, period, y, start (first treated period or NaN)."""
    data, warnings = _prepare(frame)
    result = StaggeredResult("imputation", None, control_group="untreated", warnings=warnings)
    treated = data["treated_now"].to_numpy()
    if not treated.any() or treated.all():
        result.warnings.insert(0, "L'imputazione richiede osservazioni trattate e non trattate.")
        return result
    unit_codes, units = pd.factorize(data["unit"], sort=True)
    periods = sorted(data["period"].unique())
    times = data["period"].map({p: i for i, p in enumerate(periods)}).to_numpy()
    data["rel_time"] = np.where(treated, times - data["start"].map(
        lambda s: np.searchsorted(np.array(periods), s) if pd.notna(s) else 0).to_numpy(), 0)
    u0, t0, u1, t1 = unit_codes[~treated], times[~treated], unit_codes[treated], times[treated]
    fit = UntreatedFit(u0, t0, len(units), len(periods))
    y = data["y"].to_numpy(dtype=float)
    x_u, x_t = fit.solve(*fit.rhs(u0, t0, y[~treated, None]))
    tau = y[treated] - fit.predict(x_u, x_t, u1, t1)[:, 0]
    w, events, cohorts = _weights(data, treated)
    estimates = w.T @ tau
    # weight of each untreated row in each estimate: -Z0 (Z0'Z0)^-1 Z1'w
    v0 = -fit.predict(*fit.solve(*fit.rhs(u1, t1, w)), u0, t0)
    cell = data.loc[treated, ["start", "period"]].astype(str).agg("|".join, axis=1).to_numpy()
    e1 = tau - pd.Series(tau).groupby(cell).transform("mean").to_numpy()
    e0 = y[~treated] - fit.predict(x_u, x_t, u0, t0)[:, 0]
    scores = np.zeros((len(units), w.shape[1]))
    np.add.at(scores, unit_codes[~treated], v0 * e0[:, None])
    np.add.at(scores, unit_codes[treated], w * e1[:, None])
    return _fill(result, data, estimates, scores, events, cohorts, reps=reps, seed=seed)


def _fill(result: StaggeredResult, data: pd.DataFrame, estimates: np.ndarray, scores: np.ndarray, events: list,
          cohorts: list, *, reps: int, seed: int) -> StaggeredResult:
    from indicators.staggered import Aggregate

    n = scores.shape[0]
    draws = bootstrap([Aggregate(float(e), n * scores[:, k]) for k, e in enumerate(estimates)], n, reps=reps,
                      seed=seed)
    table = summarise(estimates, draws)
    overall = table.iloc[0]
    result.att, result.se = float(estimates[0]), float(overall["se"])
    result.ci_low, result.ci_high = float(overall["ci_low"]), float(overall["ci_high"])
    result.p_value = float(overall["p_value"])
    ev = summarise(estimates[1:1 + len(events)], draws[:, 1:1 + len(events)])
    result.by_event_time = pd.concat([pd.DataFrame({"rel_time": events}), ev], axis=1)
    by_cohort = table.iloc[1 + len(events):].drop(columns=["band_low", "band_high"]).reset_index(drop=True)
    sizes = data[data["treated_now"]].groupby("start")["unit"].nunique()
    result.by_cohort = pd.concat([pd.DataFrame({"cohort": cohorts, "n_units": [int(sizes[g]) for g in cohorts]}),
                                  by_cohort], axis=1)
    starts = data.groupby("unit")["start"].first()
    result.n_treated, result.n_control = int(starts.notna().sum()), int(starts.isna().sum())
    result.n_cohorts = len(cohorts)
    result.inference = inference_text(n, reps) + "; varianza conservativa di Borusyak, Jaravel e Spiess"
    return result
