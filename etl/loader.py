"""Loading a user's file into the warehouse: one transaction per file, every row accounted for.

read = loaded + quarantined + duplicate, always. Loading the same file twice changes nothing;
a corrected file updates the rows it covers (upsert on the natural key).
"""

from __future__ import annotations

import logging
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime, timezone
from pathlib import Path

import numpy as np
import pandas as pd
from sqlalchemy import Connection, Engine, insert, select, update
from sqlmodel import col

import schemas
from etl import staging, streamed
from etl.background import BackgroundWriter
from etl.headers import HeaderError, HeaderMatch, match_headers, read_mapping
from etl.kinds import LOAD_ORDER, Kind, get_kind
from etl.occurrence import SeenContents, content_hashes, number_in_chunk
from etl.pseudonym import key_fingerprint
from etl.reading import FileRefused, Limits, Source, open_source, raw_text
from etl.redaction import printable, redact_text, safe_cells
from etl.validation import Checked, Context, check_chunk, event_horizon, key_text
from osservatorio.formatting import fmt_int
from osservatorio.settings import Settings, get_settings
from schemas.db import is_postgres, make_engine
from schemas.loads import LoadBatch, QuarantinedRow

log = logging.getLogger(__name__)

Progress = Callable[[int, int], None]  # rows done, rows expected (an upper bound)


@dataclass
class LoadResult:
    """What happened to one file."""

    kind: str
    file_name: str
    status: str  # completato, con_scarti, rifiutato, fallito
    sha256: str = ""
    batch_id: int | None = None
    read: int = 0
    loaded: int = 0
    quarantined: int = 0
    duplicate: int = 0
    seconds: float = 0.0
    message: str = ""
    ignored_columns: list[str] = field(default_factory=list)
    started_at: datetime | None = None

    @property
    def ok(self) -> bool:
        return self.status == "completato"


def load_file(path: Path | str, kind: str, *, engine: Engine | None = None, mapping: Path | None = None,
              sheet: str | None = None, settings: Settings | None = None, progress: Progress | None = None,
              file_name: str | None = None) -> LoadResult:
    """Load one CSV or XLSX file of `kind` into the warehouse and record the load."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    path = Path(path)
    spec = get_kind(kind)
    result = LoadResult(kind, file_name or path.name, "in_corso")
    started, result.started_at = time.perf_counter(), _now()
    key = settings.pseudonym_key.get_secret_value().encode()
    try:
        source, match, personal = _open(path, spec, engine, settings, result, mapping, sheet)
    except (FileRefused, HeaderError) as exc:
        result.status, result.message = "rifiutato", str(exc)
        result.batch_id = _record_outcome(engine, result, key)
        log.info("caricamento rifiutato: tipo %s, caricamento n. %s", kind, result.batch_id)
        return result
    result.ignored_columns = [redact_text(h) for h in match.ignored]
    try:
        with engine.begin() as conn:
            _load(conn, spec, source, match, settings, result, progress, personal=bool(personal))
    except FileRefused as exc:  # found while reading: rolled back, the file is refused whole
        result.status, result.message = "rifiutato", str(exc)
        result.read = result.loaded = result.quarantined = result.duplicate = 0
        result.batch_id = _record_outcome(engine, result, key)
    except Exception as exc:  # the transaction is rolled back: the warehouse is as it was
        result.status = "fallito"
        result.read = result.loaded = result.quarantined = result.duplicate = 0  # all rolled back
        # the driver's own text may quote the file's values: only the kind of error is kept
        result.message = ("Caricamento annullato per un errore imprevisto, nessun dato modificato "
                          f"(errore interno {exc.__class__.__name__}).")
        result.batch_id = _record_outcome(engine, result, key)
        log.error("caricamento non riuscito: tipo %s, caricamento n. %s, errore %s", kind, result.batch_id,
                  exc.__class__.__name__)
    result.seconds = time.perf_counter() - started
    log.info("caricamento %s: tipo %s, letti %d, caricati %d, in quarantena %d, duplicati %d", result.status, kind,
             result.read, result.loaded, result.quarantined, result.duplicate)
    return result


def _open(path: Path, spec: Kind, engine: Engine, settings: Settings, result: LoadResult, mapping: Path | None,
          sheet: str | None) -> tuple[Source, HeaderMatch, list[str]]:
    """Open the file, match its header and check the key for its personal columns (whose headers are returned)."""
    source = open_source(path, sheet=sheet, limits=Limits.from_settings(settings))
    result.sha256 = source.sha256
    match = match_headers(source.headers, spec, read_mapping(mapping) if mapping else None)
    personal = [c.header for c in spec.columns if c.pii and c.field in match.fields]
    if personal:
        check_key(engine, settings, result.file_name, personal)
    return source, match, personal


def check_key(engine: Engine, settings: Settings, file_name: str, personal: list[str]) -> None:
    """Refuse personal data pseudonymised with the public demo key (outside the demo) or with a key other than
    the one the warehouse's personal data were pseudonymised with: one person would get two pseudonyms."""
    columns = ", ".join(f"«{c}»" for c in personal)
    if settings.uses_demo_key and not settings.demo:
        raise FileRefused(
            f"{file_name}: il file contiene dati personali ({columns}) e la chiave di pseudonimizzazione è quella "
            "dimostrativa, che è pubblica. Impostare OSSERVATORIO_PSEUDONYM_KEY con una chiave segreta propria "
            "(almeno 32 caratteri casuali), conservarla e usare sempre la stessa. Nessun dato caricato.")
    mine = key_fingerprint(settings.pseudonym_key.get_secret_value().encode())
    with engine.connect() as conn:
        other = conn.execute(select(col(LoadBatch.key_fingerprint)).where(
            col(LoadBatch.personal_data).is_(True), col(LoadBatch.key_fingerprint).is_not(None),
            col(LoadBatch.key_fingerprint) != mine,
            col(LoadBatch.status).in_(("completato", "con_scarti"))).limit(1)).scalar()
    if other:
        raise FileRefused(
            f"{file_name}: la chiave di pseudonimizzazione (OSSERVATORIO_PSEUDONYM_KEY) non è quella con cui sono "
            f"stati pseudonimizzati i dati personali già nel magazzino dati (impronta {other[:12]}, quella attuale "
            f"{mine[:12]}): con un'altra chiave la stessa persona avrebbe due pseudonimi. Impostare la chiave "
            "usata finora. Nessun dato caricato.")


def _first_line(exc: Exception) -> str:
    return str(exc).splitlines()[0][:300] if str(exc) else ""


def _load(conn: Connection, spec: Kind, source: Source, match: HeaderMatch, settings: Settings,
          result: LoadResult, progress: Progress | None, *, personal: bool) -> None:
    key = settings.pseudonym_key.get_secret_value().encode()
    batch_id = conn.execute(insert(LoadBatch).values(
        kind=spec.name, file_name=_stored_name(result.file_name), sha256=source.sha256, started_at=result.started_at,
        status="in_corso", key_fingerprint=key_fingerprint(key), personal_data=personal,
    )).inserted_primary_key
    result.batch_id = batch_id = _first(batch_id)
    ctx = Context(
        key=key, min_date=settings.min_date, max_date=settings.max_date,
        max_event_date=event_horizon(settings.max_event_days_ahead), parent_keys=_parent_keys(conn, spec),
        max_amount=settings.max_amount_eur,
    )
    fields = staging.value_fields(spec, _present_fields(spec, match))
    target = (streamed.StreamedLoad if streamed.applies(spec, match.fields) else staging.StagedLoad)(
        conn, spec, fields, batch_id)
    seen = SeenContents()
    with BackgroundWriter(threaded=is_postgres(conn)) as writer:  # writes chunk n while n + 1 is read and checked
        for chunk in source.chunks(settings.chunk_rows):
            checked = check_chunk(chunk, spec, match, source.headers, ctx)
            result.read += len(chunk)
            result.quarantined += len(checked.bad_lines)
            writer.submit(_quarantine, conn, batch_id, checked, chunk, spec, match, source, ctx)
            writer.submit(target.write, target.prepare(_with_key(checked.good, spec, seen)))
            if progress:
                progress(result.read, max(source.data_lines, result.read))
    counts = target.finish()
    result.loaded, result.duplicate = counts.loaded, counts.duplicate
    result.quarantined += counts.quarantined
    result.status = "completato" if result.quarantined == 0 else "con_scarti"
    result.message = _notes(source, ctx)
    conn.execute(update(LoadBatch).where(col(LoadBatch.id) == batch_id).values(**_batch_values(result)))


def _notes(source: Source, ctx: Context) -> str:
    """What the summary of a completed load says besides the counts: encoding, blank lines, data taken out."""
    notes = list(source.notes)
    if source.blank_lines:
        notes.append("1 riga vuota ignorata" if source.blank_lines == 1 else
                     f"{fmt_int(source.blank_lines)} righe vuote ignorate")
    if ctx.redacted:
        cells = "1 cella" if ctx.redacted == 1 else f"{fmt_int(ctx.redacted)} celle"
        notes.append(f"codici fiscali, telefoni o e-mail tolti da {cells} di testo libero")
    return ("Nota: " + "; ".join(notes) + ".") if notes else ""


def _stored_name(name: str) -> str:
    """The file name as the load history keeps it (its column holds 255 characters, and no control ones)."""
    name = printable(name)
    return name if len(name) <= 255 else name[:254] + "…"


def _now() -> datetime:
    return datetime.now(timezone.utc)


def _batch_values(result: LoadResult) -> dict:
    return dict(finished_at=_now(), rows_read=result.read, rows_loaded=result.loaded,
                rows_quarantined=result.quarantined, rows_duplicate=result.duplicate, status=result.status,
                message=printable(result.message) or None)


def _record_outcome(engine: Engine, result: LoadResult, key: bytes) -> int:
    """A refused or failed load still leaves a line in the load history (in its own transaction)."""
    with engine.begin() as conn:
        return _first(conn.execute(insert(LoadBatch).values(
            kind=result.kind, file_name=_stored_name(result.file_name), sha256=result.sha256 or "",
            started_at=result.started_at or _now(),
            key_fingerprint=key_fingerprint(key), **_batch_values(result),
        )).inserted_primary_key)


def _first(key) -> int:
    """The id an insert gave its row."""
    assert key is not None, "insert without a primary key"
    return int(key[0])


def _parent_keys(conn: Connection, spec: Kind) -> dict[str, set[str]]:
    keys = {}
    for parent in spec.parents:
        parent_spec = get_kind(parent.kind)
        table = schemas.metadata.tables[parent_spec.table]
        keys[parent.kind] = set(conn.execute(select(table.c[parent_spec.conflict_field])).scalars())
    return keys


def _present_fields(spec: Kind, match) -> list[str]:
    present = [c.field for c in spec.columns if c.field in match.fields]
    if spec.name == "movimenti":  # derived when absent (see validation._derive)
        present += [f for f in ("item", "accrual_month", "due_date") if f not in present]
    return present


def _with_key(good: pd.DataFrame, spec: Kind, seen: SeenContents) -> pd.DataFrame:
    """Add `_key` (the natural key as text), `_needs_occ` (keyed by content + occurrence) and, for those,
    `_occ` (occurrence within the chunk), `_cross` (content maybe met in an earlier chunk) and `_hash`."""
    frame = good.copy()
    frame["_needs_occ"], frame["_occ"], frame["_cross"], frame["_hash"] = 0, 1, 0, np.uint64(0)
    if spec.key_style == "code":
        frame["_key"] = frame[spec.key[0]]
        return frame
    content = key_text(frame, spec.key)
    if spec.key_style == "entry_code":
        given = frame["entry_code"] if "entry_code" in frame else pd.Series(pd.NA, index=frame.index, dtype="string")
        needs = given.isna()
        frame["_needs_occ"] = needs.astype(int)
        frame["_key"] = given.fillna(content)
        if needs.all():  # the usual file of movements, without codes: no masks
            hashes = content_hashes(frame["_key"])
            frame["_occ"] = number_in_chunk(frame["_key"]).to_numpy()
            frame["_cross"] = seen.seen_then_add(hashes).astype(int)
            frame["_hash"] = hashes
        elif needs.any():
            keys = frame.loc[needs, "_key"]
            hashes = content_hashes(keys)
            frame.loc[needs, "_occ"] = number_in_chunk(keys).to_numpy()
            frame.loc[needs, "_cross"] = seen.seen_then_add(hashes).astype(int)
            frame.loc[needs, "_hash"] = hashes
    else:
        frame["_key"] = content
    return frame


def _quarantine(conn: Connection, batch_id: int, checked: Checked, chunk: pd.DataFrame, spec: Kind, match,
                source: Source, ctx: Context) -> None:
    if checked.problems.empty:
        return
    width = len(source.headers)
    known = {match.fields[c.field]: c for c in spec.columns if c.field in match.fields}
    rows = chunk[chunk["_line"].isin(checked.bad_lines)].set_index("_line")
    raws = {line: raw_text(safe_cells(row, width, known, ctx.key), source.delimiter, int(row["_extra"]))
            for line, row in rows.iterrows()}
    records = [
        dict(batch_id=batch_id, line=int(p.line), column_name=p.column_name,
             value=None if pd.isna(p.value) else str(p.value), reason=p.reason, raw=raws.get(p.line))
        for p in checked.problems.itertuples(index=False)
    ]
    conn.execute(insert(QuarantinedRow), records)


def kind_of_file(path: Path) -> str | None:
    """The kind a file holds, from its name: `movimenti.csv`, `2024_movimenti.xlsx`, `Alloggi.CSV`."""
    stem = path.stem.lower().replace("-", "_").replace(" ", "_")
    for kind in sorted(LOAD_ORDER, key=len, reverse=True):
        if stem == kind or stem.endswith("_" + kind) or stem.startswith(kind + "_"):
            return kind
    return None


def load_dir(directory: Path | str, *, engine: Engine | None = None, settings: Settings | None = None,
             progress: Callable[[str, int, int], None] | None = None) -> list[LoadResult]:
    """Load every file of a folder whose name says its kind, parents before children."""
    settings = settings or get_settings()
    engine = engine or make_engine(settings.database_url)
    files = [p for p in sorted(Path(directory).iterdir()) if p.suffix.lower() in (".csv", ".xlsx", ".txt")]
    known = [(kind, p) for p in files if (kind := kind_of_file(p)) is not None]
    known.sort(key=lambda kp: (LOAD_ORDER.index(kp[0]), kp[1].name))
    results = []
    for kind, path in known:
        step = (lambda done, total, k=kind: progress(k, done, total)) if progress else None
        results.append(load_file(path, kind, engine=engine, settings=settings, progress=step))
    return results


def unrecognised_files(directory: Path | str) -> list[str]:
    return [p.name for p in sorted(Path(directory).iterdir()) if p.is_file() and kind_of_file(p) is None]
