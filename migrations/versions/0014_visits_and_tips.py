"""visits and self-help tips

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-03 10:00:00

visit_slots: times the reporter offers for a visit to their room; visits: the one booked visit of an issue
(notice_key: the time the student was emailed about). self_help_tips: a category's tips on the report form;
report_starts and report_start_categories: report forms shown, the categories chosen, whether a tip was shown and
whether the report was sent (for the "abandoned after a tip" figures).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
CATEGORIES = ('plumbing', 'electrical', 'doors_locks', 'furniture', 'internet', 'appliances', 'pest_control',
              'cleaning', 'other')


def _category(name='category'):
    return sa.Column(name, sa.Enum(*CATEGORIES, name='category', native_enum=False, length=20), nullable=False)


def _part():
    return sa.Column('part', sa.Enum('morning', 'afternoon', 'evening', 'times', name='daypart', native_enum=False,
                                     length=20), nullable=False)


def upgrade():
    op.create_table(
        'visit_slots',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        _part(),
        sa.Column('starts_at', TIMESTAMP, nullable=False),
        sa.Column('ends_at', TIMESTAMP, nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_visit_slots_issue_id_issues'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_visit_slots')),
    )
    op.create_index(op.f('ix_visit_slots_issue_id'), 'visit_slots', ['issue_id'], unique=False)
    op.create_table(
        'visits',
        sa.Column('issue_id', sa.Integer(), nullable=False),
        _part(),
        sa.Column('starts_at', TIMESTAMP, nullable=False),
        sa.Column('ends_at', TIMESTAMP, nullable=False),
        sa.Column('booked_by_id', sa.Integer(), nullable=True),
        sa.Column('booked_at', TIMESTAMP, nullable=False),
        sa.Column('notice_key', sa.String(length=64), nullable=False),
        sa.ForeignKeyConstraint(['booked_by_id'], ['users.id'], name=op.f('fk_visits_booked_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_visits_issue_id_issues'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('issue_id', name=op.f('pk_visits')),
    )
    op.create_table(
        'self_help_tips',
        _category(),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('updated_by_id', sa.Integer(), nullable=True),
        sa.Column('updated_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_self_help_tips_updated_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('category', name=op.f('pk_self_help_tips')),
    )
    op.create_table(
        'report_starts',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('house_id', sa.Integer(), nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.Column('reported_at', TIMESTAMP, nullable=True),
        sa.Column('issue_id', sa.Integer(), nullable=True),
        sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_report_starts_house_id_houses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_report_starts_issue_id_issues'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_report_starts_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_report_starts')),
        sa.UniqueConstraint('token', name=op.f('uq_report_starts_token')),
    )
    op.create_index('ix_report_starts_house_created', 'report_starts', ['house_id', 'created_at'], unique=False)
    op.create_index(op.f('ix_report_starts_user_id'), 'report_starts', ['user_id'], unique=False)
    op.create_table(
        'report_start_categories',
        sa.Column('start_id', sa.Integer(), nullable=False),
        _category(),
        sa.Column('tip_shown', sa.Boolean(), nullable=False),
        sa.ForeignKeyConstraint(['start_id'], ['report_starts.id'],
                                name=op.f('fk_report_start_categories_start_id_report_starts'), ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('start_id', 'category', name=op.f('pk_report_start_categories')),
    )


def downgrade():  # a table's indexes go with it (MySQL refuses to drop one a foreign key needs)
    op.drop_table('report_start_categories')
    op.drop_table('report_starts')
    op.drop_table('self_help_tips')
    op.drop_table('visits')
    op.drop_table('visit_slots')
