"""blended learning: teaching plans (one row per curriculum period) and versioned delivery records

Revision ID: 0013
Revises: 0012
Create Date: 2026-11-24 08:44:49.544418
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('teaching_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('weeks', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('weeks BETWEEN 1 AND 53', name=op.f('ck_teaching_plans_weeks')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_teaching_plans_academic_year_id_academic_years'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_teaching_plans_class_id_classes'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_teaching_plans_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_teaching_plans_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_teaching_plans')),
    sa.UniqueConstraint('class_id', 'subject_id', 'academic_year_id', name=op.f('uq_teaching_plans_class_id_subject_id_academic_year_id'))
    )
    with op.batch_alter_table('teaching_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_teaching_plans_class_id'), ['class_id'], unique=False)

    op.create_table('plan_periods',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('item_title', sa.String(length=300), nullable=False),
    sa.Column('topic_title', sa.String(length=300), nullable=False),
    sa.Column('lesson_period', sa.Integer(), nullable=False),
    sa.Column('lesson_periods', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('mode', sa.String(length=24), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("mode IN ('in_person', 'online_live', 'online_self_paced')", name=op.f('ck_plan_periods_mode')),
    sa.CheckConstraint('lesson_period >= 1', name=op.f('ck_plan_periods_lesson_period')),
    sa.CheckConstraint('week >= 1', name=op.f('ck_plan_periods_week')),
    sa.ForeignKeyConstraint(['plan_id'], ['teaching_plans.id'], name=op.f('fk_plan_periods_plan_id_teaching_plans'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_plan_periods_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_plan_periods')),
    sa.UniqueConstraint('plan_id', 'position', name=op.f('uq_plan_periods_plan_id_position'))
    )
    with op.batch_alter_table('plan_periods', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_plan_periods_plan_id'), ['plan_id'], unique=False)

    op.create_table('delivery_records',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('period_id', sa.Integer(), nullable=False),
    sa.Column('delivered_on', sa.Date(), nullable=False),
    sa.Column('mode', sa.String(length=24), nullable=False),
    sa.Column('live_session_id', sa.Integer(), nullable=True),
    sa.Column('lesson_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('supersedes_id', sa.Integer(), nullable=True),
    sa.Column('recorded_by_id', sa.Integer(), nullable=False),
    sa.Column('recorded_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint("mode IN ('in_person', 'online_live', 'online_self_paced')", name=op.f('ck_delivery_records_mode')),
    sa.ForeignKeyConstraint(['lesson_id'], ['course_lessons.id'], name=op.f('fk_delivery_records_lesson_id_course_lessons'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['live_session_id'], ['course_activities.id'], name=op.f('fk_delivery_records_live_session_id_course_activities'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['period_id'], ['plan_periods.id'], name=op.f('fk_delivery_records_period_id_plan_periods'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_delivery_records_recorded_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['supersedes_id'], ['delivery_records.id'], name=op.f('fk_delivery_records_supersedes_id_delivery_records'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_records')),
    sa.UniqueConstraint('supersedes_id', name=op.f('uq_delivery_records_supersedes_id'))
    )
    with op.batch_alter_table('delivery_records', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_records_period_id'), ['period_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('delivery_records', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_records_period_id'))

    op.drop_table('delivery_records')
    with op.batch_alter_table('plan_periods', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_plan_periods_plan_id'))

    op.drop_table('plan_periods')
    with op.batch_alter_table('teaching_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_teaching_plans_class_id'))

    op.drop_table('teaching_plans')
