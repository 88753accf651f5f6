"""«Cambia password»: the signed-in user changes their own password (the current one first, then the new twice)."""

from __future__ import annotations

import streamlit as st

from dashboard.client import TOKEN, client_address
from dashboard.data import get_engine
from osservatorio import accounts
from osservatorio.roles import User
from osservatorio.settings import get_settings


def _change(user: User, old: str, new: str, again: str) -> None:
    if new != again:
        st.error("Le due nuove password non coincidono.", icon=":material/error:")
        return
    try:
        accounts.change_password(get_engine(), user.username, old, new, keep_token=st.session_state.get(TOKEN),
                                 client=client_address())
    except accounts.AccountError as exc:  # LoginRefused included: the current password is throttled too
        message = str(exc)
        st.error(message[:1].upper() + message[1:], icon=":material/error:")
        return
    st.success("Password cambiata. Le altre sessioni aperte con questo utente sono state chiuse.",
               icon=":material/check_circle:")


def change_password_box(user: User) -> None:
    """A popover with the form, for users who sign in with a password (not those of the identity provider)."""
    if not accounts.has_password(get_engine(), user.username):
        return
    with st.popover("Cambia password", icon=":material/password:", width="stretch"):
        with st.form("pwd_form", clear_on_submit=True, border=False):
            old = st.text_input("Password attuale", type="password", key="pwd_old", autocomplete="current-password")
            new = st.text_input("Nuova password", type="password", key="pwd_new", autocomplete="new-password")
            again = st.text_input("Ripetere la nuova password", type="password", key="pwd_again",
                                  autocomplete="new-password")
            sent = st.form_submit_button("Cambia password", type="primary")
        st.caption(f"Almeno {get_settings().password_min_length} caratteri, non il nome utente e non una password "
                   "comune: meglio una frase di tre o quattro parole non collegate.")
        if sent:
            _change(user, old, new, again)
