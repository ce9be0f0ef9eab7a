"""directory ids: which platform user a directory id is, per workspace

Revision ID: 0026_directory_ids
Revises: 0025_brief_home
Create Date: 2026-12-01 20:00:00

A new table only (``directory_person``); nothing existing changes. It fills as people
are heard from (a Teams activity's sender carries their directory id).
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0026_directory_ids'
down_revision = '0025_brief_home'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'directory_person',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('directory_id', sa.String(length=128), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('workspace_id', 'directory_id', name='uq_directory_person'),
    )
    with op.batch_alter_table('directory_person') as batch:
        batch.create_index(
            batch.f('ix_directory_person_workspace_id'), ['workspace_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('directory_person') as batch:
        batch.drop_index(batch.f('ix_directory_person_workspace_id'))
    op.drop_table('directory_person')
