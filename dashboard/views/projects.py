"""Progetti: funded projects as funders report them (programmed, admitted, committed, paid) and the shares paid."""

import streamlit as st

from dashboard import auth, filters, tiles
from osservatorio.charts import impact as impact_charts
from dashboard import social_data as sd
from osservatorio.exports import DATE, EUR
from dashboard.tables import Col, kpi_col, show_table
from osservatorio.formatting import fmt_eur

auth.require("views/projects.py")
st.title("Progetti finanziati")
scope = filters.user_scope()
projects = sd.funding_projects(scope=scope)
if projects.empty:
    st.info("Nessun progetto finanziato nel perimetro: caricare il file «finanziamenti» (codice progetto, titolo, "
            "programmato, ammesso, impegnato, pagato) dalla pagina Caricamenti.", icon=":material/info:")
    st.stop()
cols = st.columns(3)
paid = sd.funding_paid_share(scope=scope)
cols[0].metric("Ammesso a finanziamento", fmt_eur(paid.breakdown["admitted"]), border=True,
               help=f"Somma degli importi ammessi dei {len(projects)} progetti; programmato "
                    f"{fmt_eur(paid.breakdown['programmed'])}.")
with cols[1]:
    tiles.tile(sd.funding_committed_share(scope=scope))
with cols[2]:
    tiles.tile(paid)
st.plotly_chart(impact_charts.funding(projects), width="stretch", key="prj_chart")
show_table(projects, [Col("code", "Codice"), Col("title", "Progetto"), Col("programme", "Programma", labels={None: ""}),
                      Col("intervention_code", "Intervento", labels={None: ""}), Col("start_date", "Inizio", DATE),
                      Col("end_date", "Fine", DATE), Col("programmed", "Programmato", EUR),
                      Col("admitted", "Ammesso", EUR), Col("committed", "Impegnato", EUR), Col("paid", "Erogato", EUR),
                      kpi_col("committed_pct", "funding_committed_pct", "Quota impegnata"),
                      kpi_col("paid_pct", "funding_paid_pct", "Quota erogata")],
           name="progetti_finanziati", key="prj_table", empty="Nessun progetto.")
st.caption("Importi come li pubblica l'ente finanziatore (programmato, ammesso a finanziamento, giuridicamente "
           "vincolante, erogato); le quote sono sull'importo ammesso. I progetti senza intervento (per esempio quelli "
           "di un Comune) li vede solo chi ha tutto il portafoglio.")
