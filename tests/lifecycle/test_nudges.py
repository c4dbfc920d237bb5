"""Update nudges: after the severity's silence, snoozed, reset by updates, gone once resolved,
and kept across a restart (the rows are the truth)."""

from __future__ import annotations

from datetime import timedelta

from blocks.ids import ActionId, CallbackId
from tests.lifecycle.conftest import World, blocks_text, button_values

MINUTE = timedelta(minutes=1)


async def _nudges(world: World) -> list[str]:
    room = await world.room(1)
    return [m.text for m in world.messages(room) if "has had no update" in m.text]


async def test_a_silent_sev1_is_nudged_after_15_minutes_with_two_buttons(world: World) -> None:
    incident = await world.declare("Checkout 5xx sev1")

    report = await world.later(14 * MINUTE)
    assert report.nudges == 0 and await _nudges(world) == []
    await world.later(MINUTE)

    assert await _nudges(world) == ["INC-1 has had no update for 15m."]
    nudge = world.messages(await world.room(1))[-1]
    assert button_values(nudge.blocks, ActionId.POST_UPDATE) == [str(incident.id)]
    assert button_values(nudge.blocks, ActionId.SNOOZE) == [str(incident.id)]
    assert [e["text"]["text"] for e in nudge.blocks[1]["elements"]] == [
        "Post update",
        "Snooze 30 min",
    ]
    # Still silent: the next one follows another 15 minutes later.
    await world.later(15 * MINUTE)
    assert await _nudges(world) == [
        "INC-1 has had no update for 15m.",
        "INC-1 has had no update for 30m.",
    ]


async def test_snooze_moves_the_next_nudge_30_minutes_on(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    await world.later(15 * MINUTE)
    room = await world.room(1)

    await world.click(ActionId.SNOOZE, user=world.alice, channel=room)

    [said] = [e for e in world.slack.ephemerals if e.user == world.alice.id]
    assert (said.channel, said.text) == (room.id, "Snoozed: I'll remind you again in 30 minutes.")
    assert ":no_entry_sign:" not in blocks_text(said.blocks)  # good news, not a refusal
    await world.later(29 * MINUTE)
    assert len(await _nudges(world)) == 1
    await world.later(MINUTE)
    assert len(await _nudges(world)) == 2


async def test_post_update_button_opens_the_status_form(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    await world.later(15 * MINUTE)

    await world.click(ActionId.POST_UPDATE, user=world.alice, channel=await world.room(1))

    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.STATUS_MODAL


async def test_an_update_resets_the_silence(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    world.clock.advance(10 * MINUTE)

    await world.command("update Still digging", user=world.alice, channel=room)

    await world.later(5 * MINUTE)
    assert await _nudges(world) == []
    await world.later(10 * MINUTE)
    assert await _nudges(world) == ["INC-1 has had no update for 15m."]


async def test_no_nudges_once_resolved(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    world.clock.advance(5 * MINUTE)

    await world.command("resolve Rolled back", user=world.alice, channel=await world.room(1))

    report = await world.later(2 * timedelta(hours=1))
    assert report.nudges == 0
    assert await _nudges(world) == []


async def test_a_nudge_survives_a_restart(world: World) -> None:
    await world.declare("Checkout 5xx sev1")

    await world.restart()
    await world.later(15 * MINUTE)

    assert await _nudges(world) == ["INC-1 has had no update for 15m."]


async def test_a_sev3_without_a_room_nudges_its_commander_hourly_and_a_sev4_never(
    world: World,
) -> None:
    await world.declare("Search slow sev3", user=world.bob)
    await world.declare("Typo on the status page sev4")

    assert (await world.later(59 * MINUTE)).nudges == 0
    assert (await world.later(MINUTE)).nudges == 1
    assert [m.text for m in world.dms(world.bob)] == ["INC-1 has had no update for 1h 00m."]
    assert (await world.later(24 * 60 * MINUTE)).nudges == 1
    assert world.dms(world.alice) == []
