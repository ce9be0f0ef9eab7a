"""Storage: sqlmodel tables and plain query functions, one module per aggregate.

Every query function takes a keyword-only ``session`` and, where rows belong to a
workspace, a ``workspace_id``: nothing is looked up across workspaces. The clock is
the one exception: it reads every subscription and this period's claims at once
(``clock.py``), and its other batched reads take the ``workspace_ids`` it serves.
"""

# Every table joins SQLModel.metadata whichever storage module is imported first.
from bot.storage import (  # noqa: F401
    appointment_models,
    blueprint_models,
    channel_names,
    directory_ids,
    downloads,
    hero_tally,
    models,
    open_tally,
    period_tally,
    sign_in_links,
)
