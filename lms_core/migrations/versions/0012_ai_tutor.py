"""ai tutor: chunks, embedding cache, shards, course policies, exchanges

Revision ID: 0012
Revises: 0011
Create Date: 2026-11-24 07:11:37.076182
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('tutor_embeddings',
    sa.Column('model', sa.String(length=200), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('dim', sa.Integer(), nullable=False),
    sa.Column('vector', sa.LargeBinary(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('model', 'text_sha256', name=op.f('pk_tutor_embeddings'))
    )
    op.create_table('tutor_shards',
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('generation', sa.Integer(), nullable=False),
    sa.Column('built_generation', sa.Integer(), nullable=False),
    sa.Column('chunks', sa.Integer(), nullable=False),
    sa.Column('built_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_tutor_shards'))
    )
    op.create_table('tutor_policies',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('material_ids', sa.JSON(), nullable=True),
    sa.Column('daily_limit', sa.Integer(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_tutor_policies_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_tutor_policies_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('course_id', name=op.f('pk_tutor_policies'))
    )
    op.create_table('tutor_chunks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('shard', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('heading_path', sa.JSON(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_tutor_chunks_material_id_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_tutor_chunks_version_id_material_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tutor_chunks')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_tutor_chunks_version_id_position'))
    )
    with op.batch_alter_table('tutor_chunks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tutor_chunks_material_id'), ['material_id'], unique=False)
        batch_op.create_index('ix_tutor_chunks_shard', ['shard', 'id'], unique=False)

    op.create_table('tutor_exchanges',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('mode', sa.String(length=12), nullable=False),
    sa.Column('answer', sa.Text(), nullable=False),
    sa.Column('citations', sa.JSON(), nullable=False),
    sa.Column('found', sa.Boolean(), nullable=False),
    sa.Column('flag', sa.String(length=16), nullable=True),
    sa.Column('flag_seen_by_id', sa.Integer(), nullable=True),
    sa.Column('flag_seen_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('generator', sa.String(length=40), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_tutor_exchanges_activity_id_course_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_tutor_exchanges_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['flag_seen_by_id'], ['users.id'], name=op.f('fk_tutor_exchanges_flag_seen_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_tutor_exchanges_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_tutor_exchanges'))
    )
    with op.batch_alter_table('tutor_exchanges', schema=None) as batch_op:
        batch_op.create_index('ix_tutor_exchanges_course', ['course_id', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_tutor_exchanges_flag'), ['flag'], unique=False)
        batch_op.create_index('ix_tutor_exchanges_student_day', ['student_id', 'created_at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('tutor_exchanges', schema=None) as batch_op:
        batch_op.drop_index('ix_tutor_exchanges_student_day')
        batch_op.drop_index(batch_op.f('ix_tutor_exchanges_flag'))
        batch_op.drop_index('ix_tutor_exchanges_course')

    op.drop_table('tutor_exchanges')
    with op.batch_alter_table('tutor_chunks', schema=None) as batch_op:
        batch_op.drop_index('ix_tutor_chunks_shard')
        batch_op.drop_index(batch_op.f('ix_tutor_chunks_material_id'))

    op.drop_table('tutor_chunks')
    op.drop_table('tutor_policies')
    op.drop_table('tutor_shards')
    op.drop_table('tutor_embeddings')
