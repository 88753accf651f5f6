"""The graduatoria of a call: eligibility checks with the reason of each exclusion (Italian), the score of each
eligible application from its call's rule set, and the ranking with its stated tie rule.

Pure functions over the frame of a call's applications (`indicators.selection_data.call_applications`).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from indicators.selection_rules import CRITERIA, TIE_RULE, ScoringRules
from osservatorio.formatting import fmt_eur


@dataclass
class Graduatoria:
    """The ranked eligible applications (`ranked`: rank 1 first) and the excluded ones with their `reason`."""

    ranked: pd.DataFrame
    excluded: pd.DataFrame
    rules: ScoringRules
    tie_rule: str = TIE_RULE
    warnings: list[str] = field(default_factory=list)


def income_of(frame: pd.DataFrame) -> pd.Series:
    """The income affordability is measured on: the annual income, else the ISEE (a stated approximation)."""
    return frame["annual_income"].astype(float).where(frame["annual_income"].notna(), frame["isee"].astype(float))


def exclusion_reason(row, *, isee_max: float | None, income_min: float | None) -> str | None:
    """Why an application cannot enter the graduatoria (Italian), or None if it is eligible."""
    if row["outcome"] == "non_idonea":
        return "dichiarata non idonea nell'istruttoria del gestore"
    if pd.isna(row["members"]):
        return "dati del nucleo incompleti: manca il numero di componenti"
    if pd.isna(row["annual_income"]) and pd.isna(row["isee"]):
        return "dati del nucleo incompleti: mancano reddito e ISEE"
    if isee_max is not None and pd.notna(row["isee"]) and row["isee"] > isee_max:
        return f"ISEE {fmt_eur(row['isee'])} oltre il limite dell'avviso ({fmt_eur(isee_max)})"
    income = row["annual_income"] if pd.notna(row["annual_income"]) else row["isee"]
    if income_min is not None and income < income_min:
        return f"reddito {fmt_eur(income)} sotto il reddito minimo dell'avviso ({fmt_eur(income_min)})"
    return None


def criteria_score(frame: pd.DataFrame, rules: ScoringRules) -> pd.Series:
    """Points from the priority and accessory criteria: weight of each criterion met, plus points per year on the
    list up to the rule set's cap."""
    score = pd.Series(0.0, index=frame.index)
    for column in CRITERIA:
        met = frame[column].astype("boolean").fillna(False).to_numpy(dtype=bool)
        score += np.where(met, rules.weights.get(column, 0.0), 0.0)
    years = frame["years_waiting"].astype(float).fillna(0).clip(upper=rules.max_years)
    return score + years * rules.points_per_year


def scores(frame: pd.DataFrame, rules: ScoringRules) -> tuple[pd.Series, pd.Series]:
    """(score, source): the score given in the file where there is one (the gestore's own graduatoria), else the
    points of the criteria under the call's rule set."""
    given = frame["score"].astype(float)
    computed = criteria_score(frame, rules)
    use_given = given.notna()
    source = pd.Series(np.where(use_given, "punteggio del file", "dai criteri"), index=frame.index)
    return given.where(use_given, computed), source


def rank(frame: pd.DataFrame) -> pd.DataFrame:
    """Sorted by the tie rule: score descending, then ISEE ascending (missing last), applied_on, code; rank 1..n."""
    isee = frame["isee"].astype(float).fillna(np.inf)
    order = np.lexsort((frame["code"].to_numpy(dtype=str), frame["applied_on"].astype(str).to_numpy(),
                        isee.to_numpy(), -frame["points"].to_numpy(dtype=float)))
    out = frame.iloc[order].reset_index(drop=True)
    out["rank"] = np.arange(1, len(out) + 1)
    return out


def graduatoria(applications: pd.DataFrame, rules: ScoringRules, *, isee_max: float | None = None,
                income_min: float | None = None) -> Graduatoria:
    """The graduatoria of a call's waiting applications: eligibility, then score and rank.

    `isee_max` (the call's own limit) overrides the rule set's; `income_min` is the call's reddito minimo.
    """
    limit = isee_max if isee_max is not None else rules.isee_max
    reasons = [exclusion_reason(row, isee_max=limit, income_min=income_min)
               for _, row in applications.iterrows()] if len(applications) else []
    reasons_s = pd.Series(reasons, index=applications.index, dtype=object)
    eligible = applications[reasons_s.isna()].copy()
    excluded = applications[reasons_s.notna()].assign(reason=reasons_s[reasons_s.notna()])
    eligible["points"], eligible["score_source"] = scores(eligible, rules) if len(eligible) else ([], [])
    eligible["income"] = income_of(eligible)
    ranked = rank(eligible)
    return Graduatoria(ranked, excluded.sort_values("code").reset_index(drop=True), rules)
