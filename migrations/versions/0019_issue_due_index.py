"""index for the queue by nearest deadline

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 14:10:00

/admin/?sort=due reads the open issues in deadline order from (house_id, next_due_at) and stops at the page's
end, instead of sorting every open issue of the house (app/admin/queue.py).
"""
from alembic import op

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.create_index('ix_issues_house_due', ['house_id', 'next_due_at'], unique=False)


def downgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_index('ix_issues_house_due')
