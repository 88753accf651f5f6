"""An error in a page: the visitor reads an Italian message without paths or internals; the log gets the details.

`client.showErrorDetails = "none"` (dashboard/.streamlit/config.toml) already hides Streamlit's own error
display; this catches the app's errors first so the message is ours and in Italian. Where the details are
allowed (`full`, the default of development and of headless tests), the exception is also shown, so a
broken page stays visible to whoever is developing it.
"""

from __future__ import annotations

import logging
import uuid

import streamlit as st

from indicators.store import NotBuilt

LOG = logging.getLogger("osservatorio.dashboard")
PREPARING = "Le figure sono in preparazione: il primo aggiornamento è in corso e richiede qualche istante."
MESSAGE = ("Si è verificato un errore imprevisto e la pagina non è stata completata. L'errore è stato registrato "
           "con il codice {code}: se si ripete, comunicare il codice all'amministratore.")


def guarded(run) -> None:
    """Call `run`; an exception becomes an Italian message with a code (st.stop and st.rerun pass through)."""
    try:
        run()
    except NotBuilt:  # no analytics copy yet: its first build runs in the background (see dashboard.freshness)
        st.info(PREPARING, icon=":material/hourglass_top:")
    except Exception as exc:  # everything a page can raise; ScriptControlException is a BaseException  # noqa: BLE001
        code = uuid.uuid4().hex[:8]
        LOG.exception("Errore nella pagina (codice %s)", code)
        st.error(MESSAGE.format(code=code), icon=":material/error:")
        if st.get_option("client.showErrorDetails") in ("full", "stacktrace", True, "true", "True"):
            st.exception(exc)
