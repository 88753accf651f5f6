"""Prevenzione: who to call this week and why (early warning), the incolpevoli gravi heading to eviction, arrears by
voce, debt band and severity, the risk score with its honest backtest, and one contract's history."""

import pandas as pd
import streamlit as st

from dashboard import auth, filters
from dashboard import prevention_data as pdata
from dashboard.tables import Col, code_label, show_table
from indicators.disclosure import protect_grouped_buckets
from indicators.prevention import DEFAULT_BANDS, ITEM_LABELS, STEP_ACTIONS, NoFaultRule, checked_bands
from indicators.prevention_cases import ANCHORS
from indicators.prevention_list import SORTS, warning_kpis
from indicators.registry import get_kpi
from osservatorio import escaping
from osservatorio.charts.prevention import EVENT_NAMES, calibration_chart, contract_timeline
from osservatorio.exports import DATE, EUR, INT, PCT
from osservatorio.formatting import fmt_eur, fmt_int
from osservatorio.prevention_export import BACKTEST_COLUMNS, BAND_LABELS, WARNING_COLUMNS

INCOME_BANDS = ["protezione", "accesso", "permanenza", "decadenza"]
STEP_LABELS: dict[str | None, str] = {None: "nessuno ancora", **dict(STEP_ACTIONS.items())}
YES_NO = {True: "sì", False: "no"}


def settings(*, full: bool) -> tuple[int, tuple[float, ...], NoFaultRule]:
    """The officer's settings: the days threshold, the debt bands and the incolpevole rule (seed 002's examples);
    without `full` (the Regione) only the bands."""
    title = "Impostazioni: soglia, fasce di debito, regola dell'incolpevole" if full else "Fasce di debito"
    with st.expander(title):
        left, right = st.columns(2)
        days = int(left.number_input("Giorni di ritardo oltre i quali avvisare", 0, 365, 30, key="prev_days")) \
            if full else 30
        text = right.text_input("Limiti delle fasce di debito (euro)", "1000, 5000", key="prev_bands",
                                help="Predefinite: fino a 1.000 €, da 1.000 a 5.000 €, oltre 5.000 €.")
        try:
            bands = checked_bands(v for v in text.replace(";", ",").split(",") if v.strip())
        except ValueError as exc:
            st.warning(str(exc) + " Uso le fasce predefinite.")
            bands = DEFAULT_BANDS
        if not full:
            return days, bands, NoFaultRule()
        st.markdown("**Probabile morosità incolpevole** (prima di ogni valutazione): valgono tutte le condizioni "
                    "scelte. "
                    "Esempi: Brescia, debito sotto 5.000 €; Cesano Boscone, 300-3.000 € e fascia protezione; "
                    "ALER Milano, fascia protezione.")
        a, b, c = st.columns(3)
        chosen = a.multiselect("Fasce di reddito", INCOME_BANDS, ["protezione", "accesso"], key="prev_rule_bands",
                               format_func=code_label)
        low = b.number_input("Debito minimo (€)", 0.0, value=0.0, step=100.0, key="prev_rule_min")
        high = c.number_input("Debito massimo (€)", 0.0, value=5000.0, step=100.0, key="prev_rule_max")
        legal = st.checkbox("Nessuna diffida né sfratto", True, key="prev_rule_legal")
    rule = NoFaultRule(tuple(chosen), low or None, high or None, legal)
    return days, bands, rule


def regione(f: filters.Filters, bands: tuple[float, ...]) -> None:
    """Counts by debt band and severity only, small cells suppressed (the Regione sees no contract)."""
    st.subheader("Contratti morosi per fascia di debito e gravità")
    grid = pdata.band_by_severity(f.as_of, f.scope, bands).rename(columns={"band": "group", "severity": "bucket"})
    done = protect_grouped_buckets(grid, threshold=f.suppress)
    if done.any:
        st.caption(":material/lock: " + done.note)
    show_table(done.frame, [Col("group", "Fascia di debito"), Col("bucket", "Gravità", labels={}),
                            Col("contracts", "Contratti", INT)], name="morosi_fascia_gravita", key="prev_regione",
               empty="Nessun contratto moroso alla data nel perimetro scelto.")
    st.caption("Gravità dell'ultima valutazione del disagio nelle pratiche del contratto. Solo conteggi: nessuna "
               "riga di singoli contratti.")


def headline(f: filters.Filters, frame: pd.DataFrame, flags: pd.DataFrame) -> None:
    figures = warning_kpis(frame, flags, as_of=f.as_of)
    cols = st.columns(3)
    count, amount, flagged = (figures[c] for c in ("early_warning_contracts", "early_warning_eur",
                                                   "no_fault_eviction_flags"))
    cols[0].metric(count.kpi.label, fmt_int(count.value), help=count.kpi.help)
    cols[1].metric(amount.kpi.label, fmt_eur(amount.value), help=amount.kpi.help)
    cols[2].metric(flagged.kpi.label, fmt_int(flagged.value), help=flagged.kpi.help)
    st.caption(f"Di cui probabili incolpevoli secondo la regola scelta: {fmt_int(count.breakdown['looks_no_fault'])}. "
               f"Incolpevoli gravi: {fmt_int(flagged.breakdown['in_corso'])} in sfratto, "
               f"{fmt_int(flagged.breakdown['in_arrivo'])} con lo sfratto in arrivo; "
               f"{fmt_int(pdata.evicted_no_fault(f.as_of, f.scope))} in tutto hanno raggiunto lo sfratto.")


def warning_list(f: filters.Filters, days: int, bands, rule: NoFaultRule) -> pd.DataFrame:
    st.subheader("Campanello d'allarme: chi chiamare questa settimana")
    sort = st.radio("Ordina per", list(SORTS), format_func=SORTS.get, horizontal=True, key="prev_sort")
    frame = pdata.early_warning(f.first_day, f.as_of, f.scope, days, bands, rule, sort)
    st.caption(f"Contratti in essere con la prima rata non pagata scaduta da più di {days} giorni e nessuna pratica "
               "aperta. Orologio della procedura: **dalla prima rata non pagata** (+30 telefonata e sollecito, +60 "
               "lettera e incontro, entro +90 uno strumento).", help=get_kpi("early_warning_contracts").help)
    if sort == "risk" and not frame.attrs.get("risk_fitted"):
        st.warning("Storia insufficiente per stimare il rischio: l'elenco resta ordinato per giorni di ritardo.")
    kinds = {source: kind for source, _, kind in WARNING_COLUMNS}
    cols = [Col(source, label, kinds[source], labels=_labels(source)) for source, label, _ in WARNING_COLUMNS]
    show_table(frame, cols, name="campanello_allarme", key="prev_list",
               empty=f"Nessun contratto in ritardo da più di {days} giorni senza pratica aperta: niente da segnalare.")
    return frame


def _labels(source: str) -> dict | None:
    labels: dict[str, dict] = {"step_due": STEP_LABELS, "looks_no_fault": YES_NO, "income_band": BAND_LABELS,
                               "band": {}}
    return labels.get(source)


def flags(f: filters.Filters) -> pd.DataFrame:
    st.subheader("Incolpevoli gravi verso lo sfratto", help=get_kpi("no_fault_eviction_flags").help)
    frame = pdata.eviction_flags(f.as_of, f.scope)
    show_table(frame, [Col("case_code", "Pratica"), Col("lease_code", "Contratto"), Col("unit_code", "Alloggio"),
                       Col("reason", "Segnalazione"), Col("stage", "Fase", labels={}),
                       Col("next_step_due", "Sfratto previsto entro il", DATE), Col("balance", "Debito", EUR),
                       Col("opened_on", "Aperta il", DATE)], name="incolpevoli_gravi_sfratto", key="prev_flags",
               empty="Nessuna pratica valutata incolpevole e grave è in sfratto o vi si avvicina.")
    return frame


def clock(f: filters.Filters) -> pd.DataFrame:
    st.subheader("Pratiche aperte sull'orologio della procedura")
    anchor = st.radio("Orologio", list(ANCHORS), format_func=lambda a: "Conta " + ANCHORS[a], horizontal=True,
                      key="prev_anchor")
    rows = pdata.clocked_cases(f.as_of, f.scope, anchor)
    st.caption(f"Scadenze contate {ANCHORS[anchor]}.")
    late = rows[rows["late"]].sort_values(["days_late", "case_code"], ascending=[False, True])
    show_table(late, [Col("case_code", "Pratica"), Col("lease_code", "Contratto"),
                      Col("clock_start", "Inizio dell'orologio", DATE), Col("next_step", "Passo dovuto", labels={}),
                      Col("next_step_due", "Entro il", DATE), Col("days_late", "Giorni di ritardo", INT),
                      Col("severity", "Gravità", labels={None: "non valutata"}), Col("balance", "Debito", EUR)],
               name="pratiche_orologio", key="prev_clock",
               empty="Nessuna pratica aperta in ritardo su questo orologio.")
    return rows


def breakdowns(f: filters.Filters, bands) -> None:
    st.subheader("Morosità per voce, fascia di debito e gravità")
    left, middle = st.columns(2)
    with left:
        st.markdown("**Per voce**", help=get_kpi("arrears_by_item_eur").help)
        show_table(pdata.by_item(f.as_of, f.scope), [Col("item", "Voce", labels={**ITEM_LABELS, "n.d.": "n.d."}),
                   Col("amount", "Debito", EUR), Col("share", "Quota", PCT), Col("contracts", "Contratti", INT)],
                   name="morosita_per_voce", key="prev_item", empty="Nessun debito alla data.")
    with middle:
        st.markdown("**Per fascia di debito**", help=get_kpi("arrears_by_debt_band_eur").help)
        show_table(pdata.by_band(f.as_of, f.scope, bands), [Col("band", "Fascia"), Col("contracts", "Contratti", INT),
                   Col("amount", "Debito", EUR), Col("share", "Quota", PCT)], name="morosita_per_fascia",
                   key="prev_band", empty="Nessun debito alla data.")
    left, right = st.columns(2)
    with left:
        st.markdown("**Per gravità**", help=get_kpi("arrears_by_severity_eur").help)
        show_table(pdata.by_severity(f.as_of, f.scope), [Col("severity", "Gravità", labels={}),
                   Col("contracts", "Contratti", INT), Col("amount", "Debito", EUR), Col("share", "Quota", PCT)],
                   name="morosita_per_gravita", key="prev_sev", empty="Nessun debito alla data.")
    with right:
        st.markdown("**Esiti delle pratiche per gravità**")
        table = pdata.outcomes_by_severity(f.as_of, f.scope).pivot(index="severity", columns="outcome", values="cases")
        table = table.reset_index()
        cols = [Col("severity", "Gravità", labels={}), *[Col(o, code_label(o), INT) for o in table.columns[1:]]]
        show_table(table, cols, name="esiti_per_gravita", key="prev_outcomes", empty="Nessuna pratica alla data.")
    instruments(f)


def instruments(f: filters.Filters) -> None:
    st.markdown("**Strumenti per gravità**")
    show_table(pdata.instruments_by_severity(f.as_of, f.scope), [
        Col("severity", "Gravità", labels={}), Col("instrument", "Strumento", labels={}),
        Col("cases", "Pratiche", INT), Col("amount", "Importo", EUR), Col("resolved", "Risolte", INT),
        Col("in_progress", "In corso", INT), Col("evicted", "Sfratto", INT), Col("closed_other", "Chiuse altro", INT)],
        name="strumenti_per_gravita", key="prev_instr", empty="Nessuno strumento attivato alla data.")


def risk(f: filters.Filters) -> None:
    st.subheader("Punteggio di rischio: quanto fidarsi", help=get_kpi("arrears_risk_score").help)
    result = pdata.backtest(f.first_day, f.as_of, f.scope)
    shout = st.success if result.model_better else st.warning
    shout(result.verdict, icon=":material/fact_check:")
    kinds = {source: kind for source, _, kind in BACKTEST_COLUMNS}
    table = result.cutoffs.assign(precision_model=result.cutoffs["precision_model"] * 100,
                                  precision_baseline=result.cutoffs["precision_baseline"] * 100)
    left, right = st.columns([3, 2])
    with left:
        show_table(table, [Col(s, label, kinds[s]) for s, label, _ in BACKTEST_COLUMNS], name="verifica_rischio",
                   key="prev_backtest", empty="Nessuna data di verifica: la storia dei movimenti è troppo breve.")
        st.caption("Per ogni data di verifica il modello è stimato solo sulla storia precedente e confrontato con ciò "
                   "che è successo nei 6 mesi dopo; il saldo ordina i contratti dal debito più alto. AUC: 0,5 è il "
                   "caso, 1 un ordinamento perfetto. Precisione: quota dei primi 50 (o di tutti, se meno) che hanno "
                   "superato i 90 giorni o sono arrivati allo sfratto.")
        for note in result.warnings:
            st.caption(escaping.md(note))
    with right:
        if not result.calibration.empty:
            st.markdown("**Calibrazione** (tutte le date di verifica)")
            st.plotly_chart(calibration_chart(result.calibration), width="stretch", key="prev_calibration")


def history(f: filters.Filters, codes: list[str]) -> None:
    st.subheader("Storico del contratto")
    wanted = st.query_params.get("contratto")
    options = sorted(set(codes) | ({wanted} if wanted else set()))
    if not options:
        st.info("Nessun contratto negli elenchi di questa pagina.")
        return
    if st.session_state.get("prev_contract") not in options:
        st.session_state["prev_contract"] = wanted if wanted in options else options[0]
    code = st.selectbox("Contratto", options, key="prev_contract",
                        help="I contratti degli elenchi di questa pagina (e quello aperto da un'altra pagina).")
    found = pdata.history(code, f.as_of, f.scope)
    if found.empty:
        st.info("Nessun movimento né evento per questo contratto nel perimetro alla data.")
        return
    st.plotly_chart(contract_timeline(found), width="stretch", key="prev_timeline")
    events = {**EVENT_NAMES, "addebito": "Addebito", "incasso": "Incasso", "storno": "Storno", "abbuono": "Abbuono",
              "stralcio": "Stralcio"}
    show_table(found.timeline, [Col("day", "Data", DATE), Col("what", "Movimento o evento", labels=events),
                                Col("detail", "Voce o gravità", labels={**ITEM_LABELS, None: ""}),
                                Col("amount", "Importo", EUR), Col("case_code", "Pratica")],
               name=f"storico_{code}", key="prev_history", empty="")
    st.caption("Saldo a fine mese: addebiti scaduti meno incassi, storni, abbuoni e stralci registrati entro il "
               "giorno (negativo: credito del nucleo). Solo codici, nessun dato personale.")


def main() -> None:
    auth.require("views/prevention.py")
    flt = filters.monitoring_page("Prevenzione")
    days, bands, rule = settings(full=flt.contract_rows)
    if not flt.contract_rows:  # the Regione: counts by band and severity only
        regione(flt, bands)
        return
    listed = pdata.early_warning(flt.first_day, flt.as_of, flt.scope, days, bands, rule, "days")
    flagged = pdata.eviction_flags(flt.as_of, flt.scope)
    headline(flt, listed, flagged)
    shown = warning_list(flt, days, bands, rule)
    flags(flt)
    clocked = clock(flt)
    breakdowns(flt, bands)
    risk(flt)
    history(flt, [*shown["lease_code"], *flagged["lease_code"], *clocked["lease_code"]])


main()
