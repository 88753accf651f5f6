"""Staggered adoption: group-time effects of Callaway and Sant'Anna (2021) and their aggregations.

Units start at different periods (cohort g = first treated period) or never. For each cohort g and period t,

    ATT(g, t) = E[Y_t - Y_b | G = g] - E[Y_t - Y_b | control],

with base b = g - 1 after the start and b = t - 1 before it (the "varying" base of the R package `did`), and
as control the never-treated units or the units not yet treated at max(t, b) (Callaway and Sant'Anna 2021,
J. Econometrics 225, eq. 2.6-2.7, unconditional: no covariates, so the doubly robust and the plain DiD agree).
They are averaged as `did::aggte` does: over the treated cells weighted by cohort size ("simple", the overall
ATT), per cohort, per time since start. Inference: each estimate is a mean of per-unit influence functions,
and a multiplier bootstrap draws one weight per unit (Rademacher; Webb's six points below 12 units).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.evaluation import rademacher_or_webb
from indicators.staggered_data import Cohorts, cohorts_of

REPS = 999
MIN_UNITS_PRE_TEST = 5  # the joint pre-trend test leaves out times before the start seen in fewer treated units
Z95 = 1.959963984540054


@dataclass
class Aggregate:
    """One estimate with its influence function over units (n x 1), so aggregations can be bootstrapped together."""

    estimate: float
    influence: np.ndarray


@dataclass
class StaggeredResult:
    """Overall effect, group-time effects and aggregations of a staggered-adoption estimator."""

    method: str  # "staggered" (Callaway-Sant'Anna) or "imputation" (Borusyak-Jaravel-Spiess)
    att: float | None
    se: float | None = None
    ci_low: float | None = None
    ci_high: float | None = None
    p_value: float | None = None
    group_time: pd.DataFrame = field(default_factory=pd.DataFrame)  # cohort, period, rel_time, att, se, ci
    by_cohort: pd.DataFrame = field(default_factory=pd.DataFrame)  # cohort, n_units, att, se, ci_low, ci_high
    by_event_time: pd.DataFrame = field(default_factory=pd.DataFrame)  # rel_time, att, se, ci (pointwise, band)
    pre_trend_p_value: float | None = None
    control_group: str = "never"
    n_treated: int = 0
    n_control: int = 0
    n_cohorts: int = 0
    inference: str = ""
    warnings: list[str] = field(default_factory=list)

    @property
    def estimate(self) -> float | None:
        return self.att

    def as_dict(self) -> dict:
        def rows(frame: pd.DataFrame) -> list[dict]:
            return frame.astype(object).where(frame.notna(), None).to_dict("records")

        return {"method": self.method, "att": self.att, "se": self.se, "ci_low": self.ci_low, "ci_high": self.ci_high,
                "interval": [self.ci_low, self.ci_high], "p_value": self.p_value, "control_group": self.control_group,
                "n_treated": self.n_treated, "n_control": self.n_control, "n_cohorts": self.n_cohorts,
                "aggregations": {"overall": {"att": self.att, "se": self.se, "ci_low": self.ci_low,
                                             "ci_high": self.ci_high},
                                 "by_cohort": rows(self.by_cohort), "by_event_time": rows(self.by_event_time)},
                "group_time": rows(self.group_time), "pre_trend_p_value": self.pre_trend_p_value,
                "inference": self.inference, "warnings": self.warnings}


def _control_mask(c: Cohorts, g: int, t: int, base: int, control: str) -> np.ndarray:
    if control == "never":
        return c.never
    later = max(t, base)
    return (c.never | (c.first > later)) & (c.first != g)


def group_time_effects(c: Cohorts, *, control: str = "never") -> tuple[pd.DataFrame, list[Aggregate]]:
    """ATT(g, t) for every cohort and every period with a base period, and the influence function of each.

    The influence function of unit i is n / n_g (dY_i - mean_g) for the cohort's units and -n / n_c
    (dY_i - mean_c) for the controls, so that ATT_hat - ATT ~ mean_i IF_i.
    """
    n = len(c.units)
    rows, parts = [], []
    for g in c.cohort_indices:
        treated = c.first == g
        for t in range(1, c.y.shape[1]):
            base = g - 1 if t >= g else t - 1
            controls = _control_mask(c, g, t, base, control)
            if not controls.any():
                continue
            change = c.y[:, t] - c.y[:, base]
            mean_t, mean_c = change[treated].mean(), change[controls].mean()
            influence = np.where(treated, n / treated.sum() * (change - mean_t), 0.0)
            influence -= np.where(controls, n / controls.sum() * (change - mean_c), 0.0)
            rows.append((c.periods[g], c.periods[t], t - g, mean_t - mean_c, int(treated.sum()), int(controls.sum())))
            parts.append(Aggregate(float(mean_t - mean_c), influence))
    table = pd.DataFrame(rows, columns=["cohort", "period", "rel_time", "att", "n_treated", "n_control"])
    table["cohort_index"] = [c.period_index[p] for p in table["cohort"]]
    _pool_singletons(c, table, parts)
    return table, parts


def _pool_singletons(c: Cohorts, table: pd.DataFrame, parts: list[Aggregate]) -> None:
    """A cohort of one unit has a zero treated influence (the unit is its own mean), which would leave its
    variance out; there it is the unit's DiD minus the mean ATT of the other cohorts at the same time since
    start (or on the same side of the start), as Borusyak, Jaravel and Spiess pool residuals (conservative
    when effects differ between cohorts)."""
    n = len(c.units)
    rel, att = table["rel_time"].to_numpy(), np.array([p.estimate for p in parts])
    cohort = table["cohort_index"].to_numpy()
    for k in np.flatnonzero(table["n_treated"].to_numpy() == 1):
        others = rel == rel[k]
        if others.sum() < 2:
            others = (rel >= 0) == (rel[k] >= 0)
        others[k] = False
        if others.any():
            unit = np.flatnonzero(c.first == cohort[k])[0]
            parts[k].influence[unit] = n * (att[k] - att[others].mean())


def weighted(parts: list[Aggregate], cells: np.ndarray, table: pd.DataFrame, c: Cohorts, *,
             by_size: bool = True) -> Aggregate:
    """Average of the chosen cells, weighted by cohort size (or equally), with the extra influence of the
    estimated weights (the `wif` of `did::aggte`): the weights are shares of units, themselves estimated."""
    chosen = np.flatnonzero(cells)
    att = np.array([parts[k].estimate for k in chosen])
    psi = np.column_stack([parts[k].influence for k in chosen])
    if not by_size:
        return Aggregate(float(att.mean()), psi.mean(axis=1))
    member = np.column_stack([c.first == table["cohort_index"].iloc[k] for k in chosen]).astype(float)
    pg = member.mean(axis=0)
    w = pg / pg.sum()
    wif = (member - pg) / pg.sum() - np.outer((member - pg).sum(axis=1), pg) / pg.sum() ** 2
    return Aggregate(float(w @ att), psi @ w + wif @ att)


def bootstrap(aggregates: list[Aggregate], n_units: int, *, reps: int, seed: int) -> np.ndarray:
    """Multiplier bootstrap: reps x k draws of estimate* - estimate = mean_i xi_i IF_i, one weight per unit."""
    psi = np.column_stack([a.influence for a in aggregates])
    xi = rademacher_or_webb(n_units, reps, np.random.default_rng(seed))
    return xi.T @ psi / n_units


def bootstrap_se(draws: np.ndarray) -> np.ndarray:
    """The bootstrap standard error as `did` computes it: interquartile range over that of the normal."""
    q75, q25 = np.quantile(draws, [0.75, 0.25], axis=0)
    return (q75 - q25) / (2 * 0.6744897501960817)


def summarise(estimates: np.ndarray, draws: np.ndarray) -> pd.DataFrame:
    """se, pointwise 95% interval, two-sided bootstrap p-value and the simultaneous (sup-t) band of a family."""
    se = bootstrap_se(draws)
    ok = se > 1e-12
    safe = np.where(ok, se, 1.0)
    p = np.where(ok, (np.abs(draws) >= np.abs(estimates) - 1e-12).mean(axis=0), np.nan)
    sup = np.abs(draws[:, ok] / safe[ok]).max(axis=1) if ok.any() else np.zeros(1)
    crit = max(float(np.quantile(sup, 0.95)), Z95)
    se = np.where(ok, se, np.nan)
    return pd.DataFrame({"att": estimates, "se": se, "ci_low": estimates - Z95 * se, "ci_high": estimates + Z95 * se,
                         "band_low": estimates - crit * se, "band_high": estimates + crit * se, "p_value": p})


def pre_trend_p(estimates: np.ndarray, draws: np.ndarray) -> float | None:
    """Joint test that every pre-start event-time effect is 0: the sup-t statistic against its bootstrap law."""
    se = bootstrap_se(draws)
    if not len(estimates) or (se <= 1e-12).any():
        return None
    observed = np.abs(estimates / se).max()
    return float((np.abs(draws / se).max(axis=1) >= observed - 1e-12).mean())


def callaway_santanna(frame: pd.DataFrame, *, control: str = "never", reps: int = REPS, seed: int = 0,
                      alpha: float = 0.05) -> StaggeredResult:
    """Callaway-Sant'Anna on a long frame with columns unit, period, y, start (first treated period or NaN).

    The overall `att` is the cohort-size weighted mean of the ATT(g, t) with t >= g (`did::aggte(type="simple")`).
    """
    c, warnings = cohorts_of(frame, control=control)
    empty = StaggeredResult("staggered", None, control_group=control, warnings=warnings)
    if c is None:
        return empty
    table, parts = group_time_effects(c, control=control)
    post = (table["rel_time"] >= 0).to_numpy()
    if not post.any():
        empty.warnings.insert(0, "Nessun effetto di gruppo e periodo stimabile dopo l'avvio: mancano unità di "
                                 "controllo nei periodi trattati.")
        return empty
    overall = weighted(parts, post, table, c)
    cohort_aggs = [weighted(parts, post & (table["cohort_index"] == g).to_numpy(), table, c, by_size=False)
                   for g in c.cohort_indices if (post & (table["cohort_index"] == g).to_numpy()).any()]
    events = sorted(table["rel_time"].unique())
    event_aggs = [weighted(parts, (table["rel_time"] == e).to_numpy(), table, c) for e in events]
    draws = bootstrap([overall, *parts, *cohort_aggs, *event_aggs], len(c.units), reps=reps, seed=seed)
    k = len(parts)
    result = _overall(StaggeredResult("staggered", overall.estimate, control_group=control, warnings=warnings),
                      overall, draws[:, 0])
    gt = summarise(np.array([p.estimate for p in parts]), draws[:, 1:k + 1])
    result.group_time = pd.concat([table.drop(columns="cohort_index"), gt.drop(columns="att")], axis=1)
    result.by_cohort = _cohort_table(c, table, post, cohort_aggs, draws[:, k + 1:k + 1 + len(cohort_aggs)])
    ev = summarise(np.array([a.estimate for a in event_aggs]), draws[:, k + 1 + len(cohort_aggs):])
    sizes = table.groupby("rel_time")["n_treated"].sum().reindex(events).to_numpy()
    result.by_event_time = pd.concat([pd.DataFrame({"rel_time": events, "n_treated": sizes}), ev], axis=1)
    pre = (np.array(events) < 0) & (sizes >= min(MIN_UNITS_PRE_TEST, sizes.max()))
    result.pre_trend_p_value = pre_trend_p(ev["att"].to_numpy()[pre], draws[:, k + 1 + len(cohort_aggs):][:, pre])
    result.n_treated, result.n_control = int((c.first >= 0).sum()), int(c.never.sum())
    result.n_cohorts = len(c.cohort_indices)
    result.inference = inference_text(len(c.units), reps)
    return result


def _overall(result: StaggeredResult, overall: Aggregate, draws: np.ndarray) -> StaggeredResult:
    row = summarise(np.array([overall.estimate]), draws[:, None]).iloc[0]
    result.se, result.ci_low, result.ci_high = (None if pd.isna(row["se"]) else float(row["se"]),
                                                float(row["ci_low"]), float(row["ci_high"]))
    result.p_value = None if pd.isna(row["p_value"]) else float(row["p_value"])
    return result


def _cohort_table(c: Cohorts, table: pd.DataFrame, post: np.ndarray, aggs: list[Aggregate],
                  draws: np.ndarray) -> pd.DataFrame:
    cohorts = [g for g in c.cohort_indices if (post & (table["cohort_index"] == g).to_numpy()).any()]
    out = summarise(np.array([a.estimate for a in aggs]), draws).drop(columns=["band_low", "band_high"])
    sizes = [int((c.first == g).sum()) for g in cohorts]
    return pd.concat([pd.DataFrame({"cohort": [c.periods[g] for g in cohorts], "n_units": sizes}), out], axis=1)


def inference_text(n_units: int, reps: int) -> str:
    kind = "Webb a sei punti" if n_units < 12 else "Rademacher"
    return f"bootstrap moltiplicativo per unità ({reps} repliche, pesi {kind})"
