"""The panel evaluation section of the Laboratori page: monthly arrears per building, treated vs control."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from osservatorio.charts import evaluation as charts
from dashboard import lab_data as ld
from osservatorio.charts.common import month_label
from dashboard.filters import building_label, suppression_threshold
from dashboard.lab_panel import lab_choice
from indicators.disclosure import small_periods
from indicators.evaluation import Effect
from indicators.event_study import EventStudy
from indicators.ledger_sql import month_ends
from indicators.panels import LEDGER_OUTCOMES
from indicators.portfolio import ledger_span
from indicators.registry import get_kpi
from osservatorio.evaluation_reading import effect_reading
from osservatorio.evaluation_text import effect_lines, study_lines
from osservatorio import escaping
from osservatorio.formatting import fmt_num

OUTCOME_LABELS = {"households_in_arrears_pct": "Nuclei morosi (%)", "rate_billed": "Morosità sull'emesso (%)"}
MAX_MONTHS = 36


def _facts(effect: Effect) -> None:
    st.markdown("  \n".join(f"**{label}**: {escaping.md(text)}" for label, text in effect_lines(effect)))
    st.markdown(f"**Lettura**: {escaping.md(effect_reading(effect, unit='punti'))}")
    for warning in effect.warnings:
        st.warning(escaping.md(warning), icon=":material/warning:")


def _study(where, study: EventStudy, *, told: list[str]) -> None:
    """The event study's chart, the joint test of its leads and what it could not estimate (the panel's size
    warnings are already under the DiD)."""
    if study.coefficients.empty:
        where.info(escaping.md(" ".join(study.warnings[:1])))
        return
    reference = study.reference if study.reference is not None else -1
    where.plotly_chart(charts.event_study_chart(study.coefficients, reference=reference), width="stretch",
                       key="panel_event")
    pre = dict(study_lines(study))["Andamento parallelo prima dell'avvio"]
    where.caption(f"Andamento parallelo prima dell'avvio: {escaping.md(pre)}")
    for warning in study.warnings:
        if warning not in told:
            where.warning(escaping.md(warning), icon=":material/warning:")


def _choices() -> tuple | None:
    first, last = ledger_span(ld.get_engine())
    if first is None or last is None:
        st.info("Nessun movimento contabile caricato: la valutazione su panel usa la morosità mensile per edificio.")
        return None
    months = month_ends(first, last)[-MAX_MONTHS:]
    outcome = st.selectbox("Esito mensile per edificio", list(OUTCOME_LABELS), format_func=OUTCOME_LABELS.__getitem__,
                           key="panel_outcome", help=get_kpi(LEDGER_OUTCOMES["households_in_arrears_pct"]).help)
    threshold = suppression_threshold()
    if threshold is not None:
        st.caption(f":material/lock: Per la riservatezza entrano nel panel solo gli edifici con almeno {threshold} "
                   "nuclei con contratto attivo all'ultimo mese.")
    counts = ld.ledger_panel(months[0], months[-1], outcome, threshold).groupby("unit").size()
    buildings = sorted(counts.index)
    complete = sorted(counts.index[counts == counts.max()])  # a default the synthetic control can use
    starts = months[2:-1]
    lab_choice(buildings, complete[:1], starts, starts[max(0, len(months) // 2 - 2)])  # the lab sets both below
    left, right = st.columns([2, 1])
    treated = left.multiselect("Edifici trattati (un controllo sintetico per edificio)", buildings,
                               key="panel_treated", format_func=building_label(), select_all=False)
    start = right.selectbox("Primo mese trattato", starts, format_func=month_label, key="panel_start")
    return months[0], months[-1], outcome, tuple(treated), start, threshold


def _several(sc) -> None:
    """One synthetic control per treated building: the combined effect and each building's fit."""
    _facts(sc.effect)
    units = sc.units
    table = pd.DataFrame({
        "Edificio": units["unit"], "Effetto": [fmt_num(v, 2) for v in units["estimate"]],
        "p-value placebo": [fmt_num(v, 3) for v in units["p_value"]],
        "RMSPE prima": [fmt_num(v, 2) for v in units["pre_rmspe"]],
        "Pesi principali": [", ".join(f"{u} {fmt_num(w, 3)}" for u, w in sorted(ws.items(), key=lambda kv: -kv[1])[:3])
                            for ws in units["weights"]]})
    st.dataframe(table, hide_index=True)


def _protected_paths(panel: pd.DataFrame, result, treated: tuple, threshold: int | None):
    """The monthly paths as a suppressed user may see them: a month whose treated (or control) figure rests on
    1 .. threshold − 1 households in arrears is left blank (the estimates use every month)."""
    trends, path = result.trends.copy(), result.sc.path.copy() if hasattr(result.sc, "path") else None
    if threshold is None:
        return trends, path
    controls = set(panel["unit"]) - set(treated)
    for column, units in (("treated", treated), ("control", controls)):
        small = small_periods(panel, units, threshold=threshold)
        trends.loc[trends["period"].isin(small), column] = None
    if path is not None:
        small = small_periods(panel, treated[:1], threshold=threshold)
        path.loc[path["period"].isin(small), ["treated", "gap"]] = None
    if any(trends[["treated", "control"]].isna().any()):
        st.caption(f":material/lock: Mesi senza punto: il valore poggia su meno di {threshold} nuclei morosi ed è "
                   "nascosto per riservatezza (le stime usano tutti i mesi).")
    return trends, path


def panel_view() -> None:
    st.subheader("Valutazione su panel")
    st.caption("Differenza nelle differenze con effetti fissi di edificio e mese, studio di evento e controllo "
               "sintetico sulla morosità mensile per edificio calcolata dal partitario (FIFO). Gli edifici non "
               "scelti fanno da controllo.")
    chosen = _choices()
    if chosen is None:
        return
    start, end, outcome, treated, first, threshold = chosen
    if not treated:
        st.info("Scegliere almeno un edificio trattato.")
        return
    result = ld.evaluate_ledger(start, end, outcome, treated, first, threshold)
    trends, path = _protected_paths(ld.ledger_panel(start, end, outcome, threshold), result, treated, threshold)
    y_title = OUTCOME_LABELS[outcome]
    st.markdown(f"**{get_kpi('panel_did_effect').label}** (in punti percentuali)",
                help=get_kpi("panel_did_effect").help)
    _facts(result.did)
    left, right = st.columns(2)
    left.plotly_chart(charts.trends(trends, pd.Timestamp(first), y_title=y_title), width="stretch",
                      key="panel_trends")
    _study(right, result.study, told=result.did.warnings)
    st.markdown(f"**{get_kpi('synthetic_control_gap').label}**", help=get_kpi("synthetic_control_gap").help)
    sc = result.sc
    if isinstance(sc, Effect):
        st.info("Controllo sintetico non calcolabile: " + escaping.md(" ".join(sc.warnings)))
        return
    if hasattr(sc, "units"):
        _several(sc)
        return
    _facts(sc.effect)
    left, right = st.columns(2)
    left.plotly_chart(charts.synthetic_path(path, pd.Timestamp(first), y_title=y_title), width="stretch",
                      key="panel_sc_path")
    if threshold is None:
        right.plotly_chart(charts.placebo_gaps(sc.placebo_gaps, treated[0], pd.Timestamp(first)), width="stretch",
                           key="panel_placebo")
    else:  # each placebo path is one building's monthly figure
        right.caption(":material/lock: I percorsi placebo dei singoli edifici non sono mostrati per la riservatezza; "
                      "il p-value sopra ne tiene conto.")
    weights = pd.DataFrame({"unit": list(sc.effect.weights), "weight": list(sc.effect.weights.values())})
    st.plotly_chart(charts.bars_by(weights, "unit", "weight", "Peso nel controllo sintetico", kind="num",
                                   height=240), width="stretch", key="panel_weights")
