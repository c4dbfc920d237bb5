"""Status, updates and severity: each refreshes the topic, command center and card, and
updates are posted in the war room and the card's thread."""

from __future__ import annotations

from blocks.ids import ActionId, BlockId, CallbackId
from storage.models import Incident
from tests.lifecycle.conftest import World, shown


async def _declared(world: World) -> Incident:
    await world.declare("Checkout 5xx sev1 service:checkout")
    world.slack.reset_calls()
    return await world.incident(1)


def _refreshed(world: World, incident: Incident) -> None:
    """The topic was set and both messages were edited in place, since the last reset."""
    assert [c.args["channel"] for c in world.slack.calls_to("conversations.setTopic")] == [
        incident.channel_id
    ]
    edited = {(c.args["channel"], c.args["ts"]) for c in world.slack.calls_to("chat.update")}
    assert edited == {
        (incident.channel_id, incident.command_center_ts),
        (world.incidents.id, incident.announcement_ts),
    }


def _thread(world: World, incident: Incident) -> list[str]:
    assert incident.announcement_ts
    return [m.text for m in world.slack.replies(world.incidents.id, incident.announcement_ts)]


async def test_status_commands_in_the_war_room_refresh_and_post(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)
    steps = [
        ("ack", "acknowledged", "Acknowledged.", "Status is now acknowledged."),
        ("status investigating", "investigating", *["Status is now investigating."] * 2),
        ("status identified Bad deploy v42", "identified", "Bad deploy v42", "Bad deploy v42"),
        ("status monitoring Rolled back", "monitoring", "Rolled back", "Rolled back"),
    ]
    posted: list[str] = []
    for words, status, said, latest in steps:
        world.slack.reset_calls()

        await world.command(words, user=world.alice, channel=room)

        assert (await world.incident(1)).status == status
        _refreshed(world, incident)
        label = status.capitalize()
        assert room.topic["value"].startswith(f"SEV1 · {label} · Checkout 5xx")
        assert f"*Status*\\n{label}" in shown(await world.command_center(1))
        card = shown(await world.card(1))
        assert f"*Status*\\n{label}" in card and f">{latest}" in card
        posted.append(f"INC-1 update: {said}")
        assert _thread(world, incident) == posted
        assert world.messages(room)[-1].text == posted[-1]


async def test_update_posts_without_changing_the_status(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)

    await world.command("update Rolled back v42 <!here>", user=world.alice, channel=room)

    assert (await world.incident(1)).status == "triggered"
    _refreshed(world, incident)
    assert _thread(world, incident) == ["INC-1 update: Rolled back v42 &lt;!here&gt;"]
    assert ">Rolled back v42 &lt;!here&gt;" in shown(await world.card(1))


async def test_severity_change_refreshes_everything_but_posts_no_update(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)

    await world.command("sev 2", user=world.alice, channel=room)

    assert (await world.incident(1)).severity == "SEV2"
    _refreshed(world, incident)
    assert room.topic["value"].startswith("SEV2 · Triggered")
    assert "SEV2 · Major" in shown(await world.card(1))
    assert _thread(world, incident) == []


async def test_saying_what_is_already_so_posts_and_changes_nothing(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)
    await world.command("ack", user=world.alice, channel=room)
    await world.command(f"role scribe <@{world.bob.id}>", user=world.alice, channel=room)
    world.slack.reset_calls()

    await world.command("ack", user=world.alice, channel=room)
    await world.command("status acknowledged", user=world.alice, channel=room)
    await world.command("sev 1", user=world.alice, channel=room)
    await world.command(f"role scribe <@{world.bob.id}>", user=world.alice, channel=room)

    assert _thread(world, incident) == ["INC-1 update: Acknowledged."]
    assert world.slack.calls == []
    assert len(world.dms(world.bob)) == 1


async def test_resolved_is_a_status_too(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)

    await world.command("status resolved Fixed by rollback", user=world.alice, channel=room)

    stored = await world.incident(1)
    assert (stored.status, stored.resolution_summary) == ("resolved", "Fixed by rollback")
    assert room.topic["value"].startswith("SEV1 · Resolved")
    assert [r.startswith("INC-1 resolved after") for r in _thread(world, incident)] == [True]


async def test_outside_the_war_room_a_command_needs_the_number(world: World) -> None:
    await _declared(world)

    refused = await world.command("ack", user=world.alice, channel=world.general)
    accepted = await world.command("ack #1", user=world.alice, channel=world.general)

    assert refused.json is not None and refused.json["response_type"] == "ephemeral"
    assert "This channel is not an incident's war room. Name the incident" in refused.json["text"]
    assert accepted.ok and (await world.incident(1)).status == "acknowledged"
    missing = await world.command("ack #7", user=world.alice, channel=world.general)
    assert missing.json is not None and "There is no incident #7." in missing.json["text"]


async def test_an_unknown_status_word_gets_the_usage(world: World) -> None:
    await _declared(world)
    room = await world.room(1)

    response = await world.command("status fixed", user=world.alice, channel=room)

    assert response.json is not None
    assert "Unknown status “fixed”" in response.json["text"]
    assert "Usage: `/incident status [#&lt;number&gt;]" in response.json["text"]
    assert (await world.incident(1)).status == "triggered"


async def test_acknowledge_and_update_status_buttons(world: World) -> None:
    incident = await _declared(world)
    room = await world.room(1)

    await world.click(ActionId.ACKNOWLEDGE, user=world.alice, channel=room)
    assert (await world.incident(1)).status == "acknowledged"
    await world.click(ActionId.UPDATE_STATUS, user=world.alice, channel=room)
    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.STATUS_MODAL
    await world.submit(
        modal,
        user=world.alice,
        values={BlockId.STATUS_SELECT: "identified", BlockId.STATUS_MESSAGE: "Found it"},
    )

    assert (await world.incident(1)).status == "identified"
    assert _thread(world, incident) == ["INC-1 update: Acknowledged.", "INC-1 update: Found it"]
    center = await world.command_center(1)
    assert ActionId.ACKNOWLEDGE not in shown(center)


async def test_an_incident_without_a_war_room_updates_its_card(world: World) -> None:
    incident = await world.declare("Search slow")
    world.slack.reset_calls()

    await world.command(
        "status #1 monitoring Cache warmed", user=world.alice, channel=world.general
    )

    assert (await world.incident(1)).status == "monitoring"
    assert [c.args["ts"] for c in world.slack.calls_to("chat.update")] == [incident.announcement_ts]
    assert _thread(world, incident) == ["INC-1 update: Cache warmed"]
