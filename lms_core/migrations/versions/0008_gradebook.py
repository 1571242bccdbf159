"""the gradebook: one sổ điểm per course × class × term, its assessment columns (optionally fed by an activity),
a mark per student × column, and the append-only audit of every change

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-24 04:29:54.725035
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('gradebooks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('term_id', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=16), nullable=False),
    sa.Column('periods_per_year', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('score', 'comment', 'primary')", name=op.f('ck_gradebooks_mode')),
    sa.CheckConstraint('periods_per_year BETWEEN 1 AND 1000', name=op.f('ck_gradebooks_periods')),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_gradebooks_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_gradebooks_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_gradebooks_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['term_id'], ['terms.id'], name=op.f('fk_gradebooks_term_id_terms'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gradebooks')),
    sa.UniqueConstraint('course_id', 'class_id', 'term_id', name=op.f('uq_gradebooks_course_id_class_id_term_id'))
    )
    with op.batch_alter_table('gradebooks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradebooks_class_id'), ['class_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gradebooks_course_id'), ['course_id'], unique=False)

    op.create_table('gradebook_columns',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gradebook_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.CheckConstraint('number BETWEEN 1 AND 6', name=op.f('ck_gradebook_columns_number')),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_gradebook_columns_activity_id_course_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gradebook_id'], ['gradebooks.id'], name=op.f('fk_gradebook_columns_gradebook_id_gradebooks'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gradebook_columns')),
    sa.UniqueConstraint('gradebook_id', 'kind', 'number', name=op.f('uq_gradebook_columns_gradebook_id_kind_number'))
    )
    with op.batch_alter_table('gradebook_columns', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradebook_columns_gradebook_id'), ['gradebook_id'], unique=False)

    op.create_table('gradebook_audit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('gradebook_id', sa.Integer(), nullable=False),
    sa.Column('column_id', sa.Integer(), nullable=True),
    sa.Column('column_label', sa.String(length=24), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('old_value', sa.String(length=8), nullable=True),
    sa.Column('new_value', sa.String(length=8), nullable=True),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_gradebook_audit_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['column_id'], ['gradebook_columns.id'], name=op.f('fk_gradebook_audit_column_id_gradebook_columns'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['gradebook_id'], ['gradebooks.id'], name=op.f('fk_gradebook_audit_gradebook_id_gradebooks'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_gradebook_audit_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gradebook_audit'))
    )
    with op.batch_alter_table('gradebook_audit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradebook_audit_gradebook_id'), ['gradebook_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gradebook_audit_student_id'), ['student_id'], unique=False)

    op.create_table('gradebook_entries',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('column_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('score', sa.Numeric(precision=3, scale=1), nullable=True),
    sa.Column('mark', sa.String(length=4), nullable=True),
    sa.Column('source', sa.String(length=12), nullable=False),
    sa.Column('submission_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=False),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("source IN ('manual', 'activity', 'override')", name=op.f('ck_gradebook_entries_source')),
    sa.CheckConstraint('(score IS NULL) <> (mark IS NULL)', name=op.f('ck_gradebook_entries_one_value')),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 10)', name=op.f('ck_gradebook_entries_score')),
    sa.ForeignKeyConstraint(['column_id'], ['gradebook_columns.id'], name=op.f('fk_gradebook_entries_column_id_gradebook_columns'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_gradebook_entries_student_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submission_id'], ['course_submissions.id'], name=op.f('fk_gradebook_entries_submission_id_course_submissions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_gradebook_entries_updated_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_gradebook_entries')),
    sa.UniqueConstraint('column_id', 'student_id', name=op.f('uq_gradebook_entries_column_id_student_id'))
    )
    with op.batch_alter_table('gradebook_entries', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_gradebook_entries_column_id'), ['column_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_gradebook_entries_student_id'), ['student_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('gradebook_entries', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gradebook_entries_student_id'))
        batch_op.drop_index(batch_op.f('ix_gradebook_entries_column_id'))

    op.drop_table('gradebook_entries')
    with op.batch_alter_table('gradebook_audit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gradebook_audit_student_id'))
        batch_op.drop_index(batch_op.f('ix_gradebook_audit_gradebook_id'))

    op.drop_table('gradebook_audit')
    with op.batch_alter_table('gradebook_columns', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gradebook_columns_gradebook_id'))

    op.drop_table('gradebook_columns')
    with op.batch_alter_table('gradebooks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_gradebooks_course_id'))
        batch_op.drop_index(batch_op.f('ix_gradebooks_class_id'))

    op.drop_table('gradebooks')
