"""workflow: actions, their history, calls, commitments, attachments, escalations, messages, effects

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-26 06:20:34.346371
"""

import sqlalchemy as sa
from alembic import op


revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=255), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('flag_id', sa.Integer(), nullable=True),
    sa.Column('indicator', sa.String(length=128), nullable=True),
    sa.Column('org_unit', sa.String(length=64), nullable=False),
    sa.Column('org_unit_path', sa.String(length=1024), nullable=False),
    sa.Column('department', sa.String(length=64), nullable=False),
    sa.Column('severity', sa.String(length=16), nullable=False),
    sa.Column('priority', sa.String(length=16), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('assignee_role', sa.String(length=32), nullable=False),
    sa.Column('assignee_org_unit', sa.String(length=64), nullable=False),
    sa.Column('assignee_user_id', sa.Integer(), nullable=True),
    sa.Column('opened_by', sa.String(length=128), nullable=False),
    sa.Column('opened_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('due_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('acknowledged_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('action_taken_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('report', sa.Text(), nullable=False),
    sa.Column('reported_by', sa.String(length=128), nullable=False),
    sa.Column('closed_by', sa.String(length=128), nullable=False),
    sa.Column('ladder', sa.String(length=64), nullable=False),
    sa.Column('escalation_level', sa.Integer(), nullable=False),
    sa.Column('next_escalation_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('times_reopened', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['assignee_user_id'], ['user_account.id'], name=op.f('fk_action_assignee_user_id_user_account'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['flag_id'], ['flag.id'], name=op.f('fk_action_flag_id_flag'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action'))
    )
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.create_index('ix_action_assignee_status', ['assignee_user_id', 'status'], unique=False)
        batch_op.create_index('ix_action_department', ['department'], unique=False)
        batch_op.create_index(batch_op.f('ix_action_flag_id'), ['flag_id'], unique=False)
        batch_op.create_index('ix_action_indicator_org_unit', ['indicator', 'org_unit'], unique=False)
        batch_op.create_index('ix_action_org_unit_path', ['org_unit_path'], unique=False)
        batch_op.create_index('ix_action_status_next_escalation', ['status', 'next_escalation_at'], unique=False)

    op.create_table('action_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('file_name', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=128), nullable=False),
    sa.Column('size', sa.Integer(), nullable=False),
    sa.Column('sha256', sa.String(length=64), nullable=False),
    sa.Column('path', sa.String(length=512), nullable=False),
    sa.Column('uploaded_by', sa.String(length=128), nullable=False),
    sa.Column('uploaded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_attachment_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_attachment'))
    )
    with op.batch_alter_table('action_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_attachment_action_id'), ['action_id'], unique=False)

    op.create_table('action_call',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('via', sa.String(length=32), nullable=False),
    sa.Column('caller', sa.String(length=128), nullable=False),
    sa.Column('caller_phone', sa.String(length=32), nullable=False),
    sa.Column('callee_user_id', sa.Integer(), nullable=True),
    sa.Column('callee_name', sa.String(length=255), nullable=False),
    sa.Column('callee_phone', sa.String(length=32), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ended_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('outcome', sa.String(length=16), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('provider_call_id', sa.String(length=128), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_call_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['callee_user_id'], ['user_account.id'], name=op.f('fk_action_call_callee_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_call')),
    sa.UniqueConstraint('provider_call_id', name=op.f('uq_action_call_provider_call_id'))
    )
    with op.batch_alter_table('action_call', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_call_action_id'), ['action_id'], unique=False)

    op.create_table('action_effect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('measured_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('period_type', sa.String(length=16), nullable=False),
    sa.Column('polarity', sa.String(length=16), nullable=False),
    sa.Column('before', sa.Float(), nullable=True),
    sa.Column('at_closure', sa.Float(), nullable=True),
    sa.Column('comparison_units', sa.Integer(), nullable=False),
    sa.Column('horizons', sa.JSON(), nullable=False),
    sa.Column('verdict_horizon', sa.Integer(), nullable=True),
    sa.Column('improvement', sa.Float(), nullable=True),
    sa.Column('recovered', sa.Boolean(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_effect_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_effect')),
    sa.UniqueConstraint('action_id', name=op.f('uq_action_effect_action_id'))
    )
    op.create_table('action_escalation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('ladder', sa.String(length=64), nullable=False),
    sa.Column('step', sa.Integer(), nullable=False),
    sa.Column('step_name', sa.String(length=128), nullable=False),
    sa.Column('effects', sa.JSON(), nullable=False),
    sa.Column('from_assignee', sa.String(length=128), nullable=False),
    sa.Column('to_assignee', sa.String(length=128), nullable=False),
    sa.Column('from_priority', sa.String(length=16), nullable=False),
    sa.Column('to_priority', sa.String(length=16), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_escalation_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_escalation'))
    )
    with op.batch_alter_table('action_escalation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_escalation_action_id'), ['action_id'], unique=False)

    op.create_table('action_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('actor', sa.String(length=128), nullable=False),
    sa.Column('kind', sa.String(length=32), nullable=False),
    sa.Column('from_status', sa.String(length=16), nullable=True),
    sa.Column('to_status', sa.String(length=16), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('detail', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_event_action_id_action'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_event'))
    )
    with op.batch_alter_table('action_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_event_action_id'), ['action_id'], unique=False)

    op.create_table('notification_message',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('event', sa.String(length=32), nullable=False),
    sa.Column('recipient', sa.String(length=255), nullable=False),
    sa.Column('subject', sa.String(length=255), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('error', sa.Text(), nullable=False),
    sa.Column('provider_message_id', sa.String(length=128), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_notification_message_action_id_action'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['user_id'], ['user_account.id'], name=op.f('fk_notification_message_user_id_user_account'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_notification_message'))
    )
    with op.batch_alter_table('notification_message', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_notification_message_action_id'), ['action_id'], unique=False)
        batch_op.create_index('ix_notification_message_event_created', ['event', 'created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_notification_message_user_id'), ['user_id'], unique=False)

    op.create_table('action_commitment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('action_id', sa.Integer(), nullable=False),
    sa.Column('call_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=False),
    sa.Column('made_by', sa.String(length=255), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['action_id'], ['action.id'], name=op.f('fk_action_commitment_action_id_action'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['call_id'], ['action_call.id'], name=op.f('fk_action_commitment_call_id_action_call'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_action_commitment'))
    )
    with op.batch_alter_table('action_commitment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_action_commitment_action_id'), ['action_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('action_commitment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_commitment_action_id'))

    op.drop_table('action_commitment')
    with op.batch_alter_table('notification_message', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_notification_message_user_id'))
        batch_op.drop_index('ix_notification_message_event_created')
        batch_op.drop_index(batch_op.f('ix_notification_message_action_id'))

    op.drop_table('notification_message')
    with op.batch_alter_table('action_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_event_action_id'))

    op.drop_table('action_event')
    with op.batch_alter_table('action_escalation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_escalation_action_id'))

    op.drop_table('action_escalation')
    op.drop_table('action_effect')
    with op.batch_alter_table('action_call', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_call_action_id'))

    op.drop_table('action_call')
    with op.batch_alter_table('action_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_action_attachment_action_id'))

    op.drop_table('action_attachment')
    with op.batch_alter_table('action', schema=None) as batch_op:
        batch_op.drop_index('ix_action_status_next_escalation')
        batch_op.drop_index('ix_action_org_unit_path')
        batch_op.drop_index('ix_action_indicator_org_unit')
        batch_op.drop_index(batch_op.f('ix_action_flag_id'))
        batch_op.drop_index('ix_action_department')
        batch_op.drop_index('ix_action_assignee_status')

    op.drop_table('action')
