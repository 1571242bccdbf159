"""curriculum: programme periods, topic trees, material mapping, coverage targets

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-24
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('coverage_targets',
    sa.Column('province_id', sa.Integer(), nullable=False),
    sa.Column('percent', sa.Numeric(precision=5, scale=2, asdecimal=False), nullable=False),
    sa.CheckConstraint('percent BETWEEN 0 AND 100', name=op.f('ck_coverage_targets_percent')),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_coverage_targets_province_id_provinces'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('province_id', name=op.f('pk_coverage_targets'))
    )
    op.create_table('curriculum_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('province_id', sa.Integer(), nullable=True),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('parent_id', sa.Integer(), nullable=True),
    sa.Column('kind', sa.String(length=8), nullable=False),
    sa.Column('key', sa.String(length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('periods', sa.Integer(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_curriculum_items_grade')),
    sa.CheckConstraint('periods >= 0', name=op.f('ck_curriculum_items_periods')),
    sa.ForeignKeyConstraint(['parent_id'], ['curriculum_items.id'], name=op.f('fk_curriculum_items_parent_id_curriculum_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['province_id'], ['provinces.id'], name=op.f('fk_curriculum_items_province_id_provinces'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_curriculum_items_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_items')),
    sa.UniqueConstraint('province_id', 'subject_id', 'grade', 'key', name=op.f('uq_curriculum_items_province_id_subject_id_grade_key'))
    )
    with op.batch_alter_table('curriculum_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_items_parent_id'), ['parent_id'], unique=False)
        batch_op.create_index('ix_curriculum_items_tree', ['province_id', 'subject_id', 'grade'], unique=False)
        batch_op.create_index('uq_curriculum_items_national_key', ['subject_id', 'grade', 'key'], unique=True, sqlite_where=sa.text('province_id IS NULL'), postgresql_where=sa.text('province_id IS NULL'))

    op.create_table('curriculum_subjects',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('level', sa.String(length=24), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.Column('periods_per_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=24), nullable=False),
    sa.Column('note', sa.String(length=300), nullable=False),
    sa.Column('citation', sa.String(length=200), nullable=False),
    sa.Column('confirmed', sa.Boolean(), nullable=False),
    sa.Column('source', sa.String(length=8), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_curriculum_subjects_grade')),
    sa.CheckConstraint('periods_per_year >= 0', name=op.f('ck_curriculum_subjects_periods')),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_curriculum_subjects_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_curriculum_subjects')),
    sa.UniqueConstraint('subject_id', 'grade', name=op.f('uq_curriculum_subjects_subject_id_grade'))
    )
    with op.batch_alter_table('curriculum_subjects', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_curriculum_subjects_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_curriculum_subjects_subject_id'), ['subject_id'], unique=False)

    op.create_table('material_curriculum_items',
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['item_id'], ['curriculum_items.id'], name=op.f('fk_material_curriculum_items_item_id_curriculum_items'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_material_curriculum_items_material_id_materials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('material_id', 'item_id', name=op.f('pk_material_curriculum_items'))
    )
    with op.batch_alter_table('material_curriculum_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_curriculum_items_item_id'), ['item_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('material_curriculum_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_curriculum_items_item_id'))

    op.drop_table('material_curriculum_items')
    with op.batch_alter_table('curriculum_subjects', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_curriculum_subjects_subject_id'))
        batch_op.drop_index(batch_op.f('ix_curriculum_subjects_grade'))

    op.drop_table('curriculum_subjects')
    with op.batch_alter_table('curriculum_items', schema=None) as batch_op:
        batch_op.drop_index('uq_curriculum_items_national_key', sqlite_where=sa.text('province_id IS NULL'), postgresql_where=sa.text('province_id IS NULL'))
        batch_op.drop_index('ix_curriculum_items_tree')
        batch_op.drop_index(batch_op.f('ix_curriculum_items_parent_id'))

    op.drop_table('curriculum_items')
    op.drop_table('coverage_targets')
