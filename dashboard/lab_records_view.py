"""The evaluators' records on the Laboratori page: a lab's objectives and results, partnership, co-financing,
presidi, target groups, judgements and notes on its sheet, and the labs side by side by ambito."""

from __future__ import annotations

import streamlit as st

from dashboard import lab_data as ld
from dashboard.filters import suppression_threshold
from indicators.lab_outputs import AMBITO_LABELS
from indicators.registry import get_kpi
from osservatorio import escaping
from osservatorio import lab_records_text as text
from osservatorio.evaluation_reading import outcome_reading
from osservatorio.formatting import fmt_pct

WRAPPED = ("objectives", "judgements", "notes")  # long sentences: a static table that wraps them


def _records(what: str, code: str) -> None:
    st.markdown(f"**{text.TITLES[what]}**")
    frame = ld.lab_records(what, code, suppression_threshold())
    if frame.empty:
        st.caption(text.EMPTY[what])
        return
    shown = text.records_table(what, frame)
    if what in WRAPPED:
        with st.container(key=f"lab_records_{what}"):
            st.table(shown, hide_index=True)
    else:
        st.dataframe(shown, hide_index=True, key=f"lab_records_{what}")


def _objectives(code: str) -> None:
    summary = ld.objectives_summary(code)
    row = summary.iloc[0] if len(summary) else None
    st.markdown(f"**{text.TITLES['objectives']}**")
    kpi = get_kpi("lab_objectives_achieved_pct")
    if row is not None and row["planned"]:  # one share, and the counts in words (a count is no household figure)
        st.metric(kpi.label, fmt_pct(row["achieved_pct"]), help=kpi.help)
    st.markdown(escaping.md(text.objectives_sentence(row)))
    frame = ld.lab_records("objectives", code)
    if not frame.empty:
        with st.container(key="lab_records_objectives"):
            st.table(text.records_table("objectives", frame), hide_index=True)


def _cofinancing(code: str) -> None:
    rows = ld.cofinancing(code)
    if rows.empty:
        return
    below, sentence = text.cofinancing_sentence(rows.iloc[0])
    st.markdown(f"**{text.TITLES['cofinancing']}**", help=get_kpi("lab_cofinancing_share_pct").help)
    if below:
        st.error(escaping.md(sentence), icon=":material/report:")
    elif below is None:
        st.info(escaping.md(sentence))
    else:
        st.success(escaping.md(sentence), icon=":material/check_circle:")
    frame = ld.lab_records("cofinancing", code)
    if not frame.empty:
        st.dataframe(text.records_table("cofinancing", frame), hide_index=True, key="lab_records_cofinancing")


def records_view(code: str) -> None:
    """The evaluators' records of one lab, in the order of the regional evaluation's chapter on each lab."""
    _objectives(code)
    _records("partners", code)
    _records("targets", code)
    _cofinancing(code)
    _records("presidi", code)
    _records("judgements", code)
    _records("notes", code)


def synthesis_view() -> None:
    """The labs side by side within each ambito: objectives reached, co-financing, presidi, partners, reach and
    the evaluators' judgements."""
    st.subheader("Sintesi per ambito di intervento")
    kpi = get_kpi("lab_objectives_achieved_pct")
    st.caption(f"Un laboratorio con più ambiti compare sotto ciascuno; gli obiettivi sono quelli dell'ambito, le altre "
               f"colonne del laboratorio intero. {kpi.label}: {kpi.formula}")
    frame = ld.synthesis_by_ambito()
    if frame.empty:
        st.info("Nessun laboratorio con ambiti dichiarati.")
        return
    options = ["tutti", *[a for a in AMBITO_LABELS if a in set(frame["ambito"])]]
    chosen = st.selectbox("Ambito", options, key="labs_synthesis_ambito",
                          format_func=lambda a: "Tutti gli ambiti" if a == "tutti" else AMBITO_LABELS[a])
    shown = frame if chosen == "tutti" else frame[frame["ambito"] == chosen]
    st.dataframe(text.synthesis_table(shown.reset_index(drop=True)), hide_index=True, key="labs_synthesis",
                 column_config={"Laboratorio": st.column_config.TextColumn(width="medium", pinned=True)})
    below = shown.loc[shown["below_minimum"].eq(True), "title"].drop_duplicates()
    if len(below):
        st.warning(escaping.md("Cofinanziamento sotto il 20% richiesto dal bando: " + "; ".join(below) + "."),
                   icon=":material/report:")


def outcome_readings(table) -> None:
    """Each comparison with the control area of a lab's sheet, read in words (what it does not allow to conclude)."""
    treated = table[table["arm"] == "trattamento"] if not table.empty else table
    if treated.empty:
        return
    with st.expander("Lettura delle stime", expanded=False):
        st.markdown("\n".join(f"- {escaping.md(outcome_reading(r))}" for r in treated.itertuples()))
