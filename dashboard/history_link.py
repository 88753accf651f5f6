"""The way from any list of contracts to one contract's arrears history (the Prevenzione page's «Storico del
contratto»): pick a contract of the list and open the page on it (`?contratto=` in the address)."""

from __future__ import annotations

import streamlit as st

PAGE = "views/prevention.py"


def history_link(codes, *, key: str) -> None:
    """A picker of the list's contracts and a link opening the chosen one's history; nothing for an empty list."""
    options = sorted({c for c in codes if isinstance(c, str)})
    if not options:
        return
    left, right = st.columns([3, 2], vertical_alignment="bottom")
    code = left.selectbox("Storico di un contratto dell'elenco", options, key=key,
                          help="Saldo a fine mese, addebiti, incassi ed eventi delle pratiche su un'unica linea.")
    right.page_link(PAGE, label="Apri lo storico del contratto", icon=":material/timeline:",
                    query_params={"contratto": code})
