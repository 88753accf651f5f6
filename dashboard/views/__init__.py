"""Page scripts run by `st.navigation` (listed in `dashboard/navigation.py`); a package so wheels ship them."""
