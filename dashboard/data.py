"""The dashboard's only door to the warehouse: a cached engine and cached calls to `indicators/`.

Pages call these functions and draw; they never build SQL or compute figures themselves.
"""

from __future__ import annotations

import tempfile
from dataclasses import dataclass
from datetime import datetime
from pathlib import Path

import pandas as pd
import streamlit as st
from sqlalchemy import Engine

from etl.loader import LoadResult, Progress, load_file
from indicators import loads
from indicators import store
from osservatorio import audit
from osservatorio.roles import User
from osservatorio.settings import get_settings
from schemas.db import make_engine
from schemas.migrate import upgrade

CACHE_TTL = 300  # seconds: loads made from the command line show up within five minutes


@st.cache_resource(show_spinner=False)
def get_engine() -> Engine:
    """The warehouse engine, shared by every session; migrated once so a new SQLite file works."""
    url = get_settings().database_url
    upgrade(url)
    engine = make_engine(url)
    store.serve_stale(engine)  # figures from the copy in use; loads rebuild it in the background
    return engine


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def inventory() -> pd.DataFrame:
    """Per kind of data: description, rows held, first and last date covered."""
    return loads.inventory(get_engine())


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def load_history(limit: int = 200) -> pd.DataFrame:
    """The most recent loads, newest first."""
    return loads.load_history(get_engine(), limit=limit)


@st.cache_data(ttl=CACHE_TTL, show_spinner=False)
def quarantined_rows(batch_id: int | None = None, limit: int = 1000) -> pd.DataFrame:
    """Rows set aside by one load (or by every load), with line, column, value and reason."""
    return loads.quarantined_rows(get_engine(), batch_id=batch_id, limit=limit)


@dataclass(frozen=True)
class Overview:
    """What the home page says about the warehouse as a whole."""

    kinds_total: int
    kinds_with_data: int
    units: int
    last_load: datetime | None

    @property
    def empty(self) -> bool:
        return self.kinds_with_data == 0


def overview() -> Overview:
    inv = inventory()
    history = load_history(limit=1)
    last = None
    if not history.empty:
        last = history["fine"].iloc[0] if pd.notna(history["fine"].iloc[0]) else history["inizio"].iloc[0]
    units = inv.loc[inv["tipo"] == "alloggi", "righe"]
    return Overview(kinds_total=len(inv), kinds_with_data=int((inv["righe"] > 0).sum()),
                    units=int(units.iloc[0]) if len(units) else 0, last_load=last)


def batches_with_quarantine(limit: int = 200) -> pd.DataFrame:
    """Loads that set rows aside, newest first (for the quarantine filter)."""
    history = load_history(limit=limit)
    return history[history["in_quarantena"].fillna(0) > 0]


def refresh() -> None:
    """Forget every cached figure, e.g. after loads made from the command line."""
    st.cache_data.clear()


def run_upload(name: str, content: bytes, kind: str, *, progress: Progress | None = None,
               user: User | None = None, mapping: tuple[str, bytes] | None = None) -> LoadResult:
    """Load an uploaded file into the warehouse (audited) and start rebuilding the figures in the background; the
    page returns when the rows are in the warehouse.
    `mapping`: an uploaded column-mapping file (name, content), TOML or two-column CSV."""
    with tempfile.TemporaryDirectory(prefix="osservatorio-upload-") as tmp:
        path = Path(tmp) / f"upload{Path(name).suffix.lower()}"
        path.write_bytes(content)
        mapping_path = None
        if mapping is not None:
            mapping_path = Path(tmp) / f"mappatura{Path(mapping[0]).suffix.lower()}"
            mapping_path.write_bytes(mapping[1])
        result = load_file(path, kind, engine=get_engine(), settings=get_settings(), progress=progress,
                           file_name=name, mapping=mapping_path)
    if result.status in ("completato", "con_scarti"):
        store.build_in_background(get_engine())
    audit.record(get_engine(), audit.LOAD, user=user, detail=f"{kind} {name}: {result.status}, letti {result.read}, "
                 f"caricati {result.loaded}, quarantena {result.quarantined}, caricamento n. {result.batch_id}")
    for cached in (inventory, load_history, quarantined_rows):  # the figures follow the analytics copy by themselves
        cached.clear()
    return result
