"""The rent ledger and the arrears cases (pratiche di morosità)."""

from datetime import date

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class LedgerEntry(SQLModel, table=True):
    """A ledger movement: a charge (addebito) or a payment, credit or write-off against a lease.

    `entry_code` is the user's codice_movimento or, without one, the movement's content plus its
    occurrence in the file, so that two equal payments on one day stay two movements.
    """

    __tablename__ = "ledger_entry"
    # No index by lease or date: the figures read the analytics copy, and each index of a ledger of tens of
    # millions of rows costs a monthly load a write all over the disk.

    id: int | None = Field(default=None, primary_key=True)
    entry_code: str = Field(max_length=200, unique=True)
    lease_code: str = Field(foreign_key="lease.code", max_length=60)
    entry_date: date
    entry_type: str = Field(max_length=20)
    amount: float = Field(sa_type=Money)
    item: str = Field(max_length=20)
    accrual_month: date
    due_date: date | None = None
    # indexed: the analytics build reads only the movements of the loads after its previous copy
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id", index=True)


class ArrearsCaseEvent(SQLModel, table=True):
    """One step of an arrears case (reminder, meeting, assessment, instrument, eviction, closure)."""

    __tablename__ = "arrears_case_event"
    __table_args__ = (Index("ix_arrears_case_event_case_date", "case_code", "event_date"),
                      Index("ix_arrears_case_event_event_lease", "event", "lease_code", "event_date"))

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=200, unique=True)
    case_code: str = Field(max_length=60)
    lease_code: str = Field(foreign_key="lease.code", max_length=60, index=True)
    event_date: date
    event: str = Field(max_length=30)
    amount: float | None = Field(default=None, sa_type=Money)
    severity: str | None = Field(default=None, max_length=10)
    notes: str | None = Field(default=None, sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
