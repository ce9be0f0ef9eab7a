"""each hero keeps a running total for the all-time board

Revision ID: 0021_hero_tally
Revises: 0019_fail_to_attend
Create Date: 2026-12-01 17:00:00

The all-time Top people added up ``story.votes`` over every voted story of the
workspace on each read. ``hero_tally`` holds, per workspace and person, the votes of
the stories about them and how many of those stories have votes. Triggers keep it:
on ``story`` when its stored count changes (itself kept by the nomination trigger of
0015), and on ``story_hero`` when a hero is added, removed or changed. A hero row
scoped to another workspace than its story's never counts, as on the board before.
On PostgreSQL a story's heroes are updated in the order of their user ids, so two
voters on two stories about the same people queue instead of deadlocking. Existing heroes
are back-filled from their stories' stored counts: nothing is lost.
"""

from alembic import op
import sqlalchemy as sa


revision = '0021_hero_tally'
down_revision = '0020_front_desk'
branch_labels = None
depends_on = None

BACKFILL = (
    'INSERT INTO hero_tally (workspace_id, user_id, votes, stories) '
    'SELECT h.workspace_id, h.user_id, '
    'COALESCE(SUM(CASE WHEN s.votes > 0 THEN s.votes ELSE 0 END), 0), '
    'COALESCE(SUM(CASE WHEN s.votes > 0 THEN 1 ELSE 0 END), 0) '
    'FROM story_hero h LEFT JOIN story s ON s.id = h.story_id AND s.workspace_id = h.workspace_id '
    'GROUP BY h.workspace_id, h.user_id'
)

POSTGRES_FUNCTIONS = (
    """
CREATE FUNCTION hero_tally_add(ws integer, person varchar, told integer, sign integer)
RETURNS void LANGUAGE plpgsql AS $$
DECLARE counted integer;
BEGIN
    SELECT votes INTO counted FROM story WHERE id = told AND workspace_id = ws;
    INSERT INTO hero_tally (workspace_id, user_id, votes, stories) VALUES (ws, person, 0, 0)
        ON CONFLICT DO NOTHING;
    IF counted > 0 THEN
        UPDATE hero_tally SET votes = votes + sign * counted, stories = stories + sign
            WHERE workspace_id = ws AND user_id = person;
    END IF;
END
$$
""",
    """
CREATE FUNCTION story_hero_tally() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM hero_tally_add(OLD.workspace_id, OLD.user_id, OLD.story_id, -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM hero_tally_add(NEW.workspace_id, NEW.user_id, NEW.story_id, 1);
    END IF;
    RETURN NULL;
END
$$
""",
    """
CREATE FUNCTION story_votes_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE hero record;
BEGIN
    FOR hero IN SELECT h.user_id FROM story_hero h
            WHERE h.story_id = NEW.id AND h.workspace_id = NEW.workspace_id ORDER BY h.user_id LOOP
        UPDATE hero_tally SET votes = votes + NEW.votes - OLD.votes,
            stories = stories + (NEW.votes > 0)::integer - (OLD.votes > 0)::integer
            WHERE workspace_id = NEW.workspace_id AND user_id = hero.user_id;
    END LOOP;
    RETURN NULL;
END
$$
""",
)
POSTGRES_TRIGGERS = (
    'CREATE TRIGGER story_hero_tally AFTER INSERT OR DELETE OR UPDATE OF workspace_id, story_id, '
    'user_id ON story_hero FOR EACH ROW EXECUTE FUNCTION story_hero_tally()',
    'CREATE TRIGGER story_votes_tally AFTER UPDATE OF votes ON story FOR EACH ROW '
    'WHEN (OLD.votes IS DISTINCT FROM NEW.votes) EXECUTE FUNCTION story_votes_tally()',
)


def _sqlite_add(row: str, sign: str) -> str:
    story = (
        f'(SELECT votes FROM story WHERE id = {row}.story_id AND workspace_id = {row}.workspace_id)'
    )
    return (
        f'INSERT OR IGNORE INTO hero_tally (workspace_id, user_id, votes, stories) '
        f'VALUES ({row}.workspace_id, {row}.user_id, 0, 0); '
        f'UPDATE hero_tally SET votes = votes {sign} {story}, stories = stories {sign} 1 '
        f'WHERE workspace_id = {row}.workspace_id AND user_id = {row}.user_id '
        f'AND COALESCE({story}, 0) > 0;'
    )


SQLITE_TRIGGERS = (
    f'CREATE TRIGGER story_hero_tally_insert AFTER INSERT ON story_hero BEGIN '
    f'{_sqlite_add("NEW", "+")} END',
    f'CREATE TRIGGER story_hero_tally_delete AFTER DELETE ON story_hero BEGIN '
    f'{_sqlite_add("OLD", "-")} END',
    f'CREATE TRIGGER story_hero_tally_update AFTER UPDATE OF workspace_id, story_id, user_id '
    f'ON story_hero BEGIN {_sqlite_add("OLD", "-")} {_sqlite_add("NEW", "+")} END',
    'CREATE TRIGGER story_votes_tally AFTER UPDATE OF votes ON story '
    'WHEN OLD.votes != NEW.votes BEGIN '
    'UPDATE hero_tally SET votes = votes + NEW.votes - OLD.votes, '
    'stories = stories + (NEW.votes > 0) - (OLD.votes > 0) '
    'WHERE workspace_id = NEW.workspace_id AND user_id IN (SELECT user_id FROM story_hero '
    'WHERE story_id = NEW.id AND workspace_id = NEW.workspace_id); END',
)


def upgrade() -> None:
    op.create_table(
        'hero_tally',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('user_id', sa.String(length=128), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('stories', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('workspace_id', 'user_id'),
    )
    op.create_index('ix_hero_tally_board', 'hero_tally', ['workspace_id', 'votes'])
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == 'postgresql':
        for statement in (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS):
            op.execute(statement)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER story_votes_tally ON story')
        op.execute('DROP TRIGGER story_hero_tally ON story_hero')
        op.execute('DROP FUNCTION story_votes_tally()')
        op.execute('DROP FUNCTION story_hero_tally()')
        op.execute('DROP FUNCTION hero_tally_add(integer, varchar, integer, integer)')
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER story_hero_tally_{name}')
        op.execute('DROP TRIGGER story_votes_tally')
    op.drop_index('ix_hero_tally_board', table_name='hero_tally')
    op.drop_table('hero_tally')
