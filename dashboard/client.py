"""Who is on the other end of a dashboard session: the key of its sign-in token in the session state, and the
browser's address (sign-ins are throttled by it)."""

from __future__ import annotations

import ipaddress

import streamlit as st

TOKEN = "auth_token"


def client_address() -> str | None:
    """The browser's address as Streamlit sees it (None on localhost and in tests): sign-ins are throttled by it."""
    try:
        address = st.context.ip_address
    except Exception:  # no script run context (raw mode)  # noqa: BLE001
        return None
    try:
        return str(ipaddress.ip_address(address)) if isinstance(address, str) else None
    except ValueError:
        return None
