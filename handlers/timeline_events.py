"""📌 reactions, native pins and edits in war rooms keep the timeline's captured messages."""

from __future__ import annotations

import logging
from datetime import UTC, datetime
from typing import Any

from slack_sdk.errors import SlackApiError

from bot.domain import lifecycle, timeline
from bot.registry import ListenerRegistry
from bot.slack_ops import timeline as slack_timeline
from bot.slack_ops.context import SlackOps, describe_failure
from bot.slack_ops.sync import refresh

log = logging.getLogger("opsguard.timeline")


def register(registry: ListenerRegistry, ops: SlackOps) -> None:
    deps = ops.deps

    async def war_room(channel: str | None) -> int | None:
        incident = await lifecycle.find_by_channel(deps.db, channel) if channel else None
        return incident.id if incident is not None else None

    async def pin(
        channel: str, ts: str, source: str, message: dict[str, Any] | None, user: str
    ) -> None:
        incident_id = await war_room(channel)
        if incident_id is None:
            return
        try:
            message = message or await slack_timeline.read_message(ops, channel, ts)
        except SlackApiError as exc:  # retried by the client already: tell the person
            why = describe_failure(exc)
            log.warning("could not read %s/%s for the timeline: %s", channel, ts, why)
            text = f"I couldn't add that message to the timeline ({why}). Pin it again in a moment."
            await ops.client.chat_postEphemeral(channel=channel, user=user, text=text)
            return
        if message is None:
            log.info("pinned message %s/%s is gone", channel, ts)
            return
        captured = await slack_timeline.captured(ops, channel, message)
        done = await timeline.capture(deps.db, deps.clock, incident_id, captured, source)
        await slack_timeline.confirm(ops, channel, ts, captured=True)
        if done.created:
            await refresh(ops, incident_id)

    async def unpin(channel: str, ts: str, source: str) -> None:
        incident_id = await war_room(channel)
        if incident_id is None:
            return
        released = await timeline.release(deps.db, incident_id, channel, ts, source)
        if released is not None and released.removed:
            await slack_timeline.confirm(ops, channel, ts, captured=False)
            await refresh(ops, incident_id)

    def is_pin_reaction(event: dict[str, Any]) -> bool:
        item = event.get("item") or {}
        return (
            event.get("reaction") == deps.config.timeline.pin_emoji
            and item.get("type") == "message"
            and event.get("user") != ops.bot_user_id
        )

    async def reaction_added(event: dict[str, Any]) -> None:
        if is_pin_reaction(event):
            item = event["item"]
            source = timeline.reaction_source(event["user"])
            await pin(item["channel"], item["ts"], source, None, event["user"])

    async def reaction_removed(event: dict[str, Any]) -> None:
        if is_pin_reaction(event):
            item = event["item"]
            await unpin(item["channel"], item["ts"], timeline.reaction_source(event["user"]))

    async def pin_added(event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        message = item.get("message")
        if item.get("type") == "message" and message and message.get("ts"):
            channel = event.get("channel_id") or item.get("channel")
            await pin(channel, message["ts"], timeline.PIN_SOURCE, message, event.get("user", ""))

    async def pin_removed(event: dict[str, Any]) -> None:
        item = event.get("item") or {}
        message = item.get("message")
        if item.get("type") == "message" and message and message.get("ts"):
            channel = event.get("channel_id") or item.get("channel")
            await unpin(channel, message["ts"], timeline.PIN_SOURCE)

    async def channel_message(event: dict[str, Any]) -> None:
        if event.get("subtype") != "message_changed":
            return
        message = event.get("message") or {}
        channel = event.get("channel")
        incident_id = await war_room(channel)
        ts = message.get("ts")
        if incident_id is None or not channel or not ts:
            return
        if not await timeline.is_captured(deps.db, incident_id, channel, ts):
            return
        text = await slack_timeline.names_for_mentions(ops, message.get("text") or "")
        edited = (message.get("edited") or {}).get("ts")
        edited_at = datetime.fromtimestamp(float(edited), UTC) if edited else deps.clock.now()
        files = slack_timeline.file_names(message)
        if await timeline.sync_edit(deps.db, incident_id, channel, ts, text, files, edited_at):
            await refresh(ops, incident_id)

    registry.event("reaction_added", reaction_added, name="timeline_reaction_added")
    registry.event("reaction_removed", reaction_removed, name="timeline_reaction_removed")
    registry.event("pin_added", pin_added, name="timeline_pin_added")
    registry.event("pin_removed", pin_removed, name="timeline_pin_removed")
    registry.channel_message(channel_message, name="channel_message")
