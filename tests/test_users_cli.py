"""`osservatorio users`: passwords are typed (hidden, twice) or come from the environment, never from an option;
`passwd` resets, `enable` re-enables; bad user names and weak passwords are refused in Italian."""

from __future__ import annotations

import click
import pytest
import typer
from typer.testing import CliRunner

from osservatorio import accounts, audit
from osservatorio.cli import app
from osservatorio.settings import get_settings
from schemas.db import make_engine

PASSWORD = "una-password-lunga"
NEW = "ombrello-viola-marzo"


@pytest.fixture
def cli(warehouse_url, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    monkeypatch.delenv("OSSERVATORIO_NEW_PASSWORD", raising=False)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args, input=None: runner.invoke(app, list(args), input=input)
    get_settings.cache_clear()


def test_no_command_takes_a_password_as_an_option():
    """Walk every command of the CLI: an option named like a password would end up in the shell history."""
    found = []

    def walk(command: click.Command, path: str) -> None:
        for param in command.params:
            names = " ".join(param.opts + param.secondary_opts).lower()
            if isinstance(param, click.Option) and any(w in names for w in ("password", "passwd", "pass", "pwd")):
                found.append(f"{path} {names}")
        for name, sub in getattr(command, "commands", {}).items():
            walk(sub, f"{path} {name}")

    walk(typer.main.get_command(app), "osservatorio")
    assert found == []


def test_a_password_option_is_refused(cli):
    result = cli("users", "add", "mario", "--role", "admin", "--password", PASSWORD)
    assert result.exit_code == 2 and "--password" in result.output


def test_add_asks_the_password_twice_without_echo(cli, warehouse_url):
    result = cli("users", "add", "mario", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}\n")
    assert result.exit_code == 0, result.output
    assert PASSWORD not in result.output, "hidden input is not echoed"
    assert "Nuova password per «mario»" in result.output and "Ripetere la password" in result.output
    engine = make_engine(warehouse_url)
    assert accounts.authenticate(engine, "mario", PASSWORD).username == "mario"
    engine.dispose()
    mismatch = cli("users", "add", "luca", "--role", "admin", input=f"{PASSWORD}\n{PASSWORD}x\n")
    assert mismatch.exit_code == 2 and "le due password non coincidono" in mismatch.output


@pytest.mark.parametrize("password, reason", [
    ("aaaaaaaaaa", "non può ripetere un solo carattere"), ("1234567890", "troppo facile da indovinare"),
    ("password12", "tra le più comuni"), (" " * 10, "solo di spazi"), ("mario12345", "il nome utente"),
])
def test_add_refuses_weak_passwords_in_italian(cli, monkeypatch, password, reason):
    monkeypatch.setenv("OSSERVATORIO_NEW_PASSWORD", password)
    result = cli("users", "add", "mario", "--role", "admin")
    assert result.exit_code == 2 and reason in result.output, result.output
    assert "Utente" not in result.output


@pytest.mark.parametrize("name", ["", "   ", "mario rossi", " -x"])
def test_add_refuses_bad_user_names(cli, monkeypatch, name):
    monkeypatch.setenv("OSSERVATORIO_NEW_PASSWORD", PASSWORD)
    result = cli("users", "add", name, "--role", "admin")
    assert result.exit_code == 2 and "nome utente" in result.output, result.output


def test_scope_is_checked_before_the_password_is_asked(cli):
    result = cli("users", "add", "luca", "--role", "gestore", input="")
    assert result.exit_code == 2 and "--intervento" in result.output and "password" not in result.output.lower()


def test_passwd_and_enable(cli, warehouse_url, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_NEW_PASSWORD", PASSWORD)
    assert cli("users", "add", "mario", "--role", "admin").exit_code == 0
    monkeypatch.delenv("OSSERVATORIO_NEW_PASSWORD")
    assert cli("users", "disable", "mario").exit_code == 0
    reset = cli("users", "passwd", "mario", input=f"{NEW}\n{NEW}\n")
    assert reset.exit_code == 0 and "Password di «mario» reimpostata" in reset.output, reset.output
    weak = cli("users", "passwd", "mario", input="qwertyuiop\nqwertyuiop\n")
    assert weak.exit_code == 2 and "tra le più comuni" in weak.output
    assert cli("users", "passwd", "nessuno", input=f"{NEW}\n{NEW}\n").exit_code == 2
    engine = make_engine(warehouse_url)
    assert accounts.authenticate(engine, "mario", NEW) is None, "still disabled"
    enabled = cli("users", "enable", "mario")
    assert enabled.exit_code == 0 and "Utente «mario» riattivato" in enabled.output
    assert accounts.authenticate(engine, "mario", NEW).username == "mario"
    log = audit.recent(engine)
    assert {"utente_disattivato", "password_cambiata", "utente_riabilitato"} <= set(log["action"])
    assert cli("users", "enable", "nessuno").exit_code == 2
    engine.dispose()
