"""Outcomes of the labs: context indicators at tempo zero and tempo uno, in the lab's area and in the control area.

Per lab, area, group and indicator: the levels at t0 and t1 (never a change without its levels), the
absolute change, the relative change in %, and for indicators that are percentages the change in
percentage points as well (56% -> 50% is -6 points and -10.7%). Where the control area has both
measurements, the treatment-minus-control difference of changes (two-period difference in differences);
where it has not, a plain statement of what is missing instead of a number.
"""

from __future__ import annotations

from datetime import date

import numpy as np
import pandas as pd

from indicators.sql import query

TREATMENT, CONTROL = "trattamento", "controllo"
MIN_SPAN_MONTHS = 24  # effects of this kind need at least two years (regional evaluation, seed 002)
OUTCOME_COLUMNS = ["lab", "area", "arm", "indicator", "unit", "t0_date", "t0", "t1_date", "t1", "months",
                   "abs_change", "rel_change_pct", "points_change", "did", "did_relative", "note", "warnings"]
INDICATOR_LABELS = {
    "abitanti": "Abitanti", "famiglie": "Famiglie", "nuclei_morosi": "Nuclei morosi",
    "nuclei_morosi_pct": "Nuclei morosi (%)", "morosita_eur": "Morosità accumulata (€)", "disoccupati": "Disoccupati",
    "disoccupati_pct": "Disoccupati (%)", "pensionati": "Pensionati", "stranieri": "Stranieri", "disabili": "Disabili",
    "nuclei_servizi_sociali": "Nuclei in carico ai servizi sociali", "associazioni_presenti": "Associazioni presenti",
    "capi_scala_presenti": "Capi scala presenti", "comitati_autogestione_presenti": "Comitati di autogestione",
    "relazioni_partner_presenti": "Relazioni con i partner",
}


def indicator_label(code: str) -> str:
    return INDICATOR_LABELS.get(code, code.replace("_", " ").capitalize())


def months_between(first: date, last: date) -> int:
    """Whole calendar months from `first` to `last` (1 Nov 2015 -> 30 Nov 2016 is 12)."""
    return (last.year - first.year) * 12 + last.month - first.month


def measurements(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """Every context measurement with its moment: lab, area, arm, indicator, unit, measured_on, value, moment.

    Per lab and group the first date is t0 and the last t1; a group measured once is at t0 if that date falls
    in the first half of the lab's period, at t1 otherwise. Dates in between are kept with moment None.
    """
    where, params = ("WHERE c.lab_code IN :labs", {"labs": list(labs)}) if labs else ("", {})
    frame = query(conn, f"""
        SELECT c.lab_code AS lab, c.area, c.arm, c.indicator, c.unit, c.measured_on, c.value,
            l.start_date, l.end_date
        FROM context_indicator c JOIN lab l ON l.code = c.lab_code {where}
        ORDER BY c.lab_code, c.arm, c.indicator, c.measured_on""", params)
    for column in ("measured_on", "start_date", "end_date"):
        frame[column] = pd.to_datetime(frame[column])
    frame["value"] = frame["value"].astype(float)
    frame["unit"] = frame["unit"].fillna("n")
    rounds = frame.groupby(["lab", "arm"])["measured_on"].agg(["min", "max"])
    first, last = (frame[["lab", "arm"]].merge(rounds, left_on=["lab", "arm"], right_index=True, how="left")[c]
                   for c in ("min", "max"))
    middle = frame["start_date"] + (frame["end_date"] - frame["start_date"]) / 2
    single = first.to_numpy() == last.to_numpy()
    at_end = single & (frame["measured_on"] > middle.fillna(frame["measured_on"])).to_numpy()
    measured = frame["measured_on"].to_numpy()
    moment = np.select([at_end, measured == first.to_numpy(), measured == last.to_numpy()], ["t1", "t0", "t1"],
                       default="")
    frame["moment"] = pd.Series(moment, index=frame.index, dtype=object).where(moment != "", None)
    return frame.drop(columns=["start_date", "end_date"])


def _levels(frame: pd.DataFrame) -> pd.DataFrame:
    keys = ["lab", "area", "arm", "indicator", "unit"]
    pick = frame[frame["moment"].notna()].pivot_table(index=keys, columns="moment", values=["value", "measured_on"],
                                                      aggfunc="first")
    out = pd.DataFrame(index=pick.index)
    for moment in ("t0", "t1"):
        out[moment] = pick["value"][moment] if ("value", moment) in pick.columns else np.nan
        out[f"{moment}_date"] = pick["measured_on"][moment] if ("measured_on", moment) in pick.columns else pd.NaT
    return out.reset_index()


def changes(t0: float | None, t1: float | None, unit: str) -> tuple[float | None, float | None, float | None]:
    """(absolute change, relative change in %, change in percentage points): in points only for a `pct` unit,
    no relative change for yes/no indicators or from a zero level."""
    if t0 is None or t1 is None or pd.isna(t0) or pd.isna(t1):
        return None, None, None
    absolute = t1 - t0
    relative = None if unit == "si_no" or t0 == 0 else absolute / abs(t0) * 100
    return absolute, relative, absolute if unit == "pct" else None


def lab_outcomes(conn, *, labs: list[str] | None = None, indicator: str | None = None) -> pd.DataFrame:
    """The outcome table: one row per lab, area, group and indicator (columns `OUTCOME_COLUMNS`).

    `did` is (t1 - t0) in the lab's area minus (t1 - t0) in the control area, in the indicator's unit (points
    for percentages); `did_relative` the same on the relative changes (points of %). Both sit on the
    treatment row; `note` says in words why they are missing, `warnings` flags short or mismatched spans.
    """
    frame = measurements(conn, labs=labs)
    if indicator:
        frame = frame[frame["indicator"] == indicator]
    if frame.empty:
        return pd.DataFrame(columns=OUTCOME_COLUMNS)
    out = _levels(frame)
    triples = [changes(a, b, u) for a, b, u in zip(out["t0"], out["t1"], out["unit"])]
    out["abs_change"], out["rel_change_pct"], out["points_change"] = (list(x) for x in zip(*triples))
    out["months"] = [months_between(a, b) if pd.notna(a) and pd.notna(b) else None
                     for a, b in zip(out["t0_date"], out["t1_date"])]
    out = _with_did(out)
    for column in ("t0", "t1", "months", "abs_change", "rel_change_pct", "points_change", "did", "did_relative"):
        values = pd.Series(out[column], index=out.index, dtype=object)
        out[column] = values.where(values.notna(), None)
    for column in ("t0_date", "t1_date"):
        out[column] = [None if pd.isna(v) else v.date() for v in out[column]]
    out = out.assign(arm_order=out["arm"].map({TREATMENT: 0, CONTROL: 1})).sort_values(
        ["lab", "indicator", "arm_order"])
    out.attrs["kpi"] = "lab_outcome_change"
    return out[OUTCOME_COLUMNS].reset_index(drop=True)


def _with_did(out: pd.DataFrame) -> pd.DataFrame:
    control = out[out["arm"] == CONTROL].set_index(["lab", "indicator"])
    with_control = set(control.index.get_level_values("lab"))
    did: list[float | None] = []
    did_rel: list[float | None] = []
    notes: list[str] = []
    warns: list[str] = []
    for row in out.itertuples():
        if row.arm != TREATMENT:
            did.append(None)
            did_rel.append(None)
            notes.append("")
            warns.append(_span_warning(row.months))
            continue
        ctrl = control.loc[(row.lab, row.indicator)] if (row.lab, row.indicator) in control.index else None
        note = missing_statement(row, ctrl, lab_has_control=row.lab in with_control)
        ok = not note and ctrl is not None
        did.append(row.abs_change - ctrl["abs_change"] if ok and ctrl is not None else None)
        rel_ok = ok and ctrl is not None and row.rel_change_pct is not None and ctrl["rel_change_pct"] is not None
        did_rel.append(row.rel_change_pct - ctrl["rel_change_pct"] if rel_ok and ctrl is not None else None)
        notes.append(note)
        warns.append(" ".join(w for w in (_span_warning(row.months), _window_warning(row, ctrl) if ok else "") if w))
    out["did"], out["did_relative"], out["note"], out["warnings"] = did, did_rel, notes, warns
    return out


def missing_statement(row, ctrl, *, lab_has_control: bool = False) -> str:
    """What the treatment-minus-control difference lacks, in words ('' when nothing is missing)."""
    lacks = []
    if pd.isna(row.t0):
        lacks.append("manca il tempo zero nell'area del laboratorio")
    if pd.isna(row.t1):
        lacks.append("manca il tempo uno nell'area del laboratorio")
    if ctrl is None:
        lacks.append("indicatore non rilevato nel caso di controllo" if lab_has_control
                     else "manca il caso di controllo")
    else:
        if pd.isna(ctrl["t0"]):
            lacks.append("manca il caso di controllo al tempo zero")
        if pd.isna(ctrl["t1"]):
            lacks.append("manca il caso di controllo al tempo uno")
    return "; ".join(lacks).capitalize()


def _span_warning(months) -> str:
    if months is None or pd.isna(months) or months >= MIN_SPAN_MONTHS:
        return ""
    return f"Solo {int(months)} mesi tra tempo zero e tempo uno (ne servono almeno {MIN_SPAN_MONTHS})."


def _window_warning(row, ctrl) -> str:
    if ctrl["t0_date"] == row.t0_date and ctrl["t1_date"] == row.t1_date:
        return ""
    return "Le rilevazioni del controllo non coincidono con quelle del laboratorio: periodi diversi."
