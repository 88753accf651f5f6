"""Which warehouse a command works on, and whether it can: present, migrated, reachable.

The default is a SQLite file in the user's data folder (platformdirs), the same from any folder;
`OSSERVATORIO_DATABASE_URL` overrides it. Only the commands that load data (`db upgrade`, `load`,
`load-dir`, `demo`) create a warehouse: the others refuse a missing or unmigrated one with a message
that says what to do, instead of creating an empty one next to wherever they run.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.engine import make_url
from sqlalchemy.exc import SQLAlchemyError

from schemas.db import sqlite_path

FILE_NAME = "osservatorio.db"
UPGRADE_HINT = "eseguire `osservatorio db upgrade` (oppure `osservatorio demo` per i dati di esempio)"


class WarehouseError(Exception):
    """The warehouse cannot serve the command; the message, in Italian, says what to do."""


def default_url() -> str:
    """`sqlite:///<user data folder>/osservatorio.db` (e.g. ~/.local/share/osservatorio on Linux)."""
    from platformdirs import user_data_path

    return f"sqlite:///{user_data_path('osservatorio', appauthor=False) / FILE_NAME}"


def describe(url: str) -> str:
    """A warehouse as a user reads it: the SQLite file, or the URL without its password."""
    path = sqlite_path(url)
    if path is not None:
        return f"{path} (SQLite)"
    return make_url(url).render_as_string(hide_password=True)


def check(url: str) -> None:
    """Raise `WarehouseError` unless the warehouse exists, answers and is at the newest schema."""
    path = sqlite_path(url)
    if path is not None and not path.is_file():
        raise WarehouseError(f"Nessun warehouse in {path}: {UPGRADE_HINT}, oppure indicare quello esistente con "
                             "OSSERVATORIO_DATABASE_URL=sqlite:///percorso/del/file.db.")
    current, head = revisions(url)
    if current is None:
        raise WarehouseError(f"Il warehouse {describe(url)} non è inizializzato (tabelle assenti): {UPGRADE_HINT}.")
    if current != head:
        raise WarehouseError(f"Il warehouse {describe(url)} ha uno schema precedente a questa versione del "
                             "programma: eseguire `osservatorio db upgrade` per aggiornarlo.")


def revisions(url: str) -> tuple[str | None, str]:
    """(revision of the warehouse, newest revision of the migrations)."""
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from schemas.db import make_engine
    from schemas.migrate import alembic_config

    engine = make_engine(url)
    try:
        with engine.connect() as conn:
            current = MigrationContext.configure(conn).get_current_revision()
    except SQLAlchemyError as exc:
        raise WarehouseError(unreachable(url, exc)) from None
    finally:
        engine.dispose()
    head = ScriptDirectory.from_config(alembic_config(url)).get_current_head()
    assert head is not None, "the package ships its migrations"
    return current, head


def unreachable(url: str, exc: Exception) -> str:
    first = str(getattr(exc, "orig", exc)).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return (f"Impossibile aprire il warehouse {describe(url)} ({first}): controllare OSSERVATORIO_DATABASE_URL e, "
            "per PostgreSQL, che il server sia attivo e raggiungibile.")


def open_engine(url: str) -> Engine:
    """An engine on a warehouse that passed `check`."""
    from schemas.db import make_engine

    check(url)
    return make_engine(url)


def stray_file_note(url: str, cwd: Path | None = None) -> str | None:
    """When the default warehouse is in use and the current folder holds an `osservatorio.db` (the old default):
    how to use that one instead."""
    here = (cwd or Path.cwd()) / FILE_NAME
    if url != default_url() or not here.is_file() or sqlite_path(url) == here.resolve():
        return None
    return (f"Nota: nella cartella corrente c'è {FILE_NAME}, che non è il warehouse in uso; per usarlo: "
            f"OSSERVATORIO_DATABASE_URL=sqlite:///{here.resolve()}")
