"""KPI tiles: a registry figure with its definition on hover, its year-on-year change and a reference value.

A figure that could not be computed shows "n.d." and the indicator's own warning, never a number.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import pandas as pd
import streamlit as st

from dashboard import monitoring_data as md
from dashboard.filters import Filters
from indicators.catalog import AS_OF, CATALOG, PERIOD
from indicators.comparisons import Change, change_vs, gap_to_benchmark
from indicators.disclosure import HIDDEN, is_hidden
from indicators.results import KpiValue
from osservatorio import escaping
from osservatorio.formatting import MISSING, fmt_date, fmt_headline, fmt_int, fmt_kpi

PREFERRED_REFERENCE = "Cooperative gestori sociali (media)"  # seed 001's sector average
NO_DATA_TILE = "Nessun dato"  # a figure asked outside the dates its data covers


def breakdown(value: KpiValue) -> dict:
    """The parts of a figure, to quote under its tile: none when the figure itself is n.d. or hidden."""
    return value.breakdown if value.value is not None else {}


def part(value: KpiValue, key: str, fmt=fmt_int) -> str:
    """One part of a figure as text: "nascosto" when small-cell suppression hid it."""
    return HIDDEN if is_hidden(value, key) else fmt(value.breakdown.get(key))


def reference(references: pd.DataFrame | None) -> pd.Series | None:
    """The reference a tile quotes: the seed's cooperative average when present, else the first one."""
    if references is None or references.empty:
        return None
    preferred = references[references["label"] == PREFERRED_REFERENCE]
    return (preferred if not preferred.empty else references).iloc[0]


def _delta(change: Change | None, higher_is_better: bool) -> dict:
    if change is None:
        return {}
    if change.absolute is None:
        return {"delta": None, "delta_description": f"anno precedente {MISSING}"}
    if change.direction == 0:
        return {"delta": change.label, "delta_color": "gray", "delta_arrow": "off",
                "delta_description": change.against}
    return {"delta": change.label, "delta_color": "normal" if higher_is_better else "inverse",
            "delta_description": change.against}


def reference_caption(value: KpiValue, ref: pd.Series | None) -> str | None:
    """'Riferimento Cooperative gestori sociali (media): 3,0% (+0,4 punti)'."""
    if ref is None:
        return None
    unit = value.kpi.unit
    text = f"Riferimento {escaping.md(ref['label'])}: {fmt_kpi(unit, ref['value'])}"
    gap = gap_to_benchmark(value, ref["value"], label=ref["label"])
    if gap.absolute is not None:
        text += f" (scarto {escaping.md(gap.label)})"
    note = ref.get("note")
    return f"{text}. {escaping.md(note)}" if isinstance(note, str) and note else text


def tile(value: KpiValue, *, previous: KpiValue | None = None, against: str | None = None,
         references: pd.DataFrame | None = None, label: str | None = None, spark: Sequence[float] | None = None,
         notes: Sequence[str] = ()) -> None:
    """One st.metric for a KpiValue, then captions: warnings, reference value, notes."""
    kpi = value.kpi
    change = change_vs(value, previous, against=against) if previous is not None else None
    chart = [float(v) for v in spark if v is not None and not pd.isna(v)] if spark is not None else None
    if is_hidden(value):  # hidden, not missing: no number, no trend, no change that would give it back
        st.metric(label or kpi.label, HIDDEN, help=kpi.help, border=True)
        st.caption(f":material/lock: {escaping.md(value.warnings[-1])}")
        return
    exact = fmt_kpi(kpi.unit, value.value)
    shown = NO_DATA_TILE if value.no_data else fmt_headline(kpi.unit, value.value)  # the reason follows as a caption
    help_text = kpi.help if value.no_data or shown == exact else f"{kpi.help}\n\nValore esatto: {exact}."
    st.metric(label or kpi.label, shown, help=help_text, border=True,
              chart_data=chart if chart and len(chart) > 1 else None, chart_type="area",
              **_delta(change, kpi.higher_is_better))
    for warning in value.warnings:
        st.caption(f":material/warning: {escaping.md(warning)}")
    caption = reference_caption(value, reference(references))
    if caption:
        st.caption(caption)
    for note in notes:
        st.caption(note)


@dataclass(frozen=True)
class YearOnYear:
    """A KPI now and one year earlier, what the change is against, and a note on the earlier year's data."""

    current: KpiValue
    previous: KpiValue | None
    against: str | None = None
    note: str | None = None


def from_ledger(code: str) -> bool:
    """Whether a KPI is computed from the ledger (so a year without movements cannot be compared)."""
    return CATALOG[code].function.startswith("arrears:") or code == "plan_recovery_eur"


def year_on_year(code: str, f: Filters) -> YearOnYear:
    """KPI `code` with the page's options and one year earlier."""
    current = md.kpi(code, as_of=f.as_of, start=f.start, end=f.end, scope=f.scope, suppress=f.suppress)
    earlier = f.window.year_earlier()
    style = CATALOG[code].style
    if from_ledger(code) and (earlier.as_of if style == AS_OF else earlier.end) < f.first_day:
        return YearOnYear(current, None, note=f"Nessun confronto: i movimenti iniziano il {fmt_date(f.first_day)}.")
    previous = md.kpi(code, as_of=earlier.as_of, start=earlier.start, end=earlier.end, scope=f.scope,
                      suppress=f.suppress)
    against = f"rispetto al {fmt_date(earlier.as_of)}" if style == AS_OF else "rispetto all'anno prima"
    note = None
    if from_ledger(code) and style == PERIOD and not earlier.covered_from(f.first_day):
        note = (f"Confronto parziale: l'anno prima ({fmt_date(earlier.start)} – {fmt_date(earlier.end)}) ha "
                f"movimenti solo dal {fmt_date(f.first_day)}.")
    return YearOnYear(current, previous, against, note)


def kpi_tile(code: str, f: Filters, *, label: str | None = None, spark: Sequence[float] | None = None,
             notes: Sequence[str] = (), references: bool = True) -> KpiValue:
    """The tile of registry KPI `code` for the sidebar's options, with its change from one year earlier."""
    yoy = year_on_year(code, f)
    tile(yoy.current, previous=yoy.previous, against=yoy.against, label=label, spark=spark,
         references=md.benchmarks(code) if references else None, notes=[*notes, *([yoy.note] if yoy.note else [])])
    return yoy.current


def references_picker(code: str, *, key: str) -> pd.DataFrame:
    """Which reference values to draw on a chart (the seed's cooperative average by default)."""
    refs = md.benchmarks(code)
    if refs.empty:
        return refs
    labels = refs["label"].tolist()
    default = [PREFERRED_REFERENCE] if PREFERRED_REFERENCE in labels else labels[:1]
    if key not in st.session_state:
        st.session_state[key] = default
    chosen = st.multiselect("Valori di riferimento sul grafico", labels, key=key, select_all=False,
                            help="Valori pubblicati per confronto (fonte nel registro dei riferimenti).")
    return refs[refs["label"].isin(chosen)]
