"""Osservatorio's dashboard: `streamlit run dashboard/app.py`. Sign-in, page set-up and navigation only."""

from pathlib import Path

import streamlit as st

from dashboard import auth, freshness, page_errors, theme
from dashboard.navigation import build_pages
from osservatorio.pages import PAGES


def main() -> None:
    user = auth.current_user()
    if user is None:  # whatever the address, an anonymous visitor gets the login form only
        login = [st.Page(auth.login_page, title="Accesso", icon=":material/login:", default=True)]
        login += [st.Page(auth.login_page, title="Accesso", url_path=Path(spec.path).stem) for spec in PAGES[1:]]
        st.navigation(login, position="hidden").run()
    else:
        auth.account_box(user)
        with freshness.page_snapshot():  # the whole page reads one analytics copy, the one its sidebar names
            with st.sidebar:
                freshness.show_status()
            st.navigation(build_pages(user.role), expanded=True).run()  # every page listed, none behind «altro»


st.set_page_config(page_title="Osservatorio", page_icon=":material/apartment:", layout="wide")
theme.apply()
page_errors.guarded(main)  # an error anywhere: an Italian message, no paths; details in the log
