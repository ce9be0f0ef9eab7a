"""End-to-end scenarios reuse the Slack scenario fixtures: the served app and the stand-in."""

from tests.slack.conftest import api, engine, slack  # noqa: F401
