"""the period boards read stored tallies, as the all-time board does

Revision ID: 0028_period_tally
Revises: 0027_tidbits_setting
Create Date: 2026-12-01 20:00:00

The week's, month's, quarter's and year's boards read every voted story of the period
on each read, so they grew with the period. ``story_period`` holds a row per story per
period it was told in (its ISO week, month, quarter and year in its practice's
timezone), carrying the story's stored count; ``hero_period_tally`` per workspace,
period and person the votes of the period's stories about them and how many of those
have votes. Triggers keep both (on PostgreSQL locking a story's periods and heroes in
order, so voters on stories about the same people queue instead of deadlocking): on ``story`` when its stored count changes (copied to
its period rows), on ``story_period`` when that copy changes (the heroes' tallies), and
on ``story_hero`` when a hero is added, removed or changed. A hero row scoped to another
workspace than its story's never counts, as on the board before. Existing stories and
heroes are back-filled, in each workspace's own timezone: nothing is lost.
"""

from alembic import op
import sqlalchemy as sa

from bot.storage.models import UTCDateTime
from bot.storage.period_tally import periods_of


revision = '0028_period_tally'
down_revision = '0027_tidbits_setting'
branch_labels = None
depends_on = None

HERO_BACKFILL = (
    'INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories) '
    'SELECT h.workspace_id, p.period, h.user_id, SUM(p.votes), COUNT(*) '
    'FROM story_hero h JOIN story_period p '
    'ON p.story_id = h.story_id AND p.workspace_id = h.workspace_id '
    'WHERE p.votes > 0 GROUP BY h.workspace_id, p.period, h.user_id'
)

POSTGRES_FUNCTIONS = (
    """
CREATE FUNCTION story_period_votes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE told_in record;
BEGIN
    -- One period at a time, in order: the heroes' rows are then locked in one order.
    FOR told_in IN SELECT period FROM story_period WHERE story_id = NEW.id ORDER BY period LOOP
        UPDATE story_period SET votes = NEW.votes
            WHERE story_id = NEW.id AND period = told_in.period;
    END LOOP;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION story_period_hero_votes() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE hero record;
BEGIN
    FOR hero IN SELECT h.user_id FROM story_hero h
            WHERE h.story_id = NEW.story_id AND h.workspace_id = NEW.workspace_id
            ORDER BY h.user_id LOOP
        INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories)
            VALUES (NEW.workspace_id, NEW.period, hero.user_id, 0, 0) ON CONFLICT DO NOTHING;
        UPDATE hero_period_tally SET votes = votes + NEW.votes - OLD.votes,
            stories = stories + (NEW.votes > 0)::integer - (OLD.votes > 0)::integer
            WHERE workspace_id = NEW.workspace_id AND period = NEW.period
            AND user_id = hero.user_id;
    END LOOP;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION hero_period_add(ws integer, person varchar, told integer, sign integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE told_in record;
BEGIN
    FOR told_in IN SELECT period, votes FROM story_period
            WHERE story_id = told AND workspace_id = ws AND votes > 0 ORDER BY period LOOP
        INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories)
            VALUES (ws, told_in.period, person, 0, 0) ON CONFLICT DO NOTHING;
        UPDATE hero_period_tally SET votes = votes + sign * told_in.votes, stories = stories + sign
            WHERE workspace_id = ws AND period = told_in.period AND user_id = person;
    END LOOP;
END
$$
""",
    """
CREATE FUNCTION story_hero_period_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM hero_period_add(OLD.workspace_id, OLD.user_id, OLD.story_id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM hero_period_add(NEW.workspace_id, NEW.user_id, NEW.story_id, 1);
    END IF;
    RETURN NULL;
END
$$
""",
)
POSTGRES_TRIGGERS = (
    'CREATE TRIGGER story_period_votes AFTER UPDATE OF votes ON story FOR EACH ROW '
    'WHEN (OLD.votes IS DISTINCT FROM NEW.votes) EXECUTE FUNCTION story_period_votes()',
    'CREATE TRIGGER story_period_hero_votes AFTER UPDATE OF votes ON story_period FOR EACH ROW '
    'WHEN (OLD.votes IS DISTINCT FROM NEW.votes) EXECUTE FUNCTION story_period_hero_votes()',
    'CREATE TRIGGER story_hero_period_tally AFTER INSERT OR DELETE OR UPDATE OF workspace_id, '
    'story_id, user_id ON story_hero FOR EACH ROW EXECUTE FUNCTION story_hero_period_tally()',
)


def _sqlite_add(row: str, sign: str) -> str:
    told_in = f'story_period p WHERE p.story_id = {row}.story_id AND p.workspace_id = {row}.workspace_id'
    return (
        f'INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories) '
        f'SELECT {row}.workspace_id, p.period, {row}.user_id, 0, 0 FROM {told_in} '
        f'AND p.votes > 0 AND NOT EXISTS (SELECT 1 FROM hero_period_tally t WHERE '
        f't.workspace_id = {row}.workspace_id AND t.period = p.period AND t.user_id = {row}.user_id); '
        f'UPDATE hero_period_tally SET votes = votes {sign} (SELECT p.votes FROM {told_in} '
        f'AND p.period = hero_period_tally.period), stories = stories {sign} 1 '
        f'WHERE workspace_id = {row}.workspace_id AND user_id = {row}.user_id '
        f'AND period IN (SELECT p.period FROM {told_in} AND p.votes > 0);'
    )


# ``NOT EXISTS``, not ``INSERT OR IGNORE``: in SQLite the outer statement's conflict
# policy (a vote's upsert) overrides a trigger's own.
SQLITE_TRIGGERS = (
    'CREATE TRIGGER story_period_votes AFTER UPDATE OF votes ON story '
    'WHEN OLD.votes != NEW.votes BEGIN '
    'UPDATE story_period SET votes = NEW.votes WHERE story_id = NEW.id; END',
    'CREATE TRIGGER story_period_hero_votes AFTER UPDATE OF votes ON story_period '
    'WHEN OLD.votes != NEW.votes BEGIN '
    'INSERT INTO hero_period_tally (workspace_id, period, user_id, votes, stories) '
    'SELECT NEW.workspace_id, NEW.period, h.user_id, 0, 0 FROM story_hero h '
    'WHERE h.story_id = NEW.story_id AND h.workspace_id = NEW.workspace_id AND NOT EXISTS '
    '(SELECT 1 FROM hero_period_tally t WHERE t.workspace_id = NEW.workspace_id '
    'AND t.period = NEW.period AND t.user_id = h.user_id); '
    'UPDATE hero_period_tally SET votes = votes + NEW.votes - OLD.votes, '
    'stories = stories + (NEW.votes > 0) - (OLD.votes > 0) '
    'WHERE workspace_id = NEW.workspace_id AND period = NEW.period AND user_id IN '
    '(SELECT user_id FROM story_hero WHERE story_id = NEW.story_id '
    'AND workspace_id = NEW.workspace_id); END',
    f'CREATE TRIGGER story_hero_period_insert AFTER INSERT ON story_hero BEGIN '
    f'{_sqlite_add("NEW", "+")} END',
    f'CREATE TRIGGER story_hero_period_delete AFTER DELETE ON story_hero BEGIN '
    f'{_sqlite_add("OLD", "-")} END',
    f'CREATE TRIGGER story_hero_period_update AFTER UPDATE OF workspace_id, story_id, user_id '
    f'ON story_hero BEGIN {_sqlite_add("OLD", "-")} {_sqlite_add("NEW", "+")} END',
)


def _backfill_stories() -> None:
    """Each existing story's four period rows, in its workspace's timezone (in batches)."""
    bind = op.get_bind()
    rows = bind.execute(
        sa.text(
            'SELECT s.id, s.workspace_id, s.created_at, s.votes, w.timezone '
            'FROM story s JOIN workspace w ON w.id = s.workspace_id ORDER BY s.id'
        ).columns(created_at=UTCDateTime())
    )
    table = sa.table(
        'story_period',
        sa.column('story_id'),
        sa.column('period'),
        sa.column('workspace_id'),
        sa.column('created_at', UTCDateTime()),
        sa.column('votes'),
    )
    while batch := rows.fetchmany(2000):
        values = []
        for story_id, workspace_id, moment, votes, tz in batch:
            for period in periods_of(moment, tz or 'UTC'):
                values.append(
                    dict(
                        story_id=story_id,
                        period=period,
                        workspace_id=workspace_id,
                        created_at=moment,
                        votes=votes or 0,
                    )
                )
        bind.execute(table.insert(), values)


def upgrade() -> None:
    op.create_table(
        'story_period',
        sa.Column('story_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['story_id'], ['story.id']),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('story_id', 'period'),
    )
    op.create_table(
        'hero_period_tally',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('period', sa.String(length=8), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('stories', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('workspace_id', 'period', 'user_id'),
    )
    _backfill_stories()
    op.execute(HERO_BACKFILL)
    op.create_index('ix_story_period_board', 'story_period', ['workspace_id', 'period', 'votes'])
    op.create_index(
        'ix_hero_period_board', 'hero_period_tally', ['workspace_id', 'period', 'votes']
    )
    if op.get_bind().dialect.name == 'postgresql':
        for statement in (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS):
            op.execute(statement)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER story_hero_period_tally ON story_hero')
        op.execute('DROP TRIGGER story_period_hero_votes ON story_period')
        op.execute('DROP TRIGGER story_period_votes ON story')
        for function in (
            'story_hero_period_tally()',
            'hero_period_add(integer, varchar, integer, integer)',
            'story_period_hero_votes()',
            'story_period_votes()',
        ):
            op.execute(f'DROP FUNCTION {function}')
    else:
        for trigger in (
            'story_hero_period_update',
            'story_hero_period_delete',
            'story_hero_period_insert',
            'story_period_hero_votes',
            'story_period_votes',
        ):
            op.execute(f'DROP TRIGGER {trigger}')
    op.drop_index('ix_hero_period_board', table_name='hero_period_tally')
    op.drop_table('hero_period_tally')
    op.drop_index('ix_story_period_board', table_name='story_period')
    op.drop_table('story_period')
