"""vacancy month pre-aggregate, and per-intervention and per-fund copies of building_month and vacancy_month

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
    sa.Column('unit_days_y1', sa.Integer(), nullable=False),
    sa.Column('empty_days_y1', sa.Integer(), nullable=False),
    sa.Column('unit_days_ytd', sa.Integer(), nullable=False),
    sa.Column('empty_days_ytd', sa.Integer(), nullable=False),
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
    op.create_table('building_month_by_intervention',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('tenure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('sgr', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('leases', sa.Integer(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Float(), nullable=False),
    sa.Column('stock_former', sa.Float(), nullable=False),
    sa.Column('contracts_in_arrears', sa.Integer(), nullable=False),
    sa.Column('active_leases', sa.Integer(), nullable=False),
    sa.Column('stock_active', sa.Float(), nullable=False),
    sa.Column('annual_rent', sa.Float(), nullable=False),
    sa.Column('households_overdue', sa.Integer(), nullable=False),
    sa.Column('charged_m1', sa.Float(), nullable=False),
    sa.Column('unpaid_m1', sa.Float(), nullable=False),
    sa.Column('collected_m1', sa.Float(), nullable=False),
    sa.Column('cash_m1', sa.Float(), nullable=False),
    sa.Column('charged_y1', sa.Float(), nullable=False),
    sa.Column('unpaid_y1', sa.Float(), nullable=False),
    sa.Column('collected_y1', sa.Float(), nullable=False),
    sa.Column('cash_y1', sa.Float(), nullable=False),
    sa.Column('charged_ytd', sa.Float(), nullable=False),
    sa.Column('unpaid_ytd', sa.Float(), nullable=False),
    sa.Column('collected_ytd', sa.Float(), nullable=False),
    sa.Column('cash_ytd', sa.Float(), nullable=False),
    sa.Column('aged_30', sa.Float(), nullable=False),
    sa.Column('aged_30_n', sa.Integer(), nullable=False),
    sa.Column('aged_60', sa.Float(), nullable=False),
    sa.Column('aged_60_n', sa.Integer(), nullable=False),
    sa.Column('aged_90', sa.Float(), nullable=False),
    sa.Column('aged_90_n', sa.Integer(), nullable=False),
    sa.Column('aged_365', sa.Float(), nullable=False),
    sa.Column('aged_365_n', sa.Integer(), nullable=False),
    sa.Column('aged_730', sa.Float(), nullable=False),
    sa.Column('aged_730_n', sa.Integer(), nullable=False),
    sa.Column('aged_over', sa.Float(), nullable=False),
    sa.Column('aged_over_n', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_key', 'intervention_code', 'tenure', name=op.f('pk_building_month_by_intervention')),
    sqlite_with_rowid=False
    )
    # A warehouse at 0008 may hold a fresh building_month: its copy per intervention is filled from it here, as
    # `indicators.rollups.build` does, so that the two agree without rebuilding building_month.
    op.execute("""INSERT INTO building_month_by_intervention (month_key, intervention_code, tenure, fund, sgr, leases, moves, stock, stock_former, contracts_in_arrears, active_leases, stock_active, annual_rent, households_overdue, charged_m1, unpaid_m1, collected_m1, cash_m1, charged_y1, unpaid_y1, collected_y1, cash_y1, charged_ytd, unpaid_ytd, collected_ytd, cash_ytd, aged_30, aged_30_n, aged_60, aged_60_n, aged_90, aged_90_n, aged_365, aged_365_n, aged_730, aged_730_n, aged_over, aged_over_n)
        SELECT month_key, intervention_code, tenure, MIN(fund), MIN(sgr), SUM(leases), SUM(moves), ROUND(SUM(stock), 2), ROUND(SUM(stock_former), 2), SUM(contracts_in_arrears), SUM(active_leases), ROUND(SUM(stock_active), 2), ROUND(SUM(annual_rent), 2), SUM(households_overdue), ROUND(SUM(charged_m1), 2), ROUND(SUM(unpaid_m1), 2), ROUND(SUM(collected_m1), 2), ROUND(SUM(cash_m1), 2), ROUND(SUM(charged_y1), 2), ROUND(SUM(unpaid_y1), 2), ROUND(SUM(collected_y1), 2), ROUND(SUM(cash_y1), 2), ROUND(SUM(charged_ytd), 2), ROUND(SUM(unpaid_ytd), 2), ROUND(SUM(collected_ytd), 2), ROUND(SUM(cash_ytd), 2), ROUND(SUM(aged_30), 2), SUM(aged_30_n), ROUND(SUM(aged_60), 2), SUM(aged_60_n), ROUND(SUM(aged_90), 2), SUM(aged_90_n), ROUND(SUM(aged_365), 2), SUM(aged_365_n), ROUND(SUM(aged_730), 2), SUM(aged_730_n), ROUND(SUM(aged_over), 2), SUM(aged_over_n)
        FROM building_month GROUP BY month_key, intervention_code, tenure ORDER BY month_key, intervention_code, tenure""")
    op.create_table('vacancy_month_by_intervention',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('intervention_code', sqlmodel.sql.sqltypes.AutoString(length=60), nullable=False),
    sa.Column('tenure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('sgr', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('empty', sa.Integer(), nullable=False),
    sa.Column('unit_days', sa.Integer(), nullable=False),
    sa.Column('empty_days', sa.Integer(), nullable=False),
    sa.Column('ended', sa.Integer(), nullable=False),
    sa.Column('unit_days_y1', sa.Integer(), nullable=False),
    sa.Column('empty_days_y1', sa.Integer(), nullable=False),
    sa.Column('unit_days_ytd', sa.Integer(), nullable=False),
    sa.Column('empty_days_ytd', sa.Integer(), nullable=False),
    sa.Column('void_rent_m1', sa.Float(), nullable=False),
    sa.Column('void_units_m1', sa.Integer(), nullable=False),
    sa.Column('no_rent_m1', sa.Integer(), nullable=False),
    sa.Column('void_rent_y1', sa.Float(), nullable=False),
    sa.Column('void_units_y1', sa.Integer(), nullable=False),
    sa.Column('no_rent_y1', sa.Integer(), nullable=False),
    sa.Column('void_rent_ytd', sa.Float(), nullable=False),
    sa.Column('void_units_ytd', sa.Integer(), nullable=False),
    sa.Column('no_rent_ytd', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('month_key', 'intervention_code', 'tenure', 'available', name=op.f('pk_vacancy_month_by_intervention')),
    sqlite_with_rowid=False
    )

    op.create_table('building_month_by_fund',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('tenure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('sgr', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('leases', sa.Integer(), nullable=False),
    sa.Column('moves', sa.Integer(), nullable=False),
    sa.Column('stock', sa.Float(), nullable=False),
    sa.Column('stock_former', sa.Float(), nullable=False),
    sa.Column('contracts_in_arrears', sa.Integer(), nullable=False),
    sa.Column('active_leases', sa.Integer(), nullable=False),
    sa.Column('stock_active', sa.Float(), nullable=False),
    sa.Column('annual_rent', sa.Float(), nullable=False),
    sa.Column('households_overdue', sa.Integer(), nullable=False),
    sa.Column('charged_m1', sa.Float(), nullable=False),
    sa.Column('unpaid_m1', sa.Float(), nullable=False),
    sa.Column('collected_m1', sa.Float(), nullable=False),
    sa.Column('cash_m1', sa.Float(), nullable=False),
    sa.Column('charged_y1', sa.Float(), nullable=False),
    sa.Column('unpaid_y1', sa.Float(), nullable=False),
    sa.Column('collected_y1', sa.Float(), nullable=False),
    sa.Column('cash_y1', sa.Float(), nullable=False),
    sa.Column('charged_ytd', sa.Float(), nullable=False),
    sa.Column('unpaid_ytd', sa.Float(), nullable=False),
    sa.Column('collected_ytd', sa.Float(), nullable=False),
    sa.Column('cash_ytd', sa.Float(), nullable=False),
    sa.Column('aged_30', sa.Float(), nullable=False),
    sa.Column('aged_30_n', sa.Integer(), nullable=False),
    sa.Column('aged_60', sa.Float(), nullable=False),
    sa.Column('aged_60_n', sa.Integer(), nullable=False),
    sa.Column('aged_90', sa.Float(), nullable=False),
    sa.Column('aged_90_n', sa.Integer(), nullable=False),
    sa.Column('aged_365', sa.Float(), nullable=False),
    sa.Column('aged_365_n', sa.Integer(), nullable=False),
    sa.Column('aged_730', sa.Float(), nullable=False),
    sa.Column('aged_730_n', sa.Integer(), nullable=False),
    sa.Column('aged_over', sa.Float(), nullable=False),
    sa.Column('aged_over_n', sa.Integer(), nullable=False),
    )
    op.create_index(op.f('ix_building_month_by_fund_month_key'), 'building_month_by_fund', ['month_key'], unique=False)
    op.execute("""INSERT INTO building_month_by_fund (month_key, tenure, fund, sgr, leases, moves, stock, stock_former, contracts_in_arrears, active_leases, stock_active, annual_rent, households_overdue, charged_m1, unpaid_m1, collected_m1, cash_m1, charged_y1, unpaid_y1, collected_y1, cash_y1, charged_ytd, unpaid_ytd, collected_ytd, cash_ytd, aged_30, aged_30_n, aged_60, aged_60_n, aged_90, aged_90_n, aged_365, aged_365_n, aged_730, aged_730_n, aged_over, aged_over_n)
        SELECT month_key, tenure, fund, sgr, SUM(leases), SUM(moves), ROUND(SUM(stock), 2), ROUND(SUM(stock_former), 2), SUM(contracts_in_arrears), SUM(active_leases), ROUND(SUM(stock_active), 2), ROUND(SUM(annual_rent), 2), SUM(households_overdue), ROUND(SUM(charged_m1), 2), ROUND(SUM(unpaid_m1), 2), ROUND(SUM(collected_m1), 2), ROUND(SUM(cash_m1), 2), ROUND(SUM(charged_y1), 2), ROUND(SUM(unpaid_y1), 2), ROUND(SUM(collected_y1), 2), ROUND(SUM(cash_y1), 2), ROUND(SUM(charged_ytd), 2), ROUND(SUM(unpaid_ytd), 2), ROUND(SUM(collected_ytd), 2), ROUND(SUM(cash_ytd), 2), ROUND(SUM(aged_30), 2), SUM(aged_30_n), ROUND(SUM(aged_60), 2), SUM(aged_60_n), ROUND(SUM(aged_90), 2), SUM(aged_90_n), ROUND(SUM(aged_365), 2), SUM(aged_365_n), ROUND(SUM(aged_730), 2), SUM(aged_730_n), ROUND(SUM(aged_over), 2), SUM(aged_over_n)
        FROM building_month GROUP BY month_key, tenure, fund, sgr ORDER BY month_key, tenure, fund, sgr""")
    op.create_table('vacancy_month_by_fund',
    sa.Column('month_key', sa.Integer(), nullable=False),
    sa.Column('tenure', sqlmodel.sql.sqltypes.AutoString(length=40), nullable=False),
    sa.Column('available', sa.Integer(), nullable=False),
    sa.Column('fund', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('sgr', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('units', sa.Integer(), nullable=False),
    sa.Column('empty', sa.Integer(), nullable=False),
    sa.Column('unit_days', sa.Integer(), nullable=False),
    sa.Column('empty_days', sa.Integer(), nullable=False),
    sa.Column('ended', sa.Integer(), nullable=False),
    sa.Column('unit_days_y1', sa.Integer(), nullable=False),
    sa.Column('empty_days_y1', sa.Integer(), nullable=False),
    sa.Column('unit_days_ytd', sa.Integer(), nullable=False),
    sa.Column('empty_days_ytd', sa.Integer(), nullable=False),
    sa.Column('void_rent_m1', sa.Float(), nullable=False),
    sa.Column('void_units_m1', sa.Integer(), nullable=False),
    sa.Column('no_rent_m1', sa.Integer(), nullable=False),
    sa.Column('void_rent_y1', sa.Float(), nullable=False),
    sa.Column('void_units_y1', sa.Integer(), nullable=False),
    sa.Column('no_rent_y1', sa.Integer(), nullable=False),
    sa.Column('void_rent_ytd', sa.Float(), nullable=False),
    sa.Column('void_units_ytd', sa.Integer(), nullable=False),
    sa.Column('no_rent_ytd', sa.Integer(), nullable=False),
    )
    op.create_index(op.f('ix_vacancy_month_by_fund_month_key'), 'vacancy_month_by_fund', ['month_key'], unique=False)


def downgrade() -> None:
    op.drop_table('vacancy_month_by_fund')
    op.drop_table('building_month_by_fund')
    op.drop_table('vacancy_month_by_intervention')
    op.drop_table('building_month_by_intervention')
    op.drop_table('vacancy_month')
