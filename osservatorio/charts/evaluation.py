"""Charts of the labs' evaluation (plotly only, no Streamlit): the page and the HTML report draw the same figures."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import PALETTE, SEPARATORS, THEME, add_targets, month_axis, styled
from osservatorio.exports import EUR, INT, NUM
from indicators.event_study import minus
from osservatorio.escaping import chart_labels
from osservatorio.formatting import fmt_num

ARM_COLORS = {"trattamento": PALETTE[0], "controllo": PALETTE[1]}
GRID_LABELS = ["Trattamento t0", "Trattamento t1", "Controllo t0", "Controllo t1"]


def completeness_heatmap(grid: pd.DataFrame, labels: dict[str, str] | None = None) -> go.Figure:
    """Labs x (group, moment): share of the expected indicators present, 0-100%, written in each cell."""
    labels = labels or {}
    y = chart_labels(labels.get(lab, lab) for lab in grid.index)
    text = [[f"{fmt_num(v, 0)}%" for v in row] for row in grid.to_numpy()]
    fig = go.Figure(go.Heatmap(z=grid.to_numpy(), x=GRID_LABELS, y=y, zmin=0, zmax=100, text=text,
                               texttemplate="%{text}", colorscale=[[0, "#f4d6d6"], [0.5, "#f6e7b4"], [1, "#b9dfc3"]],
                               colorbar={"title": "% presenti", "ticksuffix": "%"},
                               hovertemplate="%{y}<br>%{x}: %{text} degli indicatori attesi<extra></extra>"))
    fig.update_yaxes(autorange="reversed")
    fig.update_layout(separators=SEPARATORS, height=max(320, 28 * len(y) + 80), template=THEME,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10})
    return fig


def bars_by(frame: pd.DataFrame, label_col: str, value_col: str, name: str, *, kind: str = INT,
            height: int = 360, targets: pd.DataFrame | None = None) -> go.Figure:
    """Horizontal bars, largest at the top, value written on each bar; the targets set for the KPI of the bars as
    vertical lines."""
    data = frame.sort_values(value_col)
    fig = go.Figure(go.Bar(x=data[value_col], y=chart_labels(data[label_col]), orientation="h", name=name,
                           marker_color=PALETTE[0],
                           text=[fmt_num(v, 0 if kind == INT else 2) for v in data[value_col]], textposition="auto",
                           hovertemplate="%{y}: %{x:,.2f}<extra></extra>"))
    fig.update_layout(separators=SEPARATORS, height=max(height, 24 * len(data) + 80), template=THEME,
                      margin={"l": 10, "r": 10, "t": 30, "b": 10},
                      xaxis={"title": name, "tickformat": ",.0f" if kind == INT else ",.2f"})
    return add_targets(fig, targets, kind if kind in (INT, EUR) else NUM, across=True)


def activity_timeline(months: pd.DataFrame) -> go.Figure:
    """Activities per month (bars) with participants (line, right axis)."""
    x = [pd.Timestamp(m) for m in months["group"]]
    fig = go.Figure([go.Bar(x=x, y=months["activities"], name="Attività", marker_color=PALETTE[0],
                            hovertemplate="Attività: %{y:,d}<extra></extra>"),
                     go.Scatter(x=x, y=months["participants"], name="Partecipanti", yaxis="y2", mode="lines+markers",
                                line={"color": PALETTE[1]}, hovertemplate="Partecipanti: %{y:,d}<extra></extra>")])
    styled(fig, INT, height=320)
    fig.update_layout(yaxis2={"overlaying": "y", "side": "right", "tickformat": ",d", "rangemode": "tozero",
                              "showgrid": False})
    return month_axis(fig, x)


def points_changes(table: pd.DataFrame, labels: dict[str, str], *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Changes in percentage points of the percentage indicators, lab's area beside control area, against the
    target set for `lab_outcome_points` (solid line)."""
    fig = go.Figure()
    for arm, name in (("trattamento", "Area del laboratorio"), ("controllo", "Area di controllo")):
        part = table[table["arm"] == arm]
        fig.add_trace(go.Bar(x=chart_labels(labels.get(i, i) for i in part["indicator"]), y=part["points_change"],
                             name=name,
                             marker_color=ARM_COLORS[arm],
                             text=[fmt_num(v, 1) + " punti" for v in part["points_change"]], textposition="outside",
                             hovertemplate=f"{name}: %{{y:,.1f}} punti<extra></extra>"))
    styled(fig, NUM, height=320, y_title="Variazione (punti percentuali)")
    fig.update_layout(barmode="group", hovermode="closest")
    fig.update_yaxes(rangemode="normal", tickformat=",.1f", ticksuffix="")
    return add_targets(fig, targets, NUM)


def _x(periods) -> list:
    return [pd.Timestamp(p) if not isinstance(p, (int, float)) else p for p in periods]


def _months(fig: go.Figure, x: list) -> go.Figure:
    """Italian month names on a time axis (numbered periods keep their numbers)."""
    return month_axis(fig, x, max_ticks=6) if x and isinstance(x[0], pd.Timestamp) else fig


def trends(frame: pd.DataFrame, start, *, y_title: str) -> go.Figure:
    """Mean outcome of treated and control units over the periods, with the start marked."""
    x = _x(frame["period"])
    fig = go.Figure([go.Scatter(x=x, y=frame["treated"], name="Trattati (media)", line={"color": PALETTE[0]}),
                     go.Scatter(x=x, y=frame["control"], name="Controllo (media)", line={"color": PALETTE[1]})])
    styled(fig, NUM, y_title=y_title)
    fig.add_vline(x=_x([start])[0], line_dash="dot", line_color="#555555")
    return _months(fig, x)


def event_study_chart(coefficients: pd.DataFrame, *, reference: int = -1) -> go.Figure:
    """Coefficients by period relative to the start, with their 95% intervals; `reference` (usually -1) is 0."""
    c = coefficients
    fig = go.Figure(go.Scatter(x=c["rel_time"], y=c["estimate"], mode="markers",
                               marker={"color": PALETTE[0], "size": 8},
                               error_y={"type": "data", "symmetric": False, "array": c["ci_high"] - c["estimate"],
                                        "arrayminus": c["estimate"] - c["ci_low"], "color": PALETTE[0]},
                               name="Effetto stimato", hovertemplate="Periodo %{x}: %{y:,.2f}<extra></extra>"))
    styled(fig, NUM, y_title=f"Differenza rispetto al periodo {minus(reference)}")
    fig.add_hline(y=0, line_color="#555555", line_width=1)
    fig.add_vline(x=-0.5, line_dash="dot", line_color="#555555")
    fig.update_xaxes(title="Periodi dall'avvio (0 = primo periodo trattato)", dtick=1)
    fig.update_yaxes(rangemode="normal", ticksuffix="")
    return fig


def synthetic_path(path: pd.DataFrame, start, *, y_title: str) -> go.Figure:
    """The treated unit and its synthetic control over the periods."""
    x = _x(path["period"])
    fig = go.Figure([go.Scatter(x=x, y=path["treated"], name="Unità trattata", line={"color": PALETTE[0]}),
                     go.Scatter(x=x, y=path["synthetic"], name="Controllo sintetico",
                                line={"color": PALETTE[1], "dash": "dash"})])
    styled(fig, NUM, y_title=y_title)
    fig.add_vline(x=_x([start])[0], line_dash="dot", line_color="#555555")
    return _months(fig, x)


def placebo_gaps(gaps: pd.DataFrame, treated: str, start) -> go.Figure:
    """Gap of the treated unit (thick) against the gaps of every placebo run (grey)."""
    x = _x(gaps.index)
    fig = go.Figure()
    for unit in gaps.columns:
        if unit != treated:
            fig.add_trace(go.Scatter(x=x, y=gaps[unit], mode="lines", line={"color": "#c8c8c8", "width": 1},
                                     name="Placebo", showlegend=unit == gaps.columns[-1], hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=x, y=gaps[treated], mode="lines", line={"color": PALETTE[0], "width": 3},
                             name="Unità trattata"))
    styled(fig, NUM, y_title="Scarto dal controllo sintetico")
    fig.add_hline(y=0, line_color="#555555", line_width=1)
    fig.add_vline(x=_x([start])[0], line_dash="dot", line_color="#555555")
    fig.update_yaxes(rangemode="normal", ticksuffix="")
    return _months(fig, x)
