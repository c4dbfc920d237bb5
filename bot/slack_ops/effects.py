"""After the domain changed an incident: open rooms, refresh projections, tell people."""

from __future__ import annotations

import asyncio
import logging

from slack_sdk.errors import SlackApiError

from bot.domain import due
from bot.domain.lifecycle import Change
from bot.domain.snapshot import snapshot
from bot.slack_ops import notify, paging
from bot.slack_ops.context import SlackOps
from bot.slack_ops.home import refresh_homes
from bot.slack_ops.sync import refresh
from bot.slack_ops.war_room import WarRoom, open_war_room
from storage.models import Incident, IncidentStatus

log = logging.getLogger("opsguard.slack")


async def after_declare(ops: SlackOps, incident: Incident, *, actor: str | None) -> WarRoom | None:
    """`actor` is None when an alert declared the incident."""
    assert incident.id is not None
    room = None
    # Pages go out at once, alongside the war room; paged people are members, so invited.
    if ops.deps.config.opens_war_room(incident.severity, incident.service):
        room, _ = await asyncio.gather(
            open_war_room(ops, incident.id, actor=actor), paging.deliver_pending(ops)
        )
    else:
        await asyncio.gather(refresh(ops, incident.id), paging.deliver_pending(ops))
    ops.hint(incident.next_nudge_at)
    ops.hint(incident.next_escalation_at)
    snap = await snapshot(ops.deps.db, incident.id)
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
