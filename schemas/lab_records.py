"""The evaluators' records per lab: objectives and their status, partners, co-financing, presidi, target groups,
judgements (continuity, transferability...) and notes from interviews and visits. Each row is keyed by its
natural key joined in `row_key`, like the lab's activity register."""

from datetime import date

from sqlalchemy import Text
from sqlmodel import Field, SQLModel

from schemas.columns import Money


class LabObjective(SQLModel, table=True):
    """An objective the lab planned in one ambito, and whether it was reached (with the evidence)."""

    __tablename__ = "lab_objective"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    area_of_action: str = Field(max_length=30)
    objective: str = Field(max_length=300)
    status: str = Field(max_length=30, description="raggiunto, parzialmente_raggiunto, non_raggiunto")
    evidence: str | None = Field(default=None, sa_type=Text)
    assessed_on: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabPartner(SQLModel, table=True):
    """A body in the lab's partnership and its role."""

    __tablename__ = "lab_partner"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    partner: str = Field(max_length=200)
    body_type: str | None = Field(default=None, max_length=30)
    role: str = Field(max_length=30)
    partnership: str | None = Field(default=None, max_length=30)
    tasks: str | None = Field(default=None, sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabCofinancing(SQLModel, table=True):
    """A partner's share of the project's cost (money, staff, services or spaces, valued in euro)."""

    __tablename__ = "lab_cofinancing"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    body: str = Field(max_length=200)
    contribution_type: str = Field(max_length=30)
    amount: float = Field(sa_type=Money)
    notes: str | None = Field(default=None, sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabPresidio(SQLModel, table=True):
    """A social presidio (the lab's space in the neighbourhood)."""

    __tablename__ = "lab_presidio"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    name: str = Field(max_length=200)
    address: str | None = Field(default=None, max_length=200)
    space_type: str | None = Field(default=None, max_length=30)
    in_district: bool | None = None
    weekly_hours: float | None = Field(default=None, sa_type=Money)
    opened_on: date | None = None
    closed_on: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabTargetGroup(SQLModel, table=True):
    """A group the lab addressed, with the households planned and reached."""

    __tablename__ = "lab_target_group"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    target_group: str = Field(max_length=30)
    description: str | None = Field(default=None, sa_type=Text)
    households_planned: int | None = None
    households_reached: int | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabJudgement(SQLModel, table=True):
    """The evaluators' judgement of one aspect (continuity, transferability, partnership, financial autonomy)."""

    __tablename__ = "lab_judgement"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    aspect: str = Field(max_length=30)
    judgement: str = Field(max_length=30)
    reason: str | None = Field(default=None, sa_type=Text)
    assessed_on: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class LabEvaluationNote(SQLModel, table=True):
    """A note from an interview, a visit or a report, on one topic (strength, weakness, unexpected effect...)."""

    __tablename__ = "lab_evaluation_note"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=400, unique=True)
    lab_code: str = Field(foreign_key="lab.code", max_length=80, index=True)
    noted_on: date
    source: str = Field(max_length=30)
    interlocutor: str | None = Field(default=None, max_length=200)
    topic: str = Field(max_length=30)
    note: str = Field(sa_type=Text)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
