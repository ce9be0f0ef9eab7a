"""clock claims are keyed by period (a day, an ISO week or a month), not by ISO week

Revision ID: 0007_clock_periods
Revises: 0006_vote_order
Create Date: 2026-12-01 14:00:00

``meeting_post`` and ``clock_notice`` were unique per (channel, ISO year, ISO week), so
only weekly messages fitted. They get a ``period`` string instead: the key of a local
day (``2026-12-01``), ISO week (``2026-W49``) or month (``2026-12``), zero-padded so
keys sort as strings. Every existing row is a week's and becomes that week's key; its
status, message id, attempts, error, rule and times are kept, so a week posted (or
claimed) before the upgrade is not posted again after it.
"""

from alembic import op
import sqlalchemy as sa
import sqlmodel


revision = '0007_clock_periods'
down_revision = '0006_vote_order'
branch_labels = None
depends_on = None

PERIOD = sqlmodel.sql.sqltypes.AutoString(length=16)

# (table, old unique constraint, old index, new unique constraint and columns, new index and columns)
TABLES = (
    (
        'meeting_post',
        ('uq_meeting_week', ['workspace_id', 'channel_id', 'iso_year', 'iso_week']),
        ('ix_meeting_post_week', ['iso_year', 'iso_week']),
        ('uq_meeting_period', ['workspace_id', 'channel_id', 'period']),
        ('ix_meeting_post_period', ['period']),
    ),
    (
        'clock_notice',
        ('uq_clock_notice', ['workspace_id', 'channel_id', 'iso_year', 'iso_week', 'kind']),
        ('ix_clock_notice_week', ['iso_year', 'iso_week', 'kind']),
        ('uq_clock_notice_period', ['workspace_id', 'channel_id', 'kind', 'period']),
        ('ix_clock_notice_period', ['period', 'kind']),
    ),
)


def _week_key() -> str:
    """SQL for "2026-W05" from iso_year 2026 and iso_week 5, on this database."""
    if op.get_bind().dialect.name == 'postgresql':
        return "to_char(iso_year, 'FM0000') || '-W' || to_char(iso_week, 'FM00')"
    return "printf('%04d-W%02d', iso_year, iso_week)"


def upgrade() -> None:
    for table, (old_unique, _), (old_index, _), (new_unique, unique_columns), (
        new_index,
        index_columns,
    ) in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('period', PERIOD, nullable=True))
        op.execute(f'UPDATE {table} SET period = {_week_key()}')
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('period', existing_type=PERIOD, nullable=False)
            batch_op.drop_constraint(old_unique, type_='unique')
            batch_op.drop_index(old_index)
            batch_op.drop_column('iso_year')
            batch_op.drop_column('iso_week')
            batch_op.create_unique_constraint(new_unique, unique_columns)
            batch_op.create_index(new_index, index_columns, unique=False)


def downgrade() -> None:
    # Before this revision the clock only had weekly messages: a day's or a month's
    # claim has no ISO week to go back to, so those rows are dropped.
    for table, (old_unique, old_unique_columns), (old_index, old_index_columns), (
        new_unique,
        _,
    ), (new_index, _) in TABLES:
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.add_column(sa.Column('iso_year', sa.Integer(), nullable=True))
            batch_op.add_column(sa.Column('iso_week', sa.Integer(), nullable=True))
        op.execute(f"DELETE FROM {table} WHERE period NOT LIKE '____-W__'")
        op.execute(
            f'UPDATE {table} SET iso_year = CAST(substr(period, 1, 4) AS INTEGER), '
            'iso_week = CAST(substr(period, 7, 2) AS INTEGER)'
        )
        with op.batch_alter_table(table, schema=None) as batch_op:
            batch_op.alter_column('iso_year', existing_type=sa.Integer(), nullable=False)
            batch_op.alter_column('iso_week', existing_type=sa.Integer(), nullable=False)
            batch_op.drop_constraint(new_unique, type_='unique')
            batch_op.drop_index(new_index)
            batch_op.drop_column('period')
            batch_op.create_unique_constraint(old_unique, old_unique_columns)
            batch_op.create_index(old_index, old_index_columns, unique=False)
