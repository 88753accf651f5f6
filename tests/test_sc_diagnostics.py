"""Synthetic control for tiny designs: conformal intervals at their nominal rate, the fit window, the warning when
a perfect fit leaves the weights undetermined, and the warning when the methods disagree on the sign."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from indicators.conformal import conformal_interval
from indicators.evaluation import Effect, make_panel
from indicators.evaluation_checks import sign_disagreement
from indicators.synthetic_control import synthetic_control
from test_evaluation import donors_panel


def factor_panel(seed: int, *, effect: float = -1.0, periods: int = 30, start: int = 20, donors: int = 10):
    """Donors from three stationary factors; the treated unit is 0.6 d0 + 0.4 d1 (their factor parts) plus its own
    noise, with `effect` from `start` on."""
    rng = np.random.default_rng(seed)
    f = rng.normal(0, 1, (periods, 3))
    x = f @ rng.uniform(0, 2, (3, donors)) + 10 + rng.normal(0, 0.3, (periods, donors))
    y = x[:, :2] @ np.array([0.6, 0.4]) + rng.normal(0, 0.3, periods)
    y[start:] += effect
    return y, x, np.arange(periods) >= start


def test_conformal_intervals_cover_a_known_effect_at_the_nominal_rate():
    covered, finite = 0, 0
    for seed in range(40):
        y, x, post = factor_panel(seed)
        ci = conformal_interval(y, x, post, estimate=float((y - x[:, :2] @ [0.6, 0.4])[post].mean()), scale=0.3,
                                alpha=0.1)
        if ci.low is not None:
            finite += 1
            covered += ci.low <= -1.0 <= ci.high
    assert finite >= 36
    assert covered / finite >= 0.8  # nominal 90%: binomial(40, 0.9) falls below 80% with probability < 3%
    assert covered / finite < 1.0 or finite < 40  # not a trivially infinite interval


def test_conformal_interval_says_when_the_window_is_too_short():
    y, x, post = factor_panel(1, periods=15, start=10)
    ci = conformal_interval(y, x, post, estimate=-1.0, scale=0.3, alpha=0.05)
    assert ci.low is None and ci.warning.startswith("Con 15 periodi nella finestra il p-value conforme non scende "
                                                    "sotto 1/15")


def test_fit_window_leaves_out_early_periods_that_do_not_fit():
    frame, _ = donors_panel(3, effect=-3.0, weights={1: 0.5, 4: 0.3, 7: 0.2})
    frame.loc[(frame["unit"] == "trattato") & (frame["t"] < 8), "y"] += 4.0  # a different regime early on
    panel = make_panel(frame, unit="unit", time="t", outcome="y", treated=["trattato"], start=20)
    whole = synthetic_control(panel, conformal=False).effect
    window = synthetic_control(panel, fit_from=8, conformal=False).effect
    assert window.weights == pytest.approx({"d01": 0.5, "d04": 0.3, "d07": 0.2}, abs=1e-3)
    assert window.estimate == pytest.approx(-3.0, abs=1e-2) and window.n_pre == 12
    assert whole.n_pre == 20 and abs(whole.estimate + 3.0) > 0.1


def test_perfect_fit_with_more_donors_than_periods_warns_that_weights_are_not_unique():
    rng = np.random.default_rng(0)
    donors = rng.normal(10, 1, (8, 12))  # 8 periods, 12 donors
    treated = donors[:, :3] @ np.array([0.2, 0.3, 0.5])
    rows = [(f"d{j:02d}", t, donors[t, j]) for t in range(8) for j in range(12)]
    rows += [("trattato", t, treated[t] - (1.0 if t >= 5 else 0.0)) for t in range(8)]
    panel = make_panel(pd.DataFrame(rows, columns=["unit", "t", "y"]), unit="unit", time="t", outcome="y",
                       treated=["trattato"], start=5)
    effect = synthetic_control(panel, conformal=False).effect
    assert any(w.startswith("Adattamento perfetto prima dell'avvio con 12 donatori e 5 periodi: altre combinazioni")
               for w in effect.warnings)


def test_sign_disagreement_between_did_and_synthetic_control_is_said():
    text = sign_disagreement([Effect("did", 0.4), Effect("sc", -1.2), Effect("sdid", None)])
    assert text == ("I metodi non concordano nemmeno sul segno dell'effetto (positivo: Differenza nelle differenze "
                    "(effetti fissi unità e periodo); negativo: Controllo sintetico): con questi dati non si può dire "
                    "in che direzione abbia agito l'intervento.")
    assert sign_disagreement([Effect("did", -0.4), Effect("sc", -1.2)]) is None
