"""The Laboratori Sociali di Quartiere: labs, their activity registers and context indicators."""

from datetime import date

from sqlalchemy import Index, Text
from sqlmodel import Field, SQLModel

from schemas.columns import Measure, Money


class Lab(SQLModel, table=True):
    """A neighbourhood social lab; `areas_of_action` lists its ambiti, comma-separated.

    `intervention_code` links the lab to the housing intervention it serves (a lab of the gestore in its own
    buildings): only a linked lab's activities are the gestore's community work. The regional labs of seed 002
    have no link, so they are never credited to a gestore that merely manages housing in the same Comune.
    """

    __tablename__ = "lab"

    code: str = Field(primary_key=True, max_length=80)
    title: str = Field(max_length=300)
    intervention_code: str | None = Field(default=None, foreign_key="intervention.code", max_length=60, index=True)
    lead_body: str | None = Field(default=None, max_length=200)
    municipality: str = Field(max_length=100)
    district: str | None = Field(default=None, sa_type=Text)
    areas_of_action: str | None = Field(default=None, max_length=200)
    start_date: date | None = None
    end_date: date | None = None
    total_cost: float | None = Field(default=None, sa_type=Money)
    regional_contribution: float | None = Field(default=None, sa_type=Money)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabActivity(SQLModel, table=True):
    """One activity of a lab's register (desk, event, course...) with its reach."""

    __tablename__ = "lab_activity"
    __table_args__ = (Index("ix_lab_activity_lab_date", "lab_code", "activity_date"),)

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80)
    activity_date: date
    activity_type: str = Field(max_length=30)
    area_of_action: str = Field(max_length=30)
    title: str | None = Field(default=None, max_length=300)
    participants: int | None = None
    households_reached: int | None = None
    households_taken_in_charge: int | None = None
    hours: float | None = Field(default=None, sa_type=Money)
    volunteers: int | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class ContextIndicator(SQLModel, table=True):
    """A measurement of a context indicator in a lab's area (trattamento) or a control area (controllo)."""

    __tablename__ = "context_indicator"
    __table_args__ = (Index("ix_context_indicator_lab_area_arm_ind", "lab_code", "area", "arm", "indicator"),)

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80)
    area: str = Field(max_length=200)
    arm: str = Field(max_length=20, description="trattamento or controllo")
    indicator: str = Field(max_length=80)
    measured_on: date
    value: float = Field(sa_type=Measure)
    unit: str | None = Field(default=None, max_length=10)
    source: str | None = Field(default=None, max_length=200)
    notes: str | None = Field(default=None, sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
