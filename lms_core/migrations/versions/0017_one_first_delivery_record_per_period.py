"""one first delivery record per period (a partial unique index)

Revision ID: 0017
Revises: 0016
Create Date: 2026-11-24 15:10:00
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index('uq_delivery_records_first_of_period', 'delivery_records', ['period_id'], unique=True,
                    sqlite_where=sa.text('supersedes_id IS NULL'), postgresql_where=sa.text('supersedes_id IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_delivery_records_first_of_period', table_name='delivery_records')
