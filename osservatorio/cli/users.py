"""`osservatorio users add|list|disable|enable|passwd|set-role`: the dashboard's users and their scope.

A password is never an option (it would stay in the shell history and in the process list): it is asked
twice without echo, or read from OSSERVATORIO_NEW_PASSWORD for scripts.
"""

from __future__ import annotations

import os
from typing import Annotated, NoReturn

import click
import typer

from osservatorio.roles import ROLES

users_app = typer.Typer(help="Utenti del cruscotto: ruoli e perimetro.", no_args_is_help=True)
NEW_PASSWORD_ENV = "OSSERVATORIO_NEW_PASSWORD"
ROLE_HELP = "Ruolo: " + ", ".join(f"{code} ({role.description})" for code, role in ROLES.items())
Sgr = Annotated[list[str] | None, typer.Option("--sgr", help="SGR visibile (ripetibile)")]
Fund = Annotated[list[str] | None, typer.Option("--fondo", help="Fondo visibile (ripetibile)")]
Intervention = Annotated[list[str] | None, typer.Option("--intervento", help="Intervento visibile (ripetibile)")]


def _engine():
    from osservatorio.settings import get_settings
    from schemas.db import make_engine
    from schemas.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    return make_engine(url)


def _fail(exc: Exception | str) -> NoReturn:
    typer.echo(f"Errore: {exc}", err=True)
    raise typer.Exit(2)


def _new_password(username: str) -> str:
    """The new password from OSSERVATORIO_NEW_PASSWORD, or typed twice without echo."""
    if os.environ.get(NEW_PASSWORD_ENV) is not None:
        return os.environ[NEW_PASSWORD_ENV]
    try:
        first = typer.prompt(f"Nuova password per «{username}»", hide_input=True)
        second = typer.prompt("Ripetere la password", hide_input=True)
    except click.exceptions.Abort:
        _fail(f"nessuna password: eseguire il comando in un terminale o impostare {NEW_PASSWORD_ENV}")
    if first != second:
        _fail("le due password non coincidono")
    return first


@users_app.command("add")
def add(username: Annotated[str, typer.Argument(help="Nome utente")],
        role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
        email: Annotated[str | None, typer.Option(help="Email per l'accesso con fornitore di identità")] = None,
        sgr: Sgr = None, fondo: Fund = None, intervento: Intervention = None,
        sso_only: Annotated[bool, typer.Option("--solo-sso", help="Nessuna password: solo accesso OIDC")] = False,
        ) -> None:
    """Crea un utente con ruolo e perimetro; la password si digita due volte (o da OSSERVATORIO_NEW_PASSWORD)."""
    from osservatorio.accounts import AccountError, add_user, check_new_password, check_scope, clean_username
    from osservatorio.roles import get_role

    password = None
    try:
        get_role(role)  # role and scope first, so nobody types a password for a command that cannot work
        check_scope(role, {"sgrs": sgr, "funds": fondo, "interventions": intervento})
        if not sso_only:
            username = clean_username(username)
            password = _new_password(username)
            check_new_password(password, username)
        user = add_user(_engine(), username, password, role, email=email, sgrs=sgr, funds=fondo,
                        interventions=intervento)
    except (AccountError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"Utente «{user.username}» creato: ruolo {user.role}, perimetro {user.scope_text()}.")


@users_app.command("list")
def list_cmd() -> None:
    """Elenca gli utenti con ruolo, perimetro e stato."""
    from osservatorio.accounts import list_users, state_text

    users = list_users(_engine())
    if not users:
        typer.echo("Nessun utente.")
    for u in users:
        typer.echo(f"{u['username']:<20} {u['role']:<10} {state_text(u):<12} {u['scope']}"
                   + (f"  <{u['email']}>" if u["email"] else ""))


@users_app.command("disable")
def disable(username: Annotated[str, typer.Argument(help="Nome utente")]) -> None:
    """Disattiva un utente e chiude le sue sessioni."""
    from osservatorio.accounts import AccountError, disable_user

    try:
        disable_user(_engine(), username)
    except AccountError as exc:
        _fail(exc)
    typer.echo(f"Utente «{username}» disattivato.")


@users_app.command("enable")
def enable(username: Annotated[str, typer.Argument(help="Nome utente")]) -> None:
    """Riattiva un utente disattivato o sospeso per troppi tentativi falliti."""
    from osservatorio.accounts import AccountError, enable_user

    try:
        enable_user(_engine(), username)
    except AccountError as exc:
        _fail(exc)
    typer.echo(f"Utente «{username}» riattivato: può accedere di nuovo.")


@users_app.command("passwd")
def passwd(username: Annotated[str, typer.Argument(help="Nome utente")]) -> None:
    """Reimposta la password di un utente (due volte, o da OSSERVATORIO_NEW_PASSWORD); chiude le sue sessioni."""
    from osservatorio.accounts import AccountError, get_user, reset_password

    engine = _engine()
    try:
        get_user(engine, username, active_only=False)
        reset_password(engine, username, _new_password(username))
    except AccountError as exc:
        _fail(exc)
    typer.echo(f"Password di «{username}» reimpostata; le sue sessioni aperte sono state chiuse.")


@users_app.command("set-role")
def set_role_cmd(username: Annotated[str, typer.Argument(help="Nome utente")],
                 role: Annotated[str, typer.Argument(help=ROLE_HELP)],
                 sgr: Sgr = None, fondo: Fund = None, intervento: Intervention = None) -> None:
    """Cambia ruolo e perimetro di un utente (le sue sessioni aperte si chiudono)."""
    from osservatorio.accounts import AccountError, set_role

    try:
        user = set_role(_engine(), username, role, sgrs=sgr, funds=fondo, interventions=intervento)
    except (AccountError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"Utente «{user.username}»: ruolo {user.role}, perimetro {user.scope_text()}.")
