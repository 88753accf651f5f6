"""Benchmark of the analytics engine (`indicators.store`): full build from scratch and the monthly update.

`python -m bench engine [--units 100000 --years 10] [--backends sqlite,postgres] [--pg-url URL] [--quick]`

For each backend, on the large warehouse and, as the baseline measured in the same run, on the small one
(1,500 units, the size of the demo), each step in a child process of its own (peak memory: its max RSS):
1. **full build from scratch**: `store.build(force=True)` on the warehouse without the last month: seconds,
   rows copied, the analytics file's size, peak memory, and where the time goes (SQLite snapshot, each table
   copied, each fact);
2. **monthly update**: from the start of `load movimenti` of the last month's file (about 240,000 movements at
   100,000 units) to a figure that includes it: schema check, load, build, the arrears stock at the month's end
   (goal: <= 60 s at 100,000 units). The load alone is the other baseline: update / load.
The warehouses and the sample are generated and loaded once and cached in `bench/out/` (see `bench.warehouses`):
the figures measure the engine, not the generator.
"""

from __future__ import annotations

import calendar
import json
import os
from datetime import date
from pathlib import Path

from bench import warehouses as W
from bench.load import run_child_usage

GOAL_UPDATE_S = 60.0


def _child(*args: str) -> dict:
    wall, rss, out, cpu = run_child_usage(["-m", "bench.engine_child", *args])
    lines = [line for line in out.strip().splitlines() if line.startswith("{")]
    if not lines:
        raise RuntimeError(f"bench.engine_child {args[0]}: no result\n{out[-3000:]}")
    result = json.loads(lines[-1])
    result["wall"], result["cpu"] = wall, cpu
    result["peak_mib"] = result.get("peak_mib") or rss
    return result


def _month_end(month: str) -> date:
    mm, yyyy = (int(x) for x in month.split("/"))
    return date(yyyy, mm, calendar.monthrange(yyyy, mm)[1])


def _previous_month_end(month: str) -> date:
    mm, yyyy = (int(x) for x in month.split("/"))
    first = date(yyyy, mm, 1)
    return date.fromordinal(first.toordinal() - 1)


def measure(backend: str, units: int, years: int, pg_url: str | None) -> dict:
    """Prepare (cached) and measure one warehouse: the full build, then the monthly update."""
    folder = W.sample(units, years)
    history, month_file, month = W.split_last_month(folder)
    url = W.warehouse_url(backend, units, years, pg_url)
    W.ensure_loaded(url, history, bulk=units >= W.BULK_FROM_UNITS)
    if undone := W.undo_month(url):
        print(f"  {backend} {units:,}x{years}: the last run's monthly load taken out again ({undone})", flush=True)
    print(f"  {backend} {units:,}x{years}: full build ...", flush=True)
    full = _child("build", url, _previous_month_end(month).isoformat())
    print(f"    {full['build']:,.1f} s (process: {full['wall']:,.1f} s wall, {full['cpu']:,.1f} s CPU), "
          f"{full['rows']:,} rows, peak {full['peak_mib']:,} MiB, "
          f"{full['size_bytes'] / 2**20:,.0f} MiB", flush=True)
    print(f"  {backend} {units:,}x{years}: monthly update ({month}) ...", flush=True)
    update = _child("update", url, str(month_file), _month_end(month).isoformat())
    phases = ", ".join(f"{k} {v:,.1f} s" for k, v in update["phases"].items())
    print(f"    {update['wall']:,.1f} s wall, {update['cpu']:,.1f} s CPU ({phases}); "
          f"{update['rows_loaded']:,} movements", flush=True)
    return {"backend": backend, "units": units, "years": years, "month": month, "full": full, "update": update}


def _steps(result: dict, kind: str, top: int = 8) -> list[str]:
    """The build's steps, slowest first: wall seconds, share, CPU seconds (which the other jobs of a shared machine
    move much less than the wall time), rows."""
    steps = sorted(result[kind]["steps"], key=lambda s: -s[1])
    total = result[kind]["build"] if kind == "full" else result[kind]["phases"]["build"]
    lines = [f"    {name:<40} {seconds:>8.2f} s {seconds / total:>6.0%} {cpu:>8.2f} s CPU"
             + (f"  {rows:>12,} rows" if rows else "") for name, seconds, rows, cpu in steps[:top]]
    rest = total - sum(s[1] for s in steps)
    lines.append(f"    {'rest (status, swap, old file removed)':<40} {rest:>8.2f} s {rest / total:>6.0%}")
    return lines


def report(results: list[dict]) -> str:
    """The figures, per backend: large and small, their ratio, the update against its goal and the load alone."""
    head = (f"{'backend':<9} {'size':<12} {'build s':>8} {'rows copied':>12} {'peak MiB':>9} {'file MiB':>9}  "
            f"{'update s':>9} {'CPU s':>6} {'load s':>7} {'build s':>8} {'figure s':>9} {'upd/load':>9}")
    lines = [head]
    for r in results:
        f, u = r["full"], r["update"]
        p = u["phases"]
        lines.append(f"{r['backend']:<9} {r['units']:>6,}x{r['years']:<5} {f['build']:>8.1f} {f['rows']:>12,} "
                     f"{f['peak_mib']:>9,} {f['size_bytes'] / 2**20:>9,.0f}  {u['wall']:>9.1f} {u['cpu']:>6.1f} "
                     f"{p['load']:>7.1f} "
                     f"{p['build']:>8.1f} {p['figure']:>9.2f} {u['wall'] / p['load']:>9.2f}")
    lines.append("")
    by_backend: dict[str, list[dict]] = {}
    for r in results:
        by_backend.setdefault(r["backend"], []).append(r)
    for backend, (large, *small) in by_backend.items():
        u, p = large["update"], large["update"]["phases"]
        verdict = "meets" if u["wall"] <= GOAL_UPDATE_S else "MISSES"
        lines.append(f"{backend}: monthly update at {large['units']:,} units {u['wall']:.1f} s ({verdict} the goal of "
                     f"{GOAL_UPDATE_S:.0f} s): " + ", ".join(f"{k} {v:.1f} s" for k, v in p.items())
                     + f"; {u['rows_loaded']:,} movements; arrears stock {large['full']['value']:,.2f} at the "
                     f"month before's end, {u['value']:,.2f} at the end of {large['month']}")
        if small:
            s = small[0]
            lines.append(f"{backend}: ratio {large['units']:,} / {s['units']:,} units: full build "
                         f"{large['full']['build'] / s['full']['build']:.1f}x, peak memory "
                         f"{large['full']['peak_mib'] / s['full']['peak_mib']:.1f}x, monthly update "
                         f"{u['wall'] / s['update']['wall']:.1f}x")
        lines.append(f"{backend}: where the full build's time goes at {large['units']:,} units "
                     f"({large['full']['build']:.1f} s):")
        lines += _steps(large, "full")
        lines.append(f"{backend}: where the monthly update's build goes ({p['build']:.1f} s):")
        lines += _steps(large, "update", top=4)
    return "\n".join(lines)


def main(args) -> None:
    W.analytics_env()
    sizes = [(args.units, args.years)] + ([(args.small_units, args.small_years)] if args.small_units else [])
    results = []
    for backend in args.backends.split(","):
        for units, years in sizes:
            results.append(measure(backend, units, years, args.pg_url))
    text = report(results)
    print("\n" + text)
    if args.results:
        path = Path(args.results)
        path.parent.mkdir(parents=True, exist_ok=True)
        baseline = f"baseline {args.small_units}x{args.small_years}" if args.small_units else "no baseline"
        path.write_text(f"python -m bench engine --units {args.units} --years {args.years} ({baseline}), load "
                        f"average at the end {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores\n\n{text}\n")
        print(f"\nwritten to {path}")
