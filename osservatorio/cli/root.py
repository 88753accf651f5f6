"""The `osservatorio` command group: says which warehouse a command uses, refuses a missing one, and turns
any failure into an Italian message and an exit code instead of a traceback.

Exit codes: 0 done, 1 the command could not do its work (no warehouse, no data, rows refused), 2 usage
errors (bad option, value or date), 130 interrupted.
"""

from __future__ import annotations

import os

import typer
import typer.core
from sqlalchemy.exc import SQLAlchemyError
from typer.exceptions import TyperException

from osservatorio.cli.italian import ItalianGroup
from osservatorio.warehouse import WarehouseError, check, describe, stray_file_note, unreachable

# Command paths that create the warehouse (announced, not checked), that need none, or that check it themselves
# (`kpi --list` needs none); every other command gets a warehouse that exists and is migrated, or a message.
CREATES = {("db", "upgrade"), ("load",), ("load-dir",), ("demo",), ("labs", "load-scheda")}
NO_WAREHOUSE = {("sample",), ("evaluate",), ("kpi",), ("labs", "template")}
DEBUG_VARIABLE = "OSSERVATORIO_DEBUG"


def announce(url: str) -> None:
    """Say on stderr which warehouse the command works on (stdout stays the command's output)."""
    typer.echo(f"Warehouse: {describe(url)}", err=True)
    if note := stray_file_note(url):
        typer.echo(note, err=True)


def checked_url(*, create: bool = False) -> str:
    """The warehouse URL of the settings, announced, and checked unless the command creates it."""
    from osservatorio.settings import get_settings

    url = get_settings().database_url
    announce(url)
    if not create:
        check(url)
    return url


def command_path(ctx) -> tuple[str, ...]:
    """('db', 'upgrade') for the context of `osservatorio db upgrade`."""
    names = []
    while ctx.parent is not None:
        names.append(ctx.info_name)
        ctx = ctx.parent
    return tuple(reversed(names))


def problem_message(exc: Exception) -> str:
    """What to tell the user about an exception the command did not handle itself."""
    from pydantic import ValidationError

    from osservatorio.settings import get_settings

    if isinstance(exc, WarehouseError):
        return str(exc)
    if isinstance(exc, ValidationError):
        where = ", ".join(f"OSSERVATORIO_{str(e['loc'][0]).upper()}" for e in exc.errors() if e.get("loc"))
        return f"impostazione non valida ({where}): controllare le variabili d'ambiente o il file .env."
    if isinstance(exc, SQLAlchemyError):
        text = str(getattr(exc, "orig", exc)).lower()
        if "no such table" in text or "does not exist" in text and "relation" in text:
            return ("il warehouse non ha le tabelle che servono: eseguire `osservatorio db upgrade`, poi ripetere "
                    "il comando.")
        return unreachable(get_settings().database_url, exc)
    return (f"errore inatteso ({type(exc).__name__}: {str(exc)[:300]}). Il comando non è andato a buon fine; "
            f"per i dettagli tecnici da inviare all'assistenza ripeterlo con {DEBUG_VARIABLE}=1.")


class RootGroup(ItalianGroup):
    """The top command group: warehouse check before the command, Italian message after any failure."""

    def before_command(self, ctx) -> None:
        """Called by each command once its arguments are valid: announce and check the warehouse."""
        path = command_path(ctx)
        if path not in NO_WAREHOUSE:
            checked_url(create=path in CREATES)

    def invoke(self, ctx):
        try:
            return super().invoke(ctx)
        except (TyperException, typer.Abort, typer.Exit):  # usage errors and exits: click shows them
            raise
        except Exception as exc:
            if os.environ.get(DEBUG_VARIABLE):
                raise
            message = problem_message(exc)
            typer.echo(f"Errore: {message[:1].upper()}{message[1:]}", err=True)
            raise typer.Exit(1) from None
