"""Caricamenti: upload a file, see every load with its accounting, and the rows set aside."""

from pathlib import Path

import streamlit as st

from dashboard import auth, data, display, freshness
from etl.kinds import KINDS, LOAD_ORDER
from etl.loader import LoadResult, kind_of_file
from osservatorio import escaping
from osservatorio.formatting import fmt_int, fmt_seconds
from osservatorio.settings import get_settings

QUARANTINE_LIMIT = 1000


def _guess_kind() -> None:
    """When a file is chosen, pre-select the kind its name says (alloggi.csv -> alloggi)."""
    uploaded = st.session_state.get("upload_file")
    st.session_state["upload_kind"] = kind_of_file(Path(uploaded.name)) if uploaded is not None else None


def _kind_label(kind: str) -> str:
    return f"{KINDS[kind].description} ({kind})"


def upload_section() -> None:
    st.subheader("Carica un file")
    limit_mb = get_settings().max_upload_mb
    uploaded = st.file_uploader("File CSV o XLSX, come esportato dal gestionale", type=["csv", "txt", "xlsx"],
                                key="upload_file", on_change=_guess_kind, max_upload_size=limit_mb,
                                help=f"Il pulsante «Scegli il file» apre la scelta del file (al massimo {limit_mb} MB; "
                                     "i file più grandi si caricano con il comando `osservatorio load`). "
                                     "Il file viene controllato riga per riga: le righe con errori vanno in "
                                     "quarantena, le altre sono caricate.")
    if uploaded is not None and uploaded.size > limit_mb * 1024 * 1024:
        st.error(f"Il file supera il limite di {limit_mb} MB della pagina: caricarlo con `osservatorio load`.")
        uploaded = None
    mapping = st.file_uploader("File di mappatura delle colonne (facoltativo), TOML o CSV", type=["toml", "csv"],
                               key="upload_mapping",
                               help="Serve quando le intestazioni del file non sono riconosciute: ogni riga dice "
                                    "quale colonna del file corrisponde a quale colonna di Osservatorio, per esempio "
                                    "`\"Cod. U.I.\" = \"codice_alloggio\"` sotto `[colonne]` (TOML) oppure "
                                    "`Cod. U.I.;codice_alloggio` (CSV a due colonne).")
    kind = st.selectbox("Tipo di dati", LOAD_ORDER, index=None, format_func=_kind_label, key="upload_kind",
                        placeholder="Scegliere il tipo di dati del file",
                        help="Proposto in base al nome del file (es. alloggi.csv); verificare prima di caricare.")
    if st.button("Carica nel magazzino dati", type="primary", key="upload_go", icon=":material/upload:",
                 disabled=uploaded is None or kind is None) and uploaded is not None and kind is not None:
        bar = st.progress(0.0, text="Lettura del file…")

        def progress(done: int, total: int) -> None:
            bar.progress(min(done / max(total, 1), 1.0), text=f"Righe lette: {fmt_int(done)} di circa {fmt_int(total)}")

        st.session_state["last_upload"] = data.run_upload(
            uploaded.name, uploaded.getvalue(), kind, progress=progress, user=auth.current_user(),
            mapping=(mapping.name, mapping.getvalue()) if mapping is not None else None)
        bar.empty()
    if "last_upload" in st.session_state:
        show_result(st.session_state["last_upload"])


def show_result(result: LoadResult) -> None:
    """Summary of one load: status badge, row accounting, message and the rows set aside."""
    color = display.status_color(result.status)
    st.badge(f"{escaping.md(result.file_name, brackets=False)} · {display.status_label(result.status)}", color=color,
             icon=display.STATUS_ICON.get(color))
    cols = st.columns(5)
    cols[0].metric("Righe lette", fmt_int(result.read))
    cols[1].metric("Caricate", fmt_int(result.loaded))
    cols[2].metric("Scartate", fmt_int(result.quarantined), help="Righe messe in quarantena, elencate sotto")
    cols[3].metric("Duplicate", fmt_int(result.duplicate))
    cols[4].metric("Durata", fmt_seconds(result.seconds))
    if result.message:
        (st.error if result.status in ("rifiutato", "fallito") else st.info)(escaping.md(result.message))
    if result.ignored_columns:
        st.caption("Colonne ignorate (non previste per questo tipo): " + escaping.md(", ".join(result.ignored_columns)))
    if result.quarantined and result.batch_id is not None:
        rows = data.quarantined_rows(batch_id=result.batch_id, limit=QUARANTINE_LIMIT)
        st.markdown("**Righe scartate di questo caricamento**")
        st.dataframe(display.quarantine_view(rows), column_config=display.QUARANTINE_COLUMNS, hide_index=True,
                     width="stretch")


def history_section() -> None:
    head, button = st.columns([5, 1], vertical_alignment="bottom")
    head.subheader("Storico dei caricamenti")
    if button.button("Aggiorna", icon=":material/refresh:", key="refresh", width="stretch"):
        data.refresh()
    history = data.load_history()
    if history.empty:
        st.info("Nessun caricamento registrato.")
        return
    st.dataframe(display.history_view(history), column_config=display.HISTORY_COLUMNS, hide_index=True,
                 width="stretch")


def quarantine_section() -> None:
    st.subheader("Righe in quarantena")
    batches = data.batches_with_quarantine()
    if batches.empty:
        st.success("Nessuna riga scartata nei caricamenti registrati.", icon=":material/check_circle:")
        return
    labels = {int(row["caricamento"]): display.batch_label(row) for _, row in batches.iterrows()}
    batch_id = st.selectbox("Caricamento", [None, *labels], key="quarantine_batch",
                            format_func=lambda b: "Tutti i caricamenti" if b is None else labels[b])
    rows = data.quarantined_rows(batch_id=batch_id, limit=QUARANTINE_LIMIT)
    st.dataframe(display.quarantine_view(rows), column_config=display.QUARANTINE_COLUMNS, hide_index=True,
                 width="stretch")
    if len(rows) == QUARANTINE_LIMIT:
        st.caption(f"Mostrate le prime {fmt_int(QUARANTINE_LIMIT)} righe: scegliere un caricamento per vederne altre.")


auth.require("views/loads.py")
st.title("Caricamenti")
with st.container(border=True):
    upload_section()
freshness.build_status()
history_section()
quarantine_section()
