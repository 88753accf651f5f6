"""The benchmarks keep running: `python -m bench all` at a tiny size, on SQLite, in a folder of its own."""

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_bench_all_runs_at_a_tiny_size(tmp_path):
    env = {**os.environ, "OSSERVATORIO_BENCH_OUT": str(tmp_path / "out"),
           "OSSERVATORIO_ANALYTICS_DIR": str(tmp_path / "analytics")}
    env.pop("OSSERVATORIO_DATABASE_URL", None)
    done = subprocess.run(
        [sys.executable, "-m", "bench", "all", "--units", "120", "--years", "2", "--small-units", "60",
         "--small-years", "2", "--backends", "sqlite", "--pages", "views/overview.py",
         "--results", str(tmp_path / "results.txt")],
        cwd=ROOT, env=env, capture_output=True, text=True, timeout=900)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    out = done.stdout
    # the month held out of the history is the sample's last (October 2026), loaded and built by the update
    assert "monthly update (10/2026)" in out
    assert re.search(r"sqlite: ratio 120 / 60 units: full build [\d.]+x, peak memory [\d.]+x, monthly update [\d.]+x",
                     out)
    assert re.search(r"copy ledger_entry\s+[\d.]+ s", out)  # the profile names the tables copied
    assert re.search(r"sqlite\s+views/overview.py\s+[\d.]+\s+[\d.]+\s+[\d.]+", out)  # large, small, ratio
    assert "DIFFERENT" not in out
    engine_report = (tmp_path / "results.txt").with_name("results-engine.txt")
    assert engine_report.exists() and (tmp_path / "results-monitoring.txt").exists()


def test_bench_matching_runs_at_a_tiny_size():
    done = subprocess.run([sys.executable, "-m", "bench", "matching", "--households", "200", "--units", "20",
                           "--repeat", "1"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    assert re.search(r"graduatoria\s+[\d.]+\s+[\d.]+\s+\d+\s+[\d.]+\s+ok", done.stdout)
    assert re.search(r"ottimale\s+[\d.]+\s+[\d.]+\s+\d+\s+[\d.]+\s+ok", done.stdout)
