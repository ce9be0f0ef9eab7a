"""The Slack adapter: slash commands, reactions, buttons, modals and the App Home over bolt."""
