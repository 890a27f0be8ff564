"""account standing: verified address, approval, deactivation

Revision ID: 0004
Revises: 0003
Create Date: 2026-11-30 09:00:00

Accounts created before this revision count as verified and approved (from their creation time).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
COLUMNS = ('email_verified_at', 'approved_at', 'deactivated_at', 'sessions_ended_at')


def upgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in COLUMNS:
            batch_op.add_column(sa.Column(name, TIMESTAMP, nullable=True))
    op.execute("UPDATE users SET email_verified_at = created_at, approved_at = created_at")


def downgrade():
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in reversed(COLUMNS):
            batch_op.drop_column(name)
