"""shared repository: search index (entries, postings clustered by token on SQLite) and material reuses

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-24 03:24:52.529766
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('repository_postings',
    sa.Column('token', sa.String(length=64), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('tf', sa.Float(), nullable=False),
    sa.Column('section', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_repository_postings_material_id_materials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('token', 'material_id', name=op.f('pk_repository_postings')),
    sqlite_with_rowid=False
    )
    with op.batch_alter_table('repository_postings', schema=None) as batch_op:
        batch_op.create_index('ix_repository_postings_material_id', ['material_id'], unique=False)

    op.create_table('material_reuses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('purpose', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_material_reuses_material_id_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_material_reuses_school_id_schools'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_material_reuses_user_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_material_reuses_version_id_material_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_reuses')),
    sa.UniqueConstraint('user_id', 'version_id', name=op.f('uq_material_reuses_user_id_version_id'))
    )
    with op.batch_alter_table('material_reuses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_reuses_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_reuses_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_reuses_user_id'), ['user_id'], unique=False)

    op.create_table('repository_entries',
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('length', sa.Float(), nullable=False),
    sa.Column('source_sha256', sa.String(length=64), nullable=False),
    sa.Column('published_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('indexed_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('reuse_count', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_repository_entries_material_id_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_repository_entries_version_id_material_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('material_id', name=op.f('pk_repository_entries'))
    )
    with op.batch_alter_table('repository_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_repository_entries_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_repository_entries_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('repository_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_repository_entries_version_id'))
        batch_op.drop_index(batch_op.f('ix_repository_entries_published_at'))

    op.drop_table('repository_entries')
    with op.batch_alter_table('material_reuses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_reuses_user_id'))
        batch_op.drop_index(batch_op.f('ix_material_reuses_school_id'))
        batch_op.drop_index(batch_op.f('ix_material_reuses_material_id'))

    op.drop_table('material_reuses')
    with op.batch_alter_table('repository_postings', schema=None) as batch_op:
        batch_op.drop_index('ix_repository_postings_material_id')

    op.drop_table('repository_postings')
