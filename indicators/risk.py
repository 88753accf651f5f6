"""The arrears risk score (`arrears_risk_score`): for a contract in arrears today and not yet 90 days behind, the
probability of being more than 90 days in arrears, or of reaching the eviction step, within the next 6 months.

A logistic regression (statsmodels GLM, binomial family) fitted on the warehouse's own history: every month end
of the past is a cut-off whose contracts in arrears are examples, their outcome read in the 6 months after it.
Its features use nothing after the cut-off (`risk_panel`). It is only worth showing if it ranks better than the
obvious rule, "call the largest debts first": `backtest` fits on the history before each of several cut-offs,
scores the contracts at the cut-off and compares with what happened, against that baseline (AUC, precision
among the top 50, calibration), and says plainly when the model is not better.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.ledger_sql import month_ends
from indicators.risk_panel import monthly_panel
from indicators.scope import Scope
from osservatorio.formatting import fmt_num

Conn = Connection | Engine
HORIZON = 6  # months
TREND_MONTHS = 3
TOP_K = 50
LOW_INCOME = ("protezione", "accesso")
FEATURES = ("days_overdue", "log_balance", "months_owed", "trend", "low_income", "income_unknown", "tenure_years",
            "cases_before", "open_cases", "plans_before")
FEATURE_LABELS = {
    "days_overdue": "giorni dalla prima rata non pagata", "log_balance": "debito (logaritmo)",
    "months_owed": "mensilità di canone dovute", "trend": "aumento del debito negli ultimi 3 mesi (mensilità)",
    "low_income": "fascia protezione o accesso", "income_unknown": "fascia non indicata",
    "tenure_years": "anni di contratto", "cases_before": "pratiche aperte in passato",
    "open_cases": "pratica aperta", "plans_before": "piani, microcrediti o fondi in passato"}
MIN_EXAMPLES, MIN_CLASS = 30, 5
MIN_GAIN = 0.01  # AUC points the model must gain on average over the baseline to count as better
MIN_CHECKS = 2  # cut-offs with both AUCs needed before the model may be called better


def _shift(day: pd.Timestamp, months: int) -> pd.Timestamp:
    return (day + pd.offsets.MonthEnd(months)) if months else day


def features(panel: pd.DataFrame, cutoffs: list[date]) -> pd.DataFrame:
    """The examples at each cut-off: leases in force with arrears, not yet more than 90 days behind, and their
    `FEATURES` from the panel rows at the cut-off and `TREND_MONTHS` before (nothing later)."""
    days = [pd.Timestamp(c) for c in cutoffs]
    now = panel[panel["month_end"].isin(days)]
    now = now[(now["active"] == 1) & (now["arrears"] > 0) & (now["overdue_90"] == 0)]
    before = panel[["lease_code", "month_end", "arrears"]].rename(columns={"arrears": "arrears_before"})
    before = before.assign(month_end=before["month_end"] + pd.offsets.MonthEnd(TREND_MONTHS))
    now = now.assign(key=now["month_end"] + pd.offsets.MonthEnd(0))  # a cut-off within a month: its month end
    before = before.rename(columns={"month_end": "key"})
    rows = now.merge(before, on=["lease_code", "key"], how="left").fillna({"arrears_before": 0.0})
    rent = rows["monthly_rent"].where(rows["monthly_rent"] > 0)
    out = pd.DataFrame({
        "lease_code": rows["lease_code"], "cutoff": rows["month_end"], "balance": rows["arrears"],
        "days_overdue": (rows["month_end"] - rows["first_unpaid_due"]).dt.days.astype(float),
        "log_balance": np.log1p(rows["arrears"]),
        "months_owed": (rows["arrears"] / rent).fillna(0.0),
        "trend": ((rows["arrears"] - rows["arrears_before"]) / rent).fillna(0.0),
        "low_income": rows["income_band"].isin(LOW_INCOME).astype(float),
        "income_unknown": rows["income_band"].isna().astype(float),
        "tenure_years": (rows["month_end"] - rows["start_date"]).dt.days / 365.25,
        "cases_before": rows["cases_before"].astype(float), "open_cases": rows["open_cases"].astype(float),
        "plans_before": rows["plans_before"].astype(float)})
    return out.sort_values(["cutoff", "lease_code"]).reset_index(drop=True)


def outcomes(panel: pd.DataFrame, examples: pd.DataFrame) -> pd.Series:
    """1 when, at a month end in the `HORIZON` months after the example's cut-off, the lease is more than 90 days
    behind or has an eviction event it did not have at the cut-off; else 0."""
    grid = panel[["lease_code", "month_end", "overdue_90", "evictions_before"]]
    hits = pd.Series(0, index=examples.index, dtype=int)
    base = examples[["lease_code", "cutoff"]].merge(
        grid.rename(columns={"month_end": "cutoff", "evictions_before": "evictions_at"})[
            ["lease_code", "cutoff", "evictions_at"]], on=["lease_code", "cutoff"], how="left")
    base.index = examples.index
    for k in range(1, HORIZON + 1):
        later = examples[["lease_code"]].assign(month_end=examples["cutoff"] + pd.offsets.MonthEnd(k))
        seen = later.merge(grid, on=["lease_code", "month_end"], how="left")
        seen.index = examples.index
        evicted = seen["evictions_before"].fillna(0) > base["evictions_at"].fillna(0)
        hits |= ((seen["overdue_90"].fillna(0) == 1) | evicted).astype(int)
    return hits


@dataclass
class FittedModel:
    """A fitted logit: the features kept (those that vary), their means and spreads, the coefficients."""

    columns: list[str]
    mean: pd.Series
    scale: pd.Series
    params: np.ndarray
    regularised: bool

    def predict(self, examples: pd.DataFrame) -> np.ndarray:
        x = (examples[self.columns] - self.mean) / self.scale
        eta = np.clip(np.column_stack([np.ones(len(x)), x.to_numpy(dtype=float)]) @ self.params, -30, 30)
        return 1.0 / (1.0 + np.exp(-eta))


def fit(examples: pd.DataFrame, y: pd.Series) -> FittedModel:
    """Logistic regression (GLM, binomial family, logit link) on standardised features; features without variation
    are left out; where the maximum likelihood does not exist (separated data) a lightly penalised fit (ridge)."""
    import statsmodels.api as sm

    spread = examples[list(FEATURES)].std(ddof=0)
    columns = [c for c in FEATURES if spread[c] > 1e-9]
    mean, scale = examples[columns].mean(), examples[columns].std(ddof=0)
    x = sm.add_constant((examples[columns] - mean) / scale, has_constant="add").to_numpy(dtype=float)
    model = sm.GLM(y.to_numpy(dtype=float), x, family=sm.families.Binomial())
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        try:
            params = np.asarray(model.fit().params)
            if np.isfinite(params).all() and np.abs(params).max() < 15:
                return FittedModel(columns, mean, scale, params, False)
        except Exception:  # noqa: BLE001 (perfect separation, singular matrix: fall back to the penalised fit)
            pass
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        params = np.asarray(model.fit_regularized(alpha=0.01, L1_wt=0.0).params)
    return FittedModel(columns, mean, scale, params, True)


def auc(scores, y) -> float | None:
    """Area under the ROC curve (ties count one half), None without both outcomes."""
    y = np.asarray(y, dtype=int)
    n1, n0 = int(y.sum()), int(len(y) - y.sum())
    if n1 == 0 or n0 == 0:
        return None
    ranks = pd.Series(np.asarray(scores, dtype=float)).rank(method="average").to_numpy()
    return float((ranks[y == 1].sum() - n1 * (n1 + 1) / 2) / (n1 * n0))


def precision_at(scores, y, codes, k: int = TOP_K) -> float | None:
    """Share of positives among the top `k` by score (ties broken by contract code), None without rows."""
    frame = pd.DataFrame({"s": np.asarray(scores, dtype=float), "y": np.asarray(y, dtype=int), "c": list(codes)})
    if frame.empty:
        return None
    top = frame.sort_values(["s", "c"], ascending=[False, True]).head(k)
    return float(top["y"].mean())


@dataclass
class Backtest:
    """Per cut-off: cutoff, train_rows, test_rows, positives, auc_model, auc_baseline, precision_model,
    precision_baseline (top `TOP_K`); calibration (bin, predicted, observed, contracts) pooled over the cut-offs;
    the verdict in Italian and whether the model is better (None: too little history to tell)."""

    cutoffs: pd.DataFrame
    calibration: pd.DataFrame
    model_better: bool | None
    verdict: str
    warnings: list[str] = field(default_factory=list)


def history_months(first: date, last: date) -> list[date]:
    return month_ends(first, last)


def backtest(conn: Conn, *, first: date, last: date, scope: Scope = Scope(), tests: int = 4,
             spacing: int = 3) -> Backtest:
    """Fit on the history before each of `tests` cut-offs (`spacing` months apart, the last one `HORIZON` months
    before `last`), score the contracts at the cut-off, and compare with the following `HORIZON` months.

    Training examples are the month ends t with t + HORIZON months <= the cut-off (their outcome was known then).
    """
    return assess(conn, first=first, as_of=last, scope=scope, tests=tests, spacing=spacing)[0]


def assess(conn: Conn, *, first: date, as_of: date, scope: Scope = Scope(), tests: int = 4,
           spacing: int = 3) -> tuple[Backtest, pd.DataFrame, bool]:
    """The backtest up to `as_of` and today's scores (`risk_scores`) from one read of the history."""
    months = history_months(first, as_of)
    points = [*months, *([as_of] if not months or months[-1] < as_of else [])]
    panel = monthly_panel(conn, months=points, scope=scope)
    examples = _examples(panel, points)
    return (backtest_examples(examples, months, tests=tests, spacing=spacing), *_scores(examples, as_of))


def _examples(panel: pd.DataFrame, points: list[date]) -> pd.DataFrame:
    examples = features(panel, points[TREND_MONTHS:])
    examples["y"] = outcomes(panel, examples)
    return examples


def backtest_panel(panel: pd.DataFrame, months: list[date], *, tests: int = 4, spacing: int = 3) -> Backtest:
    """`backtest` on a panel already read (every month end of `months`)."""
    return backtest_examples(_examples(panel, months), months, tests=tests, spacing=spacing)


def backtest_examples(examples: pd.DataFrame, months: list[date], *, tests: int = 4, spacing: int = 3) -> Backtest:
    """`backtest` on the examples (features and outcomes) of every month end of `months`."""
    days = [pd.Timestamp(m) for m in months]
    usable = days[TREND_MONTHS:]
    known = [d for d in usable if _shift(d, HORIZON) <= days[-1]] if days else []
    candidates = known[::-1][::spacing][:tests][::-1]
    rows, pooled, notes = [], [], []
    for cut in candidates:
        train = examples[examples["cutoff"] + pd.offsets.MonthEnd(HORIZON) <= cut]
        test = examples[examples["cutoff"] == cut]
        if not _enough(train) or test.empty:
            notes.append(f"{cut:%d/%m/%Y}: storia insufficiente per stimare il modello")
            continue
        model = fit(train, train["y"])
        p = model.predict(test)
        rows.append(_scored(cut, train, test, p))
        pooled.append(pd.DataFrame({"p": p, "y": test["y"].to_numpy()}))
    table = pd.DataFrame(rows, columns=["cutoff", "train_rows", "test_rows", "positives", "auc_model", "auc_baseline",
                                        "precision_model", "precision_baseline"])
    better, verdict = judge(table)
    calibration = calibration_table(pd.concat(pooled, ignore_index=True) if pooled else pd.DataFrame(
        {"p": [], "y": []}))
    return Backtest(table, calibration, better, verdict, notes)


def _enough(train: pd.DataFrame) -> bool:
    return len(train) >= MIN_EXAMPLES and min(train["y"].sum(), (1 - train["y"]).sum()) >= MIN_CLASS


def _scored(cut: pd.Timestamp, train: pd.DataFrame, test: pd.DataFrame, p: np.ndarray) -> dict:
    y, codes = test["y"].to_numpy(), test["lease_code"].tolist()
    return {"cutoff": cut.date(), "train_rows": len(train), "test_rows": len(test), "positives": int(y.sum()),
            "auc_model": auc(p, y), "auc_baseline": auc(test["balance"], y),
            "precision_model": precision_at(p, y, codes), "precision_baseline": precision_at(test["balance"], y, codes)}


def judge(table: pd.DataFrame) -> tuple[bool | None, str]:
    """Better when, over at least `MIN_CHECKS` cut-offs with both AUCs, the model gains at least `MIN_GAIN` on
    average and wins in more than half of them; the sentence says which, in plain words."""
    both = table.dropna(subset=["auc_model", "auc_baseline"])
    if both.empty:
        return None, ("Storia insufficiente per una verifica sul passato: il punteggio di rischio non è mostrato; "
                      "ordinare per saldo.")
    gain = float((both["auc_model"] - both["auc_baseline"]).mean())
    wins = int((both["auc_model"] > both["auc_baseline"]).sum())
    signed = ("+" if gain >= 0 else "−") + fmt_num(abs(gain), 2)
    if len(both) < MIN_CHECKS:
        return False, (f"Il modello NON si può dire migliore del semplice ordinamento per saldo: una sola verifica sul "
                       f"passato (AUC {signed} rispetto al saldo) è troppo poco. Usare l'ordinamento per saldo.")
    if gain >= MIN_GAIN and wins * 2 > len(both):
        return True, (f"Il modello ordina meglio del semplice saldo: AUC in media {signed} rispetto al saldo, "
                      f"migliore in {wins} verifiche su {len(both)}.")
    return False, (f"Il modello NON fa meglio del semplice ordinamento per saldo (AUC in media {signed} rispetto al "
                   f"saldo, migliore in {wins} verifiche su {len(both)}): usare l'ordinamento per saldo.")


def calibration_table(pooled: pd.DataFrame, bins: int = 5) -> pd.DataFrame:
    """Predicted against observed: the pooled test contracts in `bins` groups of equal size by predicted probability;
    bin, predicted (mean, points), observed (share that went over 90 days or to eviction, points), contracts."""
    if pooled.empty:
        return pd.DataFrame(columns=["bin", "predicted", "observed", "contracts"])
    ranks = pooled["p"].rank(method="first")
    groups = pd.qcut(ranks, q=min(bins, len(pooled)), labels=False)
    table = pooled.groupby(groups).agg(predicted=("p", "mean"), observed=("y", "mean"), contracts=("y", "size"))
    table = table.reset_index(names="bin")
    table["bin"] = table["bin"].astype(int) + 1
    table[["predicted", "observed"]] = (table[["predicted", "observed"]] * 100).round(2)
    return table


def risk_scores(conn: Conn, *, as_of: date, first: date, scope: Scope = Scope()) -> tuple[pd.DataFrame, bool]:
    """Today's scores: the model fitted on every past cut-off whose outcome is known by `as_of`, applied to the
    contracts in arrears at `as_of` not yet 90 days behind. Returns (lease_code, risk in points) and whether a model
    could be fitted (False: too little history; no scores)."""
    months = history_months(first, as_of)
    points = [*months, *([as_of] if not months or months[-1] < as_of else [])]
    return _scores(_examples(monthly_panel(conn, months=points, scope=scope), points), as_of)


def _scores(examples: pd.DataFrame, as_of: date) -> tuple[pd.DataFrame, bool]:
    today = pd.Timestamp(as_of)
    train = examples[examples["cutoff"] + pd.offsets.MonthEnd(HORIZON) <= today]
    now = examples[examples["cutoff"] == today]
    if not _enough(train) or now.empty:
        return pd.DataFrame(columns=["lease_code", "risk"]), False
    model = fit(train, train["y"])
    return pd.DataFrame({"lease_code": now["lease_code"].to_numpy(), "risk": model.predict(now) * 100}), True
