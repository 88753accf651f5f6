"""The evaluation's figures in Italian words and formats, shared by the CLI, the Laboratori page and the report.

Levels come with their unit, changes with their sign; a change of a percentage says "punti" and a relative
change says "%", so a "-6" can never be read two ways. Missing figures become the statement of what is missing.
"""

from __future__ import annotations

import pandas as pd

from indicators.evaluation import Effect
from indicators.lab_outcomes import indicator_label
from osservatorio.exports import DATE, MEASURE, PCT, POINTS, TEXT
from osservatorio.formatting import MISSING, fmt_count, fmt_date, fmt_eur, fmt_num, fmt_pct, fmt_points

ARM_LABELS = {"trattamento": "Trattamento (area del laboratorio)", "controllo": "Controllo (area senza laboratorio)"}
OUTCOME_HEADINGS = {
    "lab": "Laboratorio", "area": "Area", "arm": "Gruppo", "indicator": "Indicatore", "t0_date": "Data tempo zero",
    "t0": "Tempo zero", "t1_date": "Data tempo uno", "t1": "Tempo uno", "abs_change": "Variazione assoluta",
    "rel_change_pct": "Variazione relativa (%)", "points_change": "Variazione in punti percentuali",
    "did": "Trattamento − controllo", "did_relative": "Trattamento − controllo (variazioni %, punti)",
    "note": "Dati mancanti", "warnings": "Avvertenze",
}


def _missing(v) -> bool:
    return v is None or (isinstance(v, float) and pd.isna(v))


def fmt_level(unit: str, v) -> str:
    """A level in its unit: '56,0%', '1.234,00 €', 'sì', '1.700'."""
    if _missing(v):
        return MISSING
    if unit == "pct":
        return fmt_pct(v)
    if unit == "eur":
        return fmt_eur(v)
    if unit == "si_no":
        return "sì" if v >= 0.5 else "no"
    return fmt_num(v, 0 if float(v).is_integer() else 1)


def fmt_change(unit: str, v) -> str:
    """An absolute change with its sign: '-6,0 punti' for a percentage, '+20.000,00 €', '+1' (no -> sì)."""
    if _missing(v):
        return MISSING
    if unit == "pct":
        return fmt_points(v)
    sign = "+" if v > 0 else ""
    if unit == "eur":
        return sign + fmt_eur(v)
    return sign + fmt_num(v, 0 if float(v).is_integer() else 1)


def fmt_relative(v) -> str:
    """A relative change: '-10,7%'."""
    return MISSING if _missing(v) else ("+" if v > 0 else "") + fmt_pct(v)


def fmt_relative_points(v) -> str:
    """A difference of two relative changes: '-15,7 punti di variazione %'."""
    return MISSING if _missing(v) else fmt_points(v) + " di variazione %"


def outcome_text_table(table: pd.DataFrame) -> pd.DataFrame:
    """The outcome table of `indicators.lab_outcomes` with Italian headings and formatted cells."""
    rows = []
    for r in table.itertuples():
        did = fmt_change(r.unit, r.did) if not _missing(r.did) else (r.note or "")
        rows.append({"lab": r.lab, "area": r.area, "arm": ARM_LABELS.get(r.arm, r.arm),
                     "indicator": indicator_label(r.indicator), "t0_date": fmt_date(r.t0_date) if r.t0_date else "",
                     "t0": fmt_level(r.unit, r.t0), "t1_date": fmt_date(r.t1_date) if r.t1_date else "",
                     "t1": fmt_level(r.unit, r.t1), "abs_change": fmt_change(r.unit, r.abs_change),
                     "rel_change_pct": fmt_relative(r.rel_change_pct),
                     "points_change": fmt_points(r.points_change) if r.unit == "pct" else "",
                     "did": did if r.arm == "trattamento" else "",
                     "did_relative": fmt_relative_points(r.did_relative) if not _missing(r.did_relative) else "",
                     "warnings": r.warnings})
    return pd.DataFrame(rows, columns=[c for c in OUTCOME_HEADINGS if c != "note"]).rename(columns=OUTCOME_HEADINGS)


UNIT_LABELS = {"pct": "%", "eur": "€", "n": "numero", "si_no": "sì/no"}
UNIT_DECIMALS = {"pct": 1, "eur": 2}  # other units: up to two decimals
LEVEL_COLUMNS = ("t0", "t1", "abs_change", "did")  # in the indicator's own unit, which varies by row


def outcome_export(table: pd.DataFrame) -> tuple[pd.DataFrame, dict[str, str]]:
    """The outcome table of `indicators.lab_outcomes` as a download (CSV or Excel): Italian headings and labels,
    levels and changes rounded to their row's unit, and the kind of each column for `osservatorio.exports`."""
    out = table.copy()
    for column in LEVEL_COLUMNS:
        out[column] = [None if _missing(v) else round(float(v), UNIT_DECIMALS.get(u, 2))
                       for v, u in zip(out[column], out["unit"])]
    out["arm"] = out["arm"].map(lambda a: ARM_LABELS.get(a, a))
    out["indicator"] = out["indicator"].map(indicator_label)
    out["unit"] = out["unit"].map(lambda u: UNIT_LABELS.get(u, u))
    headings = {**OUTCOME_HEADINGS, "unit": "Unità", "months": "Mesi tra le rilevazioni"}
    kinds = {c: TEXT for c in ("lab", "area", "arm", "indicator", "unit", "note", "warnings")}
    kinds |= {"t0_date": DATE, "t1_date": DATE, "rel_change_pct": PCT, "points_change": POINTS,
              "did_relative": POINTS, "months": MEASURE} | {c: MEASURE for c in LEVEL_COLUMNS}
    return out.rename(columns=headings), {headings[c]: k for c, k in kinds.items()}


def fmt_p(p) -> str:
    if _missing(p):
        return MISSING
    return "< 0,001" if p < 0.001 else fmt_num(p, 3)


def effect_lines(effect: Effect, *, digits: int = 2) -> list[tuple[str, str]]:
    """(label, text) pairs describing an effect; when it has no estimate, the reason in words."""
    if effect.estimate is None:
        return [("Metodo", effect.label), ("Stima", "non calcolabile: " + " ".join(effect.warnings[:1]))]
    lines = [("Metodo", effect.label), ("Stima", fmt_num(effect.estimate, digits))]
    if effect.ci_low is not None:
        lines.append(("Intervallo al 95%", f"da {fmt_num(effect.ci_low, digits)} a {fmt_num(effect.ci_high, digits)}"))
    lines.append(("p-value", f"{fmt_p(effect.p_value)} ({effect.inference})"))
    lines.append(("Unità", f"{fmt_count(effect.n_treated, 'trattata', 'trattate')}, {effect.n_control} di controllo"))
    lines.append(("Periodi", f"{effect.n_pre} prima dell'avvio, {effect.n_post} dopo"))
    if effect.pre_rmspe is not None:
        lines.append(("RMSPE prima dell'avvio", fmt_num(effect.pre_rmspe, digits)))
    if effect.weights:
        ranked = sorted(effect.weights.items(), key=lambda kv: -kv[1])
        lines.append(("Pesi", ", ".join(f"{u} {fmt_num(w, 3)}" for u, w in ranked)))
    return lines


def study_lines(study, *, digits: int = 2) -> list[tuple[str, str]]:
    """(label, text) pairs describing an event study (`indicators.event_study.EventStudy`): the reference, the
    joint test of the leads and each coefficient; when nothing is identified, the reason in words."""
    from indicators.event_study import minus

    lines = [("Metodo", "Studio di evento (effetti fissi unità e periodo)")]
    if study.coefficients.empty:
        return lines + [("Stima", "non calcolabile: " + " ".join(study.warnings[:1]))]
    leads = int((study.coefficients["rel_time"] < study.reference).sum())
    lines.append(("Riferimento", f"periodo {minus(study.reference)} dall'avvio (coefficiente 0)"))
    if study.pre_trend_p_value is not None:
        pre = (f"p-value {fmt_p(study.pre_trend_p_value)} (test congiunto su "
               f"{fmt_count(leads, 'periodo', 'periodi')} prima del riferimento, errore standard per gruppi)")
    elif leads:
        pre = "non verificabile: troppi periodi prima del riferimento rispetto alle unità per un test congiunto"
    else:
        pre = "non verificabile: nessun periodo prima del riferimento da confrontare"
    lines.append(("Andamento parallelo prima dell'avvio", pre))
    for r in study.coefficients.itertuples():
        if r.rel_time != study.reference:
            lines.append((f"Periodo {minus(int(r.rel_time))}", f"{fmt_num(r.estimate, digits)} (da "
                          f"{fmt_num(r.ci_low, digits)} a {fmt_num(r.ci_high, digits)}; p-value {fmt_p(r.p_value)})"))
    return lines
