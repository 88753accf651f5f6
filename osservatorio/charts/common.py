"""Plotly charts the Italian way: decimal comma and thousands dot, Italian month names, reference lines.

Charts only draw what the indicators computed: one trace per series, values untouched.
"""

from __future__ import annotations

import math
from datetime import date

import pandas as pd
import plotly.graph_objects as go
import plotly.io as pio
from babel.dates import format_date

from osservatorio.exports import DAYS, EUR, INT, NUM, PCT
from osservatorio.escaping import chart, chart_labels
from osservatorio.formatting import LOCALE, fmt_eur, fmt_num, fmt_pct

SEPARATORS = ",."  # plotly: decimal comma, thousands dot
HIDDEN_LABEL = "nascosto"  # a value hidden by small-cell suppression (`indicators.disclosure.HIDDEN`)
THEME = "osservatorio"
# The one place every chart takes its Italian number format from: plotly_white with the decimal comma and the
# thousands dot, also on four-digit ticks ("1.139", which plotly would otherwise print "1139"). It is the
# default template, so a chart that names none gets it too.
pio.templates[THEME] = go.layout.Template(pio.templates["plotly_white"])
pio.templates[THEME].layout.update(separators=SEPARATORS, xaxis={"separatethousands": True},
                                   yaxis={"separatethousands": True})
pio.templates.default = THEME
PALETTE = ["#1f5fa8", "#d9822b", "#2e8b57", "#a23b72", "#6c757d", "#b8860b"]
BENCHMARK_COLORS = ["#7a7a7a", "#b5651d", "#4b0082", "#2f4f4f", "#8b0000"]
AXIS = {  # kind -> (tick format, tick suffix, hover value)
    EUR: (",.0f", " €", "%{y:,.2f} €"),
    PCT: (",.1f", "%", "%{y:,.1f}%"),
    INT: (",d", "", "%{y:,d}"),
    DAYS: (",.0f", " gg", "%{y:,.1f} giorni"),
    NUM: (",.2f", "", "%{y:,.2f}"),
}
FORMAT = {EUR: fmt_eur, PCT: fmt_pct, INT: lambda v: fmt_num(v, 0), DAYS: lambda v: f"{fmt_num(v, 1)} giorni",
          NUM: lambda v: fmt_num(v, 2)}


def month_label(d) -> str:
    """'mag 2026': the Italian short month name and year."""
    return format_date(pd.Timestamp(d).date(), "MMM yyyy", locale=LOCALE)


def _months(values) -> list[pd.Timestamp]:
    return [pd.Timestamp(v) for v in values]


def month_axis(fig: go.Figure, months: list, *, max_ticks: int = 8) -> go.Figure:
    """Label the x axis with Italian month names (plotly's own `%b` would print English ones)."""
    ticks = sorted(set(_months(months)))
    step = max(1, math.ceil(len(ticks) / max_ticks))
    shown = ticks[::step]
    fig.update_xaxes(tickvals=shown, ticktext=[month_label(t) for t in shown], tickangle=0)
    return fig


def styled(fig: go.Figure, kind: str, *, height: int = 360, y_title: str | None = None) -> go.Figure:
    """Italian separators, a y axis in the figure's unit, legend above the plot, compact margins."""
    tickformat, suffix, _ = AXIS.get(kind, AXIS[NUM])
    fig.update_layout(separators=SEPARATORS, height=height, margin={"l": 10, "r": 10, "t": 40, "b": 10},
                      legend={"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0, "traceorder": "normal"},
                      hovermode="x unified", template=THEME)
    fig.update_yaxes(tickformat=tickformat, ticksuffix=suffix, title=y_title, rangemode="tozero")
    return fig


def _hover(kind: str, name: str) -> str:
    return f"{name}: {AXIS.get(kind, AXIS[NUM])[2]}<extra></extra>"


def add_benchmarks(fig: go.Figure, references: pd.DataFrame | None, kind: str) -> go.Figure:
    """Dashed horizontal lines for reference values (columns label, value), each labelled with its value."""
    if references is None or references.empty:
        return fig
    for i, row in enumerate(references.itertuples()):
        color = BENCHMARK_COLORS[i % len(BENCHMARK_COLORS)]
        fig.add_hline(y=row.value, line_dash="dash", line_color=color, line_width=1.5,
                      annotation_text=f"{chart(row.label)}: {FORMAT[kind](row.value)}", annotation_position="top left",
                      annotation_font_color=color, annotation_font_size=11)
    return fig


TARGET_COLOR = "#2e8b57"


def add_targets(fig: go.Figure, targets: pd.DataFrame | None, kind: str, *, across: bool = False) -> go.Figure:
    """Solid green horizontal lines for the targets set by the direzione (columns label, value), labelled on the
    right with their value, so they never read as a reference value; vertical lines on horizontal bars
    (`across`)."""
    if targets is None or targets.empty:
        return fig
    line = fig.add_vline if across else fig.add_hline
    for row in targets.itertuples():
        line(row.value, line_dash="solid", line_color=TARGET_COLOR, line_width=2,
             annotation_text=f"{chart(row.label)}: {FORMAT[kind](row.value)}",
             annotation_position="top right", annotation_font_color=TARGET_COLOR,
             annotation_font_size=11, annotation_bgcolor="rgba(255,255,255,0.85)")
    return fig


def target_marks(fig: go.Figure, targets: pd.DataFrame | None, names: dict, kind: str) -> go.Figure:
    """An intervention's own target as a green dash over its bar (`names`: intervention code -> bar label)."""
    if targets is None or targets.empty or "intervention_code" not in targets:
        return fig
    own = targets[targets["intervention_code"].isin(list(names))]
    if own.empty:
        return fig
    x, y = [names[c] for c in own["intervention_code"]], own["value"].tolist()
    for width, color in ((8, "#ffffff"), (4, TARGET_COLOR)):  # a white halo, so the dash reads over a bar
        fig.add_trace(go.Scatter(x=x, y=y, mode="markers", showlegend=False, hoverinfo="skip",
                                 marker={"symbol": "line-ew-open", "size": 70, "color": color,
                                         "line": {"width": width, "color": color}}))
    fig.add_trace(go.Scatter(x=x, y=y, mode="markers", name="Obiettivo dell'intervento", showlegend=False,
                             marker={"size": 1, "color": TARGET_COLOR, "opacity": 0},
                             text=[f"Obiettivo: {FORMAT[kind](v)}" for v in y],
                             hovertemplate="Obiettivo %{x}: %{text}<extra></extra>"))
    for xi, yi in zip(x, y):
        fig.add_annotation(x=xi, y=yi, text=f"Obiettivo: {FORMAT[kind](yi)}", showarrow=False, yshift=12,
                           font={"color": TARGET_COLOR, "size": 11}, bgcolor="rgba(255,255,255,0.85)")
    return fig


def bar_targets(fig: go.Figure, targets: pd.DataFrame | None, names: dict, kind: str, *,
                portfolio: bool = True) -> go.Figure:
    """Targets on a chart with one bar per intervention: the portfolio's as a line (unless `portfolio` is False,
    for totals that a portfolio target does not compare with), each intervention's over its own bar."""
    if targets is None or targets.empty:
        return fig
    if "intervention_code" not in targets:
        return add_targets(fig, targets, kind) if portfolio else fig
    if portfolio:
        add_targets(fig, targets[targets["intervention_code"].isna()], kind)
    return target_marks(fig, targets, names, kind)


def line_chart(frame: pd.DataFrame, x: str, series: dict[str, str], kind: str, *,
               references: pd.DataFrame | None = None, height: int = 360, max_ticks: int = 8,
               targets: pd.DataFrame | None = None) -> go.Figure:
    """One line per series (`{column: Italian name}`) over the months in `x`."""
    fig = go.Figure()
    months = _months(frame[x])
    for i, (column, name) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=months, y=frame[column], name=name, mode="lines+markers",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 2}, marker={"size": 5},
                                 hovertemplate=_hover(kind, name)))
    add_benchmarks(fig, references, kind)
    add_targets(fig, targets, kind)
    return month_axis(styled(fig, kind, height=height), months, max_ticks=max_ticks)


def stacked_area(frame: pd.DataFrame, x: str, series: dict[str, str], kind: str, *,
                 total: tuple[str, str] | None = None, references: pd.DataFrame | None = None,
                 height: int = 360, targets: pd.DataFrame | None = None) -> go.Figure:
    """Stacked areas (parts of a whole, e.g. available / unavailable empty units), with an optional total line."""
    fig = go.Figure()
    months = _months(frame[x])
    for i, (column, name) in enumerate(series.items()):
        fig.add_trace(go.Scatter(x=months, y=frame[column], name=name, mode="lines", stackgroup="parts",
                                 line={"color": PALETTE[i % len(PALETTE)], "width": 1},
                                 hovertemplate=_hover(kind, name)))
    if total is not None:
        column, name = total
        fig.add_trace(go.Scatter(x=months, y=frame[column], name=name, mode="lines", hovertemplate=_hover(kind, name),
                                 line={"color": "#222222", "width": 2, "dash": "dot"}))
    add_benchmarks(fig, references, kind)
    add_targets(fig, targets, kind)
    return month_axis(styled(fig, kind, height=height), months)


def bar_chart(labels: list[str], values: list, kind: str, *, name: str, hover_extra: list[str] | None = None,
              height: int = 320) -> go.Figure:
    """Bars in the given order (e.g. aging buckets from youngest to oldest), value written on each bar."""
    labels = chart_labels(labels)  # names from the data: plotly would render HTML in them
    text = [FORMAT[kind](v) if v is not None and not pd.isna(v) else "" for v in values]
    custom = hover_extra or [""] * len(labels)
    fig = go.Figure(go.Bar(x=labels, y=values, name=name, marker_color=PALETTE[0], text=text,
                           textposition="outside", customdata=custom, cliponaxis=False,
                           hovertemplate=f"%{{x}}: {AXIS.get(kind, AXIS[NUM])[2]}%{{customdata}}<extra></extra>"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    return styled(fig, kind, height=height)


def hidden_bars(fig: go.Figure, labels: list[str], hidden: list[bool]) -> go.Figure:
    """Grey hatched bars, the height of the tallest, over the categories whose value small-cell suppression hid:
    a hidden bucket must read as hidden, never as zero."""
    if not any(hidden):
        return fig
    tops = [v for trace in fig.data for v in (trace.y or ()) if v is not None and not pd.isna(v)]
    top = max(tops, default=0) or 1
    shown = [label for label, h in zip(labels, hidden) if h]
    fig.add_trace(go.Bar(x=shown, y=[top] * len(shown), name=HIDDEN_LABEL, text=[HIDDEN_LABEL] * len(shown),
                         textposition="inside", insidetextanchor="middle", marker={
                             "color": "rgba(160,160,160,0.25)", "pattern": {"shape": "/", "fgcolor": "#8a8a8a"}},
                         hovertemplate="%{x}: valore nascosto per riservatezza<extra></extra>"))
    fig.update_layout(barmode="overlay", showlegend=True)
    return fig


def period_caption(start: date, end: date) -> str:
    return f"{month_label(start)} – {month_label(end)}"
