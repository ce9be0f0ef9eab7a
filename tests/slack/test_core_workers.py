"""The core's door in worker processes (``huddle serve``'s default), over Slack's wire.

The serving process acknowledges; a spawned worker with a core of its own does the
work after the ack (the core, the users.info look-ups, the replies). These check that it is the worker that does it, that a worker killed
while idle costs nobody their command, and that one killed mid-command is replaced and
its command answered honestly, on SQLite and PostgreSQL.
"""

from __future__ import annotations

import asyncio
import gc
import os
import signal

import pytest
import sqlalchemy as sa
from aiohttp.test_utils import TestClient, TestServer
from slack_bolt.context.async_context import AsyncBoltContext
from slack_sdk.web.async_client import AsyncWebClient

from adapters.core_processes import InThreads, InWorkers, door_for
from adapters.slack.app import make_mount
from adapters.web import build_web_app
from bot.door import INTERRUPTED
from tests.slack.conftest import Slack, said, slack_settings
from tests.slack.helpers import defects


@pytest.fixture
async def worker_slack(huddle, worker_door, api):
    door = worker_door
    app = build_web_app(
        huddle, huddle.settings, mounts=[make_mount(slack_settings(api))], door=door
    )
    client = TestClient(TestServer(app))
    await client.start_server()
    yield Slack(client, api), door
    await client.close()


async def test_a_command_is_done_by_a_worker_process_and_answered_from_this_one(
    worker_slack, api, engine
):
    slack, door = worker_slack
    [worker] = door.worker_pids()
    assert worker != os.getpid()

    response = await slack.command("/defect arrival: waited 25 minutes with no word from us")

    assert response.status == 200
    [reply] = api.calls_to("response_url")
    assert "Defect #1 logged · Arrival" in said(reply)
    [defect] = defects(engine)
    assert (defect.stage, defect.reporter_id) == ("arrival", "U1")
    assert door.worker_pids() == [worker]  # the same worker, still there
    # The whole work after the ack was the worker's: who U1 is was asked from there.
    assert api.calls_to("users.info")
    assert not slack.adapter.names._names


async def test_a_bare_command_opens_its_form_while_the_worker_is_busy(worker_slack, api, engine):
    if engine.dialect.name != "postgresql":
        pytest.skip("holding one table and not the others takes PostgreSQL's table locks")
    slack, _ = worker_slack
    await slack.command("/defect list")  # the workspace and the channel's name are known
    with engine.connect() as holder:
        # The worker is held inside a command that writes a defect (reads still pass)...
        holder.execute(sa.text("LOCK TABLE defect IN EXCLUSIVE MODE"))
        sent = asyncio.ensure_future(slack.command("/defect arrival: the lift was out of order"))
        await asyncio.sleep(0.5)
        # ...and a bare /defect still opens its form, from the serving process, at once.
        await slack.command("/defect", drain=False)
        [opened] = await api.wait_for("views.open", timeout=5)
        assert opened["view"]["type"] == "modal"
        assert len(api.calls_to("response_url")) == 1  # the list's, not the held command's
        holder.rollback()
    await asyncio.wait_for(sent, 20)
    assert "Defect #1 logged" in said(api.calls_to("response_url")[1])


async def test_a_worker_killed_while_idle_costs_nobody_their_command(worker_slack, api, engine):
    slack, door = worker_slack
    [first] = door.worker_pids()
    os.kill(first, signal.SIGKILL)
    await _until(lambda: not _alive(first))

    await slack.command("/defect arrival: no one answered the phone at lunch")

    [reply] = api.calls_to("response_url")
    assert "Defect #1 logged · Arrival" in said(reply)
    assert len(defects(engine)) == 1
    [second] = door.worker_pids()
    assert second != first


async def test_a_worker_killed_mid_command_is_replaced_and_the_sender_told_to_check(
    worker_slack, api, engine
):
    slack, door = worker_slack
    [worker] = door.worker_pids()
    # Hold the command inside the worker: a write lock it must wait for.
    with engine.connect() as holder:
        _hold_writes(holder, engine)
        sent = asyncio.ensure_future(slack.command("/defect arrival: the lift was out of order"))
        await asyncio.sleep(1.0)  # the command is in the worker's hands, waiting on the lock
        assert api.calls_to("response_url") == []
        os.kill(worker, signal.SIGKILL)
        await asyncio.wait_for(sent, 20)
        holder.rollback()

    [reply] = api.calls_to("response_url")
    assert reply["response_type"] == "ephemeral"
    assert said(reply) == INTERRUPTED
    assert defects(engine) == []  # it died before its commit, as the lock made sure

    await slack.command("/defect arrival: the lift was out of order")  # sent again
    assert "Defect #1 logged · Arrival" in said(api.calls_to("response_url")[-1])
    assert door.worker_pids() != [worker]


async def test_commands_waiting_for_a_busy_worker_are_kept_small_and_done_in_order(
    worker_slack, api, engine
):
    slack, _ = worker_slack
    await slack.command("/defect list")  # the workspace known, this process's caches warm
    outbox = slack.adapter.outbox
    waits = 40
    with engine.connect() as holder:
        _hold_writes(holder, engine)
        before = _held_contexts()
        for n in range(waits + outbox.runners):
            response = await slack.command(f"/defect arrival: waited {n} minutes", drain=False)
            assert response.status == 200  # acknowledged while the worker is held
        assert outbox.waiting() == waits
        # Each waits as its pickled job (bytes: nothing for the collector to walk), not as
        # a task holding bolt's context, its web client and the rest (36 objects).
        assert _held_contexts() == before
        holder.rollback()
    await asyncio.wait_for(slack.adapter.drained(), 60)

    assert outbox.waiting() == 0
    said_in_order = [d.description for d in sorted(defects(engine), key=lambda d: d.id)]
    assert said_in_order == [f"waited {n} minutes" for n in range(waits + outbox.runners)]


def _held_contexts() -> int:
    gc.collect()
    return sum(isinstance(o, AsyncBoltContext | AsyncWebClient) for o in gc.get_objects())


def _hold_writes(holder, engine) -> None:
    """Hold the database so a worker's write waits (reads of the workspace too, on
    PostgreSQL): the worker stays busy with its first command."""
    if engine.dialect.name == "postgresql":
        holder.execute(sa.text("LOCK TABLE workspace IN ACCESS EXCLUSIVE MODE"))
    else:
        holder.exec_driver_sql("BEGIN EXCLUSIVE")


def test_an_in_memory_database_keeps_the_core_in_this_process(huddle, settings):
    huddle.settings = settings.model_copy(update={"database_url": "sqlite://"})
    assert isinstance(door_for(huddle, 2), InThreads)
    huddle.settings = settings.model_copy(update={"database_url": "sqlite:///huddle.db"})
    assert isinstance(door_for(huddle, 2), InWorkers)
    assert isinstance(door_for(huddle, 0), InThreads)


def _alive(pid: int) -> bool:
    try:
        os.waitpid(pid, os.WNOHANG)
    except ChildProcessError:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def _until(condition, timeout: float = 10.0) -> None:
    for _ in range(int(timeout / 0.05)):
        if condition():
            return
        await asyncio.sleep(0.05)
    raise AssertionError("timed out")
