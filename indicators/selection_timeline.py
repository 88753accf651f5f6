"""The timeline of each call: the funnel of its applications, the days spent in each phase against the durations
of the selection plan (DAR=CASA, «Il Gestore Sociale Cooperativo»), calls late on their plan, and the days from a
unit becoming lettable to its offer and to the keys with the void loss those days cost."""

from __future__ import annotations

from datetime import date, timedelta

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine

from indicators.scope import Scope
from indicators.selection_data import calls
from indicators.sql import dates_of, query

FUNNEL = (("received", "Domande"), ("eligible", "Idonee"), ("shortlisted", "Preselezionate"),
          ("offered", "Con proposta"), ("accepted", "Proposta accettata"), ("contract", "Contratto firmato"),
          ("keys", "Chiavi consegnate"))
# phase: (label, from column, to column, target days of the plan or None)
PHASES = (
    ("collection", "Raccolta delle domande", "opens_on", "closes_on", 60),
    ("eligibility", "Verifica dell'idoneità", "applied_on", "eligible_on", 30),
    ("shortlist", "Preselezione", "eligible_on", "shortlisted_on", 30),
    ("offer", "Abbinamento e proposta", "shortlisted_on", "offered_on", 30),
    ("answer", "Risposta alla proposta", "offered_on", "answered_on", None),
    ("handover", "Contratto e consegna delle chiavi", "answered_on", "keys_on", 60),
)
WORKS_LEAD_DAYS = 365  # the plan opens the first call about a year before the end of works
DATE_COLUMNS = ("applied_on", "eligible_on", "shortlisted_on", "offered_on", "answered_on", "contract_on", "keys_on",
                "opens_on", "closes_on", "works_end", "available_from", "previous_end")


def call_records(conn: Connection | Engine, *, as_of: date, scope: Scope = Scope()) -> pd.DataFrame:
    """The applications presented by `as_of` to the calls the scope sees, with their call's dates and, for those
    with a unit, the unit's rent, available-from date and the end of its previous lease."""
    visible = calls(conn, scope=scope)
    frame = query(conn, """
        SELECT a.code, a.call, a.applied_on, a.outcome, a.eligible_on, a.shortlisted_on, a.offered_on,
               a.answered_on, a.offer_answer, a.contract_on, a.keys_on, a.unit_code, c.opens_on, c.closes_on,
               c.works_end, u.monthly_rent, u.available_from,
               (SELECT MAX(l.end_date) FROM lease l WHERE l.unit_code = a.unit_code
                  AND l.end_date < COALESCE(a.offered_on, a.keys_on)) AS previous_end
        FROM application a JOIN housing_call c ON c.code = a.call LEFT JOIN unit u ON u.code = a.unit_code
        WHERE a.call IN :calls AND a.applied_on <= :as_of ORDER BY a.code""",
                  {"calls": [c.code for c in visible], "as_of": as_of})
    for column in DATE_COLUMNS:
        dates = dates_of(frame[column])
        frame[column] = [d if d is not None and d <= as_of else None for d in dates] if column in (
            "eligible_on", "shortlisted_on", "offered_on", "answered_on", "contract_on", "keys_on") else dates
    return frame


def funnel(records: pd.DataFrame) -> pd.DataFrame:
    """Per call: applications at each stage (households; one application per household)."""
    r = records
    stages = pd.DataFrame({
        "call": r["call"], "received": 1,
        "eligible": (r["eligible_on"].notna() | r["outcome"].isin(["idonea", "assegnata", "rinuncia"])).astype(int),
        "shortlisted": r["shortlisted_on"].notna().astype(int), "offered": r["offered_on"].notna().astype(int),
        "accepted": ((r["offer_answer"] == "accettata") & r["answered_on"].notna()).astype(int),
        "contract": r["contract_on"].notna().astype(int), "keys": r["keys_on"].notna().astype(int)})
    return stages.groupby("call", sort=True).sum().reset_index()


def _days(later: pd.Series, earlier: pd.Series) -> pd.Series:
    return pd.Series([(b - a).days if a is not None and b is not None else np.nan
                      for a, b in zip(earlier, later)], index=later.index, dtype=float)


def phase_times(records: pd.DataFrame) -> pd.DataFrame:
    """Per call and phase: households (applications that went through it), median days, the plan's target, and
    whether the median is over it (`late`). The collection phase is the call's own (one row)."""
    rows = []
    for call, group in records.groupby("call", sort=True):
        for key, label, start, end, target in PHASES:
            days = _days(group[end], group[start]).dropna()
            if key == "collection":
                days = days.iloc[:1]
            if days.empty:
                continue
            median = float(days.median())
            rows.append((call, key, label, len(days) if key != "collection" else None, median, target,
                         bool(target is not None and median > target)))
    return pd.DataFrame(rows, columns=["call", "phase", "label", "households", "median_days", "target_days", "late"])


def late_calls(times: pd.DataFrame, records: pd.DataFrame) -> pd.DataFrame:
    """Per call: the phases over their target and whether the call opened later than a year before the end of
    works (the plan's first call); `late` when either."""
    over = times[times["late"]].groupby("call")["label"].agg(lambda s: ", ".join(s))
    first = records.drop_duplicates("call").set_index("call")
    lead = _days(first["works_end"], first["opens_on"])
    out = pd.DataFrame({"call": first.index, "phases_late": [over.get(c, "") for c in first.index],
                        "days_before_works": lead.to_numpy()})
    out["opened_late"] = out["days_before_works"] < WORKS_LEAD_DAYS
    out["late"] = (out["phases_late"] != "") | out["opened_late"]
    return out.reset_index(drop=True)


def void_days(records: pd.DataFrame) -> pd.DataFrame:
    """Per allocated unit: the day it became lettable (the later of its available-from date and the day after its
    previous lease ended), days to the offer and to the keys, and the rent lost meanwhile (monthly rent × 12 / 365
    a day, `selection_void_loss_eur`)."""
    r = records[records["unit_code"].notna() & records["keys_on"].notna()].copy()
    lettable = [max([d for d in (a, p + timedelta(days=1) if p is not None else None) if d is not None], default=None)
                for a, p in zip(r["available_from"], r["previous_end"])]
    r["lettable_on"] = lettable
    r["days_to_offer"] = _days(r["offered_on"], r["lettable_on"]).clip(lower=0)
    r["days_to_keys"] = _days(r["keys_on"], r["lettable_on"]).clip(lower=0)
    r["void_loss_eur"] = (r["days_to_keys"] * r["monthly_rent"].astype(float) * 12 / 365).round(2)
    return r[["call", "unit_code", "lettable_on", "offered_on", "keys_on", "days_to_offer", "days_to_keys",
              "void_loss_eur"]].reset_index(drop=True)


def void_by_call(voids: pd.DataFrame) -> pd.DataFrame:
    """Per call: units handed over, mean days from lettable to offer and to keys, void loss in all."""
    known = voids.dropna(subset=["days_to_keys"])
    grouped = known.groupby("call", sort=True)
    return pd.DataFrame({"households": grouped.size(), "days_to_offer": grouped["days_to_offer"].mean(),
                         "days_to_keys": grouped["days_to_keys"].mean(),
                         "void_loss_eur": grouped["void_loss_eur"].sum()}).reset_index()
