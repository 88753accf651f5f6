"""Sfitto: empty units at the date, their trend (available / unavailable), void loss, relets, turnover, evictions."""

from functools import partial

import streamlit as st

from dashboard import auth, filters, tiles
from osservatorio.charts import common as charts
from dashboard import economics_data as ed
from dashboard import monitoring_data as md
from osservatorio.exports import DATE, DAYS, EUR, INT
from dashboard.privacy import protect
from dashboard.tables import Col, kpi_col, show_table, side_by_side
from osservatorio.formatting import fmt_count, fmt_int, fmt_kpi, fmt_num

EXCLUSIONS = {"prima_locazione": "Prima locazione", "dopo_lavori": "Dopo lavori importanti",
              "date_incoerenti": "Date incoerenti"}
EXCLUDED_COUNTS = {"escluse_prime_locazioni": "prime locazioni", "escluse_dopo_lavori": "dopo lavori importanti",
                   "escluse_date_incoerenti": "date incoerenti"}  # keys of relet_times' breakdown


def headline(f: filters.Filters) -> None:
    cols = st.columns(4)
    with cols[0]:
        rate = tiles.kpi_tile("vacancy_rate", f)
        b = tiles.breakdown(rate)
        if b:
            units = fmt_count(b.get("alloggi"), "alloggio", "alloggi")
            st.caption(f"Vuoti {fmt_int(b.get('vuoti'))} su {units}: locabili "
                       f"{fmt_kpi('pct', b.get('disponibili'))}, "
                       f"non disponibili {fmt_kpi('pct', b.get('non_disponibili'))}.")
    with cols[1]:
        tiles.kpi_tile("vacancy_days_pct", f)
    with cols[2]:
        loss = tiles.kpi_tile("void_loss_eur", f)
        if tiles.breakdown(loss).get("alloggi_vuoti_disponibili") is not None:
            n_units = loss.breakdown["alloggi_vuoti_disponibili"]
            left = fmt_count(n_units, "alloggio locabile rimasto vuoto", "alloggi locabili rimasti vuoti")
            days = fmt_count(loss.breakdown.get("giorni_vuoti_disponibili"), "giorno", "giorni")
            st.caption(f"Su {left} nel periodo, {days} di sfitto.")
    with cols[3]:
        ev = tiles.kpi_tile("evictions_per_1000", f)
        if tiles.breakdown(ev).get("sfratti") is not None:
            st.caption(f"{fmt_count(ev.breakdown['sfratti'], 'sfratto eseguito', 'sfratti eseguiti')} nel periodo.")


def trend(f: filters.Filters) -> None:
    st.subheader("Andamento dello sfitto")
    series = md.vacancy_series(start=f.trend_start, end=f.as_of, scope=f.scope)
    if series.empty:
        st.info("Nessun alloggio nel perimetro nel periodo: nessun andamento da mostrare.")
        return
    refs = tiles.references_picker("vacancy_rate", key="vac_refs")
    fig = charts.stacked_area(series, "month", {"available_rate": "Vuoti locabili", "unavailable_rate":
                              "Vuoti non disponibili"}, "pct", total=("vacancy_rate", "Tasso di sfitto"),
                              references=refs, targets=ed.drawn_targets("vacancy_rate", scope=f.scope))
    st.plotly_chart(fig, width="stretch", key="vac_trend")
    st.caption(f"Tasso di sfitto a fine mese, {charts.period_caption(f.trend_start, f.as_of)} (l'ultimo punto alla "
               "data di riferimento). Lo stato locabile / non disponibile è quello attuale dell'alloggio.")


def by_intervention(f: filters.Filters) -> None:
    st.subheader("Per intervento")
    codes = ("vacancy_rate", "vacancy_days_pct", "void_loss_eur", "evictions_per_1000")
    frames = {code: md.kpi(code, as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, by="intervention",
                           suppress=f.suppress) for code in codes}
    groups = protect(side_by_side(frames), f, by="intervention")
    cols = [Col("group", "Intervento", labels={g: f.intervention_label(g) for g in groups["group"]}),
            *[kpi_col(code, code) for code in frames]]
    show_table(groups, cols, name="sfitto_per_intervento", key="vac_by_int",
               empty="Nessun intervento nel perimetro scelto.")


def relets_section(f: filters.Filters) -> None:
    st.subheader("Rilocazioni e turnover")
    years = list(range(f.last_day.year, f.first_day.year - 1, -1))
    if "vac_year" not in st.session_state or st.session_state["vac_year"] not in years:
        st.session_state["vac_year"] = f.as_of.year
    year = st.selectbox("Anno", years, key="vac_year", help="Le rilocazioni si contano nell'anno del nuovo contratto.")
    relet = md.relet_times(year=year, scope=f.scope, suppress=f.suppress)
    previous = (md.relet_times(year=year - 1, scope=f.scope, suppress=f.suppress) if year > f.first_day.year
                else None)
    turn = md.turnover(year=year, scope=f.scope, suppress=f.suppress)
    cols = st.columns(4)
    against = f"rispetto al {year - 1}"
    with cols[0]:
        tiles.tile(relet, previous=previous, against=against, references=md.benchmarks("relet_days"),
                   label="Tempo medio di rilocazione")
    with cols[1]:
        st.metric("Tempo mediano di rilocazione", tiles.part(relet, "mediana", partial(fmt_kpi, "days")),
                  help=relet.kpi.help, border=True)
    with cols[2]:
        st.metric("Rilocazioni contate", tiles.part(relet, "rilocazioni"), help=relet.kpi.help, border=True)
        st.caption("Escluse: " + ", ".join(f"{label} {tiles.part(relet, key)}"
                                           for key, label in EXCLUDED_COUNTS.items()) + ".")
    with cols[3]:
        tiles.tile(turn, previous=md.turnover(year=year - 1, scope=f.scope, suppress=f.suppress)
                   if previous is not None else None, against=against)
        if tiles.breakdown(turn):
            ended = fmt_count(turn.breakdown.get("contratti_cessati"), "contratto cessato", "contratti cessati")
            st.caption(f"{ended} su "
                       f"{fmt_num(turn.breakdown.get('alloggi_medi'), 1)} alloggi medi.")
    if f.contract_rows:
        relets_table(f, year, relet.kpi.help)


def relets_table(f: filters.Filters, year: int, days_help: str) -> None:
    table = md.relets(year=year, scope=f.scope)
    cols = [Col("unit_code", "Alloggio"), Col("lease_code", "Nuovo contratto"),
            Col("previous_lease", "Contratto precedente"), Col("previous_end", "Fine precedente", DATE),
            Col("next_start", "Inizio nuovo", DATE), Col("days", "Giorni", DAYS, days_help),
            Col("excluded_reason", "Esclusa perché", labels={None: "", **EXCLUSIONS})]
    with st.expander(f"Contratti iniziati nel {year} ({fmt_int(len(table))})"):
        show_table(table, cols, name=f"rilocazioni_{year}", key="vac_relets",
                   empty=f"Nessun contratto iniziato nel {year} nel perimetro scelto.")


def longest_empty(f: filters.Filters) -> None:
    st.subheader("Alloggi vuoti da più tempo")
    table = md.longest_empty(as_of=f.as_of, scope=f.scope, limit=20)
    cols = [Col("unit_code", "Alloggio"),
            Col("intervention_code", "Intervento", labels={c: f.intervention_label(c) for c in f.intervention_names}),
            Col("status", "Stato", labels={None: "n.d."}),
            Col("never_let", "Mai locato", labels={True: "sì", False: ""}),
            Col("last_lease_end", "Fine ultimo contratto", DATE), Col("days_empty", "Giorni vuoto", INT),
            Col("monthly_rent", "Canone mensile", EUR), kpi_col("void_loss_eur", "void_loss_eur", "Mancato canone")]
    show_table(table, cols, name="alloggi_vuoti", key="vac_longest",
               empty="Nessun alloggio vuoto alla data nel perimetro scelto.")


def evictions() -> None:
    st.subheader("Sfratti nei Comuni")
    stats = md.eviction_stats()
    cols = [Col("municipality", "Comune"), Col("year", "Anno"), Col("validated", "Convalidati", INT),
            Col("executed", "Eseguiti", INT), Col("reason", "Motivo", labels={})]
    show_table(stats.assign(year=stats["year"].astype(str)) if not stats.empty else stats, cols,
               name="sfratti_comuni", key="vac_evictions",
               empty="Nessuna statistica comunale sugli sfratti caricata (tipo di file «sfratti»).")
    st.caption("Dati pubblici comunali, non limitati al portafoglio: servono da contesto.")


auth.require("views/vacancy.py")
flt = filters.monitoring_page("Sfitto")
headline(flt)
trend(flt)
by_intervention(flt)
relets_section(flt)
if flt.contract_rows:  # the Regione sees aggregates only
    longest_empty(flt)
evictions()
