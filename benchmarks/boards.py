"""How fast are the boards (leaderboard, App Home, defect list, tidbit recall) on a big
PostgreSQL database, against hand-written floors for the same screens?

Seeds a private, migrated PostgreSQL database (``benchmarks/boards_seed.py``: at
``--scale 1`` the size of issue 12, one busy workspace holding a tenth of it all). Then,
in the busy workspace, times through the core's one door (``Huddle.handle``, a
transaction each, as a platform would call it):

  * ``/huddle leaderboard`` (this month's and the all-time board, stories and people),
  * the App Home (``HomeOpened``: the rule, the month's board, open defects by stage),
  * ``/defect list`` (the newest open defects with their last recovery action),
  * ``/tidbit JS-1042`` (one patient's tidbits and defects; decrypting is timed apart),

each against a floor: hand-written SQL for everything on that screen that comes from the
database, run on one connection, whose answer is checked equal to what Huddle shows.
The floors read the stored vote counts where the schema has them (``story.votes``),
else count the votes, so each code is held to the best its own schema allows. Top people
are the stories' heroes (``story_hero``); on code before heroes, their tellers.

Each run prints a table and, with ``--json FILE``, appends its figures to FILE;
``--summarise FILE`` prints min / median / max over the rounds recorded there. To run
side by side with other code, seed once per code (``--keep`` prints the database URL)
and alternate rounds with ``--url``:

    .venv/bin/python benchmarks/boards.py [--scale 1] [--repeat 30] [--keep | --url URL]
        [--json FILE --label NAME] [--summarise FILE]
"""

from __future__ import annotations

import argparse
import json
import re
import statistics
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
sys.path.insert(0, str(Path(__file__).resolve().parent))

from boards_seed import BUSY, PATIENT, PATIENT_TIDBITS, seed  # noqa: E402

from bot.commands.defect import LIST_LIMIT  # noqa: E402
from bot.config import Settings  # noqa: E402
from bot.content import load_content  # noqa: E402
from bot.crypto import Vault  # noqa: E402
from bot.huddle import Huddle  # noqa: E402
from bot.model import HomeOpened, Incoming  # noqa: E402
from tests import database  # noqa: E402

NOW = datetime(2026, 12, 15, 3, 0, tzinfo=UTC)
MONTH = datetime(2026, 12, 1, tzinfo=UTC)
KEY = (
    "XZYKUJVT_pTnti4rqV7Nb4C6vay_Np7sBPJpuHEvjME="  # fixed, not a secret: the seed encrypts with it
)


# -- the floors: the same answers, by hand ---------------------------------------------


def board_floor(
    counted: bool, heroes: bool, since: bool, tally: bool = False, periods: bool = False
) -> list[sa.TextClause]:
    """A board's top stories and top people, as the code of this schema shows them.

    Stories: the stored counts (``story.votes``) where the schema has them, else the
    votes counted (an inner join: only voted stories); with their heroes where the
    schema has them (``story_hero``). People: the heroes, adding up the stored counts of
    each one's stories, with each one's latest name (``heroes.top_heroes``); on code
    before heroes (and before stored counts), the tellers, as it credited them. Where
    the schema keeps a per-hero tally (``hero_tally``, 0021), all time reads its top rows;
    where it keeps per-period tallies (``story_period``, ``hero_period_tally``, 0028), the
    month reads theirs.
    """
    if since and periods:
        return period_floor()
    period = " AND s.created_at >= :since" if since else ""
    shown = "s.id, s.author_id, s.author_name, s.text, s.created_at"
    stories = (
        f"(SELECT {shown}, s.votes FROM story s WHERE s.workspace_id = :w{period}) b"
        if counted
        else f"(SELECT {shown}, count(*) AS votes FROM story s JOIN nomination n ON n.story_id "
        f"= s.id AND n.workspace_id = :w AND n.active WHERE s.workspace_id = :w{period} "
        "GROUP BY s.id) b"
    )
    top = (
        f"SELECT id, votes, author_name, text, created_at FROM {stories} WHERE votes > 0 "
        "ORDER BY votes DESC, created_at, id LIMIT 5"
    )
    if not heroes:
        people = (
            f"SELECT min(author_name), sum(votes) AS votes, (SELECT count(*) FROM story s WHERE "
            f"s.workspace_id = :w AND s.author_id = b.author_id{period}) FROM {stories} "
            "GROUP BY author_id HAVING sum(votes) > 0 ORDER BY votes DESC, author_id LIMIT 5"
        )
        return [sa.text(f"SELECT *, NULL FROM ({top}) t"), sa.text(people)]
    assert counted, "heroes without stored counts: no code of that schema is compared"
    top = (
        f"SELECT t.id, t.votes, t.author_name, t.text, h.name FROM ({top}) t LEFT JOIN "
        "story_hero h ON h.workspace_id = :w AND h.story_id = t.id "
        "ORDER BY t.votes DESC, t.created_at, t.id, h.id"
    )
    # A period's heroes are found from the period's stories (``OFFSET 0`` keeps the
    # planner from turning it into a scan of every hero the workspace ever had).
    credited = (
        "story s CROSS JOIN LATERAL (SELECT user_id FROM story_hero h WHERE h.workspace_id "
        f"= :w AND h.story_id = s.id OFFSET 0) h WHERE s.workspace_id = :w{period} AND s.votes > 0"
        if since
        else "story_hero h JOIN story s ON s.id = h.story_id AND s.workspace_id = :w "
        "WHERE h.workspace_id = :w AND s.votes > 0"
    )
    scored = (
        "SELECT user_id, votes, stories FROM hero_tally WHERE workspace_id = :w AND votes > 0 "
        "ORDER BY votes DESC, user_id LIMIT 5"
        if tally and not since
        else "SELECT h.user_id, sum(s.votes) AS votes, "
        f"count(*) AS stories FROM {credited} GROUP BY h.user_id "
        "HAVING sum(s.votes) > 0 ORDER BY votes DESC, h.user_id LIMIT 5"
    )
    people = (
        f"SELECT n.name, p.votes, p.stories FROM ({scored}) p "
        "CROSS JOIN LATERAL (SELECT name FROM story_hero WHERE workspace_id = :w "
        "AND user_id = p.user_id ORDER BY id DESC LIMIT 1) n ORDER BY p.votes DESC, p.user_id"
    )
    return [sa.text(top), sa.text(people)]


def period_floor() -> list[sa.TextClause]:
    """The month's board from its stored tallies: its top story rows, those stories and
    their heroes; its top hero rows, and each one's latest name."""
    top = (
        "SELECT s.id, p.votes, s.author_name, s.text, h.name FROM (SELECT story_id, votes, "
        "created_at FROM story_period WHERE workspace_id = :w AND period = :period "
        "AND votes > 0 ORDER BY votes DESC, created_at, story_id LIMIT 5) p "
        "JOIN story s ON s.id = p.story_id AND s.workspace_id = :w "
        "LEFT JOIN story_hero h ON h.workspace_id = :w AND h.story_id = s.id "
        "ORDER BY p.votes DESC, p.created_at, p.story_id, h.id"
    )
    people = (
        "SELECT n.name, p.votes, p.stories FROM (SELECT user_id, votes, stories FROM "
        "hero_period_tally WHERE workspace_id = :w AND period = :period AND votes > 0 "
        "ORDER BY votes DESC, user_id LIMIT 5) p CROSS JOIN LATERAL (SELECT name FROM "
        "story_hero WHERE workspace_id = :w AND user_id = p.user_id ORDER BY id DESC LIMIT 1) "
        "n ORDER BY p.votes DESC, p.user_id"
    )
    return [sa.text(top), sa.text(people)]


# Every screen first needs its workspace (its id, and its timezone for dates): the door's
# one look-up, in every floor too.
WORKSPACE = sa.text(
    "SELECT id, timezone, nominate_emoji FROM workspace "
    "WHERE platform = 'slack' AND external_id = :ext"
)
OPEN = "workspace_id = :w AND closed_at IS NULL"
# Where the schema keeps each stage's open count (``open_defect_tally``, 0031), the
# floors read it as Huddle does; before, they count the open defects.
OPEN_COUNTS = f"SELECT stage, count(*) FROM defect WHERE {OPEN} GROUP BY stage"
OPEN_TALLY = (
    "SELECT NULLIF(stage, ''), open FROM open_defect_tally WHERE workspace_id = :w AND open > 0"
)
# The stages with open defects: a skip scan (one probe per stage, not a read of every
# open defect), or the tally's rows.
SKIP_SCAN = (
    "WITH RECURSIVE c(stage) AS ((SELECT stage FROM defect WHERE "
    f"{OPEN} AND stage IS NOT NULL ORDER BY stage LIMIT 1) UNION ALL SELECT (SELECT stage "
    f"FROM defect WHERE {OPEN} AND stage > c.stage ORDER BY stage LIMIT 1) FROM c WHERE "
    "c.stage IS NOT NULL) SELECT stage FROM c WHERE stage IS NOT NULL"
)
TALLIED = "SELECT stage FROM open_defect_tally WHERE workspace_id = :w AND open > 0 AND stage <> ''"


def stages_floor(open_tally: bool) -> list:
    """The App Home's open defects: each stage's count, and its five newest by one
    backward probe of ix_defect_open_stage per stage (a window over every open defect,
    as this floor was first written, grew with them)."""
    stages = TALLIED if open_tally else SKIP_SCAN
    return [
        sa.text(OPEN_TALLY if open_tally else OPEN_COUNTS),
        sa.text(
            f"SELECT l.id, l.stage FROM ({stages}) c CROSS JOIN LATERAL (SELECT id, stage, "
            f"description, reporter_name FROM defect WHERE {OPEN} AND stage = c.stage ORDER BY "
            "created_at DESC, id DESC LIMIT 5) l UNION ALL (SELECT id, stage FROM defect WHERE "
            f"{OPEN} AND stage IS NULL ORDER BY created_at DESC, id DESC LIMIT 5)"
        ),
        sa.text(
            "SELECT rule_id FROM meeting_post WHERE workspace_id = :w ORDER BY id DESC LIMIT 1"
        ),
    ]


def listing_floor(open_tally: bool) -> list:
    """``/defect list``: the newest open defects, their actions, and how many are open."""
    total = (
        "SELECT COALESCE(sum(open), 0) FROM open_defect_tally WHERE workspace_id = :w"
        if open_tally
        else f"SELECT count(*) FROM defect WHERE {OPEN}"
    )
    return [
        sa.text(
            "SELECT d.id, d.stage, d.description, d.reporter_name, d.created_at, a.action, "
            f"a.owner_name, ({total}) FROM (SELECT * FROM defect WHERE {OPEN} ORDER BY "
            f"created_at DESC, id DESC LIMIT {LIST_LIMIT}) d LEFT JOIN LATERAL (SELECT action, "
            "owner_name FROM recovery_action r WHERE r.workspace_id = :w AND r.defect_id = d.id "
            "ORDER BY created_at DESC, id DESC LIMIT 1) a ON true "
            "ORDER BY d.created_at DESC, d.id DESC"
        ),
        # Every action of the defects shown (the list shows each defect's whole history).
        sa.text(
            "SELECT r.defect_id, r.action, r.owner_name FROM recovery_action r WHERE "
            f"r.workspace_id = :w AND r.defect_id IN (SELECT id FROM defect WHERE {OPEN} ORDER "
            f"BY created_at DESC, id DESC LIMIT {LIST_LIMIT}) ORDER BY r.created_at, r.id"
        ),
    ]


RECALL = [
    sa.text(
        "SELECT id, note_enc, author_name, created_at FROM tidbit WHERE workspace_id = :w "
        "AND patient_ref_hash = ANY(:hashes) AND expires_at > :now ORDER BY created_at, id"
    ),
    sa.text(
        "SELECT id FROM defect WHERE workspace_id = :w AND patient_ref_hash = ANY(:hashes) "
        "AND (closed_at IS NULL OR closed_at >= :now - interval '30 days') "
        "ORDER BY created_at DESC, id DESC"
    ),
]


# What recall must also write: the audit row, committed (the one write among the boards).
AUDIT = sa.text(
    "INSERT INTO audit_log (workspace_id, actor_id, actor_name, action, patient_ref_hash, "
    "patient_ref_enc, record_count, channel_id, created_at) VALUES (:w, 'U1', 'Alex', "
    "'tidbit.read', :hash, :enc, 8, 'C1', :now)"
)


def timed(function, repeat: int) -> tuple[list[float], list[float], object]:
    walls, cpus, answer = [], [], None
    for _ in range(repeat):
        wall, cpu = time.perf_counter(), time.process_time()
        answer = function()
        cpus.append(time.process_time() - cpu)
        walls.append(time.perf_counter() - wall)
    return walls, cpus, answer


def fields(reply) -> dict[str, str]:
    return {f.label: f.value for f in reply.fields}


def credit(author: str, heroes: list[str] | None) -> str:
    """Who a story line credits: its heroes and teller (``heroes`` None: code before
    heroes, which credited the teller)."""
    if heroes is None:
        return author
    if not heroes:
        return f"told by {author}"
    names = heroes[0] if len(heroes) == 1 else ", ".join(heroes[:-1]) + " and " + heroes[-1]
    return f"{names} (told by {author})"


def run(args: argparse.Namespace, url: str, engine: sa.Engine) -> list[dict]:
    content = load_content()
    settings = Settings(HUDDLE_ENCRYPTION_KEY=KEY, DATABASE_URL=url, HUDDLE_DEFAULT_TIMEZONE="UTC")
    vault = Vault([KEY])
    huddle = Huddle(
        engine=engine, settings=settings, content=content, vault=vault, clock=lambda: NOW
    )
    with engine.connect() as connection:
        counted = "votes" in {c["name"] for c in sa.inspect(connection).get_columns("story")}
        heroes = sa.inspect(connection).has_table("story_hero")
        tally = sa.inspect(connection).has_table("hero_tally")
        periods = sa.inspect(connection).has_table("story_period")
        open_tally = sa.inspect(connection).has_table("open_defect_tally")
    hashes = vault.ref_hashes(f"slack:T{BUSY}", PATIENT)
    params = {"ext": f"T{BUSY}", "w": BUSY, "since": MONTH, "now": NOW, "hashes": hashes}
    params |= {"period": f"{MONTH:%Y-%m}"}
    params |= {"hash": hashes[0], "enc": vault.encrypt(PATIENT)}

    def door(event):
        return huddle.handle(event)[0]

    def command(line: str):
        name, _, text = line.partition(" ")
        return door(Incoming("slack", f"T{BUSY}", "C1", "U1", "Alex", name, text))

    def floor(statements):
        with engine.connect() as connection:
            connection.execute(WORKSPACE, params).one()
            return [connection.execute(s, params).all() for s in statements]

    rows = []

    def audited(statements):
        with engine.begin() as connection:
            connection.execute(WORKSPACE, params).one()
            found = [connection.execute(s, params).all() for s in statements]
            connection.execute(AUDIT, params)
            return found

    def measure(name, huddle_call, statements, check, floor=floor):
        h_wall, h_cpu, shown = timed(huddle_call, args.repeat)
        f_wall, f_cpu, answer = timed(lambda: floor(statements), args.repeat)
        check(shown, answer)
        rows.append(
            dict(board=name, huddle=h_wall, huddle_cpu=h_cpu, floor=f_wall, floor_cpu=f_cpu)
        )

    def people(text: str) -> list[tuple[str, int, int]]:
        found = re.findall(r"^\d+\. (.+?): (\d+) ★ from (\d+) stor", text, re.M)
        return [(name, int(v), int(n)) for name, v, n in found]

    def top(rows) -> list[tuple[int, int, str]]:
        """The floor's top stories as each line shows them: id, stars, and who is credited
        (the heroes, and who told it; on code before heroes, the teller)."""
        named: dict[tuple[int, int, str], list[str]] = {}
        for i, votes, author, _text, *_, hero in rows:
            named.setdefault((i, votes, author), []).extend([hero] if hero else [])
        return [
            (i, votes, credit(author, n if heroes else None))
            for (i, votes, author), n in named.items()
        ]

    def shown_top(text: str) -> list[tuple[int, int, str]]:
        found = re.findall(r"^\d+\. #(\d+) (.*?): “.*” \((\d+) ★\)$", text, re.M)
        return [(int(i), int(v), who) for i, who, v in found]

    def check_board(reply, answer):
        shown = fields(reply)
        month_top, month_people, all_top, all_people = answer
        assert shown_top(shown["Top stories · All time"]) == top(all_top)
        assert shown_top(shown["Top stories · December"]) == top(month_top)
        assert people(shown["Top people · All time"]) == [tuple(r) for r in all_people]
        assert people(shown["Top people · December"]) == [tuple(r) for r in month_people]

    measure(
        "/huddle leaderboard",
        lambda: command("huddle leaderboard"),
        board_floor(counted, heroes, True, periods=periods)
        + board_floor(counted, heroes, False, tally),
        check_board,
    )

    def check_home(reply, answer):
        month_top, leaders, counts, newest, _rule = answer
        shown = fields(reply)
        labels = {label for label in shown if label.startswith("Open defects · ")}
        assert labels == {f"Open defects · {content.stage_name(s)} ({n})" for s, n in counts}
        listed = sorted(int(i) for v in shown.values() for i in re.findall(r"^#(\d+) ", v, re.M))
        assert listed == sorted(i for i, _ in newest)
        month = shown["WOW leaderboard · December"]
        assert shown_top(month) == top(month_top)
        assert month.endswith("\n" + " · ".join(f"{name} {v} ★" for name, v, _ in leaders))

    measure(
        "App Home",
        lambda: door(HomeOpened("slack", f"T{BUSY}", "U1")),
        board_floor(counted, heroes, True, periods=periods) + stages_floor(open_tally),
        check_home,
    )

    def check_list(reply, answer):
        listing, actions = answer
        assert [int(re.match(r"#(\d+)", f.label).group(1)) for f in reply.fields] == [
            r[0] for r in listing
        ]
        assert reply.title == f"Open defects ({listing[0][-1]})"
        shown = {int(re.match(r"#(\d+)", f.label).group(1)): f.value for f in reply.fields}
        assert all(f". {a.action} ({a.owner_name}," in shown[a.defect_id] for a in actions)

    measure("/defect list", lambda: command("defect list"), listing_floor(open_tally), check_list)

    def check_recall(reply, answer):
        notes, related = answer
        assert len(notes) == PATIENT_TIDBITS and not related
        shown = [f.label.split(" ")[0] for f in reply.fields]  # the newest first
        assert shown == [f"#{r.id}" for r in reversed(notes)]

    recall = lambda: command(f"tidbit {PATIENT}")  # noqa: E731
    measure(f"/tidbit {PATIENT}", recall, RECALL, check_recall)
    measure("  the same, floor with its audit row", recall, RECALL, check_recall, floor=audited)
    with engine.connect() as connection:
        [notes, _] = [connection.execute(s, params).all() for s in RECALL]
    d_wall, d_cpu, _ = timed(lambda: [vault.decrypt(r.note_enc) for r in notes], args.repeat)
    rows.append(
        dict(board=f"  of which decrypting {len(notes)} notes", huddle=d_wall, huddle_cpu=d_cpu)
    )
    return rows


def report(rows: list[dict]) -> None:
    print("| Board | Huddle median (CPU) | Huddle p95 | floor median (CPU) | median vs floor |")
    print("|---|---|---|---|---|")
    for row in rows:
        h, hc = statistics.median(row["huddle"]), statistics.median(row["huddle_cpu"])
        h95 = sorted(row["huddle"])[int(0.95 * (len(row["huddle"]) - 1))]
        line = f"| {row['board']} | {h * 1000:.2f} ms ({hc * 1000:.2f}) | {h95 * 1000:.2f} ms |"
        if "floor" in row:
            f, fc = statistics.median(row["floor"]), statistics.median(row["floor_cpu"])
            line += f" {f * 1000:.2f} ms ({fc * 1000:.2f}) | {h / f:.1f}x |"
        else:
            line += " | |"
        print(line)


def summarise(path: str) -> None:
    """min / median / max over rounds: each label's Huddle/floor, and each label's Huddle
    median against the first label's in the same round (labels alternate)."""
    rounds = [json.loads(line) for line in Path(path).read_text().splitlines() if line]
    labels = list(dict.fromkeys(r["label"] for r in rounds))
    spread = lambda xs: f"{min(xs):.2f} / {statistics.median(xs):.2f} / {max(xs):.2f}"  # noqa: E731
    print(f"{len(rounds)} runs; loads: {', '.join(r['load'] for r in rounds)}")
    print("| Code | Board | Huddle median ms (min/med/max) | vs floor | vs " + labels[0] + " |")
    print("|---|---|---|---|---|")
    base = [r for r in rounds if r["label"] == labels[0]]
    for label in labels:
        mine = [r for r in rounds if r["label"] == label]
        for board in mine[0]["medians"]:
            ms = [r["medians"][board] for r in mine]
            vs = [m["huddle"] / m["floor"] for m in ms if m.get("floor")]
            pairs = zip(mine, base, strict=False)
            rel = [a["medians"][board]["huddle"] / b["medians"][board]["huddle"] for a, b in pairs]
            cells = [
                spread([m["huddle"] * 1000 for m in ms]),
                spread(vs) if vs else "",
                spread(rel),
            ]
            print(f"| {label} | {board} | {' | '.join(cells)} |")


def main(args: argparse.Namespace) -> None:
    if args.summarise:
        summarise(args.summarise)
        return
    url, drop = (args.url, None) if args.url else database.create_postgres_database()
    try:
        engine = database.migrated_engine(url)
        if not args.url:
            started = time.perf_counter()
            content = load_content()
            stages = [s.id for s in content.stages] + [None]
            sizes = seed(url, args.scale, stages, Vault([KEY]), NOW)
            print(f"seeded {sizes} at scale {args.scale} in {time.perf_counter() - started:.0f} s")
        rows = run(args, url, engine)
        engine.dispose()
    finally:
        if drop is not None and not args.keep:
            drop()
    load = Path("/proc/loadavg").read_text().split()[0]
    print(f"\n{args.label or ROOT.name}, {args.repeat} runs each, load {load}\n")
    report(rows)
    if args.keep and drop is not None:
        print(f"\nkept: {url}")
    if args.json:
        keys = ("huddle", "huddle_cpu", "floor", "floor_cpu")
        medians = {r["board"]: {k: statistics.median(r[k]) for k in keys if k in r} for r in rows}
        record = dict(label=args.label, scale=args.scale, load=load, medians=medians)
        with open(args.json, "a") as out:
            out.write(json.dumps(record) + "\n")


if __name__ == "__main__":
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--scale", type=float, default=1.0)
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--url", help="time this already seeded database (no seeding)")
    parser.add_argument("--keep", action="store_true", help="keep the seeded database")
    parser.add_argument("--json", help="append this run's medians to this file")
    parser.add_argument("--label", default="", help="this code's name in --json")
    parser.add_argument("--summarise", help="min / median / max over the runs in this file")
    main(parser.parse_args())
