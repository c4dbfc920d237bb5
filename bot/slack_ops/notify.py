"""Messages to people: role and task DMs, status posts, nudges, resolutions, digests.

A message that cannot be delivered is logged and dropped: telling people is never allowed to
break the change that caused it.
"""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from slack_sdk.models.blocks import Block

from blocks.digest import stakeholder_digest
from blocks.incident import resolution_summary, status_update_post
from blocks.notices import nudge, role_dm, task_dm
from bot.domain.snapshot import Snapshot, open_incidents, snapshot
from bot.slack_ops.context import SlackOps
from bot.slack_ops.sync import announced
from storage.models import Incident, IncidentTask

log = logging.getLogger("opsguard.slack")


async def post(ops: SlackOps, channel: str, text: str, blocks: list[Block], **extra: Any) -> None:
    try:
        await ops.client.chat_postMessage(channel=channel, text=text, blocks=blocks, **extra)
    except Exception as exc:
        log.warning("could not post to %s: %s", channel, exc)


async def role_assigned(ops: SlackOps, incident: Incident, role_id: str, user: str) -> None:
    role = ops.deps.config.role(role_id)
    if role is not None and user != ops.bot_user_id:
        text, blocks = role_dm(incident, role, channel_id=incident.channel_id)
        await post(ops, user, text, blocks)


async def task_assigned(ops: SlackOps, incident: Incident, task: IncidentTask) -> None:
    if task.assignee and task.assignee != ops.bot_user_id:
        text, blocks = task_dm(incident, task, channel_id=incident.channel_id)
        await post(ops, task.assignee, text, blocks)


async def status_posted(ops: SlackOps, snap: Snapshot, *, actor: str, text: str) -> None:
    """A status update goes to the war room and to the announcement card's thread."""
    fallback, blocks = status_update_post(snap.incident, actor=actor, text=text)
    await asyncio.gather(*_everywhere(ops, snap, fallback, blocks))


async def resolved(ops: SlackOps, snap: Snapshot) -> None:
    fallback, blocks = resolution_summary(snap, ops.deps.config, now=ops.deps.clock.now())
    await asyncio.gather(*_everywhere(ops, snap, fallback, blocks))


async def send_nudge(ops: SlackOps, incident: Incident) -> None:
    assert incident.id is not None
    snap = await snapshot(ops.deps.db, incident.id)
    silent_for = ops.deps.clock.now() - incident.last_update_at
    text, blocks = nudge(incident, commander=snap.commander, silent_for=silent_for)
    target = incident.channel_id or snap.commander
    if target:
        await post(ops, target, text, blocks)


async def send_digest(ops: SlackOps) -> bool:
    """Post the stakeholder digest if any qualifying public incident is open."""
    channel = ops.deps.settings.stakeholder_channel
    wanted = set(ops.deps.config.lifecycle.digest_severities)
    incidents = [
        i
        for i in await open_incidents(ops.deps.db)
        if i.severity in wanted and not i.private and i.id is not None
    ]
    if not channel or not incidents:
        return False
    snaps = [await snapshot(ops.deps.db, i.id) for i in incidents if i.id is not None]
    text, blocks = stakeholder_digest(snaps, ops.deps.config, now=ops.deps.clock.now())
    await post(ops, channel, text, blocks)
    return True


def _everywhere(ops: SlackOps, snap: Snapshot, text: str, blocks: list[Block]) -> list[Any]:
    incident = snap.incident
    posts = []
    if incident.channel_id and not incident.archived:
        posts.append(post(ops, incident.channel_id, text, blocks))
    if announced(ops, snap) and incident.announcement_ts:
        posts.append(
            post(
                ops,
                ops.deps.settings.incidents_channel,
                text,
                blocks,
                thread_ts=incident.announcement_ts,
            )
        )
    return posts
