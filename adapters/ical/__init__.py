"""A practice's calendar feed (a private .ics URL) as a schedule source."""
