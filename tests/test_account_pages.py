"""The dashboard's side of account hygiene: a locked sign-in says so in Italian, and «Cambia password» works."""

from __future__ import annotations


import pytest

from dashboard_fixtures import loaded_warehouse, private_copy  # noqa: F401  (fixture)
from osservatorio import accounts, audit
from osservatorio.settings import get_settings
from schemas.db import make_engine
from test_pages import fresh_caches, open_page, texts  # noqa: F401  (autouse fixture)


@pytest.fixture
def warehouse_copy(loaded_warehouse, tmp_path):  # noqa: F811
    """A private copy: these tests lock users and change passwords."""
    return private_copy(loaded_warehouse, tmp_path)


def submit_login(at, username: str, password: str):
    at.text_input(key="login_user").input(username)
    at.text_input(key="login_password").input(password)
    return at.button[0].click().run()


def test_the_login_form_says_when_to_retry_and_refuses_the_right_password_while_locked(warehouse_copy, monkeypatch):
    monkeypatch.setenv("OSSERVATORIO_LOGIN_MAX_FAILURES", "3")
    at = open_page(warehouse_copy, monkeypatch, user=None)
    submit_login(at, "sgr", "password-sbagliata")
    assert "Nome utente o password non validi." in texts(at)
    submit_login(at, "sgr", "sgr-demo-2026")  # within the backoff: not even checked
    assert "Troppi tentativi ravvicinati: riprovare tra" in texts(at) and not at.metric
    monkeypatch.setenv("OSSERVATORIO_LOGIN_BACKOFF_SECONDS", "0")  # no waiting from here on
    get_settings.cache_clear()
    for _ in range(2):  # two more failures: the third in the window locks
        submit_login(at, "sgr", "password-sbagliata")
    engine = make_engine(warehouse_copy)
    submit_login(at, "sgr", "sgr-demo-2026")
    assert "Troppi tentativi falliti: accesso sospeso, riprovare tra 15 minuti" in texts(at)
    assert "Il proprio perimetro" not in texts(at)
    assert len(audit.recent(engine, action=audit.LOCKED)) == 1
    accounts.enable_user(engine, "sgr")  # what `osservatorio users enable sgr` does
    submit_login(at, "sgr", "sgr-demo-2026")
    assert not at.exception and "Il proprio perimetro" in texts(at)
    engine.dispose()


def test_the_signed_in_user_changes_their_password(warehouse_copy, monkeypatch):
    at = open_page(warehouse_copy, monkeypatch, user="gestore")

    def change(old: str, new: str, again: str | None = None):
        at.text_input(key="pwd_old").input(old)
        at.text_input(key="pwd_new").input(new)
        at.text_input(key="pwd_again").input(again if again is not None else new)
        next(b for b in at.button if b.label == "Cambia password").click().run()
        assert not at.exception, [e.value for e in at.exception]

    change("gestore-demo-2026", "ombrello-viola-marzo", "ombrello-viola-marz")
    assert "Le due nuove password non coincidono." in texts(at)
    change("gestore-demo-2026", "password2026")
    assert "La password è tra le più comuni" in texts(at)
    change("gestore-demo-2026", "ombrello-viola-marzo")
    assert "Password cambiata." in texts(at) and "Il proprio perimetro" in texts(at), "the session stays open"
    engine = make_engine(warehouse_copy)
    assert accounts.authenticate(engine, "gestore", "gestore-demo-2026") is None
    event = audit.recent(engine, action=audit.PASSWORD_CHANGED).iloc[0]
    assert (event["username"], event["detail"]) == ("gestore", "dal cruscotto")
    engine.dispose()
