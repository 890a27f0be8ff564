"""mail_state keeps the forecast reserves

Revision ID: 0021_mail
Revises: 0020
Create Date: 2026-12-07 01:30:00

Each purpose above bulk reserves what its history says it will need in the coming 24 hours
(app/emailer/budget.py); the forecast is kept on the shared mail_state row for a few minutes so that each claim
does not compute it again.
"""
import sqlalchemy as sa
from alembic import op

revision = '0021_mail'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('mail_state') as batch:
        batch.add_column(sa.Column('reserves', sa.JSON(), nullable=True))
        batch.add_column(sa.Column('reserves_at', sa.DateTime(), nullable=True))


def downgrade():
    with op.batch_alter_table('mail_state') as batch:
        batch.drop_column('reserves_at')
        batch.drop_column('reserves')
