"""Staggered adoption: Callaway-Sant'Anna and the imputation estimator against answers worked out by hand,
and against two-way fixed effects on a simulated panel with a known effect that grows after each start."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.did import twfe_did
from indicators.evaluation import make_staggered_panel
from indicators.imputation import imputation_estimator
from indicators.staggered import callaway_santanna

# periods 1-4; A and B start at 3, C at 4, D and E never
HAND = {"A": [1, 2, 5, 7], "B": [3, 4, 8, 9], "C": [2, 2, 3, 6], "D": [1, 2, 3, 4], "E": [2, 2, 2, 2]}
STARTS = {"A": 3, "B": 3, "C": 4, "D": np.nan, "E": np.nan}


def hand_frame(values=HAND, starts=STARTS) -> pd.DataFrame:
    rows = [(u, t + 1, float(v), starts[u]) for u, ys in values.items() for t, v in enumerate(ys)]
    return pd.DataFrame(rows, columns=["unit", "period", "y", "start"])


def cells(result) -> dict:
    return {(int(r.cohort), int(r.period)): round(r.att, 6) for r in result.group_time.itertuples()}


def test_group_time_effects_and_aggregations_with_never_treated_controls_by_hand():
    result = callaway_santanna(hand_frame(), reps=199)
    # controls D, E: mean change 2-1 = 0.5, 3-2 = 0.5, 4-2 = 1.0, 4-3 = 0.5
    # cohort 3 (A, B): 2-1: 1 - 0.5 = 0.5; 3-2: 3.5 - 0.5 = 3.0; 4-2: 5 - 1 = 4.0
    # cohort 4 (C):    2-1: 0 - 0.5 = -0.5; 3-2: 1 - 0.5 = 0.5; 4-3: 3 - 0.5 = 2.5
    assert cells(result) == {(3, 2): 0.5, (3, 3): 3.0, (3, 4): 4.0, (4, 2): -0.5, (4, 3): 0.5, (4, 4): 2.5}
    # overall ("simple"): cells after the start weighted by cohort size, (2·3 + 2·4 + 1·2.5) / 5 = 3.3
    assert result.att == pytest.approx(3.3)
    by_cohort = result.by_cohort.set_index("cohort")
    assert by_cohort.loc[3, "att"] == pytest.approx(3.5) and by_cohort.loc[4, "att"] == pytest.approx(2.5)
    assert by_cohort["n_units"].tolist() == [2, 1]
    events = result.by_event_time.set_index("rel_time")["att"]
    # e = 0: (2·3.0 + 1·2.5) / 3; e = 1: cohort 3 only; e = -1: (2·0.5 + 1·0.5) / 3; e = -2: cohort 4 only
    assert events.to_dict() == pytest.approx({-2: -0.5, -1: 0.5, 0: 8.5 / 3, 1: 4.0})
    assert (result.n_treated, result.n_control, result.n_cohorts) == (3, 2, 2)
    assert result.ci_low < 3.3 < result.ci_high and result.se > 0
    assert "Webb" in result.inference  # 5 units: six-point weights


def test_not_yet_treated_controls_by_hand():
    result = callaway_santanna(hand_frame(), control="notyet", reps=199)
    # cohort 3 at 3-2 also compares with C (not yet treated at 3): controls' change (1 + 0 + 1) / 3
    # cohort 3 at 2-1 with C: (1 + 0 + 0) / 3; cohort 4 at 2-1 with A, B, D, E: (1 + 1 + 1 + 0) / 4
    assert cells(result) == {(3, 2): round(1 - 1 / 3, 6), (3, 3): round(3.5 - 2 / 3, 6), (3, 4): 4.0,
                             (4, 2): -0.75, (4, 3): 0.5, (4, 4): 2.5}
    assert result.att == pytest.approx((2 * (3.5 - 2 / 3) + 2 * 4.0 + 2.5) / 5)


def test_influence_functions_give_the_analytic_standard_error_the_bootstrap_approximates():
    result = callaway_santanna(hand_frame(), reps=9999)
    from indicators.staggered import group_time_effects, weighted
    from indicators.staggered_data import cohorts_of

    c, _ = cohorts_of(hand_frame())
    table, parts = group_time_effects(c)
    overall = weighted(parts, (table["rel_time"] >= 0).to_numpy(), table, c)
    analytic = np.sqrt((overall.influence ** 2).mean() / len(c.units))
    assert overall.estimate == pytest.approx(3.3)
    assert result.se == pytest.approx(analytic, rel=0.15)


def additive_frame(effects: dict) -> pd.DataFrame:
    """y = unit level + period level + the effect of each treated cell: no noise, so every estimator that
    assumes parallel trends recovers each cell exactly."""
    level = {"A": 1.0, "B": 3.0, "C": 2.0, "D": 0.0, "E": 5.0}
    period = [0.0, 1.0, 1.5, 3.0]
    values = {u: [level[u] + period[t] + effects.get((u, t + 1), 0.0) for t in range(4)] for u in level}
    return hand_frame(values)


def test_imputation_recovers_every_cell_of_an_additive_panel_and_averages_them():
    effects = {("A", 3): 1.0, ("A", 4): 2.0, ("B", 3): 3.0, ("B", 4): 4.0, ("C", 4): 6.0}
    result = imputation_estimator(additive_frame(effects), reps=99)
    assert result.att == pytest.approx(16.0 / 5)  # the mean over the five treated observations
    events = result.by_event_time.set_index("rel_time")["att"]
    assert events[0] == pytest.approx((1 + 3 + 6) / 3) and events[1] == pytest.approx((2 + 4) / 2)
    by_cohort = result.by_cohort.set_index("cohort")["att"]
    assert by_cohort[3] == pytest.approx(2.5) and by_cohort[4] == pytest.approx(6.0)
    cs = callaway_santanna(additive_frame(effects), reps=99)
    assert cs.att == pytest.approx(16.0 / 5)  # same estimand: simple weights are one per treated observation


def simulated(seed: int, *, n_controls: int = 5, periods: int = 36, growth: float = -0.1) -> pd.DataFrame:
    """Fifteen labs starting at periods 13-27, `n_controls` areas never treated, an effect that grows by
    `growth` each period after the start, unit and period levels and unit noise."""
    rng = np.random.default_rng(seed)
    rows = []
    starts = {f"lab{j:02d}": 13 + j for j in range(15)} | {f"ctl{j:02d}": np.nan for j in range(n_controls)}
    shock = rng.normal(0, 0.5, periods).cumsum()
    for unit, start in starts.items():
        level = rng.normal(10, 2)
        for t in range(1, periods + 1):
            effect = growth * (t - start + 1) if start == start and t >= start else 0.0
            rows.append((unit, t, level + shock[t - 1] + effect + rng.normal(0, 0.3), start))
    return pd.DataFrame(rows, columns=["unit", "period", "y", "start"])


def true_att(frame: pd.DataFrame, growth: float = -0.1) -> float:
    treated = frame[frame["start"].notna() & (frame["period"] >= frame["start"])]
    return float((growth * (treated["period"] - treated["start"] + 1)).mean())


def test_staggered_estimators_are_unbiased_over_seeds_where_twfe_is_not():
    cs, imputed, twfe = [], [], []
    for seed in range(12):
        frame = simulated(seed)
        truth = true_att(frame)
        cs.append(callaway_santanna(frame, reps=49, seed=seed).att / truth)
        imputed.append(imputation_estimator(frame, reps=49, seed=seed).att / truth)
        panel = make_staggered_panel(frame, unit="unit", time="period", outcome="y", start_column="start")
        result = twfe_did(panel, reps=49, seed=seed)
        twfe.append(result.estimate / truth)
        assert result.warnings[0].startswith("Avvii scaglionati: la differenza nelle differenze a effetti fissi")
    assert abs(np.mean(cs) - 1) < 0.03 and abs(np.mean(imputed) - 1) < 0.03
    assert np.mean(twfe) < 0.75  # TWFE misses a quarter or more of the effect, seed after seed
    assert max(twfe) < 0.85


def test_staggered_pre_trend_test_sees_no_trend_where_there_is_none_and_sees_one_where_there_is():
    flat = [callaway_santanna(simulated(seed, n_controls=20), reps=199, seed=seed).pre_trend_p_value
            for seed in range(6)]
    assert min(flat) > 0.01
    drifting = simulated(1, n_controls=20)
    labs = drifting["start"].notna()
    drifting.loc[labs, "y"] += 0.3 * drifting.loc[labs, "period"]  # labs' areas drift away before any start
    assert callaway_santanna(drifting, reps=199).pre_trend_p_value < 0.01


def test_what_the_estimators_cannot_use_is_set_aside_and_said():
    frame = hand_frame()
    frame.loc[frame["unit"] == "D", "start"] = 1  # treated from the first period: nothing before to compare
    frame = frame[~((frame["unit"] == "B") & (frame["period"] == 2))]  # B misses a period
    result = callaway_santanna(frame, reps=99)
    assert any(w.startswith("Escluse 1 unità senza il dato in tutti i periodi") and w.endswith(": B.")
               for w in result.warnings)
    assert any("trattate già dal primo periodo" in w and "D" in w for w in result.warnings)
    assert result.n_treated == 2 and result.n_control == 1  # A, C treated; E the only control
    nothing = hand_frame(starts={u: np.nan for u in HAND})
    empty = callaway_santanna(nothing)
    assert empty.att is None and empty.warnings[0].startswith("Nessuna unità trattata utilizzabile")
