"""Event study: leads and lags of the treatment in a two-way fixed effects panel regression.

y_it = a_i + l_t + sum_k b_k 1[treated_i and t - start = k] + e_it, k from -leads to lags, the reference period
(k = -1, or the last earlier period the treated units are seen in) left out; the end points gather everything
beyond them. Leads far from zero say the treated and control units were already diverging before the start (no
parallel trends); `pre_trend_p_value` tests them jointly (Wald F test, clustered errors, F(q, G - 1)).

Like `did.twfe_did`, it estimates only what the panel identifies. Relative times no treated unit is seen in have
no dummy; when the treated units lack k = -1, the dummies would add up to their own fixed effects, so the
reference moves to the last lead they are seen in; a dummy that the fixed effects still absorb (a period seen
only in treated units) is left out. Each step is stated in Italian, and nothing unidentified gets a number.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import statsmodels.api as sm

from indicators.did import TwoWay
from indicators.evaluation import Panel, period_index, size_warnings

MAX_LEADS, MAX_LAGS = 12, 12
COLUMNS = ["rel_time", "estimate", "ci_low", "ci_high", "p_value"]


@dataclass
class EventStudy:
    """Coefficients per period relative to the start (0 = first treated period; the reference, usually -1, is 0)."""

    coefficients: pd.DataFrame  # rel_time, estimate, ci_low, ci_high, p_value
    n_treated: int
    n_control: int
    warnings: list[str] = field(default_factory=list)
    reference: int | None = -1
    pre_trend_p_value: float | None = None  # joint test that every lead is 0; None when it cannot be computed

    def as_dict(self) -> dict:
        """Plain JSON-ready values (NaN becomes None)."""
        rows = self.coefficients.astype(object).where(self.coefficients.notna(), None).to_dict("records")
        return {"method": "event_study", "reference": self.reference, "pre_trend_p_value": self.pre_trend_p_value,
                "n_treated": self.n_treated, "n_control": self.n_control, "coefficients": rows,
                "warnings": self.warnings}


def relative_time(panel: Panel) -> pd.Series:
    """Periods since the start for the treated rows (None for controls)."""
    index = period_index(panel)
    firsts = {u: sum(p < s for p in panel.periods) for u, s in panel.start_of.items()}
    return (index - panel.frame["unit"].map(firsts)).where(panel.frame["treated"])


def minus(k: int) -> str:
    """A relative period as the page writes it: '−2', '3'."""
    return str(k).replace("-", "−")


def periods_text(ks: list[int]) -> str:
    return ("nel periodo " if len(ks) == 1 else "nei periodi ") + ", ".join(minus(k) for k in ks)


def not_identified(dummies: np.ndarray, fe: TwoWay) -> list[int]:
    """Positions of the dummies the fixed effects leave unidentified: those a null vector of the design touches."""
    rest = fe.residualise(dummies)  # the part of each dummy the fixed effects do not explain
    _, s, vt = np.linalg.svd(rest, full_matrices=False)
    tol = (s.max() if s.size else 0.0) * max(rest.shape) * np.finfo(float).eps
    null = vt[s <= tol]
    return [j for j in range(dummies.shape[1]) if np.abs(null[:, j]).max(initial=0.0) > 1e-8]


def pre_trend_test(fit, positions: list[int]) -> float | None:
    """p-value of the joint Wald F test that the leads at `positions` are all 0 (None without leads or when their
    clustered covariance is singular, e.g. more leads than clusters)."""
    if not positions:
        return None
    cov = np.asarray(fit.cov_params())[np.ix_(positions, positions)]
    if np.linalg.matrix_rank(cov) < len(positions):
        return None
    restriction = np.zeros((len(positions), len(fit.params)))
    restriction[np.arange(len(positions)), positions] = 1.0
    return float(fit.f_test(restriction).pvalue)


def _design(panel: Panel, leads: int, lags: int, warnings: list[str]):
    """The relative times to estimate, their dummies and the reference, or None when no reference is seen."""
    rel = relative_time(panel).clip(lower=-leads, upper=lags)
    seen = set(rel.dropna().astype(int))
    pre = sorted(k for k in seen if k < 0)
    if len(pre) < 2:
        warnings.insert(0, "Lo studio di evento non è identificato: le unità trattate sono osservate in meno di due "
                           "periodi prima dell'avvio (ne servono almeno due: uno di riferimento e uno da confrontare).")
        return None
    reference, missing = pre[-1], [k for k in range(-leads, lags + 1) if k not in seen]
    if reference != -1:
        warnings.insert(0, f"Le unità trattate non sono osservate nel periodo −1 prima dell'avvio: il riferimento "
                           f"dello studio di evento è il periodo {minus(reference)}.")
    unseen = [k for k in missing if k != -1]  # a missing -1 is told by the reference above
    if unseen:
        warnings.insert(0, f"Nessuna osservazione delle unità trattate {periods_text(unseen)} dall'avvio: lo studio "
                           "di evento non ha lì un coefficiente.")
    ks = [k for k in range(-leads, lags + 1) if k in seen and k != reference]
    return ks, np.column_stack([(rel == k).to_numpy(dtype=float) for k in ks]), reference


def _drop_absorbed(ks: list[int], dummies: np.ndarray, fe: TwoWay, warnings: list[str]):
    """The relative times and dummies without those the fixed effects absorb, which are named in a warning."""
    absorbed = not_identified(dummies, fe)
    if not absorbed:
        return ks, dummies
    lost, one = [ks[j] for j in absorbed], len(absorbed) == 1
    warnings.insert(0, f"Studio di evento non identificato {periods_text(lost)} dall'avvio: "
                       f"{'coincide' if one else 'coincidono'} con gli effetti fissi (ad esempio un periodo con sole "
                       f"unità trattate) e non {'è stimato' if one else 'sono stimati'}.")
    keep = [j for j in range(len(ks)) if j not in absorbed]
    return [ks[j] for j in keep], dummies[:, keep]


def _fit(panel: Panel, dummies: np.ndarray, fe: TwoWay):
    """OLS with unit and period fixed effects, clustered by unit (CR1, t with G - 1 degrees of freedom).

    On a balanced panel the fixed effects are partialled out first (Frisch-Waugh-Lovell: same coefficients and
    residuals) and the small-sample factor (n - 1) / (n - k) is set back to count them in k, so the covariance
    is the one of the regression with every dummy; otherwise that regression is run as it is.
    """
    groups = pd.factorize(panel.frame["unit"])[0]
    y = panel.frame["y"].to_numpy()
    if not fe.balanced:
        return sm.OLS(y, np.hstack([dummies, fe.design])).fit(cov_type="cluster", cov_kwds={"groups": groups},
                                                              use_t=True)
    both = fe.residualise(np.column_stack([dummies, y]))
    fit = sm.OLS(both[:, -1], both[:, :-1]).fit(cov_type="cluster", cov_kwds={"groups": groups}, use_t=True)
    n, k = len(y), dummies.shape[1]
    inner = fit._results  # the wrapper would keep an attribute set on it apart from the results
    inner.cov_params_default = inner.cov_params_default * (n - k) / (n - k - fe.rank)
    inner._cache.clear()  # bse, t and p were computed from the uncorrected covariance
    return fit


def _coefficients(fit, ks: list[int], reference: int, alpha: float) -> pd.DataFrame:
    n = len(ks)
    ci = fit.conf_int(alpha)[:n]
    out = pd.DataFrame({"rel_time": ks, "estimate": fit.params[:n], "ci_low": ci[:, 0], "ci_high": ci[:, 1],
                        "p_value": fit.pvalues[:n]})
    base = pd.DataFrame({"rel_time": [reference], "estimate": [0.0], "ci_low": [0.0], "ci_high": [0.0],
                         "p_value": [np.nan]})
    return pd.concat([out, base]).sort_values("rel_time").reset_index(drop=True)


def event_study(panel: Panel, *, leads: int = MAX_LEADS, lags: int = MAX_LAGS, alpha: float = 0.05) -> EventStudy:
    """Estimate the identified leads and lags; clustered by unit with t(G-1) intervals."""
    leads, lags = min(leads, panel.n_pre), min(lags, panel.n_post - 1)
    warnings = size_warnings(panel)
    sizes = len(panel.treated_units), len(panel.control_units)
    empty = EventStudy(pd.DataFrame(columns=COLUMNS), *sizes, warnings, reference=None)
    if not panel.control_units or leads < 2:
        warnings.insert(0, "Servono unità di controllo e almeno due periodi prima dell'avvio per lo studio di evento.")
        return empty
    if panel.is_staggered:
        warnings.insert(0, "Avvii scaglionati: i coefficienti dello studio di evento a effetti fissi mescolano "
                           "effetti di altri periodi e di altre coorti (Sun e Abraham 2021); l'andamento prima "
                           "dell'avvio e gli effetti per tempo dall'avvio si leggono nel metodo per avvii scaglionati.")
    design = _design(panel, leads, lags, warnings)
    if design is None:
        return empty
    ks, dummies, reference = design
    fe = TwoWay(panel)
    ks, dummies = _drop_absorbed(ks, dummies, fe, warnings)
    fit = _fit(panel, dummies, fe)
    p_pre = pre_trend_test(fit, [j for j, k in enumerate(ks) if k < reference])
    return EventStudy(_coefficients(fit, ks, reference, alpha), *sizes, warnings, reference, p_pre)
