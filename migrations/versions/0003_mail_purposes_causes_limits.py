"""mail purposes and causes, rolling-window limits

Revision ID: 0003
Revises: 0002
Create Date: 2026-11-29 15:00:00

The outbox's kind (alert, transactional, bulk) becomes its purpose (security, alert, notice, bulk), each with
its own budget share; every row records its cause; rate_counts and rate_locks hold the shared limits.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
PURPOSE = sa.Enum('security', 'alert', 'notice', 'bulk', name='purpose', native_enum=False, length=20)
KIND = sa.Enum('alert', 'transactional', 'bulk', name='mailkind', native_enum=False, length=20)
SECURITY_TEMPLATES = "('password_reset', 'verify_email')"
BULK_TEMPLATES = "('account_invite', 'digest', 'move_in_reminder')"


def upgrade():
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('kind', new_column_name='purpose', existing_type=KIND, type_=PURPOSE,
                              existing_nullable=False)
        batch_op.add_column(sa.Column('cause', sa.String(length=64), nullable=False, server_default='system'))
    op.execute("UPDATE outbox SET purpose = 'notice' WHERE purpose = 'transactional'")
    op.execute(f"UPDATE outbox SET purpose = 'security' WHERE template IN {SECURITY_TEMPLATES}")
    op.execute(f"UPDATE outbox SET purpose = 'bulk' WHERE template IN {BULK_TEMPLATES}")
    op.execute("UPDATE outbox SET priority = CASE purpose WHEN 'security' THEN 0 WHEN 'alert' THEN 1 "
               "WHEN 'notice' THEN 2 ELSE 3 END")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.alter_column('cause', existing_type=sa.String(length=64), server_default=None,
                              existing_nullable=False)
    op.create_table(
        'rate_counts',
        sa.Column('key', sa.String(length=190), nullable=False),
        sa.Column('bucket', TIMESTAMP, nullable=False),
        sa.Column('count', sa.Integer(), nullable=False),
        sa.Column('refused', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('key', 'bucket', name=op.f('pk_rate_counts')),
    )
    op.create_table(
        'rate_locks',
        sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('takes', sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_rate_locks')),
    )


def downgrade():
    op.drop_table('rate_locks')
    op.drop_table('rate_counts')
    op.execute("UPDATE outbox SET purpose = 'transactional' WHERE purpose IN ('security', 'notice')")
    op.execute("UPDATE outbox SET priority = CASE purpose WHEN 'alert' THEN 0 WHEN 'bulk' THEN 2 ELSE 1 END")
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_column('cause')
        batch_op.alter_column('purpose', new_column_name='kind', existing_type=PURPOSE, type_=KIND,
                              existing_nullable=False)
