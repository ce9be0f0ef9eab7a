"""End-to-end scenarios reuse the Slack scenario fixtures: the served app and the stand-in."""

from tests.slack.conftest import api, slack  # noqa: F401
