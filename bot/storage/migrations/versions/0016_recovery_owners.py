"""recovery owners: a defect's owner, when they were told it is overdue, audited ids

Revision ID: 0016_recovery_owners
Revises: 0015_story_vote_counts
Create Date: 2026-12-01 14:50:00

Every recovery action already stored stays, in order, as the defect's history (they
were all kept; only the views showed the last). A defect that has actions gets as its
owner whoever recorded the first of them; one without stays "no owner yet". Audit
entries gain the id of the record an entry is about.
"""

from alembic import op
import sqlalchemy as sa


revision = '0016_recovery_owners'
down_revision = '0015_story_vote_counts'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('defect', sa.Column('owner_id', sa.String(length=128), nullable=True))
    op.add_column('defect', sa.Column('owner_name', sa.String(length=120), nullable=True))
    op.add_column('defect', sa.Column('overdue_told', sa.String(length=16), nullable=True))
    op.add_column('audit_log', sa.Column('record_id', sa.Integer(), nullable=True))
    first = (
        "SELECT {column} FROM recovery_action a WHERE a.defect_id = defect.id "
        "AND a.workspace_id = defect.workspace_id ORDER BY a.created_at, a.id LIMIT 1"
    )
    op.execute(
        sa.text(
            f"UPDATE defect SET owner_id = ({first.format(column='a.owner_id')}), "
            f"owner_name = ({first.format(column='a.owner_name')}) "
            "WHERE EXISTS (SELECT 1 FROM recovery_action r WHERE r.defect_id = defect.id)"
        )
    )


def downgrade() -> None:
    with op.batch_alter_table('audit_log') as batch:
        batch.drop_column('record_id')
    with op.batch_alter_table('defect') as batch:
        batch.drop_column('overdue_told')
        batch.drop_column('owner_name')
        batch.drop_column('owner_id')
