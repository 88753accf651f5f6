"""What the warehouse holds and how it got there: per-kind inventory, load history, quarantine."""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Engine, Select, select, text
from sqlmodel import col

from etl.kinds import KINDS, LOAD_ORDER
from indicators import store
from schemas.loads import LoadBatch, QuarantinedRow

# The column that dates each kind's records, for "dates covered".
DATE_FIELD = {
    "interventi": "management_start", "contratti": "start_date", "movimenti": "entry_date",
    "pratiche_morosita": "event_date", "segnalazioni": "opened_on", "laboratori": "start_date",
    "attivita_laboratorio": "activity_date", "indicatori_contesto": "measured_on", "consuntivi": "year",
    "budget": "year", "sfratti": "year", "domande": "applied_on", "finanziamenti": "start_date",
    "obiettivi_laboratorio": "assessed_on", "presidi_laboratorio": "opened_on", "giudizi_laboratorio": "assessed_on",
    "note_valutazione": "noted_on",
    "attivita_comunita": "activity_date",
}


def inventory(engine: Engine) -> pd.DataFrame:
    """One row per kind: description, rows held, first and last date (or year) covered.

    Counted on the analytics copy (the figures' snapshot: a count of the warehouse's large tables takes seconds),
    so it says what the figures include; on the warehouse itself while there is no copy yet."""
    try:
        reader = store.reader(engine)
    except store.NotBuilt:
        with engine.connect() as conn:
            return _inventory(lambda sql: tuple(conn.execute(text(sql)).one()))
    return _inventory(lambda sql: tuple(reader.execute(sql).fetchall()[0]))


def _inventory(count) -> pd.DataFrame:
    rows = []
    for name in LOAD_ORDER:
        kind = KINDS[name]
        date_col = DATE_FIELD.get(name)
        spans = f"MIN({date_col}), MAX({date_col})" if date_col else "NULL, NULL"
        res = count(f"SELECT COUNT(*), {spans} FROM {kind.table}")  # our own table and column names only
        rows.append({"tipo": name, "descrizione": kind.description, "righe": res[0],
                     "dal": _day(res[1]) if date_col else None, "al": _day(res[2]) if date_col else None,
                     "annuale": date_col == "year"})
    return pd.DataFrame(rows)


def _day(value):
    """A date as the warehouse gives it (SQLite: text), or a year, as it is."""
    return date.fromisoformat(value[:10]) if isinstance(value, str) else value


def load_history(engine: Engine, *, limit: int = 200) -> pd.DataFrame:
    """The most recent loads, newest first, with the accounting of their rows."""
    query: Select = (select(col(LoadBatch.id).label("caricamento"), col(LoadBatch.started_at).label("inizio"),
                    col(LoadBatch.kind).label("tipo"), col(LoadBatch.file_name).label("file"),
                    col(LoadBatch.status).label("esito"),
                    col(LoadBatch.rows_read).label("letti"), col(LoadBatch.rows_loaded).label("caricati"),
                    col(LoadBatch.rows_quarantined).label("in_quarantena"),
                    col(LoadBatch.rows_duplicate).label("duplicati"),
                    col(LoadBatch.finished_at).label("fine"), col(LoadBatch.message).label("messaggio"),
                    col(LoadBatch.sha256).label("sha256"))
             .order_by(col(LoadBatch.id).desc()).limit(limit))
    with engine.connect() as conn:
        frame = pd.DataFrame(conn.execute(query).mappings().all())
    if frame.empty:
        return pd.DataFrame(columns=[c.name for c in query.selected_columns])
    elapsed = pd.to_datetime(frame["fine"], utc=True) - pd.to_datetime(frame["inizio"], utc=True)
    frame["secondi"] = elapsed.dt.total_seconds()
    return frame


def quarantined_rows(engine: Engine, *, batch_id: int | None = None, limit: int = 1000) -> pd.DataFrame:
    """Rows set aside, with line, column, value, reason and the (pseudonymised) row as written."""
    query: Select = (select(col(QuarantinedRow.batch_id).label("caricamento"), col(LoadBatch.file_name).label("file"),
                    col(QuarantinedRow.line).label("riga"), col(QuarantinedRow.column_name).label("colonna"),
                    col(QuarantinedRow.value).label("valore"), col(QuarantinedRow.reason).label("motivo"),
                    col(QuarantinedRow.raw).label("riga_originale"))
             .join(LoadBatch, col(LoadBatch.id) == col(QuarantinedRow.batch_id))
             .order_by(col(QuarantinedRow.batch_id).desc(), col(QuarantinedRow.line)).limit(limit))
    if batch_id is not None:
        query = query.where(col(QuarantinedRow.batch_id) == batch_id)
    with engine.connect() as conn:
        return pd.DataFrame(conn.execute(query).mappings().all(),
                            columns=["caricamento", "file", "riga", "colonna", "valore", "motivo", "riga_originale"])
