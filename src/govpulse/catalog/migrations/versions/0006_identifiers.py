"""identifiers: what other systems (DHIS2 first) call our catalogue's objects

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-27 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('identifier',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('entity', sa.String(length=32), nullable=False),
    sa.Column('entity_code', sa.String(length=128), nullable=False),
    sa.Column('scheme', sa.String(length=32), nullable=False),
    sa.Column('value', sa.String(length=255), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_identifier')),
    sa.UniqueConstraint('entity', 'scheme', 'value', name='uq_identifier_value')
    )
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.create_index('ix_identifier_entity_code', ['entity', 'entity_code'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('identifier', schema=None) as batch_op:
        batch_op.drop_index('ix_identifier_entity_code')

    op.drop_table('identifier')
