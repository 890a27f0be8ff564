"""response targets and urgent mail

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 06:20:00

issues: first_response_at, respond_by, fix_by, next_due_at (indexed with house_id and status) and overdue_noticed_due;
response_targets: a category's own targets per urgency. The outbox gains the `urgent` purpose, which goes
before notices: queued notice and bulk rows move one priority down (3 and 4).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
CATEGORIES = ('plumbing', 'electrical', 'doors_locks', 'furniture', 'internet', 'appliances', 'pest_control',
              'cleaning', 'other')
ISSUE_COLUMNS = ('first_response_at', 'respond_by', 'fix_by', 'next_due_at', 'overdue_noticed_due')


def upgrade():
    op.create_table('response_targets',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('category', sa.Enum(*CATEGORIES, name='category', native_enum=False, length=20), nullable=False),
    sa.Column('urgency', sa.Enum('normal', 'urgent', name='urgency', native_enum=False, length=20), nullable=False),
    sa.Column('response_hours', sa.Double(), nullable=False),
    sa.Column('fix_hours', sa.Double(), nullable=False),
    sa.Column('updated_at', TIMESTAMP, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_response_targets')),
    sa.UniqueConstraint('category', 'urgency', name=op.f('uq_response_targets_category_urgency'))
    )
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name in ISSUE_COLUMNS:
            batch_op.add_column(sa.Column(name, TIMESTAMP, nullable=True))
        batch_op.create_index('ix_issues_house_status_due', ['house_id', 'status', 'next_due_at'], unique=False)
    op.execute("UPDATE outbox SET priority = priority + 1 WHERE priority >= 2")


def downgrade():
    op.execute("UPDATE outbox SET purpose = 'notice' WHERE purpose = 'urgent'")
    op.execute("UPDATE outbox SET priority = priority - 1 WHERE priority >= 3")
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_index('ix_issues_house_status_due')
        for name in reversed(ISSUE_COLUMNS):
            batch_op.drop_column(name)
    op.drop_table('response_targets')
