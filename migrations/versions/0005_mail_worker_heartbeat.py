"""mail worker heartbeat

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-29 15:30:00

mail_state.worker_seen_at: the last time a mail worker took the mail lock, so /healthz can say whether one runs.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0005'
down_revision = '0004'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    with op.batch_alter_table('mail_state', schema=None) as batch_op:
        batch_op.add_column(sa.Column('worker_seen_at', TIMESTAMP, nullable=True))


def downgrade():
    with op.batch_alter_table('mail_state', schema=None) as batch_op:
        batch_op.drop_column('worker_seen_at')
