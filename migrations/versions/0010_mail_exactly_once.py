"""mail exactly once

Revision ID: 0010
Revises: 0006
Create Date: 2026-12-03 06:30:00

outbox.in_flight_at: set just before a message goes to the SMTP server and cleared with its outcome, so a row
whose worker died with it in flight becomes `unknown` instead of being sent again; resolution, resolved_by and
resolved_at record a developer's decision on an `unknown` row (resend or mark as sent) on /dev/mail.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0010'
down_revision = '0006'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('in_flight_at', TIMESTAMP, nullable=True))
        batch_op.add_column(sa.Column('resolution', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', TIMESTAMP, nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolution')
        batch_op.drop_column('in_flight_at')
