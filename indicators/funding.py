"""Funded projects (Progetti): programmed, admitted, committed and paid amounts and the shares of the admitted.

As funders publish them (seed 004): *programmato*, *ammesso a finanziamento*, *giuridicamente vincolante*
(committed) and *erogato* (paid). Shares are of the admitted amount, the money the project may spend.
A limited scope keeps the projects tied to its interventions; projects tied to no intervention (a Comune's
own project, like «Abitare in borgo») are seen by users with the whole portfolio only.
A project past its end date with money admitted and nothing legally committed has stalled (*fermo*): it is
flagged, never shown as a neutral 0% (seed 004's «Abitare in borgo»: €281,250 admitted, €0 committed, ended
31/12/2020).
"""

from __future__ import annotations

import pandas as pd
from datetime import date

from sqlalchemy import Connection, Engine

from indicators.results import KpiValue, ratio
from indicators.scope import Scope
from indicators.sql import query
from osservatorio.formatting import fmt_eur

AMOUNTS = ("programmed", "admitted", "committed", "paid")
STALLED, ENDED, RUNNING, NOT_STARTED, UNDATED = "fermo", "concluso", "in corso", "non avviato", "senza date"
STATUS_LABELS = {STALLED: "Fermo: concluso senza impegni", ENDED: "Concluso", RUNNING: "In corso",
                 NOT_STARTED: "Non avviato", UNDATED: "Date non indicate"}
_NO_PROJECTS = "nessun progetto finanziato nel perimetro"
_NO_ADMITTED = "nessun importo ammesso a finanziamento nei progetti del perimetro"


def funding_projects(conn: Connection | Engine, *, scope: Scope = Scope(), as_of: date | None = None
                     ) -> pd.DataFrame:
    """One row per project: code, title, programme, intervention_code, start_date, end_date, cup, rup,
    implementing_body, the four amounts, committed_pct and paid_pct (of the admitted amount; None when nothing
    is admitted), status at `as_of` (default today: `STATUS_LABELS`) and stalled (past its end date, something
    admitted, nothing committed)."""
    where = ""
    params: dict[str, object] = {}
    if scope.limited:
        units, params = scope.units_sql()
        where = f" WHERE p.intervention_code IN (SELECT DISTINCT intervention_code FROM ({units}) su)"
    frame = query(conn, "SELECT p.code, p.title, p.programme, p.intervention_code, p.start_date, p.end_date, "
                  "p.cup, p.rup, p.implementing_body, p.programmed, p.admitted, p.committed, p.paid "
                  f"FROM funding_project p{where} ORDER BY p.code",
                  params)
    for column in ("start_date", "end_date"):
        frame[column] = [None if v is None or pd.isna(v) else pd.Timestamp(v).date() for v in frame[column]]
    for column in AMOUNTS:
        frame[column] = frame[column].astype(float)
    frame["committed_pct"] = [ratio(c, a) for c, a in zip(frame["committed"], frame["admitted"])]
    frame["paid_pct"] = [ratio(p, a) for p, a in zip(frame["paid"], frame["admitted"])]
    day = as_of or date.today()
    frame["status"] = [_status(r, day) for r in frame.itertuples()]
    frame["stalled"] = frame["status"] == STALLED
    return frame


def _status(project, day: date) -> str:
    if project.end_date is not None and project.end_date < day:
        committed = 0.0 if pd.isna(project.committed) else project.committed
        return STALLED if (project.admitted or 0) > 0 and committed == 0 else ENDED
    if project.start_date is not None and project.start_date > day:
        return NOT_STARTED
    return RUNNING if project.start_date is not None or project.end_date is not None else UNDATED


def funding_stalled(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope()) -> KpiValue:
    """`funding_stalled_projects`: projects past their end date at `as_of` with money admitted and nothing
    committed; numerator: their admitted amount, denominator: the admitted amount of every project in scope."""
    frame = funding_projects(conn, scope=scope, as_of=as_of)
    stalled = frame[frame["stalled"]]
    result = KpiValue("funding_stalled_projects", float(len(stalled)) if not frame.empty else None,
                      numerator=float(stalled["admitted"].sum()), denominator=float(frame["admitted"].sum()),
                      as_of=as_of, breakdown={"progetti": len(frame)})
    if frame.empty:
        result.warnings.append(_NO_PROJECTS)
    for r in stalled.itertuples():
        result.warnings.append(f"«{r.title}» concluso il {r.end_date:%d/%m/%Y} senza impegni giuridicamente "
                               f"vincolanti ({fmt_eur(r.admitted)} ammessi).")
    return result


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
