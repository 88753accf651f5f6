"""Forecasts against series whose answer is known: method chosen, interval coverage, annual interval by simulation."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from indicators.forecast import (ETS, HISTORICAL_MEAN, LAST_YEAR, LAST_YEAR_INFLATION, MEAN_3Y, SNAIVE, backtest,
                                 forecast_year, mase_scale, point_forecast)

MONTHS = pd.date_range("2016-01-01", periods=132, freq="MS")  # 2016-2026: ten years of history, 2026 held out
SEASON = 30 * np.sin(2 * np.pi * np.arange(132) / 12)


def trending(seed: int) -> np.ndarray:
    """Level 200, +3 a month, seasonal amplitude 30, noise sd 10."""
    return 200 + 3 * np.arange(132) + SEASON + np.random.default_rng(seed).normal(0, 10, 132)


def seasonal_random_walk(seed: int) -> np.ndarray:
    """y[t] = y[t-12] + noise: each month wanders on its own, so last year's same month is the best guess."""
    rng, y = np.random.default_rng(seed), np.zeros(132)
    y[:12] = 100 + SEASON[:12]
    for t in range(12, 132):
        y[t] = y[t - 12] + rng.normal(0, 10)
    return y


def history(y: np.ndarray, months: int = 120) -> pd.Series:
    return pd.Series(y[:months], index=MONTHS[:months])


def test_seasonal_naive_forecast_and_mase_by_hand():
    y = history(np.arange(1.0, 37.0), 36)  # 1..36
    assert list(point_forecast(y, 2019, SNAIVE)) == list(np.arange(25.0, 37.0))
    assert list(point_forecast(y, 2019, MEAN_3Y)) == list(np.arange(13.0, 25.0))  # mean of 1.., 13.., 25..
    # MASE scale: every seasonal difference of 1..36 is 12.
    assert mase_scale(np.arange(1.0, 37.0)) == 12.0
    # Backtest origins at 24 and 12 months; seasonal naive misses by 12 every month. From 24: scale 12, MASE 1.
    # From 12 (no seasonal difference yet): scale = mean |y - mean| of 1..12 = 3, MASE 4. Mean: 2.5.
    assert backtest(np.arange(1.0, 37.0), (SNAIVE,))[SNAIVE] == pytest.approx(2.5)


def test_backtest_picks_seasonal_naive_on_a_seasonal_random_walk():
    chosen = [forecast_year(history(seasonal_random_walk(s)), 2026, inflation=0.05, n_sims=200).method
              for s in range(20)]
    assert chosen.count(SNAIVE) >= 16, chosen
    assert ETS not in chosen


def test_backtest_picks_ets_on_a_trending_series():
    chosen = [forecast_year(history(trending(s)), 2026, inflation=0.05, n_sims=200).method for s in range(20)]
    assert chosen.count(ETS) >= 16, chosen


def test_intervals_cover_near_nominal_over_many_seeds():
    """100 trending series: the held-out year should fall in the 80% and 95% intervals about that often.

    Annual totals: 100 independent checks, binomial sd 4 points at 80% and 2.2 at 95%; we allow about 2.5 sd
    below (the simulation ignores parameter uncertainty, so it errs narrow) and 2.5 above.
    Months: 1,200 checks, correlated within a series; we allow 5 points.
    """
    monthly80 = monthly95 = annual80 = annual95 = 0.0
    n = 100
    for seed in range(n):
        y = trending(seed)
        fc = forecast_year(history(y), 2026, method=ETS, n_sims=1000, seed=seed)
        actual = y[120:]
        monthly80 += ((actual >= fc.low80) & (actual <= fc.high80)).mean() / n
        monthly95 += ((actual >= fc.low95) & (actual <= fc.high95)).mean() / n
        annual80 += (fc.annual_low80 <= actual.sum() <= fc.annual_high80) / n
        annual95 += (fc.annual_low95 <= actual.sum() <= fc.annual_high95) / n
    assert 0.75 <= monthly80 <= 0.85 and 0.90 <= monthly95 <= 0.99, (monthly80, monthly95)
    assert 0.70 <= annual80 <= 0.90 and 0.89 <= annual95 <= 1.0, (annual80, annual95)


@pytest.mark.parametrize(("method", "sd_factor"), [
    (ETS, np.sqrt(12)),           # the true mean is learnt: 12 independent errors of sd sigma
    (MEAN_3Y, np.sqrt(12 * 4 / 3)),  # each month's error is e_t - mean of 3 past e: variance 4/3 sigma^2
])
def test_annual_interval_by_simulation_matches_the_analytic_value(method, sd_factor):
    sigma, months = 20.0, 240
    idx = pd.date_range("2006-01-01", periods=months, freq="MS")
    y = 500 + 50 * np.sin(2 * np.pi * np.arange(months) / 12) + np.random.default_rng(7).normal(0, sigma, months)
    fc = forecast_year(pd.Series(y, idx), 2026, method=method, n_sims=4000)
    half_width = (fc.annual_high95 - fc.annual_low95) / 2
    assert half_width == pytest.approx(1.96 * sd_factor * sigma, rel=0.15)
    # adding the monthly bounds instead would give a band about sqrt(12) times wider
    assert ((fc.high95 - fc.low95) / 2).sum() > 2.5 * half_width


def test_short_series_falls_back_with_a_warning():
    fc = forecast_year(history(trending(1), 18), 2018)
    assert fc.method == HISTORICAL_MEAN and fc.n_months == 18
    assert fc.annual == pytest.approx(12 * trending(1)[:18].mean())
    assert "Serie breve (18 mesi" in fc.warnings[0]
    assert forecast_year(history(trending(1), 5), 2016) is None


def test_lumpy_works_use_simple_methods_and_regular_instalments_do_not_warn():
    rng = np.random.default_rng(3)
    works = rng.poisson(0.1, 120) * rng.uniform(10_000, 50_000, 120)
    fc = forecast_year(history(works), 2026)
    assert "Serie a salti" in fc.warnings[0] and ETS not in fc.backtest
    premiums = np.where(np.arange(120) % 6 == 0, 1000.0, 0.0)  # January and July, every year
    fc = forecast_year(history(premiums), 2026)
    assert fc.warnings == [] and fc.annual == pytest.approx(2000.0)


def _series(values: list[float], months: int) -> pd.Series:
    return pd.Series(values[:months], index=pd.date_range("2018-01-01", periods=months, freq="MS"))


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(months=st.integers(min_value=6, max_value=60),
       values=st.lists(st.one_of(st.just(0.0), st.floats(min_value=0, max_value=1e6, allow_nan=False)),
                       min_size=60, max_size=60),
       trend=st.floats(min_value=-0.05, max_value=0.2), method=st.sampled_from([None, SNAIVE, MEAN_3Y, LAST_YEAR,
                                                                                 LAST_YEAR_INFLATION]))
def test_a_forecast_is_never_outside_its_own_bands(months, values, trend, method):
    """Any history (lumpy, trending, all zero...): lower95 <= lower80 <= point <= upper80 <= upper95, each month and
    the year; forced baselines need 24 months."""
    y = _series([v * (1 + trend) ** (i // 12) for i, v in enumerate(values)], months)
    if method is not None and months < 24:
        method = None
    fc = forecast_year(y, y.index[-1].year + 1, method=method, n_sims=200, seed=1)
    assert fc is not None
    assert (fc.low95 <= fc.low80).all() and (fc.low80 <= fc.mean).all()
    assert (fc.mean <= fc.high80).all() and (fc.high80 <= fc.high95).all()
    assert fc.annual_low95 <= fc.annual_low80 <= fc.annual <= fc.annual_high80 <= fc.annual_high95
    assert fc.annual == pytest.approx(fc.mean.sum())


def test_a_growing_cost_is_forecast_inside_its_band():
    """Utenze growing 10% a year, paid the same each month: last year's same month misses by about +10% every year,
    so every simulated path lies above last year's amounts. The point stays the method's (what its name says) and
    the band is widened down to it: before, the 80% band of the year lay wholly above the forecast."""
    y = pd.Series([1000.0 * 1.1 ** (i // 12) for i in range(48)], pd.date_range("2021-01-01", periods=48, freq="MS"))
    fc = forecast_year(y, 2025, method=SNAIVE, n_sims=500)
    last_year = 12 * 1000 * 1.1 ** 3  # 15,972: what last year's same months add up to
    assert fc.annual == pytest.approx(last_year) and list(fc.mean) == pytest.approx([1331.0] * 12)
    assert fc.annual_low80 == fc.annual == fc.annual_low95 and fc.annual_high80 > last_year + 12 * 100
    assert (fc.low80 == fc.mean).all() and (fc.high80 > fc.mean).all()
