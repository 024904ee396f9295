"""ingest: batches, quarantined rows, scheduler state and lock

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-26 06:01:50.655458
"""

import sqlalchemy as sa
from alembic import op


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('scheduler_lock',
    sa.Column('name', sa.String(length=64), nullable=False),
    sa.Column('owner', sa.String(length=128), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('name', name=op.f('pk_scheduler_lock'))
    )
    op.create_table('batch',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=128), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('trigger', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('finished_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('triggered_by', sa.String(length=128), nullable=False),
    sa.Column('origins', sa.JSON(), nullable=False),
    sa.Column('rows_read', sa.Integer(), nullable=False),
    sa.Column('rows_accepted', sa.Integer(), nullable=False),
    sa.Column('rows_rejected', sa.Integer(), nullable=False),
    sa.Column('values_accepted', sa.Integer(), nullable=False),
    sa.Column('values_inserted', sa.Integer(), nullable=False),
    sa.Column('values_updated', sa.Integer(), nullable=False),
    sa.Column('values_unchanged', sa.Integer(), nullable=False),
    sa.Column('problems_found', sa.Integer(), nullable=False),
    sa.Column('duplicates_collapsed', sa.Integer(), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_batch_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_batch')),
    sa.UniqueConstraint('key', name=op.f('uq_batch_key'))
    )
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.create_index('ix_batch_source_started', ['source_id', 'started_at'], unique=False)

    op.create_table('source_run',
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('schedule', sa.String(length=128), nullable=False),
    sa.Column('next_run_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_attempt_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_success_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('last_outcome', sa.String(length=32), nullable=False),
    sa.Column('last_error', sa.Text(), nullable=False),
    sa.Column('last_batch_key', sa.String(length=128), nullable=False),
    sa.Column('consecutive_failures', sa.Integer(), nullable=False),
    sa.Column('running_since', sa.DateTime(timezone=True), nullable=True),
    sa.Column('running_owner', sa.String(length=128), nullable=False),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_source_run_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('source_id', name=op.f('pk_source_run'))
    )
    op.create_table('quarantined_row',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('batch_id', sa.Integer(), nullable=False),
    sa.Column('source_id', sa.Integer(), nullable=False),
    sa.Column('source_file', sa.String(length=1024), nullable=False),
    sa.Column('source_row', sa.BigInteger(), nullable=False),
    sa.Column('field', sa.String(length=255), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('problems', sa.JSON(), nullable=False),
    sa.Column('raw', sa.JSON(), nullable=True),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('replayed_in_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['batch_id'], ['batch.id'], name=op.f('fk_quarantined_row_batch_id_batch'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['replayed_in_id'], ['batch.id'], name=op.f('fk_quarantined_row_replayed_in_id_batch'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['source_id'], ['source.id'], name=op.f('fk_quarantined_row_source_id_source'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quarantined_row'))
    )
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quarantined_row_batch_id'), ['batch_id'], unique=False)
        batch_op.create_index('ix_quarantined_row_source_status', ['source_id', 'status'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_index('ix_quarantined_row_source_status')
        batch_op.drop_index(batch_op.f('ix_quarantined_row_batch_id'))

    op.drop_table('quarantined_row')
    op.drop_table('source_run')
    with op.batch_alter_table('batch', schema=None) as batch_op:
        batch_op.drop_index('ix_batch_source_started')

    op.drop_table('batch')
    op.drop_table('scheduler_lock')
