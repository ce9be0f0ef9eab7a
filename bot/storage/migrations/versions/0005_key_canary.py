"""key canary, and audit entries keep their patient reference encrypted

Revision ID: 0005_key_canary
Revises: 0004_conversation_group
Create Date: 2026-12-01 11:40:00
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel
import bot.storage.models


revision = '0005_key_canary'
down_revision = '0004_conversation_group'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('key_canary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token', sqlmodel.sql.sqltypes.AutoString(), nullable=False),
    sa.Column('fingerprint', sqlmodel.sql.sqltypes.AutoString(length=16), nullable=False),
    sa.Column('updated_at', bot.storage.models.UTCDateTime(), nullable=False),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('patient_ref_enc', sqlmodel.sql.sqltypes.AutoString(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.drop_column('patient_ref_enc')
    op.drop_table('key_canary')
