"""Assegnazioni e sfratti: the applications funnel, times to allocation, the waiting list, allocations per year,
the portfolio's evictions per 1,000 units and the Comuni's eviction statistics (seed 003)."""

import streamlit as st

from dashboard import auth, filters, tiles
from osservatorio.charts import impact as impact_charts
from dashboard import economics_data as ed
from dashboard import social_data as sd
from osservatorio.exports import INT, PCT
from dashboard.tables import Col, kpi_col, show_table
from dashboard.privacy import protect
from indicators.allocations import funnel_frame
from indicators.disclosure import blank_small
from osservatorio.formatting import fmt_kpi, fmt_pct


def applications(f: filters.Filters) -> None:
    st.subheader("Domande di assegnazione")
    st.caption("Domande presentate nei Comuni degli interventi del perimetro, con l'esito che hanno nei dati.")
    cols = st.columns(3)
    with cols[0]:
        received = tiles.kpi_tile("applications_received", f)
    with cols[1]:
        days = tiles.kpi_tile("allocation_days", f)
        if tiles.breakdown(days).get("median") is not None:
            st.caption(f"Mediana {fmt_kpi('days', days.breakdown['median'])} su "
                       f"{tiles.part(days, 'allocations')} assegnazioni.")
    with cols[2]:
        waiting = tiles.kpi_tile("waiting_list", f)
        st.caption(f"Idonee in attesa {tiles.part(waiting, 'idonee_in_attesa')}, in istruttoria "
                   f"{tiles.part(waiting, 'in_istruttoria')}.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Dalla domanda all'assegnazione** (domande ricevute nel periodo)")
        st.plotly_chart(impact_charts.funnel(funnel_frame(received)), width="stretch", key="alloc_funnel")
        st.caption(f"Assegnate {tiles.part(received, 'allocated_pct', fmt_pct)} delle ricevute; non idonee "
                   f"{tiles.part(received, 'rejected')}, in istruttoria {tiles.part(received, 'pending')}.")
    with right:
        st.markdown("**Domande in attesa a fine mese**")
        series = blank_small(sd.waiting_list_series(start=f.trend_start, end=f.as_of, scope=f.scope),
                             ("waiting",), threshold=f.suppress)
        st.plotly_chart(impact_charts.waiting(series, targets=ed.drawn_targets("waiting_list", scope=f.scope)),
                        width="stretch", key="alloc_waiting")
    years = protect(sd.allocations_by_year(scope=f.scope), f, counts=("received", "allocations"))
    show_table(years.assign(year=years["year"].astype(str)), [
        Col("year", "Anno"), Col("received", "Domande ricevute", INT), Col("allocations", "Assegnazioni", INT),
        kpi_col("days_mean", "allocation_days", "Giorni medi dalla domanda")],
        name="assegnazioni_per_anno", key="alloc_years", empty="Nessuna domanda caricata (file «domande»).")


def evictions(f: filters.Filters) -> None:
    st.subheader("Sfratti")
    own = sd.evictions_by_year(scope=f.scope, first_year=f.first_day.year, last_year=f.as_of.year)
    own = protect(own, f, counts=("evictions",))
    st.markdown("**Nel portafoglio** (pratiche e contratti cessati per sfratto)")
    show_table(own.assign(year=own["year"].astype(str)), [
        Col("year", "Anno"), Col("evictions", "Sfratti eseguiti", INT), Col("units", "Alloggi a fine anno", INT),
        kpi_col("per_1000", "evictions_per_1000")], name="sfratti_portafoglio", key="alloc_own",
        empty="Nessun alloggio nel perimetro.")
    stats = sd.municipal_evictions(scope=f.scope)
    st.markdown("**Nei Comuni** (statistiche comunali: convalidati dal tribunale ed eseguiti)")
    if stats.empty:
        st.info("Nessuna statistica comunale sugli sfratti per i Comuni del perimetro (file «sfratti»).")
        return
    comuni = sorted(stats["municipality"].unique())
    default = "Cinisello Balsamo" if "Cinisello Balsamo" in comuni else comuni[0]
    comune = st.selectbox("Comune", comuni, index=comuni.index(default), key="alloc_comune")
    chosen = stats[stats["municipality"] == comune]
    st.plotly_chart(impact_charts.municipal_evictions(chosen), width="stretch", key="alloc_evictions")
    show_table(chosen.assign(year=chosen["year"].astype(str)), [
        Col("year", "Anno"), Col("validated", "Convalidati", INT),
        kpi_col("executed", "evictions_executed", "Eseguiti"), Col("executed_pct", "Eseguiti / convalidati", PCT)],
        name=f"sfratti_{comune}", key="alloc_stats", empty="Nessun dato.")
    st.caption("Per 1.000 alloggi: non calcolabile sulle statistiche comunali, che non riportano il parco di "
               "riferimento (gli sfratti comunali riguardano anche il mercato privato). Gli sfratti eseguiti in un "
               "anno possono venire da convalide degli anni precedenti, perciò il rapporto può superare il 100%. Dati "
               "pubblici, mostrati come contesto; l'ultimo anno può essere parziale.")


auth.require("views/allocations.py")
flt = filters.monitoring_page("Assegnazioni e sfratti")
applications(flt)
evictions(flt)
