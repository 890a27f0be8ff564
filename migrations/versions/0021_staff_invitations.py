"""staff invitations

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-07 01:20:00

A house admin no longer links an existing staff account to their house: they invite it, and the link is made
when the staff member accepts while signed in (issue 21, item 1).
"""
import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import mysql

revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mysql', 'mariadb')


def upgrade():
    op.create_table(
        'staff_invitations',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('house_id', sa.Integer(), nullable=False),
        sa.Column('invited_by_id', sa.Integer(), nullable=True),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_staff_invitations_user_id_users'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_staff_invitations_house_id_houses'),
                                ondelete='CASCADE'),
        sa.ForeignKeyConstraint(['invited_by_id'], ['users.id'],
                                name=op.f('fk_staff_invitations_invited_by_id_users'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_staff_invitations')),
        sa.UniqueConstraint('user_id', 'house_id', name=op.f('uq_staff_invitations_user_id_house_id')),
    )
    op.create_index(op.f('ix_staff_invitations_house_id'), 'staff_invitations', ['house_id'], unique=False)


def downgrade():
    op.drop_table('staff_invitations')  # its index goes with it (MySQL keeps an index a foreign key needs)
