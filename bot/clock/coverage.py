"""Which channels' stories and defects a channel's WOW of the week and digest cover.

Its own; and the workspace's first subscribed channel (its "home") also covers the
channels that have no meeting of their own (direct messages, other channels), so
nothing is left out and nothing is announced twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable

from bot.storage.clock import Target


def coverage(targets: Iterable[Target]) -> Callable[[Target, str], bool]:
    """``covers(target, channel_id)``, given every subscribed channel (by subscription id)."""
    subscribed: dict[int, set[str]] = defaultdict(set)
    home: dict[int, str] = {}
    for target in targets:  # ordered by subscription id
        subscribed[target.workspace_id].add(target.channel_id)
        home.setdefault(target.workspace_id, target.channel_id)

    def covers(target: Target, channel_id: str) -> bool:
        if channel_id == target.channel_id:
            return True
        return (
            home.get(target.workspace_id) == target.channel_id
            and channel_id not in subscribed[target.workspace_id]
        )

    return covers


def covering(targets: Iterable[Target]) -> Callable[[int, str], tuple[int, str] | None]:
    """``covering(workspace_id, channel_id)``: the one subscribed channel (its ``Target.key``)
    that covers this channel, as ``coverage`` decides: itself if subscribed, else its
    workspace's home (None: the workspace has no subscribed channel). For grouping each
    found row once, instead of asking ``covers`` of every channel pair in a workspace."""
    subscribed: set[tuple[int, str]] = set()
    home: dict[int, str] = {}
    for target in targets:  # ordered by subscription id
        subscribed.add(target.key)
        home.setdefault(target.workspace_id, target.channel_id)

    def owner(workspace_id: int, channel_id: str) -> tuple[int, str] | None:
        if (workspace_id, channel_id) in subscribed:
            return (workspace_id, channel_id)
        first = home.get(workspace_id)
        return None if first is None else (workspace_id, first)

    return owner
