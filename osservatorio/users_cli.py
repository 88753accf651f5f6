"""`osservatorio users add|list|disable|set-role`: the dashboard's users and their scope."""

from __future__ import annotations

from typing import Annotated, Optional

import typer

from osservatorio.roles import ROLES

users_app = typer.Typer(help="Utenti del cruscotto: ruoli e perimetro.", no_args_is_help=True)
ROLE_HELP = "Ruolo: " + ", ".join(f"{code} ({role.description})" for code, role in ROLES.items())
Sgr = Annotated[Optional[list[str]], typer.Option("--sgr", help="SGR visibile (ripetibile)")]
Fund = Annotated[Optional[list[str]], typer.Option("--fondo", help="Fondo visibile (ripetibile)")]
Intervention = Annotated[Optional[list[str]], typer.Option("--intervento", help="Intervento visibile (ripetibile)")]


def _engine():
    from osservatorio.settings import get_settings
    from schemas.db import make_engine
    from schemas.migrate import upgrade

    url = get_settings().database_url
    upgrade(url)
    return make_engine(url)


def _fail(exc: Exception) -> None:
    typer.echo(f"Errore: {exc}", err=True)
    raise typer.Exit(2)


@users_app.command("add")
def add(username: Annotated[str, typer.Argument(help="Nome utente")],
        role: Annotated[str, typer.Option("--role", help=ROLE_HELP)],
        password: Annotated[Optional[str], typer.Option(
            envvar="OSSERVATORIO_NEW_PASSWORD", help="Password (se assente viene chiesta, senza eco)")] = None,
        email: Annotated[Optional[str], typer.Option(help="Email per l'accesso con fornitore di identità")] = None,
        sgr: Sgr = None, fondo: Fund = None, intervento: Intervention = None,
        sso_only: Annotated[bool, typer.Option("--solo-sso", help="Nessuna password: solo accesso OIDC")] = False,
        ) -> None:
    """Crea un utente con ruolo e perimetro."""
    from osservatorio.accounts import AccountError, add_user

    if password is None and not sso_only:
        password = typer.prompt("Password", hide_input=True, confirmation_prompt=True)
    try:
        user = add_user(_engine(), username, password, role, email=email, sgrs=sgr, funds=fondo,
                        interventions=intervento)
    except (AccountError, ValueError) as exc:
        _fail(exc)
    typer.echo(f"Utente «{user.username}» creato: ruolo {user.role}, perimetro {user.scope_text()}.")


@users_app.command("list")
def list_cmd() -> None:
    """Elenca gli utenti con ruolo, perimetro e stato."""
    from osservatorio.accounts import list_users

    users = list_users(_engine())
    if not users:
        typer.echo("Nessun utente.")
    for u in users:
        state = "attivo" if u["active"] else "disattivato"
        typer.echo(f"{u['username']:<20} {u['role']:<10} {state:<12} {u['scope']}"
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
