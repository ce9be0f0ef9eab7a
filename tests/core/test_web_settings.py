"""`huddle serve`'s own settings: the port and how briefly a worker thread holds the GIL."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from adapters.web import WebSettings


def test_serve_hands_the_interpreter_back_to_the_acks_every_half_millisecond_by_default(
    monkeypatch,
):
    monkeypatch.delenv("HUDDLE_SWITCH_INTERVAL_MS", raising=False)
    assert WebSettings().switch_interval_ms == 0.5
    monkeypatch.setenv("HUDDLE_SWITCH_INTERVAL_MS", "2")
    assert WebSettings().switch_interval_ms == 2


@pytest.mark.parametrize("value", ["0", "-1", "500", "soon"])
def test_a_switch_interval_that_makes_no_sense_is_refused_by_name(monkeypatch, value):
    monkeypatch.setenv("HUDDLE_SWITCH_INTERVAL_MS", value)
    with pytest.raises(ValidationError, match="HUDDLE_SWITCH_INTERVAL_MS"):
        WebSettings()
