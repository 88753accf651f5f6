"""Load history: one row per file loaded, and the rows it quarantined."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel


class LoadBatch(SQLModel, table=True):
    """One file loaded (or refused), with its fingerprint and the accounting of its rows."""

    __tablename__ = "load_batch"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=40, index=True)
    file_name: str = Field(max_length=255)
    sha256: str = Field(max_length=64, index=True)
    started_at: datetime = Field(sa_type=DateTime(timezone=True))
    finished_at: datetime | None = Field(default=None, sa_type=DateTime(timezone=True))
    rows_read: int = 0
    rows_loaded: int = 0
    rows_quarantined: int = 0
    rows_duplicate: int = 0
    status: str = Field(max_length=20, description="in_corso, completato, con_scarti, rifiutato, fallito")
    message: str | None = Field(default=None, sa_type=Text)
    key_fingerprint: str | None = Field(
        default=None, max_length=64,
        description="HMAC of a fixed label with the pseudonymisation key of the load (never the key itself).")
    personal_data: bool = Field(default=False,
                                description="The file had personal columns, pseudonymised with that key.")


class QuarantinedRow(SQLModel, table=True):
    """A problem found in one row of a loaded file; the row is kept in `raw` with only its known columns
    (personal ones pseudonymised, codici fiscali, phones and e-mails in text redacted: `etl.redaction`)."""

    __tablename__ = "quarantined_row"

    id: int | None = Field(default=None, primary_key=True)
    batch_id: int = Field(foreign_key="load_batch.id", index=True)
    line: int
    column_name: str | None = Field(default=None, max_length=200)
    value: str | None = Field(default=None, sa_type=Text)
    reason: str = Field(sa_type=Text)
    raw: str | None = Field(default=None, sa_type=Text)
