"""Applications for allocation (domande) and yearly eviction statistics (sfratti)."""

from datetime import date

from sqlmodel import Field, SQLModel

from schemas.columns import Money


class Application(SQLModel, table=True):
    """An application for a social-housing unit and its outcome."""

    __tablename__ = "application"

    code: str = Field(primary_key=True, max_length=60)
    applied_on: date = Field(index=True)
    municipality: str | None = Field(default=None, max_length=100)
    call: str | None = Field(default=None, max_length=120)
    members: int | None = None
    isee: float | None = Field(default=None, sa_type=Money)
    outcome: str | None = Field(default=None, max_length=20)
    outcome_date: date | None = None
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=60)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class EvictionStat(SQLModel, table=True):
    """Evictions validated by the court and carried out, per Comune and year."""

    __tablename__ = "eviction_stat"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=200, unique=True)
    municipality: str = Field(max_length=100)
    year: int
    validated: int | None = None
    executed: int | None = None
    reason: str | None = Field(default=None, max_length=60)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
