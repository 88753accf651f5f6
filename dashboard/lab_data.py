"""Cached calls for the Laboratori page: lab indicators, the ledger panel and its evaluation, the report.

Same rule as `dashboard.data`: the page calls these and draws; every figure comes from `indicators/`.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

import pandas as pd

from dashboard.data import CACHE_TTL, get_engine
from osservatorio.lab_records_text import HIDDEN
from dashboard.freshness import cached_figures
from indicators import completeness, lab_outcomes, lab_outputs
from indicators import lab_links as lab_links_figures
from indicators import lab_records as lab_records_figures
from indicators.did import group_trends, twfe_did
from indicators.evaluation import Effect, make_panel, make_staggered_panel
from indicators.event_study import EventStudy, event_study
from indicators.panels import building_arrears_panel
from indicators.imputation import imputation_estimator
from indicators.sc_several import SeveralSyntheticControls
from indicators.staggered import callaway_santanna
from indicators.synthetic_control import SyntheticControl, synthetic_control


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def catalogue() -> pd.DataFrame:
    return lab_outputs.lab_catalogue(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def outputs(by: str, lab: str | None = None) -> pd.DataFrame:
    return lab_outputs.lab_outputs(get_engine(), by=by, labs=[lab] if lab else None)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def outputs_by_ambito() -> pd.DataFrame:
    return lab_outputs.outputs_by_ambito_of_lab(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def outcomes(lab: str | None = None, indicator: str | None = None) -> pd.DataFrame:
    return lab_outcomes.lab_outcomes(get_engine(), labs=[lab] if lab else None, indicator=indicator)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def completeness_table() -> pd.DataFrame:
    return completeness.lab_completeness(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def completeness_grid() -> pd.DataFrame:
    return completeness.completeness_grid(completeness.completeness_matrix(get_engine()))


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def lab_building_counts() -> pd.DataFrame:
    return lab_links_figures.lab_building_counts(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def lab_links(lab: str) -> lab_links_figures.LabLinks:
    return lab_links_figures.lab_links(get_engine(), lab)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def lab_records(what: str, lab: str | None = None, threshold: int | None = None) -> pd.DataFrame:
    """One kind of the evaluators' records; with `threshold`, counts of households of 1 .. threshold − 1 become
    "nascosto" (with their complementary cells)."""
    frame = lab_records_figures.lab_records(get_engine(), what, labs=[lab] if lab else None)
    if threshold is None or what != "targets" or frame.empty:
        return frame
    from indicators.lab_disclosure import protect_counts

    columns = ["households_planned", "households_reached"]
    hidden = protect_counts(frame, columns, threshold=threshold).frame
    for column in columns:
        hidden[column] = [HIDDEN if v is None and o is not None and not pd.isna(o) else v
                          for v, o in zip(hidden[column], frame[column])]
    return hidden


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def objectives_summary(lab: str | None = None) -> pd.DataFrame:
    return lab_records_figures.objectives_summary(get_engine(), labs=[lab] if lab else None)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def cofinancing(lab: str | None = None) -> pd.DataFrame:
    return lab_records_figures.cofinancing(get_engine(), labs=[lab] if lab else None)


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def synthesis_by_ambito() -> pd.DataFrame:
    return lab_records_figures.synthesis_by_ambito(get_engine())


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def ledger_panel(start: date, end: date, outcome: str, min_households: int | None = None) -> pd.DataFrame:
    return building_arrears_panel(get_engine(), start=start, end=end, outcome=outcome, min_households=min_households)


@dataclass
class PanelEvaluation:
    """What the page shows of a panel evaluation."""

    did: Effect
    trends: pd.DataFrame
    study: EventStudy
    sc: SyntheticControl | Effect | SeveralSyntheticControls
    staggered: list = field(default_factory=list)  # Callaway-Sant'Anna and imputation, with starts per building


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def evaluate_ledger(start: date, end: date, outcome: str, treated: tuple[str, ...], first: date,
                    min_households: int | None = None,
                    starts: tuple[tuple[str, date], ...] | None = None) -> PanelEvaluation:
    """DiD, event study and synthetic control of the monthly arrears per building; with `starts` (building, first
    treated month: each lab's own start from the catalogue) the staggered-adoption estimators too."""
    frame = ledger_panel(start, end, outcome, min_households)
    if starts:
        first_of = {unit: pd.Timestamp(s) for unit, s in starts}
        frame = frame.assign(start=frame["unit"].map(first_of))
        panel = make_staggered_panel(frame, unit="unit", time="period", outcome="y", start_column="start")
        staggered = [callaway_santanna(panel.long_with_starts()), imputation_estimator(panel.long_with_starts())]
    else:
        panel = make_panel(frame, unit="unit", time="period", outcome="y", treated=treated, start=pd.Timestamp(first))
        staggered = []
    return PanelEvaluation(twfe_did(panel), group_trends(panel), event_study(panel), synthetic_control(panel),
                           staggered)


def lab_start_month(code: str) -> date | None:
    """The lab's own start (catalogue `data_inizio`) as the month end the ledger panel uses, or None."""
    row = catalogue().set_index("code").get("start_date", pd.Series(dtype=object)).get(code)
    if row is None or pd.isna(row):
        return None
    return (pd.Timestamp(row) + pd.offsets.MonthEnd(0)).date()


@cached_figures(ttl=CACHE_TTL, show_spinner=False)
def report(lab: str | None, _extra: list | None = None, extra_key: str = "", threshold: int | None = None) -> bytes:
    """The HTML report (all labs or one), with the panel section when the page passes it; small counts hidden
    when `threshold` is given (a suppressed role)."""
    from osservatorio.reports.labs import labs_report

    return labs_report(get_engine(), lab=lab, extra=_extra, threshold=threshold).encode("utf-8")
