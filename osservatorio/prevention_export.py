"""The early-warning list and the risk backtest as Italian tables (headings and kinds), shared by the Prevenzione
page's downloads and `osservatorio arrears`: one column list, so a file says the same on both."""

from __future__ import annotations

import pandas as pd

from indicators.prevention import STEP_ACTIONS
from osservatorio.exports import DATE, EUR, INT, NUM, PCT, TEXT

# (source column, Italian heading, kind)
WARNING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("lease_code", "Contratto", TEXT), ("unit_code", "Alloggio", TEXT), ("intervention_code", "Intervento", TEXT),
    ("income_band", "Fascia", TEXT), ("first_unpaid_due", "Prima rata non pagata", DATE),
    ("first_unpaid_amount", "Importo non pagato della rata", EUR), ("days_overdue", "Giorni", INT),
    ("balance", "Debito", EUR), ("band", "Fascia di debito", TEXT), ("step_due", "Passo dovuto", TEXT),
    ("next_step_on", "Passo successivo entro il", DATE), ("looks_no_fault", "Probabile incolpevole", TEXT),
    ("risk", "Rischio a 6 mesi", PCT),
)
BACKTEST_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("cutoff", "Data di verifica", DATE), ("train_rows", "Esempi di stima", INT),
    ("test_rows", "Contratti verificati", INT),
    ("positives", "Oltre 90 giorni o sfratto entro 6 mesi", INT), ("auc_model", "AUC modello", NUM),
    ("auc_baseline", "AUC saldo", NUM), ("precision_model", "Precisione primi 50, modello", PCT),
    ("precision_baseline", "Precisione primi 50, saldo", PCT),
)
BAND_LABELS = {None: "n.d.", "protezione": "Protezione", "accesso": "Accesso", "permanenza": "Permanenza",
               "decadenza": "Decadenza"}


def step_text(code) -> str:
    return STEP_ACTIONS.get(code, "") if isinstance(code, str) else ""


def warning_table(frame: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The list with Italian headings and readable values (steps in words, yes/no), and the kind of each column."""
    shown = frame.assign(step_due=frame["step_due"].map(step_text),
                         income_band=frame["income_band"].map(lambda v: BAND_LABELS.get(v, v)))
    if "looks_no_fault" in shown:
        shown["looks_no_fault"] = shown["looks_no_fault"].map(lambda v: "sì" if v is True or v == 1 else "no")
    cols = [c for c in WARNING_COLUMNS if c[0] in shown.columns]
    out = pd.DataFrame({label: shown[source].to_numpy() for source, label, _ in cols})
    return out, {label: kind for _, label, kind in cols}


def backtest_table(cutoffs: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The backtest per cut-off with Italian headings; precisions in points."""
    shown = cutoffs.assign(**{c: cutoffs[c].map(lambda v: None if v is None or pd.isna(v) else v * 100)
                              for c in ("precision_model", "precision_baseline")})
    out = pd.DataFrame({label: shown[source].to_numpy() for source, label, _ in BACKTEST_COLUMNS})
    return out, {label: kind for _, label, kind in BACKTEST_COLUMNS}
