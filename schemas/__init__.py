"""The warehouse tables. Importing this package registers every table on `SQLModel.metadata`."""

from sqlmodel import SQLModel

# Named constraints, so that Alembic's batch mode on SQLite can alter them later.
SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}

from schemas.access import AppUser, AuditEvent, LoginThrottle, UserSession  # noqa: E402  (after the convention)
from schemas.allocations import Application, EvictionStat, HousingCall  # noqa: E402
from schemas.benchmarks import BenchmarkValue  # noqa: E402
from schemas.budgets import BudgetVersion, BudgetVersionLine  # noqa: E402
from schemas.community import CommunityActivity  # noqa: E402
from schemas.facilities import Ticket
from schemas.finance import ActualCost, BudgetLine
from schemas.funding import FundingProject
from schemas.labs import ContextIndicator, Lab, LabActivity
from schemas.lab_records import (LabCofinancing, LabEvaluationNote, LabJudgement, LabObjective, LabPartner,
                                 LabPresidio, LabTargetGroup)
from schemas.ledger import ArrearsCaseEvent, LedgerEntry
from schemas.loads import LoadBatch, QuarantinedRow
from schemas.portfolio import Building, Intervention, Unit
from schemas.targets import KpiTarget
from schemas.tenancy import Household, Lease

metadata = SQLModel.metadata

__all__ = [
    "ActualCost", "AppUser", "Application", "ArrearsCaseEvent", "AuditEvent", "BenchmarkValue", "BudgetLine",
    "BudgetVersion", "BudgetVersionLine", "Building", "CommunityActivity", "ContextIndicator", "EvictionStat",
    "FundingProject", "Household", "HousingCall", "Intervention", "KpiTarget", "Lab", "LabActivity", "LabCofinancing",
    "LabEvaluationNote", "LabJudgement", "LabObjective", "LabPartner", "LabPresidio", "LabTargetGroup", "Lease",
    "LedgerEntry", "LoadBatch", "LoginThrottle", "QuarantinedRow", "Ticket", "Unit", "UserSession", "metadata",
]
