"""`osservatorio obiettivi set|list|remove`: the targets a direzione or an administrator sets for a KPI."""

from __future__ import annotations

from typing import Annotated

import typer

from osservatorio.formatting import fmt_date, fmt_kpi

targets_app = typer.Typer(help="Obiettivi degli indicatori (direzione e amministratori): disegnati sui grafici.",
                          no_args_is_help=True)
USER_HELP = "Utente che fissa l'obiettivo (ruolo direzione o amministratore)"


def _engine_and_user(username: str):
    from osservatorio.cli.kpi import known_user
    from osservatorio.cli.root import checked_url
    from schemas.db import make_engine

    engine = make_engine(checked_url())
    return engine, known_user(engine, username)


@targets_app.command("set")
def set_command(
    code: Annotated[str, typer.Argument(metavar="CODICE", help="Codice dell'indicatore (osservatorio kpi --list)")],
    value: Annotated[str, typer.Argument(metavar="VALORE", help="Valore dell'obiettivo, nell'unità "
                                         "dell'indicatore (per le percentuali in punti: 3 = 3%; anche 2,5)")],
    user: Annotated[str, typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)],
    intervention: Annotated[str | None, typer.Option("--intervention", help="Codice intervento (assente: tutto "
                                                     "il portafoglio)")] = None,
    note: Annotated[str | None, typer.Option("--note", help="Nota (motivo, delibera...)")] = None,
) -> None:
    """Fissa (o sostituisce) l'obiettivo di un indicatore; la modifica resta nel registro delle attività."""
    from indicators.targets import TargetError, set_target

    engine, who = _engine_and_user(user)
    try:
        number = _number(value)
        set_target(engine, kpi_code=code, value=number, user=who, intervention_code=intervention, note=note)
    except TargetError as exc:
        typer.echo(f"Errore: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"Obiettivo di «{code}» per {intervention or 'tutto il portafoglio'} fissato a "
               f"{_value(code, number)} da {who.username}.")


def _number(text: str) -> float:
    """'2,5' or '2.5' (or '1.200,50'): the value of a target; an Italian error otherwise."""
    from indicators.targets import TargetError

    cleaned = text.strip().replace(" ", "")
    if "," in cleaned:
        cleaned = cleaned.replace(".", "").replace(",", ".")
    try:
        return float(cleaned)
    except ValueError:
        raise TargetError(f"Valore dell'obiettivo non valido: «{text}» (serve un numero, per esempio 2,5).") from None


@targets_app.command("list")
def list_command(
    user: Annotated[str | None, typer.Option("--user", envvar="OSSERVATORIO_USER",
                                             help="Solo gli obiettivi nel perimetro di questo utente")] = None,
) -> None:
    """Elenca gli obiettivi fissati."""
    from indicators.scope import Scope
    from indicators.targets import targets

    if user:
        engine, who = _engine_and_user(user)
        scope = who.scope
    else:
        from osservatorio.cli.root import checked_url
        from schemas.db import make_engine

        engine, scope = make_engine(checked_url()), Scope()
    frame = targets(engine, scope=scope)
    if frame.empty:
        typer.echo("Nessun obiettivo fissato.")
        return
    for r in frame.itertuples():
        typer.echo(f"{r.kpi_code:<28} {r.intervention_code or 'portafoglio':<12} {_value(r.kpi_code, r.value):>14}  "
                   f"fissato da {r.set_by} il {fmt_date(r.set_at.date())}" + (f"  ({r.note})" if r.note else ""))


@targets_app.command("remove")
def remove_command(
    code: Annotated[str, typer.Argument(metavar="CODICE")],
    user: Annotated[str, typer.Option("--user", envvar="OSSERVATORIO_USER", help=USER_HELP)],
    intervention: Annotated[str | None, typer.Option("--intervention", help="Codice intervento")] = None,
) -> None:
    """Toglie un obiettivo."""
    from indicators.targets import TargetError, clear_target

    engine, who = _engine_and_user(user)
    try:
        removed = clear_target(engine, kpi_code=code, user=who, intervention_code=intervention)
    except TargetError as exc:
        typer.echo(f"Errore: {exc}", err=True)
        raise typer.Exit(2) from None
    if not removed:
        typer.echo(f"Nessun obiettivo di «{code}» per {intervention or 'tutto il portafoglio'}.", err=True)
        raise typer.Exit(1)
    typer.echo(f"Obiettivo di «{code}» tolto.")


def _value(code: str, value: float) -> str:
    from indicators.registry import get_kpi

    return fmt_kpi(get_kpi(code).unit, value)
