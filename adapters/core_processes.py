"""Where the core's door runs for ``huddle serve``: in threads, or in worker processes.

The process that serves the webhooks must answer each one fast (Slack gives 3 s, and
measures how quickly Huddle acknowledges), while the core's work for it (ORM,
encryption, a report's chart) is pure Python. In threads of the same process that work
holds the interpreter lock the acknowledgements wait for. ``InWorkers`` runs the door
in a few processes of its own (``HUDDLE_CORE_PROCESSES``), so the serving process only
converts, acknowledges and posts: an event goes to a worker pickled, its replies come
back the same way, and the database is the only state the processes share (the core
keeps none of its own between calls; the content cache checks the database's revision).

``InThreads`` is the door in this process, for an in-memory database (which another
process cannot see), for ``HUDDLE_CORE_PROCESSES=0`` and for tests that build the web
app around a core of their own.

A worker that dies (killed, out of memory) takes its pool's pending calls with it:
the pool is replaced at once, and each lost call answers like the core does when it
fails, except that it cannot say nothing was saved (``bot.door.interrupted``).
"""

from __future__ import annotations

import asyncio
import logging
import multiprocessing
import os
import signal
import threading
import time
from collections.abc import Callable
from concurrent.futures import Future, ProcessPoolExecutor
from concurrent.futures.process import BrokenProcessPool
from typing import Protocol, TypeVar

from aiohttp import web

from bot.config import Settings
from bot.door import interrupted
from bot.huddle import Huddle
from bot.model import Event, Reply
from bot.wiring import StartupError

log = logging.getLogger("huddle.web")
T = TypeVar("T")


class CoreDoor(Protocol):
    """The core's door for an event loop: ``await door.handle(event)``.

    ``urgent``: the answer is needed within seconds (a form that opens only with the
    request's trigger id), so it must not queue behind other work."""

    async def handle(self, event: Event, *, urgent: bool = False) -> list[Reply]: ...

    def begin(self) -> None: ...

    async def start(self) -> None: ...

    async def close(self) -> None: ...


async def lifetime(door: CoreDoor):
    """For an aiohttp ``cleanup_ctx``: the door started before the first request, closed
    after the last (registered before the platforms, it outlives their own clean-ups)."""
    await door.start()
    try:
        yield
    finally:
        await door.close()


class WorkerLost(Exception):
    """The worker process running a call ended before it answered."""


class InThreads:
    """The door in this process, one thread per call (the caller bounds how many)."""

    def __init__(self, huddle: Huddle):
        self.huddle = huddle

    async def handle(self, event: Event, *, urgent: bool = False) -> list[Reply]:
        return await asyncio.to_thread(self.huddle.handle, event)

    def begin(self) -> None:
        return None

    async def start(self) -> None:
        return None

    async def close(self) -> None:
        return None


class InWorkers:
    """The door in ``processes`` worker processes, each with a core of its own.

    Urgent calls run in a thread of this process instead (``InThreads``): they are few,
    and a worker busy with someone's report must not make a form miss its 3 seconds.
    """

    def __init__(self, huddle: Huddle, processes: int, *, niceness: int = 0):
        assert processes >= 1
        self.here = InThreads(huddle)
        self.settings = huddle.settings
        self.processes = processes
        self.niceness = niceness
        self._pool: ProcessPoolExecutor | None = None
        self._starting: list[Future] = []

    def begin(self) -> None:
        """Spawn the workers now, without waiting: ``huddle serve`` calls this before it
        imports the platforms' SDKs, so the workers build their cores meanwhile."""
        if self._pool is None:
            self._pool = self._new_pool()
            # One call per worker, each holding its worker a moment (when there are more
            # than one), so the pool starts every one of them now.
            hold = 0.2 if self.processes > 1 else 0.0
            self._starting = [self._pool.submit(_ready, hold) for _ in range(self.processes)]

    async def start(self) -> None:
        """Start every worker (``begin``) and wait until each has built its core (checked
        its keys against the database), so a worker that cannot start stops the server."""
        self.begin()
        assert self._pool is not None
        try:
            pids = await asyncio.gather(*map(asyncio.wrap_future, self._starting))
        except BrokenProcessPool:
            self._pool.shutdown(wait=False)
            raise StartupError(
                "A core worker process could not start (see the lines above); "
                "HUDDLE_CORE_PROCESSES=0 runs the core in the web process instead."
            ) from None
        log.info("core running in %s worker process(es): %s", self.processes, sorted(set(pids)))

    async def handle(self, event: Event, *, urgent: bool = False) -> list[Reply]:
        if urgent:
            return await self.here.handle(event)
        try:
            return await self.call(_handle, event)
        except WorkerLost:
            # It may have run to its commit, or not at all (queued behind the one that died).
            log.error(
                "a core worker process ended while a %s from workspace %s was in its hands",
                type(event).__name__,
                event.workspace_id,
            )
            return interrupted(event)

    async def call(self, function: Callable[..., T], *args) -> T:
        """``function(*args)`` in a worker (a module-level function; in the worker,
        ``worker_core()`` is its core). Raises ``WorkerLost`` if the worker died with it.

        A pool found broken before the call (a worker died while idle) is replaced first:
        the call never reached it, so it is simply given to the new one."""
        pool = self._pool
        assert pool is not None, "InWorkers.start() was not awaited"
        try:
            future = pool.submit(function, *args)
        except BrokenProcessPool:
            log.error("a core worker process had ended: starting new workers")
            pool = self._replace(pool)
            future = pool.submit(function, *args)
        try:
            return await asyncio.wrap_future(future)
        except BrokenProcessPool:
            self._replace(pool)
            raise WorkerLost from None

    def _replace(self, broken: ProcessPoolExecutor) -> ProcessPoolExecutor:
        """A new pool in place of ``broken`` (once, however many calls it failed)."""
        if self._pool is broken:
            self._pool = self._new_pool()
            broken.shutdown(wait=False, cancel_futures=True)
        assert self._pool is not None
        return self._pool

    async def close(self) -> None:
        pool, self._pool = self._pool, None
        if pool is not None:
            await asyncio.to_thread(pool.shutdown, wait=True, cancel_futures=False)

    def worker_pids(self) -> list[int]:
        """The workers' process ids, for tests and benchmarks (pool internals, read only)."""
        processes = getattr(self._pool, "_processes", None) or {}
        return sorted(processes)

    def _new_pool(self) -> ProcessPoolExecutor:
        # Spawned, never forked: this process has threads (the loop's executor, the
        # database pool's), and a fork would copy their locks mid-use.
        return ProcessPoolExecutor(
            max_workers=self.processes,
            mp_context=multiprocessing.get_context("spawn"),
            initializer=_start_worker,
            initargs=(self.settings, self.niceness),
        )


CORE_DOOR = web.AppKey("core_door", CoreDoor)


def door_for(huddle: Huddle, processes: int, *, niceness: int = 0) -> CoreDoor:
    """Worker processes when asked for and the database can be shared, else threads."""
    if processes and not _in_memory(huddle.settings.database_url):
        return InWorkers(huddle, processes, niceness=niceness)
    if processes:
        log.info("the database is in memory: the core runs in the web process's threads")
    return InThreads(huddle)


def _in_memory(database_url: str) -> bool:
    return database_url.startswith("sqlite") and (
        database_url in ("sqlite://", "sqlite:///") or ":memory:" in database_url
    )


# -- in the worker process ------------------------------------------------------------

_core: Huddle | None = None


def _start_worker(settings: Settings, niceness: int) -> None:
    """Build this worker's core, once, as ``huddle serve`` builds its own.

    ``niceness``: how far below the serving process the worker asks the operating system
    to schedule it (``os.nice``), so that when the CPUs are busy an acknowledgement runs
    before someone's report, and the work uses whatever CPU the acks leave."""
    # Imported here: only the worker pays for building a core and for its log set-up.
    from bot.logs import configure_logging
    from bot.wiring import build_huddle, server_vault

    global _core
    # Ctrl-C reaches the whole process group; the serving process ends the workers.
    signal.signal(signal.SIGINT, signal.SIG_IGN)
    threading.Thread(target=_end_with, args=(os.getppid(),), daemon=True).start()
    if niceness:
        os.nice(niceness)
    configure_logging(settings.log_level)
    _core = build_huddle(settings, server_vault(settings))


def worker_core() -> Huddle:
    """This worker's core, for a function ``InWorkers.call`` runs here."""
    assert _core is not None, "not in a core worker process"
    return _core


def _handle(event: Event) -> list[Reply]:
    return worker_core().handle(event)


def _end_with(parent: int) -> None:
    """Exit as soon as the serving process has gone (killed, so it closed nothing): the
    pool's pipes stay open in the worker itself, so no read would ever tell it."""
    while os.getppid() == parent:
        time.sleep(1.0)
    os._exit(0)


def _ready(hold: float) -> int:
    time.sleep(hold)
    return os.getpid()
