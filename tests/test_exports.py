"""The one export path (`osservatorio.exports`): Italian CSV rounded to each figure's unit, formula-safe cells and
headings, .xlsx with native numbers; and Markdown/HTML escaping of data (`osservatorio.escaping`)."""

from __future__ import annotations

import io
from datetime import date, datetime

import openpyxl
import pandas as pd
from markdown_it import MarkdownIt

from osservatorio import exports
from osservatorio.escaping import chart, md

ITALIAN = {"sep": ";", "decimal": ",", "thousands": ".", "encoding": "utf-8-sig"}
HOSTILE = ("=HYPERLINK(\"https://example.org\",\"Clicca\")", "+cmd|' /C calc'!A0", "@SUM(A1:A9)", "-2+3",
           "\t=1+1", "\r=1+1")
PHISHING = "[Clicca per aggiornare la password](https://example.org) ![pixel](https://example.org/p.png)"


def read_italian(content: bytes) -> pd.DataFrame:
    return pd.read_csv(io.BytesIO(content), **ITALIAN)


def test_csv_rounds_each_figure_to_its_unit_and_reads_back_the_italian_way():
    frame = pd.DataFrame({
        "Importo": [60956.59999999999, 174732.06, -0.004, None], "Quota": [4.657382373814886, 100.0, 0.05, None],
        "Alloggi": [22.0, 1.0, 0.0, None], "Giorni": [12.349, 3.0, 0.0, None], "Indice": [1.23456, 0.5, 2.0, None],
        "Scadenza": [date(2024, 1, 31), pd.Timestamp("2024-02-29 13:45"), datetime(2025, 12, 1), None],
        "Nome": ["Villaggio «Rovagnasco»", "Località Cà", "x", None]})
    kinds = {"Importo": exports.EUR, "Quota": exports.PCT, "Alloggi": exports.INT, "Giorni": exports.DAYS,
             "Indice": exports.NUM, "Scadenza": exports.DATE, "Nome": exports.TEXT}
    content = exports.to_csv(frame, kinds)
    assert content.startswith(b"\xef\xbb\xbf"), "UTF-8 with BOM"
    lines = content.decode("utf-8-sig").split("\r\n")
    assert lines[0] == "Importo;Quota;Alloggi;Giorni;Indice;Scadenza;Nome"
    assert lines[1] == "60956,60;4,7;22;12,3;1,23;31/01/2024;Villaggio «Rovagnasco»"
    assert lines[2] == "174732,06;100,0;1;3,0;0,50;29/02/2024;Località Cà"
    assert lines[3] == "0,00;0,1;0;0,0;2,00;01/12/2025;x"  # -0.004 € is 0,00 (never "-0,00")
    assert lines[4] == ";;;;;;"
    back = read_italian(content)
    assert back["Importo"].tolist()[:3] == [60956.6, 174732.06, 0.0]
    assert back["Quota"].tolist()[:3] == [4.7, 100.0, 0.1]
    assert back["Alloggi"].tolist()[:3] == [22, 1, 0]
    assert back["Scadenza"].tolist()[:3] == ["31/01/2024", "29/02/2024", "01/12/2025"]


def test_undeclared_columns_are_inferred_counts_stay_whole_and_noise_goes():
    frame = pd.DataFrame({"codice": ["A", "B"], "n": [1.0, 22.0], "eur": [60956.59999999999, 0.1 + 0.2],
                          "attivo": [True, False]})
    lines = exports.to_csv(frame).decode("utf-8-sig").split("\r\n")
    assert lines[1:3] == ["A;1;60956,6;sì", "B;22;0,3;no"]


def test_formulas_are_neutralised_in_csv_cells_and_headings():
    frame = pd.DataFrame({"=Titolo": list(HOSTILE) + ["normale"], "Importo": [-5.5] * (len(HOSTILE) + 1)})
    back = read_italian(exports.to_csv(frame, {"Importo": exports.EUR}))
    assert back.columns.tolist() == ["'=Titolo", "Importo"]
    assert back["'=Titolo"].tolist() == ["'" + h for h in HOSTILE] + ["normale"]
    assert back["Importo"].tolist() == [-5.5] * (len(HOSTILE) + 1), "negative numbers stay numbers"


def test_xlsx_keeps_native_rounded_numbers_italian_formats_and_neutralised_text():
    frame = pd.DataFrame({"Nome": list(HOSTILE), "Importo": [60956.59999999999] * len(HOSTILE),
                          "Quota": [4.657382373814886] * len(HOSTILE), "Data": [date(2024, 1, 31)] * len(HOSTILE)})
    kinds = {"Nome": exports.TEXT, "Importo": exports.EUR, "Quota": exports.PCT, "Data": exports.DATE}
    content = exports.to_excel_sheets({"=Foglio[1]": (frame, kinds)})
    book = openpyxl.load_workbook(io.BytesIO(content))
    sheet = book.worksheets[0]
    assert sheet.title == "=Foglio_1_"  # a sheet name is never a formula; Excel forbids [ ] in it
    names = [row[0].value for row in sheet.iter_rows(min_row=2)]
    assert all(n.startswith("'") for n in names) and names[0] == "'" + HOSTILE[0]
    assert (sheet["B2"].value, sheet["B2"].number_format) == (60956.6, "#,##0.00 [$€-410]")
    assert (sheet["C2"].value, sheet["C2"].number_format) == (4.7, '#,##0.0"%"')
    assert sheet["D2"].value.date() == date(2024, 1, 31) and sheet["D2"].number_format == "dd/mm/yyyy"
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row), "no formula cells"


def test_csv_text_for_the_terminal_is_the_file_with_newlines():
    frame = pd.DataFrame({"a": [1.5]})
    assert exports.csv_text(frame, {"a": exports.EUR}) == "\ufeffa\n1,50"


def _rendered(text: str) -> str:
    """How a CommonMark renderer (links, images, autolinks, HTML) turns `text` into HTML."""
    return MarkdownIt("commonmark").render(text)


def test_markdown_escaping_leaves_no_link_image_or_html():
    hostile = [PHISHING, "<img src=x onerror=alert(1)>", "<https://example.org>", "**grassetto** _x_ `c`",
               "# titolo\n- voce\n1. voce", ":red[rosso] $x^2$", "a\\[b](https://example.org)"]
    for text in hostile:
        html = _rendered(f"**Contratti con saldo** · {md(text)}")
        assert "<a " not in html and "<img" not in html and "<h1" not in html and "<li" not in html, (text, html)
        assert "<strong>Contratti con saldo</strong>" in html
    assert md(PHISHING) == ("\\[Clicca per aggiornare la password\\]\\(https\\://example\\.org\\) "
                            "\\!\\[pixel\\]\\(https\\://example\\.org/p\\.png\\)")
    assert _rendered(md(PHISHING)).strip() == f"<p>{PHISHING}</p>", "the reader sees the text as typed"
    assert md("Cooperative, 3,0%; l'ente") == "Cooperative, 3,0%; l'ente"


def test_chart_labels_escape_html():
    assert chart('<a href="https://example.org">x</a>') == "&lt;a href=&quot;https://example.org&quot;&gt;x&lt;/a&gt;"
    assert chart(None) == ""


def test_xlsx_of_undeclared_columns_rounds_and_keeps_counts_whole():
    frame = pd.DataFrame({"n": [22.0, 1.0], "importo": [60956.59999999999, 0.1 + 0.2]})
    sheet = openpyxl.load_workbook(io.BytesIO(exports.to_excel(frame))).active
    assert [sheet["A2"].value, sheet["B2"].value, sheet["B3"].value] == [22, 60956.6, 0.3]
    assert (sheet["A2"].number_format, sheet["B2"].number_format) == ("#,##0", "General")
