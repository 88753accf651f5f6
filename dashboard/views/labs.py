"""Laboratori: outputs and outcomes of the Laboratori Sociali di Quartiere, data completeness, a sheet per lab,
the panel evaluation of monthly arrears per building, and the downloadable HTML evaluation report."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import auth
from dashboard import economics_data as ed
from osservatorio.charts import evaluation as charts
from dashboard import lab_data as ld
from dashboard.data import get_engine
from dashboard.filters import suppression_threshold
from dashboard.lab_records_view import outcome_readings, records_view, synthesis_view
from dashboard.panel_view import panel_view
from dashboard.private_downloads import download_button
from dashboard.tables import Col, kpi_col, show_table
from indicators.lab_outcomes import indicator_label
from indicators.lab_outputs import AMBITO_LABELS, OUTPUTS
from indicators.registry import get_kpi
from indicators.scope import Scope
from osservatorio import audit
from osservatorio.evaluation_text import outcome_text_table
from osservatorio import escaping
from osservatorio.formatting import fmt_eur, fmt_pct

OUTPUT_CODES = dict(zip(OUTPUTS, ("lab_activities", "lab_participants", "lab_households_reached",
                                  "lab_households_taken_in_charge", "lab_hours", "lab_volunteers")))


def output_cols(first: Col) -> list[Col]:
    return [first, *[kpi_col(c, code) for c, code in OUTPUT_CODES.items()],
            kpi_col("cost_per_household_eur", "lab_cost_per_household_eur")]


def comparison(titles: dict[str, str]) -> None:
    st.subheader("Confronto tra laboratori")
    total = ld.outputs("total").iloc[0]
    cols = st.columns(4)
    for col, code in zip(cols, ("lab_activities", "lab_households_reached", "lab_households_taken_in_charge")):
        column = next(c for c, k in OUTPUT_CODES.items() if k == code)
        col.metric(get_kpi(code).label, f"{total[column]:,.0f}".replace(",", "."), help=get_kpi(code).help)
    cols[3].metric(get_kpi("lab_cost_per_household_eur").label, fmt_eur(total["cost_per_household_eur"]),
                   help=get_kpi("lab_cost_per_household_eur").help)
    per_lab = ld.outputs("lab")
    measure = st.selectbox("Output", list(OUTPUT_CODES), key="labs_measure",
                           format_func=lambda c: get_kpi(OUTPUT_CODES[c]).label)
    shown = per_lab.assign(title=[titles.get(g, g) for g in per_lab["group"]])
    code = OUTPUT_CODES[measure]  # the labs are no intervention: the portfolio's target is drawn
    st.plotly_chart(charts.bars_by(shown, "title", measure, get_kpi(code).label,
                                   targets=ed.drawn_targets(code, scope=Scope())), width="stretch", key="labs_bars")
    show_table(per_lab, output_cols(Col("group", "Laboratorio", labels=titles)), name="output_laboratori",
               key="labs_outputs", empty="Nessuna attività registrata.")
    st.markdown("**Per ambito di intervento** (un laboratorio con più ambiti compare sotto ciascuno)")
    ambiti = ld.outputs_by_ambito()
    ambito = st.selectbox("Ambito", list(AMBITO_LABELS), format_func=AMBITO_LABELS.__getitem__, key="labs_ambito")
    show_table(ambiti[ambiti["ambito"] == ambito], output_cols(Col("lab", "Laboratorio", labels=titles)),
               name=f"output_{ambito}", key="labs_by_ambito", empty="Nessun laboratorio in questo ambito.")
    st.markdown("**Esiti per indicatore** (tempo zero, tempo uno, trattamento − controllo)")
    indicators = sorted(ld.outcomes()["indicator"].unique())
    chosen = st.selectbox("Indicatore", indicators, format_func=indicator_label, key="labs_indicator",
                          index=indicators.index("nuclei_morosi_pct") if "nuclei_morosi_pct" in indicators else 0)
    outcome_table(ld.outcomes(indicator=chosen), titles, key="labs_outcomes_all")


def outcome_table(table: pd.DataFrame, titles: dict[str, str], *, key: str) -> None:
    if table.empty:
        st.info("Nessun indicatore di contesto caricato.")
        return
    shown = outcome_text_table(table.assign(lab=[titles.get(c, c) for c in table["lab"]]))
    with st.container(key=key):  # a static table: its sentences wrap instead of being cut at the right
        st.table(shown, hide_index=True)
    st.caption(f"{get_kpi('lab_outcome_points').label}: {get_kpi('lab_outcome_points').formula} "
               f"{get_kpi('lab_outcome_did').label}: {get_kpi('lab_outcome_did').formula}")


def completeness_view(titles: dict[str, str]) -> None:
    st.subheader("Completezza dei dati di valutazione")
    st.caption(get_kpi("lab_data_completeness_pct").formula)
    st.plotly_chart(charts.completeness_heatmap(ld.completeness_grid(), titles), width="stretch", key="labs_heat")
    table = ld.completeness_table()
    shown = pd.DataFrame({"Laboratorio": [titles.get(c, c) for c in table["lab"]],
                          "Completezza": [fmt_pct(v) for v in table["score"]],
                          "Cosa manca": [" ".join(m) or "Nulla" for m in table["missing"]]})
    with st.container(key="labs_missing"):  # "Cosa manca" wraps: evaluators read it whole
        st.table(shown, hide_index=True)


def lab_sheet(catalogue: pd.DataFrame, titles: dict[str, str]) -> None:
    st.subheader("Scheda del laboratorio")
    places = dict(zip(catalogue["code"], catalogue["municipality"]))
    code = st.selectbox("Laboratorio", list(catalogue["code"]), format_func=lambda c: f"{titles.get(c, c)} "
                        f"({places.get(c, '')})", key="labs_sheet")
    lab = catalogue.set_index("code").loc[code]
    left, right = st.columns(2)
    where = f"{lab['municipality']} · {lab['lead_body'] or 'ente capofila n.d.'}"
    ambiti = "; ".join(AMBITO_LABELS.get(a, a) for a in lab["ambiti"])
    left.markdown(f"**{escaping.md(lab['title'])}**  \n{escaping.md(where)}  \nAmbiti: {escaping.md(ambiti)}")
    right.markdown(f"Costo totale {fmt_eur(lab['total_cost'])} · contributo regionale "
                   f"{fmt_eur(lab['regional_contribution'])}")
    records_view(code)
    st.markdown("**Output ed esiti**")
    row = ld.completeness_table().set_index("lab").loc[code]
    for statement in row["missing"]:
        st.warning(statement, icon=":material/report:")  # our own sentences, no data in them
    months = ld.outputs("month", code)
    if not months.empty:
        st.plotly_chart(charts.activity_timeline(months), width="stretch", key="labs_timeline")
    table = ld.outcomes(code)
    points = table[table["unit"].eq("pct") & table["points_change"].notna()]
    if not points.empty:
        st.markdown("**Indicatori in percentuale: variazione in punti, area del laboratorio e area di controllo**")
        st.plotly_chart(charts.points_changes(points, {c: indicator_label(c) for c in points["indicator"]},
                                              targets=ed.drawn_targets("lab_outcome_points", scope=Scope())),
                        width="stretch", key="labs_points")
    outcome_table(table, titles, key="labs_outcomes_lab")
    outcome_readings(table)
    if st.button("Prepara il rapporto del laboratorio (HTML)", key="labs_report_one"):
        st.session_state["labs_report_one_bytes"] = _audited_report(code, f"valutazione_{code}.html")
    if st.session_state.get("labs_report_one_bytes"):
        content = st.session_state["labs_report_one_bytes"]
        download_button(st, "Scarica il rapporto del laboratorio", partial(bytes, content),
                        file_name=f"valutazione_{code}.html", mime="text/html", key="labs_dl_one",
                        user=auth.current_user())


def _audited_report(code: str | None, file_name: str) -> bytes:
    """The HTML report, written to the audit log (who, which report) when it is prepared for download."""
    content = ld.report(code, threshold=suppression_threshold())
    audit.record(get_engine(), audit.REPORT, user=auth.current_user(), detail=file_name)
    return content


auth.require("views/labs.py")
st.title("Laboratori Sociali di Quartiere")
catalogue_frame = ld.catalogue()
if catalogue_frame.empty:
    st.info("Nessun laboratorio caricato: caricare i file «laboratori», «attivita_laboratorio» e "
            "«indicatori_contesto» dalla pagina Caricamenti.")
    st.stop()
lab_titles = dict(zip(catalogue_frame["code"], catalogue_frame["title"]))
tab_compare, tab_synthesis, tab_complete, tab_sheet, tab_panel = st.tabs(
    ["Confronto", "Sintesi per ambito", "Completezza", "Scheda", "Valutazione su panel"])
with tab_compare:
    comparison(lab_titles)
with tab_synthesis:
    synthesis_view()
with tab_complete:
    completeness_view(lab_titles)
with tab_sheet:
    lab_sheet(catalogue_frame, lab_titles)
with tab_panel:
    panel_view()
if st.button("Prepara il rapporto di valutazione di tutti i laboratori (HTML)", key="labs_report_all"):
    st.session_state["labs_report_all_bytes"] = _audited_report(None, "valutazione_laboratori.html")
if st.session_state.get("labs_report_all_bytes"):
    content = st.session_state["labs_report_all_bytes"]
    download_button(st, "Scarica il rapporto di valutazione", partial(bytes, content),
                    file_name="valutazione_laboratori.html", mime="text/html", key="labs_dl_all",
                    user=auth.current_user())
