"""materials: versions, stored files, extracted sections, review events, subject group heads

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-24 02:47:52.246918
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('stored_files',
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('size', sa.BigInteger(), nullable=False),
    sa.Column('file_type', sa.String(length=16), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('sha256', name=op.f('pk_stored_files'))
    )
    op.create_table('materials',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.String(length=2000), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=True),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('licence', sa.String(length=32), nullable=False),
    sa.Column('visibility', sa.String(length=16), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('tags', sa.JSON(), nullable=False),
    sa.Column('current_version_id', sa.Integer(), nullable=True),
    sa.Column('published_version_id', sa.Integer(), nullable=True),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_materials_owner_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_materials_school_id_schools'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_materials_subject_id_subjects'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_materials'))
    )
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_materials_owner_id'), ['owner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_published_version_id'), ['published_version_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_subject_id'), ['subject_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_materials_visibility'), ['visibility'], unique=False)

    op.create_table('subject_group_heads',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_subject_group_heads_school_id_schools'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['subject_id'], ['subjects.id'], name=op.f('fk_subject_group_heads_subject_id_subjects'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_subject_group_heads_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_subject_group_heads')),
    sa.UniqueConstraint('school_id', 'subject_id', 'user_id', name=op.f('uq_subject_group_heads_school_id_subject_id_user_id'))
    )
    with op.batch_alter_table('subject_group_heads', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subject_group_heads_school_id'), ['school_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_subject_group_heads_user_id'), ['user_id'], unique=False)

    op.create_table('material_grades',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('grade', sa.Integer(), nullable=False),
    sa.CheckConstraint('grade BETWEEN 1 AND 12', name=op.f('ck_material_grades_grade')),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_material_grades_material_id_materials'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_grades')),
    sa.UniqueConstraint('material_id', 'grade', name=op.f('uq_material_grades_material_id_grade'))
    )
    with op.batch_alter_table('material_grades', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_grades_grade'), ['grade'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_grades_material_id'), ['material_id'], unique=False)

    op.create_table('material_versions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('note', sa.String(length=500), nullable=False),
    sa.Column('body_markdown', sa.Text(), nullable=True),
    sa.Column('file_sha256', sa.String(length=64), nullable=True),
    sa.Column('file_name', sa.String(length=255), nullable=True),
    sa.Column('transcript_sha256', sa.String(length=64), nullable=True),
    sa.Column('external_url', sa.String(length=1000), nullable=True),
    sa.Column('restored_from_id', sa.Integer(), nullable=True),
    sa.Column('text_sha256', sa.String(length=64), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('status_changed_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_material_versions_created_by_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['file_sha256'], ['stored_files.sha256'], name=op.f('fk_material_versions_file_sha256_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_material_versions_material_id_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['restored_from_id'], ['material_versions.id'], name=op.f('fk_material_versions_restored_from_id_material_versions'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['transcript_sha256'], ['stored_files.sha256'], name=op.f('fk_material_versions_transcript_sha256_stored_files'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_versions')),
    sa.UniqueConstraint('material_id', 'number', name=op.f('uq_material_versions_material_id_number'))
    )
    with op.batch_alter_table('material_versions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_versions_material_id'), ['material_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_material_versions_status'), ['status'], unique=False)

    # materials and material_versions point at each other: the pointers get their keys once both exist
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.create_foreign_key(op.f('fk_materials_current_version_id_material_versions'), 'material_versions',
                                    ['current_version_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(op.f('fk_materials_published_version_id_material_versions'), 'material_versions',
                                    ['published_version_id'], ['id'], ondelete='SET NULL')

    op.create_table('material_review_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=False),
    sa.Column('to_status', sa.String(length=16), nullable=False),
    sa.Column('comment', sa.String(length=2000), nullable=False),
    sa.Column('at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_material_review_events_actor_id_users'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_material_review_events_version_id_material_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_review_events'))
    )
    with op.batch_alter_table('material_review_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_review_events_version_id'), ['version_id'], unique=False)

    op.create_table('material_sections',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('version_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('address', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['version_id'], ['material_versions.id'], name=op.f('fk_material_sections_version_id_material_versions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_sections')),
    sa.UniqueConstraint('version_id', 'position', name=op.f('uq_material_sections_version_id_position'))
    )
    with op.batch_alter_table('material_sections', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_sections_version_id'), ['version_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_constraint(op.f('fk_materials_current_version_id_material_versions'), type_='foreignkey')
        batch_op.drop_constraint(op.f('fk_materials_published_version_id_material_versions'), type_='foreignkey')
    with op.batch_alter_table('material_sections', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_sections_version_id'))

    op.drop_table('material_sections')
    with op.batch_alter_table('material_review_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_review_events_version_id'))

    op.drop_table('material_review_events')
    with op.batch_alter_table('material_versions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_versions_status'))
        batch_op.drop_index(batch_op.f('ix_material_versions_material_id'))

    op.drop_table('material_versions')
    with op.batch_alter_table('material_grades', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_grades_material_id'))
        batch_op.drop_index(batch_op.f('ix_material_grades_grade'))

    op.drop_table('material_grades')
    with op.batch_alter_table('subject_group_heads', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subject_group_heads_user_id'))
        batch_op.drop_index(batch_op.f('ix_subject_group_heads_school_id'))

    op.drop_table('subject_group_heads')
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_materials_visibility'))
        batch_op.drop_index(batch_op.f('ix_materials_subject_id'))
        batch_op.drop_index(batch_op.f('ix_materials_school_id'))
        batch_op.drop_index(batch_op.f('ix_materials_published_version_id'))
        batch_op.drop_index(batch_op.f('ix_materials_owner_id'))

    op.drop_table('materials')
    op.drop_table('stored_files')
