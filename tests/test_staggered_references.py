"""The staggered estimators against the reference libraries on an mpdta-like panel (Callaway and Sant'Anna's
county teen employment: 500 counties, 2003-2007, cohorts 2004, 2006 and 2007, the rest never treated). The
real mpdta ships with the R package `did` only, so the panel is generated with effects that vary by cohort and
time since start; `differences` (Callaway-Sant'Anna) and `pyfixest` (two-stage DiD, numerically the imputation
estimator's overall effect) must agree with ours on every number they both report."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.imputation import imputation_estimator
from indicators.staggered import callaway_santanna


def mpdta_like(seed: int = 2021) -> pd.DataFrame:
    rng = np.random.default_rng(seed)
    n = 500
    cohort = rng.choice([2004.0, 2006.0, 2007.0, np.nan], size=n, p=[0.04, 0.08, 0.26, 0.62])
    level = rng.normal(5.8, 1.5, n)
    years = np.arange(2003, 2008)
    trend = rng.normal(0, 0.05, len(years)).cumsum()
    rows = []
    for i in range(n):
        for k, year in enumerate(years):
            e = year - cohort[i]
            effect = -0.02 - 0.03 * e if e >= 0 else 0.0  # about mpdta's: deeper the longer since the start
            rows.append((f"c{i:03d}", int(year), level[i] + trend[k] + effect + rng.normal(0, 0.1), cohort[i]))
    return pd.DataFrame(rows, columns=["unit", "period", "y", "start"])


def test_callaway_santanna_matches_the_differences_package():
    differences = pytest.importorskip("differences")
    frame = mpdta_like()
    for ours_name, theirs_name in (("never", "never_treated"), ("notyet", "not_yet_treated")):
        ours = callaway_santanna(frame, control=ours_name, reps=4999, seed=1)
        data = frame.assign(cohort=frame["start"]).set_index(["unit", "period"])
        att = differences.ATTgt(data=data, cohort_column="cohort")
        att.fit(formula="y", control_group=theirs_name, est_method="reg", progress_bar=False)
        theirs = att.results()
        theirs_att = theirs.iloc[:, 0].to_numpy()
        assert np.allclose(ours.group_time["att"].to_numpy(), theirs_att, atol=1e-10)
        simple = att.aggregate("simple")
        assert ours.att == pytest.approx(float(simple.iloc[0, 0]), abs=1e-10)
        assert ours.se == pytest.approx(float(simple.iloc[0, 1]), rel=0.08)  # bootstrap vs their analytic se
        event = att.aggregate("event")
        assert np.allclose(ours.by_event_time["att"].to_numpy(), event.iloc[:, 0].to_numpy(), atol=1e-10)
        cohort = att.aggregate("cohort")
        assert np.allclose(ours.by_cohort["att"].to_numpy(), cohort.iloc[:, 0].to_numpy(), atol=1e-10)


def test_imputation_overall_effect_matches_pyfixest_two_stage_did():
    pf = pytest.importorskip("pyfixest")
    frame = mpdta_like()
    frame = frame[frame["start"] != 2004]  # seen once before the start: pyfixest drops such singletons and fails
    ours = imputation_estimator(frame, reps=999)
    data = frame.assign(treat=(frame["start"].notna() & (frame["period"] >= frame["start"])).astype(int),
                        g=frame["start"].fillna(0))
    fit = pf.did2s(data, yname="y", first_stage="~ 0 | unit + period", second_stage="~ treat", treatment="treat",
                   cluster="unit")
    assert ours.att == pytest.approx(float(fit.coef()["treat"]), abs=1e-5)  # pyfixest demeans iteratively (tol 1e-6)
    assert ours.se == pytest.approx(float(fit.se()["treat"]), rel=0.25)  # BJS conservative vs Gardner's GMM
