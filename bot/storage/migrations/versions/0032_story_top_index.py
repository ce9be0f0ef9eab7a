"""the all-time board's index holds its tie-break: votes first, then the earliest

Revision ID: 0032_story_top_index
Revises: 0031_open_defect_tally
Create Date: 2026-12-02 14:30:00

The all-time Top stories are the most voted, ties to the story shared first (then the
lower id). ``ix_story_votes`` (workspace, votes) gave them in vote order only, so every
story tied at the top vote count was read and sorted: 4,036 of them in the busy
workspace of the 100x benchmark, 9 ms and growing with history. ``ix_story_top``
(workspace, votes descending, created_at, id) is the board's order itself: five rows,
read from the top. No row changes.
"""

from alembic import op
import sqlalchemy as sa


revision = '0032_story_top_index'
down_revision = '0031_open_defect_tally'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index(
        'ix_story_top', 'story', ['workspace_id', sa.text('votes DESC'), 'created_at', 'id']
    )
    op.drop_index('ix_story_votes', table_name='story')


def downgrade() -> None:
    op.create_index('ix_story_votes', 'story', ['workspace_id', 'votes'])
    op.drop_index('ix_story_top', table_name='story')
