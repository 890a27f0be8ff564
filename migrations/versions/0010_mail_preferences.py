"""mail preferences (one-click unsubscribe)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-03 06:20:00

mail_preferences: the kinds of bulk mail (move-in reminders, the digest, invitations) a person turned off
through the List-Unsubscribe link, and how many emails were not sent because of it.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table('mail_preferences',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('move_in_reminders', 'digest', 'invitations', name='mailkind', native_enum=False,
                              length=40), nullable=False),
    sa.Column('unsubscribed_at', TIMESTAMP, nullable=False),
    sa.Column('skipped', sa.Integer(), nullable=False),
    sa.Column('last_skipped_at', TIMESTAMP, nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_mail_preferences_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'kind', name=op.f('pk_mail_preferences'))
    )


def downgrade():
    op.drop_table('mail_preferences')
