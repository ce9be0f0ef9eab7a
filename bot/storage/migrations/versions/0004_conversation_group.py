"""conversation references remember the group (a Teams team) they belong to

Revision ID: 0004_conversation_group
Revises: 0003_clock
Create Date: 2026-12-01 11:30:00

Until now the Teams adapter kept a reference's team inside its JSON (``teamId``) and
worked out itself which references a team's removal covered. The core decides that
now, from this column; existing references are backfilled from their JSON.
"""

import json

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0004_conversation_group'
down_revision = '0003_clock'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('conversation_reference', schema=None) as batch_op:
        batch_op.add_column(
            sa.Column('group_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True)
        )
        batch_op.create_index(
            'ix_conversation_reference_group', ['workspace_id', 'group_id'], unique=False
        )
    connection = op.get_bind()
    rows = connection.execute(sa.text('SELECT id, data FROM conversation_reference')).fetchall()
    for row_id, data in rows:
        try:
            team = json.loads(data).get('teamId')
        except (ValueError, AttributeError):
            team = None
        if isinstance(team, str) and team:
            connection.execute(
                sa.text('UPDATE conversation_reference SET group_id = :group WHERE id = :id'),
                {'group': team[:128], 'id': row_id},
            )


def downgrade() -> None:
    with op.batch_alter_table('conversation_reference', schema=None) as batch_op:
        batch_op.drop_index('ix_conversation_reference_group')
        batch_op.drop_column('group_id')
