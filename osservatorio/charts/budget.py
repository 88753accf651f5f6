"""The Budget page's charts: a fan chart (history, forecast, 80/95% bands) and IBCS-style variance bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import AXIS, PALETTE, month_axis, styled
from osservatorio.exports import EUR
from osservatorio.formatting import fmt_eur

BAND_95, BAND_80 = "rgba(31, 95, 168, 0.15)", "rgba(31, 95, 168, 0.30)"
# IBCS: for a cost, spending more than planned is bad (red), less is good (green).
WORSE, BETTER = "#c0392b", "#2e8b57"


def _band(fig: go.Figure, months, low, high, color: str, name: str) -> None:
    fig.add_trace(go.Scatter(x=months, y=high, mode="lines", line={"width": 0}, hoverinfo="skip", showlegend=False))
    fig.add_trace(go.Scatter(x=months, y=low, mode="lines", line={"width": 0}, fill="tonexty", fillcolor=color,
                             name=name, hoverinfo="skip"))


def fan_chart(history: pd.DataFrame, forecast: pd.DataFrame, *, height: int = 340) -> go.Figure:
    """History (month, amount) as a line, then the forecast (month, mean, low/high 80 and 95) with its bands."""
    fig = go.Figure()
    hover = AXIS[EUR][2]
    _band(fig, forecast["month"], forecast["low95"], forecast["high95"], BAND_95, "Intervallo 95%")
    _band(fig, forecast["month"], forecast["low80"], forecast["high80"], BAND_80, "Intervallo 80%")
    fig.add_trace(go.Scatter(x=history["month"], y=history["amount"], name="Storico", mode="lines",
                             line={"color": "#222222", "width": 1.5}, hovertemplate=f"Storico: {hover}<extra></extra>"))
    fig.add_trace(go.Scatter(x=forecast["month"], y=forecast["mean"], name="Previsione", mode="lines",
                             line={"color": PALETTE[0], "width": 2.5},
                             hovertemplate=f"Previsione: {hover}<extra></extra>"))
    months = list(history["month"]) + list(forecast["month"])
    return month_axis(styled(fig, EUR, height=height), months, max_ticks=8)


def variance_bars(labels: list[str], variances: list[float], *, height: int = 340) -> go.Figure:
    """Horizontal bars of actual − budget: red where costs run over the budget, green where under."""
    colors = [WORSE if v > 0 else BETTER for v in variances]
    fig = go.Figure(go.Bar(y=labels, x=variances, orientation="h", marker_color=colors,
                           text=[fmt_eur(v, cents=False) for v in variances], textposition="outside",
                           cliponaxis=False, hovertemplate="%{y}: %{x:,.0f} €<extra></extra>", name="Scostamento"))
    fig = styled(fig, EUR, height=height)
    fig.update_yaxes(tickformat=None, ticksuffix="", autorange="reversed", rangemode=None)
    fig.update_xaxes(tickformat=",.0f", ticksuffix=" €", zeroline=True, zerolinecolor="#444444")
    fig.update_layout(hovermode="closest", showlegend=False)
    return fig
