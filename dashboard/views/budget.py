"""Budget: a proposal drawn from history with its uncertainty, the user's adjustments, saving, and budget vs actual."""

from functools import partial

import pandas as pd
import streamlit as st

from dashboard import auth, filters
from osservatorio.charts import budget as budget_charts
from dashboard import budget_data as bd
from dashboard import economics_data as ed
from dashboard.data import get_engine
from osservatorio.exports import CSV_MIME, XLSX_MIME, to_csv
from dashboard.private_downloads import download_button
from indicators.budget import Adjustments, adjusted, totals
from indicators.budget_revenue import projected_margin
from indicators.cost_history import category_label
from indicators.forecast import accuracy_text, method_text
from indicators.registry import get_kpi
from osservatorio import audit
from osservatorio import escaping
from osservatorio.budget_report import proposal_excel, proposal_table, variance_excel, variance_table
from osservatorio.formatting import fmt_eur, fmt_num, fmt_pct
from osservatorio.settings import get_settings


def proposal_year(last_actual) -> int:
    """The year of the proposal, chosen in its own tab (default: the year after the last actual)."""
    years = list(range(last_actual.year - 3, last_actual.year + 2))
    return st.selectbox("Anno della proposta di budget", years, index=len(years) - 1, key="bud_year",
                        help="La proposta usa solo i consuntivi degli anni precedenti.")


def variance_year(years: list[int]) -> int:
    """The year checked against its budget, chosen in its own tab (default: the latest year with actuals)."""
    return st.selectbox("Anno del confronto budget–consuntivo", years, index=len(years) - 1, key="bud_variance_year",
                        help="Anni con consuntivi caricati; di norma l'anno in corso.")


def adjustments_editor(proposal) -> Adjustments:
    st.markdown("**Rettifiche**")
    inflation = st.number_input("Inflazione aggiunta alla previsione (%)", min_value=-10.0, max_value=30.0,
                                value=0.0, step=0.5, key="bud_inflation", format="%.1f",
                                help="Si applica sopra la previsione, che estrapola già l'andamento storico.")
    categories = sorted(set(proposal.lines.loc[proposal.lines["side"] == "costi", "category"]))
    base = pd.DataFrame({"Voce": [category_label(c) for c in categories], "Variazione €/anno": 0.0, "Motivo": ""})
    edited = st.data_editor(base, key="bud_changes", hide_index=True, width="stretch", disabled=["Voce"],
                            column_config={"Variazione €/anno": st.column_config.NumberColumn(format="%.0f €")})
    changes = {c: float(v) for c, v in zip(categories, edited["Variazione €/anno"].fillna(0)) if v}
    notes = {c: str(n) for c, n in zip(categories, edited["Motivo"].fillna("")) if n}
    return Adjustments(float(inflation), changes, notes)


def proposal_section(year: int, f: filters.Filters) -> None:
    settings = get_settings()
    revenue = st.toggle("Includi i ricavi (canoni e spese addebitati, perdita attesa da morosità, mancato canone "
                        "da sfitto)", key="bud_revenue")
    proposal = bd.proposal(year=year, scope=f.scope, inflation_pct=settings.budget_inflation_pct,
                           include_revenue=revenue)
    st.subheader(f"Proposta di budget {year}", help=get_kpi("budget_forecast_eur").help)
    if proposal.lines.empty:
        st.info(f"Nessuno storico dei costi prima del {year} nel perimetro: impossibile proporre un budget.")
        return
    left, right = st.columns([1, 2])
    with left:
        adjustments = adjustments_editor(proposal)
    lines, monthly = adjusted(proposal, adjustments)
    with right:
        fan(proposal)
    sums = totals(lines).set_index("side")
    cols = st.columns(3)
    cols[0].metric("Previsione costi", fmt_eur(sums.at["costi", "forecast"], cents=False))
    cols[1].metric("Budget proposto", fmt_eur(sums.at["costi", "amount"], cents=False),
                   delta=fmt_eur(sums.at["costi", "amount"] - sums.at["costi", "forecast"], cents=False),
                   delta_color="off")
    cols[2].metric("Ultimi 12 mesi", fmt_eur(lines.loc[lines["side"] == "costi", "last_12_months"].sum(), cents=False))
    margin_metrics(lines, f)
    table, kinds = proposal_table(proposal, lines)
    st.dataframe(italian(table.drop(columns=["Intervento"] if revenue else ["Lato", "Intervento"]), kinds),
                 hide_index=True, width="stretch")
    maintenance_section(year, f, proposal)
    st.caption("Metodi usati: " + "; ".join(method_text(m) for m in sorted(set(lines["method"]))) + ".")
    for w in proposal.warnings:
        st.warning(escaping.md(w))
    downloads(proposal, adjustments, table, kinds, year)
    save_form(proposal, adjustments)


def margin_metrics(lines: pd.DataFrame, f: filters.Filters) -> None:
    """The revenue side of the proposal: billed, expected arrears loss, void loss and margin (`budget_revenue`),
    and the margin against the target set for `operating_margin_eur` (the year's margin)."""
    margin = projected_margin(lines, "amount")
    if margin is None:
        return
    cols = st.columns(4)
    cols[0].metric("Ricavi addebitati previsti", fmt_eur(margin["billed"], cents=False))
    cols[1].metric("Perdita attesa da morosità", fmt_eur(margin["arrears_loss"], cents=False))
    cols[2].metric("Mancato canone da sfitto", fmt_eur(margin["void_loss"], cents=False),
                   help="Mostrato a parte: non è mai addebitato, quindi non è sottratto dal margine.")
    cols[3].metric("Margine previsto", fmt_eur(margin["margin"], cents=False),
                   help=get_kpi("operating_margin_eur").help)
    st.plotly_chart(budget_charts.margin_bars(margin, targets=ed.drawn_targets("operating_margin_eur", scope=f.scope)),
                    width="stretch", key="bud_margin_chart")


def maintenance_section(year: int, f: filters.Filters, proposal) -> None:
    """The ordinary-maintenance forecast split on the ticket history's categories."""
    split = bd.maintenance(year=year, scope=f.scope, lines=proposal.lines)
    st.markdown("**Manutenzione ordinaria e storico delle segnalazioni**")
    if split.empty:
        st.caption(f"Nessuna segnalazione chiusa con costo negli anni prima del {year}.")
        return
    years = [c for c in split.columns if c.isdigit()]
    shown = pd.DataFrame({"Categoria di segnalazione": split["label"],
                          **{f"Costo {y}": split[y].map(lambda v: fmt_eur(v, cents=False)) for y in years},
                          "Quota": split["share"].map(fmt_pct),
                          "Previsione di manutenzione": split["forecast"].map(lambda v: fmt_eur(v, cents=False))})
    st.dataframe(shown, hide_index=True, width="stretch")
    st.caption("La previsione della manutenzione ordinaria è ripartita sulle categorie di segnalazione in proporzione "
               f"al loro costo negli anni {years[0]}–{years[-1]}: quali riparazioni paga la voce.")


FORMATS = {"eur": lambda v: fmt_eur(v, cents=False), "pct": fmt_pct, "num": lambda v: fmt_num(v, 2)}


def italian(table: pd.DataFrame, kinds: dict) -> pd.DataFrame:
    """Amounts and percentages as Italian text for the screen (the downloads keep numbers)."""
    shown = table.copy()
    for column, kind in kinds.items():
        if column in shown and kind in FORMATS:
            shown[column] = shown[column].map(FORMATS[kind])
    return shown


def fan(proposal) -> None:
    costs = proposal.lines[proposal.lines["side"] == "costi"]
    category = st.selectbox("Voce", list(costs["category"]), format_func=category_label, key="bud_category")
    history = (proposal.history[proposal.history["category"] == category]
               .groupby("month", as_index=False)["amount"].sum())
    forecast = proposal.monthly[proposal.monthly["category"] == category].groupby("month", as_index=False)[
        ["mean", "low80", "high80", "low95", "high95"]].sum()
    st.plotly_chart(budget_charts.fan_chart(history, forecast), width="stretch", key="bud_fan")
    line = costs.set_index("category").loc[category]
    st.caption(f"Metodo: {method_text(line['method'])}. Affidabilità: {accuracy_text(line['mase'])}; "
               f"{int(line['n_months'])} mesi di storico. Le bande all'80% e al 95% dicono dove cadrebbe il "
               "consuntivo se il metodo sbagliasse come in passato; se la previsione ne tocca il bordo, in passato "
               f"il metodo ha per lo più sbagliato in una sola direzione. {escaping.md(line['warnings'])}")


def downloads(proposal, adjustments, table, kinds, year: int) -> None:
    row, user = st.container(horizontal=True, gap="small"), auth.current_user()
    download_button(row, "Excel", partial(proposal_excel, proposal, adjustments), file_name=f"budget_{year}.xlsx",
                    mime=XLSX_MIME, key="bud_xlsx", user=user)
    download_button(row, "CSV", partial(to_csv, table, kinds), file_name=f"budget_{year}.csv", mime=CSV_MIME,
                    key="bud_csv", user=user)


def save_form(proposal, adjustments) -> None:
    """Save the adjusted proposal as approved: the approver is the signed-in user, and the saving is audited."""
    from indicators.budget_versions import save_version

    user = auth.current_user()
    if user is None:  # the page requires a signed-in user
        return
    with st.form("bud_save_form"):
        st.markdown(f"Approvato da **{user.username}** ({user.role_info.label})")
        label = st.text_input("Nome della versione (facoltativo)", key="bud_label", max_chars=200)
        if st.form_submit_button("Salva come versione approvata", icon=":material/save:"):
            version = save_version(get_engine(), proposal, adjustments, author=user.username,
                                   label=label.strip() or None)
            audit.record(get_engine(), audit.BUDGET_APPROVED, user=user,
                         detail=f"versione {version}, budget {proposal.year}")
            st.cache_data.clear()
            st.success(f"Versione {version} salvata: è il riferimento per il confronto con il consuntivo.")


def variance_section(year: int, f: filters.Filters) -> None:
    settings = get_settings()
    v = bd.budget_vs_actual(year=year, scope=f.scope, pct_threshold=settings.budget_variance_pct,
                          eur_threshold=settings.budget_variance_eur)
    st.subheader(f"Budget {year} e consuntivo", help=get_kpi("budget_variance_eur").help)
    for w in v.warnings:
        st.info(escaping.md(w))
    if v.months_to_date == 0 or v.by_category.empty:
        return
    st.caption(f"Consuntivo dei primi {v.months_to_date} mesi contro {escaping.md(v.source)}. Segnalati gli "
               f"scostamenti oltre {fmt_pct(settings.budget_variance_pct)} e "
               f"{fmt_eur(settings.budget_variance_eur, cents=False)}.")
    total = v.by_category.set_index("category").loc["totale"]
    cols = st.columns(3)
    cols[0].metric("Scostamento a oggi", fmt_eur(total["variance"], cents=False),
                   help=get_kpi("budget_variance_eur").help)
    cols[1].metric("Proiezione a fine anno", fmt_eur(total["projection"], cents=False),
                   help=get_kpi("budget_projection_eur").help)
    cols[2].metric("Budget dell'anno", fmt_eur(total["budget_year"], cents=False))
    rows = v.by_category[v.by_category["category"] != "totale"]
    st.plotly_chart(budget_charts.variance_bars(rows["label"].tolist(), rows["variance"].tolist()), width="stretch",
                    key="bud_variance_chart")
    table, kinds = variance_table(v)
    st.dataframe(italian(table, kinds), hide_index=True, width="stretch")
    row, user = st.container(horizontal=True, gap="small"), auth.current_user()
    download_button(row, "Excel", partial(variance_excel, v), file_name=f"scostamenti_{year}.xlsx", mime=XLSX_MIME,
                    key="bud_var_xlsx", user=user)
    download_button(row, "CSV", partial(to_csv, table, kinds), file_name=f"scostamenti_{year}.csv", mime=CSV_MIME,
                    key="bud_var_csv", user=user)


auth.require("views/budget.py")
f = filters.monitoring_page("Budget", dates=False)  # yearly figures: each tab chooses its own year
last_actual = bd.last_actual_month()
if last_actual is None:
    st.info("Nessun consuntivo nel warehouse: caricare il file «consuntivi» dalla pagina **Caricamenti**.")
    st.stop()
proposal_tab, variance_tab = st.tabs(["Proposta", "Budget e consuntivo"])
with proposal_tab:
    proposal_section(proposal_year(last_actual), f)
with variance_tab:
    variance_section(variance_year(bd.actual_years()), f)
