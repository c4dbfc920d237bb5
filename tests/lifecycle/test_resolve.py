"""Resolving: the summary, the archive 24 h later (unless a postmortem is due), reopening."""

from __future__ import annotations

from datetime import timedelta

from blocks.ids import ActionId, BlockId, CallbackId
from tests.lifecycle.conftest import World, button_values, shown

HOUR = timedelta(hours=1)


async def test_resolve_command_posts_the_summary_in_the_room_and_the_card_thread(
    world: World,
) -> None:
    incident = await world.declare("Checkout 5xx sev1 service:checkout")
    room = await world.room(1)
    world.clock.advance(timedelta(minutes=20))

    await world.command("resolve Rolled back v42", user=world.alice, channel=room)

    stored = await world.incident(1)
    assert (stored.status, stored.resolution_summary, stored.next_nudge_at) == (
        "resolved",
        "Rolled back v42",
        None,
    )
    summary = world.messages(room)[-1]
    assert summary.text == "INC-1 resolved after 20m · Checkout 5xx"
    assert ">Rolled back v42" in shown(summary)
    assert "SEV1 incidents need a postmortem" in shown(summary)
    assert incident.announcement_ts
    [reply] = world.slack.replies(world.incidents.id, incident.announcement_ts)
    assert reply.text == summary.text
    card = shown(await world.card(1))
    assert "*Resolved after 20m*" in card and "*Status*\\nResolved" in card
    center = await world.command_center(1)
    assert button_values(center.blocks, ActionId.RESOLVE) == []
    assert button_values(center.blocks, ActionId.TAKE_ROLE) == []
    assert room.topic["value"].startswith("SEV1 · Resolved")


async def test_resolve_button_opens_a_form_with_the_summary(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    await world.click(ActionId.RESOLVE, user=world.alice, channel=room)
    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.RESOLVE_MODAL
    await world.submit(modal, user=world.alice, values={BlockId.RESOLVE_SUMMARY: "Restarted DB"})

    stored = await world.incident(1)
    assert (stored.status, stored.resolution_summary) == ("resolved", "Restarted DB")
    assert ">Restarted DB" in shown(world.messages(room)[-1])


async def test_a_sev3_war_room_is_archived_a_day_after_resolution(world: World) -> None:
    await world.declare("Search returns nothing service:search")
    room = await world.room(1)
    await world.command("resolve", user=world.alice, channel=room)

    await world.later(24 * HOUR - timedelta(seconds=1))
    assert not room.is_archived
    report = await world.later(timedelta(seconds=1))

    assert report.archives == 1 and room.is_archived
    assert [c.args["channel"] for c in world.slack.calls_to("conversations.archive")] == [room.id]
    assert (await world.later(24 * HOUR)).archives == 0


async def test_a_failed_archive_is_tried_again_five_minutes_later(world: World) -> None:
    await world.declare("Search returns nothing service:search")
    room = await world.room(1)
    await world.command("resolve", user=world.alice, channel=room)
    world.slack.fail_next("conversations.archive", error="restricted_action")

    await world.later(24 * HOUR)
    assert not room.is_archived
    await world.later(timedelta(minutes=4))
    assert not room.is_archived
    await world.later(timedelta(minutes=1))

    assert room.is_archived
    assert [c.error for c in world.slack.calls_to("conversations.archive")] == [
        "restricted_action",
        None,
    ]


async def test_a_sev1_war_room_waits_for_its_postmortem(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    await world.command("resolve", user=world.alice, channel=room)

    report = await world.later(7 * 24 * HOUR)

    assert report.archives == 0 and not room.is_archived
    assert world.slack.calls_to("conversations.archive") == []


async def test_reopen_unarchives_the_room_and_restarts_the_clock(world: World) -> None:
    await world.declare("Search returns nothing service:search")
    room = await world.room(1)
    await world.command("resolve Cache rebuilt", user=world.alice, channel=room)
    await world.later(24 * HOUR)
    assert room.is_archived

    await world.command("reopen #1", user=world.alice, channel=world.general)

    assert not room.is_archived
    stored = await world.incident(1)
    assert (stored.status, stored.archived, stored.archive_at) == ("investigating", False, None)
    assert room.topic["value"].startswith("SEV3 · Investigating")
    assert button_values((await world.command_center(1)).blocks, ActionId.RESOLVE) == [
        str(stored.id)
    ]
    assert "INC-1 update: Reopened." in [m.text for m in world.messages(room)]
    # Reopened means open: the SEV3's hourly nudge is back.
    assert (await world.later(HOUR)).nudges == 1


async def test_only_a_resolved_incident_can_be_reopened(world: World) -> None:
    await world.declare("Checkout 5xx sev1")

    response = await world.command("reopen #1", user=world.alice, channel=world.general)

    assert response.json is not None and "INC-1 is not resolved." in response.json["text"]
