"""Conformal confidence interval for a synthetic control (Chernozhukov, Wuthrich and Zhu 2021, JASA 116).

Under the null that the effect is theta in every period after the start, the treated unit's untreated outcome
is y_t - theta after the start; the synthetic control is refitted on every period (before and after) under
that null, and its residuals are exchangeable in time if the null is true. The test statistic is the mean
absolute residual after the start; its p-value is the share of the T cyclic shifts of the residuals (moving
block permutations) whose statistic is at least as large. The interval is every theta the test does not
reject at level alpha. With T periods in the window the smallest p-value is 1/T, so below T = 1/alpha no
interval can be narrower than the whole grid: that is said instead of a number.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from indicators.sc_fit import simplex_weights

GRID_HALF_WIDTH, GRID_POINTS, BISECTIONS, GRID_WIDENINGS = 8.0, 81, 16, 3


@dataclass
class ConformalInterval:
    low: float | None
    high: float | None
    level: float
    n_periods: int
    warning: str | None = None


def conformal_p_value(y: np.ndarray, donors: np.ndarray, post: np.ndarray, theta: float) -> float:
    """p-value of 'the effect is theta in every post period' by moving block permutations of the residuals."""
    y0 = y - theta * post
    w = simplex_weights(y0, donors)
    u = np.abs(y0 - donors @ w)
    n = len(u)
    shifts = np.stack([np.roll(u, -j) for j in range(n)])  # row j: residuals moved j periods
    stats = shifts[:, post].mean(axis=1)
    return float(np.mean(stats >= stats[0] - 1e-12))


def _edge(y, donors, post, inside: float, outside: float, alpha: float) -> float:
    """Bisection between a theta not rejected and one rejected."""
    for _ in range(BISECTIONS):
        middle = (inside + outside) / 2
        if conformal_p_value(y, donors, post, middle) > alpha:
            inside = middle
        else:
            outside = middle
    return (inside + outside) / 2


def conformal_interval(y: np.ndarray, donors: np.ndarray, post: np.ndarray, *, estimate: float, scale: float,
                       alpha: float = 0.1) -> ConformalInterval:
    """The (1 - alpha) interval for a constant effect on the periods of `y` (window before the start + after)."""
    n = len(y)
    level = 1 - alpha
    if 1 / n > alpha:
        return ConformalInterval(None, None, level, n, f"Con {n} periodi nella finestra il p-value conforme non scende "
                                 f"sotto 1/{n}: non si può costruire un intervallo al {level:.0%}.".replace(".", ","))
    scale = max(scale, 1e-9 * max(1.0, abs(estimate)))
    for _ in range(GRID_WIDENINGS):
        grid = estimate + scale * np.linspace(-GRID_HALF_WIDTH, GRID_HALF_WIDTH, GRID_POINTS)
        accepted = np.array([conformal_p_value(y, donors, post, theta) > alpha for theta in grid])
        if not accepted.any():
            return ConformalInterval(None, None, level, n, "Nessun effetto costante è compatibile con i dati dopo "
                                     "l'avvio: l'effetto non è costante nel tempo, l'intervallo conforme non si "
                                     "applica.")
        first, last = np.flatnonzero(accepted)[[0, -1]]
        if first > 0 and last < len(grid) - 1:
            low = _edge(y, donors, post, grid[first], grid[first - 1], alpha)
            high = _edge(y, donors, post, grid[last], grid[last + 1], alpha)
            return ConformalInterval(float(low), float(high), level, n)
        scale *= 4
    return ConformalInterval(None, None, level, n, "L'intervallo conforme è più largo di ogni intervallo esplorato: "
                             "i dati non delimitano l'effetto.")
