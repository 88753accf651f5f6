"""vacancy month pre-aggregate

Revision ID: 0010
Revises: 0008
Create Date: 2026-11-22 09:10:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0010'
down_revision: Union[str, None] = '0008'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('vacancy_month',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('building_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('tenure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('sgr', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('empty', sa.Integer(), nullable=False),
    sa.Column('unit_days', sa.Integer(), nullable=False),
    sa.Column('empty_days', sa.Integer(), nullable=False),
    sa.Column('ended', sa.Integer(), nullable=False),
    sa.Column('void_rent_m1', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('void_units_m1', sa.Integer(), nullable=False),
    sa.Column('no_rent_m1', sa.Integer(), nullable=False),
    sa.Column('void_rent_y1', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('void_units_y1', sa.Integer(), nullable=False),
    sa.Column('no_rent_y1', sa.Integer(), nullable=False),
    sa.Column('void_rent_ytd', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=False),
    sa.Column('void_units_ytd', sa.Integer(), nullable=False),
    sa.Column('no_rent_ytd', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_key', 'building_code', 'tenure', 'available', name=op.f('pk_vacancy_month')),
    sqlite_with_rowid=False
    )


def downgrade() -> None:
    op.drop_table('vacancy_month')
