"""Storage: sqlmodel tables and plain query functions, one module per aggregate.

Every query function takes a keyword-only ``session`` and, where rows belong to a
workspace, a ``workspace_id``: nothing is ever looked up across workspaces.
"""
