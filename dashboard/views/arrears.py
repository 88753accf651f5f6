"""Morosità: the arrears figures, their trend and aging, breakdowns, drill-down to contracts, and late cases."""

import streamlit as st

from dashboard import auth, filters, tiles
from osservatorio.charts import common as charts
from dashboard import economics_data as ed
from dashboard import monitoring_data as md
from osservatorio.exports import DATE, EUR, INT, PCT
from dashboard.history_link import history_link
from dashboard.privacy import protect
from dashboard.tables import Col, code_label, kpi_col, show_table, side_by_side
from indicators.disclosure import TABLE_NOTE, hidden_cells
from indicators.registry import get_kpi
from indicators.scope import GROUPING_LABELS
from osservatorio import escaping
from osservatorio.formatting import fmt_eur, fmt_int

BREAKDOWNS: tuple[str, ...] = ("intervention", "fund", "tenure", "income_band", "sgr", "building")
BY_CODES = ("arrears_stock_eur", "arrears_rate_billed", "arrears_rate_rent_roll", "households_in_arrears_pct",
            "collection_rate")
ALL = "__tutti__"
OUTCOME_COLS = [Col("resolved", "Risolte", INT), Col("in_progress", "In corso", INT), Col("evicted", "Sfratto", INT),
                Col("closed_other", "Chiuse altro", INT)]


def headline(f: filters.Filters) -> None:
    top, bottom = st.columns(3), st.columns(3)
    with top[0]:
        stock = tiles.kpi_tile("arrears_stock_eur", f)
        b = tiles.breakdown(stock)
        if b.get("in_essere") is not None:
            st.caption(f"Inquilini in essere {fmt_eur(b['in_essere'])}, cessati {fmt_eur(b.get('cessati'))}.")
    with top[1]:
        tiles.kpi_tile("arrears_rate_billed", f)
    with top[2]:
        tiles.kpi_tile("arrears_rate_rent_roll", f)
    with bottom[0]:
        tiles.kpi_tile("households_in_arrears_pct", f)
    with bottom[1]:
        tiles.kpi_tile("collection_rate", f)
    with bottom[2]:
        tiles.kpi_tile("collection_rate_with_arrears", f)


def trend(f: filters.Filters) -> None:
    st.subheader("Andamento")
    series = md.arrears_series(start=f.trend_start, end=f.as_of, scope=f.scope, suppress=f.suppress)
    if series.empty:
        st.info("Nessun movimento contabile nel perimetro nel periodo: nessun andamento da mostrare.")
        return
    left, right = st.columns(2)
    with left:
        st.markdown("**Morosità accumulata a fine mese**", help=get_kpi("arrears_stock_eur").help)
        st.plotly_chart(charts.line_chart(series, "month", {"stock": "Morosità accumulata"}, EUR, max_ticks=5,
                                          targets=ed.drawn_targets("arrears_stock_eur", scope=f.scope)),
                        width="stretch", key="arr_stock_chart")
    with right:
        st.markdown("**Tassi mensili**", help=get_kpi("arrears_rate_billed").help)
        refs = tiles.references_picker("arrears_rate_billed", key="arr_refs")
        fig = charts.line_chart(series, "month", {"rate_billed": "Morosità sull'emesso",
                                                  "households_in_arrears_pct": "Nuclei morosi"}, PCT, references=refs,
                                max_ticks=5, targets=ed.drawn_targets("arrears_rate_billed", scope=f.scope))
        st.plotly_chart(fig, width="stretch", key="arr_rate_chart")
    st.caption(f"{charts.period_caption(f.trend_start, f.as_of)}. I riferimenti di settore non dicono su quale "
               "denominatore è calcolata la morosità: confronto indicativo.")
    if f.suppress is not None and series[["stock", "households_in_arrears_pct"]].isna().any().any():
        st.caption(f":material/lock: I mesi senza punto sono nascosti: il valore poggia su meno di {f.suppress} "
                   "contratti o nuclei morosi.")


AGING = {"contract": "Per contratto (più vecchio addebito non pagato)", "charge": "Per singolo addebito"}


def aging(f: filters.Filters) -> None:
    st.subheader("Anzianità del debito")
    per = st.radio("Anzianità", list(AGING), format_func=AGING.get, key="arr_aging_per", horizontal=True,
                   label_visibility="collapsed")
    table = md.arrears_aging(as_of=f.as_of, scope=f.scope, per_charge=per == "charge", suppress=f.suppress)
    kpi = get_kpi("arrears_aging" if per == "contract" else "arrears_aging_by_charge")
    st.caption(f"{kpi.label}: {kpi.formula}")
    hidden = hidden_cells(table, "amount").tolist()
    if table.empty or not (table["amount"].fillna(0).any() or any(hidden)):
        st.info("Nessun debito scaduto alla data nel perimetro scelto.")
        return
    if any(hidden):
        st.caption(":material/lock: " + TABLE_NOTE.format(t=f.suppress))
    extra = [f"<br>{fmt_int(n)} contratti" for n in table["contracts"]]
    fig = charts.bar_chart(table["bucket"].tolist(), table["amount"].tolist(), EUR, name="Debito scaduto",
                           hover_extra=extra)
    charts.hidden_bars(fig, table["bucket"].tolist(), hidden)
    fig.update_xaxes(title="Giorni dal più vecchio addebito non pagato")
    st.plotly_chart(fig, width="stretch", key="arr_aging")
    show_table(table, [Col("bucket", "Anzianità"), Col("amount", "Debito scaduto", EUR, kpi.help),
                       Col("contracts", "Contratti", INT)], name="anzianita_morosita", key="arr_aging_table",
               empty="")


def breakdown(f: filters.Filters) -> None:
    st.subheader("Ripartizione")
    by = st.selectbox("Ripartisci per", BREAKDOWNS if f.contract_rows else BREAKDOWNS[:-1],
                      format_func=GROUPING_LABELS.__getitem__, key="arr_by")
    frames, skipped = {}, []
    for code in BY_CODES:
        try:
            frames[code] = md.kpi(code, as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, by=by,
                                  suppress=f.suppress)
        except ValueError as exc:  # a grouping the indicator does not offer
            skipped.append(str(exc))
    if not frames:
        st.warning(escaping.md(" ".join(skipped)))
        return
    table = protect(side_by_side(frames), f, by=by)
    labels = ({g: f.intervention_label(g) for g in table["group"]} if by == "intervention"
              else {g: code_label(g) for g in table["group"]} if by in ("tenure", "income_band")
              else {g: f.building_label(g) for g in table["group"]} if by == "building" else {})
    cols = [Col("group", GROUPING_LABELS[by], labels={None: "Non indicato", **labels}),
            *[kpi_col(code, code) for code in frames]]
    show_table(table, cols, name=f"morosita_per_{GROUPING_LABELS[by].lower()}", key="arr_by_table",
               empty="Nessun dato per questa ripartizione nel perimetro scelto.")
    for message in skipped:
        st.caption(escaping.md(message))


def drill_down(f: filters.Filters) -> None:
    st.subheader("Dall'intervento al contratto")
    tree = md.portfolio_tree(f.scope)
    interventions = sorted(tree["intervention_code"].unique())
    left, right = st.columns(2)
    if st.session_state.get("arr_int") not in interventions:
        st.session_state["arr_int"] = interventions[0] if interventions else None
    chosen = left.selectbox("Intervento", interventions, key="arr_int", format_func=f.intervention_label)
    buildings = [ALL, *sorted(tree.loc[tree["intervention_code"] == chosen, "building_code"])]
    if st.session_state.get("arr_bld") not in buildings:
        st.session_state["arr_bld"] = ALL
    building = right.selectbox("Edificio", buildings, key="arr_bld",
                               format_func=lambda b: "Tutti gli edifici" if b == ALL else f.building_label(b))
    if chosen is None:
        st.info("Nessun intervento nel perimetro scelto.")
        return
    inside = f.scope.narrowed(interventions=[chosen])
    per_building = side_by_side({code: md.kpi(code, as_of=f.as_of, start=f.start, end=f.end, scope=inside,
                                              by="building", suppress=f.suppress) for code in BY_CODES[:4]})
    per_building = protect(per_building, f, by="building")
    named = {g: f.building_label(g) for g in per_building.get("group", [])}
    show_table(per_building, [Col("group", "Edificio", labels=named), *[kpi_col(c, c) for c in BY_CODES[:4]]],
               name=f"morosita_{chosen}_edifici", key="arr_buildings", empty="Nessun edificio con dati.")
    balances = md.contract_balances(as_of=f.as_of, scope=inside, intervention=chosen,
                                    building=None if building == ALL else building)
    st.markdown(f"**Contratti con saldo** · {escaping.md(f.intervention_label(chosen))}"
                + ("" if building == ALL else f" · edificio {escaping.md(f.building_label(building))}"))
    where = {b: f.building_label(b) for b in balances.get("building_code", [])}
    cols = [Col("lease_code", "Contratto"), Col("unit_code", "Alloggio"),
            Col("building_code", "Edificio", labels=where),
            Col("tenure", "Regime", labels={None: "n.d."}), Col("active", "Stato", labels={True: "In essere",
                                                                                            False: "Cessato"}),
            Col("balance", "Saldo", EUR, "Addebiti scaduti meno incassi, storni, abbuoni e stralci alla data."),
            Col("oldest_unpaid_due", "Più vecchio addebito non pagato", DATE), Col("days_overdue", "Giorni", INT,
                "Giorni dalla scadenza del più vecchio addebito non pagato."),
            Col("bucket", "Anzianità")]
    show_table(balances, cols, name=f"saldi_{chosen}", key="arr_balances",
               empty="Nessun contratto con saldo alla data in questa selezione.")
    history_link(balances.get("lease_code", []), key="arr_balances_history")
    st.caption("Solo codici di contratto e alloggio: nessun dato personale.")


def cases(f: filters.Filters) -> None:
    st.subheader("Pratiche di morosità")
    cols = st.columns(3)
    with cols[0]:
        tiles.kpi_tile("late_cases", f)
    with cols[1]:
        tiles.kpi_tile("no_fault_share", f)
    with cols[2]:
        tiles.kpi_tile("plan_recovery_eur", f)
    if f.contract_rows:
        late_cases(f)
    left, right = st.columns([2, 3])
    with left:
        st.markdown("**Esiti delle pratiche**")
        show_table(protect(md.outcomes_summary(as_of=f.as_of, scope=f.scope), f), [
            Col("outcome", "Esito", labels={}), Col("cases", "Pratiche", INT), Col("share", "Quota", PCT)],
            name="esiti_pratiche", key="arr_outcomes", empty="Nessuna pratica di morosità nel perimetro alla data.")
    with right:
        st.markdown("**Strumenti attivati**")
        show_table(protect(md.instruments_summary(as_of=f.as_of, scope=f.scope), f), [
            Col("instrument", "Strumento", labels={}), Col("cases", "Pratiche", INT), Col("amount", "Importo", EUR),
            *([] if f.suppress else OUTCOME_COLS)],  # per-outcome counts are small cells of a two-way table
            name="strumenti_pratiche", key="arr_instruments", empty="Nessuno strumento attivato nel perimetro.")


def late_cases(f: filters.Filters) -> None:
    st.markdown("**Pratiche in ritardo sulla procedura**", help=get_kpi("late_cases").help)
    late = md.late_cases(as_of=f.as_of, scope=f.scope)
    show_table(late, [
        Col("case_code", "Pratica"), Col("lease_code", "Contratto"), Col("unit_code", "Alloggio"),
        Col("overdue_step", "Passo scaduto", labels={}), Col("due_on", "Previsto entro il", DATE),
        Col("days_late", "Giorni di ritardo", INT, "Giorni oltre la scadenza del passo e la tolleranza."),
        Col("stage", "Fase", labels={}), Col("opened_on", "Aperta il", DATE),
        Col("last_event", "Ultimo evento", labels={}), Col("last_event_on", "Del", DATE)],
        name="pratiche_in_ritardo", key="arr_late",
        empty="Nessuna pratica in ritardo alla data: ogni passo della procedura è nei tempi.")
    history_link(late.get("lease_code", []), key="arr_late_history")


auth.require("views/arrears.py")
flt = filters.monitoring_page("Morosità")
headline(flt)
trend(flt)
aging(flt)
breakdown(flt)
if flt.contract_rows:  # the Regione sees aggregates only
    drill_down(flt)
cases(flt)
