"""issues outlive accounts and houses

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 09:45:00

issues.reporter_id and issues.house_id were ON DELETE CASCADE: deleting an account or a house deleted its issues
with it. Both become RESTRICT; accounts are anonymised instead (app/auth/privacy.py).
"""
from alembic import op

revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None

FOREIGN_KEYS = (('reporter_id', 'users'), ('house_id', 'houses'))


def _recreate(ondelete: str) -> None:
    with op.batch_alter_table('issues') as batch:
        for column, table in FOREIGN_KEYS:
            name = f'fk_issues_{column}_{table}'
            batch.drop_constraint(name, type_='foreignkey')
            batch.create_foreign_key(name, table, [column], ['id'], ondelete=ondelete)


def upgrade():
    _recreate('RESTRICT')


def downgrade():
    _recreate('CASCADE')
