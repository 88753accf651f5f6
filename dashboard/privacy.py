"""Tables shown to users whose aggregates are suppressed (the Regione): small cells hidden, and said so.

The rule is `indicators.disclosure`'s; this module only adds the sentence under a table."""

from __future__ import annotations

from typing import overload

import pandas as pd
import streamlit as st

from dashboard import monitoring_data as md
from dashboard.filters import Filters
from indicators.disclosure import TABLE_NOTE, any_hidden, households_for, protect_frame


@overload
def protect(frame: None, f: Filters, *, by: str | None = None, code: str | None = None,
            counts: tuple[str, ...] = ()) -> None: ...


@overload
def protect(frame: pd.DataFrame, f: Filters, *, by: str | None = None, code: str | None = None,
            counts: tuple[str, ...] = ()) -> pd.DataFrame: ...


def protect(frame: pd.DataFrame | None, f: Filters, *, by: str | None = None, code: str | None = None,
            counts: tuple[str, ...] = ()) -> pd.DataFrame | None:
    """`frame` as this user may see it: unchanged, or with small cells (and their complements) hidden and a
    line under it saying why. `by`: the grouping of a `by=` frame (its groups' households count); `code`: the
    KPI whose count base applies (`disclosure.COUNT_BASES`); `counts`: the frame's own count columns."""
    if f.suppress is None or frame is None or frame.empty:
        return frame
    base = md.households_by(as_of=f.as_of, scope=f.scope, by=by) if by else None
    if base is None and code is None and not counts:
        counts = tuple(c for c in ("households", "contracts", "cases") if c in frame.columns)[:1]
    done = protect_frame(frame, threshold=f.suppress, code=code, count_columns=counts,
                         households=households_for(frame, base))
    if done.any:
        st.caption(":material/lock: " + done.note)
    elif any_hidden(done.frame):
        st.caption(":material/lock: " + TABLE_NOTE.format(t=f.suppress))
    return done.frame
