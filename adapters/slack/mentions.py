"""People in Slack text: ``<@U…>`` in, ``@Name`` for the core, and back to ``<@U…>`` out.

Slack writes a mention as ``<@U123>`` in message events and, for slash commands
with escaping on (the manifest's ``should_escape: true``), as ``<@U123|priya>``; it
also encodes ``&``, ``<`` and ``>`` as entities. The core sees plain text with each
person written ``@Name`` and the people alongside (``Incoming.mentions``). On the
way out the core's ``@Name`` for each person in ``Reply.mentions`` becomes
``<@U123>`` again, so the person is really mentioned (and told); anything else a
person typed stays escaped, so it can never ping @channel or fake a link.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable

from bot.model import Person

# <@U123>, <@W123|name>; <#C123|general>; <!here>; <https://…|label>
_MARKUP = re.compile(r"<([@#!]?)([^<>|]*)(?:\|([^<>]*))?>")

Lookup = Callable[[str], Awaitable[str]]  # user id -> display name


async def read(text: str, lookup: Lookup) -> tuple[str, tuple[Person, ...]]:
    """Slack text -> (plain text with ``@Name`` for each person, the people in order)."""
    people: dict[str, Person] = {}
    pieces: list[str] = []
    last = 0
    for match in _MARKUP.finditer(text):
        pieces.append(_unescape(text[last : match.start()]))
        last = match.end()
        sigil, target, label = match.groups()
        if sigil == "@" and target:
            person = people.get(target)
            if person is None:
                name = _unescape(label) if label else await lookup(target)
                person = people[target] = Person(target, name.lstrip("@") or target)
            pieces.append(person.at)
        elif sigil == "#":
            pieces.append(f"#{_unescape(label or target)}")
        elif sigil == "!":
            pieces.append(f"@{_unescape(label or target.split('^')[0])}")
        else:  # a link
            url = _unescape(target)
            pieces.append(f"{_unescape(label)} ({url})" if label and label != url else url)
    pieces.append(_unescape(text[last:]))
    return "".join(pieces), tuple(people.values())


def _unescape(text: str) -> str:
    return text.replace("&lt;", "<").replace("&gt;", ">").replace("&amp;", "&")


def mention(escaped: str, people: tuple[Person, ...]) -> str:
    """In text already escaped for mrkdwn, each person's ``@Name`` as a real mention."""
    for person in sorted(people, key=lambda p: len(p.name), reverse=True):
        if not person.user_id:
            continue
        shown = re.escape(escape_name(person.name))
        escaped = re.sub(rf"@{shown}(?![\w])", f"<@{person.user_id}>", escaped)
    return escaped


def escape_name(name: str) -> str:
    return name.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
