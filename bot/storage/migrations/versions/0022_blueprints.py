"""blueprints: a practice's own service blueprint, rules and suggestions

Revision ID: 0022_blueprints
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

Four new tables (see ``bot/storage/blueprint_models.py``); no existing table changes,
so nothing is lost: every workspace starts with no layer of its own and keeps the
content it had.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime


revision = '0022_blueprints'
down_revision = '0021_hero_tally'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'blueprint_settings',
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), primary_key=True),
        sa.Column('revision', sa.Integer(), nullable=False),
        sa.Column('stage_order_json', sa.String(), nullable=True),
        sa.Column('curriculum_json', sa.String(), nullable=True),
        sa.Column('skip_json', sa.String(), nullable=True),
        sa.Column('updated_by', sa.String(length=128), nullable=False),
        sa.Column('updated_at', UTCDateTime(), nullable=False),
    )
    for table, key in (('blueprint_stage', 'stage_id'), ('blueprint_rule', 'rule_id')):
        op.create_table(
            table,
            sa.Column('id', sa.Integer(), primary_key=True),
            sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
            sa.Column(key, sa.String(length=64), nullable=False),
            sa.Column('body_json', sa.String(), nullable=False),
            sa.Column('updated_by', sa.String(length=128), nullable=False),
            sa.Column('updated_at', UTCDateTime(), nullable=False),
            sa.UniqueConstraint('workspace_id', key, name=f'uq_{table}'),
        )
    op.create_table(
        'blueprint_suggestion',
        sa.Column('id', sa.Integer(), primary_key=True),
        sa.Column('workspace_id', sa.Integer(), sa.ForeignKey('workspace.id'), nullable=False),
        sa.Column('stage_id', sa.String(length=64), nullable=False),
        sa.Column('list_name', sa.String(length=32), nullable=False),
        sa.Column('text', sa.String(length=400), nullable=False),
        sa.Column('author_id', sa.String(length=128), nullable=False),
        sa.Column('author_name', sa.String(length=120), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('state', sa.String(length=16), nullable=False),
        sa.Column('decided_by', sa.String(length=128), nullable=True),
        sa.Column('decided_at', UTCDateTime(), nullable=True),
    )
    op.create_index(
        'ix_blueprint_suggestion_state', 'blueprint_suggestion', ['workspace_id', 'state']
    )


def downgrade() -> None:
    op.drop_index('ix_blueprint_suggestion_state', table_name='blueprint_suggestion')
    op.drop_table('blueprint_suggestion')
    op.drop_table('blueprint_rule')
    op.drop_table('blueprint_stage')
    op.drop_table('blueprint_settings')
