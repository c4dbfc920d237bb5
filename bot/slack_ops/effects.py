"""After the domain changed an incident: open rooms, refresh projections, tell people."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain import due
from bot.domain.lifecycle import Change
from bot.domain.snapshot import snapshot
from bot.slack_ops import notify, paging
from bot.slack_ops.context import SlackOps
from bot.slack_ops.home import refresh_homes
from bot.slack_ops.sync import refresh, refresh_from, shown
from bot.slack_ops.war_room import WarRoom, open_war_room
from storage.models import Incident, IncidentStatus

log = logging.getLogger("opsguard.slack")


async def after_declare(ops: SlackOps, incident: Incident, *, actor: str | None) -> WarRoom | None:
    """`actor` is None when an alert declared the incident: then nobody was named commander."""
    assert incident.id is not None
    opens_room = ops.deps.config.opens_war_room(incident.severity, incident.service)
    # One read serves the refresh and the commander's DM; an alert's incident with no war
    # room and no announcement card needs none.
    snap = None
    if not opens_room and (actor is not None or shown(ops, incident)):
        snap = await snapshot(ops.deps.db, incident.id)
    # Pages go out at once, alongside the war room; paged people are members, so invited.
    # Without a policy the declaration paged nobody.
    work: list[Awaitable[Any]] = []
    if incident.escalation_policy is not None:
        work.append(paging.deliver_pending(ops))
    room = None
    if opens_room:
        room, *_ = await asyncio.gather(open_war_room(ops, incident.id, actor=actor), *work)
    else:
        if snap is not None:
            work.append(refresh_from(ops, snap))
        await asyncio.gather(*work)
    ops.hint(incident.next_nudge_at)
    ops.hint(incident.next_escalation_at)
    if actor is not None:
        snap = snap or await snapshot(ops.deps.db, incident.id)  # after the war room opened
        if snap.commander and snap.commander != actor:  # named in the form: tell them
            await notify.role_assigned(ops, snap.incident, "commander", snap.commander)
    await refresh_homes(ops, {actor} - {None})
    return room


async def after_change(
    ops: SlackOps, change: Change, *, actor: str | None, update_text: str | None = None
) -> None:
    incident = change.incident
    assert incident.id is not None
    if change.noop:
        return
    if change.open_war_room:
        await open_war_room(ops, incident.id, actor=actor)
    if change.reopened and incident.channel_id:
        await _unarchive(ops, incident.channel_id)
    invite = list(change.added_members)
    if change.new_role_holder:
        invite.append(change.new_role_holder[1])
    await refresh(ops, incident.id, invite=invite)
    if change.new_role_holder:
        await notify.role_assigned(ops, incident, *change.new_role_holder)
    if change.task is not None and change.task.completed_at is None:
        await notify.task_assigned(ops, incident, change.task)
    snap = await snapshot(ops.deps.db, incident.id)
    if update_text is not None and snap.incident.status == IncidentStatus.RESOLVED:
        await notify.resolved(ops, snap)
    elif update_text is not None:
        await notify.status_posted(ops, snap, actor=actor or ops.bot_user_id, text=update_text)
    ops.hint(snap.incident.next_nudge_at)
    ops.hint(snap.incident.archive_at)
    await refresh_homes(ops, {*invite, actor} - {None})


async def archive(ops: SlackOps, incident: Incident) -> None:
    """Archive a claimed war room; on failure the row is put back to be tried again."""
    assert incident.id is not None and incident.channel_id
    try:
        await ops.client.conversations_archive(channel=incident.channel_id)
    except SlackApiError as exc:
        if exc.response.get("error") == "already_archived":
            return
        log.warning("INC-%s: archiving failed: %s", incident.number, exc)
        await due.archive_failed(ops.deps.db, ops.deps.clock, incident.id)


async def _unarchive(ops: SlackOps, channel_id: str) -> None:
    try:
        await ops.client.conversations_unarchive(channel=channel_id)
    except SlackApiError as exc:
        if exc.response.get("error") != "not_archived":
            log.warning("could not unarchive %s: %s", channel_id, exc)
