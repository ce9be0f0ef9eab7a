"""story heroes: who a WOW story is about, and stories waiting to be told who

Revision ID: 0014_story_heroes
Revises: 0013_admins
Create Date: 2026-12-01 14:10:00

A story's teller is only the messenger: the boards and the WOW of the week thank
its heroes. Stories stored before this have no hero, and none is invented: they
show who told them and credit nobody on the Top people board.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0014_story_heroes'
down_revision = '0013_admins'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'story_hero',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('story_id', sa.Integer(), sa.ForeignKey('story.id'), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.UniqueConstraint('story_id', 'user_id', name='uq_story_hero'),
    )
    op.create_index('ix_story_hero_workspace_id', 'story_hero', ['workspace_id'])
    op.create_index('ix_story_hero_story_id', 'story_hero', ['story_id'])
    op.create_index('ix_story_hero_person', 'story_hero', ['workspace_id', 'user_id', 'id'])
    op.create_table(
        'story_draft',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('channel_id', sa.String(length=128), nullable=False),
        sa.Column('author_id', sa.String(length=128), nullable=False),
        sa.Column('author_name', sa.String(length=120), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=False),
        sa.Column('source', sa.String(length=16), nullable=False),
        sa.Column('message_id', sa.String(length=128), nullable=True),
        sa.Column('thread_id', sa.String(length=128), nullable=True),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sqlite_autoincrement=True,
    )
    op.create_index('ix_story_draft_workspace_id', 'story_draft', ['workspace_id'])
    op.create_index('ix_story_draft_created_at', 'story_draft', ['created_at'])


def downgrade() -> None:
    op.drop_table('story_draft')
    op.drop_table('story_hero')
