"""Every estimate read in plain Italian, with what it does not allow to conclude: the sentence an evaluator at the
Regione can copy ("l'effetto stimato è −2,10 punti; con 5 unità di controllo non si può escludere che sia nullo").
"""

from __future__ import annotations

import pandas as pd

from indicators.evaluation import Effect
from indicators.lab_outcomes import indicator_label
from osservatorio.evaluation_text import fmt_change, fmt_level, fmt_p
from osservatorio.formatting import fmt_count, fmt_num

FEW_CONTROLS = 10  # below this, inference leans on few clusters or placebos: the reading says so


def _controls(n: int) -> str:
    return fmt_count(n, "unità di controllo", "unità di controllo")


def _includes_zero(effect: Effect) -> bool:
    if effect.ci_low is not None and effect.ci_high is not None:
        return effect.ci_low <= 0 <= effect.ci_high
    return effect.p_value is None or effect.p_value >= 0.05


def effect_reading(effect: Effect, *, unit: str = "") -> str:
    """The estimate, its interval, and whether a null effect can be excluded given the controls there were."""
    if effect.estimate is None:
        reason = effect.warnings[0] if effect.warnings else "dati insufficienti."
        return f"Nessuna stima: {reason}"
    value = fmt_num(effect.estimate, 2) + (f" {unit}" if unit else "")
    head = f"L'effetto stimato è {value}"
    if effect.ci_low is not None and effect.ci_high is not None:
        head += f" (intervallo al 95% da {fmt_num(effect.ci_low, 2)} a {fmt_num(effect.ci_high, 2)})"
    if _includes_zero(effect):
        tail = f"con {_controls(effect.n_control)} non si può escludere che sia nullo"
    elif effect.n_control < FEW_CONTROLS:
        tail = (f"è diverso da zero (p-value {fmt_p(effect.p_value)}), ma con {_controls(effect.n_control)} la "
                "conclusione è fragile")
    else:
        tail = f"è diverso da zero (p-value {fmt_p(effect.p_value)})"
    if effect.method == "sc" and effect.n_control:
        n = effect.n_control + 1
        tail += (f"; con {_controls(effect.n_control)} il p-value dei placebo non può scendere sotto 1/{n} "
                 f"({fmt_num(1 / n, 3)})")
    return f"{head}; {tail}."


def outcome_reading(row) -> str:
    """The two-period comparison of one indicator (a treated row of `indicators.lab_outcomes`) in words: the change
    in the lab's area, in the control area, their difference and why it is not an estimate of the effect."""
    name = indicator_label(row.indicator)
    if row.did is None or pd.isna(row.did):
        missing = row.note or "manca un dato"
        return f"{name}: nessun confronto con il controllo ({missing[0].lower() + missing[1:]})."
    control_change = row.abs_change - row.did
    return (f"{name}: nell'area del laboratorio {fmt_level(row.unit, row.t0)} → {fmt_level(row.unit, row.t1)} "
            f"({fmt_change(row.unit, row.abs_change)}), nell'area di controllo {fmt_change(row.unit, control_change)}; "
            f"la differenza è {fmt_change(row.unit, row.did)}. Con una sola area di controllo e due rilevazioni non "
            "c'è un errore standard: non si può escludere che la differenza sia nulla o dovuta ad altro.")
