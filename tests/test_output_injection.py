"""Hostile names in the data never become links, images, HTML or formulas in what the product shows or writes.

A copy of the sample warehouse gets an intervention and a lab named with Markdown links and HTML, and an
intervention and a building whose codes are spreadsheet formulas. Every page (as the administrator), the
upload page, both HTML reports, every page download and the CLI exports are checked.
"""

from __future__ import annotations

import io
import json
import re
import shutil
from datetime import date

import numpy as np
import openpyxl
import pandas as pd
import pytest
from markdown_it import MarkdownIt
from streamlit.runtime.media_file_manager import MediaFileManager
from typer.testing import CliRunner

from osservatorio.pages import PAGES
from dashboard_fixtures import loaded_warehouse  # noqa: F401  (fixture)
from etl.loader import load_file
from indicators import store
from indicators.catalog import compute
from indicators.portfolio import ledger_span
from osservatorio.cli import app
from osservatorio.escaping import md
from osservatorio.exports import FORMULA_START
from osservatorio.settings import Settings, get_settings
from schemas.db import make_engine
from test_pages import fresh_caches, open_page  # noqa: F401  (fixture)

PHISHING = "[Clicca per aggiornare la password](https://example.org) ![pixel](https://example.org/p.png)"
HTML = ' <a href="https://example.org">qui</a><img src="https://example.org/p.png">'
FORMULA_INTERVENTION = '=HYPERLINK("https://example.org";"Clicca")'
FORMULA_BUILDING = "+cmd|' /C calc'!A0"
FORMULA_NAME = "@SUM(A1:A9)"
ITALIAN = {"sep": ";", "decimal": ",", "thousands": ".", "encoding": "utf-8-sig"}
MARKDOWN_FIELDS = {"body", "label", "help", "caption", "placeholder"}
ADMIN_PAGES = [spec.path for spec in PAGES if "admin" in spec.roles]


def _load(folder, kind: str, frame: pd.DataFrame, engine, settings, name: str | None = None):
    path = folder / f"{kind}.csv"
    frame.to_csv(path, sep=";", index=False)
    return load_file(path, kind, engine=engine, settings=settings, file_name=name)


@pytest.fixture(scope="module")
def hostile_warehouse(loaded_warehouse, tmp_path_factory):  # noqa: F811
    """The sample warehouse plus hostile names and codes (see the module docstring)."""
    folder = tmp_path_factory.mktemp("ostile")
    path = folder / "warehouse.db"
    shutil.copy(loaded_warehouse.url.removeprefix("sqlite:///"), path)
    url = f"sqlite:///{path}"
    engine, settings = make_engine(url), Settings(database_url=url, pseudonym_key="chiave-di-test")
    files = {
        "interventi": pd.DataFrame({"codice_intervento": ["INT-X", FORMULA_INTERVENTION],
                                    "nome": [PHISHING + HTML, FORMULA_NAME], "comune": ["Milano", "Milano"]}),
        "edifici": pd.DataFrame({"codice_edificio": ["E-X1", FORMULA_BUILDING],
                                 "codice_intervento": ["INT-X", FORMULA_INTERVENTION]}),
        "alloggi": pd.DataFrame({"codice_alloggio": ["U-X1", "U-X2"], "codice_edificio": ["E-X1", FORMULA_BUILDING],
                                 "regime": ["locazione_permanente"] * 2, "stato": ["locabile"] * 2}),
        "laboratori": pd.DataFrame({"codice_laboratorio": ["LAB-X"], "titolo": [PHISHING + HTML],
                                    "comune": ["Milano"], "ente_capofila": [FORMULA_INTERVENTION]}),
    }
    for kind, frame in files.items():
        assert _load(folder, kind, frame, engine, settings).status == "completato", kind
    store.build(engine)
    engine.dispose()
    return url


def _strings(message):
    """(field name, text) of every string field of a protobuf message, nested ones included."""
    for field, value in message.ListFields():
        values = value if field.is_repeated else [value]
        for v in values:
            if field.type == field.TYPE_MESSAGE:
                yield from _strings(v)
            elif field.type == field.TYPE_STRING:
                yield field.name, v


def _nodes(node):
    yield node
    for child in getattr(node, "children", {}).values():
        yield from _nodes(child)


def markdown_texts(at) -> list[str]:
    """Every text Streamlit renders as Markdown: bodies, labels, help texts, captions of all elements."""
    return [text for node in _nodes(at._tree) if getattr(node, "proto", None) is not None
            for name, text in _strings(node.proto) if name in MARKDOWN_FIELDS]


def chart_specs(at) -> list[str]:
    """Each plotly figure on the page as JSON text with its characters as plotly reads them (no \\u003c)."""
    return [json.dumps(json.loads(node.proto.spec), ensure_ascii=False) for node in _nodes(at._tree)
            if getattr(node, "type", None) == "plotly_chart" and getattr(node, "proto", None) is not None]


def assert_inert(texts: list[str]) -> None:
    """No text renders a link, an image or HTML, and none holds a bare URL a GitHub autolink would catch."""
    renderer = MarkdownIt("commonmark")
    for text in texts:
        html = renderer.render(text)
        assert "<a " not in html and "<img" not in html, (text, html)
        assert not re.search(r"https?://|www\.", text), text


@pytest.mark.parametrize("page_path", ADMIN_PAGES)
def test_hostile_names_stay_text_on_every_page(hostile_warehouse, monkeypatch, page_path):
    at = open_page(hostile_warehouse, monkeypatch, page_path)
    if page_path == "views/arrears.py":
        at.selectbox(key="arr_int").set_value("INT-X").run()
        assert not at.exception
        assert any(md(f"INT-X · {PHISHING + HTML}") in t for t in markdown_texts(at)), "the name shown, escaped"
    if page_path == "views/labs.py":
        assert any(md(PHISHING + HTML) in t for t in markdown_texts(at)), "the lab's sheet names it, escaped"
    assert_inert(markdown_texts(at))
    for spec in chart_specs(at):
        assert "<a href" not in spec and "<img" not in spec, spec[:500]


def test_hostile_names_are_escaped_in_the_charts(hostile_warehouse, monkeypatch):
    at = open_page(hostile_warehouse, monkeypatch, "views/impact.py")
    specs = " ".join(chart_specs(at))
    assert "&lt;a href=&quot;https://example.org&quot;&gt;qui&lt;/a&gt;" in specs, "drawn as the text it is"
    assert "<a href" not in specs and "<img" not in specs


def test_uploaded_file_name_and_headers_stay_text_on_caricamenti(hostile_warehouse, monkeypatch):
    name = f"{PHISHING}.csv"
    content = (f"codice_intervento;nome;comune;{PHISHING}\nINT-Y;Nuovo;Milano;x\nINT-Z;;Milano;y\n").encode()
    at = open_page(hostile_warehouse, monkeypatch, "views/loads.py")
    at.file_uploader(key="upload_file").set_value((name, content, "text/csv")).run()
    at.selectbox(key="upload_kind").set_value("interventi").run()
    at.button(key="upload_go").click().run()
    assert not at.exception, [e.value for e in at.exception]
    texts = markdown_texts(at)
    in_badge = md(name, brackets=False).replace("[", "\\[").replace("]", "\\]")  # st.badge escapes [ ] itself
    assert any(in_badge in t for t in texts if t.startswith(":orange-badge[")), "the file name, escaped"
    assert any(md(PHISHING) in t for t in texts if t.startswith("Colonne ignorate")), texts
    assert_inert(texts)


def test_html_reports_escape_hostile_names(hostile_warehouse):
    from indicators.scope import Scope
    from osservatorio.reports.impact import ReportScope, impact_html
    from osservatorio.reports.labs import labs_report

    engine = make_engine(hostile_warehouse)
    _, last = ledger_span(engine)
    scope = Scope(interventions=("INT-X", "INT001"))
    impact = impact_html(engine, ReportScope(scope, date(last.year - 1, last.month, 1), last, last))
    labs = labs_report(engine, lab="LAB-X")
    engine.dispose()
    for html in (impact, labs):
        assert '<a href="https://example.org"' not in html and '<img src="https://example.org' not in html
    assert "&lt;a href=&#34;https://example.org&#34;&gt;qui&lt;/a&gt;" in labs, "the title as text"


# --- exports: every page download and every CLI csv, read back the Italian way --------------------------------
def _screen_number(text: str):
    """'1.234,56 €' -> (1234.56, 2), '3,4%' -> (3.4, 1), '12' -> (12, 0); None for 'n.d.' or empty; else the text."""
    plain = str(text).replace("\xa0", " ").strip()
    if plain in ("", "n.d."):
        return None
    match = re.fullmatch(r"(-?[\d.]+)(?:,(\d+))?( €|%| giorni)?", plain)
    if not match:
        return text
    return float(match.group(1).replace(".", "") + "." + (match.group(2) or "0")), len(match.group(2) or "")


def _same(screen, csv_value) -> bool:
    """The CSV holds what the screen shows, at the screen's precision (a page may show whole euros)."""
    expected = _screen_number(screen)
    if expected is None:
        return pd.isna(csv_value) or csv_value == ""
    if isinstance(expected, tuple):
        number, decimals = expected
        return isinstance(csv_value, (int, float)) and abs(round(float(csv_value), decimals) - number) < 1e-9
    text = str(expected)
    return str(csv_value) == ("'" + text if text.startswith(FORMULA_START) else text)


@pytest.fixture
def downloads(monkeypatch):
    """Every file a download button offers during the test: (file name, function making its bytes)."""
    offered: list[tuple[str, object]] = []
    original_deferred, original_add = MediaFileManager.add_deferred, MediaFileManager.add

    def add_deferred(self, data_callable, mimetype, coordinates, file_name=None, **kw):
        offered.append((file_name, data_callable))
        return original_deferred(self, data_callable, mimetype, coordinates, file_name, **kw)

    def add(self, path_or_data, mimetype, coordinates, file_name=None, is_for_static_download=False):
        offered.append((file_name, lambda: path_or_data))
        return original_add(self, path_or_data, mimetype, coordinates, file_name, is_for_static_download)

    monkeypatch.setattr(MediaFileManager, "add_deferred", add_deferred)
    monkeypatch.setattr(MediaFileManager, "add", add)
    return offered


def _check_csv(name: str, content: bytes, screens: list[pd.DataFrame]) -> bool:
    """Read `content` the Italian way: no formula cell, and the values of the screen table it downloads.
    True when one of `screens` (consumed) was that table."""
    assert content.startswith(b"\xef\xbb\xbf"), name
    back = pd.read_csv(io.BytesIO(content), **ITALIAN)
    texts = back.select_dtypes(include=["object", "string"])
    bad = [v for col in texts for v in texts[col].dropna() if str(v).startswith(FORMULA_START)]
    assert not bad, (name, bad)
    assert not any(str(c).startswith(FORMULA_START) for c in back.columns), name
    found = [i for i, s in enumerate(screens) if set(s.columns) <= set(back.columns) and len(s) == len(back)]
    if not found:
        return False
    screen = screens.pop(found[0])
    for column in screen.columns:
        wrong = [(s, c) for s, c in zip(screen[column], back[column]) if not _same(s, c)]
        assert not wrong, (name, column, wrong[:5])
    return True


def _check_xlsx(name: str, content: bytes) -> None:
    book = openpyxl.load_workbook(io.BytesIO(content))
    for sheet in book.worksheets:
        for row in sheet.iter_rows():
            for cell in row:
                assert cell.data_type != "f", (name, cell.coordinate)
                assert not (isinstance(cell.value, str) and cell.value.startswith(FORMULA_START)), (name, cell.value)


DOWNLOAD_PAGES = [p for p in ADMIN_PAGES if p not in ("views/home.py", "views/loads.py", "views/access.py")]


@pytest.mark.parametrize("page_path", DOWNLOAD_PAGES)
def test_every_page_download_reads_back_as_the_screen_shows_it(hostile_warehouse, monkeypatch, downloads, page_path):
    at = open_page(hostile_warehouse, monkeypatch, page_path)
    screens = [s.drop(columns=[c for c in s.columns if s[c].map(lambda v: isinstance(v, (list, np.ndarray))).any()])
               for s in (df.value for df in at.dataframe)]  # sparklines are drawn, not downloaded
    files = {name: make() for name, make in downloads if name and name.endswith((".csv", ".xlsx"))}
    unmatched = [name for name, content in files.items() if name.endswith(".csv")
                 and not _check_csv(name, content if isinstance(content, bytes) else content.encode(), screens)]
    assert not unmatched, f"{page_path}: CSV files that match no table on screen: {unmatched}"
    for name, content in files.items():
        if name.endswith(".xlsx"):
            _check_xlsx(name, content)
    assert any(n.endswith(".csv") for n in files) and any(n.endswith(".xlsx") for n in files), sorted(files)


def test_vacancy_download_by_intervention_neutralises_formula_codes(hostile_warehouse, monkeypatch, downloads):
    open_page(hostile_warehouse, monkeypatch, "views/vacancy.py")
    cells = []
    for name, make in downloads:
        if name and name.endswith(".csv"):
            back = pd.read_csv(io.BytesIO(make()), **ITALIAN)
            cells += [v for col in back.select_dtypes(include=["object", "string"]) for v in back[col].dropna()]
    assert f"'{FORMULA_INTERVENTION} · {FORMULA_NAME}" in cells, "the formula-named intervention, neutralised"


@pytest.fixture
def cli(hostile_warehouse, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", hostile_warehouse)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def _read_output(output: str) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(output.encode("utf-8")), **ITALIAN)


KPI_UNITS = [("vacancy_rate", 1), ("arrears_stock_eur", 2), ("arrears_rate_billed", 1), ("units_managed", 0)]


@pytest.mark.parametrize(("code", "decimals"), KPI_UNITS)
def test_kpi_csv_reads_back_rounded_to_the_unit_with_formula_codes_neutralised(cli, hostile_warehouse, code,
                                                                               decimals):
    engine = make_engine(hostile_warehouse)
    _, last = ledger_span(engine)
    expected = compute(engine, code, as_of=last, by="intervention")
    single = compute(engine, code, as_of=last)
    engine.dispose()
    day = f"{last:%d/%m/%Y}"
    by = cli("kpi", code, "--as-of", day, "--by", "intervention", "--format", "csv")
    one = cli("kpi", code, "--as-of", day, "--format", "csv")
    assert by.exit_code == 0 and one.exit_code == 0, by.output + one.output
    back = _read_output(by.stdout)
    assert back.columns[:4].tolist() == ["gruppo", "valore", "numeratore", "denominatore"]
    want = {("'" + g if str(g).startswith(FORMULA_START) else g): (None if pd.isna(v) else round(float(v), decimals))
            for g, v in zip(expected["group"], expected["value"])}
    got = {g: (None if pd.isna(v) else float(v)) for g, v in zip(back["gruppo"], back["valore"])}
    assert got == want
    if code == "vacancy_rate":
        assert "'" + FORMULA_INTERVENTION in got and got["INT-X"] == 100.0  # one empty, lettable unit of one
    row = _read_output(one.stdout).iloc[0]
    assert row["codice"] == code and row["valore"] == round(single.value, decimals)
    assert not re.search(r"\d,\d{3,}", by.stdout + one.stdout), "no float noise"


def test_labs_compare_csv_neutralises_and_reads_back(cli, hostile_warehouse):
    engine = make_engine(hostile_warehouse)
    from indicators.lab_outcomes import lab_outcomes

    table = lab_outcomes(engine, indicator="nuclei_morosi_pct")
    engine.dispose()
    out = cli("labs", "compare", "--indicator", "nuclei_morosi_pct", "--format", "csv")
    assert out.exit_code == 0, out.output
    back = _read_output(out.stdout)
    assert back.columns[:5].tolist() == ["Laboratorio", "Area", "Gruppo", "Indicatore", "Unità"]
    assert back["Tempo zero"].tolist() == [None if pd.isna(v) else round(v, 1) for v in table["t0"]] or \
        back["Tempo zero"].fillna(-1).tolist() == [-1 if pd.isna(v) else round(v, 1) for v in table["t0"]]
    assert back["Data tempo zero"].iloc[0] == table["t0_date"].iloc[0].strftime("%d/%m/%Y")
    assert not re.search(r"\d,\d{3,}", out.stdout), "no float noise"


def test_budget_csv_and_xlsx_from_the_cli_read_back(cli, hostile_warehouse, tmp_path):
    from indicators.budget import Adjustments, adjusted, propose

    engine = make_engine(hostile_warehouse)
    _, last = ledger_span(engine)
    year = last.year + 1
    lines, _ = adjusted(propose(engine, year=year, inflation_pct=get_settings().budget_inflation_pct),
                        Adjustments(inflation_pct=2.0))
    engine.dispose()
    csv, xlsx, variance = tmp_path / "budget.csv", tmp_path / "budget.xlsx", tmp_path / "scostamenti.csv"
    for fmt, out in (("csv", csv), ("xlsx", xlsx)):
        done = cli("budget", "propose", "--year", str(year), "--inflation", "2", "--format", fmt, "--out", str(out))
        assert done.exit_code == 0, done.output
    back = pd.read_csv(csv, **ITALIAN)
    assert back["Budget proposto"].tolist() == [round(v, 2) for v in lines["amount"]]
    assert back["Previsione"].tolist() == [round(v, 2) for v in lines["forecast"]]
    assert not re.search(r"\d,\d{3,}", csv.read_text(encoding="utf-8-sig")), "no float noise"
    _check_xlsx("budget.xlsx", xlsx.read_bytes())
    done = cli("budget", "variance", "--year", str(last.year), "--format", "csv", "--out", str(variance))
    assert done.exit_code == 0, done.output
    assert pd.read_csv(variance, **ITALIAN).columns[0] == "Voce"
