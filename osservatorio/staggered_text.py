"""The staggered-adoption estimates and the per-unit synthetic controls in Italian words (CLI, page, report)."""

from __future__ import annotations

from osservatorio.evaluation_text import fmt_p
from osservatorio.formatting import MISSING, fmt_count, fmt_num

CONTROL_LABELS = {"never": "unità mai trattate", "notyet": "unità non ancora trattate", "untreated":
                  "osservazioni non trattate (mai trattate e prima dell'avvio)"}


def fmt_period(value) -> str:
    """A period as the file wrote it: a month as mm/aaaa, a whole number as is."""
    if hasattr(value, "strftime"):
        return value.strftime("%m/%Y")
    return str(int(value)) if isinstance(value, float) and value.is_integer() else str(value)


def _interval(low, high, digits: int) -> str:
    if low is None or high is None:
        return MISSING
    return f"da {fmt_num(low, digits)} a {fmt_num(high, digits)}"


def staggered_lines(result, *, digits: int = 2) -> list[tuple[str, str]]:
    """(label, text) pairs for a `StaggeredResult`: overall effect, by cohort, by time since start, pre-trend test."""
    from indicators.evaluation import METHOD_LABELS

    lines = [("Metodo", METHOD_LABELS[result.method])]
    if result.att is None:
        return lines + [("Stima", "non calcolabile: " + " ".join(result.warnings[:1]))]
    lines += [("Effetto medio sulle trattate (ATT)", fmt_num(result.att, digits)),
              ("Intervallo al 95%", _interval(result.ci_low, result.ci_high, digits)),
              ("p-value", f"{fmt_p(result.p_value)} ({result.inference})"),
              ("Unità", f"{fmt_count(result.n_treated, 'trattata', 'trattate')} in "
                        f"{fmt_count(result.n_cohorts, 'coorte', 'coorti')} di avvio, {result.n_control} mai trattate; "
                        f"controlli: {CONTROL_LABELS.get(result.control_group, result.control_group)}")]
    if result.pre_trend_p_value is not None:
        lines.append(("Andamento parallelo prima dell'avvio", f"p-value {fmt_p(result.pre_trend_p_value)} (test "
                      "congiunto sugli effetti prima dell'avvio, banda simultanea del bootstrap)"))
    for r in result.by_cohort.itertuples():
        lines.append((f"Coorte avviata in {fmt_period(r.cohort)}", f"{fmt_num(r.att, digits)} "
                      f"({_interval(r.ci_low, r.ci_high, digits)}; {fmt_count(r.n_units, 'unità', 'unità')})"))
    for r in result.by_event_time.itertuples():
        lines.append((f"Periodo {str(int(r.rel_time)).replace('-', '−')} dall'avvio",
                      f"{fmt_num(r.att, digits)} ({_interval(r.ci_low, r.ci_high, digits)})"))
    return lines


def several_sc_lines(result, *, digits: int = 2) -> list[tuple[str, str]]:
    """Per treated unit: start, effect, placebo p-value, pre-start fit and the largest weights."""
    lines = []
    for r in result.units.itertuples():
        top = sorted(r.weights.items(), key=lambda kv: -kv[1])[:3]
        lines.append((f"  {r.unit} (avvio {fmt_period(r.start)})", f"{fmt_num(r.estimate, digits)}; p-value placebo "
                      f"{fmt_p(r.p_value)}; RMSPE prima {fmt_num(r.pre_rmspe, digits)}; pesi "
                      + ", ".join(f"{u} {fmt_num(w, 3)}" for u, w in top)))
    return lines
