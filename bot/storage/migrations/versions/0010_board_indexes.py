"""indexes for the boards: one workspace's counted votes, its open defects, its month of stories

Revision ID: 0010_board_indexes
Revises: 0009_clock_settle
Create Date: 2026-12-01 12:10:00

The leaderboard and the App Home read one workspace at a time. Without these, the
vote count joined every tenant's nominations, and the open-defect board sorted the
workspace's whole defect history to find the open ones. The partial indexes hold
only the rows the boards read: votes that count (``active``) and defects still open.
"""

from alembic import op
import sqlalchemy as sa


revision = '0010_board_indexes'
down_revision = '0009_clock_settle'
branch_labels = None
depends_on = None

OPEN = sa.text('closed_at IS NULL')


def upgrade() -> None:
    op.create_index(
        'ix_nomination_counted',
        'nomination',
        ['workspace_id', 'story_id'],
        postgresql_where=sa.text('active'),
        sqlite_where=sa.text('active = 1'),
    )
    op.create_index(
        'ix_defect_open_stage',
        'defect',
        ['workspace_id', 'stage', 'created_at'],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index(
        'ix_defect_open',
        'defect',
        ['workspace_id', 'created_at'],
        postgresql_where=OPEN,
        sqlite_where=OPEN,
    )
    op.create_index('ix_story_board', 'story', ['workspace_id', 'created_at'])


def downgrade() -> None:
    op.drop_index('ix_story_board', table_name='story')
    op.drop_index('ix_defect_open', table_name='defect')
    op.drop_index('ix_defect_open_stage', table_name='defect')
    op.drop_index('ix_nomination_counted', table_name='nomination')
