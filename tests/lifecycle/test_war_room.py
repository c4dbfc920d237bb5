"""The war room: name, privacy, invites, topic, bookmarks, pin, card, and opening one later."""

from __future__ import annotations

import asyncio
from datetime import timedelta

from blocks.ids import ActionId, BlockId
from tests.lifecycle.conftest import MEET_URL, World, blocks_text, button_values, shown

SEARCH_OWNER = "U034GHIJKL"  # opsguard.example.yml: the owner of `search`


async def test_sev1_war_room_is_ready_after_declaring(world: World) -> None:
    incident = await world.declare("DB outage: checkout 5xx! sev1 service:checkout")

    room = await world.room(1)
    [create] = world.slack.calls_to("conversations.create")
    assert create.args == {"name": "inc-1-db-outage-checkout-5xx", "is_private": "0"}
    assert room.name == "inc-1-db-outage-checkout-5xx" and not room.is_private
    assert sorted(room.members) == sorted(["UBOT", world.alice.id, world.owner.id])
    assert room.topic["value"] == f"SEV1 · Triggered · DB outage: checkout 5xx! · Call: {MEET_URL}"
    assert [(b.title, b.link) for b in world.slack.bookmarks[room.id]] == [
        ("Meet bridge", MEET_URL),
        ("Runbook: checkout", "https://runbooks.example.com/checkout"),
    ]
    assert world.slack.pins[room.id] == [incident.command_center_ts]
    center = shown(await world.command_center(1))
    assert "*Incident commander*: <@" + world.alice.id in center
    assert button_values((await world.command_center(1)).blocks, ActionId.ACKNOWLEDGE) == [
        str(incident.id)
    ]
    [card] = world.messages(world.incidents)
    assert card.ts == incident.announcement_ts
    assert f"*War room*\\n<#{room.id}>" in shown(card)
    assert button_values(card.blocks, ActionId.OPEN_WAR_ROOM) == []


async def test_a_taken_name_gets_a_suffix(world: World) -> None:
    world.slack.add_channel("inc-1-db-down")

    await world.declare("DB down sev2")

    assert (await world.room(1)).name == "inc-1-db-down-2"
    assert [c.error for c in world.slack.calls_to("conversations.create")] == ["name_taken", None]


async def test_private_incident_gets_a_private_room_and_no_public_card(world: World) -> None:
    await world.declare("Payroll export leak sev1 private")

    room = await world.room(1)
    assert room.is_private
    assert world.slack.calls_to("conversations.create")[0].args["is_private"] == "1"
    assert world.messages(world.incidents) == []
    assert world.carol.id not in room.members


async def test_service_override_opens_a_room_at_sev3_despite_a_deactivated_owner(
    world: World,
) -> None:
    world.slack.add_user("gone", id=SEARCH_OWNER, deleted=True)
    await world.command("", user=world.alice, channel=world.general)
    [modal] = world.slack.modal_stack(world.alice.id)
    await world.submit(
        modal,
        user=world.alice,
        values={
            BlockId.DECLARE_TITLE: "Search returns nothing",
            BlockId.DECLARE_SERVICE: "search",
            BlockId.DECLARE_COMMANDER: world.bob.id,
        },
    )

    incident = await world.incident(1)
    assert incident.severity == "SEV3"
    room = await world.room(1)
    assert sorted(room.members) == sorted(["UBOT", world.alice.id, world.bob.id])
    assert not any("Couldn't update" in m.text for m in world.messages(room))


async def test_topic_stays_within_250_characters_and_keeps_the_bridge_link(world: World) -> None:
    await world.declare("Checkout " + "very " * 37 + "slow sev2")

    topic = (await world.room(1)).topic["value"]
    assert len(topic) <= 250
    assert topic.startswith("SEV2 · Triggered · Checkout very")
    assert topic.endswith(f"… · Call: {MEET_URL}")


async def test_lower_severity_card_offers_a_war_room_that_a_click_opens(world: World) -> None:
    incident = await world.declare("Search is slow sev3 service:checkout")
    assert incident.channel_id is None
    card = await world.card(1)
    assert button_values(card.blocks, ActionId.OPEN_WAR_ROOM) == [str(incident.id)]

    await world.click(ActionId.OPEN_WAR_ROOM, user=world.bob, channel=world.incidents)

    room = await world.room(1)
    assert room.name == "inc-1-search-is-slow"
    assert {world.alice.id, world.bob.id, world.owner.id} <= set(room.members)
    card = await world.card(1)
    assert button_values(card.blocks, ActionId.OPEN_WAR_ROOM) == []
    assert f"<#{room.id}>" in shown(card)
    assert world.slack.calls_to("chat.update")[-1].args["ts"] == incident.announcement_ts


async def test_two_clicks_at_once_open_one_war_room(world: World) -> None:
    await world.declare("Search is slow sev3")
    world.slack.latency = 0.05  # both clicks are mid-setup at the same time

    before = world.handled()
    await asyncio.gather(
        *(
            world.driver.click(ActionId.OPEN_WAR_ROOM, user=user.id, channel=world.incidents.id)
            for user in (world.alice, world.bob)
        )
    )
    await world.until(lambda: world.handled() >= before + 2)

    room = await world.room(1)
    rooms = [c for c in world.slack.channels.values() if c.name.startswith("inc-1-")]
    assert [c for c in rooms if not c.is_archived] == [room]
    assert all(world.messages(c) == [] for c in rooms if c is not room)
    assert world.slack.pins[room.id] == [(await world.incident(1)).command_center_ts]
    assert {world.alice.id, world.bob.id} <= set(room.members)
    assert f"<#{room.id}>" in shown(await world.card(1))
    assert button_values((await world.card(1)).blocks, ActionId.OPEN_WAR_ROOM) == []


async def test_raising_the_severity_opens_the_war_room(world: World) -> None:
    await world.declare("Carts lost sev3")

    response = await world.command("sev #1 1", user=world.alice, channel=world.general)

    assert response.ok
    incident = await world.incident(1)
    assert incident.severity == "SEV1"
    room = await world.room(1)
    assert room.topic["value"].startswith("SEV1 · Triggered · Carts lost")
    assert world.slack.pins[room.id] == [incident.command_center_ts]


async def test_a_rate_limited_channel_create_is_retried(world: World) -> None:
    world.slack.fail_next("conversations.create", status=429, retry_after=1)

    await world.declare("Queue backlog sev1")

    assert [c.status for c in world.slack.calls_to("conversations.create")] == [429, 200]
    room = await world.room(1)
    assert room.name == "inc-1-queue-backlog"
    assert world.alice.id in room.members


async def test_a_room_that_cannot_be_created_is_offered_again_on_the_card(world: World) -> None:
    world.slack.fail_next("conversations.create", error="restricted_action")

    incident = await world.declare("Checkout 5xx sev1")

    assert incident.channel_id is None
    said = [blocks_text(r.blocks) for r in world.slack.responses]
    assert "Slack answered `restricted_action`" in said[1]
    card = await world.card(1)
    assert button_values(card.blocks, ActionId.OPEN_WAR_ROOM) == [str(incident.id)]

    await world.click(ActionId.OPEN_WAR_ROOM, user=world.alice, channel=world.incidents)

    assert (await world.room(1)).name == "inc-1-checkout-5xx"


async def test_a_failed_step_is_noted_in_the_room_and_repaired_by_a_sweep(world: World) -> None:
    world.slack.fail_next("conversations.setTopic", error="restricted_action")

    await world.declare("Checkout 5xx sev1")

    room = await world.room(1)
    assert room.topic["value"] == ""
    [note] = [m for m in world.messages(room) if m.text.startswith("Couldn't update the topic")]
    assert "Slack answered `restricted_action`" in note.text
    assert (await world.later(timedelta(seconds=59))).syncs == 0
    assert (await world.later(timedelta(seconds=1))).syncs == 1
    assert room.topic["value"].startswith("SEV1 · Triggered · Checkout 5xx")
