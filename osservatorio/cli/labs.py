"""`osservatorio labs template` (the blank data-collection scheda) and `osservatorio labs load-scheda` (reads a
filled one back, sheet by sheet)."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import typer

from osservatorio.cli.evaluate import labs_app


@labs_app.command("template")
def template(
    out: Annotated[Path, typer.Option("--out", help="File XLSX da scrivere (es. scheda.xlsx)")],
    lab: Annotated[str | None, typer.Option("--lab", help="Codice del laboratorio che la compila")] = None,
    ambiti: Annotated[str | None, typer.Option("--ambiti", help="Ambiti del laboratorio separati da virgola "
                                                "(solo gli indicatori che servono); tutti se assente")] = None,
) -> None:
    """Scrive la scheda di raccolta dati vuota: un foglio per tipo di dato, istruzioni e controlli nelle celle."""
    from etl.kinds import AMBITI_VALUES
    from etl.scheda import write_scheda

    if out.suffix.lower() != ".xlsx":
        raise typer.BadParameter(f"estensione non prevista: «{out.suffix}» (usare .xlsx)", param_hint="--out")
    chosen = [a.strip() for a in ambiti.split(",") if a.strip()] if ambiti else None
    if unknown := [a for a in chosen or [] if a not in AMBITI_VALUES]:
        raise typer.BadParameter(f"ambito sconosciuto: «{', '.join(unknown)}»; ambiti: {', '.join(AMBITI_VALUES)}",
                                 param_hint="--ambiti")
    write_scheda(out, lab=lab, ambiti=chosen)
    typer.echo(f"Scheda scritta in {out}")


@labs_app.command("load-scheda")
def load_scheda(
    file: Annotated[Path, typer.Argument(metavar="FILE", exists=True, dir_okay=False, help="Scheda XLSX compilata")],
) -> None:
    """Carica una scheda compilata: ogni foglio nominato come un tipo di dato, genitori prima. Esce con codice 1
    se qualche riga è stata scartata."""
    from etl.loader import load_file
    from etl.scheda import scheda_sheets
    from osservatorio.cli.loading import _print_result, _refresh_after_load, _settings
    from schemas.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    sheets = scheda_sheets(file)
    if not sheets:
        typer.echo(f"{file.name}: nessun foglio con il nome di un tipo di dato (es. indicatori_contesto).", err=True)
        raise typer.Exit(1)
    results = [load_file(file, kind, sheet=kind, settings=settings) for kind in sheets]
    for r in results:
        _print_result(r)
    built = _refresh_after_load(settings, results, True)
    raise typer.Exit(0 if all(r.ok for r in results) and built else 1)
