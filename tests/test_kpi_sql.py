"""`osservatorio kpi CODE --sql` for the case and vacancy figures: one statement, the same text for a month end and
any other day, and running the printed statement on the analytics copy gives the figure `kpi` prints.

The warehouse is the base portfolio (tests/factories.py): INT1 without a management start, A1 let to C1 since
2020, A2 to C2 since 2021, A3 never let (no status: available to let). Three arrears cases:

    P1 on C1: apertura 01/01/2024; the reminder was due on day 30 (31/01/2024), never sent: on 30/03/2024 it is
        59 − 10 = 49 days late, on 31/03/2024 50 days late.
    P2 on C2: apertura 01/03/2024, sollecito_scritto 10/03/2024, incolpevole 20/03/2024: assessed (stage
        valutata), the instrument is due on day 90 (30/05/2024): not late.
    P3 on C1: apertura 01/01/2024, chiusura_saldo 15/01/2024: closed, resolved.

So on both days late_cases = 1 of 2 open cases (closed 1, resolved 1) and no_fault_share = 1 / 1 = 100%;
vacancy_rate = 1 empty unit (A3) of 3 in stock = 33.33%.
"""

from __future__ import annotations

import re
from datetime import date

import pytest
from typer.testing import CliRunner

from indicators import store
from osservatorio.cli import app
from osservatorio.settings import get_settings
from tests.factories import load_base, load_text

CASES = ("codice_pratica;codice_contratto;data;evento\n"
         "P1;C1;01/01/2024;apertura\n"
         "P2;C2;01/03/2024;apertura\nP2;C2;10/03/2024;sollecito_scritto\nP2;C2;20/03/2024;incolpevole\n"
         "P3;C1;01/01/2024;apertura\nP3;C1;15/01/2024;chiusura_saldo\n")
DAYS = ("31/03/2024", "30/03/2024")  # a month end and any other day


@pytest.fixture
def cli(tmp_path, engine, settings, warehouse_url, monkeypatch):
    load_base(tmp_path, engine=engine, settings=settings)
    assert load_text(tmp_path, "pratiche_morosita", CASES, engine=engine, settings=settings).status == "completato"
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args), prog_name="osservatorio")
    get_settings.cache_clear()


def _value(text: str):
    """A parameter's value as `kpi --sql` prints it in its comments."""
    if match := re.fullmatch(r"DATE '(\d{4})-(\d\d)-(\d\d)'", text):
        return date(*map(int, match.groups()))
    if re.fullmatch(r"-?\d+", text):
        return int(text)
    if text.startswith("'"):
        return text[1:-1].replace("''", "'")
    return float(text)


def _run_printed(engine, printed: str) -> tuple[list[str], list[tuple]]:
    """Run the single statement printed, with the parameter values of its comments: (column names, rows)."""
    params = {name: _value(value) for name, value in re.findall(r"^-- \$(\w+) = (.+)$", printed, flags=re.M)}
    sql = "\n".join(line for line in printed.splitlines() if not line.startswith("--")).strip().rstrip(";")
    cursor = store.reader(engine)
    rows = cursor.execute(sql, params).fetchall()
    return [d[0] for d in cursor.description], rows


def _printed(cli, code: str) -> dict[str, str]:
    """`kpi CODE --as-of DAY --sql` for each day: one statement, the same text on both days."""
    printed = {}
    for day in DAYS:
        result = cli("kpi", code, "--as-of", day, "--sql")
        assert result.exit_code == 0, result.output
        assert "Query 1 di" not in result.stdout  # one statement: the figure's
        assert f"-- $as_of = DATE '{'-'.join(reversed(day.split('/')))}'" in result.stdout
        printed[day] = result.stdout
    texts = [[line for line in printed[day].splitlines() if not line.startswith("--")] for day in DAYS]
    assert texts[0] == texts[1]
    return printed


def test_late_cases_sql_is_one_statement_that_gives_the_figure(cli, engine):
    for day, printed in _printed(cli, "late_cases").items():
        assert "case_state AS (" in printed and "step(step_no, label, stage, due_days, held_days) AS (" in printed
        columns, rows = _run_printed(engine, printed)
        row = dict(zip(columns, rows[0]))
        assert len(rows) == 1 and (row["late"], row["open"], row["closed"], row["resolved"]) == (1, 2, 1, 1)
        shown = cli("kpi", "late_cases", "--as-of", day)
        assert shown.exit_code == 0 and "valore: 1\n" in shown.stdout, shown.stdout


def test_no_fault_share_sql_is_one_statement_that_gives_the_figure(cli, engine):
    for day, printed in _printed(cli, "no_fault_share").items():
        columns, rows = _run_printed(engine, printed)
        row = dict(zip(columns, rows[0]))
        assert (row["no_fault"], row["culpable"], row["not_assessed"]) == (1, 0, 2)
        assert "valore: 100,0" in cli("kpi", "no_fault_share", "--as-of", day).stdout


def test_vacancy_rate_sql_is_one_statement_that_gives_the_figure(cli, engine):
    for day, printed in _printed(cli, "vacancy_rate").items():
        assert "scope_unit AS (" in printed and "period AS (" in printed
        columns, rows = _run_printed(engine, printed)
        row = dict(zip(columns, rows[0]))
        assert len(rows) == 1 and (row["units"], row["empty"], row["empty_available"]) == (3, 1, 1)
        assert "valore: 33,3" in cli("kpi", "vacancy_rate", "--as-of", day).stdout


@pytest.mark.parametrize("code", ["vacancy_days_pct", "void_loss_eur", "relet_days", "turnover_rate",
                                  "evictions_per_1000"])
def test_every_vacancy_figure_is_one_statement_the_same_on_any_day(cli, engine, code):
    texts = []
    for day in DAYS:
        result = cli("kpi", code, "--as-of", day, "--sql")
        assert result.exit_code == 0, result.output
        assert "Query 1 di" not in result.stdout and "scope_unit AS (" in result.stdout
        columns, rows = _run_printed(engine, result.stdout)
        assert len(rows) == (0 if code == "relet_days" else 1)  # no lease starts in 2024: no relet to count
        if code == "vacancy_days_pct":
            # The twelve months to the day (366 days, 2024 being leap): A3 empty throughout, A1 and A2 let.
            row = dict(zip(columns, rows[0]))
            assert (row["unit_days"], row["empty_days"]) == (3 * 366, 366)
        texts.append([line for line in result.stdout.splitlines() if not line.startswith("--")])
    assert texts[0] == texts[1]
