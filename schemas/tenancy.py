"""Households and their leases. Personal identifiers are stored only as keyed hashes."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class Household(SQLModel, table=True):
    """A household (nucleo); `tax_code_hash` and `name_hash` are HMAC-SHA256 pseudonyms, never clear text."""

    __tablename__ = "household"

    code: str = Field(primary_key=True, max_length=60)
    tax_code_hash: str | None = Field(default=None, max_length=64, index=True)
    name_hash: str | None = Field(default=None, max_length=64)
    members: int | None = None
    income_band: str | None = Field(default=None, max_length=20)
    isee: float | None = Field(default=None, sa_type=Money)
    annual_income: float | None = Field(default=None, sa_type=Money)  # the household's income, for rent burden
    social_services: bool | None = None
    employed: int | None = None
    unemployed: int | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class Lease(SQLModel, table=True):
    """A lease (contratto) of a unit to a household; `end_date` empty while it runs."""

    __tablename__ = "lease"
    __table_args__ = (Index("ix_lease_end_reason_date", "end_reason", "end_date"),)  # evictions by lease end

    code: str = Field(primary_key=True, max_length=60)
    unit_code: str = Field(foreign_key="unit.code", max_length=60, index=True)
    household_code: str = Field(foreign_key="household.code", max_length=60, index=True)
    start_date: date
    end_date: date | None = None
    monthly_rent: float = Field(sa_type=Money)
    lease_type: str | None = Field(default=None, max_length=60)
    end_reason: str | None = Field(default=None, max_length=30)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
