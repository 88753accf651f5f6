"""Budget from history on a warehouse: SQL history, proposal fallback, saved versions, variance by hand, exports, CLI."""

from __future__ import annotations

import io
import json

import openpyxl
import pandas as pd
import pytest
from typer.testing import CliRunner

from indicators.budget import Adjustments, adjusted, propose
from indicators.budget_versions import list_versions, reference_budget, save_version
from indicators.cost_history import cost_history
from indicators.forecast import HISTORICAL_MEAN
from indicators.scope import Scope
from indicators.variance import budget_vs_actual
from osservatorio.budget_report import proposal_excel, variance_excel
from osservatorio.cli import app
from tests.factories import load_base, load_text

# 2024 reported as a year (split in twelfths: 1,000 a month); 2025 month by month to March.
ACTUALS = ("anno;mese;codice_intervento;categoria;importo\n2024;;INT1;utenze;12000,00\n"
           "2025;1;INT1;utenze;1000,00\n2025;2;INT1;utenze;1500,00\n2025;3;INT1;utenze;1100,00\n"
           "2025;1;INT1;manutenzione_ordinaria;10000,00\n2025;2;INT1;manutenzione_ordinaria;20000,00\n"
           "2025;3;INT1;manutenzione_ordinaria;12000,00\n")
BUDGET = "anno;codice_intervento;categoria;importo\n2025;INT1;utenze;12000,00\n2025;INT1;manutenzione_ordinaria;120000,00\n"


@pytest.fixture
def costs(tmp_path, engine, settings):
    load_base(tmp_path, engine=engine, settings=settings)
    load_text(tmp_path, "consuntivi", ACTUALS, engine=engine, settings=settings)
    load_text(tmp_path, "budget", BUDGET, engine=engine, settings=settings)
    return engine


def test_cost_history_splits_yearly_rows_in_twelfths(costs):
    h = cost_history(costs)
    utenze = h[h["category"] == "utenze"].set_index("month")["amount"]
    assert len(utenze) == 15 and utenze[pd.Timestamp("2024-07-01")] == pytest.approx(1000.0)
    assert utenze[pd.Timestamp("2025-02-01")] == 1500.0
    assert h.groupby("category")["amount"].sum().to_dict() == pytest.approx(
        {"utenze": 15600.0, "manutenzione_ordinaria": 42000.0})


def test_variance_against_the_imported_budget_by_hand(costs):
    v = budget_vs_actual(costs, year=2025, pct_threshold=10, eur_threshold=5000)
    assert v.months_to_date == 3 and v.source == "budget importato"
    # utenze follows its profile of 2024 (a yearly row: flat); maintenance has no history before 2025
    assert v.warnings[-1] == ("Budget annuale ripartito sui mesi come i consuntivi di ogni voce nel 2024; in "
                              "dodicesimi, per mancanza di storico, per: Manutenzione ordinaria.")
    rows = v.by_category.set_index("category")
    # utenze: budget 1,000 a month; 3,600 spent against 3,000: +600 (+20%), below 5,000 € so not flagged.
    assert rows.loc["utenze", ["budget_ytd", "actual_ytd", "variance", "variance_pct", "projection"]].tolist() == \
        pytest.approx([3000.0, 3600.0, 600.0, 20.0, 14400.0])  # projection 3,600 × 12,000 / 3,000
    assert not rows.loc["utenze", "flag"]
    # maintenance: 42,000 against 30,000: +12,000 (+40%), flagged; year end 42,000 × 4 = 168,000.
    assert rows.loc["manutenzione_ordinaria", ["variance", "variance_pct", "projection"]].tolist() == \
        pytest.approx([12000.0, 40.0, 168000.0])
    assert rows.loc["manutenzione_ordinaria", "flag"] and rows.loc["manutenzione_ordinaria", "flag_projection"]
    assert rows.loc["totale", ["budget_year", "variance", "projection"]].tolist() == \
        pytest.approx([132000.0, 12600.0, 182400.0])
    assert rows.loc["totale", "variance_pct"] == pytest.approx(12600 / 33000 * 100)


def test_saved_version_becomes_the_reference(costs):
    proposal = propose(costs, year=2025)
    line = proposal.lines.set_index("category").loc["utenze"]
    assert line["method"] == HISTORICAL_MEAN and line["forecast"] == pytest.approx(12000.0)
    assert "Serie breve (12 mesi" in line["warnings"]
    version = save_version(costs, proposal, Adjustments(10.0, {"utenze": 1200.0}, {"utenze": "nuovo contratto"}),
                           author="direzione")
    saved = list_versions(costs, year=2025)
    assert saved["id"].tolist() == [version] and saved.at[0, "total"] == pytest.approx(14400.0)  # 12,000×1.1+1,200
    assert json.loads(saved.at[0, "adjustments"])["changes"] == {"utenze": 1200.0}
    budget, source, _ = reference_budget(costs, year=2025)
    assert source.startswith(f"versione {version} approvata da direzione")
    assert budget.groupby("category")["amount"].sum().to_dict() == pytest.approx({"utenze": 14400.0})
    v = budget_vs_actual(costs, year=2025).by_category.set_index("category")
    assert v.loc["utenze", "variance"] == pytest.approx(0.0)  # 3,600 spent, 3 × 1,200 budgeted
    # nothing budgeted for maintenance in this version: the whole 42,000 is a flagged variance
    assert v.loc["manutenzione_ordinaria", "variance"] == pytest.approx(42000.0)
    assert v.loc["manutenzione_ordinaria", "flag"] and v.loc["manutenzione_ordinaria", "projection"] == 42000.0


def test_adjustments_move_the_totals():
    from indicators.budget import BudgetProposal
    from indicators.scope import Scope

    lines = pd.DataFrame({"side": "costi", "intervention_code": ["I1", "I2"], "category": "utenze",
                          "forecast": [30000.0, 10000.0]})
    monthly = lines.drop(columns="forecast").merge(pd.DataFrame({"month": pd.date_range("2026-01-01", periods=12,
                                                                                          freq="MS")}), how="cross")
    monthly["mean"] = monthly["intervention_code"].map({"I1": 2500.0, "I2": 10000.0 / 12})
    proposal = BudgetProposal(2026, Scope(), 2.0, lines, monthly, pd.DataFrame())
    out, by_month = adjusted(proposal, Adjustments(5.0, {"utenze": 4000.0}))
    # the change is shared 3:1 like the forecasts: 30,000 × 1.05 + 3,000 and 10,000 × 1.05 + 1,000
    assert out["amount"].tolist() == pytest.approx([34500.0, 11500.0])
    assert by_month.groupby("intervention_code")["amount"].sum().tolist() == pytest.approx([34500.0, 11500.0])


def test_excel_exports_read_back(costs):
    from indicators.budget import Adjustments

    book = openpyxl.load_workbook(io.BytesIO(proposal_excel(propose(costs, year=2025), Adjustments(10.0))))
    assert book.sheetnames == ["Budget proposto", "Mensile", "Storico"]
    ws = book["Budget proposto"]
    header = [c.value for c in ws[1]]
    col = header.index("Budget proposto") + 1
    assert ws.freeze_panes == "A2" and ws.cell(2, col).value == pytest.approx(13200.0)
    assert "€" in ws.cell(2, col).number_format
    book = openpyxl.load_workbook(io.BytesIO(variance_excel(budget_vs_actual(costs, year=2025))))
    ws = book["Scostamenti"]
    header = [c.value for c in ws[1]]
    rows = {r[0]: r for r in ws.iter_rows(min_row=2, values_only=True)}
    assert rows["Utenze"][header.index("Scostamento")] == pytest.approx(600.0)
    assert rows["Manutenzione ordinaria"][header.index("Segnalazione")] == "oltre soglia a oggi e a fine anno"
    assert ws.cell(2, header.index("Scostamento %") + 1).number_format == '#,##0.0"%"'


def test_budget_cli(costs, warehouse_url, monkeypatch, tmp_path):
    from osservatorio.settings import get_settings

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    runner = CliRunner()
    out = runner.invoke(app, ["budget", "propose", "--year", "2026", "--format", "json"])
    assert out.exit_code == 0, out.output
    data = json.loads(out.stdout)
    utenze = next(r for r in data["lines"] if r["category"] == "utenze")
    assert utenze["amount"] == pytest.approx(12 * 15600 / 15) and utenze["method"] == HISTORICAL_MEAN
    assert any("Manutenzione ordinaria" in w and "insufficiente" in w for w in data["warnings"])
    table = runner.invoke(app, ["budget", "propose", "--year", "2026", "--inflation", "10"])
    assert table.exit_code == 0 and "13.728\xa0€" in table.output  # 12,480 × 1.1
    xlsx = tmp_path / "budget.xlsx"
    assert runner.invoke(app, ["budget", "propose", "--year", "2026", "--format", "xlsx", "--out", str(xlsx)]).exit_code == 0
    assert openpyxl.load_workbook(xlsx).sheetnames[0] == "Budget proposto"
    var = runner.invoke(app, ["budget", "variance", "--year", "2025"])
    assert var.exit_code == 0 and "Manutenzione ordinaria" in var.output and "oltre soglia" in var.output
    assert runner.invoke(app, ["budget", "variance", "--year", "2025", "--format", "xlsx"]).exit_code != 0
    get_settings.cache_clear()


def test_budget_of_an_intervention_with_costs_but_no_units(tmp_path, engine, settings):
    """Only `interventi` and `consuntivi` loaded: the proposal for INT-A uses INT-A's costs (and only them)."""
    load_text(tmp_path, "interventi", "codice_intervento;nome;comune\nINT-A;Alfa;Milano\nINT-B;Beta;Milano\n",
              engine=engine, settings=settings)
    rows = "".join(f"{y};{m};INT-A;utenze;1000,00\n{y};{m};INT-B;utenze;5000,00\n" for y in (2023, 2024)
                   for m in range(1, 13))
    load_text(tmp_path, "consuntivi", "anno;mese;codice_intervento;categoria;importo\n" + rows,
              engine=engine, settings=settings)
    scoped = propose(engine, year=2025, scope=Scope(interventions=("INT-A",)), n_sims=200)
    assert scoped.lines["category"].tolist() == ["utenze"] and scoped.lines.at[0, "forecast"] == pytest.approx(12000.0)
    assert propose(engine, year=2025, n_sims=200).lines.at[0, "forecast"] == pytest.approx(72000.0)
    assert propose(engine, year=2025, scope=Scope(interventions=("INT-C",)), n_sims=200).lines.empty


TAXES = "".join(f"{y};3;INT1;imposte;12000,00\n" for y in (2022, 2023, 2024)) + "".join(
    f"{y};{m};INT1;utenze;1000,00\n" for y in (2022, 2023, 2024) for m in range(1, 13))


def test_a_tax_paid_once_a_year_is_budgeted_in_its_month(tmp_path, engine, settings):
    """Imposte: 12,000 € every March of 2022-2024; utenze 1,000 € a month. Budget 2025: 12,000 and 12,000.

    At ten months of 2025 (utenze to October), with the 12,000 € of tax paid in March: the profile puts the whole
    tax budget in March, so budget to date 12,000, actual 12,000, variance 0 and year end 12,000. In twelfths it
    would have read a budget to date of 10,000 (+20%) and a year end of 14,400.
    """
    load_base(tmp_path, engine=engine, settings=settings)
    actual = TAXES + "2025;3;INT1;imposte;12000,00\n" + "".join(f"2025;{m};INT1;utenze;1000,00\n" for m in range(1, 11))
    load_text(tmp_path, "consuntivi", "anno;mese;codice_intervento;categoria;importo\n" + actual,
              engine=engine, settings=settings)
    load_text(tmp_path, "budget", "anno;codice_intervento;categoria;importo\n2025;INT1;imposte;12000,00\n"
              "2025;INT1;utenze;12000,00\n", engine=engine, settings=settings)
    v = budget_vs_actual(engine, year=2025)
    rows = v.by_category.set_index("category")
    assert v.months_to_date == 10
    assert rows.loc["imposte", ["budget_ytd", "actual_ytd", "variance", "projection"]].tolist() == \
        pytest.approx([12000.0, 12000.0, 0.0, 12000.0])
    assert rows.loc["imposte", "variance_pct"] == pytest.approx(0.0) and not rows.loc["imposte", "flag_projection"]
    assert rows.loc["utenze", ["budget_ytd", "variance", "projection"]].tolist() == pytest.approx([10000.0, 0.0, 12000.0])
    monthly = v.monthly[v.monthly["category"] == "imposte"].set_index("month")["budget"]
    assert monthly[3] == pytest.approx(12000.0) and monthly.drop(3).sum() == pytest.approx(0.0)
    assert v.warnings[-1] == ("Budget annuale ripartito sui mesi come i consuntivi di ogni voce negli anni "
                              "2022–2024 (una spesa pagata una volta l'anno è attesa nel suo mese).")
    # a tax paid in March only at two months: nothing budgeted to date yet, so the projection adds the rest
    early = budget_vs_actual(engine, year=2025, months_to_date=2).by_category.set_index("category")
    assert early.loc["imposte", ["budget_ytd", "actual_ytd", "projection"]].tolist() == pytest.approx([0, 0, 12000.0])
