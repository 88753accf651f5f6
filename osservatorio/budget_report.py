"""The budget's views as Italian tables (column names and kinds), shared by the Budget page and the CLI."""

from __future__ import annotations

import pandas as pd

from osservatorio.exports import DATE, EUR, INT, NUM, PCT, TEXT, to_csv, to_excel_sheets
from indicators.budget import BudgetProposal, adjusted
from indicators.cost_history import category_label
from indicators.variance import BudgetVariance

SIDES = {"costi": "Costi", "ricavi": "Ricavi"}
# The backtest's MASE in words: the method's error in the trials on past years, where 1 is the typical error of
# repeating the same month of the year before (below 1: better than that).
ERROR = "Errore nelle prove (1 = stesso mese anno prima)"
BASELINE_ERROR = "Errore nelle prove, anno prec. + inflazione"


def proposal_table(proposal: BudgetProposal, lines: pd.DataFrame | None = None) -> tuple[pd.DataFrame, dict]:
    """One row per series: forecast, intervals, baseline and backtest errors (and the adjusted amount if given)."""
    src = proposal.lines if lines is None else lines
    table = pd.DataFrame({
        "Lato": src["side"].map(SIDES), "Intervento": src["intervention_code"].astype(object).fillna("tutti"),
        "Voce": src["label"], "Metodo": src["method_label"], "Mesi di storico": src["n_months"],
        "Ultimi 12 mesi": src["last_12_months"], "Anno prec. + inflazione": src["baseline"],
        "Previsione": src["forecast"], "Minimo 80%": src["low80"], "Massimo 80%": src["high80"],
        "Minimo 95%": src["low95"], "Massimo 95%": src["high95"], ERROR: src["mase"],
        BASELINE_ERROR: src["baseline_mase"], "Avvertenze": src["warnings"]})
    if "amount" in src:
        table.insert(8, "Rettifica", src["amount"] - src["forecast"])
        table.insert(9, "Budget proposto", src["amount"])
    kinds = {c: EUR for c in table.columns} | {"Lato": TEXT, "Intervento": TEXT, "Voce": TEXT, "Metodo": TEXT,
                                                "Avvertenze": TEXT, "Mesi di storico": INT, ERROR: NUM,
                                                BASELINE_ERROR: NUM}
    return table, kinds


def monthly_table(monthly: pd.DataFrame) -> tuple[pd.DataFrame, dict]:
    table = pd.DataFrame({
        "Lato": monthly["side"].map(SIDES), "Intervento": monthly["intervention_code"].astype(object).fillna("tutti"),
        "Voce": monthly["category"].map(category_label), "Mese": monthly["month"], "Previsione": monthly["mean"],
        "Minimo 80%": monthly["low80"], "Massimo 80%": monthly["high80"], "Minimo 95%": monthly["low95"],
        "Massimo 95%": monthly["high95"]})
    if "amount" in monthly:
        table["Budget proposto"] = monthly["amount"]
    return table, {c: EUR for c in table.columns} | {"Lato": TEXT, "Intervento": TEXT, "Voce": TEXT, "Mese": DATE}


def variance_table(variance: BudgetVariance) -> tuple[pd.DataFrame, dict]:
    v = variance.by_category
    table = pd.DataFrame({
        "Voce": v["label"], "Budget anno": v["budget_year"], "Budget a oggi": v["budget_ytd"],
        "Consuntivo a oggi": v["actual_ytd"], "Scostamento": v["variance"], "Scostamento %": v["variance_pct"],
        "Proiezione a fine anno": v["projection"], "Scostamento proiettato": v["projection_variance"],
        "Scostamento proiettato %": v["projection_pct"],
        "Segnalazione": [_flag(a, b) for a, b in zip(v["flag"], v["flag_projection"])]})
    kinds = {c: EUR for c in table.columns} | {"Voce": TEXT, "Scostamento %": PCT, "Scostamento proiettato %": PCT,
                                                "Segnalazione": TEXT}
    return table, kinds


def _flag(to_date: bool, projected: bool) -> str:
    where = [w for w, on in (("a oggi", to_date), ("a fine anno", projected)) if on]
    return "oltre soglia " + " e ".join(where) if where else ""


def proposal_excel(proposal: BudgetProposal, adjustments) -> bytes:
    """The proposal as a workbook: annual lines, monthly phasing, history (one sheet per view)."""
    lines, monthly = adjusted(proposal, adjustments)
    history = proposal.history.assign(category=proposal.history["category"].map(category_label))
    history = history.rename(columns={"side": "Lato", "intervention_code": "Intervento", "category": "Voce",
                                      "month": "Mese", "amount": "Importo"})
    return to_excel_sheets({"Budget proposto": proposal_table(proposal, lines),
                            "Mensile": monthly_table(monthly),
                            "Storico": (history, {"Mese": DATE, "Importo": EUR})})


def variance_excel(variance: BudgetVariance) -> bytes:
    monthly = variance.monthly.assign(category=variance.monthly["category"].map(category_label)).rename(columns={
        "category": "Voce", "month": "Mese", "budget": "Budget", "actual": "Consuntivo", "variance": "Scostamento",
        "variance_pct": "Scostamento %"})
    return to_excel_sheets({"Scostamenti": variance_table(variance),
                            "Mensile": (monthly, {"Mese": INT, "Budget": EUR, "Consuntivo": EUR,
                                                  "Scostamento": EUR, "Scostamento %": PCT})})


def csv_of(table_and_kinds: tuple[pd.DataFrame, dict]) -> bytes:
    return to_csv(*table_and_kinds)
