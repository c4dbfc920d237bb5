"""Make Slack show what storage holds: topic, pinned command center, announcement card.

Each projection is idempotent. A failure becomes a note in the war room plus a scheduled
re-sync, so one bad call never leaves the incident half set up for long.
"""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Awaitable, Sequence
from datetime import timedelta
from typing import Any

from slack_sdk.errors import SlackApiError

from blocks.incident import announcement_card, channel_topic, command_center
from blocks.notices import integration_note
from bot.domain import due, lifecycle
from bot.domain.snapshot import Snapshot, snapshot
from bot.slack_ops.context import SlackOps, describe_failure
from storage.models import Incident

log = logging.getLogger("opsguard.slack")
RESYNC_AFTER = timedelta(minutes=1)
# Refusals about the person, not the call: retrying would never help.
UNINVITABLE = {
    "user_not_found",
    "cant_invite",
    "user_is_deactivated",
    "user_is_restricted",
    "user_is_ultra_restricted",
    "cant_invite_self",
}


async def refresh(ops: SlackOps, incident_id: int, *, invite: Sequence[str] = ()) -> None:
    """After any change: topic, command center and card, in parallel (one round trip)."""
    await refresh_from(ops, await snapshot(ops.deps.db, incident_id), invite=invite)


async def refresh_from(ops: SlackOps, snap: Snapshot, *, invite: Sequence[str] = ()) -> None:
    """`refresh` from a snapshot the caller already holds."""
    steps: dict[str, Awaitable[Any]] = {}
    incident = snap.incident
    if incident.channel_id and not incident.archived:
        steps["topic"] = set_topic(ops, snap)
        steps["command center"] = show_command_center(ops, snap)
        if invite:
            steps["invites"] = invite_users(ops, incident.channel_id, list(invite))
    if announced(ops, snap):
        steps["announcement card"] = show_card(ops, snap)
    await run_steps(ops, snap, steps)


def shown(ops: SlackOps, incident: Incident) -> bool:
    """Whether `refresh` has anything to update: a live war room or the announcement card."""
    return bool(incident.channel_id and not incident.archived) or _announces(ops, incident)


def announced(ops: SlackOps, snap: Snapshot) -> bool:
    return _announces(ops, snap.incident)


def _announces(ops: SlackOps, incident: Incident) -> bool:
    """Private incidents never appear outside their own channel."""
    return bool(ops.deps.settings.incidents_channel) and not incident.private


async def run_steps(ops: SlackOps, snap: Snapshot, steps: dict[str, Awaitable[Any]]) -> list[Any]:
    results = await asyncio.gather(*steps.values(), return_exceptions=True)
    failures = [
        (name, r) for name, r in zip(steps, results, strict=True) if isinstance(r, BaseException)
    ]
    for name, error in failures:
        log.warning(
            "INC-%s: %s failed: %s",
            snap.incident.number,
            name,
            error,
            exc_info=error if not _expected(error) else None,
        )
    if failures:
        assert snap.incident.id is not None
        await due.request_sync(ops.deps.db, ops.deps.clock, snap.incident.id, RESYNC_AFTER)
        await post_note(
            ops,
            snap,
            ", ".join(name for name, _ in failures),
            "; ".join(describe_failure(e) for _, e in failures),
        )
    return list(results)


async def post_note(ops: SlackOps, snap: Snapshot, what: str, why: str) -> None:
    channel = snap.incident.channel_id
    if not channel:
        return
    text, blocks = integration_note(f"Couldn't update the {what}", f"{why}. Retrying shortly.")
    try:
        await ops.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    except Exception as exc:
        log.warning("INC-%s: could not post the failure note: %s", snap.incident.number, exc)


async def set_topic(ops: SlackOps, snap: Snapshot) -> None:
    assert snap.incident.channel_id
    topic = channel_topic(snap.incident, ops.deps.config, bridge_url=snap.incident.conference_url)
    await ops.client.conversations_setTopic(channel=snap.incident.channel_id, topic=topic)


async def show_command_center(ops: SlackOps, snap: Snapshot) -> None:
    incident = snap.incident
    assert incident.channel_id and incident.id is not None
    text, blocks = command_center(snap, ops.deps.config, now=ops.deps.clock.now())
    if incident.command_center_ts:
        await ops.client.chat_update(
            channel=incident.channel_id, ts=incident.command_center_ts, text=text, blocks=blocks
        )
        return
    posted = await ops.client.chat_postMessage(
        channel=incident.channel_id, text=text, blocks=blocks
    )
    await lifecycle.record_messages(ops.deps.db, incident.id, command_center_ts=posted["ts"])
    await ops.client.pins_add(channel=incident.channel_id, timestamp=posted["ts"])


async def show_card(ops: SlackOps, snap: Snapshot) -> None:
    incident = snap.incident
    assert incident.id is not None
    channel = ops.deps.settings.incidents_channel
    text, blocks = announcement_card(
        snap,
        ops.deps.config,
        now=ops.deps.clock.now(),
        channel_id=incident.channel_id,
        can_open_war_room=incident.channel_id is None,
    )
    if incident.announcement_ts:
        await ops.client.chat_update(
            channel=channel, ts=incident.announcement_ts, text=text, blocks=blocks
        )
        return
    posted = await ops.client.chat_postMessage(channel=channel, text=text, blocks=blocks)
    await lifecycle.record_messages(ops.deps.db, incident.id, announcement_ts=posted["ts"])


async def invite_users(ops: SlackOps, channel_id: str, users: list[str]) -> list[str]:
    """Invite everyone at once; one user Slack refuses (e.g. deactivated) never stops the rest.

    Returns the users that could not be invited.
    """
    wanted = sorted({u for u in users if u and u != ops.bot_user_id})
    if not wanted:
        return []
    try:
        response = await ops.client.conversations_invite(
            channel=channel_id, users=wanted, force=True
        )
    except SlackApiError as exc:
        error = exc.response.get("error")
        if error == "already_in_channel":
            return []
        if len(wanted) == 1:
            if error in UNINVITABLE:
                log.info("cannot invite %s to %s: %s", wanted[0], channel_id, error)
                return wanted
            raise
        # Slack refused the whole batch: invite one by one so the valid users still get in.
        results = await asyncio.gather(
            *(invite_users(ops, channel_id, [u]) for u in wanted), return_exceptions=True
        )
        return [u for u, r in zip(wanted, results, strict=True) if isinstance(r, BaseException)]
    return [
        e.get("user", "?")
        for e in response.get("errors") or []
        if e.get("error") != "already_in_channel"
    ]


def _expected(error: BaseException) -> bool:
    return isinstance(error, SlackApiError | asyncio.TimeoutError | OSError)
