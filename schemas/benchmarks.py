"""Reference values drawn on charts next to a KPI (seed 001's track record and any a user adds)."""

from sqlalchemy import Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from schemas.columns import Measure


class BenchmarkValue(SQLModel, table=True):
    """A reference value for a registry KPI, with its source and what it is comparable to."""

    __tablename__ = "benchmark_value"
    __table_args__ = (UniqueConstraint("kpi_code", "label"),)

    id: int | None = Field(default=None, primary_key=True)
    kpi_code: str = Field(max_length=60, index=True)
    label: str = Field(max_length=200)
    value: float = Field(sa_type=Measure)
    source: str = Field(sa_type=Text)
    note: str | None = Field(default=None, sa_type=Text)
    built_in: bool = False
