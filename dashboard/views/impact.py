"""Impatto del gestore sociale: units by tenure and contract type, arrears and vacancy per intervention against
the references, cases and repayment plans, community activity, facility tickets, and the shareable report."""

from functools import partial

import streamlit as st

from dashboard import auth, filters, gestore_sections, tiles
from osservatorio.charts import impact as impact_charts
from dashboard import economics_data as ed
from dashboard import monitoring_data as md
from dashboard import social_data as sd
from dashboard.data import get_engine
from osservatorio.exports import DAYS, EUR, INT, PCT
from dashboard.privacy import protect
from dashboard.private_downloads import download_button
from dashboard.tables import Col, code_label, kpi_col, show_table, side_by_side
from indicators import track_record
from indicators.disclosure import TICKET_COUNTS, hide_value, is_small
from indicators.registry import TRACK_RECORD_SHARES, get_kpi
from osservatorio import audit
from osservatorio.reports.impact import ReportScope, count_text, scope_label

REPORT_MIME = {"pdf": "application/pdf", "html": "text/html"}


def units(f: filters.Filters) -> None:
    st.subheader("Alloggi gestiti")
    with st.columns(3)[0]:
        tiles.kpi_tile("units_managed", f)
    left, right = st.columns(2)
    for col, by, heading in ((left, "tenure", "Regime"), (right, "contract_type", "Tipo di contratto del gestore")):
        frame = sd.units_managed(as_of=f.as_of, scope=f.scope, by=by)
        with col:
            shown = protect(frame, f, by="tenure") if by == "tenure" else frame
            show_table(shown, [Col("group", heading, labels={None: "Non indicato"}),
                               kpi_col("value", "units_managed", "Alloggi"), Col("share", "Quota", PCT)],
                       name=f"alloggi_per_{by}", key=f"imp_units_{by}", empty="Nessun alloggio in gestione alla data.")
    st.caption(TRACK_RECORD_SHARES)


def arrears_and_vacancy(f: filters.Filters) -> None:
    st.subheader("Morosità e sfitto rispetto ai riferimenti")
    cols = st.columns(3)
    for col, code in zip(cols, ("arrears_rate_billed", "households_in_arrears_pct", "vacancy_rate")):
        with col:
            tiles.kpi_tile(code, f)
    codes = ("arrears_rate_billed", "households_in_arrears_pct", "vacancy_rate")
    frames = {code: md.kpi(code, as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, by="intervention",
                           suppress=f.suppress) for code in codes}
    groups = protect(side_by_side(frames), f, by="intervention")
    show_table(groups, [Col("group", "Intervento", labels={g: f.intervention_label(g) for g in groups["group"]}),
                        *[kpi_col(code, code) for code in frames]], name="impatto_per_intervento",
               key="imp_by_int", empty="Nessun intervento nel perimetro scelto.")
    if not groups.empty:
        labels = {g: f.intervention_label(g) for g in groups["group"]}
        left, right = st.columns(2)
        for col, code in ((left, "arrears_rate_billed"), (right, "vacancy_rate")):
            refs = md.benchmarks(code)
            fig = impact_charts.by_intervention(groups, code, labels, name=get_kpi(code).label,
                                                references=refs[refs["label"] == tiles.PREFERRED_REFERENCE],
                                                targets=ed.drawn_targets(code, scope=f.scope, per_intervention=True))
            col.plotly_chart(fig, width="stretch", key=f"imp_chart_{code}")


def count(value, f: filters.Filters) -> str:
    """A count of cases, hidden below the small-cell threshold for suppressed users."""
    return count_text(value, f.suppress)


def cases_and_plans(f: filters.Filters) -> None:
    st.subheader("Pratiche di morosità e piani di rientro")
    st.caption("Pratiche aperte nel periodo, con lo stato alla data di riferimento.")
    summary = sd.case_summary(as_of=f.as_of, start=f.start, end=f.end, scope=f.scope)
    tools = sd.instruments_summary(as_of=f.as_of, start=f.start, end=f.end, scope=f.scope)
    plan = tools.set_index("instrument").reindex(["piano_rientro"]).iloc[0]
    b = summary.breakdown
    cols = st.columns(4)
    cols[0].metric("Pratiche risolte", count(b.get("resolved"), f), border=True,
                   help="Pratiche chiuse con il debito saldato (chiusura per saldo).")
    cols[1].metric("Piani di rientro firmati", count(plan.get("cases"), f), border=True)
    cols[2].metric("Piani di rientro completati", count(plan.get("resolved"), f), border=True,
                   help="Pratiche con piano di rientro chiuse con il debito saldato.")
    recovered = md.protected(sd.plan_recovery(as_of=f.as_of, start=f.start, end=f.end, scope=f.scope),
                             f.suppress, code="plan_recovery_eur", as_of=f.as_of, scope=f.scope)
    if f.suppress is not None and is_small(plan.get("cases"), f.suppress):  # money from few plans is theirs
        recovered = hide_value(recovered, threshold=f.suppress)
    with cols[3]:
        tiles.tile(recovered)


def community(f: filters.Filters) -> None:
    st.subheader("Attività dei laboratori collegati agli interventi")
    labs = sd.community_labs(scope=f.scope)
    if labs.empty:
        st.info("Nessun laboratorio collegato agli interventi del perimetro: "
                f"{track_record.NO_COMMUNITY_ACTIVITY}.", icon=":material/info:")
        return
    frame = sd.community_activity(start=f.start, end=f.end, scope=f.scope)
    st.caption("Solo i Laboratori Sociali di Quartiere collegati a un intervento del perimetro, nel periodo scelto. "
               "Partecipanti e nuclei sono contatti sommati sulle attività, non persone distinte.")
    for lab in labs.itertuples(index=False):
        st.markdown(f"**{track_record.community_heading(lab.title)}** · {f.intervention_label(lab.intervention_code)}")
        show_table(frame[frame["lab"] == lab.code],
                   [Col("group", "Tipo di attività", labels={}), kpi_col("activities", "lab_activities"),
                    kpi_col("participants", "lab_participants"),
                    kpi_col("households_reached", "lab_households_reached"),
                    kpi_col("households_taken_in_charge", "lab_households_taken_in_charge")],
                   name=f"attivita_{lab.code}", key=f"imp_community_{lab.code}",
                   empty=f"Nel periodo: {track_record.NO_COMMUNITY_ACTIVITY}.")


def tickets(f: filters.Filters) -> None:
    st.subheader("Manutenzione: segnalazioni")
    cols = st.columns(3)
    for col, code in zip(cols, ("ticket_days_to_close", "ticket_backlog", "ticket_cost_per_unit_eur")):
        with col:
            tiles.kpi_tile(code, f)
    summary = protect(sd.ticket_summary(start=f.start, end=f.end, scope=f.scope, by="category"), f,
                      counts=TICKET_COUNTS)
    show_table(summary, [Col("group", "Categoria", labels={}), Col("opened", "Aperte", INT),
                         Col("closed", "Chiuse", INT),
                         kpi_col("days_mean", "ticket_days_to_close", "Giorni medi"),
                         Col("days_median", "Giorni mediani", DAYS), kpi_col("backlog", "ticket_backlog",
                                                                             "Aperte a fine periodo"),
                         Col("cost", "Costo", EUR), kpi_col("cost_per_unit", "ticket_cost_per_unit_eur",
                                                           "Costo per alloggio")],
               name="segnalazioni_per_categoria", key="imp_tickets", empty="Nessuna segnalazione nel perimetro.")
    if not summary.empty:
        goals = ed.drawn_targets("ticket_days_to_close", scope=f.scope)
        st.plotly_chart(impact_charts.ticket_days(summary, {g: code_label(g) for g in summary["group"]},
                                                  targets=goals), width="stretch", key="imp_ticket_chart")


@st.cache_data(ttl=600, show_spinner=False, max_entries=20)
def _report(kind: str, rs) -> bytes:
    from osservatorio.reports.impact import impact_html, impact_pdf

    return impact_pdf(get_engine(), rs) if kind == "pdf" else impact_html(get_engine(), rs).encode("utf-8")


def report(f: filters.Filters) -> None:
    st.subheader("Rapporto da condividere")
    user = auth.current_user()
    rs = ReportScope(f.scope, f.start, f.end, f.as_of, label=scope_label(f.scope), suppress=f.suppress)
    cols = st.columns(2)
    for col, kind in zip(cols, ("pdf", "html")):
        name = f"impatto_{f.as_of:%Y%m%d}.{kind}"
        if col.button(f"Prepara il rapporto ({kind.upper()})", key=f"imp_prepare_{kind}"):
            with st.spinner("Preparo il rapporto..."):
                st.session_state[f"imp_report_{kind}"] = (name, _report(kind, rs))
            audit.record(get_engine(), audit.REPORT, user=user, detail=name)
        ready = st.session_state.get(f"imp_report_{kind}")
        if ready:
            download_button(col, f"Scarica {ready[0]}", partial(bytes, ready[1]), file_name=ready[0],
                            mime=REPORT_MIME[kind], key=f"imp_dl_{kind}", user=user)
    st.caption("Copertina, cifre chiave con le definizioni, grafici, tabelle e nota metodologica, in italiano; l'HTML "
               "si apre anche senza rete, il PDF ha testo ricercabile.")


auth.require("views/impact.py")
flt = filters.monitoring_page("Impatto del gestore sociale")
units(flt)
arrears_and_vacancy(flt)
cases_and_plans(flt)
gestore_sections.community_register(flt)
community(flt)
tickets(flt)
gestore_sections.facility_quality(flt)
gestore_sections.tenancy_pipeline(flt)
gestore_sections.mix(flt)
report(flt)
