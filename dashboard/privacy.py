"""Tables shown to users whose aggregates are suppressed (the Regione): small cells hidden, and said so."""

from __future__ import annotations

import pandas as pd
import streamlit as st

from dashboard import monitoring_data as md
from dashboard.filters import Filters
from indicators.suppression import suppress_table


def protect(frame: pd.DataFrame | None, f: Filters, *, by: str | None = None) -> pd.DataFrame | None:
    """`frame` as this user may see it: unchanged, or with small cells (and their complements) hidden and a
    line under it saying why. `by`: the grouping of a `by=` frame; else the frame's own count column."""
    if f.suppress is None or frame is None or frame.empty:
        return frame
    base = md.households_by(as_of=f.as_of, scope=f.scope, by=by) if by else None
    done = suppress_table(frame, threshold=f.suppress, households=base)
    if done.any:
        st.caption(":material/lock: " + done.note)
    return done.frame
