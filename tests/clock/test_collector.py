"""The cycle collector is held off while a job plans, and always given back."""

from __future__ import annotations

import gc

import pytest

from bot.clock.collector import collection_paused


def test_the_collector_is_off_while_planning_and_back_on_after_even_on_error():
    assert gc.isenabled()
    with pytest.raises(RuntimeError), collection_paused():
        assert not gc.isenabled()
        with collection_paused():  # a second job at the same time
            pass
        assert not gc.isenabled()  # still held by the first
        raise RuntimeError("a job failed")
    assert gc.isenabled()


def test_a_collector_that_was_off_stays_off():
    gc.disable()
    try:
        with collection_paused():
            pass
        assert not gc.isenabled()
    finally:
        gc.enable()
