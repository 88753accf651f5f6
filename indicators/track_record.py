"""The gestore sociale's track record (seed 001): units managed by tenure regime and by gestore contract type,
and the community activity of the labs linked to its interventions.

Arrears, vacancy, cases and tickets come from their own modules; this one adds what only the track record needs.
"""

from __future__ import annotations

from datetime import date

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.lab_outputs import OUTPUTS, lab_outputs
from indicators.ledger_sql import date_param
from indicators.results import KpiValue, ratio
from indicators.scope import GROUPINGS, Scope
from indicators.sql import query

GROUPS = {**GROUPINGS, "contract_type": "i.manager_contract_type"}
_NO_UNITS = "nessun alloggio in gestione nel perimetro alla data"


def units_managed(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope(),
                  by: str | None = None) -> KpiValue | pd.DataFrame:
    """Units managed at D: in scope, under management by D (`units_managed`).

    With `by` (tenure, contract_type or a portfolio level) a frame: group, value (units), numerator, denominator
    (all units managed), share (value / denominator × 100), interventions. As in seed 001's table.
    """
    units, params = scope.units_sql()
    group = "'totale'" if by is None else GROUPS.get(by)
    if group is None:
        raise ValueError(f"Raggruppamento sconosciuto: «{by}». Ammessi: {', '.join(GROUPS)}.")
    params["as_of"] = as_of.isoformat()
    frame = query(conn, f"SELECT {group} AS grp, COUNT(*) AS units, COUNT(DISTINCT su.intervention_code) AS "
                  f"interventions FROM ({units}) su JOIN intervention i ON i.code = su.intervention_code WHERE "
                  f"i.management_start IS NULL OR i.management_start <= {date_param('as_of')} "
                  "GROUP BY grp ORDER BY grp", params)
    total = int(frame["units"].sum())
    if by is None:
        result = KpiValue("units_managed", float(total) if total else None, numerator=float(total), as_of=as_of,
                          breakdown={"interventi": int(frame["interventions"].sum())})
        if not total:
            result.warnings.append(_NO_UNITS)
        return result
    out = pd.DataFrame({"group": frame["grp"], "value": frame["units"].astype(int), "numerator":
                        frame["units"].astype(int), "denominator": total,
                        "share": [ratio(n, total) for n in frame["units"]], "interventions": frame["interventions"]})
    out.attrs["kpi"] = "units_managed"
    return out


def community_labs(conn: Connection | Engine, *, scope: Scope = Scope()) -> pd.DataFrame:
    """The labs linked to an intervention in scope (`lab.intervention_code`): code, title, intervention_code,
    intervention_name. A lab that merely works in the same Comune is not the gestore's and is not listed."""
    interventions, params = scope.interventions_sql()
    return query(conn, "SELECT l.code, l.title, l.intervention_code, i.name AS intervention_name FROM lab l "
                       f"JOIN intervention i ON i.code = l.intervention_code WHERE l.intervention_code IN "
                       f"({interventions}) ORDER BY l.intervention_code, l.code", params)


def community_activity(conn: Connection | Engine, *, start: date, end: date, scope: Scope = Scope()
                       ) -> pd.DataFrame:
    """Outputs of the labs linked to the scope's interventions, in [start, end] only, by lab and activity type.

    Columns: lab, lab_title, intervention_code, group (activity type), activities, participants,
    households_reached, households_taken_in_charge, hours, volunteers (`lab_activities`...). A linked lab with
    no activity in the period has no row (`community_labs` lists it); no linked lab: no row at all.
    """
    parts = []
    for lab in community_labs(conn, scope=scope).itertuples(index=False):
        outputs = lab_outputs(conn, by="activity_type", labs=[lab.code], start=start, end=end)
        parts.append(outputs.assign(lab=lab.code, lab_title=lab.title, intervention_code=lab.intervention_code))
    columns = ["lab", "lab_title", "intervention_code", "group", *OUTPUTS]
    frame = pd.concat(parts, ignore_index=True)[columns] if parts else pd.DataFrame(columns=columns)
    frame.attrs["kpi"] = "lab_activities"
    return frame


def community_heading(title: str) -> str:
    """How a linked lab's activity is labelled: as the lab's, never as the gestore's own."""
    return f"Attività del Laboratorio Sociale di Quartiere «{title}»"


NO_COMMUNITY_ACTIVITY = "nessuna attività registrata"
