"""Funded projects (finanziamenti): programmed, admitted, committed and paid amounts, as funders report them."""

from datetime import date

from sqlmodel import Field, SQLModel

from schemas.columns import Money


class FundingProject(SQLModel, table=True):
    """A project's funding as a programme reports it (seed 004): four amounts at the date of the report."""

    __tablename__ = "funding_project"

    code: str = Field(primary_key=True, max_length=60)
    title: str = Field(max_length=300)
    programme: str | None = Field(default=None, max_length=200)
    intervention_code: str | None = Field(default=None, foreign_key="intervention.code", max_length=60)
    start_date: date | None = None
    end_date: date | None = None
    programmed: float | None = Field(default=None, sa_type=Money)
    admitted: float | None = Field(default=None, sa_type=Money)
    committed: float | None = Field(default=None, sa_type=Money)
    paid: float | None = Field(default=None, sa_type=Money)
    cup: str | None = Field(default=None, max_length=15)  # Codice Unico di Progetto (15 characters)
    rup: str | None = Field(default=None, max_length=120)  # Responsabile Unico del Procedimento, as published
    implementing_body: str | None = Field(default=None, max_length=200)  # soggetto attuatore
    batch_id: int | None = Field(default=None, foreign_key="load_batch.id")
