"""Benchmark of the budget forecasts: held-out error against simple baselines, and the time to propose a budget.

`python -m bench budget [--units N --years Y --holdout K]` generates the sample (costs per intervention,
category and month), loads the interventions and the actual costs, then
1. for each of the last K complete years, forecasts every series (category × intervention) from the
   history before it and scores the 12 months against the actuals: MASE (scaled by the in-sample
   seasonal naive error) of the chosen method, of seasonal naive and of last year plus inflation, and
   how often the annual total fell inside the 80% and 95% intervals;
2. times a full proposal per category and intervention for the year after the data.
"""

from __future__ import annotations

import time
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def prepare(units: int, years: int) -> str:
    """A SQLite warehouse with the sample's interventions and actual costs (the only inputs of the forecasts)."""
    from etl.loader import load_file
    from etl.sample import generate
    from osservatorio.settings import Settings
    from schemas.db import make_engine
    from schemas.migrate import upgrade

    folder = ROOT / "bench" / "out" / f"budget_{units}_{years}"
    db = folder / "warehouse.db"
    url = f"sqlite:///{db}"
    if db.exists():
        return url
    folder.mkdir(parents=True, exist_ok=True)
    print(f"generating sample --units {units} --years {years} ...", flush=True)
    generate(folder, units=units, years=years, seed=42)
    upgrade(url)
    engine = make_engine(url)
    settings = Settings(database_url=url, pseudonym_key="bench")
    for kind in ("interventi", "consuntivi"):
        load_file(folder / f"{kind}.csv", kind, engine=engine, settings=settings)
    engine.dispose()
    return url


def held_out_scores(history: pd.DataFrame, year: int, inflation: float) -> pd.DataFrame:
    """One row per series: MASE of the chosen method, seasonal naive and last year + inflation on `year`."""
    from indicators.forecast import LAST_YEAR_INFLATION, SNAIVE, forecast_year, mase_scale, point_forecast

    rows = []
    for key, s in history.groupby(["intervention_code", "category"]):
        series = s.set_index("month")["amount"]
        actual = series[series.index.year == year]
        past = series[series.index.year < year]
        if len(actual) < 12 or len(past) < 24:
            continue
        fc = forecast_year(series, year, inflation=inflation, n_sims=500)
        if fc is None:
            continue
        scale = mase_scale(past.to_numpy(dtype=float))
        a = actual.to_numpy(dtype=float)
        mase = {name: np.abs(a - f).mean() / scale for name, f in (
            ("chosen", fc.mean), ("snaive", point_forecast(series, year, SNAIVE)),
            ("last_year_inflation", point_forecast(series, year, LAST_YEAR_INFLATION, inflation=inflation)))}
        rows.append({"year": year, "intervention": key[0], "category": key[1], "method": fc.method, **mase,
                     "in80": fc.annual_low80 <= a.sum() <= fc.annual_high80,
                     "in95": fc.annual_low95 <= a.sum() <= fc.annual_high95})
    return pd.DataFrame(rows)


def bench_budget(args) -> None:
    from indicators.budget import propose
    from indicators.cost_history import cost_history, last_actual_month
    from schemas.db import make_engine

    url = prepare(args.units, args.years)
    engine = make_engine(url)
    last = last_actual_month(engine)
    if last is None:
        raise SystemExit("no actual costs in the sample warehouse")
    history = cost_history(engine, by_intervention=True)
    last_full = last.year - 1 if last.month < 12 else last.year
    scores = pd.concat([held_out_scores(history, y, args.inflation / 100)
                        for y in range(last_full - args.holdout + 1, last_full + 1)], ignore_index=True)
    print(f"\nheld-out years {last_full - args.holdout + 1}-{last_full}: {len(scores)} series-years "
          f"({history['intervention_code'].nunique()} interventions x {history['category'].nunique()} categories)")
    means = scores[["chosen", "snaive", "last_year_inflation"]].mean()
    medians = scores[["chosen", "snaive", "last_year_inflation"]].median()
    print(f"mean MASE   chosen {means['chosen']:.3f}  seasonal naive {means['snaive']:.3f}  "
          f"last year + {args.inflation:g}% {means['last_year_inflation']:.3f}")
    print(f"median MASE chosen {medians['chosen']:.3f}  seasonal naive {medians['snaive']:.3f}  "
          f"last year + infl. {medians['last_year_inflation']:.3f}")
    print(f"ratio of mean MASE: chosen / seasonal naive {means['chosen'] / means['snaive']:.3f}; "
          f"chosen / last year + inflation {means['chosen'] / means['last_year_inflation']:.3f}")
    print(f"annual total inside the 80% interval {scores['in80'].mean():.1%}, "
          f"inside the 95% {scores['in95'].mean():.1%}")
    print("methods chosen:", scores["method"].value_counts().to_dict())
    start = time.perf_counter()
    proposal = propose(engine, year=last.year + 1, by_intervention=True)
    took = time.perf_counter() - start
    print(f"\nfull proposal {last.year + 1} per category x intervention: {len(proposal.lines)} series in {took:.1f} s "
          f"({took / max(len(proposal.lines), 1) * 1000:.0f} ms per series), units {args.units:,}")
    engine.dispose()
