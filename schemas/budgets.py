"""Saved budget versions: the approved budget of a year and scope, and its monthly lines."""

from datetime import datetime

from sqlalchemy import DateTime, Index, Text
from sqlmodel import Field, SQLModel

from schemas.columns import Measure, Money


class BudgetVersion(SQLModel, table=True):
    """A budget as approved: year, scope, adjustments (JSON), author and date; the latest approved one is the
    reference."""

    __tablename__ = "budget_version"
    __table_args__ = (Index("ix_budget_version_year_scope", "year", "scope_key"),)

    id: int | None = Field(default=None, primary_key=True)
    year: int
    scope_key: str = Field(max_length=1000, description="The scope as JSON (see indicators.budget_versions).")
    label: str | None = Field(default=None, max_length=200)
    method: str = Field(max_length=200, description="How the amounts were proposed, in words.")
    inflation_pct: float = Field(default=0.0, sa_type=Measure)
    adjustments: str = Field(sa_type=Text, description="Known changes per category, as JSON.")
    author: str = Field(max_length=120)
    created_at: datetime = Field(sa_type=DateTime(timezone=True))
    status: str = Field(default="approvato", max_length=20)
    total: float = Field(sa_type=Money)


class BudgetVersionLine(SQLModel, table=True):
    """One month of one category (and intervention) of a saved budget: the amount and the forecast it came from."""

    __tablename__ = "budget_version_line"

    id: int | None = Field(default=None, primary_key=True)
    version_id: int = Field(foreign_key="budget_version.id", index=True)
    side: str = Field(default="costi", max_length=10)
    intervention_code: str | None = Field(default=None, foreign_key="intervention.code", max_length=60)
    category: str = Field(max_length=40)
    month: int
    amount: float = Field(sa_type=Money)
    forecast: float | None = Field(default=None, sa_type=Money)
    method: str = Field(max_length=30)
