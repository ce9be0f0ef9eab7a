"""The Microsoft Teams adapter, on the Bot Framework SDK (botbuilder).

Every botbuilder import in Huddle lives in this folder, so moving to the
Microsoft 365 Agents SDK later touches nothing else.
"""
