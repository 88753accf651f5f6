"""Economia e obiettivi: revenue against costs per intervention and fund (margin, cost per unit, year and year to
date), the combined performance index against the references, and the targets a direzione sets."""

from datetime import date

import streamlit as st

from dashboard import auth, filters, tiles
from dashboard import economics_data as ed
from dashboard import monitoring_data as md
from dashboard.privacy import protect
from dashboard.tables import Col, kpi_col, show_table
from indicators.catalog import CATALOG
from indicators.registry import get_kpi
from indicators.targets import SETTERS, TargetError, set_target
from osservatorio.charts import economics as economics_charts
from osservatorio.charts import impact as impact_charts
from osservatorio.exports import DATE, EUR, INT, NUM, PCT, TEXT
from osservatorio.formatting import fmt_date, fmt_pct
from dashboard.data import get_engine

BY = {"intervention": "Intervento", "fund": "Fondo"}


def period(f: filters.Filters) -> tuple[date, date, str]:
    """Year to date (default) or the whole previous year."""
    ytd = (date(f.as_of.year, 1, 1), f.as_of, f"dal 1° gennaio al {fmt_date(f.as_of)}")
    year = (date(f.as_of.year - 1, 1, 1), date(f.as_of.year - 1, 12, 31), f"anno {f.as_of.year - 1}")
    choice = st.radio("Periodo", ["ytd", "year"], horizontal=True, key="eco_period",
                      format_func=lambda c: f"Anno {f.as_of.year} a oggi" if c == "ytd" else f"Anno {f.as_of.year - 1}")
    return ytd if choice == "ytd" else year


def economics_section(f: filters.Filters) -> None:
    st.subheader("Ricavi, costi e margine")
    start, end, label = period(f)
    by = st.radio("Per", list(BY), horizontal=True, key="eco_by", format_func=BY.get)
    cols = st.columns(2)
    for col, code in zip(cols, ("operating_margin_eur", "cost_per_unit_eur")):
        with col:
            tiles.tile(md.kpi(code, as_of=end, start=start, end=end, scope=f.scope, suppress=f.suppress))
    frame = ed.economics(start=start, end=end, scope=f.scope, by=by)
    labels = {g: f.intervention_label(g) if by == "intervention" else str(g) for g in frame["group"]}
    show_table(frame, [Col("group", BY[by], labels={**labels, None: "Non attribuiti a un intervento"}),
                       Col("units", "Alloggi", INT), Col("rent_billed", "Canoni addebitati", EUR),
                       Col("charges_billed", "Spese addebitate", EUR), Col("collected", "Incassato", EUR),
                       Col("arrears_loss", "Perdita attesa da morosità", EUR),
                       Col("void_loss", "Mancato canone da sfitto", EUR), Col("costs", "Costi", EUR),
                       kpi_col("margin", "operating_margin_eur", "Margine"), Col("margin_pct", "Margine %", PCT),
                       kpi_col("cost_per_unit", "cost_per_unit_eur")],
               name=f"economia_per_{by}", key="eco_table", empty="Nessun addebito né costo nel periodo.")
    if frame.empty:
        return
    own = by == "intervention"
    left, right = st.columns(2)
    left.markdown("**Addebitato, perdita attesa, costi e margine**", help=get_kpi("operating_margin_eur").help)
    right.markdown("**Costo per alloggio**", help=get_kpi("cost_per_unit_eur").help)
    left.plotly_chart(economics_charts.revenue_and_costs(
        frame, labels, targets=ed.drawn_targets("operating_margin_eur", scope=f.scope, per_intervention=own)),
        width="stretch", key="eco_chart")
    right.plotly_chart(economics_charts.cost_per_unit(
        frame, labels, targets=ed.drawn_targets("cost_per_unit_eur", scope=f.scope, per_intervention=own)),
        width="stretch", key="eco_unit_chart")
    st.caption(f"Periodo: {label}. Margine = addebitato − perdita attesa da morosità − costi consuntivi; il mancato "
               "canone da sfitto è mostrato a parte perché non è mai addebitato. Costi annuali in dodicesimi.")


def index_section(f: filters.Filters) -> None:
    st.subheader("Indice di performance: morosità e sfitto", help=get_kpi("performance_index_pct").help)
    refs = ed.index_references()
    preferred = refs[refs["label"] == tiles.PREFERRED_REFERENCE]  # the chart draws the sector average only
    with st.columns(3)[0]:
        tiles.tile(md.kpi("performance_index_pct", as_of=f.as_of, start=f.start, end=f.end, scope=f.scope,
                          suppress=f.suppress), references=refs)
    frame = md.kpi("performance_index_pct", as_of=f.as_of, start=f.start, end=f.end, scope=f.scope,
                   by="intervention", suppress=f.suppress)
    frame = protect(frame, f, by="intervention")
    labels = {g: f.intervention_label(g) for g in frame["group"]}
    show_table(frame, [Col("group", "Intervento", labels=labels), kpi_col("arrears_rate_billed", "arrears_rate_billed"),
                       kpi_col("vacancy_rate", "vacancy_rate"), kpi_col("value", "performance_index_pct", "Indice")],
               name="indice_performance", key="eco_index_table", empty="Nessun intervento nel perimetro scelto.")
    if not frame.empty:
        st.plotly_chart(impact_charts.by_intervention(
            frame, "value", labels, name=get_kpi("performance_index_pct").label, references=preferred,
            targets=ed.drawn_targets("performance_index_pct", scope=f.scope, per_intervention=True)), width="stretch",
            key="eco_index_chart")
    others = "; ".join(f"{r.label} {fmt_pct(r.value)} ({fmt_pct(r.arrears)} e {fmt_pct(r.vacancy)})"
                       for r in refs.itertuples())
    st.caption(f"Morosità sull'emesso del periodo {f.period_label}, sfitto al {fmt_date(f.as_of)}. L'indice dei "
               f"riferimenti, dalle loro coppie di morosità e sfitto: {others}.")


def targets_section(f: filters.Filters) -> None:
    st.subheader("Obiettivi")
    if note := st.session_state.pop("eco_flash", None):
        st.success(note)
    frame = ed.targets(scope=f.scope)
    frame = frame.assign(kpi=[get_kpi(c).label for c in frame["kpi_code"]], set_day=frame["set_at"].dt.date,
                         note=frame["note"].fillna("")) if not frame.empty else frame.assign(kpi=[], set_day=[])
    show_table(frame, [Col("kpi", "Indicatore"), Col("intervention_code", "Intervento", labels={
                           None: "Tutto il portafoglio", **{c: f.intervention_label(c) for c in f.intervention_names}}),
                       Col("value", "Obiettivo", NUM), Col("note", "Nota", TEXT),
                       Col("set_by", "Fissato da"), Col("set_day", "Il", DATE)],
               name="obiettivi", key="eco_targets", empty="Nessun obiettivo fissato.")
    st.caption("Gli obiettivi sono disegnati come linea verde continua sui grafici dell'indicatore (le linee "
               "tratteggiate sono i valori di riferimento pubblicati).")
    user = auth.current_user()
    if user is None or user.role not in SETTERS:
        st.caption("Solo la direzione e gli amministratori possono fissare gli obiettivi.")
        return
    target_form(f, user)


def target_form(f: filters.Filters, user) -> None:
    codes = sorted(CATALOG, key=lambda c: get_kpi(c).label)
    with st.form("eco_target_form"):
        code = st.selectbox("Indicatore", codes, format_func=lambda c: get_kpi(c).label, key="eco_target_kpi")
        portfolio = [] if user.scope.limited else [None]  # a portfolio target needs the whole portfolio
        where = st.selectbox("Per", [*portfolio, *sorted(f.intervention_names)], key="eco_target_where",
                             format_func=lambda c: "Tutto il portafoglio" if c is None else f.intervention_label(c))
        value = st.number_input("Valore (nell'unità dell'indicatore; percentuali in punti)", key="eco_target_value",
                                step=0.1, format="%.2f")
        note = st.text_input("Nota (facoltativa)", key="eco_target_note", max_chars=300)
        if st.form_submit_button("Fissa l'obiettivo", icon=":material/flag:"):
            try:
                set_target(get_engine(), kpi_code=code, value=float(value), user=user, intervention_code=where,
                           note=note.strip() or None)
            except TargetError as exc:
                st.error(str(exc))
                return
            st.session_state["eco_flash"] = f"Obiettivo «{get_kpi(code).label}» fissato."
            st.rerun()


auth.require("views/economics.py")
f = filters.monitoring_page("Economia e obiettivi")
economics_section(f)
index_section(f)
targets_section(f)
