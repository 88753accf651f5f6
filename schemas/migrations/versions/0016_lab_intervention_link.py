"""a lab's intervention: lab.intervention_code (the labs whose activity is a gestore's community work)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-06 11:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0016'
down_revision: Union[str, None] = '0015'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('lab', schema=None) as batch_op:
        batch_op.add_column(sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True))
        batch_op.create_index(batch_op.f('ix_lab_intervention_code'), ['intervention_code'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_lab_intervention_code_intervention'), 'intervention',
                                    ['intervention_code'], ['code'])


def downgrade() -> None:
    with op.batch_alter_table('lab', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_lab_intervention_code_intervention'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_lab_intervention_code'))
        batch_op.drop_column('intervention_code')
