"""Targets (obiettivi) a direzione or an administrator sets for a KPI, over the portfolio or one intervention."""

from datetime import datetime

from sqlalchemy import DateTime, Text
from sqlmodel import Field, SQLModel

from schemas.columns import Measure


class KpiTarget(SQLModel, table=True):
    """The target value of a registry KPI; `intervention_code` empty: the whole portfolio."""

    __tablename__ = "kpi_target"

    id: int | None = Field(default=None, primary_key=True)
    kpi_code: str = Field(max_length=60, index=True)
    intervention_code: str | None = Field(default=None, max_length=60)
    value: float = Field(sa_type=Measure)
    note: str | None = Field(default=None, sa_type=Text)
    set_by: str = Field(max_length=60)
    set_at: datetime = Field(sa_type=DateTime(timezone=True))
