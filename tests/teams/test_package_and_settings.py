"""The Teams app package (`huddle teams package`) and the Teams settings."""

from __future__ import annotations

import json
import struct
import zipfile

import pytest
from pydantic import ValidationError

from adapters.teams.cli import (
    MANIFEST_DIR,
    TEAMS_VERSION,
    PackageError,
    build_package,
    manifest_for,
    teams_version,
)
from adapters.teams.settings import TeamsConfigurationError, TeamsSettings, load_teams_settings
from bot.cli import main
from bot.commands import COMMANDS, Command

APP_ID = "3f2504e0-4f89-11d3-9a0c-0305e82c3301"
ENV = (
    "MICROSOFT_APP_ID",
    "MICROSOFT_APP_PASSWORD",
    "MICROSOFT_APP_TENANT_ID",
    "MICROSOFT_APP_TYPE",
    "MICROSOFT_LOGIN_URL",
    "MICROSOFT_OPENID_METADATA_URL",
    "TEAMS_UNAUTHENTICATED_EMULATOR_MODE",
)


@pytest.fixture
def clean_env(monkeypatch, tmp_path):
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.chdir(tmp_path)  # no stray .env
    return monkeypatch


def _png_size(data: bytes) -> tuple[int, int]:
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    return struct.unpack(">II", data[16:24])


def test_package_holds_the_manifest_with_the_app_id_and_both_icons(tmp_path):
    out = build_package(APP_ID, tmp_path / "huddle.zip")
    with zipfile.ZipFile(out) as package:
        assert sorted(package.namelist()) == ["color.png", "manifest.json", "outline.png"]
        manifest = json.loads(package.read("manifest.json"))
        assert _png_size(package.read("color.png")) == (192, 192)
        assert _png_size(package.read("outline.png")) == (32, 32)
    assert manifest["id"] == APP_ID
    [bot] = manifest["bots"]
    assert bot["botId"] == APP_ID
    assert set(bot["scopes"]) == {"personal", "team", "groupChat"}
    [command_list] = bot["commandLists"]
    assert command_list["commands"] == [
        {"title": c.name, "description": c.summary} for c in COMMANDS.values()
    ]
    assert "${" not in json.dumps(manifest)


def test_package_asks_to_read_channel_messages_so_meeting_replies_become_stories():
    manifest = manifest_for(APP_ID)
    [permission] = manifest["authorization"]["permissions"]["resourceSpecific"]
    assert permission == {"name": "ChannelMessage.Read.Group", "type": "Application"}
    assert manifest["webApplicationInfo"]["id"] == APP_ID


def test_package_mentions_only_leaves_the_channel_message_permission_out(clean_env, tmp_path):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    out = tmp_path / "teams.zip"
    assert main(["teams", "package", "--out", str(out), "--mentions-only"]) == 0
    with zipfile.ZipFile(out) as package:
        manifest = json.loads(package.read("manifest.json"))
    assert "authorization" not in manifest and "webApplicationInfo" not in manifest


def test_the_checked_in_manifest_lists_exactly_the_commands_of_the_table():
    manifest = json.loads((MANIFEST_DIR / "manifest.json").read_text(encoding="utf-8"))
    for bot in manifest["bots"]:
        for command_list in bot["commandLists"]:
            titles = [c["title"] for c in command_list["commands"]]
            assert sorted(titles) == sorted(COMMANDS), "manifest.json and bot.commands differ"


def test_every_command_in_the_menu_is_one_teams_parses():
    from adapters.teams.convert import parse_command

    [bot] = manifest_for(APP_ID)["bots"]
    for command_list in bot["commandLists"]:
        assert all(parse_command(c["title"]) is not None for c in command_list["commands"])


def test_a_command_added_to_the_table_is_in_the_package_s_menu(monkeypatch):
    monkeypatch.setitem(COMMANDS, "recall", Command("recall", print, "Recall things", "<what>"))
    [bot] = manifest_for(APP_ID)["bots"]
    [command_list] = bot["commandLists"]
    assert {"title": "recall", "description": "Recall things"} in command_list["commands"]


@pytest.mark.parametrize(
    ("name", "summary", "complaint"),
    [
        ("x" * 33, "Fine", "command name"),
        ("recall", "y" * 129, "summary of the command 'recall'"),
        ("recall", "", "summary of the command 'recall'"),
    ],
    ids=["title over 32", "description over 128", "no description"],
)
def test_a_command_teams_menu_cannot_show_stops_the_package(monkeypatch, name, summary, complaint):
    monkeypatch.setitem(COMMANDS, name, Command(name, print, summary, ""))
    with pytest.raises(PackageError, match=complaint):
        manifest_for(APP_ID)


def test_more_commands_than_a_teams_menu_holds_stops_the_package(monkeypatch):
    for number in range(11 - len(COMMANDS)):
        monkeypatch.setitem(COMMANDS, f"extra{number}", Command(f"extra{number}", print, "E", ""))
    with pytest.raises(PackageError, match="at most 10"):
        manifest_for(APP_ID)


def test_package_refuses_something_that_is_not_an_app_id():
    with pytest.raises(PackageError, match="MICROSOFT_APP_ID"):
        manifest_for("my-bot")


def test_huddle_teams_package_command_writes_the_zip(clean_env, tmp_path, capsys):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    out = tmp_path / "dist" / "teams.zip"
    assert main(["teams", "package", "--out", str(out)]) == 0
    with zipfile.ZipFile(out) as package:
        assert json.loads(package.read("manifest.json"))["bots"][0]["botId"] == APP_ID
    assert "Upload" in capsys.readouterr().out


def test_huddle_teams_package_without_app_id_says_which_variable(clean_env, tmp_path, capsys):
    assert main(["teams", "package", "--out", str(tmp_path / "x.zip")]) == 2
    assert "MICROSOFT_APP_ID" in capsys.readouterr().err
    assert not (tmp_path / "x.zip").exists()


def test_single_tenant_is_the_default_and_needs_a_tenant_id(clean_env):
    with pytest.raises(ValidationError, match="MICROSOFT_APP_TENANT_ID"):
        TeamsSettings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="secret")
    settings = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="secret", MICROSOFT_APP_TENANT_ID="t"
    )
    assert settings.app_type == "SingleTenant"
    assert settings.sdk_configuration().APP_TENANTID == "t"


def test_app_id_without_password_names_the_missing_variable(clean_env):
    with pytest.raises(ValidationError, match="MICROSOFT_APP_PASSWORD"):
        TeamsSettings(MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_TENANT_ID="t")


def test_unknown_app_type_is_refused(clean_env):
    with pytest.raises(ValidationError, match="MICROSOFT_APP_TYPE"):
        TeamsSettings(MICROSOFT_APP_TYPE="AnyTenant")


def test_no_app_id_is_closed_not_emulator_mode(clean_env):
    settings = TeamsSettings()
    assert not settings.authenticated and not settings.emulator and not settings.configured


@pytest.mark.parametrize("value", ["true", "TRUE", "1", "yes"])
def test_emulator_mode_is_only_on_when_switched_on_by_name(clean_env, value):
    clean_env.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", value)
    settings = load_teams_settings()
    assert settings.emulator and settings.configured and not settings.authenticated
    assert settings.sdk_configuration().APP_ID == ""


def test_an_emulator_switch_that_is_not_a_yes_or_no_names_the_variable(clean_env):
    clean_env.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", "maybe")
    with pytest.raises(TeamsConfigurationError, match="TEAMS_UNAUTHENTICATED_EMULATOR_MODE"):
        load_teams_settings()


def test_an_app_id_and_the_emulator_switch_together_are_refused(clean_env):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret-value")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant-1")
    clean_env.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", "true")
    with pytest.raises(TeamsConfigurationError) as error:
        load_teams_settings()
    assert "MICROSOFT_APP_ID" in str(error.value)
    assert "TEAMS_UNAUTHENTICATED_EMULATOR_MODE" in str(error.value)
    assert "secret-value" not in str(error.value)


def test_password_never_shows_in_the_settings_repr(clean_env):
    settings = TeamsSettings(
        MICROSOFT_APP_ID=APP_ID, MICROSOFT_APP_PASSWORD="hunter2", MICROSOFT_APP_TENANT_ID="t"
    )
    assert "hunter2" not in repr(settings)


def test_package_takes_the_practices_own_developer_details(clean_env, tmp_path):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    out = tmp_path / "teams.zip"
    args = ["teams", "package", "--out", str(out), "--developer-name", "Smile Dental"]
    args += ["--privacy-url", "https://smile.example/privacy"]
    assert main(args) == 0
    with zipfile.ZipFile(out) as package:
        developer = json.loads(package.read("manifest.json"))["developer"]
    assert developer["name"] == "Smile Dental"
    assert developer["privacyUrl"] == "https://smile.example/privacy"


def test_a_developer_name_longer_than_teams_takes_is_refused_and_no_package_written(
    clean_env, tmp_path, capsys
):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant")
    out = tmp_path / "teams.zip"
    name = "Smile Dental Group of Greater Western Sydney"  # 44 characters
    args = ["teams", "package", "--out", str(out), "--developer-name", name]

    assert main(args) == 2

    error = capsys.readouterr().err
    assert "44 characters" in error and "1 to 32" in error and "--developer-name" in error
    assert not out.exists()


def test_a_developer_name_of_exactly_32_characters_is_taken():
    name = "Smile Dental, Parramatta Clinics"
    assert len(name) == 32
    assert manifest_for(APP_ID, {"name": name})["developer"]["name"] == name


@pytest.mark.parametrize(
    ("release", "expected"),
    [
        ("0.1.0", "0.1.0"),
        ("0.2", "0.2.0"),
        ("3", "3.0.0"),
        ("1.4.0+g1a2b3c", "1.4.0"),
        ("v2.01.7", "2.1.7"),
    ],
)
def test_the_manifest_version_is_always_three_numbers(release, expected):
    assert teams_version(release) == expected
    assert TEAMS_VERSION.match(expected)


@pytest.mark.parametrize("release", ["1.0.0rc1", "0.2.0.dev3", "1.0.0.post1", "1.2.3.4", "", "abc"])
def test_a_version_teams_cannot_order_is_refused(release):
    with pytest.raises(PackageError, match=r"three numbers like 1\.4\.0"):
        teams_version(release)


def test_the_package_s_manifest_version_is_three_numbers(tmp_path):
    with zipfile.ZipFile(build_package(APP_ID, tmp_path / "t.zip")) as package:
        assert TEAMS_VERSION.match(json.loads(package.read("manifest.json"))["version"])


def test_package_refuses_developer_urls_that_are_not_https():
    with pytest.raises(PackageError, match="https"):
        manifest_for(APP_ID, {"websiteUrl": "http://smile.example"})


@pytest.fixture
def serve_teams_only(clean_env, tmp_path, key):
    """``huddle serve`` with only the Teams mount (the Slack mount is tested with Slack)."""
    from importlib.metadata import entry_points

    [teams] = [e for e in entry_points(group="huddle.mounts") if e.name == "teams"]
    clean_env.setattr("adapters.web.platform_mounts", lambda: [teams.load()])
    clean_env.setenv("HUDDLE_ENCRYPTION_KEY", key)
    clean_env.setenv("DATABASE_URL", f"sqlite:///{tmp_path}/huddle.db")
    return clean_env


def test_misconfigured_teams_stops_huddle_serve_without_printing_the_password(
    serve_teams_only, capsys
):
    serve_teams_only.setenv("MICROSOFT_APP_ID", APP_ID)
    serve_teams_only.setenv("MICROSOFT_APP_PASSWORD", "hunter2-secret")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "MICROSOFT_APP_TENANT_ID" in err
    assert "hunter2-secret" not in err


def test_huddle_serve_refuses_an_app_id_with_the_emulator_switch(serve_teams_only, capsys):
    serve_teams_only.setenv("MICROSOFT_APP_ID", APP_ID)
    serve_teams_only.setenv("MICROSOFT_APP_PASSWORD", "hunter2-secret")
    serve_teams_only.setenv("MICROSOFT_APP_TENANT_ID", "tenant-1")
    serve_teams_only.setenv("TEAMS_UNAUTHENTICATED_EMULATOR_MODE", "true")
    assert main(["serve", "--port", "1"]) == 2
    err = capsys.readouterr().err
    assert "MICROSOFT_APP_ID and TEAMS_UNAUTHENTICATED_EMULATOR_MODE are both set" in err
    assert "hunter2-secret" not in err


def test_misconfigured_teams_package_does_not_print_the_password(clean_env, tmp_path, capsys):
    clean_env.setenv("MICROSOFT_APP_ID", APP_ID)
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "hunter2-secret")
    assert main(["teams", "package", "--out", str(tmp_path / "x.zip")]) == 2
    err = capsys.readouterr().err
    assert "MICROSOFT_APP_TENANT_ID" in err and "hunter2-secret" not in err


@pytest.mark.parametrize(
    "login_url",
    ["http://login.example.net/tenant", "https://login.example.net", "not a url"],
    ids=["plain-http", "no-tenant", "garbage"],
)
def test_login_url_must_be_an_https_authority_with_a_tenant(clean_env, login_url):
    clean_env.setenv("MICROSOFT_APP_ID", "00000000-0000-0000-0000-000000000001")
    clean_env.setenv("MICROSOFT_APP_PASSWORD", "secret-value")
    clean_env.setenv("MICROSOFT_APP_TENANT_ID", "tenant-1")
    clean_env.setenv("MICROSOFT_LOGIN_URL", login_url)
    with pytest.raises(TeamsConfigurationError, match="MICROSOFT_LOGIN_URL") as error:
        load_teams_settings()
    assert "secret-value" not in str(error.value)
