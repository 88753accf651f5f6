"""Actual costs (consuntivi) and budget lines by year, intervention and category."""

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class ActualCost(SQLModel, table=True):
    """An actual cost; `month` empty when the user reports a whole year."""

    __tablename__ = "actual_cost"
    __table_args__ = (Index("ix_actual_cost_year_intervention", "year", "intervention_code"),)

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=200, unique=True)
    year: int
    month: int | None = None
    intervention_code: str | None = Field(default=None, foreign_key="intervention.code", max_length=60)
    category: str = Field(max_length=40)
    amount: float = Field(sa_type=Money)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class BudgetLine(SQLModel, table=True):
    """A budgeted amount for a year, intervention (empty: whole organisation) and category."""

    __tablename__ = "budget_line"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=200, unique=True)
    year: int = Field(index=True)
    intervention_code: str | None = Field(default=None, foreign_key="intervention.code", max_length=60)
    category: str = Field(max_length=40)
    amount: float = Field(sa_type=Money)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
