"""The Budget page's charts: a fan chart (history, forecast, 80/95% bands), the proposal's revenue, costs and margin
against the margin's target, and IBCS-style variance bars."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import AXIS, PALETTE, TARGET_COLOR, month_axis, styled
from osservatorio.escaping import chart
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


MARGIN_BARS = (("billed", "Ricavi addebitati"), ("arrears_loss", "Perdita attesa da morosità"), ("costs", "Costi"),
               ("margin", "Margine previsto"))


def margin_bars(margin: dict, *, targets: pd.DataFrame | None = None, height: int = 320) -> go.Figure:
    """The proposal's billed revenue, expected arrears loss, costs and margin (`projected_margin`), with the target
    set for `operating_margin_eur` as a solid green dash over the margin's bar only: the other bars are no margin."""
    labels = [name for _, name in MARGIN_BARS]
    values = [margin[key] for key, _ in MARGIN_BARS]
    # the margin's bar paler than the target's green dash, which also has a white halo to read over the bar
    colors = [PALETTE[0], WORSE, PALETTE[4], "rgba(46, 139, 87, 0.45)" if margin["margin"] >= 0 else WORSE]
    fig = go.Figure(go.Bar(x=labels, y=values, marker_color=colors, text=[fmt_eur(v, cents=False) for v in values],
                           textposition="outside", cliponaxis=False, name="Proposta",
                           hovertemplate="%{x}: %{y:,.0f} €<extra></extra>"))
    fig.update_xaxes(type="category", categoryorder="array", categoryarray=labels)
    fig = styled(fig, EUR, height=height)
    fig.update_yaxes(rangemode="normal")
    fig.update_layout(showlegend=False, hovermode="closest")
    last = len(labels) - 1
    for row in ([] if targets is None else list(targets.itertuples())):
        for width, color in ((7, "#ffffff"), (3, TARGET_COLOR)):
            fig.add_shape(type="line", xref="x", yref="y", x0=last - 0.45, x1=last + 0.45, y0=row.value,
                          y1=row.value, line={"color": color, "width": width})
        fig.add_annotation(x=labels[last], y=row.value, yshift=12, showarrow=False,
                           text=f"{chart(row.label)}: {fmt_eur(row.value, cents=False)}",
                           font={"color": TARGET_COLOR, "size": 11}, bgcolor="rgba(255,255,255,0.85)")
    return fig
