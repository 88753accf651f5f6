"""`osservatorio arrears early-warning|risk-backtest`: who to call this week, and how far the risk score can be
trusted. Thin wrappers: the figures come from `indicators.prevention*` and `indicators.risk`."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Annotated

import pandas as pd
import typer

from osservatorio.cli.dates import data_span, parse_day, warn
from osservatorio.formatting import fmt_date, fmt_eur, fmt_int, fmt_num, fmt_pct

arrears_app = typer.Typer(help="Prevenzione della morosità: campanello d'allarme e verifica del rischio.",
                          no_args_is_help=True)
FORMATS = ("table", "json", "xlsx")
USER_HELP = "Esegui come questo utente: solo il suo perimetro"


def _engine_and_user(username: str | None):
    from indicators.scope import Scope
    from osservatorio.cli.kpi import known_user
    from osservatorio.cli.root import checked_url
    from schemas.db import make_engine

    engine = make_engine(checked_url())
    if not username:
        return engine, Scope()
    who = known_user(engine, username)
    if not who.contract_rows:
        typer.echo(f"Errore: il ruolo «{who.role}» non vede righe di singoli contratti: vede i conteggi per fascia "
                   "e gravità nella pagina Prevenzione.", err=True)
        raise typer.Exit(2)
    from osservatorio import audit

    audit.record(engine, "arrears", user=who, detail="early-warning")
    return engine, who.scope


def _bands(text: str) -> tuple[float, ...]:
    from indicators.prevention import checked_bands

    try:
        return checked_bands(v for v in text.replace(";", ",").split(",") if v.strip())
    except ValueError as exc:
        raise typer.BadParameter(str(exc), param_hint="--bands") from None


def _day(engine, as_of: str | None) -> date:
    span = data_span(engine)
    if span.first_day is None:
        typer.echo("Errore: nessun movimento contabile nel warehouse: caricare il file «movimenti».", err=True)
        raise typer.Exit(1)
    day = parse_day(as_of) or span.default_day
    warn(span.note(day, "la data"))
    return day


@arrears_app.command("early-warning")
def early_warning_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Data di riferimento (gg/mm/aaaa); se assente "
                                                 "l'ultima fine mese coperta dai dati")] = None,
    fmt: Annotated[str, typer.Option("--format", help="table, json, xlsx")] = "table",
    out: Annotated[Path | None, typer.Option("--out", help="File di uscita (xlsx)")] = None,
    days: Annotated[int, typer.Option("--days", min=0, help="Giorni di ritardo oltre i quali avvisare")] = 30,
    bands: Annotated[str, typer.Option("--bands", help="Limiti delle fasce di debito in euro")] = "1000,5000",
    sort: Annotated[str, typer.Option("--sort", help="days (giorni), balance (debito), risk (rischio)")] = "days",
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)] = None,
) -> None:
    """Contratti in ritardo da più di N giorni senza pratica aperta, con il passo della procedura dovuto."""
    from indicators.prevention_list import SORTS, warning_list
    from osservatorio import exports
    from osservatorio.prevention_export import warning_table

    if fmt not in FORMATS:
        raise typer.BadParameter(f"formato non previsto: «{fmt}» (ammessi: {', '.join(FORMATS)})",
                                 param_hint="--format")
    if fmt == "xlsx" and out is None:
        raise typer.BadParameter("--format xlsx richiede --out FILE", param_hint="--out")
    if sort not in SORTS:
        raise typer.BadParameter(f"ordinamento non previsto: «{sort}» (ammessi: {', '.join(SORTS)})",
                                 param_hint="--sort")
    limits = _bands(bands)
    engine, scope = _engine_and_user(user)
    day = _day(engine, as_of)
    frame = warning_list(engine, as_of=day, scope=scope, days=days, bands=limits, sort=sort)
    if fmt == "xlsx" and out is not None:
        out.write_bytes(exports.to_excel(*warning_table(frame), sheet="campanello"))
        typer.echo(f"Scritto {out}: {fmt_int(len(frame))} contratti")
    elif fmt == "json":
        typer.echo(json.dumps(_records(frame, day, days), ensure_ascii=False, indent=2))
    else:
        _print_list(frame, day, days)
    if sort == "risk" and not frame.attrs.get("risk_fitted"):
        typer.echo("Attenzione: storia insufficiente per stimare il rischio: ordinato per giorni.", err=True)


def _records(frame: pd.DataFrame, day: date, days: int) -> dict:
    rows = frame.astype(object).where(frame.notna(), None).to_dict(orient="records")
    for row in rows:
        for key, value in row.items():
            if isinstance(value, date):
                row[key] = value.isoformat()
    return {"as_of": day.isoformat(), "days": days, "contracts": len(rows),
            "amount": round(float(frame["balance"].sum()), 2) if len(frame) else 0.0,
            "risk_fitted": bool(frame.attrs.get("risk_fitted")), "rows": rows}


def _print_list(frame: pd.DataFrame, day: date, days: int) -> None:
    from osservatorio.prevention_export import step_text

    typer.echo(f"Campanello d'allarme al {fmt_date(day)}: {fmt_int(len(frame))} contratti in ritardo da più di "
               f"{days} giorni senza pratica aperta, debito {fmt_eur(frame['balance'].sum() if len(frame) else 0)}")
    typer.echo("(orologio della procedura dalla prima rata non pagata)")
    for r in frame.itertuples():
        risk = "" if r.risk is None else f", rischio {fmt_pct(r.risk)}"
        typer.echo(f"  {r.lease_code:<12} {fmt_int(r.days_overdue):>5} gg  {fmt_eur(r.balance):>12}  "
                   f"dal {fmt_date(r.first_unpaid_due)}  {r.band}  -> {step_text(r.step_due)}{risk}")


@arrears_app.command("risk-backtest")
def risk_backtest_command(
    as_of: Annotated[str | None, typer.Option("--as-of", help="Ultimo giorno di storia da usare")] = None,
    fmt: Annotated[str, typer.Option("--format", help="json, table")] = "json",
    tests: Annotated[int, typer.Option("--cutoffs", min=1, max=12, help="Date di verifica")] = 4,
) -> None:
    """Verifica sul passato del punteggio di rischio: AUC e precisione tra i primi 50, modello e saldo."""
    from indicators import risk

    if fmt not in ("json", "table"):
        raise typer.BadParameter(f"formato non previsto: «{fmt}» (ammessi: json, table)", param_hint="--format")
    engine, scope = _engine_and_user(None)
    day = _day(engine, as_of)
    result = risk.backtest(engine, first=data_span(engine).first_day or day, last=day, scope=scope, tests=tests)
    if fmt == "json":
        cut = result.cutoffs.astype(object).where(result.cutoffs.notna(), None)
        cut["cutoff"] = [d.isoformat() for d in result.cutoffs["cutoff"]]
        typer.echo(json.dumps({"horizon_months": risk.HORIZON, "top_k": risk.TOP_K,
                               "model_better": result.model_better, "verdict": result.verdict,
                               "cutoffs": cut.to_dict(orient="records"),
                               "calibration": result.calibration.to_dict(orient="records"),
                               "warnings": result.warnings}, ensure_ascii=False, indent=2))
    else:
        for r in result.cutoffs.itertuples():
            typer.echo(f"  {fmt_date(r.cutoff)}: AUC modello {_num(r.auc_model)}, saldo {_num(r.auc_baseline)}; "
                       f"precisione primi {risk.TOP_K} modello {_pct(r.precision_model)}, saldo "
                       f"{_pct(r.precision_baseline)} ({fmt_int(r.test_rows)} contratti)")
        typer.echo(result.verdict)
    for note in result.warnings:
        typer.echo(f"Attenzione: {note}", err=True)
    if result.model_better is None:
        raise typer.Exit(1)


def _num(v) -> str:
    return "n.d." if v is None or pd.isna(v) else fmt_num(v, 2)


def _pct(v) -> str:
    return "n.d." if v is None or pd.isna(v) else fmt_pct(v * 100)
