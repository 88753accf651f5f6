"""Users, roles, sessions and the audit log; the `osservatorio users` and `kpi --user` commands."""

from __future__ import annotations

from datetime import datetime, timedelta, timezone

import pytest
from sqlalchemy import select, update
from typer.testing import CliRunner

from indicators.scope import Scope
from osservatorio import accounts, audit
from osservatorio.accounts import AccountError
from osservatorio.cli import app
from osservatorio.settings import get_settings
from schemas.access import AppUser, UserSession

PASSWORD = "una-password-lunga"


def test_password_is_stored_as_an_argon2_hash(engine):
    accounts.add_user(engine, "anna", PASSWORD, "sgr", sgrs=["SGR A"])
    with engine.connect() as conn:
        stored = conn.execute(select(AppUser.password_hash)).scalar_one()
    assert stored.startswith("$argon2id$") and PASSWORD not in stored
    assert accounts.authenticate(engine, "anna", PASSWORD).scope == Scope(sgrs=("SGR A",))
    assert accounts.authenticate(engine, "anna", "sbagliata-sbagliata") is None
    assert accounts.authenticate(engine, "nessuno", PASSWORD) is None
    log = audit.recent(engine)
    assert log["action"].tolist() == ["login_fallito", "login_fallito", "login"]
    assert log["username"].tolist() == ["utente sconosciuto", "anna", "anna"]  # never the typed text
    assert log["scope"].iloc[2] == "sgrs=SGR A"


def test_roles_need_their_scope_and_a_real_password(engine):
    with pytest.raises(AccountError, match="--sgr"):
        accounts.add_user(engine, "b", PASSWORD, "sgr")
    with pytest.raises(AccountError, match="--intervento"):
        accounts.add_user(engine, "b", PASSWORD, "gestore", sgrs=["SGR A"])
    with pytest.raises(AccountError, match="almeno 10"):
        accounts.add_user(engine, "b", "corta", "admin")
    with pytest.raises(ValueError, match="ruolo sconosciuto"):
        accounts.add_user(engine, "b", PASSWORD, "superuser")
    # regione sees the whole portfolio whatever is stored
    assert accounts.add_user(engine, "r", PASSWORD, "regione", sgrs=["X"]).scope == Scope()
    with pytest.raises(AccountError, match="esiste già"):
        accounts.add_user(engine, "r", PASSWORD, "admin")


def test_sessions_expire_and_end_with_the_user(engine):
    user = accounts.add_user(engine, "g", PASSWORD, "gestore", interventions=["INT001"])
    token = accounts.start_session(engine, user, hours=8)
    assert accounts.session_user(engine, token).username == "g"
    assert accounts.session_user(engine, token + "x") is None and accounts.session_user(engine, None) is None
    with engine.begin() as conn:  # the clock moves past the expiry
        conn.execute(update(UserSession).values(expires_at=datetime.now(timezone.utc) - timedelta(seconds=1)))
    assert accounts.session_user(engine, token) is None
    token = accounts.start_session(engine, user, hours=8)
    accounts.disable_user(engine, "g")
    assert accounts.session_user(engine, token) is None
    assert accounts.authenticate(engine, "g", PASSWORD) is None, "a disabled user cannot sign in"
    with engine.connect() as conn:
        assert conn.execute(select(UserSession)).all() == []


def test_set_role_changes_scope_and_closes_sessions(engine):
    user = accounts.add_user(engine, "d", PASSWORD, "sgr", sgrs=["SGR A"])
    token = accounts.start_session(engine, user, hours=1)
    changed = accounts.set_role(engine, "d", "gestore", interventions=["INT002", "INT001"])
    assert changed.scope == Scope(interventions=("INT001", "INT002"))
    assert accounts.session_user(engine, token) is None


def test_oidc_email_maps_to_an_active_user(engine):
    accounts.add_user(engine, "s", None, "direzione", email="s@coop.example", funds=["Fondo 1"])
    assert accounts.user_by_email(engine, "s@coop.example").scope == Scope(funds=("Fondo 1",))
    assert accounts.user_by_email(engine, "altro@coop.example") is None
    assert accounts.authenticate(engine, "s", "") is None, "an SSO-only user has no password to guess"


@pytest.fixture
def cli(warehouse_url, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_DATABASE_URL", warehouse_url)
    get_settings.cache_clear()
    runner = CliRunner()
    yield lambda *args: runner.invoke(app, list(args))
    get_settings.cache_clear()


def test_users_commands(cli, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_NEW_PASSWORD", PASSWORD)
    ok = cli("users", "add", "mario", "--role", "sgr", "--sgr", "Lombarda Abitare SGR S.p.A.")
    assert ok.exit_code == 0, ok.output
    assert "Utente «mario» creato: ruolo sgr, perimetro sgrs=Lombarda Abitare SGR S.p.A." in ok.output
    missing = cli("users", "add", "luca", "--role", "gestore")
    assert missing.exit_code == 2 and "--intervento" in missing.output
    assert cli("users", "set-role", "mario", "gestore", "--intervento", "INT003").exit_code == 0
    assert cli("users", "disable", "mario").exit_code == 0
    listing = cli("users", "list").output
    assert "mario" in listing and "gestore" in listing and "disattivato" in listing and "interventions=INT003" in listing
    assert cli("users", "disable", "nessuno").exit_code == 2
