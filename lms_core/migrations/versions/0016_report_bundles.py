"""report bundles: school public keys and bundle imports

Revision ID: 0016
Revises: 0015
Create Date: 2026-11-24 10:07:01.510314
"""
from __future__ import annotations

import sqlalchemy as sa
from alembic import op

import lms_core.db

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('report_bundle_imports',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('academic_year_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('generated_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('planned_total', sa.Integer(), nullable=False),
    sa.Column('delivered_online', sa.Integer(), nullable=False),
    sa.Column('imported_by_id', sa.Integer(), nullable=True),
    sa.Column('imported_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('rows >= 0', name=op.f('ck_report_bundle_imports_rows')),
    sa.ForeignKeyConstraint(['academic_year_id'], ['academic_years.id'], name=op.f('fk_report_bundle_imports_academic_year_id_academic_years'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['imported_by_id'], ['users.id'], name=op.f('fk_report_bundle_imports_imported_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_report_bundle_imports_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_bundle_imports')),
    sa.UniqueConstraint('school_id', 'academic_year_id', 'digest', name=op.f('uq_report_bundle_imports_school_id_academic_year_id_digest'))
    )
    with op.batch_alter_table('report_bundle_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_report_bundle_imports_imported_at'), ['imported_at'], unique=False)

    op.create_table('report_school_keys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('school_id', sa.Integer(), nullable=False),
    sa.Column('public_key_pem', sa.String(length=400), nullable=False),
    sa.Column('fingerprint', sa.String(length=64), nullable=False),
    sa.Column('registered_by_id', sa.Integer(), nullable=True),
    sa.Column('registered_at', lms_core.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registered_by_id'], ['users.id'], name=op.f('fk_report_school_keys_registered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['school_id'], ['schools.id'], name=op.f('fk_report_school_keys_school_id_schools'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_report_school_keys')),
    sa.UniqueConstraint('school_id', name=op.f('uq_report_school_keys_school_id'))
    )


def downgrade() -> None:
    op.drop_table('report_school_keys')
    with op.batch_alter_table('report_bundle_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_report_bundle_imports_imported_at'))

    op.drop_table('report_bundle_imports')
