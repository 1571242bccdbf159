"""one first delivery record per period (a partial unique index)

Before it, two confirmations of one period racing each other (two tabs, a double submit) could both be stored as
the period's first record. Such pairs are joined into one line of history first, nothing deleted: each extra first
record, oldest first, is made to supersede the current record of the line so far, so the latest confirmation is the
period's current record, and the plans concerned are queued for the aggregate worker.

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


def _join_forked_histories(conn: sa.engine.Connection) -> None:
    periods = conn.execute(sa.text(
        "SELECT period_id FROM delivery_records WHERE supersedes_id IS NULL GROUP BY period_id HAVING count(*) > 1"
    )).scalars().all()
    for period_id in periods:
        first, *extra = conn.execute(sa.text(
            "SELECT id FROM delivery_records WHERE period_id = :p AND supersedes_id IS NULL ORDER BY id"),
            {"p": period_id}).scalars().all()
        for record_id in extra:
            tip = first
            while (later := conn.execute(sa.text("SELECT id FROM delivery_records WHERE supersedes_id = :t"),
                                         {"t": tip}).scalar()) is not None:
                tip = later
            conn.execute(sa.text("UPDATE delivery_records SET supersedes_id = :t WHERE id = :r"),
                         {"t": tip, "r": record_id})
        conn.execute(sa.text("INSERT INTO blended_dirty_plans (plan_id) SELECT plan_id FROM plan_periods WHERE id = :p"),
                     {"p": period_id})


def upgrade() -> None:
    _join_forked_histories(op.get_bind())
    op.create_index('uq_delivery_records_first_of_period', 'delivery_records', ['period_id'], unique=True,
                    sqlite_where=sa.text('supersedes_id IS NULL'), postgresql_where=sa.text('supersedes_id IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_delivery_records_first_of_period', table_name='delivery_records')
