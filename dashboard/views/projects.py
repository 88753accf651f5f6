"""Progetti: funded projects as funders report them (programmed, admitted, committed, paid) and the shares paid."""

from datetime import date

import streamlit as st

from dashboard import auth, filters, tiles
from osservatorio.charts import impact as impact_charts
from dashboard import social_data as sd
from osservatorio.exports import DATE, EUR
from dashboard.tables import Col, kpi_col, show_table
from indicators import funding
from indicators.registry import get_kpi
from osservatorio import escaping
from osservatorio.formatting import fmt_eur, fmt_int

auth.require("views/projects.py")
st.title("Progetti finanziati")
scope = filters.user_scope()
projects = sd.funding_projects(scope=scope)
if projects.empty:
    st.info("Nessun progetto finanziato nel perimetro: caricare il file «finanziamenti» (codice progetto, titolo, "
            "programmato, ammesso, impegnato, pagato) dalla pagina Caricamenti.", icon=":material/info:")
    st.stop()
counts_shown = filters.suppression_threshold() is None  # the Regione sees no small counts: the flags say it
cols = st.columns(4 if counts_shown else 3)
paid = sd.funding_paid_share(scope=scope)
# four tiles in a row leave no room for the cents: whole euros there, the exact amount in the help
cols[0].metric("Ammesso a finanziamento", fmt_eur(paid.breakdown["admitted"], cents=not counts_shown),
               border=True, help=f"Somma degli importi ammessi dei {len(projects)} progetti "
                                 f"({fmt_eur(paid.breakdown['admitted'])}); programmato "
                                 f"{fmt_eur(paid.breakdown['programmed'])}.")
with cols[1]:
    tiles.tile(sd.funding_committed_share(scope=scope))
with cols[2]:
    tiles.tile(paid)
stalled = sd.funding_stalled(as_of=date.today(), scope=scope)
if counts_shown:
    cols[3].metric(get_kpi("funding_stalled_projects").label, fmt_int(stalled.value), border=True,
                   help=get_kpi("funding_stalled_projects").help)
for warning in stalled.warnings:
    st.error(escaping.md(warning), icon=":material/report:")
st.plotly_chart(impact_charts.funding(projects), width="stretch", key="prj_chart")
show_table(projects, [Col("code", "Codice"), Col("title", "Progetto"),
                      Col("status", "Stato", labels=funding.STATUS_LABELS),
                      Col("programme", "Programma", labels={None: ""}), Col("cup", "CUP", labels={None: ""}),
                      Col("implementing_body", "Soggetto attuatore", labels={None: ""}),
                      Col("rup", "RUP", labels={None: ""}),
                      Col("intervention_code", "Intervento", labels={None: ""}), Col("start_date", "Inizio", DATE),
                      Col("end_date", "Fine", DATE), Col("programmed", "Programmato", EUR),
                      Col("admitted", "Ammesso", EUR), Col("committed", "Impegnato", EUR), Col("paid", "Erogato", EUR),
                      kpi_col("committed_pct", "funding_committed_pct", "Quota impegnata"),
                      kpi_col("paid_pct", "funding_paid_pct", "Quota erogata")],
           name="progetti_finanziati", key="prj_table", empty="Nessun progetto.")
st.caption("Importi come li pubblica l'ente finanziatore (programmato, ammesso a finanziamento, giuridicamente "
           "vincolante, erogato); le quote sono sull'importo ammesso. Un progetto concluso con importi ammessi e nulla "
           "di impegnato è «fermo», non a zero. I progetti senza intervento (per esempio quelli "
           "di un Comune) li vede solo chi ha tutto il portafoglio.")
