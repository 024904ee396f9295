"""password change: accounts whose password someone else chose must change it at their first sign-in

Accounts that exist before this revision keep working as they are (the flag starts false for every row).

Revision ID: 0008
Revises: 0007
Create Date: 2026-11-29 09:00:00.000000
"""

import sqlalchemy as sa
from alembic import op


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(),
                                      nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('user_account', schema=None) as batch_op:
        batch_op.drop_column('must_change_password')
