"""The `osservatorio` command: warehouse, loads, sample data and the demo."""

from __future__ import annotations

import logging
import os
import subprocess
import sys
from pathlib import Path
from typing import Annotated

import typer

from etl.kinds import LOAD_ORDER
from osservatorio.cli.arrears import arrears_app
from osservatorio.cli.budget import budget_app
from osservatorio.cli.italian import italianise
from osservatorio.cli.root import RootGroup
from osservatorio.cli.evaluate import evaluate as evaluate_command
from osservatorio.cli.evaluate import labs_app
from osservatorio.cli import labs as _labs_commands  # noqa: F401  (registers labs template, load-scheda)
from osservatorio.cli.kpi import grouping_help
from osservatorio.cli.loading import _build, _print_result, _refresh_after_load, _settings
from osservatorio.cli.kpi import kpi as kpi_command
from osservatorio.cli.match import match as match_command
from osservatorio.cli.report import report_app
from osservatorio.cli.targets import targets_app
from osservatorio.cli.users import users_app

app = typer.Typer(cls=RootGroup, help="Osservatorio: cruscotto dell'abitare sociale in Lombardia.",
                  no_args_is_help=True, pretty_exceptions_enable=False, rich_markup_mode=None, add_completion=False)
db_app = typer.Typer(cls=RootGroup, help="Gestione del magazzino dati (warehouse).", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(users_app, name="users")
app.command("kpi", epilog=grouping_help())(kpi_command)
app.add_typer(budget_app, name="budget")
app.command("evaluate")(evaluate_command)
app.add_typer(labs_app, name="labs")
app.add_typer(report_app, name="report")
app.add_typer(targets_app, name="obiettivi")
app.add_typer(arrears_app, name="arrears")
app.command("match")(match_command)

KIND_HELP = "Tipo di file: " + ", ".join(LOAD_ORDER)


@db_app.command("upgrade")
def db_upgrade(revision: Annotated[str, typer.Argument(metavar="REVISIONE",
                                                      help="Revisione di arrivo")] = "head") -> None:
    """Porta il warehouse all'ultima versione dello schema (crea le tabelle se serve)."""
    from schemas.migrate import upgrade

    url = _settings().database_url
    upgrade(url, revision)
    typer.echo(f"Warehouse aggiornato ({_safe_url(url)}).")


@db_app.command("refresh")
def db_refresh() -> None:
    """Ricostruisce da capo la copia analitica da cui si calcolano le figure, rileggendo ogni riga del warehouse
    (dopo ogni caricamento avviene da sé, leggendo solo le righe nuove). Esce con codice 1 se l'aggiornamento non
    riesce (restano le figure precedenti)."""
    from schemas.db import make_engine

    if not _build(make_engine(_settings().database_url), force=True, carry=False):
        raise typer.Exit(1)


REFRESH_HELP = ("Dopo il caricamento aggiorna le figure (ricostruisce la copia analitica); con --no-figure "
                "(o --no-aggregati) le aggiorna poi `osservatorio db refresh` o il cruscotto")
REFRESH_FLAGS = ("--figure/--no-figure", "--aggregati/--no-aggregati")


def _safe_url(url: str) -> str:
    from sqlalchemy.engine import make_url

    return make_url(url).render_as_string(hide_password=True)


@app.command()
def load(
    kind: Annotated[str, typer.Argument(metavar="TIPO", help=KIND_HELP)],
    file: Annotated[Path, typer.Argument(metavar="FILE", exists=True, dir_okay=False, help="File CSV o XLSX")],
    mapping: Annotated[Path | None, typer.Option(exists=True, help="Corrispondenza intestazioni (TOML o CSV)")] = None,
    sheet: Annotated[str | None, typer.Option(help="Foglio del file XLSX (predefinito: il primo)")] = None,
    aggregati: Annotated[bool, typer.Option(*REFRESH_FLAGS, help=REFRESH_HELP)] = True,
) -> None:
    """Carica un file nel warehouse. Esce con codice 1 se qualche riga è stata scartata, il file rifiutato o
    l'aggiornamento delle figure non è riuscito."""
    from etl.loader import load_file
    from schemas.migrate import upgrade

    if kind not in LOAD_ORDER:
        typer.echo(f"Tipo di file sconosciuto: «{kind}». {KIND_HELP}.", err=True)
        raise typer.Exit(2)
    settings = _settings()
    upgrade(settings.database_url)
    _warn_demo_key(settings)
    result = load_file(file, kind, mapping=mapping, sheet=sheet, settings=settings)
    _print_result(result)
    built = _refresh_after_load(settings, [result], aggregati)
    raise typer.Exit(0 if result.ok and built else 1)


def _warn_demo_key(settings) -> None:
    if settings.uses_demo_key and not settings.demo:
        typer.echo("Attenzione: chiave di pseudonimizzazione dimostrativa: i file con dati personali (codice "
                   "fiscale, nominativo) saranno rifiutati. Impostare OSSERVATORIO_PSEUDONYM_KEY.", err=True)


@app.command("load-dir")
def load_dir_cmd(directory: Annotated[Path, typer.Argument(metavar="CARTELLA", exists=True, file_okay=False,
                                                            help="Cartella con i file da caricare")],
                 aggregati: Annotated[bool, typer.Option(*REFRESH_FLAGS, help=REFRESH_HELP)] = True) -> None:
    """Carica tutti i file di una cartella, nominati per tipo (alloggi.csv, movimenti.xlsx...), genitori prima."""
    from etl.loader import load_dir, unrecognised_files
    from schemas.migrate import upgrade

    settings = _settings()
    upgrade(settings.database_url)
    _warn_demo_key(settings)
    for name in unrecognised_files(directory):
        typer.echo(f"{name}: nome non riconosciuto, file non caricato (usare il tipo nel nome, es. alloggi.csv).")
    results = load_dir(directory, settings=settings)
    for r in results:
        _print_result(r)
    built = _refresh_after_load(settings, results, aggregati)
    if not results:
        typer.echo("Nessun file riconosciuto nella cartella.", err=True)
    raise typer.Exit(0 if results and all(r.ok for r in results) and built else 1)


@app.command()
def quarantine(batch_id: Annotated[int, typer.Argument(metavar="CARICAMENTO", help="Numero del caricamento")],
               limit: Annotated[int, typer.Option(min=1, help="Righe da mostrare")] = 50) -> None:
    """Mostra le righe scartate di un caricamento, con riga, colonna, valore e motivo."""
    from sqlalchemy import func, select
    from sqlmodel import col

    from indicators.loads import quarantined_rows
    from schemas.db import make_engine
    from schemas.loads import LoadBatch

    engine = make_engine(_settings().database_url)
    with engine.connect() as conn:
        found = conn.execute(select(col(LoadBatch.id)).where(col(LoadBatch.id) == batch_id)).first()
        newest = conn.execute(select(func.max(col(LoadBatch.id)))).scalar()
    if found is None:
        last = f"l'ultimo è il n. {newest}" if newest else "nessun file è stato ancora caricato"
        raise typer.BadParameter(f"il caricamento n. {batch_id} non esiste ({last}; l'elenco è nella pagina "
                                 "Caricamenti del cruscotto).", param_hint="CARICAMENTO")
    rows = quarantined_rows(engine, batch_id=batch_id, limit=limit)
    if rows.empty:
        typer.echo(f"Nessuna riga scartata nel caricamento n. {batch_id}.")
    for r in rows.itertuples(index=False):
        typer.echo(f"riga {r.riga}, colonna «{r.colonna}», valore «{r.valore}»: {r.motivo}")


@app.command()
def sample(
    out: Annotated[Path, typer.Option(help="Cartella in cui scrivere i file")] = Path("demo-data"),
    units: Annotated[int, typer.Option(min=50, help="Numero di alloggi")] = 1500,
    years: Annotated[int, typer.Option(min=1, max=30, help="Anni di storico")] = 8,
    seed: Annotated[int, typer.Option(help="Seme del generatore (stesso seme, stessi file)")] = 42,
) -> None:
    """Scrive un insieme di file di esempio realistici, uno per tipo, nel formato italiano."""
    from etl.sample import generate

    out.mkdir(parents=True, exist_ok=True)
    counts = generate(out, units=units, years=years, seed=seed)
    for kind, n in counts.items():
        typer.echo(f"{kind}: {n} righe")
    typer.echo(f"File scritti in {out}")


@app.command()
def demo(
    port: Annotated[int | None, typer.Option(help="Porta del cruscotto")] = None,
    no_browser: Annotated[bool, typer.Option("--no-serve", help="Prepara i dati senza avviare il cruscotto")] = False,
) -> None:
    """Crea i dati di esempio, li carica in un warehouse nuovo (se non c'è) e avvia il cruscotto."""
    from osservatorio.demo import prepare_demo

    os.environ["OSSERVATORIO_DEMO"] = "1"  # also for the dashboard it starts: its uploads are the demo's
    settings = _settings().model_copy(update={"demo": True})
    prepare_demo(settings, echo=typer.echo)
    if no_browser:
        return
    app_path = Path(__file__).resolve().parents[2] / "dashboard" / "server.py"  # app.py plus its cookie route
    cmd = [sys.executable, "-m", "streamlit", "run", str(app_path), "--server.port", str(port or settings.port),
           "--browser.gatherUsageStats", "false"]
    typer.echo(f"Cruscotto su http://localhost:{port or settings.port} (Ctrl+C per uscire)")
    raise typer.Exit(subprocess.call(cmd))


def main() -> None:  # pragma: no cover
    logging.basicConfig(level=logging.WARNING)
    app()


italianise(app)  # after every command is registered: help and errors in Italian

if __name__ == "__main__":  # pragma: no cover
    main()
