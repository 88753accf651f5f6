"""units empty at the last 25 month ends: empty_unit_month (the longest-empty list)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 19:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0013'
down_revision: Union[str, None] = '0012'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('empty_unit_month',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('last_end', sa.Date(), nullable=True),
    sa.Column('days_empty', sa.Integer(), nullable=True),
    sa.PrimaryKeyConstraint('month_key', 'unit_code', name=op.f('pk_empty_unit_month')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('empty_unit_month', schema=None) as batch_op:
        batch_op.create_index('ix_empty_unit_month_days', ['month_key', 'days_empty'], unique=False)
    # The vacancy pre-aggregate was built without the list: rebuilt by the next `ensure_fresh`.
    op.execute("DELETE FROM aggregate_state WHERE name = 'vacancy'")


def downgrade() -> None:
    op.execute("DELETE FROM aggregate_state WHERE name = 'vacancy'")
    with op.batch_alter_table('empty_unit_month', schema=None) as batch_op:
        batch_op.drop_index('ix_empty_unit_month_days')
    op.drop_table('empty_unit_month')
