"""weekly figures for /admin/metrics

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 14:10:00

issue_weeks: per house, week (Monday, UTC) and category, the issues opened, fixed and first answered, their
deadlines met, ratings, and each one's time to the fix and to the first response (packed microseconds), kept by
app/issues/weekly.py as issues change and filled here from the issues (its counting frozen into `backfill`).
The page reads these rows only, so the three covering indexes of 0017 have no reader left and go.
"""
from array import array
from collections import Counter
from datetime import timedelta

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
    backfill(op.get_bind())
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name in OLD_INDEXES:
            batch_op.drop_index(name)


ISSUES = sa.table('issues', sa.column('house_id', sa.Integer()), sa.column('category', sa.String(20)),
                  sa.column('status', sa.String(20)), sa.column('created_at', sa.DateTime()),
                  sa.column('resolved_at', sa.DateTime()), sa.column('first_response_at', sa.DateTime()),
                  sa.column('rating', sa.Integer()), sa.column('respond_by', sa.DateTime()),
                  sa.column('fix_by', sa.DateTime()))
WEEKS = sa.table('issue_weeks', sa.column('house_id', sa.Integer()), sa.column('week', sa.Date()),
                 sa.column('category', sa.String(20)), *[sa.column(name, sa.Integer()) for name in COUNTS],
                 sa.column('fix_times', TIMES), sa.column('response_times', TIMES))


def backfill(connection):
    """The week rows from the issues, counted as app/issues/weekly.py counted them when this migration was
    written (frozen here: a migration must not run the application's code of a later day)."""
    rows = {}
    for issue in connection.execute(sa.select(ISSUES)).mappings():
        if issue['house_id'] is None or issue['created_at'] is None:
            continue
        created = issue['created_at']

        def row(when, issue=issue):
            week = when.date() - timedelta(days=when.weekday())  # its Monday (UTC)
            return rows.setdefault((issue['house_id'], week, issue['category']),
                                   (Counter(), {'fix_times': [], 'response_times': []}))

        row(created)[0]['opened'] += 1
        resolved, fix_by, rating = issue['resolved_at'], issue['fix_by'], issue['rating']
        if issue['status'] == 'resolved' and resolved is not None:
            counts, times = row(resolved)
            counts.update(fixed=1, fixed_with_target=int(fix_by is not None),
                          fixed_on_time=int(fix_by is not None and resolved <= fix_by), rating_sum=rating or 0,
                          ratings=int(rating is not None))
            times['fix_times'].append((resolved - created) // timedelta(microseconds=1))
        responded, respond_by = issue['first_response_at'], issue['respond_by']
        if responded is not None:
            counts, times = row(responded)
            counts.update(responded=1, responded_with_target=int(respond_by is not None),
                          responded_on_time=int(respond_by is not None and responded <= respond_by))
            times['response_times'].append((responded - created) // timedelta(microseconds=1))
    values = [{'house_id': house_id, 'week': week, 'category': category, **{name: counts[name] for name in COUNTS},
               **{name: array('q', sorted(packed)).tobytes() for name, packed in times.items()}}
              for (house_id, week, category), (counts, times) in rows.items()]
    connection.execute(sa.delete(WEEKS))
    for start in range(0, len(values), 500):
        connection.execute(sa.insert(WEEKS), values[start:start + 500])


def downgrade():
    with op.batch_alter_table('issues', schema=None) as batch_op:
        for name, columns in OLD_INDEXES.items():
            batch_op.create_index(name, columns, unique=False)
    op.drop_table('issue_weeks')
