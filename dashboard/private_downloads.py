"""The dashboard's one download button: the file is made when pressed, audited, and served only to who pressed.

Streamlit serves a download at `/media/<id>.<ext>` to any client that has the address, for as long as the
file is kept (streamlit#8148), and a second fetch of that address would not be audited. Here a file made
by a button press (a "deferred" download) may be fetched `FETCHES` times (Streamlit's page checks the
address with one fetch while the browser downloads with another) within `GRACE` seconds of the first
fetch, and within `SERVE_WITHIN` of the press; then it is deleted. The browser that pressed the button gets
it at once; an address copied elsewhere (history, proxy log, shared screen) returns 404. Every press makes
the file again and writes the audit.
"""

from __future__ import annotations

import os
import threading
import time
from functools import partial

from streamlit import runtime
from streamlit.runtime.media_file_storage import MediaFileKind, MediaFileStorageError
from streamlit.runtime.memory_media_file_storage import MemoryMediaFileStorage

from dashboard.data import get_engine
from osservatorio import audit
from osservatorio.roles import User

SERVE_WITHIN = 60.0  # seconds between the press and the browser's fetch; far more than it needs
GRACE = 10.0  # seconds the file stays after its first fetch, for the second one
FETCHES = 2  # the page's check of the address and the download itself
_GUARDED = "_osservatorio_once"  # attribute marking a storage already guarded
_install_lock = threading.Lock()


def audited_file(make, file_name: str, user: User | None) -> bytes:
    """Make a download's bytes and write who took which file, within which scope, to the audit log."""
    content = make()
    audit.record(get_engine(), audit.EXPORT, user=user, detail=file_name)
    return content


def serve_once(storage: MemoryMediaFileStorage, manager=None) -> None:
    """Make `storage` serve each file made by a button press only briefly, to its first fetches (idempotent).

    `manager` (the runtime's MediaFileManager) marks which files are made by a press: its
    `execute_deferred` runs the button's callable and stores the result. Files stored otherwise (images,
    downloads of bytes given at render time) keep Streamlit's behaviour.
    """
    with _install_lock:
        if getattr(storage, _GUARDED, False):
            return
        pending: dict[str, list] = {}  # file id -> [deadline (time.monotonic), fetches left]
        lock, local = threading.Lock(), threading.local()
        load, get, get_url = storage.load_and_get_id, storage.get_file, storage.get_url

        def load_and_get_id(data, mimetype, kind, filename=None):
            file_id = load(data, mimetype, kind, filename)
            if kind == MediaFileKind.DOWNLOADABLE and getattr(local, "deferred", manager is None):
                with lock:
                    pending[file_id] = [time.monotonic() + SERVE_WITHIN, FETCHES]
            return file_id

        def internal_url(file_id):
            local.internal = True  # get_url looks the file up: that is not a fetch
            try:
                return get_url(file_id)
            finally:
                local.internal = False

        def get_file(name):
            file_id = os.path.splitext(name)[0]
            if getattr(local, "internal", False) or file_id not in pending:
                return get(name)
            with lock:
                entry = pending.get(file_id)
                now = time.monotonic()
                if entry is None or now > entry[0]:
                    pending.pop(file_id, None)
                    storage.delete_file(file_id)
                    raise MediaFileStorageError(f"download {file_id} already served or expired")
                entry[0], entry[1] = min(entry[0], now + GRACE), entry[1] - 1
                found = get(name)
                if entry[1] <= 0:
                    del pending[file_id]
                    storage.delete_file(file_id)
            return found

        # Streamlit has no hook for this: the storage's own methods are wrapped in place.
        storage.load_and_get_id, storage.get_file, storage.get_url = (  # type: ignore[method-assign]
            load_and_get_id, get_file, internal_url)
        if manager is not None:
            _mark_deferred(manager, local)
        setattr(storage, _GUARDED, True)


def _mark_deferred(manager, local) -> None:
    execute = manager.execute_deferred

    def execute_deferred(file_id: str) -> str:
        local.deferred = True
        try:
            return execute(file_id)
        finally:
            local.deferred = False

    manager.execute_deferred = execute_deferred


def protect() -> bool:
    """Guard the running server's media storage (see `serve_once`); False where there is none to guard."""
    if not runtime.exists():
        return False
    manager = runtime.get_instance().media_file_mgr
    storage = getattr(manager, "_storage", None)
    if not isinstance(storage, MemoryMediaFileStorage):
        return False
    serve_once(storage, manager)
    return True


def download_button(container, label: str, make, *, file_name: str, mime: str, key: str,
                    user: User | None = None, help: str | None = None) -> None:
    """A button whose file `make()` is made when pressed, audited under `user`, and served once (module doc)."""
    protect()
    container.download_button(label, partial(audited_file, make, file_name, user), file_name=file_name, mime=mime,
                              key=key, icon=":material/download:", on_click="ignore", help=help)

