"""dashboard: one-time sign-in links

Revision ID: 0023_dashboard
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

A new table for ``huddle dashboard link``: each row a link's token hash, for whom and
until when. Nothing existing changes.
"""

from alembic import op
import sqlalchemy as sa



revision = '0023_dashboard'
down_revision = '0022_blueprints'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'dashboard_sign_in_link',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('user_name', sa.String(length=120), nullable=False),
        sa.Column('token_hash', sa.String(length=64), nullable=False, unique=True),
        sa.Column('expires_at', sa.DateTime(), nullable=False),
        sa.Column('used_at', sa.DateTime(), nullable=True),
        sa.Column('created_at', sa.DateTime(), nullable=False),
    )
    op.create_index(
        'ix_dashboard_sign_in_link_workspace_id', 'dashboard_sign_in_link', ['workspace_id']
    )


def downgrade() -> None:
    op.drop_index('ix_dashboard_sign_in_link_workspace_id', 'dashboard_sign_in_link')
    op.drop_table('dashboard_sign_in_link')
