"""each story keeps its count of active nominations, and each author a tally of them

Revision ID: 0011_story_vote_counts
Revises: 0010_board_indexes
Create Date: 2026-12-01 14:00:00

The all-time board counted every vote of the workspace's history on each read. Each
story now holds its number of active nominations (``story.votes``). A trigger on
``nomination`` keeps it on every write that changes what counts (a vote added, taken
back, revived or deleted, whichever code or statement writes it), and its row update
on ``story`` makes two concurrent voters queue, so the count never drifts. Existing
stories are back-filled from their active nominations: no vote is lost. A vote row
scoped to another workspace than its story's never counts, as on the boards before.

The all-time board's people read ``author_tally`` (an author's stories and the votes
they hold, per workspace), kept the same way by a trigger on ``story`` and back-filled
from the counts.
"""

from alembic import op
import sqlalchemy as sa


revision = '0011_story_vote_counts'
down_revision = '0010_board_indexes'
branch_labels = None
depends_on = None

POSTGRES_FUNCTION = """
CREATE FUNCTION nomination_counts_story() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.active = NEW.active AND OLD.story_id = NEW.story_id
            AND OLD.workspace_id = NEW.workspace_id THEN
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.active THEN
        UPDATE story SET votes = votes - 1 WHERE id = OLD.story_id AND workspace_id = OLD.workspace_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.active THEN
        UPDATE story SET votes = votes + 1 WHERE id = NEW.story_id AND workspace_id = NEW.workspace_id;
    END IF;
    RETURN NULL;
END
$$
"""
POSTGRES_TRIGGER = (
    'CREATE TRIGGER nomination_counts_story AFTER INSERT OR DELETE OR UPDATE OF active, story_id, workspace_id '
    'ON nomination FOR EACH ROW EXECUTE FUNCTION nomination_counts_story()'
)
SQLITE_TRIGGERS = (
    'CREATE TRIGGER nomination_counts_story_insert AFTER INSERT ON nomination '
    'WHEN NEW.active BEGIN UPDATE story SET votes = votes + 1 WHERE id = NEW.story_id AND workspace_id = NEW.workspace_id; END',
    'CREATE TRIGGER nomination_counts_story_delete AFTER DELETE ON nomination '
    'WHEN OLD.active BEGIN UPDATE story SET votes = votes - 1 WHERE id = OLD.story_id AND workspace_id = OLD.workspace_id; END',
    'CREATE TRIGGER nomination_counts_story_update AFTER UPDATE OF active, story_id, workspace_id '
    'ON nomination '
    'WHEN OLD.active != NEW.active OR OLD.story_id != NEW.story_id '
    'OR OLD.workspace_id != NEW.workspace_id BEGIN '
    'UPDATE story SET votes = votes - 1 WHERE id = OLD.story_id AND workspace_id = OLD.workspace_id AND OLD.active; '
    'UPDATE story SET votes = votes + 1 WHERE id = NEW.story_id AND workspace_id = NEW.workspace_id AND NEW.active; END',
)

TALLY_FUNCTION = """
CREATE FUNCTION story_counts_author() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.workspace_id = NEW.workspace_id
            AND OLD.author_id = NEW.author_id THEN
        IF OLD.votes != NEW.votes THEN
            UPDATE author_tally SET votes = votes + NEW.votes - OLD.votes
            WHERE workspace_id = NEW.workspace_id AND author_id = NEW.author_id;
        END IF;
        RETURN NULL;
    END IF;
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        UPDATE author_tally SET votes = votes - OLD.votes, stories = stories - 1
        WHERE workspace_id = OLD.workspace_id AND author_id = OLD.author_id;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO author_tally (workspace_id, author_id, votes, stories)
        VALUES (NEW.workspace_id, NEW.author_id, NEW.votes, 1)
        ON CONFLICT (workspace_id, author_id) DO UPDATE
        SET votes = author_tally.votes + EXCLUDED.votes, stories = author_tally.stories + 1;
    END IF;
    RETURN NULL;
END
$$
"""
TALLY_TRIGGER = (
    'CREATE TRIGGER story_counts_author AFTER INSERT OR DELETE OR UPDATE OF votes, author_id, '
    'workspace_id ON story FOR EACH ROW EXECUTE FUNCTION story_counts_author()'
)
# Not INSERT OR IGNORE: an outer statement's conflict clause (an upsert of a vote)
# would override it inside the trigger.
_ADD = (
    'INSERT INTO author_tally (workspace_id, author_id, votes, stories) '
    'SELECT NEW.workspace_id, NEW.author_id, 0, 0 WHERE NOT EXISTS (SELECT 1 FROM '
    'author_tally WHERE workspace_id = NEW.workspace_id AND author_id = NEW.author_id); '
    'UPDATE author_tally SET votes = votes + NEW.votes, stories = stories + 1 '
    'WHERE workspace_id = NEW.workspace_id AND author_id = NEW.author_id; '
)
_TAKE = (
    'UPDATE author_tally SET votes = votes - OLD.votes, stories = stories - 1 '
    'WHERE workspace_id = OLD.workspace_id AND author_id = OLD.author_id; '
)
SQLITE_TALLY_TRIGGERS = (
    f'CREATE TRIGGER story_counts_author_insert AFTER INSERT ON story BEGIN {_ADD}END',
    f'CREATE TRIGGER story_counts_author_delete AFTER DELETE ON story BEGIN {_TAKE}END',
    'CREATE TRIGGER story_counts_author_update AFTER UPDATE OF votes, author_id, workspace_id '
    f'ON story BEGIN {_TAKE}{_ADD}END',
)


def upgrade() -> None:
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.add_column(sa.Column('votes', sa.Integer(), server_default='0', nullable=False))
    op.execute(
        'UPDATE story SET votes = (SELECT count(*) FROM nomination '
        'WHERE nomination.story_id = story.id AND nomination.workspace_id = story.workspace_id '
        'AND nomination.active)'
    )
    op.create_index('ix_story_votes', 'story', ['workspace_id', 'votes'])
    op.create_index('ix_story_author', 'story', ['workspace_id', 'author_id', 'created_at'])
    op.create_table(
        'author_tally',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.String(length=128), nullable=False),
        sa.Column('votes', sa.Integer(), server_default='0', nullable=False),
        sa.Column('stories', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('workspace_id', 'author_id'),
    )
    op.execute(
        'INSERT INTO author_tally (workspace_id, author_id, votes, stories) '
        'SELECT workspace_id, author_id, sum(votes), count(*) FROM story '
        'GROUP BY workspace_id, author_id'
    )
    op.create_index('ix_author_tally_votes', 'author_tally', ['workspace_id', 'votes'])
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
        op.execute(TALLY_FUNCTION)
        op.execute(TALLY_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS + SQLITE_TALLY_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER story_counts_author ON story')
        op.execute('DROP FUNCTION story_counts_author()')
        op.execute('DROP TRIGGER nomination_counts_story ON nomination')
        op.execute('DROP FUNCTION nomination_counts_story()')
    else:
        for event in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER story_counts_author_{event}')
            op.execute(f'DROP TRIGGER nomination_counts_story_{event}')
    op.drop_index('ix_author_tally_votes', table_name='author_tally')
    op.drop_table('author_tally')
    op.drop_index('ix_story_author', table_name='story')
    op.drop_index('ix_story_votes', table_name='story')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('votes')
