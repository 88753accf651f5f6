"""The housing stock: interventions (projects), their buildings and units."""

from datetime import date

from sqlmodel import Field, SQLModel

from schemas.columns import Money


class Intervention(SQLModel, table=True):
    """A housing project (intervento), managed for an SGR's fund by a gestore sociale."""

    __tablename__ = "intervention"

    code: str = Field(primary_key=True, max_length=60)
    name: str = Field(max_length=200)
    municipality: str = Field(max_length=100, index=True)
    district: str | None = Field(default=None, max_length=120)
    sgr: str | None = Field(default=None, max_length=120, index=True)
    fund: str | None = Field(default=None, max_length=120, index=True)
    manager: str | None = Field(default=None, max_length=120)
    manager_contract_type: str | None = Field(default=None, max_length=30)
    management_start: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class Building(SQLModel, table=True):
    """A building (edificio, civico) of an intervention."""

    __tablename__ = "building"

    code: str = Field(primary_key=True, max_length=60)
    intervention_code: str = Field(foreign_key="intervention.code", max_length=60, index=True)
    address: str | None = Field(default=None, max_length=200)
    municipality: str | None = Field(default=None, max_length=100)
    district: str | None = Field(default=None, max_length=120)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class Unit(SQLModel, table=True):
    """A housing unit (alloggio) with its tenure regime and current status."""

    __tablename__ = "unit"

    code: str = Field(primary_key=True, max_length=60)
    building_code: str = Field(foreign_key="building.code", max_length=60, index=True)
    tenure: str = Field(max_length=40, index=True)
    unit_type: str | None = Field(default=None, max_length=60)
    floor_area_m2: float | None = Field(default=None, sa_type=Money)
    rooms: float | None = Field(default=None, sa_type=Money)
    monthly_rent: float | None = Field(default=None, sa_type=Money)
    status: str | None = Field(default=None, max_length=40)
    floor: int | None = None
    lift: bool | None = None
    step_free: bool | None = None
    monthly_charges: float | None = Field(default=None, sa_type=Money)
    available_from: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
