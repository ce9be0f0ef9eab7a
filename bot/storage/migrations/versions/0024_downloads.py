"""downloads: a file offered as a one-use link that expires (Teams exports)

Revision ID: 0024_downloads
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

A new table only; nothing existing changes.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0024_downloads'
down_revision = '0023_dashboard'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'download',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('mime', sa.String(length=100), nullable=False),
        sa.Column('data_enc', sa.Text(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('expires_at', UTCDateTime(), nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('token_hash', name='uq_download_token'),
    )
    with op.batch_alter_table('download') as batch:
        batch.create_index(batch.f('ix_download_expires_at'), ['expires_at'], unique=False)
        batch.create_index(batch.f('ix_download_workspace_id'), ['workspace_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('download') as batch:
        batch.drop_index(batch.f('ix_download_workspace_id'))
        batch.drop_index(batch.f('ix_download_expires_at'))
    op.drop_table('download')
