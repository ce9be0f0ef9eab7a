"""Browser tests: the dashboard served for real, driven by Playwright in Debian's chromium.

Playwright never downloads a browser here: it launches ``/usr/bin/chromium`` (the
``chromium`` package, which ``make install`` puts in place where it is missing). axe-core
comes from ``tests/browser/node_modules`` (``npm ci`` in ``make install``). Screenshots
of each page go to ``test-artefacts/screenshots/``.
"""

from __future__ import annotations

import os
import re
from pathlib import Path

import pytest

from tests.dashboard_world import seed, serve_world

CHROMIUM = Path(os.environ.get("HUDDLE_CHROMIUM", "/usr/bin/chromium"))
AXE = Path(__file__).parent / "node_modules" / "axe-core" / "axe.min.js"
ARTEFACTS = Path(__file__).resolve().parents[2] / "test-artefacts" / "screenshots"

os.environ.setdefault("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD", "1")


def pytest_collection_modifyitems(config, items):
    missing = [
        what for what, path in (("chromium", CHROMIUM), ("axe-core", AXE)) if not path.exists()
    ]
    if not missing:
        return
    reason = f"{' and '.join(missing)} not installed: run `make install` (see the README)"
    if os.environ.get("HUDDLE_REQUIRE_BROWSER") == "1":  # CI: never a silent skip
        raise pytest.UsageError(f"The browser tests cannot run: {reason}")
    for item in items:
        if "tests/browser" in str(item.fspath):
            item.add_marker(pytest.mark.skip(reason=reason))


@pytest.fixture
async def world(huddle, clock, tmp_path):
    world = await serve_world(huddle, tmp_path)
    world.ids = seed(huddle, clock())
    yield world
    await world.close()


@pytest.fixture
async def chromium():
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), headless=True, args=["--no-sandbox"]
        )
        yield browser
        await browser.close()


@pytest.fixture
async def page(chromium, request):
    # The Microsoft stand-in's certificate is self-signed. The dashboard's own CSP stays
    # on: a page that needs an inline script or style breaks here as it would for people.
    context = await chromium.new_context(ignore_https_errors=True)
    page = await context.new_page()
    page.csp_errors = []
    page.on(
        "console",
        lambda m: page.csp_errors.append(m.text) if "Content Security Policy" in m.text else None,
    )
    page.shots = Shots(page, request.node.name)
    yield page
    await context.close()


class Shots:
    def __init__(self, page, test_name: str):
        self.page = page
        self.test = re.sub(r"[^\w-]+", "-", test_name).strip("-")

    async def take(self, what: str) -> Path:
        ARTEFACTS.mkdir(parents=True, exist_ok=True)
        path = ARTEFACTS / f"{self.test}--{what}.png"
        await self.page.screenshot(path=str(path), full_page=True)
        return path


async def serious_violations(page) -> list[str]:
    """axe-core's serious and critical findings on the page as it is now."""
    await page.evaluate(AXE.read_text())  # through DevTools: no script tag for the CSP to stop
    return await page.evaluate(
        """async () => (await axe.run()).violations
            .filter(v => v.impact === 'serious' || v.impact === 'critical')
            .map(v => `${v.id} (${v.impact}): ${v.help} at ${v.nodes.map(n => n.target).join(', ')}`)"""
    )
