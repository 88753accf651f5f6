"""Display copies of the indicator frames: Italian labels, Italian number and date formats.

Numbers are turned into Italian strings here (1.234, 0,4) because the grid's own number formats
follow the browser's locale or print US-style; the column configs right-align them.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Literal

import pandas as pd
import streamlit as st

from osservatorio.formatting import MISSING, fmt_date, fmt_datetime, fmt_int, fmt_num

TIMEZONE = "Europe/Rome"

# Load status -> (label, colour of its badge).
BadgeColor = Literal["red", "orange", "yellow", "blue", "green", "violet", "gray", "grey", "primary"]
STATUS: dict[str, tuple[str, BadgeColor]] = {
    "completato": ("Completato", "green"),
    "con_scarti": ("Con scarti", "orange"),
    "rifiutato": ("Rifiutato", "red"),
    "fallito": ("Fallito", "red"),
    "in_corso": ("In corso", "blue"),
}
STATUS_ICON = {"green": ":material/check_circle:", "orange": ":material/warning:", "red": ":material/error:",
               "blue": ":material/hourglass_top:"}


def status_label(status: str) -> str:
    return STATUS.get(status, (status, "gray"))[0]


def status_color(status: str) -> BadgeColor:
    return STATUS.get(status, (status, "gray"))[1]


def _number(label: str, **kw):
    return st.column_config.TextColumn(label, alignment="right", **kw)


def local_datetime(value) -> datetime | None:
    """A stored UTC timestamp (naive on SQLite, aware on PostgreSQL) in Italian local time."""
    if value is None or pd.isna(value):
        return None
    stamp = pd.Timestamp(value)
    stamp = stamp.tz_localize("UTC") if stamp.tzinfo is None else stamp
    return stamp.tz_convert(TIMEZONE).to_pydatetime()


def fmt_local_datetime(value) -> str:
    moment = local_datetime(value)
    return fmt_datetime(moment) if moment else MISSING


def _covered(value, annual: bool) -> str:
    if value is None or pd.isna(value):
        return ""
    if annual:
        return str(int(value))
    if isinstance(value, (date, datetime)):
        return fmt_date(value)
    return fmt_date(pd.Timestamp(value).date())


INVENTORY_COLUMNS = {
    "Dati": st.column_config.TextColumn("Dati", width="medium"),
    "Tipo di file": st.column_config.TextColumn("Tipo di file", help="Il tipo da usare in `osservatorio load`"),
    "Righe": _number("Righe"),
    "Dal": st.column_config.TextColumn("Dal", help="Prima data (o anno) presente nei dati"),
    "Al": st.column_config.TextColumn("Al", help="Ultima data (o anno) presente nei dati"),
}


def inventory_view(inv: pd.DataFrame) -> pd.DataFrame:
    """Kinds that hold data, with rows and dates covered, formatted the Italian way."""
    held = inv[inv["righe"] > 0]
    return pd.DataFrame({
        "Dati": held["descrizione"],
        "Tipo di file": held["tipo"],
        "Righe": held["righe"].map(fmt_int),
        "Dal": [_covered(v, a) for v, a in zip(held["dal"], held["annuale"])],
        "Al": [_covered(v, a) for v, a in zip(held["al"], held["annuale"])],
    })


def missing_kinds(inv: pd.DataFrame) -> list[str]:
    """Descriptions of the kinds still without data."""
    return inv.loc[inv["righe"] == 0, "descrizione"].tolist()


HISTORY_COLUMNS = {
    "N.": st.column_config.NumberColumn("N.", help="Numero del caricamento", format="%d", width="small"),
    "Inizio": st.column_config.TextColumn("Inizio"),
    "Tipo": st.column_config.TextColumn("Tipo"),
    "File": st.column_config.TextColumn("File"),
    "Esito": st.column_config.MultiselectColumn(
        "Esito", options=list(STATUS), color=[color for _, color in STATUS.values()], format_func=status_label),
    "Lette": _number("Lette", help="Righe lette dal file"),
    "Caricate": _number("Caricate", help="Righe nuove o aggiornate nel magazzino"),
    "Scartate": _number("Scartate", help="Righe messe in quarantena: vedere sotto riga, colonna e motivo"),
    "Duplicate": _number("Duplicate", help="Righe già presenti e identiche"),
    "Secondi": _number("Secondi", help="Durata del caricamento"),
    "Messaggio": st.column_config.TextColumn("Messaggio"),
}


def history_view(history: pd.DataFrame) -> pd.DataFrame:
    """The load history with status badges and Italian numbers (the message column only if any)."""
    view = pd.DataFrame({
        "N.": history["caricamento"],
        "Inizio": history["inizio"].map(fmt_local_datetime),
        "Tipo": history["tipo"],
        "File": history["file"],
        "Esito": history["esito"].map(lambda s: [s]),
        "Lette": history["letti"].map(fmt_int),
        "Caricate": history["caricati"].map(fmt_int),
        "Scartate": history["in_quarantena"].map(fmt_int),
        "Duplicate": history["duplicati"].map(fmt_int),
        "Secondi": history["secondi"].map(lambda s: fmt_num(s, 2)),
        "Messaggio": history["messaggio"].fillna(""),
    })
    return view if view["Messaggio"].str.len().any() else view.drop(columns="Messaggio")


QUARANTINE_COLUMNS = {
    "Caricamento": st.column_config.NumberColumn("Caricamento", format="%d", width="small"),
    "File": st.column_config.TextColumn("File"),
    "Riga": st.column_config.NumberColumn("Riga", format="%d", width="small",
                                          help="Numero di riga nel file, come nel foglio di calcolo"),
    "Colonna": st.column_config.TextColumn("Colonna"),
    "Valore": st.column_config.TextColumn("Valore"),
    "Motivo": st.column_config.TextColumn("Motivo", width="large"),
    "Riga originale": st.column_config.TextColumn("Riga originale", help="Dati personali pseudonimizzati"),
}


def quarantine_view(rows: pd.DataFrame) -> pd.DataFrame:
    return pd.DataFrame({
        "Caricamento": rows["caricamento"], "File": rows["file"], "Riga": rows["riga"],
        "Colonna": rows["colonna"].fillna(""), "Valore": rows["valore"].fillna(""), "Motivo": rows["motivo"],
        "Riga originale": rows["riga_originale"].fillna(""),
    })


def batch_label(row: pd.Series) -> str:
    """'n. 12 · alloggi.csv · 3 righe scartate' for the quarantine filter."""
    n = int(row["in_quarantena"])
    return f"n. {row['caricamento']} · {row['file']} · {fmt_int(n)} {'riga scartata' if n == 1 else 'righe scartate'}"


SCOPE_LEVELS = {"sgrs": "SGR", "funds": "fondi", "interventions": "interventi", "buildings": "edifici"}


def scope_words(text: str | None) -> str:
    """A stored scope in words: 'sgrs=A,B; funds=F1' -> 'SGR A, B · fondi F1'; 'tutto' -> 'tutto il portafoglio'."""
    if not text or text == "tutto":
        return "tutto il portafoglio"
    parts = []
    for part in str(text).split(";"):
        level, _, values = part.strip().partition("=")
        names = ", ".join(v for v in values.split(",") if v) or "nessuno"
        parts.append(f"{SCOPE_LEVELS.get(level, level)} {names}")
    return " · ".join(parts)
