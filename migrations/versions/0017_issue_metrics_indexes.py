"""indexes for /admin/metrics

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 10:35:00

Three covering indexes on issues, one per event the metrics count (reported, fixed, first response): each
figure is a range of one of them from the period's start, read without touching the rows (20,000 issues).
"""
from alembic import op

revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None

INDEXES = {
    'ix_issues_metrics_created': ['house_id', 'created_at', 'category'],
    'ix_issues_metrics_fixed': ['house_id', 'resolved_at', 'status', 'category', 'created_at', 'fix_by', 'rating'],
    'ix_issues_metrics_responded': ['house_id', 'first_response_at', 'category', 'created_at', 'respond_by'],
}


def upgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name, columns in INDEXES.items():
            batch_op.create_index(name, columns, unique=False)


def downgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name in reversed(INDEXES):
            batch_op.drop_index(name)
