"""each story keeps its count of active nominations

Revision ID: 0015_story_vote_counts
Revises: 0014_story_heroes
Create Date: 2026-12-01 14:00:00

The all-time board counted every vote of the workspace's history on each read. Each
story now holds its number of active nominations (``story.votes``). A trigger on
``nomination`` keeps it on every write that changes what counts (a vote added, taken
back, revived or deleted, whichever code or statement writes it), and its row update
on ``story`` makes two concurrent voters queue, so the count never drifts. Existing
stories are back-filled from their active nominations: no vote is lost. A vote row
scoped to another workspace than its story's never counts, as on the boards before.

The boards' people (a story's heroes, ``story_hero``) add up these stored counts.
"""

from alembic import op
import sqlalchemy as sa


revision = '0015_story_vote_counts'
down_revision = '0014_story_heroes'
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
    if op.get_bind().dialect.name == 'postgresql':
        op.execute(POSTGRES_FUNCTION)
        op.execute(POSTGRES_TRIGGER)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER nomination_counts_story ON nomination')
        op.execute('DROP FUNCTION nomination_counts_story()')
    else:
        for event in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER nomination_counts_story_{event}')
    op.drop_index('ix_story_author', table_name='story')
    op.drop_index('ix_story_votes', table_name='story')
    with op.batch_alter_table('story', schema=None) as batch_op:
        batch_op.drop_column('votes')
