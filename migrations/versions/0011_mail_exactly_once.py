"""mail exactly once

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-03 06:30:00

mail_journal: what a mail worker handed to the SMTP server and what the server answered, written before each
message goes out (MyISAM on MySQL/MariaDB: visible at once, no log flush per message), so a row whose worker
died is settled as sent, `unknown` (it was in flight) or queued again, never sent twice. outbox.resolution,
resolved_by and resolved_at record a developer's decision on an `unknown` row (resend or mark as sent).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table('mail_journal',
    sa.Column('outbox_id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('owner', sa.String(length=80), nullable=False),
    sa.Column('state', sa.Enum('flight', 'sent', 'done', name='journalstate', native_enum=False, length=20),
              nullable=False),
    sa.Column('at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('outbox_id', name=op.f('pk_mail_journal')),
    mysql_engine='MyISAM'
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.add_column(sa.Column('resolution', sa.String(length=16), nullable=True))
        batch_op.add_column(sa.Column('resolved_by', sa.String(length=254), nullable=True))
        batch_op.add_column(sa.Column('resolved_at', TIMESTAMP, nullable=True))


def downgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('resolved_at')
        batch_op.drop_column('resolved_by')
        batch_op.drop_column('resolution')
    op.drop_table('mail_journal')
