"""`osservatorio evaluate --start-column`: staggered starts through the CLI runner, with the diagnostics for tiny
designs (placebo in time, sign disagreement, donor exclusion, fit window, what cannot be concluded)."""

from __future__ import annotations

import json

import numpy as np
import pytest
from typer.testing import CliRunner

from osservatorio.cli import app
from test_staggered import HAND, STARTS, simulated


def _evaluate(path, *extra):
    return CliRunner().invoke(app, ["evaluate", "--panel", str(path), "--unit", "unit", "--time", "period",
                                    "--outcome", "y", *extra])


@pytest.fixture
def hand_csv(tmp_path):
    path = tmp_path / "scaglionati.csv"
    lines = ["unit;period;y;avvio"] + [f"{u};{t + 1};{str(float(v)).replace('.', ',')};"
                                       f"{'' if STARTS[u] != STARTS[u] else int(STARTS[u])}"
                                       for u, ys in HAND.items() for t, v in enumerate(ys)]
    path.write_text("\n".join(lines) + "\n")
    return path


def test_staggered_json_is_an_object_with_att_se_interval_and_aggregations(hand_csv):
    out = _evaluate(hand_csv, "--start-column", "avvio", "--method", "staggered", "--format", "json")
    assert out.exit_code == 0, out.output
    cs, imputation, checks = json.loads(out.stdout)
    assert cs["method"] == "staggered" and cs["att"] == pytest.approx(3.3)
    assert cs["interval"] == [cs["ci_low"], cs["ci_high"]] and cs["se"] > 0
    assert [r["att"] for r in cs["aggregations"]["by_cohort"]] == pytest.approx([3.5, 2.5])
    events = {r["rel_time"]: r["att"] for r in cs["aggregations"]["by_event_time"]}
    assert events == pytest.approx({-2: -0.5, -1: 0.5, 0: 8.5 / 3, 1: 4.0})
    assert len(cs["group_time"]) == 6 and imputation["method"] == "imputation"
    assert checks["limits"][0] == ("Con 2 unità di controllo il p-value placebo più piccolo possibile è 1/3: nessun "
                                   "effetto può risultare significativo al 5% con il controllo sintetico.")
    notyet = _evaluate(hand_csv, "--start-column", "avvio", "--method", "staggered", "--control", "notyet",
                       "--format", "json")
    assert json.loads(notyet.stdout)[0]["att"] == pytest.approx((2 * (3.5 - 2 / 3) + 2 * 4.0 + 2.5) / 5)


def test_staggered_table_in_italian_and_twfe_warns(hand_csv):
    out = _evaluate(hand_csv, "--start-column", "avvio", "--method", "all")
    assert out.exit_code == 0, out.output
    assert "Effetto medio sulle trattate (ATT): 3,30" in out.stdout
    assert "Coorte avviata in 3: 3,50" in out.stdout and "Periodo 1 dall'avvio: 4,00" in out.stdout
    assert "attenzione: Avvii scaglionati: la differenza nelle differenze a effetti fissi" in out.stdout
    assert "Cosa non si può concludere:" in out.stdout and "1/3" in out.stdout


def test_placebo_in_time_finds_nothing_where_nothing_happened(tmp_path):
    rejected, estimates = 0, []
    for seed in range(8):
        frame = simulated(seed, n_controls=15)
        frame["start"] = frame["start"].map(lambda v: "" if v != v else str(int(v)))
        path = tmp_path / f"p{seed}.csv"
        frame.to_csv(path, sep=";", index=False)
        out = _evaluate(path, "--start-column", "start", "--method", "placebo", "--format", "json")
        assert out.exit_code == 0, out.output
        did, sc, _ = json.loads(out.stdout)
        assert did["method"] == "did_placebo_time" and did["warnings"][0].startswith("Avvio finto al periodo 7")
        rejected += did["p_value"] < 0.05
        estimates.append(did["estimate"])
    assert rejected <= 1 and abs(np.mean(estimates)) < 0.1  # the real effect (about -1) is nowhere to be seen


def test_exclusion_fit_window_and_bad_input(hand_csv, tmp_path):
    out = _evaluate(hand_csv, "--start-column", "avvio", "--method", "staggered", "--exclude", "E",
                    "--format", "json")
    cs = json.loads(out.stdout)[0]
    # without E the only control is D, whose changes are all +1: ATT(3,3) = 3.5 - 1, ATT(3,4) = 5 - 2, ATT(4,4) = 3 - 1
    assert cs["att"] == pytest.approx((2 * 2.5 + 2 * 3.0 + 2.0) / 5) and cs["n_control"] == 1
    bad = _evaluate(hand_csv, "--start-column", "avvio", "--exclude", "Z")
    assert bad.exit_code == 2 and "Unità da escludere non presenti nel panel: Z." in bad.output
    neither = _evaluate(hand_csv)
    assert neither.exit_code == 2 and "--start-column" in neither.output
    missing = _evaluate(hand_csv, "--start-column", "inizio")
    assert missing.exit_code == 2 and "Colonne mancanti nel file: inizio" in missing.output
