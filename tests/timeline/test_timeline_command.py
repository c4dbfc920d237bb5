"""`/incident timeline`: notes at a time on the writer's clock, and the paged modal with
hide, show and delete."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from sqlmodel import col, select

from blocks.ids import ActionId, BlockId
from bot.domain.timeline import PAGE_SIZE, Kind
from storage.models import TimelineEntry
from tests.lifecycle.conftest import World


async def entries(world: World, incident_id: int | None) -> list[TimelineEntry]:
    async with world.guard.deps.db.session() as session:
        query = (
            select(TimelineEntry)
            .where(TimelineEntry.incident_id == incident_id)
            .order_by(col(TimelineEntry.occurred_at), col(TimelineEntry.id))
        )
        return list((await session.exec(query)).all())


async def test_a_note_at_a_time_on_the_writers_clock(world: World) -> None:
    world.clock.advance(timedelta(hours=5, minutes=30))  # 14:30 UTC
    world.slack.users[world.alice.id].tz = "America/New_York"
    incident = await world.declare("Checkout 500s sev2 service:checkout")
    room = await world.room(incident.number)
    await world.command("task Look at the graphs", user=world.alice, channel=room)

    response = await world.command(
        "timeline Spotted the error spike on the dashboard at 9:12", user=world.alice, channel=room
    )

    assert "Added to INC-" in json.dumps(response.json)
    [note] = [e for e in await entries(world, incident.id) if e.kind == Kind.NOTE]
    assert note.text == "Spotted the error spike on the dashboard"
    assert note.actor == world.alice.id
    assert note.occurred_at == datetime(2026, 11, 23, 14, 12, tzinfo=UTC)  # 9:12 in New York
    ordered = [e.kind for e in await entries(world, incident.id)]
    assert ordered.index(Kind.NOTE) < ordered.index("task")  # placed when it happened


async def test_notes_are_refused_with_the_usage(world: World) -> None:
    incident = await world.declare("Checkout 500s sev2 service:checkout")
    room = await world.room(incident.number)
    response = await world.command("timeline", user=world.alice, channel=world.general)
    assert "not an incident's war room" in json.dumps(response.json)
    outsider = world.slack.add_user("mallory")
    response = await world.command(
        f"timeline #{incident.number} I was here", user=outsider, channel=world.general
    )
    assert "participants" in json.dumps(response.json)
    assert "/incident timeline" in json.dumps(response.json)
    assert [e for e in await entries(world, incident.id) if e.kind == Kind.NOTE] == []
    await world.command("timeline Found it", user=world.alice, channel=room)
    assert [e.text for e in await entries(world, incident.id) if e.kind == Kind.NOTE] == [
        "Found it"
    ]


async def test_the_timeline_modal_pages_hides_and_deletes(world: World) -> None:
    incident = await world.declare("Checkout 500s sev2 service:checkout")
    room = await world.room(incident.number)
    for i in range(PAGE_SIZE + 3):
        world.clock.advance(timedelta(minutes=1))
        await world.command(f"timeline step {i}", user=world.alice, channel=room)
    total = len(await entries(world, incident.id))

    await world.command("timeline", user=world.alice, channel=room)
    [view] = world.slack.modal_stack(world.alice.id)
    shown = json.dumps(view.view["blocks"])
    assert f"{total} entries" in shown and "Page 2 of 2" in shown
    assert f"step {PAGE_SIZE + 2}" in shown  # opens on the newest entries

    await world.click(ActionId.TIMELINE_PAGE, user=world.alice, view_id=view.id, value="0")
    view = world.slack.views[view.id]
    assert "Page 1 of 2" in json.dumps(view.view["blocks"])

    first = (await entries(world, incident.id))[0]
    block = f"{BlockId.TIMELINE_ENTRY}:{first.id}"
    await world.click(
        ActionId.TIMELINE_ENTRY_MENU,
        user=world.alice,
        view_id=view.id,
        block_id=block,
        selected=f"hide:{first.id}",
    )
    assert (await entries(world, incident.id))[0].hidden
    view = world.slack.views[view.id]
    assert "hidden from the report" in json.dumps(view.view["blocks"])

    await world.click(
        ActionId.TIMELINE_ENTRY_MENU,
        user=world.alice,
        view_id=view.id,
        block_id=block,
        selected=f"delete:{first.id}",
    )
    assert first.id not in [e.id for e in await entries(world, incident.id)]
    assert len(await entries(world, incident.id)) == total - 1


async def test_the_command_center_button_opens_the_timeline(world: World) -> None:
    incident = await world.declare("Checkout 500s sev2 service:checkout")
    room = await world.room(incident.number)
    center = await world.command_center(incident.number)
    await world.click(ActionId.OPEN_TIMELINE, user=world.bob, channel=room, message_ts=center.ts)
    [view] = world.slack.modal_stack(world.bob.id)
    assert "timeline" in view.view["title"]["text"]
    assert "Declared" in json.dumps(view.view["blocks"]) or "declared" in json.dumps(
        view.view["blocks"]
    )
