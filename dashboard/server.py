"""The dashboard's server: Streamlit's own, plus the route that keeps a session across reloads.

Start it with `streamlit run dashboard/server.py` (as `osservatorio demo` does); `app.py` is the page
script it serves. See `dashboard.session_cookie` for why the cookie needs a route of its own.
"""

import streamlit as st

from dashboard.session_cookie import routes

app = st.App("app.py", routes=routes())
