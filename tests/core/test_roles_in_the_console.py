"""The console: whoever starts it is the practice's admin; `/as` shows what everyone else sees."""

import io

from adapters.console.app import ConsoleChat


def test_the_console_user_is_an_admin_and_someone_else_is_refused_until_added(huddle):
    out = io.StringIO()
    chat = ConsoleChat(huddle, out, user_name="Dana")
    chat.say("/huddle schedule monday 07:45")
    assert "Every Monday 7:45 am" in out.getvalue()

    chat.say("/as Robin")
    chat.say("/huddle stop")
    assert "Only the practice's admins can stop the meeting: @Dana. Ask one of them." in (
        out.getvalue()
    )
    chat.say("/as Dana")
    chat.say("/huddle admin add @Robin")
    assert "Robin is now one of the practice's admins, added by Dana." in out.getvalue()
    chat.say("/as Robin")
    chat.say("/huddle schedule friday 09:00")
    assert "Replace this channel's schedule?" in out.getvalue()
    assert "type: /huddle schedule friday 09:00 Australia/Sydney confirm" in out.getvalue()
    chat.say("/huddle schedule friday 09:00 Australia/Sydney confirm")
    assert "Every Friday 9:00 am Sydney time (Australia/Sydney)" in out.getvalue()
