"""Fixtures for the schedule sources: the Open Dental stand-in, served locally."""

from __future__ import annotations

import pytest

from tests.standins.opendental_api import OpenDentalStandIn


@pytest.fixture
async def opendental():
    standin = OpenDentalStandIn()
    await standin.start()
    yield standin
    await standin.close()


class Sleeps:
    """An injected sleep: records each back-off instead of waiting it out."""

    def __init__(self) -> None:
        self.waits: list[float] = []

    async def __call__(self, seconds: float) -> None:
        self.waits.append(seconds)


@pytest.fixture
def sleeps() -> Sleeps:
    return Sleeps()
