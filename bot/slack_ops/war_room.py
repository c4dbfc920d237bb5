"""Opening a war room fast: three round trips from an empty workspace to a ready channel.

1. create the channel ‖ create the bridge;
2. invite ‖ topic ‖ bookmarks ‖ post the command center ‖ post/update the card;
3. pin the command center.
"""

from __future__ import annotations

import asyncio
import logging
from dataclasses import dataclass

from slack_sdk.errors import SlackApiError

from blocks.notices import integration_note
from bot.bridge import Bridge
from bot.domain import lifecycle
from bot.domain.naming import channel_name
from bot.domain.snapshot import snapshot
from bot.slack_ops.context import SlackOps, describe_failure
from bot.slack_ops.sync import (
    announced,
    invite_users,
    run_steps,
    set_topic,
    show_card,
    show_command_center,
)
from storage.models import Incident, Service

log = logging.getLogger("opsguard.slack")
NAME_ATTEMPTS = 10


@dataclass(frozen=True)
class WarRoom:
    channel_id: str | None
    problem: str | None = None  # why there is no channel, in words


async def open_war_room(ops: SlackOps, incident_id: int, *, actor: str | None) -> WarRoom:
    deps = ops.deps
    snap = await snapshot(deps.db, incident_id)
    incident = snap.incident
    if incident.channel_id:
        return WarRoom(incident.channel_id)
    created, bridge = await asyncio.gather(
        _create_channel(ops, incident),
        ops.bridges.create(
            topic=f"INC-{incident.number}: {incident.title}", agenda=incident.description
        ),
        return_exceptions=True,
    )
    if isinstance(bridge, BaseException):
        log.exception("INC-%s: bridge failed", incident.number, exc_info=bridge)
        bridge = Bridge(url=None, provider="none", note=describe_failure(bridge))
    if isinstance(created, BaseException):
        await lifecycle.record_bridge(
            deps.db, deps.clock, incident_id, bridge.url, bridge.provider, actor
        )
        log.warning("INC-%s: war room channel failed: %s", incident.number, created)
        snap = await snapshot(deps.db, incident_id)
        if announced(ops, snap):
            await run_steps(ops, snap, {"announcement card": show_card(ops, snap)})
        return WarRoom(None, describe_failure(created))
    channel_id, name = created
    attached = await lifecycle.attach_war_room(
        deps.db, deps.clock, incident_id, channel_id=channel_id, channel_name=name
    )
    if attached.channel_id != channel_id:
        # Another request (a second click) opened the war room first: keep theirs only.
        await _discard(ops, channel_id, incident.number)
        return WarRoom(attached.channel_id)
    await lifecycle.record_bridge(
        deps.db, deps.clock, incident_id, bridge.url, bridge.provider, actor
    )
    snap = await snapshot(deps.db, incident_id)
    service = await _service(ops, snap.incident)  # before any step coroutine exists
    steps = {
        "invites": invite_users(ops, channel_id, snap.members),
        "topic": set_topic(ops, snap),
        "bookmarks": _bookmarks(ops, channel_id, bridge, service),
        "command center": show_command_center(ops, snap),
    }
    if announced(ops, snap):
        steps["announcement card"] = show_card(ops, snap)
    if bridge.note:
        text, blocks = integration_note("Conference bridge", bridge.note)
        steps["bridge note"] = ops.client.chat_postMessage(
            channel=channel_id, text=text, blocks=blocks
        )
    await run_steps(ops, snap, steps)
    return WarRoom(channel_id)


async def recreate_bridge(ops: SlackOps, incident_id: int, *, actor: str) -> Bridge:
    deps = ops.deps
    incident = await lifecycle.get_incident(deps.db, incident_id)
    bridge = await ops.bridges.create(
        topic=f"INC-{incident.number}: {incident.title}", agenda=incident.description
    )
    await lifecycle.record_bridge(
        deps.db, deps.clock, incident_id, bridge.url, bridge.provider, actor
    )
    if incident.channel_id and bridge.url:
        await run_steps(
            ops,
            await snapshot(deps.db, incident_id),
            {
                "bookmarks": _swap_bridge_bookmark(
                    ops, incident.channel_id, incident.conference_url, bridge
                ),
            },
        )
    return bridge


async def _create_channel(ops: SlackOps, incident: Incident) -> tuple[str, str]:
    for attempt in range(NAME_ATTEMPTS):
        name = channel_name(incident.number, incident.title, attempt=attempt)
        try:
            response = await ops.client.conversations_create(name=name, is_private=incident.private)
        except SlackApiError as exc:
            if exc.response.get("error") == "name_taken":
                continue
            raise
        return response["channel"]["id"], response["channel"]["name"]
    raise RuntimeError(f"every name up to {name} is taken")


async def _discard(ops: SlackOps, channel_id: str, number: int) -> None:
    try:
        await ops.client.conversations_archive(channel=channel_id)
    except SlackApiError as exc:
        log.warning("INC-%s: could not archive the spare channel %s: %s", number, channel_id, exc)


async def _bookmarks(
    ops: SlackOps, channel_id: str, bridge: Bridge, service: Service | None
) -> None:
    links = []
    if bridge.url:
        links.append((f"{bridge.provider.capitalize()} bridge", bridge.url))
    if service is not None and service.runbook_url:
        links.append((f"Runbook: {service.name}", service.runbook_url))
    await asyncio.gather(
        *(
            ops.client.bookmarks_add(channel_id=channel_id, title=title, type="link", link=link)
            for title, link in links
        )
    )


async def _swap_bridge_bookmark(
    ops: SlackOps, channel_id: str, old_url: str | None, bridge: Bridge
) -> None:
    """The new bridge's bookmark replaces the old one's, so the header shows no dead link."""
    listed = await ops.client.bookmarks_list(channel_id=channel_id)
    for mark in listed.get("bookmarks") or []:
        if old_url and mark.get("link") == old_url:
            await ops.client.bookmarks_remove(channel_id=channel_id, bookmark_id=mark["id"])
    await _bookmarks(ops, channel_id, bridge, None)


async def _service(ops: SlackOps, incident: Incident) -> Service | None:
    if not incident.service:
        return None
    async with ops.deps.db.session() as session:
        return await session.get(Service, incident.service)
