"""Roles: by command, by the Assign role form and by "I'll take"; one holder per role."""

from __future__ import annotations

from blocks.ids import ActionId, BlockId, CallbackId
from tests.lifecycle.conftest import World, button_values, shown


async def test_role_command_assigns_invites_and_dms_the_new_holder(world: World) -> None:
    await world.declare("Checkout 5xx sev1 service:checkout")
    room = await world.room(1)
    assert world.bob.id not in room.members

    response = await world.command(
        f"role scribe <@{world.bob.id}|bob>", user=world.alice, channel=room
    )

    assert response.ok
    assert world.bob.id in room.members
    invite = world.slack.calls_to("conversations.invite")[-1]
    assert invite.args["channel"] == room.id and invite.args["users"] == world.bob.id
    [dm] = world.dms(world.bob)
    assert dm.text == "You are now the Scribe for INC-1 · Checkout 5xx."
    assert f"<#{room.id}>" in shown(dm)
    center = await world.command_center(1)
    assert f"*Scribe*: <@{world.bob.id}>" in shown(center)
    scribe_button = f"{(await world.incident(1)).id}:scribe"
    assert scribe_button not in button_values(center.blocks, ActionId.TAKE_ROLE)


async def test_assign_role_button_opens_a_form_that_assigns(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    await world.click(ActionId.ASSIGN_ROLE, user=world.alice, channel=room)

    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.ROLE_MODAL
    await world.submit(
        modal,
        user=world.alice,
        values={BlockId.ROLE_SELECT: "tech_lead", BlockId.ROLE_USER: world.carol.id},
    )

    assert world.carol.id in room.members
    [dm] = world.dms(world.carol)
    assert dm.text == "You are now the Technical lead for INC-1 · Checkout 5xx."
    assert f"*Technical lead*: <@{world.carol.id}>" in shown(await world.command_center(1))


async def test_ill_take_button_gives_the_role_to_whoever_clicks(world: World) -> None:
    incident = await world.declare("Checkout 5xx sev1 service:checkout")
    room = await world.room(1)

    await world.click(
        ActionId.TAKE_ROLE, user=world.owner, channel=room, value=f"{incident.id}:liaison"
    )

    center = await world.command_center(1)
    assert f"*Communications liaison*: <@{world.owner.id}>" in shown(center)
    assert f"{incident.id}:liaison" not in button_values(center.blocks, ActionId.TAKE_ROLE)
    [dm] = world.dms(world.owner)
    assert dm.text == "You are now the Communications liaison for INC-1 · Checkout 5xx."


async def test_a_role_has_one_holder_at_a_time(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    await world.command(f"role scribe <@{world.bob.id}|bob>", user=world.alice, channel=room)
    await world.command(f"role scribe <@{world.carol.id}|carol>", user=world.alice, channel=room)
    await world.command(f"role commander <@{world.bob.id}|bob>", user=world.alice, channel=room)

    center = shown(await world.command_center(1))
    assert f"*Scribe*: <@{world.carol.id}>" in center
    assert f"*Scribe*: <@{world.bob.id}>" not in center
    assert f"*Incident commander*: <@{world.bob.id}>" in center
    assert f"*Commander*\\n<@{world.bob.id}>" in shown(await world.card(1))
    # Assigning the holder again changes nothing and sends no second DM.
    await world.command(f"role scribe <@{world.carol.id}|carol>", user=world.alice, channel=room)
    assert [m.text for m in world.dms(world.carol)] == [
        "You are now the Scribe for INC-1 · Checkout 5xx."
    ]


async def test_role_command_needs_a_role_and_a_mention(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    no_mention = await world.command("role scribe bob", user=world.alice, channel=room)
    unknown = await world.command(f"role chef <@{world.bob.id}>", user=world.alice, channel=room)

    assert no_mention.json is not None and "mention a person" in no_mention.json["text"]
    assert unknown.json is not None
    assert (
        "Unknown role “chef”. Roles: commander, scribe, liaison, tech_lead."
        in (unknown.json["text"])
    )
    assert world.dms(world.bob) == []


async def test_a_commander_named_in_the_declare_form_is_told(world: World) -> None:
    await world.command("", user=world.alice, channel=world.general)
    [modal] = world.slack.modal_stack(world.alice.id)

    await world.submit(
        modal,
        user=world.alice,
        values={BlockId.DECLARE_TITLE: "Login loops", BlockId.DECLARE_COMMANDER: world.bob.id},
    )

    [dm] = world.dms(world.bob)
    assert dm.text == "You are now the Incident commander for INC-1 · Login loops."
    assert world.dms(world.alice)[0].text == "You declared INC-1 · Login loops."
    assert len(world.dms(world.alice)) == 1  # declaring for yourself sends no role DM
