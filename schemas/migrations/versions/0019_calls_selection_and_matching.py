"""calls for applications (housing_call), the selection's data on applications and units' access and charges

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-06 17:30:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes

revision: str = '0019'
down_revision: Union[str, None] = '0018'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None

MONEY = sa.Numeric(14, 2, asdecimal=False)
APPLICATION_COLUMNS = (
    ('household_code', sqlmodel.sql.sqltypes.AutoString(length=60)),
    ('applicant_hash', sqlmodel.sql.sqltypes.AutoString(length=64)),
    ('applicant_name_hash', sqlmodel.sql.sqltypes.AutoString(length=64)),
    ('annual_income', MONEY), ('score', MONEY),
    ('eviction', sa.Boolean()), ('elderly', sa.Boolean()), ('disability', sa.Boolean()),
    ('single_parent', sa.Boolean()), ('young_couple', sa.Boolean()), ('local_tie', sa.Boolean()),
    ('years_waiting', sa.Integer()), ('needs_step_free', sa.Boolean()),
    ('preferred', sqlmodel.sql.sqltypes.AutoString(length=300)),
    ('eligible_on', sa.Date()), ('shortlisted_on', sa.Date()), ('offered_on', sa.Date()), ('answered_on', sa.Date()),
    ('offer_answer', sqlmodel.sql.sqltypes.AutoString(length=20)), ('contract_on', sa.Date()), ('keys_on', sa.Date()),
)
UNIT_COLUMNS = (('floor', sa.Integer()), ('lift', sa.Boolean()), ('step_free', sa.Boolean()),
                ('monthly_charges', MONEY), ('available_from', sa.Date()))


def upgrade() -> None:
    op.create_table(
        'housing_call',
        sa.Column('code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
        sa.Column('title', sqlmodel.sql.sqltypes.AutoString(length=200), nullable=False),
        sa.Column('municipality', sqlmodel.sql.sqltypes.AutoString(length=100), nullable=True),
        sa.Column('intervention_codes', sqlmodel.sql.sqltypes.AutoString(length=600), nullable=False),
        sa.Column('opens_on', sa.Date(), nullable=True),
        sa.Column('closes_on', sa.Date(), nullable=True),
        sa.Column('works_end', sa.Date(), nullable=True),
        sa.Column('rules', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=True),
        sa.Column('isee_max', MONEY, nullable=True),
        sa.Column('income_min', MONEY, nullable=True),
        sa.Column('batch_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['batch_id'], ['load_batch.id'], name=op.f('fk_housing_call_batch_id_load_batch')),
        sa.PrimaryKeyConstraint('code', name=op.f('pk_housing_call')),
    )
    with op.batch_alter_table('application', schema=None) as batch_op:
        for name, type_ in APPLICATION_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for name, type_ in UNIT_COLUMNS:
            batch_op.add_column(sa.Column(name, type_, nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('unit', schema=None) as batch_op:
        for name, _ in reversed(UNIT_COLUMNS):
            batch_op.drop_column(name)
    with op.batch_alter_table('application', schema=None) as batch_op:
        for name, _ in reversed(APPLICATION_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table('housing_call')
