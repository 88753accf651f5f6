"""Synthetic difference in differences (Arkhangelsky, Athey, Hirshberg, Imbens and Wager 2021, AER 111(12)).

Unit weights omega make the controls' pre-start path parallel to the treated units' (an intercept is allowed, and a
ridge penalty zeta^2 T0 ||omega||^2 with zeta = (N1 T1)^(1/4) sigma, sigma the sd of the controls' period-to-period
changes, spreads them); time weights lambda make the weighted pre-start periods look like the post-start ones for
the controls. The effect is the weighted double difference

tau = (Ybar_tr,post - sum_t lambda_t Y_tr,t) - sum_i omega_i (Ybar_i,post - sum_t lambda_t Y_i,t).

The weights minimise the paper's objective exactly (a simplex least squares with the ridge as extra rows); the
reference R package `synthdid` stops its Frank-Wolfe iterations near that minimum, and its steps are here too
(`solver="frank_wolfe"`): Prop 99 gives -15.604 that way, -15.605 exactly, published -15.6. With starts at different
periods each cohort gets its own estimate against the never-treated units, averaged with weights N_treated x T_post
(Clarke et al. 2023). The standard error is the placebo one (section 5 of the paper: controls drawn at random play
the treated) for a cohort of one treated unit, the jackknife with fixed weights (Algorithm 3) for larger cohorts.
"""

from __future__ import annotations

import numpy as np

from indicators.evaluation import Effect, Panel
from indicators.staggered import Z95
from indicators.sc_fit import simplex_weights

PLACEBO_REPS = 200
MAX_ITER, MAX_ITER_PRE_SPARSIFY = 10_000, 100


def fw_weights(y: np.ndarray, zeta: float, *, start: np.ndarray | None, min_decrease: float,
               max_iter: int) -> np.ndarray:
    """argmin over the simplex of zeta^2 ||w||^2 + ||A w - b||^2 / rows, A = y[:, :-1], b = y[:, -1], columns
    centred (the intercept): `synthdid`'s sc.weight.fw, its Frank-Wolfe steps with exact line search written
    on the Gram matrix (each step costs O(k) instead of O(rows k))."""
    y = y - y.mean(axis=0)
    a, b = y[:, :-1], y[:, -1]
    rows, k = a.shape
    gram, atb, btb = a.T @ a, a.T @ b, float(b @ b)
    w = np.full(k, 1 / k) if start is None else start.astype(float)
    g = gram @ w  # A'A w
    eta, z2, previous = rows * zeta ** 2, zeta ** 2, None
    for t in range(max_iter):
        half_grad = g - atb + eta * w
        i = int(np.argmin(half_grad))
        d_x = -w
        d_x[i] += 1.0
        wg = float(w @ g)
        d_err2 = gram[i, i] - 2 * g[i] + wg  # ||A_i - A w||^2
        dd = float(d_x @ d_x)
        if dd > 0:
            step = min(1.0, max(0.0, -float(half_grad @ d_x) / (d_err2 + eta * dd)))
            w = w + step * d_x
            g = (1 - step) * g + step * gram[:, i]
        value = z2 * float(w @ w) + (float(w @ g) - 2 * float(atb @ w) + btb) / rows
        if t >= 1 and previous - value <= min_decrease ** 2:
            break
        previous = value
    return w


def _sparsify(w: np.ndarray) -> np.ndarray:
    w = np.where(w <= w.max() / 4, 0.0, w)
    return w / w.sum()


def exact_weights(y: np.ndarray, zeta: float) -> np.ndarray:
    """The exact minimiser of fw_weights' objective: the ridge term as extra rows of a simplex least squares."""
    y = y - y.mean(axis=0)
    a, b = y[:, :-1], y[:, -1]
    rows, k = a.shape
    return simplex_weights(np.concatenate([b, np.zeros(k)]), np.vstack([a, np.sqrt(rows) * zeta * np.eye(k)]))


def _solve(y: np.ndarray, zeta: float, min_decrease: float, solver: str) -> np.ndarray:
    if solver == "exact":
        return exact_weights(y, zeta)
    first = fw_weights(y, zeta, start=None, min_decrease=min_decrease, max_iter=MAX_ITER_PRE_SPARSIFY)
    return fw_weights(y, zeta, start=_sparsify(first), min_decrease=min_decrease, max_iter=MAX_ITER)


def sdid_estimate(y: np.ndarray, n0: int, t0: int, *, solver: str = "exact") -> tuple[float, np.ndarray, np.ndarray]:
    """tau, omega (controls) and lambda (pre periods) for a units x periods matrix: controls first, pre first.

    `solver="exact"` minimises the objective exactly (fast: the placebo standard error re-solves it hundreds of
    times); `solver="frank_wolfe"` follows the R package step by step (its Prop 99 estimate to 1e-6, 1000x slower).
    """
    n1, t1 = y.shape[0] - n0, y.shape[1] - t0
    sigma = float(np.std(np.diff(y[:n0, :t0], axis=1), ddof=1))
    zeta_omega, zeta_lambda = (n1 * t1) ** 0.25 * sigma, 1e-6 * sigma
    min_decrease = 1e-5 * sigma
    collapsed = np.vstack([np.column_stack([y[:n0, :t0], y[:n0, t0:].mean(axis=1)]),
                           np.append(y[n0:, :t0].mean(axis=0), y[n0:, t0:].mean())])
    lam = _solve(collapsed[:n0, :], zeta_lambda, min_decrease, solver)
    omega = _solve(collapsed[:, :t0].T, zeta_omega, min_decrease, solver)
    unit = np.concatenate([-omega, np.full(n1, 1 / n1)])
    time = np.concatenate([-lam, np.full(t1, 1 / t1)])
    return float(unit @ y @ time), omega, lam


def placebo_se(y0: np.ndarray, n1: int, t0: int, *, reps: int, seed: int) -> float | None:
    """sd of the estimates where n1 controls drawn at random play the treated (times sqrt((r - 1) / r))."""
    n0 = y0.shape[0] - n1
    if n0 < 2:
        return None
    rng = np.random.default_rng(seed)
    draws = [sdid_estimate(y0[rng.permutation(y0.shape[0])], n0, t0)[0] for _ in range(reps)]
    return float(np.std(draws, ddof=1) * np.sqrt((reps - 1) / reps))


def jackknife_se(y: np.ndarray, n0: int, t0: int, omega: np.ndarray, lam: np.ndarray) -> float | None:
    """Leave-one-unit-out with the weights kept (renormalised), as `synthdid`'s jackknife (needs >= 2 treated)."""
    n1 = y.shape[0] - n0
    diff = y[:, t0:].mean(axis=1) - y[:, :t0] @ lam  # each unit's post mean minus its weighted pre level
    treated_mean, control = diff[n0:].mean(), diff[:n0]
    keep = omega < 1 - 1e-12
    drop_control = treated_mean - (omega @ control - omega[keep] * control[keep]) / (1 - omega[keep])
    drop_treated = (treated_mean * n1 - diff[n0:]) / (n1 - 1) - omega @ control
    taus = np.concatenate([drop_control, drop_treated])
    n = len(taus)
    return float(np.sqrt((n - 1) / n * ((taus - taus.mean()) ** 2).sum()))


def synthetic_did(panel: Panel, *, reps: int = PLACEBO_REPS, seed: int = 0) -> Effect:
    """SDID per cohort of starts against the never-treated units with data in every period."""
    wide = panel.wide()
    starts = panel.start_of
    controls = [u for u in panel.control_units if wide[u].notna().all()]
    base = Effect("sdid", None, n_treated=len(starts), n_control=len(controls), n_pre=panel.n_pre,
                  n_post=panel.n_post)
    if len(controls) < 2:
        base.warnings.append("Servono almeno due unità di controllo con il dato in tutti i periodi.")
        return base
    estimates, sizes, variances, cohort_sizes = [], [], [], []
    weights: dict[str, float] = {}
    for start in sorted(set(starts.values())):
        treated = [u for u, s in starts.items() if s == start and wide[u].notna().all()]
        t0 = int((wide.index < start).sum())
        if not treated or t0 < 2 or t0 == len(wide.index):
            continue
        y = wide[controls + treated].to_numpy(dtype=float).T
        tau, omega, lam = sdid_estimate(y, len(controls), t0)
        if len(treated) >= 2:
            se = jackknife_se(y, len(controls), t0, omega, lam)
        else:
            se = placebo_se(y[:len(controls)], 1, t0, reps=reps, seed=seed)
        estimates.append(tau)
        cohort_sizes.append(len(treated))
        sizes.append(len(treated) * (len(wide.index) - t0))
        variances.append(np.nan if se is None else se ** 2)
        weights = {u: float(w) for u, w in zip(controls, omega) if w > 1e-6} if not weights else weights
    if not estimates:
        base.warnings.append("Nessuna unità trattata con almeno due periodi prima dell'avvio e il dato in tutti i "
                             "periodi.")
        return base
    share = np.array(sizes) / sum(sizes)
    base.estimate = float(share @ np.array(estimates))
    se = float(np.sqrt(share ** 2 @ np.array(variances)))
    if np.isfinite(se):
        base.se, base.ci_low, base.ci_high = se, base.estimate - Z95 * se, base.estimate + Z95 * se
        from scipy import stats

        base.p_value = float(2 * stats.norm.sf(abs(base.estimate) / se)) if se > 0 else None
    base.weights = weights if len(estimates) == 1 else {}
    base.inference = ("errore standard jackknife (un'unità tolta alla volta, pesi fissi) per le coorti con più "
                      "unità trattate, placebo per quelle di una sola" if any(n > 1 for n in cohort_sizes)
                      else f"errore standard placebo ({reps} estrazioni di unità di controllo come trattate)")
    return base
