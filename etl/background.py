"""The database writes of a load, done by one worker thread while the main thread reads the next chunk.

Parsing and validation are Python and pandas work; on PostgreSQL writing is the server's, and psycopg lets
other threads run while it waits for the server. Overlapping the two uses a second core instead of leaving
it idle. Not on SQLite: its driver takes and releases the interpreter lock around every row of an
executemany, and the two threads then slow each other down (measured: 18 s alone, 23 s threaded for a
million movements).
The writes keep their order and their one connection (so their one transaction: nothing about atomicity
changes); the main thread does not touch the connection until `close` has waited for the last write. At most
`depth` writes wait in the queue, so memory stays bounded by a few chunks whatever the file size. The first
error stops the writes and is raised in the main thread, which then rolls the transaction back.
"""

from __future__ import annotations

import functools
import queue
import threading
from collections.abc import Callable


class BackgroundWriter:
    """Runs submitted writes in order on a worker thread; use as a context manager."""

    def __init__(self, *, threaded: bool = True, depth: int = 1) -> None:
        self._queue: queue.Queue = queue.Queue(maxsize=depth)
        self._error: BaseException | None = None
        self._thread = None  # not threaded: each write runs at once, in the caller's thread
        if threaded:
            self._thread = threading.Thread(target=self._run, name="osservatorio-load-writer", daemon=True)
            self._thread.start()

    def _run(self) -> None:
        while (job := self._queue.get()) is not None:
            if self._error is None:
                try:
                    job()
                except BaseException as exc:  # handed to the main thread by `submit` or `close`
                    self._error = exc

    def submit(self, func: Callable, *args, **kwargs) -> None:
        """Queue a write (waits while `depth` writes are already queued); raise an earlier write's error."""
        self._raise()
        if self._thread is None:
            func(*args, **kwargs)
            return
        self._queue.put(functools.partial(func, *args, **kwargs))

    def close(self) -> None:
        """Wait for every queued write; raise the first error, if any."""
        if self._thread is not None and self._thread.is_alive():
            self._queue.put(None)
            self._thread.join()
        self._raise()

    def _raise(self) -> None:
        if self._error is not None:
            raise self._error

    def __enter__(self) -> BackgroundWriter:
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is None:
            self.close()
        elif self._thread is not None and self._thread.is_alive():
            # the main thread failed: let the current write end, drop the rest
            self._error = self._error or exc
            self._queue.put(None)
            self._thread.join()
