"""Inizio: what the warehouse holds, per kind of data, and how to fill it when it is empty."""

import streamlit as st

from dashboard import data, display
from osservatorio.formatting import fmt_int

st.title("Osservatorio dell'abitare sociale")

overview = data.overview()

if overview.empty:
    st.info("Il magazzino dati è vuoto: nessun file è ancora stato caricato.", icon=":material/inventory_2:")
    st.markdown(
        "**Come caricare i dati.** Da riga di comando, un file alla volta indicando il tipo di dati, "
        "oppure un'intera cartella con i file nominati per tipo (`alloggi.csv`, `contratti.xlsx`...):"
    )
    st.code("osservatorio load alloggi alloggi.csv\nosservatorio load-dir cartella-dei-file/", language="bash")
    st.markdown("Per provare il cruscotto con dati di esempio realistici (e fittizi):")
    st.code("osservatorio demo", language="bash")
    st.markdown("In alternativa, caricare un file CSV o XLSX dalla pagina **Caricamenti**.")
    st.page_link("views/loads.py", label="Vai a Caricamenti", icon=":material/upload_file:")
    st.stop()

cols = st.columns(3)
cols[0].metric("Tipi di dati presenti", f"{overview.kinds_with_data} di {overview.kinds_total}")
cols[1].metric("Alloggi", fmt_int(overview.units))
cols[2].metric("Ultimo caricamento", display.fmt_local_datetime(overview.last_load))

st.subheader("Contenuto del magazzino dati")
inv = data.inventory()
st.dataframe(display.inventory_view(inv), column_config=display.INVENTORY_COLUMNS, hide_index=True,
             width="stretch", height="content")
missing = display.missing_kinds(inv)
if missing:
    st.caption("Ancora nessun dato per: " + "; ".join(missing) + ".")
