"""Panoramica: the headline arrears, vacancy and case figures, and the interventions ranked by them."""

import streamlit as st

from dashboard import auth, filters, tiles
from dashboard import monitoring_data as md
from dashboard.privacy import protect
from dashboard.tables import SPARK, Col, kpi_col, series_lists, show_table, side_by_side
from osservatorio.formatting import fmt_eur

RANKINGS = {"arrears_rate_billed": "Tasso di morosità sull'emesso", "vacancy_rate": "Tasso di sfitto"}


def headline(f: filters.Filters) -> None:
    # the trend series of the Morosità and Sfitto pages (one cached call each), drawn over the period only
    arrears = md.arrears_series(start=f.trend_start, end=f.as_of, scope=f.scope, suppress=f.suppress)
    vacancy = md.vacancy_series(start=f.trend_start, end=f.as_of, scope=f.scope)

    def spark(frame, column):
        return frame.loc[[m >= f.start for m in frame["month"]], column].tolist() if column in frame else None

    top, bottom = st.columns(3), st.columns(3)
    with top[0]:
        stock = tiles.kpi_tile("arrears_stock_eur", f, spark=spark(arrears, "stock"))
        b = tiles.breakdown(stock)
        if b.get("in_essere") is not None:
            st.caption(f"Inquilini in essere {fmt_eur(b['in_essere'])}, cessati {fmt_eur(b.get('cessati'))}"
                       + (f"; contratti con debito: {tiles.part(stock, 'contratti')}." if "contratti" in b else "."))
    with top[1]:
        tiles.kpi_tile("arrears_rate_billed", f, spark=spark(arrears, "rate_billed"))
    with top[2]:
        tiles.kpi_tile("households_in_arrears_pct", f, spark=spark(arrears, "households_in_arrears_pct"))
    with bottom[0]:
        tiles.kpi_tile("vacancy_rate", f, spark=spark(vacancy, "vacancy_rate"))
    with bottom[1]:
        tiles.kpi_tile("void_loss_eur", f)
    with bottom[2]:
        late = tiles.kpi_tile("late_cases", f)
        if late.breakdown.get("open") is not None:
            st.caption(f"Pratiche aperte alla data: {tiles.part(late, 'open')}.")
        if f.contract_rows:  # the list is shown only to roles that see single cases
            st.page_link("views/arrears.py", label="Vedi le pratiche in ritardo", icon=":material/arrow_forward:")
    st.caption("Le piccole curve nei riquadri mostrano l'andamento mensile nel periodo scelto; la variazione è "
               "rispetto a un anno prima (in punti per gli indicatori in percentuale).")


def ranking(f: filters.Filters) -> None:
    st.subheader("Interventi a confronto")
    order = st.segmented_control("Ordina per", list(RANKINGS), format_func=RANKINGS.__getitem__, key="ov_rank",
                                 default="arrears_rate_billed", selection_mode="single") or "arrears_rate_billed"
    codes = ("arrears_rate_billed", "arrears_stock_eur", "households_in_arrears_pct", "vacancy_rate")
    frames = {c: md.kpi(c, as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, by="intervention",
                        suppress=f.suppress) for c in codes}
    table = side_by_side(frames)
    arrears = md.arrears_series(start=f.start, end=f.as_of, scope=f.scope, by="intervention", suppress=f.suppress)
    vacancy = md.vacancy_series(start=f.start, end=f.as_of, scope=f.scope, by="intervention")
    table = (table.merge(series_lists(arrears, "rate_billed", "arrears_trend"), on="group", how="left")
             .merge(series_lists(vacancy, "vacancy_rate", "vacancy_trend"), on="group", how="left"))
    table = protect(table, f, by="intervention")
    table = table.sort_values(order, ascending=False, na_position="last")
    cols = [Col("group", "Intervento", labels={g: f.intervention_label(g) for g in table["group"]}),
            kpi_col("arrears_rate_billed", "arrears_rate_billed"),
            Col("arrears_trend", "Andamento morosità", SPARK,
                "Tasso di morosità sull'emesso di ogni mese del periodo."),
            kpi_col("arrears_stock_eur", "arrears_stock_eur"),
            kpi_col("households_in_arrears_pct", "households_in_arrears_pct"),
            kpi_col("vacancy_rate", "vacancy_rate"),
            Col("vacancy_trend", "Andamento sfitto", SPARK, "Tasso di sfitto a fine mese nel periodo.")]
    show_table(table, cols, name="interventi", key="ov_table", empty="Nessun intervento nel perimetro scelto.")


auth.require("views/overview.py")
flt = filters.monitoring_page("Panoramica")
headline(flt)
ranking(flt)
