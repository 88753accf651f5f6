"""the gestore's community register (community_activity) and the household's annual income

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-06 17:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0021'
down_revision: Union[str, None] = '0020'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    op.create_table('community_activity',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('row_key', sqlmodel.sql.sqltypes.AutoString(length=400), nullable=False),
    sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('building_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
    sa.Column('activity_date', sa.Date(), nullable=False),
    sa.Column('activity_type', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('participants', sa.Integer(), nullable=True),
    sa.Column('households_reached', sa.Integer(), nullable=True),
    sa.Column('hours', sa.Numeric(precision=14, scale=2, asdecimal=False), nullable=True),
    sa.Column('partners', sqlmodel.sql.sqltypes.AutoString(length=300), nullable=True),
    sa.Column('batch_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['batch_id'], ['load_batch.id'], name=op.f('fk_community_activity_batch_id_load_batch')),
    sa.ForeignKeyConstraint(['building_code'], ['building.code'],
                            name=op.f('fk_community_activity_building_code_building')),
    sa.ForeignKeyConstraint(['intervention_code'], ['intervention.code'],
                            name=op.f('fk_community_activity_intervention_code_intervention')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_community_activity')),
    sa.UniqueConstraint('row_key', name=op.f('uq_community_activity_row_key'))
    )
    with op.batch_alter_table('community_activity', schema=None) as batch_op:
        batch_op.create_index('ix_community_activity_intervention_date', ['intervention_code', 'activity_date'],
                              unique=False)
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.add_column(sa.Column('annual_income', sa.Numeric(precision=14, scale=2, asdecimal=False),
                                      nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('household', schema=None) as batch_op:
        batch_op.drop_column('annual_income')
    with op.batch_alter_table('community_activity', schema=None) as batch_op:
        batch_op.drop_index('ix_community_activity_intervention_date')
    op.drop_table('community_activity')
