"""house contacts: the admins' address (Reply-To of the house's emails) and an emergency number (QR poster)

Revision ID: 0024
Revises: 0023
Create Date: 2026-12-07 01:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


COLUMNS = (sa.Column('admin_email', sa.String(length=254), nullable=True),
           sa.Column('emergency_phone', sa.String(length=40), nullable=True))


def upgrade():
    # Plain ALTER TABLE (SQLite too): a batch copy of houses would fail on the rows that refer to it.
    for column in COLUMNS:
        op.add_column('houses', column)


def downgrade():
    for column in reversed(COLUMNS):
        op.execute(f'ALTER TABLE houses DROP COLUMN {column.name}')  # SQLite 3.35+, MySQL, MariaDB
