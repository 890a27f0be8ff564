"""weekly figures for /admin/metrics

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:10:00

issue_weeks: per house, week (Monday, UTC) and category, the issues opened, fixed and first answered, their
deadlines met, ratings, and each one's time to the fix and to the first response (packed microseconds), kept by
app/issues/weekly.py as issues change and filled here from the issues. The page reads these rows only, so the
three covering indexes of 0017 have no reader left and go.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None

CATEGORIES = ('plumbing', 'electrical', 'doors_locks', 'furniture', 'internet', 'appliances', 'pest_control',
              'cleaning', 'other')
COUNTS = ('opened', 'fixed', 'fixed_with_target', 'fixed_on_time', 'responded', 'responded_with_target',
          'responded_on_time', 'rating_sum', 'ratings')
TIMES = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), 'mysql', 'mariadb')
OLD_INDEXES = {
    'ix_issues_metrics_created': ['house_id', 'created_at', 'category'],
    'ix_issues_metrics_fixed': ['house_id', 'resolved_at', 'status', 'category', 'created_at', 'fix_by', 'rating'],
    'ix_issues_metrics_responded': ['house_id', 'first_response_at', 'category', 'created_at', 'respond_by'],
}


def upgrade():
    op.create_table(
        'issue_weeks',
        sa.Column('house_id', sa.Integer(), nullable=False),
        sa.Column('week', sa.Date(), nullable=False),
        sa.Column('category', sa.Enum(*CATEGORIES, name='category', native_enum=False, length=20), nullable=False),
        *[sa.Column(name, sa.Integer(), nullable=False) for name in COUNTS],
        sa.Column('fix_times', TIMES, nullable=False),
        sa.Column('response_times', TIMES, nullable=False),
        sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_issue_weeks_house_id_houses'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('house_id', 'week', 'category', name=op.f('pk_issue_weeks')),
    )
    # The app's own code fills them, so that the rows are the ones it keeps (one piece of logic, not two).
    from app.issues.weekly import rebuild
    rebuild(op.get_bind())
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)


def downgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.drop_table('issue_weeks')
