"""`osservatorio kpi`, `report`, `quarantine` and `budget` on small warehouses whose answers are worked out by hand:
dates default to the data, yearly KPIs give a series, groupings come from the catalog, counts are integers,
and bad input gets an Italian message with exit code 2."""

from __future__ import annotations

import json

import pytest
from typer.testing import CliRunner

from osservatorio.cli import app
from osservatorio.settings import get_settings
from tests.factories import load_base, load_text

# Ledger from 10/01/2024 to 15/02/2024: the last month end covered is 31/01/2024. At that date C1 owes the
# January rent (450 €, due 10/01) and C2 nothing yet; by 31/03/2024 C1 owes 450 and C2 500 (950 €).
LEDGER = ("codice_contratto;data;tipo;importo\nC1;10/01/2024;addebito;450,00\nC1;10/02/2024;addebito;450,00\n"
          "C1;15/02/2024;incasso;450,00\nC2;10/02/2024;addebito;500,00\n")
# Closed in February 2024: plumbing after 10 and 4 days (mean 7), electrical after 20.
TICKETS = ("codice_segnalazione;codice_edificio;categoria;data_apertura;data_chiusura;costo\n"
           "T1;E1;idraulica;01/02/2024;11/02/2024;100,00\nT2;E1;idraulica;01/02/2024;05/02/2024;50,00\n"
           "T3;E2;elettrico;01/02/2024;21/02/2024;\n")
EVICTIONS = "comune;anno;convalidati;eseguiti\nMilano;2012;10;4\nMilano;2013;12;6\nMilano;2015;8;3\n"


@pytest.fixture
def cli(tmp_path, engine, settings, warehouse_url, monkeypatch):
    """Run the CLI on a warehouse with the base portfolio, the ledger, tickets and eviction statistics."""
    load_base(tmp_path, engine=engine, settings=settings)
    for kind, content in (("movimenti", LEDGER), ("segnalazioni", TICKETS), ("sfratti", EVICTIONS)):
        assert load_text(tmp_path, kind, content, engine=engine, settings=settings).status == "completato"
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args), prog_name="osservatorio")
    get_settings.cache_clear()


def test_kpi_defaults_to_the_last_month_end_of_the_data(cli):
    result = cli("kpi", "arrears_stock_eur")
    assert result.exit_code == 0, result.output
    assert "Morosità accumulata (arrears_stock_eur) al 31/01/2024" in result.output
    assert "valore: 450,00\u00a0€" in result.output
    assert "Data di riferimento: 31/01/2024, l'ultima fine mese coperta dai dati." in result.stderr


def test_kpi_says_when_the_date_is_past_the_data(cli):
    result = cli("kpi", "arrears_stock_eur", "--as-of", "31/12/2026")
    assert result.exit_code == 0
    assert "valore: 950,00\u00a0€" in result.stdout
    assert ("Attenzione: la data 31/12/2026 è dopo la fine dei dati (ultimo movimento contabile: 15/02/2024)"
            in result.stderr)
    inside = cli("kpi", "arrears_stock_eur", "--as-of", "31/01/2024")
    assert "Attenzione" not in inside.output


def test_yearly_kpi_over_several_years_is_a_series(cli):
    result = cli("kpi", "evictions_executed", "--from", "01/01/2012", "--to", "31/12/2015", "--format", "json")
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [(r["year"], r["value"], r["validated"]) for r in rows] == [
        (2012, 4, 10), (2013, 6, 12), (2014, None, 0), (2015, 3, 8)]
    assert "Attenzione: 2014: nessuna statistica comunale sugli sfratti per il 2014" in result.stderr
    table = cli("kpi", "evictions_executed", "--from", "01/01/2012", "--to", "31/12/2015").stdout.splitlines()
    assert table[0].split() == ["anno", "valore", "numeratore", "denominatore", "convalidati", "Comuni"]
    assert table[1].split() == ["2012", "4", "4", "n.d.", "10", "1"]
    single = cli("kpi", "evictions_executed", "--to", "31/12/2013")
    assert "valore: 6" in single.stdout and "dal 01/01/2013 al 31/12/2013" in single.stdout


def test_ticket_time_to_close_by_category(cli):
    result = cli("kpi", "ticket_days_to_close", "--by", "category", "--from", "01/01/2024", "--to", "31/03/2024",
                 "--format", "json")
    assert result.exit_code == 0, result.output
    assert {r["group"]: r["value"] for r in json.loads(result.stdout)} == {"elettrico": 20.0, "idraulica": 7.0}
    table = cli("kpi", "ticket_days_to_close", "--by", "category", "--from", "01/01/2024", "--to", "31/03/2024")
    lines = {line.split()[0]: line for line in table.stdout.splitlines()[1:]}
    assert "20,0 giorni" in lines["Elettrico"] and "7,0 giorni" in lines["Idraulica"]
    assert table.stdout.splitlines()[0].split()[:3] == ["gruppo", "aperte", "chiuse"]


def test_groupings_come_from_the_catalog(cli):
    help_text = cli("kpi", "--help").stdout
    assert "ticket_days_to_close: category, urgency, supplier, sgr, fund, intervention, building" in help_text
    assert "units_managed: sgr, fund, intervention, building, unit, tenure, contract_type" in help_text
    none = cli("kpi", "late_cases", "--by", "fund")
    assert none.exit_code == 2 and "L'indicatore «late_cases» non ha raggruppamenti: togliere --by." in none.output
    wrong = cli("kpi", "vacancy_rate", "--by", "income_band")
    assert wrong.exit_code == 2
    assert "Ammessi: sgr, fund, intervention, building, unit, tenure." in wrong.output


def test_counts_are_integers(cli):
    as_json = json.loads(cli("kpi", "units_managed", "--format", "json").stdout)
    assert as_json["value"] == 3 and isinstance(as_json["value"], int) and isinstance(as_json["numerator"], int)
    table = cli("kpi", "units_managed", "--by", "tenure").stdout.splitlines()
    # 1 unit in each of the 3 tenures: share 33,33% each.
    assert table[1].split() == ["Locazione", "permanente", "1", "1", "3", "33,33", "1"]
    assert "1.0" not in "\n".join(table) and "1,0 " not in "\n".join(table)
    assert "valore: 3\n" in cli("kpi", "units_managed").stdout


def test_period_errors_exit_2(cli):
    inverted = cli("kpi", "collection_rate", "--from", "01/03/2024", "--to", "01/01/2024")
    assert inverted.exit_code == 2
    assert "l'inizio del periodo (01/03/2024) è dopo la fine (01/01/2024)." in inverted.output
    after_default_end = cli("kpi", "collection_rate", "--from", "01/03/2024")
    assert after_default_end.exit_code == 2 and "è dopo la fine (31/01/2024)" in after_default_end.output
    bad = cli("kpi", "collection_rate", "--to", "31/02/2024")
    assert bad.exit_code == 2 and "data non valida: «31/02/2024» (usare gg/mm/aaaa o aaaa-mm-gg)" in bad.output
    as_of_kpi = cli("kpi", "arrears_stock_eur", "--from", "01/01/2024", "--to", "31/01/2024")
    assert "«arrears_stock_eur» è un indicatore alla data: --from e --to non si applicano" in as_of_kpi.stderr


def test_impact_report_defaults_to_the_data_and_refuses_an_unknown_scope(cli, tmp_path):
    out = tmp_path / "impatto.html"
    result = cli("report", "impatto", "--out", str(out))
    assert result.exit_code == 0, result.output
    assert "Periodo fino al 31/01/2024, l'ultima fine mese coperta dai dati" in result.stderr
    assert "31/01/2024" in out.read_text(encoding="utf-8")
    unknown = cli("report", "impatto", "--out", str(tmp_path / "x.html"), "--scope", "intervento=INT999")
    assert unknown.exit_code == 2
    assert "«INT999» non è nel portafoglio visibile; valori presenti: INT1." in unknown.output
    assert not (tmp_path / "x.html").exists()
    inverted = cli("report", "impatto", "--out", str(tmp_path / "y.html"), "--from", "01/03/2024")
    assert inverted.exit_code == 2 and "è dopo la fine (31/01/2024)" in inverted.output


def test_quarantine_of_a_load_that_does_not_exist(cli):
    missing = cli("quarantine", "999")
    assert missing.exit_code == 2
    assert "il caricamento n. 999 non esiste (l'ultimo è il n. 9;" in missing.output
    assert "Nessuna riga scartata nel caricamento n. 1." in cli("quarantine", "1").stdout


def test_empty_warehouse_messages(tmp_path, sqlite_template, monkeypatch):
    import shutil

    shutil.copy(sqlite_template, tmp_path / "vuoto.db")
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", f"sqlite:///{tmp_path / 'vuoto.db'}")
    get_settings.cache_clear()
    try:
        report = CliRunner().invoke(app, ["report", "impatto", "--out", str(tmp_path / "r.html")])
        variance = CliRunner().invoke(app, ["budget", "variance", "--year", "2025"])
        tickets = CliRunner().invoke(app, ["kpi", "ticket_days_to_close"])
    finally:
        get_settings.cache_clear()
    assert report.exit_code == 1 and "nessun alloggio nel warehouse" in report.output
    assert variance.exit_code == 1 and "nessun budget né consuntivo per il 2025" in variance.output
    assert tickets.exit_code == 0 and "nessun dato per il periodo: mancano le segnalazioni" in tickets.stdout



def _run_printed(engine, printed: str) -> tuple[list[str], list[tuple]]:
    """Run the single statement `kpi --sql` printed on the analytics copy, with the parameter values its comments
    give: (column names, rows)."""
    import re
    from datetime import date as day

    from indicators import store

    params = {name: day(*map(int, re.fullmatch(r"DATE '(\d{4})-(\d\d)-(\d\d)'", value).groups()))
              for name, value in re.findall(r"^-- \$(\w+) = (.+)$", printed, flags=re.M)}
    sql = "\n".join(line for line in printed.splitlines() if not line.startswith("--")).strip().rstrip(";")
    cursor = store.reader(engine)
    rows = cursor.execute(sql, params).fetchall()
    return [d[0] for d in cursor.description], rows


def test_kpi_sql_prints_the_query_that_gives_the_figure(cli, engine):
    printed = {}
    for day in ("31/03/2024", "30/03/2024"):  # a month end and any other day
        result = cli("kpi", "arrears_stock_eur", "--as-of", day, "--sql")
        assert result.exit_code == 0, result.output
        printed[day] = result.stdout
        iso = "-".join(reversed(day.split("/")))
        assert f"-- $a_0 = DATE '{iso}'" in printed[day]
        assert "JOIN lease_month AS m" in printed[day] and "JOIN movement AS v" in printed[day]
        assert "Query 1 di" not in printed[day]  # one statement: the figure's
        columns, rows = _run_printed(engine, printed[day])
        # The whole portfolio in one row: 950 € of arrears on both days (C1 450, C2 500), as `kpi` itself says.
        assert len(rows) == 1 and float(rows[0][columns.index("stock")]) == 950.0
        assert "valore: 950,00" in cli("kpi", "arrears_stock_eur", "--as-of", day).stdout
    # The same query for both days: only the values of its parameters differ.
    assert [line for line in printed["31/03/2024"].splitlines() if not line.startswith("--")] == [
        line for line in printed["30/03/2024"].splitlines() if not line.startswith("--")]
