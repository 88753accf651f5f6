"""Event study: leads and lags of the treatment in a two-way fixed effects panel regression.

y_it = a_i + l_t + sum_k b_k 1[treated_i and t - start = k] + e_it, k from -leads to lags, k = -1 left
out as the reference; the end points gather everything beyond them. Leads far from zero say the
treated and control units were already diverging before the start (no parallel trends).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from indicators.did import fixed_effects
from indicators.evaluation import Panel, period_index, size_warnings

MAX_LEADS, MAX_LAGS = 12, 12


@dataclass
class EventStudy:
    """Coefficients per period relative to the start (0 = first treated period, -1 = reference, value 0)."""

    coefficients: pd.DataFrame  # rel_time, estimate, ci_low, ci_high, p_value
    n_treated: int
    n_control: int
    warnings: list[str] = field(default_factory=list)

    @property
    def pre_trend_p_value(self) -> float | None:
        """Smallest p-value among the leads (k <= -2): small means diverging before the start."""
        leads = self.coefficients[self.coefficients["rel_time"] <= -2]["p_value"].dropna()
        return None if leads.empty else float(leads.min())


def relative_time(panel: Panel) -> pd.Series:
    """Periods since the start for the treated rows (None for controls)."""
    index = period_index(panel)
    first = sum(p < panel.start for p in panel.periods)
    return (index - first).where(panel.frame["treated"])


def event_study(panel: Panel, *, leads: int = MAX_LEADS, lags: int = MAX_LAGS, alpha: float = 0.05) -> EventStudy:
    """Estimate the leads and lags; clustered by unit with t(G-1) intervals."""
    leads, lags = min(leads, panel.n_pre), min(lags, panel.n_post - 1)
    warnings = size_warnings(panel)
    if not panel.control_units or leads < 2:
        warnings.insert(0, "Servono unità di controllo e almeno due periodi prima dell'avvio per lo studio di evento.")
        return EventStudy(pd.DataFrame(columns=["rel_time", "estimate", "ci_low", "ci_high", "p_value"]),
                          len(panel.treated_units), len(panel.control_units), warnings)
    rel = relative_time(panel).clip(lower=-leads, upper=lags)
    ks = [k for k in range(-leads, lags + 1) if k != -1]
    dummies = np.column_stack([(rel == k).to_numpy(dtype=float) for k in ks])
    groups = pd.factorize(panel.frame["unit"])[0]
    fit = sm.OLS(panel.frame["y"].to_numpy(), np.hstack([dummies, fixed_effects(panel)])).fit(
        cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    ci = fit.conf_int(alpha)[: len(ks)]
    out = pd.DataFrame({"rel_time": ks, "estimate": fit.params[: len(ks)], "ci_low": ci[:, 0], "ci_high": ci[:, 1],
                        "p_value": fit.pvalues[: len(ks)]})
    reference = pd.DataFrame({"rel_time": [-1], "estimate": [0.0], "ci_low": [0.0], "ci_high": [0.0],
                              "p_value": [np.nan]})
    out = pd.concat([out, reference]).sort_values("rel_time").reset_index(drop=True)
    return EventStudy(out, len(panel.treated_units), len(panel.control_units), warnings)
