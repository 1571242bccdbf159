"""courses (units, lessons, activities, submissions, discussion, attendance), the materials they use, and the
append-only xAPI statement store

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-24 04:19:30.746425
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('courses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('late_policy', sa.String(length=16), nullable=False),
    sa.Column('copied_from_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('archived', sa.Boolean(), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_courses_grade')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_courses_academic_year_id_academic_years'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['copied_from_id'], ['courses.id'], name=op.f('fk_courses_copied_from_id_courses'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_courses_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_courses_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_courses_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_courses'))
    )
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_courses_academic_year_id'), ['academic_year_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_courses_school_id'), ['school_id'], unique=False)

    op.create_table('course_classes',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_course_classes_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_classes_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'class_id', name=op.f('pk_course_classes'))
    )
    with op.batch_alter_table('course_classes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_classes_class_id'), ['class_id'], unique=False)

    op.create_table('course_teachers',
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_teachers_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_course_teachers_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('course_id', 'user_id', name=op.f('pk_course_teachers'))
    )
    with op.batch_alter_table('course_teachers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_teachers_user_id'), ['user_id'], unique=False)

    op.create_table('course_units',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_units_course_id_courses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_units'))
    )
    with op.batch_alter_table('course_units', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_units_course_id'), ['course_id'], unique=False)

    op.create_table('course_lessons',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('unit_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('opens_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('prerequisite_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_lessons_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['prerequisite_id'], ['course_lessons.id'], name=op.f('fk_course_lessons_prerequisite_id_course_lessons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['unit_id'], ['course_units.id'], name=op.f('fk_course_lessons_unit_id_course_units'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_lessons'))
    )
    with op.batch_alter_table('course_lessons', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_lessons_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_lessons_unit_id'), ['unit_id'], unique=False)

    op.create_table('course_materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('added_by_id', sa.Integer(), nullable=False),
    sa.Column('at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['added_by_id'], ['users.id'], name=op.f('fk_course_materials_added_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_materials_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_course_materials_material_id_materials'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_course_materials_version_id_material_versions'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_materials')),
    sa.UniqueConstraint('course_id', 'version_id', name=op.f('uq_course_materials_course_id_version_id'))
    )
    with op.batch_alter_table('course_materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_materials_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_materials_material_id'), ['material_id'], unique=False)

    op.create_table('course_activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=False),
    sa.Column('lesson_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('type', sa.String(length=40), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('instructions', sa.Text(), nullable=False),
    sa.Column('settings', sa.JSON(), nullable=False),
    sa.Column('completion', sa.String(length=16), nullable=False),
    sa.Column('threshold', sa.Float(), nullable=True),
    sa.Column('required', sa.Boolean(), nullable=False),
    sa.Column('opens_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('closes_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_course_activities_course_id_courses'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['lesson_id'], ['course_lessons.id'], name=op.f('fk_course_activities_lesson_id_course_lessons'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_activities'))
    )
    with op.batch_alter_table('course_activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_activities_course_id'), ['course_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_activities_lesson_id'), ['lesson_id'], unique=False)

    op.create_table('course_attendance',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('taken_by_id', sa.Integer(), nullable=False),
    sa.Column('taken_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_course_attendance_activity_id_course_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_course_attendance_student_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['taken_by_id'], ['users.id'], name=op.f('fk_course_attendance_taken_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_attendance')),
    sa.UniqueConstraint('activity_id', 'student_id', name=op.f('uq_course_attendance_activity_id_student_id'))
    )
    with op.batch_alter_table('course_attendance', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_attendance_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_attendance_student_id'), ['student_id'], unique=False)

    op.create_table('course_discussion_posts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('pinned', sa.Boolean(), nullable=False),
    sa.Column('hidden', sa.Boolean(), nullable=False),
    sa.Column('hidden_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_course_discussion_posts_activity_id_course_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_course_discussion_posts_author_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hidden_by_id'], ['users.id'], name=op.f('fk_course_discussion_posts_hidden_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['parent_id'], ['course_discussion_posts.id'], name=op.f('fk_course_discussion_posts_parent_id_course_discussion_posts'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_discussion_posts'))
    )
    with op.batch_alter_table('course_discussion_posts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_discussion_posts_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_discussion_posts_author_id'), ['author_id'], unique=False)

    op.create_table('course_submissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('activity_id', sa.Integer(), nullable=False),
    sa.Column('student_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('file_size', sa.Integer(), nullable=True),
    sa.Column('submitted_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('late', sa.Boolean(), nullable=False),
    sa.Column('score', sa.Numeric(precision=3, scale=1), nullable=True),
    sa.Column('rubric_scores', sa.JSON(), nullable=False),
    sa.Column('feedback', sa.Text(), nullable=False),
    sa.Column('graded_by_id', sa.Integer(), nullable=True),
    sa.Column('graded_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint('score IS NULL OR (score >= 0 AND score <= 10)', name=op.f('ck_course_submissions_score')),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_course_submissions_activity_id_course_activities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['graded_by_id'], ['users.id'], name=op.f('fk_course_submissions_graded_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['student_id'], ['users.id'], name=op.f('fk_course_submissions_student_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_course_submissions')),
    sa.UniqueConstraint('activity_id', 'student_id', 'attempt', name=op.f('uq_course_submissions_activity_id_student_id_attempt'))
    )
    with op.batch_alter_table('course_submissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_course_submissions_activity_id'), ['activity_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_course_submissions_student_id'), ['student_id'], unique=False)

    op.create_table('xapi_statements',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('verb', sa.String(length=32), nullable=False),
    sa.Column('object_iri', sa.String(length=500), nullable=False),
    sa.Column('course_id', sa.Integer(), nullable=True),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('activity_id', sa.Integer(), nullable=True),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('completion', sa.Boolean(), nullable=True),
    sa.Column('success', sa.Boolean(), nullable=True),
    sa.Column('score_scaled', sa.Float(), nullable=True),
    sa.Column('progress', sa.Float(), nullable=True),
    sa.Column('timestamp', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('stored', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('body', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['activity_id'], ['course_activities.id'], name=op.f('fk_xapi_statements_activity_id_course_activities'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_xapi_statements_class_id_classes'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['course_id'], ['courses.id'], name=op.f('fk_xapi_statements_course_id_courses'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['lesson_id'], ['course_lessons.id'], name=op.f('fk_xapi_statements_lesson_id_course_lessons'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_xapi_statements_user_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_xapi_statements'))
    )
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.create_index('ix_xapi_statements_activity_user', ['activity_id', 'user_id'], unique=False)
        batch_op.create_index('ix_xapi_statements_class_time', ['class_id', 'timestamp'], unique=False)
        batch_op.create_index('ix_xapi_statements_course_user', ['course_id', 'user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_xapi_statements_user_id'), ['user_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('xapi_statements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_xapi_statements_user_id'))
        batch_op.drop_index('ix_xapi_statements_course_user')
        batch_op.drop_index('ix_xapi_statements_class_time')
        batch_op.drop_index('ix_xapi_statements_activity_user')

    op.drop_table('xapi_statements')
    with op.batch_alter_table('course_submissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_submissions_student_id'))
        batch_op.drop_index(batch_op.f('ix_course_submissions_activity_id'))

    op.drop_table('course_submissions')
    with op.batch_alter_table('course_discussion_posts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_discussion_posts_author_id'))
        batch_op.drop_index(batch_op.f('ix_course_discussion_posts_activity_id'))

    op.drop_table('course_discussion_posts')
    with op.batch_alter_table('course_attendance', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_attendance_student_id'))
        batch_op.drop_index(batch_op.f('ix_course_attendance_activity_id'))

    op.drop_table('course_attendance')
    with op.batch_alter_table('course_activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_activities_lesson_id'))
        batch_op.drop_index(batch_op.f('ix_course_activities_course_id'))

    op.drop_table('course_activities')
    with op.batch_alter_table('course_materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_materials_material_id'))
        batch_op.drop_index(batch_op.f('ix_course_materials_course_id'))

    op.drop_table('course_materials')
    with op.batch_alter_table('course_lessons', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_lessons_unit_id'))
        batch_op.drop_index(batch_op.f('ix_course_lessons_course_id'))

    op.drop_table('course_lessons')
    with op.batch_alter_table('course_units', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_units_course_id'))

    op.drop_table('course_units')
    with op.batch_alter_table('course_teachers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_teachers_user_id'))

    op.drop_table('course_teachers')
    with op.batch_alter_table('course_classes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_course_classes_class_id'))

    op.drop_table('course_classes')
    with op.batch_alter_table('courses', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_courses_school_id'))
        batch_op.drop_index(batch_op.f('ix_courses_academic_year_id'))

    op.drop_table('courses')
