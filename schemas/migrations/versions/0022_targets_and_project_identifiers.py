"""targets set by direzione (kpi_target) and a funded project's CUP, RUP and implementing body

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-06 17:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0022'
down_revision: Union[str, None] = '0021'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table(
        'kpi_target',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('kpi_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column('value', sa.Numeric(precision=18, scale=4, asdecimal=False), nullable=False),
        sa.Column('note', sa.Text(), nullable=True),
        sa.Column('set_by', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('set_at', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_target')),
    )
    with op.batch_alter_table('kpi_target', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_kpi_target_kpi_code'), ['kpi_code'], unique=False)
    with op.batch_alter_table('funding_project', schema=None) as batch_op:
        batch_op.add_column(sa.Column('cup', sqlmodel.sql.sqltypes.AutoString(length=15), nullable=True))
        batch_op.add_column(sa.Column('rup', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True))
        batch_op.add_column(sa.Column('implementing_body', sqlmodel.sql.sqltypes.AutoString(length=200),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('funding_project', schema=None) as batch_op:
        batch_op.drop_column('implementing_body')
        batch_op.drop_column('rup')
        batch_op.drop_column('cup')
    with op.batch_alter_table('kpi_target', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_kpi_target_kpi_code'))
    op.drop_table('kpi_target')
