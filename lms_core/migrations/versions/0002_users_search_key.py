"""users: an accent-free search key, filled for existing users

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

from lms_core.text import fold

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.add_column(sa.Column("search_key", sa.String(length=200), nullable=True))
        batch_op.create_index(batch_op.f("ix_users_search_key"), ["search_key"], unique=False)
    users = sa.table("users", sa.column("id", sa.Integer), sa.column("full_name", sa.String),
                     sa.column("username", sa.String), sa.column("search_key", sa.String))
    conn = op.get_bind()
    rows = conn.execute(sa.select(users.c.id, users.c.full_name, users.c.username)).all()
    for user_id, full_name, username in rows:
        key = f"{fold(full_name)} {username} {fold(username)}"[:200]  # as accounts.models.search_key
        conn.execute(users.update().where(users.c.id == user_id).values(search_key=key))


def downgrade() -> None:
    with op.batch_alter_table("users", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_users_search_key"))
        batch_op.drop_column("search_key")
