"""question reviews for the shared repository; saved exams

Revision ID: 0011
Revises: 0010
Create Date: 2026-11-24 07:02:28.540972
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('saved_exams',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('blueprint', sa.JSON(), nullable=False),
    sa.Column('seed', sa.String(length=40), nullable=False),
    sa.Column('version_count', sa.Integer(), nullable=False),
    sa.Column('layouts', sa.JSON(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_saved_exams_grade')),
    sa.CheckConstraint('version_count BETWEEN 1 AND 100', name=op.f('ck_saved_exams_version_count')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_saved_exams_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_saved_exams_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_saved_exams_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_saved_exams'))
    )
    with op.batch_alter_table('saved_exams', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_exams_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_exams_school_id'), ['school_id'], unique=False)

    op.create_table('question_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('pending', sa.Boolean(), nullable=True),
    sa.Column('note', sa.String(length=2000), nullable=False),
    sa.Column('curriculum_item_ids', sa.JSON(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=False),
    sa.Column('submitted_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('decided_by_id', sa.Integer(), nullable=True),
    sa.Column('decided_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.ForeignKeyConstraint(['decided_by_id'], ['users.id'], name=op.f('fk_question_reviews_decided_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_reviews_question_id_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_question_reviews_submitted_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_question_reviews_version_id_question_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_reviews')),
    sa.UniqueConstraint('question_id', 'pending', name=op.f('uq_question_reviews_question_id_pending'))
    )
    with op.batch_alter_table('question_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_reviews_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_reviews_status'), ['status'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_reviews_version_id'), ['version_id'], unique=False)

    op.create_table('saved_exam_questions',
    sa.Column('exam_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('part', sa.String(length=4), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=False),
    sa.Column('row', sa.Integer(), nullable=False),
    sa.Column('points', sa.String(length=16), nullable=False),
    sa.ForeignKeyConstraint(['exam_id'], ['saved_exams.id'], name=op.f('fk_saved_exam_questions_exam_id_saved_exams'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_saved_exam_questions_question_id_questions'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['question_versions.id'], name=op.f('fk_saved_exam_questions_version_id_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('exam_id', 'slot', name=op.f('pk_saved_exam_questions'))
    )
    with op.batch_alter_table('saved_exam_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_saved_exam_questions_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_saved_exam_questions_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('saved_exam_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_exam_questions_version_id'))
        batch_op.drop_index(batch_op.f('ix_saved_exam_questions_question_id'))

    op.drop_table('saved_exam_questions')
    with op.batch_alter_table('question_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_reviews_version_id'))
        batch_op.drop_index(batch_op.f('ix_question_reviews_status'))
        batch_op.drop_index(batch_op.f('ix_question_reviews_question_id'))

    op.drop_table('question_reviews')
    with op.batch_alter_table('saved_exams', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_saved_exams_school_id'))
        batch_op.drop_index(batch_op.f('ix_saved_exams_owner_id'))

    op.drop_table('saved_exams')
