"""the figures are computed on the analytics copy: the derived tables of the warehouse and their freshness go

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-06 15:00:00

Every figure now reads the analytics copy (`indicators.store`), rebuilt whole after each load, so the
pre-aggregates kept in the warehouse (each with its builder and freshness row in `aggregate_state`) are
dropped. They held nothing but what can be rebuilt from the ledger, leases, units and cases; going back
means restoring a copy of the warehouse taken before the upgrade.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0018'
down_revision: Union[str, None] = '0017'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

DERIVED = ("lease_month", "lease_charge_day", "building_month", "building_month_by_intervention",
           "building_month_by_fund", "vacancy_month", "vacancy_month_by_intervention", "vacancy_month_by_fund",
           "empty_unit_month", "case_month", "case_instrument_month", "late_case_month", "lease_relet",
           "aggregate_state")


def upgrade() -> None:
    for name in DERIVED:
        op.execute(f"DROP TABLE IF EXISTS {name}")


def downgrade() -> None:
    raise NotImplementedError("Ritorno a una versione precedente alla 0018 non previsto: ripristinare una copia del "
                              "warehouse fatta prima dell'aggiornamento.")
