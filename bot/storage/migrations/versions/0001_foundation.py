"""foundation schema

Revision ID: 0001_foundation
Revises: 
Create Date: 2026-11-23 14:20:35.447036
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.storage.models


revision = '0001_foundation'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('workspace',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('platform', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('external_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('nominate_emoji', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('platform', 'external_id', name='uq_workspace_ext')
    )
    op.create_table('audit_log',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('actor_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('actor_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=32), nullable=False),
    sa.Column('patient_ref_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('record_count', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_audit_log_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_audit_log_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('conversation_reference',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('kind', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('data', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('updated_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'channel_id', name='uq_conversation_reference')
    )
    with op.batch_alter_table('conversation_reference', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_conversation_reference_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('defect',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('stage', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('description', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('patient_ref_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=True),
    sa.Column('patient_ref_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=True),
    sa.Column('reporter_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('reporter_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('closed_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.Column('closed_by', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_defect_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_patient_ref_hash'), ['patient_ref_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_defect_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('meeting_post',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('iso_year', sa.Integer(), nullable=False),
    sa.Column('iso_week', sa.Integer(), nullable=False),
    sa.Column('rule_id', sqlmodel.sql.sqltypes.AutoString(length=80), nullable=False),
    sa.Column('status', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('last_error', sqlmodel.sql.sqltypes.AutoString(length=500), nullable=True),
    sa.Column('claimed_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('posted_at', bot.storage.models.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'channel_id', 'iso_year', 'iso_week', name='uq_meeting_week')
    )
    with op.batch_alter_table('meeting_post', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_post_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('processed_event',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'event_id', name='uq_processed_event')
    )
    with op.batch_alter_table('processed_event', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_processed_event_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_processed_event_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('story',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('text', sqlmodel.sql.sqltypes.AutoString(length=2000), nullable=False),
    sa.Column('source', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('message_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=True),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'channel_id', 'message_id', name='uq_story_message')
    )
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_story_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_story_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('subscription',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('channel_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('weekday', sa.Integer(), nullable=False),
    sa.Column('hour', sa.Integer(), nullable=False),
    sa.Column('minute', sa.Integer(), nullable=False),
    sa.Column('timezone', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('paused_until', sa.Date(), nullable=True),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('updated_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('workspace_id', 'channel_id', name='uq_subscription')
    )
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_subscription_active'), ['active'], unique=False)
        batch_op.create_index(batch_op.f('ix_subscription_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('tidbit',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('patient_ref_hash', sqlmodel.sql.sqltypes.AutoString(length=64), nullable=False),
    sa.Column('patient_ref_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('note_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('author_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('author_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.Column('expires_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('tidbit', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_tidbit_expires_at'), ['expires_at'], unique=False)
        batch_op.create_index('ix_tidbit_lookup', ['workspace_id', 'patient_ref_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_tidbit_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('nomination',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('story_id', sa.Integer(), nullable=False),
    sa.Column('voter_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['story_id'], ['story.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('story_id', 'voter_id', name='uq_nomination')
    )
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_nomination_story_id'), ['story_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_nomination_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('recovery_action',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('defect_id', sa.Integer(), nullable=False),
    sa.Column('action', sqlmodel.sql.sqltypes.AutoString(length=1000), nullable=False),
    sa.Column('owner_id', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('owner_name', sqlmodel.sql.sqltypes.AutoString(length=120), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['defect_id'], ['defect.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('recovery_action', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recovery_action_defect_id'), ['defect_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recovery_action_workspace_id'), ['workspace_id'], unique=False)

    op.create_table('skip',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('workspace_id', sa.Integer(), nullable=False),
    sa.Column('subscription_id', sa.Integer(), nullable=False),
    sa.Column('skip_date', sa.Date(), nullable=False),
    sa.Column('created_by', sqlmodel.sql.sqltypes.AutoString(length=128), nullable=False),
    sa.Column('created_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.ForeignKeyConstraint(['subscription_id'], ['subscription.id'], ),
    sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id'], ),
    sa.PrimaryKeyConstraint('id'),
    sa.UniqueConstraint('subscription_id', 'skip_date', name='uq_skip')
    )
    with op.batch_alter_table('skip', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_skip_subscription_id'), ['subscription_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_skip_workspace_id'), ['workspace_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('skip', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_skip_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_skip_subscription_id'))

    op.drop_table('skip')
    with op.batch_alter_table('recovery_action', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recovery_action_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_recovery_action_defect_id'))

    op.drop_table('recovery_action')
    with op.batch_alter_table('nomination', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_nomination_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_nomination_story_id'))

    op.drop_table('nomination')
    with op.batch_alter_table('tidbit', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_tidbit_workspace_id'))
        batch_op.drop_index('ix_tidbit_lookup')
        batch_op.drop_index(batch_op.f('ix_tidbit_expires_at'))

    op.drop_table('tidbit')
    with op.batch_alter_table('subscription', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_subscription_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_subscription_active'))

    op.drop_table('subscription')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_story_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_story_created_at'))

    op.drop_table('story')
    with op.batch_alter_table('processed_event', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_processed_event_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_processed_event_created_at'))

    op.drop_table('processed_event')
    with op.batch_alter_table('meeting_post', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_post_workspace_id'))

    op.drop_table('meeting_post')
    with op.batch_alter_table('defect', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_defect_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_defect_patient_ref_hash'))
        batch_op.drop_index(batch_op.f('ix_defect_created_at'))

    op.drop_table('defect')
    with op.batch_alter_table('conversation_reference', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_conversation_reference_workspace_id'))

    op.drop_table('conversation_reference')
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_audit_log_workspace_id'))
        batch_op.drop_index(batch_op.f('ix_audit_log_created_at'))

    op.drop_table('audit_log')
    op.drop_table('workspace')
