"""Nothing outside a user's scope through the CLI, downloads or injected strings."""

from __future__ import annotations

import io
import json
import shutil

import openpyxl
import pandas as pd
import pytest
from sqlalchemy import func, select
from typer.testing import CliRunner

import schemas
from dashboard import private_downloads
from osservatorio import exports
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from etl.loader import load_file
from indicators.catalog import compute
from indicators.portfolio import ledger_span, portfolio_tree
from indicators.scope import Scope
from osservatorio import accounts, audit
from osservatorio.cli import app
from osservatorio.settings import Settings, get_settings
from schemas.db import make_engine

INJECTIONS = ("'; DROP TABLE lease; --", '" OR 1=1 --', "x') OR ('1'='1", "=cmd|' /C calc'!A0")


@pytest.fixture
def copy_of_sample(loaded_warehouse, tmp_path):  # noqa: F811
    """A private copy of the loaded sample warehouse (tests here write users and loads)."""
    path = tmp_path / "copia.db"
    shutil.copy(loaded_warehouse.url.removeprefix("sqlite:///"), path)
    return f"sqlite:///{path}"


@pytest.fixture
def kpi_cli(copy_of_sample, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", copy_of_sample)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, **kw: runner.invoke(app, ["kpi", *args], **kw)
    get_settings.cache_clear()


def as_of(url: str) -> str:
    engine = make_engine(url)
    _, last = ledger_span(engine)
    engine.dispose()
    return last.strftime("%d/%m/%Y")


def test_kpi_as_a_user_sees_only_its_scope(kpi_cli, copy_of_sample):
    day = as_of(copy_of_sample)
    everyone = json.loads(kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "intervention", "--format", "json").stdout)
    mine = kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "intervention", "--format", "json", "--user", "gestore")
    assert mine.exit_code == 0, mine.output
    rows = json.loads(mine.stdout)
    assert {r["group"] for r in rows} == {"INT001", "INT002"} < {r["group"] for r in everyone}
    by_env = kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "sgr", "--format", "json",
                     env={"OSSERVATORIO_USER": "sgr"})
    assert [r["group"] for r in json.loads(by_env.stdout)] == ["Lombarda Abitare SGR S.p.A."]
    engine = make_engine(copy_of_sample)
    assert audit.recent(engine, action="kpi")["username"].tolist() == ["sgr", "gestore"]
    engine.dispose()


def test_kpi_refuses_unknown_users_and_unit_rows_for_regione(kpi_cli, copy_of_sample):
    day = as_of(copy_of_sample)
    assert kpi_cli("vacancy_rate", "--as-of", day, "--user", "nessuno").exit_code == 2
    refused = kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "unit", "--user", "regione")
    assert refused.exit_code == 2 and "singoli alloggi" in refused.output
    for injected in INJECTIONS:
        assert kpi_cli("vacancy_rate", "--as-of", day, "--user", injected).exit_code == 2


def test_kpi_for_regione_is_suppressed(kpi_cli, copy_of_sample, monkeypatch):
    day = as_of(copy_of_sample)
    monkeypatch.setenv("OSSERVATORIO_SMALL_CELL_THRESHOLD", "100000")  # every group is a small cell
    out = kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "intervention", "--format", "json", "--user", "regione")
    assert out.exit_code == 0 and all(r["value"] is None for r in json.loads(out.stdout))
    assert "meno di 100000 nuclei" in out.stderr
    direzione = kpi_cli("arrears_stock_eur", "--as-of", day, "--by", "intervention", "--format", "json",
                        "--user", "direzione")
    assert all(r["value"] is not None for r in json.loads(direzione.stdout))


@pytest.mark.parametrize("injected", INJECTIONS)
def test_injected_filters_change_nothing(injected, loaded_warehouse):  # noqa: F811
    engine = make_engine(loaded_warehouse.url)
    _, last = ledger_span(engine)
    before = {t: engine.connect().execute(select(func.count()).select_from(schemas.metadata.tables[t])).scalar_one()
              for t in ("lease", "unit", "ledger_entry")}
    for level in ("sgrs", "funds", "interventions", "buildings"):
        scope = Scope(**{level: (injected,)})
        assert portfolio_tree(engine, scope=scope).empty
        assert compute(engine, "arrears_stock_eur", as_of=last, scope=scope).value in (0, None)
        assert compute(engine, "vacancy_rate", as_of=last, scope=scope, by="intervention").empty
    after = {t: engine.connect().execute(select(func.count()).select_from(schemas.metadata.tables[t])).scalar_one()
             for t in before}
    assert after == before
    engine.dispose()


def test_injected_user_names_and_import_values_are_stored_as_text(copy_of_sample, tmp_path):
    engine = make_engine(copy_of_sample)
    for i, injected in enumerate(INJECTIONS):
        with pytest.raises(accounts.AccountError, match="nome utente non valido"):  # names: letters, digits . _ -
            accounts.add_user(engine, injected, "password-lunga-1", "gestore", interventions=[injected])
        accounts.add_user(engine, f"utente{i}", "password-lunga-1", "gestore", interventions=[injected])
        assert accounts.authenticate(engine, f"utente{i}", "password-lunga-1").scope == Scope(interventions=(injected,))
        assert accounts.authenticate(engine, injected, "password-lunga-1") is None
    csv = tmp_path / "interventi.csv"  # written as a spreadsheet would, quotes doubled
    pd.DataFrame({"codice_intervento": [f"INJ{i}" for i in range(len(INJECTIONS))], "nome": INJECTIONS,
                  "comune": "Milano"}).to_csv(csv, sep=";", index=False)
    result = load_file(csv, "interventi", engine=engine, settings=Settings(database_url=copy_of_sample,
                                                                             pseudonym_key="k"))
    assert result.loaded == len(INJECTIONS), result
    names = pd.read_sql("SELECT name FROM intervention WHERE code LIKE 'INJ%' ORDER BY code", engine)["name"]
    assert names.tolist() == list(INJECTIONS)
    assert pd.read_sql("SELECT count(*) AS n FROM lease", engine)["n"].iloc[0] > 0, "lease is still there"
    engine.dispose()


# --- every download neutralises formulas --------------------------------------------------------------------
EXPORT_KINDS = [exports.TEXT, exports.EUR, exports.PCT, exports.INT, exports.NUM, exports.DAYS, exports.DATE]


def test_every_export_format_neutralises_formulas_in_text():
    frame = pd.DataFrame({"Testo": list(INJECTIONS) + ["+SUM(A1)", "-2+3", "@A1", "normale"],
                          "Importo": [1.5] * 8})
    kinds = {"Testo": exports.TEXT, "Importo": exports.EUR}
    text = exports.to_csv(frame, kinds).decode("utf-8-sig").splitlines()[1:]
    cells = [line.rsplit(";", 1)[0].strip('"') for line in text]
    assert all(not c.startswith(("=", "+", "-", "@")) for c in cells), cells
    book = openpyxl.load_workbook(io.BytesIO(exports.to_excel(frame, kinds)))
    values = [row[0].value for row in book.active.iter_rows(min_row=2)]
    assert all(isinstance(v, str) and not v.startswith(("=", "+", "-", "@")) for v in values), values
    assert book.active["B2"].value == 1.5, "numbers stay numbers"
    assert values[-1] == "normale"


def test_downloads_are_audited(copy_of_sample, monkeypatch):
    import streamlit as st

    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", copy_of_sample)
    get_settings.cache_clear()
    st.cache_resource.clear()
    engine = make_engine(copy_of_sample)
    user = accounts.get_user(engine, "regione")
    content = private_downloads.audited_file(lambda: b"dati", "morosita.csv", user)
    assert content == b"dati"
    last = audit.recent(engine, limit=1).iloc[0]
    assert (last["action"], last["username"], last["detail"], last["scope"]) == ("export", "regione", "morosita.csv",
                                                                                  "tutto")
    engine.dispose()
    st.cache_resource.clear()
    get_settings.cache_clear()
