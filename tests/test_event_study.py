"""The event study's identification check: hand-worked coefficients, a reference period the treated units lack,
periods only treated units fill, and the rank-deficient panel on which it used to print +3.7 with p = 0.000."""

from __future__ import annotations

import warnings

import numpy as np
import pandas as pd
import pytest
import statsmodels.formula.api as smf

from indicators.did import twfe_did
from indicators.evaluation import make_panel
from indicators.event_study import event_study, relative_time
from test_evaluation import panel_of, synthetic_panel

# two treated units (T1, T2) and two controls (C1, C2), periods 0..4, start 3: relative times -3 .. 1
HAND = {"T1": [10, 11, 12, 10, 9], "T2": [14, 14, 16, 13, 13], "C1": [5, 6, 6, 7, 8], "C2": [9, 9, 11, 10, 11]}
# treated means 12, 12.5, 14, 11.5, 11; control means 7, 7.5, 8.5, 8.5, 9.5; gaps 5, 5, 5.5, 3, 1.5


def hand_panel(drop=()):
    rows = [(u, t, float(y)) for u, ys in HAND.items() for t, y in enumerate(ys) if (u, t) not in drop]
    frame = pd.DataFrame(rows, columns=["unit", "t", "y"])
    return make_panel(frame, unit="unit", time="t", outcome="y", treated=["T1", "T2"], start=3)


def estimates(study) -> dict[int, float]:
    return {int(k): round(float(v), 9) for k, v in zip(study.coefficients["rel_time"], study.coefficients["estimate"])}


def test_saturated_event_study_is_the_gap_of_each_period_minus_the_gap_of_the_reference():
    # with common timing and every relative time its own dummy, b_k = gap_k - gap_-1 (gap -1 = 14 - 8.5 = 5.5)
    study = event_study(hand_panel(), leads=3, lags=1)
    assert estimates(study) == {-3: -0.5, -2: -0.5, -1: 0.0, 0: -2.5, 1: -4.0}
    assert study.reference == -1
    assert not any("riferimento" in w or "identific" in w for w in study.warnings)


def test_a_reference_period_the_treated_units_lack_moves_to_the_last_observed_lead_and_says_so():
    # T1 and T2 not observed at period 2 (k = -1): the k dummies then add up to the treated units' own fixed
    # effects. The reference becomes k = -2 (gap 5): b_-3 = 5 - 5 = 0, b_0 = 3 - 5 = -2, b_1 = 1.5 - 5 = -3.5
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no rank-deficiency warning from statsmodels: the design is full rank
        study = event_study(hand_panel(drop={("T1", 2), ("T2", 2)}), leads=3, lags=1)
    assert estimates(study) == {-3: 0.0, -2: 0.0, 0: -2.0, 1: -3.5}
    assert study.reference == -2
    assert study.warnings[0] == ("Le unità trattate non sono osservate nel periodo −1 prima dell'avvio: il "
                                 "riferimento dello studio di evento è il periodo −2.")


def test_a_period_only_treated_units_fill_has_no_coefficient_and_the_others_keep_their_values():
    # no control at period 4: the k = 1 dummy is the period's own fixed effect, so b_1 is not identified;
    # the other gaps are unchanged (b_-3 = b_-2 = -0.5, b_0 = -2.5)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study = event_study(hand_panel(drop={("C1", 4), ("C2", 4)}), leads=3, lags=1)
    assert estimates(study) == {-3: -0.5, -2: -0.5, -1: 0.0, 0: -2.5}
    assert study.warnings[0] == ("Studio di evento non identificato nel periodo 1 dall'avvio: coincide con gli "
                                 "effetti fissi (ad esempio un periodo con sole unità trattate) e non è stimato.")


def test_treated_units_seen_only_after_the_start_get_no_event_study():
    study = event_study(hand_panel(drop={(u, t) for u in ("T1", "T2") for t in (0, 1, 2)}))
    assert study.coefficients.empty and study.pre_trend_p_value is None
    assert study.warnings[0].startswith("Lo studio di evento non è identificato: le unità trattate sono osservate "
                                        "in meno di due periodi prima dell'avvio")


def issue_panel():
    """Seed 34, true effect -2 from month 12, the ten treated units not observed in month 11 (k = -1)."""
    frame = synthetic_panel(34)
    return panel_of(frame[~((frame["unit"] < "u10") & (frame["month"] == 11))])


def test_rank_deficient_panel_no_longer_shows_a_pre_trend_that_is_not_there():
    panel = issue_panel()
    assert round(twfe_did(panel, reps=199).estimate, 2) == -1.92  # the DiD is identified: true -2
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        study = event_study(panel)
    coef = study.coefficients.set_index("rel_time")
    assert study.reference == -2 and -1 not in coef.index and coef.loc[-2, "estimate"] == 0.0
    # before the fix the leads were all about +3.7 with p < 1e-14 (an arbitrary point of a line of solutions)
    leads = coef.loc[-12:-3]
    assert (leads["estimate"].abs() < 1.0).all() and ((leads["ci_low"] <= 0) & (leads["ci_high"] >= 0)).all()
    assert study.pre_trend_p_value > 0.05
    assert ((coef.loc[0:11, "ci_low"] <= -2) & (coef.loc[0:11, "ci_high"] >= -2)).all()
    # the treated units share their periods, so the mean lag minus the mean lead (reference included) is the
    # DiD itself: both contrast the treated-control gap after the start with the gap before
    assert coef.loc[0:11, "estimate"].mean() - coef.loc[-12:-2, "estimate"].mean() == pytest.approx(-1.9212731777,
                                                                                                     abs=1e-9)
    assert "il riferimento dello studio di evento è il periodo −2" in study.warnings[0]


def test_pre_trend_p_value_is_the_joint_wald_test_of_the_leads_with_clustered_errors():
    panel = panel_of(synthetic_panel(5))
    study = event_study(panel, leads=4, lags=3)
    # the same regression written as a formula (intercept, unit and month dummies, binned relative times)
    frame = panel.frame.assign(rel=relative_time(panel).clip(lower=-4, upper=3))
    names = {k: f"k_{'m' if k < 0 else 'p'}{abs(k)}" for k in (-4, -3, -2, 0, 1, 2, 3)}
    for k, name in names.items():
        frame[name] = (frame["rel"] == k).astype(float)
    fit = smf.ols("y ~ C(unit) + C(period) + " + " + ".join(names.values()), data=frame).fit(
        cov_type="cluster", cov_kwds={"groups": pd.factorize(frame["unit"])[0]}, use_t=True)
    joint = fit.f_test(", ".join(f"{names[k]} = 0" for k in (-4, -3, -2)))
    assert joint.df_num == 3 and joint.df_denom == 39  # F(3, G - 1) with 40 clusters
    assert study.pre_trend_p_value == pytest.approx(float(joint.pvalue), rel=1e-6)
    coef = study.coefficients.set_index("rel_time")
    for k, name in names.items():
        assert coef.loc[k, "estimate"] == pytest.approx(fit.params[name], abs=1e-9)
        assert coef.loc[k, "p_value"] == pytest.approx(fit.pvalues[name], rel=1e-6)


def test_balanced_panel_shortcut_gives_the_regression_with_every_dummy(monkeypatch):
    """On a balanced panel the fixed effects are partialled out in closed form; the coefficients, intervals,
    p-values and joint test must be those of the regression with all the unit and period dummies."""
    import indicators.did as did
    from indicators.event_study import event_study
    from test_evaluation import panel_of, synthetic_panel

    panel = panel_of(synthetic_panel(3, effect=-0.5, dynamic=True))
    fast = event_study(panel, leads=6, lags=11)
    original = did.TwoWay.__init__

    def with_dummies(self, p):
        original(self, p)
        self.balanced, self.design = False, did.fixed_effects(p)
        self.rank = int(np.linalg.matrix_rank(self.design))

    monkeypatch.setattr(did.TwoWay, "__init__", with_dummies)
    slow = event_study(panel, leads=6, lags=11)
    assert np.allclose(fast.coefficients.to_numpy(dtype=float), slow.coefficients.to_numpy(dtype=float),
                       atol=1e-10, equal_nan=True)
    assert fast.pre_trend_p_value == pytest.approx(slow.pre_trend_p_value, abs=1e-10)
