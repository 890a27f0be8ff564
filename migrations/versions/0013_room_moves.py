"""room moves

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-03 09:50:00

room_moves: each room change of a student (who moved them, when, why), shown on the student's admin page.
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')


def upgrade():
    op.create_table(
        'room_moves',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.Integer(), nullable=False),
        sa.Column('from_room_id', sa.Integer(), nullable=True),
        sa.Column('to_room_id', sa.Integer(), nullable=True),
        sa.Column('moved_by_id', sa.Integer(), nullable=True),
        sa.Column('reason', sa.String(length=200), nullable=False),
        sa.Column('moved_at', TIMESTAMP, nullable=False),
        sa.ForeignKeyConstraint(['from_room_id'], ['rooms.id'], name=op.f('fk_room_moves_from_room_id_rooms'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['moved_by_id'], ['users.id'], name=op.f('fk_room_moves_moved_by_id_users'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['to_room_id'], ['rooms.id'], name=op.f('fk_room_moves_to_room_id_rooms'),
                                ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_room_moves_user_id_users'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_room_moves')),
    )
    with op.batch_alter_table('room_moves', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_moves_user_id'), ['user_id'], unique=False)


def downgrade():
    op.drop_table('room_moves')  # its index goes with it (MySQL will not drop an index a foreign key needs)
