"""Calls for applications (avvisi), applications for allocation (domande) and yearly eviction statistics (sfratti)."""

from datetime import date

from sqlmodel import Field, SQLModel

from schemas.columns import Money


class HousingCall(SQLModel, table=True):
    """A call for applications (avviso): the interventions it lets, its dates and the scoring rules it uses."""

    __tablename__ = "housing_call"

    code: str = Field(primary_key=True, max_length=60)
    title: str = Field(max_length=200)
    municipality: str | None = Field(default=None, max_length=100)
    intervention_codes: str = Field(max_length=600)  # codes separated by ";" as the file gives them
    opens_on: date | None = None
    closes_on: date | None = None
    works_end: date | None = None
    rules: str | None = Field(default=None, max_length=60)  # a rule set of the scoring file
    isee_max: float | None = Field(default=None, sa_type=Money)
    income_min: float | None = Field(default=None, sa_type=Money)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class Application(SQLModel, table=True):
    """An application for a social-housing unit and its outcome."""

    __tablename__ = "application"

    code: str = Field(primary_key=True, max_length=60)
    applied_on: date = Field(index=True)
    municipality: str | None = Field(default=None, max_length=100)
    call: str | None = Field(default=None, max_length=120)
    members: int | None = None
    isee: float | None = Field(default=None, sa_type=Money)
    outcome: str | None = Field(default=None, max_length=20)
    outcome_date: date | None = None
    unit_code: str | None = Field(default=None, foreign_key="unit.code", max_length=60)
    # the applicant household: a code of the user's system, its identifiers only as keyed hashes
    household_code: str | None = Field(default=None, max_length=60)
    applicant_hash: str | None = Field(default=None, max_length=64)
    applicant_name_hash: str | None = Field(default=None, max_length=64)
    annual_income: float | None = Field(default=None, sa_type=Money)
    score: float | None = Field(default=None, sa_type=Money)
    # priority and accessory criteria the score is built from
    eviction: bool | None = None
    elderly: bool | None = None
    disability: bool | None = None
    single_parent: bool | None = None
    young_couple: bool | None = None
    local_tie: bool | None = None
    years_waiting: int | None = None
    needs_step_free: bool | None = None
    preferred: str | None = Field(default=None, max_length=300)  # Comuni or interventions, separated by ";"
    # the phases of the selection
    eligible_on: date | None = None
    shortlisted_on: date | None = None
    offered_on: date | None = None
    answered_on: date | None = None
    offer_answer: str | None = Field(default=None, max_length=20)
    contract_on: date | None = None
    keys_on: date | None = None
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")


class EvictionStat(SQLModel, table=True):
    """Evictions validated by the court and carried out, per Comune and year."""

    __tablename__ = "eviction_stat"

    id: int | None = Field(default=None, primary_key=True)
    row_key: str = Field(max_length=200, unique=True)
    municipality: str = Field(max_length=100)
    year: int
    validated: int | None = None
    executed: int | None = None
    reason: str | None = Field(default=None, max_length=60)
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
