"""Which load the figures include: the analytics copy a page reads, the cache that follows it, the status line.

A page run reads one copy, the one in use when it began (`indicators.store.snapshot`), so it never mixes two
builds; cached figures are keyed on that copy, so the new ones show as soon as a build swaps in, without
waiting for a cache time-out. While a build runs, the status line says so and refreshes itself; when the
build ends, the page reruns and shows the new figures.
"""

from __future__ import annotations

import functools
import inspect
from collections.abc import Callable, Iterator
from contextlib import contextmanager

import streamlit as st

from dashboard.data import get_engine
from dashboard.display import local_datetime
from dashboard.page_errors import PREPARING
from indicators import store
from osservatorio.formatting import fmt_datetime

REFRESH_SECONDS = 2  # how often the status line looks again while a build runs


@contextmanager
def page_snapshot() -> Iterator[store.Copy | None]:
    """Every figure of this page run comes from the copy in use when it began."""
    with store.snapshot(get_engine()) as copy:
        yield copy


def cached_figures(**options) -> Callable:
    """`st.cache_data(**options)` for a function computing figures: the cache key includes the analytics copy the
    call reads (pinned for the call), so a value of one build is never served as a value of another."""
    def decorate(func: Callable) -> Callable:
        def keyed(*args, analytics_copy: str, **kwargs):
            return func(*args, **kwargs)

        keyed.__module__, keyed.__qualname__, keyed.__name__ = func.__module__, func.__qualname__, func.__name__
        signature = inspect.signature(func)  # so that arguments named "_x" stay unhashed, as Streamlit documents
        copy_param = inspect.Parameter("analytics_copy", inspect.Parameter.KEYWORD_ONLY)
        params = list(signature.parameters.values())
        at = next((i for i, p in enumerate(params) if p.kind is inspect.Parameter.VAR_KEYWORD), len(params))
        # Streamlit hashes the arguments by the signature it reads: the function's, with the copy's name added.
        keyed.__signature__ = signature.replace(  # type: ignore[attr-defined]  # read by inspect, set by design
            parameters=[*params[:at], copy_param, *params[at:]])
        cached = st.cache_data(**options)(keyed)

        @functools.wraps(func)
        def call(*args, **kwargs):
            with page_snapshot() as copy:
                return cached(*args, analytics_copy=copy.key if copy else "", **kwargs)

        call.clear = cached.clear  # type: ignore[attr-defined]
        return call

    return decorate


def _when(copy_time) -> str:
    return fmt_datetime(local_datetime(copy_time))


def status_text(status: store.Status) -> tuple[str, str | None]:
    """(caption on which load the figures include, warning or None), in Italian."""
    if status.batch_id is None and status.error and not status.building:
        return "Figure non ancora disponibili.", ("Il primo aggiornamento delle figure non è riuscito: "
                                                  "l'amministratore può riprovare dalla pagina Caricamenti.")
    if status.batch_id is None:
        return PREPARING, None
    text = f"Figure aggiornate al caricamento n. {status.batch_id} ({_when(status.built_at)})."
    if status.batch_id == 0:
        text = "Nessun file ancora caricato: le figure sono vuote."
    if status.building and not status.current:
        text += f" Aggiornamento in corso: caricamento n. {status.warehouse_batch_id}…"
    elif status.building:
        text += " Aggiornamento in corso…"
    warning = None
    if status.error:
        warning = (f"L'ultimo aggiornamento delle figure non è riuscito: restano quelle del caricamento "
                   f"n. {status.batch_id}, che non includono i caricamenti successivi.")
    elif not status.current and not status.building:
        text += f" Il caricamento n. {status.warehouse_batch_id} sarà incluso al prossimo aggiornamento."
    return text, warning


def _catch_up(status: store.Status) -> store.Status:
    """A newer load than the copy (e.g. loaded from the command line with --no-figure) and no build running or
    failed: start one in the background, so the figures catch up without anyone asking."""
    if not status.current and not status.building and not status.error:
        store.build_in_background(get_engine())
        return store.status(get_engine())
    return status


def show_status() -> None:
    """The line on which load the figures include (in the sidebar of every page): refreshed while a build runs."""
    status = _catch_up(store.status(get_engine()))
    seen = (status.batch_id, status.built_at, status.building, status.error)
    st.fragment(_status_line, run_every=REFRESH_SECONDS if status.building else None)(seen)


def _status_line(seen: tuple) -> None:
    """On its own reruns (no page snapshot: the copy in use now), a change means a build began or ended: the
    whole page reruns, with the figures of the new copy."""
    now = store.status(get_engine())
    if (now.batch_id, now.built_at, now.building, now.error) != seen:
        st.rerun()
    text, warning = status_text(now)
    st.caption(text)
    if warning:
        st.warning(warning, icon=":material/warning:")


def build_status() -> None:
    """Caricamenti: the build that follows a load, live while it runs; a button to try again when it failed."""
    status = store.status(get_engine())
    st.fragment(_build_box, run_every=REFRESH_SECONDS if status.building else None)(status.building)


def _build_box(building: bool) -> None:
    now = store.status(get_engine())
    if now.building != building:
        st.rerun()  # started or ended: the whole page (its sidebar line too), at the new pace
    if now.building:
        st.info(f"Aggiornamento delle figure in corso: caricamento n. {now.warehouse_batch_id}…",
                icon=":material/hourglass_top:")
    elif now.batch_id is not None and not now.error:
        st.success(status_text(now)[0], icon=":material/check_circle:")
    if now.error and not now.building:
        st.warning(status_text(now)[1] or now.error, icon=":material/warning:")
    if (now.error or not now.current) and not now.building:
        if st.button("Aggiorna le figure", icon=":material/refresh:", key="figures_rebuild"):
            store.build_in_background(get_engine())
            st.rerun()
