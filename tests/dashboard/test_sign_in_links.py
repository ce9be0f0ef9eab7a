"""``huddle dashboard link``: a one-time, short-lived sign-in link, stored only as a hash."""

from __future__ import annotations

from datetime import timedelta

from sqlmodel import select

from adapters.dashboard.signin_link import new_link
from bot.storage.db import transaction
from bot.storage.models import Workspace
from bot.storage.sign_in_links import SignInLink, token_hash


def link_for(world, clock, user_id="U-dana", name="Dana", minutes=15) -> str:
    with transaction(world.huddle.engine) as session:
        workspace = session.get(Workspace, world.ids["smile"])
    return new_link(
        world.huddle.engine,
        workspace=workspace,
        user_id=user_id,
        user_name=name,
        now=clock(),
        minutes=minutes,
    )


async def test_a_link_signs_in_once(browser, second_browser, world, clock):
    token = link_for(world, clock)
    status, page = await browser.get(f"/signin/link/{token}")
    assert status == 200 and "Sign in" in page  # opening it spends nothing
    status, page = await browser.post(f"/signin/link/{token}")
    assert "Smile Dental" in page and "Dana" in page
    await second_browser.get(f"/signin/link/{token}")
    status, page = await second_browser.post(f"/signin/link/{token}")
    assert status == 400 and "used or has expired" in page


async def test_an_expired_link_signs_nobody_in(browser, world, clock):
    token = link_for(world, clock, minutes=15)
    clock.advance(minutes=16)
    await browser.get(f"/signin/link/{token}")
    status, page = await browser.post(f"/signin/link/{token}")
    assert status == 400 and "used or has expired" in page


def test_only_the_hash_is_stored(world, clock):
    token = link_for(world, clock)
    with transaction(world.huddle.engine) as session:
        [row] = session.exec(select(SignInLink)).all()
    assert row.token_hash == token_hash(token) and token not in row.token_hash
    assert row.expires_at - row.created_at == timedelta(minutes=15)


def test_the_cli_prints_a_link_for_the_console_practice(engine, monkeypatch, capsys, tmp_path):
    from cryptography.fernet import Fernet

    from bot.cli import main

    url = engine.url.render_as_string(hide_password=False)
    monkeypatch.setenv("DATABASE_URL", url)
    monkeypatch.setenv("HUDDLE_DASHBOARD_URL", "http://localhost:3000/dashboard")
    monkeypatch.setenv("HUDDLE_DASHBOARD_SESSION_KEY", Fernet.generate_key().decode())
    monkeypatch.setenv("HUDDLE_KEY_FILE", str(tmp_path / "key"))
    with transaction(engine) as session:
        session.add(
            Workspace(
                platform="console",
                external_id="local",
                timezone="UTC",
                created_at=__import__("datetime").datetime.now(__import__("datetime").UTC),
            )
        )
    assert main(["dashboard", "link", "--workspace", "console", "--user", "alex"]) == 0
    out = capsys.readouterr().out.strip()
    assert out.startswith("http://localhost:3000/dashboard/signin/link/")


def test_the_cli_names_what_is_missing(monkeypatch, capsys, tmp_path):
    from bot.cli import main

    monkeypatch.setenv("DATABASE_URL", f"sqlite:///{tmp_path / 'x.db'}")
    monkeypatch.delenv("HUDDLE_DASHBOARD_URL", raising=False)
    assert main(["dashboard", "link", "--workspace", "console", "--user", "alex"]) == 2
    assert "HUDDLE_DASHBOARD_URL" in capsys.readouterr().err
