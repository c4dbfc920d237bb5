"""Drafting, publishing and reading a postmortem through Slack, with Jira behind it."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta
from typing import Any

import aiohttp
from sqlmodel import select

from blocks.ids import ActionId, BlockId
from fakes.jira import FakeJira
from fakes.slack.state import View
from storage.models import ActionItem, Incident, JiraStatus, Postmortem, PostmortemStatus
from tests.lifecycle.conftest import World
from tests.postmortem_slack.conftest import READER_TOKEN


async def resolved_incident(world: World, *, private: bool = False) -> Incident:
    flags = " private" if private else ""
    incident = await world.declare(f"Checkout returns 500s sev2 service:checkout{flags}")
    room = await world.room(incident.number)
    await world.command("task Add a canary for the payment SDK", user=world.alice, channel=room)
    world.clock.advance(timedelta(minutes=40))
    await world.command("resolve Rolled back v42", user=world.alice, channel=room)
    return await world.incident(incident.number)


async def open_form(world: World, incident: Incident) -> View:
    room = await world.room(incident.number)
    await world.command("postmortem", user=world.alice, channel=room)
    views = world.slack.modal_stack(world.alice.id)
    assert views, world.ephemerals(world.alice)
    return views[-1]


def item_keys(view: View) -> list[str]:
    return json.loads(view.view["private_metadata"])["items"]


async def fill_and_submit(world: World, view: View, *, publish: bool) -> None:
    [key] = item_keys(view)
    await world.click(
        ActionId.PM_ITEM_OWNER,
        user=world.alice,
        view_id=view.id,
        block_id=f"{BlockId.PM_ITEM_META}:{key}",
        selected=world.bob.id,
    )
    await world.click(
        ActionId.PM_ITEM_DUE,
        user=world.alice,
        view_id=view.id,
        block_id=f"{BlockId.PM_ITEM_META}:{key}",
        selected="2026-12-04",
    )
    values: dict[str, Any] = {
        BlockId.PM_SUMMARY: "A bad deploy of the payment SDK broke checkout for 40 minutes.",
        BlockId.PM_IMPACT: "Card payments failed <!channel>",
        BlockId.PM_USERS_AFFECTED: "About 12% of checkouts",
        f"{BlockId.PM_WHY}:0": "The SDK changed its retry defaults",
        f"{BlockId.PM_WHY}:1": "No canary caught it",
        f"{BlockId.PM_ITEM_TEXT}:{key}": "Add a canary for the payment SDK",
    }
    if publish:
        values[BlockId.PM_PUBLISH] = ["publish"]
    response = await world.submit(view, user=world.alice, values=values)
    assert response.status == 200 and not response.body, response.body


async def stored(world: World, incident: Incident) -> tuple[Postmortem, list[ActionItem]]:
    async with world.guard.deps.db.session() as session:
        pm = (
            await session.exec(select(Postmortem).where(Postmortem.incident_id == incident.id))
        ).one()
        items = (
            await session.exec(select(ActionItem).where(ActionItem.incident_id == incident.id))
        ).all()
    return pm, list(items)


async def get(world: World, path: str, **headers: str) -> tuple[int, bytes, str]:
    async with (
        aiohttp.ClientSession() as http,
        http.get(f"{world.guard.url}{path}", headers=headers) as response,
    ):
        return response.status, await response.read(), response.content_type


async def test_the_form_is_prefilled_and_grows_and_shrinks(world: World) -> None:
    incident = await resolved_incident(world)
    view = await open_form(world, incident)
    shown = json.dumps(view.view["blocks"])
    assert "Rolled back v42" in shown  # the summary starts from the resolution
    assert "Add a canary for the payment SDK" in shown  # open tasks become items
    assert len(item_keys(view)) == 1

    await world.click(ActionId.PM_ADD_ITEM, user=world.alice, view_id=view.id)
    view = world.slack.views[view.id]
    assert len(item_keys(view)) == 2
    second = item_keys(view)[1]
    await world.click(ActionId.PM_REMOVE_ITEM, user=world.alice, view_id=view.id, value=second)
    view = world.slack.views[view.id]
    assert item_keys(view) == item_keys(view)[:1]


async def test_a_draft_is_saved_and_files_nothing_in_jira(world: World, jira: FakeJira) -> None:
    incident = await resolved_incident(world)
    await fill_and_submit(world, await open_form(world, incident), publish=False)
    pm, [item] = await stored(world, incident)
    assert pm.status == PostmortemStatus.DRAFT
    assert pm.whys[:2] == ["The SDK changed its retry defaults", "No canary caught it"]
    assert (item.text, item.owner, item.due_date) == (
        "Add a canary for the payment SDK",
        world.bob.id,
        date(2026, 12, 4),
    )
    assert item.jira_status == JiraStatus.NONE
    await world.sweep()
    assert jira.issues == {}
    reopened = await open_form(world, incident)  # the draft comes back as it was saved
    assert "No canary caught it" in json.dumps(reopened.view["blocks"])


async def test_publishing_posts_a_canvas_and_a_file_and_closes(
    world: World, jira: FakeJira
) -> None:
    incident = await resolved_incident(world)
    await fill_and_submit(world, await open_form(world, incident), publish=True)

    pm, _ = await stored(world, incident)
    assert pm.status == PostmortemStatus.PUBLISHED and pm.publish_error is None
    assert pm.canvas_id in world.slack.canvases
    canvas = world.slack.canvases[pm.canvas_id]
    assert f"INC-{incident.number}" in canvas.markdown
    assert "The SDK changed its retry defaults" in canvas.markdown
    assert pm.file_id in world.slack.files
    upload = world.slack.files[pm.file_id]
    assert upload.name == f"INC-{incident.number}-postmortem.md"
    assert upload.content.decode() == canvas.markdown
    room = await world.room(incident.number)
    [shared] = [m for m in world.slack.messages(room.id) if m.files]
    links = re.findall(r"<(http[^|>]+)\|", shared.text)
    assert len(links) == 2

    closed = await world.incident(incident.number)
    assert closed.closed_at == world.clock.now()
    assert closed.archive_at == world.clock.now() + world.config.lifecycle.archive_after_postmortem
    world.clock.advance(world.config.lifecycle.archive_after_postmortem)
    await world.sweep()
    assert world.slack.channels[room.id].is_archived


async def test_jira_down_then_back(world: World, jira: FakeJira) -> None:
    incident = await resolved_incident(world)
    jira.down = True
    await fill_and_submit(world, await open_form(world, incident), publish=True)
    await world.sweep()
    _, [item] = await stored(world, incident)
    assert item.jira_status == JiraStatus.PENDING and item.jira_key is None
    assert item.jira_error and "503" in item.jira_error
    response = await world.command("followups", user=world.alice, channel=world.general)
    assert "not in Jira yet" in json.dumps(response.json)

    jira.down = False
    world.clock.advance(timedelta(minutes=2))
    await world.sweep()
    _, [item] = await stored(world, incident)
    assert item.jira_status == JiraStatus.FILED and item.jira_key == "OPS-1"
    await world.sweep()  # the published canvas shows the new key as a link
    pm, _ = await stored(world, incident)
    assert pm.canvas_id is not None
    assert f"[OPS-1]({jira.base_url}" in world.slack.canvases[pm.canvas_id].markdown
    fields = jira.issues["OPS-1"]
    assert f"opsguard-inc-{incident.number}" in fields["labels"]
    assert "slack" in json.dumps(fields["description"]).lower()
    world.clock.advance(timedelta(hours=2))
    await world.sweep()
    assert list(jira.issues) == ["OPS-1"]  # filed once
    response = await world.command(
        f"followups <@{world.bob.id}> checkout", user=world.alice, channel=world.general
    )
    assert "OPS-1" in json.dumps(response.json)


async def test_html_and_pdf_need_a_signed_link_or_the_token(world: World) -> None:
    incident = await resolved_incident(world, private=True)
    await fill_and_submit(world, await open_form(world, incident), publish=True)
    path = f"/postmortems/{incident.number}"

    assert (await get(world, path))[0] == 401
    assert (await get(world, f"{path}.pdf"))[0] == 401
    assert (await get(world, f"{path}?token=wrong-token-0123456789"))[0] == 401
    assert (await get(world, f"{path}?expires=9999999999&sig=00"))[0] == 401

    status, body, kind = await get(world, path, Authorization=f"Bearer {READER_TOKEN}")
    assert (status, kind) == (200, "text/html")
    assert b"The SDK changed its retry defaults" in body
    assert b"&lt;!channel&gt;" in body or b"<!channel>" not in body

    room = await world.room(incident.number)
    [shared] = [m for m in world.slack.messages(room.id) if m.files]
    web, pdf = re.findall(r"<(http[^|>]+)\|", shared.text)
    status, body, kind = await get(world, web.removeprefix(world.settings.base_url.rstrip("/")))
    assert status == 200 and kind == "text/html"
    status, body, kind = await get(world, pdf.removeprefix(world.settings.base_url.rstrip("/")))
    assert status == 200 and kind == "application/pdf" and body.startswith(b"%PDF")

    world.clock.advance(timedelta(days=91))  # signed links expire
    assert (await get(world, web.removeprefix(world.settings.base_url.rstrip("/"))))[0] == 401
    assert (await get(world, "/postmortems/999", Authorization=f"Bearer {READER_TOKEN}"))[0] == 404


async def test_publishing_needs_a_resolved_incident(world: World) -> None:
    incident = await world.declare("Checkout returns 500s sev2 service:checkout")
    view = await open_form(world, incident)
    [key] = item_keys(view) or [None]
    values = {
        BlockId.PM_SUMMARY: "Too early",
        f"{BlockId.PM_WHY}:0": "We do not know yet",
        BlockId.PM_PUBLISH: ["publish"],
    }
    if key:
        values[f"{BlockId.PM_ITEM_TEXT}:{key}"] = ""
    response = await world.submit(view, user=world.alice, values=values)
    assert response.json is not None
    assert "not resolved yet" in response.json["errors"][BlockId.PM_PUBLISH]
    async with world.guard.deps.db.session() as session:  # a refused publish stores nothing
        assert (await session.exec(select(Postmortem))).all() == []


async def test_a_failed_canvas_is_noted_and_retried_without_a_second_file(world: World) -> None:
    incident = await resolved_incident(world)
    world.slack.fail_next("conversations.canvases.create", status=500, times=10)
    await fill_and_submit(world, await open_form(world, incident), publish=True)

    pm, _ = await stored(world, incident)
    assert pm.canvas_id is None and pm.file_id in world.slack.files
    assert pm.publish_error and "canvas" in pm.publish_error
    room = await world.room(incident.number)
    notes = [m.text for m in world.messages(room) if "Postmortem" in m.text and "again" in m.text]
    assert notes, [m.text for m in world.messages(room)]

    world.slack.knobs.failures.clear()
    world.clock.advance(timedelta(minutes=3))
    await world.sweep()
    pm, _ = await stored(world, incident)
    assert pm.canvas_id in world.slack.canvases and pm.publish_error is None
    assert len(world.slack.files) == 1  # the file was not posted twice
