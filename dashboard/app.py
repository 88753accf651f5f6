"""Osservatorio's dashboard: `streamlit run dashboard/app.py`. Sign-in, page set-up and navigation only."""

import streamlit as st

from dashboard import auth
from dashboard.navigation import build_pages

st.set_page_config(page_title="Osservatorio", page_icon=":material/apartment:", layout="wide")
user = auth.current_user()
if user is None:  # whatever the address, an anonymous visitor gets the login form only
    st.navigation([st.Page(auth.login_page, title="Accesso", icon=":material/login:")], position="hidden").run()
else:
    auth.account_box(user)
    st.navigation(build_pages(user.role)).run()
