"""Tasks: by command or form, the assignee invited and DMed, "Done" clears them."""

from __future__ import annotations

from blocks.ids import ActionId, BlockId, CallbackId
from tests.lifecycle.conftest import World, button_values, shown


async def test_task_command_with_an_assignee_invites_and_dms_them(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    await world.command(f"task Roll back v42 <@{world.bob.id}|bob>", user=world.alice, channel=room)

    assert world.bob.id in room.members
    [dm] = world.dms(world.bob)
    assert dm.text == "New task for you in INC-1: Roll back v42"
    assert f"<@{world.alice.id}>" in shown(dm) and f"<#{room.id}>" in shown(dm)
    center = await world.command_center(1)
    assert f"Roll back v42 · <@{world.bob.id}>" in shown(center)
    assert "*Open tasks* (1)" in shown(center)
    assert len(button_values(center.blocks, ActionId.COMPLETE_TASK)) == 1


async def test_a_task_without_assignee_dms_nobody(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    world.slack.reset_calls()

    await world.command("task Write the status page post", user=world.alice, channel=room)

    assert "Write the status page post · _unassigned_" in shown(await world.command_center(1))
    posted_to = [c.args["channel"] for c in world.slack.calls_to("chat.postMessage")]
    assert not any(channel.startswith("U") for channel in posted_to)


async def test_add_task_button_opens_a_form_that_adds_it(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    await world.click(ActionId.ADD_TASK, user=world.alice, channel=room)
    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.TASK_MODAL
    await world.submit(
        modal,
        user=world.alice,
        values={BlockId.TASK_TEXT: "Page the DBA", BlockId.TASK_ASSIGNEE: world.carol.id},
    )

    assert world.carol.id in room.members
    [dm] = world.dms(world.carol)
    assert dm.text == "New task for you in INC-1: Page the DBA"
    assert f"Page the DBA · <@{world.carol.id}>" in shown(await world.command_center(1))


async def test_done_completes_the_task_and_the_command_center_drops_it(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)
    await world.command(f"task Roll back v42 <@{world.bob.id}|bob>", user=world.alice, channel=room)
    await world.command("task Tell support", user=world.alice, channel=room)
    center = await world.command_center(1)
    first, second = button_values(center.blocks, ActionId.COMPLETE_TASK)

    await world.click(ActionId.COMPLETE_TASK, user=world.bob, channel=room, value=first)

    center = await world.command_center(1)
    assert "Roll back v42" not in shown(center).split("*Open tasks*")[1]
    assert button_values(center.blocks, ActionId.COMPLETE_TASK) == [second]
    assert "Task done: Roll back v42" in shown(center)
    await world.click(ActionId.COMPLETE_TASK, user=world.alice, channel=room, value=second)
    assert "*Open tasks*\\n_None._" in shown(await world.command_center(1))


async def test_a_task_needs_text(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    room = await world.room(1)

    response = await world.command("task", user=world.alice, channel=room)

    assert response.json is not None
    assert "A task needs a description" in response.json["text"]
