"""flags

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-26 06:14:16.782728
"""

import sqlalchemy as sa
from alembic import op


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flag',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('indicator', sa.String(length=128), nullable=False),
    sa.Column('org_unit', sa.String(length=64), nullable=False),
    sa.Column('org_unit_path', sa.String(length=1024), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('period', sa.String(length=32), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('value', sa.Float(), nullable=True),
    sa.Column('expected', sa.Float(), nullable=True),
    sa.Column('message', sa.Text(), nullable=False),
    sa.Column('evidence', sa.JSON(), nullable=False),
    sa.Column('first_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen', sa.DateTime(timezone=True), nullable=False),
    sa.Column('resolved_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('times_seen', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag'))
    )
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.create_index('ix_flag_department', ['department'], unique=False)
        batch_op.create_index('ix_flag_key', ['rule', 'indicator', 'org_unit'], unique=False)
        batch_op.create_index('ix_flag_org_unit_path', ['org_unit_path'], unique=False)
        batch_op.create_index('ix_flag_status_severity', ['status', 'severity'], unique=False)

    op.create_table('flag_run',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('evaluated', sa.Integer(), nullable=False),
    sa.Column('raised', sa.Integer(), nullable=False),
    sa.Column('kept_open', sa.Integer(), nullable=False),
    sa.Column('resolved', sa.Integer(), nullable=False),
    sa.Column('detail', sa.Text(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flag_run')),
    sa.UniqueConstraint('started_at', name='uq_flag_run_started_at')
    )


def downgrade() -> None:
    op.drop_table('flag_run')
    with op.batch_alter_table('flag', schema=None) as batch_op:
        batch_op.drop_index('ix_flag_status_severity')
        batch_op.drop_index('ix_flag_org_unit_path')
        batch_op.drop_index('ix_flag_key')
        batch_op.drop_index('ix_flag_department')

    op.drop_table('flag')
