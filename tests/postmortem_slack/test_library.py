"""`/postmortem list|show` and the App Home's recent postmortems; private ones only to
their members."""

from __future__ import annotations

import json

from tests.lifecycle.conftest import World
from tests.postmortem_slack.test_postmortem_flow import (
    fill_and_submit,
    open_form,
    resolved_incident,
)


async def postmortem(world: World, text: str) -> str:
    response = await world.settled(
        world.driver.command("/postmortem", text, user=world.carol.id, channel=world.general.id)
    )
    return json.dumps(response.json)


async def test_list_show_and_home(world: World) -> None:
    public = await resolved_incident(world)
    await fill_and_submit(world, await open_form(world, public), publish=True)
    secret = await resolved_incident(world, private=True)
    await fill_and_submit(world, await open_form(world, secret), publish=True)
    draft = await resolved_incident(world)
    await fill_and_submit(world, await open_form(world, draft), publish=False)

    listed = await postmortem(world, "list")
    assert f"INC-{public.number}" in listed
    assert f"INC-{secret.number}" not in listed  # carol is not a member
    assert f"INC-{draft.number}" not in listed  # not published
    assert "/postmortems/" in listed and "sig=" in listed
    assert "No published postmortems for search" in await postmortem(world, "list search")

    shown = await postmortem(world, f"show {public.number}")
    assert "The SDK changed its retry defaults" in shown and "Action items" in shown
    assert "private" in await postmortem(world, f"show {secret.number}")
    assert "has no postmortem" in await postmortem(world, "show 999")
    assert "/postmortem list" in await postmortem(world, "")

    await world.settled(world.driver.app_home_opened(world.alice.id))
    home = world.home(world.alice)
    assert "Recent postmortems" in home
    assert f"INC-{public.number}" in home and f"INC-{secret.number}" in home
