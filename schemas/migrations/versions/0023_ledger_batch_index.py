"""the ledger's movements are found by their load: the analytics build reads only the loads after its last copy

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-06 18:00:00

After a monthly load the analytics copy keeps its previous rows and reads from the warehouse only the rows of the
later loads (`batch_id` above the copy's last batch): on a ledger of tens of millions of movements that read needs
an index on `batch_id`.
"""
from typing import Sequence, Union

from alembic import op

revision: str = '0023'
down_revision: Union[str, None] = '0022'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_index("ix_ledger_entry_batch_id", "ledger_entry", ["batch_id"])


def downgrade() -> None:
    op.drop_index("ix_ledger_entry_batch_id", table_name="ledger_entry")
