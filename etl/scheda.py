"""The blank data-collection scheda of the Laboratori: one sheet per kind the importer knows, headed by its
canonical columns, with instructions in Italian and validation in the cells, read back by
`osservatorio labs load-scheda` (or `osservatorio load KIND scheda.xlsx --sheet KIND`) without changes.
"""

from __future__ import annotations

from pathlib import Path

from openpyxl import Workbook
from openpyxl.comments import Comment
from openpyxl.styles import Alignment, Font, PatternFill
from openpyxl.worksheet.datavalidation import DataValidation

from etl import kinds as K
from indicators.completeness import SCHEDA_BASE, SCHEDA_BY_AMBITO
from indicators.lab_outcomes import indicator_label
from indicators.lab_outputs import AMBITO_LABELS

SCHEDA_KINDS = ("laboratori", "attivita_laboratorio", "indicatori_contesto", "obiettivi_laboratorio",
                "partner_laboratorio", "cofinanziamento_laboratorio", "presidi_laboratorio", "destinatari_laboratorio",
                "giudizi_laboratorio", "note_valutazione")
ROWS = 500  # rows of each sheet that carry the validation
INDICATORS_SHEET = "Indicatori"
TYPE_HELP = {
    K.CODE: "codice (testo)", K.TEXT: "testo libero", K.INT: "numero intero", K.MONEY: "importo in euro (1.234,56)",
    K.DECIMAL: "numero (1.234,5)", K.DATE: "data gg/mm/aaaa", K.EVENT_DATE: "data gg/mm/aaaa", K.BOOL: "sì o no",
    K.AMBITI: "uno o più ambiti separati da «;»", K.SLUG: "codice dell'indicatore (foglio «Indicatori»)",
    K.VALUE: "numero (le percentuali in punti: 56 per 56%) o sì/no",
}
BY_KIND = {"giudizi_laboratorio": "a cura dei valutatori", "note_valutazione": "a cura dei valutatori"}
HEADER_FILL = PatternFill("solid", fgColor="DDE7F0")


def unit_of(indicator: str) -> str:
    """The unit an indicator of the scheda prototipo is measured in."""
    if indicator.endswith("_pct"):
        return "pct"
    if indicator.endswith("_eur"):
        return "eur"
    return "si_no" if indicator.endswith("_presenti") else "n"


def scheda_indicators(ambiti: list[str] | None = None) -> list[tuple[str, str, str, str]]:
    """(code, label, unit, who needs it) of the scheda's indicators: the context ones, then each ambito's."""
    rows = {code: (code, indicator_label(code), unit_of(code), "tutti i laboratori") for code in SCHEDA_BASE}
    for ambito in ambiti or list(SCHEDA_BY_AMBITO):
        for code in SCHEDA_BY_AMBITO[ambito]:
            need = AMBITO_LABELS[ambito]
            if code in rows and rows[code][3] != "tutti i laboratori":
                need = f"{rows[code][3]}; {need}"
            if code not in rows or rows[code][3] != "tutti i laboratori":
                rows[code] = (code, indicator_label(code), unit_of(code), need)
    return list(rows.values())


def column_help(col: K.Column) -> str:
    """What a cell of this column takes, in Italian (the input message of its validation)."""
    text = TYPE_HELP.get(col.type, "testo")
    if col.type == K.ENUM:
        text = "uno tra: " + ", ".join(col.allowed)
    if col.min is not None:
        text += f"; minimo {col.min:g}".replace(".", ",")
    return ("Obbligatorio. " if col.required else "Facoltativo. ") + text + "."


def _validation(col: K.Column, n_indicators: int, lab: str | None) -> DataValidation | None:
    common = dict(allow_blank=not col.required, showInputMessage=True, showErrorMessage=True,
                  promptTitle=col.header[:32], prompt=column_help(col)[:255], errorTitle="Valore non ammesso",
                  error=column_help(col)[:255])
    if col.type == K.ENUM and len(",".join(col.allowed)) < 250:
        return DataValidation(type="list", formula1='"' + ",".join(col.allowed) + '"', **common)
    if col.type == K.BOOL:
        return DataValidation(type="list", formula1='"sì,no"', **common)
    if col.type == K.SLUG:
        return DataValidation(type="list", formula1=f"{INDICATORS_SHEET}!$A$2:$A${n_indicators + 1}", **common)
    if col.field in ("lab_code", "code") and col.type == K.CODE and lab:
        return DataValidation(type="list", formula1=f'"{lab}"', **common)
    if col.type in (K.DATE, K.EVENT_DATE):
        return DataValidation(type="date", operator="between", formula1="36526", formula2="73051", **common)
    if col.type in (K.INT, K.MONEY, K.DECIMAL, K.VALUE):
        kind = "whole" if col.type == K.INT else "decimal"
        low = col.min if col.min is not None else -1e12
        return DataValidation(type=kind, operator="between", formula1=f"{low:g}",
                              formula2=f"{col.max if col.max is not None else 1e12:g}", **common)
    return DataValidation(type="textLength", operator="lessThanOrEqual", formula1="2000", **common)


def _kind_sheet(wb: Workbook, kind: K.Kind, n_indicators: int, lab: str | None) -> None:
    ws = wb.create_sheet(kind.name)
    for i, col in enumerate(kind.columns, start=1):
        cell = ws.cell(row=1, column=i, value=col.header)
        cell.font, cell.fill = Font(bold=True), HEADER_FILL
        cell.comment = Comment(column_help(col), "Osservatorio")
        letter = cell.column_letter
        ws.column_dimensions[letter].width = max(14, min(48, len(col.header) + 4))
        if col.type in (K.DATE, K.EVENT_DATE):
            for row in range(2, ROWS + 2):
                ws.cell(row=row, column=i).number_format = "DD/MM/YYYY"
        if (dv := _validation(col, n_indicators, lab)) is not None:
            ws.add_data_validation(dv)
            dv.add(f"{letter}2:{letter}{ROWS + 1}")
    ws.freeze_panes = "A2"


def _instructions(wb: Workbook, lab: str | None, ambiti: list[str] | None) -> None:
    ws = wb.active
    ws.title = "Istruzioni"
    lines = [
        "Scheda di raccolta dati dei Laboratori Sociali di Quartiere",
        f"Laboratorio: {lab}" if lab else "Per tutti i laboratori: indicare in ogni riga il codice del laboratorio.",
        "",
        "Come compilare",
        "1. Ogni foglio raccoglie un tipo di dato; la prima riga (intestazioni) non va modificata.",
        "2. Una riga per ogni dato; le righe vuote sono ignorate. Passando su una cella compare che cosa accetta.",
        "3. Date nel formato gg/mm/aaaa; importi in euro (1.234,56); percentuali in punti (56 per 56%).",
        "4. Indicatori di contesto: per ogni indicatore del foglio «Indicatori» una riga per l'area del laboratorio "
        "(gruppo «trattamento») e una per l'area di controllo (gruppo «controllo»), al tempo zero (avvio) e al "
        "tempo uno (fine progetto, almeno due anni dopo se possibile).",
        "5. Obiettivi: uno per riga, con l'ambito, l'esito (raggiunto, parzialmente_raggiunto, non_raggiunto) e le "
        "evidenze che lo documentano.",
        "6. Cofinanziamento: gli apporti dei partner (denaro, personale, servizi, spazi) valorizzati in euro; il "
        "bando chiede almeno il 20% del costo totale del progetto.",
        "7. I fogli «giudizi_laboratorio» e «note_valutazione» sono a cura dei valutatori.",
        "",
        "Fogli",
    ]
    lines += [f"- {name}: {K.KINDS[name].description}" + (f" ({BY_KIND[name]})" if name in BY_KIND else "")
              for name in SCHEDA_KINDS]
    if ambiti:
        lines += ["", "Ambiti del laboratorio: " + "; ".join(AMBITO_LABELS.get(a, a) for a in ambiti)]
    for row, text in enumerate(lines, start=1):
        ws.cell(row=row, column=1, value=text).alignment = Alignment(wrap_text=True, vertical="top")
    ws["A1"].font = Font(bold=True, size=14)
    ws.column_dimensions["A"].width = 120


def _indicators_sheet(wb: Workbook, ambiti: list[str] | None) -> int:
    ws = wb.create_sheet(INDICATORS_SHEET)
    rows = scheda_indicators(ambiti)
    for i, header in enumerate(("indicatore", "descrizione", "unita", "richiesto per"), start=1):
        ws.cell(row=1, column=i, value=header).font = Font(bold=True)
    for r, values in enumerate(rows, start=2):
        for c, value in enumerate(values, start=1):
            ws.cell(row=r, column=c, value=value)
    for letter, width in zip("ABCD", (32, 40, 8, 60)):
        ws.column_dimensions[letter].width = width
    return len(rows)


def write_scheda(out: Path | str, *, lab: str | None = None, ambiti: list[str] | None = None) -> Path:
    """Write the blank scheda to `out` (XLSX); `lab` and `ambiti` narrow it to one lab and the indicators it needs."""
    wb = Workbook()
    _instructions(wb, lab, ambiti)
    n = len(scheda_indicators(ambiti))
    for name in SCHEDA_KINDS:
        _kind_sheet(wb, K.KINDS[name], n, lab)
    _indicators_sheet(wb, ambiti)
    out = Path(out)
    wb.save(out)
    return out


def scheda_sheets(path: Path | str) -> list[str]:
    """The sheets of a filled scheda named as a kind and holding at least one row, in load order."""
    from openpyxl import load_workbook

    wb = load_workbook(path, read_only=True)
    try:
        filled = {ws.title for ws in wb.worksheets if ws.title in K.KINDS and any(
            any(v not in (None, "") for v in row) for row in ws.iter_rows(min_row=2, values_only=True))}
    finally:
        wb.close()
    return [name for name in K.LOAD_ORDER if name in filled]
