"""Utenti e accessi (administrators): who may sign in, with which role and scope, and the audit log."""

import streamlit as st

from dashboard import auth, display
from dashboard.data import get_engine
from osservatorio import accounts, audit
from osservatorio.roles import ROLES

AUDIT_LIMIT = 500
ACTIONS = {None: "Tutte", audit.LOGIN: "Accessi", audit.LOGIN_FAILED: "Accessi falliti",
           audit.LOGIN_REFUSED: "Accessi respinti (troppi tentativi)",
           audit.LOCKED: "Sospensioni per tentativi falliti",
           audit.LOGOUT: "Uscite", audit.PASSWORD_CHANGED: "Cambi di password", audit.DISABLED: "Utenti disattivati",
           audit.ENABLED: "Utenti riattivati", audit.LOAD: "Caricamenti", audit.EXPORT: "Esportazioni",
           audit.REPORT: "Rapporti", audit.BUDGET_APPROVED: "Budget approvati", "kpi": "Indicatori da riga di comando"}
EVENT = {audit.LOGIN: "Accesso", audit.LOGIN_FAILED: "Accesso fallito", audit.LOGIN_REFUSED: "Accesso respinto",
         audit.LOCKED: "Utente sospeso", audit.LOGOUT: "Uscita", audit.PASSWORD_CHANGED: "Cambio di password",
         audit.DISABLED: "Utente disattivato", audit.ENABLED: "Utente riattivato", audit.LOAD: "Caricamento",
         audit.EXPORT: "Esportazione", audit.REPORT: "Rapporto", audit.BUDGET_APPROVED: "Budget approvato",
         "kpi": "Indicatore da riga di comando"}

auth.require("views/access.py")
st.title("Utenti e accessi")
st.subheader("Utenti")
users = accounts.list_users(get_engine())
st.dataframe([{"Utente": u["username"], "Ruolo": ROLES[u["role"]].label if u["role"] in ROLES else u["role"],
               "Perimetro": display.scope_words(u["scope"]), "Email": u["email"] or "",
               "Stato": accounts.state_text(u)} for u in users], hide_index=True, width="stretch",
             column_config={"Perimetro": st.column_config.TextColumn("Perimetro", width="large")})
st.caption("Utenti, ruoli e perimetri si gestiscono da riga di comando: "
           "`osservatorio users add|list|disable|enable|passwd|set-role`.")

st.subheader("Registro degli accessi")
action = st.selectbox("Evento", list(ACTIONS), format_func=ACTIONS.__getitem__, key="audit_action")
log = audit.recent(get_engine(), limit=AUDIT_LIMIT, action=action)
st.dataframe(log.assign(at=log["at"].map(display.fmt_local_datetime), action=log["action"].map(
    lambda a: EVENT.get(a, a)), scope=log["scope"].map(display.scope_words)).rename(columns={
    "at": "Quando", "username": "Utente", "action": "Evento", "detail": "Dettaglio", "scope": "Perimetro"}),
    hide_index=True, width="stretch",
    column_config={"Dettaglio": st.column_config.TextColumn("Dettaglio", width="large")})
st.caption(f"Gli ultimi {AUDIT_LIMIT} eventi, dal più recente.")
