"""Facility-management tickets (segnalazioni)."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class Ticket(SQLModel, table=True):
    """A maintenance ticket on a building or unit, with its cost and supplier."""

    __tablename__ = "ticket"
    __table_args__ = (Index("ix_ticket_building_opened", "building_code", "opened_on"),)

    code: str = Field(primary_key=True, max_length=60)
    building_code: str = Field(foreign_key="building.code", max_length=60)
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=60)
    category: str = Field(max_length=30)
    opened_on: date
    closed_on: date | None = None
    cost: float | None = Field(default=None, sa_type=Money)
    supplier: str | None = Field(default=None, max_length=120)
    urgency: str | None = Field(default=None, max_length=10)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
