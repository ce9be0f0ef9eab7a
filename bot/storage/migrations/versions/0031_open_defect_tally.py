"""each stage keeps a running count of its open defects

Revision ID: 0031_open_defect_tally
Revises: 0030_claim_indexes
Create Date: 2026-12-02 14:20:00

The App Home counted every open defect of the workspace by stage on each read, and
``/defect list`` every open defect for its total: at 100,000 open defects, tens of
milliseconds that grew with them. ``open_defect_tally`` holds, per workspace and
stage, how many defects are open (``''`` for no stage). Triggers on ``defect`` keep
it on insert, delete, and a change of workspace, stage or ``closed_at``; an update that
changes none of those takes no lock on the tally. On PostgreSQL a defect moved between
stages touches the two rows in key order, so two moves the opposite way queue instead
of deadlocking. Existing open defects are back-filled: nothing is lost.
"""

from alembic import op
import sqlalchemy as sa


revision = '0031_open_defect_tally'
down_revision = '0030_claim_indexes'
branch_labels = None
depends_on = None

BACKFILL = (
    "INSERT INTO open_defect_tally (workspace_id, stage, open) "
    "SELECT workspace_id, COALESCE(stage, ''), count(*) FROM defect WHERE closed_at IS NULL "
    "GROUP BY workspace_id, COALESCE(stage, '')"
)

POSTGRES_FUNCTIONS = (
    """
CREATE FUNCTION open_defect_tally_add(ws integer, key varchar, n integer)
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    IF n < 0 THEN  -- its row exists (made when it opened, or by the back-fill)
        UPDATE open_defect_tally SET open = open + n WHERE workspace_id = ws AND stage = key;
    ELSE
        INSERT INTO open_defect_tally (workspace_id, stage, open) VALUES (ws, key, n)
            ON CONFLICT (workspace_id, stage) DO UPDATE SET open = open_defect_tally.open + n;
    END IF;
END
$$
""",
    """
CREATE FUNCTION defect_open_tally() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    was_open boolean := false;
    is_open boolean := false;
BEGIN
    IF TG_OP <> 'INSERT' THEN was_open := OLD.closed_at IS NULL; END IF;
    IF TG_OP <> 'DELETE' THEN is_open := NEW.closed_at IS NULL; END IF;
    IF was_open AND is_open AND (NEW.workspace_id, COALESCE(NEW.stage, ''))
            < (OLD.workspace_id, COALESCE(OLD.stage, '')) THEN
        PERFORM open_defect_tally_add(NEW.workspace_id, COALESCE(NEW.stage, ''), 1);
        PERFORM open_defect_tally_add(OLD.workspace_id, COALESCE(OLD.stage, ''), -1);
    ELSE
        IF was_open THEN
            PERFORM open_defect_tally_add(OLD.workspace_id, COALESCE(OLD.stage, ''), -1);
        END IF;
        IF is_open THEN
            PERFORM open_defect_tally_add(NEW.workspace_id, COALESCE(NEW.stage, ''), 1);
        END IF;
    END IF;
    RETURN NULL;
END
$$
""",
)
POSTGRES_TRIGGERS = (
    'CREATE TRIGGER defect_open_tally AFTER INSERT OR DELETE ON defect '
    'FOR EACH ROW EXECUTE FUNCTION defect_open_tally()',
    'CREATE TRIGGER defect_open_tally_update AFTER UPDATE OF workspace_id, stage, closed_at '
    'ON defect FOR EACH ROW WHEN (OLD.workspace_id IS DISTINCT FROM NEW.workspace_id '
    'OR OLD.stage IS DISTINCT FROM NEW.stage '
    'OR (OLD.closed_at IS NULL) IS DISTINCT FROM (NEW.closed_at IS NULL)) '
    'EXECUTE FUNCTION defect_open_tally()',
)


def _sqlite_add(row: str, n: int) -> str:
    key = f"COALESCE({row}.stage, '')"
    insert = (  # a count going down has its row already (made when it opened)
        f'INSERT OR IGNORE INTO open_defect_tally (workspace_id, stage, open) '
        f'SELECT {row}.workspace_id, {key}, 0 WHERE {row}.closed_at IS NULL; '
    )
    return (
        (insert if n > 0 else '')
        + f'UPDATE open_defect_tally SET open = open + ({n}) '
        f'WHERE {row}.closed_at IS NULL AND workspace_id = {row}.workspace_id '
        f'AND stage = {key};'
    )


SQLITE_TRIGGERS = (
    f'CREATE TRIGGER defect_open_tally_insert AFTER INSERT ON defect BEGIN '
    f'{_sqlite_add("NEW", 1)} END',
    f'CREATE TRIGGER defect_open_tally_delete AFTER DELETE ON defect BEGIN '
    f'{_sqlite_add("OLD", -1)} END',
    f'CREATE TRIGGER defect_open_tally_update AFTER UPDATE OF workspace_id, stage, closed_at '
    f'ON defect WHEN OLD.workspace_id IS NOT NEW.workspace_id OR OLD.stage IS NOT NEW.stage '
    f'OR (OLD.closed_at IS NULL) IS NOT (NEW.closed_at IS NULL) '
    f'BEGIN {_sqlite_add("OLD", -1)} {_sqlite_add("NEW", 1)} END',
)


def upgrade() -> None:
    op.create_table(
        'open_defect_tally',
        sa.Column('workspace_id', sa.Integer(), nullable=False),
        sa.Column('stage', sa.String(length=64), nullable=False),
        sa.Column('open', sa.Integer(), server_default='0', nullable=False),
        sa.ForeignKeyConstraint(['workspace_id'], ['workspace.id']),
        sa.PrimaryKeyConstraint('workspace_id', 'stage'),
    )
    op.execute(BACKFILL)
    if op.get_bind().dialect.name == 'postgresql':
        for statement in (*POSTGRES_FUNCTIONS, *POSTGRES_TRIGGERS):
            op.execute(statement)
    else:
        for trigger in SQLITE_TRIGGERS:
            op.execute(trigger)


def downgrade() -> None:
    if op.get_bind().dialect.name == 'postgresql':
        op.execute('DROP TRIGGER defect_open_tally_update ON defect')
        op.execute('DROP TRIGGER defect_open_tally ON defect')
        op.execute('DROP FUNCTION defect_open_tally()')
        op.execute('DROP FUNCTION open_defect_tally_add(integer, varchar, integer)')
    else:
        for name in ('insert', 'delete', 'update'):
            op.execute(f'DROP TRIGGER defect_open_tally_{name}')
    op.drop_table('open_defect_tally')
