"""The App Home: the Declare button, my incidents and roles, other open ones, my tasks."""

from __future__ import annotations

from blocks.ids import ActionId, CallbackId
from tests.lifecycle.conftest import World, button_values


async def _open_home(world: World, user: str) -> None:
    await world.settled(world.driver.app_home_opened(user))


async def test_home_lists_my_incidents_with_roles_the_others_and_my_tasks(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    await world.declare("Search slow sev3", user=world.bob)
    await world.declare("Payroll export leak sev2 private", user=world.bob)
    await world.declare("Old thing sev3", user=world.bob)
    await world.command("resolve #4", user=world.bob, channel=world.general)
    await world.command(
        f"task #2 Check the index <@{world.alice.id}>", user=world.bob, channel=world.general
    )

    world.slack.reset_calls()
    await _open_home(world, world.alice.id)

    [publish] = world.slack.calls_to("views.publish")
    assert publish.args["user_id"] == world.alice.id
    home = world.home(world.alice)
    mine = home.split('"Your incidents"')[1].split('"Other open incidents"')[0]
    others = home.split('"Other open incidents"')[1].split('"Your open tasks"')[0]
    tasks = home.split('"Your open tasks"')[1].split('"Commands"')[0]
    assert "INC-1 · Checkout 5xx" in mine and "Your roles: Incident commander" in mine
    assert "INC-2 · Search slow" in mine and "You are a participant." in mine
    assert mine.index("INC-1") < mine.index("INC-2")  # incidents with a role come first
    assert "_No other open incidents._" in others
    assert "INC-3" not in home and "Payroll" not in home
    assert "INC-4" not in home
    assert "*INC-2* · Check the index" in tasks
    view = world.slack.home_view(world.alice.id)
    assert view is not None
    assert len(button_values(view.view["blocks"], ActionId.COMPLETE_TASK)) == 1
    assert "Declare incident" in home and ActionId.DECLARE in home


async def test_others_open_public_incidents_show_for_a_bystander(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    await world.declare("Payroll export leak sev2 private")

    await _open_home(world, world.carol.id)

    home = world.home(world.carol)
    assert "_You are not part of any open incident._" in home
    assert "INC-1 · Checkout 5xx" in home.split('"Other open incidents"')[1]
    assert "INC-2" not in home
    assert "_You have no open tasks._" in home


async def test_declare_and_done_buttons_on_the_home_tab(world: World) -> None:
    await world.declare("Checkout 5xx sev1")
    await world.command(
        f"task #1 Roll back <@{world.alice.id}>", user=world.alice, channel=world.general
    )
    await _open_home(world, world.alice.id)
    view = world.slack.home_view(world.alice.id)
    assert view is not None

    await world.click(ActionId.COMPLETE_TASK, user=world.alice, view_id=view.id)

    assert "_You have no open tasks._" in world.home(world.alice)
    await world.click(ActionId.DECLARE, user=world.alice, view_id=view.id)
    [modal] = world.slack.modal_stack(world.alice.id)
    assert modal.view["callback_id"] == CallbackId.DECLARE_MODAL
