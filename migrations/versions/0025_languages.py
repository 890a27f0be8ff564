"""languages: each account's and each house's language (Afrikaans, English, isiXhosa)

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-07 05:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

TABLES = ('users', 'houses')


def upgrade():
    # Plain ALTER TABLE (SQLite too): a batch copy would fail on the rows that refer to these tables.
    for table in TABLES:
        op.add_column(table, sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    for table in TABLES:
        op.execute(f'ALTER TABLE {table} DROP COLUMN language')  # SQLite 3.35+, MySQL, MariaDB
