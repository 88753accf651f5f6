"""The child process that reads a SQLite warehouse for the analytics build: `python -m indicators.sqlite_reader
PATH`. It holds one ADBC connection in one read transaction and answers the queries it reads on standard input
(one per line, JSON) in order, each as a status byte then an Arrow IPC stream on standard output; it ends at an
empty line or at the end of its input (its parent gone).

It imports only pyarrow and ADBC's driver, so it starts in a fraction of a second. Why a process of its own: see
`indicators.copying`.
"""

from __future__ import annotations

import json
import sys

OK, FAILED = b"S", b"E"


def serve(path: str, requests, out) -> None:
    import adbc_driver_sqlite.dbapi as adbc_sqlite
    import pyarrow as pa

    conn = adbc_sqlite.connect(path)  # autocommit off: the first SELECT opens the read transaction
    try:
        cursor = conn.cursor()
        for line in requests:
            if not line.strip():
                break
            try:
                cursor.execute(json.loads(line))
                reader = cursor.fetch_record_batch()
            except Exception as exc:  # the type only: a driver message may quote values
                message = type(exc).__name__.encode()
                out.write(FAILED + len(message).to_bytes(4, "little") + message)
                out.flush()
                continue
            out.write(OK)
            with pa.ipc.new_stream(out, reader.schema) as writer:
                for batch in reader:
                    writer.write_batch(batch)
            out.flush()
        conn.rollback()
    finally:
        conn.close()


if __name__ == "__main__":
    serve(sys.argv[1], sys.stdin, sys.stdout.buffer)
