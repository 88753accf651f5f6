"""`osservatorio evaluate` and `osservatorio labs compare` through the CLI runner."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from factories import load_text
from osservatorio.cli import app
from test_evaluation import donors_panel, synthetic_panel
from test_labs import ACTIVITIES, INDICATORS, LABS

KEYS = {"method", "estimate", "ci_low", "ci_high", "p_value", "n_pre", "n_post", "warnings"}


def _evaluate(path, *extra):
    return CliRunner().invoke(app, ["evaluate", "--panel", str(path), "--unit", "unit", "--time", "month",
                                    "--outcome", "y", *extra])


def test_evaluate_reads_italian_and_plain_numbers_alike(tmp_path):
    frame = synthetic_panel(2)
    italian, plain = tmp_path / "italiano.csv", tmp_path / "plain.csv"
    shown = frame.assign(y=frame["y"].map(lambda v: f"{v:.4f}".replace(".", ",")))
    shown.to_csv(italian, sep=";", index=False)
    frame.assign(y=frame["y"].round(4)).to_csv(plain, sep=",", index=False)
    treated = ",".join(f"u{u:02d}" for u in range(10))
    results = []
    for path in (italian, plain):
        out = _evaluate(path, "--treated", treated, "--start", "12", "--method", "did", "--format", "json")
        assert out.exit_code == 0, out.output
        results.append(json.loads(out.stdout)[:-1])
    assert results[0] == results[1]
    did = results[0][0]
    assert KEYS <= set(did) and did["method"] == "did"
    assert did["ci_low"] <= -2.0 <= did["ci_high"] and did["n_pre"] == 12 and did["n_post"] == 12


def test_evaluate_synthetic_control_gives_weights_and_fit(tmp_path):
    frame, _ = donors_panel(3, effect=-3.0, weights={1: 0.5, 4: 0.3, 7: 0.2})
    path = tmp_path / "panel.csv"
    frame.rename(columns={"t": "month"}).to_csv(path, sep=";", decimal=",", index=False)
    out = _evaluate(path, "--treated", "trattato", "--start", "20", "--method", "sc", "--format", "json")
    assert out.exit_code == 0, out.output
    sc, checks = json.loads(out.stdout)
    assert KEYS | {"weights", "pre_rmspe"} <= set(sc) and sc["method"] == "sc"
    assert sc["weights"] == pytest.approx({"d01": 0.5, "d04": 0.3, "d07": 0.2}, abs=1e-3)
    assert sc["estimate"] == pytest.approx(-3.0, abs=1e-2) and sc["p_value"] == pytest.approx(1 / 16)
    table = _evaluate(path, "--treated", "trattato", "--start", "20")
    assert table.exit_code == 0
    assert "Controllo sintetico" in table.output and "Pesi: d01 0,500" in table.output
    assert "Differenza nelle differenze" in table.output and "Solo 1 unità trattata:" in table.output


def test_evaluate_reads_months_and_refuses_unknown_units(tmp_path):
    path = tmp_path / "mesi.csv"
    path.write_text("unit;month;y\nA;01/2024;1,5\nA;02/2024;2,5\nB;01/2024;1,0\nB;02/2024;1,0\n"
                    "C;01/2024;2,0\nC;02/2024;2,0\n")
    ok = _evaluate(path, "--treated", "A", "--start", "02/2024", "--method", "did", "--format", "json")
    assert ok.exit_code == 0, ok.output
    assert json.loads(ok.stdout)[0]["estimate"] == pytest.approx(1.0)  # A: +1; B and C: 0
    bad = _evaluate(path, "--treated", "Z", "--start", "02/2024")
    assert bad.exit_code == 2 and "Unità trattate non presenti nel panel: Z" in bad.output


def test_labs_compare_prints_levels_changes_and_statements(tmp_path, engine, settings, warehouse_url, monkeypatch):
    for kind, content in (("laboratori", LABS), ("attivita_laboratorio", ACTIVITIES),
                          ("indicatori_contesto", INDICATORS)):
        load_text(tmp_path, kind, content, engine=engine, settings=settings)
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    from osservatorio.settings import get_settings

    get_settings.cache_clear()
    table = CliRunner().invoke(app, ["labs", "compare", "--indicator", "nuclei_morosi_pct"])
    data = CliRunner().invoke(app, ["labs", "compare", "--format", "json"])
    csv = CliRunner().invoke(app, ["labs", "compare", "--indicator", "morosita_eur", "--format", "csv"])
    get_settings.cache_clear()
    assert table.exit_code == 0, table.output
    assert "56,0%" in table.output and "50,0%" in table.output and "-6,0 punti" in table.output
    assert "-10,7%" in table.output and "-8,0 punti" in table.output  # treatment minus control
    rows = json.loads(data.stdout)
    lab2 = next(r for r in rows if r["lab"] == "LAB2")
    assert lab2["did"] is None and lab2["note"].startswith("Manca il tempo uno")
    assert csv.exit_code == 0 and "-25000" in csv.output.replace(",0", "")


def test_evaluate_event_study_states_the_moved_reference_and_tests_the_leads_jointly(tmp_path):
    frame = synthetic_panel(34)
    frame = frame[~((frame["unit"] < "u10") & (frame["month"] == 11))]  # the treated units lack k = -1
    path = tmp_path / "panel.csv"
    frame.to_csv(path, sep=",", index=False)
    treated = ",".join(f"u{u:02d}" for u in range(10))
    out = _evaluate(path, "--treated", treated, "--start", "12", "--method", "es")
    assert out.exit_code == 0, out.output
    assert ("attenzione: Le unità trattate non sono osservate nel periodo −1 prima dell'avvio: il riferimento "
            "dello studio di evento è il periodo −2.") in out.stdout
    assert "Riferimento: periodo −2 dall'avvio (coefficiente 0)" in out.stdout
    # the ten leads -12..-3 tested together: F(10, 39), p = 0.060 (no pre-trend; before, each lead was +3.7, p 0.000)
    assert ("Andamento parallelo prima dell'avvio: p-value 0,060 (test congiunto su 10 periodi prima del "
            "riferimento, errore standard per gruppi)") in out.stdout
    assert "Periodo −12: 0,60 (da -0,59 a 1,78; p-value 0,314)" in out.stdout  # as plotly marks the periods
    assert "Periodo −1:" not in out.stdout and "Periodo 11: " in out.stdout
    data = _evaluate(path, "--treated", treated, "--start", "12", "--method", "all", "--format", "json")
    did, study, sc, sdid, staggered, imputation, did_placebo, sc_placebo, checks = json.loads(data.stdout)
    assert did["estimate"] == pytest.approx(-1.9213, abs=1e-4) and study["method"] == "event_study"
    assert study["reference"] == -2 and study["pre_trend_p_value"] == pytest.approx(0.0605, abs=5e-4)
    assert [c["rel_time"] for c in study["coefficients"]] == [*range(-12, -1), *range(0, 12)]
    assert study["warnings"][0].startswith("Le unità trattate non sono osservate nel periodo −1")
    assert sc["estimate"] is None  # each treated unit misses month 11: no synthetic control for any of them
    assert sc["warnings"][0].startswith("Servono almeno tre unità mai trattate con il dato in tutti i periodi")
    assert staggered["method"] == "staggered" and imputation["method"] == "imputation"
    assert did_placebo["method"] == "did_placebo_time" and checks["method"] == "checks"


def test_evaluate_event_study_without_pre_periods_says_why_instead_of_numbers(tmp_path):
    path = tmp_path / "mesi.csv"
    path.write_text("unit;month;y\nA;01/2024;1,5\nA;02/2024;2,5\nB;01/2024;1,0\nB;02/2024;1,0\n")
    out = _evaluate(path, "--treated", "A", "--start", "02/2024", "--method", "es")
    assert out.exit_code == 0, out.output
    assert ("Stima: non calcolabile: Servono unità di controllo e almeno due periodi prima dell'avvio per lo "
            "studio di evento.") in out.stdout and "Andamento parallelo" not in out.stdout
