"""Every command of the CLI as a user meets it: Italian help, Italian errors, exit codes, no traceback, and the
warehouse it works on (per-user by default, never created by a command that only reads).

The commands are enumerated from the typer app, so a new command is covered without touching this file.
"""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
import typer.core
import typer.main
from typer.testing import CliRunner

from osservatorio.cli import app
from osservatorio.cli.root import CREATES, NO_WAREHOUSE
from osservatorio.settings import get_settings
from osservatorio.warehouse import default_url

ENGLISH = ("Traceback", "Usage:", "Options:", "Arguments:", "Commands:", "Show this message", "Error:", "Try '",
           "Missing argument", "Missing option", "No such", "Invalid value", "Aborted", "does not exist",
           "is not a valid", "Input should", "default:", "[required]", "env var")
ITALIAN_FAILURE = ("Errore", "Nessun", "rifiutato", "scartat", "Interrotto")
# Values for required parameters, by name; paths and numbers are made up by `_value`.
VALUES = {"kind": "alloggi", "role": "gestore", "username": "mario", "year": "2025", "batch_id": "1",
          "unit": "edificio", "time": "mese", "outcome": "valore", "treated": "E1", "start": "2024"}
# Options that keep a command quick (a small sample, no dashboard started) or make it compute something.
EXTRAS = {("sample",): ["--units", "50", "--years", "1", "--out", "{folder}/campione"], ("demo",): ["--no-serve"],
          ("kpi",): ["arrears_stock_eur"]}


@pytest.fixture(autouse=True)
def new_password(monkeypatch):
    """`users add` and `users passwd` never take a password as an option: they read it from the environment."""
    monkeypatch.setenv("OSSERVATORIO_NEW_PASSWORD", "Tramonto-sul-Naviglio-1987")
    # `demo` marks the process as the demo's (its dashboard's uploads may use the demo key): undone after the test,
    # so the tests that follow in this process load as a real warehouse does
    monkeypatch.setenv("OSSERVATORIO_DEMO", "0")


def commands(command=None, path: tuple[str, ...] = ()):
    """(path, click command) of every leaf command of the app."""
    command = command or typer.main.get_command(app)
    if isinstance(command, typer.core.TyperGroup):
        for name, sub in command.commands.items():
            yield from commands(sub, (*path, name))
    else:
        yield path, command


def groups(command=None, path: tuple[str, ...] = ()):
    command = command or typer.main.get_command(app)
    if isinstance(command, typer.core.TyperGroup):
        yield path
        for name, sub in command.commands.items():
            yield from groups(sub, (*path, name))


ALL = sorted(path for path, _ in commands())


def _value(param, folder: Path) -> str:
    if param.name in VALUES:
        return VALUES[param.name]
    info = param.type_descriptor.parameter_info
    annotation = param.type_descriptor.annotation
    if annotation is Path and not info.exists:
        return str(folder / "uscita.html")
    if annotation is Path and not info.file_okay:
        (folder / "cartella").mkdir(exist_ok=True)
        return str(folder / "cartella")
    if annotation is Path:
        (folder / "vuoto.csv").write_text("colonna\n", encoding="utf-8")
        return str(folder / "vuoto.csv")
    return "1" if annotation is int else "x"


def arguments(path: tuple[str, ...], command, folder: Path) -> list[str]:
    """The command line of `path` with every required parameter given."""
    args = [*path]
    for param in command.params:
        if not param.required:
            continue
        value = _value(param, folder)
        args += [value] if param.param_type_name == "argument" else [param.opts[0], value]
    return args + [a.replace("{folder}", str(folder)) for a in EXTRAS.get(path, [])]


@pytest.fixture
def use_warehouse(monkeypatch, tmp_path):
    """Point the CLI at a warehouse URL (settings are cached, so clear them around the test)."""
    demo_dir = tmp_path / "demo-data"
    demo_dir.mkdir()
    (demo_dir / "interventi.csv").write_text("codice_intervento;nome;comune\nINT1;Prova;Milano\n", encoding="utf-8")
    monkeypatch.setenv("OSSERVATORIO_DEMO_DIR", str(demo_dir))
    monkeypatch.setenv("OSSERVATORIO_PSEUDONYM_KEY", "chiave-di-test")

    def use(url: str) -> None:
        monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", url)
        get_settings.cache_clear()

    yield use
    get_settings.cache_clear()


def invoke(args: list[str]):
    return CliRunner().invoke(app, args, prog_name="osservatorio")


def run(args: list[str], folder: Path):
    result = invoke(args)
    assert result.exception is None or isinstance(result.exception, SystemExit), (args, result.exception)
    out = result.output
    assert not [w for w in ENGLISH if w in out], (args, out)
    if result.exit_code:
        assert any(w in out for w in ITALIAN_FAILURE), (args, out)
    return result


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_on_an_empty_migrated_warehouse(path, tmp_path, sqlite_template, use_warehouse):
    shutil.copy(sqlite_template, tmp_path / "vuoto.db")
    use_warehouse(f"sqlite:///{tmp_path / 'vuoto.db'}")
    command = dict(commands())[path]
    result = run(arguments(path, command, tmp_path), tmp_path)
    assert result.exit_code in (0, 1, 2), result.output


@pytest.mark.parametrize("path", ALL, ids=" ".join)
def test_every_command_on_an_unmigrated_warehouse(path, tmp_path, use_warehouse):
    (tmp_path / "nuovo.db").touch()
    use_warehouse(f"sqlite:///{tmp_path / 'nuovo.db'}")
    command = dict(commands())[path]
    result = run(arguments(path, command, tmp_path), tmp_path)
    if path in CREATES or path in NO_WAREHOUSE:
        assert result.exit_code in (0, 1, 2), result.output
    else:
        assert result.exit_code == 1, result.output
        assert "non è inizializzato" in result.output and "osservatorio db upgrade" in result.output


@pytest.mark.parametrize("path", sorted(groups()) + ALL, ids=lambda p: " ".join(p) or "osservatorio")
def test_help_is_in_italian(path):
    result = invoke([*path, "--help"])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"Uso: osservatorio {' '.join(path)}".rstrip())
    assert "Mostra questo aiuto ed esce." in result.output
    assert not [w for w in ENGLISH if w in result.output], result.output


def test_usage_errors_are_italian_and_exit_2():
    cases = {("kpi", "--year", "2024"): "Errore: Opzione sconosciuta: «--year».",
             ("load",): "Errore: Manca l'argomento «TIPO».",
             ("budget", "propose"): "Errore: Manca l'opzione «--year».",
             ("sample", "--units", "3"): "Errore: Valore non valido per «--units»: deve essere almeno 50",
             ("sample", "--units", "molti"): "Errore: Valore non valido per «--units»: serve un numero intero",
             ("load", "alloggi", "/non/esiste.csv"): "il file «/non/esiste.csv» non esiste",
             ("nessuno",): "Errore: Comando sconosciuto: «nessuno».",
             ("kpi", "non_esiste"): "Indicatore sconosciuto"}
    for args, message in cases.items():
        result = invoke(list(args))
        assert result.exit_code == 2, (args, result.output)
        assert message in result.output, (args, result.output)
        assert "Aiuto: osservatorio" in result.output or args == ("kpi", "non_esiste")


def test_default_warehouse_is_per_user_and_never_created_by_a_read(tmp_path, monkeypatch):
    data_home, elsewhere = tmp_path / "dati-utente", tmp_path / "altrove"
    elsewhere.mkdir()
    monkeypatch.setenv("XDG_DATA_HOME", str(data_home))
    monkeypatch.delenv("OSSERVATORIO_DATABASE_URL", raising=False)
    monkeypatch.chdir(elsewhere)
    get_settings.cache_clear()
    expected = data_home / "osservatorio" / "osservatorio.db"
    try:
        assert get_settings().database_url == f"sqlite:///{expected}" == default_url()
        read = invoke(["kpi", "arrears_stock_eur"])
        assert read.exit_code == 1
        assert f"Warehouse: {expected} (SQLite)" in read.output
        assert f"Nessun warehouse in {expected}: eseguire `osservatorio db upgrade`" in read.output
        assert not expected.exists() and not list(elsewhere.iterdir())
        created = invoke(["db", "upgrade"])
        assert created.exit_code == 0 and expected.is_file()
        again = invoke(["kpi", "arrears_stock_eur", "--format", "json"])
        assert again.exit_code == 0, again.output
        (elsewhere / "osservatorio.db").touch()  # the old default, left in the folder: say how to use it
        noted = invoke(["users", "list"])
        assert f"OSSERVATORIO_DATABASE_URL=sqlite:///{elsewhere / 'osservatorio.db'}" in noted.output
    finally:
        get_settings.cache_clear()


def test_the_environment_overrides_the_default(tmp_path, monkeypatch, sqlite_template):
    shutil.copy(sqlite_template, tmp_path / "mio.db")
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", f"sqlite:///{tmp_path / 'mio.db'}")
    get_settings.cache_clear()
    try:
        result = invoke(["users", "list"])
    finally:
        get_settings.cache_clear()
    assert result.exit_code == 0
    assert f"Warehouse: {tmp_path / 'mio.db'} (SQLite)" in result.output
