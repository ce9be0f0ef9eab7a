"""The console adapter: Huddle as a chat in the terminal, no account needed."""
