"""clock claims: the period indexes cover what the idle tick asks of them

Revision ID: 0030_claims_covering
Revises: 0029_channel_names
Create Date: 2026-12-01 23:30:00

Every minute with nothing due, the clock asks of each claim table how many claims the
current periods have, the last id, their attempts and how many are done
(``bot.storage.clock_snapshot.clock_mark``). On PostgreSQL the period indexes now carry
those columns (``INCLUDE``), so the answer is read from the index alone instead of from
every claim row of the period. SQLite has no ``INCLUDE``: its indexes stay as they are.
No row changes.
"""

from alembic import op


revision = '0030_claims_covering'
down_revision = '0029_channel_names'
branch_labels = None
depends_on = None

# (index, table, key columns, the columns it also carries)
INDEXES = (
    ('ix_meeting_post_period', 'meeting_post', ['period'], ['id', 'attempts', 'posted_at']),
    ('ix_clock_notice_period', 'clock_notice', ['period', 'kind'], ['id', 'attempts', 'sent_at']),
)


def upgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, table, columns, carried in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns, postgresql_include=carried)


def downgrade() -> None:
    if op.get_bind().dialect.name != 'postgresql':
        return
    for name, table, columns, _ in INDEXES:
        op.drop_index(name, table_name=table)
        op.create_index(name, table, columns)
