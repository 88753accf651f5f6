"""case figures pre-aggregated: outcomes and plans in case_month, case_instrument_month, late_case_month

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 17:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0012'
down_revision: Union[str, None] = '0011'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

NEW_COUNTS = ('running', 'evicted', 'in_progress', 'closed_other', 'plans')


def upgrade() -> None:
    with op.batch_alter_table('case_month', schema=None) as batch_op:
        for name in NEW_COUNTS:
            batch_op.add_column(sa.Column(name, sa.Integer(), nullable=False, server_default='0'))
        for name in ('planned', 'recovered'):
            batch_op.add_column(sa.Column(name, sa.Float(), nullable=False, server_default='0'))
    op.create_table('case_instrument_month',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('building_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('instrument', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('cases', sa.Integer(), nullable=False),
    sa.Column('amount', sa.Float(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('in_progress', sa.Integer(), nullable=False),
    sa.Column('evicted', sa.Integer(), nullable=False),
    sa.Column('closed_other', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_key', 'building_code', 'instrument', name=op.f('pk_case_instrument_month')),
    sqlite_with_rowid=False
    )
    op.create_table('late_case_month',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('case_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('lease_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('unit_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('building_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('opened_on', sa.Date(), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('last_event', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('last_event_on', sa.Date(), nullable=False),
    sa.Column('overdue_step', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('days_late', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_key', 'case_code', name=op.f('pk_late_case_month')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('late_case_month', schema=None) as batch_op:
        batch_op.create_index('ix_late_case_month_building', ['month_key', 'building_code'], unique=False)
    # The case counts were built without the new columns: rebuilt by the next `ensure_fresh`.
    op.execute("DELETE FROM aggregate_state WHERE name IN ('cases', 'case_plans')")


def downgrade() -> None:
    op.execute("DELETE FROM aggregate_state WHERE name IN ('cases', 'case_plans')")
    with op.batch_alter_table('late_case_month', schema=None) as batch_op:
        batch_op.drop_index('ix_late_case_month_building')
    op.drop_table('late_case_month')
    op.drop_table('case_instrument_month')
    with op.batch_alter_table('case_month', schema=None) as batch_op:
        for name in ('recovered', 'planned', *reversed(NEW_COUNTS)):
            batch_op.drop_column(name)
