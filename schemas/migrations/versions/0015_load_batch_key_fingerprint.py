"""load_batch: the fingerprint of the pseudonymisation key of each load, and whether it held personal data

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-06 11:50:00
"""
from typing import Sequence, Union

from alembic import op
import sqlalchemy as sa
import sqlmodel.sql.sqltypes


revision: str = '0015'
down_revision: Union[str, None] = '0014'
branch_labels: Union[str, Sequence[str], None] = None
depends_on: Union[str, Sequence[str], None] = None


def upgrade() -> None:
    with op.batch_alter_table('load_batch', schema=None) as batch_op:
        batch_op.add_column(sa.Column('key_fingerprint', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True))
        batch_op.add_column(sa.Column('personal_data', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('load_batch', schema=None) as batch_op:
        batch_op.drop_column('personal_data')
        batch_op.drop_column('key_fingerprint')
