"""Who is signed in: a session token checked against the warehouse on every run, or an OIDC identity.

`current_user()` is the only question pages ask; tests sign in by putting a token from
`accounts.start_session` in `st.session_state["auth_token"]`. The token expires server-side
(`settings.session_hours`), so a stale browser tab cannot outlive it. A reload finds the token again in
an http-only cookie (`dashboard.session_cookie`).
"""

from __future__ import annotations

import streamlit as st

from dashboard import password_form
from osservatorio import escaping
from dashboard import session_cookie
from dashboard.client import TOKEN, client_address
from dashboard.data import get_engine
from osservatorio import accounts, audit
from osservatorio.roles import User
from osservatorio.settings import get_settings

EXPIRED = "auth_expired"


def oidc_configured() -> bool:
    """True when `[auth]` is in the app's secrets: then `st.login` offers the identity provider."""
    try:
        return "auth" in st.secrets
    except Exception:  # no secrets file at all  # noqa: BLE001
        return False


def _oidc_user() -> User | None:
    if not oidc_configured() or not getattr(st.user, "is_logged_in", False):
        return None
    email = st.user.get("email")
    user = accounts.user_by_email(get_engine(), email) if isinstance(email, str) and email else None
    if user is not None and not st.session_state.get("oidc_logged"):
        audit.record(get_engine(), audit.LOGIN, user=user, detail="oidc")
        st.session_state["oidc_logged"] = True
    return user


def _restore_session() -> str | None:
    """After a reload: the token of the session cookie, if any (checked against the warehouse by the caller)."""
    token = session_cookie.restored_token(hours=get_settings().session_hours)
    if token:
        st.session_state[TOKEN] = token
    return token


def current_user() -> User | None:
    """The signed-in user, or None (anonymous, session expired, user disabled)."""
    token = st.session_state.get(TOKEN) or _restore_session()
    if token:
        user = accounts.session_user(get_engine(), token)
        if user is not None:
            return user
        del st.session_state[TOKEN]
        st.session_state[EXPIRED] = True
    return _oidc_user()


def sign_in(username: str, password: str) -> bool:
    """Start a session if the password is right; raises accounts.LoginRefused while the name or client is locked."""
    user = accounts.authenticate(get_engine(), username, password, client=client_address())
    if user is None:
        return False
    hours = get_settings().session_hours
    st.session_state[TOKEN] = accounts.start_session(get_engine(), user, hours=hours)
    session_cookie.remember(st.session_state[TOKEN], hours=hours)
    st.session_state.pop(EXPIRED, None)
    return True


def sign_out(user: User) -> None:
    accounts.end_session(get_engine(), st.session_state.pop(TOKEN, None))
    audit.record(get_engine(), audit.LOGOUT, user=user)
    for key in list(st.session_state):
        del st.session_state[key]
    session_cookie.forget()
    if oidc_configured() and getattr(st.user, "is_logged_in", False):
        st.logout()
    st.rerun()


def login_page() -> None:
    """The only page an anonymous visitor gets, whatever the address asked for."""
    session_cookie.draw_pending()
    st.title("Osservatorio dell'abitare sociale")
    st.subheader("Accesso")
    if st.session_state.get(EXPIRED):
        st.warning("La sessione è scaduta: accedere di nuovo.", icon=":material/timer_off:")
    if oidc_configured():
        if getattr(st.user, "is_logged_in", False):
            st.error("L'account del fornitore di identità non corrisponde a nessun utente abilitato.")
        st.button("Accedi con il fornitore di identità", on_click=st.login, icon=":material/login:", key="oidc")
    with st.form("login", border=True, width=420):
        username = st.text_input("Nome utente", key="login_user", autocomplete="username")
        password = st.text_input("Password", type="password", key="login_password", autocomplete="current-password")
        sent = st.form_submit_button("Accedi", type="primary", icon=":material/login:")
    if sent:
        try:
            signed_in = sign_in(username, password)
        except accounts.LoginRefused as refused:
            st.error(str(refused), icon=":material/lock_clock:")
        else:
            if signed_in:
                st.rerun()
            st.error("Nome utente o password non validi.", icon=":material/lock:")
    st.caption("I dati riguardano nuclei familiari, spesso in condizioni di fragilità: ogni accesso, "
               "caricamento ed esportazione è registrato.")


def account_box(user: User) -> None:
    """Who is signed in, with which role and scope, and the button to sign out (in the sidebar)."""
    session_cookie.draw_pending()
    with st.sidebar:
        st.caption(f"**{escaping.md(user.username)}** · {user.role_info.label}")
        if user.scope_text() != "tutto":
            from dashboard.display import scope_words

            st.caption("Perimetro: " + escaping.md(scope_words(user.scope_text())))
        if st.button("Esci", icon=":material/logout:", key="logout"):
            sign_out(user)
        password_form.change_password_box(user)


def require(path: str) -> User:
    """Stop the page unless the signed-in user's role may open `path` (defence in depth behind navigation)."""
    from osservatorio.pages import allowed

    user = current_user()
    if user is None or not allowed(path, user.role):
        st.error("Pagina non disponibile per questo utente.", icon=":material/block:")
        st.stop()
    return user
