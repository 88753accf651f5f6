"""The shareable reports from the CLI: `osservatorio report impatto` and `report laboratori`, PDF and HTML.

PDFs are made once per module (kaleido and WeasyPrint take seconds); their text is read back with pypdf and
must hold the key figures written the Italian way.
"""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader
from typer.testing import CliRunner

from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from indicators.arrears import arrears_kpis
from indicators.vacancy import vacancy
from osservatorio import audit
from osservatorio.cli import app
from osservatorio.formatting import fmt_pct
from osservatorio.settings import get_settings
from schemas.db import make_engine

START, END = date(2025, 10, 1), date(2026, 9, 30)
PERIOD = ["--from", "01/10/2025", "--to", "30/09/2026"]


@pytest.fixture(scope="module")
def cli(loaded_warehouse):  # noqa: F811
    """Run `osservatorio` against the sample warehouse."""
    mp = pytest.MonkeyPatch()
    mp.setenv("OSSERVATORIO_DATABASE_URL", loaded_warehouse.url)
    get_settings.cache_clear()
    yield lambda *args: CliRunner().invoke(app, list(args))
    mp.undo()
    get_settings.cache_clear()


def pdf_text(path) -> str:
    """The PDF's text with plain spaces (babel writes NBSP before € and pypdf may keep it)."""
    reader = PdfReader(io.BytesIO(path.read_bytes()))
    return "\n".join(p.extract_text() for p in reader.pages).replace("\u00a0", " ")


@pytest.fixture(scope="module")
def impact_pdf(cli, tmp_path_factory):
    out = tmp_path_factory.mktemp("report") / "impatto.pdf"
    result = cli("report", "impatto", *PERIOD, "--out", str(out), "--user", "admin")
    assert result.exit_code == 0, result.output
    return out


def test_impact_pdf_holds_the_key_figures_in_italian(impact_pdf, loaded_warehouse):  # noqa: F811
    text = pdf_text(impact_pdf)
    engine = make_engine(loaded_warehouse.url)
    rate = arrears_kpis(engine, start=START, end=END)["arrears_rate_billed"].value
    empty = vacancy(engine, as_of=END).value
    engine.dispose()
    assert impact_pdf.read_bytes().startswith(b"%PDF")
    assert "Impatto del gestore sociale" in text and "Nota metodologica" in text
    assert "Tasso di morosità sull'emesso" in text and fmt_pct(rate) in text
    assert fmt_pct(empty) in text
    assert "Locazione a termine" in text and "40,0%" in text  # 60 of the sample's 150 units
    assert "281.250,00 €" in text  # seed 004: Abitare in borgo, admitted
    assert "Periodo 01/10/2025 – 30/09/2026" in text


def test_impact_html_for_a_gestore_keeps_to_its_interventions(cli, tmp_path, loaded_warehouse):  # noqa: F811
    out = tmp_path / "impatto.html"
    result = cli("report", "impatto", *PERIOD, "--out", str(out), "--user", "gestore")
    assert result.exit_code == 0, result.output
    html = out.read_text(encoding="utf-8")
    assert html.count("<script") == 1 + html.count("Plotly.newPlot") and "<script src" not in html
    assert "MI3.1.1.a" not in html  # the Comune's project is not in the gestore's scope
    engine = make_engine(loaded_warehouse.url)
    last = audit.recent(engine, action=audit.REPORT, limit=1).iloc[0]
    engine.dispose()
    assert (last["username"], last["detail"]) == ("gestore", "impatto.html")


def test_report_arguments_are_checked(cli, tmp_path):
    assert cli("report", "impatto", "--out", str(tmp_path / "x.docx")).exit_code != 0
    bad_scope = cli("report", "impatto", "--out", str(tmp_path / "x.html"), "--scope", "quartiere=Brera")
    assert bad_scope.exit_code == 2 and "Perimetro non valido" in bad_scope.output
    refused = cli("report", "laboratori", "--out", str(tmp_path / "l.html"), "--user", "sgr")
    assert refused.exit_code == 2 and "non vede questo rapporto" in refused.output


def test_labs_report_pdf_states_completeness(cli, tmp_path):
    out = tmp_path / "laboratori.pdf"
    result = cli("report", "laboratori", "--out", str(out), "--user", "regione", "--lab", "cinisello-si-puo-fare")
    assert result.exit_code == 0, result.output
    text = pdf_text(out)
    assert "Completezza dei dati" in text and "SI PUO' FARE" in text.upper()
    assert "completezza" in text and "%" in text
