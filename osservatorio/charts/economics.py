"""Charts of the economics of each intervention (plotly only): margin and cost per unit per group."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import PALETTE, bar_targets, styled
from osservatorio.escaping import chart_labels
from osservatorio.exports import EUR
from osservatorio.formatting import fmt_eur


def revenue_and_costs(frame: pd.DataFrame, labels: dict, *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Per group: billed, expected arrears loss, costs and the margin (bars side by side); each intervention's margin
    target over its bars, the portfolio's only when the chart shows one group (a total is not an intervention's)."""
    names = chart_labels(labels.get(g, str(g)) for g in frame["group"])
    fig = go.Figure()
    for i, (column, name) in enumerate((("billed", "Addebitato"), ("arrears_loss", "Perdita attesa da morosità"),
                                        ("costs", "Costi"), ("margin", "Margine"))):
        fig.add_trace(go.Bar(x=names, y=frame[column], name=name, marker_color=PALETTE[i],
                             customdata=[fmt_eur(v) for v in frame[column]],
                             hovertemplate=f"{name}: %{{customdata}}<extra></extra>"))
    fig.update_xaxes(type="category")
    fig.update_layout(barmode="group")
    bar_targets(fig, targets, dict(zip(frame["group"], names)), EUR, portfolio=len(frame) == 1)
    return styled(fig, EUR, height=380)


def cost_per_unit(frame: pd.DataFrame, labels: dict, *, targets: pd.DataFrame | None = None) -> go.Figure:
    """Cost per unit managed, per group, with the targets."""
    names = chart_labels(labels.get(g, str(g)) for g in frame["group"])
    fig = go.Figure(go.Bar(x=names, y=frame["cost_per_unit"], name="Costo per alloggio", marker_color=PALETTE[0],
                           text=[fmt_eur(v, cents=False) for v in frame["cost_per_unit"]], textposition="outside",
                           cliponaxis=False, hovertemplate="%{x}: %{y:,.2f} €<extra></extra>"))
    fig.update_xaxes(type="category")
    bar_targets(fig, targets, dict(zip(frame["group"], names)), EUR)
    return styled(fig, EUR, height=340)
