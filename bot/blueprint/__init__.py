"""The practice's own service blueprint and rules, per workspace, merged over ``content/``.

- ``library``: each workspace's content (the server's, with the practice's layer over
  it, merged as ``HUDDLE_CONTENT_DIR`` is), cached by the workspace's revision.
- ``checks``: who may change it (admins), the schema's checks, errors by field.
- ``stages`` and ``rules``: the edits a dashboard form and the chat make.
- ``suggestions``: the team's suggestions, pending until an admin decides.
- ``transfer``: export and import as the folder ``HUDDLE_CONTENT_DIR`` reads.
"""

from bot.blueprint.checks import LISTS, OPERATOR, BlueprintError, Editor, NotAllowed
from bot.blueprint.library import ContentLibrary

__all__ = ["LISTS", "OPERATOR", "BlueprintError", "ContentLibrary", "Editor", "NotAllowed"]
