"""`osservatorio budget propose|variance`: the budget drawn from history, and the year against it."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from osservatorio.formatting import fmt_eur, fmt_num, fmt_pct

budget_app = typer.Typer(help="Budget dallo storico: proposta con intervalli e scostamenti.", no_args_is_help=True)
FORMATS = ("table", "json", "xlsx", "csv")


def _engine_and_settings():
    from osservatorio.settings import get_settings
    from schemas.db import make_engine

    settings = get_settings()
    return make_engine(settings.database_url), settings


def _check(fmt: str, out: Path | None) -> None:
    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato non previsto: «{fmt}» (ammessi: {', '.join(FORMATS)})",
                                 param_hint="--format")
    if fmt in ("xlsx", "csv") and out is None:
        raise typer.BadParameter(f"--format {fmt} richiede --out FILE", param_hint="--out")


@budget_app.command("propose")
def propose_command(
    year: Annotated[int, typer.Option("--year", help="Anno del budget")],
    intervention: Annotated[str | None, typer.Option("--intervention", help="Codice intervento")] = None,
    inflation: Annotated[float, typer.Option("--inflation", help="Inflazione aggiunta alla previsione (%)")] = 0.0,
    fmt: Annotated[str, typer.Option("--format", help="table, json, xlsx, csv")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File di uscita (xlsx, csv)")] = None,
    include_revenue: Annotated[bool, typer.Option("--include-revenue", help="Aggiunge i ricavi: canoni e spese "
                                                  "addebitati, perdita attesa da morosità, mancato canone da sfitto, "
                                                  "e il margine previsto")] = False,
) -> None:
    """Propone il budget dell'anno dallo storico dei consuntivi, con intervalli all'80% e al 95%."""
    from indicators.budget import Adjustments, adjusted, propose
    from indicators.scope import Scope
    from osservatorio.budget_report import csv_of, proposal_excel, proposal_table

    _check(fmt, out)
    engine, settings = _engine_and_settings()
    scope = Scope().narrowed(interventions=[intervention] if intervention else None)
    proposal = propose(engine, year=year, scope=scope, inflation_pct=settings.budget_inflation_pct,
                       include_revenue=include_revenue)
    if proposal.lines.empty:
        typer.echo(f"Nessuno storico dei costi prima del {year}: impossibile proporre un budget.", err=True)
        raise typer.Exit(1)
    adjustments = Adjustments(inflation_pct=inflation)
    lines, _ = adjusted(proposal, adjustments)
    if fmt == "xlsx" and out is not None:  # `_check` asked for --out
        out.write_bytes(proposal_excel(proposal, adjustments))
    elif fmt == "csv" and out is not None:
        out.write_bytes(csv_of(proposal_table(proposal, lines)))
    elif fmt == "json":
        typer.echo(json.dumps(_proposal_json(proposal, lines, inflation) | _revenue_json(engine, proposal, lines),
                              ensure_ascii=False, indent=2))
    else:
        _print_proposal(proposal, lines, inflation)
        _print_revenue(engine, proposal, lines)
    if out is not None:
        typer.echo(f"Scritto {out}")


def _revenue_json(engine, proposal, lines: pd.DataFrame) -> dict:
    from indicators.budget_revenue import maintenance_from_tickets, projected_margin

    split = maintenance_from_tickets(engine, year=proposal.year, lines=proposal.lines, scope=proposal.scope)
    return {"margin": projected_margin(lines, "amount"),
            "maintenance_by_ticket_category": split.drop(columns="label").to_dict(orient="records")}


def _print_revenue(engine, proposal, lines: pd.DataFrame) -> None:
    """The margin of a proposal with revenue, and the maintenance line read against the tickets."""
    from indicators.budget_revenue import maintenance_from_tickets, projected_margin

    margin = projected_margin(lines, "amount")
    if margin is not None:
        typer.echo(f"  {'Ricavi addebitati':<32} {fmt_eur(margin['billed'], cents=False):>16}")
        typer.echo(f"  {'Perdita attesa da morosità':<32} {fmt_eur(margin['arrears_loss'], cents=False):>16}")
        typer.echo(f"  {'Margine previsto':<32} {fmt_eur(margin['margin'], cents=False):>16}  (mancato canone da "
                   f"sfitto, non sottratto: {fmt_eur(margin['void_loss'], cents=False)})")
    split = maintenance_from_tickets(engine, year=proposal.year, lines=proposal.lines, scope=proposal.scope)
    if split.empty:
        return
    typer.echo("Manutenzione ordinaria per categoria di segnalazione (quota del costo delle segnalazioni negli "
               "ultimi anni):")
    for r in split.itertuples():
        typer.echo(f"  {r.label:<32} {fmt_pct(r.share):>8}  {fmt_eur(r.forecast, cents=False):>14}")


def _proposal_json(proposal, lines: pd.DataFrame, inflation: float) -> dict:
    cols = ["side", "intervention_code", "category", "method", "method_label", "n_months", "forecast", "amount",
            "low80", "high80", "low95", "high95", "baseline", "mase", "baseline_mase", "warnings"]
    rows = lines[cols].astype(object).where(lines[cols].notna(), None).to_dict(orient="records")
    return {"year": proposal.year, "inflation_pct": inflation, "lines": rows, "warnings": proposal.warnings}


def _print_proposal(proposal, lines: pd.DataFrame, inflation: float) -> None:
    typer.echo(f"Budget {proposal.year} proposto dallo storico (inflazione aggiunta {fmt_pct(inflation)})")
    for r in lines[lines["side"] == "costi"].itertuples():
        mase = "n.d." if pd.isna(r.mase) else fmt_num(r.mase, 2)
        # the band is the forecast's: print it next to the forecast, and the adjusted budget apart
        typer.echo(f"  {r.label:<32} budget {fmt_eur(r.amount, cents=False):>12}  previsione "
                   f"{fmt_eur(r.forecast, cents=False)} (80%: {fmt_eur(r.low80, cents=False)} – "
                   f"{fmt_eur(r.high80, cents=False)})  [{r.method_label}, errore nelle prove {mase}]")
        if r.warnings:
            typer.echo(f"      ! {r.warnings}")
    costs = lines.loc[lines["side"] == "costi", "amount"].sum()
    typer.echo(f"  {'Totale costi':<32} {fmt_eur(costs, cents=False):>16}")
    for r in lines[lines["side"] != "costi"].itertuples():
        typer.echo(f"  {r.label:<32} ricavi {fmt_eur(r.amount, cents=False):>12}  previsione "
                   f"{fmt_eur(r.forecast, cents=False)} (80%: {fmt_eur(r.low80, cents=False)} – "
                   f"{fmt_eur(r.high80, cents=False)})  [{r.method_label}]")
    for w in proposal.warnings:
        typer.echo(f"! {w}")


@budget_app.command("variance")
def variance_command(
    year: Annotated[int, typer.Option("--year", help="Anno da confrontare con il budget")],
    intervention: Annotated[str | None, typer.Option("--intervention", help="Codice intervento")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, xlsx, csv")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File di uscita (xlsx, csv)")] = None,
) -> None:
    """Confronta i consuntivi dell'anno a oggi con il budget approvato, con proiezione a fine anno."""
    from indicators.scope import Scope
    from indicators.variance import budget_vs_actual
    from osservatorio.budget_report import csv_of, variance_excel, variance_table

    _check(fmt, out)
    engine, settings = _engine_and_settings()
    scope = Scope().narrowed(interventions=[intervention] if intervention else None)
    result = budget_vs_actual(engine, year=year, scope=scope, pct_threshold=settings.budget_variance_pct,
                              eur_threshold=settings.budget_variance_eur)
    if _nothing(result.by_category):
        typer.echo(f"Errore: nessun budget né consuntivo per il {year}" + (f" nell'intervento {intervention}" if
                   intervention else "") + ": caricare i file «budget» e «consuntivi» (`osservatorio load budget "
                   "FILE`, `osservatorio load consuntivi FILE`) o salvare una versione del budget dal cruscotto.",
                   err=True)
        raise typer.Exit(1)
    if fmt == "xlsx" and out is not None:  # `_check` asked for --out
        out.write_bytes(variance_excel(result))
    elif fmt == "csv" and out is not None:
        out.write_bytes(csv_of(variance_table(result)))
    elif fmt == "json":
        rows = result.by_category.astype(object).where(result.by_category.notna(), None).to_dict(orient="records")
        typer.echo(json.dumps({"year": year, "months_to_date": result.months_to_date, "source": result.source,
                               "by_category": rows, "warnings": result.warnings}, ensure_ascii=False, indent=2))
    else:
        _print_variance(result)
    if out is not None:
        typer.echo(f"Scritto {out}")


def _nothing(by_category: pd.DataFrame) -> bool:
    """No budget and no actual cost in any category."""
    figures = by_category[[c for c in ("budget_year", "actual_ytd") if c in by_category]]
    return not figures.fillna(0).to_numpy().any()


def _print_variance(result) -> None:
    typer.echo(f"Budget {result.year} contro consuntivo a {result.months_to_date} mesi ({result.source})")
    for r in result.by_category.itertuples():
        flag = "  <- oltre soglia" if r.flag or r.flag_projection else ""
        typer.echo(f"  {r.label:<28} budget {fmt_eur(r.budget_ytd, cents=False):>14}  consuntivo "
                   f"{fmt_eur(r.actual_ytd, cents=False):>14}  scostamento {fmt_eur(r.variance, cents=False):>13} "
                   f"({fmt_pct(r.variance_pct)})  fine anno {fmt_eur(r.projection, cents=False)}{flag}")
    for w in result.warnings:
        typer.echo(f"! {w}")
