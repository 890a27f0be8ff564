"""photo store in the database

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 06:30:00

stored_files and stored_file_chunks: photos kept in the database (PHOTO_STORE=database), in 256 KB chunks
(MEDIUMBLOB on MySQL, whose BLOB holds only 64 KB).
"""
from alembic import op
import sqlalchemy as sa
from sqlalchemy.dialects import mysql

revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

TIMESTAMP = sa.DateTime().with_variant(mysql.DATETIME(fsp=6), 'mariadb').with_variant(mysql.DATETIME(fsp=6), 'mysql')
CHUNK = sa.LargeBinary().with_variant(mysql.MEDIUMBLOB(), 'mysql', 'mariadb')


def upgrade():
    op.create_table(
        'stored_files',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('chunks', sa.Integer(), nullable=False),
        sa.Column('created_at', TIMESTAMP, nullable=False),
        sa.PrimaryKeyConstraint('key', name=op.f('pk_stored_files')),
    )
    op.create_table(
        'stored_file_chunks',
        sa.Column('key', sa.String(length=64), nullable=False),
        sa.Column('seq', sa.Integer(), autoincrement=False, nullable=False),
        sa.Column('data', CHUNK, nullable=False),
        sa.ForeignKeyConstraint(['key'], ['stored_files.key'], name=op.f('fk_stored_file_chunks_key_stored_files'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('key', 'seq', name=op.f('pk_stored_file_chunks')),
    )


def downgrade():
    op.drop_table('stored_file_chunks')
    op.drop_table('stored_files')
