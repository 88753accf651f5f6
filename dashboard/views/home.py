"""Inizio: what the warehouse holds, per kind of data (administrators), or the user's own portfolio."""

import streamlit as st

from dashboard import auth, data, display
from dashboard import monitoring_data as md
from osservatorio.pages import pages_for
from osservatorio import escaping
from osservatorio.formatting import fmt_int
from osservatorio.roles import ADMIN


def own_portfolio(user) -> None:
    """What a non-administrator sees: their role, their part of the portfolio and their pages."""
    st.markdown(f"Accesso come **{escaping.md(user.username)}**, ruolo *{user.role_info.label}*: "
                f"{user.role_info.description.lower()}.")
    tree = md.portfolio_tree(user.scope)
    if tree.empty:
        st.info("Nessun alloggio caricato nel proprio perimetro.", icon=":material/inventory_2:")
        st.stop()
    per_int = (tree.groupby(["sgr", "fund", "intervention_code", "intervention_name"], dropna=False)["units"].sum()
               .reset_index())
    cols = st.columns(3)
    cols[0].metric("Interventi", fmt_int(len(per_int)))
    cols[1].metric("Edifici", fmt_int(len(tree)))
    cols[2].metric("Alloggi", fmt_int(int(tree["units"].sum())))
    st.subheader("Il proprio perimetro")
    st.dataframe(per_int.assign(units=per_int["units"].map(fmt_int)).rename(columns={
        "sgr": "SGR", "fund": "Fondo", "intervention_code": "Intervento", "intervention_name": "Nome",
        "units": "Alloggi"}), hide_index=True, width="stretch", height="content")
    for spec in pages_for(user.role)[1:]:
        st.page_link(spec.path, label=spec.title, icon=spec.icon)
    st.stop()


st.title("Osservatorio dell'abitare sociale")
current = auth.require("views/home.py")
if current.role != ADMIN:
    own_portfolio(current)

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
