"""The gestore sociale's own register of community work (attività di comunità), per intervention and building."""

from datetime import date

from sqlalchemy import Index
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class CommunityActivity(SQLModel, table=True):
    """One activity of the gestore's community management (seed 001): welcoming new tenants, common spaces,
    representation and assemblies, conflict mediation, socialising, shared rules, individual support, concierge.

    Distinct from `LabActivity`: this is the gestore's own work in its interventions, not a regional lab's.
    """

    __tablename__ = "community_activity"
    __table_args__ = (Index("ix_community_activity_intervention_date", "intervention_code", "activity_date"),)

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    intervention_code: str = Field(foreign_key="intervention.code", max_length=60)
    building_code: str | None = Field(default=None, foreign_key="building.code", max_length=60)
    activity_date: date
    activity_type: str = Field(max_length=40)
    title: str | None = Field(default=None, max_length=300)
    participants: int | None = None
    households_reached: int | None = None
    hours: float | None = Field(default=None, sa_type=Money)
    partners: str | None = Field(default=None, max_length=300)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
