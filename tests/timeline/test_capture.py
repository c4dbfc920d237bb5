"""📌 reactions, native pins and edits in a war room, through signed events: what the
timeline keeps, the ✅ OpsGuard adds, and what happens when people let go."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import select

from bot.domain.timeline import Kind
from fakes.slack import Channel
from storage.models import Incident, TimelineEntry
from tests.lifecycle.conftest import World

PIN = "pushpin"
CHECK = "white_check_mark"


async def captured(world: World, incident: Incident) -> list[TimelineEntry]:
    async with world.guard.deps.db.session() as session:
        query = select(TimelineEntry).where(
            TimelineEntry.incident_id == incident.id, TimelineEntry.kind == Kind.MESSAGE
        )
        return list((await session.exec(query)).all())


async def war_room(world: World) -> tuple[Incident, Channel]:
    incident = await world.declare("Checkout returns 500s sev2 service:checkout")
    room = await world.room(incident.number)
    for user in (world.bob, world.carol):
        if user.id not in room.members:
            room.members.append(user.id)
    return incident, room


def reactions(world: World, room: Channel, ts: str) -> dict[str, list[str]]:
    return world.message(room, ts).reactions


async def test_a_pinned_message_is_captured_with_names_files_and_permalink(world: World) -> None:
    incident, room = await war_room(world)
    message = world.slack.add_message(
        room.id,
        f"<@{world.carol.id}> the 500s started right after v42 <!here>",
        user=world.bob.id,
        files=[{"name": "error-rate.png", "title": "Error rate"}],
    )

    await world.settled(
        world.driver.reaction_added(user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN)
    )

    [entry] = await captured(world, incident)
    assert entry.text == "@carol the 500s started right after v42 @here"
    assert entry.actor == world.bob.id
    assert entry.occurred_at == datetime.fromtimestamp(float(message.ts), UTC)
    assert entry.files == ["error-rate.png"]
    assert entry.source_url and message.ts.replace(".", "") in entry.source_url
    assert entry.pinned and entry.pinned_by == [f"reaction:{world.alice.id}"]
    assert reactions(world, room, message.ts)[CHECK] == [world.guard.ops.bot_user_id]
    center = await world.command_center(incident.number)
    assert "the 500s started right after v42" in str(center.blocks)


async def test_the_entry_goes_with_the_last_pushpin(world: World) -> None:
    incident, room = await war_room(world)
    message = world.slack.add_message(room.id, "Rolling back now", user=world.bob.id)
    for user in (world.alice, world.carol):
        await world.settled(
            world.driver.reaction_added(user=user.id, channel=room.id, ts=message.ts, emoji=PIN)
        )
    [entry] = await captured(world, incident)
    assert sorted(entry.pinned_by) == sorted(
        [f"reaction:{world.alice.id}", f"reaction:{world.carol.id}"]
    )

    await world.settled(
        world.driver.reaction_removed(
            user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN
        )
    )
    assert len(await captured(world, incident)) == 1
    await world.settled(
        world.driver.reaction_removed(
            user=world.carol.id, channel=room.id, ts=message.ts, emoji=PIN
        )
    )
    assert await captured(world, incident) == []
    assert not reactions(world, room, message.ts).get(CHECK)


async def test_a_thread_reply_is_captured_with_its_thread_permalink(world: World) -> None:
    incident, room = await war_room(world)
    parent = world.slack.add_message(room.id, "What changed at 14:00?", user=world.alice.id)
    reply = world.slack.add_message(
        room.id, "Feature flag new-pricing went to 100%", user=world.carol.id, thread_ts=parent.ts
    )

    await world.settled(
        world.driver.reaction_added(user=world.bob.id, channel=room.id, ts=reply.ts, emoji=PIN)
    )

    [entry] = await captured(world, incident)
    assert entry.text == "Feature flag new-pricing went to 100%"
    assert entry.actor == world.carol.id
    assert entry.message_ts == reply.ts
    assert entry.source_url and "thread_ts=" in entry.source_url
    assert world.slack.calls_to("conversations.replies")


async def test_editing_a_captured_message_updates_the_entry(world: World) -> None:
    incident, room = await war_room(world)
    message = world.slack.add_message(room.id, "DB failover at 14:05", user=world.bob.id)
    other = world.slack.add_message(room.id, "Not pinned", user=world.bob.id)
    await world.settled(
        world.driver.reaction_added(user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN)
    )

    await world.settled(
        world.driver.edit_message(
            user=world.bob.id, channel=room.id, ts=message.ts, text="DB failover at 14:07"
        )
    )
    await world.settled(
        world.driver.edit_message(user=world.bob.id, channel=room.id, ts=other.ts, text="Edited")
    )

    [entry] = await captured(world, incident)
    assert entry.text == "DB failover at 14:07"
    assert entry.edited_at is not None


async def test_native_pins_capture_and_release(world: World) -> None:
    incident, room = await war_room(world)
    message = world.slack.add_message(room.id, "Mitigated: traffic shifted", user=world.bob.id)

    await world.settled(world.driver.pin_added(user=world.alice.id, channel=room.id, ts=message.ts))
    [entry] = await captured(world, incident)
    assert entry.pinned_by == ["pin"]
    assert entry.text == "Mitigated: traffic shifted"

    await world.settled(
        world.driver.reaction_added(user=world.carol.id, channel=room.id, ts=message.ts, emoji=PIN)
    )
    await world.settled(
        world.driver.pin_removed(user=world.alice.id, channel=room.id, ts=message.ts)
    )
    [entry] = await captured(world, incident)  # the 📌 still holds it
    assert entry.pinned_by == [f"reaction:{world.carol.id}"]


async def test_pins_outside_war_rooms_and_other_emoji_are_ignored(world: World) -> None:
    incident, room = await war_room(world)
    elsewhere = world.slack.add_message(world.general.id, "unrelated", user=world.bob.id)
    await world.settled(
        world.driver.reaction_added(
            user=world.alice.id, channel=world.general.id, ts=elsewhere.ts, emoji=PIN
        )
    )
    message = world.slack.add_message(room.id, "nice", user=world.bob.id)
    await world.settled(
        world.driver.reaction_added(
            user=world.alice.id, channel=room.id, ts=message.ts, emoji="tada"
        )
    )
    assert await captured(world, incident) == []
    assert not world.slack.calls_to("reactions.add")


async def test_every_channel_message_is_acknowledged(world: World) -> None:
    _, room = await war_room(world)
    message = world.slack.add_message(room.id, "just chatting", user=world.bob.id)
    response = await world.settled(
        world.driver.event(
            {
                "type": "message",
                "channel": room.id,
                "channel_type": "channel",
                "user": world.bob.id,
                "text": message.text,
                "ts": message.ts,
            }
        )
    )
    assert response.status == 200


async def test_the_shortcut_captures_in_a_war_room_and_asks_elsewhere(world: World) -> None:
    incident, room = await war_room(world)
    parent = world.slack.add_message(room.id, "Thread about the cache", user=world.bob.id)
    reply = world.slack.add_message(
        room.id, "Cache hit rate fell to 3%", user=world.bob.id, thread_ts=parent.ts
    )
    await world.settled(
        world.driver.message_shortcut(
            "add_to_incident_timeline", user=world.alice.id, channel=room.id, message_ts=reply.ts
        )
    )
    [entry] = await captured(world, incident)
    assert entry.text == "Cache hit rate fell to 3%"
    assert entry.pinned_by == [f"shortcut:{world.alice.id}"]

    elsewhere = world.slack.add_message(
        world.general.id, "Customers report failed payments", user=world.carol.id
    )
    await world.settled(
        world.driver.message_shortcut(
            "add_to_incident_timeline",
            user=world.alice.id,
            channel=world.general.id,
            message_ts=elsewhere.ts,
        )
    )
    [view] = world.slack.modal_stack(world.alice.id)
    await world.submit(view, user=world.alice, values={"timeline_pick_incident": str(incident.id)})
    texts = sorted(e.text for e in await captured(world, incident))
    assert texts == ["Cache hit rate fell to 3%", "Customers report failed payments"]


async def test_slack_failing_to_read_the_message_is_told_to_the_person(world: World) -> None:
    incident, room = await war_room(world)
    message = world.slack.add_message(room.id, "Important finding", user=world.bob.id)
    world.slack.fail_next("conversations.history", error="ratelimited", times=1)
    await world.settled(
        world.driver.reaction_added(user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN)
    )
    assert await captured(world, incident) == []
    assert any("couldn't add that message" in said for said in world.ephemerals(world.alice))

    await world.settled(
        world.driver.reaction_removed(
            user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN
        )
    )
    await world.settled(
        world.driver.reaction_added(user=world.alice.id, channel=room.id, ts=message.ts, emoji=PIN)
    )
    assert [e.text for e in await captured(world, incident)] == ["Important finding"]
