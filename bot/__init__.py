"""Huddle's platform-neutral core: it knows the practice, not the platform."""
