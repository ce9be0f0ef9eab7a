"""Open Dental's API as a schedule source: an async client of our own over aiohttp."""
