"""blended learning aggregates kept current by the worker, online targets, refresh log

Revision ID: 0014
Revises: 0013
Create Date: 2026-11-24 09:59:23.027366
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('blended_refreshes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('finished_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('plans', sa.Integer(), nullable=False),
    sa.Column('seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blended_refreshes'))
    )
    with op.batch_alter_table('blended_refreshes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_refreshes_finished_at'), ['finished_at'], unique=False)

    op.create_table('blended_school_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('classes', sa.Integer(), nullable=False),
    sa.Column('planned_total', sa.Integer(), nullable=False),
    sa.Column('planned_online', sa.Integer(), nullable=False),
    sa.Column('delivered_total', sa.Integer(), nullable=False),
    sa.Column('delivered_online', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_blended_school_weeks_academic_year_id_academic_years'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_blended_school_weeks_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_blended_school_weeks_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blended_school_weeks')),
    sa.UniqueConstraint('school_id', 'academic_year_id', 'grade', 'subject_id', 'week', name=op.f('uq_blended_school_weeks_school_id_academic_year_id_grade_subject_id_week'))
    )
    with op.batch_alter_table('blended_school_weeks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_school_weeks_academic_year_id'), ['academic_year_id'], unique=False)

    op.create_table('blended_class_weeks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('class_id', sa.Integer(), nullable=True),
    sa.Column('class_name', sa.String(length=20), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('week', sa.Integer(), nullable=False),
    sa.Column('planned_total', sa.Integer(), nullable=False),
    sa.Column('planned_online', sa.Integer(), nullable=False),
    sa.Column('delivered_total', sa.Integer(), nullable=False),
    sa.Column('delivered_online', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_blended_class_weeks_grade')),
    sa.CheckConstraint('week BETWEEN 1 AND 53', name=op.f('ck_blended_class_weeks_week')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_blended_class_weeks_academic_year_id_academic_years'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['class_id'], ['classes.id'], name=op.f('fk_blended_class_weeks_class_id_classes'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_blended_class_weeks_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_blended_class_weeks_subject_id_subjects'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blended_class_weeks')),
    sa.UniqueConstraint('school_id', 'academic_year_id', 'class_name', 'subject_id', 'week', name=op.f('uq_blended_class_weeks_school_id_academic_year_id_class_name_subject_id_week'))
    )
    with op.batch_alter_table('blended_class_weeks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_class_weeks_class_id'), ['class_id'], unique=False)

    op.create_table('blended_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=24), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Float(), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=True),
    sa.CheckConstraint("level IN ('primary', 'lower_secondary', 'upper_secondary')", name=op.f('ck_blended_targets_level')),
    sa.CheckConstraint('percent >= 0 AND percent <= 100', name=op.f('ck_blended_targets_percent')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_blended_targets_academic_year_id_academic_years'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_blended_targets_province_id_provinces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_blended_targets_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blended_targets')),
    sa.UniqueConstraint('province_id', 'level', 'academic_year_id', name=op.f('uq_blended_targets_province_id_level_academic_year_id'))
    )
    op.create_table('blended_dirty_plans',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('plan_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['plan_id'], ['teaching_plans.id'], name=op.f('fk_blended_dirty_plans_plan_id_teaching_plans'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_blended_dirty_plans'))
    )
    with op.batch_alter_table('blended_dirty_plans', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_blended_dirty_plans_plan_id'), ['plan_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('blended_dirty_plans', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_dirty_plans_plan_id'))

    op.drop_table('blended_dirty_plans')
    op.drop_table('blended_targets')
    with op.batch_alter_table('blended_class_weeks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_class_weeks_class_id'))

    op.drop_table('blended_class_weeks')
    with op.batch_alter_table('blended_school_weeks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_school_weeks_academic_year_id'))

    op.drop_table('blended_school_weeks')
    with op.batch_alter_table('blended_refreshes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_blended_refreshes_finished_at'))

    op.drop_table('blended_refreshes')
