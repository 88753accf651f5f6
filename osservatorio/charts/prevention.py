"""Charts of the Prevenzione page: one contract's timeline (balance, charges, payments, case events) and the risk
model's calibration. They draw what `indicators` computed; nothing is recomputed here."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from osservatorio.charts.common import PALETTE, month_axis, styled
from osservatorio.escaping import chart
from osservatorio.exports import EUR, PCT

EVENT_NAMES = {
    "apertura": "Apertura pratica", "sollecito_telefonico": "Sollecito telefonico", "sollecito_scritto":
    "Sollecito scritto", "incontro": "Incontro", "valutazione_disagio": "Valutazione del disagio",
    "incolpevole": "Incolpevole", "colpevole": "Colpevole", "microcredito": "Microcredito",
    "piano_rientro": "Piano di rientro", "fondo_solidarieta": "Fondo di solidarietà", "cambio_alloggio":
    "Cambio alloggio", "programma_supporto": "Programma di supporto", "assicurazione": "Assicurazione",
    "riduzione_canone": "Riduzione del canone", "diffida": "Diffida", "sfratto_avviato": "Sfratto avviato",
    "sfratto_convalidato": "Sfratto convalidato", "sfratto_eseguito": "Sfratto eseguito",
    "chiusura_saldo": "Chiusura per saldo", "chiusura_altro": "Chiusura (altro)",
}


def _monthly(movements: pd.DataFrame, kinds: tuple[str, ...]) -> pd.Series:
    """Sum of the movements of the given kinds per calendar month (the month's end as index)."""
    chosen = movements[movements["kind"].isin(kinds)]
    if chosen.empty:
        return pd.Series(dtype=float)
    ends = pd.to_datetime(chosen["day"]) + pd.offsets.MonthEnd(0)
    return chosen.groupby(ends)["amount"].sum()


def contract_timeline(history, *, height: int = 380) -> go.Figure:
    """Balance at each month end (line), charges and credits of each month (bars), case events (markers on the
    balance line, named in the hover): a `contract_history.ContractHistory`."""
    fig = go.Figure()
    months = pd.to_datetime(history.months["month_end"])
    charges = _monthly(history.movements, ("addebito",))
    credits = _monthly(history.movements, ("incasso", "storno", "abbuono", "stralcio"))
    fig.add_trace(go.Bar(x=list(charges.index), y=list(charges.values), name="Addebiti del mese",
                         marker_color="rgba(217,130,43,0.45)", hovertemplate="Addebiti: %{y:,.2f} €<extra></extra>"))
    fig.add_trace(go.Bar(x=list(credits.index), y=list(credits.values), name="Incassi e accrediti del mese",
                         marker_color="rgba(46,139,87,0.45)", hovertemplate="Incassi: %{y:,.2f} €<extra></extra>"))
    fig.add_trace(go.Scatter(x=months, y=history.months["balance"], name="Saldo a fine mese", mode="lines+markers",
                             line={"color": PALETTE[0], "width": 2}, hovertemplate="Saldo: %{y:,.2f} €<extra></extra>"))
    _event_markers(fig, history, months)
    fig.update_layout(barmode="group")
    return month_axis(styled(fig, EUR, height=height), list(months), max_ticks=8)


def _event_markers(fig: go.Figure, history, months: pd.Series) -> None:
    events = history.events
    if events.empty or months.empty:
        return
    days = pd.to_datetime(events["day"])
    balance = pd.Series(history.months["balance"].to_numpy(), index=months)
    at = [float(balance[balance.index >= d].iloc[0]) if (balance.index >= d).any() else float(balance.iloc[-1])
          for d in days]
    names = [chart(EVENT_NAMES.get(e, str(e))) for e in events["event"]]
    fig.add_trace(go.Scatter(x=days, y=at, name="Eventi della pratica", mode="markers",
                             marker={"symbol": "diamond", "size": 11, "color": PALETTE[3]}, text=names,
                             hovertemplate="%{text}<extra></extra>"))


def calibration_chart(calibration: pd.DataFrame, *, height: int = 320) -> go.Figure:
    """Predicted against observed share per group of contracts (points), with the diagonal of perfect calibration."""
    fig = go.Figure()
    top = max([100.0, *calibration["predicted"].tolist(), *calibration["observed"].tolist()]) if len(calibration) \
        else 100.0
    fig.add_trace(go.Scatter(x=[0, top], y=[0, top], name="Calibrazione perfetta", mode="lines",
                             line={"color": "#999999", "dash": "dash"}, hoverinfo="skip"))
    fig.add_trace(go.Scatter(x=calibration["predicted"], y=calibration["observed"], name="Modello",
                             mode="lines+markers",
                             line={"color": PALETTE[0]}, marker={"size": 9},
                             customdata=calibration["contracts"],
                             hovertemplate="Previsto %{x:,.1f}% · osservato %{y:,.1f}% (%{customdata} contratti)"
                                           "<extra></extra>"))
    styled(fig, PCT, height=height, y_title="Osservato")
    fig.update_xaxes(title="Previsto", tickformat=",.0f", ticksuffix="%")
    fig.update_layout(hovermode="closest")
    return fig
