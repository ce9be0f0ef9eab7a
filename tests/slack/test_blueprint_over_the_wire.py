"""The blueprint suggestions' buttons over Slack's wire: signed block_actions POSTed to the
running app, the suggestion's state in the database, and a non-admin's click refused."""

from __future__ import annotations

from sqlmodel import Session, select

from bot.storage.blueprint_models import BlueprintSuggestion
from tests.slack.conftest import button, said

IDEA = "offer a glass of water while they wait"


def states(engine) -> list[tuple[int, str, str]]:
    with Session(engine) as session:
        found = session.exec(select(BlueprintSuggestion).order_by(BlueprintSuggestion.id))
        return [(s.id, s.state, s.text) for s in found]


def last_said(api) -> str:
    return said(api.calls_to("response_url")[-1])


async def suggested_and_listed(slack, api) -> dict:
    """Robin suggests an item; Dana, a workspace admin, lists what waits: that message."""
    api.user_roles["U9"] = "admin"
    await slack.command(
        f"/huddle blueprint suggest arrival recovery: {IDEA}", user="U2", name="robin"
    )
    assert "Suggestion #1" in last_said(api)
    await slack.command("/huddle blueprint suggestions", user="U9", name="dana")
    listing = api.calls_to("response_url")[-1]
    assert "1 waiting" in said(listing) and IDEA in said(listing)
    return listing


async def test_an_admin_s_accept_button_adds_the_item_and_decides_the_suggestion(
    slack, api, engine
):
    listing = await suggested_and_listed(slack, api)
    response = await slack.click(button(listing, "Accept #1"), user="U9", name="dana")
    assert response.status == 200
    assert states(engine) == [(1, "accepted", IDEA)]
    assert "Added to Arrival" in last_said(api)
    await slack.command("/huddle blueprint arrival", user="U2", name="robin")
    assert IDEA in last_said(api)


async def test_an_admin_s_decline_button_declines_and_changes_nothing(slack, api, engine):
    listing = await suggested_and_listed(slack, api)
    await slack.click(button(listing, "Decline #1"), user="U9", name="dana")
    assert states(engine) == [(1, "declined", IDEA)]
    assert "Suggestion #1 is declined" in last_said(api)
    await slack.command("/huddle blueprint arrival", user="U2", name="robin")
    assert IDEA not in last_said(api)


async def test_the_edit_button_asks_in_a_modal_and_adds_the_edited_item(slack, api, engine):
    listing = await suggested_and_listed(slack, api)
    await slack.click(button(listing, "Edit #1"), user="U9", name="dana")
    [opened] = api.calls_to("views.open")
    [block] = [b for b in opened["view"]["blocks"] if b.get("type") == "input"]
    assert block["element"].get("initial_value") == IDEA
    await slack.submit(
        opened["view"], {block["block_id"]: f"{IDEA} and say sorry"}, user="U9", name="dana"
    )
    assert states(engine) == [(1, "accepted", IDEA)]  # the suggestion as made, decided
    await slack.command("/huddle blueprint arrival", user="U2", name="robin")
    assert f"{IDEA} and say sorry" in last_said(api)


async def test_a_non_admin_pressing_the_buttons_is_refused_and_nothing_changes(slack, api, engine):
    listing = await suggested_and_listed(slack, api)
    for label, what in (("Accept #1", "accept"), ("Decline #1", "decline")):
        response = await slack.click(button(listing, label), user="U2", name="robin")
        assert response.status == 200
        refusal = api.calls_to("response_url")[-1]
        assert refusal["response_type"] == "ephemeral"
        assert f"Only the practice's admins can {what} blueprint suggestions" in said(refusal)
    assert states(engine) == [(1, "pending", IDEA)]
    await slack.command("/huddle blueprint arrival", user="U2", name="robin")
    assert IDEA not in last_said(api)
