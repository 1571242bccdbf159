"""one first delivery record per period (a partial unique index)

Before it, two confirmations of one period racing each other (two tabs, a double submit) could both be stored as
the period's first record, each perhaps corrected since. Such lines of history are joined into one first, nothing
deleted: ordered by their latest record, each line's first record is made to supersede the previous line's latest
one, so the period's current record stays the one entered last. The plans concerned are queued for the worker.

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


def _latest(conn: sa.engine.Connection, record_id: int) -> int:
    """Return the last record of the line of corrections that starts at a record."""
    while (later := conn.execute(sa.text("SELECT id FROM delivery_records WHERE supersedes_id = :t"),
                                 {"t": record_id}).scalar()) is not None:
        record_id = later
    return record_id


def _join_forked_histories(conn: sa.engine.Connection) -> None:
    periods = conn.execute(sa.text(
        "SELECT period_id FROM delivery_records WHERE supersedes_id IS NULL GROUP BY period_id HAVING count(*) > 1"
    )).scalars().all()
    for period_id in periods:
        firsts = conn.execute(sa.text(
            "SELECT id FROM delivery_records WHERE period_id = :p AND supersedes_id IS NULL"),
            {"p": period_id}).scalars().all()
        lines = sorted((_latest(conn, first), first) for first in firsts)  # (latest record, first record)
        for (previous_latest, _), (_, first) in zip(lines, lines[1:]):
            conn.execute(sa.text("UPDATE delivery_records SET supersedes_id = :t WHERE id = :r"),
                         {"t": previous_latest, "r": first})
        conn.execute(sa.text("INSERT INTO blended_dirty_plans (plan_id) SELECT plan_id FROM plan_periods WHERE id = :p"),
                     {"p": period_id})


def upgrade() -> None:
    _join_forked_histories(op.get_bind())
    op.create_index('uq_delivery_records_first_of_period', 'delivery_records', ['period_id'], unique=True,
                    sqlite_where=sa.text('supersedes_id IS NULL'), postgresql_where=sa.text('supersedes_id IS NULL'))


def downgrade() -> None:
    op.drop_index('uq_delivery_records_first_of_period', table_name='delivery_records')
