"""staff role scoped to houses, issue assignee, hold reason, completion photos

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-03 06:10:00

house_staff links staff accounts to houses (like house_admins). issues.assignee_id is SET NULL when the account
goes (an issue is never deleted with it). The new role, status and event kinds are VARCHAR values: no DDL.
"""
from alembic import op
import sqlalchemy as sa

revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('house_staff',
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('house_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['house_id'], ['houses.id'], name=op.f('fk_house_staff_house_id_houses'),
                            ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_house_staff_user_id_users'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('user_id', 'house_id', name=op.f('pk_house_staff'))
    )
    with op.batch_alter_table('house_staff', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_house_staff_house_id'), ['house_id'], unique=False)
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.add_column(sa.Column('assignee_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('hold_reason', sa.String(length=300), nullable=True))
        batch_op.create_index(batch_op.f('ix_issues_assignee_id'), ['assignee_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_issues_assignee_id_users'), 'users', ['assignee_id'], ['id'],
                                    ondelete='SET NULL')
    with op.batch_alter_table('issue_photos', schema=None) as batch_op:
        batch_op.add_column(sa.Column('completion', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('issue_photos', schema=None) as batch_op:
        batch_op.drop_column('completion')
    with op.batch_alter_table('issues', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_issues_assignee_id_users'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_issues_assignee_id'))
        batch_op.drop_column('hold_reason')
        batch_op.drop_column('assignee_id')
    op.drop_table('house_staff')  # its index goes with it (MySQL will not drop an index a foreign key uses)
