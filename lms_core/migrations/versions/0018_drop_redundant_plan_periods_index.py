"""drop plan_periods' own plan_id index: the unique (plan_id, position) index serves every lookup by plan

At province scale (13.65 M planned periods) it was about 300 MB written for nothing on every plan made.

Revision ID: 0018
Revises: 0017
Create Date: 2026-11-24 16:20:00
"""
from __future__ import annotations

from alembic import op

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('plan_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_periods_plan_id'))


def downgrade() -> None:
    with op.batch_alter_table('plan_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_periods_plan_id'), ['plan_id'], unique=False)
