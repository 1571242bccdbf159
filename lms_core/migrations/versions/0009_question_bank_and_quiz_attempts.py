"""question bank (questions, immutable versions, tags, curriculum items, media) and quiz attempts with answers

Revision ID: 0009
Revises: 0008
Create Date: 2026-11-24 05:14:56.073129
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=16), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('level', sa.String(length=16), nullable=True),
    sa.Column('difficulty', sa.Integer(), nullable=True),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_questions_grade')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_questions_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_questions_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_questions_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_questions')),
    sa.UniqueConstraint('uid', name=op.f('uq_questions_uid'))
    )
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_index('ix_questions_bank', ['school_id', 'subject_id', 'grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_level'), ['level'], unique=False)
        batch_op.create_index(batch_op.f('ix_questions_owner_id'), ['owner_id'], unique=False)

    op.create_table('question_curriculum_items',
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_curriculum_items_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('question_id', 'item_id', name=op.f('pk_question_curriculum_items'))
    )
    with op.batch_alter_table('question_curriculum_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_curriculum_items_item_id'), ['item_id'], unique=False)

    op.create_table('question_media',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('media_type', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_media_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_media')),
    sa.UniqueConstraint('question_id', 'sha256', name=op.f('uq_question_media_question_id_sha256'))
    )
    with op.batch_alter_table('question_media', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_media_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_media_sha256'), ['sha256'], unique=False)

    op.create_table('question_tags',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('tag', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_tags_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_tags')),
    sa.UniqueConstraint('question_id', 'tag', name=op.f('uq_question_tags_question_id_tag'))
    )
    with op.batch_alter_table('question_tags', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_tags_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_question_tags_tag'), ['tag'], unique=False)

    op.create_table('question_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('data', sa.JSON(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('source', sa.String(length=40), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_question_versions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['question_id'], ['questions.id'], name=op.f('fk_question_versions_question_id_questions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_question_versions')),
    sa.UniqueConstraint('question_id', 'number', name=op.f('uq_question_versions_question_id_number'))
    )
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_question_versions_question_id'), ['question_id'], unique=False)


    # questions and question_versions point at each other: the pointer gets its key once both exist
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_questions_current_version_id_question_versions'), 'question_versions',
                                    ['current_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('quiz_attempts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('layout', sa.JSON(), nullable=False),
    sa.Column('started_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('deadline_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('max_score', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_quiz_attempts_activity_id_course_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_quiz_attempts_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_attempts')),
    sa.UniqueConstraint('activity_id', 'student_id', 'number', name=op.f('uq_quiz_attempts_activity_id_student_id_number'))
    )
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_attempts_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_attempts_student_id'), ['student_id'], unique=False)

    op.create_table('quiz_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('attempt_id', sa.Integer(), nullable=False),
    sa.Column('slot', sa.Integer(), nullable=False),
    sa.Column('question_version_id', sa.Integer(), nullable=False),
    sa.Column('response', sa.JSON(), nullable=True),
    sa.Column('saved_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('max_points', sa.Numeric(precision=7, scale=2), nullable=True),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['attempt_id'], ['quiz_attempts.id'], name=op.f('fk_quiz_answers_attempt_id_quiz_attempts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['users.id'], name=op.f('fk_quiz_answers_graded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['question_version_id'], ['question_versions.id'], name=op.f('fk_quiz_answers_question_version_id_question_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quiz_answers')),
    sa.UniqueConstraint('attempt_id', 'slot', name=op.f('uq_quiz_answers_attempt_id_slot'))
    )
    with op.batch_alter_table('quiz_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quiz_answers_attempt_id'), ['attempt_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_quiz_answers_question_version_id'), ['question_version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quiz_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_answers_question_version_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_answers_attempt_id'))

    op.drop_table('quiz_answers')
    with op.batch_alter_table('quiz_attempts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_student_id'))
        batch_op.drop_index(batch_op.f('ix_quiz_attempts_activity_id'))

    op.drop_table('quiz_attempts')
    with op.batch_alter_table('question_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_versions_question_id'))

    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_questions_current_version_id_question_versions'), type_='foreignkey')
    op.drop_table('question_versions')
    with op.batch_alter_table('question_tags', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_tags_tag'))
        batch_op.drop_index(batch_op.f('ix_question_tags_question_id'))

    op.drop_table('question_tags')
    with op.batch_alter_table('question_media', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_media_sha256'))
        batch_op.drop_index(batch_op.f('ix_question_media_question_id'))

    op.drop_table('question_media')
    with op.batch_alter_table('question_curriculum_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_question_curriculum_items_item_id'))

    op.drop_table('question_curriculum_items')
    with op.batch_alter_table('questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_questions_owner_id'))
        batch_op.drop_index(batch_op.f('ix_questions_level'))
        batch_op.drop_index('ix_questions_bank')

    op.drop_table('questions')
