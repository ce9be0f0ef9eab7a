"""People in what Huddle says on Teams: the core's ``@Name`` as a real Teams mention.

Teams mentions someone with ``<at>Name</at>`` in the text plus a ``mention`` entity
naming them (in a message's ``entities``, or in an Adaptive Card's
``msteams.entities``); only then are they told. A name with no id stays as typed.
"""

from __future__ import annotations

import re

from bot.model import Person


def _known(people: tuple[Person, ...]) -> list[Person]:
    return sorted((p for p in people if p.user_id), key=lambda p: len(p.name), reverse=True)


def mention(text: str, people: tuple[Person, ...]) -> str:
    for person in _known(people):
        text = re.sub(rf"@{re.escape(person.name)}(?!\w)", f"<at>{person.name}</at>", text)
    return text


def mention_entities(people: tuple[Person, ...]) -> list[dict]:
    return [
        {
            "type": "mention",
            "text": f"<at>{person.name}</at>",
            "mentioned": {"id": person.user_id, "name": person.name},
        }
        for person in _known(people)
    ]
