"""deliveries per issue and undeliverable addresses

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-03 10:00:00

outbox_issues links each email to the issues it tells of (shown on the admin's issue page);
undeliverable_addresses holds the addresses that hard-bounced (mail to them is skipped until an admin corrects
or clears them); address_changes records each correction. The outbox's new `skipped` status needs no change: the column is a VARCHAR.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table(
        'outbox_issues',
        sa.Column('outbox_id', sa.Integer(), nullable=False),
        sa.Column('issue_id', sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(['outbox_id'], ['outbox.id'], name=op.f('fk_outbox_issues_outbox_id_outbox'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['issue_id'], ['issues.id'], name=op.f('fk_outbox_issues_issue_id_issues'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('outbox_id', 'issue_id', name=op.f('pk_outbox_issues')),
    )
    op.create_index(op.f('ix_outbox_issues_issue_id'), 'outbox_issues', ['issue_id'], unique=False)
    op.create_table(
        'undeliverable_addresses',
        sa.Column('address', sa.String(length=254), nullable=False),
        sa.Column('reason', sa.String(length=255), nullable=False),
        sa.Column('bounced_at', TIMESTAMP, nullable=False),
        sa.Column('outbox_id', sa.Integer(), nullable=True),
        sa.Column('skipped', sa.Integer(), nullable=False),
        sa.Column('last_skipped_at', TIMESTAMP, nullable=True),
        sa.Column('cleared_at', TIMESTAMP, nullable=True),
        sa.Column('cleared_by', sa.String(length=254), nullable=True),
        sa.PrimaryKeyConstraint('address', name=op.f('pk_undeliverable_addresses')),
    )
    op.create_table(
        'address_changes',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('old_address', sa.String(length=254), nullable=False),
        sa.Column('new_address', sa.String(length=254), nullable=False),
        sa.Column('changed_by_id', sa.Integer(), nullable=True),
        sa.Column('changed_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_address_changes_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['changed_by_id'], ['users.id'], name=op.f('fk_address_changes_changed_by_id_users'),
                                ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_address_changes')),
    )
    op.create_index(op.f('ix_address_changes_user_id'), 'address_changes', ['user_id'], unique=False)


def downgrade():  # dropping a table drops its indexes (MySQL refuses to drop one a foreign key needs)
    op.drop_table('address_changes')
    op.drop_table('undeliverable_addresses')
    op.drop_table('outbox_issues')
