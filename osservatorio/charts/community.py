"""Charts of the gestore's community register (plotly only): the page and the impact report draw the same."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import PALETTE, SEPARATORS, THEME
from osservatorio.escaping import chart_labels


def activities_by_year(years: pd.DataFrame, labels: dict) -> go.Figure:
    """`community_years` per intervention: activities per year, one bar series per intervention."""
    fig = go.Figure()
    for i, (group, rows) in enumerate(years.groupby("group", sort=True)):
        name = chart_labels([labels.get(group, str(group))])[0]
        fig.add_trace(go.Bar(x=[str(y) for y in rows["year"]], y=rows["activities"], name=name,
                             marker_color=PALETTE[i % len(PALETTE)],
                             hovertemplate=f"{name}<br>%{{x}}: %{{y:,d}} attività<extra></extra>"))
    fig.update_layout(separators=SEPARATORS, template=THEME, barmode="group", height=320,
                      margin={"l": 10, "r": 10, "t": 40, "b": 10}, yaxis={"title": "Attività", "tickformat": ",d"},
                      title={"text": "Attività di comunità del gestore per anno e intervento", "font": {"size": 14}},
                      legend={"orientation": "h", "y": -0.15})
    return fig
