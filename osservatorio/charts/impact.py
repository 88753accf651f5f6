"""Charts of the gestore's track record, allocations and funded projects (plotly only, no Streamlit):
the pages and the impact report (HTML and PDF) draw the same figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import (HIDDEN_LABEL, PALETTE, SEPARATORS, THEME, add_benchmarks, add_targets,
                                        bar_chart, bar_targets, hidden_bars, line_chart, styled)
from osservatorio.exports import DAYS, INT, PCT
from indicators.disclosure import hidden_cells
from osservatorio.escaping import chart_labels
from osservatorio.formatting import fmt_eur, fmt_int, fmt_pct


def shares(frame: pd.DataFrame, labels: dict, *, name: str) -> go.Figure:
    """A `units_managed` frame by tenure or contract type: units per group, 'n (share%)' on each bar."""
    names = chart_labels(labels.get(g, str(g)) for g in frame["group"])
    fig = go.Figure(go.Bar(x=frame["value"], y=names, orientation="h", marker_color=PALETTE[0], name=name,
                           text=[f"{fmt_int(v)} ({fmt_pct(s)})" for v, s in zip(frame["value"], frame["share"])],
                           textposition="auto", hovertemplate="%{y}: %{x:,d}<extra></extra>"))
    fig.update_layout(separators=SEPARATORS, template=THEME, height=max(220, 46 * len(names) + 90),
                      margin={"l": 10, "r": 10, "t": 30, "b": 10}, xaxis={"title": name, "tickformat": ",d"},
                      title={"text": name, "font": {"size": 14}})
    return fig


def by_intervention(frame: pd.DataFrame, column: str, labels: dict, *, name: str,
                    references: pd.DataFrame | None = None, targets: pd.DataFrame | None = None) -> go.Figure:
    """A percentage per intervention (bars) against the reference values (dashed lines) and targets (solid)."""
    names = [labels.get(g, str(g)) for g in frame["group"]]
    fig = bar_chart(names, list(frame[column]), PCT, name=name)
    hidden_bars(fig, names, hidden_cells(frame, column).tolist())
    add_benchmarks(fig, references, PCT)
    bar_targets(fig, targets, dict(zip(frame["group"], chart_labels(names))), PCT)
    fig.update_layout(showlegend=any(t.name == HIDDEN_LABEL for t in fig.data))  # one series: its name is the title
    fig.update_layout(title={"text": name, "font": {"size": 14}})
    return fig


def _group_bars(frame: pd.DataFrame, column: str, labels: dict, unit: str, *, name: str, title: str,
                targets: pd.DataFrame | None) -> go.Figure:
    """One bar per group of a `by=` frame (suppressed cells drawn as hidden bars), with the targets."""
    hidden = hidden_cells(frame, column)
    data = frame[frame[column].notna() | hidden]
    names = [labels.get(g, str(g)) for g in data["group"]]
    fig = bar_chart(names, list(data[column]), unit, name=name)
    hidden_bars(fig, names, hidden[data.index].tolist())
    add_targets(fig, targets, unit)
    fig.update_layout(title={"text": title, "font": {"size": 14}})
    return fig


def ticket_days(summary: pd.DataFrame, labels: dict, *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Mean days to close per ticket category, against the target set for `ticket_days_to_close` (solid line)."""
    return _group_bars(summary, "days_mean", labels, DAYS, name="Giorni medi di chiusura",
                       title="Giorni medi dall'apertura alla chiusura, per categoria", targets=targets)


def within_target(quality: pd.DataFrame, labels: dict, *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Share of the closed tickets closed within their urgency's service level, per urgency (a `ticket_quality`
    frame), against the target set for `ticket_within_target_pct` (solid line)."""
    return _group_bars(quality, "within_target_pct", labels, PCT, name="Chiuse entro l'obiettivo di servizio",
                       title="Segnalazioni chiuse entro l'obiettivo di servizio, per urgenza", targets=targets)


def funnel(stages: pd.DataFrame) -> go.Figure:
    """Applications received, eligible, allocated, renounced."""
    fig = go.Figure(go.Funnel(y=stages["label"], x=stages["applications"], marker={"color": PALETTE[0]},
                              texttemplate="%{value:,d}", hovertemplate="%{y}: %{x:,d}<extra></extra>"))
    fig.update_layout(separators=SEPARATORS, template=THEME, height=300,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def waiting(series: pd.DataFrame, *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Applications waiting at each month end (and the target set for the waiting list)."""
    return line_chart(series, "month", {"waiting": "Domande in attesa"}, INT, targets=targets)


def municipal_evictions(stats: pd.DataFrame) -> go.Figure:
    """Evictions validated and carried out per year (one Comune's statistics)."""
    years = [str(y) for y in stats["year"]]
    fig = go.Figure()
    for i, (column, name) in enumerate((("validated", "Convalidati"), ("executed", "Eseguiti"))):
        fig.add_trace(go.Bar(x=years, y=stats[column], name=name, marker_color=PALETTE[i], text=stats[column],
                             textposition="outside", cliponaxis=False,
                             hovertemplate=f"{name}: %{{y:,d}}<extra></extra>"))
    fig.update_xaxes(type="category")
    return styled(fig, INT, height=340)


def funding(projects: pd.DataFrame) -> go.Figure:
    """Programmed, admitted, committed and paid per project (horizontal bars)."""
    fig = go.Figure()
    stalled = projects["stalled"] if "stalled" in projects else [False] * len(projects)
    titles = chart_labels(f"{t} (fermo)" if s else t for t, s in zip(projects["title"], stalled))
    for i, (column, name) in enumerate((("programmed", "Programmato"), ("admitted", "Ammesso"),
                                        ("committed", "Impegnato"), ("paid", "Erogato"))):
        fig.add_trace(go.Bar(y=titles, x=projects[column], name=name, orientation="h", marker_color=PALETTE[i],
                             customdata=[fmt_eur(v) for v in projects[column]],
                             hovertemplate=f"{name}: %{{customdata}}<extra></extra>"))
    fig.update_layout(separators=SEPARATORS, template=THEME, barmode="group",
                      height=max(300, 90 * len(titles) + 80), margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
                      xaxis={"tickformat": ",.0f", "ticksuffix": " €"})
    fig.update_yaxes(autorange="reversed")
    return fig



