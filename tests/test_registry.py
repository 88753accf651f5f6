"""The KPI registry: every definition is computable, documented, and reachable from the CLI."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from typer.testing import CliRunner

from indicators.catalog import CATALOG, compute
from indicators.registry import REGISTRY, as_markdown
from osservatorio.cli import app
from tests.factories import load_text

DOCS = Path(__file__).resolve().parent.parent / "docs" / "indicatori.md"


def test_every_definition_is_in_the_catalog_and_the_docs():
    assert set(CATALOG) == {code for code, k in REGISTRY.items() if k.computed_by == "osservatorio kpi"}
    assert DOCS.read_text(encoding="utf-8").endswith(as_markdown()), "rigenerare docs/indicatori.md"


def test_kpi_list_and_markdown():
    out = CliRunner().invoke(app, ["kpi", "--list"])
    assert out.exit_code == 0
    assert "vacancy_rate" in out.output and "Tasso di sfitto" in out.output
    md = CliRunner().invoke(app, ["kpi", "--list", "--format", "markdown"])
    assert md.output.strip() == as_markdown().strip()


LEDGER = ("codice_contratto;data;tipo;importo\nC1;10/01/2024;addebito;450,00\nC1;10/02/2024;addebito;450,00\n"
          "C1;15/02/2024;incasso;450,00\nC2;10/02/2024;addebito;500,00\n")


def test_kpi_command_prints_the_indicator_value(tmp_path, engine, settings, warehouse_url, monkeypatch):
    from tests.factories import load_base

    load_base(tmp_path, engine=engine, settings=settings)
    load_text(tmp_path, "movimenti", LEDGER, engine=engine, settings=settings)
    # At 31/03/2024: C1 owes 900 - 450 = 450, C2 owes 500 -> stock 950.
    assert compute(engine, "arrears_stock_eur", as_of=date(2024, 3, 31)).value == 950.0
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    from osservatorio.settings import get_settings

    get_settings.cache_clear()
    out = CliRunner().invoke(app, ["kpi", "arrears_stock_eur", "--as-of", "31/03/2024"])
    js = CliRunner().invoke(app, ["kpi", "arrears_stock_eur", "--as-of", "2024-03-31", "--format", "json"])
    by = CliRunner().invoke(app, ["kpi", "arrears_stock_eur", "--as-of", "31/03/2024", "--by", "building",
                                  "--format", "csv"])
    bad = CliRunner().invoke(app, ["kpi", "non_esiste"])
    get_settings.cache_clear()
    assert out.exit_code == 0, out.output
    assert "Morosità accumulata (arrears_stock_eur) al 31/03/2024" in out.output
    assert "valore: 950,00\u00a0€" in out.output
    assert json.loads(js.stdout)["value"] == 950.0
    assert by.exit_code == 0 and "E1" in by.output and "950" in by.output
    assert bad.exit_code != 0 and "Indicatore sconosciuto" in bad.output
