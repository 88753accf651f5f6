"""Osservatorio's dashboard: `streamlit run dashboard/app.py`. Page set-up and navigation only."""

import streamlit as st

from dashboard.navigation import build_pages

st.set_page_config(page_title="Osservatorio", page_icon=":material/apartment:", layout="wide")
st.navigation(build_pages()).run()
