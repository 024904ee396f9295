"""quarantine org unit: where in the tree a rejected row lies, so readers see only their subtree's rows

Both columns stay empty for rows whose org unit could not be read, and for rows quarantined before this
revision (their org unit was never stored): only readers of the whole tree see those.

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-28 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.add_column(sa.Column('org_unit', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('org_unit_path', sa.String(length=1024), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('quarantined_row', schema=None) as batch_op:
        batch_op.drop_column('org_unit_path')
        batch_op.drop_column('org_unit')
