"""Selezione e abbinamento: per call (avviso) the funnel, the time in each phase against the plan, the void loss
from lettable to keys, offer against demand; for the gestore and the administrator also the graduatoria and the two
matching proposals side by side, households by code only. The Regione and the SGRs see the aggregates, suppressed."""

import streamlit as st

from dashboard import auth, filters, tiles
from dashboard import selection_data as sd
from dashboard.privacy import protect
from dashboard.tables import Col, kpi_col, show_table
from indicators.matching import MODE_LABELS, MODES
from indicators.selection import burden_kpi, placed_kpi
from indicators.selection_rules import TIE_RULE
from indicators.selection_timeline import FUNNEL
from osservatorio.exports import DATE, EUR, INT, NUM, PCT
from osservatorio.pages import SELECTION_DETAIL

PAGE = "views/selection.py"
YES_NO = {True: "sì", False: "no"}


def calls_overview(f: filters.Filters, figures: dict) -> None:
    st.subheader("Avvisi: dalla domanda alle chiavi")
    calls = sd.calls(scope=f.scope)
    table = calls.merge(figures["funnel"], on="call", how="left").merge(figures["late"], on="call", how="left")
    table = protect(table.fillna({k: 0 for k, _ in FUNNEL}), f, counts=tuple(k for k, _ in FUNNEL))
    show_table(table, [Col("call", "Avviso"), Col("title", "Titolo"), Col("municipality", "Comune"),
                       Col("interventions", "Interventi"), Col("opens_on", "Apertura", DATE),
                       Col("closes_on", "Chiusura", DATE), Col("works_end", "Fine lavori", DATE),
                       *[Col(k, label, INT) for k, label in FUNNEL],
                       Col("late", "In ritardo sul piano", labels=YES_NO),
                       Col("phases_late", "Fasi oltre la durata")],
               name="avvisi", key="sel_calls", empty="Nessun avviso nel perimetro: caricare il file «avvisi».")
    st.caption("Un avviso è in ritardo se la mediana di una fase supera la durata del piano del gestore sociale "
               "(idoneità, preselezione e proposta 30 giorni, raccolta e consegna 60) o se è stato aperto a meno di "
               "un anno dalla fine dei lavori.")


def phase_times(f: filters.Filters, figures: dict) -> None:
    st.subheader("Tempi per fase")
    times = protect(figures["times"], f, counts=("households",))
    show_table(times, [Col("call", "Avviso"), Col("label", "Fase"), Col("households", "Nuclei", INT),
                       kpi_col("median_days", "selection_phase_days", "Giorni (mediana)"),
                       Col("target_days", "Durata del piano", INT), Col("late", "Oltre la durata", labels=YES_NO)],
               name="tempi_per_fase", key="sel_times", empty="Nessuna fase registrata (date delle fasi nel file "
                                                            "«domande»).")
    void = protect(figures["void"], f, counts=("households",))
    st.markdown("**Dalla disponibilità dell'alloggio alla consegna delle chiavi**")
    show_table(void, [Col("call", "Avviso"), Col("households", "Alloggi consegnati", INT),
                      Col("days_to_offer", "Giorni medi alla proposta", INT),
                      Col("days_to_keys", "Giorni medi alle chiavi", INT),
                      kpi_col("void_loss_eur", "selection_void_loss_eur")],
               name="mancato_canone_avvisi", key="sel_void", empty="Nessuna consegna registrata.")


def offer_demand(f: filters.Filters) -> None:
    st.subheader("Domanda e offerta")
    st.caption("Nuclei idonei in attesa per numero di componenti, contro gli alloggi liberi ora o entro 90 giorni "
               "grandi abbastanza per quella dimensione (e non per la successiva).")
    frame = protect(sd.offer_and_demand(as_of=f.as_of, scope=f.scope), f,
                    counts=("households", "households_no_affordable"))
    show_table(frame, [Col("municipality", "Comune"), Col("call", "Avviso"), Col("interventions", "Interventi"),
                       Col("size_label", "Nuclei di"), Col("households", "Nuclei in attesa", INT),
                       Col("units", "Alloggi in arrivo", INT), kpi_col("gap", "selection_offer_gap", "Differenza"),
                       Col("households_no_affordable", "Nuclei senza alloggio sostenibile", INT)],
               name="domanda_offerta", key="sel_offer", empty="Nessun nucleo in attesa né alloggio in arrivo.")


def offer_windows(f: filters.Filters) -> None:
    st.subheader("Alloggi in arrivo nei prossimi 3, 6 e 12 mesi, per intervento")
    st.caption("Per ogni intervento e dimensione del nucleo: i nuclei idonei in attesa negli avvisi dell'intervento "
               "(un avviso su più interventi conta i suoi nuclei sotto ciascuno) accanto agli alloggi liberi ora o che "
               "si liberano (contratti a termine in scadenza, lavori che finiscono), con i loro canoni. Le finestre "
               "sono cumulative.")
    with st.columns(3)[0]:
        tiles.kpi_tile("units_coming_free", f)
    frame = protect(sd.offer_windows_frame(as_of=f.as_of, scope=f.scope), f, counts=("households",))
    show_table(frame, [Col("intervention_code", "Intervento",
                           labels={g: f.intervention_label(g) for g in frame["intervention_code"]}),
                       Col("size_label", "Alloggi per nuclei di"), Col("households", "Nuclei in attesa", INT),
                       Col("free_now", "Liberi ora", INT), Col("free_3", "Entro 3 mesi", INT),
                       Col("free_6", "Entro 6 mesi", INT), Col("free_12", "Entro 12 mesi", INT),
                       Col("rent_mean", "Canone medio", EUR), Col("rent_min", "Canone più basso", EUR)],
               name="offerta_per_intervento", key="sel_offer_windows",
               empty="Nessun nucleo in attesa né alloggio in arrivo nei 12 mesi.")
    if not f.contract_rows:  # unit by unit, as on the Impatto page: only for the roles that see contracts
        return
    units = sd.offer_units(as_of=f.as_of, scope=f.scope)
    with st.expander(f"Alloggi liberi ora o nei prossimi 12 mesi ({len(units)})"):
        show_table(units, [Col("unit_code", "Alloggio"), Col("intervention_code", "Intervento"),
                           Col("available_on", "Libero dal", DATE), Col("window", "Quando"),
                           Col("monthly_rent", "Canone mensile", EUR), Col("monthly_charges", "Spese mensili", EUR),
                           Col("floor_area_m2", "Superficie (m²)", NUM), Col("size_label", "Per nuclei di")],
                   name="alloggi_in_arrivo", key="sel_offer_units", empty="Nessun alloggio in arrivo.")


def proposal_column(match, mode: str) -> None:
    st.markdown(f"**{MODE_LABELS[mode]}**")
    left, right = st.columns(2)
    with left:
        tiles.tile(placed_kpi(match))
    with right:
        tiles.tile(burden_kpi(match))
    pairs = match.pairs.assign(reasons=match.pairs["reasons"].map(lambda r: "; ".join(r[1:])))
    show_table(pairs, [Col("rank", "Posizione", INT), Col("household", "Nucleo"), Col("unit", "Alloggio"),
                       Col("burden_pct", "Canone e spese sul reddito", PCT), Col("reasons", "Motivi")],
               name=f"abbinamenti_{mode}", key=f"sel_pairs_{mode}", empty="Nessuna coppia proposta.")
    show_table(match.departures, [Col("unit", "Alloggio"), Col("household", "Nucleo"),
                                  Col("passed_over", "Nucleo superato"), Col("reason", "Perché")],
               name=f"scostamenti_{mode}", key=f"sel_dep_{mode}", empty="Nessuno scostamento dalla graduatoria.")


def matching(f: filters.Filters, figures: dict) -> None:
    st.subheader("Graduatoria e abbinamento")
    calls = sd.calls(scope=f.scope)
    if calls.empty:
        return
    titles = dict(zip(calls["call"], calls["title"]))
    received = dict(zip(figures["funnel"]["call"], figures["funnel"]["received"]))
    busiest = max(range(len(calls)), key=lambda i: (received.get(calls["call"].iat[i], 0), i))
    code = st.selectbox("Avviso", calls["call"].tolist(), index=busiest, key="sel_call",
                        format_func=lambda c: titles.get(c, c))
    matches = {mode: sd.proposal(code=code, as_of=f.as_of, scope=f.scope, mode=mode) for mode in MODES}
    first = matches[MODES[0]]
    for warning in first.warnings:
        st.info(warning[:1].upper() + warning[1:] + ".", icon=":material/info:")
    columns = st.columns(2)
    for column, mode in zip(columns, MODES):
        with column:
            proposal_column(matches[mode], mode)
    st.markdown("**Alloggi senza nucleo (proposta ottimale)**")
    show_table(matches["ottimale"].unmatched_units, [Col("unit", "Alloggio"), Col("reason", "Motivo")],
               name="alloggi_senza_nucleo", key="sel_units_out", empty="Ogni alloggio ha un nucleo.")
    st.markdown("**Nuclei senza alloggio (proposta ottimale)**")
    show_table(matches["ottimale"].unmatched_households, [Col("rank", "Posizione", INT), Col("household", "Nucleo"),
                                                          Col("reason", "Motivo")],
               name="nuclei_senza_alloggio", key="sel_households_out", empty="Ogni nucleo ha un alloggio.")
    ranking = first.graduatoria
    st.markdown("**Graduatoria**")
    st.caption(f"Punteggio dalle regole «{ranking.rules.name}»; {TIE_RULE}.")
    show_table(ranking.ranked, [Col("rank", "Posizione", INT), Col("household", "Nucleo"),
                                Col("points", "Punti", INT), Col("score_source", "Punteggio"),
                                Col("members", "Componenti", INT),
                                Col("needs_step_free", "Senza barriere", labels=YES_NO)],
               name="graduatoria", key="sel_ranking", empty="Nessuna domanda idonea in attesa.")
    show_table(ranking.excluded, [Col("household", "Nucleo"), Col("reason", "Motivo dell'esclusione")],
               name="domande_escluse", key="sel_excluded", empty="Nessuna domanda esclusa.")


user = auth.require(PAGE)
flt = filters.monitoring_page("Selezione e abbinamento")
data = sd.timeline(as_of=flt.as_of, scope=flt.scope)
calls_overview(flt, data)
phase_times(flt, data)
offer_demand(flt)
offer_windows(flt)
if user.role in SELECTION_DETAIL:
    matching(flt, data)
else:
    st.caption("Graduatorie e proposte di abbinamento, nucleo per nucleo, sono visibili al gestore sociale.")
