"""digital transformation self-assessment (Quyết định 4725/QĐ-BGDĐT): assessments, answers, province indicator files

Revision ID: 0015
Revises: 0014
Create Date: 2026-11-24 10:06:26.124972
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dt_assessments',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('framework_sha', sa.String(length=64), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('group_points', sa.JSON(), nullable=False),
    sa.Column('level', sa.Integer(), nullable=True),
    sa.Column('measured_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('reopened_by_id', sa.Integer(), nullable=True),
    sa.Column('reopened_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("status IN ('draft', 'submitted')", name=op.f('ck_dt_assessments_status')),
    sa.CheckConstraint('level IS NULL OR level BETWEEN 1 AND 10', name=op.f('ck_dt_assessments_level')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_dt_assessments_academic_year_id_academic_years'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_dt_assessments_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['reopened_by_id'], ['users.id'], name=op.f('fk_dt_assessments_reopened_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_dt_assessments_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_dt_assessments_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dt_assessments')),
    sa.UniqueConstraint('school_id', 'academic_year_id', name=op.f('uq_dt_assessments_school_id_academic_year_id'))
    )
    with op.batch_alter_table('dt_assessments', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dt_assessments_school_id'), ['school_id'], unique=False)

    op.create_table('dt_indicator_files',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=True),
    sa.Column('uploaded_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_dt_indicator_files_province_id_provinces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_dt_indicator_files_uploaded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dt_indicator_files')),
    sa.UniqueConstraint('province_id', name=op.f('uq_dt_indicator_files_province_id'))
    )
    op.create_table('dt_assessment_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('assessment_id', sa.Integer(), nullable=False),
    sa.Column('indicator_code', sa.String(length=20), nullable=False),
    sa.Column('source', sa.String(length=10), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('points', sa.Float(), nullable=False),
    sa.Column('note', sa.String(length=1000), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('entered_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('measured', 'entered')", name=op.f('ck_dt_assessment_answers_source')),
    sa.ForeignKeyConstraint(['assessment_id'], ['dt_assessments.id'], name=op.f('fk_dt_assessment_answers_assessment_id_dt_assessments'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['entered_by_id'], ['users.id'], name=op.f('fk_dt_assessment_answers_entered_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dt_assessment_answers')),
    sa.UniqueConstraint('assessment_id', 'indicator_code', name=op.f('uq_dt_assessment_answers_assessment_id_indicator_code'))
    )
    with op.batch_alter_table('dt_assessment_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_dt_assessment_answers_assessment_id'), ['assessment_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dt_assessment_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dt_assessment_answers_assessment_id'))

    op.drop_table('dt_assessment_answers')
    op.drop_table('dt_indicator_files')
    with op.batch_alter_table('dt_assessments', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_dt_assessments_school_id'))

    op.drop_table('dt_assessments')
