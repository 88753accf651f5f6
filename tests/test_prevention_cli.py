"""`osservatorio arrears early-warning|risk-backtest` through the CLI runner, on the hand-made ledgers of
test_prevention and the synthetic histories of test_risk."""

from __future__ import annotations

import json

import pytest
from openpyxl import load_workbook
from typer.testing import CliRunner

from osservatorio.cli import app
from osservatorio.settings import get_settings
from tests.test_prevention import loaded  # noqa: F401  (fixture)
from tests.test_risk import load_history, synthetic_files


@pytest.fixture
def cli(monkeypatch, warehouse_url):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    get_settings.cache_clear()


def test_early_warning_table_json_and_xlsx(loaded, cli, tmp_path):  # noqa: F811
    table = cli("arrears", "early-warning", "--as-of", "31/03/2024")
    assert table.exit_code == 0, table.output
    assert ("Campanello d'allarme al 31/03/2024: 3 contratti in ritardo da più di 30 giorni senza pratica aperta, "
            "debito 2.200,00\xa0€") in table.output
    lines = [line.split() for line in table.output.splitlines() if line.startswith("  C")]
    assert [(w[0], w[1]) for w in lines] == [("C2", "59"), ("C7", "50"), ("C5", "45")]
    js = cli("arrears", "early-warning", "--as-of", "2024-03-31", "--format", "json", "--days", "45")
    assert js.exit_code == 0, js.output
    found = json.loads(js.stdout[js.stdout.index("{"):])
    assert (found["contracts"], found["amount"], found["days"]) == (2, 1700.0, 45)  # C2 1.200 + C7 500
    c7 = found["rows"][1]
    assert (c7["lease_code"], c7["first_unpaid_due"], c7["step_due"], c7["looks_no_fault"]) == (
        "C7", "2024-02-10", "reminder", True)
    out = tmp_path / "campanello.xlsx"
    xlsx = cli("arrears", "early-warning", "--as-of", "31/03/2024", "--format", "xlsx", "--out", str(out))
    assert xlsx.exit_code == 0, xlsx.output
    sheet = load_workbook(out).active
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0][:3] == ("Contratto", "Alloggio", "Intervento") and [r[0] for r in rows[1:]] == ["C2", "C7", "C5"]
    assert rows[3][7] == 500.0  # C5's debt, a number in Excel


def test_bad_options_exit_2_in_italian(loaded, cli):  # noqa: F811
    bad = cli("arrears", "early-warning", "--format", "pdf")
    assert bad.exit_code == 2 and "formato non previsto" in bad.output
    bands = cli("arrears", "early-warning", "--bands", "5000,1000")
    assert bands.exit_code == 2 and "Fasce di debito non valide" in bands.output
    xlsx = cli("arrears", "early-warning", "--format", "xlsx")
    assert xlsx.exit_code == 2 and "--out" in xlsx.output


def test_regione_sees_no_contract_rows(loaded, cli):  # noqa: F811
    from osservatorio.demo import ensure_demo_users
    from schemas.db import make_engine

    ensure_demo_users(make_engine(get_settings().database_url), echo=lambda _: None)
    out = cli("arrears", "early-warning", "--user", "regione")
    assert out.exit_code == 2 and "non vede righe di singoli contratti" in out.output


@pytest.mark.parametrize("signal", [True, False])
def test_risk_backtest_json(cli, warehouse_url, tmp_path, signal):
    load_history(warehouse_url, tmp_path, synthetic_files(signal=signal))
    out = cli("arrears", "risk-backtest", "--as-of", "31/12/2023", "--format", "json")
    assert out.exit_code == 0, out.output
    found = json.loads(out.stdout[out.stdout.index("{"):])
    assert [c["cutoff"] for c in found["cutoffs"]] == ["2022-09-30", "2022-12-31", "2023-03-31", "2023-06-30"]
    assert found["model_better"] is signal and found["horizon_months"] == 6 and found["top_k"] == 50
    first = found["cutoffs"][0]
    assert set(first) == {"cutoff", "train_rows", "test_rows", "positives", "auc_model", "auc_baseline",
                          "precision_model", "precision_baseline"}
    assert ("NON fa meglio" in found["verdict"]) is not signal
