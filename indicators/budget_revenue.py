"""The revenue side of a budget proposal and its maintenance lines read against the ticket history.

- `projected_margin`: billed rent and charges − expected loss from arrears − costs, from the lines of a
  proposal made with `include_revenue=True` (void loss is shown, never subtracted: it is never billed);
- `maintenance_from_tickets`: the closed tickets' cost per ticket category in the complete years before the
  budget year (`ticket_cost_history`), each category's share, and the ordinary-maintenance forecast split on
  those shares, so the direzione sees which kinds of repair the maintenance line pays for.
"""

from __future__ import annotations

import pandas as pd

from indicators.cost_history import COSTS, REVENUE, ticket_cost_history
from indicators.scope import Scope

MAINTENANCE = "manutenzione_ordinaria"
TICKET_YEARS = 3


def projected_margin(lines: pd.DataFrame, column: str = "forecast") -> dict[str, float] | None:
    """Revenue, expected arrears loss, void loss, costs and margin of a proposal's `column` (None: no revenue)."""
    revenue = lines[lines["side"] == REVENUE].groupby("category")[column].sum()
    if revenue.empty:
        return None
    billed = float(revenue.get("canoni_emessi", 0.0) + revenue.get("altri_addebiti_emessi", 0.0))
    loss = float(revenue.get("perdita_attesa_morosita", 0.0))
    costs = float(lines.loc[lines["side"] == COSTS, column].sum())
    return {"billed": billed, "arrears_loss": loss, "void_loss": float(revenue.get("mancato_canone_sfitto", 0.0)),
            "costs": costs, "margin": billed - loss - costs}


def maintenance_from_tickets(conn, *, year: int, lines: pd.DataFrame, scope: Scope = Scope()) -> pd.DataFrame:
    """Per ticket category: cost of each of the last `TICKET_YEARS` years before `year`, mean_year, share (% of
    the tickets' cost over those years) and forecast (share × the ordinary-maintenance forecast of `lines`)."""
    tickets = ticket_cost_history(conn, scope=scope)
    years = list(range(year - TICKET_YEARS, year))
    tickets = tickets[tickets["month"].dt.year.isin(years)]
    if tickets.empty:
        return pd.DataFrame(columns=["category", "label", *years, "mean_year", "share", "forecast"])
    wide = tickets.assign(year=tickets["month"].dt.year).pivot_table(
        index="category", columns="year", values="amount", aggfunc="sum").reindex(columns=years).fillna(0.0)
    wide["mean_year"] = wide[years].sum(axis=1) / len(years)
    wide["share"] = wide[years].sum(axis=1) / wide[years].to_numpy().sum() * 100
    maintenance = lines.loc[(lines["side"] == COSTS) & (lines["category"] == MAINTENANCE), "forecast"].sum()
    wide["forecast"] = wide["share"] / 100 * float(maintenance)
    out = wide.reset_index().sort_values("share", ascending=False, kind="stable").reset_index(drop=True)
    out.insert(1, "label", [str(c).replace("_", " ").capitalize() for c in out["category"]])
    out.columns = [str(c) for c in out.columns]
    return out
