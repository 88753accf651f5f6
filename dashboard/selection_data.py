"""Cached calls to the selection indicators (`indicators/selection*.py`, `matching.py`, `offer_demand.py`) for
the page Selezione e abbinamento: pages call these and draw."""

from __future__ import annotations

from datetime import date

import pandas as pd

from dashboard.data import get_engine
from dashboard.monitoring_data import cached
from indicators import offer_demand, offer_windows, selection, selection_data, selection_timeline
from indicators.scope import Scope


@cached
def calls(*, scope: Scope) -> pd.DataFrame:
    """The calls the scope sees: code, title, municipality, interventions, dates."""
    rows = [(c.code, c.title, c.municipality, ", ".join(c.interventions), c.opens_on, c.closes_on, c.works_end)
            for c in selection_data.calls(get_engine(), scope=scope)]
    return pd.DataFrame(rows, columns=["call", "title", "municipality", "interventions", "opens_on", "closes_on",
                                       "works_end"])


@cached
def timeline(*, as_of: date, scope: Scope) -> dict[str, pd.DataFrame]:
    """Funnel, phase times, late calls and void days per call, from one read of the calls' applications."""
    records = selection_timeline.call_records(get_engine(), as_of=as_of, scope=scope)
    times = selection_timeline.phase_times(records)
    return {"funnel": selection_timeline.funnel(records), "times": times,
            "late": selection_timeline.late_calls(times, records),
            "void": selection_timeline.void_by_call(selection_timeline.void_days(records))}


@cached
def offer_and_demand(*, as_of: date, scope: Scope) -> pd.DataFrame:
    return offer_demand.offer_and_demand(get_engine(), as_of=as_of, scope=scope)


@cached
def offer_windows_frame(*, as_of: date, scope: Scope) -> pd.DataFrame:
    """Per intervention and household size: households waiting, units free now and within 3, 6 and 12 months."""
    return offer_windows.offer_windows(get_engine(), as_of=as_of, scope=scope)


@cached
def offer_units(*, as_of: date, scope: Scope) -> pd.DataFrame:
    """The units free now or within 12 months, with the date they come free and their rent."""
    return offer_windows.offer_units(get_engine(), as_of=as_of, scope=scope)


@cached
def proposal(*, code: str, as_of: date, scope: Scope, mode: str) -> selection.Match:
    return selection.match_call(get_engine(), code, as_of=as_of, mode=mode, scope=scope)
