"""The session cookie and CSRF: encrypted, HttpOnly, SameSite, expiring; forms need the token."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from adapters.dashboard.session import COOKIE
from adapters.dashboard.settings import DashboardConfigError, DashboardSettings
from bot.storage.db import transaction
from bot.storage.defects import actions_for, get_defect


async def test_a_post_without_the_csrf_token_is_refused_and_changes_nothing(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    status, page = await browser.post("/defects/1/recover", {"action": "x"}, csrf=False)
    assert status == 403 and "nothing was changed" in page
    status, _ = await browser.post("/defects/1/close", {"csrf": "forged"})
    assert status == 403
    with transaction(world.huddle.engine) as session:
        found = get_defect(session=session, workspace_id=world.ids["smile"], defect_id=1)
        assert found.closed_at is None and actions_for(session=session, defect=found) == ()


async def test_another_browser_s_token_does_not_do(browser, second_browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    await second_browser.sign_in_with_slack("T1", "U-dana", "Dana")
    theirs = await second_browser.csrf()
    status, _ = await browser.post("/defects/1/close", {"csrf": theirs})
    assert status == 403


async def test_the_cookie_is_encrypted_http_only_same_site_and_expires(browser, world):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    [cookie] = [c for c in browser.session.cookie_jar if c.key == COOKIE]
    assert cookie["httponly"] and cookie["samesite"] == "Lax"
    assert int(cookie["max-age"]) == 8 * 3600
    assert "U-dana" not in cookie.value and "Dana" not in cookie.value


def test_secure_cookies_by_default():
    assert DashboardSettings().secure_cookie is True


async def test_sign_out_ends_the_session(browser):
    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.post("/signout")
    assert "Sign in with Slack" in page
    _, page = await browser.get("/defects")
    assert "waited 25 minutes" not in page


def test_the_dashboard_refuses_to_start_without_its_session_key():
    settings = DashboardSettings(HUDDLE_DASHBOARD_URL="https://huddle.example.com/dashboard")
    with pytest.raises(DashboardConfigError, match="HUDDLE_DASHBOARD_SESSION_KEY"):
        settings.check()


def test_without_its_address_the_dashboard_is_not_served(huddle, settings, monkeypatch):
    from adapters.dashboard import mount
    from adapters.web import build_web_app

    monkeypatch.delenv("HUDDLE_DASHBOARD_URL", raising=False)
    app = build_web_app(huddle, settings, mounts=[mount])
    assert not any("dashboard" in str(r.canonical) for r in app.router.resources())


def test_huddle_serve_mounts_the_dashboard():
    from adapters.dashboard import mount
    from adapters.web import platform_mounts

    assert mount in platform_mounts()


async def test_a_session_older_than_its_hours_is_signed_out(browser):
    import time_machine

    await browser.sign_in_with_slack("T1", "U-dana", "Dana")
    _, page = await browser.get("/defects")
    assert "waited 25 minutes" in page
    with time_machine.travel(datetime.now(UTC) + timedelta(hours=9), tick=True):
        browser.session.cookie_jar.update_cookies(
            {c.key: c.value for c in browser.session.cookie_jar}  # a browser that kept it
        )
        _, page = await browser.get("/defects")
    assert "waited 25 minutes" not in page and "Sign in with Slack" in page


def test_the_cookie_is_secure_unless_switched_off():
    from cryptography.fernet import Fernet

    from adapters.dashboard.session import storage

    key = Fernet.generate_key().decode()
    secure = DashboardSettings(HUDDLE_DASHBOARD_SESSION_KEY=key)
    assert storage(secure).cookie_params["secure"] is True
    assert storage(secure).cookie_params["httponly"] is True
    plain = DashboardSettings(
        HUDDLE_DASHBOARD_SESSION_KEY=key, HUDDLE_DASHBOARD_SECURE_COOKIE=False
    )
    assert storage(plain).cookie_params["secure"] is False
