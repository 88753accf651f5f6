"""The evaluators' records per lab, read back as figures: objectives reached, partners, co-financing against the
20% minimum of the call, presidi, target groups, judgements and notes; and the synthesis by ambito that puts
the labs side by side, as the regional evaluation did.
"""

from __future__ import annotations

import pandas as pd

from indicators.lab_outputs import AMBITO_LABELS, lab_catalogue, lab_outputs
from indicators.sql import query

MIN_COFINANCING_PCT = 20.0  # the call: co-financing not below 20% of the project's total cost
STATUSES = ("raggiunto", "parzialmente_raggiunto", "non_raggiunto")
STATUS_LABELS = {"raggiunto": "Raggiunto", "parzialmente_raggiunto": "Parzialmente raggiunto",
                 "non_raggiunto": "Non raggiunto"}
JUDGEMENT_LABELS = {"positivo": "Positivo", "parziale": "Parziale", "negativo": "Negativo",
                    "non_valutabile": "Non valutabile"}
ASPECT_LABELS = {"continuita": "Continuità", "trasferibilita": "Trasferibilità",
                 "partnership": "Partnership ALER–Comune", "autonomia_finanziaria": "Autonomia finanziaria"}
# table, columns (besides lab_code) in the order a sheet shows them, ordering
RECORDS = {
    "objectives": ("lab_objective", ("area_of_action", "objective", "status", "evidence", "assessed_on"),
                   "area_of_action, objective"),
    "partners": ("lab_partner", ("partner", "body_type", "role", "partnership", "tasks"), "role, partner"),
    "cofinancing": ("lab_cofinancing", ("body", "contribution_type", "amount", "notes"), "body, contribution_type"),
    "presidi": ("lab_presidio", ("name", "address", "space_type", "in_district", "weekly_hours", "opened_on",
                                 "closed_on"), "name"),
    "targets": ("lab_target_group", ("target_group", "description", "households_planned", "households_reached"),
                "target_group"),
    "judgements": ("lab_judgement", ("aspect", "judgement", "reason", "assessed_on"), "aspect"),
    "notes": ("lab_evaluation_note", ("noted_on", "source", "interlocutor", "topic", "note"),
              "noted_on, source, topic"),
}
DATE_COLUMNS = ("assessed_on", "opened_on", "closed_on", "noted_on")


def lab_records(conn, what: str, *, labs: list[str] | None = None) -> pd.DataFrame:
    """The rows of one kind of record (`RECORDS`), per lab: columns lab plus the kind's own, dates as dates."""
    table, columns, order = RECORDS[what]
    where, params = ("WHERE lab_code IN :labs", {"labs": list(labs)}) if labs else ("", {})
    frame = query(conn, f"SELECT lab_code AS lab, {', '.join(columns)} FROM {table} {where} "
                        f"ORDER BY lab_code, {order}", params)
    for column in DATE_COLUMNS:
        if column in frame:
            frame[column] = [None if v is None or pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    return frame


def objectives_summary(conn, *, labs: list[str] | None = None, by_ambito: bool = False) -> pd.DataFrame:
    """Objectives planned and their status per lab (and ambito).

    Returns columns lab, [ambito], planned, raggiunto, parzialmente_raggiunto, non_raggiunto and
    achieved_pct = raggiunto / planned × 100 (parzialmente raggiunto does not count as reached).
    """
    rows = lab_records(conn, "objectives", labs=labs)
    keys = ["lab", "area_of_action"] if by_ambito else ["lab"]
    counts = (rows.assign(n=1).pivot_table(index=keys, columns="status", values="n", aggfunc="sum", fill_value=0)
              .reindex(columns=list(STATUSES), fill_value=0).reset_index())
    counts.columns.name = None
    counts["planned"] = counts[list(STATUSES)].sum(axis=1)
    counts["achieved_pct"] = counts["raggiunto"] / counts["planned"] * 100
    out = counts.rename(columns={"area_of_action": "ambito"})
    out.attrs["kpi"] = "lab_objectives_achieved_pct"
    return out[[*(["lab", "ambito"] if by_ambito else ["lab"]), "planned", *STATUSES, "achieved_pct"]]


def cofinancing(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """Co-financing of each lab against the call's minimum.

    share_pct = partners' declared contributions / total cost × 100; where no contribution is declared, the share
    not paid by the Regione, (total cost − regional contribution) / total cost × 100. below_minimum when
    share_pct < 20. Columns lab, total_cost, regional_contribution, declared, declared_share_pct,
    residual_share_pct, share_pct, basis ("dichiarato", "residuo" or None), below_minimum (None when unknown).
    """
    catalogue = lab_catalogue(conn, labs=labs)
    declared = lab_records(conn, "cofinancing", labs=labs).groupby("lab")["amount"].sum()
    rows = []
    for lab in catalogue.itertuples():
        total, regional, given = lab.total_cost, lab.regional_contribution, declared.get(lab.code)
        declared_share = given / total * 100 if given is not None and total else None
        residual = (total - regional) / total * 100 if total and regional is not None else None
        share = declared_share if declared_share is not None else residual
        basis = "dichiarato" if declared_share is not None else ("residuo" if residual is not None else None)
        rows.append((lab.code, total, regional, given, declared_share, residual, share, basis,
                     None if share is None else bool(share < MIN_COFINANCING_PCT - 1e-9)))
    out = pd.DataFrame(rows, columns=["lab", "total_cost", "regional_contribution", "declared", "declared_share_pct",
                                      "residual_share_pct", "share_pct", "basis", "below_minimum"])
    out = out.astype(object).where(out.notna(), None)  # unknown figures are None, not NaN
    out.attrs["kpi"] = "lab_cofinancing_share_pct"
    return out


def _counts(conn, what: str, labs, name: str) -> pd.Series:
    return lab_records(conn, what, labs=labs).groupby("lab").size().rename(name)


def _judgements(conn, labs) -> pd.DataFrame:
    rows = lab_records(conn, "judgements", labs=labs)
    return rows.pivot_table(index="lab", columns="aspect", values="judgement", aggfunc="first").reindex(
        columns=list(ASPECT_LABELS))


def synthesis_by_ambito(conn, *, labs: list[str] | None = None) -> pd.DataFrame:
    """The labs side by side within each ambito they declared (a lab with three ambiti appears under each).

    Columns ambito, lab, title, municipality, planned, raggiunto, parzialmente_raggiunto, non_raggiunto,
    achieved_pct (objectives of that ambito), share_pct and below_minimum (co-financing), presidi, partners,
    households_reached (activity register, all ambiti), continuita, trasferibilita, partnership,
    autonomia_finanziaria (the evaluators' judgements, None when not given).
    """
    catalogue = lab_catalogue(conn, labs=labs)
    base = (catalogue[["code", "title", "municipality", "ambiti"]].explode("ambiti").dropna(subset=["ambiti"])
            .rename(columns={"code": "lab", "ambiti": "ambito"}))
    objectives = objectives_summary(conn, labs=labs, by_ambito=True)
    out = base.merge(objectives, on=["lab", "ambito"], how="left")
    out = out.merge(cofinancing(conn, labs=labs)[["lab", "share_pct", "below_minimum"]], on="lab", how="left")
    extra = pd.concat([_counts(conn, "presidi", labs, "presidi"), _counts(conn, "partners", labs, "partners")],
                      axis=1)
    out = out.merge(extra, left_on="lab", right_index=True, how="left")
    reach = lab_outputs(conn, by="lab", labs=labs)[["group", "households_reached"]].rename(columns={"group": "lab"})
    out = out.merge(reach, on="lab", how="left").merge(_judgements(conn, labs), left_on="lab", right_index=True,
                                                       how="left")
    for column in ("planned", *STATUSES, "presidi", "partners"):
        out[column] = out[column].fillna(0).astype(int)
    order = {a: i for i, a in enumerate(AMBITO_LABELS)}
    out = out.sort_values(["ambito", "lab"], key=lambda s: s.map(order) if s.name == "ambito" else s)
    out = out.astype(object).where(out.notna(), None).reset_index(drop=True)
    out.attrs["kpi"] = "lab_objectives_achieved_pct"
    return out
