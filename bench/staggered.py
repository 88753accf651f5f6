"""`python -m bench staggered`: `osservatorio evaluate --method all` on a staggered panel (500 units x 10 periods by
default) against the reference libraries doing the same estimates in the same run (issue 20).

Reference: `differences` (Callaway-Sant'Anna, never-treated controls, with its multiplier bootstrap), `pyfixest`
(two-way fixed effects with clustered errors, the TWFE event study, and two-stage DiD = the imputation
estimator's overall effect) and `synthdid` (synthetic DiD per cohort). The synthetic control per treated unit and
the placebo in time have no library that does them on a staggered panel, so they are in our time only: the ratio
is conservative for us.
"""

from __future__ import annotations

import time
import warnings
from pathlib import Path

import numpy as np
import pandas as pd

ROOT = Path(__file__).resolve().parent.parent


def staggered_panel(units: int, periods: int, seed: int = 20) -> pd.DataFrame:
    """Cohorts starting at periods 4..periods-2 and a never-treated third, effect growing after each start."""
    rng = np.random.default_rng(seed)
    cohorts = rng.choice([*range(4, periods - 1), 0], size=units)
    level, shock = rng.normal(10, 2, units), rng.normal(0, 0.5, periods).cumsum()
    unit, period = np.meshgrid(np.arange(units), np.arange(1, periods + 1), indexing="ij")
    start = cohorts[unit]
    effect = np.where((start > 0) & (period >= start), -0.2 * (period - start + 1), 0.0)
    y = level[unit] + shock[period - 1] + effect + rng.normal(0, 0.3, unit.shape)
    return pd.DataFrame({"unit": [f"u{u:04d}" for u in unit.ravel()], "period": period.ravel(), "y": y.ravel(),
                         "start": np.where(start.ravel() > 0, start.ravel(), np.nan)})


def ours(path: Path) -> float:
    from typer.testing import CliRunner

    from osservatorio.cli import app

    began = time.perf_counter()
    out = CliRunner().invoke(app, ["evaluate", "--panel", str(path), "--unit", "unit", "--time", "period", "--outcome",
                                   "y", "--start-column", "start", "--method", "all", "--format", "json"])
    elapsed = time.perf_counter() - began
    if out.exit_code != 0:
        raise SystemExit(out.output)
    return elapsed


def reference(frame: pd.DataFrame) -> dict[str, float]:
    """Seconds per reference library for the estimates they share with `evaluate --method all`."""
    import pyfixest as pf
    import synthdid
    from differences import ATTgt

    times = {}
    began = time.perf_counter()
    att = ATTgt(data=frame.assign(cohort=frame["start"]).set_index(["unit", "period"]), cohort_column="cohort")
    att.fit(formula="y", control_group="never_treated", boot_iterations=999, random_state=0, progress_bar=False)
    for kind in ("simple", "cohort", "event"):
        att.aggregate(kind, boot_iterations=999, random_state=0)
    times["differences (Callaway-Sant'Anna)"] = time.perf_counter() - began
    began = time.perf_counter()
    data = frame.assign(treat=(frame["start"].notna() & (frame["period"] >= frame["start"])).astype(int),
                        g=frame["start"].fillna(0))
    pf.feols("y ~ treat | unit + period", data=data, vcov={"CRV1": "unit"})
    pf.event_study(data, yname="y", idname="unit", tname="period", gname="g", estimator="twfe")
    pf.did2s(data, yname="y", first_stage="~ 0 | unit + period", second_stage="~ treat", treatment="treat",
             cluster="unit")
    times["pyfixest (TWFE, event study, two-stage DiD)"] = time.perf_counter() - began
    began = time.perf_counter()
    wide = frame.pivot(index="unit", columns="period", values="y")
    starts = frame.groupby("unit")["start"].first()
    controls = wide[starts.isna()].to_numpy()
    for g in sorted(starts.dropna().unique()):
        y = np.vstack([controls, wide[starts == g].to_numpy()])
        synthdid.synthdid_estimate(y, len(controls), int(g) - 1)
    times["synthdid (SDID per cohort, no standard error)"] = time.perf_counter() - began
    return times


def bench_staggered(args) -> None:
    frame = staggered_panel(args.units, args.periods)
    out = ROOT / "bench" / "out"
    out.mkdir(parents=True, exist_ok=True)
    path = out / f"staggered_{args.units}x{args.periods}.csv"
    frame.assign(start=frame["start"].map(lambda v: "" if v != v else str(int(v)))).to_csv(path, sep=";",
                                                                                             index=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        runs = [reference(frame) for _ in range(args.repeat)]
        theirs = {k: min(run[k] for run in runs) for k in runs[0]}
        mine = min(ours(path) for _ in range(args.repeat))
    total = sum(theirs.values())
    lines = [f"evaluate --method all on {args.units} units x {args.periods} periods (staggered, "
             f"{int(frame['start'].notna().sum() / args.periods)} treated units)"]
    lines += [f"  {name:<50} {seconds:8.2f} s" for name, seconds in theirs.items()]
    lines += [f"  {'reference libraries, total':<50} {total:8.2f} s",
              f"  {'osservatorio evaluate --method all':<50} {mine:8.2f} s",
              f"  ratio ours / reference: {mine / total:.2f} (target <= 2)"]
    print("\n".join(lines))
    if args.results:
        Path(args.results).write_text("\n".join(lines) + "\n")
