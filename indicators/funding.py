"""Funded projects (Progetti): programmed, admitted, committed and paid amounts and the shares of the admitted.

As funders publish them (seed 004): *programmato*, *ammesso a finanziamento*, *giuridicamente vincolante*
(committed) and *erogato* (paid). Shares are of the admitted amount, the money the project may spend.
A limited scope keeps the projects tied to its interventions; projects tied to no intervention (a Comune's
own project, like «Abitare in borgo») are seen by users with the whole portfolio only.
"""

from __future__ import annotations

import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query

AMOUNTS = ("programmed", "admitted", "committed", "paid")
_NO_PROJECTS = "nessun progetto finanziato nel perimetro"
_NO_ADMITTED = "nessun importo ammesso a finanziamento nei progetti del perimetro"


def funding_projects(conn: Connection | Engine, *, scope: Scope = Scope()) -> pd.DataFrame:
    """One row per project: code, title, programme, intervention_code, start_date, end_date, the four amounts,
    committed_pct and paid_pct (of the admitted amount; None when nothing is admitted)."""
    where = ""
    params: dict[str, object] = {}
    if scope.limited:
        units, params = scope.units_sql()
        where = f" WHERE p.intervention_code IN (SELECT DISTINCT intervention_code FROM ({units}) su)"
    frame = query(conn, "SELECT p.code, p.title, p.programme, p.intervention_code, p.start_date, p.end_date, "
                  f"p.programmed, p.admitted, p.committed, p.paid FROM funding_project p{where} ORDER BY p.code",
                  params)
    for column in ("start_date", "end_date"):
        frame[column] = [None if v is None or pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    for column in AMOUNTS:
        frame[column] = frame[column].astype(float)
    frame["committed_pct"] = [ratio(c, a) for c, a in zip(frame["committed"], frame["admitted"])]
    frame["paid_pct"] = [ratio(p, a) for p, a in zip(frame["paid"], frame["admitted"])]
    return frame


def _share(code: str, numerator: str, frame: pd.DataFrame) -> KpiValue:
    totals = {k: float(frame[k].sum()) for k in AMOUNTS}
    result = KpiValue(code, ratio(totals[numerator], totals["admitted"]), numerator=totals[numerator],
                      denominator=totals["admitted"], breakdown={**totals, "projects": len(frame)})
    if frame.empty:
        result.warnings.append(_NO_PROJECTS)
    elif result.value is None:
        result.warnings.append(_NO_ADMITTED)
    return result


def funding_paid_share(conn: Connection | Engine, *, scope: Scope = Scope()) -> KpiValue:
    """Σ paid / Σ admitted × 100 over the projects in scope (`funding_paid_pct`); breakdown: the four totals."""
    return _share("funding_paid_pct", "paid", funding_projects(conn, scope=scope))


def funding_committed_share(conn: Connection | Engine, *, scope: Scope = Scope()) -> KpiValue:
    """Σ committed / Σ admitted × 100 over the projects in scope (`funding_committed_pct`)."""
    return _share("funding_committed_pct", "committed", funding_projects(conn, scope=scope))
