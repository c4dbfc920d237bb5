"""Who may change an incident, and where a private incident may never show up."""

from __future__ import annotations

from blocks.ids import ActionId
from tests.lifecycle.conftest import World, WorldFactory

OUTSIDER = (
    "Only INC-1's participants and OpsGuard admins can change it. "
    "Join its channel or ask its commander to add you."
)


async def test_a_non_participant_is_refused_in_plain_words(world: World) -> None:
    incident = await world.declare("Checkout 5xx sev1")
    world.slack.reset_calls()

    for words in (
        "ack #1",
        "status #1 monitoring",
        "update #1 All good",
        "sev #1 3",
        f"role #1 scribe <@{world.carol.id}|carol>",
        "task #1 Do things",
        "bridge #1",
        "resolve #1",
    ):
        response = await world.command(words, user=world.carol, channel=world.general)
        assert response.json is not None and response.json["response_type"] == "ephemeral"
        assert OUTSIDER in response.json["text"], words

    after = await world.incident(1)
    assert (after.status, after.severity, after.conference_url, after.last_update_text) == (
        incident.status,
        incident.severity,
        incident.conference_url,
        incident.last_update_text,
    )
    assert world.slack.calls == []


async def test_a_refused_click_gets_an_ephemeral(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    room.members.append(world.carol.id)  # in the channel, but Slack never told OpsGuard

    await world.click(ActionId.ACKNOWLEDGE, user=world.carol, channel=room)

    [refusal] = [e for e in world.slack.ephemerals if e.user == world.carol.id]
    assert (refusal.channel, refusal.text) == (room.id, OUTSIDER)
    assert (await world.incident(1)).status == "triggered"


async def test_joining_the_war_room_makes_you_a_participant(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    room.members.append(world.carol.id)

    await world.settled(
        world.driver.event(
            {"type": "member_joined_channel", "user": world.carol.id, "channel": room.id,
             "channel_type": "C", "team": world.driver.team_id}
        )
    )  # fmt: skip
    await world.command("ack", user=world.carol, channel=room)

    assert (await world.incident(1)).status == "acknowledged"


async def test_an_admin_may_change_any_incident(make_world: WorldFactory) -> None:
    world = await make_world(admin_user_ids=frozenset({"U000000003"}))
    assert world.carol.id == "U000000003"
    await world.declare("Payroll export leak sev1 private")

    await world.command(
        "status #1 identified Found the bucket", user=world.carol, channel=world.general
    )

    assert (await world.incident(1)).status == "identified"


async def test_a_private_incident_stays_private(world: World) -> None:
    await world.declare("Payroll export leak sev1 private")
    room = await world.room(1)
    await world.command("update Rotating keys", user=world.alice, channel=room)

    refused = await world.command("ack #1", user=world.carol, channel=world.general)
    await world.settled(world.driver.app_home_opened(world.carol.id))
    await world.later(world.config.lifecycle.digest_interval)

    assert refused.json is not None
    assert "That incident is private, and you are not one of its members." in refused.json["text"]
    assert world.messages(world.incidents) == []
    assert world.messages(world.stakeholders) == []
    carol_home = world.home(world.carol)
    assert "INC-1" not in carol_home and "Payroll" not in carol_home
    assert "INC-1 · Payroll export leak" in world.home(world.alice)
