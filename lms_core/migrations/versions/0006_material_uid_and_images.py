"""material uid (matches a material across servers for portable packages) and images of written pages

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-24 04:10:31.004183
"""
from __future__ import annotations

import uuid

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('material_images',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('material_id', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('uploaded_by_id', sa.Integer(), nullable=False),
    sa.Column('created_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['material_id'], ['materials.id'], name=op.f('fk_material_images_material_id_materials'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['sha256'], ['stored_files.sha256'], name=op.f('fk_material_images_sha256_stored_files'), ondelete='RESTRICT'),
    sa.ForeignKeyConstraint(['uploaded_by_id'], ['users.id'], name=op.f('fk_material_images_uploaded_by_id_users'), ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_material_images')),
    sa.UniqueConstraint('material_id', 'sha256', name=op.f('uq_material_images_material_id_sha256'))
    )
    with op.batch_alter_table('material_images', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_material_images_material_id'), ['material_id'], unique=False)

    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.add_column(sa.Column('uid', sa.String(length=36), nullable=True))
    # existing materials get their identity now, one random uid each
    bind = op.get_bind()
    for (material_id,) in bind.execute(sa.text("SELECT id FROM materials")).all():
        bind.execute(sa.text("UPDATE materials SET uid = :uid WHERE id = :id"), {"uid": str(uuid.uuid4()), "id": material_id})
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.alter_column('uid', existing_type=sa.String(length=36), nullable=False)
        batch_op.create_unique_constraint(batch_op.f('uq_materials_uid'), ['uid'])



def downgrade() -> None:
    with op.batch_alter_table('materials', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_materials_uid'), type_='unique')
        batch_op.drop_column('uid')

    with op.batch_alter_table('material_images', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_material_images_material_id'))

    op.drop_table('material_images')
